// The EL1 physical timer present (`--ptimer emulated`, -DPTIMER_ABSENT=0) or absent (the world
// before the series, -DPTIMER_ABSENT=1): absent, every CNTP_CTL/CVAL/TVAL_EL0 access at EL1 is
// UNDEFINED (ESR EC 0, IL 1, ELR at the instruction); present, the same accesses work. The
// physical counter and the virtual timer work either way. Accesses: 3 reads and 2 writes of
// CNTP_CTL_EL0, 1 read and 1 write each of CNTP_CVAL_EL0 and CNTP_TVAL_EL0 at EL1; then two
// reads of CNTP_CTL_EL0 at EL0: with CNTKCTL_EL1.EL0PTEN clear it traps to EL1 (EC 0x18) in
// both modes without reaching the VMM (the EL1 trap has priority over the EL2 one); with it
// set it reaches the VMM and is UNDEFINED (absent) or reads the register (emulated).
#include "tlib.h"
#include "timers.h"

#ifndef PTIMER_ABSENT
#define PTIMER_ABSENT 1
#endif

static volatile struct { int count; uint64_t esr, elr; int kind; } undef;
static volatile struct { int count; uint64_t esr; } el0_trap;

static bool on_sync(struct exception_frame *f, int kind) {
    if (kind == (EXC_LOWER_A64 | EXC_SYNC) && esr_ec(f->esr) == 0x18) {
        el0_trap.count++;
        el0_trap.esr = f->esr;
        f->x[5] = 0xBEEF;
        f->elr += 4;
        return true;
    }
    if (esr_ec(f->esr) != 0) return false;
    undef.count++;
    undef.kind = kind;
    undef.esr = f->esr;
    undef.elr = f->elr;
    f->x[5] = 0xDEAD;
    f->elr += 4;
    return true;
}

// One access with Rt = x5; returns x5 afterwards and the address of the access in *pc.
#define ACCESS(name, insn) static uint64_t name(uint64_t v, uint64_t *pc) { uint64_t out, at; \
    __asm__ volatile("mov x5, %2\n\tadr %1, 1f\n1:\t" insn "\n\tmov %0, x5" \
                     : "=r"(out), "=&r"(at) : "r"(v) : "x5", "memory"); *pc = at; return out; }
ACCESS(read_ctl, "mrs x5, cntp_ctl_el0")
ACCESS(write_ctl, "msr cntp_ctl_el0, x5")
ACCESS(read_cval, "mrs x5, cntp_cval_el0")
ACCESS(write_cval, "msr cntp_cval_el0, x5")
ACCESS(read_tval, "mrs x5, cntp_tval_el0")
ACCESS(write_tval, "msr cntp_tval_el0, x5")

static uint64_t el0_read_ctl(uint64_t a) {
    (void)a;
    uint64_t v;
    __asm__ volatile("mov x5, #0x5A\n\tmrs x5, cntp_ctl_el0\n\tmov %0, x5" : "=r"(v) :: "x5");
    return v;
}
static uint8_t el0_stack[4096] __attribute__((aligned(16)));

static uint64_t access(const char *what, uint64_t (*fn)(uint64_t, uint64_t *), uint64_t value) {
    int before = undef.count;
    uint64_t pc;
    uint64_t out = fn(value, &pc);
    if (PTIMER_ABSENT) {
        if (undef.count != before + 1) fail("%s did not take an UNDEFINED exception", what);
        CHECK_EQ(undef.esr, 1ul << 25);           // EC 0 (unknown reason), IL 1, ISS 0
        CHECK_EQ(undef.elr, pc);
        CHECK_EQ(out, 0xDEAD);
    } else if (undef.count != before) {
        fail("%s was UNDEFINED with the physical timer emulated", what);
    }
    return out;
}

