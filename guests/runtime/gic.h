// GICv2 and GICv3 helpers for guests on the 'virt' board (QEMU memory map):
//   GICv2: distributor 0x08000000, CPU interface 0x08010000
//   GICv3: distributor 0x08000000, redistributors from 0x080A0000 (0x20000 per CPU),
//          CPU interface through the ICC_* system registers.
#ifndef GUEST_GIC_H
#define GUEST_GIC_H
#include <stdint.h>
#include <stdbool.h>

#define GICD_BASE     0x08000000UL
#define GICC_BASE     0x08010000UL
#define GICR_BASE     0x080A0000UL
#define GICR_STRIDE   0x20000UL
#define GIC_SPURIOUS  1023

// GICv2: enables the distributor and this CPU's interface (priority mask open, group 0+1).
void gicv2_init(void);
void gicv2_enable_irq(uint32_t intid, uint8_t priority);
void gicv2_disable_irq(uint32_t intid);
uint32_t gicv2_ack(void);                 // GICC_IAR; returns the full value (source CPU in 12:10)
void gicv2_eoi(uint32_t iar);
void gicv2_send_sgi(uint32_t intid, uint32_t target_list);
bool gicv2_is_pending(uint32_t intid);

// GICv3: enables the distributor (ARE, group 1 NS), wakes this CPU's redistributor, enables
// the system-register interface (ICC_SRE_EL1.SRE), PMR = 0xFF, group 1 on.
void gicv3_init(uint32_t cpu);
void gicv3_enable_irq(uint32_t cpu, uint32_t intid, uint8_t priority);
void gicv3_disable_irq(uint32_t cpu, uint32_t intid);
uint32_t gicv3_ack(void);                 // ICC_IAR1_EL1
void gicv3_eoi(uint32_t intid);           // ICC_EOIR1_EL1
bool gicv3_is_pending(uint32_t cpu, uint32_t intid);

#endif
