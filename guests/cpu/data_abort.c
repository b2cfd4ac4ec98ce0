// Data aborts with the MMU on (4 KB granule): translation faults at levels 1, 2 and 3, an
// access flag fault and a permission fault, reads and writes. ESR_EL1: EC 0x25 (data abort,
// same EL), IL 1, WnR, DFSC = 0b0001LL translation / 0b0010LL access flag / 0b0011LL
// permission fault at level LL; FAR_EL1 = the faulting address; ELR_EL1 = the faulting
// instruction (the handler skips it).
#include "runtime.h"
#include "mmu.h"

static struct { uint64_t esr, far, elr; int count; } seen;

static bool on_sync(struct exception_frame *f, int kind) {
    if (esr_ec(f->esr) != 0x25 || kind != (EXC_CURRENT_SPX | EXC_SYNC)) return false;
    seen.esr = f->esr;
    seen.far = f->far;
    seen.elr = f->elr;
    seen.count++;
    f->elr += 4;
    return true;
}

static void expect_read_fault(uint64_t va, unsigned dfsc, int n) {
    uint64_t pc, value = 0x1234;
    __asm__ volatile("adr %0, 1f\n1:\tldr %1, [%2]" : "=&r"(pc), "+r"(value) : "r"(va) : "memory");
    CHECK_EQ(seen.count, n);
    CHECK_EQ(seen.esr >> 26, 0x25);
    CHECK_EQ((seen.esr >> 25) & 1, 1);   // IL
    CHECK_EQ(seen.esr & 0x3F, dfsc);
    CHECK_EQ((seen.esr >> 6) & 1, 0);
    CHECK_EQ(seen.far, va);
    CHECK_EQ(seen.elr, pc);
    CHECK_EQ(value, 0x1234);
}

static void expect_write_fault(uint64_t va, unsigned dfsc, int n) {
    uint64_t pc;
    __asm__ volatile("adr %0, 1f\n1:\tstr %1, [%2]" : "=&r"(pc) : "r"(0x99UL), "r"(va) : "memory");
    CHECK_EQ(seen.count, n);
    CHECK_EQ(seen.esr >> 26, 0x25);
    CHECK_EQ(seen.esr & 0x3F, dfsc);
    CHECK_EQ((seen.esr >> 6) & 1, 1);    // WnR: a write
    CHECK_EQ(seen.far, va);
    CHECK_EQ(seen.elr, pc);
}

int main(void) {
    set_sync_handler(on_sync);
    mmu_enable(4, ALIAS_VA, (uint64_t)mmu_alias_target);

    // Translation fault, level 1: 0xC0000000 is level 1 entry 3, never written.
    expect_read_fault(0xC0000010UL, 0x05, 1);
    expect_write_fault(0xC0000ff8UL, 0x05, 2);
    // Level 2: the alias's level 2 table has only entry 0.
    expect_read_fault(ALIAS_VA + 0x200000 + 0x40, 0x06, 3);
    // Level 3: the alias's level 3 table has only entry 0 so far.
    expect_write_fault(ALIAS_VA + 0x1000, 0x07, 4);
    expect_read_fault(ALIAS_VA + 0x1ff8, 0x07, 5);

    // Access flag fault (AF = 0, no hardware access flag management in Armv8.0), level 3.
    mmu_map_page(ALIAS_VA + 0x4000, (uint64_t)mmu_alias_target, 0);
    expect_read_fault(ALIAS_VA + 0x4010, 0x0B, 6);
    expect_write_fault(ALIAS_VA + 0x4020, 0x0B, 7);

    // Permission fault: an EL1 read-only page reads fine, a write faults (level 3).
    ((volatile uint64_t *)mmu_alias_target)[3] = 0x600DUL;
    mmu_map_page(ALIAS_VA + 0x3000, (uint64_t)mmu_alias_target, PTE_AF | PTE_AP_EL1_RO);
    CHECK_EQ(*(volatile uint64_t *)(ALIAS_VA + 0x3018), 0x600DUL);
    expect_write_fault(ALIAS_VA + 0x3018, 0x0F, 8);
    CHECK_EQ(((volatile uint64_t *)mmu_alias_target)[3], 0x600DUL);
    // Once the page is made writable (and the TLB invalidated), the same store completes.
    mmu_map_page(ALIAS_VA + 0x3000, (uint64_t)mmu_alias_target, PTE_AF);
    *(volatile uint64_t *)(ALIAS_VA + 0x3018) = 0xBEEFUL;
    CHECK_EQ(((volatile uint64_t *)mmu_alias_target)[3], 0xBEEFUL);
    // The mapped page still works afterwards.
    *(volatile uint64_t *)(ALIAS_VA + 8) = 42;
    CHECK_EQ(((volatile uint64_t *)mmu_alias_target)[1], 42);
    CHECK_EQ(seen.count, 8);
    pass();
}
