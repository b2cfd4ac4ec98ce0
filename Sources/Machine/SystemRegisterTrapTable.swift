import AArch64
import GenericTimer

/// The VMM's handlers for trapped system-register accesses, keyed by encoding and sorted, like
/// KVM's `sys_regs.c`: with the EL1 physical timer emulated, CNTP_CTL/CVAL/TVAL_EL0 (and
/// CNTPCT_EL0 if the CPU traps it) arrive here. A trapped register with no handler is
/// UNDEFINED in the guest — which is exactly `--ptimer absent`, the world before the series.
struct SystemRegisterTrapTable {
    private enum Handler {
        /// A physical-timer register emulated on the vCPU's `TimerContext`.
        case physicalTimer(TimerRegister, writable: Bool)
    }

    private let entries: [(register: SystemRegister, handler: Handler)]

    init(physicalTimer: VMConfiguration.PhysicalTimerMode) {
        var entries: [(SystemRegister, Handler)] = []
        if physicalTimer == .emulated {
            entries += [
                (.CNTPCT_EL0, .physicalTimer(.physicalCount, writable: false)),
                (.CNTP_TVAL_EL0, .physicalTimer(.physicalTimerValue, writable: true)),
                (.CNTP_CTL_EL0, .physicalTimer(.physicalControl, writable: true)),
                (.CNTP_CVAL_EL0, .physicalTimer(.physicalCompare, writable: true)),
            ]
        }
        self.entries = entries.sorted { $0.0 < $1.0 }
    }

    /// The registers this table emulates, in encoding order.
    var registers: [SystemRegister] { entries.map(\.register) }

    private func handler(for register: SystemRegister) -> Handler? {
        var low = 0, high = entries.count - 1
        while low <= high {
            let mid = (low + high) / 2
            if entries[mid].register == register { return entries[mid].handler }
            if entries[mid].register < register { low = mid + 1 } else { high = mid - 1 }
        }
        return nil
    }

    /// Emulates one trapped access and resumes the guest past it (or makes it UNDEFINED).
    func handle(_ access: SystemRegisterAccess, on vcpu: VCPU) {
        guard let handler = handler(for: access.register) else {
            vcpu.cpu.injectUndefined()
            return
        }
        switch handler {
        case let .physicalTimer(register, writable):
            if access.isRead {
                vcpu.cpu.completeSystemRegisterAccess(access, readValue: vcpu.timers.read(register))
            } else if writable {
                vcpu.timers.write(register, value: vcpu.cpu.x(access.rt))
                vcpu.cpu.completeSystemRegisterAccess(access)
            } else {
                vcpu.cpu.injectUndefined()
            }
        }
    }
}
