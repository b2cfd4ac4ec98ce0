import Testing
@testable import Devices

/// A PL011 wired to recorders, with 32-bit register helpers.
struct UART {
    let device: PL011
    let output = Recorder<UInt8>()
    let levels = Recorder<Bool>()

    init() {
        let output = self.output, levels = self.levels
        device = PL011(transmit: output.record, interrupt: levels.record)
    }

    func read(_ offset: UInt64) -> UInt64? { device.read(offset: offset, size: 4, vcpu: 0) }
    func write(_ offset: UInt64, _ value: UInt64) {
        #expect(device.write(offset: offset, size: 4, value: value, vcpu: 0))
    }
    func readAll(_ count: Int) -> [UInt8] {
        (0..<count).map { _ in UInt8(truncatingIfNeeded: read(0x000) ?? 0xFFFF) }
    }
}

enum PL011Reg {
    static let dr: UInt64 = 0x000, rsr: UInt64 = 0x004, fr: UInt64 = 0x018, ilpr: UInt64 = 0x020
    static let ibrd: UInt64 = 0x024, fbrd: UInt64 = 0x028, lcrH: UInt64 = 0x02C, cr: UInt64 = 0x030
    static let ifls: UInt64 = 0x034, imsc: UInt64 = 0x038, ris: UInt64 = 0x03C, mis: UInt64 = 0x040
    static let icr: UInt64 = 0x044, dmacr: UInt64 = 0x048
    static let fen: UInt64 = 1 << 4
    // FR
    static let rxfe: UInt64 = 0x10, rxff: UInt64 = 0x40, txfe: UInt64 = 0x80, txff: UInt64 = 0x20, busy: UInt64 = 0x08
    // Interrupts
    static let rx: UInt64 = 0x10, tx: UInt64 = 0x20, rt: UInt64 = 0x40
}

@Suite struct PL011Tests {
    typealias R = PL011Reg

    @Test func resetValuesMatchTheTRM() {
        let u = UART()
        #expect(u.read(R.fr) == R.txfe | R.rxfe)
        #expect(u.read(R.cr) == 0x300)
        #expect(u.read(R.ifls) == 0x12)
        #expect(u.read(R.lcrH) == 0)
        #expect(u.read(R.imsc) == 0)
        #expect(u.read(R.ris) == 0)
        #expect(u.read(R.mis) == 0)
        #expect(u.read(R.rsr) == 0)
        #expect(u.levels.all.isEmpty)
    }

    @Test(arguments: [
        (UInt64(0xFE0), UInt64(0x11)), (0xFE4, 0x10), (0xFE8, 0x14), (0xFEC, 0x00),
        (0xFF0, 0x0D), (0xFF4, 0xF0), (0xFF8, 0x05), (0xFFC, 0xB1),
    ])
    func identificationRegisters(offset: UInt64, value: UInt64) {
        let u = UART()
        #expect(u.read(offset) == value)
        u.write(offset, 0xFF)
        #expect(u.read(offset) == value)
    }

    @Test func writingDRTransmitsAndRaisesTX() {
        let u = UART()
        for byte in "Hi\n".utf8 { u.write(R.dr, UInt64(byte)) }
        #expect(u.output.all == Array("Hi\n".utf8))
        #expect(u.read(R.ris) == R.tx)
        #expect(u.read(R.mis) == 0)
        #expect(u.read(R.fr) == R.txfe | R.rxfe)  // Never busy, never full.
        #expect(u.levels.all.isEmpty)  // Masked: the line stays low.
    }

    @Test func dataRegisterTransmitsOnlyTheLowByte() {
        let u = UART()
        u.write(R.dr, 0x1_2341)
        #expect(u.output.all == [0x41])
    }

    @Test func txInterruptFollowsMaskAndClear() {
        let u = UART()
        u.write(R.dr, 0x41)
        u.write(R.imsc, R.tx)
        #expect(u.levels.all == [true])
        #expect(u.read(R.mis) == R.tx)
        u.write(R.icr, R.tx)
        #expect(u.levels.all == [true, false])
        #expect(u.read(R.ris) == 0)
        u.write(R.dr, 0x42)
        #expect(u.levels.all == [true, false, true])
        u.write(R.imsc, 0)
        #expect(u.levels.all == [true, false, true, false])
        #expect(u.read(R.ris) == R.tx)  // Masking does not clear the raw status.
    }

