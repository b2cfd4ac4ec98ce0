/// The GICv2 distributor (4 KB), without the Security Extensions, as QEMU's 'virt' board and
/// KVM present it. Offsets per the GICv2 Architecture Specification, table 4-1.
extension GICState {
    static let gicv2IIDR: UInt32 = 0x0000_043B

    func readGICv2Distributor(offset: Int, size: Int, cpu: Int) -> UInt64 {
        switch offset {
        case 0x400..<0x800, 0x800..<0xC00, 0xF10..<0xF30:
            guard AccessCheck.bytes(offset, size) else { return 0 }
            var value: UInt64 = 0
            for byte in 0..<size {
                value |= UInt64(readGICv2DistributorByte(offset: offset + byte, cpu: cpu)) << UInt64(8 * byte)
            }
            return value
        default:
            guard AccessCheck.word(offset, size) else { return 0 }
            return UInt64(readGICv2DistributorWord(offset: offset, cpu: cpu))
        }
    }

    mutating func writeGICv2Distributor(offset: Int, size: Int, value: UInt64, cpu: Int) {
        switch offset {
        case 0x400..<0x800, 0x800..<0xC00, 0xF10..<0xF30:
            guard AccessCheck.bytes(offset, size) else { return }
            for byte in 0..<size {
                let b = UInt8(truncatingIfNeeded: value >> UInt64(8 * byte))
                writeGICv2DistributorByte(offset: offset + byte, value: b, cpu: cpu)
            }
        default:
            guard AccessCheck.word(offset, size) else { return }
            writeGICv2DistributorWord(offset: offset, value: UInt32(truncatingIfNeeded: value), cpu: cpu)
        }
    }

    private func readGICv2DistributorWord(offset: Int, cpu: Int) -> UInt32 {
        switch offset {
        case 0x000: return distributorControl & 0b11
        case 0x004:
            // ITLinesNumber [4:0], CPUNumber [7:5]; SecurityExtn clear.
            return UInt32(interruptCount / 32 - 1) | UInt32(min(cpuCount, 8) - 1) << 5
        case 0x008: return Self.gicv2IIDR
        case 0x080..<0x100: return readBitmap(.group, first: (offset - 0x080) * 8, cpu: cpu)
        case 0x100..<0x180: return readBitmap(.setEnable, first: (offset - 0x100) * 8, cpu: cpu)
        case 0x180..<0x200: return readBitmap(.clearEnable, first: (offset - 0x180) * 8, cpu: cpu)
        case 0x200..<0x280: return readBitmap(.setPending, first: (offset - 0x200) * 8, cpu: cpu)
        case 0x280..<0x300: return readBitmap(.clearPending, first: (offset - 0x280) * 8, cpu: cpu)
        case 0x300..<0x380: return readBitmap(.setActive, first: (offset - 0x300) * 8, cpu: cpu)
        case 0x380..<0x400: return readBitmap(.clearActive, first: (offset - 0x380) * 8, cpu: cpu)
        case 0xC00..<0xD00: return readConfig(first: (offset - 0xC00) * 4, cpu: cpu)
        case 0xFD0..<0x1000:
            return UInt32(IdentificationRegisters.read(IdentificationRegisters.gicv2Distributor, offset: offset - 0xFD0))
        default: return 0 // reserved, GICD_SGIR (write-only), implementation-defined: RAZ
        }
    }

    private mutating func writeGICv2DistributorWord(offset: Int, value: UInt32, cpu: Int) {
        switch offset {
        case 0x000: distributorControl = value & 0b11
        case 0x080..<0x100: writeBitmap(.group, first: (offset - 0x080) * 8, cpu: cpu, value: value)
        case 0x100..<0x180: writeBitmap(.setEnable, first: (offset - 0x100) * 8, cpu: cpu, value: value)
        case 0x180..<0x200: writeBitmap(.clearEnable, first: (offset - 0x180) * 8, cpu: cpu, value: value)
        case 0x200..<0x280: writeBitmap(.setPending, first: (offset - 0x200) * 8, cpu: cpu, value: value)
        case 0x280..<0x300: writeBitmap(.clearPending, first: (offset - 0x280) * 8, cpu: cpu, value: value)
        case 0x300..<0x380: writeBitmap(.setActive, first: (offset - 0x300) * 8, cpu: cpu, value: value)
        case 0x380..<0x400: writeBitmap(.clearActive, first: (offset - 0x380) * 8, cpu: cpu, value: value)
        case 0xC00..<0xD00: writeConfig(first: (offset - 0xC00) * 4, cpu: cpu, value: value)
        case 0xF00: writeSGIR(value, cpu: cpu)
        default: break // read-only or reserved: WI
        }
    }

    /// GICD_SGIR: TargetListFilter [25:24] (0 list, 1 all but self, 2 self, 3 reserved),
    /// CPUTargetList [23:16], SGIINTID [3:0]. The sender is recorded per SGI per target.
    private mutating func writeSGIR(_ value: UInt32, cpu: Int) {
        let sgi = Int(value & 0xF)
        let mask = cpuMask & 0xFF
        let targetList: UInt32
        switch (value >> 24) & 3 {
        case 0: targetList = (value >> 16) & 0xFF
        case 1: targetList = mask & ~(UInt32(1) << UInt32(cpu))
        case 2: targetList = UInt32(1) << UInt32(cpu)
        default: return
        }
        var targets = targetList & mask
        while targets != 0 {
            let target = targets.trailingZeroBitCount
            targets &= targets &- 1
            addSGI(sgi, source: cpu, target: target)
        }
    }

    private func readGICv2DistributorByte(offset: Int, cpu: Int) -> UInt8 {
        switch offset {
        case 0x400..<0x800:
            return priorityByte(offset - 0x400, cpu: cpu)
        case 0x800..<0xC00:
            let intid = offset - 0x800
            guard intid < interruptCount else { return 0 }
            // SGIs and PPIs read as the reading CPU's own bit.
            if intid < 32 { return cpu >= 0 && cpu < 8 ? UInt8(1) << UInt8(cpu) : 0 }
            return targets[intid - 32]
        case 0xF10..<0xF20: return sgiSourceBits(offset - 0xF10, target: cpu)
        case 0xF20..<0xF30: return sgiSourceBits(offset - 0xF20, target: cpu)
        default: return 0
        }
    }

    private mutating func writeGICv2DistributorByte(offset: Int, value: UInt8, cpu: Int) {
        switch offset {
        case 0x400..<0x800:
            setPriorityByte(offset - 0x400, cpu: cpu, value: value)
        case 0x800..<0xC00:
            let intid = offset - 0x800
            guard intid >= 32, intid < interruptCount else { return }
            targets[intid - 32] = value & UInt8(truncatingIfNeeded: cpuMask)
        case 0xF10..<0xF20:
            let sgi = offset - 0xF10
            setSGISources(sgi, target: cpu, sources: sgiSourceBits(sgi, target: cpu) & ~value)
        case 0xF20..<0xF30:
            let sgi = offset - 0xF20
            setSGISources(sgi, target: cpu, sources: sgiSourceBits(sgi, target: cpu) | value)
        default: break
        }
    }
}
