/// `CNTx_CTL_EL0` bits (Arm ARM D23: CNTP_CTL_EL0, CNTV_CTL_EL0).
public enum TimerControl {
    public static let enable: UInt64 = 1 << 0
    public static let imask: UInt64 = 1 << 1
    /// Read-only: computed from the timer condition on every read.
    public static let istatus: UInt64 = 1 << 2
    /// The bits a write keeps; everything else (ISTATUS included) is ignored.
    public static let writable: UInt64 = enable | imask
}

/// One timer of one vCPU: the seed's unit ("Abstract virtual timer context into separate
/// structure"). Every timer operation takes a context and a count, so the virtual and the EL1
/// physical timer share all code and differ only in `kind` (which count they compare with) and
/// their interrupt.
///
/// The context holds no offset: it asks the VM's `SystemCounter` for its count (see there why).
/// It is a value; `VCPUTimers` owns the two of a vCPU and serialises access to them.
///
/// Semantics (Arm ARM D11.2.4, "Operation of the CompareValue views of the timers"):
/// - condition: ENABLE == 1 and count ≥ CVAL, unsigned 64-bit;
/// - ISTATUS reads the condition; with ENABLE clear it reads 0 (the architecture says UNKNOWN;
///   QEMU also clears it, and a guest then never sees a stale "fired");
/// - the output line is asserted iff the condition holds and IMASK is clear;
/// - TVAL reads (CVAL − count)[31:0] zero-extended (bits 63:32 of CNTx_TVAL_EL0 are RES0);
///   a TVAL write sets CVAL = count + SignExtend(value[31:0]).
public struct TimerContext: Sendable, Equatable {
    public let kind: TimerKind
    /// The PPI this timer drives (INTID 27 virtual, 30 physical by default).
    public let ppi: Int
    /// ENABLE and IMASK as last written (never ISTATUS, never reserved bits).
    public private(set) var control: UInt64 = 0
    /// `CVAL`: the compare value, in the timer's own count.
    public private(set) var compare: UInt64 = 0
    /// The level last driven onto `ppi`.
    public internal(set) var outputLevel = false

    public init(kind: TimerKind, ppi: Int) {
        self.kind = kind
        self.ppi = ppi
    }

    /// A context with registers and level given (the lock-free paths of `VCPUTimers`).
    @inline(__always)
    init(kind: TimerKind, ppi: Int, control: UInt64, compare: UInt64, outputLevel: Bool) {
        self.kind = kind
        self.ppi = ppi
        self.control = control & TimerControl.writable
        self.compare = compare
        self.outputLevel = outputLevel
    }

    /// The default PPI of each timer on the 'virt' board (the device tree says the same).
    public static func defaultPPI(for kind: TimerKind) -> Int {
        kind == .virtual ? 27 : 30
    }

    public var isEnabled: Bool { control & TimerControl.enable != 0 }
    public var isMasked: Bool { control & TimerControl.imask != 0 }

    /// Whether the timer can raise its line at all (ENABLE set, IMASK clear).
    public var canFire: Bool { isEnabled && !isMasked }

    // MARK: Condition and level

    @inline(__always)
    public func condition(atCount count: UInt64) -> Bool {
        isEnabled && count >= compare
    }

    /// The level the output line should have at `count`.
    @inline(__always)
    public func shouldAssert(atCount count: UInt64) -> Bool {
        condition(atCount: count) && !isMasked
    }

    /// Ticks from `count` until the line rises: 0 when it should be up now, nil when it cannot
    /// rise without a register write (disabled or masked).
    public func ticksUntilAsserted(atCount count: UInt64) -> UInt64? {
        guard canFire else { return nil }
        return count >= compare ? 0 : compare &- count
    }

    /// Recomputes `outputLevel`; returns true when it changed (the caller drives the line).
    public mutating func updateLevel(atCount count: UInt64) -> Bool {
        let level = shouldAssert(atCount: count)
        defer { outputLevel = level }
        return level != outputLevel
    }

    // MARK: Register views

    /// `CNTx_CTL_EL0` as read: ENABLE, IMASK and the computed ISTATUS; reserved bits 0.
    public func readControl(atCount count: UInt64) -> UInt64 {
        control | (condition(atCount: count) ? TimerControl.istatus : 0)
    }

    /// Keeps ENABLE and IMASK; ISTATUS is read-only and reserved bits are ignored.
    public mutating func writeControl(_ value: UInt64) {
        control = value & TimerControl.writable
    }

    public mutating func writeCompare(_ value: UInt64) {
        compare = value
    }

    /// `CNTx_TVAL_EL0` as read: the low 32 bits of CVAL − count, zero-extended. The guest sees
    /// a signed 32-bit down-counter that goes negative after expiry and wraps past 2³¹.
    public func readTimerValue(atCount count: UInt64) -> UInt64 {
        UInt64(UInt32(truncatingIfNeeded: compare &- count))
    }

    /// CVAL = count + SignExtend(value[31:0]); bits 63:32 of the written value are ignored.
    public mutating func writeTimerValue(_ value: UInt64, atCount count: UInt64) {
        let delta = Int64(Int32(truncatingIfNeeded: value))
        compare = count &+ UInt64(bitPattern: delta)
    }

    /// Back to the reset state: disabled, unmasked, CVAL 0 (the architecture leaves CVAL
    /// UNKNOWN; 0 as KVM does). The level is left for the owner to recompute and drive.
    public mutating func reset() {
        control = 0
        compare = 0
    }
}
