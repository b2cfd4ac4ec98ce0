// The PSCI conduit (DEN0022 5.2; SMCCC): built with -DCONDUIT_SMC=1 for a VM configured with
// `--psci smc`, 0 for the default HVC. The configured conduit reaches the firmware: PSCI_VERSION
// answers 0x10000 and CPU_ON starts a secondary that reports its MPIDR and context id, and
// turns itself off through the same conduit. The other conduit has nothing behind it, so the
// instruction is UNDEFINED, as on a CPU without that exception level: EC 0, IL 1, ELR_EL1 at
// the instruction itself, x0 untouched.
#include "smp.h"

#ifndef CONDUIT_SMC
#error "build with -DCONDUIT_SMC=0 or 1"
#endif

static int64_t psci(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3) {
    return CONDUIT_SMC ? psci_smc(fn, a1, a2, a3) : psci_hvc(fn, a1, a2, a3);
}

#define HVC_0 0xD4000002u
#define SMC_0 0xD4000003u

static volatile int expecting_undef;
static struct { uint64_t esr, elr; int count; } undef;

static bool on_sync(struct exception_frame *f, int kind) {
    if (esr_ec(f->esr) != 0 || kind != (EXC_CURRENT_SPX | EXC_SYNC)) return false;
    if (!expecting_undef && CONDUIT_SMC && *(volatile uint32_t *)f->elr == HVC_0) {
        // The runtime powers off with HVC; on an SMC machine it is UNDEFINED, so finish the
        // runtime's SYSTEM_OFF (after pass() or fail()) through SMC.
        psci_smc(PSCI_SYSTEM_OFF, 0, 0, 0);
        return false;
    }
    if (!expecting_undef) return false;
    undef.esr = f->esr;
    undef.elr = f->elr;
    undef.count++;
    f->elr += 4;
    return true;
}

int main(void) {
    set_sync_handler(on_sync);
    secondary_conduit_smc = CONDUIT_SMC;

    CHECK_EQ(psci(PSCI_VERSION, 0, 0, 0), 0x10000);
    printf("psci over %s: version 0x%lx\n", CONDUIT_SMC ? "smc" : "hvc", psci(PSCI_VERSION, 0, 0, 0));

    // The other conduit: UNDEFINED, x0 keeps the function id.
    uint64_t pc;
    register uint64_t x0 __asm__("x0") = PSCI_VERSION;
    expecting_undef = 1;
    if (CONDUIT_SMC)
        __asm__ volatile("adr %1, 1f\n1:\thvc #0" : "+r"(x0), "=&r"(pc) :: "memory");
    else
        __asm__ volatile("adr %1, 1f\n1:\tsmc #0" : "+r"(x0), "=&r"(pc) :: "memory");
    expecting_undef = 0;
    CHECK_EQ(undef.count, 1);
    CHECK_EQ(undef.esr, 0x02000000);     // EC 0 (unknown reason), IL 1
    CHECK_EQ(undef.elr, pc);
    CHECK_EQ(*(volatile uint32_t *)pc, CONDUIT_SMC ? HVC_0 : SMC_0);
    CHECK_EQ(x0, PSCI_VERSION);
    printf("%s is undefined\n", CONDUIT_SMC ? "hvc" : "smc");

    // A secondary through the configured conduit, off again through it (secondary.S).
    uint32_t before = slots[1].arrivals;
    CHECK_EQ(psci(PSCI_CPU_ON_64, vcpu_target(1), (uint64_t)secondary_entry, 0xFEEDFACE0001UL), PSCI_SUCCESS);
    wait_for_arrival(1, before);
    printf("cpu 1 mpidr 0x%lx context 0x%lx\n", slots[1].mpidr, slots[1].context);
    CHECK_EQ(slots[1].mpidr, vcpu_mpidr(1));
    CHECK_EQ(slots[1].context, 0xFEEDFACE0001UL);
    CHECK_EQ(psci(PSCI_AFFINITY_INFO_64, vcpu_target(1), 0, 0), AFF_ON);
    release_secondary(1);
    while (psci(PSCI_AFFINITY_INFO_64, vcpu_target(1), 0, 0) != AFF_OFF) __asm__ volatile("yield");
    puts("cpu 1 off");

    puts("PASS");
    psci(PSCI_SYSTEM_OFF, 0, 0, 0);
    fail("SYSTEM_OFF returned");
}
