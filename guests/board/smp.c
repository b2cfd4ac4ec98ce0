// What every secondary records when PSCI CPU_ON starts it, and how the boot CPU releases it
// (shared by psci_smp.c and psci_conduit.c). Only the boot CPU prints: the UART is shared.
#include "smp.h"

struct secondary_slot slots[SECONDARY_MAX];
volatile uint32_t release_count[SECONDARY_MAX];

void secondary_main(uint64_t context, uint64_t mpidr) {
    unsigned i = (unsigned)(mpidr & 0xFF);
    struct secondary_slot *s = &slots[i];
    s->mpidr = mpidr;
    s->context = context;
    s->el = current_el();
    s->daif = read_sysreg(daif);
    s->sctlr = read_sysreg(sctlr_el1);
    uint32_t arrival = s->arrivals + 1;
    dsb_sy();
    s->arrivals = arrival;
    dsb_sy();
    __asm__ volatile("sev");
    // Wait for the boot CPU's word, then return: secondary.S calls PSCI CPU_OFF.
    while (release_count[i] < arrival) __asm__ volatile("wfe" ::: "memory");
}

uint32_t wait_for_arrival(unsigned i, uint32_t before) {
    while (slots[i].arrivals == before) __asm__ volatile("wfe" ::: "memory");
    dsb_sy();
    return slots[i].arrivals;
}

void release_secondary(unsigned i) {
    release_count[i] = slots[i].arrivals;
    dsb_sy();
    __asm__ volatile("sev");
}
