import AArch64
import GenericTimer

/// The VMM's handlers for trapped system-register accesses, keyed by encoding and sorted, like
/// KVM's `sys_regs.c`: with the EL1 physical timer emulated, CNTP_CTL/CVAL/TVAL_EL0 (and
/// CNTPCT_EL0 if the CPU traps it) arrive here. A trapped register with no handler is
/// UNDEFINED in the guest — which is exactly `--ptimer absent`, the world before the series.
///
/// The same table serves both ways a trap reaches the VMM: the CPU's fast path (no exit, as
/// KVM's EL2 fast path handles counter traps) and a full `.systemRegister` exit.
struct SystemRegisterTrapTable: Sendable {
    /// What one entry does.
    enum Handler: Sendable {
        /// A physical-timer register emulated on the vCPU's `TimerContext`.
        case physicalTimer(TimerRegister, writable: Bool)
    }

    private let entries: [(register: SystemRegister, handler: Handler)]
    /// The entries' encodings, for the search on the trap path.
    private let encodings: [UInt16]
    /// Index + 1 (0: no entry) of each encoding 0xDF00...0xDF1F (op0=3, op1=3, CRn=14, CRm 0–3:
    /// the counters and the EL1 timers), one nibble each: the trap path's lookup is then a
    /// shift and a mask instead of a search. Entries beyond 15 are left to the search.
    private let timerNibbles: (low: UInt64, high: UInt64)

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
        encodings = self.entries.map(\.register.encoding)
        var nibbles: (low: UInt64, high: UInt64) = (0, 0)
        for (index, entry) in self.entries.enumerated() where index < 15 {
            let encoding = entry.register.encoding
            guard encoding & 0xFFE0 == 0xDF00 else { continue }
            let shift = UInt64(encoding & 0xF) * 4
            if encoding & 0x10 == 0 {
                nibbles.low |= UInt64(index + 1) << shift
            } else {
                nibbles.high |= UInt64(index + 1) << shift
            }
        }
        timerNibbles = nibbles
    }

    /// The registers this table emulates, in encoding order (index = position).
    var registers: [SystemRegister] { entries.map(\.register) }

    /// The entry for `register`: from the nibble map for the timer encodings, else by binary
    /// search on the encoding.
    @inline(__always)
    func index(of register: SystemRegister) -> Int? {
        let encoding = register.encoding
        if encoding & 0xFFE0 == 0xDF00 {
            let map = encoding & 0x10 == 0 ? timerNibbles.low : timerNibbles.high
            let slot = Int(truncatingIfNeeded: (map >> (UInt64(encoding & 0xF) * 4)) & 0xF)
            if slot != 0 { return slot - 1 }
            if entries.count <= 15 { return nil }
        }
        return searchIndex(of: register)
    }

    /// The binary search behind `index(of:)`, out of line so that the trap path's usual case
    /// (the nibble map) stays small enough to inline into the vCPU's entry points.
    @inline(never)
    private func searchIndex(of register: SystemRegister) -> Int? {
        encodings.withUnsafeBufferPointer { table in
            var low = 0, high = table.count - 1
            while low <= high {
                let mid = (low + high) >> 1
                let encoding = table[mid]
                if encoding == register.encoding { return mid }
                if encoding < register.encoding { low = mid + 1 } else { high = mid - 1 }
            }
            return nil
        }
    }

    /// Emulates a read with entry `index`; nil when the register cannot be read that way.
    func read(_ index: Int, timers: VCPUTimers) -> UInt64? {
        switch entries[index].handler {
        case let .physicalTimer(register, _): return timers.read(register)
        }
    }

    /// Emulates a write with entry `index`; false when the register is read-only (UNDEFINED).
    func write(_ index: Int, value: UInt64, timers: VCPUTimers) -> Bool {
        switch entries[index].handler {
        case let .physicalTimer(register, writable):
            guard writable else { return false }
            timers.write(register, value: value)
            return true
        }
    }

    /// Emulates one trapped access that arrived as a full exit and resumes the guest past it
    /// (or makes it UNDEFINED).
    func handle(_ access: SystemRegisterAccess, on vcpu: VCPU) {
        guard let index = index(of: access.register) else {
            vcpu.cpu.injectUndefined()
            return
        }
        if access.isRead, let value = read(index, timers: vcpu.timers) {
            vcpu.cpu.completeSystemRegisterAccess(access, readValue: value)
        } else if !access.isRead, write(index, value: vcpu.cpu.x(access.rt), timers: vcpu.timers) {
            vcpu.cpu.completeSystemRegisterAccess(access)
        } else {
            vcpu.cpu.injectUndefined()
        }
    }
}
