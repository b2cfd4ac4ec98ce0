import Foundation
import Testing
@testable import Machine

/// The generated 'virt' device tree, parsed back with our own parser. Expected values are QEMU
/// 7.2's (`-M virt,dumpdtb=…`) and the DT bindings'.
@Suite struct DeviceTreeVirtTests {
    static func parsed(_ config: BoardConfiguration) throws -> DeviceTreeNode {
        try FlattenedDeviceTree(parsing: try VirtDeviceTree.generate(config)).root
    }

    @Test func rootNode() throws {
        let root = try Self.parsed(BoardConfiguration())
        #expect(root.property("compatible")?.strings == ["linux,dummy-virt"])
        #expect(root.property("#address-cells")?.u32 == 2)
        #expect(root.property("#size-cells")?.u32 == 2)
        #expect(root.property("interrupt-parent")?.u32 == root.node(at: "/intc@8000000")?.property("phandle")?.u32)
    }

    @Test(arguments: [1, 2, 4, 17])
    func cpuNodes(count: Int) throws {
        let root = try Self.parsed(BoardConfiguration(vcpuCount: count))
        let cpus = try #require(root.node(at: "/cpus"))
        #expect(cpus.property("#address-cells")?.u32 == 1)
        #expect(cpus.property("#size-cells")?.u32 == 0)
        #expect(cpus.children.count == count)
        for (i, cpu) in cpus.children.enumerated() {
            let expectedReg: UInt32 = i < 16 ? UInt32(i) : 0x100 | UInt32(i - 16)
            #expect(cpu.property("reg")?.u32 == expectedReg)
            #expect(cpu.name == "cpu@" + String(expectedReg, radix: 16))
            #expect(cpu.property("device_type")?.string == "cpu")
            #expect(cpu.property("compatible")?.strings == ["arm,cortex-a57"])
            #expect(cpu.property("enable-method")?.string == (count > 1 ? "psci" : nil))
        }
    }

    @Test func mpidrMatchesQEMUClustering() {
        #expect(VirtCPUTopology.mpidr(forVCPU: 0) == 0x8000_0000)
        #expect(VirtCPUTopology.mpidr(forVCPU: 15) == 0x8000_000F)
        #expect(VirtCPUTopology.mpidr(forVCPU: 16) == 0x8000_0100)
        #expect(VirtCPUTopology.mpidr(forVCPU: 122) == 0x8000_070A)
        #expect(VirtCPUTopology.vcpuIndex(forAffinity: 0x0100, vcpuCount: 20) == 16)
        #expect(VirtCPUTopology.vcpuIndex(forAffinity: 0x8000_0003, vcpuCount: 4) == 3)  // bit 31 ignored
        #expect(VirtCPUTopology.vcpuIndex(forAffinity: 4, vcpuCount: 4) == nil)
        #expect(VirtCPUTopology.vcpuIndex(forAffinity: 0x10, vcpuCount: 64) == nil)        // Aff0 ≥ 16
        #expect(VirtCPUTopology.vcpuIndex(forAffinity: 0x1_0000, vcpuCount: 64) == nil)    // Aff2
    }

    @Test func memoryNode() throws {
        let root = try Self.parsed(BoardConfiguration(memorySize: 0x1_8000_0000))
        let memory = try #require(root.node(at: "/memory@40000000"))
        #expect(memory.property("device_type")?.string == "memory")
        #expect(memory.property("reg")?.cells == [0, 0x4000_0000, 1, 0x8000_0000])
    }

    @Test func chosenWithBootargsAndInitrd() throws {
        let config = BoardConfiguration(memorySize: 256 << 20, bootargs: "console=ttyAMA0 earlycon", initrd: 0x4800_0000..<0x4812_3456)
        let chosen = try #require(try Self.parsed(config).node(at: "/chosen"))
        #expect(chosen.property("bootargs")?.string == "console=ttyAMA0 earlycon")
        #expect(chosen.property("stdout-path")?.string == "/pl011@9000000")
        #expect(chosen.property("linux,initrd-start")?.u64 == 0x4800_0000)
        #expect(chosen.property("linux,initrd-end")?.u64 == 0x4812_3456)
    }

    @Test func chosenWithoutInitrdOrBootargs() throws {
        let chosen = try #require(try Self.parsed(BoardConfiguration()).node(at: "/chosen"))
        #expect(chosen.property("bootargs") == nil)
        #expect(chosen.property("linux,initrd-start") == nil)
        #expect(chosen.property("linux,initrd-end") == nil)
    }

    @Test(arguments: [
        (BoardConfiguration.GICVersion.v3, 4, UInt32(0x004)),
        (.v2, 1, 0x104),
        (.v2, 2, 0x304),
        (.v2, 8, 0xFF04),
    ])
    func timerInterrupts(gic: BoardConfiguration.GICVersion, cpus: Int, flags: UInt32) throws {
        let timer = try #require(try Self.parsed(BoardConfiguration(vcpuCount: cpus, gicVersion: gic)).node(at: "/timer"))
        #expect(timer.property("compatible")?.strings == ["arm,armv8-timer", "arm,armv7-timer"])
        #expect(timer.property("always-on") != nil)
        #expect(timer.property("clock-frequency") == nil)
        // secure phys (INTID 29), non-secure phys (30), virtual (27), hyp (26): PPI numbers 13, 14, 11, 10.
        #expect(timer.property("interrupts")?.cells == [1, 13, flags, 1, 14, flags, 1, 11, flags, 1, 10, flags])
        #expect(VirtIRQMap.intid(.ppi, VirtIRQMap.physicalTimerPPI) == VirtIRQMap.physicalTimerINTID)
        #expect(VirtIRQMap.intid(.ppi, VirtIRQMap.virtualTimerPPI) == VirtIRQMap.virtualTimerINTID)
    }

