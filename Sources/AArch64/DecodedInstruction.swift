// The decoded-instruction cache: the run loop's fast path for the most frequent encodings.

/// What the run loop does with a decoded instruction: one case per specialised handler, dense
/// so that the dispatch `switch` is a single jump table. `generic` runs the full decoder.
enum FastOperation: UInt8 {
    case generic
    /// Rd|SP = Rn|SP + imm (ADD/SUB immediate without flags; SUB stores -imm).
    case addImmediate64
    case addImmediate32
    /// SUBS/ADDS (immediate), CMP/CMN: Rn|SP and imm; Rd may be the sink.
    case subtractImmediateFlags64
    case addImmediateFlags64
    case subtractImmediateFlags32
    case addImmediateFlags32
    /// Logical (shifted register), LSL only, 64-bit: Rd = Rn op (Rm << imm), inverted if imm bit 8.
    case and64, orr64, eor64, ands64
    /// Add/subtract (shifted register), LSL only, 64-bit.
    case addRegister64, subtractRegister64, addRegisterFlags64, subtractRegisterFlags64
    /// The same two classes for W registers (shift amounts below 32).
    case and32, orr32, eor32, ands32
    case addRegister32, subtractRegister32, addRegisterFlags32, subtractRegisterFlags32
    /// MOVK: Rd = (Rn & ~(0xFFFF << rm)) | imm << rm, where Rn is Rd read as a source.
    case moveKeep64, moveKeep32
    /// ADR: Rd = this instruction + imm; ADRP: Rd = its 4 KB page + imm.
    case pcRelative, pcRelativePage
    /// UBFM/SBFM: Rd = (Rn << imm) >> rm, logical or arithmetic (LSR, LSL, UBFX, ASR, SXTW, ...).
    case unsignedBitfield64, signedBitfield64, unsignedBitfield32, signedBitfield32
    /// MOVZ/MOVN: Rd = imm << rm (MOVN: inverted, and masked to 32 bits for W).
    case moveZero, moveNot64, moveNot32
    /// B, BL: PC = this instruction + imm.
    case branch, branchLink
    /// B back by at most `IdleLoop.longestLoopBytes` (or to itself): a B that may close an
    /// idle loop (see `VCPUExit.idleLoop`), checked when it runs.
    case branchBackShort
    /// B.cond: rd:rn is the 16-entry truth table of the condition indexed by NZCV.
    case branchConditional
    /// CSEL, CSINC, CSINV, CSNEG: Rd = cond ? Rn : Rm (inverted if imm bit 16, plus one if
    /// bit 17); imm bits 15:0 are the condition's truth table, bit 18 says 64-bit.
    case conditionalSelect
    /// CCMP, CCMN: NZCV = cond ? flags of Rn - op2 (Rn + op2 if imm bit 20 is clear) : the
    /// immediate NZCV in imm bits 19:16; op2 is Rm, or imm bits 28:24 when bit 22 is set;
    /// bits 15:0 are the truth table, bit 21 says 64-bit.
    case conditionalCompare
    /// REV of an X or a W register (byte order: device trees and network data are big-endian).
    case reverseBytes64, reverseBytes32
    /// CLZ of an X or a W register.
    case countLeadingZeros64, countLeadingZeros32
    /// CBZ/CBNZ: compares Rn << rm (rm is 32 for a W register) with zero.
    case compareBranchZero, compareBranchNonZero
    /// TBZ/TBNZ: tests bit rm of Rn.
    case testBranchZero, testBranchNonZero
    /// BR/RET, BLR.
    case branchRegister, branchLinkRegister
    /// ERET: the end of every exception handler, interrupts included.
    case exceptionReturn
    /// LDR/STR (unsigned offset) of X and W registers (an SP base that is not 16-byte aligned
    /// goes through the full decoder, which checks SCTLR_EL1.SA).
    case load64, load32, store64, store32
    /// LDRB/LDRH/STRB/STRH (unsigned offset): the access size in bytes is in rm.
    case loadNarrow, storeNarrow
    /// LDR/STR (register offset) of X and W registers: Rn|SP + Rm extended and shifted, with
    /// the shift amount in imm bits 7:0 and the extend option (UXTW, LSL, SXTW, SXTX) in bits
    /// 10:8. C array indexing, `ldr x4, [x4, x7, lsl #3]` in a vector table, for instance.
    case loadRegisterOffset64, loadRegisterOffset32, storeRegisterOffset64, storeRegisterOffset32
    /// LDR/STR (immediate, pre- or post-index) of X and W registers, and LDRB/LDRH/STRB/STRH
    /// (the narrow forms: the access size in rm bits 3:0): the signed imm9 in imm, post-index
    /// when rm bit 4 is set; Rn|SP is written back after the access. A load into its own base
    /// register (CONSTRAINED UNPREDICTABLE) stays with the full decoder. (LDUR/STUR and the
    /// narrow LDURB/LDURH/STURB/STURH, the unscaled offsets without writeback, are the plain
    /// forms above.)
    case loadWriteback64, loadWriteback32, storeWriteback64, storeWriteback32
    case loadNarrowWriteback, storeNarrowWriteback
    /// AND/ORR/EOR/ANDS (immediate), the bitmask immediate decoded into imm.
    case andImmediate, orrImmediate64, orrImmediate32, eorImmediate64, eorImmediate32
    case andsImmediate64, andsImmediate32
    /// NOP and YIELD: nothing to do.
    case nop
    /// DMB and DSB (any option): a full host fence. ISB: the cycle-counter barrier.
    case memoryBarrier, instructionBarrier
    /// MRS/MSR (register form) of any system register: the encoding in imm, Rt in rd (raw: 31
    /// is XZR), 1 in rm for a read.
    case systemRegisterMove
    /// LDP/STP of two X registers: signed offset, pre-index, post-index (Rt in rd, Rt2 in rm).
    case loadPair64, storePair64, loadPairPre64, storePairPre64, loadPairPost64, storePairPost64
}

