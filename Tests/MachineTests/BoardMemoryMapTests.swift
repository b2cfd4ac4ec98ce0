import Testing
import AArch64
@testable import Machine

/// The memory map against QEMU's virt (hw/arm/virt.c base_memmap) and the configuration checks.
@Suite struct BoardMemoryMapTests {
    @Test func addressesMatchQEMUVirt() {
        #expect(VirtMemoryMap.ramBase == 0x4000_0000)
        #expect(VirtMemoryMap.gicDistributor == .init(base: 0x0800_0000, size: 0x1_0000))
        #expect(VirtMemoryMap.gicCPUInterface == .init(base: 0x0801_0000, size: 0x1_0000))
        #expect(VirtMemoryMap.gicRedistributors == .init(base: 0x080A_0000, size: 0x00F6_0000))
        #expect(VirtMemoryMap.uart == .init(base: 0x0900_0000, size: 0x1000))
        #expect(VirtMemoryMap.rtc == .init(base: 0x0901_0000, size: 0x1000))
        #expect(VirtMemoryMap.virtio(0) == .init(base: 0x0A00_0000, size: 0x200))
        #expect(VirtMemoryMap.virtio(31) == .init(base: 0x0A00_3E00, size: 0x200))
        #expect(VirtMemoryMap.virtio(32) == nil)
        #expect(VirtMemoryMap.virtio(-1) == nil)
    }

    @Test func redistributorFramesPerVCPU() {
        #expect(VirtMemoryMap.maxVCPUsGICv3 == 123)
        #expect(VirtMemoryMap.gicRedistributor(forVCPU: 1) == .init(base: 0x080C_0000, size: 0x2_0000))
        #expect(VirtMemoryMap.gicRedistributor(forVCPU: 122)?.end == 0x0900_0000)
        #expect(VirtMemoryMap.gicRedistributor(forVCPU: 123) == nil)
    }

    @Test(arguments: BoardConfiguration.GICVersion.allCases)
    func mmioRegionsDoNotOverlap(gic: BoardConfiguration.GICVersion) {
        let count = gic == .v2 ? 8 : 123
        let regions = VirtMemoryMap.mmioRegions(gicVersion: gic, vcpuCount: count).map(\.region)
        #expect(regions.count == 2 + 2 + 32)
        for (i, a) in regions.enumerated() {
            for b in regions[(i + 1)...] { #expect(!a.overlaps(b), "\(a) overlaps \(b)") }
            #expect(a.end <= VirtMemoryMap.ramBase)
        }
    }

    @Test func irqMap() {
        #expect(VirtIRQMap.intid(.spi, VirtIRQMap.uartSPI) == 33)
        #expect(VirtIRQMap.intid(.spi, VirtIRQMap.rtcSPI) == 34)
        #expect(VirtIRQMap.virtioINTID(0) == 48)
        #expect(VirtIRQMap.intid(.ppi, VirtIRQMap.securePhysicalTimerPPI) == 29)
        #expect(VirtIRQMap.intid(.ppi, VirtIRQMap.hypervisorTimerPPI) == 26)
        #expect(VirtIRQMap.uartINTID == 33 && VirtIRQMap.rtcINTID == 34)
    }

    @Test func validConfigurations() throws {
        try BoardConfiguration().validate()
        try BoardConfiguration(vcpuCount: 8, gicVersion: .v2).validate()
        try BoardConfiguration(vcpuCount: 123, gicVersion: .v3).validate()
    }

    @Test(arguments: [
        (BoardConfiguration(vcpuCount: 0), BoardConfigurationError.noVCPU),
        (BoardConfiguration(vcpuCount: 124), .tooManyVCPUs(requested: 124, maximum: 123, gicVersion: .v3)),
        (BoardConfiguration(memorySize: 1 << 20), .memoryTooSmall(size: 1 << 20, minimum: 4 << 20)),
        (BoardConfiguration(memorySize: (16 << 20) + 4096), .memoryNotAligned(size: (16 << 20) + 4096, granule: 64 << 10)),
        (BoardConfiguration(memorySize: 256 << 30), .memoryTooLarge(size: 256 << 30, maximum: 255 << 30)),
        (BoardConfiguration(memorySize: 16 << 20, initrd: 0x4000_0000..<0x4100_0001),
         .initrdOutsideRAM(start: 0x4000_0000, end: 0x4100_0001)),
    ])
    func invalidConfigurations(config: BoardConfiguration, error: BoardConfigurationError) {
        #expect(throws: error) { try config.validate() }
    }
}

/// Every device the board maps is reached through C entry points (`DirectMMIODevice`), so an
/// MMIO access retains nothing; a device added without them would quietly take the slower
/// existential call.
@Test(arguments: [VMConfiguration.GICVersion.v2, .v3])
func everyBoardDeviceIsCalledDirectly(gic: VMConfiguration.GICVersion) throws {
    var configuration = VMConfiguration(kernel: DemoGuest.image(gic: gic))
    configuration.gicVersion = gic
    configuration.vcpuCount = 2
    let vm = try VirtualMachine(configuration: configuration)
    // The GIC's frames, the PL011, the PL031 and 32 virtio-mmio transports.
    #expect(vm.bus.regions.count >= 2 + 2 + 32)
    for region in vm.bus.regions {
        #expect(region.device is any DirectMMIODevice, "\(region.name)")
    }
}
