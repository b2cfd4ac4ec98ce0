import Synchronization

/// The Arm PrimeCell PL011 UART (TRM r1p5) as the guest's console.
///
/// Transmission is instantaneous: a byte written to DR goes straight to the injected `transmit`
/// sink, so the transmit FIFO is always empty and never busy. Host input is pushed with
/// `receive(_:)`; bytes beyond what the receive FIFO holds wait in an unbounded queue and are
/// fed in as the guest reads, so no input is lost. The interrupt model follows QEMU, which
/// Linux's amba-pl011 driver is known to work with: RX is raised as soon as the FIFO holds a
/// character (QEMU's approximation of the IFLS trigger level), TX is raised by every DR write,
/// and the combined line `(RIS & IMSC) != 0` goes to the injected `interrupt` callback.
public final class PL011: Sendable {
    /// Size of the register window on the bus.
    public static let regionSize: UInt64 = 0x1000
    /// Depth of the receive FIFO when LCR_H.FEN is set; without FEN it is a 1-character
    /// holding register.
    public static let fifoDepth = 32

    enum Offset {
        static let dr: UInt64 = 0x000
        static let rsrECR: UInt64 = 0x004
        static let fr: UInt64 = 0x018
        static let ilpr: UInt64 = 0x020
        static let ibrd: UInt64 = 0x024
        static let fbrd: UInt64 = 0x028
        static let lcrH: UInt64 = 0x02C
        static let cr: UInt64 = 0x030
        static let ifls: UInt64 = 0x034
        static let imsc: UInt64 = 0x038
        static let ris: UInt64 = 0x03C
        static let mis: UInt64 = 0x040
        static let icr: UInt64 = 0x044
        static let dmacr: UInt64 = 0x048
    }

    /// UARTFR bits.
    public enum Flag {
        public static let busy: UInt32 = 1 << 3
        public static let rxfe: UInt32 = 1 << 4
        public static let txff: UInt32 = 1 << 5
        public static let rxff: UInt32 = 1 << 6
        public static let txfe: UInt32 = 1 << 7
    }

    /// Bits shared by UARTIMSC, UARTRIS, UARTMIS and UARTICR.
    public enum Interrupt {
        public static let rx: UInt32 = 1 << 4
        public static let tx: UInt32 = 1 << 5
        public static let rt: UInt32 = 1 << 6
        public static let oe: UInt32 = 1 << 10
        public static let all: UInt32 = 0x7FF
    }

    static let lcrFEN: UInt32 = 1 << 4
    static let crLBE: UInt32 = 1 << 7
    static let rsrOE: UInt32 = 1 << 3
    static let id = PrimeCellID(peripheral: (0x11, 0x10, 0x14, 0x00))

    struct State {
        var rxFIFO: [UInt8] = []
        /// Host input not yet in the FIFO; `inputHead` is the first unread index.
        var input: [UInt8] = []
        var inputHead = 0
        var rsr: UInt32 = 0
        var ilpr: UInt32 = 0
        var ibrd: UInt32 = 0
        var fbrd: UInt32 = 0
        var lcrH: UInt32 = 0
        var cr: UInt32 = 0x0300
        var ifls: UInt32 = 0x12
        var imsc: UInt32 = 0
        var ris: UInt32 = 0
        var dmacr: UInt32 = 0
        var line = false

        var depth: Int { lcrH & PL011.lcrFEN != 0 ? PL011.fifoDepth : 1 }
        var loopback: Bool { cr & PL011.crLBE != 0 }
        var pendingInput: Int { input.count - inputHead }

        /// QEMU's approximation of the IFLS trigger: one character raises RX, because Linux
        /// only drains the FIFO from the interrupt handler.
        var rxTrigger: Int { 1 }

        var flags: UInt32 {
            var fr = Flag.txfe
            if rxFIFO.isEmpty { fr |= Flag.rxfe }
            if rxFIFO.count >= depth { fr |= Flag.rxff }
            return fr
        }

        /// A character entered the receive FIFO: raise RX at the trigger level, and the
        /// receive timeout at once, since no further character follows within 32 bit periods.
        mutating func didPut() {
            if rxFIFO.count >= rxTrigger { ris |= Interrupt.rx }
            ris |= Interrupt.rt
        }

        /// Moves queued host input into the FIFO while it has room. In loopback the receiver
        /// is disconnected from the input pin, so host input keeps waiting.
        mutating func refill() {
            guard !loopback else { return }
            var moved = false
            while rxFIFO.count < depth, inputHead < input.count {
                rxFIFO.append(input[inputHead])
                inputHead += 1
                moved = true
            }
            if inputHead == input.count {
                input.removeAll(keepingCapacity: input.count <= 4096)
                inputHead = 0
            } else if inputHead >= 4096, inputHead * 2 >= input.count {
                input.removeFirst(inputHead)
                inputHead = 0
            }
            if moved { didPut() }
        }

        /// Returns characters the FIFO can no longer hold (after FEN was cleared) to the head
        /// of the input queue, in order, so that switching modes loses nothing.
        mutating func spill() {
            guard rxFIFO.count > depth else { return }
            let extra = rxFIFO[depth...]
            if inputHead >= extra.count {
                inputHead -= extra.count
                input.replaceSubrange(inputHead..<(inputHead + extra.count), with: extra)
            } else {
                input.replaceSubrange(0..<inputHead, with: extra)
                inputHead = 0
            }
            rxFIFO.removeLast(rxFIFO.count - depth)
        }

