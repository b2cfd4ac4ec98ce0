// Secondary bookkeeping for the board guests; see smp.c.
#ifndef BOARD_SMP_H
#define BOARD_SMP_H
#include "board.h"

struct secondary_slot {
    volatile uint64_t mpidr, context, el, daif, sctlr;
    volatile uint32_t arrivals;     // how many times this vCPU entered secondary_main
};
extern struct secondary_slot slots[SECONDARY_MAX];

// Spins until secondary i has arrived more than `before` times; returns the new count.
uint32_t wait_for_arrival(unsigned i, uint32_t before);
// Lets secondary i return from secondary_main, after which it calls PSCI CPU_OFF.
void release_secondary(unsigned i);

#endif
