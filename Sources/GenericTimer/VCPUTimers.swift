import Synchronization

/// A vCPU's virtual and EL1 physical timers: register emulation, output levels, the host
/// timer that stands in for the hardware comparator, and save/restore.
///
/// Thread safety: the vCPU thread accesses registers, the background-timer thread delivers
/// expiries, and any thread may change the VM's counter offsets; a `Mutex` serialises them.
/// The output callback is called with that lock held, so levels reach the interrupt controller
/// in the order they were computed; it must therefore not call back into this object (driving
/// a GIC input and kicking a vCPU are fine).
///
/// Register accesses (`read`, `write`) come from the vCPU's own thread only, and most take no
/// lock: CTL and CVAL live in atomics that thread owns (`PublishedTimer`), and every settle
/// publishes the output levels there. A read judges the accessed timer at the count now with
/// `TimerContext`'s rules and returns at once when the level it computes is the published one;
/// when it differs (the condition newly true, say) it takes the lock and settles, so the line
/// moves exactly when the locked path would move it. A write that cannot move a line or a
/// deadline — CVAL/TVAL/CTL of a timer that can fire neither before nor after (disabled or
/// masked) with its line low — stores its register without the lock: no other thread's
/// computation depends on it (a settle elsewhere finds the same low level and no deadline
/// either way). Every other write takes the lock. A lock-free access settles only the timer it
/// touches; the other's rise is the background timer's and `nextRiseHostNanoseconds`' job, as
/// it is between accesses.
public final class VCPUTimers: Sendable {
    /// Drives the level-sensitive interrupt input `ppi` of this vCPU.
    public typealias Output = @Sendable (_ ppi: Int, _ level: Bool) -> Void

    public let counter: SystemCounter
    private let state: Mutex<State>
    /// `nextRiseHostNanoseconds` (UInt64.max: none), published by every settle so the vCPU's
    /// own thread can watch its deadline between run slices without taking the lock.
    private let riseDeadline = Atomic<UInt64>(.max)
    /// CTL, CVAL and the published level of each timer (see the type's comment).
    private let virtualRegisters = PublishedTimer()
    private let physicalRegisters = PublishedTimer()

    private struct State {
        var virtual: TimerContext
        var physical: TimerContext
        var output: Output
        var host: HostTimer?
        var listener: SystemCounter.ListenerToken?
        /// The vCPU is blocked (WFI): see `setBlocked`.
        var blocked = false
    }

    /// The background-timer entry that stands for this vCPU's comparators.
    private struct HostTimer {
        let background: BackgroundTimer
        let token: BackgroundTimer.Token
        let expired: @Sendable () -> Void
        let onExpiry: @Sendable () -> Void
        /// How long after a deadline the entry fires (see `attach`).
        let lateness: UInt64
        /// The deadline currently armed (host ns, before `lateness`), to avoid re-arming with
        /// the same value.
        var armedAt: UInt64?
    }

    /// - Parameters:
    ///   - counter: the VM's counter; shared by every vCPU of the VM.
    ///   - virtualPPI, physicalPPI: the interrupts the timers drive (27 and 30 on 'virt').
    ///   - output: drives an interrupt line when its level changes.
    public init(counter: SystemCounter,
                virtualPPI: Int = TimerContext.defaultPPI(for: .virtual),
                physicalPPI: Int = TimerContext.defaultPPI(for: .physical),
                output: @escaping Output = { _, _ in }) {
        self.counter = counter
        state = Mutex(State(virtual: TimerContext(kind: .virtual, ppi: virtualPPI),
                            physical: TimerContext(kind: .physical, ppi: physicalPPI),
                            output: output))
        let token = counter.addOffsetListener { [weak self] in self?.update() }
        state.withLock { $0.listener = token }
    }

    deinit {
        let (token, host) = state.withLock { ($0.listener, $0.host) }
        if let token { counter.removeOffsetListener(token) }
        if let host { host.background.cancel(host.token) }
    }

    // MARK: Inspection

    /// A copy of the virtual timer's context.
    public var virtual: TimerContext { context(.virtual) }
    /// A copy of the EL1 physical timer's context.
    public var physical: TimerContext { context(.physical) }

