// EL0 access to the generic timer through CNTKCTL_EL1 (Arm ARM D11.2.2, D19 CNTKCTL_EL1).
// For every counter and timer register, at EL0: with its enable bit clear (and every other
// bit set) an MRS/MSR traps to EL1 with EC 0x18 and the ISS naming the instruction (Op0, Op2,
// Op1, CRn, Rt, CRm, direction); with only its enable bit set it works, and reads and writes
// reach the same timer registers EL1 sees.
#include "tlib.h"
#include "timers.h"

#define EL0PCTEN (1u << 0)
#define EL0VCTEN (1u << 1)
#define EL0VTEN  (1u << 8)
#define EL0PTEN  (1u << 9)
#define ALL_GATES (EL0PCTEN | EL0VCTEN | EL0VTEN | EL0PTEN)
#define SENTINEL 0x5A5A

static volatile struct { int count; uint64_t esr, elr; int kind; } trap;

static bool on_sync(struct exception_frame *f, int kind) {
    if (esr_ec(f->esr) != 0x18) return false;
    trap.count++;
    trap.esr = f->esr;
    trap.elr = f->elr;
    trap.kind = kind;
    f->elr += 4;
    return true;
}

// One MRS or MSR at EL0 with Rt = x5; a read that traps leaves the sentinel in x5.
#define EL0_READ(reg) static uint64_t read_##reg(uint64_t a) { (void)a; uint64_t v; \
    __asm__ volatile("mov x5, #" "0x5A5A" "\n\tmrs x5, " #reg "\n\tmov %0, x5" : "=r"(v) :: "x5"); return v; }
#define EL0_WRITE(reg) static uint64_t write_##reg(uint64_t a) { \
    __asm__ volatile("mov x5, %0\n\tmsr " #reg ", x5" :: "r"(a) : "x5", "memory"); return 0; }

EL0_READ(cntfrq_el0)
EL0_READ(cntpct_el0)
EL0_READ(cntvct_el0)
EL0_READ(cntv_ctl_el0)  EL0_WRITE(cntv_ctl_el0)
EL0_READ(cntv_cval_el0) EL0_WRITE(cntv_cval_el0)
EL0_READ(cntv_tval_el0) EL0_WRITE(cntv_tval_el0)
EL0_READ(cntp_ctl_el0)  EL0_WRITE(cntp_ctl_el0)
EL0_READ(cntp_cval_el0) EL0_WRITE(cntp_cval_el0)
EL0_READ(cntp_tval_el0) EL0_WRITE(cntp_tval_el0)

struct reg {
    const char *name;
    uint32_t crm, op2;          // op0 = 3, op1 = 3, CRn = 14 for all of them
    uint32_t gate;              // the CNTKCTL_EL1 bit(s) that open it to EL0
    uint64_t (*read)(uint64_t);
    uint64_t (*write)(uint64_t);
};

static const struct reg regs[] = {
    { "CNTFRQ_EL0",    0, 0, EL0PCTEN | EL0VCTEN, read_cntfrq_el0, 0 },
    { "CNTPCT_EL0",    0, 1, EL0PCTEN, read_cntpct_el0, 0 },
    { "CNTVCT_EL0",    0, 2, EL0VCTEN, read_cntvct_el0, 0 },
    { "CNTP_TVAL_EL0", 2, 0, EL0PTEN, read_cntp_tval_el0, write_cntp_tval_el0 },
    { "CNTP_CTL_EL0",  2, 1, EL0PTEN, read_cntp_ctl_el0, write_cntp_ctl_el0 },
    { "CNTP_CVAL_EL0", 2, 2, EL0PTEN, read_cntp_cval_el0, write_cntp_cval_el0 },
    { "CNTV_TVAL_EL0", 3, 0, EL0VTEN, read_cntv_tval_el0, write_cntv_tval_el0 },
    { "CNTV_CTL_EL0",  3, 1, EL0VTEN, read_cntv_ctl_el0, write_cntv_ctl_el0 },
    { "CNTV_CVAL_EL0", 3, 2, EL0VTEN, read_cntv_cval_el0, write_cntv_cval_el0 },
};

static uint8_t el0_stack[4096] __attribute__((aligned(16)));
static uint64_t el0(uint64_t (*fn)(uint64_t), uint64_t arg) {
    return run_el0(fn, arg, (uint64_t)(el0_stack + sizeof el0_stack));
}

// ESR_EL1 for a trapped MRS (read) or MSR (write) of op0=3, op1=3, CRn=14 with Rt = x5.
static uint64_t expected_esr(const struct reg *r, bool read) {
    uint64_t iss = 3ul << 20 | (uint64_t)r->op2 << 17 | 3ul << 14 | 14ul << 10 | 5ul << 5
                 | (uint64_t)r->crm << 1 | (read ? 1 : 0);
    return 0x18ul << 26 | 1ul << 25 | iss;
}

static void expect_trap(const struct reg *r, bool read) {
    int before = trap.count;
    uint64_t v = read ? el0(r->read, 0) : el0(r->write, 0x1234);
    if (trap.count != before + 1) fail("%s %s at EL0 did not trap", read ? "MRS" : "MSR", r->name);
    if (trap.esr != expected_esr(r, read))
        fail("%s %s: ESR 0x%lx, expected 0x%lx", read ? "MRS" : "MSR", r->name, trap.esr, expected_esr(r, read));
    CHECK_EQ(trap.kind, EXC_LOWER_A64 | EXC_SYNC);
    if (read) CHECK_EQ(v, SENTINEL);
}

static uint64_t expect_allowed_read(const struct reg *r, uint64_t lo, uint64_t hi) {
    int before = trap.count;
    uint64_t v = el0(r->read, 0);
    if (trap.count != before) fail("MRS %s trapped at EL0 with its CNTKCTL bit set", r->name);
    if (v < lo || v > hi) fail("MRS %s at EL0 = 0x%lx, expected 0x%lx..0x%lx", r->name, v, lo, hi);
    return v;
}

static void expect_allowed_write(const struct reg *r, uint64_t value) {
    int before = trap.count;
    el0(r->write, value);
    if (trap.count != before) fail("MSR %s trapped at EL0 with its CNTKCTL bit set", r->name);
}

int main(void) {
    set_sync_handler(on_sync);
    const uint64_t freq = cntfrq();
    const uint64_t never = 0x7FFFFFFFFFFFFFFFul;     // far beyond any count: no interrupt
    timer_set_cval(PHYS, never);
    timer_set_cval(VIRT, never);

    for (unsigned i = 0; i < sizeof regs / sizeof regs[0]; i++) {
        const struct reg *r = &regs[i];
        // Closed: every other gate open, this one shut.
        set_cntkctl(ALL_GATES & ~r->gate);
        expect_trap(r, true);
        if (r->write) expect_trap(r, false);

        // Open: only this register's gate (for CNTFRQ each of its two gates on its own).
        uint32_t gates[2] = { r->gate, 0 };
        if (r->gate == (EL0PCTEN | EL0VCTEN)) { gates[0] = EL0PCTEN; gates[1] = EL0VCTEN; }
        for (int g = 0; g < 2 && gates[g]; g++) {
            set_cntkctl(gates[g]);
            if (r->op2 == 0 && r->crm == 0) {
                expect_allowed_read(r, freq, freq);
            } else if (r->crm == 0) {           // a counter: between two EL1 reads
                uint64_t lo = r->op2 == 1 ? cntpct() : cntvct();
                uint64_t v = expect_allowed_read(r, lo, ~0ul);
                uint64_t hi = r->op2 == 1 ? cntpct() : cntvct();
                CHECK(v <= hi);
            } else {
                int t = r->crm == 2 ? PHYS : VIRT;
                if (r->op2 == 1) {              // CTL: EL0 writes IMASK|ENABLE, EL1 sees it
                    expect_allowed_write(r, CNT_CTL_ENABLE | CNT_CTL_IMASK);
                    CHECK_EQ(timer_ctl(t), CNT_CTL_ENABLE | CNT_CTL_IMASK);
                    expect_allowed_read(r, CNT_CTL_ENABLE | CNT_CTL_IMASK, CNT_CTL_ENABLE | CNT_CTL_IMASK);
                    timer_set_ctl(t, 0);
                } else if (r->op2 == 2) {       // CVAL: round trip both ways
                    expect_allowed_write(r, 0x123456789ABCul << 8);
                    CHECK_EQ(timer_cval(t), 0x123456789ABCul << 8);
                    timer_set_cval(t, never);
                    expect_allowed_read(r, never, never);
                } else {                        // TVAL: EL0 sets CVAL = count + TVAL
                    uint64_t before = timer_count(t);
                    expect_allowed_write(r, 0x40000000);
                    uint64_t after = timer_count(t);
                    uint64_t cval = timer_cval(t);
                    CHECK(cval >= before + 0x40000000 && cval <= after + 0x40000000);
                    expect_allowed_read(r, 1, 0x40000000);  // counts down, still positive
                    timer_set_cval(t, never);
                }
            }
        }
        printf("%s: traps with its CNTKCTL_EL1 bit clear, works at EL0 with it set\n", r->name);
    }
    set_cntkctl(0);
    pass();
}
