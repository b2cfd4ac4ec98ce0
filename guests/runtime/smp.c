// Starting secondary CPUs; see smp.h and smp.S.
#include "runtime.h"
#include "smp.h"

// In .data, not .bss: linking this file must not lengthen every guest's bss zeroing (guests'
// instruction counts are their time with --clock deterministic).
__attribute__((section(".data.smp")))
static void (*volatile entry_fn[SMP_MAX_CPUS])(uint64_t) = { 0 };
__attribute__((section(".data.smp")))
static volatile uint64_t entry_arg[SMP_MAX_CPUS] = { 0 };

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
