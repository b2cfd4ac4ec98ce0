import Synchronization

/// Which of a vCPU's two EL1 timers: the virtual timer (`CNTV_*`, compared with the virtual
/// count) or the EL1 physical timer (`CNTP_*`, compared with the physical count).
public enum TimerKind: String, Sendable, Codable, CaseIterable {
    case virtual
    case physical
}

/// The VM's counters as both guest views saw them at one instant: what a snapshot keeps, like
/// KVM's `KVM_REG_ARM_PTIMER_CNT` and `KVM_REG_ARM_TIMER_CNT`. Counts rather than offsets,
/// because offsets are relative to a host clock that restarts at every host boot.
public struct CounterState: Codable, Equatable, Hashable, Sendable {
    public var physicalCount: UInt64
    public var virtualCount: UInt64

    public init(physicalCount: UInt64, virtualCount: UInt64) {
        self.physicalCount = physicalCount
        self.virtualCount = virtualCount
    }
}

/// One reading of the source with both offsets applied, so that every timer judged in one
/// operation is judged against the same instant.
public struct CounterSample: Sendable, Equatable {
    /// The source's raw ticks (the clock deadlines are expressed in).
    public var sourceTicks: UInt64
    public var physicalCount: UInt64
    public var virtualCount: UInt64

    @inline(__always)
    public func count(for kind: TimerKind) -> UInt64 {
        kind == .virtual ? virtualCount : physicalCount
    }
}

/// The VM's system counter: frequency, source and the VM-wide offsets. One per VM.
///
/// The offsets live here and nowhere else. The seed (KVM 2017, "Move cntvoff to each timer
/// context") copied `cntvoff` into every vCPU's timer context and had to rewrite all the copies
/// under `kvm->lock` whenever one vCPU's counter was set, so that the guest never saw two vCPUs
/// disagree about the time. Later KVM (`KVM_ARM_SET_COUNTER_OFFSET`, 2023) moved the offset to
/// the VM and let the contexts point at it. ArmVM takes the later shape: each `TimerContext`
/// knows only which count it compares with, and every read goes through this object, so a new
/// offset is seen by every vCPU at the next read, without copies that could diverge and without
/// a VM-wide lock around timer accesses. What the seed's lock also achieved — every armed timer
/// re-evaluated after the change — is kept by notifying listeners (each `VCPUTimers`).
///
/// - physical count = source − `vmOffset` (the VM's clock, like KVM's counter offset);
/// - virtual count = physical count − `virtualOffset` (`CNTVOFF_EL2`).
/// All arithmetic wraps modulo 2⁶⁴ as the architectural counter does.
public final class SystemCounter: Sendable {
    /// `CNTFRQ_EL0`: ticks per second, as the guest reads it. 1...UInt32.max (the register is
    /// 32 bits wide).
    public let frequency: UInt64
    public let source: any CounterSource
    /// When `source` is a `HostCounterSource`: its clock and scale, so `sample()` reads the
    /// host clock inline instead of through the existential (a witness call per counter read).
    private let hostClock: HostClock?
    private let hostScale: TickScale

    private let vmOffsetStorage = Atomic<UInt64>(0)
    private let virtualOffsetStorage = Atomic<UInt64>(0)
    /// Serialises offset changes with their notifications, so listeners see them in order.
    private let changes = Mutex<Void>(())
    private let listeners = Mutex<Listeners>(Listeners())

    private struct Listeners {
        var next = 0
        var entries: [Int: @Sendable () -> Void] = [:]
    }

    /// A registration returned by `addOffsetListener`, to remove it again.
    public struct ListenerToken: Hashable, Sendable {
        let id: Int
    }

    /// - Parameters:
    ///   - frequency: `CNTFRQ_EL0`; should be the rate at which `source` ticks.
    ///   - source: defaults to the host monotonic clock at `frequency`.
    public init(frequency: UInt64 = TickScale.nanosecondsPerSecond, source: (any CounterSource)? = nil) {
        let clamped = min(max(frequency, 1), UInt64(UInt32.max))
        self.frequency = clamped
        let resolved = source ?? HostCounterSource(frequency: clamped)
        self.source = resolved
        let host = resolved as? HostCounterSource
        hostClock = host?.clock
        hostScale = host?.scale ?? TickScale(frequency: clamped)
    }

