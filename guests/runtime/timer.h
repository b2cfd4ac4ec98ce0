// Generic timer access for guests (Arm ARM D11): the virtual timer (CNTV_*, PPI 27) and the
// EL1 physical timer (CNTP_*, PPI 30), the counters and CNTFRQ.
#ifndef GUEST_TIMER_H
#define GUEST_TIMER_H
#include <stdint.h>
#include "sysreg.h"

#define TIMER_PPI_VIRTUAL  27
#define TIMER_PPI_PHYSICAL 30
#define CNT_CTL_ENABLE  (1u << 0)
#define CNT_CTL_IMASK   (1u << 1)
#define CNT_CTL_ISTATUS (1u << 2)

static inline uint64_t cntfrq(void) { return read_sysreg(cntfrq_el0); }
static inline uint64_t cntvct(void) { isb(); return read_sysreg(cntvct_el0); }
static inline uint64_t cntpct(void) { isb(); return read_sysreg(cntpct_el0); }

static inline uint64_t cntv_ctl(void) { return read_sysreg(cntv_ctl_el0); }
static inline void set_cntv_ctl(uint64_t v) { write_sysreg(cntv_ctl_el0, v); isb(); }
static inline uint64_t cntv_cval(void) { return read_sysreg(cntv_cval_el0); }
static inline void set_cntv_cval(uint64_t v) { write_sysreg(cntv_cval_el0, v); isb(); }
static inline int32_t cntv_tval(void) { return (int32_t)read_sysreg(cntv_tval_el0); }
static inline void set_cntv_tval(int32_t v) { write_sysreg(cntv_tval_el0, (uint64_t)(int64_t)v); isb(); }

static inline uint64_t cntp_ctl(void) { return read_sysreg(cntp_ctl_el0); }
static inline void set_cntp_ctl(uint64_t v) { write_sysreg(cntp_ctl_el0, v); isb(); }
static inline uint64_t cntp_cval(void) { return read_sysreg(cntp_cval_el0); }
static inline void set_cntp_cval(uint64_t v) { write_sysreg(cntp_cval_el0, v); isb(); }
static inline int32_t cntp_tval(void) { return (int32_t)read_sysreg(cntp_tval_el0); }
static inline void set_cntp_tval(int32_t v) { write_sysreg(cntp_tval_el0, (uint64_t)(int64_t)v); isb(); }

static inline uint64_t cntkctl(void) { return read_sysreg(cntkctl_el1); }
static inline void set_cntkctl(uint64_t v) { write_sysreg(cntkctl_el1, v); isb(); }

#endif
