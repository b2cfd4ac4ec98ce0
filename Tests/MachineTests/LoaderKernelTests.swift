import Testing
@testable import Machine

/// Kernel recognition and placement (booting.rst for Image, the ELF64 spec for ELF).
@Suite struct LoaderKernelTests {
    static let ram: Range<UInt64> = 0x4000_0000..<0x4000_0000 + (64 << 20)

    @Test func linuxImageGoesAtTextOffsetAbove2MiBBase() throws {
        let file = CraftedImages.linuxImage(textOffset: 0x8_0000, imageSize: 0x20_0000)
        let k = try KernelImage(file, ram: Self.ram)
        #expect(k.format == .linuxImage(textOffset: 0x8_0000, imageSize: 0x20_0000, flags: 0xA))
        #expect(k.entry == 0x4008_0000)
        #expect(k.segments == [.init(fileRange: 0..<file.count, address: 0x4008_0000, memorySize: 0x20_0000)])
        #expect(k.footprint == 0x4008_0000..<0x4028_0000)
    }

    @Test func linuxImageWithZeroImageSizeUsesLegacyOffset() throws {
        // Pre-3.17 header: text_offset in unknown endianness, image_size 0 → assume 0x80000.
        let file = CraftedImages.linuxImage(textOffset: 0x1234_5678, imageSize: 0)
        let k = try KernelImage(file, ram: Self.ram)
        #expect(k.entry == 0x4008_0000)
        #expect(k.footprint == 0x4008_0000..<0x4008_0000 + UInt64(file.count))
    }

