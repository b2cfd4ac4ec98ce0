import AArch64
import GenericTimer
import Synchronization

/// The counter source of `--clock deterministic`: time is derived from instructions retired
/// (one instruction = one nanosecond of guest time) plus the jumps the run loop makes when
/// every vCPU waits, so the same guest gives the same output on every run. It has no host
/// deadlines: the run loop, not a host timer, decides when a deadline is reached.
final class DeterministicClock: CounterSource, @unchecked Sendable {
    private let nanoseconds = Atomic<UInt64>(0)
    private let scale: TickScale
    /// The vCPU running a slice now and its instruction count when the slice began, so that a
    /// counter read inside a slice sees the instructions retired so far. Touched only by the
    /// one thread that runs every vCPU in this mode.
    private var running: (cpu: CPU, start: UInt64)?

    init(frequency: UInt64) { scale = TickScale(frequency: frequency) }

    var ticks: UInt64 {
        let base = nanoseconds.load(ordering: .acquiring)
        let inSlice = running.map { $0.cpu.instructionsRetired &- $0.start } ?? 0
        return scale.ticks(fromNanoseconds: base &+ inSlice)
    }

    /// A slice of `cpu` begins.
    func begin(_ cpu: CPU) { running = (cpu, cpu.instructionsRetired) }

    /// The slice of the running vCPU ended: its instructions become elapsed time.
    func end() {
        guard let (cpu, start) = running else { return }
        running = nil
        advance(instructions: cpu.instructionsRetired &- start)
    }

    func hostNanoseconds(whenTicksReach target: UInt64) -> UInt64? { nil }

    /// Guest time passes with the work done.
    func advance(instructions: UInt64) {
        nanoseconds.wrappingAdd(instructions, ordering: .acquiringAndReleasing)
    }

    /// Every vCPU waits: skip straight to the tick count `target` (never backwards).
    func jump(toCount target: UInt64) {
        // Rounded up, so the count really reaches the target.
        guard let goal = scale.nanoseconds(fromTicks: target) else { return }
        let current = nanoseconds.load(ordering: .acquiring)
        if goal > current { nanoseconds.store(goal, ordering: .releasing) }
    }
}
