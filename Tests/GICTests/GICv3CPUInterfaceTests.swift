import Testing
@testable import GIC

@Suite("GICv3 CPU interface (ICC system registers) and routing")
struct GICv3CPUInterfaceTests {
    @Test("register encodings match the MRS op0:op1:CRn:CRm:op2 packing")
    func encodings() {
        #expect(ICCRegister.pmr == 0xC230)      // S3_0_C4_C6_0
        #expect(ICCRegister.iar1 == 0xC660)     // S3_0_C12_C12_0
        #expect(ICCRegister.eoir1 == 0xC661)
        #expect(ICCRegister.sgi1r == 0xC65D)    // S3_0_C12_C11_5
        #expect(ICCRegister.sre == 0xC665)
        #expect(ICCRegister.igrpen1 == 0xC667)
        #expect(ICCRegister.ap1r0 == 0xC648)    // S3_0_C12_C9_0
    }

    @Test("every implemented register is readable or writable, and each direction the other way is refused")
    func implementedSet() throws {
        let gic = try InterruptController(version: .v3, vcpuCount: 1)
        let writeOnly: Set<UInt16> = [ICCRegister.eoir0, ICCRegister.eoir1, ICCRegister.dir,
                                      ICCRegister.sgi0r, ICCRegister.sgi1r, ICCRegister.asgi1r]
        let readOnly: Set<UInt16> = [ICCRegister.iar0, ICCRegister.iar1, ICCRegister.hppir0,
                                     ICCRegister.hppir1, ICCRegister.rpr]
        for encoding in ICCRegister.implemented {
            #expect((gic.readSystemRegister(encoding: encoding, vcpu: 0) != nil) == !writeOnly.contains(encoding))
            #expect(gic.writeSystemRegister(encoding: encoding, value: 0, vcpu: 0) == !readOnly.contains(encoding))
        }
        #expect(ICCRegister.implemented.count == 20)
        // The switch the CPU's path uses names exactly the registers of the set.
        let switched = (0...UInt16.max).filter { ICCRegister.isImplemented($0) }
        #expect(Set(switched) == ICCRegister.implemented)
        #expect(switched.allSatisfy { gic.handlesSystemRegister(encoding: $0) })
    }

    @Test("SRE reads 0b111 and ignores writes; CTLR reports PRIbits 4, A3V and RSS")
    func identification() throws {
        let gic = try InterruptController(version: .v3, vcpuCount: 1)
        #expect(gic.sysRead(ICCRegister.sre, vcpu: 0) == 7)
        gic.sysWrite(ICCRegister.sre, 0, vcpu: 0)
        #expect(gic.sysRead(ICCRegister.sre, vcpu: 0) == 7)
        #expect(gic.sysRead(ICCRegister.ctlr, vcpu: 0) == 0x4_8400)
        gic.sysWrite(ICCRegister.ctlr, 0xFFFF_FFFF, vcpu: 0)
        #expect(gic.sysRead(ICCRegister.ctlr, vcpu: 0) == 0x4_8443)
    }

    @Test("PMR keeps 5 bits; BPR0/BPR1 minimums 2/3; CBPR makes BPR1 read BPR0 + 1")
    func priorityRegisters() throws {
        let gic = try InterruptController(version: .v3, vcpuCount: 1)
        gic.sysWrite(ICCRegister.pmr, 0xFF, vcpu: 0)
        #expect(gic.sysRead(ICCRegister.pmr, vcpu: 0) == 0xF8)
        gic.sysWrite(ICCRegister.bpr1, 0, vcpu: 0)
        #expect(gic.sysRead(ICCRegister.bpr1, vcpu: 0) == 3)
        gic.sysWrite(ICCRegister.bpr0, 0, vcpu: 0)
        #expect(gic.sysRead(ICCRegister.bpr0, vcpu: 0) == 2)
        gic.sysWrite(ICCRegister.bpr1, 6, vcpu: 0)
        #expect(gic.sysRead(ICCRegister.bpr1, vcpu: 0) == 6)
        gic.sysWrite(ICCRegister.ctlr, 1, vcpu: 0)
        gic.sysWrite(ICCRegister.bpr0, 4, vcpu: 0)
        #expect(gic.sysRead(ICCRegister.bpr1, vcpu: 0) == 5)
        gic.sysWrite(ICCRegister.bpr1, 3, vcpu: 0) // ignored under CBPR
        gic.sysWrite(ICCRegister.ctlr, 0, vcpu: 0)
        #expect(gic.sysRead(ICCRegister.bpr1, vcpu: 0) == 6)
    }

