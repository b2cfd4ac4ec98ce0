// UNDEFINED instructions: UDF at EL1 and a privileged system-register read at EL0 both take the
// synchronous exception with EC 0 (unknown reason), IL 1, ESR ISS 0 and ELR_EL1 = the
// instruction itself (Arm ARM D1.10.4: the preferred return of an UNDEFINED exception).
#include "runtime.h"

static struct { uint64_t esr, elr, spsr; int kind; int count; } seen;

static bool on_sync(struct exception_frame *f, int kind) {
    if (esr_ec(f->esr) != 0) return false;
    seen.esr = f->esr;
    seen.elr = f->elr;
    seen.spsr = f->spsr;
    seen.kind = kind;
    seen.count++;
    f->elr += 4;             // skip the instruction
    return true;
}

static uint64_t el0_fault_pc;

static uint64_t el0_program(uint64_t arg) {
    uint64_t pc, value = arg;
    __asm__ volatile("adr %0, 1f\n1:\tmrs %1, sctlr_el1" : "=&r"(pc), "+r"(value) :: "memory");
    el0_fault_pc = pc;
    return value;
}

static uint8_t el0_stack[4096] __attribute__((aligned(16)));

int main(void) {
    set_sync_handler(on_sync);

    uint64_t pc;
    __asm__ volatile("adr %0, 1f\n1:\tudf #0x55" : "=r"(pc) :: "memory");
    CHECK_EQ(seen.count, 1);
    CHECK_EQ(seen.kind, EXC_CURRENT_SPX | EXC_SYNC);
    CHECK_EQ(seen.esr, 0x02000000);      // EC 0, IL 1
    CHECK_EQ(seen.elr, pc);
    CHECK_EQ(seen.spsr & 0xF, 5);
    printf("udf el1 ok\n");

    // An all-zero word is UDF #0 as well.
    __asm__ volatile("adr %0, 1f\n1:\t.inst 0x00000000" : "=r"(pc) :: "memory");
    CHECK_EQ(seen.count, 2);
    CHECK_EQ(seen.esr, 0x02000000);
    CHECK_EQ(seen.elr, pc);

    // EL0 may not read SCTLR_EL1: UNDEFINED, taken to EL1 from the lower EL; Rt is unchanged.
    uint64_t result = run_el0(el0_program, 0xABCD, (uint64_t)(el0_stack + sizeof el0_stack));
    CHECK_EQ(seen.count, 3);
    CHECK_EQ(seen.kind, EXC_LOWER_A64 | EXC_SYNC);
    CHECK_EQ(seen.esr, 0x02000000);
    CHECK_EQ(seen.elr, el0_fault_pc);
    CHECK_EQ(seen.spsr & 0xF, 0);
    CHECK_EQ(result, 0xABCD);
    printf("el0 mrs ok\n");
    pass();
}
