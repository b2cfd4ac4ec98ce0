@testable import AArch64

/// A bare CPU with 1 MiB of RAM at 0x4000_0000 for the system and exception tests: code goes
/// in with `place`, state is set directly, and `run` executes a few instructions.
final class SystemTestRig {
    static let ramBase: UInt64 = 0x4000_0000
    static let code: UInt64 = 0x4000_1000
    static let vectors: UInt64 = 0x4000_8000

    let bus: PhysicalBus
    let cpu: CPU
    /// The CPU holds its devices weakly (the Machine owns them); the rig keeps them alive.
    private var devices: [FakeSystemRegisterDevice] = []

    init() {
        bus = PhysicalBus(ramBase: SystemTestRig.ramBase, ramSize: 1 << 20)
        cpu = CPU(id: 0, bus: bus)
        cpu.reset(entry: SystemTestRig.code)
        cpu.sys.vbar = SystemTestRig.vectors
    }

    /// Writes instruction words starting at `address`.
    func place(_ words: [UInt32], at address: UInt64 = SystemTestRig.code) {
        for (i, word) in words.enumerated() {
            _ = bus.write(address + UInt64(i * 4), size: 4, value: UInt64(word), vcpu: 0)
        }
    }

    /// Connects `device` as the timer (the virtual timer and counter, CNTFRQ).
    @discardableResult
    func attachTimer(_ device: FakeSystemRegisterDevice) -> FakeSystemRegisterDevice {
        devices.append(device)
        cpu.timerDevice = device
        return device
    }

    /// Connects `device` as the GICv3 CPU interface.
    @discardableResult
    func attachGIC(_ device: FakeSystemRegisterDevice) -> FakeSystemRegisterDevice {
        devices.append(device)
        cpu.interruptControllerInterface = device
        return device
    }

    /// Places `words` at the code address and runs at most `budget` instructions.
    @discardableResult
    func run(_ words: [UInt32], budget: Int = 1) -> VCPUExit {
        place(words)
        cpu.pc = SystemTestRig.code
        return cpu.run(budget: budget)
    }

    /// Switches to EL0 (SP_EL0), as an ERET to user space would.
    func enterEL0() { cpu.setPSTATE(0) }

    func word(at address: UInt64) -> UInt64 { bus.read(address, size: 8, vcpu: 0) ?? 0xDEAD }
}

/// Encoders for the instructions these tests use (Arm ARM C6).
enum A64 {
    static let nop: UInt32 = 0xD503_201F
    static let eret: UInt32 = 0xD69F_03E0
    static let wfi: UInt32 = 0xD503_207F
    static let wfe: UInt32 = 0xD503_205F
    static let clrex: UInt32 = 0xD503_3F5F
    static let isb: UInt32 = 0xD503_3FDF
    static let dsbSY: UInt32 = 0xD503_3F9F
    static let dmbISH: UInt32 = 0xD503_3BBF
    static func svc(_ imm: UInt16) -> UInt32 { 0xD400_0001 | UInt32(imm) << 5 }
    static func hvc(_ imm: UInt16) -> UInt32 { 0xD400_0002 | UInt32(imm) << 5 }
    static func smc(_ imm: UInt16) -> UInt32 { 0xD400_0003 | UInt32(imm) << 5 }
    static func brk(_ imm: UInt16) -> UInt32 { 0xD420_0000 | UInt32(imm) << 5 }
    static func hlt(_ imm: UInt16) -> UInt32 { 0xD440_0000 | UInt32(imm) << 5 }
    static func mrs(_ rt: Int, _ r: SystemRegister) -> UInt32 {
        0xD530_0000 | UInt32(r.encoding & 0x7FFF) << 5 | UInt32(rt)
    }
    static func msr(_ r: SystemRegister, _ rt: Int) -> UInt32 {
        0xD510_0000 | UInt32(r.encoding & 0x7FFF) << 5 | UInt32(rt)
    }
    /// MSR <pstatefield>, #imm: op1, op2 name the field, CRm is the immediate.
    static func msrImmediate(op1: UInt32, op2: UInt32, _ imm: UInt32) -> UInt32 {
        0xD500_401F | op1 << 16 | (imm & 15) << 8 | op2 << 5
    }
    static func daifSet(_ imm: UInt32) -> UInt32 { msrImmediate(op1: 3, op2: 6, imm) }
    static func daifClr(_ imm: UInt32) -> UInt32 { msrImmediate(op1: 3, op2: 7, imm) }
    static func spsel(_ imm: UInt32) -> UInt32 { msrImmediate(op1: 0, op2: 5, imm) }
    /// SYS #op1, Cn, Cm, #op2, Xt.
    static func sys(op1: UInt32, crn: UInt32, crm: UInt32, op2: UInt32, _ rt: Int) -> UInt32 {
        0xD508_0000 | op1 << 16 | crn << 12 | crm << 8 | op2 << 5 | UInt32(rt)
    }
}

/// A timer or GIC CPU interface stand-in: implements exactly the registers it is given and
/// records every write.
final class FakeSystemRegisterDevice: SystemRegisterDevice {
    var values: [SystemRegister: UInt64]
    var writes: [(SystemRegister, UInt64)] = []
    var reads: [SystemRegister] = []

    init(_ values: [SystemRegister: UInt64]) { self.values = values }

    func handles(_ register: SystemRegister) -> Bool { values[register] != nil }
    func read(_ register: SystemRegister) -> UInt64 {
        reads.append(register)
        return values[register] ?? 0
    }
    func write(_ register: SystemRegister, value: UInt64) {
        writes.append((register, value))
        values[register] = value
    }
}

extension SystemTestRig {
    static let undefinedSyndrome: UInt64 = 0x0200_0000
    /// Vector offsets of a synchronous exception taken from EL1 (SP_EL1) and from EL0.
    static let fromEL1: UInt64 = 0x200
    static let fromEL0: UInt64 = 0x400

    /// Whether the last instruction run at `Rig.code` took an UNDEF from the given vector group.
    func tookUndefined(from group: UInt64 = SystemTestRig.fromEL1) -> Bool {
        cpu.sys.esr == SystemTestRig.undefinedSyndrome && cpu.pc == SystemTestRig.vectors + group
            && cpu.sys.elr == SystemTestRig.code && cpu.el == 1
    }

    /// Whether the last instruction took a synchronous exception with `syndrome` from `group`.
    func tookException(_ syndrome: UInt64, from group: UInt64) -> Bool {
        cpu.sys.esr == syndrome && cpu.pc == SystemTestRig.vectors + group && cpu.sys.elr == SystemTestRig.code
    }
}
