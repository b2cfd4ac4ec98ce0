// Starting secondary vCPUs for the GIC tests (secondary.S, secondary.c).
#ifndef GUEST_GIC_SECONDARY_H
#define GUEST_GIC_SECONDARY_H
#include <stdint.h>

#define PSCI_CPU_ON_64 0xC4000003UL

// Defined by the test: what vCPU `cpu` runs once started (stack, vectors set; IRQs masked).
void secondary_main(uint64_t cpu);
// PSCI CPU_ON for vCPU `cpu` (MPIDR Aff0 = cpu); fails the test if the firmware refuses.
void start_secondary(uint32_t cpu);

#endif
