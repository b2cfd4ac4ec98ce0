// Secondary-CPU entry (see smp.h). PSCI CPU_ON starts the CPU here at EL1h with the MMU off and
// x0 = the context id, which smp_start_cpu sets to the CPU number k. The CPU takes its stack,
// installs the runtime's vectors, runs smp_secondary_main(k) and, when that returns, powers
// itself off with PSCI CPU_OFF.
//
// The stacks lie above the boot CPU's (link.ld's __stack_top), outside the image and the bss:
// CPU k's stack ends at __stack_top + k * SMP_STACK_SIZE. Nothing is zeroed or loaded for them,
// so guests that never start a secondary CPU boot exactly as before.

#define SMP_MAX_CPUS   8
#define SMP_STACK_SIZE 0x4000

    .text
    .global smp_secondary_entry
smp_secondary_entry:
    cbz     x0, 2f                  // CPU 0 never comes here; park anything unexpected
    cmp     x0, #SMP_MAX_CPUS
    b.hs    2f
    ldr     x1, =__stack_top
    mov     x2, #SMP_STACK_SIZE
    madd    x1, x0, x2, x1          // __stack_top + k * SMP_STACK_SIZE
    mov     sp, x1
    adr     x1, exception_vectors
    msr     vbar_el1, x1
    isb
    bl      smp_secondary_main
    movz    x0, #0x0002             // PSCI CPU_OFF
    movk    x0, #0x8400, lsl #16
    hvc     #0
2:  wfi
    b       2b
    .ltorg
