// IPIs between vCPUs: every vCPU sends SGIs to every other one, ROUNDS times, and counts what it
// receives. vCPU s sends INTID s + 1 (GICv2: GICD_SGIR with a CPU target list; GICv3:
// ICC_SGI1R_EL1 with Aff1.Aff0 and a target list), to all the others in one write; round 2
// uses the "all but self" form instead (GICv2 TargetListFilter 0b01, GICv3 IRM). A receiver
// checks the INTID and, on GICv2, that GICC_IAR bits 12:10 name the sender. Each sender waits
// until every target has counted round r before sending round r + 1, so no SGI can merge with
// a still-pending one and the counts must be exact: ROUNDS from each sender, nothing else.
//
// Then every vCPU sends SGI 0 to vCPU 0 (vCPU 0 with the "self" form) while vCPU 0 has IRQs
// masked. On GICv2 an SGI is
// pending separately for each source (GICD_SPENDSGIR shows one bit per source), so vCPU 0
// acknowledges it once per sender, each with that sender in IAR bits 12:10; on GICv3 there is
// one pending state per target, so the SGIs merge into one acknowledge.
// Build with -DNCPUS=n (and the VM with n vCPUs).
#include "gicx.h"
#include "secondary.h"

#ifndef NCPUS
#error "NCPUS: the number of vCPUs"
#endif
#define ROUNDS 3
#define SGI_PRIORITY 0x80

// received[r][s]: SGIs vCPU r took from vCPU s. Each row is written only by its receiver.
static volatile uint32_t received[NCPUS][NCPUS];
static volatile uint32_t spurious[NCPUS];
static volatile uint32_t ready[NCPUS], done[NCPUS];
static volatile uint32_t bad_iar[NCPUS];
static volatile uint32_t go_merge, sent_merge[NCPUS];
#define MERGED_SGI 0

static bool on_irq(struct exception_frame *frame, int kind) {
    (void)frame;
    if (kind != (EXC_CURRENT_SPX | EXC_IRQ)) return false;
    uint32_t me = gicx_this_cpu();
    uint32_t iar = gicx_ack();
    uint32_t intid = gicx_intid(iar);
    if (intid == GIC_SPURIOUS) { spurious[me]++; return true; }
    uint32_t sender = intid - 1;
#ifndef GIC_V3
    if (((iar >> 10) & 7) != sender) bad_iar[me] = iar | 0x80000000u;
#endif
    if (intid < 1 || intid > NCPUS || sender == me) bad_iar[me] = iar | 0x80000000u;
    else received[me][sender]++;
    gicx_eoi(iar);
    return true;
}

static void check_receivers(void) {
    for (uint32_t c = 0; c < NCPUS; c++)
        if (bad_iar[c]) fail("vCPU %u: unexpected IAR 0x%x", c, bad_iar[c] & 0x7FFFFFFF);
}

static void run(uint32_t me) {
    gicx_init_cpu(me);
    for (uint32_t s = 0; s < NCPUS; s++) gicx_enable_private(me, s + 1, SGI_PRIORITY);
    ready[me] = 1;
    for (uint32_t c = 0; c < NCPUS; c++) while (!ready[c]) {}
    irq_enable();

    uint32_t others = ((1u << NCPUS) - 1) & ~(1u << me);
    for (uint32_t round = 1; round <= ROUNDS; round++) {
        if (round == 2) gicx_send_sgi_to_others(me + 1);
        else gicx_send_sgi(me + 1, others);
        for (uint32_t t = 0; t < NCPUS; t++) {
            if (t == me) continue;
            while (received[t][me] < round) check_receivers();
        }
    }
    for (uint32_t s = 0; s < NCPUS; s++) {
        if (s != me) while (received[me][s] < ROUNDS) check_receivers();
    }
    done[me] = 1;
}

void secondary_main(uint64_t cpu) {
    run((uint32_t)cpu);
    while (!go_merge) {}
    gicx_send_sgi(MERGED_SGI, 1);
    sent_merge[cpu] = 1;
}

static void sgis_from_every_source(void) {
    gicx_enable_private(0, MERGED_SGI, SGI_PRIORITY);
    go_merge = 1;
    for (uint32_t c = 1; c < NCPUS; c++) while (!sent_merge[c]) {}
    gicx_send_sgi_to_self(MERGED_SGI);
    CHECK(gicx_bit(0, GICX_ISPENDR, MERGED_SGI));
#ifdef GIC_V3
    uint32_t iar = gicx_ack();
    CHECK_EQ(iar, MERGED_SGI);
    gicx_eoi(iar);
#else
    uint32_t all = (1u << NCPUS) - 1;
    CHECK_EQ(mmio_read32(GICD_BASE + 0xF20) & 0xFF, all);        // GICD_SPENDSGIR0, SGI 0
    uint32_t sources = 0;
    for (uint32_t n = 0; n < NCPUS; n++) {
        uint32_t iar = gicx_ack();
        CHECK_EQ(iar & 0x3FF, MERGED_SGI);
        sources |= 1u << ((iar >> 10) & 7);
        gicx_eoi(iar);
    }
    CHECK_EQ(sources, all);
#endif
    CHECK(!gicx_bit(0, GICX_ISPENDR, MERGED_SGI));
    CHECK_EQ(gicx_ack(), GIC_SPURIOUS);
}

int main(void) {
    set_irq_handler(on_irq);
    CHECK_EQ(gicx_this_cpu(), 0);
    for (uint32_t c = 1; c < NCPUS; c++) start_secondary(c);
    run(0);
    for (uint32_t c = 0; c < NCPUS; c++) while (!done[c]) check_receivers();
    irq_disable();
    check_receivers();
    for (uint32_t r = 0; r < NCPUS; r++) {
        for (uint32_t s = 0; s < NCPUS; s++) {
            uint32_t expected = r == s ? 0 : ROUNDS;
            if (received[r][s] != expected)
                fail("vCPU %u took %u SGIs from vCPU %u, expected %u", r, received[r][s], s, expected);
        }
        CHECK_EQ(spurious[r], 0);
    }
    sgis_from_every_source();
    printf("%s: %d vCPUs exchanged %d SGIs\n", GIC_NAME, NCPUS, NCPUS * (NCPUS - 1) * ROUNDS);
    printf("%s: SGI 0 from %d sources acknowledged %d times\n", GIC_NAME, NCPUS,
#ifdef GIC_V3
           1);
#else
           NCPUS);
#endif
    pass();
}
