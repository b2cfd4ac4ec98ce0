import Testing
@testable import A64Assembler

/// Expected words are what the toolchain's own assembler (clang --target=aarch64-none-elf)
/// produced for the same assembly, shown beside each case.
@Test func encodingsMatchTheToolchainAssembler() throws {
    var a = A64Assembler()
    a.movz(3, 0x1234, hw: 1) // movz x3, #0x1234, lsl #16
    a.movk(3, 0xBEEF, hw: 3) // movk x3, #0xbeef, lsl #48
    a.add(31, 1, imm: 0x10) // add sp, x1, #0x10
    a.sub(2, 3, imm: 4) // sub x2, x3, #4
    a.cmp(5, imm: 7) // cmp x5, #7
    a.cmp(5, 6) // cmp x5, x6
    a.add(1, 2, 3) // add x1, x2, x3
    a.movr(1, 4) // mov x1, x4
    a.lsr(1, 2, 4) // lsr x1, x2, #4
    a.lsl(1, 2, 4) // lsl x1, x2, #4
    a.mul(1, 2, 3) // mul x1, x2, x3
    a.msub(1, 2, 3, 4) // msub x1, x2, x3, x4
    a.udiv(1, 2, 3) // udiv x1, x2, x3
    a.ldr(1, 31, offset: 16) // ldr x1, [sp, #16]
    a.strw(2, 3, offset: 8) // str w2, [x3, #8]
    a.ldrb(4, 5, offset: 3) // ldrb w4, [x5, #3]
    a.stpPre(29, 30, 31, offset: -16) // stp x29, x30, [sp, #-16]!
    a.ldpPost(29, 30, 31, offset: 16) // ldp x29, x30, [sp], #16
    a.mrs(0, 0xDF02) // mrs x0, cntvct_el0
    a.msr(0xDF19, 0) // msr cntv_ctl_el0, x0
    a.msrDAIFClr(2) // msr daifclr, #2
    a.msrDAIFSet(0xF) // msr daifset, #0xf
    a.hvc(0) // hvc #0
    a.svc(1) // svc #1
    let expected: [UInt32] = [
        0xD2A24683, 0xF2F7DDE3, 0x9100403F, 0xD1001062, 0xF1001CBF, 0xEB0600BF,
        0x8B030041, 0xAA0403E1, 0xD344FC41, 0xD37CEC41, 0x9B037C41, 0x9B039041,
        0x9AC30841, 0xF9400BE1, 0xB9000862, 0x39400CA4, 0xA9BF7BFD, 0xA8C17BFD,
        0xD53BE040, 0xD51BE320, 0xD50342FF, 0xD5034FDF, 0xD4000002, 0xD4000021,
    ]
    #expect(try a.assemble() == expected)
}

@Test func branchesResolveForwardAndBackward() throws {
    var a = A64Assembler()
    let top = a.label(), end = a.label()
    a.bind(top)
    a.nop()                 // 0
    a.b(.ne, end)           // 4: b.ne +12
    a.cbz(3, top)           // 8: cbz x3, -8
    a.b(top)                // 12: b -12
    a.bind(end)
    a.adr(0, top)           // 16: adr x0, -16
    a.bl(end)               // 20: bl -4
    let words = try a.assemble()
    #expect(words[1] == 0x5400_0061)
    #expect(words[2] == 0xB4FF_FFC3)
    #expect(words[3] == 0x17FF_FFFD)
    #expect(words[4] == 0x10FF_FF80)
    #expect(words[5] == 0x97FF_FFFF)
}

@Test func unboundLabelIsAnError() {
    var a = A64Assembler()
    let nowhere = a.label()
    a.b(nowhere)
    #expect(throws: AssemblerError.unboundLabel) { try a.assemble() }
}

@Test func stringDataIsNulTerminatedAndPadded() {
    var a = A64Assembler()
    a.data("hello")
    #expect(a.words == [0x6C6C_6568, 0x0000_006F])
}
