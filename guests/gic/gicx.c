// See gicx.h. Register layouts from the GICv2 and GICv3 architecture specifications.
#include "gicx.h"

#define ICC_PMR_EL1     S3_0_C4_C6_0
#define ICC_IAR1_EL1    S3_0_C12_C12_0
#define ICC_EOIR1_EL1   S3_0_C12_C12_1
#define ICC_HPPIR1_EL1  S3_0_C12_C12_2
#define ICC_BPR1_EL1    S3_0_C12_C12_3
#define ICC_CTLR_EL1    S3_0_C12_C12_4
#define ICC_DIR_EL1     S3_0_C12_C11_1
#define ICC_RPR_EL1     S3_0_C12_C11_3
#define ICC_SGI1R_EL1   S3_0_C12_C11_5

#define GICC_CTLR  0x00
#define GICC_PMR   0x04
#define GICC_BPR   0x08
#define GICC_IAR   0x0C
#define GICC_EOIR  0x10
#define GICC_RPR   0x14
#define GICC_HPPIR 0x18
#define GICC_DIR   0x1000
#define GICD_SGIR  0xF00

uint64_t gicx_private_base(uint32_t cpu) {
#ifdef GIC_V3
    return GICR_BASE + (uint64_t)cpu * GICR_STRIDE + 0x10000;
#else
    (void)cpu;                                // banked: each vCPU sees its own
    return GICD_BASE;
#endif
}

void gicx_init_cpu(uint32_t cpu) {
#ifdef GIC_V3
    gicv3_init(cpu);
#else
    (void)cpu;
    gicv2_init();
#endif
    gicx_set_eoimode(false);
}

void gicx_enable_private(uint32_t cpu, uint32_t intid, uint8_t priority) {
    mmio_write8(gicx_private_base(cpu) + GICX_IPRIORITYR + intid, priority);
    mmio_write32(gicx_private_base(cpu) + GICX_ISENABLER, 1u << intid);
    dsb_sy();
}

#ifdef GIC_V3
uint32_t gicx_ack(void) { uint32_t v = (uint32_t)read_sysreg(ICC_IAR1_EL1); dsb_sy(); return v; }
void gicx_eoi(uint32_t iar) { write_sysreg(ICC_EOIR1_EL1, iar); isb(); }
void gicx_dir(uint32_t iar) { write_sysreg(ICC_DIR_EL1, iar); isb(); }
uint32_t gicx_hppir(void) { return (uint32_t)read_sysreg(ICC_HPPIR1_EL1); }
uint32_t gicx_rpr(void) { return (uint32_t)read_sysreg(ICC_RPR_EL1); }
uint32_t gicx_pmr(void) { return (uint32_t)read_sysreg(ICC_PMR_EL1); }
void gicx_set_pmr(uint32_t pmr) { write_sysreg(ICC_PMR_EL1, pmr); isb(); }
void gicx_set_binary_point(uint32_t bpr) { write_sysreg(ICC_BPR1_EL1, bpr + 1); isb(); }
void gicx_set_eoimode(bool split) {
    uint64_t ctlr = read_sysreg(ICC_CTLR_EL1);
    write_sysreg(ICC_CTLR_EL1, split ? ctlr | 2 : ctlr & ~2UL);
    isb();
}
void gicx_send_sgi(uint32_t intid, uint32_t targets) {
    // Aff3.Aff2.Aff1 = 0.0.0, RS = 0: TargetList bit n is the vCPU with Aff0 = n.
    dsb_sy();
    write_sysreg(ICC_SGI1R_EL1, (uint64_t)(intid & 0xF) << 24 | (targets & 0xFFFF));
    isb();
}
void gicx_send_sgi_to_others(uint32_t intid) {
    dsb_sy();
    write_sysreg(ICC_SGI1R_EL1, 1UL << 40 | (uint64_t)(intid & 0xF) << 24);
    isb();
}
void gicx_send_sgi_to_self(uint32_t intid) { gicx_send_sgi(intid, 1u << gicx_this_cpu()); }
#else
uint32_t gicx_ack(void) { return mmio_read32(GICC_BASE + GICC_IAR); }
void gicx_eoi(uint32_t iar) { mmio_write32(GICC_BASE + GICC_EOIR, iar); dsb_sy(); }
void gicx_dir(uint32_t iar) { mmio_write32(GICC_BASE + GICC_DIR, iar); dsb_sy(); }
uint32_t gicx_hppir(void) { return mmio_read32(GICC_BASE + GICC_HPPIR); }
uint32_t gicx_rpr(void) { return mmio_read32(GICC_BASE + GICC_RPR); }
uint32_t gicx_pmr(void) { return mmio_read32(GICC_BASE + GICC_PMR); }
void gicx_set_pmr(uint32_t pmr) { mmio_write32(GICC_BASE + GICC_PMR, pmr); dsb_sy(); }
void gicx_set_binary_point(uint32_t bpr) { mmio_write32(GICC_BASE + GICC_BPR, bpr); dsb_sy(); }
void gicx_set_eoimode(bool split) {
    uint32_t ctlr = mmio_read32(GICC_BASE + GICC_CTLR);
    mmio_write32(GICC_BASE + GICC_CTLR, split ? ctlr | (1u << 9) : ctlr & ~(1u << 9));
    dsb_sy();
}
void gicx_send_sgi(uint32_t intid, uint32_t targets) {
    // TargetListFilter 0b00: the CPUs in CPUTargetList [23:16].
    dsb_sy();
    mmio_write32(GICD_BASE + GICD_SGIR, (targets & 0xFF) << 16 | (intid & 0xF));
    dsb_sy();
}
void gicx_send_sgi_to_others(uint32_t intid) {
    dsb_sy();
    mmio_write32(GICD_BASE + GICD_SGIR, 1u << 24 | (intid & 0xF));
    dsb_sy();
}
void gicx_send_sgi_to_self(uint32_t intid) {
    dsb_sy();
    mmio_write32(GICD_BASE + GICD_SGIR, 2u << 24 | (intid & 0xF));
    dsb_sy();
}
#endif
