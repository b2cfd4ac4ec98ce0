/// The GICv3 distributor (64 KB) with affinity routing always enabled and a single Security
/// state (GICD_CTLR.DS = 1), as KVM presents it to a guest. Offsets per the GICv3/v4
/// Architecture Specification, table 12-25.
extension GICState {
    static let gicv3IIDR: UInt32 = 0x0300_043B
    static let irouterWritable: UInt64 = 0xFF_80FF_FFFF

    func readGICv3Distributor(offset: Int, size: Int, cpu: Int) -> UInt64 {
        switch offset {
        case 0x400..<0x800:
            guard AccessCheck.bytes(offset, size) else { return 0 }
            var value: UInt64 = 0
            for byte in 0..<size {
                let intid = offset + byte - 0x400
                if distributorOwns(intid) {
                    value |= UInt64(priorityByte(intid, cpu: cpu)) << UInt64(8 * byte)
                }
            }
            return value
        case 0x6000..<0x8000:
            guard let (index, shift, width) = irouterAccess(offset: offset, size: size) else { return 0 }
            let value = routers[index] >> shift
            return width == 64 ? value : value & 0xFFFF_FFFF
        default:
            guard AccessCheck.word(offset, size) else { return 0 }
            return UInt64(readGICv3DistributorWord(offset: offset, cpu: cpu))
        }
    }

    mutating func writeGICv3Distributor(offset: Int, size: Int, value: UInt64, cpu: Int) {
        switch offset {
        case 0x400..<0x800:
            guard AccessCheck.bytes(offset, size) else { return }
            for byte in 0..<size {
                let intid = offset + byte - 0x400
                if distributorOwns(intid) {
                    setPriorityByte(intid, cpu: cpu, value: UInt8(truncatingIfNeeded: value >> UInt64(8 * byte)))
                }
            }
        case 0x6000..<0x8000:
            guard let (index, shift, width) = irouterAccess(offset: offset, size: size) else { return }
            let fieldMask: UInt64 = width == 64 ? .max : 0xFFFF_FFFF << shift
            let newBits = (value << shift) & fieldMask
            routers[index] = (routers[index] & ~fieldMask | newBits) & Self.irouterWritable
        default:
            guard AccessCheck.word(offset, size) else { return }
            writeGICv3DistributorWord(offset: offset, value: UInt32(truncatingIfNeeded: value), cpu: cpu)
        }
    }

    /// GICD_IROUTER<n> (n = 32...) at 0x6000 + 8n: a 64-bit register, also reachable as two
    /// 32-bit halves. Returns the SPI index, the bit shift and the access width.
    private func irouterAccess(offset: Int, size: Int) -> (Int, UInt64, Int)? {
        let intid = (offset - 0x6000) >> 3
        guard intid >= 32, intid < interruptCount else { return nil }
        if size == 8 && offset & 7 == 0 { return (intid - 32, 0, 64) }
        if size == 4 && offset & 3 == 0 { return (intid - 32, offset & 4 == 0 ? 0 : 32, 32) }
        return nil
    }

    private func readGICv3DistributorWord(offset: Int, cpu: Int) -> UInt32 {
        switch offset {
        case 0x0000:
            // EnableGrp0, EnableGrp1, ARE (RAO), DS (RAO); RWP always clear.
            return distributorControl & 0b11 | 1 << 4 | 1 << 6
        case 0x0004:
            // ITLinesNumber, CPUNumber, IDbits = 9 (10-bit INTIDs, no LPIs), A3V, RSS.
            return UInt32(interruptCount / 32 - 1) | UInt32(min(cpuCount, 8) - 1) << 5 | 9 << 19 | 1 << 24 | 1 << 26
        case 0x0008: return Self.gicv3IIDR
        case 0x0080..<0x0100: return distributorBitmap(.group, offset: offset - 0x0080, cpu: cpu)
        case 0x0100..<0x0180: return distributorBitmap(.setEnable, offset: offset - 0x0100, cpu: cpu)
        case 0x0180..<0x0200: return distributorBitmap(.clearEnable, offset: offset - 0x0180, cpu: cpu)
        case 0x0200..<0x0280: return distributorBitmap(.setPending, offset: offset - 0x0200, cpu: cpu)
        case 0x0280..<0x0300: return distributorBitmap(.clearPending, offset: offset - 0x0280, cpu: cpu)
        case 0x0300..<0x0380: return distributorBitmap(.setActive, offset: offset - 0x0300, cpu: cpu)
        case 0x0380..<0x0400: return distributorBitmap(.clearActive, offset: offset - 0x0380, cpu: cpu)
        case 0x0C00..<0x0D00:
            let first = (offset - 0x0C00) * 4
            return first < 32 ? 0 : readConfig(first: first, cpu: cpu)
        case 0xFFD0..<0x10000:
            return UInt32(IdentificationRegisters.read(IdentificationRegisters.gicv3Distributor, offset: offset - 0xFFD0))
        default:
            // TYPER2, STATUSR, ITARGETSR and the SGI registers (affinity routing), IGRPMODR,
            // NSACR (single Security state), reserved: RAZ.
            return 0
        }
    }

    private mutating func writeGICv3DistributorWord(offset: Int, value: UInt32, cpu: Int) {
        switch offset {
        case 0x0000: distributorControl = value & 0b11
        case 0x0080..<0x0100: break // all interrupts are group 1
        case 0x0100..<0x0180: writeDistributorBitmap(.setEnable, offset: offset - 0x0100, cpu: cpu, value: value)
        case 0x0180..<0x0200: writeDistributorBitmap(.clearEnable, offset: offset - 0x0180, cpu: cpu, value: value)
        case 0x0200..<0x0280: writeDistributorBitmap(.setPending, offset: offset - 0x0200, cpu: cpu, value: value)
        case 0x0280..<0x0300: writeDistributorBitmap(.clearPending, offset: offset - 0x0280, cpu: cpu, value: value)
        case 0x0300..<0x0380: writeDistributorBitmap(.setActive, offset: offset - 0x0300, cpu: cpu, value: value)
        case 0x0380..<0x0400: writeDistributorBitmap(.clearActive, offset: offset - 0x0380, cpu: cpu, value: value)
        case 0x0C00..<0x0D00:
            let first = (offset - 0x0C00) * 4
            if first >= 32 { writeConfig(first: first, cpu: cpu, value: value) }
        default: break
        }
    }

    /// A distributor bitmap word; the first word (SGIs and PPIs) is RAZ/WI under affinity routing.
    private func distributorBitmap(_ register: BitmapRegister, offset: Int, cpu: Int) -> UInt32 {
        let first = offset * 8
        return first < 32 ? 0 : readBitmap(register, first: first, cpu: cpu)
    }

    private mutating func writeDistributorBitmap(_ register: BitmapRegister, offset: Int, cpu: Int, value: UInt32) {
        let first = offset * 8
        if first >= 32 { writeBitmap(register, first: first, cpu: cpu, value: value) }
    }
}
