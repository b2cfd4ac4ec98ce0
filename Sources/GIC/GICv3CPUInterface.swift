/// The GICv3 CPU interface as EL1 system registers (ICC_*_EL1), for a guest that sees one
/// Security state and has every interrupt in group 1, as under KVM.
public enum ICCRegister {
    /// Packs an encoding the way MRS/MSR carry it in bits [20:5]: op0:op1:CRn:CRm:op2.
    public static func encoding(op0: UInt16, op1: UInt16, crn: UInt16, crm: UInt16, op2: UInt16) -> UInt16 {
        (op0 & 3) << 14 | (op1 & 7) << 11 | (crn & 15) << 7 | (crm & 15) << 3 | (op2 & 7)
    }

    public static let pmr = encoding(op0: 3, op1: 0, crn: 4, crm: 6, op2: 0)
    public static let iar0 = encoding(op0: 3, op1: 0, crn: 12, crm: 8, op2: 0)
    public static let eoir0 = encoding(op0: 3, op1: 0, crn: 12, crm: 8, op2: 1)
    public static let hppir0 = encoding(op0: 3, op1: 0, crn: 12, crm: 8, op2: 2)
    public static let bpr0 = encoding(op0: 3, op1: 0, crn: 12, crm: 8, op2: 3)
    public static let ap0r0 = encoding(op0: 3, op1: 0, crn: 12, crm: 8, op2: 4)
    public static let ap1r0 = encoding(op0: 3, op1: 0, crn: 12, crm: 9, op2: 0)
    public static let dir = encoding(op0: 3, op1: 0, crn: 12, crm: 11, op2: 1)
    public static let rpr = encoding(op0: 3, op1: 0, crn: 12, crm: 11, op2: 3)
    public static let sgi1r = encoding(op0: 3, op1: 0, crn: 12, crm: 11, op2: 5)
    public static let asgi1r = encoding(op0: 3, op1: 0, crn: 12, crm: 11, op2: 6)
    public static let sgi0r = encoding(op0: 3, op1: 0, crn: 12, crm: 11, op2: 7)
    public static let iar1 = encoding(op0: 3, op1: 0, crn: 12, crm: 12, op2: 0)
    public static let eoir1 = encoding(op0: 3, op1: 0, crn: 12, crm: 12, op2: 1)
    public static let hppir1 = encoding(op0: 3, op1: 0, crn: 12, crm: 12, op2: 2)
    public static let bpr1 = encoding(op0: 3, op1: 0, crn: 12, crm: 12, op2: 3)
    public static let ctlr = encoding(op0: 3, op1: 0, crn: 12, crm: 12, op2: 4)
    public static let sre = encoding(op0: 3, op1: 0, crn: 12, crm: 12, op2: 5)
    public static let igrpen0 = encoding(op0: 3, op1: 0, crn: 12, crm: 12, op2: 6)
    public static let igrpen1 = encoding(op0: 3, op1: 0, crn: 12, crm: 12, op2: 7)

    /// Every ICC register this CPU interface implements, in either direction. With 5 priority
    /// bits only AP0R0 and AP1R0 of the active-priority registers exist.
    public static let implemented: Set<UInt16> = [
        pmr, iar0, eoir0, hppir0, bpr0, ap0r0, ap1r0, dir, rpr, sgi1r, asgi1r, sgi0r,
        iar1, eoir1, hppir1, bpr1, ctlr, sre, igrpen0, igrpen1,
    ]

    /// Whether `encoding` is in `implemented`, without hashing: the CPU asks before every ICC
    /// access, twice per interrupt, and a `Set` lookup ran the standard library's SipHash —
    /// code far from the rest of the interrupt path, and cold when an interrupt follows a
    /// quiet stretch.
    @inline(__always)
    public static func isImplemented(_ encoding: UInt16) -> Bool {
        switch encoding {
        case pmr, iar0, eoir0, hppir0, bpr0, ap0r0, ap1r0, dir, rpr, sgi1r, asgi1r, sgi0r,
             iar1, eoir1, hppir1, bpr1, ctlr, sre, igrpen0, igrpen1:
            return true
        default:
            return false
        }
    }
}

extension GICState {
    /// ICC_SRE_EL1: SRE, DFB and DIB read as one and ignore writes (no EL2/EL3 to change them).
    static let iccSRE: UInt64 = 0b111

    /// Reads an ICC register; nil when the encoding is not a readable ICC register (the CPU
    /// makes the access UNDEFINED). IAR reads acknowledge.
    mutating func readICC(encoding: UInt16, cpu: Int) -> UInt64? {
        guard version == .v3, isValid(cpu: cpu) else { return nil }
        let c = cpus[cpu]
        switch encoding {
        case ICCRegister.pmr: return UInt64(c.pmr)
        case ICCRegister.iar0: return UInt64(GICConstants.spurious) // no group 0 interrupts
        case ICCRegister.hppir0: return UInt64(GICConstants.spurious)
        case ICCRegister.bpr0: return UInt64(c.bpr0)
        case ICCRegister.ap0r0: return UInt64(c.apr0)
        case ICCRegister.ap1r0: return UInt64(c.apr1)
        case ICCRegister.rpr: return UInt64(runningPriority(cpu))
        case ICCRegister.iar1:
            guard let candidate = signalled(cpu), candidate.group1 else { return UInt64(GICConstants.spurious) }
            return UInt64(acknowledge(candidate, cpu: cpu))
        case ICCRegister.hppir1:
            // Ignores the priority mask and the running priority.
            guard let candidate = bestCandidate(cpu), candidate.group1 else { return UInt64(GICConstants.spurious) }
            return UInt64(candidate.intid)
        case ICCRegister.bpr1:
            // With CBPR set, BPR1 reads as BPR0 + 1 (saturating) and ignores writes.
            if commonBinaryPoint(cpu) { return UInt64(min(c.bpr0 + 1, 7)) }
            return UInt64(c.bpr1)
        case ICCRegister.ctlr: return UInt64(c.ctlr & ICCControl.writable | ICCControl.readOnly)
        case ICCRegister.sre: return Self.iccSRE
        case ICCRegister.igrpen0: return c.groupEnable0 ? 1 : 0
        case ICCRegister.igrpen1: return c.groupEnable1 ? 1 : 0
        default: return nil // write-only (EOIR, DIR, SGIxR) or not an ICC register
        }
    }

