import Glibc
import Synchronization
import Testing
@testable import GenericTimer

@Suite struct TimerHeapTests {
    func drain(_ heap: inout TimerHeap) -> [UInt64] {
        var order: [UInt64] = []
        while let entry = heap.popMin() { order.append(entry.token) }
        return order
    }

    @Test func popsEarliestFirstAndTiesInArmingOrder() {
        var heap = TimerHeap()
        heap.set(1, deadline: 300) {}
        heap.set(2, deadline: 100) {}
        heap.set(3, deadline: 200) {}
        heap.set(4, deadline: 100) {}
        #expect(heap.top?.token == 2)
        #expect(drain(&heap) == [2, 4, 3, 1])
    }

    @Test func rearmingMovesTheOneEntryOfAToken() {
        var heap = TimerHeap()
        heap.set(1, deadline: 100) {}
        heap.set(2, deadline: 200) {}
        heap.set(1, deadline: 300) {}
        #expect(heap.count == 2)
        #expect(heap.deadline(of: 1) == 300)
        heap.set(2, deadline: 400) {}
        #expect(drain(&heap) == [1, 2])
    }

    @Test func cancellingRemovesFromAnywhere() {
        var heap = TimerHeap()
        for token in UInt64(0)..<10 { heap.set(token, deadline: 1_000 - token * 10) {} }
        #expect(heap.remove(5) != nil)
        #expect(heap.remove(5) == nil)
        #expect(heap.remove(9) != nil)  // the top
        #expect(heap.deadline(of: 5) == nil)
        #expect(drain(&heap) == [8, 7, 6, 4, 3, 2, 1, 0])
    }

    @Test func manyOperationsKeepTheHeapOrdered() {
        var heap = TimerHeap()
        var reference: [UInt64: UInt64] = [:]
        var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
        for _ in 0..<2_000 {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            let token = (seed >> 33) % 64
            if (seed >> 20) % 4 == 0 {
                heap.remove(token)
                reference[token] = nil
            } else {
                let deadline = (seed >> 8) % 10_000
                heap.set(token, deadline: deadline) {}
                reference[token] = deadline
            }
        }
        var popped: [UInt64] = []
        while let entry = heap.popMin() {
            #expect(reference[entry.token] == entry.deadline)
            popped.append(entry.deadline)
        }
        #expect(popped == reference.values.sorted())
    }
}

/// The thread, with deadlines a few milliseconds out and generous waits: what is checked is
/// what fires and in which order, never how late.
@Suite struct BackgroundTimerTests {
    final class Log: Sendable {
        let entries = Mutex<[String]>([])
        func append(_ entry: String) { entries.withLock { $0.append(entry) } }
        var all: [String] { entries.withLock { $0 } }
    }

    @Test func firesEarliestFirst() async {
        let timer = BackgroundTimer()
        defer { timer.stop() }
        let log = Log()
        let now = monotonicNanoseconds()
        for (name, delay) in [("c", 60), ("a", 20), ("b", 40)] as [(String, UInt64)] {
            timer.arm(timer.makeToken(), atHostNanoseconds: now + delay * Rig.millisecond) {
                log.append(name)
            }
        }
        #expect(await eventually { log.all.count == 3 })
        #expect(log.all == ["a", "b", "c"])
    }

    @Test func withoutSpinningItStillFiresInOrderAndNeverEarly() async {
        let timer = BackgroundTimer(spinsToDeadlines: false)
        defer { timer.stop() }
        let log = Log()
        let now = monotonicNanoseconds()
        for (name, delay) in [("b", 30), ("a", 10)] as [(String, UInt64)] {
            let deadline = now + delay * Rig.millisecond
            timer.arm(timer.makeToken(), atHostNanoseconds: deadline) {
                log.append(monotonicNanoseconds() >= deadline ? name : "early " + name)
            }
        }
        #expect(await eventually { log.all.count == 2 })
        #expect(log.all == ["a", "b"])
    }

    @Test func aPastDeadlineFiresAtOnce() async {
        let timer = BackgroundTimer()
        defer { timer.stop() }
        let log = Log()
        let token = timer.makeToken()
        timer.arm(token, atHostNanoseconds: 0) { log.append("fired") }
        #expect(await eventually { log.all == ["fired"] })
        #expect(timer.deadline(of: token) == nil)
    }

