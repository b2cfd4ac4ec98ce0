// See tlib.h.
#include "tlib.h"

#if GIC_VERSION == 2
void gic_init(void) { gicv2_init(); }
void gic_enable(uint32_t intid, uint8_t priority) { gicv2_enable_irq(intid, priority); }
void gic_disable(uint32_t intid) { gicv2_disable_irq(intid); }
uint32_t gic_ack(void) { return gicv2_ack(); }
void gic_eoi(uint32_t iar) { gicv2_eoi(iar); }
bool gic_pending(uint32_t intid) { return gicv2_is_pending(intid); }
#elif GIC_VERSION == 3
void gic_init(void) { gicv3_init(cpu_id()); }
void gic_enable(uint32_t intid, uint8_t priority) { gicv3_enable_irq(cpu_id(), intid, priority); }
void gic_disable(uint32_t intid) { gicv3_disable_irq(cpu_id(), intid); }
uint32_t gic_ack(void) { return gicv3_ack(); }
void gic_eoi(uint32_t iar) { gicv3_eoi(iar); }
bool gic_pending(uint32_t intid) { return gicv3_is_pending(cpu_id(), intid); }
#else
#error "GIC_VERSION must be 2 or 3"
#endif
