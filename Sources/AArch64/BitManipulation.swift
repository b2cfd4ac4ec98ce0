// Owner: data-processing work. Pure integer helpers for the A64 data-processing instructions:
// the shared pseudocode of the Arm ARM (AddWithCarry, DecodeBitMasks, ShiftReg, ExtendReg) and
// bit-reversal/count operations. Free functions on plain integers so they inline into the
// interpreter loop and can be unit-tested without a CPU.

/// AddWithCarry on 64-bit operands: the sum and NZCV in bits 31:28 (the PSTATE layout).
@inline(__always)
func addWithCarry64(_ x: UInt64, _ y: UInt64, carryIn: UInt64) -> (result: UInt64, nzcv: UInt32) {
    let (partial, carry1) = x.addingReportingOverflow(y)
    let (result, carry2) = partial.addingReportingOverflow(carryIn)
    // Each flag is moved straight to its PSTATE bit: N from bit 63, V (operands of one sign,
    // result of the other) from bit 63 of the overflow term.
    let n = UInt32(truncatingIfNeeded: result >> 32) & 0x8000_0000
    let z: UInt32 = result == 0 ? 0x4000_0000 : 0
    let c: UInt32 = (carry1 || carry2) ? 0x2000_0000 : 0
    let v = UInt32(truncatingIfNeeded: ((x ^ result) & (y ^ result)) >> 35) & 0x1000_0000
    return (result, n | z | c | v)
}

/// AddWithCarry on the low 32 bits of the operands; the result is zero-extended to 64 bits.
@inline(__always)
func addWithCarry32(_ x: UInt64, _ y: UInt64, carryIn: UInt64) -> (result: UInt64, nzcv: UInt32) {
    let x32 = x & 0xFFFF_FFFF
    let y32 = y & 0xFFFF_FFFF
    let wide = x32 &+ y32 &+ carryIn
    let result = wide & 0xFFFF_FFFF
    let n = UInt32(truncatingIfNeeded: result) & 0x8000_0000
    let z: UInt32 = result == 0 ? 0x4000_0000 : 0
    let c = UInt32(truncatingIfNeeded: wide >> 3) & 0x2000_0000
    let v = UInt32(truncatingIfNeeded: ((x32 ^ result) & (y32 ^ result)) >> 3) & 0x1000_0000
    return (result, n | z | c | v)
}

/// AddWithCarry for the operand size selected by `is64`.
@inline(__always)
func addWithCarry(_ x: UInt64, _ y: UInt64, carryIn: UInt64, is64: Bool) -> (result: UInt64, nzcv: UInt32) {
    is64 ? addWithCarry64(x, y, carryIn: carryIn) : addWithCarry32(x, y, carryIn: carryIn)
}

/// AddWithCarry(x, NOT(y), 1) — SUBS, CMP, CCMP — computed as one subtraction: C is "no
/// borrow", V is set when the operands differ in sign and the result's sign differs from x.
@inline(__always)
func subtractWithFlags(_ x: UInt64, _ y: UInt64, is64: Bool) -> (result: UInt64, nzcv: UInt32) {
    if is64 {
        let (result, borrow) = x.subtractingReportingOverflow(y)
        let n = UInt32(truncatingIfNeeded: result >> 32) & 0x8000_0000
        let z: UInt32 = result == 0 ? 0x4000_0000 : 0
        let c: UInt32 = borrow ? 0 : 0x2000_0000
        let v = UInt32(truncatingIfNeeded: ((x ^ y) & (x ^ result)) >> 35) & 0x1000_0000
        return (result, n | z | c | v)
    } else {
        let x32 = x & 0xFFFF_FFFF
        let y32 = y & 0xFFFF_FFFF
        let wide = x32 &- y32 // bit 63 set exactly when the subtraction borrows
        let result = wide & 0xFFFF_FFFF
        let n = UInt32(truncatingIfNeeded: result) & 0x8000_0000
        let z: UInt32 = result == 0 ? 0x4000_0000 : 0
        let c = ~UInt32(truncatingIfNeeded: wide >> 34) & 0x2000_0000
        let v = UInt32(truncatingIfNeeded: ((x32 ^ y32) & (x32 ^ result)) >> 3) & 0x1000_0000
        return (result, n | z | c | v)
    }
}

/// AddWithCarry(x, y, 0) — ADDS, CMN, CCMN.
@inline(__always)
func addWithFlags(_ x: UInt64, _ y: UInt64, is64: Bool) -> (result: UInt64, nzcv: UInt32) {
    is64 ? addWithCarry64(x, y, carryIn: 0) : addWithCarry32(x, y, carryIn: 0)
}

/// NZCV after a logical operation with flags (ANDS, BICS, TST): N and Z from the result, C = V = 0.
/// `result` must already be truncated to the operand size.
@inline(__always)
func logicalFlags(_ result: UInt64, is64: Bool) -> UInt32 {
    let n = UInt32(truncatingIfNeeded: result >> (is64 ? 63 : 31)) & 1
    let z: UInt32 = result == 0 ? 1 : 0
    return n << 31 | z << 30
}

/// The all-ones mask of the operand size.
@inline(__always)
func sizeMask(is64: Bool) -> UInt64 { is64 ? ~0 : 0xFFFF_FFFF }

/// `count` ones in the low bits, for `count` in 1...64.
@inline(__always)
func ones(_ count: UInt32) -> UInt64 { UInt64.max &>> UInt64(64 &- count) }

