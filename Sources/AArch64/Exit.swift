/// A system-register access the CPU could not complete itself and hands to the VMM, described
/// the way `ESR_EL2` describes a trapped MSR/MRS (EC 0x18), so that a hardware backend could
/// produce the same value.
public struct SystemRegisterAccess: Sendable, Equatable {
    /// The syndrome: EC 0x18 in bits [31:26], IL set, ISS = Op0, Op2, Op1, CRn, Rt, CRm, direction.
    public let syndrome: UInt32

    public init(register: SystemRegister, rt: Int, isRead: Bool) {
        let iss = UInt32(register.op0) << 20 | UInt32(register.op2) << 17 | UInt32(register.op1) << 14
            | UInt32(register.crn) << 10 | UInt32(rt & 31) << 5 | UInt32(register.crm) << 1
            | (isRead ? 1 : 0)
        syndrome = 0x18 << 26 | 1 << 25 | iss
    }

    public init(syndrome: UInt32) { self.syndrome = syndrome }

    public var exceptionClass: UInt32 { syndrome >> 26 }
    public var register: SystemRegister {
        let iss = syndrome & 0x1FF_FFFF
        return SystemRegister(op0: UInt8((iss >> 20) & 3), op1: UInt8((iss >> 14) & 7),
                              crn: UInt8((iss >> 10) & 15), crm: UInt8((iss >> 1) & 15),
                              op2: UInt8((iss >> 17) & 7))
    }
    /// The general-purpose register transferred (31 is XZR).
    public var rt: Int { Int((syndrome >> 5) & 31) }
    /// True for MRS (a read by the guest), false for MSR.
    public var isRead: Bool { syndrome & 1 != 0 }
}

/// Why `CPU.run` returned: the software equivalent of an exit to EL2.
public enum VCPUExit: Sendable, Equatable {
    /// A trapped MRS/MSR. The PC still points at the instruction; the VMM finishes it with
    /// `CPU.completeSystemRegisterAccess(readValue:)` or makes it UNDEFINED with `CPU.injectUndefined()`.
    case systemRegister(SystemRegisterAccess)
    /// HVC #imm. The PC already points past the instruction (as ELR_EL2 would).
    case hypervisorCall(UInt16)
    /// SMC #imm. The PC already points past the instruction.
    case secureMonitorCall(UInt16)
    /// WFI. The PC points past it; the VMM blocks until an interrupt is pending for this vCPU.
    case waitForInterrupt
    /// WFE. The PC points past it.
    case waitForEvent
    /// The guest branched back into a loop of NOPs and YIELDs (or a B to itself): with no
    /// load, store or system-register access in it, only an interrupt can change what it does,
    /// so the VMM may let the vCPU wait for one like WFI instead of burning a host core (a
    /// kvm-unit-tests secondary's `while (true) cpu_relax();`, a firmware's `b .`). The PC
    /// points at the loop's first instruction. Reported only when `CPU.reportsIdleLoops`.
    case idleLoop
    /// The instruction budget given to `run` is spent.
    case budgetExhausted
    /// Someone asked the vCPU to stop (`InterruptSignals.kick`): a timer, another vCPU, the VMM.
    case kicked
    /// The CPU cannot go on (for example, a recursive exception at a vector that cannot be fetched).
    case halted(String)
}
