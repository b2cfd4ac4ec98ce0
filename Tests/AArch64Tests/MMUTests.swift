// Stage 1 translation: granules, TTBR0/TTBR1, blocks, faults and their levels, permissions,
// AT into PAR_EL1, and the software TLB's invalidation. Page tables are built in guest RAM.
import Testing
@testable import AArch64

/// Tables for TTBR0 at 0x4040_0000 and TTBR1 at 0x4060_0000 (inside the rig's 8 MB of RAM).
struct MMURig {
    let rig: MemoryTestRig
    var low: PageTableBuilder
    var high: PageTableBuilder
    var cpu: CPU { rig.cpu }

    init(grainShift: Int = 12) {
        rig = MemoryTestRig()
        low = PageTableBuilder(rig: rig, grainShift: grainShift, tableArea: 0x4040_0000)
        high = PageTableBuilder(rig: rig, grainShift: grainShift, tableArea: 0x4060_0000)
        let tg0: UInt64, tg1: UInt64
        switch grainShift {
        case 14: tg0 = 0b10; tg1 = 0b01
        case 16: tg0 = 0b01; tg1 = 0b11
        default: tg0 = 0b00; tg1 = 0b10
        }
        // T0SZ = T1SZ = 16 (48-bit VAs), IPS = 48 bits.
        rig.cpu.sys.tcr = 16 | tg0 << 14 | 16 << 16 | tg1 << 30 | 0b101 << 32
        rig.cpu.sys.ttbr0 = low.root
        rig.cpu.sys.ttbr1 = high.root
        rig.cpu.sys.mair = 0xFF // index 0: Normal write-back
        rig.cpu.sys.sctlr |= 1 // M
        rig.cpu.invalidateTLB()
    }

    /// Reads through the MMU; on a fault returns nil (the syndrome is in `rig.lastSyndrome`).
    func read(_ va: UInt64, size: Int = 8, unprivileged: Bool = false) -> UInt64? {
        rig.cpu.readMemory(va, size: size, unprivileged: unprivileged)
    }

    func write(_ va: UInt64, _ value: UInt64, size: Int = 8) -> Bool {
        rig.cpu.writeMemory(va, size: size, value)
    }
}

let pageVA: UInt64 = 0x0000_0010_0000_0000
let highVA: UInt64 = 0xFFFF_8000_0001_0000

@Test(arguments: [12, 14, 16])
func pagesInEachGranuleForBothHalves(grainShift: Int) {
    var m = MMURig(grainShift: grainShift)
    let granule: UInt64 = 1 << UInt64(grainShift)
    m.low.map(pageVA, to: dataArea)
    m.high.map(highVA, to: dataArea + granule)
    m.rig.write64(dataArea + 8, 0x1111)
    m.rig.write64(dataArea + granule + granule - 8, 0x2222)
    #expect(m.read(pageVA + 8) == 0x1111)
    #expect(m.read(highVA + granule - 8) == 0x2222)
    #expect(m.write(pageVA + 16, 0x3333))
    #expect(m.rig.read64(dataArea + 16) == 0x3333)

    // The next page has no descriptor in the existing last-level table: level 3.
    #expect(m.read(pageVA + granule + 4) == nil)
    #expect(m.rig.lastSyndrome == 0x9600_0007)
    #expect(m.cpu.sys.far == pageVA + granule + 4)
    m.rig.clearFault()
    // Far away: nothing at the start level.
    #expect(m.read(0x0000_8000_0000_0000) == nil)
    #expect(m.rig.lastSyndrome == 0x9600_0004 | UInt32(m.low.startLevel))
}

@Test func addressOutsideBothRangesOrDisabledWalkIsALevel0TranslationFault() {
    var m = MMURig()
    m.low.map(pageVA, to: dataArea)
    #expect(m.read(0x0001_0000_0000_0000) == nil)
    #expect(m.rig.lastSyndrome == 0x9600_0004)
    m.rig.clearFault()
    #expect(m.read(0x8000_0000_0000_0000) == nil) // bit 55 clear but 63 set, no TBI
    #expect(m.rig.lastSyndrome == 0x9600_0004)
    m.rig.clearFault()
    m.cpu.sys.tcr |= 1 << 7 // EPD0
    m.cpu.invalidateTLB()
    #expect(m.read(pageVA) == nil)
    #expect(m.rig.lastSyndrome == 0x9600_0004)
}

