// Owner: system work. Exception entry (Arm ARM D1.10), ERET, IRQ/FIQ.
extension CPU {
    /// Takes a synchronous exception to EL1: ESR_EL1 = `syndrome`, ELR_EL1 = the faulting
    /// instruction (`currentInstructionPC`) unless `preferredReturn` says otherwise, FAR_EL1 =
    /// `faultAddress` when given, PSTATE masked, PC at the vector for the source EL and SP.
    func takeSynchronousException(syndrome: UInt32, faultAddress: UInt64? = nil,
                                  preferredReturn: UInt64? = nil) {
        pendingExit = .halted("exception entry not implemented (ESR 0x\(String(syndrome, radix: 16)))")
    }

    /// The instruction at `currentInstructionPC` is UNDEFINED (EC 0).
    func undefined() {
        takeSynchronousException(syndrome: 1 << 25)
    }

    /// Takes an IRQ or FIQ that `signals` reports and PSTATE does not mask.
    func takePendingInterrupt() {}

    /// SVC, HVC, SMC, BRK, HLT, DCPS.
    func executeExceptionGeneration(_ instruction: UInt32) {
        undefined()
    }

    /// ERET: restores PC from ELR_EL1 and PSTATE from SPSR_EL1.
    func executeExceptionReturn() {
        undefined()
    }
}
