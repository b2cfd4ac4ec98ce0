// Owner: load/store work. Arm ARM C4.1.90 (SIMD and floating point data processing).
extension CPU {
    /// FMOV between general and FP registers and FMOV (register, immediate), after the
    /// CPACR_EL1.FPEN check; every other SIMD/FP data-processing encoding is UNDEFINED until
    /// FP/SIMD is implemented.
    func executeSIMDFloatingPoint(_ instruction: UInt32) {
        guard checkFPEnabled() else { return }
        let rd = Int(instruction & 31)
        let rn = Int((instruction >> 5) & 31)
        if instruction & 0x7F20_FC00 == 0x1E20_0000 {
            // Conversion between floating-point and integer: sf, type, rmode, opcode.
            let selector = instruction & 0x80DF_0000 // sf | type | rmode | opcode
            switch selector {
            case 0x0006_0000: // FMOV Wd, Sn
                setX(rd, vregs[2 * rn] & 0xFFFF_FFFF)
            case 0x0007_0000: // FMOV Sd, Wn
                vregs[2 * rd] = x(rn) & 0xFFFF_FFFF
                vregs[2 * rd + 1] = 0
            case 0x8046_0000: // FMOV Xd, Dn
                setX(rd, vregs[2 * rn])
            case 0x8047_0000: // FMOV Dd, Xn
                vregs[2 * rd] = x(rn)
                vregs[2 * rd + 1] = 0
            case 0x808E_0000: // FMOV Xd, Vn.D[1]
                setX(rd, vregs[2 * rn + 1])
            case 0x808F_0000: // FMOV Vd.D[1], Xn (the low half is kept)
                vregs[2 * rd + 1] = x(rn)
            default:
                undefined()
            }
            return
        }
        if instruction & 0xFFBF_FC00 == 0x1E20_4000 {
            // FMOV Sd, Sn / Dd, Dn (type 00 / 01; bit 22).
            let double = instruction & (1 << 22) != 0
            vregs[2 * rd] = double ? vregs[2 * rn] : vregs[2 * rn] & 0xFFFF_FFFF
            vregs[2 * rd + 1] = 0
            return
        }
        if instruction & 0xFFA0_1FE0 == 0x1E20_1000 {
            // FMOV Sd/Dd, #imm (VFPExpandImm).
            let imm8 = UInt64((instruction >> 13) & 0xFF)
            let sign = imm8 >> 7
            let b6 = (imm8 >> 6) & 1
            let low = imm8 & 0x3F // imm8<5:0>: exponent low bits and fraction top bits
            if instruction & (1 << 22) != 0 {
                let exponentHigh: UInt64 = b6 == 1 ? 0b0_1111_1111 : 0b1_0000_0000
                vregs[2 * rd] = sign << 63 | exponentHigh << 54 | low << 48
            } else {
                let exponentHigh: UInt64 = b6 == 1 ? 0b0_11111 : 0b1_00000
                vregs[2 * rd] = sign << 31 | exponentHigh << 25 | low << 19
            }
            vregs[2 * rd + 1] = 0
            return
        }
        undefined()
    }

    /// CPACR_EL1.FPEN: 0b11 lets FP/SIMD run, 0b01 traps EL0 only, 0b00/0b10 trap EL0 and EL1.
    /// Takes the trap (EC 0x07) and returns false when the access is trapped.
    @inline(__always)
    func checkFPEnabled() -> Bool {
        let fpen = (sys.cpacr >> 20) & 3
        if fpen == 3 || (fpen == 1 && el != 0) { return true }
        takeSynchronousException(syndrome: 0x07 << 26 | 1 << 25)
        return false
    }
}
