import Foundation
import Testing
import TestSupport

/// ISA differential test: random integer instruction streams (see `InstructionGenerator` for
/// what is covered and what is excluded as UNPREDICTABLE / IMPLEMENTATION DEFINED) run from
/// random register and NZCV states on ArmVM and on Unicorn (tools/unicorn_oracle.py), then
/// every X register, SP, NZCV, PC and the scratch memory are compared.
///
/// Needs `python3 -m pip install unicorn`; without it the test fails saying so.
@Suite struct DifferentialTests {
    /// Two fixed seeds: each gives 1000 cases of at least 100 instructions.
    static let seeds: [UInt64] = [0xA64_D1FF, 0x5EED_0002]
    static let caseCount = 1000
    static let instructionsPerCase = 100

    static func cases(seed: UInt64 = seeds[0]) -> [DifferentialCase] {
        var generator = InstructionGenerator(seed: seed)
        return (0..<caseCount).map { generator.makeCase(index: $0, instructions: instructionsPerCase) }
    }

    /// The oracle and the protocol on a hand-written case whose result is worked out here:
    /// add x0, x1, #1; str x0, [x28]; subs x2, x0, #42; adr x3, .
    @Test func oracleRunsAHandWrittenCase() throws {
        var registers = [UInt64](repeating: 0, count: 32)
        registers[1] = 41
        registers[28] = 0x4000_0800
        registers[31] = 0x4000_0400
        let words: [UInt32] = [0x9100_0420, 0xF900_0380, 0xF100_A802, 0x1000_0003]
        let c = DifferentialCase(codeAddress: InstructionGenerator.codeBase, words: words, registers: registers,
                                 nzcv: 0x8000_0000, scratch: [UInt8](repeating: 0xEE, count: InstructionGenerator.scratchSize))
        let outcome = try UnicornOracle.run([c])
        let final = try #require(outcome.first?.final)
        #expect(outcome.first?.error == nil)
        #expect(final.x[0] == 42)
        #expect(final.x[2] == 0)
        #expect(final.x[3] == InstructionGenerator.codeBase + 12)
        #expect(final.nzcv == 0x6000_0000)   // Z and C: 42 - 42 borrows nothing
        #expect(final.pc == InstructionGenerator.codeBase + 16)
        #expect(final.sp == 0x4000_0400)
        #expect(Array(final.scratch[0x800..<0x808]) == [42, 0, 0, 0, 0, 0, 0, 0])
        #expect(final.scratch[0x808] == 0xEE)
    }

    @Test func generatedStreamIsLargeAndCoversEveryGroup() {
        let all = Self.cases().flatMap(\.words)
        #expect(all.count >= 100_000)
        // One representative encoding mask per group; each must occur.
        let groups: [(String, UInt32, UInt32)] = [
            ("add/sub immediate", 0x1F80_0000, 0x1100_0000), ("logical immediate", 0x1F80_0000, 0x1200_0000),
            ("move wide", 0x1F80_0000, 0x1280_0000), ("bitfield", 0x1F80_0000, 0x1300_0000),
            ("extract", 0x1F80_0000, 0x1380_0000), ("ADR/ADRP", 0x1F00_0000, 0x1000_0000),
            ("logical shifted", 0x1F00_0000, 0x0A00_0000), ("add/sub shifted", 0x1F20_0000, 0x0B00_0000),
            ("add/sub extended", 0x1F20_0000, 0x0B20_0000), ("ADC/SBC", 0x1FE0_0000, 0x1A00_0000),
            ("CCMP/CCMN", 0x1FE0_0000, 0x1A40_0000), ("CSEL", 0x1FE0_0000, 0x1A80_0000),
            ("1-source", 0x5FE0_0000, 0x5AC0_0000), ("2-source", 0x5FE0_0000, 0x1AC0_0000),
            ("3-source", 0x1F00_0000, 0x1B00_0000), ("load/store unsigned imm", 0x3B00_0000, 0x3900_0000),
            ("load/store register offset", 0x3B20_0C00, 0x3820_0800), ("load/store pre-index", 0x3B20_0C00, 0x3800_0C00),
            ("load/store post-index", 0x3B20_0C00, 0x3800_0400), ("load/store pair", 0x3A00_0000, 0x2800_0000),
            ("LDAR/STLR", 0x3FBF_FC00, 0x089F_FC00), ("LDR literal", 0x3B00_0000, 0x1800_0000),
            ("B.cond", 0xFF00_0010, 0x5400_0000), ("CBZ/CBNZ", 0x7E00_0000, 0x3400_0000),
            ("TBZ/TBNZ", 0x7E00_0000, 0x3600_0000), ("B/BL", 0x7C00_0000, 0x1400_0000),
            ("BR/BLR/RET", 0xFF9F_FC1F, 0xD61F_0000),
            ("LDXR/LDAXR", 0x3FFF_7C00, 0x085F_7C00), ("STXR/STLXR", 0x3FE0_7C00, 0x0800_7C00),
            ("LDXP/LDAXP", 0xBFFF_0000, 0x887F_0000), ("STXP/STLXP", 0xBFE0_0000, 0x8820_0000),
            ("MRS NZCV", 0xFFFF_FFE0, 0xD53B_4200), ("MSR NZCV", 0xFFFF_FFE0, 0xD51B_4200),
        ]
        for (name, mask, value) in groups {
            #expect(all.contains { $0 & mask == value }, "no \(name) instruction generated")
        }
    }