@Test func topByteIgnoredOnlyWithTBI() {
    var m = MMURig()
    m.low.map(pageVA, to: dataArea)
    m.rig.write64(dataArea, 0x7777)
    let tagged = pageVA | 0x5A00_0000_0000_0000
    #expect(m.read(tagged) == nil)
    #expect(m.rig.lastSyndrome == 0x9600_0004)
    m.rig.clearFault()
    m.cpu.sys.tcr |= 1 << 37 // TBI0
    m.cpu.invalidateTLB()
    #expect(m.read(tagged) == 0x7777)
}

struct BlockCase: Sendable, CustomTestStringConvertible {
    let grainShift: Int, level: Int, va: UInt64, pa: UInt64, offset: UInt64
    var testDescription: String { "granule 2^\(grainShift) level \(level)" }
}

@Test(arguments: [
    BlockCase(grainShift: 12, level: 2, va: 0x2000_0000, pa: 0x4020_0000, offset: 0x1_2340), // 2 MB
    BlockCase(grainShift: 12, level: 1, va: 0xC000_0000, pa: 0x4000_0000, offset: 0x10_0000), // 1 GB
    BlockCase(grainShift: 14, level: 2, va: 0x4_0000_0000, pa: 0x4000_0000, offset: 0x10_0008), // 32 MB
    BlockCase(grainShift: 16, level: 2, va: 0x4_0000_0000, pa: 0x4000_0000, offset: 0x10_0010), // 512 MB
])
func blockDescriptors(_ c: BlockCase) {
    var m = MMURig(grainShift: c.grainShift)
    m.low.map(c.va, to: c.pa, level: c.level)
    m.rig.write64(c.pa + c.offset, 0xB10C)
    #expect(m.read(c.va + c.offset) == 0xB10C)
}

@Test func blockAtALevelThatHasNoBlocksIsATranslationFault() {
    var m = MMURig()
    m.low.map(0, to: 0, level: 0) // 4 KB granule: no level 0 blocks
    #expect(m.read(0x1000) == nil)
    #expect(m.rig.lastSyndrome == 0x9600_0004)
    var m64 = MMURig(grainShift: 16)
    m64.low.map(0, to: 0, level: 1) // 64 KB granule: no level 1 blocks in Armv8.0
    #expect(m64.read(0x1000) == nil)
    #expect(m64.rig.lastSyndrome == 0x9600_0005)
}

/// AP[2:1] in descriptor bits 7:6.
func ap(_ value: UInt64) -> UInt64 { PageTableBuilder.normal | value << 6 }

@Test func dataPermissions() {
    var m = MMURig()
    let el1Only = pageVA, el1ReadOnly = pageVA + 0x1000, shared = pageVA + 0x2000, sharedRO = pageVA + 0x3000
    m.low.map(el1Only, to: dataArea, attributes: ap(0b00))
    m.low.map(el1ReadOnly, to: dataArea, attributes: ap(0b10))
    m.low.map(shared, to: dataArea, attributes: ap(0b01))
    m.low.map(sharedRO, to: dataArea, attributes: ap(0b11))
    m.rig.write64(dataArea, 0x5EC)

    #expect(m.read(el1Only) == 0x5EC)
    #expect(m.read(el1Only, unprivileged: true) == nil) // LDTR at EL1: EL0 permissions, EC 0x25
    #expect(m.rig.lastSyndrome == 0x9600_000F)
    m.rig.clearFault()
    #expect(!m.write(el1ReadOnly, 1))
    #expect(m.rig.lastSyndrome == 0x9600_004F)
    m.rig.clearFault()
    #expect(m.read(shared, unprivileged: true) == 0x5EC)

    m.cpu.setPSTATE(0) // EL0
    #expect(m.read(el1Only) == nil)
    #expect(m.rig.lastSyndrome == 0x9200_000F) // EC 0x24
    m.rig.clearFault()
    m.cpu.setPSTATE(0) // back from the exception
    #expect(m.write(shared, 0x5ED))
    #expect(m.read(sharedRO) == 0x5ED)
    #expect(!m.write(sharedRO, 1))
    #expect(m.rig.lastSyndrome == 0x9200_004F)
}

