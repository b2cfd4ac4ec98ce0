/// Exception classes (ESR_ELx.EC, Arm ARM D17.2.37) and the syndromes this CPU builds, so that
/// every place that raises an exception spells the same value the same way.
public enum ExceptionClass {
    public static let unknown: UInt32 = 0x00
    public static let wfiWFE: UInt32 = 0x01
    public static let fpAccess: UInt32 = 0x07
    public static let illegalExecutionState: UInt32 = 0x0E
    public static let svc64: UInt32 = 0x15
    public static let hvc64: UInt32 = 0x16
    public static let smc64: UInt32 = 0x17
    public static let systemRegister: UInt32 = 0x18
    public static let instructionAbortLowerEL: UInt32 = 0x20
    public static let instructionAbortSameEL: UInt32 = 0x21
    public static let pcAlignment: UInt32 = 0x22
    public static let dataAbortLowerEL: UInt32 = 0x24
    public static let dataAbortSameEL: UInt32 = 0x25
    public static let spAlignment: UInt32 = 0x26
    public static let serror: UInt32 = 0x2F
    public static let brk64: UInt32 = 0x3C
}

/// Builders for ESR_EL1 values. All instructions here are 32-bit, so IL (bit 25) is set.
public enum ExceptionSyndrome {
    /// ESR.IL: the trapped instruction was 32 bits wide.
    public static let il: UInt32 = 1 << 25

    @inline(__always)
    public static func make(_ ec: UInt32, iss: UInt32 = 0) -> UInt32 {
        ec << 26 | il | (iss & 0x1FF_FFFF)
    }

    /// An UNDEFINED instruction (EC 0).
    public static let undefined = make(ExceptionClass.unknown)
    /// An instruction executed with PSTATE.IL set (EC 0x0E).
    public static let illegalExecutionState = make(ExceptionClass.illegalExecutionState)

    public static func supervisorCall(_ imm16: UInt16) -> UInt32 { make(ExceptionClass.svc64, iss: UInt32(imm16)) }
    public static func breakpoint(_ imm16: UInt16) -> UInt32 { make(ExceptionClass.brk64, iss: UInt32(imm16)) }

    /// WFI (`isWFE` false) or WFE trapped by SCTLR_EL1.nTWI/nTWE: CV = 1, COND = 0b1110 as
    /// AArch64 reports it (QEMU's syn_wfx does the same), TI in bit 0.
    public static func waitTrap(isWFE: Bool) -> UInt32 {
        make(ExceptionClass.wfiWFE, iss: 1 << 24 | 0xE << 20 | (isWFE ? 1 : 0))
    }

    /// An FP/SIMD access trapped by CPACR_EL1.FPEN (CV = 1, COND = 0b1110, as QEMU reports it).
    public static let fpAccessTrap = make(ExceptionClass.fpAccess, iss: 1 << 24 | 0xE << 20)
}

/// Offsets within the vector table (VBAR_EL1), Arm ARM D1.10.2.
public enum ExceptionVector {
    public static let synchronous: UInt64 = 0x000
    public static let irq: UInt64 = 0x080
    public static let fiq: UInt64 = 0x100
    public static let serror: UInt64 = 0x180
    /// Group bases: taken from EL1 with SP_EL0, from EL1 with SP_EL1, from EL0 (AArch64).
    public static let currentELSP0: UInt64 = 0x000
    public static let currentELSPx: UInt64 = 0x200
    public static let lowerELAArch64: UInt64 = 0x400
}
