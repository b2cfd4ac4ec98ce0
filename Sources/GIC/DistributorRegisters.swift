/// Register helpers shared by the GICv2 distributor, the GICv3 distributor and the GICv3
/// redistributors' SGI_base frame: one bit, one byte or two bits per interrupt.
enum BitmapRegister {
    case group, setEnable, clearEnable, setPending, clearPending, setActive, clearActive
}

extension GICState {
    /// Whether the distributor frame holds the state of `intid`: with GICv3 affinity routing
    /// (always on here), SGIs and PPIs live in the redistributors and their distributor bits
    /// are RAZ/WI.
    func distributorOwns(_ intid: Int) -> Bool {
        intid >= 0 && intid < interruptCount && (version == .v2 || intid >= 32)
    }

    /// Reads 32 interrupts' bits starting at `first`.
    func readBitmap(_ register: BitmapRegister, first: Int, cpu: Int) -> UInt32 {
        var value: UInt32 = 0
        for bit in 0..<32 {
            let intid = first + bit
            guard intid < interruptCount else { break }
            let irq = self[intid, cpu]
            let set: Bool
            switch register {
            case .group: set = irq.group1
            case .setEnable, .clearEnable: set = irq.enabled
            case .setPending, .clearPending: set = irq.pending
            case .setActive, .clearActive: set = irq.active
            }
            if set { value |= 1 << UInt32(bit) }
        }
        return value
    }

    /// Writes 32 interrupts' bits starting at `first`. SGIs of a GICv2 are always enabled and
    /// their pending state is set and cleared only through SGIR/SPENDSGIR/CPENDSGIR; GICv3
    /// interrupts are all group 1.
    mutating func writeBitmap(_ register: BitmapRegister, first: Int, cpu: Int, value: UInt32) {
        var bits = value
        while bits != 0 {
            let bit = bits.trailingZeroBitCount
            bits &= bits &- 1
            let intid = first + bit
            guard intid < interruptCount else { break }
            let sgiV2 = version == .v2 && intid < 16
            switch register {
            case .group:
                if version == .v2 { self[intid, cpu].group1 = true }
            case .setEnable: if !sgiV2 { self[intid, cpu].enabled = true }
            case .clearEnable: if !sgiV2 { self[intid, cpu].enabled = false }
            case .setPending: setPending(intid: intid, cpu: cpu)
            case .clearPending: clearPending(intid: intid, cpu: cpu)
            case .setActive: self[intid, cpu].active = true
            case .clearActive: self[intid, cpu].active = false
            }
        }
        // IGROUPR is a plain register: the zero bits matter too.
        if register == .group && version == .v2 {
            for bit in 0..<32 where value & (1 << UInt32(bit)) == 0 {
                let intid = first + bit
                guard intid < interruptCount else { break }
                self[intid, cpu].group1 = false
            }
        }
    }

    /// IPRIORITYR byte; five priority bits are implemented.
    func priorityByte(_ intid: Int, cpu: Int) -> UInt8 {
        self[intid, cpu].priority
    }

    mutating func setPriorityByte(_ intid: Int, cpu: Int, value: UInt8) {
        self[intid, cpu].priority = value & GICConstants.priorityMask
    }

    /// ICFGR: two bits per interrupt, the upper one set for edge-triggered. SGIs are always
    /// edge and PPIs always level (read-only); SPIs are configurable.
    func readConfig(first: Int, cpu: Int) -> UInt32 {
        var value: UInt32 = 0
        for field in 0..<16 {
            let intid = first + field
            guard intid < interruptCount else { break }
            if self[intid, cpu].edge { value |= 2 << UInt32(2 * field) }
        }
        return value
    }

    mutating func writeConfig(first: Int, cpu: Int, value: UInt32) {
        for field in 0..<16 {
            let intid = first + field
            guard intid < interruptCount else { break }
            if intid < 32 { continue }
            self[intid, cpu].edge = value & (2 << UInt32(2 * field)) != 0
        }
    }
}

/// How a register range may be accessed.
enum AccessCheck {
    /// A 32-bit register: only aligned 32-bit accesses reach it.
    @inline(__always)
    static func word(_ offset: Int, _ size: Int) -> Bool { size == 4 && offset & 3 == 0 }

    /// A byte-array register: bytes, or aligned 32-bit words.
    @inline(__always)
    static func bytes(_ offset: Int, _ size: Int) -> Bool { size == 1 || word(offset, size) }
}

/// CoreSight identification registers at the end of each frame (from 0x?FD0: PIDR4-7,
/// PIDR0-3, CIDR0-3), as QEMU's models report them.
enum IdentificationRegisters {
    static let gicv2Distributor: [UInt8] = [0x04, 0x00, 0x00, 0x00, 0x90, 0xB4, 0x2B, 0x00, 0x0D, 0xF0, 0x05, 0xB1]
    static let gicv3Distributor: [UInt8] = [0x44, 0x00, 0x00, 0x00, 0x92, 0xB4, 0x3B, 0x00, 0x0D, 0xF0, 0x05, 0xB1]
    static let gicv3Redistributor: [UInt8] = [0x44, 0x00, 0x00, 0x00, 0x93, 0xB4, 0x3B, 0x00, 0x0D, 0xF0, 0x05, 0xB1]

    /// The value at `offset` from the start of the ID block (0xFD0 or 0xFFD0).
    static func read(_ table: [UInt8], offset: Int) -> UInt64 {
        let index = offset >> 2
        guard offset >= 0, index < table.count else { return 0 }
        return UInt64(table[index])
    }
}
