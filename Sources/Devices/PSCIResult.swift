/// PSCI return codes (DEN0022, table "Return error codes").
public enum PSCIReturn: Int32, Sendable, Equatable {
    case success = 0
    case notSupported = -1
    case invalidParameters = -2
    case denied = -3
    case alreadyOn = -4
    case onPending = -5
    case internalFailure = -6
    case notPresent = -7
    case disabled = -8
    case invalidAddress = -9

    /// The value as the caller finds it in x0: the 32-bit code sign-extended, as KVM writes it.
    public var x0: UInt64 { UInt64(bitPattern: Int64(rawValue)) }
}

/// What the Machine has to do to complete a PSCI call; PSCI itself never touches a CPU.
public enum PSCIAction: Sendable, Equatable {
    /// Nothing: write `x0` and resume the caller.
    case none
    /// Start `vcpu` (already marked onPending) at `entry` in the state PSCI CPU_ON defines
    /// (x0 = `context`, EL1h, MMU and caches off, DAIF masked), then mark it on with
    /// `PowerStateTable.markStarted`. The caller resumes with `x0`.
    case powerOn(vcpu: Int, entry: UInt64, context: UInt64)
    /// Stop the calling vCPU (already marked off); it does not return from the call. A later
    /// CPU_ON starts it afresh.
    case powerOff
    /// Power the whole machine off; no vCPU resumes.
    case systemOff
    /// Reset the whole machine; no vCPU resumes in its current state.
    case systemReset
    /// CPU_SUSPEND treated as standby: let the caller wait as for WFI (until an interrupt is
    /// pending for it), then resume it with `x0` (SUCCESS).
    case suspend
}

/// The outcome of one PSCI call.
public struct PSCIResult: Sendable, Equatable {
    /// Value for the caller's x0 when (if) it resumes.
    public var x0: UInt64
    public var action: PSCIAction

    public init(x0: UInt64, action: PSCIAction = .none) {
        self.x0 = x0
        self.action = action
    }

    public init(_ code: PSCIReturn, action: PSCIAction = .none) {
        self.init(x0: code.x0, action: action)
    }
}
