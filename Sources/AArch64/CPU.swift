import CHostClock
import Synchronization

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
    /// This vCPU's thread writes the fields below at every block; the paddings at both ends
    /// keep another vCPU's data out of their cache lines (see `HostCacheLine`).
    private let leadingPadding = CacheLinePadding()
    /// The vCPU index (also used as the requester id on the bus).
    public let id: Int
    public let bus: PhysicalBus
    public let signals: InterruptSignals

    /// X0–X30, and at index 31 the stack pointer currently selected (SP_EL0 or SP_EL1); slots 32
    /// (always zero) and 33 (a discarded write) stand for XZR in decoded instructions.
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
    public var pendingExit: VCPUExit? {
        didSet { exitRequested = pendingExit != nil }
    }
    /// Whether `pendingExit` is set: the run loop's per-instruction test is one byte load.
    var exitRequested = false
    /// The vCPUs that broadcast TLB maintenance reaches (see `CPUGroup`); at first this CPU alone.
    public private(set) var group = CPUGroup()
    /// Decoded forms of recently executed instructions (see `DecodedInstruction`).
    let decodeCache = DecodeCache()
    /// The blocks the last interrupt handler entered (see `prefetchInterruptPath`).
    var interruptPath = InterruptPath()

    /// The virtual timer and counter, reached without an exit (nil: those registers UNDEF).
    /// Strong references: the devices never point back at the CPU, and a weak load on every
    /// timer access would cost more than the access.
    public var timerDevice: (any SystemRegisterDevice)? {
        didSet {
            timerDeviceDirect = (timerDevice as? any DirectSystemRegisterDevice).map {
                DirectHandler($0, type(of: $0).directEntryPoints)
            }
        }
    }
    /// `timerDevice`'s C entry points when it has them (see `DirectEntryPoints`); valid while
    /// `timerDevice` holds the object.
    var timerDeviceDirect: DirectHandler?
    /// The GICv3 CPU interface (ICC_*), reached without an exit (nil: GICv2, ICC_* UNDEF).
    public var interruptControllerInterface: (any SystemRegisterDevice)?
    /// The VMM's handler for trapped accesses that need no full exit (nil: every trap exits).
    /// Not retained: the handler is the VMM's vCPU, which owns this CPU (a strong reference
    /// would be a cycle) and outlives every `run`; and no reference counting on the trap path.
    public unowned(unsafe) var trapFastPath: (any TrapFastPath)? {
        didSet { trapFastPathDirect = trapFastPath.map { DirectHandler($0, type(of: $0).directEntryPoints) } }
    }
    /// `trapFastPath`'s C entry points, what the access path calls (see `DirectEntryPoints`).
    var trapFastPathDirect: DirectHandler?
    /// With CNTHCTL_EL2.EL1PCEN = 0 semantics: CNTP_CTL/CVAL/TVAL accesses exit to the VMM.
    public var trapsPhysicalTimer = true
    /// With CNTHCTL_EL2.EL1PCTEN = 0 semantics: CNTPCT_EL0 reads exit to the VMM.
    public var trapsPhysicalCounter = false
    /// ID_AA64PFR0_EL1.GIC: whether the GICv3 system-register interface is advertised.
    public var advertisesGICv3SystemRegisters = false
    /// Whether `run` returns `VCPUExit.idleLoop` when the guest enters a loop that only an
    /// interrupt can leave. Off by default: a deterministic clock must see the loop spin.
    public var reportsIdleLoops = false
    private let trailingPadding = CacheLinePadding()

    public init(id: Int, bus: PhysicalBus, signals: InterruptSignals = InterruptSignals()) {
        self.id = id
        self.bus = bus
        self.signals = signals
        // Two slots beyond X0-X30 and SP: XZR as a source (always 0) and as a destination (a
        // sink), so that decoded instructions need no test for register 31.
        regs = HostCacheLine.allocate(UInt64.self, capacity: RegisterSlot.count)
        regs.initialize(repeating: 0, count: RegisterSlot.count)
        vregs = HostCacheLine.allocate(UInt64.self, capacity: 64)
        vregs.initialize(repeating: 0, count: 64)
        group.add(signals)
        sys.mpidr = 0x8000_0000 | UInt64(id & 0xFF) | UInt64((id >> 8) & 0xFF) << 8
    }

    deinit {
        regs.deallocate()
        vregs.deallocate()
        interruptPath.entries.deallocate()
    }

    /// Moves this vCPU into `group`, the set of vCPUs of its VM: the Machine calls it once per
    /// vCPU with the VM's single group before any of them runs, so that TLBI ...IS reaches all.
    public func join(_ group: CPUGroup) {
        self.group.remove(signals)
        self.group = group
        group.add(signals)
    }

    // MARK: Register access

    /// Xn, with 31 reading as XZR.
    @inline(__always) public func x(_ n: Int) -> UInt64 { regs[n == 31 ? Int(RegisterSlot.zero) : n] }
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
    ///
    /// The outer loop is a block boundary: it services signals and checks that the PC is in
    /// the cached instruction page (otherwise it fetches through the MMU and runs that one
    /// instruction through the full decoder, `execute`). The inner loop then runs straight-line
    /// code in that page: each word is looked up in the decode cache (see
    /// `DecodedInstruction`) and a specialised form runs from pre-extracted operands with the
    /// PC in a local. A taken branch, a page end, or anything through `execute` (which may
    /// change translation, EL or PC) goes back to the outer loop.
    public func run(budget: Int) -> VCPUExit {
        var remaining = budget
        // Every instruction started counts against the budget and retires, except a fetch that
        // faulted: the count is worked out once on the way out.
        var fetchFaults: UInt64 = 0
        defer { instructionsRetired &+= UInt64(truncatingIfNeeded: budget &- remaining) &- fetchFaults }
        let r = regs
        let cache = decodeCache.table
        outer: while remaining > 0 {
            if signals.pending != 0, let exit = serviceSignals() { return exit }
            var instructionPC = pc
            if interruptPath.recording { interruptPath.record(instructionPC) }
            if (instructionPC & ~0xFFC) | UInt64(truncatingIfNeeded: el) << 2 != translations.fetchPageTag {
                // Not in the cached page: fetch through the MMU (may fault, or be MMIO).
                currentInstructionPC = instructionPC
                remaining &-= 1
                guard let instruction = fetchInstructionSlow(instructionPC) else {
                    fetchFaults &+= 1
                    if exitRequested, let exit = pendingExit { pendingExit = nil; return exit }
                    continue outer
                }
                if (instructionPC & ~0xFFC) | UInt64(truncatingIfNeeded: el) << 2 != translations.fetchPageTag {
                    // Not cacheable (e.g. code in MMIO space): the full decoder, one at a time.
                    pc = instructionPC &+ 4
                    execute(instruction)
                    if exitRequested, let exit = pendingExit { pendingExit = nil; return exit }
                    continue outer
                }
                // The page is cached now: run this instruction from the decode cache too (the
                // first instruction after every branch into another page used to take the
                // full decoder: function entries, exception vectors, returns).
                remaining &+= 1
            }
            let page = translations.fetchPageHost
            while true {
                remaining &-= 1
                let instruction = page.loadUnaligned(fromByteOffset: Int(truncatingIfNeeded: instructionPC & 0xFFF),
                                                     as: UInt32.self)
                let slot = cache + Int(truncatingIfNeeded: (instructionPC >> 2) & DecodeCache.indexMask)
                if slot.pointee.raw != instruction { slot.pointee = DecodedInstruction.decode(instruction) }
                // Operands are read in each case, so that a case loads only what it uses.
                @inline(__always) func rd() -> Int { Int(truncatingIfNeeded: slot.pointee.rd) }
                @inline(__always) func rn() -> Int { Int(truncatingIfNeeded: slot.pointee.rn) }
                @inline(__always) func rm() -> Int { Int(truncatingIfNeeded: slot.pointee.rm) }
                @inline(__always) func imm() -> UInt64 { UInt64(bitPattern: slot.pointee.imm) }
                // Reloaded where needed rather than kept live across the dispatch.
                @inline(__always) func next() -> UInt64 { instructionPC &+ 4 }
                @inline(__always) func word() -> UInt32 { slot.pointee.raw }
                var target = instructionPC &+ 4
                switch slot.pointee.operation {
                case .generic:
                    currentInstructionPC = instructionPC
                    pc = next()
                    execute(word())
                    if exitRequested, let exit = pendingExit { pendingExit = nil; return exit }
                    continue outer
                case .addImmediate64:
                    r[rd()] = r[rn()] &+ imm()
                case .addImmediate32:
                    r[rd()] = (r[rn()] &+ imm()) & 0xFFFF_FFFF
                case .subtractImmediateFlags64:
                    let flagged = subtractWithFlags(r[rn()], imm(), is64: true)
                    nzcv = flagged.nzcv
                    r[rd()] = flagged.result
                case .addImmediateFlags64:
                    let flagged = addWithFlags(r[rn()], imm(), is64: true)
                    nzcv = flagged.nzcv
                    r[rd()] = flagged.result
                case .subtractImmediateFlags32:
                    let flagged = subtractWithFlags(r[rn()], imm(), is64: false)
                    nzcv = flagged.nzcv
                    r[rd()] = flagged.result
                case .addImmediateFlags32:
                    let flagged = addWithFlags(r[rn()], imm(), is64: false)
                    nzcv = flagged.nzcv
                    r[rd()] = flagged.result
                case .andImmediate:
                    r[rd()] = r[rn()] & imm()
                case .orrImmediate64:
                    r[rd()] = r[rn()] | imm()
                case .orrImmediate32:
                    r[rd()] = (r[rn()] | imm()) & 0xFFFF_FFFF
                case .eorImmediate64:
                    r[rd()] = r[rn()] ^ imm()
                case .eorImmediate32:
                    r[rd()] = (r[rn()] ^ imm()) & 0xFFFF_FFFF
                case .andsImmediate64:
                    let result = r[rn()] & imm()
                    nzcv = logicalFlags(result, is64: true)
                    r[rd()] = result
                case .andsImmediate32:
                    let result = r[rn()] & imm()
                    nzcv = logicalFlags(result, is64: false)
                    r[rd()] = result
                case .nop:
                    break
                case .memoryBarrier:
                    atomicMemoryFence(ordering: .sequentiallyConsistent)
                case .instructionBarrier:
                    chc_instruction_barrier()
                case .systemRegisterMove:
                    // What `execute` would reach through the system-instruction decoder, minus
                    // the decoding: the EL0 rules, traps to EL1 or the VMM, the register.
                    currentInstructionPC = instructionPC
                    pc = next()
                    let register = SystemRegister(encoding: UInt16(truncatingIfNeeded: imm()))
                    executeSystemRegisterMove(register, rt: rd(), isRead: rm() != 0)
                    if exitRequested, let exit = pendingExit { pendingExit = nil; return exit }
                    // An exception (a trap to EL1, UNDEFINED) moved the PC: leave the block. So
                    // does a write outside the timer: it may change the translation regime, the
                    // stack pointer or the interrupt masks, which the block's state assumes.
                    if pc != next() || (rm() == 0 && !register.isGenericTimer) { continue outer }
                case .and64:
                    let i = imm()
                    r[rd()] = r[rn()] & ((r[rm()] &<< i) ^ (0 &- (i &>> 8)))
                case .orr64:
                    let i = imm()
                    r[rd()] = r[rn()] | ((r[rm()] &<< i) ^ (0 &- (i &>> 8)))
                case .eor64:
                    let i = imm()
                    r[rd()] = r[rn()] ^ ((r[rm()] &<< i) ^ (0 &- (i &>> 8)))
                case .ands64:
                    let i = imm()
                    let result = r[rn()] & ((r[rm()] &<< i) ^ (0 &- (i &>> 8)))
                    nzcv = logicalFlags(result, is64: true)
                    r[rd()] = result
                case .addRegister64:
                    r[rd()] = r[rn()] &+ (r[rm()] &<< imm())
                case .subtractRegister64:
                    r[rd()] = r[rn()] &- (r[rm()] &<< imm())
                case .addRegisterFlags64:
                    let flagged = addWithFlags(r[rn()], r[rm()] &<< imm(), is64: true)
                    nzcv = flagged.nzcv
                    r[rd()] = flagged.result
                case .subtractRegisterFlags64:
                    let flagged = subtractWithFlags(r[rn()], r[rm()] &<< imm(), is64: true)
                    nzcv = flagged.nzcv
                    r[rd()] = flagged.result
                case .and32:
                    let i = imm()
                    r[rd()] = r[rn()] & ((r[rm()] &<< i) ^ (0 &- (i &>> 8))) & 0xFFFF_FFFF
                case .orr32:
                    let i = imm()
                    r[rd()] = (r[rn()] | ((r[rm()] &<< i) ^ (0 &- (i &>> 8)))) & 0xFFFF_FFFF
                case .eor32:
                    let i = imm()
                    r[rd()] = (r[rn()] ^ ((r[rm()] &<< i) ^ (0 &- (i &>> 8)))) & 0xFFFF_FFFF
                case .ands32:
                    let i = imm()
                    let result = r[rn()] & ((r[rm()] &<< i) ^ (0 &- (i &>> 8))) & 0xFFFF_FFFF
                    nzcv = logicalFlags(result, is64: false)
                    r[rd()] = result
                case .addRegister32:
                    r[rd()] = (r[rn()] &+ (r[rm()] &<< imm())) & 0xFFFF_FFFF
                case .subtractRegister32:
                    r[rd()] = (r[rn()] &- (r[rm()] &<< imm())) & 0xFFFF_FFFF
                case .addRegisterFlags32:
                    let flagged = addWithFlags(r[rn()], r[rm()] &<< imm(), is64: false)
                    nzcv = flagged.nzcv
                    r[rd()] = flagged.result
                case .subtractRegisterFlags32:
                    let flagged = subtractWithFlags(r[rn()], r[rm()] &<< imm(), is64: false)
                    nzcv = flagged.nzcv
                    r[rd()] = flagged.result
                case .moveKeep64:
                    let shift = UInt64(rm())
                    r[rd()] = (r[rn()] & ~(0xFFFF &<< shift)) | imm() &<< shift
                case .moveKeep32:
                    let shift = UInt64(rm())
                    r[rd()] = ((r[rn()] & ~(0xFFFF &<< shift)) | imm() &<< shift) & 0xFFFF_FFFF
                case .pcRelative:
                    r[rd()] = instructionPC &+ imm()
                case .pcRelativePage:
                    r[rd()] = (instructionPC & ~0xFFF) &+ imm()
                case .unsignedBitfield64:
                    r[rd()] = (r[rn()] &<< imm()) &>> UInt64(rm())
                case .signedBitfield64:
                    r[rd()] = UInt64(bitPattern: Int64(bitPattern: r[rn()] &<< imm()) &>> Int64(rm()))
                case .unsignedBitfield32:
                    let w = UInt32(truncatingIfNeeded: r[rn()])
                    r[rd()] = UInt64((w &<< UInt32(truncatingIfNeeded: imm())) &>> UInt32(truncatingIfNeeded: rm()))
                case .signedBitfield32:
                    let up = Int32(bitPattern: UInt32(truncatingIfNeeded: r[rn()]) &<< UInt32(truncatingIfNeeded: imm()))
                    r[rd()] = UInt64(UInt32(bitPattern: up &>> Int32(truncatingIfNeeded: rm())))
                case .moveZero:
                    r[rd()] = imm() &<< UInt64(rm())
                case .moveNot64:
                    r[rd()] = ~(imm() &<< UInt64(rm()))
                case .moveNot32:
                    r[rd()] = ~(imm() &<< UInt64(rm())) & 0xFFFF_FFFF
                case .branch:
                    target = instructionPC &+ imm()
                case .branchBackShort:
                    target = instructionPC &+ imm()
                    if reportsIdleLoops, signals.pending == 0,
                       IdleLoop.isIdle(page: page, from: target, to: instructionPC) {
                        pc = target
                        return .idleLoop
                    }
                case .branchLink:
                    r[30] = next()
                    target = instructionPC &+ imm()
                case .branchConditional:
                    let table = UnsafeRawPointer(slot).loadUnaligned(
                        fromByteOffset: MemoryLayout<DecodedInstruction>.offset(of: \.rd) ?? 5, as: UInt16.self)
                    if (table &>> UInt16(truncatingIfNeeded: nzcv &>> 28)) & 1 != 0 { target = instructionPC &+ imm() }
                case .conditionalSelect:
                    let i = imm()
                    var result: UInt64
                    if (i &>> UInt64(truncatingIfNeeded: nzcv &>> 28)) & 1 != 0 {
                        result = r[rn()]
                    } else {
                        result = (r[rm()] ^ (0 &- ((i &>> 16) & 1))) &+ ((i &>> 17) & 1)
                    }
                    r[rd()] = i & (1 << 18) != 0 ? result : result & 0xFFFF_FFFF
                case .reverseBytes64:
                    r[rd()] = r[rn()].byteSwapped
                case .reverseBytes32:
                    r[rd()] = UInt64(UInt32(truncatingIfNeeded: r[rn()]).byteSwapped)
                case .countLeadingZeros64:
                    r[rd()] = UInt64(r[rn()].leadingZeroBitCount)
                case .countLeadingZeros32:
                    r[rd()] = UInt64(UInt32(truncatingIfNeeded: r[rn()]).leadingZeroBitCount)
                case .conditionalCompare:
                    let i = imm()
                    if (i &>> UInt64(truncatingIfNeeded: nzcv &>> 28)) & 1 == 0 {
                        nzcv = UInt32(truncatingIfNeeded: (i &>> 16) & 0xF) << 28
                    } else {
                        let operand2 = i & (1 << 22) != 0 ? (i &>> 24) & 31 : r[rm()]
                        let is64 = i & (1 << 21) != 0
                        nzcv = i & (1 << 20) != 0 ? subtractWithFlags(r[rn()], operand2, is64: is64).nzcv
                                                  : addWithFlags(r[rn()], operand2, is64: is64).nzcv
                    }
                case .compareBranchZero:
                    if r[rn()] &<< UInt64(rm()) == 0 { target = instructionPC &+ imm() }
                case .compareBranchNonZero:
                    if r[rn()] &<< UInt64(rm()) != 0 { target = instructionPC &+ imm() }
                case .testBranchZero:
                    if (r[rn()] &>> UInt64(rm())) & 1 == 0 { target = instructionPC &+ imm() }
                case .testBranchNonZero:
                    if (r[rn()] &>> UInt64(rm())) & 1 != 0 { target = instructionPC &+ imm() }
                case .branchRegister:
                    // The target may be misaligned or in another page: the outer loop checks.
                    pc = r[rn()]
                    continue outer
                case .branchLinkRegister:
                    pc = r[rn()]
                    r[30] = next()
                    continue outer
                case .exceptionReturn:
                    // Changes EL, SP and PC (or takes an exception): always leaves the block.
                    currentInstructionPC = instructionPC
                    pc = next()
                    executeExceptionReturn()
                    if exitRequested, let exit = pendingExit { pendingExit = nil; return exit }
                    continue outer
                case .load64, .load32, .store64, .store32, .loadNarrow, .storeNarrow,
                     .loadRegisterOffset64, .loadRegisterOffset32, .storeRegisterOffset64, .storeRegisterOffset32,
                     .loadWriteback64, .loadWriteback32, .storeWriteback64, .storeWriteback32,
                     .loadNarrowWriteback, .storeNarrowWriteback:
                    // A fault takes a data abort, which needs the PCs and moves the PC.
                    currentInstructionPC = instructionPC
                    pc = next()
                    let base = r[rn()]
                    if rn() == 31, base & 0xF != 0 {
                        // A misaligned SP: the full decoder checks SCTLR_EL1.SA/SA0.
                        execute(word())
                        if exitRequested, let exit = pendingExit { pendingExit = nil; return exit }
                        continue outer
                    }
                    let operation = slot.pointee.operation
                    let address: UInt64
                    if operation.hasRegisterOffset {
                        let i = imm()
                        let index = r[rm()]
                        let extended: UInt64
                        switch i &>> 8 {
                        case 0b010: extended = index & 0xFFFF_FFFF                                       // UXTW
                        case 0b110: extended = UInt64(bitPattern: Int64(Int32(truncatingIfNeeded: index))) // SXTW
                        default: extended = index                                                        // LSL, SXTX
                        }
                        address = base &+ (extended &<< (i & 0xFF))
                    } else if operation.hasWriteback && rm() & 0x10 != 0 {
                        address = base // post-index
                    } else {
                        address = base &+ imm()
                    }
                    let completed: Bool
                    switch operation {
                    case .load64, .loadRegisterOffset64, .loadWriteback64:
                        let value = readMemory(address, size: 8)
                        if let value { r[rd()] = value }
                        completed = value != nil
                    case .load32, .loadRegisterOffset32, .loadWriteback32:
                        let value = readMemory(address, size: 4)
                        if let value { r[rd()] = value }
                        completed = value != nil
                    case .store64, .storeRegisterOffset64, .storeWriteback64:
                        completed = writeMemory(address, size: 8, r[rd()])
                    case .loadNarrow, .loadNarrowWriteback:
                        let value = readMemory(address, size: Int(rm() & 0xF))
                        if let value { r[rd()] = value }
                        completed = value != nil
                    case .storeNarrow, .storeNarrowWriteback:
                        completed = writeMemory(address, size: Int(rm() & 0xF), r[rd()])
                    default:
                        completed = writeMemory(address, size: 4, r[rd()])
                    }
                    if !completed {
                        if exitRequested, let exit = pendingExit { pendingExit = nil; return exit }
                        continue outer
                    }
                    if operation.hasWriteback { r[rn()] = base &+ imm() }
                case .loadPair64, .storePair64, .loadPairPre64, .storePairPre64,
                     .loadPairPost64, .storePairPost64:
                    currentInstructionPC = instructionPC
                    pc = next()
                    let operation = slot.pointee.operation
                    let base = r[rn()]
                    let postIndex = operation == .loadPairPost64 || operation == .storePairPost64
                    let address = postIndex ? base : base &+ imm()
                    let isLoad = operation == .loadPair64 || operation == .loadPairPre64
                        || operation == .loadPairPost64
                    // Only the case that cannot fault: both doublewords in one cached RAM page,
                    // no alignment checking, an aligned SP. Everything else (page crossings,
                    // MMIO, first touches, faults) goes through the full decoder.
                    let e = translations.entry(address, privileged: el)
                    let page = address & ~0xFFF
                    if address & 0xFFF <= 0xFF0, sys.sctlr & SCTLRBits.a == 0,
                       rn() != 31 || base & 0xF == 0,
                       isLoad ? e.pointee.readTag == page : e.pointee.writeTag == page {
                        let host = e.pointee.host + Int(address & 0xFFF)
                        if isLoad {
                            let first = loadHost(host, size: 8), second = loadHost(host + 8, size: 8)
                            r[rd()] = first
                            r[rm()] = second
                        } else {
                            storeHost(host, size: 8, r[rd()])
                            storeHost(host + 8, size: 8, r[rm()])
                        }
                        if operation != .loadPair64 && operation != .storePair64 {
                            r[rn()] = base &+ imm()
                        }
                    } else {
                        execute(word())
                        if exitRequested, let exit = pendingExit { pendingExit = nil; return exit }
                        continue outer
                    }
                }
                // Stay in the block for straight-line code and short branches in this page.
                if remaining <= 0 || (target ^ instructionPC) > 0xFFF
                    || (target &- instructionPC != 4 && signals.pending != 0) {
                    pc = target
                    continue outer
                }
                instructionPC = target
            }
        }
        return .budgetExhausted
    }

    /// TLB flushes, kicks and interrupts: drops the TLB if another vCPU broadcast a TLBI,
    /// returns an exit for a kick, takes an unmasked IRQ or FIQ.
    private func serviceSignals() -> VCPUExit? {
        if signals.pending & InterruptSignals.tlbFlush != 0, signals.consumeTLBFlush() { invalidateTLB() }
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
