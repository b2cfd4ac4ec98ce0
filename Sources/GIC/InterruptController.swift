/// A virtual GICv2 or GICv3 for one VM: the distributor, the per-vCPU redistributors or CPU
/// interfaces, and the interrupt lines devices and timers drive. It is a plain register state
/// machine under one lock: no threads, no host I/O. Its only output is the IRQ/FIQ level of
/// each vCPU, reported through `onOutputChange`.
public final class InterruptController: Sendable {
    public enum Version: Sendable, Equatable {
        /// GICv2 without the Security Extensions (memory-mapped CPU interface), up to 8 vCPUs.
        case v2
        /// GICv3 with affinity routing, one Security state, no LPIs/ITS; the CPU interface is
        /// the ICC_* system registers.
        case v3
    }

    public enum ConfigurationError: Error, Equatable, CustomStringConvertible {
        case vcpuCount(Int)
        case interruptCount(Int)
        case affinities(Int)

        public var description: String {
            switch self {
            case .vcpuCount(let n): "a GIC cannot serve \(n) vCPUs (GICv2: 1-8, GICv3: 1-65535)"
            case .interruptCount(let n): "\(n) interrupt IDs: must be a multiple of 32 from 64 to 992"
            case .affinities(let n): "\(n) affinities given: need one per vCPU, all different"
            }
        }
    }

    public let version: Version
    public let vcpuCount: Int
    /// Total interrupt IDs, SGIs and PPIs included (GICD_TYPER.ITLinesNumber = count / 32 - 1).
    public let interruptCount: Int
    public let distributor: GICDistributorFrame
    /// The GICv2 CPU interface frame; nil for GICv3.
    public let cpuInterface: GICCPUInterfaceFrame?
    /// The GICv3 redistributor region; nil for GICv2.
    public let redistributors: GICRedistributorFrame?
    let core: GICCore

    /// - Parameters:
    ///   - interruptCount: total INTIDs including the 32 private ones; 288 gives 256 SPIs
    ///     (QEMU 'virt').
    ///   - affinities: each vCPU's MPIDR affinity packed as Aff3:Aff2:Aff1:Aff0 (see
    ///     `packedAffinity(mpidr:)`); it must match what the vCPU reads in MPIDR_EL1, since
    ///     GICv3 routes SPIs and SGIs by affinity. Default: `defaultAffinity(vcpu:)`.
    public init(version: Version, vcpuCount: Int, interruptCount: Int = 288, affinities: [UInt32]? = nil) throws(ConfigurationError) {
        let maxCPUs = version == .v2 ? 8 : 0xFFFF
        guard vcpuCount >= 1, vcpuCount <= maxCPUs else { throw .vcpuCount(vcpuCount) }
        guard interruptCount % 32 == 0, interruptCount >= 64, interruptCount <= 992 else {
            throw .interruptCount(interruptCount)
        }
        let affinities = affinities ?? (0..<vcpuCount).map { Self.defaultAffinity(vcpu: $0) }
        guard affinities.count == vcpuCount, Set(affinities).count == vcpuCount else {
            throw .affinities(affinities.count)
        }
        self.version = version
        self.vcpuCount = vcpuCount
        self.interruptCount = interruptCount
        core = GICCore(GICState(version: version, cpuCount: vcpuCount, interruptCount: interruptCount, affinities: affinities))
        distributor = GICDistributorFrame(core: core, version: version, cpuCount: vcpuCount)
        cpuInterface = version == .v2 ? GICCPUInterfaceFrame(core: core, cpuCount: vcpuCount) : nil
        redistributors = version == .v3 ? GICRedistributorFrame(core: core, cpuCount: vcpuCount) : nil
    }

    /// The device tree `compatible` string of the programming model this controller presents.
    public var deviceTreeCompatible: String {
        version == .v2 ? "arm,cortex-a15-gic" : "arm,gic-v3"
    }

    /// The affinity this module assumes when none is given: the vCPU index split as
    /// Aff1 = index[15:8], Aff0 = index[7:0], as the CPU model's default MPIDR_EL1.
    public static func defaultAffinity(vcpu: Int) -> UInt32 {
        UInt32(vcpu & 0xFF) | UInt32((vcpu >> 8) & 0xFF) << 8
    }

    /// Packs MPIDR_EL1's Aff3 [39:32], Aff2 [23:16], Aff1 [15:8], Aff0 [7:0] into 32 bits.
    public static func packedAffinity(mpidr: UInt64) -> UInt32 {
        UInt32(truncatingIfNeeded: mpidr & 0xFF_FFFF) | UInt32(truncatingIfNeeded: (mpidr >> 32) & 0xFF) << 24
    }

