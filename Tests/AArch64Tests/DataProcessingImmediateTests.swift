import Testing
@testable import AArch64

// Data processing — immediate (Arm ARM C4.1.86). Encodings are from the Arm ARM field layouts
// (checked against an assembler); expected values are worked out by hand from the pseudocode.

private let minus1: UInt64 = 0xFFFF_FFFF_FFFF_FFFF
private let stack: UInt64 = 0x4000_3000

@Suite struct AddSubtractImmediateTests {
    static let cases: [InstructionCase] = [
        InstructionCase("add x0, x1, #1", 0x9100_0420, [1: 5], 6),
        InstructionCase("add x0, x1, #1, lsl #12", 0x9140_0420, [1: 0], 0x1000),
        InstructionCase("add w0, w1, #1 (wraps, upper half zeroed)", 0x1100_0420, [1: minus1], 0),
        InstructionCase("add w0, w1, #1 (ignores Xn<63:32>)", 0x1100_0420, [1: 0x1234_5678_0000_0001], 2),
        InstructionCase("sub sp, sp, #16", 0xD100_43FF, [31: 0x4000_1000], rd: 31, 0x4000_0FF0),
        InstructionCase("mov x0, sp", 0x9100_03E0, [31: 0x4000_2000], 0x4000_2000),
        InstructionCase("adds x0, x1, #1 (carry out, zero)", 0xB100_0420, [1: minus1], 0, flags: nzcvFlags("ZC")),
        InstructionCase("adds x0, x1, #1 (signed overflow)", 0xB100_0420, [1: 0x7FFF_FFFF_FFFF_FFFF],
                        0x8000_0000_0000_0000, flags: nzcvFlags("NV")),
        InstructionCase("adds x0, sp, #1 (Rn is SP, flags cleared)", 0xB100_07E0, [31: 0x10], nzcv: nzcvFlags("NZCV"),
                        0x11, flags: 0),
        InstructionCase("subs x0, x1, #1 (borrow)", 0xF100_0420, [1: 0], minus1, flags: nzcvFlags("N")),
        InstructionCase("subs x0, x1, #1 (equal: Z and no borrow)", 0xF100_0420, [1: 1], 0, flags: nzcvFlags("ZC")),
        InstructionCase("subs x0, x1, #1 (signed overflow)", 0xF100_0420, [1: 0x8000_0000_0000_0000],
                        0x7FFF_FFFF_FFFF_FFFF, flags: nzcvFlags("CV")),
        InstructionCase("cmp x1, #5 (less; writes XZR, not SP)", 0xF100_143F, [1: 3, 31: stack], rd: 31, stack,
                        flags: nzcvFlags("N")),
        InstructionCase("cmp x1, #5 (equal)", 0xF100_143F, [1: 5, 31: stack], rd: 31, stack, flags: nzcvFlags("ZC")),
        InstructionCase("cmp x1, #5 (greater)", 0xF100_143F, [1: 7, 31: stack], rd: 31, stack, flags: nzcvFlags("C")),
        InstructionCase("subs w0, w1, #1 (32-bit signed overflow)", 0x7100_0420, [1: 0x8000_0000],
                        0x7FFF_FFFF, flags: nzcvFlags("CV")),
        InstructionCase("subs w0, w1, #1 (32-bit borrow, Xn<63:32> ignored)", 0x7100_0420,
                        [1: 0xFFFF_FFFF_0000_0000], 0xFFFF_FFFF, flags: nzcvFlags("N")),
        InstructionCase("cmn w1, #1 (32-bit carry out)", 0x3100_043F, [1: 0xFFFF_FFFF, 31: stack], rd: 31, stack,
                        flags: nzcvFlags("ZC")),
    ]

    @Test(arguments: cases) func addSubtractImmediate(_ c: InstructionCase) {
        let r = c.execute()
        #expect(r.value == c.expected)
        #expect(r.nzcv == (c.expectedNZCV ?? c.nzcv))
        #expect(r.advanced)
    }
}

