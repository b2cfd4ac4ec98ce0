// An alternative entry point for fdt_boot.c: records x0-x3 as the boot protocol hands them over
// (Documentation/arch/arm64/booting.rst: x0 = device tree address, x1-x3 = 0), then continues at
// the runtime's _start, which reuses x0. The test points the ELF's e_entry here.
    .text
    .global boot_entry
boot_entry:
    adrp    x9, boot_registers
    add     x9, x9, :lo12:boot_registers
    stp     x0, x1, [x9]
    stp     x2, x3, [x9, #16]
    b       _start

    .data                               // not .bss: _start zeroes the bss after this runs
    .balign 8
    .global boot_registers
boot_registers:
    .quad   -1, -1, -1, -1
