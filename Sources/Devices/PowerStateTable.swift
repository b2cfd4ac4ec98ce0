import Synchronization

/// A vCPU's power state as PSCI AFFINITY_INFO reports it (the raw values are the ones the
/// call returns).
public enum PowerState: UInt8, Sendable, Equatable {
    case on = 0
    case off = 1
    /// CPU_ON was accepted and the vCPU has not started executing yet.
    case onPending = 2
}

/// The power state of every vCPU, shared by PSCI calls from any vCPU and by the Machine.
///
/// PSCI moves a vCPU off → onPending (CPU_ON) and on → off (CPU_OFF); the Machine moves it
/// onPending → on when the vCPU really starts. Transitions are atomic, so two racing CPU_ON
/// calls for one target give exactly one success.
public final class PowerStateTable: Sendable {
    private let states: Mutex<[PowerState]>
    /// Number of vCPUs in the VM.
    public let count: Int

    /// All vCPUs off except the boot vCPUs listed in `poweredOn` (vCPU 0 by default), which
    /// is how PSCI firmware hands a machine to its OS.
    public init(count: Int, poweredOn: Set<Int> = [0]) {
        let count = max(0, count)
        self.count = count
        self.states = Mutex((0..<count).map { poweredOn.contains($0) ? .on : .off })
    }

    /// The state of `vcpu`, nil if there is no such vCPU.
    public func state(of vcpu: Int) -> PowerState? {
        states.withLock { $0.indices.contains(vcpu) ? $0[vcpu] : nil }
    }

    /// Sets the state of `vcpu` unconditionally (ignored for a vCPU that does not exist).
    public func setState(_ state: PowerState, of vcpu: Int) {
        states.withLock { if $0.indices.contains(vcpu) { $0[vcpu] = state } }
    }

    /// Sets `vcpu` to `desired` if it is in `expected`, atomically. Returns the state found
    /// (the exchange happened if it equals `expected`), nil if there is no such vCPU.
    @discardableResult
    public func compareExchange(_ vcpu: Int, expected: PowerState, desired: PowerState) -> PowerState? {
        states.withLock { s in
            guard s.indices.contains(vcpu) else { return nil }
            let found = s[vcpu]
            if found == expected { s[vcpu] = desired }
            return found
        }
    }

    /// The Machine calls this when a vCPU released by CPU_ON begins executing: onPending → on.
    /// Returns whether the vCPU was pending.
    @discardableResult
    public func markStarted(_ vcpu: Int) -> Bool {
        compareExchange(vcpu, expected: .onPending, desired: .on) == .onPending
    }

    /// Every vCPU's state, in vCPU order.
    public func snapshot() -> [PowerState] {
        states.withLock { $0 }
    }

    /// Back to the power-up arrangement (SYSTEM_RESET): the boot vCPUs on, the rest off.
    public func reset(poweredOn: Set<Int> = [0]) {
        states.withLock { s in
            for i in s.indices { s[i] = poweredOn.contains(i) ? .on : .off }
        }
    }
}
