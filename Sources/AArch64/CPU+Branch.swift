// Owner: data-processing work. Arm ARM C4.1.87 (branches; the exception-generating and system
// parts of that group live in CPU+Exceptions and CPU+System).
extension CPU {
    /// B, BL, B.cond, CBZ/CBNZ, TBZ/TBNZ, BR/BLR/RET. Everything else that reaches here from the
    /// branch/exception/system group is unallocated in Armv8.0 and UNDEFINED. Decoded on
    /// bits 31:26. The PC already points at the next instruction; targets are relative to
    /// `currentInstructionPC`.
    @inline(__always)
    func executeBranch(_ instruction: UInt32) {
        switch instruction >> 26 {
        case 0b000101: // B
            pc = currentInstructionPC &+ branchOffset26(instruction)
        case 0b100101: // BL
            setX(30, pc)
            pc = currentInstructionPC &+ branchOffset26(instruction)
        case 0b001101, 0b101101:
            let value = x(Int(instruction & 31))
            let branchIfNonZeroOrSet = instruction & (1 << 24) != 0
            if instruction & (1 << 25) == 0 { // CBZ, CBNZ
                let operand = instruction & 0x8000_0000 != 0 ? value : value & 0xFFFF_FFFF
                if (operand != 0) == branchIfNonZeroOrSet {
                    pc = currentInstructionPC &+ branchOffset19(instruction)
                }
            } else { // TBZ, TBNZ: bit number b5:b40
                let bit = ((instruction >> 26) & 0x20) | ((instruction >> 19) & 0x1F)
                if ((value >> UInt64(bit)) & 1 != 0) == branchIfNonZeroOrSet {
                    let offset = Int64(Int32(bitPattern: (instruction << 13) & 0xFFFC_0000) >> 16)
                    pc = currentInstructionPC &+ UInt64(bitPattern: offset)
                }
            }
        case 0b010101: // B.cond; o1 (bit 24), o0 (bit 4, BC.cond) and bit 25 must be 0.
            guard instruction & 0x0300_0010 == 0 else {
                undefined()
                return
            }
            if conditionHolds(instruction & 0xF) {
                pc = currentInstructionPC &+ branchOffset19(instruction)
            }
        case 0b110101:
            executeBranchRegister(instruction)
        default:
            undefined()
        }
    }

    /// Unconditional branch (register): BR, BLR, RET. The pointer-authenticating forms, DRPS
    /// and the rest of the 0xD6 group are UNDEFINED (ERET never gets here).
    @inline(__always)
    private func executeBranchRegister(_ instruction: UInt32) {
        // Bits 31:25 = 1101011, op2 = 11111, op3 = 000000, op4 = 00000.
        guard instruction & 0xFE1F_FC1F == 0xD61F_0000 else {
            undefined()
            return
        }
        let target = x(Int((instruction >> 5) & 31))
        switch (instruction >> 21) & 0xF {
        case 0b0000, 0b0010: // BR, RET
            pc = target
        case 0b0001: // BLR: the target is read before X30 is written (BLR X30).
            setX(30, pc)
            pc = target
        default:
            undefined()
        }
    }

    /// SignExtend(imm26:'00'): B, BL.
    @inline(__always)
    private func branchOffset26(_ instruction: UInt32) -> UInt64 {
        UInt64(bitPattern: Int64(Int32(bitPattern: instruction << 6) >> 4))
    }

    /// SignExtend(imm19:'00') from bits 23:5: B.cond, CBZ, CBNZ.
    @inline(__always)
    private func branchOffset19(_ instruction: UInt32) -> UInt64 {
        UInt64(bitPattern: Int64(Int32(bitPattern: (instruction << 8) & 0xFFFF_E000) >> 11))
    }
}
