/// Highest-priority-pending selection, signalling, acknowledge, priority drop and deactivation:
/// the CPU-interface state machine shared by GICv2 and GICv3.
struct Candidate: Equatable, Sendable {
    var intid: Int
    var priority: UInt8
    var group1: Bool
}

extension GICState {
    // MARK: Control bits

    func distributorGroupEnabled(group1: Bool) -> Bool {
        distributorControl & (group1 ? 0b10 : 0b01) != 0
    }

    func cpuGroupEnabled(_ cpu: Int, group1: Bool) -> Bool {
        let c = cpus[cpu]
        switch version {
        case .v2: return c.ctlr & (group1 ? 0b10 : 0b01) != 0
        case .v3: return group1 ? c.groupEnable1 : c.groupEnable0
        }
    }

    /// EOImode: priority drop on EOIR, deactivation on DIR.
    func splitEOI(_ cpu: Int) -> Bool {
        switch version {
        case .v2: return cpus[cpu].ctlr & GICv2CPUControl.eoiMode != 0
        case .v3: return cpus[cpu].ctlr & ICCControl.eoiMode != 0
        }
    }

    func commonBinaryPoint(_ cpu: Int) -> Bool {
        switch version {
        case .v2: return cpus[cpu].ctlr & GICv2CPUControl.cbpr != 0
        case .v3: return cpus[cpu].ctlr & ICCControl.cbpr != 0
        }
    }

    // MARK: Priorities

    /// The bits of a priority that form its group priority, from the binary point that applies
    /// to the group: BPR for group 0 (and group 1 when CBPR is set), otherwise ABPR / BPR1, whose
    /// value is one more than the BPR giving the same split.
    func groupPriorityMask(_ cpu: Int, group1: Bool) -> UInt8 {
        let c = cpus[cpu]
        let bpr = (!group1 || commonBinaryPoint(cpu)) ? Int(c.bpr0) : Int(c.bpr1) - 1
        return UInt8(truncatingIfNeeded: 0xFF << (min(max(bpr, 0), 7) + 1))
    }

    /// The running priority: the highest active group priority, or 0xFF when idle.
    func runningPriority(_ cpu: Int) -> UInt8 {
        let active = cpus[cpu].apr0 | cpus[cpu].apr1
        if active == 0 { return 0xFF }
        return UInt8(active.trailingZeroBitCount << GICConstants.preemptionShift)
    }

    // MARK: Selection

    func isCandidate(_ irq: Interrupt, cpu: Int) -> Bool {
        irq.enabled && irq.pending && !irq.active
            && distributorGroupEnabled(group1: irq.group1) && cpuGroupEnabled(cpu, group1: irq.group1)
    }

    /// GICv3 1-of-N routing: the lowest-numbered vCPU that has group 1 enabled.
    func oneOfNTarget() -> Int? {
        cpus.firstIndex { $0.groupEnable1 }
    }

    /// The vCPU a GICv3 SPI is routed to, if any.
    func routedCPU(spi index: Int, oneOfN: Int?) -> Int? {
        let router = routers[index]
        if router & (1 << 31) != 0 { return oneOfN }
        let affinity = UInt32(truncatingIfNeeded: router & 0xFF_FFFF) | UInt32(truncatingIfNeeded: (router >> 32) & 0xFF) << 24
        return affinities.firstIndex(of: affinity)
    }

    func spiTargets(_ index: Int, cpu: Int, oneOfN: Int?) -> Bool {
        switch version {
        case .v2: return cpu >= 0 && cpu < 8 && targets[index] & (UInt8(1) << UInt8(cpu)) != 0
        case .v3: return routedCPU(spi: index, oneOfN: oneOfN) == cpu
        }
    }

