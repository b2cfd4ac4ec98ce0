import Testing
@testable import GenericTimer

@Suite struct TimerRegisterTests {
    @Test(arguments: TimerRegister.allCases)
    func encodingRoundTrips(register: TimerRegister) {
        let e = register.encoding
        #expect(TimerRegister(op0: e.op0, op1: e.op1, crn: e.crn, crm: e.crm, op2: e.op2) == register)
    }

    @Test func encodingsMatchTheArchitecture() {
        // CNTP_CTL_EL0 is S3_3_C14_C2_1, CNTV_CVAL_EL0 is S3_3_C14_C3_2, CNTVCT_EL0 S3_3_C14_C0_2.
        #expect(TimerRegister(op0: 3, op1: 3, crn: 14, crm: 2, op2: 1) == .physicalControl)
        #expect(TimerRegister(op0: 3, op1: 3, crn: 14, crm: 3, op2: 2) == .virtualCompare)
        #expect(TimerRegister(op0: 3, op1: 3, crn: 14, crm: 0, op2: 2) == .virtualCount)
    }

    @Test func otherEncodingsAreNotTimerRegisters() {
        #expect(TimerRegister(op0: 3, op1: 0, crn: 14, crm: 1, op2: 0) == nil)  // CNTKCTL_EL1
        #expect(TimerRegister(op0: 3, op1: 3, crn: 14, crm: 0, op2: 5) == nil)  // CNTPCTSS_EL0
        #expect(TimerRegister(op0: 3, op1: 4, crn: 14, crm: 2, op2: 1) == nil)  // CNTHP_CTL_EL2
        #expect(TimerRegister(op0: 3, op1: 3, crn: 14, crm: 4, op2: 0) == nil)
    }

    @Test func registersKnowTheirTimer() {
        #expect(TimerRegister.allCases.filter { $0.timer == .physical }
            == [.physicalControl, .physicalCompare, .physicalTimerValue])
        #expect(TimerRegister.allCases.filter { $0.timer == .virtual }
            == [.virtualControl, .virtualCompare, .virtualTimerValue])
    }
}
