/// The EL1 and EL0 system registers the CPU model keeps itself (everything that is not a timer
/// or GIC register). Owned by the vCPU's thread. Reset values are those of a Cortex-A57 at EL1
/// entry (most UNKNOWN values are 0 here).
public struct SystemRegisterFile: Sendable {
    public var sctlr: UInt64 = 0x30D0_0800 // RES1 bits; MMU, caches off
    public var actlr: UInt64 = 0
    public var cpacr: UInt64 = 0
    public var ttbr0: UInt64 = 0
    public var ttbr1: UInt64 = 0
    public var tcr: UInt64 = 0
    public var mair: UInt64 = 0
    public var amair: UInt64 = 0
    public var vbar: UInt64 = 0
    public var elr: UInt64 = 0
    public var spsr: UInt64 = 0
    public var esr: UInt64 = 0
    public var far: UInt64 = 0
    public var par: UInt64 = 0
    public var afsr0: UInt64 = 0
    public var afsr1: UInt64 = 0
    public var contextidr: UInt64 = 0
    public var tpidrEL0: UInt64 = 0
    public var tpidrroEL0: UInt64 = 0
    public var tpidrEL1: UInt64 = 0
    public var cntkctl: UInt64 = 0
    public var csselr: UInt64 = 0
    public var mdscr: UInt64 = 0
    /// OSLM = 0b10 (OS lock implemented), OSLK = 1: the OS lock is set by a cold reset.
    public var oslsr: UInt64 = 0b1010
    public var osdlr: UInt64 = 0
    public var mdccint: UInt64 = 0
    public var dbgprcr: UInt64 = 0
    /// DBGBVR/DBGBCR/DBGWVR/DBGWCR for breakpoints and watchpoints 0 and 1: kept so a guest
    /// reads back what it wrote; debug exceptions themselves are not generated.
    public var dbgbvr0: UInt64 = 0
    public var dbgbvr1: UInt64 = 0
    public var dbgbcr0: UInt64 = 0
    public var dbgbcr1: UInt64 = 0
    public var dbgwvr0: UInt64 = 0
    public var dbgwvr1: UInt64 = 0
    public var dbgwcr0: UInt64 = 0
    public var dbgwcr1: UInt64 = 0
    public var pmuserenr: UInt64 = 0
    public var mpidr: UInt64 = 0x8000_0000
    /// The event register WFE consumes; set by SEV, SEVL and exception return.
    public var eventRegister = false

    public init() {}
}