    /// The SPIs any vCPU could take now: enabled, pending, not active, of an enabled group.
    /// One pass over the SPIs serves every vCPU's selection.
    func spiCandidates() -> [Int32] {
        var list: [Int32] = []
        let group0 = distributorGroupEnabled(group1: false), group1 = distributorGroupEnabled(group1: true)
        for (word, bits) in readySPIs.enumerated() where bits != 0 {
            var remaining = bits
            while remaining != 0 {
                let index = word << 6 | remaining.trailingZeroBitCount
                remaining &= remaining &- 1
                if sharedInterrupts[index].group1 ? group1 : group0 { list.append(Int32(index)) }
            }
        }
        return list
    }

    /// The highest-priority pending interrupt that `cpu` could take (lowest INTID wins a tie),
    /// ignoring the priority mask and the running priority.
    func bestCandidate(_ cpu: Int) -> Candidate? {
        bestCandidate(cpu, spis: spiCandidates(), oneOfN: version == .v3 ? oneOfNTarget() : nil)
    }

    func bestCandidate(_ cpu: Int, spis: [Int32], oneOfN: Int?) -> Candidate? {
        guard isValid(cpu: cpu) else { return nil }
        var best: Candidate?
        var bestPriority = 0x100
        // The group enables are the same for all 32: judged once, then each interrupt is a few
        // byte tests (this loop runs for every output recomputation, timer raises included).
        let group0 = distributorGroupEnabled(group1: false) && cpuGroupEnabled(cpu, group1: false)
        let group1 = distributorGroupEnabled(group1: true) && cpuGroupEnabled(cpu, group1: true)
        privateInterrupts.withUnsafeBufferPointer { banked in
            for intid in 0..<32 {
                let irq = banked[cpu &* 32 &+ intid]
                guard irq.enabled, irq.pending, !irq.active, irq.group1 ? group1 : group0,
                      Int(irq.priority) < bestPriority else { continue }
                best = Candidate(intid: intid, priority: irq.priority, group1: irq.group1)
                bestPriority = Int(irq.priority)
            }
        }
        for index32 in spis {
            let index = Int(index32)
            let irq = sharedInterrupts[index]
            if Int(irq.priority) < bestPriority && cpuGroupEnabled(cpu, group1: irq.group1)
                && spiTargets(index, cpu: cpu, oneOfN: oneOfN) {
                best = Candidate(intid: index + 32, priority: irq.priority, group1: irq.group1)
                bestPriority = Int(irq.priority)
            }
        }
        return best
    }

    /// Whether a candidate passes the priority mask and preempts the running priority.
    func canSignal(_ candidate: Candidate, cpu: Int) -> Bool {
        let c = cpus[cpu]
        guard candidate.priority < c.pmr else { return false }
        let mask = groupPriorityMask(cpu, group1: candidate.group1)
        return candidate.priority & mask < runningPriority(cpu) & mask
    }

    /// The interrupt the CPU interface signals now, if any.
    func signalled(_ cpu: Int) -> Candidate? {
        signalled(cpu, spis: spiCandidates(), oneOfN: version == .v3 ? oneOfNTarget() : nil)
    }

    func signalled(_ cpu: Int, spis: [Int32], oneOfN: Int?) -> Candidate? {
        guard let best = bestCandidate(cpu, spis: spis, oneOfN: oneOfN), canSignal(best, cpu: cpu) else { return nil }
        return best
    }

    // MARK: Outputs

    /// Recomputes the IRQ/FIQ outputs of one vCPU (or all) and reports those that changed. The
    /// callback runs with the GIC lock held, so outputs reach the Machine in the order they
    /// changed.
    mutating func updateOutputs(cpu only: Int? = nil) {
        let spis = spiCandidates()
        let oneOfN = version == .v3 ? oneOfNTarget() : nil
        if let only {
            guard isValid(cpu: only) else { return }
            updateOutput(only, spis: spis, oneOfN: oneOfN)
        } else {
            for cpu in 0..<cpuCount { updateOutput(cpu, spis: spis, oneOfN: oneOfN) }
        }
    }

