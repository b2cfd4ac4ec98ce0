// Owner: load/store work. Arm ARM C4.1.90 (SIMD and floating point data processing).
extension CPU {
    /// FMOV between general and FP registers (after the CPACR_EL1.FPEN check); every other
    /// SIMD/FP data-processing encoding is UNDEFINED until FP/SIMD is implemented.
    func executeSIMDFloatingPoint(_ instruction: UInt32) {
        undefined()
    }
}
