// Owner: data-processing work. Arm ARM C4.1.88: data processing — register.
extension CPU {
    /// AND, BIC, ORR, ORN, EOR, EON, ANDS, BICS (shifted register), including MOV, MVN, TST.
    @inline(__always)
    func executeLogicalShiftedRegister(_ instruction: UInt32) {
        // One copy per operand size, so the size tests fold away.
        if instruction & 0x8000_0000 != 0 {
            executeLogicalShiftedRegisterSized(instruction, is64: true)
        } else {
            executeLogicalShiftedRegisterSized(instruction, is64: false)
        }
    }

    @inline(__always)
    private func executeLogicalShiftedRegisterSized(_ instruction: UInt32, is64: Bool) {
        let amount = (instruction >> 10) & 0x3F
        guard is64 || amount < 32 else {
            undefined()
            return
        }
        let rd = Int(instruction & 31)
        let mask = sizeMask(is64: is64)
        let operand1 = x(Int((instruction >> 5) & 31))
        var operand2 = shiftRegister(x(Int((instruction >> 16) & 31)) & mask,
                                     type: (instruction >> 22) & 3, amount: amount, is64: is64)
        if instruction & (1 << 21) != 0 { operand2 = ~operand2 }
        switch (instruction >> 29) & 3 {
        case 0: setX(rd, operand1 & operand2 & mask)
        case 1: setX(rd, (operand1 | operand2) & mask)
        case 2: setX(rd, (operand1 ^ operand2) & mask)
        default:
            let result = operand1 & operand2 & mask
            nzcv = logicalFlags(result, is64: is64)
            setX(rd, result)
        }
    }

    /// ADD, ADDS, SUB, SUBS (shifted register), including CMP, CMN, NEG, NEGS.
    @inline(__always)
    func executeAddSubtractShiftedRegister(_ instruction: UInt32) {
        // One copy per operand size, so the size tests fold away.
        if instruction & 0x8000_0000 != 0 {
            executeAddSubtractShiftedRegisterSized(instruction, is64: true)
        } else {
            executeAddSubtractShiftedRegisterSized(instruction, is64: false)
        }
    }

    @inline(__always)
    private func executeAddSubtractShiftedRegisterSized(_ instruction: UInt32, is64: Bool) {
        let amount = (instruction >> 10) & 0x3F
        let type = (instruction >> 22) & 3
        guard type != 3, is64 || amount < 32 else {
            undefined()
            return
        }
        let rd = Int(instruction & 31)
        let operand1 = x(Int((instruction >> 5) & 31))
        let operand2 = shiftRegister(x(Int((instruction >> 16) & 31)) & sizeMask(is64: is64),
                                     type: type, amount: amount, is64: is64)
        addSubtract(instruction, rd: rd, operand1, operand2, is64: is64, destinationIsSP: false)
    }

    /// ADD, ADDS, SUB, SUBS (extended register): Rn and (without S) Rd may be SP.
    @inline(__always)
    func executeAddSubtractExtendedRegister(_ instruction: UInt32) {
        let shift = (instruction >> 10) & 7
        // opt (bits 23:22) must be 0; a left shift above 4 is reserved.
        guard instruction & 0x00C0_0000 == 0, shift <= 4 else {
            undefined()
            return
        }
        let is64 = instruction & 0x8000_0000 != 0
        let rd = Int(instruction & 31)
        let operand1 = xOrSP(Int((instruction >> 5) & 31))
        let operand2 = extendRegister(x(Int((instruction >> 16) & 31)),
                                      option: (instruction >> 13) & 7, shift: shift)
        addSubtract(instruction, rd: rd, operand1, operand2, is64: is64, destinationIsSP: true)
    }

    /// The common tail of the add/subtract classes: op = bit 30, S = bit 29.
    @inline(__always)
    private func addSubtract(_ instruction: UInt32, rd: Int, _ operand1: UInt64, _ operand2: UInt64,
                             is64: Bool, destinationIsSP: Bool) {
        let subtract = instruction & (1 << 30) != 0
        if instruction & (1 << 29) != 0 {
            let flagged = subtract
                ? subtractWithFlags(operand1, operand2, is64: is64)
                : addWithFlags(operand1, operand2, is64: is64)
            nzcv = flagged.nzcv
            setX(rd, flagged.result)
        } else {
            let result = (subtract ? operand1 &- operand2 : operand1 &+ operand2) & sizeMask(is64: is64)
            if destinationIsSP { setXOrSP(rd, result) } else { setX(rd, result) }
        }
    }

