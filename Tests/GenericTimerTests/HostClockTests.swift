import Glibc
import Foundation
import Synchronization
import Testing
@testable import GenericTimer

/// The process's host clock: the cycle-counter clock when usable, else clock_gettime.
@Suite struct HostClockTests {
    @Test func monotonicAcrossThreads() async {
        // Two threads hand a token back and forth; each reads the clock after seeing the
        // other's reading, so every reading must be at least the one before it.
        let handoff = Handoff()
        let rounds = 20_000
        await withTaskGroup(of: Void.self) { group in
            for me in 0..<2 {
                group.addTask {
                    for round in 0..<rounds {
                        var spins = 0
                        while handoff.turn.load(ordering: .acquiring) != round * 2 + me {
                            spins += 1
                            if spins > 1_000_000 { sched_yield(); spins = 0 }
                        }
                        let previous = handoff.last.load(ordering: .acquiring)
                        let now = monotonicNanoseconds()
                        if now < previous { handoff.failures.wrappingAdd(1, ordering: .relaxed) }
                        handoff.last.store(now, ordering: .releasing)
                        handoff.turn.store(round * 2 + me + 1, ordering: .releasing)
                    }
                }
            }
        }
        #expect(handoff.failures.load(ordering: .relaxed) == 0)
    }

    final class Handoff: Sendable {
        let last = Atomic<UInt64>(0)
        let turn = Atomic<Int>(0)
        let failures = Atomic<Int>(0)
    }

    @Test func unorderedReadsNeverGoBackOnOneThread() {
        // What a guest counter read uses: unordered against other instructions, but one
        // thread's successive readings still never decrease (and agree with the ordered form).
        let clock = HostClock.process
        var previous = clock.nanoseconds()
        var backwards = 0
        for _ in 0..<200_000 {
            let now = clock.unorderedNanoseconds()
            if now < previous { backwards += 1 }
            previous = now
        }
        #expect(backwards == 0)
        #expect(clock.nanoseconds() >= previous)
    }

    @Test func tracksTheKernelMonotonicClock() {
        // Over ~50 ms the process clock and CLOCK_MONOTONIC advance by the same amount within
        // 0.1% (calibration is good to a few ppm; the slack is for preemption between reads).
        let clock = HostClock.process
        let kernelStart = HostClock.kernelMonotonic(), start = clock.nanoseconds()
        usleep(50_000)
        let end = clock.nanoseconds(), kernelEnd = HostClock.kernelMonotonic()
        let ours = Double(end - start), kernel = Double(kernelEnd - kernelStart)
        #expect(kernel >= 50_000_000)
        #expect(abs(ours - kernel) <= kernel * 0.001 + 20_000)
    }

    @Test func calibratedCycleClockTracksTheKernelClock() throws {
        guard let clock = HostClock.calibrated(interval: 5_000_000) else { return } // no counter here
        #expect(clock.usesCycleCounter)
        let kernelStart = HostClock.kernelMonotonic(), start = clock.nanoseconds()
        #expect(start >= kernelStart &- 1_000_000 && start <= kernelStart &+ 1_000_000)
        usleep(50_000)
        let end = clock.nanoseconds(), kernelEnd = HostClock.kernelMonotonic()
        let ours = Double(end - start), kernel = Double(kernelEnd - kernelStart)
        #expect(abs(ours - kernel) <= kernel * 0.001 + 20_000)
    }

    @Test func cycleValuesBeforeTheBaseReadAsTheBase() {
        let clock = HostClock(usesCycleCounter: true, baseCycles: 1_000, baseNanoseconds: 5_000,
                              multiplier: 1 << 31)  // 0.5 ns per cycle
        #expect(clock.nanoseconds(atCycles: 999) == 5_000)
        #expect(clock.nanoseconds(atCycles: 1_000) == 5_000)
        #expect(clock.nanoseconds(atCycles: 3_000) == 6_000)
        // Centuries of cycles do not overflow the 128-bit product.
        #expect(clock.nanoseconds(atCycles: 1_000 + (1 << 62)) == 5_000 + (1 << 61))
    }

    @Test func fallsBackWhenTheKernelDoesNotVouchForTheCounter() {
        let invariant: Set<Substring> = ["fpu", "constant_tsc", "nonstop_tsc"]
        #expect(!HostClock.isCycleCounterUsable(cpuFlags: [], clocksource: "tsc"))
        #expect(!HostClock.isCycleCounterUsable(cpuFlags: ["constant_tsc"], clocksource: "tsc"))
        #expect(!HostClock.isCycleCounterUsable(cpuFlags: invariant, clocksource: "hpet"))
        #expect(!HostClock.isCycleCounterUsable(cpuFlags: invariant, clocksource: ""))
        #if arch(x86_64)
        #expect(HostClock.isCycleCounterUsable(cpuFlags: invariant, clocksource: "tsc"))
        #endif
        let fallback = HostClock.systemMonotonic
        #expect(!fallback.usesCycleCounter)
        let before = HostClock.kernelMonotonic()
        let reading = fallback.nanoseconds()
        #expect(reading >= before && reading <= HostClock.kernelMonotonic())
    }

    @Test func wakeupDeadlinesAreInTheProcessClock() {
        let event = WakeupEvent()
        // A deadline already reached returns at once, reporting it passed.
        #expect(event.wait(since: event.generation, until: monotonicNanoseconds()))
        let start = monotonicNanoseconds()
        #expect(event.wait(since: event.generation, until: start + 5_000_000))
        #expect(monotonicNanoseconds() >= start + 5_000_000)
    }
}

/// `WakeupEvent.signal` skips the lock and the broadcast when no one sleeps; no wake-up may be
/// lost for it.
@Suite struct WakeupEventTests {
    @Test func aSignalBeforeTheWaitIsNotLost() {
        let event = WakeupEvent()
        let seen = event.generation
        event.signal()
        // Returns at once (false: not the deadline) because the generation moved.
        #expect(event.wait(since: seen, until: monotonicNanoseconds() + 5_000_000_000) == false)
    }

    @Test func everySignalWakesASleeperThatSawTheOldGeneration() async {
        // A sleeper waits for each generation in turn (10 s timeout) while this thread signals
        // each time the last one was seen: a lost wake-up stalls both past the 5 s deadline.
        let event = WakeupEvent()
        let rounds = 20_000
        let woken = Atomic<Int>(0)
        let sleeper = Thread { [event] in
            var seen: UInt64 = 0  // a new event starts at generation 0
            while woken.load(ordering: .relaxed) < rounds {
                event.wait(since: seen, until: monotonicNanoseconds() + 10_000_000_000)
                let now = event.generation
                if now != seen { woken.store(Int(now), ordering: .relaxed); seen = now }
            }
        }
        sleeper.start()
        // Ping-pong: each signal comes while the sleeper is going to sleep or asleep.
        let deadline = monotonicNanoseconds() + 5_000_000_000
        for round in 1...rounds {
            event.signal()
            while woken.load(ordering: .relaxed) < round && monotonicNanoseconds() < deadline {}
        }
        #expect(woken.load(ordering: .relaxed) == rounds)
    }
}
