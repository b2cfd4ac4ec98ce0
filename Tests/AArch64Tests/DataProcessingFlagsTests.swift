import Testing
@testable import AArch64

// ConditionHolds and AddWithCarry checked against the Arm ARM pseudocode written out plainly:
// J1.2.3 ConditionHolds with booleans, and AddWithCarry with unbounded (128-bit) integers.

/// ConditionHolds exactly as the pseudocode states it.
private func referenceConditionHolds(_ cond: UInt32, n: Bool, z: Bool, c: Bool, v: Bool) -> Bool {
    var result: Bool
    switch cond >> 1 {
    case 0b000: result = z
    case 0b001: result = c
    case 0b010: result = n
    case 0b011: result = v
    case 0b100: result = c && !z
    case 0b101: result = n == v
    case 0b110: result = n == v && !z
    default: result = true
    }
    if cond & 1 == 1 && cond != 0b1111 { result = !result }
    return result
}

@Suite struct ConditionTests {
    @Test(arguments: 0..<16)
    func conditionHoldsMatchesThePseudocode(_ cond: Int) {
        let rig = CPUTestRig()
        for flagBits in UInt32(0)..<16 {
            rig.cpu.nzcv = flagBits << 28
            let expected = referenceConditionHolds(UInt32(cond), n: flagBits & 8 != 0, z: flagBits & 4 != 0,
                                                   c: flagBits & 2 != 0, v: flagBits & 1 != 0)
            #expect(rig.cpu.conditionHolds(UInt32(cond)) == expected, "cond \(cond), NZCV \(flagBits)")
        }
    }
}

/// AddWithCarry as the pseudocode states it: compare the unbounded sums with the truncated result.
private func referenceAddWithCarry(_ x: UInt64, _ y: UInt64, _ carry: UInt64, bits: Int) -> (UInt64, UInt32) {
    let mask: UInt64 = bits == 64 ? ~0 : (1 << UInt64(bits)) - 1
    let ux = UInt128(x & mask), uy = UInt128(y & mask)
    let unsignedSum = ux + uy + UInt128(carry)
    func signed(_ v: UInt64) -> Int128 {
        bits == 64 ? Int128(Int64(bitPattern: v)) : Int128(Int32(truncatingIfNeeded: v))
    }
    let signedSum = signed(x & mask) + signed(y & mask) + Int128(carry)
    let result = UInt64(truncatingIfNeeded: unsignedSum) & mask
    let n: UInt32 = (result >> UInt64(bits - 1)) & 1 == 1 ? 1 : 0
    let z: UInt32 = result == 0 ? 1 : 0
    let c: UInt32 = UInt128(result) == unsignedSum ? 0 : 1
    let v: UInt32 = signed(result) == signedSum ? 0 : 1
    return (result, n << 31 | z << 30 | c << 29 | v << 28)
}

@Suite struct AddWithCarryTests {
    static let interesting: [UInt64] = [
        0, 1, 2, 0x7F, 0x80, 0xFFFF, 0x7FFF_FFFF, 0x8000_0000, 0x8000_0001, 0xFFFF_FFFE, 0xFFFF_FFFF,
        0x1_0000_0000, 0x1234_5678_9ABC_DEF0, 0x7FFF_FFFF_FFFF_FFFF, 0x8000_0000_0000_0000,
        0x8000_0000_0000_0001, 0xFFFF_FFFF_FFFF_FFFE, 0xFFFF_FFFF_FFFF_FFFF,
    ]

    @Test(arguments: [32, 64])
    func addWithCarryMatchesThePseudocode(_ bits: Int) {
        for x in Self.interesting {
            for y in Self.interesting {
                for carry: UInt64 in [0, 1] {
                    let expected = referenceAddWithCarry(x, y, carry, bits: bits)
                    let actual = addWithCarry(x, y, carryIn: carry, is64: bits == 64)
                    #expect(actual.result == expected.0 && actual.nzcv == expected.1,
                            "x \(x), y \(y), carry \(carry)")
                }
            }
        }
    }

    /// The specialised forms used by ADDS/SUBS/CMP/CCMP equal AddWithCarry(x, y, 0) and
    /// AddWithCarry(x, NOT(y), 1).
    @Test(arguments: [32, 64])
    func addAndSubtractWithFlagsMatchThePseudocode(_ bits: Int) {
        for x in Self.interesting {
            for y in Self.interesting {
                let sum = referenceAddWithCarry(x, y, 0, bits: bits)
                let difference = referenceAddWithCarry(x, ~y, 1, bits: bits)
                let actualSum = addWithFlags(x, y, is64: bits == 64)
                let actualDifference = subtractWithFlags(x, y, is64: bits == 64)
                #expect(actualSum.result == sum.0 && actualSum.nzcv == sum.1, "x \(x) + y \(y)")
                #expect(actualDifference.result == difference.0 && actualDifference.nzcv == difference.1,
                        "x \(x) - y \(y)")
            }
        }
    }
}
