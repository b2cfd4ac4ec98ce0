/// A system register named by its encoding (op0, op1, CRn, CRm, op2), the way the architecture
/// and KVM's `sys_regs.c` name it, so that the CPU, the trap table and the statistics all key
/// on the same value instead of on magic numbers.
public struct SystemRegister: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// op0:op1:CRn:CRm:op2 packed as in the MRS/MSR instruction bits [20:5] (op0 in bits 15:14).
    public let encoding: UInt16

    public init(op0: UInt8, op1: UInt8, crn: UInt8, crm: UInt8, op2: UInt8) {
        encoding = UInt16(op0 & 3) << 14 | UInt16(op1 & 7) << 11 | UInt16(crn & 15) << 7
            | UInt16(crm & 15) << 3 | UInt16(op2 & 7)
    }

    public init(encoding: UInt16) { self.encoding = encoding }

    /// The register an MRS/MSR instruction names (instruction bits [20:5]; op0 = 2 + bit 19).
    @inline(__always)
    public init(instruction: UInt32) {
        encoding = UInt16(truncatingIfNeeded: (instruction >> 5) & 0xFFFF)
    }

    public var op0: UInt8 { UInt8(encoding >> 14) }
    public var op1: UInt8 { UInt8((encoding >> 11) & 7) }
    public var crn: UInt8 { UInt8((encoding >> 7) & 15) }
    public var crm: UInt8 { UInt8((encoding >> 3) & 15) }
    public var op2: UInt8 { UInt8(encoding & 7) }

    public static func < (a: SystemRegister, b: SystemRegister) -> Bool { a.encoding < b.encoding }

    public var description: String {
        SystemRegister.names[self] ?? "S\(op0)_\(op1)_C\(crn)_C\(crm)_\(op2)"
    }
}

extension SystemRegister {
    // Generic timer (AArch64 encodings, Arm ARM D19 / D23).
    public static let CNTFRQ_EL0 = SystemRegister(op0: 3, op1: 3, crn: 14, crm: 0, op2: 0)
    public static let CNTPCT_EL0 = SystemRegister(op0: 3, op1: 3, crn: 14, crm: 0, op2: 1)
    public static let CNTVCT_EL0 = SystemRegister(op0: 3, op1: 3, crn: 14, crm: 0, op2: 2)
    public static let CNTP_TVAL_EL0 = SystemRegister(op0: 3, op1: 3, crn: 14, crm: 2, op2: 0)
    public static let CNTP_CTL_EL0 = SystemRegister(op0: 3, op1: 3, crn: 14, crm: 2, op2: 1)
    public static let CNTP_CVAL_EL0 = SystemRegister(op0: 3, op1: 3, crn: 14, crm: 2, op2: 2)
    public static let CNTV_TVAL_EL0 = SystemRegister(op0: 3, op1: 3, crn: 14, crm: 3, op2: 0)
    public static let CNTV_CTL_EL0 = SystemRegister(op0: 3, op1: 3, crn: 14, crm: 3, op2: 1)
    public static let CNTV_CVAL_EL0 = SystemRegister(op0: 3, op1: 3, crn: 14, crm: 3, op2: 2)
    public static let CNTKCTL_EL1 = SystemRegister(op0: 3, op1: 0, crn: 14, crm: 1, op2: 0)

