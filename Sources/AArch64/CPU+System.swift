import CHostClock
import Synchronization

// Owner: system work. MRS/MSR (register and PSTATE forms), hints, barriers, CLREX, SYS/SYSL
// maintenance (DC, IC, TLBI, AT), and the system-register table.

/// SCTLR_EL1 bits that decide what EL0 may do (Arm ARM D19.2.118).
enum SCTLR {
    static let uma: UInt64 = 1 << 9 // EL0 access to DAIF
    static let dze: UInt64 = 1 << 14 // EL0 DC ZVA
    static let uct: UInt64 = 1 << 15 // EL0 access to CTR_EL0
    static let nTWI: UInt64 = 1 << 16 // EL0 WFI not trapped
    static let nTWE: UInt64 = 1 << 18 // EL0 WFE not trapped
    static let uci: UInt64 = 1 << 26 // EL0 cache maintenance by VA
}

extension CPU {
    /// The system instruction class (Arm ARM C4.1.66): 1101 0101 00 L op0 op1 CRn CRm op2 Rt.
    func executeSystem(_ instruction: UInt32) {
        let isRead = instruction & (1 << 21) != 0
        let op0 = (instruction >> 19) & 3
        let rt = Int(instruction & 31)
        if op0 >= 2 {
            return executeSystemRegisterMove(SystemRegister(instruction: instruction), rt: rt, isRead: isRead)
        }
        let op1 = (instruction >> 16) & 7
        let crn = (instruction >> 12) & 15
        let crm = (instruction >> 8) & 15
        let op2 = (instruction >> 5) & 7
        if op0 == 1 {
            // SYSL has no Armv8.0 operations.
            if isRead { return undefined() }
            return executeSystemInstruction(op1: op1, crn: crn, crm: crm, op2: op2, rt: rt)
        }
        guard !isRead, rt == 31 else { return undefined() }
        switch crn {
        case 2 where op1 == 3: executeHint(crm << 3 | op2)
        case 3 where op1 == 3: executeBarrier(crm: crm, op2: op2)
        case 4: executeMSRImmediate(op1: op1, crm: crm, op2: op2)
        default: undefined()
        }
    }

    /// NOP, YIELD, WFE, WFI, SEV, SEVL; every other hint (ESB, CSDB, BTI, PAC hints, …) is a NOP
    /// as the architecture requires of an Armv8.0 PE.
    private func executeHint(_ hint: UInt32) {
        switch hint {
        case 2: // WFE: completes at once when the event register is set (SEVL; WFE idiom).
            if sys.eventRegister {
                sys.eventRegister = false
                return
            }
            if el == 0, sys.sctlr & SCTLR.nTWE == 0 {
                return takeSynchronousException(syndrome: ExceptionSyndrome.waitTrap(isWFE: true))
            }
            pendingExit = .waitForEvent
        case 3: // WFI: an EL0 WFI that would wait traps unless SCTLR_EL1.nTWI.
            if el == 0, sys.sctlr & SCTLR.nTWI == 0,
               signals.pending & (InterruptSignals.irq | InterruptSignals.fiq) == 0 {
                return takeSynchronousException(syndrome: ExceptionSyndrome.waitTrap(isWFE: false))
            }
            pendingExit = .waitForInterrupt
        case 4, 5: // SEV, SEVL. (SEV's wake-up of other vCPUs is the VMM's: WFE exits.)
            sys.eventRegister = true
        default:
            break
        }
    }

    /// CLREX, DSB, DMB, ISB. Guest memory is host memory shared between vCPU threads, so DMB and
    /// DSB are a sequentially consistent fence (the only host barrier that orders a store before
    /// a later load). System-register writes take effect at once, so what ISB must still do is
    /// order a later counter read after the earlier loads: guest counter reads use the host's
    /// cycle counter unordered (as the architecture allows without an ISB), so ISB fences it.
    private func executeBarrier(crm: UInt32, op2: UInt32) {
        switch op2 {
        case 2: exclusiveOpen = false // CLREX
        case 4, 5: atomicMemoryFence(ordering: .sequentiallyConsistent) // DSB (incl. SSBB, PSSBB), DMB
        case 6: chc_instruction_barrier() // ISB
        default: undefined() // SB, DSB nXS, TCOMMIT: not in Armv8.0
        }
    }

    /// MSR <pstatefield>, #imm (Arm ARM C5.2.x): SPSel, DAIFSet, DAIFClr. PAN and UAO are
    /// Armv8.1/8.2 and UNDEFINED here.
    private func executeMSRImmediate(op1: UInt32, crm: UInt32, op2: UInt32) {
        switch (op1, op2) {
        case (0, 5): // SPSel
            if el == 0 { return undefined() }
            selectStackPointer(el: el, spsel: Int(crm & 1))
        case (3, 6), (3, 7): // DAIFSet, DAIFClr
            if el == 0, sys.sctlr & SCTLR.uma == 0 {
                let field = SystemRegister(op0: 0, op1: UInt8(op1), crn: 4, crm: UInt8(crm), op2: UInt8(op2))
                return trapToEL1(field, rt: 31, isRead: false)
            }
            if op2 == 6 { daif |= crm << 6 } else { daif &= ~(crm << 6) }
        default:
            undefined()
        }
    }

    /// An EL0 access that SCTLR_EL1 or CNTKCTL_EL1 does not allow: EC 0x18 to EL1, the
    /// syndrome naming the instruction the way a hypervisor trap would.
    func trapToEL1(_ register: SystemRegister, rt: Int, isRead: Bool) {
        takeSynchronousException(syndrome: SystemRegisterAccess(register: register, rt: rt, isRead: isRead).syndrome)
    }

    /// Whether CPACR_EL1.FPEN traps FP/AdvSIMD at the current EL (0b01: EL0 only; 0b11: none).
    @inline(__always)
    var fpAccessTrapped: Bool {
        switch (sys.cpacr >> 20) & 3 {
        case 3: return false
        case 1: return el == 0
        default: return true
        }
    }

    /// Takes the CPACR_EL1.FPEN trap (EC 0x07) for the FP/SIMD instruction being executed.
    func trapFPAccess() {
        takeSynchronousException(syndrome: ExceptionSyndrome.fpAccessTrap)
    }
}
