import Testing
@testable import AArch64

// Data processing — register (Arm ARM C4.1.88). Encodings follow the Arm ARM field layouts
// (checked against an assembler); expected values are worked out by hand from the pseudocode.

private let minus1: UInt64 = 0xFFFF_FFFF_FFFF_FFFF
private let int64Min: UInt64 = 0x8000_0000_0000_0000
private let stack: UInt64 = 0x4000_3000

private func check(_ c: InstructionCase) {
    let r = c.execute()
    #expect(r.value == c.expected)
    #expect(r.nzcv == (c.expectedNZCV ?? c.nzcv))
    #expect(r.advanced)
}

@Suite struct LogicalShiftedRegisterTests {
    static let cases: [InstructionCase] = [
        InstructionCase("and x0, x1, x2, lsl #4", 0x8A02_1020, [1: 0xFF0, 2: 0xF], 0xF0),
        InstructionCase("mov x0, x2", 0xAA02_03E0, [2: 0xDEAD_BEEF_0000_0001], 0xDEAD_BEEF_0000_0001),
        InstructionCase("orr w0, w1, w2, ror #8 (Xm<63:32> ignored)", 0x2AC2_2020, [2: 0xFFFF_FFFF_0000_00AB],
                        0xAB00_0000),
        InstructionCase("eor x0, x1, x2, asr #63", 0xCA82_FC20, [1: 0x1234, 2: int64Min], 0xFFFF_FFFF_FFFF_EDCB),
        InstructionCase("bic x0, x1, x2", 0x8A22_0020, [1: 0xFF, 2: 0x0F], 0xF0),
        InstructionCase("mvn w0, w1 (upper half zeroed)", 0x2A21_03E0, [1: 0], 0xFFFF_FFFF),
        InstructionCase("eon x0, x1, x2", 0xCA22_0020, [1: 0xFF, 2: 0xF0], 0xFFFF_FFFF_FFFF_FFF0),
        InstructionCase("ands x0, x1, x2 (Z; C and V cleared)", 0xEA02_0020, [1: 0xF0, 2: 0x0F],
                        nzcv: nzcvFlags("NCV"), 0, flags: nzcvFlags("Z")),
        InstructionCase("bics w0, w1, w2 (N from bit 31)", 0x6A22_0020, [1: 0x8000_0001, 2: 1], 0x8000_0000,
                        flags: nzcvFlags("N")),
        InstructionCase("and w0, w1, w2, lsr #31", 0x0A42_7C20, [1: 0xFFFF_FFFF, 2: 0x1_8000_0000], 1),
        InstructionCase("orr x0, xzr, x1, ror #4", 0xAAC1_13E0, [1: 0x1F], 0xF000_0000_0000_0001),
    ]

    @Test(arguments: cases) func logicalShiftedRegister(_ c: InstructionCase) { check(c) }
}

@Suite struct AddSubtractRegisterTests {
    static let shifted: [InstructionCase] = [
        InstructionCase("add x0, x1, x2, lsl #3", 0x8B02_0C20, [1: 1, 2: 2], 17),
        InstructionCase("sub x0, x1, x2, lsr #1", 0xCB42_0420, [1: 10, 2: 8], 6),
        InstructionCase("neg x0, x1", 0xCB01_03E0, [1: 1], minus1),
        InstructionCase("subs x0, x1, x2 (equal)", 0xEB02_0020, [1: 5, 2: 5], 0, flags: nzcvFlags("ZC")),
        InstructionCase("cmp x1, x2 (signed overflow; writes XZR, not SP)", 0xEB02_003F,
                        [1: int64Min, 2: 1, 31: stack], rd: 31, stack, flags: nzcvFlags("CV")),
        InstructionCase("adds w0, w1, w2 (32-bit carry out)", 0x2B02_0020, [1: 0xFFFF_FFFF, 2: 1], 0,
                        flags: nzcvFlags("ZC")),
        InstructionCase("adds w0, w1, w2 (32-bit signed overflow)", 0x2B02_0020, [1: 0x7FFF_FFFF, 2: 1],
                        0x8000_0000, flags: nzcvFlags("NV")),
        InstructionCase("add w0, w1, w2, asr #4", 0x0B82_1020, [1: 0x10, 2: 0x8000_0000], 0xF800_0010),
        InstructionCase("add x0, xzr, x2 (register 31 is XZR here)", 0x8B02_03E0, [2: 5, 31: stack], 5),
        InstructionCase("sub w0, w1, w2, lsl #31 (bits shifted out of W)", 0x4B02_7C20, [1: 0, 2: 3], 0x8000_0000),
    ]

