// Load/store register forms: addressing modes, writeback, sign extension, literals, PRFM,
// register offsets, FP/SIMD registers, faults. Encodings from the toolchain's assembler.
import Testing
@testable import AArch64

/// Where the tests keep their data (the code is at the start of RAM).
let dataArea: UInt64 = 0x4010_0000

/// A rig with a recognisable 64-bit pattern at every 8 bytes of data-64 ..< data+64.
func rigWithData() -> MemoryTestRig {
    let rig = MemoryTestRig()
    for i in 0..<16 {
        rig.write64(dataArea - 64 + UInt64(8 * i), 0x1111_1111_0000_0000 &* UInt64(i + 1) | UInt64(i))
    }
    return rig
}

/// The pattern `rigWithData` put at `address` (8-byte aligned, within ±64 of the data area).
func pattern(_ address: UInt64) -> UInt64 {
    let i = (address - (dataArea - 64)) / 8
    return 0x1111_1111_0000_0000 &* (i + 1) | i
}

@Test func unsignedOffsetLoadsEachSize() {
    let rig = MemoryTestRig()
    rig.write64(dataArea, 0x8877_6655_4433_2211)
    rig.write64(dataArea + 8, 0xF0E0_D0C0_B0A0_9080)
    rig.cpu.regs[2] = dataArea
    rig.cpu.regs[3] = 0xFFFF_FFFF_FFFF_FFFF
    rig.execute([0xF940_0441]) // ldr x1, [x2, #8]
    #expect(rig.cpu.regs[1] == 0xF0E0_D0C0_B0A0_9080)
    rig.execute([0x3940_0443]) // ldrb w3, [x2, #1]
    #expect(rig.cpu.regs[3] == 0x22)
    rig.execute([0x7940_0443]) // ldrh w3, [x2, #2]
    #expect(rig.cpu.regs[3] == 0x4433)
    rig.execute([0xB940_0443]) // ldr w3, [x2, #4]
    #expect(rig.cpu.regs[3] == 0x8877_6655)
    #expect(rig.cpu.pc == MemoryTestRig.ramBase + 4)
}

@Test func unsignedOffsetStoresEachSize() {
    let rig = MemoryTestRig()
    rig.cpu.regs[2] = dataArea
    rig.cpu.regs[1] = 0x0102_0304_0506_0708
    rig.execute([0xF900_0441]) // str x1, [x2, #8]
    #expect(rig.read64(dataArea + 8) == 0x0102_0304_0506_0708)
    rig.write64(dataArea, ~0)
    rig.execute([0x3900_0041]) // strb w1, [x2]
    #expect(rig.read64(dataArea) == 0xFFFF_FFFF_FFFF_FF08)
    rig.execute([0x7900_0041]) // strh w1, [x2]
    #expect(rig.read64(dataArea) == 0xFFFF_FFFF_FFFF_0708)
    rig.execute([0xB900_0041]) // str w1, [x2]
    #expect(rig.read64(dataArea) == 0xFFFF_FFFF_0506_0708)
}

struct SignExtendCase: Sendable, CustomTestStringConvertible {
    let instruction: UInt32, memory: UInt64, expected: UInt64, name: String
    var testDescription: String { name }
}

