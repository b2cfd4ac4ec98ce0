import Testing
@testable import AArch64

// Branches (Arm ARM C4.1.87). Targets are relative to the branch's own address; the code sits
// in the middle of RAM so that negative offsets stay inside it. Encodings checked against an
// assembler.

private let branchPC = CPUTestRig.ramBase + 0x8_0000

/// One branch with its inputs and where it should leave the PC (relative to the branch).
struct BranchCase: Sendable, CustomTestStringConvertible {
    let assembly: String
    let word: UInt32
    let registers: [Int: UInt64]
    let nzcv: UInt32
    let offset: Int64

    init(_ assembly: String, _ word: UInt32, _ registers: [Int: UInt64] = [:], nzcv: UInt32 = 0,
         to offset: Int64) {
        self.assembly = assembly
        self.word = word
        self.registers = registers
        self.nzcv = nzcv
        self.offset = offset
    }

    var testDescription: String { assembly }
}

@Suite struct BranchTests {
    static let immediateCases: [BranchCase] = [
        BranchCase("b #8", 0x1400_0002, to: 8),
        BranchCase("b #-8", 0x17FF_FFFE, to: -8),
        BranchCase("b #0x7fffffc (largest forward)", 0x15FF_FFFF, to: 0x7FF_FFFC),
        BranchCase("b #-0x8000000 (largest backward)", 0x1600_0000, to: -0x800_0000),
        BranchCase("b.eq #8 (Z)", 0x5400_0040, nzcv: nzcvFlags("Z"), to: 8),
        BranchCase("b.eq #8 (!Z)", 0x5400_0040, nzcv: nzcvFlags("NCV"), to: 4),
        BranchCase("b.ne #-16 (!Z)", 0x54FF_FF81, to: -16),
        BranchCase("b.ne #-16 (Z)", 0x54FF_FF81, nzcv: nzcvFlags("Z"), to: 4),
        BranchCase("b.al #12", 0x5400_006E, nzcv: nzcvFlags("NZCV"), to: 12),
        BranchCase("b.nv #12 (NV also always holds)", 0x5400_006F, to: 12),
        BranchCase("b.lt #0xffffc (N != V)", 0x547F_FFEB, nzcv: nzcvFlags("N"), to: 0xF_FFFC),
        BranchCase("b.lt #0xffffc (N == V)", 0x547F_FFEB, nzcv: nzcvFlags("NV"), to: 4),
        BranchCase("b.gt #-0x100000 (!Z, N == V)", 0x5480_000C, to: -0x10_0000),
        BranchCase("b.gt #-0x100000 (Z)", 0x5480_000C, nzcv: nzcvFlags("Z"), to: 4),
        BranchCase("b.ge #8 (N != V)", 0x5400_004A, nzcv: nzcvFlags("V"), to: 4),
        BranchCase("b.ge #8 (N == V)", 0x5400_004A, nzcv: nzcvFlags("NV"), to: 8),
        BranchCase("b.hi #8 (C, !Z)", 0x5400_0048, nzcv: nzcvFlags("C"), to: 8),
        BranchCase("b.hi #8 (C, Z)", 0x5400_0048, nzcv: nzcvFlags("ZC"), to: 4),
        BranchCase("cbz x1, #-8 (zero)", 0xB4FF_FFC1, [1: 0], to: -8),
        BranchCase("cbz x1, #-8 (bit 63 set)", 0xB4FF_FFC1, [1: 1 << 63], to: 4),
        BranchCase("cbz w1, #8 (W1 zero, X1 not)", 0x3400_0041, [1: 1 << 32], to: 8),
        BranchCase("cbnz w1, #0x40 (W1 zero, X1 not)", 0x3500_0201, [1: 1 << 32], to: 4),
        BranchCase("cbnz x1, #0x40", 0xB500_0201, [1: 1 << 32], to: 0x40),
        BranchCase("tbz x1, #63, #12 (bit clear)", 0xB6F8_0061, [1: 0x7FFF_FFFF_FFFF_FFFF], to: 12),
        BranchCase("tbz x1, #63, #12 (bit set)", 0xB6F8_0061, [1: 1 << 63], to: 4),
        BranchCase("tbnz w1, #0, #-4 (bit set)", 0x3707_FFE1, [1: 1], to: -4),
        BranchCase("tbnz w1, #0, #-4 (bit clear)", 0x3707_FFE1, [1: 2], to: 4),
        BranchCase("tbnz x1, #32, #0x20 (bit set)", 0xB700_0101, [1: 1 << 32], to: 0x20),
        BranchCase("tbnz x1, #32, #0x20 (bit clear)", 0xB700_0101, [1: 0xFFFF_FFFF], to: 4),
        BranchCase("tbz x1, #5, #0x7ffc (largest forward)", 0x362B_FFE1, [1: 0], to: 0x7FFC),
        BranchCase("tbz x1, #5, #-0x8000 (largest backward)", 0x362C_0001, [1: 0], to: -0x8000),
    ]

