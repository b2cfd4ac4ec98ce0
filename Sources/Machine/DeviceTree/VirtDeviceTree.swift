/// The device tree of the 'virt' board, node for node what QEMU's `virt` machine gives a guest
/// (checked against `qemu-system-aarch64 -M virt,dumpdtb=…` 7.2), minus the devices ArmVM does not
/// model (flash, fw-cfg, PCIe, PL061, PMU, platform bus). Addresses and interrupts come from
/// `VirtMemoryMap` and `VirtIRQMap` only.
public enum VirtDeviceTree {
    /// phandles of the nodes other nodes point at.
    public static let gicPhandle: UInt32 = 0x8001
    public static let clockPhandle: UInt32 = 0x8000

    /// Node names, for the VMM and the tests.
    public static let uartPath = "/pl011@\(hexNoPrefix(VirtMemoryMap.uart.base))"
    public static let rtcPath = "/pl031@\(hexNoPrefix(VirtMemoryMap.rtc.base))"
    public static var memoryPath: String { "/memory@\(hexNoPrefix(VirtMemoryMap.ramBase))" }
    public static let gicPath = "/intc@\(hexNoPrefix(VirtMemoryMap.gicDistributor.base))"
    public static func virtioPath(_ index: Int) -> String {
        "/virtio_mmio@\(hexNoPrefix(VirtMemoryMap.virtioBase + UInt64(max(0, index)) * VirtMemoryMap.virtioStride))"
    }
    public static func cpuPath(_ index: Int) -> String {
        "/cpus/cpu@\(hexNoPrefix(VirtCPUTopology.affinity(forVCPU: index)))"
    }

    /// The blob handed to the guest in x0.
    public static func generate(_ config: BoardConfiguration) throws -> [UInt8] {
        try FlattenedDeviceTree(root: tree(config), bootCPUID: 0).serialize()
    }

    /// The tree before serialisation, for tests and for callers that add nodes.
    public static func tree(_ config: BoardConfiguration) throws(BoardConfigurationError) -> DeviceTreeNode {
        try config.validate()
        var root = DeviceTreeNode("", properties: [
            .u32("interrupt-parent", gicPhandle),
            .string("model", "linux,dummy-virt"),
            .u32("#size-cells", 2),
            .u32("#address-cells", 2),
            .strings("compatible", ["linux,dummy-virt"]),
        ])
        root.children = [
            psci(config),
            memory(config),
            cpus(config),
            timer(config),
            clock(config),
            gic(config),
            uart(),
            rtc(),
        ]
        for i in 0..<VirtMemoryMap.virtioCount {
            if let region = VirtMemoryMap.virtio(i) { root.children.append(virtio(i, region)) }
        }
        root.children.append(chosen(config))
        return root
    }

    // MARK: Nodes

    static func psci(_ config: BoardConfiguration) -> DeviceTreeNode {
        // PSCI 0.2+ function ids (SMC64 where there is a 64-bit form); the 0.1 properties are
        // for guests that only know the original binding.
        DeviceTreeNode("psci", properties: [
            .strings("compatible", ["arm,psci-1.0", "arm,psci-0.2", "arm,psci"]),
            .string("method", config.psciMethod.rawValue),
            .u32("cpu_suspend", 0xC400_0001),
            .u32("cpu_off", 0x8400_0002),
            .u32("cpu_on", 0xC400_0003),
            .u32("migrate", 0xC400_0005),
        ])
    }

    static func memory(_ config: BoardConfiguration) -> DeviceTreeNode {
        DeviceTreeNode(String(memoryPath.dropFirst()), properties: [
            .string("device_type", "memory"),
            .cells("reg", regCells(VirtMemoryMap.ramBase, config.memorySize)),
        ])
    }

    static func cpus(_ config: BoardConfiguration) -> DeviceTreeNode {
        var node = DeviceTreeNode("cpus", properties: [
            .u32("#address-cells", 1),
            .u32("#size-cells", 0),
        ])
        for i in 0..<config.vcpuCount {
            let affinity = VirtCPUTopology.affinity(forVCPU: i)
            var cpu = DeviceTreeNode("cpu@\(hexNoPrefix(affinity))", properties: [
                .string("device_type", "cpu"),
                .strings("compatible", ["arm,cortex-a57"]),
                .u32("reg", UInt32(truncatingIfNeeded: affinity)),
            ])
            // Like QEMU: a uniprocessor guest has no secondary to bring up, so no enable-method.
            if config.vcpuCount > 1 { cpu.set(.string("enable-method", "psci")) }
            node.children.append(cpu)
        }
        return node
    }

    /// The third interrupt cell of the timer PPIs. QEMU (fdt_add_timer_nodes) uses level-high and,
    /// for GICv2 only, the mask of CPUs the PPI is wired to in bits 15:8.
    public static func timerInterruptFlags(_ config: BoardConfiguration) -> UInt32 {
        var flags = VirtIRQMap.levelHigh
        if config.gicVersion == .v2 {
            let cpus = min(max(config.vcpuCount, 0), 8)
            flags |= (UInt32((1 << cpus) - 1) & 0xFF) << 8
        }
        return flags
    }