    public func context(_ kind: TimerKind) -> TimerContext {
        state.withLock { s in
            refresh(&s)
            return kind == .virtual ? s.virtual : s.physical
        }
    }

    /// Loads the registers the vCPU thread owns into the locked copies; every locked
    /// operation starts with it.
    @inline(__always)
    private func refresh(_ s: inout State) {
        s.virtual.writeControl(virtualRegisters.control.load(ordering: .acquiring))
        s.virtual.writeCompare(virtualRegisters.compare.load(ordering: .acquiring))
        s.physical.writeControl(physicalRegisters.control.load(ordering: .acquiring))
        s.physical.writeCompare(physicalRegisters.compare.load(ordering: .acquiring))
    }

    /// Replaces the output callback (the interrupt controller may be wired after the timers)
    /// and drives the present level of both lines through it.
    public func setOutput(_ output: @escaping Output) {
        state.withLock { s in
            s.output = output
            output(s.virtual.ppi, s.virtual.outputLevel)
            output(s.physical.ppi, s.physical.outputLevel)
        }
    }

    // MARK: Register emulation

    /// A guest read, on the vCPU's thread. Timer registers are judged against the count at the
    /// moment of the read, and the accessed timer's output level is brought up to date at the
    /// same moment (without the lock when it is already right; see the type's comment).
    @inline(__always)
    public func read(_ register: TimerRegister) -> UInt64 {
        switch register {
        case .frequency:
            return counter.frequency
        case .physicalCount:
            return counter.physicalCount
        case .virtualCount:
            return counter.virtualCount
        case .physicalControl, .physicalCompare, .physicalTimerValue:
            return Self.readUnlocked(register, physicalRegisters, kind: .physical, counter: counter)
                ?? readLocked(register)
        case .virtualControl, .virtualCompare, .virtualTimerValue:
            return Self.readUnlocked(register, virtualRegisters, kind: .virtual, counter: counter)
                ?? readLocked(register)
        }
    }

    /// The lock-free read: nil when the level computed now differs from the published one (the
    /// locked read then settles and drives the line).
    @inline(__always)
    private static func readUnlocked(_ register: TimerRegister, _ published: borrowing PublishedTimer,
                                     kind: TimerKind, counter: SystemCounter) -> UInt64? {
        let context = published.context(kind)
        let isTimerValue = register == .physicalTimerValue || register == .virtualTimerValue
        // A disabled timer's level and CTL do not depend on the count: no clock read.
        let count = context.isEnabled || isTimerValue ? counter.count(for: kind) : 0
        guard context.shouldAssert(atCount: count) == context.outputLevel else { return nil }
        switch register {
        case .physicalControl, .virtualControl: return context.readControl(atCount: count)
        case .physicalCompare, .virtualCompare: return context.compare
        default: return context.readTimerValue(atCount: count)
        }
    }

    /// The locked read: settles both timers at one sample, then reads.
    private func readLocked(_ register: TimerRegister) -> UInt64 {
        state.withLock { s in
            refresh(&s)
            let now = counter.sample()
            settle(&s, at: now)
            let context = register.timer == .virtual ? s.virtual : s.physical
            let count = now.count(for: context.kind)
            switch register {
            case .physicalControl, .virtualControl: return context.readControl(atCount: count)
            case .physicalCompare, .virtualCompare: return context.compare
            default: return context.readTimerValue(atCount: count)
            }
        }
    }

    /// A guest write, on the vCPU's thread. Writes to read-only registers are ignored (see
    /// `TimerRegister.isReadOnly`: the Machine makes the count writes UNDEFINED).
    @inline(__always)
    public func write(_ register: TimerRegister, value: UInt64) {
        switch register.timer {
        case .physical:
            if Self.writeUnlocked(register, value, physicalRegisters, kind: .physical, counter: counter) { return }
        case .virtual:
            if Self.writeUnlocked(register, value, virtualRegisters, kind: .virtual, counter: counter) { return }
        case nil:
            return
        }
        writeLocked(register, value: value)
    }

