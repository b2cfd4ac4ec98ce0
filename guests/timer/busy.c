// A running vCPU takes its timer interrupts without waiting in WFI (build with -DGIC_VERSION=2
// or 3): each timer in turn is armed ROUNDS times 2 ms ahead while the CPU busy-polls a flag
// with IRQs unmasked, the way kvm-unit-tests' micro-bench timer_10ms waits. The handler
// records how many ticks after the deadline it ran; the guest prints the worst and the sum so
// the test can bound them. Then, with IRQs masked, the CPU polls the GIC's pending bit in a
// tight loop (an MMIO exit every few instructions) until the timer's PPI shows up.
#include "tlib.h"
#include "timers.h"

#define ROUNDS 10

static volatile struct { int count; uint32_t intid; uint64_t late; } seen;
static volatile uint64_t deadline;

static bool on_irq(struct exception_frame *frame, int kind) {
    (void)frame;
    (void)kind;
    uint32_t iar = gic_ack();
    uint32_t intid = gic_intid(iar);
    if (intid == GIC_SPURIOUS) return true;
    int t = timer_of_ppi(intid);
    if (t >= 0) {
        seen.late = timer_count(t) - deadline;
        timer_set_ctl(t, CNT_CTL_ENABLE | CNT_CTL_IMASK);
    }
    seen.intid = intid;
    seen.count++;
    gic_eoi(iar);
    return true;
}

int main(void) {
    set_irq_handler(on_irq);
    gic_init();
    for (int t = PHYS; t <= VIRT; t++) {
        gic_enable(timer_ppi(t), 0x80);
        uint64_t worst = 0, total = 0;
        for (int round = 0; round < ROUNDS; round++) {
            seen.count = 0;
            deadline = timer_count(t) + us_ticks(2000);
            timer_set_cval(t, deadline);
            timer_set_ctl(t, CNT_CTL_ENABLE);
            irq_enable();
            while (seen.count == 0) {}
            irq_disable();
            CHECK_EQ(seen.count, 1);
            CHECK_EQ(seen.intid, timer_ppi(t));
            if (seen.late > worst) worst = seen.late;
            total += seen.late;
        }
        timer_set_ctl(t, 0);
        gic_disable(timer_ppi(t));
        printf("%s timer, busy vCPU: %d interrupts, worst %lu ticks late, total %lu\n", timer_name(t),
               ROUNDS, worst, total);
    }
    for (int t = PHYS; t <= VIRT; t++) {
        gic_enable(timer_ppi(t), 0x80);
        deadline = timer_count(t) + us_ticks(2000);
        timer_set_cval(t, deadline);
        timer_set_ctl(t, CNT_CTL_ENABLE);
        uint64_t polls = 0;
        while (!gic_pending(timer_ppi(t))) polls++;
        uint64_t late = timer_count(t) - deadline;
        CHECK(polls > 0);
        timer_set_ctl(t, 0);
        gic_disable(timer_ppi(t));
        printf("%s timer, polling the GIC: pending %lu ticks late\n", timer_name(t), late);
    }
    pass();
}
