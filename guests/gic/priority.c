// Priority and preemption in the CPU interface, with software-pended PPIs of this vCPU:
//  1. nesting: while a low-priority handler runs with IRQs unmasked, a higher-priority PPI
//     preempts it (a nested IRQ, RPR = its priority inside), an equal-priority one does not
//     (HPPIR shows it, ISR_EL1.I stays clear) and is taken once the low one's EOI drops the
//     running priority; a lower-priority PPI waits for a running higher one likewise;
//  2. the priority mask: an interrupt is signalled only if its priority is higher (numerically
//     lower) than PMR; PMR keeps 5 priority bits;
//  3. the binary point: with group priority bits [7:4] a priority that differs only in the
//     subpriority does not preempt, one with a higher group priority does;
//  4. RPR is 0xFF when idle and IAR returns the spurious ID 1023 when nothing is pending.
#include "gicx.h"

#define LOW     20
#define HIGH    21
#define EQUAL   22
#define SUBPRIO 23
#define GROUP   24

#define EVENTS 16
static volatile uint32_t events[EVENTS];      // intid on entry, 100 + intid on exit
static volatile uint32_t nevents;
static volatile uint32_t rpr_inside[32];
static volatile uint32_t spurious;
static volatile uint32_t scenario;

static void record(uint32_t event) {
    if (nevents < EVENTS) events[nevents] = event;
    nevents++;
}

// Unmasks IRQs for a moment: whatever the CPU interface signals is taken at the ISB.
static inline void take_pending(void) {
    __asm__ volatile("msr daifclr, #2\n\tisb\n\tmsr daifset, #2" ::: "memory");
}

static void pend(uint32_t intid) { gicx_set_bit(gicx_this_cpu(), GICX_ISPENDR, intid); }

// Runs inside LOW's handler: what may and may not preempt it.
static void while_low_runs(void) {
    uint32_t cpu = gicx_this_cpu();
    if (scenario == 1) {
        pend(HIGH);
        pend(EQUAL);
        take_pending();                       // HIGH preempts here
        // EQUAL has the running priority: pending, the highest pending, but not signalled.
        CHECK(gicx_bit(cpu, GICX_ISPENDR, EQUAL));
        CHECK_EQ(gicx_hppir(), EQUAL);
        CHECK(!irq_signalled());
        take_pending();
        CHECK_EQ(gicx_rpr(), 0xA0);
    } else if (scenario == 3) {
        // Group priority bits [7:4]: SUBPRIO (0x90) is in LOW's (0x98) group 0x90.
        pend(SUBPRIO);
        take_pending();
        CHECK(!irq_signalled());
        CHECK_EQ(gicx_hppir(), SUBPRIO);
        pend(GROUP);                          // 0x88: group 0x80 preempts
        CHECK(irq_signalled());
        take_pending();
    } else if (scenario == 4) {
        // The smallest binary point: SUBPRIO (0x90) has a higher group priority than 0x98.
        pend(SUBPRIO);
        CHECK(irq_signalled());
        take_pending();
    }
}

// Runs inside HIGH's handler in scenario 5: a lower priority waits.
static void while_high_runs(void) {
    pend(LOW);
    take_pending();
    CHECK(!irq_signalled());
    CHECK_EQ(gicx_hppir(), LOW);
    CHECK_EQ(gicx_rpr(), 0x40);
}

static bool on_irq(struct exception_frame *frame, int kind) {
    (void)frame;
    if (kind != (EXC_CURRENT_SPX | EXC_IRQ)) return false;
    uint32_t iar = gicx_ack();
    uint32_t intid = gicx_intid(iar);
    if (intid == GIC_SPURIOUS) { spurious++; return true; }
    if (intid >= 32) fail("unexpected INTID %u", intid);
    record(intid);
    rpr_inside[intid] = gicx_rpr();
    if (intid == LOW) while_low_runs();
    if (intid == HIGH && scenario == 5) while_high_runs();
    record(100 + intid);
    gicx_eoi(iar);
    return true;
}

static void expect_events(int line, const uint32_t *expected, uint32_t count) {
    bool same = nevents == count;
    for (uint32_t i = 0; same && i < count; i++) same = events[i] == expected[i];
    if (!same) {
        printf("events:");
        for (uint32_t i = 0; i < nevents && i < EVENTS; i++) printf(" %u", events[i]);
        printf("\n");
        fail("line %d: wrong interrupt sequence", line);
    }
    nevents = 0;
}
#define EXPECT_EVENTS(...) do { static const uint32_t _e[] = { __VA_ARGS__ }; \
    expect_events(__LINE__, _e, sizeof _e / sizeof _e[0]); } while (0)