    @Test func gicV2Node() throws {
        let gic = try #require(try Self.parsed(BoardConfiguration(gicVersion: .v2)).node(at: "/intc@8000000"))
        #expect(gic.property("compatible")?.strings == ["arm,cortex-a15-gic"])
        #expect(gic.property("reg")?.cells == [0, 0x0800_0000, 0, 0x1_0000, 0, 0x0801_0000, 0, 0x1_0000])
        #expect(gic.property("#interrupt-cells")?.u32 == 3)
        #expect(gic.property("interrupt-controller") != nil)
        #expect(gic.property("#redistributor-regions") == nil)
    }

    @Test func gicV3Node() throws {
        let gic = try #require(try Self.parsed(BoardConfiguration(gicVersion: .v3)).node(at: "/intc@8000000"))
        #expect(gic.property("compatible")?.strings == ["arm,gic-v3"])
        #expect(gic.property("reg")?.cells == [0, 0x0800_0000, 0, 0x1_0000, 0, 0x080A_0000, 0, 0x00F6_0000])
        #expect(gic.property("#redistributor-regions")?.u32 == 1)
        #expect(gic.property("phandle")?.u32 == VirtDeviceTree.gicPhandle)
    }

    @Test(arguments: BoardConfiguration.PSCIMethod.allCases)
    func psciNode(method: BoardConfiguration.PSCIMethod) throws {
        let psci = try #require(try Self.parsed(BoardConfiguration(psciMethod: method)).node(at: "/psci"))
        #expect(psci.property("compatible")?.strings == ["arm,psci-1.0", "arm,psci-0.2", "arm,psci"])
        #expect(psci.property("method")?.string == method.rawValue)
        #expect(psci.property("cpu_on")?.u32 == 0xC400_0003)
        #expect(psci.property("cpu_off")?.u32 == 0x8400_0002)
        #expect(psci.property("cpu_suspend")?.u32 == 0xC400_0001)
        #expect(psci.property("migrate")?.u32 == 0xC400_0005)
    }

    @Test func uartRTCAndClock() throws {
        let root = try Self.parsed(BoardConfiguration())
        let clock = try #require(root.node(at: "/apb-pclk"))
        #expect(clock.property("compatible")?.strings == ["fixed-clock"])
        #expect(clock.property("clock-frequency")?.u32 == 24_000_000)
        let pclk = try #require(clock.property("phandle")?.u32)
        let uart = try #require(root.node(at: "/pl011@9000000"))
        #expect(uart.property("compatible")?.strings == ["arm,pl011", "arm,primecell"])
        #expect(uart.property("reg")?.cells == [0, 0x0900_0000, 0, 0x1000])
        #expect(uart.property("interrupts")?.cells == [0, 1, 4])
        #expect(uart.property("clocks")?.cells == [pclk, pclk])
        #expect(uart.property("clock-names")?.strings == ["uartclk", "apb_pclk"])
        let rtc = try #require(root.node(at: "/pl031@9010000"))
        #expect(rtc.property("compatible")?.strings == ["arm,pl031", "arm,primecell"])
        #expect(rtc.property("reg")?.cells == [0, 0x0901_0000, 0, 0x1000])
        #expect(rtc.property("interrupts")?.cells == [0, 2, 4])
        #expect(rtc.property("clocks")?.cells == [pclk])
    }

    @Test func virtioTransports() throws {
        let root = try Self.parsed(BoardConfiguration())
        let nodes = root.children.filter { $0.name.hasPrefix("virtio_mmio@") }
        #expect(nodes.count == 32)
        for (i, node) in nodes.enumerated() {
            let base = 0x0A00_0000 + UInt32(i) * 0x200
            #expect(node.name == "virtio_mmio@" + String(base, radix: 16))
            #expect(node.property("compatible")?.strings == ["virtio,mmio"])
            #expect(node.property("reg")?.cells == [0, base, 0, 0x200])
            #expect(node.property("interrupts")?.cells == [0, 16 + UInt32(i), 1])
            #expect(node.property("dma-coherent") != nil)
        }
        #expect(VirtDeviceTree.virtioPath(31) == "/virtio_mmio@a003e00")
        #expect(VirtIRQMap.virtioINTID(31) == 79)
    }

    @Test func invalidConfigurationIsRefused() {
        #expect(throws: BoardConfigurationError.tooManyVCPUs(requested: 9, maximum: 8, gicVersion: .v2)) {
            try VirtDeviceTree.tree(BoardConfiguration(vcpuCount: 9, gicVersion: .v2))
        }
    }

    // dtc (Debian device-tree-compiler) is an independent reader of the format. The test runs
    // where dtc is installed; elsewhere the parser tests above carry the format checks.
    static let dtc: String? = ["/usr/bin/dtc", "/usr/local/bin/dtc"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }

    @Test(.enabled(if: dtc != nil, "dtc (device-tree-compiler) is not installed"),
          arguments: BoardConfiguration.GICVersion.allCases)
    func dtcAcceptsTheBlob(gic: BoardConfiguration.GICVersion) throws {
        let config = BoardConfiguration(vcpuCount: 2, memorySize: 256 << 20, gicVersion: gic, bootargs: "console=ttyAMA0",
                                        initrd: 0x4800_0000..<0x4800_1000)
        let blob = try VirtDeviceTree.generate(config)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("armvm-virt-\(gic).dtb")
        try Data(blob).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(Self.dtc))
        process.arguments = ["-I", "dtb", "-O", "dts", file.path]
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let dts = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let warnings = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(warnings == "")
        #expect(dts.contains("stdout-path = \"/pl011@9000000\";"))
        #expect(dts.contains("bootargs = \"console=ttyAMA0\";"))
    }
}
