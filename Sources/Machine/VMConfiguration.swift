/// Everything that describes one VM before it starts, as the command line gives it.
public struct VMConfiguration: Sendable {
    public enum GICVersion: String, Sendable, CaseIterable { case v2, v3 }
    public enum PSCIConduit: String, Sendable, CaseIterable { case hvc, smc }
    /// `emulated`: the EL1 physical timer by trap-and-emulate (the series). `absent`: the
    /// behaviour before the series, where CNTP_* accesses are UNDEFINED.
    public enum PhysicalTimerMode: String, Sendable, CaseIterable { case emulated, absent }
    /// `host`: real time. `deterministic`: time derived from instructions retired; WFI jumps
    /// straight to the next deadline, so the same guest gives the same output on every run.
    public enum ClockMode: String, Sendable, CaseIterable { case host, deterministic }

    public var kernel: [UInt8]
    public var initrd: [UInt8]?
    public var bootargs: String = ""
    /// A user's device tree, used instead of the generated one.
    public var deviceTree: [UInt8]?
    public var vcpuCount: Int = 1
    public var memorySize: UInt64 = 256 << 20
    public var gicVersion: GICVersion = .v3
    public var psciConduit: PSCIConduit = .hvc
    public var physicalTimer: PhysicalTimerMode = .emulated
    public var clock: ClockMode = .host
    /// CNTFRQ_EL0 in Hz. 1 GHz is the Armv8.6 rule.
    public var counterFrequency: UInt64 = 1_000_000_000
    /// Where the guest's UART output goes.
    public var console: @Sendable (UInt8) -> Void = { _ in }
    /// How long after a timer deadline the background timer raises a line the vCPU's own thread
    /// has not raised (host clock only). Not a user option: tests set it huge to show that the
    /// vCPU threads meet their deadlines on their own.
    var backgroundTimerLateness: UInt64 = 500_000

    public init(kernel: [UInt8]) { self.kernel = kernel }

    public static let maximumMemory: UInt64 = 8 << 30
    public static let minimumMemory: UInt64 = 16 << 20

    /// The largest vCPU count each GIC model supports on this board.
    public static func maximumVCPUs(for gic: GICVersion) -> Int {
        BoardConfiguration(gicVersion: gic == .v2 ? .v2 : .v3).maxVCPUs
    }

    /// The board's view of this configuration (memory map, device tree).
    public var board: BoardConfiguration {
        BoardConfiguration(vcpuCount: vcpuCount, memorySize: memorySize,
                           gicVersion: gicVersion == .v2 ? .v2 : .v3,
                           psciMethod: psciConduit == .hvc ? .hvc : .smc, bootargs: bootargs)
    }

    /// Checks the values a user can get wrong, before anything is built.
    public func validate() throws(VMError) {
        guard vcpuCount >= 1 else { throw .invalidVCPUCount(vcpuCount) }
        guard vcpuCount <= Self.maximumVCPUs(for: gicVersion) else {
            throw .tooManyVCPUs(vcpuCount, gic: gicVersion, maximum: Self.maximumVCPUs(for: gicVersion))
        }
        guard memorySize >= Self.minimumMemory else { throw .memoryTooSmall(memorySize) }
        guard memorySize <= Self.maximumMemory else { throw .memoryTooLarge(memorySize) }
        guard memorySize % BoardConfiguration.memoryGranule == 0 else { throw .memoryNotPageMultiple(memorySize) }
        guard counterFrequency >= 1_000, counterFrequency <= 10_000_000_000 else {
            throw .invalidCounterFrequency(counterFrequency)
        }
    }
}

/// A problem that stops a VM from being built or run, with a message a user understands.
public enum VMError: Error, Equatable, CustomStringConvertible {
    case invalidVCPUCount(Int)
    case tooManyVCPUs(Int, gic: VMConfiguration.GICVersion, maximum: Int)
    case memoryTooSmall(UInt64)
    case memoryTooLarge(UInt64)
    case memoryNotPageMultiple(UInt64)
    case invalidCounterFrequency(UInt64)
    case bootImage(String)
    case deviceTree(String)

    public var description: String {
        switch self {
        case let .invalidVCPUCount(n): return "--smp must be at least 1 (got \(n))"
        case let .tooManyVCPUs(n, gic, maximum):
            return "\(n) vCPUs is too many for GIC\(gic.rawValue) on this board (at most \(maximum))"
        case let .memoryTooSmall(size):
            return "--memory \(size / 1024 / 1024)M is too small (at least \(VMConfiguration.minimumMemory >> 20)M)"
        case let .memoryTooLarge(size):
            return "--memory \(size >> 20)M is too large (at most \(VMConfiguration.maximumMemory >> 20)M)"
        case let .memoryNotPageMultiple(size):
            return "--memory \(size) bytes is not a multiple of \(BoardConfiguration.memoryGranule >> 10) KiB"
        case let .invalidCounterFrequency(hz):
            return "--counter-frequency \(hz) Hz is out of range (1 kHz to 10 GHz)"
        case let .bootImage(message): return message
        case let .deviceTree(message): return message
        }
    }
}

/// How a VM ended; the exit status of `armvm run`.
public enum VMExit: Equatable, Sendable {
    /// PSCI SYSTEM_OFF: status 0.
    case systemOff
    /// PSCI SYSTEM_RESET: status 3 (ArmVM does not reboot the guest itself).
    case systemReset
    /// Every vCPU is off or waiting with nothing that can wake it: status 4.
    case stalled(String)
    /// The guest put a vCPU into a state the CPU cannot continue from: status 5.
    case guestError(String)

    public var status: Int32 {
        switch self {
        case .systemOff: return 0
        case .systemReset: return 3
        case .stalled: return 4
        case .guestError: return 5
        }
    }
}
