import AArch64

/// Counts of exits by reason and of trapped system registers by name, kept per vCPU (no locks:
/// each vCPU thread owns its own) and summed when the VM stops. `armvm run --stats` prints
/// them, so a user sees that a guest using only the virtual timer causes no timer traps.
public struct ExitStatistics: Sendable, Equatable {
    public enum Reason: String, CaseIterable, Sendable {
        case systemRegister = "system register trap"
        case hypervisorCall = "HVC"
        case secureMonitorCall = "SMC"
        case waitForInterrupt = "WFI"
        case waitForEvent = "WFE"
        case budgetExhausted = "budget"
        case kicked = "kick"
        case halted = "halt"
    }

    public private(set) var exits: [Reason: UInt64] = [:]
    public private(set) var trappedRegisters: [SystemRegister: UInt64] = [:]
    public internal(set) var instructions: UInt64 = 0

    public init() {}

    mutating func record(_ exit: VCPUExit) {
        switch exit {
        case let .systemRegister(access):
            exits[.systemRegister, default: 0] += 1
            trappedRegisters[access.register, default: 0] += 1
        case .hypervisorCall: exits[.hypervisorCall, default: 0] += 1
        case .secureMonitorCall: exits[.secureMonitorCall, default: 0] += 1
        case .waitForInterrupt: exits[.waitForInterrupt, default: 0] += 1
        case .waitForEvent: exits[.waitForEvent, default: 0] += 1
        case .budgetExhausted: exits[.budgetExhausted, default: 0] += 1
        case .kicked: exits[.kicked, default: 0] += 1
        case .halted: exits[.halted, default: 0] += 1
        }
    }

    public mutating func merge(_ other: ExitStatistics) {
        for (k, v) in other.exits { exits[k, default: 0] += v }
        for (k, v) in other.trappedRegisters { trappedRegisters[k, default: 0] += v }
        instructions += other.instructions
    }

    /// A table for a person to read.
    public var report: String {
        var lines = ["instructions executed: \(instructions)", "exits by reason:"]
        for reason in Reason.allCases {
            lines.append("  \(padded(reason.rawValue, 22)) \(exits[reason] ?? 0)")
        }
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