    static let extended: [InstructionCase] = [
        InstructionCase("add x0, sp, w1, uxtw #2", 0x8B21_4BE0, [1: 0xFFFF_FFFF_0000_0004, 31: 0x1000], 0x1010),
        InstructionCase("add sp, x1, w2, sxtw", 0x8B22_C03F, [1: 0x1000, 2: 0xFFFF_FFFF], rd: 31, 0xFFF),
        InstructionCase("sub x0, x1, w2, sxtb #1", 0xCB22_8420, [1: 0, 2: 0x80], 0x100),
        InstructionCase("cmp sp, x1", 0xEB21_63FF, [1: 5, 31: 5], rd: 31, 5, flags: nzcvFlags("ZC")),
        InstructionCase("add w0, w1, w2, uxth", 0x0B22_2020, [1: 1, 2: 0x12345], 0x2346),
        InstructionCase("add w0, wsp, w1", 0x0B21_43E0, [1: 1, 31: 0x1_0000_0010], 0x11),
        InstructionCase("adds x0, x1, x2, uxtx #4", 0xAB22_7020, [1: int64Min, 2: 0x0800_0000_0000_0000], 0,
                        flags: nzcvFlags("ZCV")),
        InstructionCase("subs x0, x1, w2, sxth", 0xEB22_A020, [1: 0, 2: 0xFFFF], nzcv: nzcvFlags("NZCV"), 1,
                        flags: 0),
        InstructionCase("adds w0, w1, w2, uxtb", 0x2B22_0020, [1: 0xFFFF_FF01, 2: 0x1FF], 0, flags: nzcvFlags("ZC")),
        InstructionCase("add x0, x1, w2, sxtw #4", 0x8B22_D020, [1: 0x100, 2: 0x8000_0000], 0xFFFF_FFF8_0000_0100),
    ]

    static let withCarry: [InstructionCase] = [
        InstructionCase("adc x0, x1, x2 (C set)", 0x9A02_0020, [1: 1, 2: 2], nzcv: nzcvFlags("C"), 4),
        InstructionCase("adc x0, x1, x2 (C clear)", 0x9A02_0020, [1: 1, 2: 2], 3),
        InstructionCase("adcs x0, x1, x2", 0xBA02_0020, [1: minus1, 2: 0], nzcv: nzcvFlags("C"), 0, flags: nzcvFlags("ZC")),
        InstructionCase("adcs w0, w1, w2", 0x3A02_0020, [1: 0x7FFF_FFFF, 2: 0], nzcv: nzcvFlags("C"), 0x8000_0000,
                        flags: nzcvFlags("NV")),
        InstructionCase("sbc x0, x1, x2 (C set: no borrow)", 0xDA02_0020, [1: 5, 2: 3], nzcv: nzcvFlags("C"), 2),
        InstructionCase("sbc x0, x1, x2 (C clear: borrow)", 0xDA02_0020, [1: 5, 2: 3], 1),
        InstructionCase("sbcs w0, w1, w2", 0x7A02_0020, [1: 0, 2: 0], 0xFFFF_FFFF, flags: nzcvFlags("N")),
        InstructionCase("ngc x0, x1", 0xDA01_03E0, [1: 0], nzcv: nzcvFlags("C"), 0),
    ]

