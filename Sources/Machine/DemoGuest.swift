import A64Assembler
import AArch64

/// The built-in guest of `armvm demo`, assembled from source at run time (no file, no external
/// tool): it programs both generic timers of the boot vCPU — the EL1 physical timer at 5 ms
/// (its registers trapped and emulated by the VMM) and the virtual timer at 10 ms (accessed
/// directly) — waits in WFI, takes both interrupts (PPI 30 and PPI 27) through the GIC, and
/// prints how late each arrived, measured with the guest's own counter.
public enum DemoGuest {
    /// ICC_* encodings (op0=3, op1=0, CRn=12/4): the GICv3 CPU interface.
    private static let iccIAR1: UInt16 = 0xC660, iccEOIR1: UInt16 = 0xC661
    private static let iccSRE: UInt16 = 0xC665, iccIGRPEN1: UInt16 = 0xC667, iccPMR: UInt16 = 0xC230
    private static let vbarEL1 = SystemRegister(op0: 3, op1: 0, crn: 12, crm: 0, op2: 0).encoding

    /// The guest image (a raw binary to load at the RAM base) for the given interrupt controller.
    public static func image(gic: VMConfiguration.GICVersion) -> [UInt8] {
        var a = A64Assembler()
        let start = a.label(), syncHandler = a.label(), irqHandler = a.label()
        let puts = a.label(), printMicroseconds = a.label(), powerOff = a.label()
        let hello = a.label(), physicalLine = a.label(), virtualLine = a.label(), unit = a.label()
        let unexpected = a.label(), done = a.label()

        a.b(start)
        a.align(0x800)
        let vectors = a.label()
        a.bind(vectors)
        // The vector table: 16 entries of 0x80 bytes. Only "current EL with SP_ELx" IRQ is expected.
        for entry in 0..<16 {
            if entry == 5 { a.b(irqHandler) } else { a.b(syncHandler) }
            a.align(0x800 + 0x80 * (entry + 1))
        }

        let uart = 24, frequency = 19, startCount = 20, handled = 21, physicalDelta = 22, virtualDelta = 23
        let gicCPU = 25
        a.bind(start)
        a.adr(0, vectors)
        a.msr(vbarEL1, 0)
        a.isb()
        a.mov(0, VirtMemoryMap.ramBase + 0x10_0000)
        a.add(A64Assembler.sp, 0, imm: 0) // SP = RAM base + 1 MiB
        a.mov(uart, VirtMemoryMap.pl011Base)

        switch gic {
        case .v3:
            a.mov(0, VirtMemoryMap.gicDistributorBase)
            a.mov(1, 0x12) // GICD_CTLR: ARE, EnableGrp1
            a.strw(1, 0)
            a.mov(0, VirtMemoryMap.gicRedistributorBase)
            a.strw(A64Assembler.xzr, 0, offset: 0x14) // GICR_WAKER: awake
            a.mov(0, VirtMemoryMap.gicRedistributorBase + 0x1_0000) // SGI_base
            a.mov(1, 0xFFFF_FFFF)
            a.strw(1, 0, offset: 0x80) // IGROUPR0: group 1
            a.mov(1, 1 << 27 | 1 << 30)
            a.strw(1, 0, offset: 0x100) // ISENABLER0: PPI 27 and PPI 30
            a.mov(1, 1)
            a.msr(iccSRE, 1)
            a.isb()
            a.mov(1, 0xFF)
            a.msr(iccPMR, 1)
            a.mov(1, 1)
            a.msr(iccIGRPEN1, 1)
            a.isb()
        case .v2:
            a.mov(0, VirtMemoryMap.gicDistributorBase)
            a.mov(1, 1)
            a.strw(1, 0) // GICD_CTLR: enable
            a.mov(1, 1 << 27 | 1 << 30)
            a.strw(1, 0, offset: 0x100) // GICD_ISENABLER0
            a.mov(gicCPU, VirtMemoryMap.gicV2CPUInterfaceBase)
            a.mov(1, 0xFF)
            a.strw(1, gicCPU, offset: 0x04) // GICC_PMR
            a.mov(1, 1)
            a.strw(1, gicCPU) // GICC_CTLR: enable
        }

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
        if gic == .v3 { a.mrs(0, iccIAR1) } else { a.ldrw(0, gicCPU, offset: 0x0C) }
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
        if gic == .v3 { a.msr(iccEOIR1, 0) } else { a.strw(0, gicCPU, offset: 0x10) }
        a.ldpPost(2, 30, A64Assembler.sp, offset: 16)
        a.ldpPost(0, 1, A64Assembler.sp, offset: 16)
        a.eret()

        a.bind(syncHandler)
        a.adr(0, unexpected)
        a.bl(puts)
        a.bind(powerOff)
        a.mov(0, 0x8400_0008) // PSCI SYSTEM_OFF
        a.hvc(0)
        a.b(powerOff)

        // puts(x0): write a NUL-terminated string to the PL011 data register.
        let putsLoop = a.label(), putsDone = a.label()
        a.bind(puts)
        a.bind(putsLoop)
        a.ldrb(1, 0)
        a.cbz(1, putsDone)
        a.strw(1, uart)
        a.add(0, 0, imm: 1)
        a.b(putsLoop)
        a.bind(putsDone)
        a.ret()

        // printMicroseconds(x0 = ticks): ticks * 1e6 / CNTFRQ in decimal, then " us\n".
        let digit = a.label(), emit = a.label()
        a.bind(printMicroseconds)
        a.mov(1, 1_000_000)
        a.mul(0, 0, 1)
        a.udiv(0, 0, frequency)
        a.add(2, A64Assembler.sp, imm: 0)   // x2: end of the digit buffer
        a.sub(A64Assembler.sp, A64Assembler.sp, imm: 32)
        a.movr(3, 2)
        a.mov(4, 10)
        a.bind(digit)
        a.udiv(1, 0, 4)
        a.msub(5, 1, 4, 0)                  // x5 = x0 - (x0 / 10) * 10
        a.add(5, 5, imm: 0x30)
        a.sub(3, 3, imm: 1)
        a.strb(5, 3)
        a.movr(0, 1)
        a.cbnz(0, digit)
        a.bind(emit)
        a.ldrb(5, 3)
        a.strw(5, uart)
        a.add(3, 3, imm: 1)
        a.cmp(3, 2)
        a.b(.ne, emit)
        a.add(A64Assembler.sp, A64Assembler.sp, imm: 32)
        a.adr(0, unit)
        a.b(puts)                            // tail call: puts returns to our caller

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