    @Test(arguments: seeds)
    func armVMMatchesUnicorn(seed: UInt64) throws {
        try compare(Self.cases(seed: seed), setup: nil)
    }

    private func compare(_ cases: [DifferentialCase], setup: DifferentialSetup?) throws {
        let expected = try UnicornOracle.run(cases, setup: setup)
        let runner = try ArmVMDifferentialRunner(cases, setup: setup)

        var oracleErrors: [String] = []
        var armvmErrors: [String: Int] = [:]       // message (instruction word first) -> cases
        var mismatching: [Int] = []
        for (i, c) in cases.enumerated() {
            if let error = expected[i].error {
                oracleErrors.append("case \(i): \(error)")
                continue
            }
            let actual = runner.run(c)
            if let error = actual.error {
                armvmErrors[error.replacingOccurrences(of: #"at pc 0x[0-9a-f]+"#, with: "",
                                                       options: .regularExpression), default: 0] += 1
                continue
            }
            if let a = actual.final, let e = expected[i].final, a != e { mismatching.append(i) }
        }
        if setup != nil {
            #expect(runner.cpu.sys.sctlr & 1 == 1, "the set-up code did not leave the MMU on")
        }
        if !oracleErrors.isEmpty {
            Issue.record("Unicorn could not run \(oracleErrors.count) cases (a generator bug):\n\(oracleErrors.prefix(10).joined(separator: "\n"))")
        }

        let errorReport = armvmErrors.sorted { $0.value > $1.value }.prefix(40)
            .map { "  \($0.value) cases: \($0.key)" }.joined(separator: "\n")
        if !armvmErrors.isEmpty {
            Issue.record("ArmVM stopped in \(armvmErrors.values.reduce(0, +)) of \(cases.count) cases (by instruction word):\n\(errorReport)")
        }

        if !mismatching.isEmpty {
            let report = try localise(Array(mismatching.prefix(30)), cases: cases, runner: runner, setup: setup)
            Issue.record("ArmVM and Unicorn differ in \(mismatching.count) of \(cases.count) cases; first divergences:\n\(report)")
        }
    }

    /// The same comparison with stage 1 translation on (4 KB pages, Normal memory), where
    /// unaligned loads and stores are defined and generated.
    @Test func armVMMatchesUnicornWithTheMMUOnAndUnalignedAccesses() throws {
        var generator = InstructionGenerator(seed: 0x3A11_9AED, allowsUnaligned: true)
        let cases = (0..<500).map { generator.makeCase(index: $0, instructions: Self.instructionsPerCase) }
        try compare(cases, setup: .mmuOn4K())
    }

    /// Steps the first mismatching cases on both sides and names the first instruction after
    /// which the states differ, with the fields that differ.
    private func localise(_ indices: [Int], cases: [DifferentialCase], runner: ArmVMDifferentialRunner,
                          setup: DifferentialSetup?) throws -> String {
        let subset = indices.map { cases[$0] }
        let traces = try UnicornOracle.run(subset, trace: true, setup: setup)
        var lines: [String] = []
        for (k, c) in subset.enumerated() {
            let ours = runner.run(c, trace: true).states
            let theirs = traces[k].states
            var step = 0
            while step < min(ours.count, theirs.count) && ours[step] == theirs[step] { step += 1 }
            if step == 0 {
                let diffs = ours.first.flatMap { o in theirs.first.map { o.differences(from: $0) } } ?? []
                lines.append("case \(indices[k]): the initial states differ: \(diffs.joined(separator: ", "))")
                continue
            }
            if step == ours.count && step == theirs.count {
                lines.append("case \(indices[k]): the step-by-step runs agree (the mismatch did not reproduce)")
                continue
            }
            let culpritPC = theirs[step - 1].pc
            let word = c.words.indices.contains(Int((culpritPC &- c.codeAddress) / 4))
                ? c.words[Int((culpritPC &- c.codeAddress) / 4)] : 0
            let before = theirs[step - 1]
            // The register fields of most A64 encodings (not a disassembly: a field may be an immediate).
            let inputs = [("[4:0]", 0), ("[9:5]", 5), ("[14:10]", 10), ("[20:16]", 16)].map { name, shift in
                let r = Int((word >> UInt32(shift)) & 31)
                return "\(name)=\(r)" + (r < 31 ? "(x\(r)=0x\(String(before.x[r], radix: 16)))" : "")
            }.joined(separator: " ")
            let diffs = step < ours.count && step < theirs.count
                ? ours[step].differences(from: theirs[step]).joined(separator: ", ") : "trace lengths differ"
            lines.append("case \(indices[k]): instruction 0x\(hex32(word)) (nzcv before 0x\(String(before.nzcv >> 28, radix: 16)), \(inputs), sp=0x\(String(before.sp, radix: 16))): \(diffs)")
        }
        return lines.joined(separator: "\n")
    }
}
