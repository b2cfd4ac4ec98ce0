// Both timers interrupt through the GIC (build with -DGIC_VERSION=2 or 3).
//
// Part 1, taken interrupts: each timer armed 1 ms ahead raises an IRQ whose handler acknowledges
// INTID 30 (physical) or 27 (virtual) and reads ISTATUS set; masking the timer in the handler
// drops the line, so the GIC pending bit is clear afterwards and no second IRQ comes.
// Part 2, with PSTATE.I set so nothing is taken: an expired timer makes its PPI pending; the
// level stays asserted through acknowledge (active and pending) and EOI (pending again, the
// same INTID acknowledged a second time); IMASK and ENABLE each drop the line (pending clears,
// the next acknowledge is spurious), and clearing IMASK raises it again.
#include "tlib.h"
#include "timers.h"

static volatile struct { int count; uint32_t intid; uint64_t ctl; int kind; } seen;

static bool on_irq(struct exception_frame *frame, int kind) {
    (void)frame;
    uint32_t iar = gic_ack();
    uint32_t intid = gic_intid(iar);
    if (intid == GIC_SPURIOUS) return true;
    seen.count++;
    seen.intid = intid;
    seen.kind = kind;
    int t = timer_of_ppi(intid);
    if (t >= 0) {
        seen.ctl = timer_ctl(t);
        timer_set_ctl(t, CNT_CTL_ENABLE | CNT_CTL_IMASK);
    }
    gic_eoi(iar);
    return true;
}

static void taken(int t) {
    uint32_t ppi = timer_ppi(t);
    seen.count = 0;
    gic_enable(ppi, 0x80);
    timer_set_tval(t, (int32_t)us_ticks(1000));
    timer_set_ctl(t, CNT_CTL_ENABLE);
    irq_enable();
    while (seen.count == 0) wfi();
    irq_disable();
    CHECK_EQ(seen.count, 1);
    CHECK_EQ(seen.intid, ppi);
    CHECK_EQ(seen.kind, EXC_CURRENT_SPX | EXC_IRQ);
    CHECK_EQ(seen.ctl, CNT_CTL_ENABLE | CNT_CTL_ISTATUS);
    // Masked: ISTATUS stays, the line is down.
    CHECK_EQ(timer_ctl(t), CNT_CTL_ENABLE | CNT_CTL_IMASK | CNT_CTL_ISTATUS);
    CHECK(!gic_pending(ppi));
    // Unmasking the expired timer interrupts again; disabling it then drops the line.
    irq_enable();
    timer_set_ctl(t, CNT_CTL_ENABLE);
    while (seen.count == 1) wfi();
    irq_disable();
    CHECK_EQ(seen.count, 2);
    CHECK_EQ(seen.intid, ppi);
    timer_set_ctl(t, 0);
    CHECK_EQ(timer_ctl(t), 0);
    CHECK(!gic_pending(ppi));
    gic_disable(ppi);
    printf("%s timer: IRQ with INTID %u, ISTATUS set, line dropped by IMASK\n", timer_name(t), ppi);
}

static void polled(int t) {
    uint32_t ppi = timer_ppi(t);
    gic_enable(ppi, 0x80);
    timer_set_ctl(t, 0);
    CHECK(!gic_pending(ppi));
    timer_set_cval(t, timer_count(t));          // already reached
    CHECK(!gic_pending(ppi));                   // ENABLE clear: no condition, no line
    CHECK_EQ(timer_ctl(t), 0);
    timer_set_ctl(t, CNT_CTL_ENABLE);
    CHECK_EQ(timer_ctl(t), CNT_CTL_ENABLE | CNT_CTL_ISTATUS);
    CHECK(gic_pending(ppi));

    uint32_t iar = gic_ack();
    CHECK_EQ(gic_intid(iar), ppi);
    CHECK(gic_pending(ppi));                    // level still asserted: active and pending
    gic_eoi(iar);
    CHECK(gic_pending(ppi));                    // pending again after EOI
    iar = gic_ack();
    CHECK_EQ(gic_intid(iar), ppi);              // and taken again

    timer_set_ctl(t, CNT_CTL_ENABLE | CNT_CTL_IMASK);
    CHECK_EQ(timer_ctl(t), CNT_CTL_ENABLE | CNT_CTL_IMASK | CNT_CTL_ISTATUS);
    CHECK(!gic_pending(ppi));                   // masked: the line dropped
    gic_eoi(iar);
    CHECK(!gic_pending(ppi));
    CHECK_EQ(gic_intid(gic_ack()), GIC_SPURIOUS);

    timer_set_ctl(t, CNT_CTL_ENABLE);           // unmasked: up again
    CHECK(gic_pending(ppi));
    gic_disable(ppi);                           // not forwarded while disabled at the GIC...
    CHECK_EQ(gic_intid(gic_ack()), GIC_SPURIOUS);
    gic_enable(ppi, 0x80);                      // ...but still pending
    iar = gic_ack();
    CHECK_EQ(gic_intid(iar), ppi);
    timer_set_ctl(t, 0);                        // disabled: line and ISTATUS drop
    CHECK_EQ(timer_ctl(t), 0);
    CHECK(!gic_pending(ppi));
    gic_eoi(iar);
    CHECK(!gic_pending(ppi));
    CHECK_EQ(gic_intid(gic_ack()), GIC_SPURIOUS);
    gic_disable(ppi);
    printf("%s timer: level-sensitive PPI %u pending again after EOI, dropped by IMASK and ENABLE\n",
           timer_name(t), ppi);
}

int main(void) {
    gic_init();
    set_irq_handler(on_irq);
    taken(PHYS);
    taken(VIRT);
    polled(PHYS);
    polled(VIRT);
    pass();
}
