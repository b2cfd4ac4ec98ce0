// A trace of counter values and interrupt times for the deterministic-clock test: four timer
// deadlines, alternating between the timers and between CVAL and TVAL, each waited for with
// WFI (IRQs masked) and acknowledged through the GIC. Every line holds raw counts, so with
// `--clock deterministic` two runs print byte-identical output.
#include "tlib.h"
#include "timers.h"

int main(void) {
    gic_init();
    gic_enable(TIMER_PPI_PHYSICAL, 0x80);
    gic_enable(TIMER_PPI_VIRTUAL, 0x80);
    printf("CNTFRQ %lu, CNTPCT %lu, CNTVCT %lu\n", cntfrq(), cntpct(), cntvct());

    static const struct { int timer; int use_tval; uint32_t us; } steps[] = {
        { PHYS, 1, 1000 }, { VIRT, 0, 1500 }, { PHYS, 0, 300 }, { VIRT, 1, 700 },
    };
    for (unsigned i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        int t = steps[i].timer;
        uint64_t armed = timer_count(t);
        if (steps[i].use_tval) timer_set_tval(t, (int32_t)us_ticks(steps[i].us));
        else timer_set_cval(t, armed + us_ticks(steps[i].us));
        timer_set_ctl(t, CNT_CTL_ENABLE);
        do wfi(); while (!gic_pending(timer_ppi(t)));
        uint64_t woke = timer_count(t);
        uint32_t iar = gic_ack();
        CHECK_EQ(gic_intid(iar), timer_ppi(t));
        CHECK(woke >= timer_cval(t));
        printf("%s timer armed at %lu for %lu, INTID %u taken at %lu\n", timer_name(t), armed,
               timer_cval(t), gic_intid(iar), woke);
        timer_set_ctl(t, 0);
        gic_eoi(iar);
    }
    printf("end: CNTPCT %lu, CNTVCT %lu\n", cntpct(), cntvct());
    pass();
}
