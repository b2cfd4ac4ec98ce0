/// What PSCI needs to know about the board, and nothing it could use to touch a CPU.
public protocol PSCIPlatform: Sendable {
    /// The vCPU whose MPIDR_EL1 affinity fields (Aff3..Aff0, other bits clear) equal `mpidr`,
    /// nil if no vCPU has it.
    func vcpuIndex(mpidr: UInt64) -> Int?

    /// Whether `address` can be a CPU_ON entry point (i.e. is in guest RAM); CPU_ON answers
    /// INVALID_ADDRESS otherwise.
    func isValidEntryPoint(_ address: UInt64) -> Bool
}

extension PSCIPlatform {
    /// Without board knowledge every address is accepted (as KVM does); a bad entry point then
    /// faults in the guest.
    public func isValidEntryPoint(_ address: UInt64) -> Bool { true }
}
