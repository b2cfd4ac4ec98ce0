// SVC round trips: from EL1 to EL1 (current EL, SP_ELx vector) and from EL0 to EL1 (lower EL
// vector) and back, checking ESR_EL1 (EC 0x15, IL, imm16), ELR_EL1 (the instruction after the
// SVC: SVC's preferred return) and SPSR_EL1 (the mode the SVC came from).
#include "runtime.h"

static struct { uint64_t esr, elr, spsr; int kind; int count; } seen;

static bool on_sync(struct exception_frame *f, int kind) {
    if (esr_ec(f->esr) != 0x15) return false;
    seen.esr = f->esr;
    seen.elr = f->elr;
    seen.spsr = f->spsr;
    seen.kind = kind;
    seen.count++;
    f->x[0] += 100;          // a "system call" result, seen by the caller after ERET
    return true;
}

static uint64_t el0_svc_return;

static uint64_t el0_program(uint64_t arg) {
    register uint64_t x0 __asm__("x0") = arg;
    uint64_t after;
    __asm__ volatile("svc #0x42\n\tadr %1, ." : "+r"(x0), "=r"(after) :: "memory");
    el0_svc_return = after;
    return x0 * 2;
}

static uint8_t el0_stack[4096] __attribute__((aligned(16)));

int main(void) {
    set_sync_handler(on_sync);

    // SVC at EL1.
    register uint64_t x0 __asm__("x0") = 7;
    uint64_t after;
    __asm__ volatile("svc #0x1234\n\tadr %1, ." : "+r"(x0), "=r"(after) :: "memory");
    CHECK_EQ(seen.count, 1);
    CHECK_EQ(seen.kind, EXC_CURRENT_SPX | EXC_SYNC);
    CHECK_EQ(seen.esr, 0x56001234);      // EC 0x15, IL 1, imm16
    CHECK_EQ(seen.elr, after);
    CHECK_EQ(seen.spsr & 0xF, 5);        // EL1h
    CHECK_EQ(x0, 107);
    CHECK_EQ(current_el(), 1);
    printf("svc el1 ok\n");

    // SVC from EL0.
    uint64_t result = run_el0(el0_program, 5, (uint64_t)(el0_stack + sizeof el0_stack));
    CHECK_EQ(seen.count, 2);
    CHECK_EQ(seen.kind, EXC_LOWER_A64 | EXC_SYNC);
    CHECK_EQ(seen.esr, 0x56000042);
    CHECK_EQ(seen.elr, el0_svc_return);
    CHECK_EQ(seen.spsr & 0xF, 0);        // EL0t
    CHECK_EQ(seen.spsr & 0x3C0, 0x3C0);  // DAIF as run_el0 set it
    CHECK_EQ(result, (5 + 100) * 2);
    CHECK_EQ(current_el(), 1);
    printf("svc el0 ok\n");

    // A second trip works too (the EL1 context was restored correctly).
    result = run_el0(el0_program, 1000, (uint64_t)(el0_stack + sizeof el0_stack));
    CHECK_EQ(result, (1000 + 100) * 2);
    CHECK_EQ(seen.count, 3);
    pass();
}
