import Glibc
import Synchronization

/// Where the system count comes from: the host clock, a test's hand, or (in the Machine) the
/// instructions retired. Both guest-visible counts are derived from it by subtracting the VM's
/// offsets (see `SystemCounter`), so the source itself never needs to start at zero.
public protocol CounterSource: AnyObject, Sendable {
    /// The count now, in ticks of the counter frequency.
    var ticks: UInt64 { get }

    /// The host time (ns, in the VMM's one host domain, `monotonicNanoseconds()`) at which
    /// `ticks` first reaches `target`, or nil when that moment has no host time: a source that does not follow the host clock (manual,
    /// instruction-driven) or a moment the host clock never reaches in this lifetime (beyond
    /// `Int64.max` ns, about 292 years). Background timers are armed only for non-nil results,
    /// and an expiry re-checks the count, so a source must never return a time at which `ticks`
    /// has not yet reached `target` (the timer would fire, find nothing, and re-arm at once).
    func hostNanoseconds(whenTicksReach target: UInt64) -> UInt64?
}

/// The host clock (`HostClock.process`, the domain of `monotonicNanoseconds()`) scaled to the
/// counter frequency. The default 1 GHz is the Armv8.6 rule (FEAT_ECV era systems count at
/// 1 GHz), and makes the scaling the identity.
public final class HostCounterSource: CounterSource {
    public let scale: TickScale
    /// A copy of the process clock, so a counter read touches no global. Counter reads use its
    /// unordered form (see `HostClock.unorderedNanoseconds`).
    let clock: HostClock

    public init(frequency: UInt64 = TickScale.nanosecondsPerSecond) {
        scale = TickScale(frequency: frequency)
        clock = HostClock.process
    }

    public var ticks: UInt64 {
        @inline(__always) get { scale.ticks(fromNanoseconds: clock.unorderedNanoseconds()) }
    }

    public func hostNanoseconds(whenTicksReach target: UInt64) -> UInt64? {
        guard let nanoseconds = scale.nanoseconds(fromTicks: target),
              nanoseconds <= UInt64(Int64.max) else { return nil }
        return nanoseconds
    }
}

/// A count that moves only when told to: unit tests drive timers with it, without waiting.
public final class ManualCounterSource: CounterSource {
    private let value: Atomic<UInt64>
    /// When set, the source pretends its ticks are host nanoseconds scaled to this frequency, so
    /// tests can check host-deadline arithmetic; when nil there is no host time at all.
    public let hostScale: TickScale?

    public init(ticks: UInt64 = 0, hostFrequency: UInt64? = nil) {
        value = Atomic(ticks)
        hostScale = hostFrequency.map { TickScale(frequency: $0) }
    }

    public var ticks: UInt64 { value.load(ordering: .acquiring) }

    public func set(_ ticks: UInt64) { value.store(ticks, ordering: .releasing) }

    /// Moves the count forward, wrapping like the 64-bit hardware counter would.
    public func advance(by delta: UInt64) {
        value.wrappingAdd(delta, ordering: .acquiringAndReleasing)
    }

    public func hostNanoseconds(whenTicksReach target: UInt64) -> UInt64? {
        guard let hostScale, let nanoseconds = hostScale.nanoseconds(fromTicks: target),
              nanoseconds <= UInt64(Int64.max) else { return nil }
        return nanoseconds
    }
}
