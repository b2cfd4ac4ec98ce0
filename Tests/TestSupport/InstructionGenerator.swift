/// SplitMix64: a small deterministic generator, so every run tests the same instructions.
public struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// One differential test case: code placed at `codeAddress` and the state it starts from.
public struct DifferentialCase: Sendable {
    public var codeAddress: UInt64
    public var words: [UInt32]
    /// X0–X30, then SP.
    public var registers: [UInt64]
    /// NZCV in bits 31:28.
    public var nzcv: UInt64
    public var scratch: [UInt8]
    public var endAddress: UInt64 { codeAddress &+ UInt64(words.count) * 4 }

    public init(codeAddress: UInt64, words: [UInt32], registers: [UInt64], nzcv: UInt64, scratch: [UInt8]) {
        self.codeAddress = codeAddress
        self.words = words
        self.registers = registers
        self.nzcv = nzcv
        self.scratch = scratch
    }
}

/// The machine state compared after a case (and at every step when localising a mismatch).
public struct DifferentialState: Equatable, Sendable {
    public var x: [UInt64]          // X0–X30
    public var sp: UInt64
    public var nzcv: UInt64
    public var pc: UInt64
    public var scratch: [UInt8]

    /// Names and values of everything that differs from `other`: "x3: 0x5 (expected 0x7)".
    public func differences(from expected: DifferentialState) -> [String] {
        var out: [String] = []
        func hex(_ v: UInt64) -> String { "0x" + String(v, radix: 16) }
        for i in 0..<31 where x[i] != expected.x[i] { out.append("x\(i): \(hex(x[i])) (expected \(hex(expected.x[i])))") }
        if sp != expected.sp { out.append("sp: \(hex(sp)) (expected \(hex(expected.sp)))") }
        if nzcv != expected.nzcv { out.append("nzcv: \(hex(nzcv >> 28)) (expected \(hex(expected.nzcv >> 28)))") }
        if pc != expected.pc { out.append("pc: \(hex(pc)) (expected \(hex(expected.pc)))") }
        if let i = scratch.indices.first(where: { scratch[$0] != expected.scratch[$0] }) {
            out.append("scratch[\(hex(UInt64(i)))]: \(hex(UInt64(scratch[i]))) (expected \(hex(UInt64(expected.scratch[i]))))")
        }
        return out
    }
}

/// Generates random, architecturally well-defined A64 integer instruction streams.
///
/// Layout: X28 always holds `scratchBase + scratchSize / 2` and is never written; every load or
/// store first makes a fresh base register (`add/sub xB, x28, #off`, with xB possibly SP), so
/// every address falls inside the scratch buffer whatever the random instructions did before.
///
/// Excluded on purpose (the Arm ARM leaves them UNPREDICTABLE, CONSTRAINED UNPREDICTABLE or
/// IMPLEMENTATION DEFINED, so two correct implementations may differ):
/// - writeback loads/stores with Rn == Rt (or Rt2), and LDP with Rt == Rt2;
/// - SMULH/UMULH with Ra != 31;
/// - unaligned accesses: with the MMU off data accesses are Device memory, where the Arm ARM
///   requires an alignment fault but Unicorn (QEMU 5) performs the access; every generated
///   address is aligned to its access size and SP is 16-aligned whenever it is a base;
/// - exclusives other than an LDXR/STXR (or LDXP/STXP) pair on one address with nothing in
///   between (whether other stores clear the monitor is IMPLEMENTATION DEFINED), and LSE atomics
///   (Armv8.1; Unicorn's default CPU lacks them), CRC32 (optional in Armv8.0, not advertised
///   by ArmVM's ID registers), system instructions other than MRS/MSR NZCV and NOP, floating
///   point and SIMD;
/// - backward branches (every case ends by running off its last instruction).
public struct InstructionGenerator {
    public static let scratchBase: UInt64 = 0x4000_0000
    public static let scratchSize = 4096
    public static let codeBase: UInt64 = 0x4001_0000
    /// Each case's code gets its own address range, so no emulator sees stale decoded code.
    public static let codeStride: UInt64 = 0x1000
    static let baseRegister = 28
    static var scratchMiddle: UInt64 { scratchBase + UInt64(scratchSize / 2) }

