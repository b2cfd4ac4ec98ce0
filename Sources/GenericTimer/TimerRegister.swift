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
}