extension FastOperation {
    /// LDR/STR (register offset): the address is Rn|SP plus the extended, shifted Rm.
    @inline(__always)
    var hasRegisterOffset: Bool {
        switch self {
        case .loadRegisterOffset64, .loadRegisterOffset32, .storeRegisterOffset64, .storeRegisterOffset32: true
        default: false
        }
    }

    /// LDR/STR (pre- or post-index): Rn|SP is updated after the access.
    @inline(__always)
    var hasWriteback: Bool {
        switch self {
        case .loadWriteback64, .loadWriteback32, .storeWriteback64, .storeWriteback32,
             .loadNarrowWriteback, .storeNarrowWriteback: true
        default: false
        }
    }
}

/// One cached decode. The instruction word is kept so that a hit is a compare with the word
/// just fetched: code that changes (self-modifying code, a loader, another vCPU) simply misses,
/// so the cache needs no invalidation at all. Register fields index `CPU.regs`, where 31 is SP,
/// 32 always reads zero (XZR as a source) and 33 is a sink (XZR as a destination).
struct DecodedInstruction {
    var raw: UInt32
    var operation: FastOperation
    var rd: UInt8
    var rn: UInt8
    /// A third register, or a second small operand (a shift amount or bit number).
    var rm: UInt8
    var imm: Int64

    static let generic = DecodedInstruction(raw: 0, operation: .generic, rd: 0, rn: 0, rm: 0, imm: 0)
}

/// Register slots beyond the architectural 32 (see `DecodedInstruction`).
enum RegisterSlot {
    static let zero: UInt8 = 32
    static let sink: UInt8 = 33
    static let count = 34
}

/// The direct-mapped decode cache of one vCPU, indexed by instruction address.
final class DecodeCache {
    static let entries = 4096
    static let indexMask: UInt64 = UInt64(entries - 1)
    let table: UnsafeMutablePointer<DecodedInstruction>

    init() {
        table = HostCacheLine.allocate(DecodedInstruction.self, capacity: Self.entries)
        table.initialize(repeating: .generic, count: Self.entries)
    }

    deinit { table.deallocate() }
}

