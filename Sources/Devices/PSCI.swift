/// PSCI 1.0 firmware (Arm DEN0022) for a guest that calls it with HVC or SMC.
///
/// The Machine passes the caller's x0-x3 here and carries out the returned `PSCIAction`; this
/// type only decides, from the shared `PowerStateTable` and the board's `PSCIPlatform`, what
/// the call means. Behaviour follows the specification and, where it leaves a choice, Linux
/// KVM's `psci.c`: CPU_SUSPEND is a standby (WFI-like) state, no Trusted OS is present, and
/// AFFINITY_INFO answers for affinity level 0 only.
public struct PSCI: Sendable {
    /// Function identifiers (SMC32 in the 0x84 range, SMC64 in the 0xC4 range).
    public enum Function {
        public static let smcccVersion: UInt32 = 0x8000_0000
        public static let smcccArchFeatures: UInt32 = 0x8000_0001
        public static let version: UInt32 = 0x8400_0000
        public static let cpuSuspend32: UInt32 = 0x8400_0001
        public static let cpuSuspend64: UInt32 = 0xC400_0001
        public static let cpuOff: UInt32 = 0x8400_0002
        public static let cpuOn32: UInt32 = 0x8400_0003
        public static let cpuOn64: UInt32 = 0xC400_0003
        public static let affinityInfo32: UInt32 = 0x8400_0004
        public static let affinityInfo64: UInt32 = 0xC400_0004
        public static let migrate32: UInt32 = 0x8400_0005
        public static let migrate64: UInt32 = 0xC400_0005
        public static let migrateInfoType: UInt32 = 0x8400_0006
        public static let migrateInfoUpCPU32: UInt32 = 0x8400_0007
        public static let migrateInfoUpCPU64: UInt32 = 0xC400_0007
        public static let systemOff: UInt32 = 0x8400_0008
        public static let systemReset: UInt32 = 0x8400_0009
        public static let features: UInt32 = 0x8400_000A
    }

    /// PSCI 1.0: major version in bits [31:16], minor in [15:0].
    public static let versionValue: UInt64 = 0x0001_0000
    /// SMCCC 1.0: this firmware offers none of the SMCCC 1.1 architecture calls.
    public static let smcccVersionValue: UInt64 = 0x0001_0000
    /// MIGRATE_INFO_TYPE 2: no Trusted OS, so nothing needs migrating.
    public static let migrateInfoTypeValue: UInt64 = 2
    /// MPIDR_EL1 affinity fields Aff3 [39:32], Aff2 [23:16], Aff1 [15:8], Aff0 [7:0].
    public static let affinityMask: UInt64 = 0xFF_00FF_FFFF

    public let powerStates: PowerStateTable
    public let platform: any PSCIPlatform
    /// KVM's choice: a target counts as on from the moment CPU_ON succeeds, so racing CPU_ONs
    /// get ALREADY_ON and never ON_PENDING (kvm-unit-tests' psci cpu-on test expects this).
    /// False keeps the spec's ON_PENDING window until the Machine reports the start.
    public let targetsOnAtOnce: Bool

    public init(powerStates: PowerStateTable, platform: any PSCIPlatform, targetsOnAtOnce: Bool = false) {
        self.powerStates = powerStates
        self.platform = platform
        self.targetsOnAtOnce = targetsOnAtOnce
    }

    /// Handles one call. `functionID` is the caller's x0 (only W0 is the identifier);
    /// `arguments` are x1-x3; `caller` is the calling vCPU's index.
    public func handle(functionID: UInt64, arguments: (UInt64, UInt64, UInt64), caller: Int) -> PSCIResult {
        let fid = UInt32(truncatingIfNeeded: functionID)
        // SMC32 calls (bit 30 clear) use only the low 32 bits of each argument register.
        let narrow: UInt64 = fid & 0x4000_0000 == 0 ? 0xFFFF_FFFF : ~0
        let a1 = arguments.0 & narrow, a2 = arguments.1 & narrow, a3 = arguments.2 & narrow

        switch fid {
        case Function.version:
            return PSCIResult(x0: Self.versionValue)
        case Function.smcccVersion:
            return PSCIResult(x0: Self.smcccVersionValue)
        case Function.cpuSuspend32, Function.cpuSuspend64:
            return PSCIResult(.success, action: .suspend)
        case Function.cpuOff:
            return cpuOff(caller: caller)
        case Function.cpuOn32, Function.cpuOn64:
            return cpuOn(target: a1, entry: a2, context: a3)
        case Function.affinityInfo32, Function.affinityInfo64:
            return affinityInfo(target: a1, lowestLevel: a2)
        case Function.migrateInfoType:
            return PSCIResult(x0: Self.migrateInfoTypeValue)
        case Function.systemOff:
            return PSCIResult(.success, action: .systemOff)
        case Function.systemReset:
            return PSCIResult(.success, action: .systemReset)
        case Function.features:
            return PSCIResult(features(of: UInt32(truncatingIfNeeded: a1)))
        default:
            return PSCIResult(.notSupported)
        }
    }

    /// PSCI_FEATURES: SUCCESS (0) for an implemented function, whose feature flags are all
    /// zero here (for CPU_SUSPEND: original power_state format, no OS-initiated mode).
    func features(of fid: UInt32) -> PSCIReturn {
        switch fid {
        case Function.version, Function.cpuSuspend32, Function.cpuSuspend64, Function.cpuOff,
             Function.cpuOn32, Function.cpuOn64, Function.affinityInfo32, Function.affinityInfo64,
             Function.migrateInfoType, Function.systemOff, Function.systemReset, Function.features,
             Function.smcccVersion:
            return .success
        default:
            return .notSupported
        }
    }

    func cpuOff(caller: Int) -> PSCIResult {
        // A vCPU that executes this call is on, whatever the table says; only a caller index
        // the table does not know is a Machine fault.
        guard powerStates.state(of: caller) != nil else {
            return PSCIResult(.internalFailure)
        }
        powerStates.setState(.off, of: caller)
        return PSCIResult(.success, action: .powerOff)
    }

    func cpuOn(target: UInt64, entry: UInt64, context: UInt64) -> PSCIResult {
        guard target & ~Self.affinityMask == 0, let vcpu = platform.vcpuIndex(mpidr: target) else {
            return PSCIResult(.invalidParameters)
        }
        // Arm Trusted Firmware's order: target, then entry point, then the target's state.
        guard platform.isValidEntryPoint(entry) else {
            return PSCIResult(.invalidAddress)
        }
        switch powerStates.compareExchange(vcpu, expected: .off, desired: targetsOnAtOnce ? .on : .onPending) {
        case .off?:
            return PSCIResult(.success, action: .powerOn(vcpu: vcpu, entry: entry, context: context))
        case .on?:
            return PSCIResult(.alreadyOn)
        case .onPending?:
            return PSCIResult(.onPending)
        case nil:
            return PSCIResult(.invalidParameters)
        }
    }

    func affinityInfo(target: UInt64, lowestLevel: UInt64) -> PSCIResult {
        guard lowestLevel == 0 else { return PSCIResult(.invalidParameters) }
        guard let vcpu = platform.vcpuIndex(mpidr: target & Self.affinityMask),
              let state = powerStates.state(of: vcpu) else {
            return PSCIResult(.invalidParameters)
        }
        return PSCIResult(x0: UInt64(state.rawValue))
    }
}
