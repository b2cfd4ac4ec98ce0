/// The GICv2 CPU interface (8 KB), banked by the accessing vCPU. Offsets per the GICv2
/// Architecture Specification, table 4-2.
extension GICState {
    static let gicv2CPUInterfaceIIDR: UInt32 = 0x0002_043B

    /// Reads a CPU-interface register. IAR and AIAR acknowledge, so reads can change state.
    mutating func readGICv2CPUInterface(offset: Int, size: Int, cpu: Int) -> UInt64 {
        guard AccessCheck.word(offset, size), isValid(cpu: cpu) else { return 0 }
        let c = cpus[cpu]
        switch offset {
        case 0x00: return UInt64(c.ctlr)
        case 0x04: return UInt64(c.pmr)
        case 0x08: return UInt64(c.bpr0)
        case 0x0C: return UInt64(acknowledgeV2(cpu: cpu, aliased: false))
        case 0x14: return UInt64(runningPriority(cpu))
        case 0x18: return UInt64(highestPendingV2(cpu: cpu, aliased: false))
        case 0x1C: return UInt64(c.bpr1)
        case 0x20: return UInt64(acknowledgeV2(cpu: cpu, aliased: true))
        case 0x28: return UInt64(highestPendingV2(cpu: cpu, aliased: true))
        case 0xD0: return UInt64(c.apr0)
        case 0xE0: return UInt64(c.apr1)
        case 0xFC: return UInt64(Self.gicv2CPUInterfaceIIDR)
        default: return 0 // EOIR, AEOIR, DIR are write-only; APR1-3, NSAPR1-3 and reserved RAZ
        }
    }

    mutating func writeGICv2CPUInterface(offset: Int, size: Int, value: UInt64, cpu: Int) {
        guard AccessCheck.word(offset, size), isValid(cpu: cpu) else { return }
        let v = UInt32(truncatingIfNeeded: value)
        switch offset {
        case 0x00: cpus[cpu].ctlr = v & GICv2CPUControl.writable
        case 0x04: cpus[cpu].pmr = UInt8(truncatingIfNeeded: v) & GICConstants.priorityMask
        case 0x08: cpus[cpu].bpr0 = max(UInt8(v & 7), GICConstants.minimumBPR0)
        case 0x10: endOfInterruptV2(cpu: cpu, value: v)
        case 0x1C: cpus[cpu].bpr1 = max(UInt8(v & 7), GICConstants.minimumBPR1)
        case 0x24: endOfInterruptV2(cpu: cpu, value: v)
        case 0xD0: cpus[cpu].apr0 = v
        case 0xE0: cpus[cpu].apr1 = v
        case 0x1000:
            // GICC_DIR. Deactivation without EOImode is UNPREDICTABLE; ignored, as QEMU does.
            let intid = Int(v & 0x3FF)
            if splitEOI(cpu) && intid < interruptCount { deactivate(intid: intid, cpu: cpu) }
        default: break
        }
    }

    /// GICC_IAR (group 0, and group 1 when AckCtl is set) or GICC_AIAR (group 1 only).
    private mutating func acknowledgeV2(cpu: Int, aliased: Bool) -> UInt32 {
        guard let candidate = signalled(cpu) else { return UInt32(GICConstants.spurious) }
        if aliased {
            if !candidate.group1 { return UInt32(GICConstants.spurious) }
        } else if candidate.group1 && cpus[cpu].ctlr & GICv2CPUControl.ackControl == 0 {
            return UInt32(GICConstants.group1Spurious)
        }
        return acknowledge(candidate, cpu: cpu)
    }

    /// GICC_HPPIR / GICC_AHPPIR: the highest pending interrupt above the priority mask.
    private func highestPendingV2(cpu: Int, aliased: Bool) -> UInt32 {
        guard let candidate = bestCandidate(cpu), candidate.priority < cpus[cpu].pmr else {
            return UInt32(GICConstants.spurious)
        }
        if aliased {
            if !candidate.group1 { return UInt32(GICConstants.spurious) }
        } else if candidate.group1 && cpus[cpu].ctlr & GICv2CPUControl.ackControl == 0 {
            return UInt32(GICConstants.group1Spurious)
        }
        var value = UInt32(candidate.intid)
        if candidate.intid < 16 {
            let source = sgiSourceBits(candidate.intid, target: cpu).trailingZeroBitCount
            if source < 8 { value |= UInt32(source) << 10 }
        }
        return value
    }

    /// GICC_EOIR / GICC_AEOIR: drops the running priority of the interrupt's group and, unless
    /// EOImode is set, deactivates it. Spurious or out-of-range IDs, and an EOI with nothing
    /// active, are ignored.
    private mutating func endOfInterruptV2(cpu: Int, value: UInt32) {
        let intid = Int(value & 0x3FF)
        guard intid < interruptCount else { return }
        guard highestActiveGroupIsGroup1(cpu) != nil else { return }
        dropPriority(cpu, group1: self[intid, cpu].group1)
        if !splitEOI(cpu) { deactivate(intid: intid, cpu: cpu) }
    }
}
