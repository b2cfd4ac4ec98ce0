// The MMU on with one translation granule (GRANULE_KB = 4, 16 or 64, given at build time):
// code keeps running through the identity map, the UART still works, a write through the alias
// page reads back through the identity map of the same physical page and the other way round,
// at both ends of the page, and the first address past the alias page is a level 3
// translation fault (which shows the page really is GRANULE_KB in size).
#include "runtime.h"
#include "mmu.h"

#ifndef GRANULE_KB
#error "build with -DGRANULE_KB=4, 16 or 64"
#endif
#define GRANULE (GRANULE_KB * 1024UL)

static struct { uint64_t esr, far, elr; int count; } seen;

static bool on_sync(struct exception_frame *f, int kind) {
    (void)kind;
    if (esr_ec(f->esr) != 0x25) return false;
    seen.esr = f->esr;
    seen.far = f->far;
    seen.elr = f->elr;
    seen.count++;
    f->elr += 4;
    return true;
}

int main(void) {
    set_sync_handler(on_sync);
    mmu_enable(GRANULE_KB, ALIAS_VA, (uint64_t)mmu_alias_target);
    CHECK(read_sysreg(sctlr_el1) & SCTLR_M);
    printf("mmu on, %d KB granule\n", GRANULE_KB);

    volatile uint64_t *phys = (volatile uint64_t *)mmu_alias_target;
    volatile uint64_t *alias = (volatile uint64_t *)ALIAS_VA;
    uint64_t last = GRANULE / 8 - 1;

    phys[0] = 0x1122334455667788UL;
    CHECK_EQ(alias[0], 0x1122334455667788UL);
    alias[1] = 0xCAFEF00DDEADBEEFUL;
    CHECK_EQ(phys[1], 0xCAFEF00DDEADBEEFUL);
    alias[last] = 0x0123456789ABCDEFUL ^ GRANULE;
    CHECK_EQ(phys[last], 0x0123456789ABCDEFUL ^ GRANULE);
    ((volatile uint8_t *)ALIAS_VA)[GRANULE - 1] = 0x5A;
    CHECK_EQ(mmu_alias_target[GRANULE - 1], 0x5A);

    uint64_t pc, value = 77;
    uint64_t beyond = ALIAS_VA + GRANULE;
    __asm__ volatile("adr %0, 1f\n1:\tldr %1, [%2]" : "=&r"(pc), "+r"(value) : "r"(beyond) : "memory");
    CHECK_EQ(seen.count, 1);
    CHECK_EQ(esr_ec(seen.esr), 0x25);
    CHECK_EQ(seen.esr & 0x3F, 0x07);     // translation fault, level 3
    CHECK_EQ((seen.esr >> 6) & 1, 0);    // WnR: a read
    CHECK_EQ(seen.far, beyond);
    CHECK_EQ(seen.elr, pc);
    CHECK_EQ(value, 77);                 // the load did not complete
    pass();
}
