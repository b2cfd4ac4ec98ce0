// Helpers shared by the timer guests: one GIC interface over GICv2 and GICv3 (chosen at build
// time with -DGIC_VERSION=2 or 3), the CPU number, and time in counter ticks.
#ifndef TIMER_TLIB_H
#define TIMER_TLIB_H
#include "runtime.h"

#ifndef GIC_VERSION
#define GIC_VERSION 3
#endif

// This CPU's number on the 'virt' board: MPIDR_EL1.Aff0.
static inline uint32_t cpu_id(void) { return (uint32_t)(read_sysreg(mpidr_el1) & 0xFF); }

// Brings up the distributor and this CPU's interface (and redistributor on GICv3).
void gic_init(void);
// Enables a private (or shared) interrupt for this CPU at the given priority.
void gic_enable(uint32_t intid, uint8_t priority);
void gic_disable(uint32_t intid);
// Acknowledges the highest-priority pending interrupt: the raw IAR value, for gic_eoi.
uint32_t gic_ack(void);
static inline uint32_t gic_intid(uint32_t iar) { return iar & 0x3FF; }
void gic_eoi(uint32_t iar);
// The distributor's (or redistributor's) pending bit for intid, as seen by this CPU.
bool gic_pending(uint32_t intid);

// Counter ticks in `us` microseconds at CNTFRQ.
static inline uint64_t us_ticks(uint64_t us) { return cntfrq() / 1000000 * us; }
static inline uint64_t ticks_us(uint64_t ticks) { return ticks / (cntfrq() / 1000000); }

#endif