    // Identification (Arm ARM D19.2)
    public static let MIDR_EL1 = SystemRegister(op0: 3, op1: 0, crn: 0, crm: 0, op2: 0)
    public static let MPIDR_EL1 = SystemRegister(op0: 3, op1: 0, crn: 0, crm: 0, op2: 5)
    public static let REVIDR_EL1 = SystemRegister(op0: 3, op1: 0, crn: 0, crm: 0, op2: 6)
    public static let ID_PFR0_EL1 = SystemRegister(op0: 3, op1: 0, crn: 0, crm: 1, op2: 0)
    public static let ID_PFR1_EL1 = SystemRegister(op0: 3, op1: 0, crn: 0, crm: 1, op2: 1)
    public static let ID_DFR0_EL1 = SystemRegister(op0: 3, op1: 0, crn: 0, crm: 1, op2: 2)
    public static let ID_AFR0_EL1 = SystemRegister(op0: 3, op1: 0, crn: 0, crm: 1, op2: 3)
    public static let ID_MMFR0_EL1 = SystemRegister(op0: 3, op1: 0, crn: 0, crm: 1, op2: 4)
    public static let ID_MMFR1_EL1 = SystemRegister(op0: 3, op1: 0, crn: 0, crm: 1, op2: 5)
    public static let ID_MMFR2_EL1 = SystemRegister(op0: 3, op1: 0, crn: 0, crm: 1, op2: 6)
    public static let ID_MMFR3_EL1 = SystemRegister(op0: 3, op1: 0, crn: 0, crm: 1, op2: 7)
    public static let ID_ISAR0_EL1 = SystemRegister(op0: 3, op1: 0, crn: 0, crm: 2, op2: 0)
    public static let ID_ISAR1_EL1 = SystemRegister(op0: 3, op1: 0, crn: 0, crm: 2, op2: 1)
    public static let ID_ISAR2_EL1 = SystemRegister(op0: 3, op1: 0, crn: 0, crm: 2, op2: 2)
    public static let ID_ISAR3_EL1 = SystemRegister(op0: 3, op1: 0, crn: 0, crm: 2, op2: 3)
    public static let ID_ISAR4_EL1 = SystemRegister(op0: 3, op1: 0, crn: 0, crm: 2, op2: 4)
    public static let ID_ISAR5_EL1 = SystemRegister(op0: 3, op1: 0, crn: 0, crm: 2, op2: 5)
    public static let ID_MMFR4_EL1 = SystemRegister(op0: 3, op1: 0, crn: 0, crm: 2, op2: 6)
    public static let MVFR0_EL1 = SystemRegister(op0: 3, op1: 0, crn: 0, crm: 3, op2: 0)
    public static let MVFR1_EL1 = SystemRegister(op0: 3, op1: 0, crn: 0, crm: 3, op2: 1)
    public static let MVFR2_EL1 = SystemRegister(op0: 3, op1: 0, crn: 0, crm: 3, op2: 2)
    public static let ID_AA64PFR0_EL1 = SystemRegister(op0: 3, op1: 0, crn: 0, crm: 4, op2: 0)
    public static let ID_AA64PFR1_EL1 = SystemRegister(op0: 3, op1: 0, crn: 0, crm: 4, op2: 1)
    public static let ID_AA64ZFR0_EL1 = SystemRegister(op0: 3, op1: 0, crn: 0, crm: 4, op2: 4)
    public static let ID_AA64DFR0_EL1 = SystemRegister(op0: 3, op1: 0, crn: 0, crm: 5, op2: 0)
    public static let ID_AA64DFR1_EL1 = SystemRegister(op0: 3, op1: 0, crn: 0, crm: 5, op2: 1)
    public static let ID_AA64AFR0_EL1 = SystemRegister(op0: 3, op1: 0, crn: 0, crm: 5, op2: 4)
    public static let ID_AA64AFR1_EL1 = SystemRegister(op0: 3, op1: 0, crn: 0, crm: 5, op2: 5)
    public static let ID_AA64ISAR0_EL1 = SystemRegister(op0: 3, op1: 0, crn: 0, crm: 6, op2: 0)
    public static let ID_AA64ISAR1_EL1 = SystemRegister(op0: 3, op1: 0, crn: 0, crm: 6, op2: 1)
    public static let ID_AA64MMFR0_EL1 = SystemRegister(op0: 3, op1: 0, crn: 0, crm: 7, op2: 0)
    public static let ID_AA64MMFR1_EL1 = SystemRegister(op0: 3, op1: 0, crn: 0, crm: 7, op2: 1)
    public static let ID_AA64MMFR2_EL1 = SystemRegister(op0: 3, op1: 0, crn: 0, crm: 7, op2: 2)
    public static let CCSIDR_EL1 = SystemRegister(op0: 3, op1: 1, crn: 0, crm: 0, op2: 0)
    public static let CLIDR_EL1 = SystemRegister(op0: 3, op1: 1, crn: 0, crm: 0, op2: 1)
    public static let AIDR_EL1 = SystemRegister(op0: 3, op1: 1, crn: 0, crm: 0, op2: 7)
    public static let CSSELR_EL1 = SystemRegister(op0: 3, op1: 2, crn: 0, crm: 0, op2: 0)
    public static let CTR_EL0 = SystemRegister(op0: 3, op1: 3, crn: 0, crm: 0, op2: 1)
    public static let DCZID_EL0 = SystemRegister(op0: 3, op1: 3, crn: 0, crm: 0, op2: 7)

