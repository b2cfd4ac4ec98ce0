// Both EL1 timers behind one interface, so a guest can run the same checks on each.
#ifndef TIMER_TIMERS_H
#define TIMER_TIMERS_H
#include "runtime.h"

enum timer_kind { PHYS = 0, VIRT = 1 };

static inline uint32_t timer_ppi(int t) { return t == PHYS ? TIMER_PPI_PHYSICAL : TIMER_PPI_VIRTUAL; }
static inline const char *timer_name(int t) { return t == PHYS ? "physical" : "virtual"; }
static inline uint64_t timer_count(int t) { return t == PHYS ? cntpct() : cntvct(); }
static inline uint64_t timer_ctl(int t) { return t == PHYS ? cntp_ctl() : cntv_ctl(); }
static inline void timer_set_ctl(int t, uint64_t v) { if (t == PHYS) set_cntp_ctl(v); else set_cntv_ctl(v); }
static inline uint64_t timer_cval(int t) { return t == PHYS ? cntp_cval() : cntv_cval(); }
static inline void timer_set_cval(int t, uint64_t v) { if (t == PHYS) set_cntp_cval(v); else set_cntv_cval(v); }
static inline void timer_set_tval(int t, int32_t v) { if (t == PHYS) set_cntp_tval(v); else set_cntv_tval(v); }
// The timer whose PPI this is, or -1.
static inline int timer_of_ppi(uint32_t intid) {
    return intid == TIMER_PPI_PHYSICAL ? PHYS : intid == TIMER_PPI_VIRTUAL ? VIRT : -1;
}

#endif
