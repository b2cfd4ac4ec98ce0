// Owner: data-processing work. Arm ARM C4.1.86: data processing — immediate.
extension CPU {
    /// ADR, ADRP: Rd = PC + imm (ADRP: the PC's 4 KiB page + imm << 12).
    @inline(__always)
    func executePCRelativeAddressing(_ instruction: UInt32) {
        let rd = Int(instruction & 31)
        let immlo = (instruction >> 29) & 3
        let immhi = (instruction >> 5) & 0x7FFFF
        // Sign-extend the 21-bit immhi:immlo.
        let imm = Int64(Int32(bitPattern: (immhi << 2 | immlo) << 11) >> 11)
        if instruction & 0x8000_0000 != 0 {
            setX(rd, (currentInstructionPC & ~0xFFF) &+ UInt64(bitPattern: imm << 12))
        } else {
            setX(rd, currentInstructionPC &+ UInt64(bitPattern: imm))
        }
    }

    /// ADD, ADDS, SUB, SUBS (immediate), including MOV to/from SP, CMP and CMN.
    @inline(__always)
    func executeAddSubtractImmediate(_ instruction: UInt32) {
        // One copy per operand size, so the size tests fold away.
        if instruction & 0x8000_0000 != 0 {
            executeAddSubtractImmediateSized(instruction, is64: true)
        } else {
            executeAddSubtractImmediateSized(instruction, is64: false)
        }
    }

    @inline(__always)
    private func executeAddSubtractImmediateSized(_ instruction: UInt32, is64: Bool) {
        let rd = Int(instruction & 31)
        let rn = Int((instruction >> 5) & 31)
        var imm = UInt64((instruction >> 10) & 0xFFF)
        if instruction & (1 << 22) != 0 { imm <<= 12 }
        let operand1 = xOrSP(rn)
        if instruction & (1 << 29) != 0 {
            let flagged = instruction & (1 << 30) != 0
                ? subtractWithFlags(operand1, imm, is64: is64)
                : addWithFlags(operand1, imm, is64: is64)
            nzcv = flagged.nzcv
            setX(rd, flagged.result)
        } else {
            let result = instruction & (1 << 30) != 0 ? operand1 &- imm : operand1 &+ imm
            setXOrSP(rd, is64 ? result : result & 0xFFFF_FFFF)
        }
    }

    /// AND, ORR, EOR, ANDS (immediate), including MOV (bitmask immediate) and TST.
    @inline(__always)
    func executeLogicalImmediate(_ instruction: UInt32) {
        // One copy per operand size, so the size tests fold away.
        if instruction & 0x8000_0000 != 0 {
            executeLogicalImmediateSized(instruction, is64: true)
        } else {
            executeLogicalImmediateSized(instruction, is64: false)
        }
    }

    @inline(__always)
    private func executeLogicalImmediateSized(_ instruction: UInt32, is64: Bool) {
        let n = (instruction >> 22) & 1
        guard is64 || n == 0,
              let imm = decodeLogicalImmediate(n: n, immr: (instruction >> 16) & 0x3F,
                                               imms: (instruction >> 10) & 0x3F, is64: is64)
        else {
            undefined()
            return
        }
        let rd = Int(instruction & 31)
        let operand1 = x(Int((instruction >> 5) & 31))
        switch (instruction >> 29) & 3 {
        case 0: setXOrSP(rd, operand1 & imm)
        case 1: setXOrSP(rd, (operand1 | imm) & sizeMask(is64: is64))
        case 2: setXOrSP(rd, (operand1 ^ imm) & sizeMask(is64: is64))
        default:
            let result = operand1 & imm
            nzcv = logicalFlags(result, is64: is64)
            setX(rd, result)
        }
    }

    /// MOVN, MOVZ, MOVK.
    @inline(__always)
    func executeMoveWide(_ instruction: UInt32) {
        let is64 = instruction & 0x8000_0000 != 0
        let opc = (instruction >> 29) & 3
        let hw = (instruction >> 21) & 3
        guard opc != 1, is64 || hw < 2 else {
            undefined()
            return
        }
        let rd = Int(instruction & 31)
        let shift = UInt64(hw << 4)
        let imm = UInt64((instruction >> 5) & 0xFFFF) << shift
        switch opc {
        case 0: setX(rd, ~imm & sizeMask(is64: is64))
        case 2: setX(rd, imm)
        default: setX(rd, ((x(rd) & ~(0xFFFF << shift)) | imm) & sizeMask(is64: is64))
        }
    }

