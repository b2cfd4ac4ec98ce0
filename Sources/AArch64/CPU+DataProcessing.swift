// Owner: data-processing work. Arm ARM C4.1.86 (immediate) and C4.1.88 (register).
extension CPU {
    /// Data processing — immediate: PC-relative addressing, add/sub, logical, move wide,
    /// bitfield, extract.
    func executeDataProcessingImmediate(_ instruction: UInt32) {
        undefined()
    }

    /// Data processing — register: logical/add/sub (shifted, extended), ADC/SBC, conditional
    /// compare/select, 1- and 2-source, 3-source (multiply, divide).
    func executeDataProcessingRegister(_ instruction: UInt32) {
        undefined()
    }
}
