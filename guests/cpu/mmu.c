// See mmu.h. Descriptor formats: Arm ARM D8.3 (VMSAv8-64 translation table format).
//   granule  T0SZ  VA bits  first level  identity blocks
//   4 KB     25    39       1            level 1, 1 GB
//   16 KB    28    36       2            level 2, 32 MB
//   64 KB    22    42       2            level 2, 512 MB
#include "runtime.h"
#include "mmu.h"

#define GICD_BASE_FOR_MMU 0x08000000UL

#define DESC_VALID   1UL
#define DESC_TABLE   3UL          // table (levels 0-2) or page (level 3)
#define DESC_BLOCK   1UL
#define ATTR_IDX(n)  ((uint64_t)(n) << 2)
#define AP_EL1_RW    (0UL << 6)
#define SH_INNER     (3UL << 8)
#define AF           (1UL << 10)
#define PXN          (1UL << 53)
#define UXN          (1UL << 54)

#define MAIR_DEVICE_IDX 0
#define MAIR_NORMAL_IDX 1

uint8_t mmu_alias_target[65536] __attribute__((aligned(65536)));
static uint64_t tables[3][8192] __attribute__((aligned(65536)));

struct granule { unsigned page_shift, bits, t0sz, start_level; uint64_t tg0; };
static struct granule active;
static uint64_t *alias_leaf;

static unsigned level_shift(const struct granule *g, unsigned level) {
    return g->page_shift + g->bits * (3 - level);
}

static uint64_t index_at(const struct granule *g, unsigned level, uint64_t va) {
    return (va >> level_shift(g, level)) & ((1UL << g->bits) - 1);
}

void mmu_enable(unsigned granule_kb, uint64_t alias_va, uint64_t alias_pa) {
    struct granule g;
    if (granule_kb == 4) g = (struct granule){12, 9, 25, 1, 0};
    else if (granule_kb == 16) g = (struct granule){14, 11, 28, 2, 2};
    else g = (struct granule){16, 13, 22, 2, 1};

    uint64_t *top = tables[0];
    unsigned block_shift = level_shift(&g, g.start_level);
    uint64_t block = 1UL << block_shift;
    uint64_t normal = AF | SH_INNER | AP_EL1_RW | ATTR_IDX(MAIR_NORMAL_IDX) | DESC_BLOCK;
    uint64_t device = AF | AP_EL1_RW | ATTR_IDX(MAIR_DEVICE_IDX) | PXN | UXN | DESC_BLOCK;

    // Identity: the block holding the UART (and the GIC), and 64 MB of RAM.
    uint64_t dev_base = UART_BASE & ~(block - 1);
    top[index_at(&g, g.start_level, dev_base)] = dev_base | device;
    if ((GICD_BASE_FOR_MMU & ~(block - 1)) != dev_base)
        top[index_at(&g, g.start_level, GICD_BASE_FOR_MMU)] = (GICD_BASE_FOR_MMU & ~(block - 1)) | device;
    for (uint64_t pa = RAM_BASE; pa < RAM_BASE + (64UL << 20); pa += block)
        top[index_at(&g, g.start_level, pa)] = pa | normal;

    // The alias: tables down to level 3, then one page.
    uint64_t *table = top;
    int next = 1;
    for (unsigned level = g.start_level; level < 3; level++) {
        uint64_t *sub = tables[next++];
        table[index_at(&g, level, alias_va)] = (uint64_t)sub | DESC_TABLE;
        table = sub;
    }
    active = g;
    alias_leaf = table;
    table[index_at(&g, 3, alias_va)] = alias_pa | AF | SH_INNER | AP_EL1_RW
        | ATTR_IDX(MAIR_NORMAL_IDX) | DESC_TABLE;

    write_sysreg(mair_el1, 0xFF00UL);   // attr0 Device-nGnRnE, attr1 Normal WB
    uint64_t tcr = g.t0sz | (1UL << 8) | (1UL << 10) | (3UL << 12) | (g.tg0 << 14)
        | (1UL << 23)                   // EPD1: no TTBR1 walks
        | (2UL << 30)                   // TG1 4 KB (0 is reserved even when TTBR1 is unused)
        | (2UL << 32);                  // IPS: 40-bit PA
    write_sysreg(tcr_el1, tcr);
    write_sysreg(ttbr0_el1, (uint64_t)top);
    isb();
    tlbi_vmalle1();
    write_sysreg(sctlr_el1, read_sysreg(sctlr_el1) | SCTLR_M | SCTLR_C | SCTLR_I);
    isb();
}

void mmu_map_page(uint64_t va, uint64_t pa, uint64_t attrs) {
    alias_leaf[index_at(&active, 3, va)] = pa | attrs | SH_INNER | ATTR_IDX(MAIR_NORMAL_IDX) | DESC_TABLE;
    tlbi_vmalle1();
}
