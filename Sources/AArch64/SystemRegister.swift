/// A system register named by its encoding (op0, op1, CRn, CRm, op2), the way the architecture
/// and KVM's `sys_regs.c` name it, so that the CPU, the trap table and the statistics all key
/// on the same value instead of on magic numbers.
public struct SystemRegister: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// op0:op1:CRn:CRm:op2 packed as in the MRS/MSR instruction bits [20:5] (op0 in bits 15:14).
    public let encoding: UInt16

    public init(op0: UInt8, op1: UInt8, crn: UInt8, crm: UInt8, op2: UInt8) {
        encoding = UInt16(op0 & 3) << 14 | UInt16(op1 & 7) << 11 | UInt16(crn & 15) << 7
            | UInt16(crm & 15) << 3 | UInt16(op2 & 7)
    }

    public init(encoding: UInt16) { self.encoding = encoding }

    /// The register an MRS/MSR instruction names (instruction bits [20:5]; op0 = 2 + bit 19).
    @inline(__always)
    public init(instruction: UInt32) {
        encoding = UInt16(truncatingIfNeeded: (instruction >> 5) & 0xFFFF)
    }

    public var op0: UInt8 { UInt8(encoding >> 14) }
    public var op1: UInt8 { UInt8((encoding >> 11) & 7) }
    public var crn: UInt8 { UInt8((encoding >> 7) & 15) }
    public var crm: UInt8 { UInt8((encoding >> 3) & 15) }
    public var op2: UInt8 { UInt8(encoding & 7) }

    public static func < (a: SystemRegister, b: SystemRegister) -> Bool { a.encoding < b.encoding }

    public var description: String {
        SystemRegister.names[self] ?? "S\(op0)_\(op1)_C\(crn)_C\(crm)_\(op2)"
    }
}

extension SystemRegister {
    // Generic timer (AArch64 encodings, Arm ARM D19 / D23).
    public static let CNTFRQ_EL0 = SystemRegister(op0: 3, op1: 3, crn: 14, crm: 0, op2: 0)
    public static let CNTPCT_EL0 = SystemRegister(op0: 3, op1: 3, crn: 14, crm: 0, op2: 1)
    public static let CNTVCT_EL0 = SystemRegister(op0: 3, op1: 3, crn: 14, crm: 0, op2: 2)
    public static let CNTP_TVAL_EL0 = SystemRegister(op0: 3, op1: 3, crn: 14, crm: 2, op2: 0)
    public static let CNTP_CTL_EL0 = SystemRegister(op0: 3, op1: 3, crn: 14, crm: 2, op2: 1)
    public static let CNTP_CVAL_EL0 = SystemRegister(op0: 3, op1: 3, crn: 14, crm: 2, op2: 2)
    public static let CNTV_TVAL_EL0 = SystemRegister(op0: 3, op1: 3, crn: 14, crm: 3, op2: 0)
    public static let CNTV_CTL_EL0 = SystemRegister(op0: 3, op1: 3, crn: 14, crm: 3, op2: 1)
    public static let CNTV_CVAL_EL0 = SystemRegister(op0: 3, op1: 3, crn: 14, crm: 3, op2: 2)
    public static let CNTKCTL_EL1 = SystemRegister(op0: 3, op1: 0, crn: 14, crm: 1, op2: 0)

    /// Names for statistics and error messages. Extended by the system-register table.
    public static let names: [SystemRegister: String] = [
        .CNTFRQ_EL0: "CNTFRQ_EL0", .CNTPCT_EL0: "CNTPCT_EL0", .CNTVCT_EL0: "CNTVCT_EL0",
        .CNTP_TVAL_EL0: "CNTP_TVAL_EL0", .CNTP_CTL_EL0: "CNTP_CTL_EL0",
        .CNTP_CVAL_EL0: "CNTP_CVAL_EL0", .CNTV_TVAL_EL0: "CNTV_TVAL_EL0",
        .CNTV_CTL_EL0: "CNTV_CTL_EL0", .CNTV_CVAL_EL0: "CNTV_CVAL_EL0",
        .CNTKCTL_EL1: "CNTKCTL_EL1",
    ]
}
