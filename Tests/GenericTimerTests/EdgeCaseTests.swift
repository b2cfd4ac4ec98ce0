import Testing
@testable import GenericTimer

/// The cases of Linux's KVM selftest `arch_timer_edge_cases`, replayed on a manual clock: the
/// selftest waits for an interrupt or sleeps and checks none came; here the count is moved by
/// hand and the line's level is checked. Run for both timers.
@Suite struct EdgeCaseTests {
    static let cvalMax = UInt64.max
    static let tvalMax = Int32.max
    static let tvalMin = Int32.min
    /// "A nice counter value to use as the starting one for most tests."
    static let defaultCount = UInt64.max / 2
    static let ms = Rig.millisecond
    static let waitMs: UInt64 = 10
    static let enable = TimerControl.enable
    static let imask = TimerControl.imask

    /// The selftest's `reset_timer_state`: the count at `count`, the timer masked and disabled.
    func reset(_ rig: Rig, _ kind: TimerKind, count: UInt64 = defaultCount) {
        rig.setCount(kind, count)
        rig.setControl(kind, Self.imask)
        rig.lines.clear()
    }

    // MARK: test_timers_in_the_past

    enum Past: CaseIterable, Sendable {
        case cvalTenMillisecondsAgo, tvalMinusTenMilliseconds, cvalZero, tvalZero, tvalMin
    }

    @Test(arguments: TimerKind.allCases, Past.allCases)
    func timersInThePastFireAtOnce(kind: TimerKind, past: Past) {
        let rig = Rig(start: 77)
        reset(rig, kind)
        switch past {
        case .cvalTenMillisecondsAgo: rig.setCVAL(kind, Self.defaultCount - Self.waitMs * Self.ms)
        case .tvalMinusTenMilliseconds: rig.setTVAL(kind, -Int32(Self.waitMs * Self.ms))
        case .cvalZero: rig.setCVAL(kind, 0)
        case .tvalZero: rig.setTVAL(kind, 0)
        case .tvalMin: rig.setTVAL(kind, Self.tvalMin)
        }
        rig.setControl(kind, Self.enable)
        #expect(rig.line(kind))
        #expect(rig.lines.risingEdges(kind.ppi) == 1)
        #expect(rig.istatus(kind))
    }

    @Test(arguments: TimerKind.allCases)
    func negativeTimerValueThatRollsOverFromZeroIsFarInTheFuture(kind: TimerKind) {
        let rig = Rig(start: 77)
        reset(rig, kind, count: 1 * Self.ms)
        rig.setControl(kind, Self.enable)
        rig.setTVAL(kind, -Int32(Self.waitMs * Self.ms))
        #expect(rig.cval(kind) >= Self.cvalMax - Self.waitMs * Self.ms)
        #expect(!rig.line(kind))
        rig.advance(100 * Self.ms)
        #expect(!rig.line(kind) && !rig.istatus(kind))
    }

    // MARK: timers_sanity_checks

    @Test(arguments: TimerKind.allCases)
    func sanityChecks(kind: TimerKind) {
        let rig = Rig(start: 77)
        reset(rig, kind)
        let wait = Self.waitMs * Self.ms
        // CVAL in the past: TVAL negative.
        rig.setCVAL(kind, rig.count(kind) - wait)
        #expect(Int32(truncatingIfNeeded: rig.tval(kind)) < 0)
        // TVAL in the past: CVAL behind the count.
        rig.setTVAL(kind, -1)
        #expect(rig.cval(kind) < rig.count(kind))
        // Beyond TVAL_MAX (only CVAL can express it): TVAL reads as wrapped, ≤ 0.
        rig.setCVAL(kind, rig.count(kind) + UInt64(Self.tvalMax) + wait)
        #expect(Int32(truncatingIfNeeded: rig.tval(kind)) <= 0)
        // Beyond 2 × TVAL_MAX: TVAL has come all the way round.
        rig.setCVAL(kind, rig.count(kind) + 2 * UInt64(Self.tvalMax) + wait)
        #expect(Int32(truncatingIfNeeded: rig.tval(kind)) <= Int32(wait))
        #expect(rig.tval(kind) == wait - 2)
        // TVAL counts down through zero to −1.
        rig.setTVAL(kind, 0)
        rig.advance(1)
        #expect(Int32(truncatingIfNeeded: rig.tval(kind)) == -1)
        rig.setControl(kind, Self.imask)
    }

    // MARK: test_timers_above_tval_max