    @Test("not an ICC register, or the wrong direction, is refused (the CPU makes it UNDEFINED)")
    func undefined() throws {
        let gic = try InterruptController(version: .v3, vcpuCount: 1)
        let cntvCtl = ICCRegister.encoding(op0: 3, op1: 3, crn: 14, crm: 3, op2: 1)
        #expect(gic.readSystemRegister(encoding: cntvCtl, vcpu: 0) == nil)
        #expect(!gic.writeSystemRegister(encoding: cntvCtl, value: 0, vcpu: 0))
        #expect(!gic.writeSystemRegister(encoding: ICCRegister.iar1, value: 0, vcpu: 0))
        #expect(!gic.writeSystemRegister(encoding: ICCRegister.rpr, value: 0, vcpu: 0))
        #expect(gic.readSystemRegister(encoding: ICCRegister.eoir1, vcpu: 0) == nil)
        #expect(gic.readSystemRegister(encoding: ICCRegister.sgi1r, vcpu: 0) == nil)
        let ap1r1 = ICCRegister.encoding(op0: 3, op1: 0, crn: 12, crm: 9, op2: 1)
        #expect(gic.readSystemRegister(encoding: ap1r1, vcpu: 0) == nil) // only 5 priority bits
        #expect(!gic.handlesSystemRegister(encoding: ap1r1))
        #expect(!gic.handlesSystemRegister(encoding: cntvCtl))
        #expect(gic.handlesSystemRegister(encoding: ICCRegister.eoir1))
        #expect(gic.handlesSystemRegister(encoding: ICCRegister.iar1))
        let v2 = try InterruptController(version: .v2, vcpuCount: 1)
        #expect(v2.readSystemRegister(encoding: ICCRegister.iar1, vcpu: 0) == nil)
        #expect(!v2.handlesSystemRegister(encoding: ICCRegister.iar1))
        #expect(!v2.writeSystemRegister(encoding: ICCRegister.pmr, value: 0xF0, vcpu: 0))
    }

    @Test("SGI1R to self: IAR1 returns the bare INTID; EOIR1 drops and deactivates")
    func sgiToSelf() throws {
        let gic = try makeGICv3()
        gic.sysWrite(ICCRegister.sgi1r, 1 << 24 | 0b10, vcpu: 1)
        #expect(gic.irq(1) && !gic.irq(0))
        #expect(gic.sysRead(ICCRegister.hppir1, vcpu: 1) == 1)
        #expect(gic.sysRead(ICCRegister.iar1, vcpu: 1) == 1)
        #expect(!gic.irq(1))
        #expect(gic.sysRead(ICCRegister.rpr, vcpu: 1) == 0xA0)
        #expect(gic.sysRead(ICCRegister.ap1r0, vcpu: 1) == 1 << 20)
        #expect(gic.redistRead(InterruptController.sgiBase(1) + 0x0300) == 0b10)
        gic.sysWrite(ICCRegister.eoir1, 1, vcpu: 1)
        #expect(gic.sysRead(ICCRegister.rpr, vcpu: 1) == 0xFF)
        #expect(gic.redistRead(InterruptController.sgiBase(1) + 0x0300) == 0)
        #expect(gic.sysRead(ICCRegister.iar1, vcpu: 1) == 1023)
    }

