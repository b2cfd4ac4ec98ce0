// Owner: load/store work. Arm ARM C4.1.89 (loads and stores), Armv8.0.

/// What the size, V and opc fields of a load/store register encoding ask for.
enum RegisterTransfer {
    /// A general-purpose register; `opc` 00 store, 01 load, 10 load signed to 64, 11 to 32 bits.
    case integer
    /// A SIMD&FP register of 1 << `scale` bytes.
    case vector
    /// PRFM: no architectural effect, never faults.
    case prefetch
    case unallocated
}

extension CPU {
    /// Every load/store encoding: literal, pairs, unscaled, immediate pre/post/unsigned offset,
    /// register offset, unprivileged, exclusives, acquire/release, PRFM, and the FP/SIMD
    /// register loads and stores.
    func executeLoadStore(_ instruction: UInt32) {
        switch (instruction >> 27) & 7 {
        case 0b111:
            if instruction & (1 << 24) != 0 {
                loadStoreUnsignedOffset(instruction)
            } else if instruction & (1 << 21) == 0 {
                loadStoreImmediate9(instruction)
            } else if (instruction >> 10) & 3 == 0b10 {
                loadStoreRegisterOffset(instruction)
            } else {
                undefined() // Armv8.1 atomics, Armv8.3 LDRAA/LDRAB
            }
        case 0b101:
            loadStorePair(instruction)
        case 0b011:
            if instruction & (1 << 24) == 0 { loadLiteral(instruction) } else { undefined() }
        default: // 0b001
            if (instruction >> 24) & 0x3F == 0b001000 {
                loadStoreExclusive(instruction)
            } else if instruction & (1 << 26) != 0 {
                // LD1-LD4/ST1-ST4 (structures): FP/SIMD, not implemented.
                if checkFPEnabled() { undefined() }
            } else {
                undefined()
            }
        }
    }

    // MARK: Decoding helpers

    /// Classifies size:V:opc (bits 31:30, 26, 23:22) of the load/store register encodings.
    @inline(__always)
    func registerTransfer(_ instruction: UInt32) -> (RegisterTransfer, scale: Int) {
        let size = Int(instruction >> 30)
        let opc = (instruction >> 22) & 3
        if instruction & (1 << 26) != 0 {
            if opc & 2 == 0 { return (.vector, size) }
            return size == 0 ? (.vector, 4) : (.unallocated, 0)
        }
        switch (size, opc) {
        case (3, 2): return (.prefetch, 3)
        case (3, 3), (2, 3): return (.unallocated, 0)
        default: return (.integer, size)
        }
    }

    /// The base register Xn|SP, or nil after an SP alignment fault (EC 0x26) when SCTLR_EL1.SA
    /// (at EL1) or SA0 (at EL0) is set and SP is not 16-byte aligned.
    @inline(__always)
    func baseRegister(_ rn: Int) -> UInt64? {
        let base = regs[rn]
        if rn == 31, base & 0xF != 0,
           sys.sctlr & (el == 0 ? SCTLRBits.sa0 : SCTLRBits.sa) != 0 {
            takeSynchronousException(syndrome: 0x26 << 26 | 1 << 25)
            return nil
        }
        return base
    }

    /// One load or store of a register at `address`. Returns false after a fault (no register
    /// has been written then).
    @inline(__always)
    func transferRegister(_ instruction: UInt32, kind: RegisterTransfer, scale: Int,
                          address: UInt64, unprivileged: Bool = false) -> Bool {
        let rt = Int(instruction & 31)
        let opc = (instruction >> 22) & 3
        switch kind {
        case .integer:
            let bytes = 1 << scale
            if opc == 0 {
                return writeMemory(address, size: bytes, x(rt), unprivileged: unprivileged)
            }
            guard let value = readMemory(address, size: bytes, unprivileged: unprivileged) else {
                return false
            }
            switch opc {
            case 1:
                setX(rt, value)
            case 2:
                setX(rt, signExtend(value, bytes: bytes))
            default:
                setX(rt, signExtend(value, bytes: bytes) & 0xFFFF_FFFF)
            }
            return true
        case .vector:
            if opc & 1 == 0 {
                return storeVector(rt, scale: scale, address: address)
            }
            return loadVector(rt, scale: scale, address: address)
        case .prefetch, .unallocated:
            return true
        }
    }

    @inline(__always)
    func signExtend(_ value: UInt64, bytes: Int) -> UInt64 {
        let shift = UInt64(64 &- 8 &* bytes)
        return UInt64(bitPattern: Int64(bitPattern: value << shift) >> shift)
    }

    /// Loads B/H/S/D/Q register `rt` (the rest of the vector is zeroed).
    @inline(__always)
    func loadVector(_ rt: Int, scale: Int, address: UInt64) -> Bool {
        if scale == 4 {
            if sys.sctlr & SCTLRBits.a != 0, !checkAlignment(address, size: 16, write: false) {
                return false
            }
            guard let low = readMemory(address, size: 8),
                  let high = readMemory(address &+ 8, size: 8) else { return false }
            vregs[2 &* rt] = low
            vregs[2 &* rt &+ 1] = high
            return true
        }
        guard let value = readMemory(address, size: 1 << scale) else { return false }
        vregs[2 &* rt] = value
        vregs[2 &* rt &+ 1] = 0
        return true
    }

