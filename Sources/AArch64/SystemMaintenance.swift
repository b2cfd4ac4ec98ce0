// SYS: cache maintenance (DC, IC), TLB maintenance (TLBI) and address translation (AT)
// (Arm ARM C5.3). Guest memory is coherent host memory, so cache maintenance has no effect
// beyond its permission checks; DC ZVA really zeroes memory.
extension CPU {
    func executeSystemInstruction(op1: UInt32, crn: UInt32, crm: UInt32, op2: UInt32, rt: Int) {
        switch (op1, crn, crm, op2) {
        case (0, 7, 1, 0), (0, 7, 5, 0): // IC IALLUIS, IC IALLU
            if el == 0 { return undefined() }
        case (0, 7, 6, 1), (0, 7, 6, 2), (0, 7, 10, 2), (0, 7, 14, 2): // DC IVAC, ISW, CSW, CISW
            // IVAC is allowed to clean as well: with coherent memory, nothing to do.
            if el == 0 { return undefined() }
        case (3, 7, 5, 1), (3, 7, 10, 1), (3, 7, 11, 1), (3, 7, 14, 1): // IC IVAU, DC CVAC, CVAU, CIVAC
            if el == 0, sys.sctlr & SCTLR.uci == 0 {
                return trapSystemInstruction(op1: op1, crn: crn, crm: crm, op2: op2, rt: rt)
            }
        case (3, 7, 4, 1): // DC ZVA
            if el == 0, sys.sctlr & SCTLR.dze == 0 {
                return trapSystemInstruction(op1: op1, crn: crn, crm: crm, op2: op2, rt: rt)
            }
            zeroBlock(at: x(rt))
        case (0, 7, 8, 0), (0, 7, 8, 1), (0, 7, 8, 2), (0, 7, 8, 3): // AT S1E1R, S1E1W, S1E0R, S1E0W
            if el == 0 { return undefined() }
            sys.par = addressTranslate(x(rt), el0: op2 >= 2, write: op2 & 1 != 0)
        case (0, 8, 3, _), (0, 8, 7, _): // TLBI …E1IS, …E1
            if el == 0 { return undefined() }
            executeTLBI(op2: op2, operand: x(rt), broadcast: crm == 3)
        default:
            undefined()
        }
    }

    /// TLBI VMALLE1, VAE1, ASIDE1, VAAE1, VALE1, VAALE1, and their IS forms (`broadcast`),
    /// which also make every other vCPU of the group drop its whole TLB (see `CPUGroup`). The
    /// TLB is not tagged by ASID, so by-ASID means everything.
    private func executeTLBI(op2: UInt32, operand: UInt64, broadcast: Bool) {
        switch op2 {
        case 0, 2: // VMALLE1, ASIDE1
            invalidateTLB()
        case 1, 3, 5, 7: // VAE1, VAAE1, VALE1, VAALE1: operand bits 43:0 are VA[55:12].
            invalidateTLB(virtualAddress: CPU.tlbiVirtualAddress(operand))
        default:
            return undefined()
        }
        if broadcast { group.broadcastTLBFlush(from: signals) }
    }

    /// The virtual address in a TLBI by-VA operand: VA[55:12] from bits 43:0, sign-extended
    /// from VA[55] so that TTBR1 addresses come out as the kernel wrote them.
    @inline(__always)
    static func tlbiVirtualAddress(_ operand: UInt64) -> UInt64 {
        UInt64(bitPattern: Int64(bitPattern: operand << 20) >> 8) & ~0xFFF
    }

    /// DC ZVA: zeroes the aligned DCZID_EL0-sized block containing `va`, 8 bytes at a time, as
    /// writes (a fault is taken as a data abort on the first inaccessible doubleword).
    private func zeroBlock(at va: UInt64) {
        let base = va & ~(IDRegisters.dcZVABlockSize &- 1)
        var offset: UInt64 = 0
        while offset < IDRegisters.dcZVABlockSize {
            guard writeMemory(base &+ offset, size: 8, 0) else { return }
            offset &+= 8
        }
    }

    /// An EL0 DC/IC that SCTLR_EL1 keeps from EL0: EC 0x18 with op0 = 1 in the syndrome
    /// (Linux emulates user cache maintenance from this trap).
    private func trapSystemInstruction(op1: UInt32, crn: UInt32, crm: UInt32, op2: UInt32, rt: Int) {
        let instruction = SystemRegister(op0: 1, op1: UInt8(op1), crn: UInt8(crn), crm: UInt8(crm), op2: UInt8(op2))
        trapToEL1(instruction, rt: rt, isRead: false)
    }
}