    // System control, translation, exception state
    public static let SCTLR_EL1 = SystemRegister(op0: 3, op1: 0, crn: 1, crm: 0, op2: 0)
    public static let ACTLR_EL1 = SystemRegister(op0: 3, op1: 0, crn: 1, crm: 0, op2: 1)
    public static let CPACR_EL1 = SystemRegister(op0: 3, op1: 0, crn: 1, crm: 0, op2: 2)
    public static let TTBR0_EL1 = SystemRegister(op0: 3, op1: 0, crn: 2, crm: 0, op2: 0)
    public static let TTBR1_EL1 = SystemRegister(op0: 3, op1: 0, crn: 2, crm: 0, op2: 1)
    public static let TCR_EL1 = SystemRegister(op0: 3, op1: 0, crn: 2, crm: 0, op2: 2)
    public static let SPSR_EL1 = SystemRegister(op0: 3, op1: 0, crn: 4, crm: 0, op2: 0)
    public static let ELR_EL1 = SystemRegister(op0: 3, op1: 0, crn: 4, crm: 0, op2: 1)
    public static let SP_EL0 = SystemRegister(op0: 3, op1: 0, crn: 4, crm: 1, op2: 0)
    public static let SPSel = SystemRegister(op0: 3, op1: 0, crn: 4, crm: 2, op2: 0)
    public static let CurrentEL = SystemRegister(op0: 3, op1: 0, crn: 4, crm: 2, op2: 2)
    public static let NZCV = SystemRegister(op0: 3, op1: 3, crn: 4, crm: 2, op2: 0)
    public static let DAIF = SystemRegister(op0: 3, op1: 3, crn: 4, crm: 2, op2: 1)
    public static let FPCR = SystemRegister(op0: 3, op1: 3, crn: 4, crm: 4, op2: 0)
    public static let FPSR = SystemRegister(op0: 3, op1: 3, crn: 4, crm: 4, op2: 1)
    public static let SP_EL1 = SystemRegister(op0: 3, op1: 4, crn: 4, crm: 1, op2: 0)
    public static let AFSR0_EL1 = SystemRegister(op0: 3, op1: 0, crn: 5, crm: 1, op2: 0)
    public static let AFSR1_EL1 = SystemRegister(op0: 3, op1: 0, crn: 5, crm: 1, op2: 1)
    public static let ESR_EL1 = SystemRegister(op0: 3, op1: 0, crn: 5, crm: 2, op2: 0)
    public static let FAR_EL1 = SystemRegister(op0: 3, op1: 0, crn: 6, crm: 0, op2: 0)
    public static let PAR_EL1 = SystemRegister(op0: 3, op1: 0, crn: 7, crm: 4, op2: 0)
    public static let MAIR_EL1 = SystemRegister(op0: 3, op1: 0, crn: 10, crm: 2, op2: 0)
    public static let AMAIR_EL1 = SystemRegister(op0: 3, op1: 0, crn: 10, crm: 3, op2: 0)
    public static let VBAR_EL1 = SystemRegister(op0: 3, op1: 0, crn: 12, crm: 0, op2: 0)
    public static let RVBAR_EL1 = SystemRegister(op0: 3, op1: 0, crn: 12, crm: 0, op2: 1)
    public static let ISR_EL1 = SystemRegister(op0: 3, op1: 0, crn: 12, crm: 1, op2: 0)
    public static let CONTEXTIDR_EL1 = SystemRegister(op0: 3, op1: 0, crn: 13, crm: 0, op2: 1)
    public static let TPIDR_EL1 = SystemRegister(op0: 3, op1: 0, crn: 13, crm: 0, op2: 4)
    public static let TPIDR_EL0 = SystemRegister(op0: 3, op1: 3, crn: 13, crm: 0, op2: 2)
    public static let TPIDRRO_EL0 = SystemRegister(op0: 3, op1: 3, crn: 13, crm: 0, op2: 3)

