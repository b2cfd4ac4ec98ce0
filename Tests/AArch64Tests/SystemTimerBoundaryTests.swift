import Testing
@testable import AArch64

/// The CPU/VMM boundary for the generic timer and the GICv3 CPU interface: which accesses exit
/// (and with which syndrome), which go straight to the device, which trap to the guest's EL1.
@Suite struct SystemTimerBoundaryTests {
    typealias Rig = SystemTestRig

    static func timer() -> FakeSystemRegisterDevice {
        FakeSystemRegisterDevice([
            .CNTFRQ_EL0: 62_500_000, .CNTVCT_EL0: 1000, .CNTPCT_EL0: 1500,
            .CNTV_CTL_EL0: 0, .CNTV_CVAL_EL0: 0, .CNTV_TVAL_EL0: 0,
            .CNTP_CTL_EL0: 0, .CNTP_CVAL_EL0: 0, .CNTP_TVAL_EL0: 0,
        ])
    }

    @Test func trappedPhysicalTimerReadExitsAndIsCompletedByTheVMM() {
        let rig = Rig()
        let device = Self.timer()
        rig.attachTimer(device)
        rig.place([A64.mrs(3, .CNTP_CTL_EL0), A64.hvc(1)])
        rig.cpu.pc = Rig.code
        let exit = rig.cpu.run(budget: 5)
        guard case let .systemRegister(access) = exit else {
            Issue.record("expected a system-register exit, got \(exit)")
            return
        }
        #expect(access.syndrome == 0x6232_F865) // EC 0x18, IL, 3:3:C14:C2:1, Rt 3, read
        #expect(access.register == .CNTP_CTL_EL0 && access.rt == 3 && access.isRead)
        #expect(rig.cpu.pc == Rig.code) // still at the MRS
        #expect(device.reads.isEmpty) // the VMM, not the device, emulates it

        rig.cpu.completeSystemRegisterAccess(access, readValue: 5)
        #expect(rig.cpu.regs[3] == 5)
        #expect(rig.cpu.pc == Rig.code + 4)
        #expect(rig.cpu.run(budget: 5) == .hypervisorCall(1))
    }

    @Test(arguments: [SystemRegister.CNTP_CTL_EL0, .CNTP_CVAL_EL0, .CNTP_TVAL_EL0])
    func trappedPhysicalTimerWritesExitWithTheRegisterAndRt(register: SystemRegister) {
        let rig = Rig()
        rig.attachTimer(Self.timer())
        rig.cpu.regs[7] = 0x55
        let exit = rig.run([A64.msr(register, 7)])
        #expect(exit == .systemRegister(SystemRegisterAccess(register: register, rt: 7, isRead: false)))
        #expect(rig.cpu.pc == Rig.code)
    }

    @Test func theVMMCanRefuseATrappedAccess() {
        let rig = Rig()
        guard case let .systemRegister(access) = rig.run([A64.mrs(0, .CNTP_CTL_EL0)]) else {
            Issue.record("no exit")
            return
        }
        #expect(access.register == .CNTP_CTL_EL0)
        rig.cpu.injectUndefined()
        #expect(rig.tookUndefined())
    }

    @Test func untrappedPhysicalTimerGoesToTheDevice() {
        let rig = Rig()
        let device = Self.timer()
        rig.attachTimer(device)
        rig.cpu.trapsPhysicalTimer = false
        rig.cpu.regs[2] = 1
        rig.place([A64.msr(.CNTP_CTL_EL0, 2), A64.mrs(4, .CNTP_CTL_EL0)])
        #expect(rig.cpu.run(budget: 2) == .budgetExhausted)
        #expect(device.writes.count == 1 && device.writes.first?.0 == .CNTP_CTL_EL0 && device.writes.first?.1 == 1)
        #expect(rig.cpu.regs[4] == 1)
    }

