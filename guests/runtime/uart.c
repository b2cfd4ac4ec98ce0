// PL011 output (polled): enough for test guests to report results.
#include "runtime.h"

#define UARTDR 0x000
#define UARTFR 0x018
#define UARTFR_TXFF (1u << 5)

void putc(char c) {
    while (mmio_read32(UART_BASE + UARTFR) & UARTFR_TXFF) {}
    mmio_write32(UART_BASE + UARTDR, (uint8_t)c);
}

void puts(const char *s) {
    while (*s) putc(*s++);
    putc('\n');
}

static void put_unsigned(uint64_t v, unsigned base, int width, char pad) {
    char buf[24];
    int n = 0;
    do {
        unsigned d = (unsigned)(v % base);
        buf[n++] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
        v /= base;
    } while (v && n < (int)sizeof buf);
    while (width-- > n) putc(pad);
    while (n) putc(buf[--n]);
}

void vprintf(const char *fmt, va_list ap) {
    for (; *fmt; fmt++) {
        if (*fmt != '%') { putc(*fmt); continue; }
        fmt++;
        char pad = ' ';
        int width = 0, longs = 0;
        if (*fmt == '0') { pad = '0'; fmt++; }
        while (*fmt >= '0' && *fmt <= '9') width = width * 10 + (*fmt++ - '0');
        while (*fmt == 'l') { longs++; fmt++; }
        switch (*fmt) {
        case 'd': {
            int64_t v = longs ? va_arg(ap, int64_t) : va_arg(ap, int);
            if (v < 0) { putc('-'); put_unsigned((uint64_t)0 - (uint64_t)v, 10, width, pad); }
            else put_unsigned((uint64_t)v, 10, width, pad);
            break;
        }
        case 'u': put_unsigned(longs ? va_arg(ap, uint64_t) : va_arg(ap, unsigned), 10, width, pad); break;
        case 'x': put_unsigned(longs ? va_arg(ap, uint64_t) : va_arg(ap, unsigned), 16, width, pad); break;
        case 'p': putc('0'); putc('x'); put_unsigned((uint64_t)va_arg(ap, void *), 16, width, pad); break;
        case 's': { const char *s = va_arg(ap, const char *); while (s && *s) putc(*s++); break; }
        case 'c': putc((char)va_arg(ap, int)); break;
        case '%': putc('%'); break;
        case '\0': return;
        default: putc('%'); putc(*fmt); break;
        }
    }
}

void printf(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
}
