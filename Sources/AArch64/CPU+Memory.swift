// Owner: load/store work. VMSAv8-64 stage 1 translation, the software TLB, instruction fetch.

/// What a memory access is for; decides which permission is checked and which abort is taken.
public enum MemoryAccessKind: Sendable {
    case read, write, fetch
}

extension CPU {
    /// Reads `size` bytes (1, 2, 4, 8) at virtual address `va`, little-endian. On a fault the
    /// data abort has been taken (PC at the vector) and the result is nil: the caller abandons
    /// the instruction. `unprivileged` gives EL0 permissions (LDTR).
    @inline(__always)
    func readMemory(_ va: UInt64, size: Int, unprivileged: Bool = false) -> UInt64? {
        bus.read(va, size: size, vcpu: id) // placeholder: flat, MMU off
    }

    /// Writes `size` bytes at `va`. Returns false after taking the data abort.
    @inline(__always)
    func writeMemory(_ va: UInt64, size: Int, _ value: UInt64, unprivileged: Bool = false) -> Bool {
        bus.write(va, size: size, value: value, vcpu: id) // placeholder: flat, MMU off
    }

    /// Fetches the instruction at `va`. On a fault the instruction abort has been taken and the
    /// result is nil.
    @inline(__always)
    func fetchInstruction(_ va: UInt64) -> UInt32? {
        bus.read(va, size: 4, vcpu: id).map { UInt32(truncatingIfNeeded: $0) } // placeholder
    }

    /// Drops every cached translation (TLBI *ALL*, writes to TTBRn/TCR/SCTLR).
    public func invalidateTLB() {}

    /// Drops cached translations of the page containing `va` (TLBI VA*, VAA*).
    public func invalidateTLB(virtualAddress va: UInt64) {}

    /// AT S1E1R/S1E1W/S1E0R/S1E0W: translates without faulting and returns the PAR_EL1 value.
    func addressTranslate(_ va: UInt64, el0: Bool, write: Bool) -> UInt64 { 1 }
}
