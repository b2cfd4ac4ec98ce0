import Testing
@testable import AArch64

@Suite struct SystemRegisterTests {
    typealias Rig = SystemTestRig

    /// Reads `register` with MRS X1 at EL1 and returns X1.
    func read(_ register: SystemRegister, rig: Rig = Rig()) -> UInt64 {
        rig.cpu.regs[1] = 0xBAD
        rig.run([A64.mrs(1, register)])
        return rig.cpu.regs[1]
    }

    static let idValues: [(SystemRegister, UInt64)] = [
        (.MIDR_EL1, 0x411F_D070),
        (.MPIDR_EL1, 0x8000_0000),
        (.REVIDR_EL1, 0),
        (.ID_AA64PFR0_EL1, 0x11),
        (.ID_AA64PFR1_EL1, 0),
        (.ID_AA64DFR0_EL1, 0x0010_1006),
        (.ID_AA64DFR1_EL1, 0),
        (.ID_AA64ISAR0_EL1, 0),
        (.ID_AA64ISAR1_EL1, 0),
        (.ID_AA64MMFR0_EL1, 0x0010_0025),
        (.ID_AA64MMFR1_EL1, 0),
        (.ID_AA64MMFR2_EL1, 0),
        (.ID_AA64AFR0_EL1, 0),
        (.ID_AA64ZFR0_EL1, 0),
        (.ID_PFR0_EL1, 0),
        (.ID_ISAR0_EL1, 0),
        (.MVFR0_EL1, 0),
        (.MVFR2_EL1, 0),
        (SystemRegister(op0: 3, op1: 0, crn: 0, crm: 7, op2: 7), 0), // reserved ID space: RAZ
        (.CTR_EL0, 0x8444_C004),
        (.CLIDR_EL1, 0x0A20_0023),
        (.DCZID_EL0, 4),
        (.AIDR_EL1, 0),
        (.CurrentEL, 4),
        (.SPSel, 1),
        (.DAIF, 0x3C0),
        (.SCTLR_EL1, 0x30D0_0800),
        (.OSLSR_EL1, 0b1010),
    ]

    @Test(arguments: idValues)
    func identificationAndResetValues(register: SystemRegister, expected: UInt64) {
        #expect(read(register) == expected, "\(register)")
    }

    @Test func pfr0AdvertisesTheGICv3SystemRegistersOnlyWhenAsked() {
        let rig = Rig()
        rig.cpu.advertisesGICv3SystemRegisters = true
        #expect(read(.ID_AA64PFR0_EL1, rig: rig) == 0x0100_0011)
    }

    @Test func mpidrCarriesTheVCPUIndex() {
        let bus = PhysicalBus(ramBase: Rig.ramBase, ramSize: 1 << 16)
        let cpu = CPU(id: 3, bus: bus)
        #expect(cpu.sys.mpidr == 0x8000_0003)
    }

    @Test(arguments: [(UInt64(0), UInt64(0x701F_E00A)), (1, 0x201F_E012), (2, 0x70FF_E07A)])
    func ccsidrFollowsCSSELR(csselr: UInt64, expected: UInt64) {
        let rig = Rig()
        rig.cpu.regs[2] = csselr
        rig.place([A64.msr(.CSSELR_EL1, 2), A64.mrs(1, .CCSIDR_EL1)])
        #expect(rig.cpu.run(budget: 2) == .budgetExhausted)
        #expect(rig.cpu.regs[1] == expected)
        #expect(rig.cpu.sys.csselr == csselr)
    }

    static let readWriteRegisters: [SystemRegister] = [
        .TTBR0_EL1, .TTBR1_EL1, .TCR_EL1, .MAIR_EL1, .AMAIR_EL1, .ELR_EL1, .FAR_EL1, .PAR_EL1,
        .TPIDR_EL0, .TPIDR_EL1, .TPIDRRO_EL0, .ACTLR_EL1, .AFSR0_EL1, .AFSR1_EL1,
        .DBGBVR1_EL1, .DBGWCR0_EL1,
    ]