    @Test(arguments: shifted) func addSubtractShiftedRegister(_ c: InstructionCase) { check(c) }
    @Test(arguments: extended) func addSubtractExtendedRegister(_ c: InstructionCase) { check(c) }
    @Test(arguments: withCarry) func addSubtractWithCarry(_ c: InstructionCase) { check(c) }
}

@Suite struct ConditionalTests {
    // Conditional compare writes no register: X1 is checked to be unchanged.
    static let compare: [InstructionCase] = [
        InstructionCase("ccmp x1, x2, #0, eq (holds)", 0xFA42_0020, [1: 5, 2: 5], nzcv: nzcvFlags("Z"), rd: 1, 5,
                        flags: nzcvFlags("ZC")),
        InstructionCase("ccmp x1, x2, #10, eq (fails: flags = #10)", 0xFA42_002A, [1: 5, 2: 5], rd: 1, 5,
                        flags: nzcvFlags("NC")),
        InstructionCase("ccmn x1, #1, #0, ne (holds)", 0xBA41_1820, [1: minus1], rd: 1, minus1, flags: nzcvFlags("ZC")),
        InstructionCase("ccmp w1, #31, #0, al", 0x7A5F_E820, [1: 0x1_0000_001F], nzcv: nzcvFlags("NV"), rd: 1,
                        0x1_0000_001F, flags: nzcvFlags("ZC")),
        InstructionCase("ccmp x1, #3, #4, hs (fails)", 0xFA43_2824, [1: 2], nzcv: nzcvFlags("N"), rd: 1, 2,
                        flags: nzcvFlags("Z")),
        InstructionCase("ccmp x1, #3, #4, hs (holds)", 0xFA43_2824, [1: 2], nzcv: nzcvFlags("C"), rd: 1, 2,
                        flags: nzcvFlags("N")),
    ]

    static let select: [InstructionCase] = [
        InstructionCase("csel x0, x1, x2, eq (holds)", 0x9A82_0020, [1: 0x111, 2: 0x222], nzcv: nzcvFlags("Z"), 0x111),
        InstructionCase("csel x0, x1, x2, eq (fails)", 0x9A82_0020, [1: 0x111, 2: 0x222], 0x222),
        InstructionCase("csinc x0, x1, x2, ne (fails)", 0x9A82_1420, [1: 0x111, 2: 0x222], nzcv: nzcvFlags("Z"), 0x223),
        InstructionCase("csinc x0, x1, x2, ne (fails, wraps)", 0x9A82_1420, [1: 0x111, 2: minus1], nzcv: nzcvFlags("Z"),
                        0),
        InstructionCase("csinc x0, x1, x2, ne (holds)", 0x9A82_1420, [1: 0x111, 2: 0x222], 0x111),
        InstructionCase("cset w0, eq (Z)", 0x1A9F_17E0, [0: minus1], nzcv: nzcvFlags("Z"), 1),
        InstructionCase("cset w0, eq (!Z)", 0x1A9F_17E0, [0: minus1], 0),
        InstructionCase("csetm x0, lt (N != V)", 0xDA9F_A3E0, nzcv: nzcvFlags("N"), minus1),
        InstructionCase("csetm x0, lt (N == V)", 0xDA9F_A3E0, [0: 7], nzcv: nzcvFlags("NV"), 0),
        InstructionCase("csinv w0, w1, w2, mi (fails)", 0x5A82_4020, [1: 1, 2: 0xFFFF], 0xFFFF_0000),
        InstructionCase("csneg x0, x1, x2, ge (fails)", 0xDA82_A420, [1: 1, 2: 5], nzcv: nzcvFlags("N"),
                        0xFFFF_FFFF_FFFF_FFFB),
        InstructionCase("csel w0, w1, w2, al (upper half zeroed)", 0x1A82_E020, [1: 0xFFFF_FFFF_1234_5678],
                        0x1234_5678),
        InstructionCase("cneg x0, x1, vs (V)", 0xDA81_7420, [1: 1], nzcv: nzcvFlags("V"), minus1),
        InstructionCase("cneg x0, x1, vs (!V)", 0xDA81_7420, [1: 1], 1),
        InstructionCase("csinc w0, w1, w2, eq (fails, wraps in 32 bits)", 0x1A82_0420, [1: 7, 2: 0xFFFF_FFFF], 0),
        InstructionCase("csneg w0, w1, w2, ne (fails)", 0x5A82_1420, [1: 7, 2: 1], nzcv: nzcvFlags("Z"), 0xFFFF_FFFF),
    ]

