import Testing
@testable import AArch64

@Suite struct ExceptionTests {
    typealias Rig = SystemTestRig

    @Test func svcFromEL0GoesToLowerELVectorAndERETComesBack() {
        let rig = Rig()
        let cpu = rig.cpu
        rig.place([A64.eret], at: Rig.vectors + 0x400)
        rig.enterEL0()
        cpu.nzcv = 0x6000_0000
        cpu.sp = 0x4000_F000
        cpu.spEL1 = 0x4008_0000
        cpu.regs[3] = 0x1234
        rig.run([A64.svc(0x42), A64.nop], budget: 1)

        #expect(cpu.pc == Rig.vectors + 0x400)
        #expect(cpu.el == 1 && cpu.spsel == 1)
        #expect(cpu.sys.esr == 0x5600_0042) // EC 0x15, IL, imm16
        #expect(cpu.sys.elr == Rig.code + 4) // the instruction after SVC
        #expect(cpu.sys.spsr == 0x6000_0000) // EL0t, NZCV, nothing masked
        #expect(cpu.daif == 0x3C0)
        #expect(cpu.sp == 0x4008_0000)
        #expect(cpu.spEL0 == 0x4000_F000)

        #expect(cpu.run(budget: 1) == .budgetExhausted) // ERET
        #expect(cpu.pc == Rig.code + 4)
        #expect(cpu.el == 0)
        #expect(cpu.nzcv == 0x6000_0000)
        #expect(cpu.daif == 0)
        #expect(cpu.sp == 0x4000_F000)
        #expect(cpu.regs[3] == 0x1234)
    }

    @Test func undefinedAtEL1WithSPxUsesCurrentELSPxVector() {
        let rig = Rig()
        rig.run([0x0000_0000]) // UDF #0
        #expect(rig.cpu.pc == Rig.vectors + 0x200)
        #expect(rig.cpu.sys.esr == 0x0200_0000) // EC 0, IL
        #expect(rig.cpu.sys.elr == Rig.code)
        #expect(rig.cpu.sys.spsr == 0x3C5) // EL1h, DAIF masked (reset state)
    }

    @Test func undefinedAtEL1WithSP0UsesCurrentELSP0Vector() {
        let rig = Rig()
        rig.cpu.setPSTATE(0x3C4) // EL1t
        rig.run([0x0000_0000])
        #expect(rig.cpu.pc == Rig.vectors + 0x000)
        #expect(rig.cpu.sys.spsr == 0x3C4)
        #expect(rig.cpu.spsel == 1)
    }

    @Test func exceptionEntryClearsTheExclusiveMonitor() {
        let rig = Rig()
        rig.cpu.exclusiveOpen = true
        rig.run([A64.brk(1)])
        #expect(!rig.cpu.exclusiveOpen)
    }

    @Test func irqIsTakenOnlyWhenUnmasked() {
        let rig = Rig()
        let cpu = rig.cpu
        rig.place([A64.hvc(1)], at: Rig.vectors + 0x280) // the IRQ vector says where we are
        cpu.signals.setIRQ(true)
        rig.place([A64.brk(9), A64.brk(9)])
        cpu.pc = Rig.code
        cpu.takePendingInterrupt() // DAIF masked out of reset: nothing happens
        #expect(cpu.pc == Rig.code)

        cpu.daif = 0x340 // D, A, F masked; I clear
        #expect(cpu.run(budget: 5) == .hypervisorCall(1))
        #expect(cpu.pc == Rig.vectors + 0x284)
        #expect(cpu.sys.elr == Rig.code) // the BRK never ran
        #expect(cpu.sys.spsr == 0x345)
        #expect(cpu.daif == 0x3C0)
    }

    @Test func irqEntryRecordsTheNextInstruction() {
        let rig = Rig()
        let cpu = rig.cpu
        rig.place([A64.nop, A64.nop])
        cpu.pc = Rig.code + 4
        cpu.setPSTATE(0x3C5 & ~0x80) // EL1h, I clear
        cpu.signals.setIRQ(true)
        cpu.takePendingInterrupt()
        #expect(cpu.pc == Rig.vectors + 0x200 + 0x80)
        #expect(cpu.sys.elr == Rig.code + 4)
        #expect(cpu.sys.spsr == 0x345)
        #expect(cpu.daif == 0x3C0)
    }

    @Test func irqFromEL0UsesLowerELVector() {
        let rig = Rig()
        let cpu = rig.cpu
        rig.place([A64.eret], at: Rig.vectors + 0x480)
        rig.place([A64.nop, A64.nop])
        rig.enterEL0()
        cpu.pc = Rig.code
        cpu.signals.setIRQ(true)
        #expect(cpu.run(budget: 1) == .budgetExhausted) // IRQ entry, then ERET
        #expect(cpu.el == 0)
        #expect(cpu.pc == Rig.code) // returned to where it was interrupted... and IRQ still pending
        #expect(cpu.sys.elr == Rig.code)
    }