@Test func apTableRestrictsEL0() {
    var m = MMURig()
    m.low.map(pageVA, to: dataArea, attributes: ap(0b01))
    let l0 = m.low.root + ((pageVA >> 39) & 511) * 8
    m.rig.write64(l0, m.rig.read64(l0) | 1 << 61) // APTable[0]: no EL0 access below
    #expect(m.read(pageVA, unprivileged: true) == nil)
    #expect(m.rig.lastSyndrome == 0x9600_000F)
}

@Test func accessFlagFault() {
    var m = MMURig()
    m.low.map(pageVA, to: dataArea, attributes: 3 << 8) // AF = 0
    #expect(m.read(pageVA) == nil)
    #expect(m.rig.lastSyndrome == 0x9600_000B)
    m.rig.clearFault()
    #expect(!m.write(pageVA, 1))
    #expect(m.rig.lastSyndrome == 0x9600_004B)
}

@Test func externalAbortForUnbackedPhysicalAddress() {
    var m = MMURig()
    m.low.map(pageVA, to: 0x1000_0000)
    #expect(m.read(pageVA + 0x18) == nil)
    #expect(m.rig.lastSyndrome == 0x9600_0010)
    #expect(m.cpu.sys.far == pageVA + 0x18)
}

@Test func addressSizeFaultBeyondIPS() {
    var m = MMURig()
    m.cpu.sys.tcr &= ~(7 << 32) // IPS = 32 bits
    m.low.map(pageVA, to: 0x1_0000_0000)
    #expect(m.read(pageVA) == nil)
    #expect(m.rig.lastSyndrome == 0x9600_0003)
}

@Test func addressTranslateFillsPAR() {
    var m = MMURig()
    m.cpu.sys.mair = 0xFF << 8 | 0x00 // index 1: Normal WB, index 0: Device-nGnRnE
    m.low.map(pageVA, to: dataArea + 0x3000, attributes: PageTableBuilder.normal | 1 << 2)
    m.low.map(pageVA + 0x1000, to: 0x0900_0000, attributes: 1 << 10) // Device, EL1 only
    let par = m.cpu.addressTranslate(pageVA + 0x123, el0: false, write: false)
    #expect(par == 0xFF00_0000_0000_0000 | (dataArea + 0x3000) | 1 << 11 | 1 << 9 | 0b11 << 7)
    let device = m.cpu.addressTranslate(pageVA + 0x1000, el0: false, write: true)
    #expect(device == 0x0900_0000 | 1 << 11 | 1 << 9 | 0b10 << 7)
    // Faults: F = 1 with FST, and nothing is taken.
    #expect(m.cpu.addressTranslate(pageVA + 0x1000, el0: true, write: false) == 0x800 | 0x0F << 1 | 1)
    #expect(m.cpu.addressTranslate(pageVA + 0x2000, el0: false, write: false) == 0x800 | 0x07 << 1 | 1)
    #expect(m.rig.lastSyndrome == nil)
    m.cpu.sys.sctlr &= ~1
    #expect(m.cpu.addressTranslate(0x4000_1234, el0: true, write: true)
            == 0x4000_1000 | 1 << 11 | 1 << 9 | 0b10 << 7)
}

@Test func staleTranslationUntilInvalidated() {
    var m = MMURig()
    m.low.map(pageVA, to: dataArea)
    m.rig.write64(dataArea, 0xA)
    m.rig.write64(dataArea + 0x1000, 0xB)
    #expect(m.read(pageVA) == 0xA)
    m.low.map(pageVA, to: dataArea + 0x1000)
    #expect(m.read(pageVA) == 0xA) // cached
    m.cpu.invalidateTLB(virtualAddress: pageVA)
    #expect(m.read(pageVA) == 0xB)
    m.low.map(pageVA, to: dataArea)
    #expect(m.read(pageVA) == 0xB)
    m.cpu.invalidateTLB()
    #expect(m.read(pageVA) == 0xA)
}