@Suite struct LogicalImmediateTests {
    static let cases: [InstructionCase] = [
        InstructionCase("and x0, x1, #0xff", 0x9240_1C20, [1: 0x1234], 0x34),
        InstructionCase("orr x0, xzr, #0x5555555555555555 (2-bit element)", 0xB200_F3E0, [0: 7],
                        0x5555_5555_5555_5555),
        InstructionCase("orr w0, wzr, #0xf0f0f0f0 (8-bit element, rotated)", 0x3204_CFE0, [0: minus1], 0xF0F0_F0F0),
        InstructionCase("orr w0, w1, #0xf0f0f0f0 (upper half zeroed)", 0x3204_CC20, [1: 0xFFFF_FFFF_0000_000F],
                        0xF0F0_F0FF),
        InstructionCase("eor x0, x1, #0xffff0000ffff0000 (32-bit element)", 0xD210_3C20,
                        [1: 0x1234_5678_9ABC_DEF0], 0xEDCB_5678_6543_DEF0),
        InstructionCase("and x0, x1, #0x0ff00ff00ff00ff0 (16-bit element, rotated)", 0x920C_9C20, [1: minus1],
                        0x0FF0_0FF0_0FF0_0FF0),
        InstructionCase("and w0, w1, #1", 0x1200_0020, [1: minus1], 1),
        InstructionCase("ands x0, x1, #0x8000000000000000 (N, C and V cleared)", 0xF241_0020,
                        [1: 0x8000_0000_0000_0001], nzcv: nzcvFlags("CV"), 0x8000_0000_0000_0000, flags: nzcvFlags("N")),
        InstructionCase("tst w1, #1 (writes WZR, not SP)", 0x7200_003F, [1: 2, 31: stack], nzcv: nzcvFlags("NCV"),
                        rd: 31, stack, flags: nzcvFlags("Z")),
        InstructionCase("orr sp, x1, #0xf", 0xB240_0C3F, [1: 0x4000_0000], rd: 31, 0x4000_000F),
    ]

    @Test(arguments: cases) func logicalImmediate(_ c: InstructionCase) {
        let r = c.execute()
        #expect(r.value == c.expected)
        #expect(r.nzcv == (c.expectedNZCV ?? c.nzcv))
    }

    /// DecodeBitMasks on its own: element sizes 2 to 64, rotations, and every reserved form.
    @Test func decodeBitMasks() {
        // N=1, immr=0, imms=0: one bit in a 64-bit element.
        #expect(decodeLogicalImmediate(n: 1, immr: 0, imms: 0, is64: true) == 1)
        // N=1, imms=62: 63 ones, rotated right by 1 → everything but bit 62.
        #expect(decodeLogicalImmediate(n: 1, immr: 1, imms: 62, is64: true) == 0xBFFF_FFFF_FFFF_FFFF)
        // N=0, imms=0b111100: 2-bit element "01".
        #expect(decodeLogicalImmediate(n: 0, immr: 0, imms: 0b11_1100, is64: true) == 0x5555_5555_5555_5555)
        // N=0, imms=0b0_00111 (32-bit element, 8 ones), immr=8 → 0xFF000000 in each half.
        #expect(decodeLogicalImmediate(n: 0, immr: 8, imms: 0b00_0111, is64: true) == 0xFF00_0000_FF00_0000)
        #expect(decodeLogicalImmediate(n: 0, immr: 8, imms: 0b00_0111, is64: false) == 0xFF00_0000)
        // Reserved: N:NOT(imms) = 0 (no element size), and a run filling its whole element.
        #expect(decodeLogicalImmediate(n: 0, immr: 0, imms: 0b11_1111, is64: true) == nil)
        #expect(decodeLogicalImmediate(n: 0, immr: 0, imms: 0b11_1101, is64: true) == nil)
        #expect(decodeLogicalImmediate(n: 0, immr: 0, imms: 0b01_1111, is64: true) == nil)
        #expect(decodeLogicalImmediate(n: 1, immr: 0, imms: 0b11_1111, is64: true) == nil)
    }
}

@Suite struct MoveWideTests {
    static let cases: [InstructionCase] = [
        InstructionCase("movz x0, #0x1234, lsl #16", 0xD2A2_4680, [0: minus1], 0x1234_0000),
        InstructionCase("movz x0, #0xffff, lsl #48", 0xD2FF_FFE0, [:], 0xFFFF_0000_0000_0000),
        InstructionCase("movn x0, #0", 0x9280_0000, [:], minus1),
        InstructionCase("movn w0, #0", 0x1280_0000, [:], 0xFFFF_FFFF),
        InstructionCase("movn w0, #0x1234, lsl #16", 0x12A2_4680, [:], 0xEDCB_FFFF),
        InstructionCase("movk x0, #0xbeef, lsl #48", 0xF2F7_DDE0, [0: 0x1111_2222_3333_4444], 0xBEEF_2222_3333_4444),
        InstructionCase("movk w0, #0xbeef, lsl #16 (upper half zeroed)", 0x72B7_DDE0, [0: 0xFFFF_FFFF_1234_5678],
                        0xBEEF_5678),
    ]

    @Test(arguments: cases) func moveWide(_ c: InstructionCase) {
        #expect(c.execute().value == c.expected)
    }
}

