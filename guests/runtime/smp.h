// Secondary CPUs for guests on the 'virt' board: PSCI CPU_ON (SMC64 function 0xC4000003 over
// HVC) with the entry point in smp.S, which gives each CPU its own stack and the runtime's
// exception vectors, then calls the C function registered for it. The secondaries' stacks
// (SMP_STACK_SIZE each) lie in RAM just above the image's own stack.
//
// CPU k has MPIDR_EL1.Aff0 = k and is started with context id k. The rest of the runtime is
// shared: exception handlers (set_irq_handler, ...) are global, so a handler that must know
// its CPU reads smp_cpu_id(); run_el0 and the UART are not safe to use from several CPUs at
// once.
#ifndef GUEST_SMP_H
#define GUEST_SMP_H
#include <stdint.h>

#define SMP_MAX_CPUS   8
#define SMP_STACK_SIZE 0x4000

#define PSCI_CPU_ON_64  0xC4000003UL
#define PSCI_CPU_OFF    0x84000002UL
#define PSCI_SUCCESS    0
#define PSCI_INVALID_PARAMETERS (-2)

static inline uint32_t smp_cpu_id(void) {
    uint64_t mpidr;
    __asm__ volatile("mrs %0, mpidr_el1" : "=r"(mpidr));
    return (uint32_t)(mpidr & 0xFF);
}

// Powers on CPU `cpu` (1 .. SMP_MAX_CPUS-1) to run fn(arg) at EL1h, MMU off, IRQs masked, on its
// own stack. When fn returns the CPU powers itself off (PSCI CPU_OFF). Returns the PSCI result
// (0 on success, e.g. -4 ALREADY_ON, -2 INVALID_PARAMETERS for a CPU the board lacks).
int64_t smp_start_cpu(uint32_t cpu, void (*fn)(uint64_t), uint64_t arg);

// The entry point given to CPU_ON (smp.S); x0 = context id = the CPU number.
void smp_secondary_entry(void);

#endif
