// Entry point for secondaries started by PSCI CPU_ON: x0 = context id, EL1h, MMU off, DAIF
// masked (DEN0022 6.4). Each vCPU takes a 4 KB stack chosen by its MPIDR_EL1.Aff0, installs the
// runtime's exception vectors and calls secondary_main(context_id, mpidr). A secondary whose
// Aff0 has no stack, or whose secondary_main returns, turns itself off with PSCI CPU_OFF.

#define STACK_SIZE 4096
#define SECONDARY_MAX 16

    .text
    .global secondary_entry
    .balign 4
secondary_entry:
    mov     x19, x0                     // context id
    mrs     x20, mpidr_el1
    and     x1, x20, #0xFF
    cmp     x1, #SECONDARY_MAX
    b.hs    2f
    adrp    x2, secondary_stacks
    add     x2, x2, :lo12:secondary_stacks
    add     x1, x1, #1
    lsl     x1, x1, #12                 // (Aff0 + 1) * STACK_SIZE
    add     x2, x2, x1
    mov     sp, x2
    adr     x2, exception_vectors
    msr     vbar_el1, x2
    isb
    mov     x0, x19
    mov     x1, x20
    bl      secondary_main
2:  movz    x0, #0x0002                 // PSCI CPU_OFF (conduit of secondary_conduit_smc)
    movk    x0, #0x8400, lsl #16
    adrp    x1, secondary_conduit_smc
    ldrb    w1, [x1, :lo12:secondary_conduit_smc]
    cbnz    w1, 3f
    hvc     #0
    b       2b
3:  smc     #0
    b       2b

    .data
    .global secondary_conduit_smc
secondary_conduit_smc:
    .byte   0

    .bss
    .balign 16
secondary_stacks:
    .space  STACK_SIZE * SECONDARY_MAX