    @Test(arguments: TimerKind.allCases)
    func compareBeyondTimerValueMaximumIsNotTruncated(kind: TimerKind) {
        // If CVAL were implemented through a 32-bit TVAL, count + TVAL_MAX + 10 ms would wrap
        // to count + 10 ms and fire then.
        let rig = Rig(start: 77)
        reset(rig, kind)
        let start = rig.count(kind)
        rig.setCVAL(kind, start + UInt64(Self.tvalMax) + Self.waitMs * Self.ms)
        rig.setControl(kind, Self.enable)
        rig.advance(Self.waitMs * Self.ms + 50 * Self.ms)
        #expect(!rig.line(kind))
        rig.advance(UInt64(Self.tvalMax) - 50 * Self.ms)
        #expect(rig.line(kind))
    }

    @Test(arguments: TimerKind.allCases)
    func settingTheCounterAfterTimerValueMaximum(kind: TimerKind) {
        let rig = Rig(start: 77)
        reset(rig, kind)
        let cval = UInt64(Self.tvalMax) + Self.waitMs * Self.ms / 2
        rig.setCVAL(kind, cval)
        rig.setControl(kind, Self.enable)
        #expect(rig.line(kind))              // defaultCount is far beyond it
        rig.setCount(kind, UInt64(Self.tvalMax))
        #expect(!rig.line(kind))             // now 5 ms ahead again
        #expect(rig.timers.earliestDeadline() == rig.source.ticks + Self.waitMs * Self.ms / 2)
        rig.advance(Self.waitMs * Self.ms / 2)
        #expect(rig.line(kind))
    }

    // MARK: test_move_counters_ahead_of_timers / behind_timers

    @Test(arguments: TimerKind.allCases, [
        (UInt64(0), defaultCount, defaultCount + 1),
        (cvalMax, UInt64(1), UInt64(2)),
    ] as [(UInt64, UInt64, UInt64)])
    func movingTheCounterAheadOfACompareFires(kind: TimerKind, case: (start: UInt64, cval: UInt64, moved: UInt64)) {
        let rig = Rig(start: 77)
        reset(rig, kind, count: `case`.start)
        rig.setCVAL(kind, `case`.cval)
        rig.setControl(kind, Self.enable)
        rig.setCount(kind, `case`.moved)
        #expect(rig.line(kind))
        #expect(rig.lines.risingEdges(kind.ppi) == 1)
    }

    @Test(arguments: TimerKind.allCases, [
        (Int32(-1), defaultCount + 1),
        (Int32(-1), UInt64(tvalMax)),
        (tvalMax, UInt64(tvalMax) + 100 + 1),
    ] as [(Int32, UInt64)])
    func movingTheCounterAheadOfATimerValueFires(kind: TimerKind, case: (tval: Int32, moved: UInt64)) {
        // The selftest sets the count to 0 and some time passes before the TVAL write: here
        // 100 ticks, so TVAL −1 means CVAL 99 rather than 2^64 − 1.
        let rig = Rig(start: 77)
        reset(rig, kind, count: 0)
        rig.advance(100)
        rig.setControl(kind, Self.enable)
        rig.setTVAL(kind, `case`.tval)
        #expect(rig.cval(kind) == 100 &+ UInt64(bitPattern: Int64(`case`.tval)))
        rig.setCount(kind, `case`.moved)
        #expect(rig.line(kind))
    }

    @Test(arguments: TimerKind.allCases)
    func movingTheCounterToTheTopGivesOnlyAMomentaryLevel(kind: TimerKind) {
        // Count 0, CVAL = DEF_CNT, count set to CVAL_MAX: the condition holds for the one tick
        // before the counter wraps to 0; the level (not a pulse) is gone after it.
        let rig = Rig(start: 77)
        reset(rig, kind, count: 0)
        rig.setCVAL(kind, Self.defaultCount)
        rig.setControl(kind, Self.enable)
        rig.setCount(kind, Self.cvalMax)
        #expect(rig.line(kind))
        rig.advance(1)
        #expect(rig.count(kind) == 0)
        #expect(!rig.line(kind) && !rig.istatus(kind))
        // The next time the count reaches CVAL is 2^63 ticks away: beyond the horizon.
        #expect(rig.timers.earliestDeadline() == nil)
    }

    @Test(arguments: TimerKind.allCases, [true, false])
    func movingTheCounterBehindAPendingTimerCancelsIt(kind: TimerKind, viaTimerValue: Bool) {
        let rig = Rig(start: 77)
        reset(rig, kind)
        rig.setControl(kind, Self.enable)
        if viaTimerValue { rig.setTVAL(kind, -1) } else { rig.setCVAL(kind, Self.defaultCount - 1) }
        #expect(rig.line(kind))
        rig.setCount(kind, 0)
        #expect(!rig.line(kind))
        #expect(!rig.istatus(kind))
    }

    // MARK: test_reprogram_timers

