// The virtual timer's PPI 27 is level-sensitive: its pending state follows the timer's output
// line (CNTV_CTL_EL0: ENABLE, condition met, IMASK clear) rather than a latch. With EOImode = 1:
//   line high -> pending; IAR -> active, and still pending because the line stays high;
//   EOIR drops the priority, the interrupt stays active and pending (not signalled);
//   IMASK lowers the line -> active only; DIR -> inactive, nothing to acknowledge;
//   IMASK clear -> pending and signalled again; turning the timer off before the EOI ends it.
// The states are read in GICD (GICv2, banked) or the redistributor's SGI_base frame (GICv3).
// The line reaches the GIC as the timer is evaluated, so the test waits for each level change
// (the board's watchdog ends a run that never sees it).
#include "gicx.h"

#define PPI TIMER_PPI_VIRTUAL
#define PRIORITY 0x60

static void wait_pending(uint32_t cpu, bool pending) {
    while (gicx_bit(cpu, GICX_ISPENDR, PPI) != pending) {}
}

int main(void) {
    uint32_t cpu = gicx_this_cpu();
    gicx_init_cpu(cpu);
    gicx_enable_private(cpu, PPI, PRIORITY);
    gicx_set_eoimode(true);
    CHECK(!gicx_bit(cpu, GICX_ISPENDR, PPI));

    // The condition is met at once (CVAL = 0): the line goes high.
    set_cntv_cval(0);
    set_cntv_ctl(CNT_CTL_ENABLE);
    CHECK_EQ(cntv_ctl(), CNT_CTL_ENABLE | CNT_CTL_ISTATUS);
    wait_pending(cpu, true);
    CHECK(!gicx_bit(cpu, GICX_ISACTIVER, PPI));
    CHECK(irq_signalled());
    CHECK_EQ(gicx_hppir(), PPI);

    uint32_t iar = gicx_ack();
    CHECK_EQ(gicx_intid(iar), PPI);
    CHECK(gicx_bit(cpu, GICX_ISACTIVER, PPI));
    CHECK(gicx_bit(cpu, GICX_ISPENDR, PPI));      // the line is still high
    CHECK(!irq_signalled());
    CHECK_EQ(gicx_rpr(), PRIORITY);

    gicx_eoi(iar);                                 // priority drop only
    CHECK_EQ(gicx_rpr(), 0xFF);
    CHECK(gicx_bit(cpu, GICX_ISACTIVER, PPI));
    CHECK(gicx_bit(cpu, GICX_ISPENDR, PPI));
    CHECK(!irq_signalled());
    CHECK_EQ(gicx_ack(), GIC_SPURIOUS);

    // Masking the timer lowers the line: no longer pending, still active.
    set_cntv_ctl(CNT_CTL_ENABLE | CNT_CTL_IMASK);
    wait_pending(cpu, false);
    CHECK(gicx_bit(cpu, GICX_ISACTIVER, PPI));
    gicx_dir(iar);
    CHECK(!gicx_bit(cpu, GICX_ISACTIVER, PPI));
    CHECK(!gicx_bit(cpu, GICX_ISPENDR, PPI));
    CHECK(!irq_signalled());
    CHECK_EQ(gicx_ack(), GIC_SPURIOUS);

    // Unmasked: pending and signalled again; the handler turns the timer off before its EOI.
    set_cntv_ctl(CNT_CTL_ENABLE);
    wait_pending(cpu, true);
    CHECK(irq_signalled());
    iar = gicx_ack();
    CHECK_EQ(gicx_intid(iar), PPI);
    set_cntv_ctl(0);
    wait_pending(cpu, false);
    gicx_eoi(iar);
    gicx_dir(iar);
    CHECK(!gicx_bit(cpu, GICX_ISACTIVER, PPI));
    CHECK(!gicx_bit(cpu, GICX_ISPENDR, PPI));
    CHECK(!irq_signalled());
    CHECK_EQ(gicx_ack(), GIC_SPURIOUS);
    CHECK_EQ(gicx_rpr(), 0xFF);

    printf("%s: the virtual timer's PPI %d followed its line through active and pending\n", GIC_NAME, PPI);
    pass();
}
