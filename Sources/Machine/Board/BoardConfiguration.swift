/// Everything that varies between two 'virt' boards. The memory map itself is fixed
/// (`VirtMemoryMap`); this is what the command line chooses. One value feeds the devices, the
/// device tree and the loaders, so they cannot disagree.
public struct BoardConfiguration: Sendable, Equatable {
    public enum GICVersion: Sendable, Equatable, CaseIterable {
        case v2
        case v3
    }

    /// The PSCI conduit the guest must use. HVC is what KVM guests use; SMC is for guests that
    /// believe they run on firmware.
    public enum PSCIMethod: String, Sendable, Equatable, CaseIterable {
        case hvc
        case smc
    }

    public var vcpuCount: Int
    /// Bytes of RAM from `VirtMemoryMap.ramBase`; a multiple of 64 KiB.
    public var memorySize: UInt64
    public var gicVersion: GICVersion
    public var psciMethod: PSCIMethod
    /// Kernel command line (`/chosen/bootargs`); omitted from the device tree when empty.
    public var bootargs: String
    /// Guest physical range of the initrd, as placed by the loader (`BootLayout.initrd`).
    public var initrd: Range<UInt64>?
    /// Frequency of the PL011's reference clock (`apb-pclk`), as on QEMU.
    public var uartClockHz: UInt32

    public init(vcpuCount: Int = 1, memorySize: UInt64 = 128 << 20, gicVersion: GICVersion = .v3,
                psciMethod: PSCIMethod = .hvc, bootargs: String = "", initrd: Range<UInt64>? = nil,
                uartClockHz: UInt32 = 24_000_000) {
        self.vcpuCount = vcpuCount
        self.memorySize = memorySize
        self.gicVersion = gicVersion
        self.psciMethod = psciMethod
        self.bootargs = bootargs
        self.initrd = initrd
        self.uartClockHz = uartClockHz
    }

    /// Guest RAM as a region of the memory map.
    public var ram: VirtMemoryMap.Region {
        VirtMemoryMap.Region(base: VirtMemoryMap.ramBase, size: memorySize)
    }

    /// Largest vCPU count the chosen interrupt controller can address.
    public var maxVCPUs: Int {
        switch gicVersion {
        case .v2: return VirtMemoryMap.maxVCPUsGICv2
        case .v3: return VirtMemoryMap.maxVCPUsGICv3
        }
    }

    /// Smallest RAM accepted: room for a kernel and the 2 MiB device tree slot.
    public static let minMemorySize: UInt64 = 4 << 20
    /// RAM granule: QEMU's virt requires 64 KiB multiples so 64K-page guests can map all of it.
    public static let memoryGranule: UInt64 = 64 << 10

    /// Checks the configuration before any device is built, so a bad command line is reported
    /// as such rather than as a confused guest.
    public func validate() throws(BoardConfigurationError) {
        guard vcpuCount >= 1 else { throw .noVCPU }
        guard vcpuCount <= maxVCPUs else {
            throw .tooManyVCPUs(requested: vcpuCount, maximum: maxVCPUs, gicVersion: gicVersion)
        }
        guard memorySize >= Self.minMemorySize else {
            throw .memoryTooSmall(size: memorySize, minimum: Self.minMemorySize)
        }
        guard memorySize <= VirtMemoryMap.maxRAMSize else {
            throw .memoryTooLarge(size: memorySize, maximum: VirtMemoryMap.maxRAMSize)
        }
        guard memorySize % Self.memoryGranule == 0 else {
            throw .memoryNotAligned(size: memorySize, granule: Self.memoryGranule)
        }
        if let initrd {
            let ram = self.ram
            guard initrd.lowerBound >= ram.base, initrd.upperBound <= ram.end else {
                throw .initrdOutsideRAM(start: initrd.lowerBound, end: initrd.upperBound)
            }
        }
    }
}

/// Why a `BoardConfiguration` cannot be built.
public enum BoardConfigurationError: Error, Equatable, CustomStringConvertible {
    case initrdOutsideRAM(start: UInt64, end: UInt64)
    case memoryNotAligned(size: UInt64, granule: UInt64)
    case memoryTooLarge(size: UInt64, maximum: UInt64)
    case memoryTooSmall(size: UInt64, minimum: UInt64)
    case noVCPU
    case tooManyVCPUs(requested: Int, maximum: Int, gicVersion: BoardConfiguration.GICVersion)

    public var description: String {
        switch self {
        case let .initrdOutsideRAM(start, end):
            return "the initrd range \(bootHex(start))..\(bootHex(end)) is not inside guest RAM"
        case let .memoryNotAligned(size, granule):
            return "memory size \(bootHex(size)) is not a multiple of \(granule >> 10) KiB"
        case let .memoryTooLarge(size, maximum):
            return "memory size \(size >> 20) MiB is larger than the board's maximum of \(maximum >> 30) GiB"
        case let .memoryTooSmall(size, minimum):
            return "memory size \(size >> 10) KiB is smaller than the minimum of \(minimum >> 20) MiB"
        case .noVCPU:
            return "the machine needs at least one vCPU"
        case let .tooManyVCPUs(requested, maximum, gicVersion):
            let gic = gicVersion == .v2 ? "GICv2" : "GICv3"
            return "\(requested) vCPUs requested, but a \(gic) board supports at most \(maximum)"
        }
    }
}

/// `0x…` for messages.
@inline(__always)
func bootHex(_ value: UInt64) -> String { "0x" + String(value, radix: 16) }