    @Test("SGI1R target list, IRM broadcast and Aff1 clusters", arguments: [
        (value: UInt64(3) << 24 | 0b0110, sender: 0, expected: [false, true, false, false]),
        (value: UInt64(1) << 40 | UInt64(3) << 24, sender: 2, expected: [true, true, false, true]),
        (value: UInt64(1) << 16 | UInt64(3) << 24 | 0b11, sender: 0, expected: [false, false, true, true]),
        (value: UInt64(1) << 44 | UInt64(3) << 24 | 0b11, sender: 0, expected: [false, false, false, false]),
        (value: UInt64(1) << 32 | UInt64(3) << 24 | 0b11, sender: 0, expected: [false, false, false, false]),
    ])
    func sgiTargets(value: UInt64, sender: Int, expected: [Bool]) throws {
        // Two clusters of two: Aff1.Aff0 = 0.0, 0.1, 1.0, 1.1.
        let gic = try makeGICv3(affinities: [0x000, 0x001, 0x100, 0x101])
        gic.sysWrite(ICCRegister.sgi1r, value, vcpu: sender)
        #expect((0..<4).map { gic.irq($0) } == expected)
        for vcpu in 0..<4 where expected[vcpu] {
            #expect(gic.sysRead(ICCRegister.iar1, vcpu: vcpu) == 3)
        }
    }

    @Test("SGI1R range selector reaches Aff0 values 16 and up")
    func rangeSelector() throws {
        let gic = try makeGICv3(vcpus: 20)
        gic.sysWrite(ICCRegister.sgi1r, 1 << 44 | 7 << 24 | 0b1000, vcpu: 0) // Aff0 = 16 + 3
        #expect((0..<20).filter { gic.irq($0) } == [19])
        #expect(gic.sysRead(ICCRegister.iar1, vcpu: 19) == 7)
    }

    @Test("SPIs follow IROUTER to the vCPU with that affinity")
    func routing() throws {
        let gic = try makeGICv3(affinities: [0x000, 0x001, 0x100, 0x0100_0000])
        gic.distWrite(0x0104, 1 << 8 | 1 << 9)
        gic.distWrite(0x6000 + 8 * 40, 0x100, size: 8)          // Aff1 = 1 -> vCPU 2
        gic.distWrite(0x6000 + 8 * 41, 0x1_0000_0000, size: 8)  // Aff3 = 1 -> vCPU 3
        gic.setSharedLevel(intid: 40, level: true)
        #expect((0..<4).map { gic.irq($0) } == [false, false, true, false])
        gic.setSharedLevel(intid: 41, level: true)
        #expect((0..<4).map { gic.irq($0) } == [false, false, true, true])
        #expect(gic.sysRead(ICCRegister.iar1, vcpu: 3) == 41)
        #expect(gic.sysRead(ICCRegister.iar1, vcpu: 2) == 40)
        // An affinity that names no vCPU delivers nowhere.
        gic.distWrite(0x6000 + 8 * 40, 0x5, size: 8)
        gic.sysWrite(ICCRegister.eoir1, 40, vcpu: 2)
        #expect((0..<4).map { gic.irq($0) } == [false, false, false, false])
        // Re-routing delivers the still-asserted line to the new target.
        gic.distWrite(0x6000 + 8 * 40, 0x1, size: 8)
        #expect(gic.irq(1))
    }

    @Test("an EOIR1 that deactivates an SPI delivers it to the vCPU it is routed to now")
    func deactivationReachesTheNewTarget() throws {
        let gic = try makeGICv3()
        gic.distWrite(0x0104, 1 << 8)
        gic.distWrite(0x6000 + 8 * 40, 0x0, size: 8) // vCPU 0
        gic.setSharedLevel(intid: 40, level: true)
        #expect(gic.sysRead(ICCRegister.iar1, vcpu: 0) == 40)
        gic.distWrite(0x6000 + 8 * 40, 0x1, size: 8) // vCPU 1, while active on vCPU 0
        #expect((0..<4).map { gic.irq($0) } == [false, false, false, false])
        // A spurious EOI is ignored and moves nothing.
        gic.sysWrite(ICCRegister.eoir1, 1023, vcpu: 0)
        #expect((0..<4).map { gic.irq($0) } == [false, false, false, false])
        gic.sysWrite(ICCRegister.eoir1, 40, vcpu: 0)
        #expect((0..<4).map { gic.irq($0) } == [false, true, false, false])
        #expect(gic.sysRead(ICCRegister.iar1, vcpu: 1) == 40)
        #expect((0..<4).map { gic.irq($0) } == [false, false, false, false])
    }