@Test func invalidateByAddressInsideACachedBlock() {
    var m = MMURig()
    m.low.map(0x2000_0000, to: 0x4020_0000, level: 2)
    m.rig.write64(0x4021_0000, 0xA)
    m.rig.write64(0x4001_0000, 0xB)
    #expect(m.read(0x2001_0000) == 0xA)
    m.low.map(0x2000_0000, to: 0x4000_0000, level: 2)
    m.cpu.invalidateTLB(virtualAddress: 0x2000_0000) // another page of the same block
    #expect(m.read(0x2001_0000) == 0xB)
}

@Test func pageCrossingAccessesThroughTwoMappings() {
    var m = MMURig()
    m.low.map(pageVA, to: dataArea + 0x5000)
    m.low.map(pageVA + 0x1000, to: dataArea + 0x2000, attributes: ap(0b10)) // read-only
    m.rig.write32(dataArea + 0x5FFC, 0x1122_3344)
    m.rig.write32(dataArea + 0x2000, 0x5566_7788)
    #expect(m.read(pageVA + 0xFFC) == 0x5566_7788_1122_3344)
    // The second page is read-only: the store faults and leaves the first page alone.
    #expect(!m.write(pageVA + 0xFFC, 0))
    #expect(m.rig.lastSyndrome == 0x9600_004F)
    #expect(m.cpu.sys.far == pageVA + 0x1000)
    #expect(m.rig.read32(dataArea + 0x5FFC) == 0x1122_3344)
}

/// An MMU rig whose code page (VA = PA = start of RAM) is mapped EL1 RWX.
func executingMMURig() -> MMURig {
    var m = MMURig()
    m.low.map(MemoryTestRig.ramBase, to: MemoryTestRig.ramBase)
    return m
}

@Test func instructionsRunThroughTranslation() {
    var m = executingMMURig()
    m.low.map(pageVA, to: dataArea)
    m.rig.write64(dataArea + 8, 0xC0DE)
    m.cpu.regs[2] = pageVA
    m.rig.execute([0xF940_0441, 0xF900_0841]) // ldr x1, [x2, #8]; str x1, [x2, #16]
    #expect(m.cpu.regs[1] == 0xC0DE)
    #expect(m.rig.read64(dataArea + 16) == 0xC0DE)
    #expect(m.cpu.pc == MemoryTestRig.ramBase + 8)
    m.cpu.regs[2] = pageVA + 0x10_0000 // unmapped
    m.rig.execute([0xF840_0841]) // ldtr x1, [x2]
    #expect(m.rig.lastSyndrome == 0x9600_0007)
}

@Test func instructionAborts() {
    var m = executingMMURig()
    let code = MemoryTestRig.ramBase
    m.rig.write32(code + 0x1000, 0xD503_201F)
    m.low.map(0x10_0000, to: code + 0x1000, attributes: PageTableBuilder.normal | 1 << 53) // PXN
    m.low.map(0x20_0000, to: code + 0x1000, attributes: ap(0b01)) // EL0-writable: not EL1-executable
    m.low.map(0x30_0000, to: code + 0x1000, attributes: ap(0b11) | 1 << 54) // UXN

    m.cpu.pc = 0x10_0000
    m.rig.run(1)
    #expect(m.rig.lastSyndrome == 0x8600_000F) // EC 0x21, permission level 3
    m.rig.clearFault()
    m.cpu.pc = 0x20_0000
    m.rig.run(1)
    #expect(m.rig.lastSyndrome == 0x8600_000F)
    m.rig.clearFault()
    m.cpu.pc = 0x10_1000 // no descriptor in the level 3 table
    m.rig.run(1)
    #expect(m.rig.lastSyndrome == 0x8600_0007)
    m.rig.clearFault()
    m.cpu.pc = code + 2
    m.rig.run(1)
    #expect(m.rig.lastSyndrome == 0x8A00_0000) // PC alignment
    #expect(m.cpu.sys.far == code + 2)
    m.rig.clearFault()
    m.cpu.setPSTATE(0)
    m.cpu.pc = 0x30_0000
    m.rig.run(1)
    #expect(m.rig.lastSyndrome == 0x8200_000F) // EC 0x20 from EL0
}