    @Test func physicalCounterExitsOnlyWhenTrapped() {
        let rig = Rig()
        rig.attachTimer(Self.timer())
        #expect(rig.run([A64.mrs(0, .CNTPCT_EL0)]) == .budgetExhausted)
        #expect(rig.cpu.regs[0] == 1500)

        rig.cpu.trapsPhysicalCounter = true
        #expect(rig.run([A64.mrs(0, .CNTPCT_EL0)])
            == .systemRegister(SystemRegisterAccess(register: .CNTPCT_EL0, rt: 0, isRead: true)))
    }

    @Test func virtualTimerIsReachedWithoutAnExit() {
        let rig = Rig()
        let device = Self.timer()
        rig.attachTimer(device)
        rig.cpu.regs[2] = 0xABCD
        rig.place([A64.msr(.CNTV_CVAL_EL0, 2), A64.mrs(3, .CNTVCT_EL0), A64.mrs(4, .CNTV_CVAL_EL0),
                   A64.mrs(5, .CNTFRQ_EL0)])
        #expect(rig.cpu.run(budget: 4) == .budgetExhausted)
        #expect(device.values[.CNTV_CVAL_EL0] == 0xABCD)
        #expect(rig.cpu.regs[3] == 1000)
        #expect(rig.cpu.regs[4] == 0xABCD)
        #expect(rig.cpu.regs[5] == 62_500_000)
        #expect(rig.cpu.pc == Rig.code + 16)
    }

    @Test func timerRegistersAreUndefinedWithoutADevice() {
        let rig = Rig()
        rig.run([A64.mrs(0, .CNTVCT_EL0)])
        #expect(rig.tookUndefined())

        let partial = Rig()
        let device = FakeSystemRegisterDevice([.CNTVCT_EL0: 1])
        partial.attachTimer(device)
        partial.run([A64.mrs(0, .CNTV_CTL_EL0)])
        #expect(partial.tookUndefined())
    }

    @Test(arguments: [SystemRegister.CNTFRQ_EL0, .CNTVCT_EL0, .CNTPCT_EL0,
                      SystemRegister(op0: 3, op1: 3, crn: 14, crm: 8, op2: 0) /* PMEVCNTR0 space */])
    func readOnlyOrMissingTimerRegistersAreUndefinedOnWrite(register: SystemRegister) {
        let rig = Rig()
        let device = Self.timer()
        rig.attachTimer(device)
        rig.cpu.trapsPhysicalCounter = true
        rig.run([A64.msr(register, 1)])
        #expect(rig.tookUndefined(), "\(register)")
        #expect(device.writes.isEmpty)
    }

    // MARK: EL0 and CNTKCTL_EL1

    struct EL0Case: Sendable, CustomTestStringConvertible {
        let register: SystemRegister
        let isRead: Bool
        let opensIt: UInt64 // the CNTKCTL_EL1 bits that allow it
        var testDescription: String { "\(register) \(isRead ? "read" : "write")" }
    }

    static let el0Cases: [EL0Case] = [
        EL0Case(register: .CNTVCT_EL0, isRead: true, opensIt: 1 << 1),
        EL0Case(register: .CNTPCT_EL0, isRead: true, opensIt: 1 << 0),
        EL0Case(register: .CNTFRQ_EL0, isRead: true, opensIt: 1 << 0),
        EL0Case(register: .CNTFRQ_EL0, isRead: true, opensIt: 1 << 1),
        EL0Case(register: .CNTV_CTL_EL0, isRead: true, opensIt: 1 << 8),
        EL0Case(register: .CNTV_TVAL_EL0, isRead: false, opensIt: 1 << 8),
        EL0Case(register: .CNTP_CVAL_EL0, isRead: false, opensIt: 1 << 9),
    ]

    @Test(arguments: el0Cases)
    func el0TimerAccessTrapsToEL1UntilCNTKCTLOpensIt(c: EL0Case) {
        let instruction = c.isRead ? A64.mrs(6, c.register) : A64.msr(c.register, 6)
        let rig = Rig()
        rig.attachTimer(Self.timer())
        // Every other gate open: only the right bit may matter.
        rig.cpu.sys.cntkctl = 0x303 & ~c.opensIt & ~(c.register == .CNTFRQ_EL0 ? 3 : 0)
        rig.enterEL0()
        #expect(rig.run([instruction]) == .budgetExhausted) // a guest exception, not an exit
        let syndrome = SystemRegisterAccess(register: c.register, rt: 6, isRead: c.isRead).syndrome
        #expect(rig.tookException(UInt64(syndrome), from: Rig.fromEL0))

        let open = Rig()
        open.attachTimer(Self.timer())
        open.cpu.trapsPhysicalTimer = false
        open.cpu.sys.cntkctl = c.opensIt
        open.enterEL0()
        #expect(open.run([instruction]) == .budgetExhausted)
        #expect(open.cpu.el == 0 && open.cpu.pc == Rig.code + 4)
    }

    @Test func el0PhysicalTimerAccessExitsOnceCNTKCTLAllowsIt() {
        let rig = Rig()
        rig.cpu.sys.cntkctl = 1 << 9
        rig.enterEL0()
        #expect(rig.run([A64.mrs(2, .CNTP_TVAL_EL0)])
            == .systemRegister(SystemRegisterAccess(register: .CNTP_TVAL_EL0, rt: 2, isRead: true)))
        #expect(rig.cpu.el == 0 && rig.cpu.pc == Rig.code)
    }

    @Test func el0CNTVCTTrapSyndromeMatchesTheArchitecture() {
        let rig = Rig()
        rig.attachTimer(Self.timer())
        rig.enterEL0()
        rig.run([A64.mrs(0, .CNTVCT_EL0)])
        #expect(rig.cpu.sys.esr == 0x6234_F801)
    }

    // MARK: EL0 access to CPU registers

    @Test func el0ReachesItsOwnRegistersOnly() {
        let rig = Rig()
        rig.cpu.sys.tpidrroEL0 = 0x77
        rig.cpu.regs[2] = 0x99
        rig.enterEL0()
        rig.place([A64.msr(.TPIDR_EL0, 2), A64.mrs(3, .TPIDR_EL0), A64.mrs(4, .TPIDRRO_EL0), A64.mrs(5, .NZCV)])
        rig.cpu.pc = Rig.code
        #expect(rig.cpu.run(budget: 4) == .budgetExhausted)
        #expect(rig.cpu.el == 0)
        #expect(rig.cpu.regs[3] == 0x99 && rig.cpu.regs[4] == 0x77)
    }

    @Test(arguments: [(SystemRegister.SCTLR_EL1, true), (.TPIDRRO_EL0, false), (.CurrentEL, true),
                      (.SPSel, true), (.MIDR_EL1, true), (.TPIDR_EL1, false), (.ICC_PMR_EL1, true),
                      (.DCZID_EL0, false)])
    func el0CannotReachEL1Registers(register: SystemRegister, isRead: Bool) {
        let rig = Rig()
        rig.attachGIC(FakeSystemRegisterDevice([.ICC_PMR_EL1: 0xF0]))
        rig.enterEL0()
        rig.run([isRead ? A64.mrs(1, register) : A64.msr(register, 1)])
        #expect(rig.tookUndefined(from: Rig.fromEL0), "\(register)")
    }

    @Test func el0CTRReadTrapsUnlessSCTLRUCT() {
        let rig = Rig()
        rig.enterEL0()
        rig.run([A64.mrs(2, .CTR_EL0)])
        #expect(rig.tookException(0x6232_C041, from: Rig.fromEL0)) // Linux emulates CTR_EL0 from this

        let allowed = Rig()
        allowed.cpu.sys.sctlr |= 1 << 15
        allowed.enterEL0()
        allowed.run([A64.mrs(2, .CTR_EL0)])
        #expect(allowed.cpu.regs[2] == 0x8444_C004)
    }

    @Test func el0DAIFReadTrapsUnlessSCTLRUMA() {
        let rig = Rig()
        rig.enterEL0()
        rig.run([A64.mrs(2, .DAIF)])
        #expect(rig.tookException(UInt64(SystemRegisterAccess(register: .DAIF, rt: 2, isRead: true).syndrome),
                                  from: Rig.fromEL0))
    }

    // MARK: GICv3 CPU interface

    @Test func iccRegistersGoToTheInterruptControllerInterface() {
        let rig = Rig()
        let gic = FakeSystemRegisterDevice([.ICC_PMR_EL1: 0, .ICC_SGI1R_EL1: 0, .ICC_IAR1_EL1: 27,
                                            .ICC_SRE_EL1: 7])
        rig.attachGIC(gic)
        rig.cpu.regs[1] = 0xF0
        rig.cpu.regs[2] = 0x0001_0000_0000_0002
        rig.place([A64.msr(.ICC_PMR_EL1, 1), A64.msr(.ICC_SGI1R_EL1, 2), A64.mrs(3, .ICC_IAR1_EL1),
                   A64.mrs(4, .ICC_SRE_EL1)])
        rig.cpu.pc = Rig.code
        #expect(rig.cpu.run(budget: 4) == .budgetExhausted)
        #expect(gic.writes.map(\.0) == [.ICC_PMR_EL1, .ICC_SGI1R_EL1])
        #expect(gic.writes.map(\.1) == [0xF0, 0x0001_0000_0000_0002])
        #expect(rig.cpu.regs[3] == 27 && rig.cpu.regs[4] == 7)
    }

    @Test func iccRegistersAreUndefinedWithoutAGICv3() {
        let rig = Rig()
        rig.run([A64.mrs(0, .ICC_SRE_EL1)])
        #expect(rig.tookUndefined())
    }

    @Test(arguments: [(SystemRegister.ICC_SGI1R_EL1, true), (.ICC_EOIR1_EL1, true), (.ICC_IAR1_EL1, false),
                      (.ICC_CTLR_EL1, true) /* not implemented by this fake */])
    func iccAccessesThatDoNotExistAreUndefined(register: SystemRegister, isRead: Bool) {
        let rig = Rig()
        let gic = FakeSystemRegisterDevice([.ICC_SGI1R_EL1: 0, .ICC_EOIR1_EL1: 0, .ICC_IAR1_EL1: 0])
        rig.attachGIC(gic)
        rig.run([isRead ? A64.mrs(1, register) : A64.msr(register, 1)])
        #expect(rig.tookUndefined(), "\(register)")
        #expect(gic.reads.isEmpty && gic.writes.isEmpty)
    }
}

/// The timer dispatch matches raw encodings; they must be exactly the named registers'.
@Test func timerRegisterEncodingsAreTheRawValuesTheDispatchUses() {
    #expect(SystemRegister.CNTFRQ_EL0.encoding == 0xDF00)
    #expect(SystemRegister.CNTPCT_EL0.encoding == 0xDF01)
    #expect(SystemRegister.CNTVCT_EL0.encoding == 0xDF02)
    #expect(SystemRegister.CNTP_TVAL_EL0.encoding == 0xDF10)
    #expect(SystemRegister.CNTP_CTL_EL0.encoding == 0xDF11)
    #expect(SystemRegister.CNTP_CVAL_EL0.encoding == 0xDF12)
    #expect(SystemRegister.CNTV_TVAL_EL0.encoding == 0xDF18)
    #expect(SystemRegister.CNTV_CTL_EL0.encoding == 0xDF19)
    #expect(SystemRegister.CNTV_CVAL_EL0.encoding == 0xDF1A)
}