@Test(arguments: [
    SignExtendCase(instruction: 0x3980_0043, memory: 0x80, expected: 0xFFFF_FFFF_FFFF_FF80, name: "ldrsb x"),
    SignExtendCase(instruction: 0x3980_0043, memory: 0x7F, expected: 0x7F, name: "ldrsb x positive"),
    SignExtendCase(instruction: 0x39C0_0043, memory: 0x80, expected: 0xFFFF_FF80, name: "ldrsb w"),
    SignExtendCase(instruction: 0x7980_0043, memory: 0x8001, expected: 0xFFFF_FFFF_FFFF_8001, name: "ldrsh x"),
    SignExtendCase(instruction: 0x79C0_0043, memory: 0x8001, expected: 0xFFFF_8001, name: "ldrsh w"),
    SignExtendCase(instruction: 0xB980_0043, memory: 0x8000_0001, expected: 0xFFFF_FFFF_8000_0001, name: "ldrsw"),
    SignExtendCase(instruction: 0xB980_0043, memory: 0x7000_0001, expected: 0x7000_0001, name: "ldrsw positive"),
])
func signExtendingLoads(_ c: SignExtendCase) {
    let rig = MemoryTestRig()
    rig.write64(dataArea, c.memory | 0x5555_0000_0000_0000)
    rig.cpu.regs[2] = dataArea
    rig.cpu.regs[3] = 0x1234_5678_9ABC_DEF0
    rig.execute([c.instruction])
    #expect(rig.cpu.regs[3] == c.expected)
}

struct IndexCase: Sendable, CustomTestStringConvertible {
    let instruction: UInt32, base: UInt64, accessed: UInt64, baseAfter: UInt64, name: String
    var testDescription: String { name }
}

@Test(arguments: [
    IndexCase(instruction: 0xF841_0C41, base: dataArea, accessed: dataArea + 16, baseAfter: dataArea + 16,
              name: "ldr x1, [x2, #16]!"),
    IndexCase(instruction: 0xF85F_0441, base: dataArea, accessed: dataArea, baseAfter: dataArea - 16,
              name: "ldr x1, [x2], #-16"),
    IndexCase(instruction: 0xF85F_8041, base: dataArea + 8, accessed: dataArea, baseAfter: dataArea + 8,
              name: "ldur x1, [x2, #-8]"),
    IndexCase(instruction: 0xF940_0441, base: dataArea, accessed: dataArea + 8, baseAfter: dataArea,
              name: "ldr x1, [x2, #8]"),
])
func immediateIndexModes(_ c: IndexCase) {
    let rig = rigWithData()
    rig.cpu.regs[2] = c.base
    rig.execute([c.instruction])
    #expect(rig.cpu.regs[1] == pattern(c.accessed))
    #expect(rig.cpu.regs[2] == c.baseAfter)
}

@Test func preIndexStoreThroughStackPointer() {
    let rig = rigWithData()
    rig.cpu.sp = dataArea + 32
    rig.cpu.regs[1] = 0xABCD
    rig.execute([0xF81F_0FE1]) // str x1, [sp, #-16]!
    #expect(rig.read64(dataArea + 16) == 0xABCD)
    #expect(rig.cpu.sp == dataArea + 16)
}

@Test func unscaledStoreAtOddOffset() {
    let rig = MemoryTestRig()
    rig.cpu.regs[2] = dataArea + 3
    rig.cpu.regs[1] = 0xAABB_CCDD
    rig.execute([0xB81F_D041]) // stur w1, [x2, #-3]
    #expect(rig.read64(dataArea) == 0xAABB_CCDD)
}

@Test func postIndexByteLoadSignExtends() {
    let rig = MemoryTestRig()
    rig.write8(dataArea, 0xFE)
    rig.cpu.regs[2] = dataArea
    rig.execute([0x38C0_1443]) // ldrsb w3, [x2], #1
    #expect(rig.cpu.regs[3] == 0xFFFF_FFFE)
    #expect(rig.cpu.regs[2] == dataArea + 1)
}

@Test func loadWithWritebackIntoItsBaseDoesNotCrash() {
    let rig = rigWithData()
    rig.cpu.regs[2] = dataArea
    rig.execute([0xF840_8C42]) // ldr x2, [x2, #8]! (CONSTRAINED UNPREDICTABLE)
    #expect(rig.cpu.regs[2] == pattern(dataArea + 8))
    #expect(rig.cpu.pc == MemoryTestRig.ramBase + 4)
}

struct RegisterOffsetCase: Sendable, CustomTestStringConvertible {
    let instruction: UInt32, base: UInt64, index: UInt64, accessed: UInt64, name: String
    var testDescription: String { name }
}