    var rng: SplitMix64
    /// With the MMU on, RAM is Normal memory and SCTLR_EL1.A is 0, so unaligned accesses are
    /// architecturally defined: bases and offsets then take any byte alignment (except SP, and
    /// except exclusives and LDAR/STLR, which always require alignment).
    public var allowsUnaligned: Bool

    public init(seed: UInt64, allowsUnaligned: Bool = false) {
        rng = SplitMix64(seed: seed)
        self.allowsUnaligned = allowsUnaligned
    }

    // MARK: Random helpers

    mutating func int(_ n: Int) -> Int { Int(rng.next() % UInt64(n)) }
    mutating func bit() -> UInt32 { UInt32(rng.next() & 1) }
    mutating func bits(_ n: Int) -> UInt32 { UInt32(truncatingIfNeeded: rng.next()) & ((1 << n) - 1) }
    /// A source register: any of X0–X30 or 31 (XZR or SP, depending on the instruction).
    mutating func src() -> UInt32 { UInt32(int(32)) }
    /// A destination: anything but X28, the scratch base.
    mutating func dst() -> UInt32 {
        while true { let r = UInt32(int(32)); if r != 28 { return r } }
    }
    /// A general register that is neither X28 nor 31, and not in `avoid`.
    mutating func gpr(avoiding avoid: [UInt32] = []) -> UInt32 {
        while true { let r = UInt32(int(31)); if r != 28 && !avoid.contains(r) { return r } }
    }

    mutating func value() -> UInt64 {
        let interesting: [UInt64] = [0, 1, 2, 31, 32, 63, 64, 0x7F, 0x80, 0xFF, 0x7FFF, 0x8000, 0xFFFF,
                                     0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF, 0x1_0000_0000,
                                     0x7FFF_FFFF_FFFF_FFFF, 0x8000_0000_0000_0000, ~0, ~1,
                                     0xFFFF_FFFF_8000_0000, 0x0000_0000_FFFF_FFFE]
        switch int(8) {
        case 0, 1, 2: return interesting[int(interesting.count)]
        case 3: return UInt64(int(100))
        case 4: return UInt64(bitPattern: -Int64(int(100)))
        default: return rng.next()
        }
    }

    // MARK: Cases

    /// A case of about `instructions` words at the `index`th code slot.
    public mutating func makeCase(index: Int, instructions: Int) -> DifferentialCase {
        let address = Self.codeBase + UInt64(index) * Self.codeStride
        var units: [Unit] = []
        var count = 0
        while count < instructions {
            let unit = makeUnit(wordIndex: count, codeAddress: address)
            count += unit.words.count
            units.append(unit)
        }
        let words = link(units, codeAddress: address)
        var registers = (0..<31).map { _ in value() }
        registers[Self.baseRegister] = Self.scratchMiddle
        registers.append(int(4) == 0 ? Self.scratchMiddle : value())   // SP
        let scratch = (0..<Self.scratchSize).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        return DifferentialCase(codeAddress: address, words: words, registers: registers,
                                nzcv: UInt64(bits(4)) << 28, scratch: scratch)
    }

    /// Instructions that must run together (a base set-up and its load), and branches whose
    /// offset is fixed once every unit's position is known.
    struct Unit {
        var words: [UInt32]
        /// For a branch: how many following units it skips, and how to encode the offset.
        var skip = 0
        var branch: BranchKind? = nil
    }

    enum BranchKind {
        case imm19(UInt32)      // B.cond, CBZ/CBNZ: the word with imm19 = 0
        case imm14(UInt32)      // TBZ/TBNZ
        case imm26(UInt32)      // B, BL
        case adrThen(UInt32)    // ADR Xt, target; then BR/BLR/RET Xt (the second word)
    }

