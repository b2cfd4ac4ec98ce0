import AArch64

/// Counts of exits by reason and of trapped system registers by name, kept per vCPU (no locks:
/// each vCPU thread owns its own) and summed when the VM stops. `armvm run --stats` prints
/// them, so a user sees that a guest using only the virtual timer causes no timer traps.
/// Traps handled on the CPU's fast path count as system-register traps too: they are the
/// same trap, only handled without a full exit.
public struct ExitStatistics: Sendable, Equatable {
    public enum Reason: Int, CaseIterable, Sendable {
        case systemRegister, hypervisorCall, secureMonitorCall, waitForInterrupt, waitForEvent
        case budgetExhausted, kicked, halted, idleLoop

        public var name: String {
            switch self {
            case .systemRegister: return "system register trap"
            case .hypervisorCall: return "HVC"
            case .secureMonitorCall: return "SMC"
            case .waitForInterrupt: return "WFI"
            case .waitForEvent: return "WFE"
            case .budgetExhausted: return "budget"
            case .kicked: return "kick"
            case .halted: return "halt"
            case .idleLoop: return "idle loop"
            }
        }
    }

    private var counts = [UInt64](repeating: 0, count: Reason.allCases.count)
    public private(set) var trappedRegisters: [SystemRegister: UInt64] = [:]
    public internal(set) var instructions: UInt64 = 0
    /// Timer deadlines whose raise path a vCPU warmed just before they passed (at most one
    /// warm-up per deadline).
    public internal(set) var timerWarmUps: UInt64 = 0
    /// Idle loops (`VCPUExit.idleLoop`) after which the vCPU thread blocked, its poll window
    /// over: the times a spinning vCPU gave its host core back.
    public internal(set) var idleLoopWaits: UInt64 = 0

    public init() {}

    /// How many exits (or fast-path traps) of this kind.
    public func exits(_ reason: Reason) -> UInt64 { counts[reason.rawValue] }

    @inline(__always)
    mutating func record(_ exit: VCPUExit) {
        switch exit {
        case let .systemRegister(access): recordTrap(access.register)
        case .hypervisorCall: counts[Reason.hypervisorCall.rawValue] &+= 1
        case .secureMonitorCall: counts[Reason.secureMonitorCall.rawValue] &+= 1
        case .waitForInterrupt: counts[Reason.waitForInterrupt.rawValue] &+= 1
        case .waitForEvent: counts[Reason.waitForEvent.rawValue] &+= 1
        case .budgetExhausted: counts[Reason.budgetExhausted.rawValue] &+= 1
        case .kicked: counts[Reason.kicked.rawValue] &+= 1
        case .halted: counts[Reason.halted.rawValue] &+= 1
        case .idleLoop: counts[Reason.idleLoop.rawValue] &+= 1
        }
    }

    mutating func recordTrap(_ register: SystemRegister, count: UInt64 = 1) {
        guard count > 0 else { return }
        counts[Reason.systemRegister.rawValue] &+= count
        trappedRegisters[register, default: 0] &+= count
    }

    public mutating func merge(_ other: ExitStatistics) {
        for reason in Reason.allCases { counts[reason.rawValue] &+= other.counts[reason.rawValue] }
        for (k, v) in other.trappedRegisters { trappedRegisters[k, default: 0] &+= v }
        instructions &+= other.instructions
        timerWarmUps &+= other.timerWarmUps
        idleLoopWaits &+= other.idleLoopWaits
    }

    /// A table for a person to read.
    public var report: String {
        var lines = ["instructions executed: \(instructions)", "exits by reason:"]
        for reason in Reason.allCases {
            lines.append("  \(padded(reason.name, 22)) \(counts[reason.rawValue])")
        }
        lines.append("idle loops waited out: \(idleLoopWaits)")
        lines.append("trapped system registers:")
        if trappedRegisters.isEmpty { lines.append("  (none)") }
        for (register, count) in trappedRegisters.sorted(by: { $0.key < $1.key }) {
            lines.append("  \(padded(register.description, 22)) \(count)")
        }
        return lines.joined(separator: "\n")
    }
}

/// `text` followed by spaces up to `width` characters.
func padded(_ text: String, _ width: Int) -> String {
    text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
}
