import Testing
@testable import Devices

/// Four vCPUs in clusters of two: vCPU i has Aff1 = i / 2, Aff0 = i % 2. RAM is
/// 0x4000_0000..<0x8000_0000.
struct FakeBoard: PSCIPlatform {
    static func mpidr(_ vcpu: Int) -> UInt64 { UInt64(vcpu / 2) << 8 | UInt64(vcpu % 2) }

    func vcpuIndex(mpidr: UInt64) -> Int? {
        (0..<4).first { Self.mpidr($0) == mpidr }
    }

    func isValidEntryPoint(_ address: UInt64) -> Bool {
        (0x4000_0000..<0x8000_0000).contains(address)
    }
}

/// A board that says nothing about entry points.
struct PermissiveBoard: PSCIPlatform {
    func vcpuIndex(mpidr: UInt64) -> Int? { mpidr < 2 ? Int(mpidr) : nil }
}

enum Fn {
    static let version: UInt64 = 0x8400_0000
    static let suspend32: UInt64 = 0x8400_0001, suspend64: UInt64 = 0xC400_0001
    static let off: UInt64 = 0x8400_0002
    static let on32: UInt64 = 0x8400_0003, on64: UInt64 = 0xC400_0003
    static let affinity32: UInt64 = 0x8400_0004, affinity64: UInt64 = 0xC400_0004
    static let migrateInfoType: UInt64 = 0x8400_0006
    static let systemOff: UInt64 = 0x8400_0008, systemReset: UInt64 = 0x8400_0009
    static let features: UInt64 = 0x8400_000A
    static let smcccVersion: UInt64 = 0x8000_0000
}

/// Return codes as the caller sees them in x0 (sign-extended).
enum X0 {
    static let success: UInt64 = 0
    static let notSupported = UInt64(bitPattern: -1)
    static let invalidParameters = UInt64(bitPattern: -2)
    static let internalFailure = UInt64(bitPattern: -6)
    static let alreadyOn = UInt64(bitPattern: -4)
    static let onPending = UInt64(bitPattern: -5)
    static let invalidAddress = UInt64(bitPattern: -9)
}

@Suite struct PSCITests {
    let table = PowerStateTable(count: 4)
    var psci: PSCI { PSCI(powerStates: table, platform: FakeBoard()) }

    func call(_ fid: UInt64, _ a1: UInt64 = 0, _ a2: UInt64 = 0, _ a3: UInt64 = 0, caller: Int = 0) -> PSCIResult {
        psci.handle(functionID: fid, arguments: (a1, a2, a3), caller: caller)
    }

    @Test func versionIs1_0() {
        #expect(call(Fn.version) == PSCIResult(x0: 0x0001_0000))
    }

    @Test func functionIDIsW0() {
        #expect(call(0xFFFF_FFFF_0000_0000 | Fn.version) == PSCIResult(x0: 0x0001_0000))
    }

    @Test func smcccVersionIs1_0() {
        #expect(call(Fn.smcccVersion) == PSCIResult(x0: 0x0001_0000))
    }

    @Test(arguments: [
        UInt64(0x8000_0001),  // SMCCC_ARCH_FEATURES
        0x8400_0005, 0xC400_0005,  // MIGRATE
        0x8400_0007, 0xC400_0007,  // MIGRATE_INFO_UP_CPU
        0x8400_000B,  // CPU_FREEZE
        0x8400_000E, 0xC400_000E,  // SYSTEM_SUSPEND
        0x8400_0012, 0xC400_0002, 0x0000_0000, 0x8600_0000, 0xFFFF_FFFF,
    ])
    func unknownFunctionsAreNotSupported(fid: UInt64) {
        #expect(call(fid, 1, 2, 3) == PSCIResult(x0: X0.notSupported))
    }

    @Test func migrateInfoTypeSaysNoTrustedOS() {
        #expect(call(Fn.migrateInfoType) == PSCIResult(x0: 2))
    }

    @Test(arguments: [Fn.suspend32, Fn.suspend64])
    func cpuSuspendIsStandby(fid: UInt64) {
        #expect(call(fid, 0, 0x4008_0000, 7, caller: 0) == PSCIResult(x0: 0, action: .suspend))
        #expect(table.state(of: 0) == .on)
    }

    @Test func systemOffAndReset() {
        #expect(call(Fn.systemOff).action == .systemOff)
        #expect(call(Fn.systemReset).action == .systemReset)
    }

    @Test func cpuOnStartsAnOffVCPU() {
        let r = call(Fn.on64, FakeBoard.mpidr(3), 0x4008_0000, 0xC0FFEE)
        #expect(r == PSCIResult(x0: X0.success, action: .powerOn(vcpu: 3, entry: 0x4008_0000, context: 0xC0FFEE)))
        #expect(table.state(of: 3) == .onPending)
        #expect(table.snapshot() == [.on, .off, .off, .onPending])
    }

