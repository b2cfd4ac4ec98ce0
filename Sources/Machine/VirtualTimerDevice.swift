import AArch64
import GenericTimer

/// The virtual timer and counter as the CPU sees "hardware": CNTV_* and CNTVCT_EL0 (and
/// CNTFRQ_EL0, and CNTPCT_EL0 when it is not trapped) are read and written without an exit,
/// with CNTVOFF applied by the timer. A write re-arms the background timer (inside `VCPUTimers`).
final class VirtualTimerDevice: DirectSystemRegisterDevice {
    let timers: VCPUTimers
    init(timers: VCPUTimers) { self.timers = timers }

    /// The timer register an encoding names (op0=3, op1=3, CRn=14: 0xDF00 | CRm << 3 | op2),
    /// matched on the raw value because this runs on every timer access.
    @inline(__always)
    static func timerRegister(_ register: SystemRegister) -> TimerRegister? {
        switch register.encoding {
        case 0xDF00: return .frequency
        case 0xDF01: return .physicalCount
        case 0xDF02: return .virtualCount
        case 0xDF10: return .physicalTimerValue
        case 0xDF11: return .physicalControl
        case 0xDF12: return .physicalCompare
        case 0xDF18: return .virtualTimerValue
        case 0xDF19: return .virtualControl
        case 0xDF1A: return .virtualCompare
        default: return nil
        }
    }

    func handles(_ register: SystemRegister) -> Bool { Self.timerRegister(register) != nil }

    /// What the CPU calls (with this device's unretained address; the vCPU keeps it alive): the
    /// same `read`/`write`, no reference counting. A register this device does not implement
    /// declines (UNDEFINED), as `handles` says.
    static let directEntryPoints = DirectEntryPoints(
        read: { context, encoding, value in
            guard let register = timerRegister(SystemRegister(encoding: encoding)) else { return false }
            value.pointee = Unmanaged<VirtualTimerDevice>.fromOpaque(context)
                ._withUnsafeGuaranteedRef { $0.timers.read(register) }
            return true
        },
        write: { context, encoding, value in
            guard timerRegister(SystemRegister(encoding: encoding)) != nil else { return false }
            Unmanaged<VirtualTimerDevice>.fromOpaque(context)
                ._withUnsafeGuaranteedRef { $0.write(SystemRegister(encoding: encoding), value: value) }
            return true
        })

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