    @Test("IRM = 1 routes to the lowest-numbered vCPU with group 1 enabled")
    func oneOfN() throws {
        let gic = try makeGICv3()
        gic.distWrite(0x0104, 1 << 8)
        gic.distWrite(0x6000 + 8 * 40, 1 << 31, size: 8)
        gic.setSharedLevel(intid: 40, level: true)
        #expect((0..<4).map { gic.irq($0) } == [true, false, false, false])
        gic.sysWrite(ICCRegister.igrpen1, 0, vcpu: 0)
        #expect((0..<4).map { gic.irq($0) } == [false, true, false, false])
        #expect(gic.sysRead(ICCRegister.igrpen1, vcpu: 0) == 0)
    }

    @Test("a level PPI asserted after EOIR1 is taken again; dropping it first ends it")
    func timerLevel() throws {
        let gic = try makeGICv3()
        gic.redistWrite(InterruptController.sgiBase(2) + 0x0100, 1 << 30)
        gic.setPrivateLevel(intid: 30, vcpu: 2, level: true)
        #expect(gic.irq(2))
        #expect(gic.sysRead(ICCRegister.iar1, vcpu: 2) == 30)
        #expect(gic.redistRead(InterruptController.sgiBase(2) + 0x0200) == 1 << 30) // active and pending
        gic.sysWrite(ICCRegister.eoir1, 30, vcpu: 2)
        #expect(gic.irq(2))
        #expect(gic.sysRead(ICCRegister.iar1, vcpu: 2) == 30)
        gic.setPrivateLevel(intid: 30, vcpu: 2, level: false)
        gic.sysWrite(ICCRegister.eoir1, 30, vcpu: 2)
        #expect(!gic.irq(2))
    }

    @Test("EOImode: EOIR1 drops priority only and DIR deactivates; DIR without EOImode is ignored")
    func splitEOI() throws {
        let gic = try makeGICv3()
        gic.sysWrite(ICCRegister.ctlr, 2, vcpu: 0)
        gic.sysWrite(ICCRegister.sgi1r, 1 << 24 | 1, vcpu: 0)
        #expect(gic.sysRead(ICCRegister.iar1, vcpu: 0) == 1)
        gic.sysWrite(ICCRegister.eoir1, 1, vcpu: 0)
        #expect(gic.sysRead(ICCRegister.rpr, vcpu: 0) == 0xFF)
        #expect(gic.redistRead(InterruptController.sgiBase(0) + 0x0300) == 0b10)
        gic.sysWrite(ICCRegister.dir, 1, vcpu: 0)
        #expect(gic.redistRead(InterruptController.sgiBase(0) + 0x0300) == 0)
        gic.sysWrite(ICCRegister.ctlr, 0, vcpu: 0)
        gic.redistWrite(InterruptController.sgiBase(0) + 0x0300, 0b10)
        gic.sysWrite(ICCRegister.dir, 1, vcpu: 0)
        #expect(gic.redistRead(InterruptController.sgiBase(0) + 0x0300) == 0b10)
    }

    @Test("clearing the active state through GICR_ICACTIVER0 ends the SGI (gicv3-active)")
    func clearActive() throws {
        let gic = try makeGICv3()
        gic.sysWrite(ICCRegister.sgi1r, 1 << 24 | 1, vcpu: 0)
        #expect(gic.sysRead(ICCRegister.iar1, vcpu: 0) == 1)
        gic.redistWrite(InterruptController.sgiBase(0) + 0x0380, 1 << 1)
        #expect(gic.redistRead(InterruptController.sgiBase(0) + 0x0300) == 0)
        #expect(!gic.irq(0))
    }