    /// ADC, ADCS, SBC, SBCS (and NGC, NGCS).
    @inline(__always)
    func executeAddSubtractWithCarry(_ instruction: UInt32) {
        let is64 = instruction & 0x8000_0000 != 0
        let rd = Int(instruction & 31)
        let operand1 = x(Int((instruction >> 5) & 31))
        var operand2 = x(Int((instruction >> 16) & 31))
        if instruction & (1 << 30) != 0 { operand2 = ~operand2 }
        let flagged = addWithCarry(operand1, operand2, carryIn: UInt64((nzcv >> 29) & 1), is64: is64)
        if instruction & (1 << 29) != 0 { nzcv = flagged.nzcv }
        setX(rd, flagged.result)
    }

    /// CCMN, CCMP (register and immediate): the comparison's flags if the condition holds,
    /// otherwise the immediate NZCV.
    @inline(__always)
    func executeConditionalCompare(_ instruction: UInt32) {
        // S (bit 29) must be 1; o2 (bit 10) and o3 (bit 4) must be 0.
        guard instruction & 0x2000_0410 == 0x2000_0000 else {
            undefined()
            return
        }
        guard conditionHolds((instruction >> 12) & 0xF) else {
            nzcv = (instruction & 0xF) << 28
            return
        }
        let is64 = instruction & 0x8000_0000 != 0
        let operand1 = x(Int((instruction >> 5) & 31))
        let field = (instruction >> 16) & 31
        let operand2 = instruction & (1 << 11) != 0 ? UInt64(field) : x(Int(field))
        nzcv = instruction & (1 << 30) != 0
            ? subtractWithFlags(operand1, operand2, is64: is64).nzcv
            : addWithFlags(operand1, operand2, is64: is64).nzcv
    }

    /// CSEL, CSINC, CSINV, CSNEG (and CSET, CSETM, CINC, CINV, CNEG).
    @inline(__always)
    func executeConditionalSelect(_ instruction: UInt32) {
        // One copy per operand size, so the size tests fold away.
        if instruction & 0x8000_0000 != 0 {
            executeConditionalSelectSized(instruction, is64: true)
        } else {
            executeConditionalSelectSized(instruction, is64: false)
        }
    }

    @inline(__always)
    private func executeConditionalSelectSized(_ instruction: UInt32, is64: Bool) {
        // S (bit 29) and op2<1> (bit 11) must be 0.
        guard instruction & 0x2000_0800 == 0 else {
            undefined()
            return
        }
        let rd = Int(instruction & 31)
        var result: UInt64
        if conditionHolds((instruction >> 12) & 0xF) {
            result = x(Int((instruction >> 5) & 31))
        } else {
            result = x(Int((instruction >> 16) & 31))
            if instruction & (1 << 30) != 0 { result = ~result }
            if instruction & (1 << 10) != 0 { result &+= 1 }
        }
        setX(rd, result & sizeMask(is64: is64))
    }

    /// UDIV, SDIV, LSLV, LSRV, ASRV, RORV. CRC32 (optional in Armv8.0) and the later
    /// extensions in this class (MTE, PAC) are UNDEFINED.
    @inline(__always)
    func executeDataProcessingTwoSource(_ instruction: UInt32) {
        guard instruction & (1 << 29) == 0 else {
            undefined()
            return
        }
        let is64 = instruction & 0x8000_0000 != 0
        let rd = Int(instruction & 31)
        let operand1 = x(Int((instruction >> 5) & 31)) & sizeMask(is64: is64)
        let operand2 = x(Int((instruction >> 16) & 31)) & sizeMask(is64: is64)
        let opcode = (instruction >> 10) & 0x3F
        switch opcode {
        case 0b000010: // UDIV: division by zero gives 0.
            setX(rd, operand2 == 0 ? 0 : operand1 / operand2)
        case 0b000011: // SDIV: rounds towards zero; by zero gives 0; MIN / -1 gives MIN.
            if operand2 == 0 {
                setX(rd, 0)
            } else if is64 {
                let quotient = Int64(bitPattern: operand1)
                    .dividedReportingOverflow(by: Int64(bitPattern: operand2)).partialValue
                setX(rd, UInt64(bitPattern: quotient))
            } else {
                let quotient = Int32(truncatingIfNeeded: operand1)
                    .dividedReportingOverflow(by: Int32(truncatingIfNeeded: operand2)).partialValue
                setX(rd, UInt64(UInt32(bitPattern: quotient)))
            }
        case 0b001000...0b001011: // LSLV, LSRV, ASRV, RORV: the amount is Rm mod the size.
            let amount = UInt32(truncatingIfNeeded: operand2) & (is64 ? 63 : 31)
            setX(rd, shiftRegister(operand1, type: opcode & 3, amount: amount, is64: is64))
        default:
            undefined()
        }
    }

