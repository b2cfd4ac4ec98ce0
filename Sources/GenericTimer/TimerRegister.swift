/// The generic-timer registers a vCPU can access at EL1/EL0. The Machine maps system-register
/// encodings (and trap syndromes) to these; the timer does not know encodings.
public enum TimerRegister: Sendable, Hashable, CaseIterable {
    /// `CNTFRQ_EL0`
    case frequency
    /// `CNTPCT_EL0`
    case physicalCount
    /// `CNTVCT_EL0`
    case virtualCount
    /// `CNTP_CTL_EL0`
    case physicalControl
    /// `CNTP_CVAL_EL0`
    case physicalCompare
    /// `CNTP_TVAL_EL0`
    case physicalTimerValue
    /// `CNTV_CTL_EL0`
    case virtualControl
    /// `CNTV_CVAL_EL0`
    case virtualCompare
    /// `CNTV_TVAL_EL0`
    case virtualTimerValue

    /// Registers an EL1/EL0 write cannot change: MSR to the counts is UNDEFINED, and CNTFRQ_EL0
    /// is writable only at the highest implemented EL (the Machine decides how to treat such a
    /// write; `VCPUTimers.write` ignores it).
    public var isReadOnly: Bool {
        switch self {
        case .frequency, .physicalCount, .virtualCount: true
        default: false
        }
    }

    /// The timer a register belongs to, nil for the frequency and the counts.
    public var timer: TimerKind? {
        switch self {
        case .physicalControl, .physicalCompare, .physicalTimerValue: .physical
        case .virtualControl, .virtualCompare, .virtualTimerValue: .virtual
        case .frequency, .physicalCount, .virtualCount: nil
        }
    }

    /// The register's AArch64 system-register encoding (op0, op1, CRn, CRm, op2), as in an MRS/
    /// MSR instruction or an ESR_EL2 EC 0x18 syndrome (Arm ARM D23, generic timer registers).
    public var encoding: (op0: Int, op1: Int, crn: Int, crm: Int, op2: Int) {
        switch self {
        case .frequency: (3, 3, 14, 0, 0)
        case .physicalCount: (3, 3, 14, 0, 1)
        case .virtualCount: (3, 3, 14, 0, 2)
        case .physicalTimerValue: (3, 3, 14, 2, 0)
        case .physicalControl: (3, 3, 14, 2, 1)
        case .physicalCompare: (3, 3, 14, 2, 2)
        case .virtualTimerValue: (3, 3, 14, 3, 0)
        case .virtualControl: (3, 3, 14, 3, 1)
        case .virtualCompare: (3, 3, 14, 3, 2)
        }
    }

    /// The timer register with this encoding, nil for any other (so a trap handler can route
    /// an access without a table of its own; the timer module still knows no CPU types).
    public init?(op0: Int, op1: Int, crn: Int, crm: Int, op2: Int) {
        guard op0 == 3, op1 == 3, crn == 14 else { return nil }
        switch (crm, op2) {
        case (0, 0): self = .frequency
        case (0, 1): self = .physicalCount
        case (0, 2): self = .virtualCount
        case (2, 0): self = .physicalTimerValue
        case (2, 1): self = .physicalControl
        case (2, 2): self = .physicalCompare
        case (3, 0): self = .virtualTimerValue
        case (3, 1): self = .virtualControl
        case (3, 2): self = .virtualCompare
        default: return nil
        }
    }
}
