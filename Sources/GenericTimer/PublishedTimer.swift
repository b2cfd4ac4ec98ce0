import Synchronization

/// One timer's CTL and CVAL as last written and the output level last driven, in atomics, so
/// the vCPU's own thread can read its timer registers — and write those that cannot move a line
/// or a deadline — without taking the `VCPUTimers` lock (two locked instructions, ~15 ns on the
/// reference host, more than the rest of a trapped access).
///
/// Ownership: CTL and CVAL are written by the vCPU's thread (register writes) and by `reset`/
/// `restore`, which run while that thread is not accessing the registers (its own thread, or the
/// vCPU stopped), as a hypervisor restores hardware timer state. The level is written only with
/// the lock held, by every settle. See `VCPUTimers` for why the lock-free paths stay exact.
struct PublishedTimer: ~Copyable, Sendable {
    let control = Atomic<UInt64>(0)
    let compare = Atomic<UInt64>(0)
    let level = Atomic<Bool>(false)

    /// The registers as a context (with the published level) to evaluate with `TimerContext`'s
    /// own rules, so the lock-free paths compute exactly what the locked ones do.
    @inline(__always)
    func context(_ kind: TimerKind) -> TimerContext {
        TimerContext(kind: kind, ppi: 0,
                     control: control.load(ordering: .acquiring),
                     compare: compare.load(ordering: .acquiring),
                     outputLevel: level.load(ordering: .acquiring))
    }

    @inline(__always)
    func store(_ context: TimerContext) {
        control.store(context.control, ordering: .releasing)
        compare.store(context.compare, ordering: .releasing)
    }
}