        mutating func readDR() -> UInt32 {
            guard !rxFIFO.isEmpty else { return 0 }
            let byte = rxFIFO.removeFirst()
            rsr = 0
            if rxFIFO.count < rxTrigger { ris &= ~Interrupt.rx }
            if rxFIFO.isEmpty { ris &= ~Interrupt.rt }
            refill()
            return UInt32(byte)
        }

        mutating func readRegister(_ offset: UInt64) -> UInt32 {
            switch offset {
            case Offset.dr: return readDR()
            case Offset.rsrECR: return rsr
            case Offset.fr: return flags
            case Offset.ilpr: return ilpr
            case Offset.ibrd: return ibrd
            case Offset.fbrd: return fbrd
            case Offset.lcrH: return lcrH
            case Offset.cr: return cr
            case Offset.ifls: return ifls
            case Offset.imsc: return imsc
            case Offset.ris: return ris
            case Offset.mis: return ris & imsc
            case Offset.dmacr: return dmacr
            default: return PL011.id.register(at: offset) ?? 0
            }
        }

        mutating func writeRegister(_ offset: UInt64, _ value: UInt32, transmit: @Sendable (UInt8) -> Void) {
            switch offset {
            case Offset.dr:
                let byte = UInt8(truncatingIfNeeded: value)
                transmit(byte)
                if loopback {
                    if rxFIFO.count < depth {
                        rxFIFO.append(byte)
                        didPut()
                    } else {
                        rsr |= PL011.rsrOE
                        ris |= Interrupt.oe
                    }
                }
                // The character left at once, so the transmit FIFO is at or below any level.
                ris |= Interrupt.tx
            case Offset.rsrECR: rsr = 0
            case Offset.ilpr: ilpr = value & 0xFF
            case Offset.ibrd: ibrd = value & 0xFFFF
            case Offset.fbrd: fbrd = value & 0x3F
            case Offset.lcrH:
                lcrH = value & 0xFF
                spill()
                refill()
            case Offset.cr:
                cr = value & 0xFFFF
                refill()
            case Offset.ifls: ifls = value & 0x3F
            case Offset.imsc: imsc = value & Interrupt.all
            case Offset.icr: ris &= ~(value & Interrupt.all)
            case Offset.dmacr: dmacr = value & 0x7
            default: break  // FR, RIS, MIS, IDs are read-only; holes are write-ignored.
            }
        }
    }

    private let state: Mutex<State>
    private let transmit: @Sendable (UInt8) -> Void
    private let interrupt: InterruptLine

    /// - Parameters:
    ///   - transmit: receives every byte the guest writes to DR, in order.
    ///   - interrupt: the combined UARTINTR line (to the GIC SPI), called on each change.
    public init(transmit: @escaping @Sendable (UInt8) -> Void, interrupt: @escaping InterruptLine) {
        self.state = Mutex(State())
        self.transmit = transmit
        self.interrupt = interrupt
    }

    /// A guest read at `offset` in the window. Nil (external abort) only for what the bus
    /// cannot carry: a width other than 1, 2, 4 or 8 bytes, or an offset beyond the window.
    /// Unassigned offsets read as zero.
    public func read(offset: UInt64, size: Int, vcpu: Int) -> UInt64? {
        guard offset < Self.regionSize else { return nil }
        return state.withLock { s in
            let value = RegisterAccess.read(offset: offset, size: size) { s.readRegister($0) }
            updateLine(&s)
            return value
        }
    }

    /// A guest write at `offset` in the window. False (external abort) only for what the bus
    /// cannot carry, as for `read`; read-only and unassigned registers ignore writes.
    public func write(offset: UInt64, size: Int, value: UInt64, vcpu: Int) -> Bool {
        guard offset < Self.regionSize else { return false }
        return state.withLock { s in
            let ok = RegisterAccess.write(offset: offset, size: size, value: value) {
                s.writeRegister($0, $1, transmit: transmit)
            }
            updateLine(&s)
            return ok
        }
    }

    /// Host input for the guest. Whatever the FIFO cannot hold now is queued and fed in as the
    /// guest reads DR.
    public func receive(_ bytes: some Sequence<UInt8>) {
        state.withLock { s in
            s.input.append(contentsOf: bytes)
            s.refill()
            updateLine(&s)
        }
    }

    /// Host input still waiting outside the receive FIFO; lets the host apply back-pressure.
    public var queuedInputCount: Int {
        state.withLock { $0.pendingInput }
    }

    /// Current level of the combined interrupt line.
    public var interruptLevel: Bool {
        state.withLock { $0.line }
    }

    /// Returns the registers to their reset values (system reset). Queued host input is kept:
    /// it was typed for the machine, not for one boot of it.
    public func reset() {
        state.withLock { s in
            var fresh = State()
            fresh.input = Array(s.input[s.inputHead...])
            fresh.input.insert(contentsOf: s.rxFIFO, at: 0)
            fresh.line = s.line
            s = fresh
            s.refill()
            updateLine(&s)
        }
    }

    private func updateLine(_ s: inout State) {
        let level = s.ris & s.imsc != 0
        if level != s.line {
            s.line = level
            interrupt(level)
        }
    }
}