    /// The lock-free write: only when the timer can fire neither before nor after the write
    /// and its line is low, so no level, no deadline and no other thread's judgement changes.
    @inline(__always)
    private static func writeUnlocked(_ register: TimerRegister, _ value: UInt64,
                                      _ published: borrowing PublishedTimer,
                                      kind: TimerKind, counter: SystemCounter) -> Bool {
        var context = published.context(kind)
        guard !context.canFire, !context.outputLevel else { return false }
        switch register {
        case .physicalControl, .virtualControl:
            context.writeControl(value)
            guard !context.canFire else { return false }
            published.control.store(context.control, ordering: .releasing)
        case .physicalCompare, .virtualCompare:
            published.compare.store(value, ordering: .releasing)
        default:
            context.writeTimerValue(value, atCount: counter.count(for: kind))
            published.compare.store(context.compare, ordering: .releasing)
        }
        return true
    }

    private func writeLocked(_ register: TimerRegister, value: UInt64) {
        guard let kind = register.timer else { return }
        state.withLock { s in
            refresh(&s)
            let now = counter.sample()
            let count = now.count(for: kind)
            switch kind {
            case .virtual:
                Self.apply(register, value, to: &s.virtual, atCount: count)
                virtualRegisters.store(s.virtual)
            case .physical:
                Self.apply(register, value, to: &s.physical, atCount: count)
                physicalRegisters.store(s.physical)
            }
            settle(&s, at: now)
        }
    }

    private static func apply(_ register: TimerRegister, _ value: UInt64,
                              to context: inout TimerContext, atCount count: UInt64) {
        switch register {
        case .physicalControl, .virtualControl: context.writeControl(value)
        case .physicalCompare, .virtualCompare: context.writeCompare(value)
        case .physicalTimerValue, .virtualTimerValue: context.writeTimerValue(value, atCount: count)
        case .frequency, .physicalCount, .virtualCount: break
        }
    }

    // MARK: Time passing

    /// Re-evaluates both lines against the current count and re-arms the host timer. Called by
    /// the background timer on expiry, on a counter offset change, and by the Machine when a
    /// vCPU wakes from WFI or (deterministic clock) when the count reaches `earliestDeadline`.
    public func update() {
        state.withLock { s in
            refresh(&s)
            settle(&s, at: counter.sample())
        }
    }

    /// How far ahead (in ticks) a deadline may lie and still count as one: 2⁶² ticks is 146
    /// years at 1 GHz and 34 years at the fastest 32-bit CNTFRQ. Anything further — typically
    /// a CVAL near 2⁶⁴, whether or not offsets are applied — is "no deadline in this lifetime":
    /// no host timer is armed and a deterministic clock does not jump to it. (The condition is
    /// still evaluated exactly; only the waiting for it is given up.)
    public static let neverHorizon: UInt64 = 1 << 62

    /// The earliest moment, in the counter source's ticks, at which a timer's line should be
    /// up: among the timers that can fire (ENABLE set, IMASK clear), the one with the
    /// smallest CVAL-based deadline; a timer whose condition already holds gives "now" (the
    /// current source ticks). Nil when no timer can fire, or when the deadline lies beyond
    /// `neverHorizon` or the 64-bit range of the source (a CVAL near 2⁶⁴ is "never", not "now").
    ///
    /// A WFI with a non-nil result may sleep until the source reaches it; with nil, until an
    /// interrupt or a kick.
    public func earliestDeadline() -> UInt64? {
        state.withLock { s in
            refresh(&s)
            let now = counter.sample()
            return Self.earliest(s.virtual, s.physical, at: now, includingAsserted: true)
        }
    }

    /// The earliest moment (source ticks) at which a line that is low now will rise, after
    /// bringing the levels up to date; nil when none will without a register write. Unlike
    /// `earliestDeadline` it never answers "now" for a line already up, so a deterministic run
    /// loop can jump its clock straight to it when every vCPU waits (WFI).
    public func nextExpiry() -> UInt64? {
        state.withLock { s in
            refresh(&s)
            let now = counter.sample()
            settle(&s, at: now)
            return Self.earliest(s.virtual, s.physical, at: now, includingAsserted: false)
        }
    }

    /// `earliestDeadline` on the host clock (CLOCK_MONOTONIC ns); nil also when the source has
    /// no host time.
    public func earliestHostDeadline() -> UInt64? {
        earliestDeadline().flatMap { counter.source.hostNanoseconds(whenTicksReach: $0) }
    }

