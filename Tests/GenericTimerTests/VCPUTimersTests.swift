import Testing
@testable import GenericTimer

/// Register emulation and output levels of one vCPU, on a manual clock.
@Suite struct VCPUTimersTests {
    static let enable = TimerControl.enable
    static let imask = TimerControl.imask
    static let istatus = TimerControl.istatus

    @Test func frequencyAndCountsReadThroughTheCounter() {
        let rig = Rig(start: 5_000)
        rig.counter.setVMOffset(1_000)
        rig.counter.setVirtualOffset(300)
        #expect(rig.timers.read(.frequency) == Rig.frequency)
        #expect(rig.timers.read(.physicalCount) == 4_000)
        #expect(rig.timers.read(.virtualCount) == 3_700)
        rig.timers.write(.physicalCount, value: 0)  // read-only: ignored
        rig.timers.write(.frequency, value: 1)
        #expect(rig.timers.read(.physicalCount) == 4_000)
        #expect(rig.timers.read(.frequency) == Rig.frequency)
        #expect(TimerRegister.allCases.filter(\.isReadOnly) == [.frequency, .physicalCount, .virtualCount])
    }

    @Test(arguments: TimerKind.allCases)
    func compareInThePastFiresAtOnce(kind: TimerKind) {
        let rig = Rig(start: 1_000_000)
        rig.setCVAL(kind, 999_990)
        #expect(!rig.line(kind))
        rig.setControl(kind, Self.enable)
        #expect(rig.line(kind))
        #expect(rig.control(kind) == Self.enable | Self.istatus)
        #expect(rig.lines.all == [.init(ppi: kind.ppi, level: true)])
        #expect(!rig.line(kind.other))
    }

    @Test(arguments: TimerKind.allCases)
    func compareInTheFutureFiresWhenTheCountReachesIt(kind: TimerKind) {
        let rig = Rig(start: 0)
        rig.setCVAL(kind, 1_000)
        rig.setControl(kind, Self.enable)
        rig.advance(999)
        #expect(!rig.line(kind) && !rig.istatus(kind))
        rig.advance(1)
        #expect(rig.line(kind) && rig.istatus(kind))
    }

    @Test(arguments: TimerKind.allCases, [
        (UInt64(0), UInt64(0)),
        (UInt64(1) << 40, UInt64(7)),
        (UInt64(1) << 63, UInt64(1) << 62),
        (UInt64(5), (UInt64(1) << 63) + 5),
    ] as [(UInt64, UInt64)])
    func maximumCompareNeverFires(kind: TimerKind, counts: (physical: UInt64, virtual: UInt64)) {
        // The source runs at "host" 1 GHz from an hour of uptime; the offsets put the counts
        // behind or ahead of it.
        let rig = Rig(start: 3_600 * Rig.frequency, hostFrequency: Rig.frequency)
        rig.counter.setPhysicalCount(counts.physical)
        rig.counter.setVirtualCount(counts.virtual)
        #expect(rig.count(.physical) == counts.physical && rig.count(.virtual) == counts.virtual)
        rig.setCVAL(kind, .max)
        rig.setControl(kind, Self.enable)
        #expect(!rig.line(kind))
        #expect(rig.timers.earliestDeadline() == nil)
        #expect(rig.timers.earliestHostDeadline() == nil)
        rig.advance(1 << 40)  // 18 minutes later: still nothing
        #expect(!rig.line(kind) && !rig.istatus(kind))
        #expect(rig.timers.earliestHostDeadline() == nil)
    }

    @Test func deadlinesBeyondTheHorizonAreNever() {
        let rig = Rig(start: 1_000)
        rig.setCVAL(.physical, 1_000 + VCPUTimers.neverHorizon)
        rig.setControl(.physical, Self.enable)
        #expect(rig.timers.earliestDeadline() == 1_000 + VCPUTimers.neverHorizon)
        rig.setCVAL(.physical, 1_001 + VCPUTimers.neverHorizon)
        #expect(rig.timers.earliestDeadline() == nil)
    }

    @Test func maximumCompareFiresWhenTheCountIsJustBelowIt() {
        let rig = Rig(start: 50)
        rig.counter.setVirtualCount(.max - 100)
        rig.setCVAL(.virtual, .max)
        rig.setControl(.virtual, Self.enable)
        #expect(rig.timers.earliestDeadline() == 150)
        rig.advance(100)
        #expect(rig.line(.virtual))
        rig.advance(1)  // the count wraps to 0: the condition no longer holds
        #expect(!rig.line(.virtual))
    }

    @Test(arguments: TimerKind.allCases)
    func imaskKeepsIstatusButDropsTheLine(kind: TimerKind) {
        let rig = Rig(start: 100)
        rig.setCVAL(kind, 50)
        rig.setControl(kind, Self.enable)
        #expect(rig.line(kind))
        rig.setControl(kind, Self.enable | Self.imask)
        #expect(!rig.line(kind))
        #expect(rig.control(kind) == Self.enable | Self.imask | Self.istatus)
        rig.setControl(kind, Self.enable)
        #expect(rig.line(kind))
        #expect(rig.lines.risingEdges(kind.ppi) == 2)
    }