    /// Stores the low 1 << `scale` bytes of vector register `rt`.
    @inline(__always)
    func storeVector(_ rt: Int, scale: Int, address: UInt64) -> Bool {
        if scale == 4 {
            if sys.sctlr & SCTLRBits.a != 0, !checkAlignment(address, size: 16, write: true) {
                return false
            }
            return writeMemory(address, size: 8, vregs[2 &* rt])
                && writeMemory(address &+ 8, size: 8, vregs[2 &* rt &+ 1])
        }
        return writeMemory(address, size: 1 << scale, vregs[2 &* rt])
    }

    // MARK: Load/store register forms

    /// LDR/STR (immediate, unsigned offset) and PRFM (immediate): imm12 scaled by the size.
    func loadStoreUnsignedOffset(_ instruction: UInt32) {
        let (kind, scale) = registerTransfer(instruction)
        switch kind {
        case .unallocated: undefined(); return
        case .prefetch: return
        case .vector: guard checkFPEnabled() else { return }
        case .integer: break
        }
        guard let base = baseRegister(Int((instruction >> 5) & 31)) else { return }
        let offset = UInt64((instruction >> 10) & 0xFFF) << UInt64(scale)
        _ = transferRegister(instruction, kind: kind, scale: scale, address: base &+ offset)
    }

    /// The imm9 forms, by bits 11:10: 00 unscaled (LDUR/STUR/PRFUM), 01 post-index,
    /// 10 unprivileged (LDTR/STTR), 11 pre-index.
    func loadStoreImmediate9(_ instruction: UInt32) {
        let (kind, scale) = registerTransfer(instruction)
        let form = (instruction >> 10) & 3
        switch kind {
        case .unallocated: undefined(); return
        case .prefetch:
            if form != 0 { undefined() } // only PRFUM exists
            return
        case .vector:
            if form == 0b10 { undefined(); return } // no unprivileged FP loads/stores
            guard checkFPEnabled() else { return }
        case .integer: break
        }
        let rn = Int((instruction >> 5) & 31)
        guard let base = baseRegister(rn) else { return }
        let offset = UInt64(bitPattern: Int64(Int32(bitPattern: instruction << 11) >> 23))
        switch form {
        case 0b00:
            _ = transferRegister(instruction, kind: kind, scale: scale, address: base &+ offset)
        case 0b10:
            // At EL0 an unprivileged access is an ordinary one.
            _ = transferRegister(instruction, kind: kind, scale: scale, address: base &+ offset,
                                 unprivileged: true)
        default:
            let pre = form == 0b11
            let address = pre ? base &+ offset : base
            let rt = Int(instruction & 31)
            let isStore = (instruction >> 22) & 3 == 0
            // (Rt 31 is XZR, never the SP base.)
            if isStore || kind == .vector || rt != rn || rn == 31 {
                guard transferRegister(instruction, kind: kind, scale: scale, address: address) else { return }
                regs[rn] = base &+ offset
            } else {
                // Load into the base register with writeback (CONSTRAINED UNPREDICTABLE): the
                // loaded value wins.
                regs[rn] = base &+ offset
                if !transferRegister(instruction, kind: kind, scale: scale, address: address) {
                    regs[rn] = base
                }
            }
        }
    }

    /// LDR/STR (register): Xm or Wm extended (UXTW, LSL, SXTW, SXTX) and optionally shifted
    /// by the access size; PRFM (register).
    func loadStoreRegisterOffset(_ instruction: UInt32) {
        let option = (instruction >> 13) & 7
        guard option & 2 != 0 else { undefined(); return }
        let (kind, scale) = registerTransfer(instruction)
        switch kind {
        case .unallocated: undefined(); return
        case .prefetch: return
        case .vector: guard checkFPEnabled() else { return }
        case .integer: break
        }
        guard let base = baseRegister(Int((instruction >> 5) & 31)) else { return }
        let rm = x(Int((instruction >> 16) & 31))
        var offset: UInt64
        switch option {
        case 0b010: offset = rm & 0xFFFF_FFFF
        case 0b110: offset = UInt64(bitPattern: Int64(Int32(truncatingIfNeeded: rm)))
        default: offset = rm // 0b011 LSL, 0b111 SXTX
        }
        if instruction & (1 << 12) != 0 { offset <<= UInt64(scale) }
        _ = transferRegister(instruction, kind: kind, scale: scale, address: base &+ offset)
    }

