import Testing
@testable import GenericTimer

/// The context alone, against counts given by hand (Arm ARM D11.2.4).
@Suite struct TimerContextTests {
    func context(control: UInt64, compare: UInt64) -> TimerContext {
        var context = TimerContext(kind: .physical, ppi: 30)
        context.writeControl(control)
        context.writeCompare(compare)
        return context
    }

    @Test func conditionIsEnableAndAnUnsignedCompare() {
        let enabled = context(control: TimerControl.enable, compare: 1 << 63)
        #expect(!enabled.condition(atCount: (1 << 63) - 1))
        #expect(enabled.condition(atCount: 1 << 63))
        #expect(enabled.condition(atCount: .max))
        // Unsigned: a count with the top bit set is not "negative".
        #expect(context(control: TimerControl.enable, compare: 1).condition(atCount: 1 << 63))
        #expect(!context(control: 0, compare: 0).condition(atCount: 100))
    }

    @Test func istatusReadsZeroWhileDisabled() {
        let disabled = context(control: TimerControl.imask, compare: 10)
        #expect(disabled.readControl(atCount: 20) == TimerControl.imask)
        let enabled = context(control: TimerControl.enable, compare: 10)
        #expect(enabled.readControl(atCount: 20) == TimerControl.enable | TimerControl.istatus)
        #expect(enabled.readControl(atCount: 9) == TimerControl.enable)
    }

    @Test func writesKeepOnlyEnableAndImask() {
        var timer = context(control: .max, compare: 1_000)
        #expect(timer.control == TimerControl.enable | TimerControl.imask)
        #expect(timer.readControl(atCount: 0) == 0b011)  // ISTATUS clear: condition false
        timer.writeControl(TimerControl.istatus)
        #expect(timer.control == 0)
        #expect(timer.readControl(atCount: 2_000) == 0)
    }

    @Test func lineFollowsConditionAndImask() {
        #expect(context(control: TimerControl.enable, compare: 5).shouldAssert(atCount: 5))
        #expect(!context(control: TimerControl.enable | TimerControl.imask, compare: 5)
            .shouldAssert(atCount: 5))
        #expect(!context(control: TimerControl.enable, compare: 5).shouldAssert(atCount: 4))
    }

    @Test(arguments: [
        // (CVAL − count as a 64-bit distance, TVAL read = low 32 bits zero-extended)
        (UInt64(100), UInt64(100)),
        (UInt64.max, UInt64(0xFFFF_FFFF)),                 // one tick past: −1
        ((1 << 32) + 5, UInt64(5)),                      // beyond 32 bits: truncated
        (UInt64(1) << 31, UInt64(0x8000_0000)),          // reads as INT32_MIN
        (UInt64(0x7FFF_FFFF), UInt64(0x7FFF_FFFF)),      // TVAL_MAX
        (0 &- UInt64(10_000_000), UInt64(0xFF67_6980)),  // 10 ms (1 GHz) in the past
    ] as [(UInt64, UInt64)])
    func timerValueReadsTheLow32BitsZeroExtended(distance: UInt64, expected: UInt64) {
        let count: UInt64 = 0x1234_5678_9ABC
        let timer = context(control: TimerControl.enable, compare: count &+ distance)
        #expect(timer.readTimerValue(atCount: count) == expected)
        #expect(timer.readTimerValue(atCount: count) >> 32 == 0)  // bits 63:32 RES0
    }

    @Test(arguments: [
        // (count, value written, CVAL = count + SignExtend(value[31:0]))
        (UInt64(1_000), UInt64(0xFFFF_FFFF), UInt64(999)),
        (UInt64(1_000), UInt64(0x7FFF_FFFF), UInt64(1_000 + 0x7FFF_FFFF)),
        (UInt64(1) << 40, UInt64(0x8000_0000), (UInt64(1) << 40) - (1 << 31)),
        (UInt64(1_000), UInt64(0xDEAD_BEEF_0000_0010), UInt64(1_016)),  // bits 63:32 ignored
        (UInt64(5), UInt64(bitPattern: -10), UInt64.max - 4),           // wraps below zero
        (UInt64.max, UInt64(2), UInt64(1)),                               // wraps above 2^64
    ] as [(UInt64, UInt64, UInt64)])
    func timerValueWriteSignExtends(count: UInt64, value: UInt64, compare: UInt64) {
        var timer = context(control: TimerControl.enable, compare: 0)
        timer.writeTimerValue(value, atCount: count)
        #expect(timer.compare == compare)
    }

    @Test func ticksUntilAssertedNeedsAnEnabledUnmaskedTimer() {
        #expect(context(control: 0, compare: 50).ticksUntilAsserted(atCount: 10) == nil)
        #expect(context(control: TimerControl.enable | TimerControl.imask, compare: 50)
            .ticksUntilAsserted(atCount: 10) == nil)
        #expect(context(control: TimerControl.enable, compare: 50).ticksUntilAsserted(atCount: 10) == 40)
        #expect(context(control: TimerControl.enable, compare: 50).ticksUntilAsserted(atCount: 60) == 0)
        #expect(context(control: TimerControl.enable, compare: .max).ticksUntilAsserted(atCount: 0)
            == .max)
    }

    @Test func updateLevelReportsOnlyChanges() {
        var timer = context(control: TimerControl.enable, compare: 10)
        var changes: [Bool] = []
        for count: UInt64 in [5, 10, 11] { changes.append(timer.updateLevel(atCount: count)) }
        #expect(changes == [false, true, false])
        #expect(timer.outputLevel)
        timer.writeControl(0)
        let dropped = timer.updateLevel(atCount: 11)
        #expect(dropped)
        #expect(!timer.outputLevel)
    }

    @Test func defaultInterrupts() {
        #expect(TimerContext.defaultPPI(for: .virtual) == 27)
        #expect(TimerContext.defaultPPI(for: .physical) == 30)
    }
}