@Test(arguments: [
    RegisterOffsetCase(instruction: 0xF863_6841, base: dataArea, index: 8, accessed: dataArea + 8,
                       name: "[x2, x3]"),
    RegisterOffsetCase(instruction: 0xF863_7841, base: dataArea, index: 2, accessed: dataArea + 16,
                       name: "[x2, x3, lsl #3]"),
    RegisterOffsetCase(instruction: 0xF863_4841, base: dataArea, index: 0xFFFF_FFFF_0000_0008,
                       accessed: dataArea + 8, name: "[x2, w3, uxtw]"),
    RegisterOffsetCase(instruction: 0xF863_D841, base: dataArea + 32, index: 0xFFFF_FFFE,
                       accessed: dataArea + 16, name: "[x2, w3, sxtw #3]"),
])
func registerOffsets(_ c: RegisterOffsetCase) {
    let rig = rigWithData()
    rig.cpu.regs[2] = c.base
    rig.cpu.regs[3] = c.index
    rig.execute([c.instruction])
    #expect(rig.cpu.regs[1] == pattern(c.accessed))
    #expect(rig.cpu.regs[2] == c.base)
}

@Test func halfwordRegisterOffsetScalesByTwo() {
    let rig = rigWithData()
    rig.cpu.regs[2] = dataArea
    rig.cpu.regs[3] = 4
    rig.execute([0x7863_7841]) // ldrh w1, [x2, x3, lsl #1]
    #expect(rig.cpu.regs[1] == pattern(dataArea + 8) & 0xFFFF)
}

@Test func literalLoads() {
    let rig = MemoryTestRig()
    let base = MemoryTestRig.ramBase
    rig.write64(base + 16, 0x8000_0000_9000_0001)
    rig.write64(base + 24, 0x0123_4567_89AB_CDEF)
    rig.execute([0x5800_0081]) // ldr x1, .+16
    #expect(rig.cpu.regs[1] == 0x8000_0000_9000_0001)
    rig.execute([0x9800_0081]) // ldrsw x1, .+16
    #expect(rig.cpu.regs[1] == 0xFFFF_FFFF_9000_0001)
    rig.cpu.vregs[3] = 0x77
    rig.execute([0x5C00_0081]) // ldr d1, .+16
    #expect(rig.cpu.vregs[2] == 0x8000_0000_9000_0001)
    #expect(rig.cpu.vregs[3] == 0)
    rig.execute([0x9C00_0081]) // ldr q1, .+16
    #expect(rig.cpu.vregs[2] == 0x8000_0000_9000_0001)
    #expect(rig.cpu.vregs[3] == 0x0123_4567_89AB_CDEF)
}

@Test(arguments: [
    UInt32(0xF980_0040), // prfm pldl1keep, [x2]
    0xF8A3_6840, // prfm pldl1keep, [x2, x3]
    0xF89F_F040, // prfum pldl1keep, [x2, #-1]
    0xD800_0040, // prfm pldl1keep, .+8
])
func prefetchOfUnmappedMemoryDoesNotFault(_ instruction: UInt32) {
    let rig = MemoryTestRig()
    rig.cpu.regs[2] = 0x1000 // nothing there
    rig.cpu.regs[3] = 0
    let exit = rig.execute([instruction, 0xF980_0040])
    #expect(exit == .budgetExhausted)
    #expect(rig.cpu.pc == MemoryTestRig.ramBase + 8)
}

@Test func pageCrossingLoadAndStore() {
    let rig = MemoryTestRig()
    rig.write32(dataArea + 0xFFC, 0x1122_3344)
    rig.write32(dataArea + 0x1000, 0x5566_7788)
    rig.cpu.regs[2] = dataArea + 0xFFC
    rig.execute([0xF940_0041]) // ldr x1, [x2]
    #expect(rig.cpu.regs[1] == 0x5566_7788_1122_3344)
    rig.cpu.regs[2] = dataArea + 0x1FFE
    rig.cpu.regs[1] = 0xA1A2_A3A4
    rig.execute([0xB900_0041]) // str w1, [x2]
    #expect(rig.read32(dataArea + 0x1FFC) >> 16 == 0xA3A4)
    #expect(rig.read32(dataArea + 0x2000) & 0xFFFF == 0xA1A2)
}

