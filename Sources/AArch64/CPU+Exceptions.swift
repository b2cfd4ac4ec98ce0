// Owner: system work. Exception entry (Arm ARM D1.10), ERET, IRQ/FIQ.
extension CPU {
    /// SPSR.IL: PSTATE.IL as it is saved in SPSR_EL1 (bit 20).
    static let spsrIL: UInt64 = 1 << 20

    /// Takes a synchronous exception to EL1: ESR_EL1 = `syndrome`, ELR_EL1 = the faulting
    /// instruction (`currentInstructionPC`) unless `preferredReturn` says otherwise, FAR_EL1 =
    /// `faultAddress` when given, PSTATE masked, PC at the vector for the source EL and SP.
    func takeSynchronousException(syndrome: UInt32, faultAddress: UInt64? = nil,
                                  preferredReturn: UInt64? = nil) {
        sys.esr = UInt64(syndrome)
        if let faultAddress { sys.far = faultAddress }
        enterException(vectorOffset: ExceptionVector.synchronous,
                       returnAddress: preferredReturn ?? currentInstructionPC, savedPSTATE: pstate)
    }

    /// The common part of every exception entry (AArch64.TakeException): save PSTATE and the
    /// return address, mask D, A, I and F, go to EL1 with SP_EL1, and branch to the vector.
    /// The vector group depends on where the exception came from (Arm ARM D1.10.2).
    @inline(__always)
    func enterException(vectorOffset: UInt64, returnAddress: UInt64, savedPSTATE: UInt64) {
        let group: UInt64
        if el == 0 {
            group = ExceptionVector.lowerELAArch64
        } else {
            group = spsel == 0 ? ExceptionVector.currentELSP0 : ExceptionVector.currentELSPx
        }
        sys.spsr = savedPSTATE
        sys.elr = returnAddress
        daif = 0x3C0
        selectStackPointer(el: 1, spsel: 1)
        exclusiveOpen = false
        pc = sys.vbar &+ group &+ vectorOffset
    }

    /// The instruction at `currentInstructionPC` is UNDEFINED (EC 0).
    func undefined() {
        takeSynchronousException(syndrome: ExceptionSyndrome.undefined)
    }

    /// Takes an IRQ or FIQ that `signals` reports and PSTATE does not mask. FIQ is taken first
    /// when both are pending. The return address is the next instruction to execute (`pc`).
    func takePendingInterrupt() {
        let pending = signals.pending
        if pending & InterruptSignals.fiq != 0, daif & 0x40 == 0 {
            enterException(vectorOffset: ExceptionVector.fiq, returnAddress: pc, savedPSTATE: pstate)
        } else if pending & InterruptSignals.irq != 0, daif & 0x80 == 0 {
            enterException(vectorOffset: ExceptionVector.irq, returnAddress: pc, savedPSTATE: pstate)
        } else {
            return
        }
        interruptPath.begin(stackPointer: regs[31])
    }

    /// SVC, HVC, SMC, BRK, HLT, DCPS (Arm ARM C4.1.66, "Exception generation").
    /// `pc` already points past the instruction.
    func executeExceptionGeneration(_ instruction: UInt32) {
        let opc = (instruction >> 21) & 7
        let op2 = (instruction >> 2) & 7
        let ll = instruction & 3
        let imm16 = UInt16(truncatingIfNeeded: instruction >> 5)
        guard op2 == 0 else { return undefined() }
        switch (opc, ll) {
        case (0b000, 0b01): // SVC: the preferred return is the next instruction.
            takeSynchronousException(syndrome: ExceptionSyndrome.supervisorCall(imm16), preferredReturn: pc)
        case (0b000, 0b10): // HVC: UNDEFINED at EL0; at EL1 it goes to the hypervisor.
            if el == 0 { return undefined() }
            pendingExit = .hypervisorCall(imm16)
        case (0b000, 0b11): // SMC: UNDEFINED at EL0; at EL1 trapped to the hypervisor (HCR_EL2.TSC).
            if el == 0 { return undefined() }
            pendingExit = .secureMonitorCall(imm16)
        case (0b001, 0b00): // BRK: the preferred return is the BRK itself.
            takeSynchronousException(syndrome: ExceptionSyndrome.breakpoint(imm16))
        default: // HLT (halting debug disabled), DCPS1-3 (not in Debug state), unallocated.
            undefined()
        }
    }

    /// ERET (AArch64.ExceptionReturn): PC from ELR_EL1, PSTATE from SPSR_EL1.
    ///
    /// An illegal return (SPSR names AArch32, EL2/EL3, EL0 with SP_EL1, or a reserved mode)
    /// keeps EL and SP, restores the other PSTATE fields and sets PSTATE.IL, so the first
    /// instruction at ELR_EL1 takes an Illegal Execution state exception (EC 0x0E). This CPU
    /// does not keep PSTATE.IL across instructions: that exception has priority over
    /// everything the next instruction could do (fetch aborts included), and interrupts are
    /// masked only if SPSR says so, so it is taken here at once, at the return address, with
    /// SPSR_EL1.IL set. A legal return with SPSR.IL set is treated the same way.
    func executeExceptionReturn() {
        if el == 0 { return undefined() }
        interruptPath.recording = false
        let spsr = sys.spsr
        let target = sys.elr
        exclusiveOpen = false
        sys.eventRegister = true // an exception return is a WFE wake-up event
        let legal = setPSTATE(spsr)
        if !legal {
            // EL and SP stay; NZCV and DAIF come from SPSR.
            nzcv = UInt32(truncatingIfNeeded: spsr) & 0xF000_0000
            daif = UInt32(truncatingIfNeeded: spsr) & 0x3C0
        }
        pc = target
        if !legal || spsr & CPU.spsrIL != 0 {
            currentInstructionPC = target
            sys.esr = UInt64(ExceptionSyndrome.illegalExecutionState)
            enterException(vectorOffset: ExceptionVector.synchronous, returnAddress: target,
                           savedPSTATE: pstate | CPU.spsrIL)
        }
    }
}
