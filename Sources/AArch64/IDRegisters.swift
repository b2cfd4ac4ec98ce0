/// What the CPU tells the guest it is: a Cortex-A57 r1p0 stripped to Armv8.0 AArch64 at EL0/EL1,
/// with FP/AdvSIMD, no EL2/EL3, no AArch32, no PMU, no crypto/CRC/LSE. Guests (Linux's
/// cpufeature code above all) decide what to use from these values, so they must promise only
/// what the CPU does.
public enum IDRegisters {
    /// Arm, variant 1, architecture "see ID registers", part 0xD07 (Cortex-A57), revision 0.
    public static let midr: UInt64 = 0x411F_D070
    public static let revidr: UInt64 = 0

    /// EL0 = EL1 = 0b0001 (AArch64 only), EL2 = EL3 = 0 (not implemented), FP = AdvSIMD = 0
    /// (implemented), GIC (bits 27:24) = 1 when the GICv3 system registers are there.
    public static func aa64pfr0(gicv3: Bool) -> UInt64 { 0x11 | (gicv3 ? 1 << 24 : 0) }
    /// DebugVer = 0b0110 (Armv8 debug), TraceVer = 0, PMUVer = 0 (no PMU), BRPs = 1 and
    /// WRPs = 1 (two of each, the architectural minimum), CTX_CMPs = 0 (one context-aware).
    public static let aa64dfr0: UInt64 = 0x0010_1006
    /// PARange = 0b0101 (48 bits), ASIDBits = 0b0010 (16), BigEnd = BigEndEL0 = 0 (little
    /// endian only), SNSMem = 0, TGran16 = 0b0001, TGran64 = TGran4 = 0 (all three granules).
    public static let aa64mmfr0: UInt64 = 0x0010_0025

    /// Cortex-A57 cache geometry, as QEMU reports it: L1 I and D, unified L2.
    public static let ctr: UInt64 = 0x8444_C004
    public static let clidr: UInt64 = 0x0A20_0023
    /// CCSIDR_EL1 for CSSELR_EL1 = 0 (L1 D, 32 KiB), 1 (L1 I, 48 KiB), 2 (L2, 2 MiB).
    public static func ccsidr(csselr: UInt64) -> UInt64 {
        switch csselr & 0xF {
        case 0: return 0x701F_E00A
        case 1: return 0x201F_E012
        case 2: return 0x70FF_E07A
        default: return 0 // no such cache: UNKNOWN
        }
    }

    /// DC ZVA zeroes 2^BS words: BS = 4 is 64 bytes.
    public static let dczidBlockSizeLog2Words: UInt64 = 4
    public static let dcZVABlockSize: UInt64 = 4 << dczidBlockSizeLog2Words

    /// Breakpoint and watchpoint register pairs (ID_AA64DFR0_EL1.BRPs/WRPs + 1).
    public static let breakpoints = 2
    public static let watchpoints = 2
}
