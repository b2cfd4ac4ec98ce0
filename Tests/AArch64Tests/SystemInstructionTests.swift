import Testing
@testable import AArch64

@Suite struct SystemInstructionTests {
    typealias Rig = SystemTestRig

    @Test func encodersMatchTheAssembler() {
        // Values from clang --target=aarch64-none-elf.
        #expect(A64.daifClr(2) == 0xD503_42FF)
        #expect(A64.daifSet(0xF) == 0xD503_4FDF)
        #expect(A64.spsel(0) == 0xD500_40BF)
        #expect(A64.sys(op1: 3, crn: 7, crm: 4, op2: 1, 4) == 0xD50B_7424) // DC ZVA, X4
        #expect(A64.sys(op1: 0, crn: 7, crm: 8, op2: 3, 1) == 0xD508_7861) // AT S1E0W, X1
        #expect(A64.sys(op1: 0, crn: 8, crm: 3, op2: 1, 3) == 0xD508_8323) // TLBI VAE1IS, X3
        #expect(A64.hlt(0) == 0xD440_0000)
    }

    // MARK: PSTATE

    @Test func daifSetAndClearMaskAndUnmask() {
        let rig = Rig()
        rig.cpu.daif = 0
        rig.place([A64.daifSet(0xF), A64.daifClr(0b0010), A64.daifClr(0b1001)])
        #expect(rig.cpu.run(budget: 1) == .budgetExhausted)
        #expect(rig.cpu.daif == 0x3C0)
        #expect(rig.cpu.run(budget: 1) == .budgetExhausted)
        #expect(rig.cpu.daif == 0x340) // I cleared
        #expect(rig.cpu.run(budget: 1) == .budgetExhausted)
        #expect(rig.cpu.daif == 0x100) // D and F cleared, A still masked
        #expect(rig.cpu.pc == Rig.code + 12)
    }

    @Test func daifClrLetsAPendingIRQInBeforeTheNextInstruction() {
        let rig = Rig()
        rig.place([A64.hvc(9)], at: Rig.vectors + 0x280)
        rig.cpu.signals.setIRQ(true)
        #expect(rig.run([A64.daifClr(2), A64.brk(0)], budget: 3) == .hypervisorCall(9))
        #expect(rig.cpu.sys.elr == Rig.code + 4)
    }

    @Test func spselImmediateSwitchesTheStackPointer() {
        let rig = Rig()
        rig.cpu.sp = 0x5000
        rig.cpu.spEL0 = 0x6000
        rig.place([A64.spsel(0), A64.spsel(1)])
        #expect(rig.cpu.run(budget: 1) == .budgetExhausted)
        #expect(rig.cpu.spsel == 0 && rig.cpu.sp == 0x6000)
        #expect(rig.cpu.run(budget: 1) == .budgetExhausted)
        #expect(rig.cpu.spsel == 1 && rig.cpu.sp == 0x5000)
    }

    @Test func el0CannotChangeSPSel() {
        let rig = Rig()
        rig.enterEL0()
        rig.run([A64.spsel(1)])
        #expect(rig.tookUndefined(from: Rig.fromEL0))
    }

    @Test func el0DAIFChangesTrapUnlessSCTLRUMA() {
        let rig = Rig()
        rig.enterEL0()
        rig.run([A64.daifClr(2)])
        // EC 0x18, Op0 0, Op2 7, Op1 3, CRn 4, Rt 31, CRm 2, write.
        #expect(rig.tookException(0x620E_D3E4, from: Rig.fromEL0))

        let allowed = Rig()
        allowed.cpu.sys.sctlr |= 1 << 9
        allowed.enterEL0()
        allowed.run([A64.daifSet(2)])
        #expect(allowed.cpu.el == 0)
        #expect(allowed.cpu.daif == 0x80)
    }

    @Test(arguments: [A64.msrImmediate(op1: 0, op2: 4, 1) /* PAN */, A64.msrImmediate(op1: 0, op2: 3, 1) /* UAO */,
                      A64.msrImmediate(op1: 3, op2: 1, 1), 0xD500_4000 /* Rt != 31 */])
    func laterPSTATEFieldsAreUndefined(instruction: UInt32) {
        let rig = Rig()
        rig.run([instruction])
        #expect(rig.tookUndefined())
    }

    // MARK: Hints and barriers