    @Test func cpuOnTwiceIsPendingThenAlreadyOn() {
        _ = call(Fn.on64, FakeBoard.mpidr(1), 0x4000_0000, 0)
        #expect(call(Fn.on64, FakeBoard.mpidr(1), 0x4000_0000, 0) == PSCIResult(x0: X0.onPending))
        #expect(table.markStarted(1))
        #expect(call(Fn.on64, FakeBoard.mpidr(1), 0x4000_0000, 0) == PSCIResult(x0: X0.alreadyOn))
        #expect(call(Fn.on32, FakeBoard.mpidr(0), 0x4000_0000, 0, caller: 0) == PSCIResult(x0: X0.alreadyOn))
    }

    @Test(arguments: [
        UInt64(0x0000_0004),  // Aff0 = 4: no such vCPU
        0x0000_0200,  // Aff1 = 2
        0x0100_0000_0000,  // outside the affinity fields
        0x8000_0001,  // bit 31 is not an affinity field
        0x0001_0000_0001,  // Aff3 = 1
    ])
    func cpuOnToAnUnknownMPIDRIsInvalid(mpidr: UInt64) {
        #expect(call(Fn.on64, mpidr, 0x4000_0000, 0) == PSCIResult(x0: X0.invalidParameters))
        #expect(table.snapshot() == [.on, .off, .off, .off])
    }

    @Test func cpuOnToAnAddressOutsideRAMIsInvalidAddress() {
        #expect(call(Fn.on64, FakeBoard.mpidr(2), 0x1000, 0) == PSCIResult(x0: X0.invalidAddress))
        #expect(table.state(of: 2) == .off)
    }

    @Test func permissiveBoardAcceptsAnyEntryPoint() {
        let psci = PSCI(powerStates: PowerStateTable(count: 2), platform: PermissiveBoard())
        let r = psci.handle(functionID: Fn.on64, arguments: (1, 0x10, 0), caller: 0)
        #expect(r.action == .powerOn(vcpu: 1, entry: 0x10, context: 0))
    }

    @Test func cpuOn32MasksArgumentsTo32Bits() {
        let r = call(Fn.on32, 0xFFFF_FFFF_0000_0001, 0xDEAD_0000_4008_0000, 0x1234_5678_9ABC_DEF0)
        #expect(r == PSCIResult(x0: X0.success, action: .powerOn(vcpu: 1, entry: 0x4008_0000, context: 0x9ABC_DEF0)))
    }

    @Test func cpuOn64KeepsArguments() {
        #expect(call(Fn.on64, 0xFFFF_FFFF_0000_0001, 0x4008_0000, 0) == PSCIResult(x0: X0.invalidParameters))
        let r = call(Fn.on64, 1, 0x4008_0000, 0x1234_5678_9ABC_DEF0)
        #expect(r.action == .powerOn(vcpu: 1, entry: 0x4008_0000, context: 0x1234_5678_9ABC_DEF0))
    }

    @Test func cpuOffStopsTheCaller() {
        table.setState(.on, of: 2)
        #expect(call(Fn.off, caller: 2) == PSCIResult(x0: X0.success, action: .powerOff))
        #expect(table.state(of: 2) == .off)
        #expect(call(Fn.affinity64, FakeBoard.mpidr(2), 0) == PSCIResult(x0: 1))
    }

    @Test func cpuOffTrustsThatTheCallerRuns() {
        _ = call(Fn.on64, FakeBoard.mpidr(1), 0x4000_0000, 0)  // Not yet marked started.
        #expect(call(Fn.off, caller: 1) == PSCIResult(x0: X0.success, action: .powerOff))
        #expect(table.state(of: 1) == .off)
    }

    @Test(arguments: [4, 7, -1])
    func cpuOffFromAnUnknownVCPUFails(caller: Int) {
        #expect(call(Fn.off, caller: caller) == PSCIResult(x0: X0.internalFailure))
        #expect(table.snapshot() == [.on, .off, .off, .off])
    }

    @Test func affinityInfoReportsEachState() {
        _ = call(Fn.on64, FakeBoard.mpidr(2), 0x4000_0000, 0)
        table.setState(.on, of: 3)
        let states = (0..<4).map { call(Fn.affinity64, FakeBoard.mpidr($0), 0).x0 }
        #expect(states == [0, 1, 2, 0])
        #expect(call(Fn.affinity32, FakeBoard.mpidr(2), 0) == PSCIResult(x0: 2))
    }

    @Test func affinityInfoIgnoresNonAffinityBits() {
        #expect(call(Fn.affinity64, 0x8000_0000 | FakeBoard.mpidr(1), 0) == PSCIResult(x0: 1))
    }

    @Test(arguments: [UInt64(1), 2, 3, 0x1_0000_0000])
    func affinityInfoAboveLevel0IsInvalid(level: UInt64) {
        #expect(call(Fn.affinity64, 0, level) == PSCIResult(x0: X0.invalidParameters))
    }

    @Test func affinityInfo32MasksTheLevel() {
        #expect(call(Fn.affinity32, 0xFFFF_FFFF_0000_0000, 0x1_0000_0000) == PSCIResult(x0: 0))
    }

