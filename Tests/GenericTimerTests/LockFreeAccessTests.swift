import Testing
@testable import GenericTimer

/// The vCPU thread's lock-free register paths return what the locked paths return and move
/// lines exactly when those would.
@Suite struct LockFreeAccessTests {
    static let enable = TimerControl.enable
    static let imask = TimerControl.imask
    static let istatus = TimerControl.istatus

    @Test(arguments: TimerKind.allCases)
    func istatusAtTheCompareBoundaryAndTheLineRaisedByTheRead(kind: TimerKind) {
        let rig = Rig(start: 1_000)
        rig.setCVAL(kind, 1_100)
        rig.setControl(kind, Self.enable)
        rig.source.set(1_099)  // no update(): only the read can notice
        #expect(rig.control(kind) == Self.enable)
        #expect(!rig.line(kind))
        rig.source.set(1_100)
        #expect(!rig.line(kind))
        // The read finds the condition newly true: ISTATUS and the line rise together.
        #expect(rig.control(kind) == Self.enable | Self.istatus)
        #expect(rig.line(kind))
        #expect(rig.timers.context(kind).outputLevel)
        #expect(rig.lines.risingEdges(kind.ppi) == 1)
        // Reads while it holds change nothing.
        #expect(rig.tval(kind) == UInt64(UInt32(truncatingIfNeeded: Int32(0))))
        #expect(rig.cval(kind) == 1_100)
        #expect(rig.lines.risingEdges(kind.ppi) == 1)
    }

    @Test(arguments: TimerKind.allCases)
    func readsMatchTheContextRules(kind: TimerKind) {
        let rig = Rig(start: 5_000)
        for (control, compare, count) in [(Self.enable, 4_000 as UInt64, 5_000 as UInt64),
                                          (Self.enable | Self.imask, 4_000, 5_000),
                                          (0, 4_000, 5_000), (Self.enable, 9_000, 6_000),
                                          (Self.imask, UInt64.max, 7_000)] {
            rig.setControl(kind, control)
            rig.setCVAL(kind, compare)
            rig.source.set(count)
            let got = (rig.control(kind), rig.cval(kind), rig.tval(kind))
            let context = rig.timers.context(kind)
            let now = rig.counter.count(for: kind)
            #expect(got.0 == context.readControl(atCount: now))
            #expect(got.1 == context.compare)
            #expect(got.2 == context.readTimerValue(atCount: now))
            #expect(rig.line(kind) == context.shouldAssert(atCount: now))
        }
    }

    @Test(arguments: TimerKind.allCases)
    func writesToATimerThatCannotFireAreKeptAndSeenByTheLockedPaths(kind: TimerKind) {
        let rig = Rig(start: 10_000)
        // Disabled: CVAL, TVAL and CTL writes that keep it unable to fire.
        rig.setCVAL(kind, 20_000)
        #expect(rig.timers.context(kind).compare == 20_000)
        rig.setTVAL(kind, -500)
        let saved = rig.timers.save()
        #expect((kind == .virtual ? saved.virtual : saved.physical).compare == 9_500)
        rig.setControl(kind, Self.imask | TimerControl.istatus | 0xF0)  // masked, still unable to fire
        #expect(rig.timers.context(kind).control == Self.imask)
        #expect(rig.control(kind) == Self.imask)  // ENABLE clear: ISTATUS reads 0
        #expect(!rig.line(kind))
        // Enabled but masked: ISTATUS holds, the line stays low.
        rig.setControl(kind, Self.enable | Self.imask)
        #expect(rig.control(kind) == Self.enable | Self.imask | Self.istatus)
        rig.setTVAL(kind, 100)  // masked: lock-free, no deadline
        #expect(rig.cval(kind) == 10_100)
        #expect(rig.timers.earliestDeadline() == nil)
        #expect(!rig.line(kind))
        // Unmasking (a write that can fire: locked) raises the line once the count gets there.
        rig.setControl(kind, Self.enable)
        #expect(!rig.line(kind))
        rig.advance(100)
        #expect(rig.line(kind))
        // Masking a pending timer is a locked write: the line drops, ISTATUS stays.
        rig.setControl(kind, Self.enable | Self.imask)
        #expect(!rig.line(kind))
        #expect(rig.istatus(kind))
    }

    @Test func restoreAndResetReachTheLockFreeReads() {
        let rig = Rig(start: 1_000)
        var state = rig.timers.save()
        state.physical = .init(control: Self.enable, compare: 500)
        rig.timers.restore(state, restoringCounter: false)
        #expect(rig.control(.physical) == Self.enable | Self.istatus)
        #expect(rig.line(.physical))
        rig.timers.reset()
        #expect(rig.control(.physical) == 0)
        #expect(rig.cval(.physical) == 0)
        #expect(!rig.line(.physical))
    }
}
