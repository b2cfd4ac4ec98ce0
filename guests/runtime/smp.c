// Starting secondary CPUs; see smp.h and smp.S.
#include "runtime.h"
#include "smp.h"

static void (*volatile entry_fn[SMP_MAX_CPUS])(uint64_t);
static volatile uint64_t entry_arg[SMP_MAX_CPUS];
// CPU 0 runs on the image's stack; CPU k (k >= 1) on smp_stacks[k - 1].
uint8_t smp_stacks[SMP_MAX_CPUS - 1][SMP_STACK_SIZE] __attribute__((aligned(16)));

void smp_secondary_main(uint64_t cpu) {
    if (cpu >= SMP_MAX_CPUS || !entry_fn[cpu]) return;
    entry_fn[cpu](entry_arg[cpu]);
}

int64_t smp_start_cpu(uint32_t cpu, void (*fn)(uint64_t), uint64_t arg) {
    if (cpu == 0 || cpu >= SMP_MAX_CPUS || !fn) return PSCI_INVALID_PARAMETERS;
    entry_fn[cpu] = fn;
    entry_arg[cpu] = arg;
    dsb_sy();
    return (int64_t)psci_call(PSCI_CPU_ON_64, cpu, (uint64_t)smp_secondary_entry, cpu);
}
