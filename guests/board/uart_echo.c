// The PL011 UART (PrimeCell UART PL011 TRM, DDI 0183) as a guest driver sees it: flag register
// and identification registers at reset, then interrupt-driven receive through the GIC
// (SPI 1 = INTID 33 on 'virt', level): the host types a line after "ready"; the IRQ handler
// drains the receive FIFO and clears the interrupt; the main loop echoes the line.
// Built with -DGIC_V3=1 or 0 to match the VM's GIC, and -DFIFO=1 to turn on the 32-entry
// receive FIFO (UARTLCR_H.FEN) instead of the 1-character holding register of reset.
#include "runtime.h"

#ifndef GIC_V3
#error "build with -DGIC_V3=0 or 1"
#endif

#define UARTDR    0x000
#define UARTFR    0x018
#define UARTLCR_H 0x02C
#define UARTCR    0x030
#define UARTIMSC  0x038
#define UARTRIS   0x03C
#define UARTMIS   0x040
#define UARTICR   0x044
#ifndef FIFO
#define FIFO 0
#endif
#define LCR_H_FEN (1u << 4)
#define LCR_H_WLEN8 (3u << 5)
#define FR_RXFE   (1u << 4)
#define FR_TXFF   (1u << 5)
#define FR_TXFE   (1u << 7)
#define INT_RX    (1u << 4)
#define INT_RT    (1u << 6)
#define UART_INTID 33

static inline uint32_t uart(uint32_t offset) { return mmio_read32(UART_BASE + offset); }
static inline void set_uart(uint32_t offset, uint32_t v) { mmio_write32(UART_BASE + offset, v); }

static char line[128];
static volatile unsigned length;
static volatile int line_done;
static volatile unsigned irqs;
static volatile uint32_t first_mis;

static bool on_irq(struct exception_frame *f, int kind) {
    (void)f;
    if (kind != (EXC_CURRENT_SPX | EXC_IRQ)) return false;
    uint32_t iar = GIC_V3 ? gicv3_ack() : gicv2_ack();
    if ((iar & 0x3FF) != UART_INTID) fail("irq: acknowledged INTID %u, expected %u", iar & 0x3FF, UART_INTID);
    if (irqs++ == 0) first_mis = uart(UARTMIS);
    while (!(uart(UARTFR) & FR_RXFE)) {
        char c = (char)(uart(UARTDR) & 0xFF);
        if (c == '\r' || c == '\n') line_done = 1;
        else if (length < sizeof line - 1) line[length++] = c;
    }
    set_uart(UARTICR, INT_RX | INT_RT);
    if (GIC_V3) gicv3_eoi(iar); else gicv2_eoi(iar);
    return true;
}

int main(void) {
    // Reset state: transmit FIFO empty, receive FIFO empty, nothing busy; UART, TX and RX on
    // (UARTCR resets to 0x0300 with UARTEN clear; QEMU and firmware leave UARTEN set, so only
    // TXE and RXE are checked).
    uint32_t fr = uart(UARTFR);
    CHECK_EQ(fr & (FR_RXFE | FR_TXFF | FR_TXFE | (1u << 3) | (1u << 6)), FR_RXFE | FR_TXFE);
    CHECK_EQ(uart(UARTCR) & 0x300, 0x300);
    CHECK_EQ(uart(UARTIMSC), 0);

    // Peripheral ID: part number 0x011, designer 0x41 (Arm); PrimeCell ID 0xB105F00D.
    uint32_t pid0 = uart(0xFE0), pid1 = uart(0xFE4), pid2 = uart(0xFE8), pid3 = uart(0xFEC);
    CHECK_EQ(pid0, 0x11);
    CHECK_EQ(pid1, 0x10);
    CHECK_EQ(pid2 & 0x0F, 0x4);
    CHECK_EQ(pid3, 0x00);
    CHECK_EQ(uart(0xFF0), 0x0D);
    CHECK_EQ(uart(0xFF4), 0xF0);
    CHECK_EQ(uart(0xFF8), 0x05);
    CHECK_EQ(uart(0xFFC), 0xB1);
    printf("pl011 fr 0x%x part 0x%03x designer 0x%x\n", fr, (pid1 & 0xF) << 8 | pid0,
           (pid2 & 0xF) << 4 | pid1 >> 4);

    set_irq_handler(on_irq);
    if (GIC_V3) { gicv3_init(0); gicv3_enable_irq(0, UART_INTID, 0x80); }
    else { gicv2_init(); gicv2_enable_irq(UART_INTID, 0x80); }
    if (FIFO) set_uart(UARTLCR_H, LCR_H_FEN | LCR_H_WLEN8);
    set_uart(UARTICR, 0x7FF);
    set_uart(UARTIMSC, INT_RX | INT_RT);
    puts("ready");

    // Wait with IRQs masked around the check, so an interrupt between the check and WFI still
    // wakes the WFI (it waits for a pending interrupt, masked or not).
    irq_disable();
    while (!line_done) {
        wfi();
        irq_enable();
        isb();
        irq_disable();
    }
    line[length] = 0;
    printf("echo: %s\n", line);

    CHECK(irqs >= 1);
    CHECK(first_mis & (INT_RX | INT_RT));
    CHECK(uart(UARTFR) & FR_RXFE);
    CHECK_EQ(uart(UARTMIS), 0);
    CHECK(!(GIC_V3 ? gicv3_is_pending(0, UART_INTID) : gicv2_is_pending(UART_INTID)));
    pass();
}
