/// One software AArch64 processing element at EL1/EL0: its architectural state and the run loop.
///
/// The CPU plays the part that Arm's virtualization hardware plays for KVM: `run` executes the
/// guest until something needs the hypervisor and returns a `VCPUExit` describing it. All state
/// is owned by the vCPU's thread; other threads reach it only through `signals`.
///
/// The instruction groups are implemented in extensions, one file each:
/// `CPU+DataProcessing`, `CPU+Branch`, `CPU+LoadStore`, `CPU+FloatingPoint`, `CPU+Memory`
/// (translation, TLB, fetch), `CPU+System` (MRS/MSR, hints, barriers, maintenance) and
/// `CPU+Exceptions` (exception entry, ERET, interrupts).
public final class CPU {
    /// The vCPU index (also used as the requester id on the bus).
    public let id: Int
    public let bus: PhysicalBus
    public let signals: InterruptSignals

    /// X0–X30, and at index 31 the stack pointer currently selected (SP_EL0 or SP_EL1).
    /// Reads of register 31 as XZR are handled by `x(_:)`.
    public let regs: UnsafeMutablePointer<UInt64>
    /// The banked stack pointer that is *not* selected; see `selectStackPointer`.
    public var bankedSP: UInt64 = 0
    public var pc: UInt64 = 0
    /// PSTATE.{N,Z,C,V} in bits 31:28, as in NZCV / SPSR.
    public var nzcv: UInt32 = 0
    /// PSTATE.{D,A,I,F} in bits 9:6, as in DAIF / SPSR.
    public var daif: UInt32 = 0x3C0
    /// PSTATE.EL: 0 or 1.
    public private(set) var el: Int = 1
    /// PSTATE.SP: 0 selects SP_EL0, 1 selects SP_ELx.
    public private(set) var spsel: Int = 1

    /// V0–V31 as 64 UInt64 words: V[n] is words 2n (low) and 2n+1 (high).
    public let vregs: UnsafeMutablePointer<UInt64>
    public var fpcr: UInt32 = 0
    public var fpsr: UInt32 = 0

    public var sys = SystemRegisterFile()
    /// The software TLB and fetch cache (see CPU+Memory).
    public var translations = TranslationCache()

    /// The exclusive monitor (LDXR/STXR): the address and size of the open reservation.
    public var exclusiveAddress: UInt64 = 0
    public var exclusiveSize: Int = 0
    public var exclusiveOpen = false

    /// Instructions completed since reset (the deterministic clock counts these).
    public var instructionsRetired: UInt64 = 0
    /// The address of the instruction being executed (the preferred return of a fault).
    public var currentInstructionPC: UInt64 = 0
    /// Set by an instruction that must return to the VMM; checked after every instruction.
    public var pendingExit: VCPUExit?

    /// The virtual timer and counter, reached without an exit (nil: those registers UNDEF).
    /// Strong references: the devices never point back at the CPU, and a weak load on every
    /// timer access would cost more than the access.
    public var timerDevice: (any SystemRegisterDevice)?
    /// The GICv3 CPU interface (ICC_*), reached without an exit (nil: GICv2, ICC_* UNDEF).
    public var interruptControllerInterface: (any SystemRegisterDevice)?
    /// The VMM's handler for trapped accesses that need no full exit (nil: every trap exits).
    public var trapFastPath: (any TrapFastPath)?
    /// With CNTHCTL_EL2.EL1PCEN = 0 semantics: CNTP_CTL/CVAL/TVAL accesses exit to the VMM.
    public var trapsPhysicalTimer = true
    /// With CNTHCTL_EL2.EL1PCTEN = 0 semantics: CNTPCT_EL0 reads exit to the VMM.
    public var trapsPhysicalCounter = false
    /// ID_AA64PFR0_EL1.GIC: whether the GICv3 system-register interface is advertised.
    public var advertisesGICv3SystemRegisters = false

    public init(id: Int, bus: PhysicalBus, signals: InterruptSignals = InterruptSignals()) {
        self.id = id
        self.bus = bus
        self.signals = signals
        regs = .allocate(capacity: 32)
        regs.initialize(repeating: 0, count: 32)
        vregs = .allocate(capacity: 64)
        vregs.initialize(repeating: 0, count: 64)
        sys.mpidr = 0x8000_0000 | UInt64(id & 0xFF) | UInt64((id >> 8) & 0xFF) << 8
    }

    deinit {
        regs.deallocate()
        vregs.deallocate()
    }

    // MARK: Register access

    /// Xn, with 31 reading as XZR.
    @inline(__always) public func x(_ n: Int) -> UInt64 { n == 31 ? 0 : regs[n] }
    /// Writes Xn; a write to 31 (XZR) is discarded.
    @inline(__always) public func setX(_ n: Int, _ value: UInt64) { if n != 31 { regs[n] = value } }
    /// Xn, with 31 reading as the current SP.
    @inline(__always) public func xOrSP(_ n: Int) -> UInt64 { regs[n] }
    /// Writes Xn, with 31 meaning the current SP.
    @inline(__always) public func setXOrSP(_ n: Int, _ value: UInt64) { regs[n] = value }