    /// LDR (literal) W/X/S/D/Q, LDRSW (literal), PRFM (literal): PC-relative, imm19 words.
    func loadLiteral(_ instruction: UInt32) {
        let opc = instruction >> 30
        let offset = UInt64(bitPattern: Int64(Int32(bitPattern: instruction << 8) >> 13) << 2)
        let address = currentInstructionPC &+ offset
        let rt = Int(instruction & 31)
        if instruction & (1 << 26) != 0 {
            guard opc != 3 else { undefined(); return }
            guard checkFPEnabled() else { return }
            _ = loadVector(rt, scale: Int(opc) + 2, address: address)
            return
        }
        switch opc {
        case 0:
            if let value = readMemory(address, size: 4) { setX(rt, value) }
        case 1:
            if let value = readMemory(address, size: 8) { setX(rt, value) }
        case 2:
            if let value = readMemory(address, size: 4) { setX(rt, signExtend(value, bytes: 4)) }
        default:
            break // PRFM (literal)
        }
    }

    // MARK: Pairs

    /// LDP/STP/LDPSW/LDNP/STNP, general and S/D/Q registers, every index mode (bits 24:23:
    /// 00 no-allocate offset, 01 post-index, 10 offset, 11 pre-index).
    func loadStorePair(_ instruction: UInt32) {
        let opc = instruction >> 30
        let vector = instruction & (1 << 26) != 0
        let mode = (instruction >> 23) & 3
        let isLoad = instruction & (1 << 22) != 0
        var signed = false
        let scale: Int
        if vector {
            guard opc != 3 else { undefined(); return }
            scale = Int(opc) + 2
        } else {
            switch opc {
            case 0: scale = 2
            case 2: scale = 3
            case 1:
                // LDPSW; there is no STPSW and no non-temporal LDPSW.
                guard isLoad, mode != 0 else { undefined(); return }
                scale = 2
                signed = true
            default: undefined(); return
            }
        }
        if vector { guard checkFPEnabled() else { return } }
        let rt = Int(instruction & 31)
        let rt2 = Int((instruction >> 10) & 31)
        let rn = Int((instruction >> 5) & 31)
        guard let base = baseRegister(rn) else { return }
        let offset = UInt64(bitPattern: Int64(Int32(bitPattern: instruction << 10) >> 25) << Int64(scale))
        let address = mode == 0b01 ? base : base &+ offset
        let bytes = 1 << scale
        let second = address &+ UInt64(bytes)

        if isLoad {
            if vector {
                if scale == 4 {
                    if sys.sctlr & SCTLRBits.a != 0, !checkAlignment(address, size: 16, write: false) { return }
                    guard let a0 = readMemory(address, size: 8), let a1 = readMemory(address &+ 8, size: 8),
                          let b0 = readMemory(second, size: 8), let b1 = readMemory(second &+ 8, size: 8)
                    else { return }
                    writeBack(mode, rn: rn, base &+ offset)
                    vregs[2 &* rt] = a0; vregs[2 &* rt &+ 1] = a1
                    vregs[2 &* rt2] = b0; vregs[2 &* rt2 &+ 1] = b1
                } else {
                    guard let a = readMemory(address, size: bytes),
                          let b = readMemory(second, size: bytes) else { return }
                    writeBack(mode, rn: rn, base &+ offset)
                    vregs[2 &* rt] = a; vregs[2 &* rt &+ 1] = 0
                    vregs[2 &* rt2] = b; vregs[2 &* rt2 &+ 1] = 0
                }
            } else {
                guard let a = readMemory(address, size: bytes),
                      let b = readMemory(second, size: bytes) else { return }
                // With writeback into Rt or Rt2 (CONSTRAINED UNPREDICTABLE) the loaded value wins.
                writeBack(mode, rn: rn, base &+ offset)
                setX(rt, signed ? signExtend(a, bytes: 4) : a)
                setX(rt2, signed ? signExtend(b, bytes: 4) : b)
            }
        } else {
            if vector {
                if scale == 4 {
                    if sys.sctlr & SCTLRBits.a != 0, !checkAlignment(address, size: 16, write: true) { return }
                    guard writeMemory(address, size: 8, vregs[2 &* rt]),
                          writeMemory(address &+ 8, size: 8, vregs[2 &* rt &+ 1]),
                          writeMemory(second, size: 8, vregs[2 &* rt2]),
                          writeMemory(second &+ 8, size: 8, vregs[2 &* rt2 &+ 1]) else { return }
                } else {
                    guard writeMemory(address, size: bytes, vregs[2 &* rt]),
                          writeMemory(second, size: bytes, vregs[2 &* rt2]) else { return }
                }
            } else {
                // Values are read before writeback (a store of the base register stores its old value).
                let a = x(rt), b = x(rt2)
                guard writeMemory(address, size: bytes, a), writeMemory(second, size: bytes, b) else { return }
            }
            writeBack(mode, rn: rn, base &+ offset)
        }
    }

    /// Writes the updated base for the post-index (01) and pre-index (11) modes.
    @inline(__always)
    func writeBack(_ mode: UInt32, rn: Int, _ value: UInt64) {
        if mode & 1 != 0 { regs[rn] = value }
    }
}
