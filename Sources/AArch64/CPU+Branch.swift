// Owner: data-processing work. Arm ARM C4.1.87 (branches; the exception-generating and system
// parts of that group live in CPU+Exceptions and CPU+System).
extension CPU {
    /// B, BL, B.cond, CBZ/CBNZ, TBZ/TBNZ, BR/BLR/RET.
    func executeBranch(_ instruction: UInt32) {
        undefined()
    }
}
