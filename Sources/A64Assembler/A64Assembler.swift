/// A small A64 assembler: enough of the base instruction set to write the built-in demo guest
/// and test programs in Swift, so that `armvm demo` needs no file and no external tool and no
/// guest binary is ever committed. Encodings follow the Arm ARM (C6, "A64 Base Instruction
/// Descriptions"); every emitter documents the assembly it stands for.
public struct A64Assembler {
    /// A position in the program, bound with `bind(_:)` and used by branches and ADR.
    public struct Label: Hashable { fileprivate let id: Int }

    /// A64 condition codes (Arm ARM C1.2.4).
    public enum Condition: UInt32 {
        case eq = 0, ne, hs, lo, mi, pl, vs, vc, hi, ls, ge, lt, gt, le, al
    }

    private enum Fixup {
        case branch26(Label)
        case branch19(Label)
        case adr(Label)
    }

    public private(set) var words: [UInt32] = []
    private var labelPositions: [Int: Int] = [:]
    private var fixups: [(index: Int, fixup: Fixup)] = []
    private var nextLabel = 0

    /// The register number that means SP or XZR, depending on the instruction.
    public static let sp = 31
    public static let xzr = 31

    public init() {}

    /// The address offset (in bytes) of the next instruction.
    public var offset: Int { words.count * 4 }

    public mutating func label() -> Label {
        nextLabel += 1
        return Label(id: nextLabel)
    }

    public mutating func bind(_ label: Label) { labelPositions[label.id] = words.count }

    /// Emits a raw instruction word.
    public mutating func emit(_ word: UInt32) { words.append(word) }