extension DecodedInstruction {
    /// Decodes `raw` into a specialised handler, or `generic` for everything else (including
    /// every encoding the full decoder makes UNDEFINED: the fast forms are a strict subset of
    /// what it accepts, with the same results).
    static func decode(_ raw: UInt32) -> DecodedInstruction {
        var d = DecodedInstruction(raw: raw, operation: .generic, rd: 0, rn: 0, rm: 0, imm: 0)
        let r0 = UInt8(raw & 31)
        let r5 = UInt8((raw >> 5) & 31)
        let r16 = UInt8((raw >> 16) & 31)
        /// A source where 31 is XZR, a destination where 31 is XZR.
        func source(_ r: UInt8) -> UInt8 { r == 31 ? RegisterSlot.zero : r }
        func destination(_ r: UInt8) -> UInt8 { r == 31 ? RegisterSlot.sink : r }
        /// A load (opc 01) writes Rt, a store (opc 00) reads it.
        func transfer(opc: UInt32, load: FastOperation, store: FastOperation) {
            d.rd = opc == 1 ? destination(r0) : source(r0)
            d.operation = opc == 1 ? load : store
        }

        switch raw >> 23 {
        // Add/subtract (immediate): sf op S 100010 sh imm12 Rn Rd.
        case 0b0_0_0_100010, 0b0_1_0_100010, 0b1_0_0_100010, 0b1_1_0_100010,
             0b0_0_1_100010, 0b0_1_1_100010, 0b1_0_1_100010, 0b1_1_1_100010:
            let is64 = raw & 0x8000_0000 != 0
            let subtract = raw & (1 << 30) != 0
            var imm = Int64((raw >> 10) & 0xFFF)
            if raw & (1 << 22) != 0 { imm <<= 12 }
            d.rn = r5
            if raw & (1 << 29) == 0 {
                d.operation = is64 ? .addImmediate64 : .addImmediate32
                d.rd = r0
                d.imm = subtract ? -imm : imm
            } else {
                d.operation = is64 ? (subtract ? .subtractImmediateFlags64 : .addImmediateFlags64)
                                   : (subtract ? .subtractImmediateFlags32 : .addImmediateFlags32)
                d.rd = destination(r0)
                d.imm = imm
            }
        // Logical (immediate): sf opc 100100 N immr imms Rn Rd. AND/ORR/EOR may write SP (Rd 31),
        // ANDS writes XZR; Rn 31 is XZR.
        case 0b0_00_100100, 0b0_01_100100, 0b0_10_100100, 0b0_11_100100,
             0b1_00_100100, 0b1_01_100100, 0b1_10_100100, 0b1_11_100100:
            let is64 = raw & 0x8000_0000 != 0
            let n = (raw >> 22) & 1
            guard is64 || n == 0,
                  let imm = decodeLogicalImmediate(n: n, immr: (raw >> 16) & 0x3F,
                                                   imms: (raw >> 10) & 0x3F, is64: is64)
            else { return d }
            d.imm = Int64(bitPattern: imm)
            d.rn = source(r5)
            switch (raw >> 29) & 3 {
            case 0:
                d.rd = r0
                d.operation = .andImmediate
            case 1:
                d.rd = r0
                d.operation = is64 ? .orrImmediate64 : .orrImmediate32
            case 2:
                d.rd = r0
                d.operation = is64 ? .eorImmediate64 : .eorImmediate32
            default:
                d.rd = destination(r0)
                d.operation = is64 ? .andsImmediate64 : .andsImmediate32
            }
        // Bitfield: sf opc 100110 N immr imms Rn Rd, SBFM (opc 00) and UBFM (opc 10).
        case 0b0_00_100110, 0b1_00_100110, 0b0_10_100110, 0b1_10_100110:
            let is64 = raw & 0x8000_0000 != 0
            let n = (raw >> 22) & 1
            let r = Int64((raw >> 16) & 0x3F)
            let s = Int64((raw >> 10) & 0x3F)
            guard n == raw >> 31, is64 || (r | s) < 32 else { return d }
            let top: Int64 = is64 ? 63 : 31
            d.imm = top - s
            d.rm = UInt8(s >= r ? top - s + r : r - s - 1)
            d.rd = destination(r0)
            d.rn = source(r5)
            let unsigned = raw & (1 << 30) != 0
            d.operation = is64 ? (unsigned ? .unsignedBitfield64 : .signedBitfield64)
                               : (unsigned ? .unsignedBitfield32 : .signedBitfield32)
        // Move wide: sf opc 100101 hw imm16 Rd; MOVN (00), MOVZ (10) and MOVK (11).
        case 0b0_00_100101, 0b1_00_100101, 0b0_10_100101, 0b1_10_100101,
             0b0_11_100101, 0b1_11_100101:
            let is64 = raw & 0x8000_0000 != 0
            let hw = (raw >> 21) & 3
            guard is64 || hw < 2 else { return d }
            d.rd = destination(r0)
            d.rn = source(r0)
            d.imm = Int64((raw >> 5) & 0xFFFF)
            d.rm = UInt8(hw << 4)
            switch (raw >> 29) & 3 {
            case 0b00: d.operation = is64 ? .moveNot64 : .moveNot32
            case 0b10: d.operation = .moveZero
            default: d.operation = is64 ? .moveKeep64 : .moveKeep32
            }
        // ADR, ADRP: op immlo 10000 immhi Rd (bits 28:24 = 10000).
        case 0b0_00_100000, 0b0_00_100001, 0b0_01_100000, 0b0_01_100001,
             0b0_10_100000, 0b0_10_100001, 0b0_11_100000, 0b0_11_100001,
             0b1_00_100000, 0b1_00_100001, 0b1_01_100000, 0b1_01_100001,
             0b1_10_100000, 0b1_10_100001, 0b1_11_100000, 0b1_11_100001:
            let immlo = (raw >> 29) & 3
            let immhi = (raw >> 5) & 0x7FFFF
            let imm = Int64(Int32(bitPattern: (immhi << 2 | immlo) << 11) >> 11)
            d.rd = destination(r0)
            if raw & 0x8000_0000 != 0 {
                d.imm = imm << 12
                d.operation = .pcRelativePage
            } else {
                d.imm = imm
                d.operation = .pcRelative
            }
        default:
            break
        }
        if d.operation != .generic { return d }

        switch raw >> 24 {
        // Logical (shifted register), LSL: sf opc 01010 00 N Rm imm6 Rn Rd.
        case 0b1_00_01010, 0b1_01_01010, 0b1_10_01010, 0b1_11_01010,
             0b0_00_01010, 0b0_01_01010, 0b0_10_01010, 0b0_11_01010:
            let is64 = raw & 0x8000_0000 != 0
            let amount = (raw >> 10) & 0x3F
            guard (raw >> 22) & 3 == 0, is64 || amount < 32 else { return d }
            d.rd = destination(r0)
            d.rn = source(r5)
            d.rm = source(r16)
            // The shift amount, with N (invert operand 2) in bit 8: a 64-bit shift uses bits 5:0.
            d.imm = Int64(amount) | Int64((raw >> 21) & 1) << 8
            switch (raw >> 29) & 3 {
            case 0: d.operation = is64 ? .and64 : .and32
            case 1: d.operation = is64 ? .orr64 : .orr32
            case 2: d.operation = is64 ? .eor64 : .eor32
            default: d.operation = is64 ? .ands64 : .ands32
            }
        // Add/subtract (shifted register), LSL: sf op S 01011 00 0 Rm imm6 Rn Rd.
        case 0b1_0_0_01011, 0b1_1_0_01011, 0b1_0_1_01011, 0b1_1_1_01011,
             0b0_0_0_01011, 0b0_1_0_01011, 0b0_0_1_01011, 0b0_1_1_01011:
            let is64 = raw & 0x8000_0000 != 0
            let amount = (raw >> 10) & 0x3F
            guard (raw >> 21) & 7 == 0, is64 || amount < 32 else { return d }
            d.rd = destination(r0)
            d.rn = source(r5)
            d.rm = source(r16)
            d.imm = Int64(amount)
            switch (raw >> 29) & 3 {
            case 0: d.operation = is64 ? .addRegister64 : .addRegister32
            case 1: d.operation = is64 ? .addRegisterFlags64 : .addRegisterFlags32
            case 2: d.operation = is64 ? .subtractRegister64 : .subtractRegister32
            default: d.operation = is64 ? .subtractRegisterFlags64 : .subtractRegisterFlags32
            }
        // CSEL, CSINC, CSINV, CSNEG: sf op 0 11010100 Rm cond 0 o2 Rn Rd.
        // (Data-processing, 1 source, shares the top byte: sf 1 0 11010110 00000 opcode Rn Rd;
        // REV and CLZ have fast forms.)
        case 0b0_0_0_11010, 0b0_1_0_11010, 0b1_0_0_11010, 0b1_1_0_11010:
            if (raw >> 21) & 7 == 0b110 && raw & (1 << 30) != 0 {
                guard (raw >> 16) & 31 == 0 else { return d }
                let is64 = raw >> 31 != 0
                d.rd = destination(r0)
                d.rn = source(r5)
                switch ((raw >> 10) & 0x3F, is64) {
                case (0b000011, true): d.operation = .reverseBytes64
                case (0b000010, false): d.operation = .reverseBytes32
                case (0b000100, true): d.operation = .countLeadingZeros64
                case (0b000100, false): d.operation = .countLeadingZeros32
                default: break
                }
                return d
            }
            guard (raw >> 21) & 7 == 0b100, raw & (1 << 11) == 0 else { return d }
            d.rd = destination(r0)
            d.rn = source(r5)
            d.rm = source(r16)
            d.imm = Int64(conditionTable((raw >> 12) & 0xF)) | Int64((raw >> 30) & 1) << 16
                | Int64((raw >> 10) & 1) << 17 | Int64(raw >> 31) << 18
            d.operation = .conditionalSelect
        // CCMN, CCMP (register and immediate): sf op 1 11010010 Rm|imm5 cond i 0 Rn 0 nzcv.
        case 0b0_0_1_11010, 0b0_1_1_11010, 0b1_0_1_11010, 0b1_1_1_11010:
            guard (raw >> 21) & 7 == 0b010, raw & 0x410 == 0 else { return d }
            let immediateForm = (raw >> 11) & 1
            d.rn = source(r5)
            d.rm = source(r16)
            d.imm = Int64(conditionTable((raw >> 12) & 0xF)) | Int64(raw & 0xF) << 16
                | Int64((raw >> 30) & 1) << 20 | Int64(raw >> 31) << 21 | Int64(immediateForm) << 22
                | Int64(r16) << 24
            d.operation = .conditionalCompare
        // CBZ/CBNZ: sf 011010 op imm19 Rt.
        case 0b0_011010_0, 0b0_011010_1, 0b1_011010_0, 0b1_011010_1:
            d.rn = source(r0)
            d.rm = raw & 0x8000_0000 != 0 ? 0 : 32
            d.imm = Int64(Int32(bitPattern: (raw << 8) & 0xFFFF_E000) >> 11)
            d.operation = raw & (1 << 24) != 0 ? .compareBranchNonZero : .compareBranchZero
        // TBZ/TBNZ: b5 011011 op b40 imm14 Rt.
        case 0b0_011011_0, 0b0_011011_1, 0b1_011011_0, 0b1_011011_1:
            d.rn = source(r0)
            d.rm = UInt8(((raw >> 26) & 0x20) | ((raw >> 19) & 0x1F))
            d.imm = Int64(Int32(bitPattern: (raw << 13) & 0xFFFC_0000) >> 16)
            d.operation = raw & (1 << 24) != 0 ? .testBranchNonZero : .testBranchZero
        // B.cond: 0101010 0 imm19 0 cond.
        case 0b0101_0100:
            guard raw & 0x10 == 0 else { return d }
            d.imm = Int64(Int32(bitPattern: (raw << 8) & 0xFFFF_E000) >> 11)
            // The truth table is kept in rd:rn (read as one little-endian UInt16).
            let table = conditionTable(raw & 0xF)
            d.rd = UInt8(table & 0xFF)
            d.rn = UInt8(table >> 8)
            d.operation = .branchConditional
        // LDP/STP, X registers: 10 101 0 0 idx L imm7 Rt2 Rn Rt; idx 01 post-index, 10 signed
        // offset, 11 pre-index. The CONSTRAINED UNPREDICTABLE register overlaps (LDP with
        // Rt == Rt2; writeback with Rn == Rt or Rt2, other than SP with XZR) stay with the
        // full decoder.
        case 0b10_101_0_00, 0b10_101_0_01:
            let mode = (raw >> 23) & 3
            guard mode != 0 else { return d }  // LDNP/STNP
            let load = raw & (1 << 22) != 0
            let rt = r0, rt2 = UInt8((raw >> 10) & 31)
            let writeback = mode != 2
            if load && rt == rt2 { return d }
            if writeback && r5 != 31 && (r5 == rt || r5 == rt2) { return d }
            d.rn = r5
            d.imm = Int64(Int32(bitPattern: (raw << 10) & 0xFE00_0000) >> 25) << 3
            d.rd = load ? destination(rt) : source(rt)
            d.rm = load ? destination(rt2) : source(rt2)
            switch (mode, load) {
            case (1, true): d.operation = .loadPairPost64
            case (1, false): d.operation = .storePairPost64
            case (2, true): d.operation = .loadPair64
            case (2, false): d.operation = .storePair64
            case (_, true): d.operation = .loadPairPre64
            default: d.operation = .storePairPre64
            }
        // LDRB/STRB/LDRH/STRH (unsigned offset): 0x 111 0 01 0x imm12 Rn Rt (the sign-extending
        // loads, opc 1x, stay with the full decoder).
        case 0b00_111_0_01, 0b01_111_0_01:
            let opc = (raw >> 22) & 3
            guard opc < 2 else { return d }
            let size: Int64 = raw & (1 << 30) != 0 ? 2 : 1
            d.rn = r5
            d.rm = UInt8(size)
            d.imm = Int64((raw >> 10) & 0xFFF) * size
            transfer(opc: opc, load: .loadNarrow, store: .storeNarrow)
        // LDUR/STUR, LDR/STR (immediate, post- and pre-index), any size: ss 111 0 00 0x 0 imm9
        // idx Rn Rt, idx 00 unscaled, 01 post-index, 11 pre-index (10, unprivileged, and the
        // sign-extending loads, opc 1x, stay with the full decoder).
        // (A `where` clause binds only to the pattern it follows: each pattern carries one.)
        case 0b00_111_0_00 where raw & (1 << 21) == 0, 0b01_111_0_00 where raw & (1 << 21) == 0,
             0b10_111_0_00 where raw & (1 << 21) == 0, 0b11_111_0_00 where raw & (1 << 21) == 0:
            let opc = (raw >> 22) & 3
            let index = (raw >> 10) & 3
            guard opc < 2, index != 0b10 else { return d }
            let size = UInt8(1) << UInt8(raw >> 30)
            d.rn = r5
            d.imm = Int64(Int32(bitPattern: raw << 11) >> 23)
            if index != 0b00 {
                if opc == 1 && r0 == r5 && r5 != 31 { return d }
                if index == 0b01 { d.rm = 0x10 } // post-index
            }
            switch (size, index == 0b00) {
            case (8, true): transfer(opc: opc, load: .load64, store: .store64)
            case (4, true): transfer(opc: opc, load: .load32, store: .store32)
            case (8, false): transfer(opc: opc, load: .loadWriteback64, store: .storeWriteback64)
            case (4, false): transfer(opc: opc, load: .loadWriteback32, store: .storeWriteback32)
            case (_, true):
                d.rm = size
                transfer(opc: opc, load: .loadNarrow, store: .storeNarrow)
            default:
                d.rm |= size
                transfer(opc: opc, load: .loadNarrowWriteback, store: .storeNarrowWriteback)
            }
        // LDR/STR (register offset), W and X: 1x 111 0 00 0x 1 Rm option S 10 Rn Rt; an option
        // without bit 1 is UNDEFINED and stays with the full decoder.
        case 0b10_111_0_00, 0b11_111_0_00:
            let opc = (raw >> 22) & 3
            let option = (raw >> 13) & 7
            guard opc < 2, (raw >> 10) & 3 == 0b10, option & 2 != 0 else { return d }
            let is64 = raw & (1 << 30) != 0
            d.rn = r5
            d.rm = source(r16)
            let shift: Int64 = raw & (1 << 12) != 0 ? (is64 ? 3 : 2) : 0
            d.imm = shift | Int64(option) << 8
            transfer(opc: opc, load: is64 ? .loadRegisterOffset64 : .loadRegisterOffset32,
                     store: is64 ? .storeRegisterOffset64 : .storeRegisterOffset32)
        // LDR/STR (unsigned offset), W and X: 1x 111 0 01 0x imm12 Rn Rt.
        case 0b10_111_0_01, 0b11_111_0_01:
            let opc = (raw >> 22) & 3
            guard opc < 2 else { return d }
            let is64 = raw & (1 << 30) != 0
            d.rn = r5
            d.imm = Int64((raw >> 10) & 0xFFF) << (is64 ? 3 : 2)
            transfer(opc: opc, load: is64 ? .load64 : .load32, store: is64 ? .store64 : .store32)
        default:
            break
        }
        if d.operation != .generic { return d }

        if raw == 0xD69F_03E0 { // ERET
            d.operation = .exceptionReturn
            return d
        }
        if raw == 0xD503_201F || raw == 0xD503_203F { // NOP, YIELD
            d.operation = .nop
            return d
        }
        // Barriers: 1101 0101 0000 0011 0011 CRm op2 11111; DSB op2 100, DMB 101, ISB 110. (The
        // same as `executeBarrier`; CLREX and the Armv8.5+ barriers stay with the decoder.)
        if raw & 0xFFFF_F0DF == 0xD503_309F {
            d.operation = .memoryBarrier
            return d
        }
        if raw & 0xFFFF_F0FF == 0xD503_30DF {
            d.operation = .instructionBarrier
            return d
        }
        // MRS/MSR (register): 1101 0101 00 L 1 op0<0> op1 CRn CRm op2 Rt.
        if raw & 0xFFD0_0000 == 0xD510_0000 {
            d.imm = Int64(SystemRegister(instruction: raw).encoding)
            d.rd = r0
            d.rm = raw & (1 << 21) != 0 ? 1 : 0
            d.operation = .systemRegisterMove
            return d
        }
        switch raw >> 26 {
        case 0b000101: // B
            d.imm = Int64(Int32(bitPattern: raw << 6) >> 4)
            d.operation = d.imm <= 0 && d.imm >= -IdleLoop.longestLoopBytes ? .branchBackShort : .branch
        case 0b100101: // BL
            d.imm = Int64(Int32(bitPattern: raw << 6) >> 4)
            d.operation = .branchLink
        case 0b110101: // BR, BLR, RET (the plain forms only)
            guard raw & 0xFE1F_FC1F == 0xD61F_0000 else { return d }
            d.rn = source(r5)
            switch (raw >> 21) & 0xF {
            case 0b0000, 0b0010: d.operation = .branchRegister
            case 0b0001: d.operation = .branchLinkRegister
            default: break
            }
        default:
            break
        }
        return d
    }

    /// The condition's truth table: bit NZCV is set when `cond` holds for those flags
    /// (as `CPU.conditionHolds`).
    static func conditionTable(_ cond: UInt32) -> UInt32 {
        switch cond & 0xF {
        case 0x0: return 0xF0F0 // EQ: Z
        case 0x1: return 0x0F0F // NE: !Z
        case 0x2: return 0xCCCC // CS: C
        case 0x3: return 0x3333 // CC: !C
        case 0x4: return 0xFF00 // MI: N
        case 0x5: return 0x00FF // PL: !N
        case 0x6: return 0xAAAA // VS: V
        case 0x7: return 0x5555 // VC: !V
        case 0x8: return 0x0C0C // HI: C && !Z
        case 0x9: return 0xF3F3 // LS: !C || Z
        case 0xA: return 0xAA55 // GE: N == V
        case 0xB: return 0x55AA // LT: N != V
        case 0xC: return 0x0A05 // GT: !Z && N == V
        case 0xD: return 0xF5FA // LE: Z || N != V
        default: return 0xFFFF // AL, NV
        }
    }
}