    // Performance monitors (not implemented: ID_AA64DFR0_EL1.PMUVer = 0)
    public static let PMCR_EL0 = SystemRegister(op0: 3, op1: 3, crn: 9, crm: 12, op2: 0)
    public static let PMUSERENR_EL0 = SystemRegister(op0: 3, op1: 3, crn: 9, crm: 14, op2: 0)

    // Debug (Arm ARM D19.3)
    public static let OSDTRRX_EL1 = SystemRegister(op0: 2, op1: 0, crn: 0, crm: 0, op2: 2)
    public static let MDCCINT_EL1 = SystemRegister(op0: 2, op1: 0, crn: 0, crm: 2, op2: 0)
    public static let MDSCR_EL1 = SystemRegister(op0: 2, op1: 0, crn: 0, crm: 2, op2: 2)
    public static let OSDTRTX_EL1 = SystemRegister(op0: 2, op1: 0, crn: 0, crm: 3, op2: 2)
    public static let OSECCR_EL1 = SystemRegister(op0: 2, op1: 0, crn: 0, crm: 6, op2: 2)
    public static let DBGBVR0_EL1 = SystemRegister(op0: 2, op1: 0, crn: 0, crm: 0, op2: 4)
    public static let DBGBCR0_EL1 = SystemRegister(op0: 2, op1: 0, crn: 0, crm: 0, op2: 5)
    public static let DBGWVR0_EL1 = SystemRegister(op0: 2, op1: 0, crn: 0, crm: 0, op2: 6)
    public static let DBGWCR0_EL1 = SystemRegister(op0: 2, op1: 0, crn: 0, crm: 0, op2: 7)
    public static let DBGBVR1_EL1 = SystemRegister(op0: 2, op1: 0, crn: 0, crm: 1, op2: 4)
    public static let DBGBCR1_EL1 = SystemRegister(op0: 2, op1: 0, crn: 0, crm: 1, op2: 5)
    public static let DBGWVR1_EL1 = SystemRegister(op0: 2, op1: 0, crn: 0, crm: 1, op2: 6)
    public static let DBGWCR1_EL1 = SystemRegister(op0: 2, op1: 0, crn: 0, crm: 1, op2: 7)
    public static let MDRAR_EL1 = SystemRegister(op0: 2, op1: 0, crn: 1, crm: 0, op2: 0)
    public static let OSLAR_EL1 = SystemRegister(op0: 2, op1: 0, crn: 1, crm: 0, op2: 4)
    public static let OSLSR_EL1 = SystemRegister(op0: 2, op1: 0, crn: 1, crm: 1, op2: 4)
    public static let OSDLR_EL1 = SystemRegister(op0: 2, op1: 0, crn: 1, crm: 3, op2: 4)
    public static let DBGPRCR_EL1 = SystemRegister(op0: 2, op1: 0, crn: 1, crm: 4, op2: 4)
    public static let DBGCLAIMSET_EL1 = SystemRegister(op0: 2, op1: 0, crn: 7, crm: 8, op2: 6)
    public static let DBGCLAIMCLR_EL1 = SystemRegister(op0: 2, op1: 0, crn: 7, crm: 9, op2: 6)
    public static let DBGAUTHSTATUS_EL1 = SystemRegister(op0: 2, op1: 0, crn: 7, crm: 14, op2: 6)
    public static let MDCCSR_EL0 = SystemRegister(op0: 2, op1: 3, crn: 0, crm: 1, op2: 0)
    public static let DBGDTR_EL0 = SystemRegister(op0: 2, op1: 3, crn: 0, crm: 4, op2: 0)
    public static let DBGDTRRX_EL0 = SystemRegister(op0: 2, op1: 3, crn: 0, crm: 5, op2: 0)