/// Rotates the low `size` bits of `value` right by `amount` (< size); `size` is 32 or 64 and
/// `value` must have no bits at or above `size`.
@inline(__always)
func rotateRight(_ value: UInt64, by amount: UInt32, size: UInt32) -> UInt64 {
    let r = UInt64(amount)
    let rotated = (value &>> r) | (value &<< (UInt64(size) &- r))
    return size == 64 ? rotated : rotated & 0xFFFF_FFFF
}

/// DecodeBitMasks(N, imms, immr, immediate = TRUE) as used by the logical-immediate instructions:
/// the replicated, rotated run of ones, truncated to the operand size. Nil for the reserved
/// encodings (element size below 2, or a run of ones filling its whole element).
@inline(__always)
func decodeLogicalImmediate(n: UInt32, immr: UInt32, imms: UInt32, is64: Bool) -> UInt64? {
    let combined = (n << 6) | (~imms & 0x3F)
    // len = HighestSetBit(N:NOT(imms)); combined == 0 has no set bit and is reserved too.
    let len = 31 &- combined.leadingZeroBitCount
    guard len >= 1 else { return nil }
    let levels = UInt32(1 << len) &- 1
    let s = imms & levels
    let r = immr & levels
    guard s != levels else { return nil }
    let esize = UInt32(1 << len)
    var element = ones(s &+ 1)
    if r != 0 {
        let emask = ones(esize)
        element = ((element &>> UInt64(r)) | (element &<< UInt64(esize &- r))) & emask
    }
    var size = esize
    while size < 64 {
        element |= element &<< UInt64(size)
        size &<<= 1
    }
    return is64 ? element : element & 0xFFFF_FFFF
}

/// ShiftReg: `value` (already truncated to the operand size) shifted by `type` (LSL, LSR, ASR,
/// ROR) by `amount`, which is below the operand size.
@inline(__always)
func shiftRegister(_ value: UInt64, type: UInt32, amount: UInt32, is64: Bool) -> UInt64 {
    // An unshifted operand (MOV, ADD Xd, Xn, Xm, ...) is by far the most common case.
    if amount == 0 { return value }
    if is64 {
        let a = UInt64(amount)
        switch type & 3 {
        case 0: return value &<< a
        case 1: return value &>> a
        case 2: return UInt64(bitPattern: Int64(bitPattern: value) &>> Int64(a))
        default: return (value &>> a) | (value &<< (64 &- a))
        }
    } else {
        let w = UInt32(truncatingIfNeeded: value)
        let a = amount
        let r: UInt32
        switch type & 3 {
        case 0: r = w &<< a
        case 1: r = w &>> a
        case 2: r = UInt32(bitPattern: Int32(bitPattern: w) &>> Int32(a))
        default: r = (w &>> a) | (w &<< (32 &- a))
        }
        return UInt64(r)
    }
}

/// ExtendReg: `value` extended by `option` (UXTB, UXTH, UXTW, UXTX, SXTB, SXTH, SXTW, SXTX) and
/// shifted left by `shift` (0...4). The caller truncates to the operand size.
@inline(__always)
func extendRegister(_ value: UInt64, option: UInt32, shift: UInt32) -> UInt64 {
    let extended: UInt64
    switch option & 7 {
    case 0: extended = value & 0xFF
    case 1: extended = value & 0xFFFF
    case 2: extended = value & 0xFFFF_FFFF
    case 4: extended = UInt64(bitPattern: Int64(Int8(truncatingIfNeeded: value)))
    case 5: extended = UInt64(bitPattern: Int64(Int16(truncatingIfNeeded: value)))
    case 6: extended = UInt64(bitPattern: Int64(Int32(truncatingIfNeeded: value)))
    default: extended = value
    }
    return extended &<< UInt64(shift)
}

/// The bits of `value` in reverse order (RBIT, 64-bit).
@inline(__always)
func reverseBits64(_ value: UInt64) -> UInt64 {
    var v = value
    v = ((v >> 1) & 0x5555_5555_5555_5555) | ((v & 0x5555_5555_5555_5555) << 1)
    v = ((v >> 2) & 0x3333_3333_3333_3333) | ((v & 0x3333_3333_3333_3333) << 2)
    v = ((v >> 4) & 0x0F0F_0F0F_0F0F_0F0F) | ((v & 0x0F0F_0F0F_0F0F_0F0F) << 4)
    return v.byteSwapped
}

/// The bits of `value` in reverse order (RBIT, 32-bit).
@inline(__always)
func reverseBits32(_ value: UInt32) -> UInt32 {
    var v = value
    v = ((v >> 1) & 0x5555_5555) | ((v & 0x5555_5555) << 1)
    v = ((v >> 2) & 0x3333_3333) | ((v & 0x3333_3333) << 2)
    v = ((v >> 4) & 0x0F0F_0F0F) | ((v & 0x0F0F_0F0F) << 4)
    return v.byteSwapped
}

/// The bytes of each 16-bit halfword swapped (REV16).
@inline(__always)
func reverseBytesInHalfwords(_ value: UInt64) -> UInt64 {
    ((value >> 8) & 0x00FF_00FF_00FF_00FF) | ((value & 0x00FF_00FF_00FF_00FF) << 8)
}

/// CountLeadingSignBits for a 64-bit value: how many bits below the top one equal it.
@inline(__always)
func countLeadingSignBits64(_ value: UInt64) -> Int {
    // Bit i of (x ^ x << 1) is x[i] ^ x[i-1]; forcing bit 0 stops the count at 63.
    ((value ^ (value << 1)) | 1).leadingZeroBitCount
}

/// CountLeadingSignBits for a 32-bit value.
@inline(__always)
func countLeadingSignBits32(_ value: UInt32) -> Int {
    ((value ^ (value << 1)) | 1).leadingZeroBitCount
}