    func link(_ units: [Unit], codeAddress: UInt64) -> [UInt32] {
        var starts: [Int] = []
        var n = 0
        for u in units { starts.append(n); n += u.words.count }
        starts.append(n)
        var words: [UInt32] = []
        for (i, unit) in units.enumerated() {
            guard let kind = unit.branch else { words += unit.words; continue }
            let target = starts[min(i + 1 + unit.skip, units.count)]
            let here = starts[i]
            let offset = target - here   // in words, from the unit's first word
            switch kind {
            case let .imm19(w): words.append(w | (UInt32(offset) & 0x7FFFF) << 5)
            case let .imm14(w): words.append(w | (UInt32(offset) & 0x3FFF) << 5)
            case let .imm26(w): words.append(w | UInt32(offset) & 0x3FF_FFFF)
            case let .adrThen(w):
                let bytes = UInt32(offset * 4)
                let rt = w >> 5 & 31
                words.append(0x1000_0000 | (bytes & 3) << 29 | (bytes >> 2 & 0x7FFFF) << 5 | rt)
                words.append(w)
            }
        }
        return words
    }

    // MARK: Units

    mutating func makeUnit(wordIndex: Int, codeAddress: UInt64) -> Unit {
        switch int(26) {
        case 0: return Unit(words: [addSubImmediate()])
        case 1: return Unit(words: [logicalImmediate()])
        case 2: return Unit(words: [moveWide()])
        case 3: return Unit(words: [bitfield()])
        case 4: return Unit(words: [extract()])
        case 5: return Unit(words: [pcRelative()])
        case 6: return Unit(words: [logicalShifted()])
        case 7: return Unit(words: [addSubShifted()])
        case 8: return Unit(words: [addSubExtended()])
        case 9: return Unit(words: [addSubCarry()])
        case 10: return Unit(words: [conditionalCompare()])
        case 11: return Unit(words: [conditionalSelect()])
        case 12: return Unit(words: [dataProcessing1Source()])
        case 13: return Unit(words: [dataProcessing2Source()])
        case 14: return Unit(words: [dataProcessing3Source()])
        case 15, 16: return loadStoreImmediate()
        case 17: return loadStoreUnscaled()
        case 18: return loadStoreRegisterOffset()
        case 19, 20: return loadStorePair()
        case 21: return loadStoreOrdered()
        case 22: return Unit(words: [loadLiteral(wordIndex: wordIndex, codeAddress: codeAddress)])
        case 23: return exclusivePair()
        case 24: return Unit(words: [nzcvMove()])
        default: return branch()
        }
    }

    // MARK: Data processing (immediate)

    mutating func addSubImmediate() -> UInt32 {
        bit() << 31 | bit() << 30 | bit() << 29 | 0x1100_0000 | bit() << 22 | bits(12) << 10 | src() << 5 | dst()
    }

    /// AND/ORR/EOR/ANDS with a valid bitmask immediate: element size e, s+1 ones, rotated by r.
    mutating func logicalImmediate() -> UInt32 {
        let sf = bit()
        let sizes = sf == 1 ? [2, 4, 8, 16, 32, 64] : [2, 4, 8, 16, 32]
        let e = sizes[int(sizes.count)]
        let ones = 1 + int(e - 1)              // 1 ... e-1 (all ones is reserved)
        let r = UInt32(int(e))
        let n: UInt32 = e == 64 ? 1 : 0
        let imms = (UInt32(truncatingIfNeeded: ~(e * 2 - 1)) & 0x3F) | UInt32(ones - 1)
        return sf << 31 | bits(2) << 29 | 0x1200_0000 | n << 22 | r << 16 | (imms & 0x3F) << 10 | src() << 5 | dst()
    }

    mutating func moveWide() -> UInt32 {
        let sf = bit()
        let opc: UInt32 = [0, 2, 3][int(3)]
        let hw = sf == 1 ? bits(2) : bit()
        return sf << 31 | opc << 29 | 0x1280_0000 | hw << 21 | bits(16) << 5 | dst()
    }

    mutating func bitfield() -> UInt32 {
        let sf = bit()
        let opc = UInt32(int(3))
        let width = sf == 1 ? 6 : 5
        return sf << 31 | opc << 29 | 0x1300_0000 | sf << 22 | bits(width) << 16 | bits(width) << 10 | src() << 5 | dst()
    }

