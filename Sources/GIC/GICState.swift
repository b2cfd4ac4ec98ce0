/// The whole interrupt controller's state, guarded by one lock in `GICCore`. Every method
/// here runs with the lock held; every guest-supplied number is range-checked before it is used
/// as an index.
struct GICState: Sendable {
    let version: InterruptController.Version
    let cpuCount: Int
    /// Total interrupt IDs, SGIs and PPIs included (a multiple of 32).
    let interruptCount: Int
    /// Packed affinity (Aff3:Aff2:Aff1:Aff0) of each vCPU, as in GICR_TYPER[63:32].
    let affinities: [UInt32]

    /// GICD_CTLR enable bits: bit 0 EnableGrp0, bit 1 EnableGrp1.
    var distributorControl: UInt32 = 0
    /// SGIs and PPIs, 32 per vCPU.
    var privateInterrupts: [Interrupt]
    /// SPIs, INTID 32 and up. Written only through the subscript, which keeps `readySPIs`.
    private(set) var sharedInterrupts: [Interrupt]
    /// One bit per SPI that is enabled, pending and not active: what a CPU interface could
    /// take, group enables aside. Every line change of a timer PPI recomputes that vCPU's
    /// output, and scanning all SPIs for it (32 cache lines, cold after a WFI sleep) cost
    /// microseconds; the bits make "no SPI ready" one word test per 64 SPIs.
    private(set) var readySPIs: [UInt64]
    /// GICv2: pending SGIs per target vCPU (16 per vCPU), one bit per source vCPU.
    var sgiSources: [UInt8]
    /// GICv2: GICD_ITARGETSR of each SPI.
    var targets: [UInt8]
    /// GICv3: GICD_IROUTER of each SPI.
    var routers: [UInt64]
    var cpus: [CPUInterfaceState]
    var onOutputChange: (@Sendable (_ vcpu: Int, _ irq: Bool, _ fiq: Bool) -> Void)?

    init(version: InterruptController.Version, cpuCount: Int, interruptCount: Int, affinities: [UInt32]) {
        self.version = version
        self.cpuCount = cpuCount
        self.interruptCount = interruptCount
        self.affinities = affinities
        let spiCount = interruptCount - 32
        var privateIRQ = Interrupt()
        privateIRQ.group1 = version == .v3
        privateInterrupts = Array(repeating: privateIRQ, count: cpuCount * 32)
        for cpu in 0..<cpuCount {
            for intid in 0..<16 {
                // SGIs are always edge-triggered; GICv2 SGIs cannot be disabled (as QEMU, GIC-400).
                privateInterrupts[cpu * 32 + intid].edge = true
                privateInterrupts[cpu * 32 + intid].enabled = version == .v2
            }
        }
        sharedInterrupts = Array(repeating: privateIRQ, count: spiCount)
        readySPIs = Array(repeating: 0, count: (spiCount + 63) / 64)
        sgiSources = Array(repeating: 0, count: cpuCount * 16)
        // A uniprocessor GICv2 delivers every SPI to its one CPU (its ITARGETSR are RAZ/WI on
        // hardware); starting with the target set keeps guests that assume that working.
        targets = Array(repeating: cpuCount == 1 ? 1 : 0, count: spiCount)
        routers = Array(repeating: 0, count: spiCount)
        cpus = Array(repeating: CPUInterfaceState(), count: cpuCount)
    }

    var cpuMask: UInt32 { cpuCount >= 32 ? UInt32.max : (UInt32(1) << UInt32(cpuCount)) &- 1 }

    // MARK: Interrupt access

    /// The interrupt `intid` as seen by `cpu` (banked for INTIDs below 32). Out-of-range reads
    /// give an inert interrupt and out-of-range writes are dropped, so a bad index from any
    /// path cannot trap.
    subscript(intid: Int, cpu: Int) -> Interrupt {
        get {
            if intid < 0 || intid >= interruptCount { return Interrupt() }
            if intid < 32 {
                guard cpu >= 0, cpu < cpuCount else { return Interrupt() }
                return privateInterrupts[cpu * 32 + intid]
            }
            return sharedInterrupts[intid - 32]
        }
        set {
            if intid < 0 || intid >= interruptCount { return }
            if intid < 32 {
                guard cpu >= 0, cpu < cpuCount else { return }
                privateInterrupts[cpu * 32 + intid] = newValue
            } else {
                let index = intid - 32
                sharedInterrupts[index] = newValue
                let bit = UInt64(1) << UInt64(index & 63)
                if newValue.enabled && newValue.pending && !newValue.active {
                    readySPIs[index >> 6] |= bit
                } else {
                    readySPIs[index >> 6] &= ~bit
                }
            }
        }
    }

    func isValid(cpu: Int) -> Bool { cpu >= 0 && cpu < cpuCount }

    // MARK: Input lines

    /// Drives an input line. A rising edge latches an edge-triggered interrupt; a
    /// level-sensitive one is pending exactly while its line is high (plus any software latch).
    /// Returns whether anything changed.
    mutating func setLine(intid: Int, cpu: Int, level: Bool) -> Bool {
        var irq = self[intid, cpu]
        if irq.line == level { return false }
        irq.line = level
        if level && irq.edge { irq.latch = true }
        self[intid, cpu] = irq
        return true
    }

    // MARK: Software pending state

    mutating func setPending(intid: Int, cpu: Int) {
        if version == .v2 && intid < 16 { return } // GICv2 SGIs: only SGIR/SPENDSGIR.
        self[intid, cpu].latch = true
    }

    mutating func clearPending(intid: Int, cpu: Int) {
        if version == .v2 && intid < 16 { return } // GICv2 SGIs: only CPENDSGIR.
        self[intid, cpu].latch = false
    }

    /// GICv2: records an SGI from `source` pending on `target`.
    mutating func addSGI(_ sgi: Int, source: Int, target: Int) {
        guard sgi >= 0, sgi < 16, isValid(cpu: target), isValid(cpu: source), source < 8 else { return }
        sgiSources[target * 16 + sgi] |= UInt8(1) << UInt8(source)
        privateInterrupts[target * 32 + sgi].latch = true
    }

    /// GICv2: replaces the set of source CPUs of a pending SGI.
    mutating func setSGISources(_ sgi: Int, target: Int, sources: UInt8) {
        guard sgi >= 0, sgi < 16, isValid(cpu: target) else { return }
        let valid = sources & UInt8(truncatingIfNeeded: cpuMask)
        sgiSources[target * 16 + sgi] = valid
        privateInterrupts[target * 32 + sgi].latch = valid != 0
    }

    func sgiSourceBits(_ sgi: Int, target: Int) -> UInt8 {
        guard sgi >= 0, sgi < 16, isValid(cpu: target) else { return 0 }
        return sgiSources[target * 16 + sgi]
    }
}
