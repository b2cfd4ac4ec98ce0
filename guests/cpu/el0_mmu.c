// EL0 and unprivileged accesses with the MMU on (4 KB granule). Stage 1 access permissions
// (Arm ARM D8.4.1, Armv8.0: AP[2:1]): 00 EL1 RW / EL0 none, 01 both RW, 11 both RO. EL0 runs
// its code from EL1-only pages (AP 00, UXN 0: execute-only for EL0) and its stack from an
// EL0 page. A denied EL0 access is a permission fault taken from the lower EL (EC 0x24),
// DFSC 0b001111 (level 3); LDTR/STTR at EL1 are checked as EL0 accesses (EC 0x25).
#include "runtime.h"
#include "mmu.h"

#define EL0_DATA  (ALIAS_VA + 0x5000)    // AP 01
#define EL0_STACK (ALIAS_VA + 0x6000)    // AP 01, one page; the stack top is the page end
#define ALL_RO    (ALIAS_VA + 0x8000)    // AP 11
#define EL1_ONLY  (ALIAS_VA)             // AP 00 (the alias page of mmu_enable)

static struct { uint64_t esr, far, elr; int kind, count; } seen;

static bool on_sync(struct exception_frame *f, int kind) {
    uint32_t ec = esr_ec(f->esr);
    if (ec != 0x24 && ec != 0x25) return false;
    seen.esr = f->esr;
    seen.far = f->far;
    seen.elr = f->elr;
    seen.kind = kind;
    seen.count++;
    f->elr += 4;
    return true;
}

static uint64_t el0_load(uint64_t va) {
    uint64_t v = 0xAAAA;
    __asm__ volatile("ldr %0, [%1]" : "+r"(v) : "r"(va) : "memory");
    return v;
}

static uint64_t el0_store(uint64_t va) {
    __asm__ volatile("str %0, [%0]" : : "r"(va) : "memory");
    return 1;
}

static void expect_fault(int kind, uint32_t ec, uint64_t far, unsigned wnr, uint32_t insn_mask, uint32_t insn, int n) {
    CHECK_EQ(seen.count, n);
    CHECK_EQ(seen.kind, kind);
    CHECK_EQ(esr_ec(seen.esr), ec);
    CHECK_EQ(seen.esr & 0x3F, 0x0F);         // permission fault, level 3
    CHECK_EQ((seen.esr >> 6) & 1, wnr);
    CHECK_EQ(seen.far, far);
    CHECK_EQ(*(volatile uint32_t *)seen.elr & insn_mask, insn);   // ELR is the access itself
}

int main(void) {
    set_sync_handler(on_sync);
    uint64_t page = (uint64_t)mmu_alias_target;
    mmu_enable(4, ALIAS_VA, page);
    mmu_map_page(EL0_DATA, page + 0x1000, PTE_AF | PTE_AP_EL0_RW);
    mmu_map_page(EL0_STACK, page + 0x2000, PTE_AF | PTE_AP_EL0_RW);
    mmu_map_page(ALL_RO, page + 0x3000, PTE_AF | PTE_AP_ALL_RO);
    volatile uint64_t *phys = (volatile uint64_t *)page;
    phys[0] = 0x1111;                        // EL1_ONLY
    phys[0x1000 / 8] = 0x2222;               // EL0_DATA
    phys[0x3000 / 8] = 0x3333;               // ALL_RO
    uint64_t stack = EL0_STACK + 0x1000;

    CHECK_EQ(run_el0(el0_load, EL0_DATA, stack), 0x2222);
    CHECK_EQ(run_el0(el0_load, ALL_RO, stack), 0x3333);
    CHECK_EQ(seen.count, 0);
    CHECK_EQ(run_el0(el0_store, EL0_DATA + 8, stack), 1);
    CHECK_EQ(phys[0x1000 / 8 + 1], EL0_DATA + 8);
    printf("el0 allowed accesses ok\n");

    // EL0 may not read an EL1-only page, nor write a read-only one.
    CHECK_EQ(run_el0(el0_load, EL1_ONLY + 16, stack), 0xAAAA);
    expect_fault(EXC_LOWER_A64 | EXC_SYNC, 0x24, EL1_ONLY + 16, 0, 0xFFC00000, 0xF9400000, 1);
    run_el0(el0_store, ALL_RO + 24, stack);
    expect_fault(EXC_LOWER_A64 | EXC_SYNC, 0x24, ALL_RO + 24, 1, 0xFFC00000, 0xF9000000, 2);
    CHECK_EQ(phys[0x3000 / 8 + 3], 0);
    printf("el0 permission faults ok\n");

    // EL1 itself reads the EL1-only page, and LDTR/STTR there fault as EL0 accesses would.
    CHECK_EQ(*(volatile uint64_t *)EL1_ONLY, 0x1111);
    uint64_t v = 0x77;
    __asm__ volatile("ldtr %0, [%1]" : "+r"(v) : "r"(EL1_ONLY + 32) : "memory");
    CHECK_EQ(v, 0x77);
    expect_fault(EXC_CURRENT_SPX | EXC_SYNC, 0x25, EL1_ONLY + 32, 0, 0xFFE00C00, 0xF8400800, 3);
    __asm__ volatile("sttr %0, [%1]" : : "r"(v), "r"(ALL_RO + 40) : "memory");
    expect_fault(EXC_CURRENT_SPX | EXC_SYNC, 0x25, ALL_RO + 40, 1, 0xFFE00C00, 0xF8000800, 4);
    __asm__ volatile("ldtr %0, [%1]" : "=r"(v) : "r"(EL0_DATA) : "memory");
    CHECK_EQ(v, 0x2222);
    CHECK_EQ(seen.count, 4);
    pass();
}
