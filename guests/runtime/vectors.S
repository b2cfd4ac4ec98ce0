// The EL1 exception vector table (Arm ARM D1.10.2): 16 entries of 0x80 bytes, 2 KB aligned.
// Every entry saves the interrupted context in a `struct exception_frame` on the EL1 stack and
// calls exception_dispatch(frame, kind), kind = group * 4 + type:
//   group 0 current EL with SP_EL0, 1 current EL with SP_ELx, 2 lower EL AArch64, 3 lower EL AArch32
//   type  0 synchronous, 1 IRQ, 2 FIQ, 3 SError
// The handler may change the frame (registers, ELR, SPSR); it is restored before ERET.
// A nonzero return from exception_dispatch means "the EL0 program asked to return to the EL1
// caller of run_el0" (see el0.S).

#define FRAME_SIZE  288     // 31 registers, ELR, SPSR, ESR, FAR, SP_EL0
#define F_ELR       248
#define F_SPSR      256
#define F_ESR       264
#define F_FAR       272
#define F_SPEL0     280

    .macro ventry kind
    .balign 0x80
    sub     sp, sp, #FRAME_SIZE
    stp     x0, x1, [sp, #0]
    mov     x1, #\kind
    b       exception_common
    .endm

    .text
    .balign 2048
    .global exception_vectors
exception_vectors:
    ventry 0
    ventry 1
    ventry 2
    ventry 3
    ventry 4
    ventry 5
    ventry 6
    ventry 7
    ventry 8
    ventry 9
    ventry 10
    ventry 11
    ventry 12
    ventry 13
    ventry 14
    ventry 15

exception_common:
    stp     x2, x3, [sp, #16]
    stp     x4, x5, [sp, #32]
    stp     x6, x7, [sp, #48]
    stp     x8, x9, [sp, #64]
    stp     x10, x11, [sp, #80]
    stp     x12, x13, [sp, #96]
    stp     x14, x15, [sp, #112]
    stp     x16, x17, [sp, #128]
    stp     x18, x19, [sp, #144]
    stp     x20, x21, [sp, #160]
    stp     x22, x23, [sp, #176]
    stp     x24, x25, [sp, #192]
    stp     x26, x27, [sp, #208]
    stp     x28, x29, [sp, #224]
    str     x30, [sp, #240]
    mrs     x2, elr_el1
    mrs     x3, spsr_el1
    stp     x2, x3, [sp, #F_ELR]
    mrs     x2, esr_el1
    mrs     x3, far_el1
    stp     x2, x3, [sp, #F_ESR]
    mrs     x2, sp_el0
    str     x2, [sp, #F_SPEL0]
    mov     x0, sp
    bl      exception_dispatch
    cbnz    x0, el0_returned
    ldp     x2, x3, [sp, #F_ELR]
    msr     elr_el1, x2
    msr     spsr_el1, x3
    ldr     x2, [sp, #F_SPEL0]
    msr     sp_el0, x2
    ldp     x0, x1, [sp, #0]
    ldp     x2, x3, [sp, #16]
    ldp     x4, x5, [sp, #32]
    ldp     x6, x7, [sp, #48]
    ldp     x8, x9, [sp, #64]
    ldp     x10, x11, [sp, #80]
    ldp     x12, x13, [sp, #96]
    ldp     x14, x15, [sp, #112]
    ldp     x16, x17, [sp, #128]
    ldp     x18, x19, [sp, #144]
    ldp     x20, x21, [sp, #160]
    ldp     x22, x23, [sp, #176]
    ldp     x24, x25, [sp, #192]
    ldp     x26, x27, [sp, #208]
    ldp     x28, x29, [sp, #224]
    ldr     x30, [sp, #240]
    add     sp, sp, #FRAME_SIZE
    eret
