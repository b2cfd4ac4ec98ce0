import Testing
@testable import GIC

@Suite("untrusted guest and caller input")
struct RobustnessTests {
    @Test("bad vCPU indices from the caller read zero and change nothing")
    func badVCPUIndices() throws {
        let gic = try makeGICv2(vcpus: 2)
        for vcpu in [-1, 2, 8, 1 << 40] {
            #expect(gic.distributor.read(offset: D2.itargetsr, size: 4, vcpu: vcpu) == 0)
            #expect(gic.distributor.write(offset: D2.sgir, size: 4, value: 2 << 24, vcpu: vcpu))
            #expect(gic.cpuInterface?.read(offset: C2.iar, size: 4, vcpu: vcpu) == 0)
            #expect(gic.cpuInterface?.write(offset: C2.ctlr, size: 4, value: 0, vcpu: vcpu) == true)
            gic.setPrivateLevel(intid: 27, vcpu: vcpu, level: true)
            #expect(gic.outputLevels(vcpu: vcpu) == (irq: false, fiq: false))
        }
        #expect(!gic.irq(0) && !gic.irq(1))
        let v3 = try makeGICv3(vcpus: 2)
        #expect(v3.readSystemRegister(encoding: ICCRegister.iar1, vcpu: -1) == nil)
        #expect(!v3.writeSystemRegister(encoding: ICCRegister.sgi1r, value: 1 << 40, vcpu: 5))
    }

    /// A deterministic xorshift generator, so a failure reproduces.
    struct XorShift {
        var state: UInt64
        mutating func next() -> UInt64 {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return state
        }
    }

    @Test("random accesses to every frame and ICC register never trap; identification stays fixed",
          arguments: [InterruptController.Version.v2, .v3])
    func randomAccesses(version: InterruptController.Version) throws {
        let gic = try InterruptController(version: version, vcpuCount: 3, interruptCount: 96)
        let typer = gic.distRead(D2.typer)
        var random = XorShift(state: 0x9E37_79B9_7F4A_7C15)
        let sizes = [1, 2, 4, 8, 3]
        for _ in 0..<4000 {
            let r = random.next()
            let vcpu = Int(r % 3)
            let size = sizes[Int((r >> 8) % 5)]
            let value = random.next()
            let which = (r >> 16) % 4
            switch which {
            case 0:
                let offset = (r >> 20) % (gic.distributor.size + 16)
                _ = gic.distributor.read(offset: offset, size: size, vcpu: vcpu)
                _ = gic.distributor.write(offset: offset, size: size, value: value, vcpu: vcpu)
            case 1:
                if let cpu = gic.cpuInterface {
                    let offset = (r >> 20) % (cpu.size + 16)
                    _ = cpu.read(offset: offset, size: size, vcpu: vcpu)
                    _ = cpu.write(offset: offset, size: size, value: value, vcpu: vcpu)
                }
                if let rd = gic.redistributors {
                    let offset = (r >> 20) % (rd.size + 16)
                    _ = rd.read(offset: offset, size: size, vcpu: vcpu)
                    _ = rd.write(offset: offset, size: size, value: value, vcpu: vcpu)
                }
            case 2:
                let encoding = UInt16(0xC000 | ((r >> 20) & 0x3FFF))
                _ = gic.readSystemRegister(encoding: encoding, vcpu: vcpu)
                _ = gic.writeSystemRegister(encoding: encoding, value: value, vcpu: vcpu)
            default:
                let intid = Int((r >> 20) % 100)
                gic.setPrivateLevel(intid: intid, vcpu: vcpu, level: value & 1 != 0)
                gic.setSharedLevel(intid: intid, level: value & 2 != 0)
            }
        }
        #expect(gic.distRead(D2.typer) == typer)
    }
}