    mutating func extract() -> UInt32 {
        let sf = bit()
        return sf << 31 | 0x1380_0000 | sf << 22 | src() << 16 | bits(sf == 1 ? 6 : 5) << 10 | src() << 5 | dst()
    }

    mutating func pcRelative() -> UInt32 {
        bit() << 31 | bits(2) << 29 | 0x1000_0000 | bits(19) << 5 | dst()
    }

    // MARK: Data processing (register)

    mutating func logicalShifted() -> UInt32 {
        let sf = bit()
        return sf << 31 | bits(2) << 29 | 0x0A00_0000 | bits(2) << 22 | bit() << 21 | src() << 16
            | bits(sf == 1 ? 6 : 5) << 10 | src() << 5 | dst()
    }

    mutating func addSubShifted() -> UInt32 {
        let sf = bit()
        return sf << 31 | bit() << 30 | bit() << 29 | 0x0B00_0000 | UInt32(int(3)) << 22 | src() << 16
            | bits(sf == 1 ? 6 : 5) << 10 | src() << 5 | dst()
    }

    mutating func addSubExtended() -> UInt32 {
        bit() << 31 | bit() << 30 | bit() << 29 | 0x0B20_0000 | src() << 16 | bits(3) << 13
            | UInt32(int(5)) << 10 | src() << 5 | dst()
    }

    mutating func addSubCarry() -> UInt32 {
        bit() << 31 | bit() << 30 | bit() << 29 | 0x1A00_0000 | src() << 16 | src() << 5 | dst()
    }

    mutating func conditionalCompare() -> UInt32 {
        bit() << 31 | bit() << 30 | 1 << 29 | 0x1A40_0000 | src() << 16 | bits(4) << 12 | bit() << 11
            | src() << 5 | bits(4)
    }

    mutating func conditionalSelect() -> UInt32 {
        bit() << 31 | bit() << 30 | 0x1A80_0000 | src() << 16 | bits(4) << 12 | bit() << 10 | src() << 5 | dst()
    }

    mutating func dataProcessing1Source() -> UInt32 {
        let sf = bit()
        let ops: [UInt32] = sf == 1 ? [0, 1, 2, 3, 4, 5] : [0, 1, 2, 4, 5]
        return sf << 31 | 0x5AC0_0000 | ops[int(ops.count)] << 10 | src() << 5 | dst()
    }

    mutating func dataProcessing2Source() -> UInt32 {
        let ops: [UInt32] = [2, 3, 8, 9, 10, 11]
        return bit() << 31 | 0x1AC0_0000 | src() << 16 | ops[int(ops.count)] << 10 | src() << 5 | dst()
    }

    mutating func dataProcessing3Source() -> UInt32 {
        let sf = bit()
        // (op31, o0): MADD, MSUB, SMADDL, SMSUBL, SMULH, UMADDL, UMSUBL, UMULH
        let forms: [(UInt32, UInt32)] = sf == 1
            ? [(0, 0), (0, 1), (1, 0), (1, 1), (2, 0), (5, 0), (5, 1), (6, 0)] : [(0, 0), (0, 1)]
        let (op31, o0) = forms[int(forms.count)]
        let ra = (op31 == 2 || op31 == 6) ? 31 : src()
        return sf << 31 | 0x1B00_0000 | op31 << 21 | src() << 16 | o0 << 15 | ra << 10 | src() << 5 | dst()
    }

    /// MRS Xt, NZCV; MSR NZCV, Xt (only bits 31:28 are kept, the rest is RES0); NOP.
    mutating func nzcvMove() -> UInt32 {
        switch int(5) {
        case 0, 1: return 0xD53B_4200 | dst()
        case 2, 3: return 0xD51B_4200 | src()
        default: return 0xD503_201F
        }
    }

    // MARK: Loads and stores