    @Test func cancelledEntriesDoNotFire() async {
        let timer = BackgroundTimer()
        defer { timer.stop() }
        let log = Log()
        let now = monotonicNanoseconds()
        let cancelled = timer.makeToken()
        timer.arm(cancelled, atHostNanoseconds: now + 20 * Rig.millisecond) { log.append("cancelled") }
        timer.cancel(cancelled)
        #expect(timer.deadline(of: cancelled) == nil)
        timer.arm(timer.makeToken(), atHostNanoseconds: now + 60 * Rig.millisecond) { log.append("kept") }
        #expect(await eventually { log.all.contains("kept") })
        #expect(log.all == ["kept"])
    }

    @Test func rearmingReplacesTheDeadlineAndCallback() async {
        let timer = BackgroundTimer()
        defer { timer.stop() }
        let log = Log()
        let token = timer.makeToken()
        let now = monotonicNanoseconds()
        timer.arm(token, atHostNanoseconds: now + 3_600 * 1_000 * Rig.millisecond) { log.append("hour") }
        timer.arm(token, atHostNanoseconds: now + 10 * Rig.millisecond) { log.append("soon") }
        #expect(await eventually { !log.all.isEmpty })
        // And later: an earlier entry moved later does not fire early.
        timer.arm(token, atHostNanoseconds: now + 3_600 * 1_000 * Rig.millisecond) { log.append("hour") }
        #expect(timer.deadline(of: token) == now + 3_600 * 1_000 * Rig.millisecond)
        #expect(log.all == ["soon"])
    }

    @Test func callbacksMayRearmTheirOwnEntry() async {
        let timer = BackgroundTimer()
        defer { timer.stop() }
        let count = Atomic<Int>(0)
        let token = timer.makeToken()
        @Sendable func tick() {
            if count.wrappingAdd(1, ordering: .relaxed).newValue < 3 {
                timer.arm(token, atHostNanoseconds: monotonicNanoseconds() + Rig.millisecond, tick)
            }
        }
        timer.arm(token, atHostNanoseconds: monotonicNanoseconds() + Rig.millisecond, tick)
        #expect(await eventually { count.load(ordering: .relaxed) == 3 })
        #expect(timer.deadline(of: token) == nil)
    }

    @Test func stopJoinsAndLaterArmsAreIgnored() {
        let timer = BackgroundTimer()
        #expect(timer.isRunning)
        timer.arm(timer.makeToken(), atHostNanoseconds: monotonicNanoseconds() + 3_600_000_000_000) {}
        timer.stop()
        #expect(!timer.isRunning)
        let token = timer.makeToken()
        timer.arm(token, atHostNanoseconds: 0) {}
        #expect(timer.deadline(of: token) == nil)
        timer.stop()  // twice is fine
    }
}

/// A vCPU's timers driving one background-timer entry.
@Suite struct HostTimerAttachmentTests {
    static let enable = TimerControl.enable
    static let imask = TimerControl.imask

    @Test func theEntryFollowsTheEarliestTimerThatCanFire() {
        let background = BackgroundTimer()
        defer { background.stop() }
        // "Host" time an hour from now, so nothing fires during the test.
        let start = monotonicNanoseconds() + 3_600 * 1_000 * Rig.millisecond
        let rig = Rig(start: start, hostFrequency: Rig.frequency)
        rig.timers.attach(to: background)
        #expect(rig.timers.armedHostDeadline == nil)
        rig.setCVAL(.virtual, rig.count(.virtual) + 5_000)
        rig.setControl(.virtual, Self.enable)
        #expect(rig.timers.armedHostDeadline == start + 5_000)
        rig.setCVAL(.physical, rig.count(.physical) + 2_000)
        rig.setControl(.physical, Self.enable)
        #expect(rig.timers.armedHostDeadline == start + 2_000)
        rig.setControl(.physical, Self.enable | Self.imask)
        #expect(rig.timers.armedHostDeadline == start + 5_000)
        rig.counter.setVirtualCount(rig.count(.virtual) + 1_000)  // offset change: moves
        #expect(rig.timers.armedHostDeadline == start + 4_000)
        rig.setCVAL(.virtual, .max)
        #expect(rig.timers.armedHostDeadline == nil)
        rig.setTVAL(.virtual, 0)  // firing now: the line is up, nothing left to wait for
        #expect(rig.line(.virtual))
        #expect(rig.timers.armedHostDeadline == nil)
        rig.timers.detach()
        #expect(rig.timers.armedHostDeadline == nil)
    }

