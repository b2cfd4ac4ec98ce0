import Testing
@testable import GIC

@Suite("output callback and configuration")
struct OutputAndConfigurationTests {
    @Test("the callback reports each change of a vCPU's IRQ level, and only changes")
    func callbackLevels() throws {
        let gic = try makeGICv2(vcpus: 2)
        let recorder = OutputRecorder()
        recorder.attach(to: gic)
        gic.distWrite(D2.isenabler, 1 << 27, vcpu: 1)
        gic.setPrivateLevel(intid: 27, vcpu: 1, level: true)
        gic.setPrivateLevel(intid: 27, vcpu: 1, level: true) // no change
        #expect(recorder.all == [.init(vcpu: 1, irq: true, fiq: false)])
        #expect(gic.cpuRead(C2.iar, vcpu: 1) == 27)
        #expect(recorder.all.last == .init(vcpu: 1, irq: false, fiq: false))
        gic.cpuWrite(C2.eoir, 27, vcpu: 1) // line still high: pending again
        #expect(recorder.all == [
            .init(vcpu: 1, irq: true, fiq: false),
            .init(vcpu: 1, irq: false, fiq: false),
            .init(vcpu: 1, irq: true, fiq: false),
        ])
        recorder.clear()
        gic.cpuWrite(C2.pmr, 0, vcpu: 1) // masking lowers the line
        #expect(recorder.all == [.init(vcpu: 1, irq: false, fiq: false)])
    }

    @Test("switching a group 0 interrupt to FIQ reports both levels at once")
    func callbackFIQ() throws {
        let gic = try makeGICv2(vcpus: 1)
        let recorder = OutputRecorder()
        recorder.attach(to: gic)
        gic.distWrite(D2.spendsgir, 1, size: 1)
        gic.cpuWrite(C2.ctlr, 1 | 1 << 3, vcpu: 0)
        #expect(recorder.all == [.init(vcpu: 0, irq: true, fiq: false), .init(vcpu: 0, irq: false, fiq: true)])
    }

    @Test("GICv3: an SPI routed elsewhere raises only its target's output")
    func callbackRouting() throws {
        let gic = try makeGICv3(vcpus: 3)
        let recorder = OutputRecorder()
        recorder.attach(to: gic)
        gic.distWrite(0x0104, 1 << 1)
        gic.distWrite(0x6000 + 8 * 33, 2, size: 8)
        gic.setSharedLevel(intid: 33, level: true)
        #expect(recorder.all == [.init(vcpu: 2, irq: true, fiq: false)])
        gic.setSharedLevel(intid: 33, level: false)
        #expect(recorder.all.last == .init(vcpu: 2, irq: false, fiq: false))
    }

    @Test("invalid configurations are refused with a reason", arguments: [
        (InterruptController.Version.v2, 9, 288, InterruptController.ConfigurationError.vcpuCount(9)),
        (.v3, 0, 288, .vcpuCount(0)),
        (.v3, 2, 100, .interruptCount(100)),
        (.v2, 2, 32, .interruptCount(32)),
        (.v2, 2, 1024, .interruptCount(1024)),
    ])
    func configuration(version: InterruptController.Version, vcpus: Int, interrupts: Int, error: InterruptController.ConfigurationError) {
        #expect(throws: error) {
            try InterruptController(version: version, vcpuCount: vcpus, interruptCount: interrupts)
        }
    }

    @Test("affinities must be one per vCPU and distinct")
    func affinities() {
        #expect(throws: InterruptController.ConfigurationError.affinities(2)) {
            try InterruptController(version: .v3, vcpuCount: 2, affinities: [1, 1])
        }
        #expect(throws: InterruptController.ConfigurationError.affinities(1)) {
            try InterruptController(version: .v3, vcpuCount: 2, affinities: [1])
        }
    }

    @Test("device tree compatible strings name the programming model")
    func compatible() throws {
        #expect(try InterruptController(version: .v2, vcpuCount: 1).deviceTreeCompatible == "arm,cortex-a15-gic")
        #expect(try InterruptController(version: .v3, vcpuCount: 1).deviceTreeCompatible == "arm,gic-v3")
    }

    @Test("affinity packing follows MPIDR_EL1's fields")
    func packing() {
        #expect(InterruptController.packedAffinity(mpidr: 0x12_8034_5678) == 0x1234_5678)
        #expect(InterruptController.defaultAffinity(vcpu: 0x1_02) == 0x0102)
    }

    @Test("a GICv3 supports more than 8 vCPUs; the last one's redistributor is marked Last")
    func manyCPUs() throws {
        let gic = try InterruptController(version: .v3, vcpuCount: 64)
        #expect(gic.redistRead(InterruptController.rdBase(63) + 8, size: 8) == 63 << 32 | 63 << 8 | 1 << 4)
        #expect(gic.redistRead(InterruptController.rdBase(62) + 8, size: 8) & (1 << 4) == 0)
    }
}
