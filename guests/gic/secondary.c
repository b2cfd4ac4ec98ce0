#include "runtime.h"
#include "secondary.h"

extern char secondary_entry[];

void start_secondary(uint32_t cpu) {
    uint64_t result = psci_call(PSCI_CPU_ON_64, cpu, (uint64_t)secondary_entry, cpu);
    if (result != 0) fail("PSCI CPU_ON(%u) returned %ld", cpu, (int64_t)result);
}