    @Test(arguments: immediateCases) func branchImmediate(_ c: BranchCase) {
        let cpu = runInstructions([c.word], at: branchPC, registers: c.registers.merging([30: 0x5A5A]) { a, _ in a },
                                  nzcv: c.nzcv)
        #expect(cpu.pc == branchPC &+ UInt64(bitPattern: c.offset))
        #expect(cpu.nzcv == c.nzcv)
        #expect(cpu.x(30) == 0x5A5A)
    }

    @Test(arguments: [
        ("bl #0x100", UInt32(0x9400_0040), Int64(0x100)),
        ("bl #-0x100", 0x97FF_FFC0, -0x100),
    ])
    func branchWithLinkWritesX30(_ assembly: String, _ word: UInt32, _ offset: Int64) {
        let cpu = runInstructions([word], at: branchPC)
        #expect(cpu.pc == branchPC &+ UInt64(bitPattern: offset))
        #expect(cpu.x(30) == branchPC + 4)
    }

    @Test(arguments: [
        // (assembly, word, expected PC, expected X30); X1 = 0x4000_1234, X2 = 0x4000_2000,
        // X30 = 0x4000_5000 before.
        ("br x1", UInt32(0xD61F_0020), UInt64(0x4000_1234), UInt64(0x4000_5000)),
        ("blr x1", 0xD63F_0020, 0x4000_1234, branchPC + 4),
        ("blr x30 (target read before the link is written)", 0xD63F_03C0, 0x4000_5000, branchPC + 4),
        ("ret", 0xD65F_03C0, 0x4000_5000, 0x4000_5000),
        ("ret x2", 0xD65F_0040, 0x4000_2000, 0x4000_5000),
    ])
    func branchRegister(_ assembly: String, _ word: UInt32, _ pc: UInt64, _ x30: UInt64) {
        let cpu = runInstructions([word], at: branchPC, registers: [1: 0x4000_1234, 2: 0x4000_2000, 30: 0x4000_5000])
        #expect(cpu.pc == pc)
        #expect(cpu.x(30) == x30)
    }

    @Test(arguments: [
        UInt32(0xD61F_0001), // BR with op4 != 0
        0xD71F_0801,         // BRAA (FEAT_PAuth)
        0xD65F_0BFF,         // RETAA (FEAT_PAuth)
        0xD6BF_03E0,         // DRPS (not in Debug state)
        0xD6E0_0000,         // unconditional branch (register), opc = 0111
        0xD580_0000,         // unallocated in the branch/exception/system group
        0x5400_0010,         // BC.EQ (FEAT_HBC)
        0x5500_0000,         // conditional branch with o1 = 1
        0x5600_0000,         // unallocated (op0 = 010, op1<13> = 1)
        0x7400_0000,         // unallocated (op0 = 011)
        0xF400_0000,         // unallocated (op0 = 111)
    ])
    func reservedEncodingIsUndefined(_ word: UInt32) {
        #expect(CPUTestRig.runExpectingUndefined(word))
    }

    /// A counted loop: X0 = 10 + 9 + ... + 1 using SUBS and a backward B.NE.
    @Test func countedLoop() {
        let program: [UInt32] = [
            0xD280_0000, // movz x0, #0
            0xD280_0141, // movz x1, #10
            0x8B01_0000, // loop: add x0, x0, x1
            0xF100_0421, // subs x1, x1, #1
            0x54FF_FFC1, // b.ne loop
        ]
        let rig = CPUTestRig.run(program, steps: 2 + 10 * 3)
        #expect(rig.lastExit == .budgetExhausted)
        #expect(rig.cpu.x(0) == 55)
        #expect(rig.cpu.x(1) == 0)
        #expect(rig.cpu.nzcv == nzcvFlags("ZC"))
        #expect(rig.cpu.pc == CPUTestRig.ramBase + 20)
        #expect(rig.cpu.instructionsRetired == 32)
    }

    /// BL to a function that returns with RET.
    @Test func callAndReturn() {
        let program: [UInt32] = [
            0x9400_0003, // bl function
            0x9100_0400, // add x0, x0, #1
            0x1400_0003, // b end
            0x9100_4000, // function: add x0, x0, #0x10
            0xD65F_03C0, // ret
        ]
        let cpu = runInstructions(program, steps: 5)
        #expect(cpu.x(0) == 0x11)
        #expect(cpu.x(30) == CPUTestRig.ramBase + 4)
        #expect(cpu.pc == CPUTestRig.ramBase + 20)
    }
}
