// One interface over GICv2 and GICv3 for the GIC tests, chosen at build time: build with
// -DGIC_V3 for GICv3 (redistributors, ICC_* system registers), without it for GICv2 (banked
// distributor registers, GICC MMIO frame). A test written against this header runs unchanged
// on both, so each behaviour is checked on both architectures with the same expectations.
#ifndef GUEST_GICX_H
#define GUEST_GICX_H
#include "runtime.h"

#ifdef GIC_V3
#define GIC_NAME "GICv3"
#else
#define GIC_NAME "GICv2"
#endif

// Offsets shared by GICD (SPIs, and on GICv2 the banked SGI/PPI words) and the GICv3
// redistributor's SGI_base frame (SGIs and PPIs).
#define GICX_ISENABLER 0x100
#define GICX_ICENABLER 0x180
#define GICX_ISPENDR   0x200
#define GICX_ICPENDR   0x280
#define GICX_ISACTIVER 0x300
#define GICX_ICACTIVER 0x380
#define GICX_IPRIORITYR 0x400

// The vCPU this code runs on (MPIDR_EL1.Aff0; the tests use fewer than 16 vCPUs).
static inline uint32_t gicx_this_cpu(void) { return (uint32_t)(read_sysreg(mpidr_el1) & 0xFF); }

// Initialises the distributor (idempotent) and this vCPU's interface: priority mask open,
// smallest binary point, EOImode 0; on GICv3 all SGIs/PPIs in group 1.
void gicx_init_cpu(uint32_t cpu);
// Enables an SGI or PPI of this vCPU at the given priority.
void gicx_enable_private(uint32_t cpu, uint32_t intid, uint8_t priority);

// The base of this vCPU's SGI/PPI registers (the GICX_* offsets apply).
uint64_t gicx_private_base(uint32_t cpu);
static inline bool gicx_bit(uint32_t cpu, uint32_t offset, uint32_t intid) {
    return (mmio_read32(gicx_private_base(cpu) + offset) >> intid) & 1;
}
static inline void gicx_set_bit(uint32_t cpu, uint32_t offset, uint32_t intid) {
    mmio_write32(gicx_private_base(cpu) + offset, 1u << intid);
    dsb_sy();
    isb();
}

uint32_t gicx_ack(void);                  // raw IAR (GICv2: source CPU in 12:10)
static inline uint32_t gicx_intid(uint32_t iar) {
#ifdef GIC_V3
    return iar & 0xFFFFFF;
#else
    return iar & 0x3FF;
#endif
}
void gicx_eoi(uint32_t iar);              // EOIR: priority drop (and deactivation unless EOImode)
void gicx_dir(uint32_t iar);              // DIR: deactivation with EOImode = 1
uint32_t gicx_hppir(void);
uint32_t gicx_rpr(void);
uint32_t gicx_pmr(void);
void gicx_set_pmr(uint32_t pmr);
// Sets the binary point that applies to this test's interrupts as a GICv2 GICC_BPR value
// (group priority = bits [7:bpr+1]); on GICv3 ICC_BPR1_EL1 = bpr + 1 gives the same split.
void gicx_set_binary_point(uint32_t bpr);
void gicx_set_eoimode(bool split);
// Sends SGI `intid` to every vCPU whose bit is set in `targets` (bit n = vCPU n).
void gicx_send_sgi(uint32_t intid, uint32_t targets);
// Sends SGI `intid` to every vCPU but this one without naming them (GICv2: TargetListFilter
// 0b01; GICv3: IRM = 1).
void gicx_send_sgi_to_others(uint32_t intid);
// Sends SGI `intid` to this vCPU (GICv2: TargetListFilter 0b10; GICv3: its own Aff0 bit).
void gicx_send_sgi_to_self(uint32_t intid);

// ISR_EL1.I: the CPU interface is signalling an IRQ to this vCPU now (whatever PSTATE.I).
static inline bool irq_signalled(void) { isb(); return (read_sysreg(isr_el1) >> 7) & 1; }

#endif
