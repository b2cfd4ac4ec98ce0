import AArch64
import Testing
@testable import Machine

/// Placement of initrd and DTB, and the copy into guest RAM.
@Suite struct LoaderLayoutTests {
    static let base: UInt64 = 0x4000_0000
    static func ram(_ mib: UInt64) -> Range<UInt64> { base..<base + (mib << 20) }
    static func raw(_ size: Int, ram: Range<UInt64>) throws -> KernelImage {
        try KernelImage([UInt8](repeating: 0x1F, count: size), ram: ram)
    }

    @Test(arguments: [
        // RAM MiB, initrd offset from base: min(RAM/2, 128 MiB); DTB: last 2 MiB block below 512 MiB
        (UInt64(64), UInt64(32 << 20), UInt64(62 << 20)),
        (256, 128 << 20, 254 << 20),
        (1024, 128 << 20, 510 << 20),
    ])
    func defaultPlacement(ramMiB: UInt64, initrdOffset: UInt64, dtbOffset: UInt64) throws {
        let ram = Self.ram(ramMiB)
        let layout = try BootLayout(kernel: try Self.raw(4096, ram: ram), initrd: [UInt8](repeating: 7, count: 5000), ram: ram)
        #expect(layout.entry == Self.base)
        #expect(layout.initrd == Self.base + initrdOffset..<Self.base + initrdOffset + 5000)
        #expect(layout.dtbAddress == Self.base + dtbOffset)
        #expect(layout.dtbSlot.count == 2 << 20)
    }

    @Test func initrdFollowsALargeKernelPageAligned() throws {
        let ram = Self.ram(128)
        let kernel = try KernelImage(CraftedImages.linuxImage(textOffset: 0x8_0000, imageSize: (80 << 20) + 1), ram: ram)
        let layout = try BootLayout(kernel: kernel, initrd: [1, 2, 3], ram: ram)
        // Kernel ends at base + 0x80000 + 80 MiB + 1, above the preferred base + 64 MiB.
        let start = Self.base + 0x8_0000 + (80 << 20) + 4096
        #expect(layout.initrd == start..<start + 3)
    }