    // GICv3 CPU interface (Arm IHI 0069, op0=3 op1=0 CRn=12, and ICC_PMR_EL1)
    public static let ICC_PMR_EL1 = SystemRegister(op0: 3, op1: 0, crn: 4, crm: 6, op2: 0)
    public static let ICC_IAR0_EL1 = SystemRegister(op0: 3, op1: 0, crn: 12, crm: 8, op2: 0)
    public static let ICC_EOIR0_EL1 = SystemRegister(op0: 3, op1: 0, crn: 12, crm: 8, op2: 1)
    public static let ICC_HPPIR0_EL1 = SystemRegister(op0: 3, op1: 0, crn: 12, crm: 8, op2: 2)
    public static let ICC_BPR0_EL1 = SystemRegister(op0: 3, op1: 0, crn: 12, crm: 8, op2: 3)
    public static let ICC_AP0R0_EL1 = SystemRegister(op0: 3, op1: 0, crn: 12, crm: 8, op2: 4)
    public static let ICC_AP0R1_EL1 = SystemRegister(op0: 3, op1: 0, crn: 12, crm: 8, op2: 5)
    public static let ICC_AP0R2_EL1 = SystemRegister(op0: 3, op1: 0, crn: 12, crm: 8, op2: 6)
    public static let ICC_AP0R3_EL1 = SystemRegister(op0: 3, op1: 0, crn: 12, crm: 8, op2: 7)
    public static let ICC_AP1R0_EL1 = SystemRegister(op0: 3, op1: 0, crn: 12, crm: 9, op2: 0)
    public static let ICC_AP1R1_EL1 = SystemRegister(op0: 3, op1: 0, crn: 12, crm: 9, op2: 1)
    public static let ICC_AP1R2_EL1 = SystemRegister(op0: 3, op1: 0, crn: 12, crm: 9, op2: 2)
    public static let ICC_AP1R3_EL1 = SystemRegister(op0: 3, op1: 0, crn: 12, crm: 9, op2: 3)
    public static let ICC_DIR_EL1 = SystemRegister(op0: 3, op1: 0, crn: 12, crm: 11, op2: 1)
    public static let ICC_RPR_EL1 = SystemRegister(op0: 3, op1: 0, crn: 12, crm: 11, op2: 3)
    public static let ICC_SGI1R_EL1 = SystemRegister(op0: 3, op1: 0, crn: 12, crm: 11, op2: 5)
    public static let ICC_ASGI1R_EL1 = SystemRegister(op0: 3, op1: 0, crn: 12, crm: 11, op2: 6)
    public static let ICC_SGI0R_EL1 = SystemRegister(op0: 3, op1: 0, crn: 12, crm: 11, op2: 7)
    public static let ICC_IAR1_EL1 = SystemRegister(op0: 3, op1: 0, crn: 12, crm: 12, op2: 0)
    public static let ICC_EOIR1_EL1 = SystemRegister(op0: 3, op1: 0, crn: 12, crm: 12, op2: 1)
    public static let ICC_HPPIR1_EL1 = SystemRegister(op0: 3, op1: 0, crn: 12, crm: 12, op2: 2)
    public static let ICC_BPR1_EL1 = SystemRegister(op0: 3, op1: 0, crn: 12, crm: 12, op2: 3)
    public static let ICC_CTLR_EL1 = SystemRegister(op0: 3, op1: 0, crn: 12, crm: 12, op2: 4)
    public static let ICC_SRE_EL1 = SystemRegister(op0: 3, op1: 0, crn: 12, crm: 12, op2: 5)
    public static let ICC_IGRPEN0_EL1 = SystemRegister(op0: 3, op1: 0, crn: 12, crm: 12, op2: 6)
    public static let ICC_IGRPEN1_EL1 = SystemRegister(op0: 3, op1: 0, crn: 12, crm: 12, op2: 7)