    /// SBFM, BFM, UBFM and their aliases (ASR/LSL/LSR immediate, SXTB/SXTH/SXTW, UXTB/UXTH,
    /// SBFIZ, SBFX, BFI, BFXIL, BFC, UBFIZ, UBFX). SBFM and UBFM use the two shapes the
    /// pseudocode reduces to (extract when imms >= immr, insert-in-zero otherwise), which are a
    /// few shifts instead of mask building; BFM follows the pseudocode literally.
    @inline(__always)
    func executeBitfield(_ instruction: UInt32) {
        let is64 = instruction & 0x8000_0000 != 0
        let opc = (instruction >> 29) & 3
        let n = (instruction >> 22) & 1
        let immr = (instruction >> 16) & 0x3F
        let imms = (instruction >> 10) & 0x3F
        // N must equal sf; a 32-bit form has immr, imms < 32.
        guard opc != 3, n == instruction >> 31, is64 || (immr | imms) < 32 else {
            undefined()
            return
        }
        let rd = Int(instruction & 31)
        let source = x(Int((instruction >> 5) & 31))
        let r = UInt64(immr)
        let s = UInt64(imms)
        switch opc {
        case 0b10: // UBFM
            // s >= r: UBFX (LSR) — the field s:r moved down to bit 0.
            // s < r: UBFIZ (LSL) — the field s:0 moved up to bit size - r.
            if is64 {
                setX(rd, s >= r ? (source &>> r) & ones(imms &- immr &+ 1)
                                : (source & ones(imms &+ 1)) &<< (64 &- r))
            } else {
                let w = UInt32(truncatingIfNeeded: source)
                let result = s >= r ? (w &>> UInt32(r)) & UInt32(truncatingIfNeeded: ones(imms &- immr &+ 1))
                                    : (w & UInt32(truncatingIfNeeded: ones(imms &+ 1))) &<< UInt32(32 &- r)
                setX(rd, UInt64(result))
            }
        case 0b00: // SBFM
            // As UBFM, with the field's top bit (bit s) copied into every bit above it:
            // s >= r: SBFX (ASR, SXTB/SXTH/SXTW); s < r: SBFIZ.
            if is64 {
                let up = Int64(bitPattern: source &<< (63 &- s))
                setX(rd, UInt64(bitPattern: s >= r ? up &>> Int64(63 &- s &+ r)
                                                   : (up &>> Int64(63 &- s)) &<< Int64(64 &- r)))
            } else {
                let up = Int32(truncatingIfNeeded: source) &<< Int32(31 &- s)
                let result = s >= r ? up &>> Int32(31 &- s &+ r) : (up &>> Int32(31 &- s)) &<< Int32(32 &- r)
                setX(rd, UInt64(UInt32(bitPattern: result)))
            }
        default: // BFM (BFI, BFXIL, BFC), as the pseudocode states it with DecodeBitMasks.
            // With N == sf the element is the whole register: wmask is ones(S+1) rotated right
            // by R, tmask is ones(((S - R) mod size) + 1).
            let size: UInt32 = is64 ? 64 : 32
            let mask = sizeMask(is64: is64)
            let wmask = rotateRight(ones(imms &+ 1), by: immr, size: size)
            let tmask = ones(((imms &- immr) & (size &- 1)) &+ 1)
            let destination = x(rd)
            let bottom = (destination & ~wmask) | (rotateRight(source & mask, by: immr, size: size) & wmask)
            setX(rd, ((destination & ~tmask) | (bottom & tmask)) & mask)
        }
    }

    /// EXTR (and ROR immediate): bits lsb upwards of Rn:Rm.
    @inline(__always)
    func executeExtract(_ instruction: UInt32) {
        let is64 = instruction & 0x8000_0000 != 0
        let lsb = (instruction >> 10) & 0x3F
        // op21 (bits 30:29) and o0 (bit 21) must be 0; N (bit 22) must equal sf.
        guard instruction & 0x6020_0000 == 0, (instruction >> 22) & 1 == instruction >> 31,
              is64 || lsb < 32
        else {
            undefined()
            return
        }
        let rd = Int(instruction & 31)
        let high = x(Int((instruction >> 5) & 31))
        let low = x(Int((instruction >> 16) & 31))
        if is64 {
            setX(rd, lsb == 0 ? low : (low &>> UInt64(lsb)) | (high &<< UInt64(64 &- lsb)))
        } else {
            let concatenated = (high << 32) | (low & 0xFFFF_FFFF)
            setX(rd, (concatenated >> UInt64(lsb)) & 0xFFFF_FFFF)
        }
    }
}