    @Test func flagsWithoutFIFOTreatOneCharacterAsFull() {
        let u = UART()
        u.device.receive([0x61])
        #expect(u.read(R.fr) == R.txfe | R.rxff)
        #expect(u.read(R.dr) == 0x61)
        #expect(u.read(R.fr) == R.txfe | R.rxfe)
    }

    @Test func flagsWithFIFOFillAt32() {
        let u = UART()
        u.write(R.lcrH, R.fen | 0x60)
        u.device.receive([0x61])
        #expect(u.read(R.fr) == R.txfe)
        u.device.receive([UInt8](repeating: 0x62, count: 31))
        #expect(u.read(R.fr) == R.txfe | R.rxff)
        _ = u.read(R.dr)
        #expect(u.read(R.fr) == R.txfe)
    }

    @Test func inputBeyondTheFIFOIsQueuedNotLost() {
        let u = UART()
        u.write(R.lcrH, R.fen)
        let input = (0..<100).map { UInt8($0) }
        u.device.receive(input)
        #expect(u.device.queuedInputCount == 100 - 32)
        #expect(u.readAll(100) == input)
        #expect(u.read(R.fr) == R.txfe | R.rxfe)
        #expect(u.device.queuedInputCount == 0)
    }

    @Test func inputIsNotLostWithoutFIFO() {
        let u = UART()
        u.device.receive(Array("abc".utf8))
        #expect(u.device.queuedInputCount == 2)
        #expect(u.readAll(3) == Array("abc".utf8))
        #expect(u.read(R.fr) == R.txfe | R.rxfe)
    }

    @Test func turningTheFIFOOffKeepsEveryCharacterInOrder() {
        let u = UART()
        u.write(R.lcrH, R.fen)
        let input = (0..<40).map { UInt8($0 + 0x30) }
        u.device.receive(input)
        _ = u.readAll(2)
        u.write(R.lcrH, 0)
        #expect(u.read(R.fr) == R.txfe | R.rxff)
        #expect(u.device.queuedInputCount == 37)
        #expect(u.readAll(38) == Array(input[2...]))
        #expect(u.read(R.fr) == R.txfe | R.rxfe)
    }

    @Test func readingAnEmptyFIFOReturnsZero() {
        let u = UART()
        #expect(u.read(R.dr) == 0)
        #expect(u.read(R.fr) == R.txfe | R.rxfe)
    }

    @Test func receiveRaisesRXAndTimeoutUntilDrained() {
        let u = UART()
        u.write(R.lcrH, R.fen)
        u.write(R.imsc, R.rx | R.rt)
        #expect(u.levels.all.isEmpty)
        u.device.receive([1, 2])
        #expect(u.levels.all == [true])
        #expect(u.read(R.ris) == R.rx | R.rt)
        #expect(u.read(R.mis) == R.rx | R.rt)
        _ = u.read(R.dr)
        #expect(u.levels.all == [true])
        _ = u.read(R.dr)
        #expect(u.levels.all == [true, false])
        #expect(u.read(R.ris) == 0)
    }

    @Test func lineStaysHighWhileQueuedInputRemains() {
        let u = UART()
        u.write(R.lcrH, R.fen)
        u.write(R.imsc, R.rx)
        u.device.receive([UInt8](repeating: 7, count: 40))
        _ = u.readAll(39)
        #expect(u.levels.all == [true])
        #expect(u.device.interruptLevel)
        _ = u.read(R.dr)
        #expect(u.levels.all == [true, false])
    }

    @Test func timeoutAloneDrivesTheLine() {
        let u = UART()
        u.write(R.imsc, R.rt)
        u.device.receive([9])
        #expect(u.levels.all == [true])
        u.write(R.icr, R.rt)
        #expect(u.levels.all == [true, false])
        #expect(u.read(R.ris) == R.rx)
    }