    @Test func initrdDoesNotFit() throws {
        let ram = Self.ram(16)
        #expect(throws: BootError.initrdDoesNotFit(size: 10 << 20, start: Self.base + (8 << 20), ramEnd: ram.upperBound)) {
            try BootLayout(kernel: try Self.raw(4096, ram: ram), initrd: [UInt8](repeating: 0, count: 10 << 20), ram: ram)
        }
    }

    @Test func dtbMovesAfterALargeInitrd() throws {
        // Plan only (no 1 GiB allocation): a 400 MiB initrd at +128 MiB covers the 510 MiB slot.
        let ram = Self.ram(1024)
        let kernel = KernelImage(format: .raw, segments: [.init(fileRange: 0..<1, address: Self.base, memorySize: 1)],
                                 entry: Self.base, bytes: [0])
        let layout = try BootLayout(kernel: kernel, initrdSize: 400 << 20, ram: ram)
        #expect(layout.initrd == Self.base + (128 << 20)..<Self.base + (528 << 20))
        #expect(layout.dtbAddress == Self.base + (528 << 20))
    }

    @Test func dtbDoesNotFitAfterInitrdFillingRAM() throws {
        let ram = Self.ram(64)
        // initrd at +32 MiB up to +63 MiB: the top slot is taken and nothing is left after it.
        #expect(throws: BootError.dtbDoesNotFit(size: 2 << 20)) {
            try BootLayout(kernel: try Self.raw(4096, ram: ram), initrd: [UInt8](repeating: 0, count: 31 << 20), ram: ram)
        }
    }

    @Test func fixedInitrdOverlappingKernel() throws {
        let ram = Self.ram(64)
        let kernel = try Self.raw(0x2000, ram: ram)
        #expect(throws: BootError.overlap(first: "initrd", firstRange: Self.base + 0x1000..<Self.base + 0x1010,
                                          second: "kernel", secondRange: Self.base..<Self.base + 0x2000)) {
            try BootLayout(kernel: kernel, initrd: [UInt8](repeating: 0, count: 0x10), ram: ram,
                           options: .init(initrdAddress: Self.base + 0x1000))
        }
    }

    @Test func fixedDTBOverlappingInitrd() throws {
        let ram = Self.ram(64)
        let initrdStart = Self.base + (32 << 20)
        #expect(throws: BootError.overlap(first: "device tree", firstRange: initrdStart + 8..<initrdStart + 8 + (2 << 20),
                                          second: "initrd", secondRange: initrdStart..<initrdStart + 0x100)) {
            try BootLayout(kernel: try Self.raw(16, ram: ram), initrd: [UInt8](repeating: 0, count: 0x100), ram: ram,
                           options: .init(dtbAddress: initrdStart + 8))
        }
    }

    @Test func fixedDTBMustBeAlignedAndInRAM() throws {
        let ram = Self.ram(64)
        let kernel = try Self.raw(16, ram: ram)
        #expect(throws: BootError.dtbMisaligned(address: Self.base + 0x10_0004)) {
            try BootLayout(kernel: kernel, initrd: nil, ram: ram, options: .init(dtbAddress: Self.base + 0x10_0004))
        }
        #expect(throws: BootError.dtbOutsideRAM(address: 0x1000)) {
            try BootLayout(kernel: kernel, initrd: nil, ram: ram, options: .init(dtbAddress: 0x1000))
        }
    }

    @Test func fixedInitrdOutsideRAM() throws {
        let ram = Self.ram(64)
        #expect(throws: BootError.initrdOutsideRAM(start: ram.upperBound - 4, size: 8)) {
            try BootLayout(kernel: try Self.raw(16, ram: ram), initrd: [UInt8](repeating: 0, count: 8), ram: ram,
                           options: .init(initrdAddress: ram.upperBound - 4))
        }
    }

    // MARK: Copying

    static func bytes(_ bus: PhysicalBus, _ address: UInt64, _ count: Int) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: bus.read(address + UInt64($0), size: 1, vcpu: 0) ?? 0xEE) }
    }

    @Test func elfLoadCopiesSegmentsAndZeroesBss() throws {
        let bus = PhysicalBus(ramBase: Self.base, ramSize: 16 << 20)
        try bus.load([UInt8](repeating: 0xAA, count: 0x200), at: 0x4001_0000)     // stale memory
        let info = try loadBootImages(kernel: CraftedImages.twoSegmentELF, initrd: nil, dtb: CraftedImages.dtb, into: bus)
        #expect(info.entry == 0x4000_0000)
        #expect(info.format == .elf)
        #expect(Self.bytes(bus, 0x4000_0000, 8) == [1, 2, 3, 4, 5, 6, 7, 8])
        #expect(Self.bytes(bus, 0x4001_0000, 4) == [9, 10, 11, 12])
        #expect(Self.bytes(bus, 0x4001_0004, 0xFC) == [UInt8](repeating: 0, count: 0xFC))
        #expect(Self.bytes(bus, 0x4001_0100, 4) == [0xAA, 0xAA, 0xAA, 0xAA])      // past memsz: untouched
        #expect(info.dtbAddress == Self.base + (14 << 20))
        #expect(Self.bytes(bus, info.dtbAddress, info.dtbSize) == CraftedImages.dtb)
    }

    @Test func userDTBGetsTheInitrdRangeInChosen() throws {
        let bus = PhysicalBus(ramBase: Self.base, ramSize: 32 << 20)
        let initrd: [UInt8] = Array(0..<200)
        let info = try loadBootImages(kernel: CraftedImages.linuxImage(textOffset: 0x8_0000, imageSize: 0x1000),
                                      initrd: initrd, dtb: CraftedImages.dtb, into: bus)
        let range = try #require(info.initrd)
        #expect(range == Self.base + (16 << 20)..<Self.base + (16 << 20) + 200)
        #expect(Self.bytes(bus, range.lowerBound, 200) == initrd)
        let tree = try FlattenedDeviceTree(parsing: Self.bytes(bus, info.dtbAddress, info.dtbSize))
        #expect(tree.root.property("#address-cells")?.u32 == 2)                   // user's content kept
        #expect(tree.root.node(at: "/chosen")?.property("linux,initrd-start")?.u64 == range.lowerBound)
        #expect(tree.root.node(at: "/chosen")?.property("linux,initrd-end")?.u64 == range.upperBound)
    }

    @Test func virtBoardBootEndToEnd() throws {
        let config = BoardConfiguration(vcpuCount: 2, memorySize: 32 << 20, bootargs: "console=ttyAMA0")
        let bus = PhysicalBus(ramBase: VirtMemoryMap.ramBase, ramSize: config.memorySize)
        let kernel = CraftedImages.linuxImage(textOffset: 0x8_0000, imageSize: 0x10_0000)
        let info = try loadBootImages(kernel: kernel, initrd: [1, 2, 3, 4], config: config, into: bus)
        #expect(info.entry == 0x4008_0000)
        #expect(Self.bytes(bus, info.entry, kernel.count) == kernel)
        #expect(info.dtbAddress % 8 == 0)
        let root = try FlattenedDeviceTree(parsing: Self.bytes(bus, info.dtbAddress, info.dtbSize)).root
        #expect(root.node(at: "/chosen")?.property("linux,initrd-start")?.u64 == info.initrd?.lowerBound)
        #expect(root.node(at: "/chosen")?.property("bootargs")?.string == "console=ttyAMA0")
        #expect(root.node(at: "/memory@40000000")?.property("reg")?.cells == [0, 0x4000_0000, 0, 32 << 20])
    }

    @Test func invalidDTBIsRefusedBeforeAnythingIsCopied() throws {
        let bus = PhysicalBus(ramBase: Self.base, ramSize: 16 << 20)
        var dtb = CraftedImages.dtb
        dtb[0] = 0
        #expect(throws: BootError.invalidDTB(.badMagic(found: 0x000D_FEED))) {
            try loadBootImages(kernel: [1, 2, 3, 4], initrd: nil, dtb: dtb, into: bus)
        }
        #expect(Self.bytes(bus, Self.base, 4) == [0, 0, 0, 0])
    }

    @Test func dtbLargerThanTwoMiB() throws {
        let bus = PhysicalBus(ramBase: Self.base, ramSize: 16 << 20)
        let big = FlattenedDeviceTree(root: DeviceTreeNode("", properties: [DeviceTreeProperty("x", bytes: [UInt8](repeating: 0, count: 2 << 20))]))
        let dtb = try big.serialize()
        #expect(throws: BootError.dtbTooLarge(size: dtb.count, maximum: 2 << 20)) {
            try loadBootImages(kernel: [1, 2, 3, 4], initrd: nil, dtb: dtb, into: bus)
        }
    }

    @Test func emptyInitrdIsNoInitrd() throws {
        let bus = PhysicalBus(ramBase: Self.base, ramSize: 16 << 20)
        let info = try loadBootImages(kernel: [1, 2, 3, 4], initrd: [], dtb: CraftedImages.dtb, into: bus)
        #expect(info.initrd == nil)
        let tree = try FlattenedDeviceTree(parsing: Self.bytes(bus, info.dtbAddress, info.dtbSize))
        #expect(tree.root.node(at: "/chosen") == nil)
    }

    @Test func sizeOnlyPlanCannotLoadAnInitrd() throws {
        let bus = PhysicalBus(ramBase: Self.base, ramSize: 16 << 20)
        let ram = Self.ram(16)
        let layout = try BootLayout(kernel: try Self.raw(16, ram: ram), initrdSize: 100, ram: ram)
        #expect(throws: BootError.initrdMissing) { try layout.load(dtb: CraftedImages.dtb, into: bus) }
    }

    @Test func configurationAndBusMustAgreeOnRAM() throws {
        let bus = PhysicalBus(ramBase: Self.base, ramSize: 16 << 20)
        #expect(throws: BootError.ramMismatch(planned: Self.base..<Self.base + (32 << 20), bus: Self.base..<Self.base + (16 << 20))) {
            try loadBootImages(kernel: [1, 2, 3, 4], initrd: nil, config: BoardConfiguration(memorySize: 32 << 20), into: bus)
        }
    }

    @Test func errorMessagesNameTheProblem() {
        #expect(BootError.elfWrongMachine(found: 62).description.contains("AArch64"))
        #expect(BootError.initrdDoesNotFit(size: 10, start: 0x4000_0000, ramEnd: 0x4000_0008).description.contains("more memory"))
        #expect(BootError.overlap(first: "initrd", firstRange: 0..<1, second: "kernel", secondRange: 0..<1).description
            == "the initrd (0x0..0x1) overlaps the kernel (0x0..0x1)")
    }
}