int main(void) {
    set_sync_handler(on_sync);
    gic_init();

    uint64_t ctl0 = access("MRS CNTP_CTL_EL0", read_ctl, 0);
    access("MSR CNTP_CTL_EL0", write_ctl, CNT_CTL_IMASK);
    uint64_t ctl1 = access("MRS CNTP_CTL_EL0", read_ctl, 0);
    access("MSR CNTP_CVAL_EL0", write_cval, 0x7000000000000000ul);
    uint64_t cval = access("MRS CNTP_CVAL_EL0", read_cval, 0);
    access("MSR CNTP_TVAL_EL0", write_tval, 0x40000000);
    uint64_t tval = access("MRS CNTP_TVAL_EL0", read_tval, 0);
    access("MSR CNTP_CTL_EL0", write_ctl, 0);
    uint64_t ctl2 = access("MRS CNTP_CTL_EL0", read_ctl, 0);
    if (!PTIMER_ABSENT) {
        CHECK_EQ(ctl0, 0);
        CHECK_EQ(ctl1, CNT_CTL_IMASK);
        CHECK_EQ(cval, 0x7000000000000000ul);
        CHECK(tval > 0 && tval <= 0x40000000);     // counts down from 2^30 ticks (zero-extended)
        CHECK_EQ(ctl2, 0);
        puts("CNTP_* accesses work");
    } else {
        CHECK_EQ(undef.count, 9);
        puts("CNTP_* accesses are UNDEFINED");
    }

    // The physical counter is readable either way (it is not part of the trapped timer).
    uint64_t p0 = cntpct();
    uint64_t p1 = cntpct();
    CHECK(p0 != 0 && p1 >= p0);

    // The virtual timer works: 1 ms, WFI with IRQs masked, acknowledged as INTID 27.
    gic_enable(TIMER_PPI_VIRTUAL, 0x80);
    uint64_t deadline = cntvct() + us_ticks(1000);
    set_cntv_cval(deadline);
    set_cntv_ctl(CNT_CTL_ENABLE);
    do wfi(); while (!gic_pending(TIMER_PPI_VIRTUAL));
    CHECK(cntvct() >= deadline);
    CHECK_EQ(cntv_ctl(), CNT_CTL_ENABLE | CNT_CTL_ISTATUS);
    uint32_t iar = gic_ack();
    CHECK_EQ(gic_intid(iar), TIMER_PPI_VIRTUAL);
    set_cntv_ctl(0);
    gic_eoi(iar);
    puts("virtual timer interrupt taken");

    // At EL0.
    int undefs = undef.count;
    set_cntkctl(0);
    uint64_t v = run_el0(el0_read_ctl, 0, (uint64_t)(el0_stack + sizeof el0_stack));
    CHECK_EQ(el0_trap.count, 1);
    CHECK_EQ(el0_trap.esr, 0x18ul << 26 | 1ul << 25 | 3ul << 20 | 1ul << 17 | 3ul << 14 | 14ul << 10
                           | 5ul << 5 | 2ul << 1 | 1);
    CHECK_EQ(v, 0xBEEF);
    CHECK_EQ(undef.count, undefs);
    set_cntkctl(1u << 9);                         // EL0PTEN
    v = run_el0(el0_read_ctl, 0, (uint64_t)(el0_stack + sizeof el0_stack));
    CHECK_EQ(el0_trap.count, 1);
    if (PTIMER_ABSENT) {
        CHECK_EQ(undef.count, undefs + 1);
        CHECK_EQ(undef.kind, EXC_LOWER_A64 | EXC_SYNC);
        CHECK_EQ(undef.esr, 1ul << 25);
        CHECK_EQ(v, 0xDEAD);
        puts("EL0: CNTP_CTL_EL0 traps to EL1 with EL0PTEN clear, UNDEFINED with it set");
    } else {
        CHECK_EQ(undef.count, undefs);
        CHECK_EQ(v, 0);
        puts("EL0: CNTP_CTL_EL0 traps to EL1 with EL0PTEN clear, works with it set");
    }
    set_cntkctl(0);
    pass();
}