@Test func unallocatedAndArmv81EncodingsAreUndefined() {
    for instruction: UInt32 in [
        0xF821_0062, // ldadd x1, x2, [x3] (Armv8.1)
        0xB9C0_0043, // size 10, opc 11: unallocated
        0x6901_0C41, // "stpsw": opc 01, L 0
        0xF8C1_0C41, // size 11, opc 11 pre-index: unallocated
    ] {
        let rig = MemoryTestRig()
        rig.cpu.regs[2] = dataArea
        rig.cpu.regs[3] = dataArea
        rig.execute([instruction])
        #expect(rig.lastSyndrome == 0x0200_0000, "instruction 0x\(String(instruction, radix: 16))")
    }
}

@Test func alignmentFaultOnlyWithSCTLRA() {
    let rig = rigWithData()
    rig.cpu.regs[2] = dataArea + 1
    rig.execute([0xF940_0041]) // ldr x1, [x2]: misaligned is fine with A = 0
    #expect(rig.cpu.regs[1] == pattern(dataArea) >> 8 | pattern(dataArea + 8) << 56)
    #expect(rig.lastSyndrome == nil)
    rig.cpu.sys.sctlr |= 1 << 1
    rig.execute([0xF940_0041])
    #expect(rig.lastSyndrome == 0x9600_0021) // EC 0x25, IL, alignment fault
    #expect(rig.cpu.sys.far == dataArea + 1)
    rig.clearFault()
    rig.execute([0xF900_0041]) // str x1, [x2]
    #expect(rig.lastSyndrome == 0x9600_0061) // ... with WnR
    rig.clearFault()
    rig.cpu.regs[2] = dataArea + 4
    rig.execute([0xB940_0041]) // ldr w1, [x2]: aligned to its size
    #expect(rig.lastSyndrome == nil)
}

@Test func stackPointerAlignmentCheck() {
    let rig = rigWithData()
    rig.cpu.sp = dataArea + 8
    rig.execute([0xF940_0BE1]) // ldr x1, [sp, #16]: SA clear, fine
    #expect(rig.cpu.regs[1] == pattern(dataArea + 24))
    rig.cpu.sys.sctlr |= 1 << 3 // SA
    rig.execute([0xF940_0BE1])
    #expect(rig.lastSyndrome == 0x9A00_0000) // EC 0x26, IL
    rig.clearFault()
    rig.cpu.sp = dataArea
    rig.cpu.regs[2] = dataArea + 8 // a misaligned non-SP base is not checked
    rig.execute([0xF940_0BE1, 0xF940_0441])
    #expect(rig.lastSyndrome == nil)
    #expect(rig.cpu.regs[1] == pattern(dataArea + 16))
}

/// Records accesses; a read returns 0xD000_0000 | offset.
final class RecordingDevice: MMIODevice, @unchecked Sendable {
    var writes: [(offset: UInt64, size: Int, value: UInt64)] = []
    var reads: [(offset: UInt64, size: Int)] = []
    func read(offset: UInt64, size: Int, vcpu: Int) -> UInt64? {
        reads.append((offset, size))
        return 0xD000_0000 | offset
    }
    func write(offset: UInt64, size: Int, value: UInt64, vcpu: Int) -> Bool {
        writes.append((offset, size, value))
        return true
    }
}

