// Shared by the board guests (guests/board/): PSCI function ids and return codes (Arm DEN0022),
// calls through either conduit, and the secondary-CPU entry of secondary.S.
#ifndef BOARD_GUEST_H
#define BOARD_GUEST_H
#include "runtime.h"

#define PSCI_VERSION          0x84000000UL
#define PSCI_CPU_SUSPEND_64   0xC4000001UL
#define PSCI_CPU_OFF          0x84000002UL
#define PSCI_CPU_ON_64        0xC4000003UL
#define PSCI_AFFINITY_INFO_64 0xC4000004UL
#define PSCI_MIGRATE_INFO_TYPE 0x84000006UL
#define PSCI_SYSTEM_OFF       0x84000008UL
#define PSCI_SYSTEM_RESET     0x84000009UL
#define PSCI_FEATURES         0x8400000AUL

#define PSCI_SUCCESS            0L
#define PSCI_NOT_SUPPORTED     -1L
#define PSCI_INVALID_PARAMETERS -2L
#define PSCI_ALREADY_ON        -4L
#define PSCI_INVALID_ADDRESS   -9L

// AFFINITY_INFO results.
#define AFF_ON          0
#define AFF_OFF         1

// A PSCI call through SMC #0 (SMCCC: x0 = function id, x1-x3 arguments, result in x0).
static inline int64_t psci_smc(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3) {
    register uint64_t x0 __asm__("x0") = fn;
    register uint64_t x1 __asm__("x1") = a1;
    register uint64_t x2 __asm__("x2") = a2;
    register uint64_t x3 __asm__("x3") = a3;
    __asm__ volatile("smc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3) :: "memory");
    return (int64_t)x0;
}

// The same through HVC #0 (the runtime's psci_call, typed).
static inline int64_t psci_hvc(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3) {
    return (int64_t)psci_call(fn, a1, a2, a3);
}

// secondary.S: where PSCI CPU_ON starts a secondary. It sets up a stack of its own (by MPIDR
// Aff0) and the runtime's vectors, then calls secondary_main(context_id, mpidr).
void secondary_entry(void);
#define SECONDARY_MAX 16
void secondary_main(uint64_t context, uint64_t mpidr);
// Nonzero: secondary.S turns a finished secondary off with SMC instead of HVC.
extern volatile uint8_t secondary_conduit_smc;

// On the 'virt' board (up to 16 vCPUs) vCPU i has Aff0 = i: MPIDR_EL1 = 0x80000000 | i (bit 31
// is RES1). PSCI target_cpu takes the affinity fields only; bits 31:24 must be zero.
static inline uint64_t vcpu_mpidr(unsigned index) { return 0x80000000UL | index; }
static inline uint64_t vcpu_target(unsigned index) { return index; }

#endif