    @Test func bigEndianImageIsRefused() {
        #expect(throws: BootError.bigEndianKernel) {
            try KernelImage(CraftedImages.linuxImage(textOffset: 0, imageSize: 0x1000, flags: 1), ram: Self.ram)
        }
    }

    @Test func imageLargerThanRAM() {
        let file = CraftedImages.linuxImage(textOffset: 0x8_0000, imageSize: 64 << 20)
        #expect(throws: BootError.imageLargerThanRAM(size: 0x8_0000 + (64 << 20), ramSize: 64 << 20)) {
            try KernelImage(file, ram: Self.ram)
        }
    }

    @Test func hugeTextOffsetDoesNotWrap() {
        let file = CraftedImages.linuxImage(textOffset: UInt64.max - 0x10, imageSize: 0x1000)
        #expect(throws: BootError.self) { try KernelImage(file, ram: Self.ram) }
    }

    @Test func rawBinaryAtRAMBase() throws {
        let file: [UInt8] = [0x00, 0x00, 0x80, 0xD2, 0xC0, 0x03, 0x5F, 0xD6]  // tiny: shorter than a header
        let k = try KernelImage(file, ram: Self.ram)
        #expect(k.format == .raw)
        #expect(k.entry == 0x4000_0000)
        #expect(k.footprint == 0x4000_0000..<0x4000_0008)
    }

    @Test func rawBinaryLargerThanRAM() {
        let ram: Range<UInt64> = 0x4000_0000..<0x4000_1000
        #expect(throws: BootError.imageLargerThanRAM(size: 0x1001, ramSize: 0x1000)) {
            try KernelImage([UInt8](repeating: 1, count: 0x1001), ram: ram)
        }
    }

    @Test func emptyKernel() {
        #expect(throws: BootError.emptyKernel) { try KernelImage([], ram: Self.ram) }
    }

    @Test func elfTwoSegmentsWithBss() throws {
        let file = CraftedImages.twoSegmentELF
        let k = try KernelImage(file, ram: Self.ram)
        #expect(k.format == .elf)
        #expect(k.entry == 0x4000_0000)
        #expect(k.segments.count == 2)
        #expect(k.segments[0] == .init(fileRange: 176..<184, address: 0x4000_0000, memorySize: 8))
        #expect(k.segments[1] == .init(fileRange: 184..<188, address: 0x4001_0000, memorySize: 0x100))
        #expect(k.footprint == 0x4000_0000..<0x4001_0100)
    }

    @Test func elfEntryIsTranslatedFromVirtualToPhysical() throws {
        let file = CraftedImages.elf(segments: [
            .init(vaddr: 0xFFFF_0000_0000_0000, paddr: 0x4020_0000, data: [1, 2, 3, 4], memsz: 0x1000),
        ], entry: 0xFFFF_0000_0000_0040)
        #expect(try KernelImage(file, ram: Self.ram).entry == 0x4020_0040)
    }

    @Test func elfTruncatedHeader() {
        let file = Array(CraftedImages.twoSegmentELF.prefix(40))
        #expect(throws: BootError.elfTruncatedHeader(size: 40)) { try KernelImage(file, ram: Self.ram) }
    }

    @Test func elf32IsRefused() {
        let file = CraftedImages.elf(segments: [], entry: 0, elfClass: 1)
        #expect(throws: BootError.elfBadClass(found: 1)) { try KernelImage(file, ram: Self.ram) }
    }

    @Test func elfBigEndianIsRefused() {
        let file = CraftedImages.elf(segments: [], entry: 0, data: 2)
        #expect(throws: BootError.elfNotLittleEndian) { try KernelImage(file, ram: Self.ram) }
    }

    @Test func elfWrongMachine() {
        let file = CraftedImages.elf(segments: [.init(vaddr: 0x4000_0000, paddr: 0x4000_0000, data: [0], memsz: 1)],
                                     entry: 0x4000_0000, machine: 62)
        #expect(throws: BootError.elfWrongMachine(found: 62)) { try KernelImage(file, ram: Self.ram) }
    }

    @Test func elfRelocatableObjectIsRefused() {
        let file = CraftedImages.elf(segments: [.init(vaddr: 0x4000_0000, paddr: 0x4000_0000, data: [0], memsz: 1)],
                                     entry: 0x4000_0000, type: 1)
        #expect(throws: BootError.elfNotExecutable(type: 1)) { try KernelImage(file, ram: Self.ram) }
    }

    @Test func elfTruncatedProgramHeaders() {
        let file = Array(CraftedImages.twoSegmentELF.prefix(100))
        #expect(throws: BootError.elfTruncatedProgramHeaders(offset: 64, count: 2, entrySize: 56, fileSize: 100)) {
            try KernelImage(file, ram: Self.ram)
        }
    }

    @Test func elfSegmentBeyondFile() {
        let file = Array(CraftedImages.twoSegmentELF.dropLast(2))   // second segment's data cut short
        #expect(throws: BootError.elfSegmentBeyondFile(index: 1, offset: 184, size: 4, fileSize: 186)) {
            try KernelImage(file, ram: Self.ram)
        }
    }

    @Test func elfSegmentOutsideRAM() {
        let file = CraftedImages.elf(segments: [.init(vaddr: 0x0900_0000, paddr: 0x0900_0000, data: [1], memsz: 0x10)],
                                     entry: 0x0900_0000)
        #expect(throws: BootError.segmentOutsideRAM(index: 0, range: 0x0900_0000..<0x0900_0010, ram: Self.ram)) {
            try KernelImage(file, ram: Self.ram)
        }
    }

    @Test func elfSegmentsOverlapping() {
        let file = CraftedImages.elf(segments: [
            .init(vaddr: 0x4000_0000, paddr: 0x4000_0000, data: [1], memsz: 0x2000),
            .init(vaddr: 0x4000_1000, paddr: 0x4000_1000, data: [2], memsz: 0x10),
        ], entry: 0x4000_0000)
        #expect(throws: BootError.overlap(first: "ELF segment 0", firstRange: 0x4000_0000..<0x4000_2000,
                                          second: "ELF segment 1", secondRange: 0x4000_1000..<0x4000_1010)) {
            try KernelImage(file, ram: Self.ram)
        }
    }

    @Test func elfWithoutLoadableSegment() {
        let file = CraftedImages.elf(segments: [.init(type: 4, vaddr: 0, paddr: 0, data: [1], memsz: 1)], entry: 0)
        #expect(throws: BootError.elfNoLoadableSegment) { try KernelImage(file, ram: Self.ram) }
    }

    @Test func elfFileSizeLargerThanMemorySize() {
        let file = CraftedImages.elf(segments: [.init(vaddr: 0x4000_0000, paddr: 0x4000_0000, data: [1, 2], memsz: 1)],
                                     entry: 0x4000_0000)
        #expect(throws: BootError.elfSegmentFileSizeExceedsMemorySize(index: 0, fileSize: 2, memorySize: 1)) {
            try KernelImage(file, ram: Self.ram)
        }
    }

    @Test func elfEntryOutsideRAM() {
        let file = CraftedImages.elf(segments: [.init(vaddr: 0x4000_0000, paddr: 0x4000_0000, data: [1], memsz: 1)],
                                     entry: 0x1000)
        #expect(throws: BootError.entryOutsideRAM(entry: 0x1000)) { try KernelImage(file, ram: Self.ram) }
    }
}


