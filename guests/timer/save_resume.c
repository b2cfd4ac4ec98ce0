// Second half of the save/restore test: runs in a new VM whose vCPU 0 got the timer state
// saved from save_arm.c before it started. Prints what it finds (the test compares it with
// what save_arm.c printed), then waits for both restored timers: the physical one first.
#include "tlib.h"
#include "timers.h"

int main(void) {
    uint64_t count = cntpct();
    printf("physical CVAL %lu CTL %lu\n", cntp_cval(), cntp_ctl());
    printf("virtual CVAL %lu CTL %lu\n", cntv_cval(), cntv_ctl());
    printf("first count %lu\n", count);
    gic_init();
    gic_enable(TIMER_PPI_PHYSICAL, 0x80);
    gic_enable(TIMER_PPI_VIRTUAL, 0x80);
    const int order[2] = { PHYS, VIRT };
    for (int i = 0; i < 2; i++) {
        int t = order[i];
        do wfi(); while (!gic_pending(TIMER_PPI_PHYSICAL) && !gic_pending(TIMER_PPI_VIRTUAL));
        uint32_t iar = gic_ack();
        CHECK_EQ(gic_intid(iar), timer_ppi(t));
        CHECK(timer_count(t) >= timer_cval(t));
        timer_set_ctl(t, 0);
        gic_eoi(iar);
        printf("%s timer fired\n", timer_name(t));
    }
    pass();
}