    @Test(arguments: [A64.nop, 0xD503_203F /* YIELD */, 0xD503_221F /* ESB */, 0xD503_229F /* CSDB */,
                      0xD503_245F /* BTI c */, 0xD503_233F /* PACIASP */, 0xD503_3F9F, A64.dmbISH, A64.isb,
                      0xD503_309F /* SSBB */])
    func hintsAndBarriersJustAdvance(instruction: UInt32) {
        let rig = Rig()
        #expect(rig.run([instruction]) == .budgetExhausted)
        #expect(rig.cpu.pc == Rig.code + 4)
        #expect(rig.cpu.el == 1)
    }

    @Test func wfiAndWFEExitWithThePCPastThem() {
        let rig = Rig()
        #expect(rig.run([A64.wfi]) == .waitForInterrupt)
        #expect(rig.cpu.pc == Rig.code + 4)
        #expect(rig.run([A64.wfe]) == .waitForEvent)
        #expect(rig.cpu.pc == Rig.code + 4)
    }

    @Test func sevlMakesTheNextWFEComplete() {
        let rig = Rig()
        #expect(rig.run([0xD503_20BF /* SEVL */, A64.wfe, A64.wfe], budget: 3) == .waitForEvent)
        #expect(rig.cpu.pc == Rig.code + 12) // the second WFE waited
    }

    @Test func el0WFITrapsUnlessSCTLRnTWI() {
        let rig = Rig()
        rig.enterEL0()
        rig.run([A64.wfi])
        #expect(rig.tookException(0x07E0_0000, from: Rig.fromEL0)) // EC 1, IL, CV, COND 0xE, TI 0

        let wfe = Rig()
        wfe.enterEL0()
        wfe.run([A64.wfe])
        #expect(wfe.tookException(0x07E0_0001, from: Rig.fromEL0))

        let allowed = Rig()
        allowed.cpu.sys.sctlr |= 1 << 16
        allowed.enterEL0()
        #expect(allowed.run([A64.wfi]) == .waitForInterrupt)
    }

    @Test func clrexClosesTheReservation() {
        let rig = Rig()
        rig.cpu.exclusiveOpen = true
        rig.run([A64.clrex])
        #expect(!rig.cpu.exclusiveOpen)
        #expect(rig.cpu.pc == Rig.code + 4)
    }

    @Test(arguments: [0xD503_30FF /* SB */, 0xD503_301F /* op2 0 */, 0xD503_207F & ~0x0002_0000 /* hint op1 1 */])
    func unallocatedBarriersAndHintsAreUndefined(instruction: UInt32) {
        let rig = Rig()
        rig.run([instruction])
        #expect(rig.tookUndefined())
    }

    // MARK: SYS

    static let block: UInt64 = Rig.ramBase + 0x2_0000

    func fill(_ rig: Rig) {
        for i in 0..<32 {
            _ = rig.bus.write(Self.block + UInt64(i * 8), size: 8, value: ~0, vcpu: 0)
        }
    }

    @Test func dcZVAZeroesTheAlignedBlock() {
        let rig = Rig()
        fill(rig)
        rig.cpu.regs[4] = Self.block + 0x40 + 0x23
        rig.run([A64.sys(op1: 3, crn: 7, crm: 4, op2: 1, 4)])
        #expect(rig.cpu.pc == Rig.code + 4)
        #expect(rig.word(at: Self.block + 0x38) == ~0)
        for offset in stride(from: UInt64(0x40), to: 0x80, by: 8) {
            #expect(rig.word(at: Self.block + offset) == 0)
        }
        #expect(rig.word(at: Self.block + 0x80) == ~0)
    }

    @Test func el0DCZVATrapsUnlessSCTLRDZE() {
        let rig = Rig()
        fill(rig)
        rig.cpu.regs[4] = Self.block
        rig.enterEL0()
        rig.run([A64.sys(op1: 3, crn: 7, crm: 4, op2: 1, 4)])
        #expect(rig.tookException(0x6212_DC88, from: Rig.fromEL0)) // EC 0x18 naming DC ZVA, X4
        #expect(rig.word(at: Self.block) == ~0)

        let allowed = Rig()
        fill(allowed)
        allowed.cpu.sys.sctlr |= 1 << 14
        allowed.cpu.regs[4] = Self.block
        allowed.enterEL0()
        allowed.run([A64.sys(op1: 3, crn: 7, crm: 4, op2: 1, 4)])
        #expect(allowed.cpu.el == 0)
        #expect(allowed.word(at: Self.block) == 0)
    }

    @Test func dczidReportsZVAProhibitedAtEL0WithoutDZE() {
        let rig = Rig()
        rig.enterEL0()
        rig.run([A64.mrs(1, .DCZID_EL0)])
        #expect(rig.cpu.regs[1] == 0x14)
    }

