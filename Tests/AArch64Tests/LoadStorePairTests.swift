// LDP/STP/LDPSW/LDNP/STNP in each index mode, general and SIMD&FP registers.
import Testing
@testable import AArch64

@Test func storePairPreIndex() {
    let rig = rigWithData()
    rig.cpu.regs[2] = dataArea + 32
    rig.cpu.regs[1] = 0xAAAA
    rig.cpu.regs[3] = 0xBBBB
    rig.execute([0xA9BF_0C41]) // stp x1, x3, [x2, #-16]!
    #expect(rig.read64(dataArea + 16) == 0xAAAA)
    #expect(rig.read64(dataArea + 24) == 0xBBBB)
    #expect(rig.cpu.regs[2] == dataArea + 16)
}

@Test func loadPairPostIndexAndOffset() {
    let rig = rigWithData()
    rig.cpu.regs[2] = dataArea
    rig.execute([0xA8C1_0C41]) // ldp x1, x3, [x2], #16
    #expect(rig.cpu.regs[1] == pattern(dataArea))
    #expect(rig.cpu.regs[3] == pattern(dataArea + 8))
    #expect(rig.cpu.regs[2] == dataArea + 16)
    rig.execute([0xA940_0C41]) // ldp x1, x3, [x2]
    #expect(rig.cpu.regs[1] == pattern(dataArea + 16))
    #expect(rig.cpu.regs[3] == pattern(dataArea + 24))
    #expect(rig.cpu.regs[2] == dataArea + 16)
    rig.execute([0xA840_0C41]) // ldnp x1, x3, [x2]
    #expect(rig.cpu.regs[1] == pattern(dataArea + 16))
    #expect(rig.cpu.regs[3] == pattern(dataArea + 24))
}

@Test func loadPairSignedWord() {
    let rig = MemoryTestRig()
    rig.write32(dataArea + 8, 0x8000_0000)
    rig.write32(dataArea + 12, 0x7FFF_FFFF)
    rig.cpu.regs[2] = dataArea
    rig.execute([0x6941_0C41]) // ldpsw x1, x3, [x2, #8]
    #expect(rig.cpu.regs[1] == 0xFFFF_FFFF_8000_0000)
    #expect(rig.cpu.regs[3] == 0x7FFF_FFFF)
}

@Test func storePairOfWords() {
    let rig = MemoryTestRig()
    rig.cpu.regs[2] = dataArea
    rig.cpu.regs[1] = 0xFFFF_FFFF_1111_1111
    rig.cpu.regs[3] = 0xFFFF_FFFF_2222_2222
    rig.execute([0x2900_8C41]) // stp w1, w3, [x2, #4]
    #expect(rig.read64(dataArea) == 0x1111_1111_0000_0000)
    #expect(rig.read64(dataArea + 8) == 0x2222_2222)
}

@Test func vectorPairs() {
    let rig = rigWithData()
    rig.cpu.regs[2] = dataArea - 32
    rig.execute([0xAD41_0841]) // ldp q1, q2, [x2, #32]
    #expect(rig.cpu.vregs[2] == pattern(dataArea))
    #expect(rig.cpu.vregs[3] == pattern(dataArea + 8))
    #expect(rig.cpu.vregs[4] == pattern(dataArea + 16))
    #expect(rig.cpu.vregs[5] == pattern(dataArea + 24))
    rig.cpu.regs[2] = dataArea
    rig.execute([0x2D40_0841]) // ldp s1, s2, [x2]
    #expect(rig.cpu.vregs[2] == pattern(dataArea) & 0xFFFF_FFFF)
    #expect(rig.cpu.vregs[4] == pattern(dataArea) >> 32)
    #expect(rig.cpu.vregs[3] == 0)
    #expect(rig.cpu.vregs[5] == 0)
    rig.cpu.vregs[2] = 0x1234
    rig.cpu.vregs[4] = 0x5678
    rig.execute([0x6D00_0841]) // stp d1, d2, [x2]
    #expect(rig.read64(dataArea) == 0x1234)
    #expect(rig.read64(dataArea + 8) == 0x5678)
}

@Test func faultingLoadPairLeavesRegistersAlone() {
    let rig = MemoryTestRig()
    rig.cpu.regs[2] = 0x1000 // unmapped
    rig.cpu.regs[1] = 7
    rig.execute([0xA8C1_0C41]) // ldp x1, x3, [x2], #16
    #expect(rig.lastSyndrome == 0x9600_0010)
    #expect(rig.cpu.regs[1] == 7)
    #expect(rig.cpu.regs[2] == 0x1000)
}

/// LDP/STP of X registers run from the decode cache without the full decoder once their page
/// is in the TLB. The same program twice — cold (full decoder) and warm (fast path) — must give
/// the same, expected, result in every index mode, with XZR, with SP and across a page
/// boundary (which always takes the full decoder).
@Test func pairFastPathMatchesTheFullDecoder() {
    let rig = MemoryTestRig()
    let page: UInt64 = dataArea
    let stack: UInt64 = dataArea + 0x8000
    let program: [UInt32] = [
        0xA9BF_0C41, // stp x1, x3, [x2, #-16]!
        0xA902_7C44, // stp x4, xzr, [x2, #32]
        0xA8C1_1845, // ldp x5, x6, [x2], #16
        0xA941_7C47, // ldp x7, xzr, [x2, #16]
        0xA9BE_27E8, // stp x8, x9, [sp, #-32]!
        0xA8C2_2FEA, // ldp x10, x11, [sp], #32
        0xA91F_8C41, // stp x1, x3, [x2, #0x1f8]   (crosses into the next page)
        0xA95F_B44C, // ldp x12, x13, [x2, #0x1f8]
    ]
    let (a, b, c, d, e): (UInt64, UInt64, UInt64, UInt64, UInt64) =
        (0xAAAA_0001, 0xBBBB_0002, 0xCCCC_0003, 0xDDDD_0004, 0xEEEE_0005)
    for pass in ["cold", "warm"] {
        for r in [5, 6, 7, 10, 11, 12, 13] { rig.cpu.regs[r] = 0 }
        rig.write64(page + 0xE18, 0x5555)
        rig.cpu.regs[1] = a
        rig.cpu.regs[3] = b
        rig.cpu.regs[4] = c
        rig.cpu.regs[8] = d
        rig.cpu.regs[9] = e
        rig.cpu.regs[2] = page + 0xE00
        rig.cpu.regs[31] = stack
        #expect(rig.execute(program) == .budgetExhausted, "\(pass)")
        #expect(rig.read64(page + 0xDF0) == a && rig.read64(page + 0xDF8) == b, "\(pass)")
        #expect(rig.read64(page + 0xE10) == c && rig.read64(page + 0xE18) == 0, "\(pass)")
        #expect(rig.read64(page + 0xFF8) == a && rig.read64(page + 0x1000) == b, "\(pass)")
        #expect(rig.read64(stack - 32) == d && rig.read64(stack - 24) == e, "\(pass)")
        #expect(rig.cpu.regs[5] == a && rig.cpu.regs[6] == b && rig.cpu.regs[7] == c, "\(pass)")
        #expect(rig.cpu.regs[10] == d && rig.cpu.regs[11] == e, "\(pass)")
        #expect(rig.cpu.regs[12] == a && rig.cpu.regs[13] == b, "\(pass)")
        #expect(rig.cpu.regs[2] == page + 0xE00 && rig.cpu.regs[31] == stack, "\(pass)")
    }
}
