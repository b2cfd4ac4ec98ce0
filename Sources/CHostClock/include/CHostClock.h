// The host's cycle counter, read without a system call: what the timer's host clock is built
// on (see HostClock.swift in GenericTimer). Swift cannot emit `rdtsc` or `mrs cntvct_el0`
// itself, so this header exposes them as static inline functions the compiler inlines into
// the Swift caller.
#ifndef CHOSTCLOCK_H
#define CHOSTCLOCK_H

#include <stdint.h>

/// 1 when `chc_cycle_counter` reads a hardware counter on this architecture, 0 when it is
/// a stub (the Swift side then uses clock_gettime).
static inline int chc_has_cycle_counter(void) {
#if defined(__x86_64__) || defined(__aarch64__)
    return 1;
#else
    return 0;
#endif
}

/// The cycle counter, ordered after every earlier load of this thread (LFENCE before RDTSC,
/// ISB before the counter read), as the kernel's vDSO reads it: a value published by another
/// thread and read before this call is then never newer than the count returned here.
static inline uint64_t chc_cycle_counter(void) {
#if defined(__x86_64__)
    __builtin_ia32_lfence();
    return __builtin_ia32_rdtsc();
#elif defined(__aarch64__)
    uint64_t value;
    __asm__ __volatile__("isb\n\tmrs %0, cntvct_el0" : "=r"(value) : : "memory");
    return value;
#else
    return 0;
#endif
}

/// The cycle counter without ordering: it may be read before earlier instructions complete,
/// as an Arm PE may read CNTPCT_EL0/CNTVCT_EL0 speculatively and out of order unless the
/// guest orders it (ISB). About half the cost of the ordered read on the reference host (the
/// LFENCE waits for every earlier instruction). Used for guest counter reads, never for host
/// deadlines compared across threads.
static inline uint64_t chc_cycle_counter_unordered(void) {
#if defined(__x86_64__)
    return __builtin_ia32_rdtsc();
#elif defined(__aarch64__)
    uint64_t value;
    __asm__ __volatile__("mrs %0, cntvct_el0" : "=r"(value));
    return value;
#else
    return 0;
#endif
}

/// Asks the host CPU to bring `length` bytes at `p` into its caches, one prefetch per 64-byte
/// line (the other host intrinsic Swift lacks; see `CPU.prefetchInterruptPath`). A prefetch
/// never faults and has no architectural effect.
static inline void chc_prefetch_range(const void *p, uint64_t length) {
    const char *bytes = (const char *)p;
    for (uint64_t i = 0; i < length; i += 64) __builtin_prefetch(bytes + i, 0, 3);
}

/// Waits for every earlier instruction of this thread to complete before later ones start,
/// as far as the cycle counter is concerned (LFENCE; ISB on an Arm host): the guest's ISB
/// executes it, so a guest counter read after an ISB (`chc_cycle_counter_unordered`) is
/// ordered after the guest's earlier loads, as the Arm ARM requires of the PE.
static inline void chc_instruction_barrier(void) {
#if defined(__x86_64__)
    __builtin_ia32_lfence();
#elif defined(__aarch64__)
    __asm__ __volatile__("isb" : : : "memory");
#endif
}

#endif