    /// The current SP.
    public var sp: UInt64 {
        get { regs[31] }
        set { regs[31] = newValue }
    }

    /// SP_EL0, wherever it lives right now.
    public var spEL0: UInt64 {
        get { usesSPEL0 ? regs[31] : bankedSP }
        set { if usesSPEL0 { regs[31] = newValue } else { bankedSP = newValue } }
    }

    /// SP_EL1, wherever it lives right now.
    public var spEL1: UInt64 {
        get { usesSPEL0 ? bankedSP : regs[31] }
        set { if usesSPEL0 { bankedSP = newValue } else { regs[31] = newValue } }
    }

    private var usesSPEL0: Bool { el == 0 || spsel == 0 }

    /// Changes PSTATE.EL and PSTATE.SP, swapping the banked stack pointer in and out of X31.
    public func selectStackPointer(el newEL: Int, spsel newSPSel: Int) {
        let wasEL0 = usesSPEL0
        el = newEL
        spsel = newSPSel
        if wasEL0 != usesSPEL0 { swap(&regs[31], &bankedSP) }
    }

    /// PSTATE as SPSR_EL1 records it: NZCV, DAIF, M[3:0] (EL and SP).
    public var pstate: UInt64 {
        UInt64(nzcv) | UInt64(daif) | UInt64(el << 2) | UInt64(el == 0 ? 0 : spsel)
    }

    /// Restores PSTATE from an SPSR value (ERET, or the VMM setting up a vCPU).
    /// Returns false if M[4:0] names a mode this CPU does not have (an illegal return).
    @discardableResult
    public func setPSTATE(_ value: UInt64) -> Bool {
        let mode = value & 0x1F
        guard mode == 0b00000 || mode == 0b00100 || mode == 0b00101 else { return false }
        nzcv = UInt32(truncatingIfNeeded: value) & 0xF000_0000
        daif = UInt32(truncatingIfNeeded: value) & 0x3C0
        selectStackPointer(el: Int((mode >> 2) & 3), spsel: Int(mode & 1))
        return true
    }

    // MARK: The run loop

    /// Runs until an exit, or until `budget` instructions have executed.
    public func run(budget: Int) -> VCPUExit {
        var remaining = budget
        while remaining > 0 {
            if signals.pending != 0, let exit = serviceSignals() { return exit }
            let instructionPC = pc
            currentInstructionPC = instructionPC
            remaining &-= 1
            guard let instruction = fetchInstruction(instructionPC) else {
                // The fetch faulted and the abort was taken.
                if let exit = pendingExit { pendingExit = nil; return exit }
                continue
            }
            pc = instructionPC &+ 4
            execute(instruction)
            instructionsRetired &+= 1
            if let exit = pendingExit {
                pendingExit = nil
                return exit
            }
        }
        return .budgetExhausted
    }

    /// Kicks and interrupts: returns an exit for a kick, takes an unmasked IRQ or FIQ.
    private func serviceSignals() -> VCPUExit? {
        if signals.pending & InterruptSignals.kick != 0, signals.consumeKick() { return .kicked }
        takePendingInterrupt()
        return nil
    }

    /// Decodes the top-level encoding group (Arm ARM C4.1, op0 = bits 28:25) and executes.
    @inline(__always)
    func execute(_ instruction: UInt32) {
        switch (instruction >> 25) & 0xF {
        case 0b1000, 0b1001:
            executeDataProcessingImmediate(instruction)
        case 0b0101, 0b1101:
            executeDataProcessingRegister(instruction)
        case 0b0100, 0b0110, 0b1100, 0b1110:
            executeLoadStore(instruction)
        case 0b1010, 0b1011:
            executeBranchExceptionSystem(instruction)
        case 0b0111, 0b1111:
            executeSIMDFloatingPoint(instruction)
        default:
            undefined()
        }
    }

    @inline(__always)
    private func executeBranchExceptionSystem(_ instruction: UInt32) {
        if instruction & 0xFF00_0000 == 0xD400_0000 {
            executeExceptionGeneration(instruction)
        } else if instruction & 0xFFC0_0000 == 0xD500_0000 {
            executeSystem(instruction)
        } else if instruction == 0xD69F_03E0 {
            executeExceptionReturn()
        } else {
            executeBranch(instruction)
        }
    }

    // MARK: The VMM side of an exit

    /// Finishes a trapped system-register access: a read writes `readValue` to Rt; either way
    /// the PC moves past the instruction, as KVM does after emulating it.
    public func completeSystemRegisterAccess(_ access: SystemRegisterAccess, readValue: UInt64 = 0) {
        if access.isRead { setX(access.rt, readValue) }
        pc = currentInstructionPC &+ 4
    }

    /// Makes the instruction at the PC (a trapped access the VMM refuses) UNDEFINED in the guest.
    public func injectUndefined() {
        currentInstructionPC = pc
        undefined()
    }
}
