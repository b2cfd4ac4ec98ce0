import Testing
@testable import Devices

/// A PL031 on a hand-set clock, wired to a level recorder.
struct RTC {
    let clock: ManualClock
    let device: PL031
    let levels = Recorder<Bool>()

    init(now: UInt64 = 1_700_000_000) {
        let clock = ManualClock(now), levels = self.levels
        self.clock = clock
        device = PL031(clock: clock.read, interrupt: levels.record)
    }

    func read(_ offset: UInt64, size: Int = 4) -> UInt64? { device.read(offset: offset, size: size, vcpu: 0) }
    func write(_ offset: UInt64, _ value: UInt64, size: Int = 4) {
        #expect(device.write(offset: offset, size: size, value: value, vcpu: 0))
    }
}

enum PL031Reg {
    static let dr: UInt64 = 0x00, mr: UInt64 = 0x04, lr: UInt64 = 0x08, cr: UInt64 = 0x0C
    static let imsc: UInt64 = 0x10, ris: UInt64 = 0x14, mis: UInt64 = 0x18, icr: UInt64 = 0x1C
}

@Suite struct PL031Tests {
    typealias R = PL031Reg

    @Test(arguments: [
        (UInt64(0xFE0), UInt64(0x31)), (0xFE4, 0x10), (0xFE8, 0x14), (0xFEC, 0x00),
        (0xFF0, 0x0D), (0xFF4, 0xF0), (0xFF8, 0x05), (0xFFC, 0xB1),
    ])
    func identificationRegisters(offset: UInt64, value: UInt64) {
        #expect(RTC().read(offset) == value)
    }

    /// kvm-unit-tests' check_ro: byte, halfword and word writes of a poison value leave RIS,
    /// MIS and the ID registers unchanged at every width.
    @Test(arguments: [R.ris, R.mis, 0xFE0, 0xFE4, 0xFE8, 0xFEC, 0xFF0, 0xFF4, 0xFF8, 0xFFC])
    func readOnlyRegistersStayReadOnly(offset: UInt64) {
        let rtc = RTC()
        let before = [1, 2, 4].map { rtc.read(offset, size: $0) }
        for size in [1, 2, 4] { rtc.write(offset, 0xDEAD_BEEF, size: size) }
        #expect([1, 2, 4].map { rtc.read(offset, size: $0) } == before)
    }

    @Test func dataRegisterFollowsTheClock() {
        let rtc = RTC(now: 1_700_000_000)
        #expect(rtc.read(R.dr) == 1_700_000_000)
        rtc.clock.advance(by: 2)
        #expect(rtc.read(R.dr) == 1_700_000_002)
        rtc.write(R.dr, 5)  // Read-only.
        #expect(rtc.read(R.dr) == 1_700_000_002)
    }

    @Test func dataRegisterIsTheClockModulo2To32() {
        let rtc = RTC(now: 0x1_0000_0005)
        #expect(rtc.read(R.dr) == 5)
    }

    @Test func loadRegisterSetsTheCountThatKeepsTicking() {
        let rtc = RTC(now: 5_000)
        rtc.write(R.lr, 1_000)
        #expect(rtc.read(R.dr) == 1_000)
        #expect(rtc.read(R.lr) == 1_000)
        rtc.clock.advance(by: 3)
        #expect(rtc.read(R.dr) == 1_003)
        #expect(rtc.read(R.lr) == 1_000)
    }

    @Test func controlRegisterReadsStarted() {
        let rtc = RTC()
        #expect(rtc.read(R.cr) == 1)
        rtc.write(R.cr, 0)
        #expect(rtc.read(R.cr) == 1)
    }

    @Test func maskAndMatchRegistersAreReadWrite() {
        let rtc = RTC()
        rtc.write(R.imsc, 0xFFFF_FFFF)
        #expect(rtc.read(R.imsc) == 1)
        rtc.write(R.mr, 0x1234_5678)
        #expect(rtc.read(R.mr) == 0x1234_5678)
        #expect(rtc.read(R.icr) == 0)
    }