    /// Called with a vCPU's new IRQ and FIQ levels each time they change. It runs with the GIC
    /// lock held, so levels arrive in the order they changed. It must not call back into this
    /// controller, nor wait for a lock that any thread holds while calling into it: set the
    /// vCPU's interrupt flag and wake it, nothing more.
    public var onOutputChange: (@Sendable (_ vcpu: Int, _ irq: Bool, _ fiq: Bool) -> Void)? {
        get { core.withState(.none) { $0.onOutputChange } }
        set { core.withState(.none) { $0.onOutputChange = newValue } }
    }

    /// The current output levels of a vCPU.
    public func outputLevels(vcpu: Int) -> (irq: Bool, fiq: Bool) {
        core.withState(.none) { s in
            s.isValid(cpu: vcpu) ? OutputPair(irq: s.cpus[vcpu].irq, fiq: s.cpus[vcpu].fiq) : OutputPair(irq: false, fiq: false)
        }.tuple
    }

    /// Recomputes a vCPU's outputs from the present state (reporting a change, though none is
    /// expected: every state change already recomputes). A vCPU about to raise a timer line
    /// calls it first, so the selection's code and data are in the caches when the deadline
    /// comes: after a WFI sleep they are cold, and the raise took microseconds longer.
    public func refreshOutputs(vcpu: Int) {
        core.withState(.cpu(vcpu)) { _ in }
    }

    /// Drives a PPI line (INTID 16-31) of one vCPU, e.g. the timers (27 virtual, 30 physical).
    /// PPIs are level-sensitive. Out-of-range INTIDs or vCPUs are ignored.
    public func setPrivateLevel(intid: Int, vcpu: Int, level: Bool) {
        guard (16..<32).contains(intid), vcpu >= 0, vcpu < vcpuCount else { return }
        core.state.withLock { s in
            if s.setLine(intid: intid, cpu: vcpu, level: level) { s.updateOutputs(cpu: vcpu) }
        }
    }

    /// Drives an SPI line (INTID 32 and up), e.g. the PL011 at INTID 33. Level-sensitive or
    /// edge-triggered after the guest's GICD_ICFGR setting (level at reset).
    public func setSharedLevel(intid: Int, level: Bool) {
        guard intid >= 32, intid < interruptCount else { return }
        core.state.withLock { s in
            if s.setLine(intid: intid, cpu: 0, level: level) { s.updateOutputs() }
        }
    }

    /// Whether `encoding` names an ICC register this controller implements (GICv3 only), for
    /// a CPU that asks before it reads or writes; the access direction is the CPU's to check.
    public func handlesSystemRegister(encoding: UInt16) -> Bool {
        version == .v3 && ICCRegister.isImplemented(encoding)
    }

    /// Reads a GICv3 CPU-interface register; `encoding` is op0:op1:CRn:CRm:op2 as MRS bits
    /// [20:5]. nil when it is not a readable ICC register (or this is a GICv2), which the CPU
    /// turns into an UNDEFINED exception.
    public func readSystemRegister(encoding: UInt16, vcpu: Int) -> UInt64? {
        guard encoding == ICCRegister.iar1 || encoding == ICCRegister.iar0 else {
            return core.withState(.none) { s in s.readICC(encoding: encoding, cpu: vcpu) }
        }
        return core.state.withLock { s in
            let value = s.readICC(encoding: encoding, cpu: vcpu)
            // An acknowledged SGI or PPI (banked) changes only this vCPU's output; an SPI made
            // active leaves every vCPU's candidates; a spurious read changes nothing.
            let intid = Int((value ?? UInt64(GICConstants.spurious)) & 0xFF_FFFF)
            if intid < 32 {
                s.updateOutputs(cpu: vcpu)
            } else if intid < s.interruptCount {
                s.updateOutputs()
            }
            return value
        }
    }

    /// Writes a GICv3 CPU-interface register; false when it is not a writable ICC register.
    public func writeSystemRegister(encoding: UInt16, value: UInt64, vcpu: Int) -> Bool {
        core.state.withLock { s in
            var scope = GICCore.Scope.cpu(vcpu)
            let handled = s.writeICC(encoding: encoding, value: value, cpu: vcpu, scope: &scope)
            if handled {
                switch scope {
                case .none: break
                case .cpu(let cpu): s.updateOutputs(cpu: cpu)
                case .all: s.updateOutputs()
                }
            }
            return handled
        }
    }
}

/// A Sendable carrier for a pair of levels out of the lock.
struct OutputPair: Sendable {
    var irq: Bool
    var fiq: Bool
    var tuple: (irq: Bool, fiq: Bool) { (irq, fiq) }
}
