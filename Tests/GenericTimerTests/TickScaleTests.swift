import Testing
@testable import GenericTimer

@Suite struct TickScaleTests {
    @Test func oneGigahertzIsTheIdentity() {
        let scale = TickScale(frequency: 1_000_000_000)
        #expect(scale.ticks(fromNanoseconds: 123_456_789_012) == 123_456_789_012)
        #expect(scale.nanoseconds(fromTicks: .max) == .max)
    }

    @Test(arguments: [
        // (frequency, ns, ticks = floor(ns × f / 1e9))
        (UInt64(62_500_000), UInt64(1_000), UInt64(62)),
        (24_000_000, 1_000_000_000, 24_000_000),
        // 10^9 s of uptime at 62.5 MHz: the 128-bit intermediate keeps this exact.
        (62_500_000, 1_000_000_000_000_000_000, 62_500_000_000_000_000),
    ])
    func nanosecondsToTicks(frequency: UInt64, nanoseconds: UInt64, ticks: UInt64) {
        #expect(TickScale(frequency: frequency).ticks(fromNanoseconds: nanoseconds) == ticks)
    }

    @Test func ticksToNanosecondsRoundsUpSoAWakeIsNeverEarly() {
        let scale = TickScale(frequency: 24_000_000)  // 41.666… ns per tick
        #expect(scale.nanoseconds(fromTicks: 1) == 42)
        #expect(scale.nanoseconds(fromTicks: 3) == 125)
        for ticks: UInt64 in [1, 2, 7, 1_000_003, 24_000_001] {
            let nanoseconds = scale.nanoseconds(fromTicks: ticks) ?? 0
            #expect(scale.ticks(fromNanoseconds: nanoseconds) >= ticks)
            #expect(scale.ticks(fromNanoseconds: nanoseconds - 1) < ticks)
        }
    }

    @Test func overflowIsReportedNotWrapped() {
        let scale = TickScale(frequency: 62_500_000)  // 16 ns per tick
        #expect(scale.nanoseconds(fromTicks: .max) == nil)
        #expect(scale.nanoseconds(fromTicks: UInt64.max / 16) == UInt64.max / 16 * 16)
        #expect(scale.nanoseconds(fromTicks: UInt64.max / 16 + 1) == nil)
        // Faster than 1 GHz the count saturates instead of wrapping back to small values.
        #expect(TickScale(frequency: 4_000_000_000).ticks(fromNanoseconds: .max) == .max)
    }

    @Test func zeroFrequencyIsTakenAsOneHertz() {
        #expect(TickScale(frequency: 0).frequency == 1)
    }

    @Test func hostSourceHasNoDeadlineBeyondTheHostClockRange() {
        let host = HostCounterSource(frequency: 1_000_000_000)
        #expect(host.hostNanoseconds(whenTicksReach: 5_000) == 5_000)
        #expect(host.hostNanoseconds(whenTicksReach: UInt64(Int64.max)) == UInt64(Int64.max))
        #expect(host.hostNanoseconds(whenTicksReach: UInt64(Int64.max) + 1) == nil)
        #expect(host.hostNanoseconds(whenTicksReach: .max) == nil)
        #expect(HostCounterSource(frequency: 62_500_000).hostNanoseconds(whenTicksReach: .max) == nil)
    }

    @Test func manualSourceWithoutHostScaleHasNoHostTime() {
        let source = ManualCounterSource(ticks: 10)
        #expect(source.hostNanoseconds(whenTicksReach: 20) == nil)
        source.advance(by: 5)
        #expect(source.ticks == 15)
        source.set(.max)
        source.advance(by: 2)
        #expect(source.ticks == 1)
    }

    @Test func hostSourceFollowsTheMonotonicClock() {
        let host = HostCounterSource()
        let before = monotonicNanoseconds()
        let ticks = host.ticks
        let after = monotonicNanoseconds()
        #expect(ticks >= before && ticks <= after)
    }
}