    /// Writes an ICC register; false when the encoding is not a writable ICC register.
    /// `scope` starts as this vCPU and says which outputs the write can change: every vCPU's
    /// when it can reach another, none for an EOI the GIC ignores.
    mutating func writeICC(encoding: UInt16, value: UInt64, cpu: Int, scope: inout GICCore.Scope) -> Bool {
        guard version == .v3, isValid(cpu: cpu) else { return false }
        switch encoding {
        case ICCRegister.pmr: cpus[cpu].pmr = UInt8(truncatingIfNeeded: value) & GICConstants.priorityMask
        case ICCRegister.eoir0: scope = endOfInterruptV3(cpu: cpu, value: value, group1: false)
        case ICCRegister.bpr0: cpus[cpu].bpr0 = max(UInt8(value & 7), GICConstants.minimumBPR0)
        case ICCRegister.ap0r0: cpus[cpu].apr0 = UInt32(truncatingIfNeeded: value)
        case ICCRegister.ap1r0: cpus[cpu].apr1 = UInt32(truncatingIfNeeded: value)
        case ICCRegister.dir:
            // Deactivation without EOImode is UNPREDICTABLE; ignored, as QEMU does.
            let intid = Int(value & 0xFF_FFFF)
            if splitEOI(cpu) && intid < interruptCount { deactivate(intid: intid, cpu: cpu) }
            scope = .all
        case ICCRegister.sgi1r: generateSGI(value, cpu: cpu); scope = .all
        case ICCRegister.asgi1r, ICCRegister.sgi0r: break // group 0 / other Security state: none here
        case ICCRegister.eoir1: scope = endOfInterruptV3(cpu: cpu, value: value, group1: true)
        case ICCRegister.bpr1:
            if !commonBinaryPoint(cpu) { cpus[cpu].bpr1 = max(UInt8(value & 7), GICConstants.minimumBPR1) }
        case ICCRegister.ctlr:
            cpus[cpu].ctlr = UInt32(truncatingIfNeeded: value) & ICCControl.writable
        case ICCRegister.sre: break
        case ICCRegister.igrpen0: cpus[cpu].groupEnable0 = value & 1 != 0
        case ICCRegister.igrpen1: cpus[cpu].groupEnable1 = value & 1 != 0; scope = .all
        default: return false // read-only (IAR, HPPIR, RPR) or not an ICC register
        }
        return true
    }

    /// ICC_EOIR0/1_EL1: ignored unless the highest active priority belongs to the register's
    /// group; otherwise drops it and, unless EOImode is set, deactivates the interrupt. Returns
    /// the outputs that can change: none when ignored (a spurious INTID, say: kvm-unit-tests'
    /// `eoi` benchmark writes 1023), this vCPU's for a priority drop or an SGI or PPI (banked),
    /// every vCPU's when an SPI is deactivated (it may be taken elsewhere now).
    private mutating func endOfInterruptV3(cpu: Int, value: UInt64, group1: Bool) -> GICCore.Scope {
        let intid = Int(value & 0xFF_FFFF)
        guard intid < interruptCount, highestActiveGroupIsGroup1(cpu) == group1 else { return .none }
        dropPriority(cpu, group1: group1)
        guard !splitEOI(cpu) else { return .cpu(cpu) }
        deactivate(intid: intid, cpu: cpu)
        return intid < 32 ? .cpu(cpu) : .all
    }

    /// ICC_SGI1R_EL1: INTID [27:24]; IRM [40] targets every other vCPU; otherwise the vCPUs
    /// with affinity Aff3 [55:48].Aff2 [39:32].Aff1 [23:16] and Aff0 = RS [47:44] * 16 + n for
    /// each bit n of TargetList [15:0].
    private mutating func generateSGI(_ value: UInt64, cpu: Int) {
        let sgi = Int((value >> 24) & 0xF)
        if value & (1 << 40) != 0 {
            for target in 0..<cpuCount where target != cpu {
                privateInterrupts[target * 32 + sgi].latch = true
            }
            return
        }
        let cluster = UInt32((value >> 48) & 0xFF) << 16 | UInt32((value >> 32) & 0xFF) << 8 | UInt32((value >> 16) & 0xFF)
        let rangeSelector = UInt32((value >> 44) & 0xF)
        let targetList = UInt32(value & 0xFFFF)
        for target in 0..<cpuCount {
            let affinity = affinities[target]
            let aff0 = affinity & 0xFF
            if affinity >> 8 == cluster && aff0 >> 4 == rangeSelector && targetList & (1 << (aff0 & 0xF)) != 0 {
                privateInterrupts[target * 32 + sgi].latch = true
            }
        }
    }
}