    @Test("HPPIR1 ignores the priority mask, IAR1 honours it")
    func hppirIgnoresMask() throws {
        let gic = try makeGICv3()
        gic.sysWrite(ICCRegister.pmr, 0, vcpu: 0)
        gic.sysWrite(ICCRegister.sgi1r, 2 << 24 | 1, vcpu: 0)
        #expect(!gic.irq(0))
        #expect(gic.sysRead(ICCRegister.hppir1, vcpu: 0) == 2)
        #expect(gic.sysRead(ICCRegister.iar1, vcpu: 0) == 1023)
        #expect(gic.sysRead(ICCRegister.iar0, vcpu: 0) == 1023)
        #expect(gic.sysRead(ICCRegister.hppir0, vcpu: 0) == 1023)
    }

    @Test("preemption uses BPR1's group priority")
    func preemption() throws {
        let gic = try makeGICv3()
        let sgi0 = InterruptController.sgiBase(0)
        gic.redistWrite(sgi0 + 0x0400, 0x0068_0070) // SGI 0: 0x70, SGI 2: 0x68
        gic.sysWrite(ICCRegister.sgi1r, 0 << 24 | 1, vcpu: 0)
        #expect(gic.sysRead(ICCRegister.iar1, vcpu: 0) == 0)
        gic.sysWrite(ICCRegister.sgi1r, 2 << 24 | 1, vcpu: 0)
        #expect(gic.irq(0)) // BPR1 = 3: 0x68 < 0x70
        gic.sysWrite(ICCRegister.bpr1, 5, vcpu: 0) // acts as BPR 4: group priority mask 0xE0
        #expect(!gic.irq(0))
        #expect(gic.sysRead(ICCRegister.iar1, vcpu: 0) == 1023)
        gic.sysWrite(ICCRegister.eoir1, 0, vcpu: 0)
        #expect(gic.sysRead(ICCRegister.iar1, vcpu: 0) == 2)
    }

    @Test("EOIR1 with nothing active, or of a spurious INTID, is ignored")
    func eoiIgnored() throws {
        let gic = try makeGICv3()
        gic.redistWrite(InterruptController.sgiBase(0) + 0x0300, 1 << 3)
        gic.sysWrite(ICCRegister.eoir1, 3, vcpu: 0)
        #expect(gic.redistRead(InterruptController.sgiBase(0) + 0x0300) == 1 << 3)
        gic.sysWrite(ICCRegister.sgi1r, 1 << 24 | 1, vcpu: 0)
        #expect(gic.sysRead(ICCRegister.iar1, vcpu: 0) == 1)
        gic.sysWrite(ICCRegister.eoir1, 1023, vcpu: 0)
        #expect(gic.sysRead(ICCRegister.rpr, vcpu: 0) == 0xA0)
        // EOIR0 does not drop a group 1 priority.
        gic.sysWrite(ICCRegister.eoir0, 1, vcpu: 0)
        #expect(gic.sysRead(ICCRegister.rpr, vcpu: 0) == 0xA0)
    }

    @Test("group 1 disabled in the CPU interface or distributor signals nothing")
    func groupEnables() throws {
        let gic = try makeGICv3()
        gic.sysWrite(ICCRegister.igrpen1, 0, vcpu: 0)
        gic.sysWrite(ICCRegister.sgi1r, 1 << 24 | 1, vcpu: 0)
        #expect(!gic.irq(0))
        #expect(gic.sysRead(ICCRegister.iar1, vcpu: 0) == 1023)
        gic.sysWrite(ICCRegister.igrpen1, 1, vcpu: 0)
        #expect(gic.irq(0))
        gic.distWrite(0x0000, 0x11) // EnableGrp1 clear
        #expect(!gic.irq(0))
        gic.sysWrite(ICCRegister.igrpen0, 1, vcpu: 0)
        #expect(gic.sysRead(ICCRegister.igrpen0, vcpu: 0) == 1)
        #expect(!gic.fiq(0))
    }
}