    /// RBIT, REV16, REV32, REV, CLZ, CLS. The pointer-authentication forms (opcode2 = 1) and
    /// later additions are UNDEFINED.
    @inline(__always)
    func executeDataProcessingOneSource(_ instruction: UInt32) {
        // S (bit 29) and opcode2 (bits 20:16) must be 0.
        guard instruction & 0x201F_0000 == 0 else {
            undefined()
            return
        }
        let is64 = instruction & 0x8000_0000 != 0
        let rd = Int(instruction & 31)
        let operand = x(Int((instruction >> 5) & 31))
        let word = UInt32(truncatingIfNeeded: operand)
        switch (instruction >> 10) & 0x3F {
        case 0b000000: // RBIT
            setX(rd, is64 ? reverseBits64(operand) : UInt64(reverseBits32(word)))
        case 0b000001: // REV16
            setX(rd, reverseBytesInHalfwords(is64 ? operand : UInt64(word)))
        case 0b000010: // REV32 (64-bit), REV (32-bit)
            let swapped = operand.byteSwapped
            setX(rd, is64 ? (swapped << 32) | (swapped >> 32) : UInt64(word.byteSwapped))
        case 0b000011 where is64: // REV (64-bit)
            setX(rd, operand.byteSwapped)
        case 0b000100: // CLZ
            setX(rd, UInt64(is64 ? operand.leadingZeroBitCount : word.leadingZeroBitCount))
        case 0b000101: // CLS
            setX(rd, UInt64(is64 ? countLeadingSignBits64(operand) : countLeadingSignBits32(word)))
        default:
            undefined()
        }
    }

    /// MADD, MSUB (with MUL, MNEG), SMADDL, SMSUBL, UMADDL, UMSUBL (with SMULL, UMULL, ...),
    /// SMULH, UMULH.
    @inline(__always)
    func executeDataProcessingThreeSource(_ instruction: UInt32) {
        let is64 = instruction & 0x8000_0000 != 0
        let op31 = (instruction >> 21) & 7
        let subtract = instruction & (1 << 15) != 0
        // op54 (bits 30:29) must be 0; only MADD/MSUB have a 32-bit form.
        guard instruction & 0x6000_0000 == 0, is64 || op31 == 0 else {
            undefined()
            return
        }
        let rd = Int(instruction & 31)
        let n = x(Int((instruction >> 5) & 31))
        let m = x(Int((instruction >> 16) & 31))
        let a = x(Int((instruction >> 10) & 31))
        switch op31 {
        case 0b000: // MADD, MSUB
            let product = n &* m
            let result = subtract ? a &- product : a &+ product
            setX(rd, result & sizeMask(is64: is64))
        case 0b001: // SMADDL, SMSUBL
            let product = UInt64(bitPattern: Int64(Int32(truncatingIfNeeded: n))
                &* Int64(Int32(truncatingIfNeeded: m)))
            setX(rd, subtract ? a &- product : a &+ product)
        case 0b101: // UMADDL, UMSUBL
            let product = (n & 0xFFFF_FFFF) &* (m & 0xFFFF_FFFF)
            setX(rd, subtract ? a &- product : a &+ product)
        case 0b010 where !subtract: // SMULH
            let high = Int64(bitPattern: n).multipliedFullWidth(by: Int64(bitPattern: m)).high
            setX(rd, UInt64(bitPattern: high))
        case 0b110 where !subtract: // UMULH
            setX(rd, n.multipliedFullWidth(by: m).high)
        default:
            undefined()
        }
    }
}
