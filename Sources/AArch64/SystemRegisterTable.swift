// The system registers the CPU keeps itself, one case each, like KVM's sys_regs.c table.
// `readSystemRegister` / `writeSystemRegister` see accesses that the EL0 rules already let
// through; nil / false make the instruction UNDEFINED (unknown encodings, read-only and
// write-only registers, registers of EL2 and features this CPU does not have).
extension CPU {
    /// SCTLR_EL1 bits a guest may change in Armv8.0 (M, A, C, SA, SA0, CP15BEN, ITD, SED, UMA,
    /// I, DZE, UCT, nTWI, nTWE, WXN, UCI); EE/E0E are RES0 (little-endian only, ID_AA64MMFR0).
    static let sctlrWritable: UInt64 = 0x040D_D3BF
    /// SPSR_EL1 fields of an AArch64-only PE: NZCV, SS, IL, D, A, I, F, M[4:0].
    static let spsrWritable: UInt64 = 0xF030_03DF
    /// CPACR_EL1: FPEN and TTA.
    static let cpacrWritable: UInt64 = 0x1030_0000

    func readSystemRegister(_ register: SystemRegister) -> UInt64? {
        switch register {
        // Identification
        case .MIDR_EL1: return IDRegisters.midr
        case .MPIDR_EL1: return sys.mpidr
        case .REVIDR_EL1: return IDRegisters.revidr
        case .ID_AA64PFR0_EL1: return IDRegisters.aa64pfr0(gicv3: advertisesGICv3SystemRegisters)
        case .ID_AA64DFR0_EL1: return IDRegisters.aa64dfr0
        case .ID_AA64MMFR0_EL1: return IDRegisters.aa64mmfr0
        case .CTR_EL0: return IDRegisters.ctr
        case .CLIDR_EL1: return IDRegisters.clidr
        case .CCSIDR_EL1: return IDRegisters.ccsidr(csselr: sys.csselr)
        case .CSSELR_EL1: return sys.csselr
        case .AIDR_EL1: return 0
        case .DCZID_EL0:
            // DZP (bit 4): DC ZVA is prohibited at EL0 unless SCTLR_EL1.DZE.
            let prohibited: UInt64 = el == 0 && sys.sctlr & SCTLR.dze == 0 ? 1 << 4 : 0
            return IDRegisters.dczidBlockSizeLog2Words | prohibited
        // System control and translation
        case .SCTLR_EL1: return sys.sctlr
        case .ACTLR_EL1: return sys.actlr
        case .CPACR_EL1: return sys.cpacr
        case .TTBR0_EL1: return sys.ttbr0
        case .TTBR1_EL1: return sys.ttbr1
        case .TCR_EL1: return sys.tcr
        case .MAIR_EL1: return sys.mair
        case .AMAIR_EL1: return sys.amair
        case .CONTEXTIDR_EL1: return sys.contextidr
        case .PAR_EL1: return sys.par
        // Exceptions
        case .VBAR_EL1: return sys.vbar
        case .ELR_EL1: return sys.elr
        case .SPSR_EL1: return sys.spsr
        case .ESR_EL1: return sys.esr
        case .FAR_EL1: return sys.far
        case .AFSR0_EL1: return sys.afsr0
        case .AFSR1_EL1: return sys.afsr1
        case .ISR_EL1:
            let pending = signals.pending
            return (pending & InterruptSignals.irq != 0 ? 1 << 7 : 0)
                | (pending & InterruptSignals.fiq != 0 ? 1 << 6 : 0)
        // PSTATE and special-purpose registers
        case .NZCV: return UInt64(nzcv)
        case .DAIF: return UInt64(daif)
        case .CurrentEL: return UInt64(el << 2)
        case .SPSel: return UInt64(spsel)
        case .SP_EL0: return spsel == 0 ? nil : spEL0 // only through SP while it is the SP
        case .FPCR: return UInt64(fpcr)
        case .FPSR: return UInt64(fpsr)
        // Thread ids
        case .TPIDR_EL0: return sys.tpidrEL0
        case .TPIDRRO_EL0: return sys.tpidrroEL0
        case .TPIDR_EL1: return sys.tpidrEL1
        case .CNTKCTL_EL1: return sys.cntkctl
        // Debug
        case .MDSCR_EL1: return sys.mdscr
        case .MDCCINT_EL1: return sys.mdccint
        case .OSLSR_EL1: return sys.oslsr
        case .OSDLR_EL1: return sys.osdlr
        case .DBGPRCR_EL1: return sys.dbgprcr
        case .MDRAR_EL1, .MDCCSR_EL0, .OSDTRRX_EL1, .OSDTRTX_EL1, .OSECCR_EL1,
             .DBGCLAIMSET_EL1, .DBGCLAIMCLR_EL1, .DBGAUTHSTATUS_EL1:
            return 0
        default:
            if let keyPath = CPU.debugRegister(register) { return sys[keyPath: keyPath] }
            // ID registers without a feature to announce (AArch32, ISAR, PFR1, MMFR1/2, …).
            if register.isInIDRegisterSpace { return 0 }
            return nil
        }
    }