@Suite struct BitfieldTests {
    static let cases: [InstructionCase] = [
        InstructionCase("lsl x0, x1, #4", 0xD37C_EC20, [1: 0xF000_0000_0000_0001], 0x10),
        InstructionCase("lsr x0, x1, #4", 0xD344_FC20, [1: 0xF000_0000_0000_0001], 0x0F00_0000_0000_0000),
        InstructionCase("asr x0, x1, #4", 0x9344_FC20, [1: 0xF000_0000_0000_0001], 0xFF00_0000_0000_0000),
        InstructionCase("asr w0, w1, #31", 0x131F_7C20, [1: 0x8000_0000], 0xFFFF_FFFF),
        InstructionCase("lsl w0, w1, #31", 0x5301_0020, [1: 3], 0x8000_0000),
        InstructionCase("lsr w0, w1, #4 (Xn<63:32> ignored)", 0x5304_7C20, [1: 0xFFFF_FFFF_8000_0000], 0x0800_0000),
        InstructionCase("sxtb x0, w1", 0x9340_1C20, [1: 0x80], 0xFFFF_FFFF_FFFF_FF80),
        InstructionCase("sxth w0, w1", 0x1300_3C20, [1: 0x8000], 0xFFFF_8000),
        InstructionCase("sxtw x0, w1", 0x9340_7C20, [1: 0x1_8000_0000], 0xFFFF_FFFF_8000_0000),
        InstructionCase("uxtb w0, w1", 0x5300_1C20, [1: 0x1FF], 0xFF),
        InstructionCase("uxth w0, w1", 0x5300_3C20, [1: 0xFFFF_FFFF_1234_5678], 0x5678),
        InstructionCase("bfi x0, x1, #8, #4", 0xB378_0C20, [0: minus1, 1: 0x5], 0xFFFF_FFFF_FFFF_F5FF),
        InstructionCase("bfi w0, w1, #28, #4 (upper half zeroed)", 0x3304_0C20, [0: 0xFFFF_FFFF_0000_0000, 1: 0xA],
                        0xA000_0000),
        InstructionCase("bfxil x0, x1, #4, #8", 0xB344_2C20, [0: minus1, 1: 0xAB0], 0xFFFF_FFFF_FFFF_FFAB),
        InstructionCase("bfc x0, #4, #8 (bfi from xzr)", 0xB37C_1FE0, [0: minus1], 0xFFFF_FFFF_FFFF_F00F),
        InstructionCase("ubfx x0, x1, #60, #4", 0xD37C_FC20, [1: 0xA000_0000_0000_0000], 0xA),
        InstructionCase("sbfx x0, x1, #4, #4", 0x9344_1C20, [1: 0x80], 0xFFFF_FFFF_FFFF_FFF8),
        InstructionCase("sbfx w0, w1, #8, #8", 0x1308_3C20, [1: 0x8000], 0xFFFF_FF80),
        InstructionCase("ubfiz x0, x1, #32, #16", 0xD360_3C20, [1: 0xFFFF_FFFF_FFFF_1234], 0x0000_1234_0000_0000),
        InstructionCase("sbfiz x0, x1, #4, #8", 0x937C_1C20, [1: 0x80], 0xFFFF_FFFF_FFFF_F800),
    ]

    @Test(arguments: cases) func bitfield(_ c: InstructionCase) {
        #expect(c.execute().value == c.expected)
    }
}

@Suite struct ExtractTests {
    static let cases: [InstructionCase] = [
        InstructionCase("extr x0, x1, x2, #8", 0x93C2_2020, [1: 0x11, 2: 0x2233_4455_6677_8899], 0x1122_3344_5566_7788),
        InstructionCase("extr w0, w1, w2, #8", 0x1382_2020, [1: 0xFFFF_FFFF_0000_0011, 2: 0x2233_4455], 0x1122_3344),
        InstructionCase("ror x0, x1, #4", 0x93C1_1020, [1: 1], 0x1000_0000_0000_0000),
        InstructionCase("extr x0, x1, x2, #0", 0x93C2_0020, [1: 5, 2: 7], 7),
    ]

    @Test(arguments: cases) func extract(_ c: InstructionCase) {
        #expect(c.execute().value == c.expected)
    }
}

@Suite struct PCRelativeAddressingTests {
    @Test(arguments: [
        // (assembly, word, pc, expected X0)
        ("adr x0, #0x100", UInt32(0x1000_0800), UInt64(0x4000_0000), UInt64(0x4000_0100)),
        ("adr x0, #-4", 0x10FF_FFE0, 0x4000_0010, 0x4000_000C),
        ("adrp x0, #0x1000", 0xB000_0000, 0x4000_0ABC, 0x4000_1000),
        ("adrp x0, #-0x1000", 0xF0FF_FFE0, 0x4000_1ABC, 0x4000_0000),
    ])
    func pcRelative(_ assembly: String, _ word: UInt32, _ pc: UInt64, _ expected: UInt64) {
        let cpu = runInstructions([word], at: pc)
        #expect(cpu.x(0) == expected)
        #expect(cpu.pc == pc + 4)
    }
}

