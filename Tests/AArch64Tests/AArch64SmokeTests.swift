import Testing
@testable import AArch64

@Test func systemRegisterAccessSyndromeRoundTrips() {
    let access = SystemRegisterAccess(register: .CNTP_CTL_EL0, rt: 5, isRead: true)
    #expect(access.exceptionClass == 0x18)
    #expect(access.register == .CNTP_CTL_EL0)
    #expect(access.rt == 5)
    #expect(access.isRead)
}