@Test func writableExecuteNever() {
    var m = executingMMURig()
    m.rig.write32(MemoryTestRig.ramBase + 0x1000, 0xF940_0441)
    m.low.map(0x10_0000, to: MemoryTestRig.ramBase + 0x1000) // EL1 RW
    m.cpu.regs[2] = MemoryTestRig.ramBase
    m.cpu.pc = 0x10_0000
    m.rig.run(1)
    #expect(m.rig.lastSyndrome == nil)
    m.cpu.sys.sctlr |= 1 << 19 // WXN
    m.cpu.invalidateTLB()
    m.cpu.pc = 0x10_0000
    m.rig.run(1)
    #expect(m.rig.lastSyndrome == 0x8600_000F)
}

@Test func mmuOffIsFlatAndFaultsBeyondThePhysicalAddressSize() {
    let rig = MemoryTestRig()
    rig.write64(dataArea, 0xF1A7)
    #expect(rig.cpu.readMemory(dataArea, size: 8) == 0xF1A7)
    #expect(rig.cpu.readMemory(0x0001_0000_0000_0000, size: 8) == nil)
    #expect(rig.lastSyndrome == 0x9600_0000) // address size fault, level 0
}

@Test func unprivilegedInstructionsUseEL0Permissions() {
    var m = executingMMURig()
    m.low.map(pageVA, to: dataArea, attributes: ap(0b00)) // EL1 only
    m.low.map(pageVA + 0x1000, to: dataArea + 0x1000, attributes: ap(0b11)) // read-only at both
    m.rig.write32(dataArea + 0x1000, 0x8000_0000)
    m.cpu.regs[2] = pageVA + 0x1000
    m.rig.execute([0xB880_0841]) // ldtrsw x1, [x2]
    #expect(m.cpu.regs[1] == 0xFFFF_FFFF_8000_0000)
    m.rig.execute([0xF800_0841]) // sttr x1, [x2]
    #expect(m.rig.lastSyndrome == 0x9600_004F) // from EL1, EL0 permissions
    m.rig.clearFault()
    m.cpu.regs[2] = pageVA
    m.rig.execute([0xF940_0041]) // ldr x1, [x2]: fine at EL1
    #expect(m.rig.lastSyndrome == nil)
    m.rig.execute([0xF840_0841]) // ldtr x1, [x2]
    #expect(m.rig.lastSyndrome == 0x9600_000F)
    #expect(m.cpu.sys.far == pageVA)
}

@Test func instructionFetchCacheFollowsInvalidation() {
    var m = executingMMURig()
    let pageA = MemoryTestRig.ramBase + 0x1000, pageB = MemoryTestRig.ramBase + 0x2000
    m.rig.write32(pageA, 0xF940_0441) // ldr x1, [x2, #8]
    m.rig.write32(pageB, 0xF940_0841) // ldr x1, [x2, #16]
    m.rig.write64(dataArea + 8, 0xA)
    m.rig.write64(dataArea + 16, 0xB)
    m.cpu.regs[2] = dataArea
    m.low.map(dataArea, to: dataArea)
    m.low.map(0x10_0000, to: pageA)
    m.cpu.pc = 0x10_0000
    m.rig.run(1)
    #expect(m.cpu.regs[1] == 0xA)
    m.low.map(0x10_0000, to: pageB)
    m.cpu.pc = 0x10_0000
    m.rig.run(1)
    #expect(m.cpu.regs[1] == 0xA) // stale until invalidated
    m.cpu.invalidateTLB(virtualAddress: 0x10_0000)
    m.cpu.pc = 0x10_0000
    m.rig.run(1)
    #expect(m.cpu.regs[1] == 0xB)
    #expect(m.rig.lastSyndrome == nil)
}

@Test func deviceMappedThroughTheMMUIsReachedOnEveryAccess() {
    var m = MMURig()
    let device = RecordingDevice()
    m.rig.bus.map(base: 0x0900_0000, size: 0x1000, device: device, name: "test")
    m.low.map(pageVA, to: 0x0900_0000, attributes: 1 << 10)
    #expect(m.read(pageVA + 0x10, size: 4) == 0xD000_0010)
    #expect(m.read(pageVA + 0x10, size: 4) == 0xD000_0010)
    #expect(m.write(pageVA + 0x20, 7, size: 4))
    #expect(device.reads.count == 2)
    #expect(device.writes.first?.offset == 0x20)
}
