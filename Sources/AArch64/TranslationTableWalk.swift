// Owner: load/store work. VMSAv8-64 stage 1 translation for the EL1&0 regime (Arm ARM D5,
// pseudocode AArch64.TranslationTableWalk / AArch64.S1CheckPermission, Armv8.0 subset).

/// The outcome of a stage 1 translation of one VA, for one permission class.
struct TranslationResult {
    /// The physical address of the VA (valid when `faultStatus` is nil).
    var physicalAddress: UInt64 = 0
    /// The fault status code (DFSC/IFSC) when translation failed.
    var faultStatus: UInt32? = nil
    var canRead = false
    var canWrite = false
    var canExecute = false
    /// The MAIR attribute byte of the mapping.
    var attributes: UInt8 = 0
    /// The descriptor's SH field.
    var shareability: UInt64 = 0
    /// log2 of the mapping's size (12 for a 4 KB page, 21 for a 2 MB block...).
    var mappingShift = 12
    /// The level of the final descriptor (what a permission fault reports).
    var level = 3
}

/// Fault status codes (the low 6 bits of DFSC/IFSC), Arm ARM D17.2.
enum FaultStatus {
    static func addressSize(level: Int) -> UInt32 { UInt32(level & 3) }
    static func translation(level: Int) -> UInt32 { 0b000100 | UInt32(level & 3) }
    static func accessFlag(level: Int) -> UInt32 { 0b001000 | UInt32(level & 3) }
    static func permission(level: Int) -> UInt32 { 0b001100 | UInt32(level & 3) }
    static let externalAbort: UInt32 = 0b010000
    static func externalAbortOnWalk(level: Int) -> UInt32 { 0b010100 | UInt32(level & 3) }
    static let alignment: UInt32 = 0b100001
}

/// SCTLR_EL1 bits the memory system looks at.
enum SCTLRBits {
    static let m: UInt64 = 1 << 0
    static let a: UInt64 = 1 << 1
    static let sa: UInt64 = 1 << 3
    static let sa0: UInt64 = 1 << 4
    static let wxn: UInt64 = 1 << 19
}

extension CPU {
    /// The physical address size TCR_EL1.IPS selects, capped at the 48 bits this CPU has.
    @inline(__always)
    var physicalAddressBits: Int {
        switch (sys.tcr >> 32) & 7 {
        case 0: return 32
        case 1: return 36
        case 2: return 40
        case 3: return 42
        case 4: return 44
        default: return 48
        }
    }

