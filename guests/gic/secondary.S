// Secondary vCPU entry for the GIC tests. PSCI CPU_ON starts a vCPU here at EL1h with the MMU
// off, DAIF masked, no stack, x0 = the context id, which start_secondary() sets to the vCPU
// index. Gives it its own stack and the runtime's exception vectors, then runs
// secondary_main(cpu) (defined by the test); a secondary that returns waits for interrupts.

#define SECONDARY_STACK 0x4000
#define MAX_SECONDARIES 8

    .text
    .global secondary_entry
secondary_entry:
    cmp     x0, #MAX_SECONDARIES
    b.hs    2f
    ldr     x1, =secondary_stacks
    add     x2, x0, #1
    lsl     x2, x2, #14                 // (cpu + 1) * SECONDARY_STACK: the top of its stack
    add     sp, x1, x2
    adr     x1, exception_vectors
    msr     vbar_el1, x1
    isb
    bl      secondary_main
2:  wfi
    b       2b
    .ltorg

    .bss
    .balign 16
secondary_stacks:
    .space  SECONDARY_STACK * MAX_SECONDARIES
