// Owner: data-processing work. Arm ARM C4.1.86 (immediate) and C4.1.88 (register).
// The classes themselves are in DataProcessingImmediate.swift and DataProcessingRegister.swift.
extension CPU {
    /// Data processing — immediate: PC-relative addressing, add/sub, logical, move wide,
    /// bitfield, extract. Decoded on op0 = bits 25:23.
    @inline(__always)
    func executeDataProcessingImmediate(_ instruction: UInt32) {
        switch (instruction >> 23) & 7 {
        case 0b000, 0b001: executePCRelativeAddressing(instruction)
        case 0b010: executeAddSubtractImmediate(instruction)
        case 0b100: executeLogicalImmediate(instruction)
        case 0b101: executeMoveWide(instruction)
        case 0b110: executeBitfield(instruction)
        case 0b111: executeExtract(instruction)
        default: undefined() // 0b011: add/subtract immediate with tags (FEAT_MTE)
        }
    }

    /// Data processing — register: logical/add/sub (shifted, extended), ADC/SBC, conditional
    /// compare/select, 1- and 2-source, 3-source (multiply, divide). Decoded on op1 = bit 28
    /// and op2 = bits 24:21.
    @inline(__always)
    func executeDataProcessingRegister(_ instruction: UInt32) {
        if instruction & (1 << 28) == 0 {
            if instruction & (1 << 24) == 0 {
                executeLogicalShiftedRegister(instruction)
            } else if instruction & (1 << 21) == 0 {
                executeAddSubtractShiftedRegister(instruction)
            } else {
                executeAddSubtractExtendedRegister(instruction)
            }
            return
        }
        switch (instruction >> 21) & 0xF {
        case 0b0000:
            // op3 = 000000 is ADC/SBC; RMIF and SETF (FEAT_FlagM) are not in Armv8.0.
            if instruction & 0xFC00 == 0 {
                executeAddSubtractWithCarry(instruction)
            } else {
                undefined()
            }
        case 0b0010: executeConditionalCompare(instruction)
        case 0b0100: executeConditionalSelect(instruction)
        case 0b0110:
            if instruction & (1 << 30) == 0 {
                executeDataProcessingTwoSource(instruction)
            } else {
                executeDataProcessingOneSource(instruction)
            }
        case 0b1000...0b1111: executeDataProcessingThreeSource(instruction)
        default: undefined()
        }
    }
}
