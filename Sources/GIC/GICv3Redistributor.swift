/// The GICv3 redistributors: one 128 KB pair of frames per vCPU (RD_base, then SGI_base),
/// contiguous from the region base. A vCPU may access any redistributor, so the frame index,
/// not the accessing vCPU, selects the banked state. No LPIs.
extension GICState {
    static let redistributorStride = 0x2_0000
    static let sgiFrameOffset = 0x1_0000

    func readGICv3Redistributor(offset: Int, size: Int) -> UInt64 {
        let rd = offset / Self.redistributorStride
        guard isValid(cpu: rd) else { return 0 }
        let within = offset % Self.redistributorStride
        if within >= Self.sgiFrameOffset {
            return readSGIFrame(offset: within - Self.sgiFrameOffset, size: size, cpu: rd)
        }
        // GICR_TYPER: 64-bit, also readable as two 32-bit halves.
        if within == 0x8 && size == 8 { return redistributorType(rd) }
        if within == 0x8 || within == 0xC, size == 4 {
            return (redistributorType(rd) >> UInt64(within == 0x8 ? 0 : 32)) & 0xFFFF_FFFF
        }
        guard AccessCheck.word(within, size) else { return 0 }
        switch within {
        case 0x0004: return UInt64(Self.gicv3IIDR)
        case 0x0014:
            // WAKER: ProcessorSleep [1], ChildrenAsleep [2] follows it at once.
            return cpus[rd].processorSleep ? 0b110 : 0
        case 0xFFD0..<0x10000:
            return IdentificationRegisters.read(IdentificationRegisters.gicv3Redistributor, offset: within - 0xFFD0)
        default:
            return 0 // CTLR (no LPIs, RWP clear), STATUSR, PROPBASER, PENDBASER, reserved: RAZ
        }
    }

    mutating func writeGICv3Redistributor(offset: Int, size: Int, value: UInt64) {
        let rd = offset / Self.redistributorStride
        guard isValid(cpu: rd) else { return }
        let within = offset % Self.redistributorStride
        if within >= Self.sgiFrameOffset {
            writeSGIFrame(offset: within - Self.sgiFrameOffset, size: size, value: value, cpu: rd)
            return
        }
        guard AccessCheck.word(within, size) else { return }
        if within == 0x0014 { cpus[rd].processorSleep = value & 0b10 != 0 }
    }

    /// The vCPU whose redistributor a frame offset selects, or nil outside the populated region.
    func redistributorIndex(offset: Int) -> Int? {
        let rd = offset / Self.redistributorStride
        return isValid(cpu: rd) ? rd : nil
    }

    /// GICR_TYPER: Affinity_Value [63:32], Processor_Number [23:8], Last [4].
    func redistributorType(_ rd: Int) -> UInt64 {
        var value = UInt64(affinities[rd]) << 32 | UInt64(rd & 0xFFFF) << 8
        if rd == cpuCount - 1 { value |= 1 << 4 }
        return value
    }

    private func readSGIFrame(offset: Int, size: Int, cpu: Int) -> UInt64 {
        if (0x400..<0x420).contains(offset) {
            guard AccessCheck.bytes(offset, size) else { return 0 }
            var value: UInt64 = 0
            for byte in 0..<size {
                value |= UInt64(priorityByte(offset + byte - 0x400, cpu: cpu)) << UInt64(8 * byte)
            }
            return value
        }
        guard AccessCheck.word(offset, size) else { return 0 }
        switch offset {
        case 0x0080: return UInt64(readBitmap(.group, first: 0, cpu: cpu))
        case 0x0100: return UInt64(readBitmap(.setEnable, first: 0, cpu: cpu))
        case 0x0180: return UInt64(readBitmap(.clearEnable, first: 0, cpu: cpu))
        case 0x0200: return UInt64(readBitmap(.setPending, first: 0, cpu: cpu))
        case 0x0280: return UInt64(readBitmap(.clearPending, first: 0, cpu: cpu))
        case 0x0300: return UInt64(readBitmap(.setActive, first: 0, cpu: cpu))
        case 0x0380: return UInt64(readBitmap(.clearActive, first: 0, cpu: cpu))
        case 0x0C00: return UInt64(readConfig(first: 0, cpu: cpu))
        case 0x0C04: return UInt64(readConfig(first: 16, cpu: cpu))
        default: return 0 // IGRPMODR0, NSACR (single Security state), reserved: RAZ
        }
    }

    private mutating func writeSGIFrame(offset: Int, size: Int, value: UInt64, cpu: Int) {
        if (0x400..<0x420).contains(offset) {
            guard AccessCheck.bytes(offset, size) else { return }
            for byte in 0..<size {
                setPriorityByte(offset + byte - 0x400, cpu: cpu, value: UInt8(truncatingIfNeeded: value >> UInt64(8 * byte)))
            }
            return
        }
        guard AccessCheck.word(offset, size) else { return }
        let v = UInt32(truncatingIfNeeded: value)
        switch offset {
        case 0x0100: writeBitmap(.setEnable, first: 0, cpu: cpu, value: v)
        case 0x0180: writeBitmap(.clearEnable, first: 0, cpu: cpu, value: v)
        case 0x0200: writeBitmap(.setPending, first: 0, cpu: cpu, value: v)
        case 0x0280: writeBitmap(.clearPending, first: 0, cpu: cpu, value: v)
        case 0x0300: writeBitmap(.setActive, first: 0, cpu: cpu, value: v)
        case 0x0380: writeBitmap(.clearActive, first: 0, cpu: cpu, value: v)
        default: break // IGROUPR0 (all group 1), ICFGR0/1 (fixed), reserved: WI
        }
    }
}
