import Synchronization

/// The wires into one vCPU: the interrupt controller's IRQ and FIQ outputs and a "kick" that
/// asks the run loop to return. Written from any thread (GIC, background timer, other vCPUs),
/// read by the vCPU's own thread at every instruction boundary, so they are atomics.
public final class InterruptSignals: Sendable {
    public static let irq: UInt32 = 1 << 0
    public static let fiq: UInt32 = 1 << 1
    public static let kick: UInt32 = 1 << 2
    /// Another vCPU broadcast a TLB invalidation (see `CPUGroup`).
    public static let tlbFlush: UInt32 = 1 << 3

    /// Every vCPU thread reads its own word at each block boundary; the padding keeps other
    /// objects (another vCPU's registers, say) out of its cache line (see `HostCacheLine`).
    private let leadingPadding = CacheLinePadding()
    private let bits = Atomic<UInt32>(0)
    private let trailingPadding = CacheLinePadding()

    public init() {}

    /// All signal bits, relaxed: the run loop's per-instruction check.
    @inline(__always)
    public var pending: UInt32 { bits.load(ordering: .relaxed) }

    public func setIRQ(_ level: Bool) { set(InterruptSignals.irq, level) }
    public func setFIQ(_ level: Bool) { set(InterruptSignals.fiq, level) }

    /// Makes the vCPU's `run` return `.kicked` at its next instruction boundary.
    public func kick() { bits.bitwiseOr(InterruptSignals.kick, ordering: .acquiringAndReleasing) }

    /// Clears the kick; returns whether one was pending.
    public func consumeKick() -> Bool {
        bits.bitwiseAnd(~InterruptSignals.kick, ordering: .acquiringAndReleasing).oldValue
            & InterruptSignals.kick != 0
    }

    /// Makes the vCPU drop its whole TLB at its next block boundary.
    func requestTLBFlush() { bits.bitwiseOr(InterruptSignals.tlbFlush, ordering: .acquiringAndReleasing) }

    /// Clears the TLB flush request; returns whether one was pending.
    func consumeTLBFlush() -> Bool {
        bits.bitwiseAnd(~InterruptSignals.tlbFlush, ordering: .acquiringAndReleasing).oldValue
            & InterruptSignals.tlbFlush != 0
    }

    private func set(_ bit: UInt32, _ level: Bool) {
        if level {
            bits.bitwiseOr(bit, ordering: .acquiringAndReleasing)
        } else {
            bits.bitwiseAnd(~bit, ordering: .acquiringAndReleasing)
        }
    }
}

/// Registers the CPU model reaches without an exit, as it would reach hardware: the virtual
/// timer and counter (with CNTVOFF applied by the timer), and the GICv3 CPU interface (ICC_*).
/// Called only from the vCPU's own thread.
public protocol SystemRegisterDevice: AnyObject {
    /// Whether this device implements `register` (otherwise the access is UNDEFINED).
    func handles(_ register: SystemRegister) -> Bool
    func read(_ register: SystemRegister) -> UInt64
    func write(_ register: SystemRegister, value: UInt64)
}

/// The VMM's fast path for trapped system-register accesses, tried by the CPU before it exits:
/// KVM likewise handles some traps (CNTPCT_EL0, CNTVCT_EL0) in its EL2 fast path without a
/// full exit to the host. A trapped access that the fast path declines becomes a
/// `.systemRegister` exit. Called only from the vCPU's own thread.
public protocol TrapFastPath: AnyObject {
    /// The value of a trapped MRS, or nil to decline.
    func trappedRead(_ register: SystemRegister) -> UInt64?
    /// Performs a trapped MSR; false to decline.
    func trappedWrite(_ register: SystemRegister, value: UInt64) -> Bool
    /// `trappedRead`/`trappedWrite` as C entry points taking the object's unretained address:
    /// what the CPU calls (see `DirectEntryPoints` for why).
    static var directEntryPoints: DirectEntryPoints { get }
}