int main(void) {
    uint32_t cpu = gicx_this_cpu();
    set_irq_handler(on_irq);
    gicx_init_cpu(cpu);

    // 4. Idle.
    CHECK_EQ(gicx_rpr(), 0xFF);
    CHECK_EQ(gicx_ack(), GIC_SPURIOUS);
    CHECK_EQ(gicx_hppir(), GIC_SPURIOUS);

    // 1. Nesting.
    gicx_enable_private(cpu, LOW, 0xA0);
    gicx_enable_private(cpu, HIGH, 0x40);
    gicx_enable_private(cpu, EQUAL, 0xA0);
    scenario = 1;
    pend(LOW);
    take_pending();
    // LOW, HIGH nested inside it, LOW's exit; then EQUAL once LOW's EOI dropped the priority.
    EXPECT_EVENTS(LOW, HIGH, 100 + HIGH, 100 + LOW, EQUAL, 100 + EQUAL);
    CHECK_EQ(rpr_inside[LOW], 0xA0);
    CHECK_EQ(rpr_inside[HIGH], 0x40);
    CHECK_EQ(rpr_inside[EQUAL], 0xA0);
    CHECK_EQ(gicx_rpr(), 0xFF);
    CHECK_EQ(gicx_ack(), GIC_SPURIOUS);

    // 2. The priority mask.
    scenario = 2;
    gicx_set_pmr(0xFF);
    CHECK_EQ(gicx_pmr(), 0xF8);               // 5 priority bits
    gicx_set_pmr(0xA0);                       // equal to LOW's priority: masked
    pend(LOW);
    CHECK(!irq_signalled());
    CHECK_EQ(gicx_ack(), GIC_SPURIOUS);
    take_pending();
    EXPECT_EVENTS();
    gicx_set_pmr(0x40);                       // HIGH (0x40) is not above 0x40 either
    pend(HIGH);
    CHECK(!irq_signalled());
    gicx_set_pmr(0x48);                       // HIGH passes, LOW does not
    CHECK(irq_signalled());
    take_pending();
    EXPECT_EVENTS(HIGH, 100 + HIGH);
    CHECK(!irq_signalled());
    CHECK(gicx_bit(cpu, GICX_ISPENDR, LOW));
    gicx_set_pmr(0xA8);                       // now LOW passes
    CHECK(irq_signalled());
    take_pending();
    EXPECT_EVENTS(LOW, 100 + LOW);
    gicx_set_pmr(0xFF);

    // 3. The binary point. With the smallest binary point a subpriority difference preempts.
    scenario = 3;
    gicx_enable_private(cpu, LOW, 0x98);
    gicx_enable_private(cpu, SUBPRIO, 0x90);
    gicx_enable_private(cpu, GROUP, 0x88);
    gicx_set_binary_point(3);                 // group priority [7:4], subpriority [3:0]
    pend(LOW);
    take_pending();
    // SUBPRIO waited for LOW's EOI; GROUP preempted LOW.
    EXPECT_EVENTS(LOW, GROUP, 100 + GROUP, 100 + LOW, SUBPRIO, 100 + SUBPRIO);
    // RPR is the group priority of the active interrupt: 0x98 runs at 0x90, 0x88 at 0x80.
    CHECK_EQ(rpr_inside[LOW], 0x90);
    CHECK_EQ(rpr_inside[GROUP], 0x80);
    CHECK_EQ(gicx_rpr(), 0xFF);

    // The same priorities with the smallest binary point: 0x90 preempts 0x98.
    scenario = 4;
    gicx_set_binary_point(0);
    pend(LOW);
    take_pending();
    EXPECT_EVENTS(LOW, SUBPRIO, 100 + SUBPRIO, 100 + LOW);
    CHECK_EQ(rpr_inside[LOW], 0x98);
    CHECK_EQ(rpr_inside[SUBPRIO], 0x90);

    // 5. A lower priority (0x98) does not preempt a running higher one (0x40).
    scenario = 5;
    pend(HIGH);
    take_pending();
    EXPECT_EVENTS(HIGH, 100 + HIGH, LOW, 100 + LOW);
    CHECK_EQ(spurious, 0);
    CHECK_EQ(gicx_ack(), GIC_SPURIOUS);
    printf("%s: preemption, priority mask and binary point behave\n", GIC_NAME);
    pass();
}