    /// Names for statistics and error messages: every register with a constant above.
    public static let names: [SystemRegister: String] = [
        .CNTFRQ_EL0: "CNTFRQ_EL0",
        .CNTPCT_EL0: "CNTPCT_EL0",
        .CNTVCT_EL0: "CNTVCT_EL0",
        .CNTP_TVAL_EL0: "CNTP_TVAL_EL0",
        .CNTP_CTL_EL0: "CNTP_CTL_EL0",
        .CNTP_CVAL_EL0: "CNTP_CVAL_EL0",
        .CNTV_TVAL_EL0: "CNTV_TVAL_EL0",
        .CNTV_CTL_EL0: "CNTV_CTL_EL0",
        .CNTV_CVAL_EL0: "CNTV_CVAL_EL0",
        .CNTKCTL_EL1: "CNTKCTL_EL1",
        .MIDR_EL1: "MIDR_EL1",
        .MPIDR_EL1: "MPIDR_EL1",
        .REVIDR_EL1: "REVIDR_EL1",
        .ID_PFR0_EL1: "ID_PFR0_EL1",
        .ID_PFR1_EL1: "ID_PFR1_EL1",
        .ID_DFR0_EL1: "ID_DFR0_EL1",
        .ID_AFR0_EL1: "ID_AFR0_EL1",
        .ID_MMFR0_EL1: "ID_MMFR0_EL1",
        .ID_MMFR1_EL1: "ID_MMFR1_EL1",
        .ID_MMFR2_EL1: "ID_MMFR2_EL1",
        .ID_MMFR3_EL1: "ID_MMFR3_EL1",
        .ID_ISAR0_EL1: "ID_ISAR0_EL1",
        .ID_ISAR1_EL1: "ID_ISAR1_EL1",
        .ID_ISAR2_EL1: "ID_ISAR2_EL1",
        .ID_ISAR3_EL1: "ID_ISAR3_EL1",
        .ID_ISAR4_EL1: "ID_ISAR4_EL1",
        .ID_ISAR5_EL1: "ID_ISAR5_EL1",
        .ID_MMFR4_EL1: "ID_MMFR4_EL1",
        .MVFR0_EL1: "MVFR0_EL1",
        .MVFR1_EL1: "MVFR1_EL1",
        .MVFR2_EL1: "MVFR2_EL1",
        .ID_AA64PFR0_EL1: "ID_AA64PFR0_EL1",
        .ID_AA64PFR1_EL1: "ID_AA64PFR1_EL1",
        .ID_AA64ZFR0_EL1: "ID_AA64ZFR0_EL1",
        .ID_AA64DFR0_EL1: "ID_AA64DFR0_EL1",
        .ID_AA64DFR1_EL1: "ID_AA64DFR1_EL1",
        .ID_AA64AFR0_EL1: "ID_AA64AFR0_EL1",
        .ID_AA64AFR1_EL1: "ID_AA64AFR1_EL1",
        .ID_AA64ISAR0_EL1: "ID_AA64ISAR0_EL1",
        .ID_AA64ISAR1_EL1: "ID_AA64ISAR1_EL1",
        .ID_AA64MMFR0_EL1: "ID_AA64MMFR0_EL1",
        .ID_AA64MMFR1_EL1: "ID_AA64MMFR1_EL1",
        .ID_AA64MMFR2_EL1: "ID_AA64MMFR2_EL1",
        .CCSIDR_EL1: "CCSIDR_EL1",
        .CLIDR_EL1: "CLIDR_EL1",
        .AIDR_EL1: "AIDR_EL1",
        .CSSELR_EL1: "CSSELR_EL1",
        .CTR_EL0: "CTR_EL0",
        .DCZID_EL0: "DCZID_EL0",
        .SCTLR_EL1: "SCTLR_EL1",
        .ACTLR_EL1: "ACTLR_EL1",
        .CPACR_EL1: "CPACR_EL1",
        .TTBR0_EL1: "TTBR0_EL1",
        .TTBR1_EL1: "TTBR1_EL1",
        .TCR_EL1: "TCR_EL1",
        .SPSR_EL1: "SPSR_EL1",
        .ELR_EL1: "ELR_EL1",
        .SP_EL0: "SP_EL0",
        .SPSel: "SPSel",
        .CurrentEL: "CurrentEL",
        .NZCV: "NZCV",
        .DAIF: "DAIF",
        .FPCR: "FPCR",
        .FPSR: "FPSR",
        .SP_EL1: "SP_EL1",
        .AFSR0_EL1: "AFSR0_EL1",
        .AFSR1_EL1: "AFSR1_EL1",
        .ESR_EL1: "ESR_EL1",
        .FAR_EL1: "FAR_EL1",
        .PAR_EL1: "PAR_EL1",
        .MAIR_EL1: "MAIR_EL1",
        .AMAIR_EL1: "AMAIR_EL1",
        .VBAR_EL1: "VBAR_EL1",
        .RVBAR_EL1: "RVBAR_EL1",
        .ISR_EL1: "ISR_EL1",
        .CONTEXTIDR_EL1: "CONTEXTIDR_EL1",
        .TPIDR_EL1: "TPIDR_EL1",
        .TPIDR_EL0: "TPIDR_EL0",
        .TPIDRRO_EL0: "TPIDRRO_EL0",
        .PMCR_EL0: "PMCR_EL0",
        .PMUSERENR_EL0: "PMUSERENR_EL0",
        .OSDTRRX_EL1: "OSDTRRX_EL1",
        .MDCCINT_EL1: "MDCCINT_EL1",
        .MDSCR_EL1: "MDSCR_EL1",
        .OSDTRTX_EL1: "OSDTRTX_EL1",
        .OSECCR_EL1: "OSECCR_EL1",
        .DBGBVR0_EL1: "DBGBVR0_EL1",
        .DBGBCR0_EL1: "DBGBCR0_EL1",
        .DBGWVR0_EL1: "DBGWVR0_EL1",
        .DBGWCR0_EL1: "DBGWCR0_EL1",
        .DBGBVR1_EL1: "DBGBVR1_EL1",
        .DBGBCR1_EL1: "DBGBCR1_EL1",
        .DBGWVR1_EL1: "DBGWVR1_EL1",
        .DBGWCR1_EL1: "DBGWCR1_EL1",
        .MDRAR_EL1: "MDRAR_EL1",
        .OSLAR_EL1: "OSLAR_EL1",
        .OSLSR_EL1: "OSLSR_EL1",
        .OSDLR_EL1: "OSDLR_EL1",
        .DBGPRCR_EL1: "DBGPRCR_EL1",
        .DBGCLAIMSET_EL1: "DBGCLAIMSET_EL1",
        .DBGCLAIMCLR_EL1: "DBGCLAIMCLR_EL1",
        .DBGAUTHSTATUS_EL1: "DBGAUTHSTATUS_EL1",
        .MDCCSR_EL0: "MDCCSR_EL0",
        .DBGDTR_EL0: "DBGDTR_EL0",
        .DBGDTRRX_EL0: "DBGDTRRX_EL0",
        .ICC_PMR_EL1: "ICC_PMR_EL1",
        .ICC_IAR0_EL1: "ICC_IAR0_EL1",
        .ICC_EOIR0_EL1: "ICC_EOIR0_EL1",
        .ICC_HPPIR0_EL1: "ICC_HPPIR0_EL1",
        .ICC_BPR0_EL1: "ICC_BPR0_EL1",
        .ICC_AP0R0_EL1: "ICC_AP0R0_EL1",
        .ICC_AP0R1_EL1: "ICC_AP0R1_EL1",
        .ICC_AP0R2_EL1: "ICC_AP0R2_EL1",
        .ICC_AP0R3_EL1: "ICC_AP0R3_EL1",
        .ICC_AP1R0_EL1: "ICC_AP1R0_EL1",
        .ICC_AP1R1_EL1: "ICC_AP1R1_EL1",
        .ICC_AP1R2_EL1: "ICC_AP1R2_EL1",
        .ICC_AP1R3_EL1: "ICC_AP1R3_EL1",
        .ICC_DIR_EL1: "ICC_DIR_EL1",
        .ICC_RPR_EL1: "ICC_RPR_EL1",
        .ICC_SGI1R_EL1: "ICC_SGI1R_EL1",
        .ICC_ASGI1R_EL1: "ICC_ASGI1R_EL1",
        .ICC_SGI0R_EL1: "ICC_SGI0R_EL1",
        .ICC_IAR1_EL1: "ICC_IAR1_EL1",
        .ICC_EOIR1_EL1: "ICC_EOIR1_EL1",
        .ICC_HPPIR1_EL1: "ICC_HPPIR1_EL1",
        .ICC_BPR1_EL1: "ICC_BPR1_EL1",
        .ICC_CTLR_EL1: "ICC_CTLR_EL1",
        .ICC_SRE_EL1: "ICC_SRE_EL1",
        .ICC_IGRPEN0_EL1: "ICC_IGRPEN0_EL1",
        .ICC_IGRPEN1_EL1: "ICC_IGRPEN1_EL1",
    ]
}