    @Test(arguments: compare) func conditionalCompare(_ c: InstructionCase) { check(c) }
    @Test(arguments: select) func conditionalSelect(_ c: InstructionCase) { check(c) }
}

@Suite struct DataProcessingSourceTests {
    static let twoSourceCases: [InstructionCase] = [
        InstructionCase("udiv x0, x1, x2", 0x9AC2_0820, [1: 100, 2: 7], 14),
        InstructionCase("udiv x0, x1, x2 (by zero)", 0x9AC2_0820, [0: 9, 1: 100, 2: 0], 0),
        InstructionCase("udiv w0, w1, w2 (Xn<63:32> ignored)", 0x1AC2_0820, [1: 0x1_FFFF_FFFF, 2: 2], 0x7FFF_FFFF),
        InstructionCase("sdiv x0, x1, x2 (rounds towards zero)", 0x9AC2_0C20, [1: UInt64(bitPattern: -7), 2: 2],
                        UInt64(bitPattern: -3)),
        InstructionCase("sdiv x0, x1, x2 (positive by negative)", 0x9AC2_0C20, [1: 7, 2: UInt64(bitPattern: -2)],
                        UInt64(bitPattern: -3)),
        InstructionCase("sdiv x0, x1, x2 (INT64_MIN / -1)", 0x9AC2_0C20, [1: int64Min, 2: minus1], int64Min),
        InstructionCase("sdiv x0, x1, x2 (by zero)", 0x9AC2_0C20, [0: 9, 1: 5, 2: 0], 0),
        InstructionCase("sdiv w0, w1, w2 (INT32_MIN / -1)", 0x1AC2_0C20, [1: 0x8000_0000, 2: 0xFFFF_FFFF],
                        0x8000_0000),
        InstructionCase("sdiv w0, w1, w2 (-7 / 2)", 0x1AC2_0C20, [1: 0x5555_5555_FFFF_FFF9, 2: 2], 0xFFFF_FFFD),
        InstructionCase("lslv x0, x1, x2 (amount mod 64)", 0x9AC2_2020, [1: 3, 2: 65], 6),
        InstructionCase("lsrv w0, w1, w2 (amount mod 32)", 0x1AC2_2420, [1: 0x8000_0000, 2: 33], 0x4000_0000),
        InstructionCase("asrv x0, x1, x2", 0x9AC2_2820, [1: int64Min, 2: 63], minus1),
        InstructionCase("asrv w0, w1, w2", 0x1AC2_2820, [1: 0x8000_0000, 2: 4], 0xF800_0000),
        InstructionCase("rorv w0, w1, w2", 0x1AC2_2C20, [1: 1, 2: 1], 0x8000_0000),
        InstructionCase("rorv x0, x1, x2 (by 64 is by 0)", 0x9AC2_2C20, [1: 1, 2: 64], 1),
        InstructionCase("rorv x0, x1, x2", 0x9AC2_2C20, [1: 1, 2: 4], 0x1000_0000_0000_0000),
    ]

