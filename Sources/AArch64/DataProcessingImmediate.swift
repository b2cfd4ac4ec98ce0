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
        let rd = Int(instruction & 31)
        let rn = Int((instruction >> 5) & 31)
        let is64 = instruction & 0x8000_0000 != 0
        var imm = UInt64((instruction >> 10) & 0xFFF)
        if instruction & (1 << 22) != 0 { imm <<= 12 }
        let operand1 = xOrSP(rn)
        if instruction & (1 << 29) != 0 {
            let flagged = instruction & (1 << 30) != 0
                ? addWithCarry(operand1, ~imm, carryIn: 1, is64: is64)
                : addWithCarry(operand1, imm, carryIn: 0, is64: is64)
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
        let is64 = instruction & 0x8000_0000 != 0
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
    /// SBFIZ, SBFX, BFI, BFXIL, BFC, UBFIZ, UBFX), following the Arm ARM pseudocode with
    /// DecodeBitMasks(immediate = FALSE).
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
        let size: UInt32 = is64 ? 64 : 32
        let mask = sizeMask(is64: is64)
        let source = x(Int((instruction >> 5) & 31)) & mask
        // With N == sf the element is the whole register: wmask is ones(S+1) rotated right by R,
        // tmask is ones(((S - R) mod size) + 1).
        let wmask = rotateRight(ones(imms &+ 1), by: immr, size: size)
        let tmask = ones(((imms &- immr) & (size &- 1)) &+ 1)
        let bottom = rotateRight(source, by: immr, size: size) & wmask
        let result: UInt64
        switch opc {
        case 0: // SBFM
            let top: UInt64 = (source >> UInt64(imms)) & 1 != 0 ? mask : 0
            result = (top & ~tmask) | (bottom & tmask)
        case 1: // BFM
            let destination = x(rd)
            let inserted = (destination & ~wmask) | bottom
            result = ((destination & ~tmask) | (inserted & tmask)) & mask
        default: // UBFM
            result = bottom & tmask
        }
        setX(rd, result)
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
