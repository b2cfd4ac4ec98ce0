// Exception return state and nesting: an UNDEFINED instruction's handler itself takes an SVC
// (a nested exception from the current EL), and both ERETs restore what they should: PC from
// ELR_EL1, NZCV and DAIF from SPSR_EL1, the general registers from the runtime's frame.
#include "runtime.h"

static struct { uint64_t outer_spsr, inner_spsr, outer_elr_after, inner_esr; int undef, svc; } seen;

static bool on_sync(struct exception_frame *f, int kind) {
    if (kind != (EXC_CURRENT_SPX | EXC_SYNC)) return false;
    uint32_t ec = esr_ec(f->esr);
    if (ec == 0x15) {                        // the inner SVC
        seen.svc++;
        seen.inner_esr = f->esr;
        seen.inner_spsr = f->spsr;
        return true;
    }
    if (ec != 0) return false;
    seen.undef++;
    seen.outer_spsr = f->spsr;
    // Inside the handler: flags all clear, then an SVC. Its exception entry overwrites ELR_EL1
    // and SPSR_EL1; the runtime's frame keeps the outer values.
    __asm__ volatile("msr nzcv, xzr\n\tsvc #0x77" ::: "memory", "cc");
    seen.outer_elr_after = read_sysreg(elr_el1);
    f->elr += 4;
    f->x[5] = 0x5555;                        // visible to the interrupted code
    return true;
}

int main(void) {
    set_sync_handler(on_sync);
    uint64_t nzcv_after, daif_after, x5 = 0, pc;
    // Before the UDF: N and V set; D, A, I masked and F clear (a distinctive DAIF value).
    __asm__ volatile(
        "msr daifclr, #1\n\t"
        "mov x9, #0x90000000\n\t"
        "msr nzcv, x9\n\t"
        "mov x5, #1\n\t"
        "adr %3, 1f\n"
        "1:\tudf #1\n\t"
        "mov %2, x5\n\t"
        "mrs %0, nzcv\n\t"
        "mrs %1, daif\n\t"
        "msr daifset, #1"
        : "=&r"(nzcv_after), "=&r"(daif_after), "=&r"(x5), "=&r"(pc) : : "x5", "x9", "memory", "cc");
    CHECK_EQ(seen.undef, 1);
    CHECK_EQ(seen.svc, 1);
    CHECK_EQ(seen.inner_esr, 0x56000077);
    CHECK_EQ(seen.outer_spsr, 0x90000000 | 0x380 | 5);   // N V, D A I masked, EL1h
    CHECK_EQ(seen.inner_spsr & 0xF00003C0, 0x3C0);       // flags cleared, all masked in the handler
    CHECK_EQ(seen.inner_spsr & 0xF, 5);
    CHECK(seen.outer_elr_after != pc);                    // the SVC entry did overwrite ELR_EL1
    CHECK_EQ(nzcv_after, 0x90000000);
    CHECK_EQ(daif_after, 0x380);
    CHECK_EQ(x5, 0x5555);
    pass();
}