    @Test func theRiseDeadlineIsPublishedWithoutAnAttachment() {
        let start: UInt64 = 7 * Rig.millisecond
        let rig = Rig(start: start, hostFrequency: Rig.frequency)
        #expect(rig.timers.nextRiseHostNanoseconds == nil)
        rig.setCVAL(.physical, start + 3_000)
        rig.setControl(.physical, Self.enable)
        #expect(rig.timers.nextRiseHostNanoseconds == start + 3_000)
        rig.setCVAL(.virtual, start + 1_000)
        rig.setControl(.virtual, Self.enable | Self.imask)  // masked: cannot fire
        #expect(rig.timers.nextRiseHostNanoseconds == start + 3_000)
        rig.setControl(.virtual, Self.enable)
        #expect(rig.timers.nextRiseHostNanoseconds == start + 1_000)
        rig.advance(1_000)  // the virtual line rises; the physical one is next
        #expect(rig.line(.virtual))
        #expect(rig.timers.nextRiseHostNanoseconds == start + 3_000)
        rig.advance(5_000)
        #expect(rig.line(.physical))
        #expect(rig.timers.nextRiseHostNanoseconds == nil)
    }

    @Test func aSafetyNetIsArmedOnlyWhileBlockedAndOnlyMovesEarlier() {
        let background = BackgroundTimer()
        defer { background.stop() }
        let start = monotonicNanoseconds() + 3_600 * 1_000 * Rig.millisecond
        let rig = Rig(start: start, hostFrequency: Rig.frequency)
        rig.timers.attach(to: background, lateness: 1_000)
        rig.setCVAL(.physical, rig.count(.physical) + 5_000)
        rig.setControl(.physical, Self.enable)
        // Running: the vCPU watches its deadline itself; nothing is armed.
        #expect(rig.timers.nextRiseHostNanoseconds == start + 5_000)
        #expect(rig.timers.armedHostDeadline == nil)
        rig.timers.setBlocked(true)
        #expect(rig.timers.armedHostDeadline == start + 5_000)
        rig.timers.setBlocked(false)
        // Earlier: moved. Later, or gone: left (it will fire, find nothing, and re-arm).
        rig.setCVAL(.physical, rig.count(.physical) + 3_000)
        rig.timers.setBlocked(true)
        #expect(rig.timers.armedHostDeadline == start + 3_000)
        rig.setCVAL(.physical, rig.count(.physical) + 8_000)
        #expect(rig.timers.armedHostDeadline == start + 3_000)
        rig.setControl(.physical, 0)
        #expect(rig.timers.armedHostDeadline == start + 3_000)
        #expect(rig.timers.nextRiseHostNanoseconds == nil)
    }

    @Test func aLateEntryFiresThatLongAfterTheDeadline() async {
        let background = BackgroundTimer()
        defer { background.stop() }
        let lines = LineRecorder()
        let counter = SystemCounter()  // the host clock
        let timers = VCPUTimers(counter: counter, output: lines.output)
        timers.attach(to: background, lateness: 30 * Rig.millisecond)
        timers.setBlocked(true)
        let written = monotonicNanoseconds()
        timers.write(.physicalTimerValue, value: 10 * Rig.millisecond)
        timers.write(.physicalControl, value: Self.enable)
        let rise = try! #require(timers.nextRiseHostNanoseconds)
        #expect(rise >= written + 10 * Rig.millisecond)
        #expect(timers.armedHostDeadline == rise)
        // Nobody watches the deadline: the line stays low past it (the entry fires 30 ms
        // late, never earlier)…
        while monotonicNanoseconds() < rise + 15 * Rig.millisecond { usleep(1_000) }
        #expect(!lines.level(30))
        // …and then the safety net raises it.
        #expect(await eventually { lines.level(30) })
        #expect(monotonicNanoseconds() >= rise + 30 * Rig.millisecond)
    }

    @Test func expiryRaisesTheLineAndCallsBack() async {
        let background = BackgroundTimer()
        defer { background.stop() }
        let lines = LineRecorder()
        let counter = SystemCounter()  // the host clock
        let timers = VCPUTimers(counter: counter, output: lines.output)
        let kicks = Atomic<Int>(0)
        timers.attach(to: background) { kicks.wrappingAdd(1, ordering: .relaxed) }
        timers.write(.physicalTimerValue, value: 20 * Rig.millisecond)
        timers.write(.physicalControl, value: Self.enable)
        #expect(await eventually { lines.level(30) })
        #expect(await eventually { kicks.load(ordering: .relaxed) >= 1 })
        #expect(timers.read(.physicalControl) == Self.enable | TimerControl.istatus)
        #expect(timers.armedHostDeadline == nil)
    }
}