    static func timer(_ config: BoardConfiguration) -> DeviceTreeNode {
        let flags = timerInterruptFlags(config)
        let ppi = VirtIRQMap.Kind.ppi.rawValue
        // Order fixed by the arm,armv8-timer binding: secure, non-secure, virtual, hypervisor.
        let interrupts: [UInt32] = [
            ppi, VirtIRQMap.securePhysicalTimerPPI, flags,
            ppi, VirtIRQMap.physicalTimerPPI, flags,
            ppi, VirtIRQMap.virtualTimerPPI, flags,
            ppi, VirtIRQMap.hypervisorTimerPPI, flags,
        ]
        // No clock-frequency: CNTFRQ_EL0 is set for the guest, and the binding discourages it.
        return DeviceTreeNode("timer", properties: [
            .strings("compatible", ["arm,armv8-timer", "arm,armv7-timer"]),
            .empty("always-on"),
            .cells("interrupts", interrupts),
        ])
    }

    static func clock(_ config: BoardConfiguration) -> DeviceTreeNode {
        DeviceTreeNode("apb-pclk", properties: [
            .strings("compatible", ["fixed-clock"]),
            .u32("#clock-cells", 0),
            .u32("clock-frequency", config.uartClockHz),
            .string("clock-output-names", "clk24mhz"),
            .u32("phandle", clockPhandle),
        ])
    }

    static func gic(_ config: BoardConfiguration) -> DeviceTreeNode {
        var node = DeviceTreeNode(String(gicPath.dropFirst()), properties: [
            .u32("#interrupt-cells", 3),
            .empty("interrupt-controller"),
            // As QEMU: an interrupt provider states #address-cells (dtc checks it; interrupt-map
            // users need it), and an empty `ranges` makes the cells meaningful.
            .u32("#address-cells", 2),
            .u32("#size-cells", 2),
            .empty("ranges"),
        ])
        let dist = VirtMemoryMap.gicDistributor
        switch config.gicVersion {
        case .v2:
            let cpu = VirtMemoryMap.gicCPUInterface
            node.set(.strings("compatible", ["arm,cortex-a15-gic"]))
            node.set(.cells("reg", regCells(dist.base, dist.size) + regCells(cpu.base, cpu.size)))
        case .v3:
            // QEMU describes the whole redistributor window, whatever the vCPU count; the
            // guest finds the last frame by GICR_TYPER.Last.
            let redist = VirtMemoryMap.gicRedistributors
            node.set(.strings("compatible", ["arm,gic-v3"]))
            node.set(.u32("#redistributor-regions", 1))
            node.set(.cells("reg", regCells(dist.base, dist.size) + regCells(redist.base, redist.size)))
        }
        node.set(.u32("phandle", gicPhandle))
        return node
    }

    static func uart() -> DeviceTreeNode {
        let r = VirtMemoryMap.uart
        return DeviceTreeNode(String(uartPath.dropFirst()), properties: [
            .strings("compatible", ["arm,pl011", "arm,primecell"]),
            .cells("reg", regCells(r.base, r.size)),
            .cells("interrupts", [VirtIRQMap.Kind.spi.rawValue, VirtIRQMap.uartSPI, VirtIRQMap.levelHigh]),
            .cells("clocks", [clockPhandle, clockPhandle]),
            .strings("clock-names", ["uartclk", "apb_pclk"]),
        ])
    }

    static func rtc() -> DeviceTreeNode {
        let r = VirtMemoryMap.rtc
        return DeviceTreeNode(String(rtcPath.dropFirst()), properties: [
            .strings("compatible", ["arm,pl031", "arm,primecell"]),
            .cells("reg", regCells(r.base, r.size)),
            .cells("interrupts", [VirtIRQMap.Kind.spi.rawValue, VirtIRQMap.rtcSPI, VirtIRQMap.levelHigh]),
            .cells("clocks", [clockPhandle]),
            .strings("clock-names", ["apb_pclk"]),
        ])
    }

    static func virtio(_ index: Int, _ r: VirtMemoryMap.Region) -> DeviceTreeNode {
        DeviceTreeNode("virtio_mmio@\(hexNoPrefix(r.base))", properties: [
            .strings("compatible", ["virtio,mmio"]),
            .cells("reg", regCells(r.base, r.size)),
            .cells("interrupts", [VirtIRQMap.Kind.spi.rawValue, VirtIRQMap.virtioSPI(index), VirtIRQMap.edgeRising]),
            .empty("dma-coherent"),
        ])
    }

    static func chosen(_ config: BoardConfiguration) -> DeviceTreeNode {
        var node = DeviceTreeNode("chosen", properties: [.string("stdout-path", uartPath)])
        if !config.bootargs.isEmpty { node.set(.string("bootargs", config.bootargs)) }
        if let initrd = config.initrd { setInitrd(initrd, in: &node) }
        return node
    }

    /// Writes the initrd range into a `/chosen` node, as a boot loader does for a given DTB too.
    public static func setInitrd(_ range: Range<UInt64>, in chosen: inout DeviceTreeNode) {
        chosen.set(.u64("linux,initrd-start", range.lowerBound))
        chosen.set(.u64("linux,initrd-end", range.upperBound))
    }

    // MARK: Helpers

    /// `reg` cells for #address-cells = #size-cells = 2.
    static func regCells(_ base: UInt64, _ size: UInt64) -> [UInt32] {
        [UInt32(truncatingIfNeeded: base >> 32), UInt32(truncatingIfNeeded: base),
         UInt32(truncatingIfNeeded: size >> 32), UInt32(truncatingIfNeeded: size)]
    }

    static func hexNoPrefix(_ v: UInt64) -> String { String(v, radix: 16) }
}