    @Test(arguments: [(UInt32(3), UInt32(10), UInt32(1)), (3, 11, 1), (3, 14, 1), (3, 5, 1)])
    func el0CacheMaintenanceByVATrapsUnlessSCTLRUCI(op1: UInt32, crm: UInt32, op2: UInt32) {
        let instruction = A64.sys(op1: op1, crn: 7, crm: crm, op2: op2, 2)
        let rig = Rig()
        rig.enterEL0()
        rig.run([instruction])
        let expected = SystemRegisterAccess(register: SystemRegister(op0: 1, op1: UInt8(op1), crn: 7, crm: UInt8(crm),
                                                                     op2: UInt8(op2)), rt: 2, isRead: false)
        #expect(rig.tookException(UInt64(expected.syndrome), from: Rig.fromEL0))

        let allowed = Rig()
        allowed.cpu.sys.sctlr |= 1 << 26
        allowed.enterEL0()
        allowed.run([instruction])
        #expect(allowed.cpu.el == 0 && allowed.cpu.pc == Rig.code + 4)

        let el1 = Rig()
        el1.run([instruction])
        #expect(el1.cpu.pc == Rig.code + 4)
    }

    static let el1Only: [UInt32] = [
        A64.sys(op1: 0, crn: 7, crm: 6, op2: 1, 0), // DC IVAC
        A64.sys(op1: 0, crn: 7, crm: 6, op2: 2, 0), // DC ISW
        A64.sys(op1: 0, crn: 7, crm: 14, op2: 2, 0), // DC CISW
        A64.sys(op1: 0, crn: 7, crm: 5, op2: 0, 31), // IC IALLU
        A64.sys(op1: 0, crn: 7, crm: 1, op2: 0, 31), // IC IALLUIS
        A64.sys(op1: 0, crn: 8, crm: 7, op2: 0, 31), // TLBI VMALLE1
        A64.sys(op1: 0, crn: 8, crm: 3, op2: 0, 31), // TLBI VMALLE1IS
        A64.sys(op1: 0, crn: 8, crm: 3, op2: 1, 3), // TLBI VAE1IS
        A64.sys(op1: 0, crn: 8, crm: 7, op2: 2, 3), // TLBI ASIDE1
        A64.sys(op1: 0, crn: 8, crm: 7, op2: 7, 3), // TLBI VAALE1
        A64.sys(op1: 0, crn: 7, crm: 8, op2: 0, 1), // AT S1E1R
    ]

    @Test(arguments: el1Only)
    func privilegedMaintenanceRunsAtEL1AndIsUndefinedAtEL0(instruction: UInt32) {
        let rig = Rig()
        rig.run([instruction])
        #expect(rig.cpu.pc == Rig.code + 4 && rig.cpu.el == 1)

        let el0 = Rig()
        el0.enterEL0()
        el0.run([instruction])
        #expect(el0.tookUndefined(from: Rig.fromEL0))
    }

    @Test func addressTranslationWritesPAR() {
        let rig = Rig()
        rig.cpu.regs[1] = 0x4000_2345
        rig.cpu.sys.par = 0xDEAD
        rig.run([A64.sys(op1: 0, crn: 7, crm: 8, op2: 3, 1)]) // AT S1E0W
        #expect(rig.cpu.sys.par == rig.cpu.addressTranslate(0x4000_2345, el0: true, write: true))
    }

    @Test(arguments: [
        A64.sys(op1: 0, crn: 7, crm: 9, op2: 0, 0), // nothing there
        A64.sys(op1: 3, crn: 7, crm: 12, op2: 1, 0), // DC CVAP (Armv8.2)
        A64.sys(op1: 4, crn: 8, crm: 7, op2: 0, 31), // TLBI ALLE2
        A64.sys(op1: 4, crn: 7, crm: 8, op2: 0, 0), // AT S1E2R
        A64.sys(op1: 0, crn: 8, crm: 7, op2: 4, 0), // TLBI op2 4: unallocated
        A64.sys(op1: 0, crn: 7, crm: 5, op2: 0, 31) | 1 << 21, // SYSL
    ])
    func unallocatedSystemInstructionsAreUndefined(instruction: UInt32) {
        let rig = Rig()
        rig.run([instruction])
        #expect(rig.tookUndefined())
    }

    @Test(arguments: [
        (UInt64(0x0042_0FF8_0001_2345), UInt64(0xFFFF_8000_1234_5000)), // TTBR1, ASID 0x42 ignored
        (0x0000_0007_FFFF_0000, 0x0000_7FFF_F000_0000),
        (0, 0),
    ])
    func tlbiOperandGivesTheVirtualAddress(operand: UInt64, expected: UInt64) {
        #expect(CPU.tlbiVirtualAddress(operand) == expected)
    }
}
