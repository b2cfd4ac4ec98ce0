// Stage 1 translation set-up for the CPU guests: identity maps the low device region (UART,
// GIC) as Device-nGnRnE and the start of RAM as Normal write-back memory, maps one extra
// page at alias_va to the physical page alias_pa, and turns the MMU on.
#ifndef GUEST_MMU_H
#define GUEST_MMU_H
#include <stdint.h>

#define ALIAS_VA 0x80000000UL

// granule_kb is 4, 16 or 64. alias_pa must be aligned to the granule.
void mmu_enable(unsigned granule_kb, uint64_t alias_va, uint64_t alias_pa);
// Maps one more page at va (in the same last-level table as the alias, i.e. within 2 MB of it
// with 4 KB pages) to pa with descriptor bits `attrs` (AP, AF, ...; the page type, AttrIndx
// Normal and SH are added), then invalidates the TLB.
void mmu_map_page(uint64_t va, uint64_t pa, uint64_t attrs);
#define PTE_AF         (1UL << 10)
#define PTE_AP_EL1_RO  (2UL << 6)
#define PTE_AP_EL0_RW  (1UL << 6)    // EL1 and EL0 read/write
#define PTE_AP_ALL_RO  (3UL << 6)    // EL1 and EL0 read-only
// A page-sized, 64 KB aligned buffer in RAM to alias.
extern uint8_t mmu_alias_target[65536];

#endif