/// Crafted kernel files for the loader tests.
enum CraftedImages {
    static func le(_ v: UInt64, _ n: Int) -> [UInt8] { (0..<n).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }

    /// A Linux arm64 Image: the 64-byte header then `payload`.
    static func linuxImage(textOffset: UInt64, imageSize: UInt64, flags: UInt64 = 0xA,
                           payload: [UInt8] = Array(repeating: 0xD5, count: 64)) -> [UInt8] {
        var h = le(0x1400_0010, 4) + le(0, 4)                   // code0: b +0x40, code1
        h += le(textOffset, 8) + le(imageSize, 8) + le(flags, 8)
        h += le(0, 8) + le(0, 8) + le(0, 8)
        h += Array("ARM\u{64}".utf8) + le(0, 4)
        return h + payload
    }

    struct Segment {
        var type: UInt32 = 1
        var vaddr: UInt64
        var paddr: UInt64
        var data: [UInt8]
        var memsz: UInt64
    }

    /// An ELF64 file: header, program headers, then each segment's data in order.
    static func elf(segments: [Segment], entry: UInt64, elfClass: UInt8 = 2, data: UInt8 = 1,
                    type: UInt16 = 2, machine: UInt16 = 183) -> [UInt8] {
        let phoff = 64
        var dataOffset = phoff + 56 * segments.count
        var file = [0x7F, 0x45, 0x4C, 0x46, elfClass, data, 1, 0] + [UInt8](repeating: 0, count: 8)
        file += le(UInt64(type), 2) + le(UInt64(machine), 2) + le(1, 4)
        file += le(entry, 8) + le(UInt64(phoff), 8) + le(0, 8)   // e_entry, e_phoff, e_shoff
        file += le(0, 4) + le(64, 2) + le(56, 2) + le(UInt64(segments.count), 2) + le(64, 2) + le(0, 2) + le(0, 2)
        for s in segments {
            file += le(UInt64(s.type), 4) + le(7, 4)
            file += le(UInt64(dataOffset), 8) + le(s.vaddr, 8) + le(s.paddr, 8)
            file += le(UInt64(s.data.count), 8) + le(s.memsz, 8) + le(0x1000, 8)
            dataOffset += s.data.count
        }
        for s in segments { file += s.data }
        return file
    }

    /// Two segments: code at the RAM base, data + bss 64 KiB above.
    static var twoSegmentELF: [UInt8] {
        elf(segments: [
            Segment(vaddr: 0x4000_0000, paddr: 0x4000_0000, data: [1, 2, 3, 4, 5, 6, 7, 8], memsz: 8),
            Segment(vaddr: 0x4001_0000, paddr: 0x4001_0000, data: [9, 10, 11, 12], memsz: 0x100),
        ], entry: 0x4000_0000)
    }

    /// A minimal valid DTB.
    static var dtb: [UInt8] {
        (try? FlattenedDeviceTree(root: DeviceTreeNode("", properties: [.u32("#address-cells", 2)])).serialize()) ?? []
    }
}
