import Foundation
import Testing
@testable import GenericTimer

@Suite struct SaveRestoreTests {
    static let enable = TimerControl.enable
    static let imask = TimerControl.imask

    @Test func roundTripKeepsRegistersAndCounts() throws {
        let rig = Rig(start: 7_000)
        rig.counter.setPhysicalCount(5_000)
        rig.counter.setVirtualCount(3_000)
        rig.setCVAL(.virtual, 2_500)  // condition holds, but masked
        rig.setControl(.virtual, Self.enable | Self.imask)
        rig.setCVAL(.physical, 4_000)
        rig.setControl(.physical, Self.enable)  // already firing
        let saved = rig.timers.save()
        #expect(saved == TimerState(
            virtual: .init(control: 0b11, compare: 2_500),
            physical: .init(control: 0b01, compare: 4_000),  // ISTATUS is not state
            counter: CounterState(physicalCount: 5_000, virtualCount: 3_000)))

        // Into a VM on another "host" whose clock reads something else entirely.
        let other = Rig(start: 123_456_789)
        other.timers.restore(saved)
        #expect(other.timers.save() == saved)
        #expect(other.count(.physical) == 5_000 && other.count(.virtual) == 3_000)
        #expect(other.line(.physical))   // condition holds: re-asserted on restore
        #expect(!other.line(.virtual))   // masked
        #expect(other.control(.virtual) == 0b111)

        // Codable: a snapshot file round-trips.
        let data = try JSONEncoder().encode(saved)
        #expect(try JSONDecoder().decode(TimerState.self, from: data) == saved)
    }

    @Test func restoreCanLeaveTheCounterAlone() {
        let rig = Rig(start: 1_000)
        let saved = TimerState(virtual: .init(control: Self.enable, compare: 900),
                               physical: .init(control: 0, compare: 0),
                               counter: CounterState(physicalCount: 1, virtualCount: 1))
        rig.timers.restore(saved, restoringCounter: false)
        #expect(rig.count(.virtual) == 1_000)
        #expect(rig.line(.virtual))
    }

    @Test func restoreDropsALineWhoseConditionNoLongerHolds() {
        let rig = Rig(start: 1_000)
        rig.setCVAL(.physical, 10)
        rig.setControl(.physical, Self.enable)
        #expect(rig.line(.physical))
        rig.timers.restore(TimerState(virtual: .init(control: 0, compare: 0),
                                      physical: .init(control: Self.enable, compare: 2_000),
                                      counter: CounterState(physicalCount: 1_000, virtualCount: 1_000)))
        #expect(!rig.line(.physical))
        rig.advance(1_000)
        #expect(rig.line(.physical))
    }

    @Test func restoredControlIsSanitised() {
        let rig = Rig(start: 0)
        rig.timers.restore(TimerState(virtual: .init(control: .max, compare: 5),
                                      physical: .init(control: 0, compare: 0),
                                      counter: CounterState(physicalCount: 0, virtualCount: 0)))
        #expect(rig.timers.virtual.control == 0b11)
    }
}

