// Running a function at EL0 and coming back (see runtime.h: run_el0).
//
// run_el0 saves the EL1 callee-saved registers and stack pointer, then ERETs to `fn` at EL0t
// with SP_EL0 = `stack` and X30 = el0_trampoline. When `fn` returns, the trampoline executes
// SVC #0xFFFF; exception_dispatch recognises it and returns nonzero, and the vector code jumps
// to el0_returned, which restores the EL1 context and returns fn's X0 to run_el0's caller.

    .text
// uint64_t run_el0(uint64_t (*fn)(uint64_t), uint64_t arg, uint64_t stack_top)
    .global run_el0
run_el0:
    mov     x3, #0x3C0              // D A I F masked
// uint64_t run_el0_daif(fn, arg, stack_top, uint64_t daif): the same with PSTATE.DAIF = daif
    .global run_el0_daif
run_el0_daif:
    stp     x29, x30, [sp, #-96]!
    stp     x19, x20, [sp, #16]
    stp     x21, x22, [sp, #32]
    stp     x23, x24, [sp, #48]
    stp     x25, x26, [sp, #64]
    stp     x27, x28, [sp, #80]
    adrp    x5, el1_saved_sp
    mov     x4, sp
    str     x4, [x5, :lo12:el1_saved_sp]
    msr     elr_el1, x0
    and     x4, x3, #0x3C0          // EL0t (M = 0) with the requested DAIF
    msr     spsr_el1, x4
    msr     sp_el0, x2
    mov     x0, x1
    adr     x30, el0_trampoline
    isb
    eret

    .global el0_trampoline
el0_trampoline:
    svc     #0xFFFF
1:  b       1b

    .global el0_returned
el0_returned:
    ldr     x0, [sp, #0]            // the EL0 function's X0 from the exception frame
    adrp    x3, el1_saved_sp
    ldr     x4, [x3, :lo12:el1_saved_sp]
    mov     sp, x4
    ldp     x19, x20, [sp, #16]
    ldp     x21, x22, [sp, #32]
    ldp     x23, x24, [sp, #48]
    ldp     x25, x26, [sp, #64]
    ldp     x27, x28, [sp, #80]
    ldp     x29, x30, [sp], #96
    ret

    .bss
    .balign 8
el1_saved_sp:
    .skip 8