    // MARK: Reading

    public var vmOffset: UInt64 { vmOffsetStorage.load(ordering: .acquiring) }
    public var virtualOffset: UInt64 { virtualOffsetStorage.load(ordering: .acquiring) }

    /// Reads the source once and derives both counts from that reading.
    @inline(__always)
    public func sample() -> CounterSample {
        let ticks: UInt64
        if let hostClock {
            ticks = hostScale.ticks(fromNanoseconds: hostClock.unorderedNanoseconds())
        } else {
            ticks = source.ticks
        }
        let physical = ticks &- vmOffset
        return CounterSample(sourceTicks: ticks, physicalCount: physical,
                             virtualCount: physical &- virtualOffset)
    }

    /// `CNTPCT_EL0`.
    public var physicalCount: UInt64 { @inline(__always) get { sample().physicalCount } }
    /// `CNTVCT_EL0`.
    public var virtualCount: UInt64 { @inline(__always) get { sample().virtualCount } }

    @inline(__always)
    public func count(for kind: TimerKind) -> UInt64 { sample().count(for: kind) }

    /// The total amount subtracted from the source for `kind`'s count.
    public func offset(for kind: TimerKind) -> UInt64 {
        kind == .virtual ? vmOffset &+ virtualOffset : vmOffset
    }

    // MARK: Changing (VMM only; the guest cannot reach these)

    /// Sets the VM counter offset. Both counts move (virtual = physical − CNTVOFF).
    public func setVMOffset(_ offset: UInt64) {
        changes.withLock { _ in vmOffsetStorage.store(offset, ordering: .releasing) }
        notify()
    }

    /// Sets `CNTVOFF`; only the virtual count moves.
    public func setVirtualOffset(_ offset: UInt64) {
        changes.withLock { _ in virtualOffsetStorage.store(offset, ordering: .releasing) }
        notify()
    }

    /// Makes the physical count read `value` now, by moving the VM offset (the virtual count
    /// moves with it, keeping CNTVOFF), like writing `KVM_REG_ARM_PTIMER_CNT`.
    public func setPhysicalCount(_ value: UInt64) {
        changes.withLock { _ in
            vmOffsetStorage.store(source.ticks &- value, ordering: .releasing)
        }
        notify()
    }

    /// Makes the virtual count read `value` now, by moving CNTVOFF (the physical count stays),
    /// like writing `KVM_REG_ARM_TIMER_CNT`.
    public func setVirtualCount(_ value: UInt64) {
        changes.withLock { _ in
            let physical = source.ticks &- vmOffset
            virtualOffsetStorage.store(physical &- value, ordering: .releasing)
        }
        notify()
    }

    /// Both counts as the guest sees them now, for a snapshot.
    public func save() -> CounterState {
        let now = sample()
        return CounterState(physicalCount: now.physicalCount, virtualCount: now.virtualCount)
    }

    /// Makes the counts continue from a snapshot: both offsets from one reading of the source,
    /// one notification.
    public func restore(_ state: CounterState) {
        changes.withLock { _ in
            vmOffsetStorage.store(source.ticks &- state.physicalCount, ordering: .releasing)
            virtualOffsetStorage.store(state.physicalCount &- state.virtualCount, ordering: .releasing)
        }
        notify()
    }

    // MARK: Listeners

    /// Registers `body` to run (on the changing thread, after the change) whenever an offset
    /// changes, so armed timers can recompute their deadlines and output levels.
    @discardableResult
    public func addOffsetListener(_ body: @escaping @Sendable () -> Void) -> ListenerToken {
        listeners.withLock { list in
            list.next += 1
            list.entries[list.next] = body
            return ListenerToken(id: list.next)
        }
    }

    public func removeOffsetListener(_ token: ListenerToken) {
        _ = listeners.withLock { $0.entries.removeValue(forKey: token.id) }
    }

    /// Calls the listeners outside the listener lock, so one may add or remove listeners.
    private func notify() {
        let bodies = listeners.withLock { list in
            list.entries.sorted { $0.key < $1.key }.map(\.value)
        }
        for body in bodies { body() }
    }
}
