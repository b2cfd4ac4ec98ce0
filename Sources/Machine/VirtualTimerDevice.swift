import AArch64
import GenericTimer

/// The virtual timer and counter as the CPU sees "hardware": CNTV_* and CNTVCT_EL0 (and
/// CNTFRQ_EL0, and CNTPCT_EL0 when it is not trapped) are read and written without an exit,
/// with CNTVOFF applied by the timer. A write re-arms the background timer (inside `VCPUTimers`).
final class VirtualTimerDevice: SystemRegisterDevice {
    let timers: VCPUTimers
    init(timers: VCPUTimers) { self.timers = timers }

    static func timerRegister(_ register: SystemRegister) -> TimerRegister? {
        switch register {
        case .CNTFRQ_EL0: return .frequency
        case .CNTVCT_EL0: return .virtualCount
        case .CNTPCT_EL0: return .physicalCount
        case .CNTV_CTL_EL0: return .virtualControl
        case .CNTV_CVAL_EL0: return .virtualCompare
        case .CNTV_TVAL_EL0: return .virtualTimerValue
        case .CNTP_CTL_EL0: return .physicalControl
        case .CNTP_CVAL_EL0: return .physicalCompare
        case .CNTP_TVAL_EL0: return .physicalTimerValue
        default: return nil
        }
    }

    func handles(_ register: SystemRegister) -> Bool { Self.timerRegister(register) != nil }

    func read(_ register: SystemRegister) -> UInt64 {
        guard let r = Self.timerRegister(register) else { return 0 }
        return timers.read(r)
    }

    func write(_ register: SystemRegister, value: UInt64) {
        guard let r = Self.timerRegister(register), r != .frequency, r != .virtualCount, r != .physicalCount
        else { return }
        timers.write(r, value: value)
    }
}
