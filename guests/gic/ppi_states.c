// A PPI through its states, observed in the GIC's own registers at every step (GICv2: the
// banked GICD_I[SC]PENDR0 / I[SC]ACTIVER0; GICv3: the redistributor's SGI_base frame), with
// EOImode = 1 so that EOIR only drops the priority and DIR deactivates. IRQs stay masked in
// PSTATE: the test acknowledges by reading IAR and watches ISR_EL1.I for the CPU interface's
// IRQ output.
//   inactive -> pending (ISPENDR write) -> active (IAR) -> active and pending (ISPENDR again)
//   -> priority dropped, still active (EOIR) -> pending (DIR) -> active (IAR) -> inactive
//   (EOIR + DIR); then ICPENDR clears a pending PPI and I[SC]ACTIVER set and clear the active state.
#include "gicx.h"

#define PPI 20              // no device drives it: only software makes it pending
#define PRIORITY 0x80

static void expect_state(int line, bool pending, bool active) {
    uint32_t cpu = gicx_this_cpu();
    bool p = gicx_bit(cpu, GICX_ISPENDR, PPI), p2 = gicx_bit(cpu, GICX_ICPENDR, PPI);
    bool a = gicx_bit(cpu, GICX_ISACTIVER, PPI), a2 = gicx_bit(cpu, GICX_ICACTIVER, PPI);
    if (p != pending || p2 != pending || a != active || a2 != active)
        fail("line %d: ISPENDR %d ICPENDR %d ISACTIVER %d ICACTIVER %d, expected pending %d active %d",
             line, p, p2, a, a2, pending, active);
}
#define EXPECT_STATE(pending, active) expect_state(__LINE__, pending, active)

int main(void) {
    uint32_t cpu = gicx_this_cpu();
    gicx_init_cpu(cpu);
    gicx_enable_private(cpu, PPI, PRIORITY);
    gicx_set_eoimode(true);

    EXPECT_STATE(false, false);
    CHECK(!irq_signalled());
    CHECK_EQ(gicx_hppir(), GIC_SPURIOUS);
    CHECK_EQ(gicx_ack(), GIC_SPURIOUS);
    CHECK_EQ(gicx_rpr(), 0xFF);

    // Pending: signalled, and the highest pending interrupt.
    gicx_set_bit(cpu, GICX_ISPENDR, PPI);
    EXPECT_STATE(true, false);
    CHECK(irq_signalled());
    CHECK_EQ(gicx_hppir(), PPI);
    CHECK_EQ(gicx_rpr(), 0xFF);

    // Acknowledged: active, no longer pending; the running priority is its priority.
    uint32_t iar = gicx_ack();
    CHECK_EQ(gicx_intid(iar), PPI);
    EXPECT_STATE(false, true);
    CHECK(!irq_signalled());
    CHECK_EQ(gicx_rpr(), PRIORITY);
    CHECK_EQ(gicx_hppir(), GIC_SPURIOUS);
    CHECK_EQ(gicx_ack(), GIC_SPURIOUS);

    // Pended again while active: active and pending, but not signalled (it is active).
    gicx_set_bit(cpu, GICX_ISPENDR, PPI);
    EXPECT_STATE(true, true);
    CHECK(!irq_signalled());
    CHECK_EQ(gicx_ack(), GIC_SPURIOUS);

    // EOIR with EOImode = 1: the priority drops, the interrupt stays active (and pending).
    gicx_eoi(iar);
    CHECK_EQ(gicx_rpr(), 0xFF);
    EXPECT_STATE(true, true);
    CHECK(!irq_signalled());
    CHECK_EQ(gicx_ack(), GIC_SPURIOUS);

    // DIR deactivates: pending only, so it is signalled again and can be acknowledged.
    gicx_dir(iar);
    EXPECT_STATE(true, false);
    CHECK(irq_signalled());
    iar = gicx_ack();
    CHECK_EQ(gicx_intid(iar), PPI);
    EXPECT_STATE(false, true);
    CHECK_EQ(gicx_rpr(), PRIORITY);
    gicx_eoi(iar);
    CHECK_EQ(gicx_rpr(), 0xFF);
    EXPECT_STATE(false, true);
    gicx_dir(iar);
    EXPECT_STATE(false, false);
    CHECK(!irq_signalled());
    CHECK_EQ(gicx_ack(), GIC_SPURIOUS);

    // ICPENDR removes the pending state before it is taken.
    gicx_set_bit(cpu, GICX_ISPENDR, PPI);
    EXPECT_STATE(true, false);
    gicx_set_bit(cpu, GICX_ICPENDR, PPI);
    EXPECT_STATE(false, false);
    CHECK(!irq_signalled());
    CHECK_EQ(gicx_ack(), GIC_SPURIOUS);

    // ISACTIVER makes it active without an acknowledge (as a restored VM would); a pending
    // active interrupt is not signalled until ICACTIVER clears the active state.
    gicx_set_bit(cpu, GICX_ISACTIVER, PPI);
    EXPECT_STATE(false, true);
    gicx_set_bit(cpu, GICX_ISPENDR, PPI);
    EXPECT_STATE(true, true);
    CHECK(!irq_signalled());
    gicx_set_bit(cpu, GICX_ICACTIVER, PPI);
    EXPECT_STATE(true, false);
    CHECK(irq_signalled());
    iar = gicx_ack();
    CHECK_EQ(gicx_intid(iar), PPI);
    gicx_eoi(iar);
    gicx_dir(iar);
    EXPECT_STATE(false, false);

    // A disabled PPI can be pending but is not signalled.
    mmio_write32(gicx_private_base(cpu) + GICX_ICENABLER, 1u << PPI);
    gicx_set_bit(cpu, GICX_ISPENDR, PPI);
    EXPECT_STATE(true, false);
    CHECK(!irq_signalled());
    CHECK_EQ(gicx_ack(), GIC_SPURIOUS);

    printf("%s: PPI %d went pending, active, active and pending, inactive\n", GIC_NAME, PPI);
    pass();
}
