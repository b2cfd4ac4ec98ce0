import A64Assembler
import AArch64

/// The guests `armvm bench` runs, built with the A64 assembler as Linux arm64 Images so the very
/// same bytes run on ArmVM and on QEMU (`armvm bench --write-guests DIR`). Each ends with PSCI
/// SYSTEM_OFF; the ones that measure print "name value" lines.
public enum BenchmarkGuest {
    /// A 7-instruction integer loop run `iterations` times: the interpreter's raw speed.
    public static func integerLoop(iterations: UInt64) -> [UInt8] {
        var a = A64Assembler()
        let start = a.label(), loop = a.label(), off = a.label()
        a.emitImageHeader(entry: start)
        a.bind(start)
        a.mov(0, iterations)
        a.mov(1, 0); a.mov(2, 0); a.mov(3, 0); a.mov(4, 0)
        a.bind(loop)
        a.add(1, 1, imm: 3)   // 1
        a.eor(2, 2, 1)        // 2
        a.add(3, 3, 2)        // 3
        a.lsr(4, 3, 1)        // 4
        a.sub(0, 0, imm: 1)   // 5
        a.cmp(0, imm: 0)      // 6
        a.b(.ne, loop)        // 7
        a.emitPowerOff(off)
        return (try? a.assembledBytes()) ?? []
    }

    /// What one iteration of `systemRegisterLoop` does besides counting.
    public enum Access: String, CaseIterable, Sendable {
        /// Nothing: the baseline subtracted from the others.
        case none
        case readPhysicalControl = "read CNTP_CTL_EL0"
        case writePhysicalTimerValue = "write CNTP_TVAL_EL0"
        case readPhysicalCount = "read CNTPCT_EL0"
        case readVirtualCount = "read CNTVCT_EL0"
        case writeVirtualTimerValue = "write CNTV_TVAL_EL0"
    }

    /// `iterations` of one access plus a 2-instruction loop (SUB, CBNZ).
    public static func systemRegisterLoop(_ access: Access, iterations: UInt64) -> [UInt8] {
        var a = A64Assembler()
        let start = a.label(), loop = a.label(), off = a.label()
        a.emitImageHeader(entry: start)
        a.bind(start)
        a.mov(0, iterations)
        a.mov(5, 0x7FFF_FFFF)
        a.bind(loop)
        switch access {
        case .none: a.nop()
        case .readPhysicalControl: a.mrs(1, SystemRegister.CNTP_CTL_EL0.encoding)
        case .writePhysicalTimerValue: a.msr(SystemRegister.CNTP_TVAL_EL0.encoding, 5)
        case .readPhysicalCount: a.mrs(1, SystemRegister.CNTPCT_EL0.encoding)
        case .readVirtualCount: a.mrs(1, SystemRegister.CNTVCT_EL0.encoding)
        case .writeVirtualTimerValue: a.msr(SystemRegister.CNTV_TVAL_EL0.encoding, 5)
        }
        a.sub(0, 0, imm: 1)
        a.cbnz(0, loop)
        a.emitPowerOff(off)
        return (try? a.assembledBytes()) ?? []
    }

    /// `samples` rounds of: arm the virtual timer `periodMicroseconds` ahead, WFI with IRQs
    /// masked until ISTATUS, then print "lateness_ns N" — how long after CVAL the vCPU ran again.
    public static func wakeLateness(gic: VMConfiguration.GICVersion, samples: UInt64,
                                    periodMicroseconds: UInt64) -> [UInt8] {
        timerRounds(gic: gic, samples: samples, periodMicroseconds: periodMicroseconds, takesInterrupt: false)
    }