    @Test(arguments: readWriteRegisters)
    func readWriteRegistersHoldWhatIsWritten(register: SystemRegister) {
        let rig = Rig()
        rig.cpu.regs[2] = 0xFEDC_BA98_7654_3210
        rig.place([A64.msr(register, 2), A64.mrs(1, register)])
        #expect(rig.cpu.run(budget: 2) == .budgetExhausted)
        #expect(rig.cpu.regs[1] == 0xFEDC_BA98_7654_3210, "\(register)")
        #expect(rig.cpu.pc == Rig.code + 8)
    }

    @Test(arguments: [
        // M stays clear: with no translation tables, turning the MMU on would fault the MRS.
        (SystemRegister.SCTLR_EL1, UInt64(0x34DD_DBBE)), // RES1 kept, RES0 (and EE/E0E) dropped
        (.VBAR_EL1, 0xFFFF_FFFF_FFFF_F800),
        (.SPSR_EL1, 0xF030_03DF),
        (.ESR_EL1, 0xFFFF_FFFF),
        (.CPACR_EL1, 0x1030_0000),
        (.CNTKCTL_EL1, 0x3FF),
        (.CONTEXTIDR_EL1, 0xFFFF_FFFF),
        (.NZCV, 0xF000_0000),
        (.DAIF, 0x3C0),
    ])
    func writesKeepOnlyTheArchitectedBits(register: SystemRegister, expected: UInt64) {
        let rig = Rig()
        rig.cpu.regs[2] = register == .SCTLR_EL1 ? ~1 : ~0
        rig.place([A64.msr(register, 2), A64.mrs(1, register)])
        #expect(rig.cpu.run(budget: 2) == .budgetExhausted)
        #expect(rig.cpu.regs[1] == expected, "\(register)")
    }

    @Test func writingZeroToSCTLRStillReadsTheRES1Bits() {
        let rig = Rig()
        rig.cpu.sys.sctlr = 0x30D0_1804 // I and C set, MMU off
        rig.run([A64.msr(.SCTLR_EL1, 31)])
        #expect(rig.cpu.sys.sctlr == 0x30D0_0800)
    }

    @Test(arguments: [
        SystemRegister(op0: 3, op1: 0, crn: 15, crm: 0, op2: 0), // IMPLEMENTATION DEFINED space
        .SP_EL1, // an EL2 register
        SystemRegister(op0: 3, op1: 4, crn: 1, crm: 1, op2: 0), // HCR_EL2
        .PMCR_EL0, .PMUSERENR_EL0, // no PMU
        .DBGBVR0_EL1.with(crm: 2), // a third breakpoint does not exist
        .OSLAR_EL1, // write-only
        .RVBAR_EL1,
        SystemRegister(op0: 3, op1: 0, crn: 0, crm: 0, op2: 1), // not an ID register
    ])
    func unknownAndInaccessibleRegistersAreUndefined(register: SystemRegister) {
        let rig = Rig()
        rig.run([A64.mrs(1, register)])
        #expect(rig.tookUndefined(), "\(register)")
    }

    @Test(arguments: [SystemRegister.MIDR_EL1, .ID_AA64PFR0_EL1, .CTR_EL0, .CurrentEL, .ISR_EL1,
                      .OSLSR_EL1, .CCSIDR_EL1, .DCZID_EL0, .MPIDR_EL1])
    func readOnlyRegistersAreUndefinedOnWrite(register: SystemRegister) {
        let rig = Rig()
        rig.run([A64.msr(register, 1)])
        #expect(rig.tookUndefined(), "\(register)")
    }

    @Test func spEL0IsReachableOnlyWhileSPEL1IsSelected() {
        let rig = Rig()
        rig.cpu.spEL0 = 0x1000
        rig.cpu.regs[2] = 0x2000
        rig.place([A64.mrs(1, .SP_EL0), A64.msr(.SP_EL0, 2)])
        #expect(rig.cpu.run(budget: 2) == .budgetExhausted)
        #expect(rig.cpu.regs[1] == 0x1000)
        #expect(rig.cpu.spEL0 == 0x2000)

        let sp0 = Rig()
        sp0.cpu.setPSTATE(0x3C4) // EL1t
        sp0.run([A64.mrs(1, .SP_EL0)])
        #expect(sp0.cpu.sys.esr == Rig.undefinedSyndrome)
        #expect(sp0.cpu.pc == Rig.vectors + 0x000)
    }

