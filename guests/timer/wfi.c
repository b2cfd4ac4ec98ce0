// WFI with both timers armed wakes with the earlier one (build with -DGIC_VERSION=2|3 and
// -DFIRST=0 for the physical timer at 5 ms and the virtual at 50 ms, -DFIRST=1 the reverse).
// IRQs stay masked at PSTATE: WFI wakes on a pending interrupt all the same, and the guest
// acknowledges it by hand. Prints the wake times (microseconds since arming and ticks late
// against the deadline) for the test to bound; in deterministic time they are exact.
#include "tlib.h"
#include "timers.h"

#ifndef FIRST
#define FIRST PHYS
#endif

static uint32_t wait_for_timer(void) {
    // WFI may wake spuriously (architecturally); wait until a timer PPI is really pending.
    do wfi(); while (!gic_pending(TIMER_PPI_PHYSICAL) && !gic_pending(TIMER_PPI_VIRTUAL));
    return gic_ack();
}

int main(void) {
    const int first = FIRST, second = 1 - FIRST;
    gic_init();
    gic_enable(TIMER_PPI_PHYSICAL, 0x80);
    gic_enable(TIMER_PPI_VIRTUAL, 0x80);

    uint64_t start = cntpct();
    uint64_t cval[2];
    cval[first] = timer_count(first) + us_ticks(5000);
    cval[second] = timer_count(second) + us_ticks(50000);
    timer_set_cval(first, cval[first]);
    timer_set_cval(second, cval[second]);
    timer_set_ctl(first, CNT_CTL_ENABLE);
    timer_set_ctl(second, CNT_CTL_ENABLE);

    const int order[2] = { first, second };
    for (int i = 0; i < 2; i++) {
        int t = order[i];
        uint32_t iar = wait_for_timer();
        uint64_t count = timer_count(t);
        uint64_t woke = cntpct();
        uint64_t ctl = timer_ctl(t);
        printf("wake %d: INTID %u after %lu us, %lu ticks after the %s deadline\n", i + 1,
               gic_intid(iar), ticks_us(woke - start), count - cval[t], timer_name(t));
        CHECK_EQ(gic_intid(iar), timer_ppi(t));
        CHECK(count >= cval[t]);
        CHECK_EQ(ctl, CNT_CTL_ENABLE | CNT_CTL_ISTATUS);
        timer_set_ctl(t, CNT_CTL_ENABLE | CNT_CTL_IMASK);
        gic_eoi(iar);
        CHECK(!gic_pending(timer_ppi(t)));
    }
    timer_set_ctl(PHYS, 0);
    timer_set_ctl(VIRT, 0);
    pass();
}