    /// Emits bytes (NUL-terminated string data, padded to a word boundary).
    public mutating func data(_ string: String) {
        var bytes = Array(string.utf8) + [0]
        while bytes.count % 4 != 0 { bytes.append(0) }
        for i in stride(from: 0, to: bytes.count, by: 4) {
            words.append(UInt32(bytes[i]) | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2]) << 16
                         | UInt32(bytes[i + 3]) << 24)
        }
    }

    /// Pads with zero words until the offset is a multiple of `alignment` bytes.
    public mutating func align(_ alignment: Int) {
        while offset % alignment != 0 { words.append(0) }
    }

    /// The program as little-endian bytes, with every label reference resolved.
    public func assemble() throws(AssemblerError) -> [UInt32] {
        var out = words
        for (index, fixup) in fixups {
            let target: Label
            switch fixup {
            case let .branch26(l), let .branch19(l), let .adr(l): target = l
            }
            guard let position = labelPositions[target.id] else { throw .unboundLabel }
            let delta = position - index // in words
            switch fixup {
            case .branch26:
                guard delta >= -(1 << 25), delta < (1 << 25) else { throw .outOfRange }
                out[index] |= UInt32(bitPattern: Int32(delta)) & 0x03FF_FFFF
            case .branch19:
                guard delta >= -(1 << 18), delta < (1 << 18) else { throw .outOfRange }
                out[index] |= (UInt32(bitPattern: Int32(delta)) & 0x7FFFF) << 5
            case .adr:
                let bytes = delta * 4
                guard bytes >= -(1 << 20), bytes < (1 << 20) else { throw .outOfRange }
                let imm = UInt32(bitPattern: Int32(bytes)) & 0x1FFFFF
                out[index] |= (imm & 3) << 29 | (imm >> 2) << 5
            }
        }
        return out
    }

    public func assembledBytes() throws(AssemblerError) -> [UInt8] {
        try assemble().flatMap { w in (0..<4).map { UInt8(truncatingIfNeeded: w >> ($0 * 8)) } }
    }

    private static func r(_ n: Int) -> UInt32 { UInt32(n & 31) }

    // MARK: Moves and arithmetic (64-bit)

    /// MOVZ Xd, #imm16, LSL #(16*hw)
    public mutating func movz(_ rd: Int, _ imm16: UInt16, hw: Int = 0) {
        emit(0xD280_0000 | UInt32(hw & 3) << 21 | UInt32(imm16) << 5 | Self.r(rd))
    }

    /// MOVK Xd, #imm16, LSL #(16*hw)
    public mutating func movk(_ rd: Int, _ imm16: UInt16, hw: Int) {
        emit(0xF280_0000 | UInt32(hw & 3) << 21 | UInt32(imm16) << 5 | Self.r(rd))
    }

    /// Loads a 64-bit constant with MOVZ and as many MOVKs as needed.
    public mutating func mov(_ rd: Int, _ value: UInt64) {
        movz(rd, UInt16(truncatingIfNeeded: value))
        for hw in 1..<4 where (value >> (16 * UInt64(hw))) & 0xFFFF != 0 {
            movk(rd, UInt16(truncatingIfNeeded: value >> (16 * UInt64(hw))), hw: hw)
        }
    }

    /// MOV Xd, Xm (ORR Xd, XZR, Xm)
    public mutating func movr(_ rd: Int, _ rm: Int) { orr(rd, Self.xzr, rm) }

    /// ADD Xd|SP, Xn|SP, #imm12
    public mutating func add(_ rd: Int, _ rn: Int, imm: UInt32) {
        emit(0x9100_0000 | (imm & 0xFFF) << 10 | Self.r(rn) << 5 | Self.r(rd))
    }

    /// SUB Xd|SP, Xn|SP, #imm12
    public mutating func sub(_ rd: Int, _ rn: Int, imm: UInt32) {
        emit(0xD100_0000 | (imm & 0xFFF) << 10 | Self.r(rn) << 5 | Self.r(rd))
    }

    /// CMP Xn|SP, #imm12 (SUBS XZR, Xn, #imm)
    public mutating func cmp(_ rn: Int, imm: UInt32) {
        emit(0xF100_0000 | (imm & 0xFFF) << 10 | Self.r(rn) << 5 | 31)
    }

    /// CMP Xn, Xm (SUBS XZR, Xn, Xm)
    public mutating func cmp(_ rn: Int, _ rm: Int) {
        emit(0xEB00_0000 | Self.r(rm) << 16 | Self.r(rn) << 5 | 31)
    }

    /// ADD Xd, Xn, Xm
    public mutating func add(_ rd: Int, _ rn: Int, _ rm: Int) {
        emit(0x8B00_0000 | Self.r(rm) << 16 | Self.r(rn) << 5 | Self.r(rd))
    }

    /// SUB Xd, Xn, Xm
    public mutating func sub(_ rd: Int, _ rn: Int, _ rm: Int) {
        emit(0xCB00_0000 | Self.r(rm) << 16 | Self.r(rn) << 5 | Self.r(rd))
    }

    /// ORR Xd, Xn, Xm
    public mutating func orr(_ rd: Int, _ rn: Int, _ rm: Int) {
        emit(0xAA00_0000 | Self.r(rm) << 16 | Self.r(rn) << 5 | Self.r(rd))
    }

    /// AND Xd, Xn, Xm
    public mutating func and(_ rd: Int, _ rn: Int, _ rm: Int) {
        emit(0x8A00_0000 | Self.r(rm) << 16 | Self.r(rn) << 5 | Self.r(rd))
    }

    /// EOR Xd, Xn, Xm
    public mutating func eor(_ rd: Int, _ rn: Int, _ rm: Int) {
        emit(0xCA00_0000 | Self.r(rm) << 16 | Self.r(rn) << 5 | Self.r(rd))
    }

    /// LSR Xd, Xn, #shift (UBFM Xd, Xn, #shift, #63)
    public mutating func lsr(_ rd: Int, _ rn: Int, _ shift: Int) {
        emit(0xD340_0000 | UInt32(shift & 63) << 16 | 63 << 10 | Self.r(rn) << 5 | Self.r(rd))
    }

    /// LSL Xd, Xn, #shift (UBFM Xd, Xn, #(-shift MOD 64), #(63-shift))
    public mutating func lsl(_ rd: Int, _ rn: Int, _ shift: Int) {
        let immr = UInt32((64 - shift) & 63), imms = UInt32(63 - (shift & 63))
        emit(0xD340_0000 | immr << 16 | imms << 10 | Self.r(rn) << 5 | Self.r(rd))
    }

    /// MUL Xd, Xn, Xm (MADD Xd, Xn, Xm, XZR)
    public mutating func mul(_ rd: Int, _ rn: Int, _ rm: Int) {
        emit(0x9B00_0000 | Self.r(rm) << 16 | 31 << 10 | Self.r(rn) << 5 | Self.r(rd))
    }

    /// MSUB Xd, Xn, Xm, Xa (Xa - Xn*Xm)
    public mutating func msub(_ rd: Int, _ rn: Int, _ rm: Int, _ ra: Int) {
        emit(0x9B00_8000 | Self.r(rm) << 16 | Self.r(ra) << 10 | Self.r(rn) << 5 | Self.r(rd))
    }

    /// UDIV Xd, Xn, Xm
    public mutating func udiv(_ rd: Int, _ rn: Int, _ rm: Int) {
        emit(0x9AC0_0800 | Self.r(rm) << 16 | Self.r(rn) << 5 | Self.r(rd))
    }

    // MARK: Loads and stores

    /// LDR Xt, [Xn|SP, #imm] (imm a multiple of 8)
    public mutating func ldr(_ rt: Int, _ rn: Int, offset: UInt32 = 0) {
        emit(0xF940_0000 | ((offset / 8) & 0xFFF) << 10 | Self.r(rn) << 5 | Self.r(rt))
    }

    /// STR Xt, [Xn|SP, #imm] (imm a multiple of 8)
    public mutating func str(_ rt: Int, _ rn: Int, offset: UInt32 = 0) {
        emit(0xF900_0000 | ((offset / 8) & 0xFFF) << 10 | Self.r(rn) << 5 | Self.r(rt))
    }

    /// LDR Wt, [Xn|SP, #imm] (imm a multiple of 4)
    public mutating func ldrw(_ rt: Int, _ rn: Int, offset: UInt32 = 0) {
        emit(0xB940_0000 | ((offset / 4) & 0xFFF) << 10 | Self.r(rn) << 5 | Self.r(rt))
    }

    /// STR Wt, [Xn|SP, #imm] (imm a multiple of 4)
    public mutating func strw(_ rt: Int, _ rn: Int, offset: UInt32 = 0) {
        emit(0xB900_0000 | ((offset / 4) & 0xFFF) << 10 | Self.r(rn) << 5 | Self.r(rt))
    }

    /// LDRB Wt, [Xn|SP, #imm]
    public mutating func ldrb(_ rt: Int, _ rn: Int, offset: UInt32 = 0) {
        emit(0x3940_0000 | (offset & 0xFFF) << 10 | Self.r(rn) << 5 | Self.r(rt))
    }

    /// STRB Wt, [Xn|SP, #imm]
    public mutating func strb(_ rt: Int, _ rn: Int, offset: UInt32 = 0) {
        emit(0x3900_0000 | (offset & 0xFFF) << 10 | Self.r(rn) << 5 | Self.r(rt))
    }

    /// STP Xt1, Xt2, [Xn|SP, #imm]! (pre-index, imm a multiple of 8 in -512...504)
    public mutating func stpPre(_ rt1: Int, _ rt2: Int, _ rn: Int, offset: Int) {
        let imm7 = UInt32(bitPattern: Int32(offset / 8)) & 0x7F
        emit(0xA980_0000 | imm7 << 15 | Self.r(rt2) << 10 | Self.r(rn) << 5 | Self.r(rt1))
    }

    /// LDP Xt1, Xt2, [Xn|SP], #imm (post-index)
    public mutating func ldpPost(_ rt1: Int, _ rt2: Int, _ rn: Int, offset: Int) {
        let imm7 = UInt32(bitPattern: Int32(offset / 8)) & 0x7F
        emit(0xA8C0_0000 | imm7 << 15 | Self.r(rt2) << 10 | Self.r(rn) << 5 | Self.r(rt1))
    }

    // MARK: Branches

    /// B label
    public mutating func b(_ target: Label) { fixups.append((words.count, .branch26(target))); emit(0x1400_0000) }
    /// BL label
    public mutating func bl(_ target: Label) { fixups.append((words.count, .branch26(target))); emit(0x9400_0000) }
    /// B.cond label
    public mutating func b(_ cond: Condition, _ target: Label) {
        fixups.append((words.count, .branch19(target))); emit(0x5400_0000 | cond.rawValue)
    }
    /// CBZ Xt, label
    public mutating func cbz(_ rt: Int, _ target: Label) {
        fixups.append((words.count, .branch19(target))); emit(0xB400_0000 | Self.r(rt))
    }
    /// CBNZ Xt, label
    public mutating func cbnz(_ rt: Int, _ target: Label) {
        fixups.append((words.count, .branch19(target))); emit(0xB500_0000 | Self.r(rt))
    }
    /// ADR Xd, label
    public mutating func adr(_ rd: Int, _ target: Label) {
        fixups.append((words.count, .adr(target))); emit(0x1000_0000 | Self.r(rd))
    }
    /// RET (X30)
    public mutating func ret() { emit(0xD65F_03C0) }

    // MARK: System

    /// MRS Xt, <register> where `encoding` is op0:op1:CRn:CRm:op2 as in instruction bits [20:5].
    public mutating func mrs(_ rt: Int, _ encoding: UInt16) { emit(0xD520_0000 | UInt32(encoding) << 5 | Self.r(rt)) }
    /// MSR <register>, Xt
    public mutating func msr(_ encoding: UInt16, _ rt: Int) { emit(0xD500_0000 | UInt32(encoding) << 5 | Self.r(rt)) }
    /// MSR DAIFClr, #imm4
    public mutating func msrDAIFClr(_ imm: UInt32) { emit(0xD503_40FF | (imm & 15) << 8) }
    /// MSR DAIFSet, #imm4
    public mutating func msrDAIFSet(_ imm: UInt32) { emit(0xD503_40DF | (imm & 15) << 8) }
    public mutating func wfi() { emit(0xD503_207F) }
    public mutating func nop() { emit(0xD503_201F) }
    public mutating func isb() { emit(0xD503_3FDF) }
    public mutating func dsbSY() { emit(0xD503_3F9F) }
    public mutating func eret() { emit(0xD69F_03E0) }
    /// HVC #imm16
    public mutating func hvc(_ imm: UInt16 = 0) { emit(0xD400_0002 | UInt32(imm) << 5) }
    /// SVC #imm16
    public mutating func svc(_ imm: UInt16 = 0) { emit(0xD400_0001 | UInt32(imm) << 5) }
}

public enum AssemblerError: Error, Equatable {
    case unboundLabel
    case outOfRange
}
