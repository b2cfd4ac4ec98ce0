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
