// System-register access and barriers for guests.
#ifndef GUEST_SYSREG_H
#define GUEST_SYSREG_H
#include <stdint.h>

#define read_sysreg(reg) ({ uint64_t _v; __asm__ volatile("mrs %0, " #reg : "=r"(_v)); _v; })
#define write_sysreg(reg, v) do { uint64_t _v = (uint64_t)(v); \
    __asm__ volatile("msr " #reg ", %0" : : "r"(_v) : "memory"); } while (0)

static inline void isb(void) { __asm__ volatile("isb" ::: "memory"); }
static inline void dsb_sy(void) { __asm__ volatile("dsb sy" ::: "memory"); }
static inline void dsb_ish(void) { __asm__ volatile("dsb ish" ::: "memory"); }
static inline void wfi(void) { __asm__ volatile("wfi" ::: "memory"); }
static inline void irq_enable(void) { __asm__ volatile("msr daifclr, #2" ::: "memory"); }
static inline void irq_disable(void) { __asm__ volatile("msr daifset, #2" ::: "memory"); }
static inline void tlbi_vmalle1(void) { __asm__ volatile("dsb ishst\n tlbi vmalle1\n dsb ish\n isb" ::: "memory"); }

static inline uint64_t current_el(void) { return (read_sysreg(CurrentEL) >> 2) & 3; }

// SCTLR_EL1 bits
#define SCTLR_M  (1UL << 0)
#define SCTLR_A  (1UL << 1)
#define SCTLR_C  (1UL << 2)
#define SCTLR_SA (1UL << 3)
#define SCTLR_I  (1UL << 12)

#endif