@Suite struct DataProcessingImmediateUndefinedTests {
    @Test(arguments: [
        UInt32(0x1240_0020), // AND (immediate), 32-bit with N = 1
        0x9200_FC20,         // AND (immediate), N = 0 and imms = 0b111111: no element size
        0x9200_F420,         // AND (immediate), 2-bit element of all ones
        0x9240_FC20,         // AND (immediate), 64-bit element of all ones
        0x9180_0000,         // ADDG (FEAT_MTE): add/subtract immediate with tags
        0x3280_0000,         // move wide with opc = 01
        0x52C0_0000,         // MOVZ, 32-bit with hw = 2
        0x1340_0020,         // SBFM, 32-bit with N = 1
        0x9300_0020,         // SBFM, 64-bit with N = 0
        0x1320_0020,         // SBFM, 32-bit with immr = 32
        0x1300_8020,         // SBFM, 32-bit with imms = 32
        0x7300_0020,         // bitfield with opc = 11
        0x9380_0020,         // EXTR, 64-bit with N = 0
        0x1380_8020,         // EXTR, 32-bit with lsb = 32
        0xB3C0_0020,         // EXTR with op21 = 01
        0x93E0_0020,         // EXTR with o0 = 1
    ])
    func reservedEncodingIsUndefined(_ word: UInt32) {
        #expect(CPUTestRig.runExpectingUndefined(word))
    }
}

/// SBFM/BFM/UBFM exactly as the Arm ARM pseudocode states them, with DecodeBitMasks building
/// wmask and tmask bit by bit.
private func referenceBitfield(opc: UInt32, is64: Bool, immr: Int, imms: Int, source: UInt64,
                               destination: UInt64) -> UInt64 {
    let size = is64 ? 64 : 32
    func bit(_ v: UInt64, _ i: Int) -> UInt64 { (v >> UInt64(i)) & 1 }
    func ror(_ v: UInt64, _ amount: Int) -> UInt64 {
        var out: UInt64 = 0
        for i in 0..<size where bit(v, (i + amount) % size) == 1 { out |= 1 << UInt64(i) }
        return out
    }
    var wmask: UInt64 = 0
    for i in 0...imms { wmask |= 1 << UInt64(i) }
    wmask = ror(wmask, immr)
    var tmask: UInt64 = 0
    for i in 0...((imms - immr + size) % size) { tmask |= 1 << UInt64(i) }
    let dst = opc == 1 ? destination : 0
    let bot = (dst & ~wmask) | (ror(source, immr) & wmask)
    let top: UInt64 = opc == 0 ? (bit(source, imms) == 1 ? ~0 : 0) : dst
    let mask: UInt64 = is64 ? ~0 : 0xFFFF_FFFF
    return ((top & ~tmask) | (bot & tmask)) & mask
}

@Suite struct BitfieldExhaustiveTests {
    /// Every immr/imms of SBFM, BFM and UBFM, 32- and 64-bit, against the literal pseudocode.
    @Test(arguments: [(UInt32(0), true), (0, false), (1, true), (1, false), (2, true), (2, false)])
    func everyImmediateMatchesThePseudocode(_ opc: UInt32, _ is64: Bool) {
        let rig = CPUTestRig()
        let size = is64 ? 64 : 32
        let sources: [UInt64] = [0x8123_4567_89AB_CDEF, 0x7EDC_BA98_7654_3210]
        let destination: UInt64 = 0xA5A5_5A5A_C3C3_3C3C
        var mismatches = 0
        for immr in 0..<size {
            for imms in 0..<size {
                let sf: UInt32 = is64 ? 1 : 0
                // SBFM/BFM/UBFM X0, X1, #immr, #imms
                let word = sf << 31 | opc << 29 | 0x1300_0000 | sf << 22 | UInt32(immr) << 16
                    | UInt32(imms) << 10 | 1 << 5
                rig.load([word])
                for source in sources {
                    rig.set([0: destination, 1: source])
                    rig.cpu.pc = CPUTestRig.ramBase
                    rig.run(1)
                    let expected = referenceBitfield(opc: opc, is64: is64, immr: immr, imms: imms,
                                                     source: is64 ? source : source & 0xFFFF_FFFF,
                                                     destination: destination)
                    if rig.cpu.x(0) != expected { mismatches += 1 }
                }
            }
        }
        #expect(mismatches == 0)
    }
}
