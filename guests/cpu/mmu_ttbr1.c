// The upper VA range through TTBR1_EL1, the way Linux runs its kernel: RAM mapped a second
// time at 0xFFFF_FF80_0000_0000 (T1SZ 25, 4 KB granule, a 1 GB level 1 block), code called
// and data reached through that alias (ADRP then yields upper addresses), and an unmapped
// upper address is a level 1 translation fault whose FAR is the full 64-bit address.
#include "runtime.h"
#include "mmu.h"

#define HIGH_BASE 0xFFFFFF8000000000UL
#define HIGH(p) ((uint64_t)(p) - RAM_BASE + HIGH_BASE)

static uint64_t l1_high[512] __attribute__((aligned(4096)));
static volatile uint64_t shared_word = 0x5A5A;
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

// Runs through the upper alias: returns where it runs, and what it reads and writes through
// a PC-relative (ADRP) reference to shared_word.
__attribute__((noinline)) static uint64_t where_am_i(uint64_t *word_address) {
    uint64_t pc;
    __asm__ volatile("adr %0, ." : "=r"(pc));
    *word_address = (uint64_t)&shared_word;
    shared_word = shared_word + 1;
    return pc;
}

int main(void) {
    set_sync_handler(on_sync);
    mmu_enable(4, ALIAS_VA, (uint64_t)mmu_alias_target);

    // Level 1 block 0 of the upper range: 1 GB at RAM_BASE, Normal memory, AF, EL1 RW.
    l1_high[0] = RAM_BASE | (1UL << 10) | (3UL << 8) | (1UL << 2) | 1;
    write_sysreg(ttbr1_el1, (uint64_t)l1_high);
    uint64_t tcr = read_sysreg(tcr_el1);
    tcr &= ~((1UL << 23) | (0x3FUL << 16) | (3UL << 30));
    tcr |= (25UL << 16) | (1UL << 24) | (1UL << 26) | (3UL << 28) | (2UL << 30);  // T1SZ, IRGN1, ORGN1, SH1, TG1 4 KB
    write_sysreg(tcr_el1, tcr);
    isb();
    tlbi_vmalle1();

    // Data through the upper alias is the same memory.
    volatile uint64_t *high_word = (volatile uint64_t *)HIGH(&shared_word);
    CHECK_EQ(*high_word, 0x5A5A);
    *high_word = 0x1234;
    CHECK_EQ(shared_word, 0x1234);

    // Code through the upper alias: it runs there, and its ADRP-based data reference does too.
    uint64_t (*high_fn)(uint64_t *) = (uint64_t (*)(uint64_t *))HIGH(where_am_i);
    uint64_t word_address = 0;
    uint64_t pc = high_fn(&word_address);
    CHECK(pc >= HIGH((uint64_t)where_am_i) && pc < HIGH((uint64_t)where_am_i) + 64);
    CHECK_EQ(word_address, HIGH(&shared_word));
    CHECK_EQ(shared_word, 0x1235);
    printf("ttbr1 alias ok\n");

    // An unmapped upper address: level 1 entry 1 is invalid.
    uint64_t va = HIGH_BASE + 0x40000000UL + 0x88, v = 7, at;
    __asm__ volatile("adr %0, 1f\n1:\tldr %1, [%2]" : "=&r"(at), "+r"(v) : "r"(va) : "memory");
    CHECK_EQ(seen.count, 1);
    CHECK_EQ(seen.esr & 0x3F, 0x05);
    CHECK_EQ(seen.far, va);
    CHECK_EQ(seen.elr, at);
    CHECK_EQ(v, 7);
    pass();
}
