/// CNTKCTL_EL1 bits that open the timer to EL0 (Arm ARM D19.10.x).
enum CNTKCTL {
    static let el0pcten: UInt64 = 1 << 0 // CNTPCT_EL0 (and CNTFRQ_EL0)
    static let el0vcten: UInt64 = 1 << 1 // CNTVCT_EL0 (and CNTFRQ_EL0)
    static let el0vten: UInt64 = 1 << 8 // CNTV_CTL/CVAL/TVAL_EL0
    static let el0pten: UInt64 = 1 << 9 // CNTP_CTL/CVAL/TVAL_EL0
}

/// What happens to an EL0 access to a register the CPU keeps.
enum EL0Access {
    case allowed, undefined, trapToEL1
}

// MRS/MSR (register form): the EL0 rules, then one of three places the register lives.
//  - the generic timer (CNT*): forwarded to `timerDevice`, or, for the EL1 physical timer and
//    counter, an exit to the VMM — the CPU/VMM boundary KVM has with CNTHCTL_EL2.EL1PCEN = 0;
//  - the GICv3 CPU interface (ICC_*): forwarded to `interruptControllerInterface`;
//  - everything else: the CPU's own table (SystemRegisterTable.swift).
extension CPU {
    /// Inlined into the decoder so a timer access (the hot case) costs no extra call.
    @inline(__always)
    func executeSystemRegisterMove(_ register: SystemRegister, rt: Int, isRead: Bool) {
        if register.isGenericTimer { return accessTimerRegister(register, rt: rt, isRead: isRead) }
        executeOtherSystemRegisterMove(register, rt: rt, isRead: isRead)
    }

    private func executeOtherSystemRegisterMove(_ register: SystemRegister, rt: Int, isRead: Bool) {
        if register.isGICv3CPUInterface {
            // Direction is the CPU's to check: a device sees only accesses that exist.
            if isRead ? register.isWriteOnlyGICRegister : register.isReadOnlyGICRegister { return undefined() }
            return accessDeviceRegister(interruptControllerInterface, register, rt: rt, isRead: isRead,
                                        el0Allowed: false)
        }
        if el == 0 {
            switch el0Access(register, isRead: isRead) {
            case .allowed: break
            case .undefined: return undefined()
            case .trapToEL1: return trapToEL1(register, rt: rt, isRead: isRead)
            }
        }
        if register == .FPCR || register == .FPSR, fpAccessTrapped { return trapFPAccess() }
        if isRead {
            guard let value = readSystemRegister(register) else { return undefined() }
            setX(rt, value)
        } else if !writeSystemRegister(register, x(rt)) {
            undefined()
        }
    }

    /// The registers EL0 may reach at all, and what SCTLR_EL1 decides for the configurable ones.
    /// A write to a read-only register is UNDEFINED before any trap.
    private func el0Access(_ register: SystemRegister, isRead: Bool) -> EL0Access {
        switch register {
        case .NZCV, .FPCR, .FPSR, .TPIDR_EL0:
            return .allowed
        case .TPIDRRO_EL0, .DCZID_EL0:
            return isRead ? .allowed : .undefined
        case .DAIF:
            return sys.sctlr & SCTLR.uma != 0 ? .allowed : .trapToEL1
        case .CTR_EL0:
            if !isRead { return .undefined }
            return sys.sctlr & SCTLR.uct != 0 ? .allowed : .trapToEL1
        default:
            return .undefined
        }
    }

    /// CNTFRQ, CNTPCT, CNTVCT, CNTP_*, CNTV_*: first the EL0 gates of CNTKCTL_EL1 (a trap to
    /// EL1 has priority over a trap to EL2), then the EL2 trap of the physical timer and
    /// counter, then the timer device. The counters and CNTFRQ are read-only here: the
    /// frequency belongs to the highest exception level, which is the VMM.
    func accessTimerRegister(_ register: SystemRegister, rt: Int, isRead: Bool) {
        let el0Gate: UInt64
        let trapsToVMM: Bool
        let readOnly: Bool
        // On the raw encoding (op0=3, op1=3, CRn=14: 0xDF00 | CRm << 3 | op2): matching the
        // static `SystemRegister` constants costs a lazy-global check and a compare per case
        // on every timer access.
        switch register.encoding {
        case 0xDF00: // CNTFRQ_EL0
            el0Gate = CNTKCTL.el0pcten | CNTKCTL.el0vcten
            trapsToVMM = false
            readOnly = true
        case 0xDF01: // CNTPCT_EL0
            el0Gate = CNTKCTL.el0pcten
            trapsToVMM = trapsPhysicalCounter
            readOnly = true
        case 0xDF02: // CNTVCT_EL0
            el0Gate = CNTKCTL.el0vcten
            trapsToVMM = false
            readOnly = true
        case 0xDF10, 0xDF11, 0xDF12: // CNTP_TVAL_EL0, CNTP_CTL_EL0, CNTP_CVAL_EL0
            el0Gate = CNTKCTL.el0pten
            trapsToVMM = trapsPhysicalTimer
            readOnly = false
        case 0xDF18, 0xDF19, 0xDF1A: // CNTV_TVAL_EL0, CNTV_CTL_EL0, CNTV_CVAL_EL0
            el0Gate = CNTKCTL.el0vten
            trapsToVMM = false
            readOnly = false
        default:
            return undefined()
        }
        if readOnly && !isRead { return undefined() }
        if el == 0, sys.cntkctl & el0Gate == 0 { return trapToEL1(register, rt: rt, isRead: isRead) }
        if trapsToVMM {
            if let fastPath = trapFastPathDirect {
                if isRead {
                    if let value = fastPath.read(register) { return setX(rt, value) }
                } else if fastPath.write(register, value: x(rt)) {
                    return
                }
            }
            pc = currentInstructionPC
            pendingExit = .systemRegister(SystemRegisterAccess(register: register, rt: rt, isRead: isRead))
            return
        }
        if let direct = timerDeviceDirect {
            if isRead {
                guard let value = direct.read(register) else { return undefined() }
                setX(rt, value)
            } else if !direct.write(register, value: x(rt)) {
                undefined()
            }
            return
        }
        accessDeviceRegister(timerDevice, register, rt: rt, isRead: isRead, el0Allowed: true)
    }

    /// A register implemented by a device the CPU reaches directly, as hardware would: UNDEFINED
    /// when the device is absent or does not implement it.
    private func accessDeviceRegister(_ device: (any SystemRegisterDevice)?, _ register: SystemRegister,
                                      rt: Int, isRead: Bool, el0Allowed: Bool) {
        guard el0Allowed || el != 0, let device, device.handles(register) else { return undefined() }
        if isRead {
            setX(rt, device.read(register))
        } else {
            device.write(register, value: x(rt))
        }
    }
}