    @Test(arguments: TimerKind.allCases, [(UInt64(20), UInt64(10)), (UInt64(10), UInt64(20))])
    func reprogrammingATimerUsesOnlyTheLastValue(kind: TimerKind, delays: (first: UInt64, second: UInt64)) {
        let rig = Rig(start: 77)
        reset(rig, kind)
        rig.setControl(kind, Self.enable)
        rig.setTVAL(kind, Int32(delays.first * Self.ms))
        rig.setTVAL(kind, Int32(delays.second * Self.ms))
        // Enabling before the first TVAL write raised the line for a moment (CVAL was still
        // 0), as on hardware; from here on only the last programming counts.
        #expect(!rig.line(kind))
        rig.lines.clear()
        #expect(rig.timers.earliestDeadline() == rig.source.ticks + delays.second * Self.ms)
        rig.advance(delays.second * Self.ms - 1)
        #expect(!rig.line(kind))
        rig.advance(1)
        #expect(rig.line(kind))
        #expect(rig.count(kind) >= Self.defaultCount + delays.second * Self.ms)
        #expect(rig.lines.risingEdges(kind.ppi) == 1)
    }

    @Test(arguments: TimerKind.allCases)
    func reprogrammingWhileTheInterruptIsPendingDropsIt(kind: TimerKind) {
        let rig = Rig(start: 77)
        reset(rig, kind)
        rig.setControl(kind, Self.enable)
        rig.setTVAL(kind, 0)
        #expect(rig.line(kind))
        rig.setTVAL(kind, Int32(Self.waitMs * Self.ms))
        #expect(!rig.line(kind))
        rig.advance(Self.waitMs * Self.ms)
        #expect(rig.line(kind))
        #expect(rig.lines.risingEdges(kind.ppi) == 2)
    }

    // MARK: test_timers_fired_multiple_times

    @Test(arguments: TimerKind.allCases)
    func theSameConditionFiresAgainAfterEachReenable(kind: TimerKind) {
        let rig = Rig(start: 77)
        reset(rig, kind)
        rig.setControl(kind, Self.enable)
        rig.setTVAL(kind, 0)
        for round in 1...10 {
            #expect(rig.line(kind))
            // The selftest's handler: disable and mask; then the test enables again.
            rig.setControl(kind, Self.imask)
            #expect(!rig.line(kind))
            rig.advance(1_000)
            rig.setControl(kind, Self.enable)
            #expect(rig.lines.risingEdges(kind.ppi) == round + 1)
        }
    }

    // MARK: test_timer_control_mask_then_unmask / test_timer_control_masks

    @Test(arguments: TimerKind.allCases)
    func maskingAndUnmaskingWhilePending(kind: TimerKind) {
        let rig = Rig(start: 77)
        reset(rig, kind)
        rig.setControl(kind, Self.enable | Self.imask)
        rig.setTVAL(kind, -1)
        rig.advance(50 * Self.ms)
        #expect(!rig.line(kind))
        #expect(rig.istatus(kind))           // the condition holds, only the output is masked
        rig.setControl(kind, Self.enable)
        #expect(rig.line(kind))
        rig.setControl(kind, Self.enable | Self.imask)
        #expect(!rig.line(kind))
        #expect(rig.lines.all == [.init(ppi: kind.ppi, level: true), .init(ppi: kind.ppi, level: false)])
    }

    @Test(arguments: TimerKind.allCases)
    func maskedTimersAreNotArmed(kind: TimerKind) {
        let rig = Rig(start: 77)
        reset(rig, kind)
        rig.setControl(kind, Self.enable | Self.imask)
        rig.setTVAL(kind, Int32(Self.ms))
        #expect(rig.timers.earliestDeadline() == nil)
    }

    // MARK: test_long_timer_delays

    @Test(arguments: TimerKind.allCases, [true, false])
    func longDelays(kind: TimerKind, viaTimerValue: Bool) {
        let rig = Rig(start: 77)
        reset(rig, kind)
        let delay = 100 * Self.ms
        if viaTimerValue { rig.setTVAL(kind, Int32(delay)) } else { rig.setCVAL(kind, Self.defaultCount + delay) }
        rig.setControl(kind, Self.enable)
        #expect(rig.timers.earliestDeadline() == rig.source.ticks + delay)
        for _ in 0..<99 {
            rig.advance(Self.ms)
            #expect(!rig.line(kind))
        }
        rig.advance(Self.ms - 1)
        #expect(!rig.line(kind))
        rig.advance(1)
        #expect(rig.line(kind))
    }

    // MARK: One timer does not disturb the other

    @Test(arguments: TimerKind.allCases)
    func theOtherTimerIsUntouched(kind: TimerKind) {
        let rig = Rig(start: 77)
        reset(rig, kind)
        rig.setControl(kind, Self.enable)
        rig.setTVAL(kind, 0)
        #expect(rig.line(kind))
        #expect(!rig.line(kind.other))
        #expect(rig.control(kind.other) == 0)
    }
}
