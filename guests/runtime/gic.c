// GIC helpers; see gic.h. Register offsets from the GICv2 and GICv3 architecture specifications.
#include "runtime.h"
#include "gic.h"

#define GICD_CTLR        0x000
#define GICD_IGROUPR     0x080
#define GICD_ISENABLER   0x100
#define GICD_ICENABLER   0x180
#define GICD_ISPENDR     0x200
#define GICD_IPRIORITYR  0x400
#define GICD_ITARGETSR   0x800
#define GICD_SGIR        0xF00
#define GICD_IROUTER     0x6000

#define GICC_CTLR  0x00
#define GICC_PMR   0x04
#define GICC_BPR   0x08
#define GICC_IAR   0x0C
#define GICC_EOIR  0x10

#define GICR_WAKER        0x0014
#define GICR_SGI          0x10000
#define GICR_IGROUPR0     (GICR_SGI + 0x080)
#define GICR_ISENABLER0   (GICR_SGI + 0x100)
#define GICR_ICENABLER0   (GICR_SGI + 0x180)
#define GICR_ISPENDR0     (GICR_SGI + 0x200)
#define GICR_IPRIORITYR   (GICR_SGI + 0x400)

// ---- GICv2 ----

void gicv2_init(void) {
    mmio_write32(GICD_BASE + GICD_CTLR, 3);
    mmio_write32(GICC_BASE + GICC_PMR, 0xFF);
    mmio_write32(GICC_BASE + GICC_BPR, 0);
    mmio_write32(GICC_BASE + GICC_CTLR, 3);
}

void gicv2_enable_irq(uint32_t intid, uint8_t priority) {
    mmio_write8(GICD_BASE + GICD_IPRIORITYR + intid, priority);
    if (intid >= 32) mmio_write8(GICD_BASE + GICD_ITARGETSR + intid, 1);
    mmio_write32(GICD_BASE + GICD_ISENABLER + 4 * (intid / 32), 1u << (intid % 32));
}

void gicv2_disable_irq(uint32_t intid) {
    mmio_write32(GICD_BASE + GICD_ICENABLER + 4 * (intid / 32), 1u << (intid % 32));
}

uint32_t gicv2_ack(void) { return mmio_read32(GICC_BASE + GICC_IAR); }
void gicv2_eoi(uint32_t iar) { mmio_write32(GICC_BASE + GICC_EOIR, iar); }

void gicv2_send_sgi(uint32_t intid, uint32_t target_list) {
    mmio_write32(GICD_BASE + GICD_SGIR, (target_list & 0xFF) << 16 | (intid & 0xF));
}

bool gicv2_is_pending(uint32_t intid) {
    return (mmio_read32(GICD_BASE + GICD_ISPENDR + 4 * (intid / 32)) >> (intid % 32)) & 1;
}

// ---- GICv3 ----

#define ICC_PMR_EL1     S3_0_C4_C6_0
#define ICC_IAR1_EL1    S3_0_C12_C12_0
#define ICC_EOIR1_EL1   S3_0_C12_C12_1
#define ICC_BPR1_EL1    S3_0_C12_C12_3
#define ICC_CTLR_EL1    S3_0_C12_C12_4
#define ICC_SRE_EL1     S3_0_C12_C12_5
#define ICC_IGRPEN1_EL1 S3_0_C12_C12_7
#define sysreg_w(r, v) write_sysreg(r, v)
#define sysreg_r(r) read_sysreg(r)

static uint64_t gicr(uint32_t cpu) { return GICR_BASE + (uint64_t)cpu * GICR_STRIDE; }

void gicv3_init(uint32_t cpu) {
    // ARE_NS (bit 4) | EnableGrp1NS (bit 1); with one security state ARE is bit 4, Grp1 bit 1.
    mmio_write32(GICD_BASE + GICD_CTLR, (1u << 4) | (1u << 1));
    uint64_t r = gicr(cpu);
    mmio_write32(r + GICR_WAKER, mmio_read32(r + GICR_WAKER) & ~2u);
    for (int i = 0; i < 100000 && (mmio_read32(r + GICR_WAKER) & 4u); i++) {}
    mmio_write32(r + GICR_IGROUPR0, 0xFFFFFFFFu);
    sysreg_w(ICC_SRE_EL1, sysreg_r(ICC_SRE_EL1) | 1);
    isb();
    sysreg_w(ICC_PMR_EL1, 0xFF);
    sysreg_w(ICC_BPR1_EL1, 0);
    sysreg_w(ICC_IGRPEN1_EL1, 1);
    isb();
}

void gicv3_enable_irq(uint32_t cpu, uint32_t intid, uint8_t priority) {
    if (intid < 32) {
        uint64_t r = gicr(cpu);
        mmio_write8(r + GICR_IPRIORITYR + intid, priority);
        mmio_write32(r + GICR_ISENABLER0, 1u << intid);
    } else {
        uint64_t group = GICD_BASE + GICD_IGROUPR + 4 * (intid / 32);
        mmio_write32(group, mmio_read32(group) | 1u << (intid % 32));   // group 1
        mmio_write8(GICD_BASE + GICD_IPRIORITYR + intid, priority);
        mmio_write64(GICD_BASE + GICD_IROUTER + 8 * (uint64_t)intid, cpu);
        mmio_write32(GICD_BASE + GICD_ISENABLER + 4 * (intid / 32), 1u << (intid % 32));
    }
}

void gicv3_disable_irq(uint32_t cpu, uint32_t intid) {
    if (intid < 32) mmio_write32(gicr(cpu) + GICR_ICENABLER0, 1u << intid);
    else mmio_write32(GICD_BASE + GICD_ICENABLER + 4 * (intid / 32), 1u << (intid % 32));
}

uint32_t gicv3_ack(void) { uint32_t v = (uint32_t)sysreg_r(ICC_IAR1_EL1); __asm__ volatile("dsb sy" ::: "memory"); return v; }
void gicv3_eoi(uint32_t intid) { sysreg_w(ICC_EOIR1_EL1, intid); isb(); }

bool gicv3_is_pending(uint32_t cpu, uint32_t intid) {
    if (intid < 32) return (mmio_read32(gicr(cpu) + GICR_ISPENDR0) >> intid) & 1;
    return (mmio_read32(GICD_BASE + GICD_ISPENDR + 4 * (intid / 32)) >> (intid % 32)) & 1;
}
