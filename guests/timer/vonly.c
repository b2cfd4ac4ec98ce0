// A guest that uses only the virtual timer and counter (the series' fast path): CNTVCT, CNTV_*
// and CNTFRQ are reached without a single exit to the VMM. Arms the timer three times (CVAL,
// TVAL, CVAL again), waits with WFI and takes each interrupt through the GIC.
#include "tlib.h"

static volatile int taken;

static bool on_irq(struct exception_frame *frame, int kind) {
    (void)frame; (void)kind;
    uint32_t iar = gic_ack();
    if (gic_intid(iar) == GIC_SPURIOUS) return true;
    if (gic_intid(iar) != TIMER_PPI_VIRTUAL) fail("unexpected INTID %u", gic_intid(iar));
    CHECK(cntv_ctl() & CNT_CTL_ISTATUS);
    set_cntv_ctl(CNT_CTL_ENABLE | CNT_CTL_IMASK);
    taken++;
    gic_eoi(iar);
    return true;
}

int main(void) {
    gic_init();
    gic_enable(TIMER_PPI_VIRTUAL, 0x80);
    set_irq_handler(on_irq);
    irq_enable();
    for (int i = 0; i < 3; i++) {
        uint64_t deadline = cntvct() + us_ticks(500);
        if (i == 1) set_cntv_tval((int32_t)us_ticks(500)); else set_cntv_cval(deadline);
        set_cntv_ctl(CNT_CTL_ENABLE);
        while (taken == i) wfi();
        CHECK(cntvct() >= deadline);
    }
    irq_disable();
    set_cntv_ctl(0);
    CHECK_EQ(taken, 3);
    printf("3 virtual timer interrupts, frequency %lu Hz\n", cntfrq());
    pass();
}
