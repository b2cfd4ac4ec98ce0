// Test reporting, exception dispatch and the few libc functions the compiler may call.
#include "runtime.h"

static exception_handler sync_handler;
static exception_handler irq_handler;

void set_sync_handler(exception_handler handler) { sync_handler = handler; }
void set_irq_handler(exception_handler handler) { irq_handler = handler; }

void fail(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    printf("FAIL: ");
    vprintf(fmt, ap);
    va_end(ap);
    putc('\n');
    system_off();
}

void pass(void) {
    puts("PASS");
    system_off();
}

// Called by vectors.S. Returns nonzero only for the EL0 return path of run_el0.
uint64_t exception_dispatch(struct exception_frame *frame, uint64_t kind) {
    int type = (int)(kind & 3);
    if (type == EXC_SYNC && (kind & ~3UL) == EXC_LOWER_A64 && esr_ec(frame->esr) == 0x15
        && (frame->esr & 0xFFFF) == EL0_RETURN_SVC) {
        return 1;
    }
    exception_handler handler = type == EXC_SYNC ? sync_handler : type == EXC_IRQ ? irq_handler : 0;
    if (handler && handler(frame, (int)kind)) return 0;
    fail("unexpected exception kind %d ESR 0x%lx ELR 0x%lx FAR 0x%lx SPSR 0x%lx",
         (int)kind, frame->esr, frame->elr, frame->far, frame->spsr);
}

void *memset(void *dst, int c, size_t n) {
    volatile uint8_t *d = dst;   // volatile: keeps clang from turning this loop into memset
    while (n--) *d++ = (uint8_t)c;
    return dst;
}

void *memcpy(void *dst, const void *src, size_t n) {
    volatile uint8_t *d = dst;
    const uint8_t *s = src;
    while (n--) *d++ = *s++;
    return dst;
}

int memcmp(const void *a, const void *b, size_t n) {
    const uint8_t *x = a, *y = b;
    for (; n; n--, x++, y++) if (*x != *y) return *x < *y ? -1 : 1;
    return 0;
}