    /// `add/sub xB, x28, #off` with off below 1024, a multiple of 16 unless unaligned accesses
    /// are allowed and B is not SP (B may be 31, SP, which must stay 16-aligned).
    mutating func baseSetup(_ b: UInt32, aligned: Bool = true) -> UInt32 {
        let off = !aligned && allowsUnaligned && b != 31 ? UInt32(int(1024)) : UInt32(int(64)) * 16
        return (bit() == 1 ? 0x9100_0000 : 0xD100_0000) | off << 10 | 28 << 5 | b
    }

    /// A base register for a load/store: SP (a quarter of the time) or a general register.
    mutating func base(avoiding avoid: [UInt32] = []) -> UInt32 {
        int(4) == 0 ? 31 : gpr(avoiding: avoid)
    }

    /// (size, opc) pairs of the load/store register forms, excluding prefetch.
    mutating func sizeAndOpc() -> (size: UInt32, opc: UInt32) {
        let forms: [(UInt32, UInt32)] = [(0, 0), (1, 0), (2, 0), (3, 0), (0, 1), (1, 1), (2, 1), (3, 1),
                                         (0, 2), (1, 2), (2, 2), (0, 3), (1, 3)]
        return forms[int(forms.count)]
    }

    mutating func loadStoreImmediate() -> Unit {
        let b = base()
        if int(16) == 0 {   // PRFM (immediate): a hint, no architectural effect
            let prfops: [UInt32] = [0, 1, 2, 3, 4, 5, 8, 9, 10, 11, 12, 13, 16, 17, 18, 19, 20, 21]
            return Unit(words: [baseSetup(b), 0xF980_0000 | UInt32(int(64)) << 10 | b << 5 | prfops[int(prfops.count)]])
        }
        let (size, opc) = sizeAndOpc()
        let imm12 = UInt32(int(64))
        return Unit(words: [baseSetup(b, aligned: false), 0x3900_0000 | size << 30 | opc << 22 | imm12 << 10 | b << 5 | dst()])
    }

    /// LDUR/STUR, post-index, unprivileged (LDTR/STTR), pre-index.
    mutating func loadStoreUnscaled() -> Unit {
        let (size, opc) = sizeAndOpc()
        let mode = UInt32(int(4))
        let writeback = mode == 1 || mode == 3
        let b = base()
        var rt = dst()
        while writeback && rt == b && b != 31 { rt = dst() }
        let scale = allowsUnaligned ? 1 : 1 << Int(size)
        let imm9 = (int(512 / scale) - 256 / scale) * scale
        return Unit(words: [baseSetup(b, aligned: false), 0x3800_0000 | size << 30 | opc << 22 | (UInt32(bitPattern: Int32(imm9)) & 0x1FF) << 12
            | mode << 10 | b << 5 | rt])
    }

    mutating func loadStoreRegisterOffset() -> Unit {
        let (size, opc) = sizeAndOpc()
        let b = base()
        let m = gpr(avoiding: [b])
        let option: UInt32 = [2, 3, 6, 7][int(4)]
        let s = bit()
        let scale = s == 1 || allowsUnaligned ? 1 : 1 << Int(size)
        let j = option == 2 ? int(33) : int(65) - 32          // UXTW: non-negative only
        let index = j * scale
        let setup: UInt32
        let wide: UInt32 = option == 3 || option == 7 ? 1 : 0 // LSL and SXTX use all of Xm
        if index >= 0 {
            setup = wide << 31 | 0x5280_0000 | UInt32(index) << 5 | m                 // MOVZ
        } else {
            setup = wide << 31 | 0x1280_0000 | UInt32(-index - 1) << 5 | m            // MOVN
        }
        return Unit(words: [baseSetup(b, aligned: false), setup,
                            0x3820_0800 | size << 30 | opc << 22 | m << 16 | option << 13 | s << 12 | b << 5 | dst()])
    }

