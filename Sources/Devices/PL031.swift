import Synchronization

/// The Arm PrimeCell PL031 real-time clock.
///
/// DR counts seconds: the injected clock (host wall-clock seconds) plus an offset that a write
/// to LR adjusts so that DR reads the loaded value from then on. The match interrupt is
/// evaluated lazily: writing MR (or LR) arms a deadline on the injected clock, and every
/// register access, as well as `tick()`, raises RIS once the clock has reached it. So a guest
/// that polls sees the match on time with no help, and a guest that sleeps gets it when the
/// Machine calls `tick()` at `nextMatchDeadline`. The counter is permanently started (CR reads
/// 1), as in QEMU, because guests such as kvm-unit-tests read DR without writing CR.
public final class PL031: Sendable {
    /// Size of the register window on the bus.
    public static let regionSize: UInt64 = 0x1000

    enum Offset {
        static let dr: UInt64 = 0x00
        static let mr: UInt64 = 0x04
        static let lr: UInt64 = 0x08
        static let cr: UInt64 = 0x0C
        static let imsc: UInt64 = 0x10
        static let ris: UInt64 = 0x14
        static let mis: UInt64 = 0x18
        static let icr: UInt64 = 0x1C
    }

    static let id = PrimeCellID(peripheral: (0x31, 0x10, 0x14, 0x00))

    struct State {
        /// Added (mod 2^32) to the clock's seconds to give DR.
        var offset: UInt32 = 0
        var mr: UInt32 = 0
        var lr: UInt32 = 0
        var imsc: UInt32 = 0
        var ris: UInt32 = 0
        /// Clock value (seconds) at which DR reaches MR, while a match is armed.
        var deadline: UInt64?
        /// The deadline last passed to `matchDeadlineChanged`.
        var reportedDeadline: UInt64?
        var line = false

        func count(at now: UInt64) -> UInt32 {
            UInt32(truncatingIfNeeded: now) &+ offset
        }

        /// Arms the match for the next time DR equals MR; a match that holds right now fires
        /// at once, as it does in QEMU.
        mutating func arm(now: UInt64) {
            let ticks = mr &- count(at: now)
            if ticks == 0 {
                deadline = nil
                ris = 1
            } else {
                deadline = now &+ UInt64(ticks)
            }
        }

        /// Raises the match if the clock has reached the armed deadline.
        mutating func catchUp(now: UInt64) {
            if let d = deadline, now >= d {
                deadline = nil
                ris = 1
            }
        }

        func readRegister(_ offset: UInt64, now: UInt64) -> UInt32 {
            switch offset {
            case Offset.dr: return count(at: now)
            case Offset.mr: return mr
            case Offset.lr: return lr
            case Offset.cr: return 1
            case Offset.imsc: return imsc
            case Offset.ris: return ris
            case Offset.mis: return ris & imsc
            default: return PL031.id.register(at: offset) ?? 0  // ICR is write-only: RAZ.
            }
        }

        mutating func writeRegister(_ offset: UInt64, _ value: UInt32, now: UInt64) {
            switch offset {
            case Offset.mr:
                mr = value
                arm(now: now)
            case Offset.lr:
                lr = value
                self.offset = value &- UInt32(truncatingIfNeeded: now)
                arm(now: now)
            case Offset.imsc: imsc = value & 1
            case Offset.icr: ris &= ~(value & 1)  // Write-1-to-clear (DDI0224).
            default: break  // DR, CR, RIS, MIS, IDs: read-only or ignored.
            }
        }
    }

    private let state: Mutex<State>
    private let clock: @Sendable () -> UInt64
    private let interrupt: InterruptLine
    private let deadlineChanged: (@Sendable (UInt64?) -> Void)?

    /// - Parameters:
    ///   - clock: current wall-clock time in whole seconds (e.g. since the Unix epoch); DR
    ///     reads it truncated to 32 bits until the guest loads LR.
    ///   - interrupt: the RTCINTR line (to the GIC SPI), called on each change.
    ///   - matchDeadlineChanged: told the new `nextMatchDeadline` whenever it changes (with
    ///     the device lock held), so the Machine can re-arm one host timer and call `tick()`
    ///     then, instead of polling. The timer must not hold a lock this callback takes while
    ///     it calls `tick()`, or the two locks deadlock.
    public init(
        clock: @escaping @Sendable () -> UInt64,
        interrupt: @escaping InterruptLine,
        matchDeadlineChanged: (@Sendable (UInt64?) -> Void)? = nil
    ) {
        self.state = Mutex(State())
        self.clock = clock
        self.interrupt = interrupt
        self.deadlineChanged = matchDeadlineChanged
    }

    /// A guest read at `offset` in the window. Nil (external abort) only for what the bus
    /// cannot carry: a width other than 1, 2, 4 or 8 bytes, or an offset beyond the window.
    /// Unassigned offsets read as zero.
    public func read(offset: UInt64, size: Int, vcpu: Int) -> UInt64? {
        guard offset < Self.regionSize else { return nil }
        let now = clock()
        return state.withLock { s in
            s.catchUp(now: now)
            let value = RegisterAccess.read(offset: offset, size: size) { s.readRegister($0, now: now) }
            updateLine(&s)
            return value
        }
    }

    /// A guest write at `offset` in the window. False (external abort) only for what the bus
    /// cannot carry, as for `read`; read-only and unassigned registers ignore writes.
    public func write(offset: UInt64, size: Int, value: UInt64, vcpu: Int) -> Bool {
        guard offset < Self.regionSize else { return false }
        let now = clock()
        return state.withLock { s in
            s.catchUp(now: now)
            let ok = RegisterAccess.write(offset: offset, size: size, value: value) {
                s.writeRegister($0, $1, now: now)
            }
            updateLine(&s)
            return ok
        }
    }

    /// The clock value (seconds, as the injected clock counts them) at which an armed match
    /// fires, nil when none is armed. The Machine arms a host timer for it and calls `tick()`.
    public var nextMatchDeadline: UInt64? {
        state.withLock { $0.deadline }
    }

    /// Re-evaluates the match against the clock now; raises RIS (and the line, if unmasked)
    /// when the deadline has passed. Calling it early or often is harmless.
    public func tick() {
        let now = clock()
        state.withLock { s in
            s.catchUp(now: now)
            updateLine(&s)
        }
    }

    /// Current level of the interrupt line.
    public var interruptLevel: Bool {
        state.withLock { $0.line }
    }

    /// Returns the registers to their reset values (system reset). The loaded time offset
    /// survives, like a battery-backed clock.
    public func reset() {
        state.withLock { s in
            var fresh = State()
            fresh.offset = s.offset
            fresh.line = s.line
            fresh.reportedDeadline = s.reportedDeadline
            s = fresh
            updateLine(&s)
        }
    }

    private func updateLine(_ s: inout State) {
        if s.deadline != s.reportedDeadline {
            s.reportedDeadline = s.deadline
            deadlineChanged?(s.deadline)
        }
        let level = s.ris & s.imsc != 0
        if level != s.line {
            s.line = level
            interrupt(level)
        }
    }
}