    /// Translates `va` with the permissions of EL0 (`el0`) or EL1. Never faults by itself:
    /// a failure is reported in `faultStatus`.
    func translate(_ va: UInt64, el0: Bool) -> TranslationResult {
        var result = TranslationResult()
        let sctlr = sys.sctlr
        if sctlr & SCTLRBits.m == 0 {
            // Stage 1 disabled: flat, Device-nGnRnE data, every access permitted, but a VA
            // beyond the physical address size is an address size fault at level 0.
            guard va >> 48 == 0 else {
                result.faultStatus = FaultStatus.addressSize(level: 0)
                return result
            }
            result.physicalAddress = va
            result.canRead = true
            result.canWrite = true
            result.canExecute = true
            result.shareability = 0b10
            result.mappingShift = 12
            return result
        }

        let tcr = sys.tcr
        let upper = va & (1 << 55) != 0
        let topByteIgnored = (tcr >> (upper ? 38 : 37)) & 1 != 0
        let top = topByteIgnored ? 55 : 63

        let tnsz: UInt64
        let grainShift: Int
        let disabled: Bool
        let ttbr: UInt64
        if !upper {
            tnsz = tcr & 0x3F
            switch (tcr >> 14) & 3 {
            case 0b01: grainShift = 16
            case 0b10: grainShift = 14
            default: grainShift = 12 // 0b00, and the reserved 0b11
            }
            disabled = tcr & (1 << 7) != 0
            ttbr = sys.ttbr0
        } else {
            tnsz = (tcr >> 16) & 0x3F
            switch (tcr >> 30) & 3 {
            case 0b01: grainShift = 14
            case 0b11: grainShift = 16
            default: grainShift = 12 // 0b10, and the reserved 0b00
            }
            disabled = tcr & (1 << 23) != 0
            ttbr = sys.ttbr1
        }
        // Armv8.0: TnSZ from 16 (48-bit VA) to 39 (25-bit VA); out-of-range values are clamped.
        let inputBits = 64 - min(max(Int(tnsz), 16), 39)

        // Bits [top:inputBits] must all equal the region's selector (0 for TTBR0, 1 for TTBR1).
        let checkedMask: UInt64 = (top == 63 ? ~0 : (1 << 56) &- 1) & ~((1 << UInt64(inputBits)) &- 1)
        let checked = va & checkedMask
        if disabled || checked != (upper ? checkedMask : 0) {
            result.faultStatus = FaultStatus.translation(level: 0)
            return result
        }

        let stride = grainShift - 3
        var level = 4 - (inputBits - grainShift + stride - 1) / stride
        let paBits = physicalAddressBits
        let outputMask: UInt64 = (1 << 48) &- 1
        let beyondPA: UInt64 = outputMask & ~((1 << UInt64(paBits)) &- 1)

        if ttbr & beyondPA != 0 {
            result.faultStatus = FaultStatus.addressSize(level: 0)
            return result
        }
        // The start table holds 2^(inputBits - bottom) entries; its base is aligned to its size.
        var selectTop = inputBits - 1
        var bottom = (3 - level) * stride + grainShift
        let baseLow = 3 + inputBits - bottom
        var tableBase = ttbr & outputMask & ~((1 << UInt64(baseLow)) &- 1)

        var noEL0 = false, readOnly = false, tableUXN = false, tablePXN = false
        var descriptor: UInt64 = 0
        while true {
            let indexBits = selectTop - bottom + 1
            let index = (va >> UInt64(bottom)) & ((1 << UInt64(indexBits)) &- 1)
            guard let d = bus.read(tableBase | index << 3, size: 8, vcpu: id) else {
                result.faultStatus = FaultStatus.externalAbortOnWalk(level: level)
                return result
            }
            descriptor = d
            if d & 1 == 0 {
                result.faultStatus = FaultStatus.translation(level: level)
                return result
            }
            if level == 3 {
                guard d & 2 != 0 else {
                    result.faultStatus = FaultStatus.translation(level: level)
                    return result
                }
                break
            }
            if d & 2 == 0 {
                // A block: 4 KB granule at levels 1 and 2, 16 and 64 KB granules at level 2.
                let allowed = grainShift == 12 ? (level == 1 || level == 2) : level == 2
                guard allowed else {
                    result.faultStatus = FaultStatus.translation(level: level)
                    return result
                }
                break
            }
            // A table descriptor.
            if d & beyondPA != 0 {
                result.faultStatus = FaultStatus.addressSize(level: level)
                return result
            }
            tablePXN = tablePXN || d & (1 << 59) != 0
            tableUXN = tableUXN || d & (1 << 60) != 0
            noEL0 = noEL0 || d & (1 << 61) != 0
            readOnly = readOnly || d & (1 << 62) != 0
            tableBase = d & outputMask & ~((1 << UInt64(grainShift)) &- 1)
            level += 1
            selectTop = bottom - 1
            bottom = (3 - level) * stride + grainShift
        }

        if descriptor & beyondPA != 0 {
            result.faultStatus = FaultStatus.addressSize(level: level)
            return result
        }
        if descriptor & (1 << 10) == 0 {
            result.faultStatus = FaultStatus.accessFlag(level: level)
            return result
        }
        let blockMask: UInt64 = (1 << UInt64(bottom)) &- 1
        result.physicalAddress = (descriptor & outputMask & ~blockMask) | (va & blockMask)
        result.mappingShift = bottom
        result.level = level
        result.shareability = (descriptor >> 8) & 3
        let attrIndex = (descriptor >> 2) & 7
        result.attributes = UInt8(truncatingIfNeeded: sys.mair >> (attrIndex * 8))

        // AP[2:1], with APTable restricting it (Arm ARM D5.4.5).
        let el0Access = descriptor & (1 << 6) != 0 && !noEL0
        let writable = descriptor & (1 << 7) == 0 && !readOnly
        let uxn = descriptor & (1 << 54) != 0 || tableUXN
        let pxn = descriptor & (1 << 53) != 0 || tablePXN
        let wxn = sctlr & SCTLRBits.wxn != 0
        if el0 {
            result.canRead = el0Access
            result.canWrite = el0Access && writable
            result.canExecute = !uxn && !(wxn && result.canWrite)
        } else {
            result.canRead = true
            result.canWrite = writable
            // Memory writable at EL0 is never executable at EL1.
            result.canExecute = !pxn && !(el0Access && writable) && !(wxn && writable)
        }
        return result
    }
}
