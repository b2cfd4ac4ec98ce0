// PSCI 1.0 (Arm DEN0022) CPU power management on the 'virt' board, over HVC, with NCPUS vCPUs
// (a -D define). The boot CPU:
//   - reads PSCI_VERSION (1.0 = 0x10000), PSCI_FEATURES and MIGRATE_INFO_TYPE (2: no Trusted OS)
//   - finds every secondary OFF with AFFINITY_INFO, starts each with CPU_ON (SMC64) and waits
//     for it to report its MPIDR_EL1 and the context id it found in x0; each entered at EL1 with
//     DAIF masked and the MMU off (DEN0022 6.4.3.3); AFFINITY_INFO then says ON
//   - checks the error paths: an MPIDR no vCPU has -> INVALID_PARAMETERS, a CPU that is on ->
//     ALREADY_ON, an entry point outside RAM -> INVALID_ADDRESS, an unknown function -> NOT_SUPPORTED
//   - lets secondary 1 call CPU_OFF, sees AFFINITY_INFO say OFF, then starts it again with the
//     SMC32 CPU_ON, whose context id reaches x0 narrowed to 32 bits (SMCCC: SMC32 arguments are
//     W registers)
// Lines printed: "cpu N mpidr 0x... context 0x..." per start, so the host can check them too.
#include "smp.h"

#ifndef NCPUS
#error "build with -DNCPUS=<vCPU count>"
#endif

#define PSCI_CPU_ON_32  0x84000003UL
#define PSCI_AFFINITY_INFO_32 0x84000004UL
#define CONTEXT(i) (0xC0DE000000000000UL | ((uint64_t)(i) << 8) | 0x5A)

static void report(unsigned i) {
    printf("cpu %u mpidr 0x%lx context 0x%lx\n", i, slots[i].mpidr, slots[i].context);
    CHECK_EQ(slots[i].mpidr, vcpu_mpidr(i));
    CHECK_EQ(slots[i].el, 1);
    CHECK_EQ(slots[i].daif, 0x3C0);           // D, A, I, F all masked
    CHECK_EQ(slots[i].sctlr & SCTLR_M, 0);    // MMU off
}

int main(void) {
    uint64_t entry = (uint64_t)secondary_entry;

    CHECK_EQ(psci_hvc(PSCI_VERSION, 0, 0, 0), 0x10000);
    CHECK_EQ(psci_hvc(PSCI_FEATURES, PSCI_CPU_ON_64, 0, 0), PSCI_SUCCESS);
    CHECK_EQ(psci_hvc(PSCI_FEATURES, PSCI_CPU_OFF, 0, 0), PSCI_SUCCESS);
    CHECK_EQ(psci_hvc(PSCI_FEATURES, PSCI_AFFINITY_INFO_64, 0, 0), PSCI_SUCCESS);
    CHECK_EQ(psci_hvc(PSCI_FEATURES, PSCI_SYSTEM_RESET, 0, 0), PSCI_SUCCESS);
    CHECK_EQ(psci_hvc(PSCI_FEATURES, PSCI_FEATURES, 0, 0), PSCI_SUCCESS);
    CHECK_EQ(psci_hvc(PSCI_FEATURES, 0x8400001FUL, 0, 0), PSCI_NOT_SUPPORTED);
    CHECK_EQ(psci_hvc(PSCI_MIGRATE_INFO_TYPE, 0, 0, 0), 2);
    puts("version and features ok");

    CHECK_EQ(read_sysreg(mpidr_el1), vcpu_mpidr(0));
    CHECK_EQ(psci_hvc(PSCI_AFFINITY_INFO_64, vcpu_target(0), 0, 0), AFF_ON);
    for (unsigned i = 1; i < NCPUS; i++)
        CHECK_EQ(psci_hvc(PSCI_AFFINITY_INFO_64, vcpu_target(i), 0, 0), AFF_OFF);

    for (unsigned i = 1; i < NCPUS; i++) {
        uint32_t before = slots[i].arrivals;
        CHECK_EQ(psci_hvc(PSCI_CPU_ON_64, vcpu_target(i), entry, CONTEXT(i)), PSCI_SUCCESS);
        wait_for_arrival(i, before);
        report(i);
        CHECK_EQ(slots[i].context, CONTEXT(i));
    }
    for (unsigned i = 0; i < NCPUS; i++)
        CHECK_EQ(psci_hvc(PSCI_AFFINITY_INFO_64, vcpu_target(i), 0, 0), AFF_ON);
    puts("all cpus on");

    // Error paths.
    CHECK_EQ(psci_hvc(PSCI_CPU_ON_64, vcpu_target(NCPUS), entry, 0), PSCI_INVALID_PARAMETERS);
    CHECK_EQ(psci_hvc(PSCI_CPU_ON_64, 0x100, entry, 0), PSCI_INVALID_PARAMETERS);          // Aff1 = 1
    CHECK_EQ(psci_hvc(PSCI_CPU_ON_64, 0x10000, entry, 0), PSCI_INVALID_PARAMETERS);        // Aff2 = 1
    // Bits 31:24 of target_cpu must be zero: the raw MPIDR_EL1 value (bit 31 set) is not a target.
    CHECK_EQ(psci_hvc(PSCI_CPU_ON_64, vcpu_mpidr(1), entry, 0), PSCI_INVALID_PARAMETERS);
    CHECK_EQ(psci_hvc(PSCI_AFFINITY_INFO_64, vcpu_target(NCPUS), 0, 0), PSCI_INVALID_PARAMETERS);
    CHECK_EQ(psci_hvc(PSCI_CPU_ON_64, vcpu_target(0), entry, 0), PSCI_ALREADY_ON);
    CHECK_EQ(psci_hvc(PSCI_CPU_ON_64, vcpu_target(NCPUS - 1), entry, 0), PSCI_ALREADY_ON);
    CHECK_EQ(psci_hvc(0x8400001FUL, 0, 0, 0), PSCI_NOT_SUPPORTED);
    CHECK_EQ(psci_hvc(0xC400001FUL, 0, 0, 0), PSCI_NOT_SUPPORTED);
    puts("error paths ok");

    // CPU_OFF, then CPU_ON again.
    release_secondary(1);
    while (psci_hvc(PSCI_AFFINITY_INFO_64, vcpu_target(1), 0, 0) != AFF_OFF) __asm__ volatile("yield");
    puts("cpu 1 off");
    CHECK_EQ(psci_hvc(PSCI_CPU_ON_64, vcpu_target(1), 0x1000, 0), PSCI_INVALID_ADDRESS);
    uint32_t before = slots[1].arrivals;
    CHECK_EQ(psci_hvc(PSCI_CPU_ON_32, vcpu_target(1), entry, 0xFFFFFFFF12345678UL), PSCI_SUCCESS);
    CHECK_EQ(wait_for_arrival(1, before), before + 1);
    report(1);
    CHECK_EQ(slots[1].context, 0x12345678);
    CHECK_EQ(psci_hvc(PSCI_AFFINITY_INFO_32, vcpu_target(1), 0, 0), AFF_ON);
    pass();
}
