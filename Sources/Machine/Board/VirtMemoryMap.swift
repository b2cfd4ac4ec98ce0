/// The guest physical memory map of the 'virt' board, kept identical to QEMU's `virt` machine
/// (hw/arm/virt.c `base_memmap`) so that guests built for QEMU — kvm-unit-tests, U-Boot, Linux —
/// find their devices without any change. Devices and the device tree both read these constants;
/// nothing else in the VMM may spell one of these addresses.
///
/// ```
///   0x0000_0000 ┌──────────────────────────────┐
///               │ (unmapped: QEMU's flash)     │
///   0x0800_0000 ├──────────────────────────────┤ GIC distributor (v2 and v3)       64 KiB
///   0x0801_0000 ├──────────────────────────────┤ GICv2 CPU interface               64 KiB
///   0x0802_0000 ├──────────────────────────────┤
///               │ (unmapped)                   │
///   0x080A_0000 ├──────────────────────────────┤ GICv3 redistributors, 128 KiB per vCPU
///               │                              │ (RD_base + SGI_base), 123 vCPUs max
///   0x0900_0000 ├──────────────────────────────┤ PL011 UART  (SPI 1, INTID 33)      4 KiB
///   0x0901_0000 ├──────────────────────────────┤ PL031 RTC   (SPI 2, INTID 34)      4 KiB
///   0x0901_1000 ├──────────────────────────────┤
///               │ (unmapped)                   │
///   0x0A00_0000 ├──────────────────────────────┤ virtio-mmio #0  (SPI 16, INTID 48) 0x200
///   0x0A00_0200 │ virtio-mmio #1 ... #31       │ 0x200 apart, SPIs 16...47
///   0x0A00_4000 ├──────────────────────────────┤
///               │ (unmapped)                   │
///   0x4000_0000 ├──────────────────────────────┤ RAM (1 GiB); kernel, initrd, DTB
///               │                              │
///               │          guest RAM           │
///               │                              │
///   RAM end     └──────────────────────────────┘ at most 0x40_0000_0000 (256 GiB)
/// ```
public enum VirtMemoryMap {
    /// A window of guest physical address space.
    public struct Region: Sendable, Equatable, CustomStringConvertible {
        public let base: UInt64
        public let size: UInt64

        public init(base: UInt64, size: UInt64) {
            self.base = base
            self.size = size
        }

        /// One past the last byte.
        public var end: UInt64 { base &+ size }

        public func contains(_ address: UInt64) -> Bool {
            address >= base && address &- base < size
        }

        public func overlaps(_ other: Region) -> Bool {
            size != 0 && other.size != 0 && base < other.end && other.base < end
        }

        public var description: String {
            "0x\(String(base, radix: 16))..0x\(String(end, radix: 16))"
        }
    }

    // MARK: RAM

    /// Start of RAM. QEMU's virt RAM starts here too, which is what guests linked for it expect.
    public static let ramBase: UInt64 = 0x4000_0000
    /// Highest end of RAM: QEMU puts its high MMIO (second redistributor region, PCIe) at 256 GiB.
    public static let ramLimit: UInt64 = 0x40_0000_0000
    /// The largest RAM the board can describe.
    public static let maxRAMSize: UInt64 = ramLimit - ramBase

    // MARK: Interrupt controller

    /// GIC distributor; the same window for GICv2 and GICv3.
    public static let gicDistributor = Region(base: 0x0800_0000, size: 0x1_0000)
    /// GICv2 CPU interface (GICC): two 4 KiB pages used, 64 KiB reserved as on QEMU.
    public static let gicCPUInterface = Region(base: 0x0801_0000, size: 0x1_0000)
    /// GICv3 redistributor region: one frame pair per vCPU, consecutive from the base.
    public static let gicRedistributors = Region(base: 0x080A_0000, size: 0x00F6_0000)
    /// Bytes of redistributor space per vCPU: RD_base frame + SGI_base frame (2 × 64 KiB).
    public static let gicRedistributorStride: UInt64 = 0x2_0000

    /// The redistributor frames of one vCPU, or nil past the region's end.
    public static func gicRedistributor(forVCPU index: Int) -> Region? {
        guard index >= 0, index < maxVCPUsGICv3 else { return nil }
        return Region(base: gicRedistributors.base + UInt64(index) * gicRedistributorStride,
                      size: gicRedistributorStride)
    }

    /// The redistributor window actually used by `vcpuCount` vCPUs.
    public static func gicRedistributorRegion(vcpuCount: Int) -> Region {
        Region(base: gicRedistributors.base,
               size: UInt64(max(0, min(vcpuCount, maxVCPUsGICv3))) * gicRedistributorStride)
    }

    /// vCPUs a GICv2 can address (8-bit CPU target lists).
    public static let maxVCPUsGICv2 = 8
    /// vCPUs whose redistributors fit in `gicRedistributors`: 0xF6_0000 / 0x2_0000 = 123.
    public static let maxVCPUsGICv3 = Int(gicRedistributors.size / gicRedistributorStride)

    // MARK: Devices

    /// PL011 UART, the console (`stdout-path`).
    public static let uart = Region(base: 0x0900_0000, size: 0x1000)
    /// PL031 real-time clock.
    public static let rtc = Region(base: 0x0901_0000, size: 0x1000)

    /// First virtio-mmio transport.
    public static let virtioBase: UInt64 = 0x0A00_0000
    /// Distance between two transports; also the size of each.
    public static let virtioStride: UInt64 = 0x200
    /// Number of transports the board (and its device tree) always provides.
    public static let virtioCount = 32

    /// The window of virtio-mmio transport `index` (0..<32), or nil when out of range.
    public static func virtio(_ index: Int) -> Region? {
        guard index >= 0, index < virtioCount else { return nil }
        return Region(base: virtioBase + UInt64(index) * virtioStride, size: virtioStride)
    }

    /// Every fixed MMIO window of the board for a GIC version, for overlap checks and listings.
    public static func mmioRegions(gicVersion: BoardConfiguration.GICVersion, vcpuCount: Int)
        -> [(name: String, region: Region)]
    {
        var list: [(name: String, region: Region)] = [("gic-distributor", gicDistributor)]
        switch gicVersion {
        case .v2: list.append(("gic-cpu-interface", gicCPUInterface))
        case .v3: list.append(("gic-redistributors", gicRedistributorRegion(vcpuCount: vcpuCount)))
        }
        list.append(("pl011", uart))
        list.append(("pl031", rtc))
        for i in 0..<virtioCount {
            if let r = virtio(i) { list.append(("virtio-mmio-\(i)", r)) }
        }
        return list
    }
}