@Test func deviceAccessesGoThroughTheBusEveryTime() {
    let rig = MemoryTestRig()
    let device = RecordingDevice()
    rig.bus.map(base: 0x0900_0000, size: 0x1000, device: device, name: "test")
    rig.cpu.regs[2] = 0x0900_0004
    rig.cpu.regs[1] = 0x42
    rig.execute([0xB940_0043, 0xB940_0043, 0xB900_0041]) // ldr w3, [x2] twice; str w1, [x2]
    #expect(rig.cpu.regs[3] == 0xD000_0004)
    #expect(device.reads.count == 2)
    #expect(device.writes.count == 1)
    #expect(device.writes.first?.value == 0x42)
    #expect(device.writes.first?.size == 4)
    #expect(device.writes.first?.offset == 4)
}

@Test func unmappedPhysicalAddressIsAnExternalAbort() {
    let rig = MemoryTestRig()
    rig.cpu.regs[2] = 0x1000
    rig.execute([0xB940_0043]) // ldr w3, [x2]
    #expect(rig.lastSyndrome == 0x9600_0010)
    rig.clearFault()
    rig.execute([0xB900_0041]) // str w1, [x2]
    #expect(rig.lastSyndrome == 0x9600_0050)
}

@Test func vectorRegisterLoadsAndStores() {
    let rig = rigWithData()
    rig.cpu.regs[2] = dataArea
    rig.cpu.vregs[3] = 0xFFFF
    rig.execute([0x3DC0_0441]) // ldr q1, [x2, #16]
    #expect(rig.cpu.vregs[2] == pattern(dataArea + 16))
    #expect(rig.cpu.vregs[3] == pattern(dataArea + 24))
    rig.execute([0x3D80_0841]) // str q1, [x2, #32]
    #expect(rig.read64(dataArea + 32) == pattern(dataArea + 16))
    #expect(rig.read64(dataArea + 40) == pattern(dataArea + 24))
    rig.execute([0x3D40_0041]) // ldr b1, [x2]
    #expect(rig.cpu.vregs[2] == pattern(dataArea) & 0xFF)
    #expect(rig.cpu.vregs[3] == 0)
    rig.execute([0x7D40_0041]) // ldr h1, [x2]
    #expect(rig.cpu.vregs[2] == pattern(dataArea) & 0xFFFF)
    rig.cpu.vregs[2] = 0x1122_3344_5566_7788
    rig.execute([0xBD00_0041]) // str s1, [x2]
    #expect(rig.read64(dataArea) == pattern(dataArea) & 0xFFFF_FFFF_0000_0000 | 0x5566_7788)
    rig.cpu.regs[3] = 16
    rig.execute([0xFC63_6841]) // ldr d1, [x2, x3]
    #expect(rig.cpu.vregs[2] == pattern(dataArea + 16))
    rig.execute([0x3CDF_0041]) // ldur q1, [x2, #-16]
    #expect(rig.cpu.vregs[2] == pattern(dataArea - 16))
    #expect(rig.cpu.vregs[3] == pattern(dataArea - 8))
    rig.execute([0xFC00_8441]) // str d1, [x2], #8
    #expect(rig.read64(dataArea) == pattern(dataArea - 16))
    #expect(rig.cpu.regs[2] == dataArea + 8)
}

@Test func fpLoadsAndStoresTrapWhenCPACRSaysSo() {
    let rig = rigWithData()
    rig.cpu.regs[2] = dataArea
    rig.cpu.sys.cpacr = 0
    rig.execute([0x3DC0_0441]) // ldr q1, [x2, #16]
    #expect(rig.lastSyndrome == 0x1E00_0000) // EC 0x07, IL
    rig.clearFault()
    rig.cpu.sys.cpacr = 1 << 20 // FPEN = 01: EL1 allowed
    rig.execute([0x3DC0_0441])
    #expect(rig.lastSyndrome == nil)
    #expect(rig.cpu.vregs[2] == pattern(dataArea + 16))
    rig.cpu.setPSTATE(0) // EL0t: trapped
    rig.execute([0x6D00_0841]) // stp d1, d2, [x2]
    #expect(rig.lastSyndrome == 0x1E00_0000)
}
