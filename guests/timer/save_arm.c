// First half of the save/restore test: arms the physical timer 200 ms and the virtual timer
// 300 ms ahead (enabled, unmasked), prints the registers and the counts, and powers off with
// both armed. The test saves the vCPU's timer state from this VM and restores it into another.
#include "tlib.h"

int main(void) {
    uint64_t p = cntpct(), v = cntvct();
    set_cntp_cval(p + us_ticks(200000));
    set_cntv_cval(v + us_ticks(300000));
    set_cntp_ctl(CNT_CTL_ENABLE);
    set_cntv_ctl(CNT_CTL_ENABLE);
    printf("physical CVAL %lu CTL %lu\n", cntp_cval(), cntp_ctl());
    printf("virtual CVAL %lu CTL %lu\n", cntv_cval(), cntv_ctl());
    printf("last count %lu\n", cntpct());
    pass();
}
