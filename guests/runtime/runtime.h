// The guest runtime: what every test guest links against (start.S, vectors.S, el0.S, *.c here).
//
// Reporting convention: a guest prints lines on the PL011 UART and its last line is "PASS" or
// "FAIL: reason"; returning from main() powers the VM off (PSCI SYSTEM_OFF).
#ifndef GUEST_RUNTIME_H
#define GUEST_RUNTIME_H

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdarg.h>

#include "sysreg.h"
#include "timer.h"
#include "gic.h"

#define RAM_BASE  0x40000000UL
#define UART_BASE 0x09000000UL

// ---- console (uart.c) ----
void putc(char c);
void puts(const char *s);            // writes s and a newline
void printf(const char *fmt, ...);   // %d %u %x %s %c, with l/ll for 64-bit; %016lx style widths
void vprintf(const char *fmt, va_list ap);

// ---- power (start.S) ----
__attribute__((noreturn)) void system_off(void);
uint64_t psci_call(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3);

// ---- test reporting (runtime.c) ----
// Prints "FAIL: <message>" and powers off.
__attribute__((noreturn)) void fail(const char *fmt, ...);
// Prints "PASS" and powers off.
__attribute__((noreturn)) void pass(void);
// Fails with the expression text and both values when they differ.
#define CHECK_EQ(actual, expected) do { \
    uint64_t _a = (uint64_t)(actual), _e = (uint64_t)(expected); \
    if (_a != _e) fail("%s:%d: %s = 0x%lx, expected 0x%lx", __FILE__, __LINE__, #actual, _a, _e); \
} while (0)
#define CHECK(cond) do { if (!(cond)) fail("%s:%d: %s", __FILE__, __LINE__, #cond); } while (0)

// ---- exceptions (vectors.S, runtime.c) ----
struct exception_frame {
    uint64_t x[31];
    uint64_t elr, spsr, esr, far, sp_el0;
};

enum {
    EXC_SYNC = 0, EXC_IRQ = 1, EXC_FIQ = 2, EXC_SERROR = 3,
    EXC_CURRENT_SP0 = 0, EXC_CURRENT_SPX = 4, EXC_LOWER_A64 = 8, EXC_LOWER_A32 = 12,
};

// A handler returns true when it dealt with the exception (possibly changing the frame, e.g.
// frame->elr += 4 to skip the instruction); false makes the runtime report FAIL with the syndrome.
typedef bool (*exception_handler)(struct exception_frame *frame, int kind);
void set_sync_handler(exception_handler handler);
void set_irq_handler(exception_handler handler);

static inline uint32_t esr_ec(uint64_t esr) { return (uint32_t)(esr >> 26) & 0x3F; }

// ---- EL0 (el0.S) ----
// Runs fn(arg) at EL0t with SP_EL0 = stack_top (interrupts masked) and returns its result once
// fn returns (the return path is an SVC #0xFFFF the runtime intercepts).
uint64_t run_el0(uint64_t (*fn)(uint64_t), uint64_t arg, uint64_t stack_top);
// The same with PSTATE.DAIF = daif (bits 9:6) at EL0, e.g. 0x300 to take IRQs there.
uint64_t run_el0_daif(uint64_t (*fn)(uint64_t), uint64_t arg, uint64_t stack_top, uint64_t daif);
#define EL0_RETURN_SVC 0xFFFF

// ---- libc bits the compiler may call ----
void *memset(void *dst, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);

// ---- MMIO ----
static inline void mmio_write32(uint64_t addr, uint32_t v) { *(volatile uint32_t *)addr = v; }
static inline uint32_t mmio_read32(uint64_t addr) { return *(volatile uint32_t *)addr; }
static inline void mmio_write64(uint64_t addr, uint64_t v) { *(volatile uint64_t *)addr = v; }
static inline uint64_t mmio_read64(uint64_t addr) { return *(volatile uint64_t *)addr; }
static inline void mmio_write8(uint64_t addr, uint8_t v) { *(volatile uint8_t *)addr = v; }
static inline uint8_t mmio_read8(uint64_t addr) { return *(volatile uint8_t *)addr; }

#endif
