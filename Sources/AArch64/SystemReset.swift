extension CPU {
    /// The SCTLR_EL1 value out of reset: the RES1 bits of Armv8.0, MMU and caches off.
    public static let sctlrResetValue: UInt64 = 0x30D0_0800

    /// Puts the CPU in its architectural reset state for entry at EL1 (Arm ARM D1.9 with EL2/EL3
    /// handled by the VMM): EL1h, D/A/I/F masked, MMU and caches off, every register zero, no
    /// open exclusive reservation, no cached translation. The Machine calls it to boot and for
    /// PSCI CPU_ON; it then sets X0 (DTB address or context id) itself. MPIDR_EL1 is kept: it
    /// is the vCPU's identity, not state.
    public func reset(entry: UInt64) {
        selectStackPointer(el: 1, spsel: 1)
        regs.update(repeating: 0, count: 32)
        vregs.update(repeating: 0, count: 64)
        bankedSP = 0
        pc = entry
        currentInstructionPC = entry
        nzcv = 0
        daif = 0x3C0
        fpcr = 0
        fpsr = 0
        let mpidr = sys.mpidr
        sys = SystemRegisterFile()
        sys.mpidr = mpidr
        sys.sctlr = CPU.sctlrResetValue
        exclusiveOpen = false
        exclusiveAddress = 0
        exclusiveSize = 0
        pendingExit = nil
        invalidateTLB()
    }
}