    private static func earliest(_ a: TimerContext, _ b: TimerContext, at now: CounterSample,
                                 includingAsserted: Bool) -> UInt64? {
        let first = deadline(of: a, at: now, includingAsserted: includingAsserted)
        let second = deadline(of: b, at: now, includingAsserted: includingAsserted)
        guard let first else { return second }
        guard let second else { return first }
        return min(first, second)
    }

    @inline(__always)
    private static func deadline(of context: TimerContext, at now: CounterSample,
                                 includingAsserted: Bool) -> UInt64? {
        guard includingAsserted || !context.outputLevel,
              let delta = context.ticksUntilAsserted(atCount: now.count(for: context.kind)),
              delta <= neverHorizon else { return nil }
        let (deadline, overflow) = now.sourceTicks.addingReportingOverflow(delta)
        return overflow ? nil : deadline
    }

    /// Brings both output levels up to date at `now`, drives changed lines, and moves the host
    /// timer to the next moment a line must rise.
    /// Returns whether a line moved.
    @discardableResult
    private func settle(_ s: inout State, at now: CounterSample) -> Bool {
        var moved = false
        if s.virtual.updateLevel(atCount: now.virtualCount) {
            s.output(s.virtual.ppi, s.virtual.outputLevel)
            moved = true
        }
        if s.physical.updateLevel(atCount: now.physicalCount) {
            s.output(s.physical.ppi, s.physical.outputLevel)
            moved = true
        }
        virtualRegisters.level.store(s.virtual.outputLevel, ordering: .releasing)
        physicalRegisters.level.store(s.physical.outputLevel, ordering: .releasing)
        // Lines already up need no host timer: nothing changes until the guest writes a
        // register (or an offset moves), and both re-run this.
        let ticks = Self.earliest(s.virtual, s.physical, at: now, includingAsserted: false)
        let deadline = ticks.flatMap { counter.source.hostNanoseconds(whenTicksReach: $0) }
        riseDeadline.store(deadline ?? .max, ordering: .releasing)
        // Checked in place: copying the entry out would retain and release its closures on
        // every register access, the hottest path of the timer.
        guard s.host != nil, deadline != s.host?.armedAt else { return moved }
        // A safety net (lateness > 0) is armed only while the vCPU is blocked, and only ever
        // moves earlier: an entry left armed for a later or vanished deadline just fires,
        // finds nothing to raise and re-arms — one wake of the background thread, after the
        // deadline — while the vCPU thread's own raise of a line and its register writes,
        // the moments that matter, do not touch the background timer.
        if let host = s.host, host.lateness > 0 {
            guard s.blocked else { return moved }
            if let armed = host.armedAt, deadline.map({ $0 > armed }) ?? true { return moved }
        }
        guard var host = s.host else { return moved }
        if let deadline {
            let (late, overflow) = deadline.addingReportingOverflow(host.lateness)
            host.background.arm(host.token, atHostNanoseconds: overflow ? .max : late, host.expired)
        } else {
            host.background.cancel(host.token)
        }
        host.armedAt = deadline
        s.host = host
        return moved
    }

    /// The host time (CLOCK_MONOTONIC ns) at which a line that is low now will rise, as of the
    /// last register access, expiry or `update`; nil when none will. Lock-free: the vCPU's
    /// thread reads it between run slices and while it waits in WFI, and calls `update` once
    /// it has passed (which raises the line).
    @inline(__always)
    public var nextRiseHostNanoseconds: UInt64? {
        let value = riseDeadline.load(ordering: .acquiring)
        return value == .max ? nil : value
    }

    // MARK: Host timer