    static let oneSourceCases: [InstructionCase] = [
        InstructionCase("rbit x0, x1", 0xDAC0_0020, [1: 0x0123_4567_89AB_CDEF], 0xF7B3_D591_E6A2_C480),
        InstructionCase("rbit x0, x1 (bit 0)", 0xDAC0_0020, [1: 3], 0xC000_0000_0000_0000),
        InstructionCase("rbit w0, w1", 0x5AC0_0020, [1: 0xFFFF_FFFF_0000_0001], 0x8000_0000),
        InstructionCase("rev16 x0, x1", 0xDAC0_0420, [1: 0x0011_2233_4455_6677], 0x1100_3322_5544_7766),
        InstructionCase("rev16 w0, w1", 0x5AC0_0420, [1: 0xFFFF_FFFF_AABB_CCDD], 0xBBAA_DDCC),
        InstructionCase("rev32 x0, x1", 0xDAC0_0820, [1: 0x0011_2233_4455_6677], 0x3322_1100_7766_5544),
        InstructionCase("rev x0, x1", 0xDAC0_0C20, [1: 0x0011_2233_4455_6677], 0x7766_5544_3322_1100),
        InstructionCase("rev w0, w1", 0x5AC0_0820, [1: 0xFFFF_FFFF_1122_3344], 0x4433_2211),
        InstructionCase("clz x0, x1 (zero)", 0xDAC0_1020, [1: 0], 64),
        InstructionCase("clz x0, x1 (one)", 0xDAC0_1020, [1: 1], 63),
        InstructionCase("clz x0, x1 (top bit)", 0xDAC0_1020, [1: int64Min], 0),
        InstructionCase("clz w0, w1 (zero)", 0x5AC0_1020, [1: 0xFFFF_FFFF_0000_0000], 32),
        InstructionCase("clz w0, w1", 0x5AC0_1020, [1: 0x1_0000], 15),
        InstructionCase("cls x0, x1 (zero)", 0xDAC0_1420, [1: 0], 63),
        InstructionCase("cls x0, x1 (minus one)", 0xDAC0_1420, [1: minus1], 63),
        InstructionCase("cls x0, x1 (0x4000...)", 0xDAC0_1420, [1: 0x4000_0000_0000_0000], 0),
        InstructionCase("cls x0, x1 (0x8000...)", 0xDAC0_1420, [1: int64Min], 0),
        InstructionCase("cls x0, x1 (0xC000...)", 0xDAC0_1420, [1: 0xC000_0000_0000_0000], 1),
        InstructionCase("cls x0, x1 (one)", 0xDAC0_1420, [1: 1], 62),
        InstructionCase("cls w0, w1 (zero)", 0x5AC0_1420, [1: 0xFFFF_FFFF_0000_0000], 31),
        InstructionCase("cls w0, w1 (minus one)", 0x5AC0_1420, [1: 0xFFFF_FFFF], 31),
        InstructionCase("cls w0, w1 (0x8000)", 0x5AC0_1420, [1: 0x8000], 15),
        InstructionCase("cls w0, w1 (0xFFFF0000)", 0x5AC0_1420, [1: 0xFFFF_0000], 15),
    ]

    static let threeSourceCases: [InstructionCase] = [
        InstructionCase("madd x0, x1, x2, x3", 0x9B02_0C20, [1: 4, 2: 5, 3: 3], 23),
        InstructionCase("msub x0, x1, x2, x3", 0x9B02_8C20, [1: 4, 2: 5, 3: 3], UInt64(bitPattern: -17)),
        InstructionCase("madd w0, w1, w2, w3 (truncated)", 0x1B02_0C20, [1: 0xFFFF_FFFF, 2: 2, 3: 0x1_0000_0003], 1),
        InstructionCase("mul w0, w1, w2 (overflows to zero)", 0x1B02_7C20, [1: 0x10000, 2: 0x10000], 0),
        InstructionCase("mneg x0, x1, x2", 0x9B02_FC20, [1: 3, 2: 4], UInt64(bitPattern: -12)),
        InstructionCase("smull x0, w1, w2", 0x9B22_7C20, [1: 0xFFFF_FFFE, 2: 3], UInt64(bitPattern: -6)),
        InstructionCase("umull x0, w1, w2", 0x9BA2_7C20, [1: 0xFFFF_FFFF, 2: 0xFFFF_FFFF], 0xFFFF_FFFE_0000_0001),
        InstructionCase("smaddl x0, w1, w2, x3", 0x9B22_0C20, [1: 0xFFFF_FFFE, 2: 3, 3: 10], 4),
        InstructionCase("smsubl x0, w1, w2, x3", 0x9B22_8C20, [1: 0xFFFF_FFFE, 2: 3, 3: 10], 16),
        InstructionCase("umsubl x0, w1, w2, x3 (Xn<63:32> ignored)", 0x9BA2_8C20, [1: 0x1_0000_0003, 2: 4, 3: 100],
                        88),
        InstructionCase("smulh x0, x1, x2 (-1 * 1)", 0x9B42_7C20, [1: minus1, 2: 1], minus1),
        InstructionCase("smulh x0, x1, x2 (2^62 * 4)", 0x9B42_7C20, [1: 1 << 62, 2: 4], 1),
        InstructionCase("smulh x0, x1, x2 (MIN * MIN)", 0x9B42_7C20, [1: int64Min, 2: int64Min],
                        0x4000_0000_0000_0000),
        InstructionCase("umulh x0, x1, x2", 0x9BC2_7C20, [1: minus1, 2: minus1], 0xFFFF_FFFF_FFFF_FFFE),
        InstructionCase("umulh x0, x1, x2 (2^63 * 2)", 0x9BC2_7C20, [1: int64Min, 2: 2], 1),
    ]

