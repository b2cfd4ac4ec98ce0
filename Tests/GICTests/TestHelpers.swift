import Synchronization
import Testing
@testable import GIC

/// Records every output change the controller reports.
final class OutputRecorder: Sendable {
    struct Event: Equatable, Sendable {
        var vcpu: Int
        var irq: Bool
        var fiq: Bool
    }

    let events = Mutex<[Event]>([])

    func attach(to gic: InterruptController) {
        gic.onOutputChange = { [self] vcpu, irq, fiq in
            events.withLock { $0.append(Event(vcpu: vcpu, irq: irq, fiq: fiq)) }
        }
    }

    var all: [Event] { events.withLock { $0 } }

    func clear() { events.withLock { $0.removeAll() } }
}

// Short register accessors so each test reads like the guest code it models.
extension InterruptController {
    func distRead(_ offset: UInt64, vcpu: Int = 0, size: Int = 4) -> UInt64 {
        distributor.read(offset: offset, size: size, vcpu: vcpu) ?? 0xDEAD_BEEF
    }

    func distWrite(_ offset: UInt64, _ value: UInt64, vcpu: Int = 0, size: Int = 4) {
        #expect(distributor.write(offset: offset, size: size, value: value, vcpu: vcpu))
    }

    func cpuRead(_ offset: UInt64, vcpu: Int, size: Int = 4) -> UInt64 {
        cpuInterface?.read(offset: offset, size: size, vcpu: vcpu) ?? 0xDEAD_BEEF
    }

    func cpuWrite(_ offset: UInt64, _ value: UInt64, vcpu: Int, size: Int = 4) {
        #expect(cpuInterface?.write(offset: offset, size: size, value: value, vcpu: vcpu) == true)
    }

    func redistRead(_ offset: UInt64, size: Int = 4) -> UInt64 {
        redistributors?.read(offset: offset, size: size, vcpu: 0) ?? 0xDEAD_BEEF
    }

    func redistWrite(_ offset: UInt64, _ value: UInt64, size: Int = 4) {
        #expect(redistributors?.write(offset: offset, size: size, value: value, vcpu: 0) == true)
    }

    /// Offset of a redistributor's SGI_base frame within the region.
    static func sgiBase(_ vcpu: Int) -> UInt64 { UInt64(vcpu) * 0x2_0000 + 0x1_0000 }
    static func rdBase(_ vcpu: Int) -> UInt64 { UInt64(vcpu) * 0x2_0000 }

    func sysRead(_ encoding: UInt16, vcpu: Int) -> UInt64? {
        readSystemRegister(encoding: encoding, vcpu: vcpu)
    }

    func sysWrite(_ encoding: UInt16, _ value: UInt64, vcpu: Int) {
        #expect(writeSystemRegister(encoding: encoding, value: value, vcpu: vcpu))
    }

    func irq(_ vcpu: Int) -> Bool { outputLevels(vcpu: vcpu).irq }
    func fiq(_ vcpu: Int) -> Bool { outputLevels(vcpu: vcpu).fiq }
}

/// GICv2 register offsets used by the tests.
enum D2 {
    static let ctlr: UInt64 = 0x000, typer: UInt64 = 0x004, iidr: UInt64 = 0x008
    static let igroupr: UInt64 = 0x080, isenabler: UInt64 = 0x100, icenabler: UInt64 = 0x180
    static let ispendr: UInt64 = 0x200, icpendr: UInt64 = 0x280
    static let isactiver: UInt64 = 0x300, icactiver: UInt64 = 0x380
    static let ipriorityr: UInt64 = 0x400, itargetsr: UInt64 = 0x800, icfgr: UInt64 = 0xC00
    static let sgir: UInt64 = 0xF00, cpendsgir: UInt64 = 0xF10, spendsgir: UInt64 = 0xF20
    static let icpidr2: UInt64 = 0xFE8
}

enum C2 {
    static let ctlr: UInt64 = 0x00, pmr: UInt64 = 0x04, bpr: UInt64 = 0x08, iar: UInt64 = 0x0C
    static let eoir: UInt64 = 0x10, rpr: UInt64 = 0x14, hppir: UInt64 = 0x18, abpr: UInt64 = 0x1C
    static let aiar: UInt64 = 0x20, aeoir: UInt64 = 0x24, ahppir: UInt64 = 0x28
    static let apr0: UInt64 = 0xD0, nsapr0: UInt64 = 0xE0, iidr: UInt64 = 0xFC, dir: UInt64 = 0x1000
}

/// Builds a GICv2 set up the way kvm-unit-tests' gicv2_enable_defaults() does on every vCPU:
/// all priorities 0xA0, SGIs enabled, distributor on, PMR 0xF0, CPU interface on.
func makeGICv2(vcpus: Int = 4, interrupts: Int = 288) throws -> InterruptController {
    let gic = try InterruptController(version: .v2, vcpuCount: vcpus, interruptCount: interrupts)
    for vcpu in 0..<vcpus {
        for offset in stride(from: 0, to: UInt64(interrupts), by: 4) {
            gic.distWrite(D2.ipriorityr + offset, 0xA0A0_A0A0, vcpu: vcpu)
        }
        gic.distWrite(D2.isenabler, 0xFFFF, vcpu: vcpu)
        gic.cpuWrite(C2.pmr, 0xF0, vcpu: vcpu)
        gic.cpuWrite(C2.ctlr, 1, vcpu: vcpu)
    }
    gic.distWrite(D2.ctlr, 1)
    return gic
}

/// Builds a GICv3 set up as kvm-unit-tests' gicv3_enable_defaults() does on every vCPU.
func makeGICv3(vcpus: Int = 4, interrupts: Int = 288, affinities: [UInt32]? = nil) throws -> InterruptController {
    let gic = try InterruptController(version: .v3, vcpuCount: vcpus, interruptCount: interrupts, affinities: affinities)
    gic.distWrite(0x0000, 0)
    gic.distWrite(0x0000, 0x13) // ARE_NS | EnableGrp1A | EnableGrp1
    for offset in stride(from: 0, to: UInt64(interrupts), by: 4) {
        gic.distWrite(0x0080 + offset, 0xFFFF_FFFF)
        gic.distWrite(0x0400 + offset, 0xA0A0_A0A0)
    }
    for vcpu in 0..<vcpus {
        let sgi = InterruptController.sgiBase(vcpu)
        gic.redistWrite(sgi + 0x0080, 0xFFFF_FFFF)
        for offset in stride(from: UInt64(0), to: 32, by: 4) {
            gic.redistWrite(sgi + 0x0400 + offset, 0xA0A0_A0A0)
        }
        gic.redistWrite(sgi + 0x0100, 0xFFFF)
        gic.sysWrite(ICCRegister.pmr, 0xF0, vcpu: vcpu)
        gic.sysWrite(ICCRegister.igrpen1, 1, vcpu: vcpu)
    }
    return gic
}