    @Test(arguments: [
        (PL011Reg.ilpr, UInt64(0xFFFF_FFFF), UInt64(0xFF)),
        (PL011Reg.ibrd, 0xFFFF_FFFF, 0xFFFF),
        (PL011Reg.fbrd, 0xFFFF_FFFF, 0x3F),
        (PL011Reg.lcrH, 0xFFFF_FF6F, 0x6F),
        (PL011Reg.cr, 0xFFFF_0301, 0x0301),
        (PL011Reg.ifls, 0xFFFF_FFFF, 0x3F),
        (PL011Reg.imsc, 0xFFFF_F800, 0),
        (PL011Reg.dmacr, 0xFFFF_FFFF, 0x7),
    ])
    func writableRegistersKeepTheirDefinedBits(offset: UInt64, written: UInt64, expected: UInt64) {
        let u = UART()
        u.write(offset, written)
        #expect(u.read(offset) == expected)
    }

    @Test func readOnlyRegistersIgnoreWrites() {
        let u = UART()
        u.write(R.fr, 0)
        u.write(R.ris, 0x7FF)
        u.write(R.mis, 0x7FF)
        #expect(u.read(R.fr) == R.txfe | R.rxfe)
        #expect(u.read(R.ris) == 0)
        #expect(u.read(R.mis) == 0)
        #expect(u.read(R.icr) == 0)  // Write-only: reads as zero.
    }

    @Test func loopbackFeedsTransmittedBytesBackAndHoldsHostInput() {
        let u = UART()
        u.write(R.lcrH, R.fen)
        u.write(R.cr, 0x0381)  // UARTEN | LBE | TXE | RXE
        u.device.receive([0x68])
        #expect(u.read(R.fr) == R.txfe | R.rxfe)  // Host input disconnected.
        u.write(R.dr, 0x71)
        #expect(u.output.all == [0x71])
        #expect(u.read(R.dr) == 0x71)
        u.write(R.cr, 0x0301)
        #expect(u.read(R.dr) == 0x68)
    }

    @Test func loopbackOverrunSetsOverrunError() {
        let u = UART()
        u.write(R.cr, 0x0381)
        u.write(R.dr, 1)
        u.write(R.dr, 2)  // The 1-character holding register is full.
        #expect(u.read(R.rsr) == 0x8)
        #expect(u.read(R.ris) == 0x400 | R.tx | R.rx | R.rt)
        u.write(R.rsr, 0)
        #expect(u.read(R.rsr) == 0)
        #expect(u.read(R.dr) == 1)
    }

    @Test func narrowAndWideAccesses() {
        let u = UART()
        #expect(u.device.read(offset: R.fr, size: 1, vcpu: 0) == 0x90)
        #expect(u.device.read(offset: 0xFF0, size: 2, vcpu: 0) == 0x0D)
        #expect(u.device.read(offset: R.cr + 1, size: 1, vcpu: 0) == 0x03)
        #expect(u.device.write(offset: R.dr, size: 1, value: 0x5A, vcpu: 0))
        #expect(u.output.all == [0x5A])
        // A 64-bit read covers two registers, low address in the low word.
        #expect(u.device.read(offset: R.cr, size: 8, vcpu: 0) == 0x0000_0012_0000_0300)
        #expect(u.device.read(offset: R.dr, size: 3, vcpu: 0) == nil)
        #expect(!u.device.write(offset: R.dr, size: 16, value: 0, vcpu: 0))
        #expect(u.device.read(offset: 0x1000, size: 4, vcpu: 0) == nil)
        #expect(u.device.read(offset: 0x800, size: 4, vcpu: 0) == 0)  // Hole: RAZ.
        #expect(u.device.write(offset: 0x800, size: 4, value: 1, vcpu: 0))
    }

    @Test func resetRestoresRegistersAndKeepsInput() {
        let u = UART()
        u.write(R.lcrH, R.fen)
        u.write(R.imsc, R.rx)
        u.device.receive([1, 2, 3])
        _ = u.read(R.dr)
        u.device.reset()
        #expect(u.levels.all == [true, false])
        #expect(u.read(R.lcrH) == 0)
        #expect(u.read(R.imsc) == 0)
        #expect(u.readAll(2) == [2, 3])
    }
}