    @Test(arguments: twoSourceCases) func twoSource(_ c: InstructionCase) { check(c) }
    @Test(arguments: oneSourceCases) func oneSource(_ c: InstructionCase) { check(c) }
    @Test(arguments: threeSourceCases) func threeSource(_ c: InstructionCase) { check(c) }
}

@Suite struct DataProcessingRegisterUndefinedTests {
    @Test(arguments: [
        UInt32(0x0A02_8020), // AND (shifted register), 32-bit with imm6 = 32
        0x8BC2_0020,         // ADD (shifted register) with shift = 11
        0x0B02_8020,         // ADD (shifted register), 32-bit with imm6 = 32
        0x8B22_1420,         // ADD (extended register) with imm3 = 5
        0x8B62_0020,         // ADD (extended register) with opt = 01
        0xBA00_8402,         // RMIF (FEAT_FlagM)
        0x3A00_080D,         // SETF8 (FEAT_FlagM)
        0x9A22_0020,         // op1 = 1, op2 = 0001: unallocated
        0xDA42_0020,         // CCMP with S = 0
        0xFA42_0420,         // CCMP with o2 = 1
        0xFA42_0030,         // CCMP with o3 = 1
        0xBA82_0020,         // CSEL with S = 1
        0x9A82_0820,         // CSEL with op2<1> = 1
        0x1AC2_4020,         // CRC32B (optional in Armv8.0, not implemented)
        0x9AC2_5C20,         // CRC32CX
        0x9AC2_0020,         // SUBP (FEAT_MTE)
        0x9ADF_1020,         // IRG (FEAT_MTE)
        0x9AC2_3020,         // PACGA (FEAT_PAuth)
        0xBAC2_0820,         // 2-source with S = 1
        0xDAC1_0020,         // PACIA (FEAT_PAuth)
        0xFAC0_0020,         // 1-source with S = 1
        0x5AC0_0C20,         // REV (opcode 000011), 32-bit
        0xDAC0_1820,         // 1-source opcode 000110 (CTZ, FEAT_CSSC)
        0x9B42_FC20,         // SMULH with o0 = 1
        0x1B22_0C20,         // SMADDL, 32-bit
        0xBB02_0C20,         // 3-source with op54 = 01
        0x9B62_0C20,         // 3-source with op31 = 011
        0x9BE2_7C20,         // 3-source with op31 = 111
    ])
    func reservedEncodingIsUndefined(_ word: UInt32) {
        #expect(CPUTestRig.runExpectingUndefined(word))
    }

    /// The check above must be able to fail: an allocated instruction does not look UNDEFINED.
    @Test(arguments: [UInt32(0x8B02_0C20), 0x9100_0420, 0x9B02_0C20])
    func allocatedEncodingIsNotUndefined(_ word: UInt32) {
        #expect(!CPUTestRig.runExpectingUndefined(word))
    }
}