    /// STP/LDP (32 and 64-bit), LDPSW, STNP/LDNP, with offset, pre- and post-index.
    mutating func loadStorePair() -> Unit {
        let l = bit()
        var opc: UInt32 = [0, 2, 1][int(l == 1 ? 3 : 2)]
        if opc == 1 && l == 0 { opc = 2 }
        let mode = opc == 1 ? UInt32(1 + int(3)) : bits(2)
        let writeback = mode == 1 || mode == 3
        let b = base()
        var rt = dst(), rt2 = dst()
        while (l == 1 && rt == rt2) || (writeback && b != 31 && (rt == b || rt2 == b)) {
            rt = dst(); rt2 = dst()
        }
        let imm7 = UInt32(bitPattern: Int32(int(64) - 32)) & 0x7F
        return Unit(words: [baseSetup(b, aligned: false), 0x2800_0000 | opc << 30 | mode << 23 | l << 22 | imm7 << 15 | rt2 << 10 | b << 5 | rt])
    }

    /// LDAR/STLR (all sizes): the base is used as it is, aligned by baseSetup.
    mutating func loadStoreOrdered() -> Unit {
        let b = base()
        let word: UInt32 = bit() == 1 ? 0x08DF_FC00 : 0x089F_FC00
        return Unit(words: [baseSetup(b), word | bits(2) << 30 | b << 5 | dst()])
    }

    /// LDXR/LDAXR then STXR/STLXR (any size), or LDXP/LDAXP then STXP/STLXP (32/64-bit), on one
    /// aligned address: the store must succeed (status 0) on both sides.
    mutating func exclusivePair() -> Unit {
        let b = base()
        let acquire = bit() << 15, release = bit() << 15
        if bit() == 1 {
            let size = bits(2)
            let rt = gpr(avoiding: [b])
            let value = src()
            let status = gpr(avoiding: [b, value])
            return Unit(words: [baseSetup(b), 0x085F_7C00 | size << 30 | acquire | b << 5 | rt,
                                0x0800_7C00 | size << 30 | status << 16 | release | b << 5 | value])
        }
        let sz = bit()
        let rt = gpr(avoiding: [b]), rt2 = gpr(avoiding: [b, rt])
        let v1 = src(), v2 = src()
        let status = gpr(avoiding: [b, v1, v2])
        return Unit(words: [baseSetup(b), 0x887F_0000 | sz << 30 | acquire | rt2 << 10 | b << 5 | rt,
                            0x8820_0000 | sz << 30 | status << 16 | release | v2 << 10 | b << 5 | v1])
    }

    /// LDR (literal) 32/64-bit and LDRSW, reading this case's own code backwards (aligned).
    mutating func loadLiteral(wordIndex: Int, codeAddress: UInt64) -> UInt32 {
        var opc = UInt32(int(3))
        var candidates = Array(0...wordIndex)
        if opc == 1 {
            candidates = candidates.filter { (codeAddress + UInt64($0) * 4) % 8 == 0 && $0 < wordIndex }
            if candidates.isEmpty { opc = 0; candidates = [wordIndex] }
        }
        let target = candidates[int(candidates.count)]
        let offset = UInt32(bitPattern: Int32(target - wordIndex)) & 0x7FFFF
        return opc << 30 | 0x1800_0000 | offset << 5 | dst()
    }

    // MARK: Branches (forward only)

    mutating func branch() -> Unit {
        let skip = int(4)
        switch int(6) {
        case 0: return Unit(words: [0], skip: skip, branch: .imm19(0x5400_0000 | bits(4)))
        case 1: return Unit(words: [0], skip: skip, branch: .imm19(bit() << 31 | 0x3400_0000 | bit() << 24 | src()))
        case 2: return Unit(words: [0], skip: skip, branch: .imm14(bit() << 31 | 0x3600_0000 | bit() << 24 | bits(5) << 19 | src()))
        case 3: return Unit(words: [0], skip: skip, branch: .imm26((bit() == 1 ? 0x9400_0000 : 0x1400_0000)))
        default:
            let t = gpr()
            let op: UInt32 = [0xD61F_0000, 0xD63F_0000, 0xD65F_0000][int(3)]   // BR, BLR, RET
            return Unit(words: [0, 0], skip: skip, branch: .adrThen(op | t << 5))
        }
    }
}
