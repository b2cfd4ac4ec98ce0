import A64Assembler
import AArch64

/// The built-in guest of `armvm demo`, assembled from source at run time (no file, no external
/// tool): it programs both generic timers of the boot vCPU — the EL1 physical timer at 5 ms
/// (its registers trapped and emulated by the VMM) and the virtual timer at 10 ms (accessed
/// directly) — waits in WFI, takes both interrupts (PPI 30 and PPI 27) through the GIC, and
/// prints how late each arrived, measured with the guest's own counter.
public enum DemoGuest {
    /// The guest image (a Linux arm64 Image, position-independent) for the given interrupt controller.
    public static func image(gic: VMConfiguration.GICVersion) -> [UInt8] {
        var a = A64Assembler()
        let start = a.label(), syncHandler = a.label(), irqHandler = a.label()
        let puts = a.label(), printMicroseconds = a.label(), powerOff = a.label()
        let hello = a.label(), physicalLine = a.label(), virtualLine = a.label(), unit = a.label()
        let unexpected = a.label(), done = a.label()

        a.emitImageHeader(entry: start)
        let vectors = a.emitVectorTable(sync: syncHandler, irq: irqHandler)

        let uart = 24, frequency = 19, startCount = 20, handled = 21, physicalDelta = 22, virtualDelta = 23
        let gicCPU = 25
        a.bind(start)
        a.adr(0, vectors)
        a.msr(A64Assembler.vbarEL1, 0)
        a.isb()
        a.emitStackSetUp()
        a.mov(uart, VirtMemoryMap.uart.base)

        a.emitGICInit(gic, enabling: [27, 30], gicCPURegister: gicCPU)

        a.adr(0, hello)
        a.bl(puts)
        a.mrs(frequency, SystemRegister.CNTFRQ_EL0.encoding)
        a.mov(handled, 0)
        a.mrs(startCount, SystemRegister.CNTVCT_EL0.encoding)
        // Physical timer: 5 ms from now (trapped: CNTP_TVAL_EL0 and CNTP_CTL_EL0 exit to the VMM).
        a.mov(1, 200)
        a.udiv(2, frequency, 1)
        a.msr(SystemRegister.CNTP_TVAL_EL0.encoding, 2)
        a.mov(0, 1)
        a.msr(SystemRegister.CNTP_CTL_EL0.encoding, 0)
        // Virtual timer: 10 ms from now (direct, no exit).
        a.mov(1, 100)
        a.udiv(2, frequency, 1)
        a.msr(SystemRegister.CNTV_TVAL_EL0.encoding, 2)
        a.msr(SystemRegister.CNTV_CTL_EL0.encoding, 0)
        a.msrDAIFClr(2)
        let wait = a.label()
        a.bind(wait)
        a.wfi()
        a.cmp(handled, imm: 2)
        a.b(.ne, wait)
        a.msrDAIFSet(2)

        a.adr(0, physicalLine)
        a.bl(puts)
        a.movr(0, physicalDelta)
        a.bl(printMicroseconds)
        a.adr(0, virtualLine)
        a.bl(puts)
        a.movr(0, virtualDelta)
        a.bl(printMicroseconds)
        a.adr(0, done)
        a.bl(puts)
        a.b(powerOff)

        // IRQ: acknowledge, record when it came, disable that timer (dropping its line), EOI.
        a.bind(irqHandler)
        a.stpPre(0, 1, A64Assembler.sp, offset: -16)
        a.stpPre(2, 30, A64Assembler.sp, offset: -16)
        if gic == .v3 { a.mrs(0, A64Assembler.iccIAR1) } else { a.ldrw(0, gicCPU, offset: 0x0C) }
        a.mrs(1, SystemRegister.CNTVCT_EL0.encoding)
        a.sub(1, 1, startCount)
        let notPhysical = a.label(), eoi = a.label()
        a.cmp(0, imm: 30)
        a.b(.ne, notPhysical)
        a.movr(physicalDelta, 1)
        a.msr(SystemRegister.CNTP_CTL_EL0.encoding, A64Assembler.xzr)
        a.add(handled, handled, imm: 1)
        a.b(eoi)
        a.bind(notPhysical)
        a.cmp(0, imm: 27)
        a.b(.ne, eoi)
        a.movr(virtualDelta, 1)
        a.msr(SystemRegister.CNTV_CTL_EL0.encoding, A64Assembler.xzr)
        a.add(handled, handled, imm: 1)
        a.bind(eoi)
        if gic == .v3 { a.msr(A64Assembler.iccEOIR1, 0) } else { a.strw(0, gicCPU, offset: 0x10) }
        a.ldpPost(2, 30, A64Assembler.sp, offset: 16)
        a.ldpPost(0, 1, A64Assembler.sp, offset: 16)
        a.eret()

        a.bind(syncHandler)
        a.adr(0, unexpected)
        a.bl(puts)
        a.emitPowerOff(powerOff)
        a.emitPuts(puts, uart: uart)

        // printMicroseconds(x0 = ticks): ticks * 1e6 / CNTFRQ in decimal, then " us\n".
        let printDecimal = a.label()
        a.bind(printMicroseconds)
        a.stpPre(29, 30, A64Assembler.sp, offset: -16)
        a.mov(1, 1_000_000)
        a.mul(0, 0, 1)
        a.udiv(0, 0, frequency)
        a.bl(printDecimal)
        a.adr(0, unit)
        a.bl(puts)
        a.ldpPost(29, 30, A64Assembler.sp, offset: 16)
        a.ret()
        a.emitPrintDecimal(printDecimal, uart: uart)

        a.bind(hello)
        a.data("ArmVM demo: arming the EL1 physical timer (5 ms, trapped and emulated) and the virtual timer (10 ms, direct), then waiting in WFI.\n")
        a.bind(physicalLine)
        a.data("  physical timer interrupt (PPI 30) taken after ")
        a.bind(virtualLine)
        a.data("  virtual timer interrupt  (PPI 27) taken after ")
        a.bind(unit)
        a.data(" us\n")
        a.bind(done)
        a.data("Both timers delivered their interrupts through the GIC. Powering off.\n")
        a.bind(unexpected)
        a.data("ArmVM demo: unexpected exception\n")

        // Every label above is bound and every branch is in range, so assembly cannot fail.
        return (try? a.assembledBytes()) ?? []
    }
}
