// A secondary that waits for IPIs in an idle loop, `1: yield; yield; b 1b` (kvm-unit-tests'
// `while (true) cpu_relax();`), while vCPU 0 sends it an SGI every GAP_MS (2 ms), ROUNDS times. The
// loop can only be left by an interrupt: the handler counts the SGI and, at the last one,
// returns past the loop. Each SGI must arrive exactly once, and the secondary must leave the
// loop only through its handler. (ArmVM lets such a vCPU wait like WFI with the host clock;
// the guest cannot tell.) Build with -DNCPUS=2.
#include "gicx.h"
#include "secondary.h"
#include "timer.h"

#define ROUNDS 4
#define GAP_MS 2
#define WAKE_SGI 3
#define SGI_PRIORITY 0x80

static volatile uint32_t ready, woken, left_loop, bad_iar;

extern char idle_loop_start[], idle_loop_end[];

static bool on_irq(struct exception_frame *frame, int kind) {
    if (kind != (EXC_CURRENT_SPX | EXC_IRQ)) return false;
    uint32_t iar = gicx_ack();
    if (gicx_intid(iar) != WAKE_SGI) bad_iar = iar | 0x80000000u;
    gicx_eoi(iar);
    if (frame->elr < (uint64_t)idle_loop_start || frame->elr >= (uint64_t)idle_loop_end)
        bad_iar = 0x80000000u | 0x7FF;
    if (++woken == ROUNDS) frame->elr = (uint64_t)idle_loop_end;
    return true;
}

void secondary_main(uint64_t cpu) {
    gicx_init_cpu((uint32_t)cpu);
    gicx_enable_private((uint32_t)cpu, WAKE_SGI, SGI_PRIORITY);
    ready = 1;
    irq_enable();
    __asm__ volatile(
        ".global idle_loop_start, idle_loop_end\n"
        "idle_loop_start:\n"
        "1: yield\n"
        "   yield\n"
        "   b 1b\n"
        "idle_loop_end:\n" ::: "memory");
    left_loop = 1;
    while (1) {}
}

static void wait_ms(uint64_t ms) {
    uint64_t end = cntvct() + cntfrq() / 1000 * ms;
    while (cntvct() < end) {}
}

int main(void) {
    set_irq_handler(on_irq);
    start_secondary(1);
    while (!ready) {}
    for (uint32_t round = 1; round <= ROUNDS; round++) {
        wait_ms(GAP_MS);
        CHECK_EQ(woken, round - 1);
        CHECK(!left_loop);
        gicx_send_sgi(WAKE_SGI, 1u << 1);
        while (woken < round) {}
    }
    while (!left_loop) {}
    if (bad_iar) fail("unexpected IAR or return address 0x%x", bad_iar & 0x7FFFFFFF);
    CHECK_EQ(woken, ROUNDS);
    printf("%s: %d SGIs woke an idle loop\n", GIC_NAME, ROUNDS);
    pass();
}
