import AArch64
import GIC

// The GIC frames are written with exactly the method shapes of `AArch64.MMIODevice`.
extension GICDistributorFrame: MMIODevice {}
extension GICCPUInterfaceFrame: MMIODevice {}
extension GICRedistributorFrame: MMIODevice {}

/// The board's GIC: maps its frames at the 'virt' addresses, gives each GICv3 vCPU its ICC_*
/// system registers, and turns its per-vCPU outputs into the CPUs' IRQ/FIQ wires.
final class BoardInterruptController: Sendable {
    let gic: InterruptController

    init(version: VMConfiguration.GICVersion, vcpuCount: Int) throws(VMError) {
        let affinities = (0..<vcpuCount).map {
            InterruptController.packedAffinity(mpidr: VirtCPUTopology.mpidr(forVCPU: $0))
        }
        do {
            gic = try InterruptController(version: version == .v2 ? .v2 : .v3, vcpuCount: vcpuCount,
                                          affinities: affinities)
        } catch {
            throw .tooManyVCPUs(vcpuCount, gic: version, maximum: VMConfiguration.maximumVCPUs(for: version))
        }
    }

    func map(on bus: PhysicalBus) {
        bus.map(base: VirtMemoryMap.gicDistributor.base, size: gic.distributor.size, device: gic.distributor,
                name: "gic-distributor")
        if let cpuInterface = gic.cpuInterface {
            bus.map(base: VirtMemoryMap.gicCPUInterface.base, size: cpuInterface.size, device: cpuInterface,
                    name: "gic-cpu-interface")
        }
        if let redistributors = gic.redistributors {
            bus.map(base: VirtMemoryMap.gicRedistributors.base, size: redistributors.size, device: redistributors,
                    name: "gic-redistributors")
        }
    }

    /// Wires the GIC's outputs to the vCPUs and, for GICv3, their ICC_* registers to the GIC.
    func connect(_ vcpus: [VCPU]) {
        let signals = vcpus.map { ($0.cpu.signals, $0.parker) }
        gic.onOutputChange = { vcpu, irq, fiq in
            guard signals.indices.contains(vcpu) else { return }
            let (wires, parker) = signals[vcpu]
            wires.setIRQ(irq)
            wires.setFIQ(fiq)
            if irq || fiq { parker.unpark() }
        }
        guard gic.version == .v3 else { return }
        for vcpu in vcpus {
            let device = CPUInterfaceRegisters(gic: gic, vcpu: vcpu.index)
            vcpu.cpuInterfaceRegisters = device
            vcpu.cpu.interruptControllerInterface = device
            vcpu.cpu.advertisesGICv3SystemRegisters = true
        }
    }

    func refreshOutputs(vcpu: Int) { gic.refreshOutputs(vcpu: vcpu) }

    func setPrivateLevel(intid: Int, vcpu: Int, level: Bool) {
        gic.setPrivateLevel(intid: intid, vcpu: vcpu, level: level)
    }

    func setSharedLevel(intid: Int, level: Bool) {
        gic.setSharedLevel(intid: intid, level: level)
    }
}

/// One vCPU's GICv3 CPU interface as the CPU reaches it: ICC_* accesses go straight to the GIC
/// without leaving the run loop.
final class CPUInterfaceRegisters: SystemRegisterDevice {
    let gic: InterruptController
    let vcpu: Int

    init(gic: InterruptController, vcpu: Int) {
        self.gic = gic
        self.vcpu = vcpu
    }

    func handles(_ register: SystemRegister) -> Bool { gic.handlesSystemRegister(encoding: register.encoding) }
    func read(_ register: SystemRegister) -> UInt64 { gic.readSystemRegister(encoding: register.encoding, vcpu: vcpu) ?? 0 }
    func write(_ register: SystemRegister, value: UInt64) {
        _ = gic.writeSystemRegister(encoding: register.encoding, value: value, vcpu: vcpu)
    }
}