extension SystemRegister {
    /// The GICv3 CPU interface registers reached at EL1 (op0 = 3, op1 = 0, CRn = 12,
    /// CRm = 8…12, and ICC_PMR_EL1): they go to the interrupt controller, not the CPU's file.
    @inline(__always)
    public var isGICv3CPUInterface: Bool {
        (encoding & 0xFF80 == 0xC600 && crm >= 8 && crm <= 12) || self == .ICC_PMR_EL1
    }

    /// ICC_* registers an MRS may not name (IHI 0069: EOIR, DIR, SGI generation).
    public var isWriteOnlyGICRegister: Bool {
        switch self {
        case .ICC_EOIR0_EL1, .ICC_EOIR1_EL1, .ICC_DIR_EL1, .ICC_SGI0R_EL1, .ICC_SGI1R_EL1, .ICC_ASGI1R_EL1:
            return true
        default:
            return false
        }
    }

    /// ICC_* registers an MSR may not name (acknowledge, highest pending, running priority).
    public var isReadOnlyGICRegister: Bool {
        switch self {
        case .ICC_IAR0_EL1, .ICC_IAR1_EL1, .ICC_HPPIR0_EL1, .ICC_HPPIR1_EL1, .ICC_RPR_EL1:
            return true
        default:
            return false
        }
    }

    /// The generic timer registers reached from EL0/EL1 (op0 = 3, op1 = 3, CRn = 14).
    @inline(__always)
    public var isGenericTimer: Bool { encoding & 0xFF80 == 0xDF00 }

    /// The AArch64 and AArch32 ID register space (op0 = 3, op1 = 0, CRn = 0, CRm = 1…7), where
    /// encodings without a register read as zero (Arm ARM D19.2, "reserved ID registers").
    @inline(__always)
    public var isInIDRegisterSpace: Bool { encoding & 0xFFC0 == 0xC000 && crm >= 1 }
}