    @Test func fiqHasPriorityOverIRQ() {
        let rig = Rig()
        let cpu = rig.cpu
        cpu.setPSTATE(0x005) // EL1h, nothing masked
        cpu.signals.setIRQ(true)
        cpu.signals.setFIQ(true)
        cpu.takePendingInterrupt()
        #expect(cpu.pc == Rig.vectors + 0x200 + 0x100)
    }

    @Test func maskedFIQLetsIRQThrough() {
        let rig = Rig()
        let cpu = rig.cpu
        cpu.setPSTATE(0x045) // F masked
        cpu.signals.setIRQ(true)
        cpu.signals.setFIQ(true)
        cpu.takePendingInterrupt()
        #expect(cpu.pc == Rig.vectors + 0x200 + 0x80)
    }

    @Test func brkReportsItsImmediateAndReturnsToItself() {
        let rig = Rig()
        rig.run([A64.brk(0x3E8)])
        #expect(rig.cpu.sys.esr == 0xF200_03E8) // EC 0x3C, IL, imm16
        #expect(rig.cpu.sys.elr == Rig.code)
        #expect(rig.cpu.pc == Rig.vectors + 0x200)
    }

    @Test func hvcAtEL1ExitsWithThePCPastIt() {
        let rig = Rig()
        #expect(rig.run([A64.hvc(0)]) == .hypervisorCall(0))
        #expect(rig.cpu.pc == Rig.code + 4)
        #expect(rig.cpu.el == 1)
    }

    @Test func smcAtEL1Exits() {
        let rig = Rig()
        #expect(rig.run([A64.smc(7)]) == .secureMonitorCall(7))
        #expect(rig.cpu.pc == Rig.code + 4)
    }

    @Test(arguments: [A64.hvc(0), A64.smc(0), A64.eret])
    func hypervisorCallsAndERETAreUndefinedAtEL0(instruction: UInt32) {
        let rig = Rig()
        rig.enterEL0()
        #expect(rig.run([instruction]) == .budgetExhausted)
        #expect(rig.cpu.sys.esr == 0x0200_0000)
        #expect(rig.cpu.pc == Rig.vectors + 0x400)
        #expect(rig.cpu.sys.elr == Rig.code)
    }

    @Test(arguments: [A64.hlt(0), 0xD4A0_0001 /* DCPS1 */, 0xD400_0005 /* SVC, op2 != 0 */])
    func haltAndDebugStateInstructionsAreUndefined(instruction: UInt32) {
        let rig = Rig()
        rig.run([instruction])
        #expect(rig.cpu.sys.esr == 0x0200_0000)
        #expect(rig.cpu.pc == Rig.vectors + 0x200)
    }

    @Test func eretToEL1tRestoresSPSelAndFlags() {
        let rig = Rig()
        let cpu = rig.cpu
        cpu.sys.spsr = 0x9000_0104 // N, V; A masked; EL1t
        cpu.sys.elr = 0x4000_2000
        cpu.spEL0 = 0x1111
        cpu.exclusiveOpen = true
        rig.run([A64.eret])
        #expect(cpu.pc == 0x4000_2000)
        #expect(cpu.el == 1 && cpu.spsel == 0)
        #expect(cpu.nzcv == 0x9000_0000)
        #expect(cpu.daif == 0x100)
        #expect(cpu.sp == 0x1111)
        #expect(!cpu.exclusiveOpen)
    }

    @Test(arguments: [UInt64(0b00001), 0b01001, 0b01101, 0b10000, 0b00010])
    func illegalReturnTakesIllegalExecutionStateAtTheTarget(mode: UInt64) {
        let rig = Rig()
        let cpu = rig.cpu
        cpu.sys.spsr = 0x2000_0000 | mode // C set; D/A/I/F clear
        cpu.sys.elr = 0x4000_3000
        rig.run([A64.eret])
        #expect(cpu.el == 1)
        #expect(cpu.sys.esr == 0x3A00_0000) // EC 0x0E, IL
        #expect(cpu.sys.elr == 0x4000_3000)
        #expect(cpu.sys.spsr == 0x2010_0005) // IL set, EL1h kept, flags from SPSR
        #expect(cpu.pc == Rig.vectors + 0x200)
    }

    @Test func eretWithSPSRILSetFaultsAtTheTargetInTheTargetMode() {
        let rig = Rig()
        let cpu = rig.cpu
        cpu.sys.spsr = 0x0010_0000 // IL, EL0t
        cpu.sys.elr = 0x4000_3000
        rig.run([A64.eret])
        #expect(cpu.sys.esr == 0x3A00_0000)
        #expect(cpu.pc == Rig.vectors + 0x400)
        #expect(cpu.sys.spsr == 0x0010_0000)
    }

    @Test func resetEntersEL1hMaskedWithMMUOff() {
        let rig = Rig()
        let cpu = rig.cpu
        cpu.regs[5] = 9
        cpu.setPSTATE(0)
        cpu.sys.sctlr = 0x30D0_0801
        cpu.reset(entry: 0x4008_0000)
        #expect(cpu.pc == 0x4008_0000)
        #expect(cpu.pstate == 0x3C5)
        #expect(cpu.regs[5] == 0)
        #expect(cpu.sys.sctlr == 0x30D0_0800)
        #expect(cpu.sys.mpidr == 0x8000_0000)
    }
}
