// Owner: data-processing work. Arm ARM J1.2.3 ConditionHolds (shared pseudocode).
extension CPU {
    /// Whether condition `cond` (bits 3:0, as in B.cond, CSEL, CCMP) holds for the current NZCV.
    ///
    /// Each condition is a 16-bit truth table indexed by NZCV as a 4-bit number (N = 8, Z = 4,
    /// C = 2, V = 1), so evaluation is a table constant and one shift — no branches on flags.
    /// AL (0b1110) and NV (0b1111) both always hold, as the architecture specifies.
    @inline(__always)
    func conditionHolds(_ cond: UInt32) -> Bool {
        let table: UInt32
        switch cond & 0xF {
        case 0x0: table = 0xF0F0 // EQ: Z
        case 0x1: table = 0x0F0F // NE: !Z
        case 0x2: table = 0xCCCC // CS: C
        case 0x3: table = 0x3333 // CC: !C
        case 0x4: table = 0xFF00 // MI: N
        case 0x5: table = 0x00FF // PL: !N
        case 0x6: table = 0xAAAA // VS: V
        case 0x7: table = 0x5555 // VC: !V
        case 0x8: table = 0x0C0C // HI: C && !Z
        case 0x9: table = 0xF3F3 // LS: !C || Z
        case 0xA: table = 0xAA55 // GE: N == V
        case 0xB: table = 0x55AA // LT: N != V
        case 0xC: table = 0x0A05 // GT: !Z && N == V
        case 0xD: table = 0xF5FA // LE: Z || N != V
        default: table = 0xFFFF  // AL, NV
        }
        return (table >> (nzcv >> 28)) & 1 != 0
    }
}