    @Test func spselRegisterSwapsTheStackPointer() {
        let rig = Rig()
        rig.cpu.sp = 0x1111 // SP_EL1
        rig.cpu.spEL0 = 0x2222
        rig.run([A64.msr(.SPSel, 31)])
        #expect(rig.cpu.spsel == 0)
        #expect(rig.cpu.sp == 0x2222)
        #expect(rig.cpu.spEL1 == 0x1111)
    }

    @Test func isrReportsPendingInterruptsEvenWhenMasked() {
        let rig = Rig()
        rig.cpu.signals.setIRQ(true)
        #expect(read(.ISR_EL1, rig: rig) == 0x80)
        let both = Rig()
        both.cpu.signals.setIRQ(true)
        both.cpu.signals.setFIQ(true)
        #expect(read(.ISR_EL1, rig: both) == 0xC0)
    }

    @Test func osLockFollowsOSLAR() {
        let rig = Rig()
        rig.cpu.regs[2] = 0
        rig.run([A64.msr(.OSLAR_EL1, 2)])
        #expect(rig.cpu.sys.oslsr == 0b1000)
        rig.cpu.regs[2] = 1
        rig.run([A64.msr(.OSLAR_EL1, 2)])
        #expect(rig.cpu.sys.oslsr == 0b1010)
    }

    @Test func fpcrIsTrappedByCPACR() {
        let rig = Rig() // CPACR_EL1.FPEN = 0 out of reset
        rig.run([A64.mrs(1, .FPCR)])
        #expect(rig.tookException(0x1FE0_0000, from: Rig.fromEL1)) // EC 0x07, IL, CV, COND 0xE

        let el0Only = Rig()
        el0Only.cpu.sys.cpacr = 1 << 20
        el0Only.cpu.fpcr = 0x0300_0000
        #expect(read(.FPCR, rig: el0Only) == 0x0300_0000)
        el0Only.enterEL0()
        el0Only.run([A64.mrs(1, .FPSR)])
        #expect(el0Only.tookException(0x1FE0_0000, from: Rig.fromEL0))
    }

    @Test func nzcvAndDAIFMoveThroughRegisters() {
        let rig = Rig()
        rig.cpu.regs[2] = 0xA000_0000
        rig.cpu.regs[3] = 0x80
        rig.place([A64.msr(.NZCV, 2), A64.msr(.DAIF, 3), A64.mrs(4, .NZCV)])
        #expect(rig.cpu.run(budget: 3) == .budgetExhausted)
        #expect(rig.cpu.nzcv == 0xA000_0000)
        #expect(rig.cpu.daif == 0x80)
        #expect(rig.cpu.regs[4] == 0xA000_0000)
    }

    @Test func mrsToXZRDiscardsTheValue() {
        let rig = Rig()
        rig.run([A64.mrs(31, .MIDR_EL1)])
        #expect(rig.cpu.pc == Rig.code + 4)
        #expect(rig.cpu.sp == 0)
    }

    @Test func registersHaveNames() {
        #expect(SystemRegister.CNTP_CTL_EL0.description == "CNTP_CTL_EL0")
        #expect(SystemRegister.ICC_SGI1R_EL1.description == "ICC_SGI1R_EL1")
        #expect(SystemRegister(op0: 3, op1: 0, crn: 15, crm: 2, op2: 1).description == "S3_0_C15_C2_1")
    }

    @Test func encodingsMatchTheArchitecture() {
        // As clang's assembler encodes them.
        #expect(A64.msr(.ICC_SGI1R_EL1, 0) == 0xD518_CBA0)
        #expect(A64.mrs(0, .ICC_SRE_EL1) == 0xD538_CCA0)
        #expect(A64.mrs(0, .ICC_PMR_EL1) == 0xD538_4600)
        #expect(A64.mrs(0, .CNTVCT_EL0) == 0xD53B_E040)
        #expect(A64.mrs(0, .MDSCR_EL1) == 0xD530_0240)
        #expect(A64.mrs(0, .SCTLR_EL1) == 0xD538_1000)
    }
}

extension SystemRegister {
    func with(crm: UInt8) -> SystemRegister {
        SystemRegister(op0: op0, op1: op1, crn: crn, crm: crm, op2: op2)
    }
}