    @Test(arguments: TimerKind.allCases)
    func disablingDropsTheLineAndIstatus(kind: TimerKind) {
        let rig = Rig(start: 100)
        rig.setCVAL(kind, 50)
        rig.setControl(kind, Self.enable)
        #expect(rig.line(kind))
        rig.setControl(kind, 0)
        #expect(!rig.line(kind))
        #expect(rig.control(kind) == 0)
    }

    @Test(arguments: TimerKind.allCases)
    func istatusIsReadOnlyAndReservedBitsReadZero(kind: TimerKind) {
        let rig = Rig(start: 0)
        rig.setCVAL(kind, 1_000)
        rig.setControl(kind, Self.istatus | Self.enable | 0xFFFF_FFF8)
        #expect(rig.control(kind) == Self.enable)
        #expect(!rig.line(kind))
        rig.setControl(kind, .max)
        #expect(rig.control(kind) == Self.enable | Self.imask)
    }

    @Test(arguments: TimerKind.allCases)
    func timerValueViewsTrackTheCount(kind: TimerKind) {
        let rig = Rig(start: 1 << 40)
        rig.setTVAL(kind, 100)
        #expect(rig.cval(kind) == (1 << 40) + 100)
        rig.advance(40)
        #expect(rig.tval(kind) == 60)
        rig.advance(61)
        #expect(rig.tval(kind) == 0xFFFF_FFFF)  // −1, zero-extended
        rig.setTVAL(kind, -5)
        #expect(rig.cval(kind) == (1 << 40) + 101 - 5)
    }

    @Test func earliestDeadlineIsTheEarliestTimerThatCanFire() {
        let rig = Rig(start: 10_000)
        #expect(rig.timers.earliestDeadline() == nil)
        rig.setCVAL(.virtual, 10_100)
        rig.setControl(.virtual, Self.enable)
        rig.setCVAL(.physical, 10_050)
        rig.setControl(.physical, Self.enable | Self.imask)  // masked: ignored
        #expect(rig.timers.earliestDeadline() == 10_100)
        rig.setControl(.physical, Self.enable)
        #expect(rig.timers.earliestDeadline() == 10_050)
        rig.setControl(.physical, 0)  // disabled: ignored
        #expect(rig.timers.earliestDeadline() == 10_100)
        rig.setControl(.virtual, 0)
        #expect(rig.timers.earliestDeadline() == nil)
    }

    @Test func earliestDeadlineIsInSourceTicksAcrossOffsets() {
        let rig = Rig(start: 1_000_000)
        rig.counter.setVMOffset(400_000)      // physical count 600_000
        rig.counter.setVirtualOffset(100_000) // virtual count 500_000
        rig.setCVAL(.virtual, 500_300)        // 300 ticks away
        rig.setControl(.virtual, Self.enable)
        rig.setCVAL(.physical, 600_200)       // 200 ticks away
        rig.setControl(.physical, Self.enable)
        #expect(rig.timers.earliestDeadline() == 1_000_200)
        rig.advance(250)
        #expect(rig.line(.physical))
        // A timer whose condition holds gives "now".
        #expect(rig.timers.earliestDeadline() == 1_000_250)
    }

    @Test func outputCanBeWiredLater() {
        let rig = Rig(start: 100)
        rig.setCVAL(.virtual, 10)
        rig.setControl(.virtual, Self.enable)
        let gic = LineRecorder()
        rig.timers.setOutput(gic.output)
        #expect(gic.level(27))
        #expect(!gic.level(30))
        #expect(gic.all.count == 2)
    }

    @Test func customInterruptNumbers() {
        let source = ManualCounterSource(ticks: 100)
        let lines = LineRecorder()
        let timers = VCPUTimers(counter: SystemCounter(source: source), virtualPPI: 20,
                                physicalPPI: 21, output: lines.output)
        timers.write(.physicalCompare, value: 0)
        timers.write(.physicalControl, value: Self.enable)
        #expect(lines.all == [.init(ppi: 21, level: true)])
        #expect(timers.physical.ppi == 21 && timers.virtual.ppi == 20)
    }

    @Test func resetDisablesBothTimersAndDropsTheirLines() {
        let rig = Rig(start: 100)
        for kind in TimerKind.allCases {
            rig.setCVAL(kind, 10)
            rig.setControl(kind, Self.enable)
        }
        #expect(rig.line(.virtual) && rig.line(.physical))
        rig.timers.reset()
        #expect(!rig.line(.virtual) && !rig.line(.physical))
        #expect(rig.control(.virtual) == 0 && rig.cval(.physical) == 0)
    }
}

@Suite struct NextExpiryTests {
    @Test func nextExpirySkipsLinesAlreadyUp() {
        let rig = Rig(start: 1_000)
        rig.setCVAL(.virtual, 500)
        rig.setControl(.virtual, TimerControl.enable)  // up now
        rig.setCVAL(.physical, 1_300)
        rig.setControl(.physical, TimerControl.enable)
        #expect(rig.timers.earliestDeadline() == 1_000)
        #expect(rig.timers.nextExpiry() == 1_300)
        // A deterministic clock jumps there; nextExpiry itself brings the levels up to date.
        rig.source.set(1_300)
        #expect(rig.timers.nextExpiry() == nil)
        #expect(rig.line(.physical))
    }
}
