/// The memory-mapped frames of the interrupt controller. Each has the `read`/`write` shape of
/// the Machine's MMIO device protocol so the Machine can conform it without this module knowing
/// the protocol. `offset` is relative to the frame base; `vcpu` is the accessing vCPU, which
/// selects banked registers (an index the controller does not have reads as zero). Bad offsets and sizes are RAZ/WI (QEMU logs these as guest
/// errors), so no access ever aborts.

/// The distributor: GICv2 (4 KB) or GICv3 (64 KB) layout, after the controller's version.
public final class GICDistributorFrame: Sendable {
    let core: GICCore
    let version: InterruptController.Version
    let cpuCount: Int

    init(core: GICCore, version: InterruptController.Version, cpuCount: Int) {
        self.core = core
        self.version = version
        self.cpuCount = cpuCount
    }

    /// The frame's size in bytes.
    public var size: UInt64 { version == .v2 ? 0x1000 : 0x1_0000 }

    /// Never nil: no access to this frame is an external abort.
    public func read(offset: UInt64, size: Int, vcpu: Int) -> UInt64? {
        guard offset < self.size, vcpu >= 0, vcpu < cpuCount else { return 0 }
        return core.withState(.none) { s in
            switch version {
            case .v2: s.readGICv2Distributor(offset: Int(offset), size: size, cpu: vcpu)
            case .v3: s.readGICv3Distributor(offset: Int(offset), size: size, cpu: vcpu)
            }
        }
    }

    /// Always true: no access to this frame is an external abort.
    public func write(offset: UInt64, size: Int, value: UInt64, vcpu: Int) -> Bool {
        guard offset < self.size, vcpu >= 0, vcpu < cpuCount else { return true }
        core.withState(.all) { s in
            switch version {
            case .v2: s.writeGICv2Distributor(offset: Int(offset), size: size, value: value, cpu: vcpu)
            case .v3: s.writeGICv3Distributor(offset: Int(offset), size: size, value: value, cpu: vcpu)
            }
        }
        return true
    }
}

/// The GICv2 CPU interface (8 KB), banked by the accessing vCPU.
public final class GICCPUInterfaceFrame: Sendable {
    let core: GICCore
    let cpuCount: Int

    init(core: GICCore, cpuCount: Int) {
        self.core = core
        self.cpuCount = cpuCount
    }

    /// The frame's size in bytes.
    public var size: UInt64 { 0x2000 }

    /// Never nil: no access to this frame is an external abort.
    public func read(offset: UInt64, size: Int, vcpu: Int) -> UInt64? {
        guard offset < self.size, vcpu >= 0, vcpu < cpuCount else { return 0 }
        // IAR and AIAR acknowledge: that can take an SPI away from other vCPUs.
        let acknowledges = offset == 0x0C || offset == 0x20
        return core.withState(acknowledges ? .all : .none) { s in
            s.readGICv2CPUInterface(offset: Int(offset), size: size, cpu: vcpu)
        }
    }

    /// Always true: no access to this frame is an external abort.
    public func write(offset: UInt64, size: Int, value: UInt64, vcpu: Int) -> Bool {
        guard offset < self.size, vcpu >= 0, vcpu < cpuCount else { return true }
        // EOIR, AEOIR and DIR deactivate, which can hand an SPI to another vCPU.
        let deactivates = offset == 0x10 || offset == 0x24 || offset == 0x1000
        core.withState(deactivates ? .all : .cpu(vcpu)) { s in
            s.writeGICv2CPUInterface(offset: Int(offset), size: size, value: value, cpu: vcpu)
        }
        return true
    }
}

/// The GICv3 redistributor region: for each vCPU in order, RD_base (64 KB) then SGI_base
/// (64 KB). Any vCPU may access any redistributor.
public final class GICRedistributorFrame: Sendable {
    let core: GICCore
    let cpuCount: Int

    init(core: GICCore, cpuCount: Int) {
        self.core = core
        self.cpuCount = cpuCount
    }

    /// The region's size in bytes: 128 KB per vCPU.
    public var size: UInt64 { UInt64(cpuCount) * 0x2_0000 }

    /// Never nil: no access to this frame is an external abort.
    public func read(offset: UInt64, size: Int, vcpu: Int) -> UInt64? {
        guard offset < self.size else { return 0 }
        return core.withState(.none) { s in
            s.readGICv3Redistributor(offset: Int(offset), size: size)
        }
    }

    /// Always true: no access to this frame is an external abort.
    public func write(offset: UInt64, size: Int, value: UInt64, vcpu: Int) -> Bool {
        guard offset < self.size else { return true }
        let owner = Int(offset / 0x2_0000)
        core.withState(.cpu(owner)) { s in
            s.writeGICv3Redistributor(offset: Int(offset), size: size, value: value)
        }
        return true
    }
}