    /// `samples` rounds of: arm the virtual timer `periodMicroseconds` ahead and spin (YIELD)
    /// until the interrupt handler — ICC_IAR1, mask the timer, ICC_EOIR1, ERET — has run, then
    /// print "lateness_ns N": how long after CVAL the spinning loop saw it. What kvm-unit-tests'
    /// micro-bench `timer_10ms` measures (GICv3 only: the handler uses the ICC registers).
    public static func interruptLatency(samples: UInt64, periodMicroseconds: UInt64) -> [UInt8] {
        timerRounds(gic: .v3, samples: samples, periodMicroseconds: periodMicroseconds, takesInterrupt: true)
    }

    private static func timerRounds(gic: VMConfiguration.GICVersion, samples: UInt64,
                                    periodMicroseconds: UInt64, takesInterrupt: Bool) -> [UInt8] {
        var a = A64Assembler()
        let start = a.label(), handler = a.label(), irq = a.label(), off = a.label(), puts = a.label()
        let printDecimal = a.label(), round = a.label(), wait = a.label(), name = a.label(), newline = a.label()
        a.emitImageHeader(entry: start)
        let vectors = a.emitVectorTable(sync: handler, irq: takesInterrupt ? irq : handler)
        let uart = 24, frequency = 19, remaining = 20, period = 22, handled = 28
        a.bind(start)
        a.adr(0, vectors)
        a.msr(A64Assembler.vbarEL1, 0)
        a.emitStackSetUp()
        a.mov(uart, VirtMemoryMap.uart.base)
        a.emitGICInit(gic, enabling: [27], gicCPURegister: 25)
        a.mrs(frequency, SystemRegister.CNTFRQ_EL0.encoding)
        a.mov(1, periodMicroseconds)
        a.mul(period, frequency, 1)
        a.mov(1, 1_000_000)
        a.udiv(period, period, 1)
        a.mov(remaining, samples)
        if takesInterrupt { a.msrDAIFClr(0b0010) } // IRQs unmasked
        a.bind(round)
        a.mov(handled, 0)
        a.mrs(1, SystemRegister.CNTVCT_EL0.encoding)
        a.add(26, 1, period)                          // x26 = CVAL
        a.msr(SystemRegister.CNTV_CVAL_EL0.encoding, 26)
        a.mov(3, 1)
        a.msr(SystemRegister.CNTV_CTL_EL0.encoding, 3)
        a.bind(wait)
        if takesInterrupt {
            a.emit(0xD503_203F)                       // YIELD, as cpu_relax()
            a.cbz(handled, wait)
        } else {
            a.wfi()
            a.mrs(4, SystemRegister.CNTV_CTL_EL0.encoding)
            a.mov(6, 4)
            a.and(4, 4, 6)                            // ISTATUS
            a.cbz(4, wait)
        }
        a.mrs(5, SystemRegister.CNTVCT_EL0.encoding)
        a.msr(SystemRegister.CNTV_CTL_EL0.encoding, A64Assembler.xzr)
        a.sub(27, 5, 26)                              // lateness in ticks
        a.adr(0, name)
        a.bl(puts)
        a.mov(1, 1_000_000_000)
        a.mul(0, 27, 1)
        a.udiv(0, 0, frequency)
        a.bl(printDecimal)
        a.adr(0, newline)
        a.bl(puts)
        a.sub(remaining, remaining, imm: 1)
        a.cbnz(remaining, round)
        a.b(off)
        a.bind(handler)
        a.emitPowerOff(off)
        if takesInterrupt {
            a.bind(irq)
            a.mrs(9, A64Assembler.iccIAR1)
            a.mov(10, 3)                              // ENABLE | IMASK: the line drops
            a.msr(SystemRegister.CNTV_CTL_EL0.encoding, 10)
            a.msr(A64Assembler.iccEOIR1, 9)
            a.mov(handled, 1)
            a.eret()
        }
        a.emitPuts(puts, uart: uart)
        a.emitPrintDecimal(printDecimal, uart: uart)
        a.bind(name)
        a.data("lateness_ns ")
        a.bind(newline)
        a.data("\n")
        return (try? a.assembledBytes()) ?? []
    }
}
