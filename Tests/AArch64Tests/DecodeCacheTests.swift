// The decoded-instruction cache: changed code is never run from a stale decode, and the XZR
// slots behind decoded instructions behave as XZR.
import Testing
@testable import AArch64

@Test func codeChangedByTheBusRunsTheNewInstruction() {
    let rig = MemoryTestRig()
    rig.execute([0x9100_0421]) // add x1, x1, #1
    #expect(rig.cpu.regs[1] == 1)
    rig.execute([0x9100_0821]) // add x1, x1, #2, at the same address
    #expect(rig.cpu.regs[1] == 3)
}

@Test func codeStoredByTheGuestInsideTheRunningBlockRunsTheNewInstruction() {
    let rig = MemoryTestRig()
    let base = MemoryTestRig.ramBase
    // loop: str w2, [x3]; add x1, x1, #1; b loop — the store rewrites the add.
    rig.program([0xB900_0062, 0x9100_0421, 0x17FF_FFFE])
    rig.cpu.regs[2] = 0x9100_0421
    rig.cpu.regs[3] = base + 4
    rig.run(3)
    #expect(rig.cpu.regs[1] == 1)
    #expect(rig.cpu.pc == base)
    rig.cpu.regs[2] = 0x9100_0821 // add x1, x1, #2
    rig.run(2)
    #expect(rig.cpu.regs[1] == 3)
    #expect(rig.cpu.pc == base + 8)
}

@Test func zeroRegisterAsSourceAndDestination() {
    let rig = MemoryTestRig()
    rig.cpu.regs[0] = 5
    rig.cpu.regs[5] = 7
    rig.cpu.regs[31] = 0x1000 // SP
    rig.execute([
        0xEB05_001F, // cmp x0, x5 (subs xzr, x0, x5): writes the sink
        0xAA1F_03E7, // mov x7, xzr (orr x7, xzr, xzr)
        0xAA05_03E6, // mov x6, x5 (orr x6, xzr, x5)
        0x9100_43E8, // add x8, sp, #16
        0x9100_07FF, // add sp, sp, #1
        0xD280_1FE9, // movz x9, #0xFF
    ])
    #expect(rig.cpu.nzcv == 0x8000_0000) // 5 - 7: N, borrow (C clear)
    #expect(rig.cpu.regs[7] == 0)
    #expect(rig.cpu.regs[6] == 7)
    #expect(rig.cpu.regs[8] == 0x1010)
    #expect(rig.cpu.regs[31] == 0x1001)
    #expect(rig.cpu.regs[9] == 0xFF)
    #expect(rig.cpu.x(31) == 0)
}

@Test func pcRelativeMoveKeepAndWordLogicalForms() {
    let rig = MemoryTestRig()
    let base = MemoryTestRig.ramBase
    rig.cpu.regs[2] = 0x1111_2222_3333_4444
    rig.cpu.regs[3] = 0xFFFF_FFFF_0000_0000
    rig.cpu.regs[5] = 0xFFFF_FFFF_8000_00FF
    rig.cpu.regs[6] = 0x8000_0000
    rig.execute([
        0xB000_0000, // adrp x0, #0x1000
        0x1000_0041, // adr x1, #8
        0xF2B7_DDE2, // movk x2, #0xBEEF, lsl #16
        0x728A_AAA3, // movk w3, #0x5555
        0x6A06_00A4, // ands w4, w5, w6
    ])
    #expect(rig.cpu.regs[0] == base + 0x1000)
    #expect(rig.cpu.regs[1] == base + 4 + 8)
    #expect(rig.cpu.regs[2] == 0x1111_2222_BEEF_4444)
    #expect(rig.cpu.regs[3] == 0x5555)
    #expect(rig.cpu.regs[4] == 0x8000_0000)
    #expect(rig.cpu.nzcv == 0x8000_0000)
}

@Test func loadFromAMisalignedStackPointerStillChecksSCTLRSA() {
    let rig = MemoryTestRig()
    let base = MemoryTestRig.ramBase
    rig.write64(base + 0x1000, 0xC0DE)
    rig.cpu.sys.sctlr |= SCTLRBits.sa
    rig.cpu.regs[31] = base + 0x1000
    rig.execute([0xF940_03E1]) // ldr x1, [sp]
    #expect(rig.cpu.regs[1] == 0xC0DE)
    #expect(rig.lastSyndrome == nil)
    rig.cpu.regs[31] = base + 0x1008
    rig.execute([0xF940_03E1])
    #expect(rig.lastSyndrome == 0x9A00_0000) // EC 0x26, SP alignment fault
}

@Test func instructionsRetiredCountsEveryInstructionButAFaultedFetch() {
    let rig = MemoryTestRig()
    // add x1, x1, #1; b .-4 (a loop): the budget ends the run.
    rig.program([0x9100_0421, 0x17FF_FFFF])
    #expect(rig.run(7) == .budgetExhausted)
    #expect(rig.cpu.instructionsRetired == 7)
    #expect(rig.cpu.regs[1] == 4)
    // A misaligned PC: the fetch faults (PC alignment, taken to the vector) and does not retire.
    rig.cpu.pc = MemoryTestRig.ramBase + 2
    rig.run(1)
    #expect(rig.cpu.instructionsRetired == 7)
    #expect(rig.lastSyndrome == 0x8A00_0000) // EC 0x22
}