    func writeSystemRegister(_ register: SystemRegister, _ value: UInt64) -> Bool {
        switch register {
        case .SCTLR_EL1:
            sys.sctlr = value & CPU.sctlrWritable | CPU.sctlrResetValue
            invalidateTLB()
        case .ACTLR_EL1: sys.actlr = value
        case .CPACR_EL1: sys.cpacr = value & CPU.cpacrWritable
        case .TTBR0_EL1: sys.ttbr0 = value; invalidateTLB()
        case .TTBR1_EL1: sys.ttbr1 = value; invalidateTLB()
        case .TCR_EL1: sys.tcr = value; invalidateTLB()
        case .MAIR_EL1: sys.mair = value; invalidateTLB()
        case .AMAIR_EL1: sys.amair = value
        case .CONTEXTIDR_EL1: sys.contextidr = value & 0xFFFF_FFFF
        case .PAR_EL1: sys.par = value
        case .CSSELR_EL1: sys.csselr = value & 0xF
        case .VBAR_EL1: sys.vbar = value & ~0x7FF
        case .ELR_EL1: sys.elr = value
        case .SPSR_EL1: sys.spsr = value & CPU.spsrWritable
        case .ESR_EL1: sys.esr = value & 0xFFFF_FFFF
        case .FAR_EL1: sys.far = value
        case .AFSR0_EL1: sys.afsr0 = value
        case .AFSR1_EL1: sys.afsr1 = value
        case .NZCV: nzcv = UInt32(truncatingIfNeeded: value) & 0xF000_0000
        case .DAIF: daif = UInt32(truncatingIfNeeded: value) & 0x3C0
        case .SPSel: selectStackPointer(el: el, spsel: Int(value & 1))
        case .SP_EL0:
            if spsel == 0 { return false }
            spEL0 = value
        case .FPCR: fpcr = UInt32(truncatingIfNeeded: value)
        case .FPSR: fpsr = UInt32(truncatingIfNeeded: value)
        case .TPIDR_EL0: sys.tpidrEL0 = value
        case .TPIDRRO_EL0: sys.tpidrroEL0 = value
        case .TPIDR_EL1: sys.tpidrEL1 = value
        case .CNTKCTL_EL1: sys.cntkctl = value & 0x3FF
        case .MDSCR_EL1: sys.mdscr = value & 0xFFFF_FFFF
        case .MDCCINT_EL1: sys.mdccint = value & 0xFFFF_FFFF
        case .OSLAR_EL1: // OSLK follows bit 0 of the written value.
            sys.oslsr = sys.oslsr & ~0b10 | (value & 1) << 1
        case .OSDLR_EL1: sys.osdlr = value & 1
        case .DBGPRCR_EL1: sys.dbgprcr = value & 1
        case .OSDTRRX_EL1, .OSDTRTX_EL1, .OSECCR_EL1, .DBGCLAIMSET_EL1, .DBGCLAIMCLR_EL1:
            break
        default:
            guard let keyPath = CPU.debugRegister(register) else { return false }
            sys[keyPath: keyPath] = value
        }
        return true
    }

    /// DBG{B,W}{V,C}R<n>_EL1 (op0 = 2, op1 = 0, CRn = 0, CRm = n, op2 = 4…7) for the
    /// implemented breakpoints and watchpoints; nil for every other encoding.
    static func debugRegister(_ register: SystemRegister) -> WritableKeyPath<SystemRegisterFile, UInt64>? {
        guard register.op0 == 2, register.op1 == 0, register.crn == 0, register.crm < 2 else { return nil }
        let second = register.crm == 1
        switch register.op2 {
        case 4: return second ? \.dbgbvr1 : \.dbgbvr0
        case 5: return second ? \.dbgbcr1 : \.dbgbcr0
        case 6: return second ? \.dbgwvr1 : \.dbgwvr0
        case 7: return second ? \.dbgwcr1 : \.dbgwcr0
        default: return nil
        }
    }
}
