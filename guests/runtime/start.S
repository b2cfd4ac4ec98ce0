// Guest entry: the VMM (or the bare test rig) starts here at EL1 with the MMU off.
// Sets the stack, installs the exception vectors, zeroes the bss, runs main(), then asks the
// firmware to power off (PSCI SYSTEM_OFF over HVC), which ends the test run.

    .section .text.start, "ax"
    .global _start
_start:
    ldr     x0, =__stack_top
    mov     sp, x0
    adr     x0, exception_vectors
    msr     vbar_el1, x0
    isb
    ldr     x0, =__bss_start
    ldr     x1, =__bss_end
1:  cmp     x0, x1
    b.hs    2f
    str     xzr, [x0], #8
    b       1b
2:  bl      main
    bl      system_off
3:  b       3b

    .text
// PSCI SYSTEM_OFF (function id 0x84000008) through the hypervisor conduit. Never returns.
    .global system_off
system_off:
    movz    x0, #0x0008
    movk    x0, #0x8400, lsl #16
    hvc     #0
1:  b       1b

// uint64_t psci_call(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3)
    .global psci_call
psci_call:
    hvc     #0
    ret
    .ltorg