    /// Keeps one entry of `background` armed at the earliest host deadline of this vCPU's
    /// timers (seed patches 7 and 8: the background timer serves both a blocked vCPU and, since
    /// both timers are emulated here, a running one). On expiry the lines are updated (driving
    /// the output) and then `onExpiry` runs on the background thread: the Machine kicks or wakes
    /// the vCPU there. An early or stale expiry only re-arms.
    ///
    /// `lateness` arms the entry that long after each deadline: a Machine whose vCPU threads
    /// watch `nextRiseHostNanoseconds` themselves keeps the background timer as a safety net
    /// (a vCPU thread held up elsewhere, a deadline moved by an offset change while it sleeps)
    /// that stays out of the way at the moment that matters. A safety-net entry is only ever
    /// moved earlier, never later or away, so the vCPU's own raise of a line touches nothing
    /// of the background timer (measured: that cost ~5 µs of cold caches at every wake); an
    /// entry left behind fires after its deadline, raises nothing, calls nothing, and re-arms.
    public func attach(to background: BackgroundTimer, lateness: UInt64 = 0,
                       onExpiry: @escaping @Sendable () -> Void = {}) {
        let expired: @Sendable () -> Void = { [weak self] in self?.expired() }
        let previous = state.withLock { s in
            let previous = s.host
            s.host = HostTimer(background: background, token: background.makeToken(),
                               expired: expired, onExpiry: onExpiry,
                               lateness: lateness, armedAt: nil)
            refresh(&s)
            settle(&s, at: counter.sample())
            return previous
        }
        if let previous { previous.background.cancel(previous.token) }
    }

    /// Whether the vCPU is blocked (in WFI), like KVM's `kvm_timer_blocking` and
    /// `kvm_timer_unblocking`. A safety-net entry (`attach` with a lateness) is armed only
    /// while the vCPU is blocked; while it runs, its own thread watches
    /// `nextRiseHostNanoseconds`, and reprogramming a timer costs no background-timer work.
    /// Blocking also brings the lines up to date. No effect on an entry without lateness,
    /// which always follows the deadline.
    public func setBlocked(_ blocked: Bool) {
        state.withLock { s in
            s.blocked = blocked
            guard blocked else { return }
            refresh(&s)
            settle(&s, at: counter.sample())
        }
    }

    /// The host deadline this vCPU's background-timer entry is armed for (nil: not armed; the
    /// entry itself fires `lateness` later): for diagnostics and tests.
    public var armedHostDeadline: UInt64? { state.withLock { $0.host?.armedAt } }

    /// Stops using the background timer (e.g. the vCPU is being destroyed or the Machine
    /// switches to the deterministic clock).
    public func detach() {
        let previous = state.withLock { s in
            defer { s.host = nil }
            return s.host
        }
        if let previous { previous.background.cancel(previous.token) }
    }

    private func expired() {
        let onExpiry = state.withLock { s -> (@Sendable () -> Void)? in
            // The entry that fired is gone from the heap: forget it so settle re-arms even
            // when the next deadline is the same (an early wake).
            s.host?.armedAt = nil
            refresh(&s)
            let moved = settle(&s, at: counter.sample())
            // A safety-net entry that raised nothing (the vCPU raised the line itself, or
            // the deadline moved) has no one to wake.
            guard moved || s.host?.lateness == 0 else { return nil }
            return s.host?.onExpiry
        }
        onExpiry?()
    }

    // MARK: Reset, save, restore

    /// Architectural reset of both timers (ENABLE clear); drops any asserted line. Not while
    /// the vCPU's thread accesses the registers (see `PublishedTimer`).
    public func reset() {
        state.withLock { s in
            s.virtual.reset()
            s.physical.reset()
            virtualRegisters.store(s.virtual)
            physicalRegisters.store(s.physical)
            settle(&s, at: counter.sample())
        }
    }

    public func save() -> TimerState {
        state.withLock { s in
            refresh(&s)
            return TimerState(virtual: .init(control: s.virtual.control, compare: s.virtual.compare),
                       physical: .init(control: s.physical.control, compare: s.physical.compare),
                       counter: counter.save())
        }
    }

    /// Restores registers and (unless `restoringCounter` is false) the VM's counter. A timer
    /// whose condition holds after the restore asserts its line at once. Not while the vCPU's
    /// thread accesses the registers (see `PublishedTimer`).
    public func restore(_ saved: TimerState, restoringCounter: Bool = true) {
        if restoringCounter { counter.restore(saved.counter) }
        state.withLock { s in
            s.virtual.writeControl(saved.virtual.control)
            s.virtual.writeCompare(saved.virtual.compare)
            s.physical.writeControl(saved.physical.control)
            s.physical.writeCompare(saved.physical.compare)
            virtualRegisters.store(s.virtual)
            physicalRegisters.store(s.physical)
            settle(&s, at: counter.sample())
        }
    }
}
