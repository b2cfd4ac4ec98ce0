// Exclusives (local monitor + compare-and-swap), load-acquire/store-release.
import Testing
@testable import AArch64

@Test func exclusivePairSucceeds() {
    let rig = MemoryTestRig()
    rig.write64(dataArea, 5)
    rig.cpu.regs[2] = dataArea
    rig.program([0xC85F_7C41, 0xC804_7C41]) // ldxr x1, [x2]; stxr w4, x1, [x2]
    rig.run(1)
    #expect(rig.cpu.regs[1] == 5)
    rig.cpu.regs[1] = 6
    rig.cpu.regs[4] = 99
    rig.run(1)
    #expect(rig.cpu.regs[4] == 0)
    #expect(rig.read64(dataArea) == 6)
    #expect(!rig.cpu.exclusiveOpen)
}

@Test func storeExclusiveWithoutReservationFails() {
    let rig = MemoryTestRig()
    rig.write64(dataArea, 5)
    rig.cpu.regs[2] = dataArea
    rig.cpu.regs[1] = 6
    rig.execute([0xC804_7C41]) // stxr w4, x1, [x2]
    #expect(rig.cpu.regs[4] == 1)
    #expect(rig.read64(dataArea) == 5)
}

@Test func storeExclusiveFailsAfterAnotherWriterOrToAnotherAddress() {
    let rig = MemoryTestRig()
    rig.write64(dataArea, 5)
    rig.cpu.regs[2] = dataArea
    rig.program([0xC85F_7C41, 0xC804_7C41]) // ldxr; stxr
    rig.run(1)
    rig.write64(dataArea, 9) // another vCPU's store
    rig.cpu.regs[1] = 6
    rig.run(1)
    #expect(rig.cpu.regs[4] == 1)
    #expect(rig.read64(dataArea) == 9)

    rig.program([0xC85F_7C41, 0xC804_7C41])
    rig.run(1)
    rig.cpu.regs[2] = dataArea + 8
    rig.run(1)
    #expect(rig.cpu.regs[4] == 1)
    #expect(rig.read64(dataArea + 8) == 0)
}

@Test func exclusiveWordsBytesAndAcquireRelease() {
    let rig = MemoryTestRig()
    rig.write64(dataArea, 0xFFFF_FFFF_8000_0001)
    rig.cpu.regs[2] = dataArea
    rig.program([0x885F_FC41, 0x8804_FC41]) // ldaxr w1, [x2]; stlxr w4, w1, [x2]
    rig.run(1)
    #expect(rig.cpu.regs[1] == 0x8000_0001)
    rig.cpu.regs[1] = 0x1234_0000_0000_0002
    rig.run(1)
    #expect(rig.cpu.regs[4] == 0)
    #expect(rig.read64(dataArea) == 0xFFFF_FFFF_0000_0002)

    rig.program([0x085F_7C41, 0x0804_7C41]) // ldxrb w1, [x2]; stxrb w4, w1, [x2]
    rig.run(1)
    #expect(rig.cpu.regs[1] == 2)
    rig.cpu.regs[1] = 0x1FF
    rig.run(1)
    #expect(rig.cpu.regs[4] == 0)
    #expect(rig.read64(dataArea) == 0xFFFF_FFFF_0000_00FF)
}

@Test func exclusivePairs() {
    let rig = MemoryTestRig()
    rig.write64(dataArea, 0x1111)
    rig.write64(dataArea + 8, 0x2222)
    rig.cpu.regs[2] = dataArea
    rig.program([0xC87F_0C41, 0xC824_0C41]) // ldxp x1, x3, [x2]; stxp w4, x1, x3, [x2]
    rig.run(1)
    #expect(rig.cpu.regs[1] == 0x1111)
    #expect(rig.cpu.regs[3] == 0x2222)
    rig.cpu.regs[1] = 0xA
    rig.cpu.regs[3] = 0xB
    rig.run(1)
    #expect(rig.cpu.regs[4] == 0)
    #expect(rig.read64(dataArea) == 0xA)
    #expect(rig.read64(dataArea + 8) == 0xB)

    rig.program([0x887F_0C41, 0x8824_0C41]) // ldxp w1, w3, [x2]; stxp w4, w1, w3, [x2]
    rig.run(1)
    #expect(rig.cpu.regs[1] == 0xA)
    #expect(rig.cpu.regs[3] == 0)
    rig.cpu.regs[1] = 0xC
    rig.cpu.regs[3] = 0xD
    rig.run(1)
    #expect(rig.cpu.regs[4] == 0)
    #expect(rig.read64(dataArea) == 0x0000_000D_0000_000C)
}

@Test func misalignedExclusivesAndAcquiresFaultEvenWithoutSCTLRA() {
    let rig = MemoryTestRig()
    rig.cpu.regs[2] = dataArea + 4
    rig.execute([0xC85F_7C41]) // ldxr x1, [x2]
    #expect(rig.lastSyndrome == 0x9600_0021)
    rig.clearFault()
    rig.execute([0xC804_7C41]) // stxr w4, x1, [x2]
    #expect(rig.lastSyndrome == 0x9600_0061)
    rig.clearFault()
    rig.execute([0xC8DF_FC41]) // ldar x1, [x2]
    #expect(rig.lastSyndrome == 0x9600_0021)
    rig.clearFault()
    rig.cpu.regs[2] = dataArea + 8
    rig.execute([0xC87F_0C41]) // ldxp x1, x3, [x2]: 16-byte alignment
    #expect(rig.lastSyndrome == 0x9600_0021)
}

@Test func loadAcquireStoreRelease() {
    let rig = MemoryTestRig()
    rig.cpu.regs[2] = dataArea
    rig.cpu.regs[1] = 0xFEED
    rig.execute([0xC89F_FC41]) // stlr x1, [x2]
    #expect(rig.read64(dataArea) == 0xFEED)
    rig.cpu.regs[1] = 0
    rig.execute([0xC8DF_FC41]) // ldar x1, [x2]
    #expect(rig.cpu.regs[1] == 0xFEED)
}

@Test func exclusiveThroughMisalignedStackPointerTakesSPAlignmentFault() {
    let rig = MemoryTestRig()
    rig.cpu.sys.sctlr |= 1 << 3
    rig.cpu.sp = dataArea + 8
    rig.execute([0xC85F_7FE1]) // ldxr x1, [sp]
    #expect(rig.lastSyndrome == 0x9A00_0000)
}