    /// The sequence kvm-unit-tests' pl031 test runs: match armed, time passes with the
    /// interrupt masked (raw status set, line low), unmasking raises the line, writing 1 to
    /// ICR clears it.
    @Test func matchInterruptAsKvmUnitTestsChecksIt() {
        let rtc = RTC()
        let before = rtc.read(R.dr) ?? 0
        rtc.write(R.mr, before + 1)
        #expect(rtc.read(R.ris) == 0)
        rtc.clock.advance(by: 2)
        #expect(rtc.levels.all.isEmpty)
        rtc.write(R.imsc, 1)
        #expect(rtc.levels.all == [true])
        #expect(rtc.read(R.ris) == 1)
        #expect(rtc.read(R.mis) == 1)
        rtc.write(R.icr, 1)
        #expect(rtc.levels.all == [true, false])
        #expect(rtc.read(R.ris) == 0)
        #expect(rtc.read(R.mis) == 0)
        rtc.clock.advance(by: 10)  // One-shot: it does not fire again.
        #expect(rtc.read(R.ris) == 0)
    }

    @Test func interruptClearIsWriteOneToClear() {
        let rtc = RTC()
        rtc.write(R.imsc, 1)
        rtc.write(R.mr, rtc.read(R.dr) ?? 0)  // Matches now.
        #expect(rtc.read(R.ris) == 1)
        rtc.write(R.icr, 0x8000_0000)
        #expect(rtc.read(R.ris) == 1)
        #expect(rtc.levels.all == [true])
        rtc.write(R.icr, 1)
        #expect(rtc.read(R.ris) == 0)
        #expect(rtc.levels.all == [true, false])
    }

    @Test func tickDeliversTheMatchWithoutGuestAccess() {
        let rtc = RTC(now: 100)
        rtc.write(R.imsc, 1)
        rtc.write(R.mr, 105)
        #expect(rtc.device.nextMatchDeadline == 105)
        rtc.clock.advance(by: 4)
        rtc.device.tick()
        #expect(rtc.levels.all.isEmpty)
        rtc.clock.advance(by: 1)
        rtc.device.tick()
        #expect(rtc.levels.all == [true])
        #expect(rtc.device.interruptLevel)
        #expect(rtc.device.nextMatchDeadline == nil)
    }

    @Test func deadlineChangesAreReported() {
        let clock = ManualClock(100)
        let deadlines = Recorder<UInt64?>()
        let rtc = PL031(clock: clock.read, interrupt: { _ in }, matchDeadlineChanged: deadlines.record)
        _ = rtc.write(offset: PL031Reg.mr, size: 4, value: 110, vcpu: 0)
        _ = rtc.write(offset: PL031Reg.mr, size: 4, value: 110, vcpu: 0)  // Same deadline: silent.
        _ = rtc.write(offset: PL031Reg.lr, size: 4, value: 105, vcpu: 0)  // Now 5 s away.
        clock.advance(by: 5)
        rtc.tick()
        #expect(deadlines.all == [110, 105, nil])
    }

    @Test func deadlineIsOnTheHostClockWhenLoadedTimeDiffers() {
        let rtc = RTC(now: 1_000)
        rtc.write(R.lr, 0xFFFF_FFFF)
        rtc.write(R.mr, 1)  // Two seconds later, across the 32-bit wrap.
        #expect(rtc.device.nextMatchDeadline == 1_002)
        rtc.clock.advance(by: 2)
        #expect(rtc.read(R.dr) == 1)
        #expect(rtc.read(R.ris) == 1)
    }

    @Test func loadingTheMatchValueFiresAtOnce() {
        let rtc = RTC(now: 50)
        rtc.write(R.mr, 60)
        rtc.write(R.lr, 60)
        #expect(rtc.read(R.ris) == 1)
        #expect(rtc.device.nextMatchDeadline == nil)
    }

    @Test func resetClearsInterruptStateButKeepsTime() {
        let rtc = RTC(now: 10)
        rtc.write(R.lr, 500)
        rtc.write(R.imsc, 1)
        rtc.write(R.mr, 500)
        #expect(rtc.levels.all == [true])
        rtc.device.reset()
        #expect(rtc.levels.all == [true, false])
        #expect(rtc.read(R.dr) == 500)
        #expect(rtc.read(R.ris) == 0)
        #expect(rtc.read(R.mr) == 0)
    }

    @Test func accessesOutsideTheWindowAbort() {
        let rtc = RTC()
        #expect(rtc.read(0x1000) == nil)
        #expect(!rtc.device.write(offset: 0x1000, size: 4, value: 0, vcpu: 0))
        #expect(rtc.read(0x100) == 0)
    }
}