    @Test func affinityInfoForAnUnknownMPIDRIsInvalid() {
        #expect(call(Fn.affinity64, 0x0000_0300, 0) == PSCIResult(x0: X0.invalidParameters))
    }

    @Test(arguments: [
        UInt64(0x8400_0000), 0x8400_0001, 0xC400_0001, 0x8400_0002, 0x8400_0003, 0xC400_0003,
        0x8400_0004, 0xC400_0004, 0x8400_0006, 0x8400_0008, 0x8400_0009, 0x8400_000A, 0x8000_0000,
    ])
    func featuresOfImplementedFunctionsIsZero(fid: UInt64) {
        #expect(call(Fn.features, fid) == PSCIResult(x0: 0))
    }

    @Test(arguments: [
        UInt64(0x8400_0005), 0x8400_0007, 0x8400_000B, 0x8400_000C, 0x8400_000E, 0xC400_000E,
        0x8000_0001, 0x8000_8000, 0xC400_0002, 0,
    ])
    func featuresOfOtherFunctionsIsNotSupported(fid: UInt64) {
        #expect(call(Fn.features, fid) == PSCIResult(x0: X0.notSupported))
    }

    @Test func featuresTakesA32BitFunctionID() {
        #expect(call(Fn.features, 0xFFFF_FFFF_8400_0003) == PSCIResult(x0: 0))
    }

    @Test func racingCPUOnCallsStartTheTargetOnce() async {
        let psci = self.psci
        let results = await withTaskGroup(of: PSCIResult.self) { group in
            for caller in 0..<16 {
                group.addTask {
                    psci.handle(functionID: Fn.on64, arguments: (FakeBoard.mpidr(1), 0x4000_0000, 0), caller: caller % 4)
                }
            }
            var all: [PSCIResult] = []
            for await r in group { all.append(r) }
            return all
        }
        #expect(results.filter { $0.action != .none }.count == 1)
        #expect(results.filter { $0.x0 == X0.onPending }.count == 15)
    }
}

@Suite struct PowerStateTableTests {
    @Test func bootVCPUsStartOn() {
        #expect(PowerStateTable(count: 3).snapshot() == [.on, .off, .off])
        #expect(PowerStateTable(count: 3, poweredOn: [0, 2]).snapshot() == [.on, .off, .on])
        #expect(PowerStateTable(count: -1).count == 0)
    }

    @Test func compareExchangeOnlyMovesFromTheExpectedState() {
        let table = PowerStateTable(count: 2)
        #expect(table.compareExchange(1, expected: .on, desired: .off) == .off)
        #expect(table.state(of: 1) == .off)
        #expect(table.compareExchange(1, expected: .off, desired: .onPending) == .off)
        #expect(table.state(of: 1) == .onPending)
        #expect(table.markStarted(1))
        #expect(!table.markStarted(1))
        #expect(table.state(of: 1) == .on)
    }

    @Test func unknownVCPUsAreIgnored() {
        let table = PowerStateTable(count: 2)
        #expect(table.state(of: 2) == nil)
        #expect(table.state(of: -1) == nil)
        #expect(table.compareExchange(5, expected: .off, desired: .on) == nil)
        table.setState(.on, of: 9)
        #expect(table.snapshot() == [.on, .off])
    }

    @Test func resetReturnsToPowerUp() {
        let table = PowerStateTable(count: 3)
        table.setState(.on, of: 1)
        table.setState(.onPending, of: 2)
        table.setState(.off, of: 0)
        table.reset()
        #expect(table.snapshot() == [.on, .off, .off])
    }

    @Test func affinityInfoValues() {
        #expect(PowerState.on.rawValue == 0)
        #expect(PowerState.off.rawValue == 1)
        #expect(PowerState.onPending.rawValue == 2)
    }
}

@Test func cpuOnWithTargetsOnAtOnceAnswersAlreadyOnNeverOnPending() {
    let table = PowerStateTable(count: 2)
    let psci = PSCI(powerStates: table, platform: KVMLikePlatform(), targetsOnAtOnce: true)
    let first = psci.handle(functionID: 0xC400_0003, arguments: (1, 0x4000_0000, 7), caller: 0)
    #expect(first.x0 == 0)
    #expect(first.action == .powerOn(vcpu: 1, entry: 0x4000_0000, context: 7))
    #expect(table.state(of: 1) == .on)
    let second = psci.handle(functionID: 0xC400_0003, arguments: (1, 0x4000_0000, 7), caller: 0)
    #expect(second.x0 == PSCIReturn.alreadyOn.x0)
    // AFFINITY_INFO reports the target on at once.
    #expect(psci.handle(functionID: 0xC400_0004, arguments: (1, 0, 0), caller: 0).x0 == 0)
}

private struct KVMLikePlatform: PSCIPlatform {
    func vcpuIndex(mpidr: UInt64) -> Int? { mpidr < 2 ? Int(mpidr) : nil }
}