    private mutating func updateOutput(_ cpu: Int, spis: [Int32], oneOfN: Int?) {
        var irq = false, fiq = false
        if let candidate = signalled(cpu, spis: spis, oneOfN: oneOfN) {
            let fiqEnabled: Bool
            switch version {
            case .v2: fiqEnabled = cpus[cpu].ctlr & GICv2CPUControl.fiqEnable != 0
            case .v3: fiqEnabled = true
            }
            if !candidate.group1 && fiqEnabled { fiq = true } else { irq = true }
        }
        if cpus[cpu].irq != irq || cpus[cpu].fiq != fiq {
            cpus[cpu].irq = irq
            cpus[cpu].fiq = fiq
            onOutputChange?(cpu, irq, fiq)
        }
    }

    // MARK: Acknowledge, priority drop, deactivation

    /// Makes `candidate` active on `cpu` and returns the INTID to report (with the source CPU
    /// in bits 12:10 for a GICv2 SGI). The pending latch clears; a level-sensitive interrupt
    /// whose line is still high stays pending, so it becomes active and pending.
    mutating func acknowledge(_ candidate: Candidate, cpu: Int) -> UInt32 {
        let intid = candidate.intid
        let level = Int((candidate.priority & groupPriorityMask(cpu, group1: candidate.group1)) >> UInt8(GICConstants.preemptionShift))
        if candidate.group1 {
            cpus[cpu].apr1 |= UInt32(1) << UInt32(level)
        } else {
            cpus[cpu].apr0 |= UInt32(1) << UInt32(level)
        }
        var result = UInt32(intid)
        if version == .v2 && intid < 16 {
            let sources = sgiSourceBits(intid, target: cpu)
            let source = sources.trailingZeroBitCount
            if source < 8 {
                setSGISources(intid, target: cpu, sources: sources & ~(UInt8(1) << UInt8(source)))
                result |= UInt32(source) << 10
            }
        } else {
            self[intid, cpu].latch = false
        }
        self[intid, cpu].active = true
        return result
    }

    /// Clears the highest active priority of the given group. Returns false if that group has
    /// no active priority.
    @discardableResult
    mutating func dropPriority(_ cpu: Int, group1: Bool) -> Bool {
        if group1 {
            if cpus[cpu].apr1 == 0 { return false }
            cpus[cpu].apr1 &= cpus[cpu].apr1 &- 1
        } else {
            if cpus[cpu].apr0 == 0 { return false }
            cpus[cpu].apr0 &= cpus[cpu].apr0 &- 1
        }
        return true
    }

    /// The group of the highest active priority (group 0 wins a tie), or nil when idle.
    func highestActiveGroupIsGroup1(_ cpu: Int) -> Bool? {
        let a0 = cpus[cpu].apr0, a1 = cpus[cpu].apr1
        if a0 == 0 && a1 == 0 { return nil }
        return a0.trailingZeroBitCount > a1.trailingZeroBitCount
    }

    mutating func deactivate(intid: Int, cpu: Int) {
        self[intid, cpu].active = false
    }
}

/// GICC_CTLR bits (GICv2 without the Security Extensions).
enum GICv2CPUControl {
    static let enableGroup0: UInt32 = 1 << 0
    static let enableGroup1: UInt32 = 1 << 1
    static let ackControl: UInt32 = 1 << 2
    static let fiqEnable: UInt32 = 1 << 3
    static let cbpr: UInt32 = 1 << 4
    static let eoiMode: UInt32 = 1 << 9
    /// Bits 0-10 are stored (bypass-disable bits and EOImodeNS have no further effect here).
    static let writable: UInt32 = 0x7FF
}

/// ICC_CTLR_EL1 bits.
enum ICCControl {
    static let cbpr: UInt32 = 1 << 0
    static let eoiMode: UInt32 = 1 << 1
    static let pmhe: UInt32 = 1 << 6
    static let writable: UInt32 = cbpr | eoiMode | pmhe
    /// PRIbits (priority bits - 1) = 4, IDbits = 0 (16-bit INTIDs), A3V = 1, RSS = 1 (SGI
    /// targets with Aff0 up to 255, so more than 16 vCPUs per cluster can receive IPIs).
    static let readOnly: UInt32 = 4 << 8 | 1 << 15 | 1 << 18
}
