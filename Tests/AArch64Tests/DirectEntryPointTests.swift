import Testing
@testable import AArch64

/// The CPU's C entry points into the VMM: a trap fast path that handles or declines, and a
/// timer device reached directly, declining what it does not implement (UNDEFINED).
@Suite struct DirectEntryPointTests {
    typealias Rig = SystemTestRig

    /// Handles CNTP_CTL_EL0 reads and CNTP_TVAL_EL0 writes; declines everything else.
    final class FastPath: TrapFastPath {
        var control: UInt64 = 5
        var written: [UInt64] = []

        func trappedRead(_ register: SystemRegister) -> UInt64? {
            register == .CNTP_CTL_EL0 ? control : nil
        }

        func trappedWrite(_ register: SystemRegister, value: UInt64) -> Bool {
            guard register == .CNTP_TVAL_EL0 else { return false }
            written.append(value)
            return true
        }

        static let directEntryPoints = DirectEntryPoints(
            read: { context, encoding, value in
                guard let result = Unmanaged<FastPath>.fromOpaque(context).takeUnretainedValue()
                    .trappedRead(SystemRegister(encoding: encoding)) else { return false }
                value.pointee = result
                return true
            },
            write: { context, encoding, value in
                Unmanaged<FastPath>.fromOpaque(context).takeUnretainedValue()
                    .trappedWrite(SystemRegister(encoding: encoding), value: value)
            })
    }

    /// A timer device with C entry points that implements CNTVCT_EL0 and CNTV_CTL_EL0 only.
    final class DirectTimer: DirectSystemRegisterDevice {
        var count: UInt64 = 1234
        var control: UInt64 = 0

        func handles(_ register: SystemRegister) -> Bool {
            register == .CNTVCT_EL0 || register == .CNTV_CTL_EL0
        }
        func read(_ register: SystemRegister) -> UInt64 { register == .CNTVCT_EL0 ? count : control }
        func write(_ register: SystemRegister, value: UInt64) { control = value }

        static let directEntryPoints = DirectEntryPoints(
            read: { context, encoding, value in
                let device = Unmanaged<DirectTimer>.fromOpaque(context).takeUnretainedValue()
                let register = SystemRegister(encoding: encoding)
                guard device.handles(register) else { return false }
                value.pointee = device.read(register)
                return true
            },
            write: { context, encoding, value in
                let device = Unmanaged<DirectTimer>.fromOpaque(context).takeUnretainedValue()
                let register = SystemRegister(encoding: encoding)
                guard device.handles(register), register != .CNTVCT_EL0 else { return false }
                device.write(register, value: value)
                return true
            })
    }

    @Test func aHandledTrapCompletesWithoutAnExit() {
        let rig = Rig()
        let fastPath = FastPath()
        rig.cpu.trapFastPath = fastPath
        #expect(rig.run([A64.mrs(3, .CNTP_CTL_EL0)]) == .budgetExhausted)
        #expect(rig.cpu.x(3) == 5)
        #expect(rig.cpu.pc == Rig.code + 4)
        rig.cpu.regs[4] = 0x7FFF_FFFF
        #expect(rig.run([A64.msr(.CNTP_TVAL_EL0, 4)]) == .budgetExhausted)
        #expect(fastPath.written == [0x7FFF_FFFF])
        withExtendedLifetime(fastPath) {}
    }

    @Test func aDeclinedTrapExitsToTheVMM() {
        let rig = Rig()
        let fastPath = FastPath()
        rig.cpu.trapFastPath = fastPath
        #expect(rig.run([A64.mrs(2, .CNTP_CVAL_EL0)])
            == .systemRegister(SystemRegisterAccess(register: .CNTP_CVAL_EL0, rt: 2, isRead: true)))
        #expect(rig.cpu.pc == Rig.code)
        #expect(rig.run([A64.msr(.CNTP_CTL_EL0, 1)])
            == .systemRegister(SystemRegisterAccess(register: .CNTP_CTL_EL0, rt: 1, isRead: false)))
        rig.cpu.trapFastPath = nil
        #expect(rig.run([A64.mrs(3, .CNTP_CTL_EL0)])
            == .systemRegister(SystemRegisterAccess(register: .CNTP_CTL_EL0, rt: 3, isRead: true)))
        withExtendedLifetime(fastPath) {}
    }

    @Test func aDirectDeviceIsCalledAndItsRefusalsAreUndefined() {
        let rig = Rig()
        let device = DirectTimer()
        rig.cpu.timerDevice = device
        #expect(rig.run([A64.mrs(0, .CNTVCT_EL0)]) == .budgetExhausted)
        #expect(rig.cpu.x(0) == 1234)
        rig.cpu.regs[1] = 3
        #expect(rig.run([A64.msr(.CNTV_CTL_EL0, 1)]) == .budgetExhausted)
        #expect(device.control == 3)
        // Not implemented by the device: UNDEFINED, as `handles` false is for other devices.
        rig.run([A64.mrs(0, .CNTV_CVAL_EL0)])
        #expect(rig.tookUndefined())
        withExtendedLifetime(device) {}
    }
}
