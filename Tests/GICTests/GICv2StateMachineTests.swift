import Testing
@testable import GIC

@Suite("GICv2 CPU interface and interrupt state machine")
struct GICv2StateMachineTests {
    /// Makes SPI `intid` target `mask` at `priority`, enabled.
    func configureSPI(_ gic: InterruptController, _ intid: Int, priority: UInt64 = 0xA0, targets mask: UInt64 = 1, edge: Bool = false) {
        gic.distWrite(D2.ipriorityr + UInt64(intid), priority, size: 1)
        gic.distWrite(D2.itargetsr + UInt64(intid), mask, size: 1)
        if edge {
            let word = D2.icfgr + UInt64(intid / 16 * 4)
            gic.distWrite(word, gic.distRead(word) | 2 << UInt64(2 * (intid % 16)))
        }
        gic.distWrite(D2.isenabler + UInt64(intid / 32 * 4), 1 << UInt64(intid % 32))
    }

    @Test("SGI to self: IAR reports the source, EOIR drops the priority and deactivates")
    func sgiToSelf() throws {
        let gic = try makeGICv2()
        gic.distWrite(D2.sgir, 2 << 24 | 1, vcpu: 1)
        #expect(gic.irq(1))
        #expect(!gic.irq(0) && !gic.irq(2) && !gic.irq(3))
        #expect(gic.cpuRead(C2.hppir, vcpu: 1) == 0x401)
        #expect(gic.cpuRead(C2.iar, vcpu: 1) == 0x401) // INTID 1, CPUID 1
        #expect(!gic.irq(1))
        #expect(gic.cpuRead(C2.rpr, vcpu: 1) == 0xA0)
        #expect(gic.distRead(D2.isactiver, vcpu: 1) == 0b10)
        #expect(gic.distRead(D2.ispendr, vcpu: 1) == 0)
        #expect(gic.cpuRead(C2.apr0, vcpu: 1) == 1 << 20) // preemption level 0xA0 >> 3
        gic.cpuWrite(C2.eoir, 0x401, vcpu: 1)
        #expect(gic.cpuRead(C2.rpr, vcpu: 1) == 0xFF)
        #expect(gic.distRead(D2.isactiver, vcpu: 1) == 0)
        #expect(gic.cpuRead(C2.iar, vcpu: 1) == 1023)
    }

    @Test("SGIR target filters: list, all but self, self; reserved filter ignored")
    func sgiFilters() throws {
        let gic = try makeGICv2()
        gic.distWrite(D2.sgir, 0b1010 << 16 | 3, vcpu: 0)
        #expect((0..<4).map { gic.irq($0) } == [false, true, false, true])
        for vcpu in [1, 3] { #expect(gic.cpuRead(C2.iar, vcpu: vcpu) == 3) } // source CPU 0
        for vcpu in [1, 3] { gic.cpuWrite(C2.eoir, 3, vcpu: vcpu) }

        gic.distWrite(D2.sgir, 1 << 24 | 0xFF << 16 | 2, vcpu: 2)
        #expect((0..<4).map { gic.irq($0) } == [true, true, false, true])
        #expect(gic.cpuRead(C2.iar, vcpu: 3) == 2 << 10 | 2)

        gic.distWrite(D2.sgir, 3 << 24 | 0xFF << 16 | 4, vcpu: 2)
        #expect(!gic.irq(2))
        // Targets beyond the implemented CPUs are dropped.
        gic.distWrite(D2.sgir, 0xF0 << 16 | 5, vcpu: 2)
        #expect(gic.distRead(D2.spendsgir + 4, vcpu: 0) == 0)
    }

    @Test("an SGI pending from two sources is taken once per source, lowest source first")
    func sgiTwoSources() throws {
        let gic = try makeGICv2()
        gic.distWrite(D2.sgir, 1 << 17 | 5, vcpu: 2)
        gic.distWrite(D2.sgir, 1 << 17 | 5, vcpu: 0)
        #expect(gic.distRead(D2.spendsgir + 4, vcpu: 1) == 0x0500)
        #expect(gic.cpuRead(C2.iar, vcpu: 1) == 5)
        // Active and still pending from CPU 2.
        #expect(gic.distRead(D2.isactiver, vcpu: 1) == 1 << 5)
        #expect(gic.distRead(D2.ispendr, vcpu: 1) == 1 << 5)
        #expect(!gic.irq(1))
        gic.cpuWrite(C2.eoir, 5, vcpu: 1)
        #expect(gic.irq(1))
        #expect(gic.cpuRead(C2.iar, vcpu: 1) == 2 << 10 | 5)
        gic.cpuWrite(C2.eoir, 2 << 10 | 5, vcpu: 1)
        #expect(gic.distRead(D2.ispendr, vcpu: 1) == 0)
        #expect(!gic.irq(1))
    }

    @Test("IAR with nothing pending returns spurious 1023 and changes nothing")
    func spurious() throws {
        let gic = try makeGICv2()
        #expect(gic.cpuRead(C2.iar, vcpu: 0) == 1023)
        #expect(gic.cpuRead(C2.hppir, vcpu: 0) == 1023)
        #expect(gic.cpuRead(C2.rpr, vcpu: 0) == 0xFF)
        // EOI of the spurious ID, or with nothing active, is ignored.
        gic.distWrite(D2.isactiver + 4, 1)
        gic.cpuWrite(C2.eoir, 32, vcpu: 0)
        #expect(gic.distRead(D2.isactiver + 4) == 1)
    }

    @Test("a level-sensitive SPI still asserted after EOI is taken again")
    func levelRepends() throws {
        let gic = try makeGICv2()
        configureSPI(gic, 40, targets: 0b0100)
        gic.setSharedLevel(intid: 40, level: true)
        #expect(gic.irq(2) && !gic.irq(0))
        #expect(gic.cpuRead(C2.iar, vcpu: 2) == 40)
        // Active and pending while the line stays high.
        #expect(gic.distRead(D2.isactiver + 4) == 1 << 8)
        #expect(gic.distRead(D2.ispendr + 4) == 1 << 8)
        #expect(!gic.irq(2))
        gic.cpuWrite(C2.eoir, 40, vcpu: 2)
        #expect(gic.irq(2))
        #expect(gic.cpuRead(C2.iar, vcpu: 2) == 40)
        gic.setSharedLevel(intid: 40, level: false)
        #expect(gic.distRead(D2.ispendr + 4) == 0)
        gic.cpuWrite(C2.eoir, 40, vcpu: 2)
        #expect(!gic.irq(2))
        #expect(gic.cpuRead(C2.iar, vcpu: 2) == 1023)
    }

    @Test("a level interrupt set pending by software stays pending after the line drops until acknowledged")
    func softwarePendingLevel() throws {
        let gic = try makeGICv2()
        configureSPI(gic, 41)
        gic.distWrite(D2.ispendr + 4, 1 << 9)
        gic.setSharedLevel(intid: 41, level: true)
        gic.setSharedLevel(intid: 41, level: false)
        #expect(gic.distRead(D2.ispendr + 4) == 1 << 9)
        #expect(gic.cpuRead(C2.iar, vcpu: 0) == 41)
        #expect(gic.distRead(D2.ispendr + 4) == 0)
    }

    @Test("an edge-triggered SPI latches on the rising edge and acknowledge clears it")
    func edgeTriggered() throws {
        let gic = try makeGICv2()
        configureSPI(gic, 42, edge: true)
        gic.setSharedLevel(intid: 42, level: true)
        #expect(gic.irq(0))
        #expect(gic.cpuRead(C2.iar, vcpu: 0) == 42)
        #expect(gic.distRead(D2.ispendr + 4) == 0) // line still high, but edge
        gic.cpuWrite(C2.eoir, 42, vcpu: 0)
        #expect(!gic.irq(0))
        gic.setSharedLevel(intid: 42, level: true) // no new edge
        #expect(!gic.irq(0))
        gic.setSharedLevel(intid: 42, level: false)
        gic.setSharedLevel(intid: 42, level: true)
        #expect(gic.irq(0))
    }

    @Test("an edge arriving while active makes the interrupt active and pending")
    func activeAndPending() throws {
        let gic = try makeGICv2()
        configureSPI(gic, 43, edge: true)
        gic.setSharedLevel(intid: 43, level: true)
        #expect(gic.cpuRead(C2.iar, vcpu: 0) == 43)
        gic.setSharedLevel(intid: 43, level: false)
        gic.setSharedLevel(intid: 43, level: true)
        #expect(gic.distRead(D2.ispendr + 4) == 1 << 11)
        #expect(gic.distRead(D2.isactiver + 4) == 1 << 11)
        #expect(!gic.irq(0)) // an active interrupt is not signalled again
        gic.cpuWrite(C2.eoir, 43, vcpu: 0)
        #expect(gic.irq(0))
    }

    @Test("PMR masks interrupts of equal or lower priority", arguments: [
        (priority: UInt64(0xE8), pmr: UInt64(0xF0), signalled: true),
        (priority: UInt64(0xF0), pmr: UInt64(0xF0), signalled: false),
        (priority: UInt64(0xF8), pmr: UInt64(0xF0), signalled: false),
        (priority: UInt64(0x00), pmr: UInt64(0x00), signalled: false),
    ])
    func priorityMask(priority: UInt64, pmr: UInt64, signalled: Bool) throws {
        let gic = try makeGICv2()
        configureSPI(gic, 50, priority: priority)
        gic.cpuWrite(C2.pmr, pmr, vcpu: 0)
        gic.distWrite(D2.ispendr + 4, 1 << 18)
        #expect(gic.irq(0) == signalled)
        #expect(gic.cpuRead(C2.iar, vcpu: 0) == (signalled ? 50 : 1023))
    }

    @Test("PMR keeps 5 bits and the binary points have their minimums")
    func cpuInterfaceRegisters() throws {
        let gic = try makeGICv2()
        gic.cpuWrite(C2.pmr, 0xFF, vcpu: 0)
        #expect(gic.cpuRead(C2.pmr, vcpu: 0) == 0xF8)
        gic.cpuWrite(C2.bpr, 0, vcpu: 0)
        #expect(gic.cpuRead(C2.bpr, vcpu: 0) == 2)
        gic.cpuWrite(C2.abpr, 0, vcpu: 0)
        #expect(gic.cpuRead(C2.abpr, vcpu: 0) == 3)
        gic.cpuWrite(C2.bpr, 5, vcpu: 0)
        #expect(gic.cpuRead(C2.bpr, vcpu: 0) == 5)
        gic.cpuWrite(C2.ctlr, 0xFFFF_FFFF, vcpu: 1)
        #expect(gic.cpuRead(C2.ctlr, vcpu: 1) == 0x7FF)
        #expect(gic.cpuRead(C2.ctlr, vcpu: 0) == 1)
        #expect(gic.cpuRead(C2.iidr, vcpu: 0) == 0x2_043B)
        #expect(gic.cpuRead(C2.pmr, vcpu: 0, size: 1) == 0)
    }

    @Test("a higher-priority interrupt preempts an active one; equal group priority does not")
    func preemption() throws {
        let gic = try makeGICv2()
        configureSPI(gic, 40, priority: 0x80)
        configureSPI(gic, 41, priority: 0x88)
        configureSPI(gic, 42, priority: 0x70)
        gic.distWrite(D2.ispendr + 4, 1 << 8)
        #expect(gic.cpuRead(C2.iar, vcpu: 0) == 40)
        gic.distWrite(D2.ispendr + 4, 1 << 9)
        #expect(!gic.irq(0))
        #expect(gic.cpuRead(C2.iar, vcpu: 0) == 1023)
        #expect(gic.cpuRead(C2.hppir, vcpu: 0) == 41) // pending and above PMR, but not preempting
        gic.distWrite(D2.ispendr + 4, 1 << 10)
        #expect(gic.irq(0))
        #expect(gic.cpuRead(C2.iar, vcpu: 0) == 42)
        #expect(gic.cpuRead(C2.rpr, vcpu: 0) == 0x70)
        gic.cpuWrite(C2.eoir, 42, vcpu: 0)
        #expect(gic.cpuRead(C2.rpr, vcpu: 0) == 0x80)
        gic.cpuWrite(C2.eoir, 40, vcpu: 0)
        #expect(gic.cpuRead(C2.iar, vcpu: 0) == 41)
    }

    @Test("the binary point decides which priority bits preempt", arguments: [
        (bpr: UInt64(2), preempts: true),   // group priority 0x68 < 0x70
        (bpr: UInt64(4), preempts: false),  // group priorities 0x60 and 0x60
    ])
    func binaryPoint(bpr: UInt64, preempts: Bool) throws {
        let gic = try makeGICv2()
        gic.cpuWrite(C2.bpr, bpr, vcpu: 0)
        configureSPI(gic, 40, priority: 0x70)
        configureSPI(gic, 41, priority: 0x68)
        gic.distWrite(D2.ispendr + 4, 1 << 8)
        #expect(gic.cpuRead(C2.iar, vcpu: 0) == 40)
        #expect(gic.cpuRead(C2.rpr, vcpu: 0) == (bpr == 2 ? 0x70 : 0x60))
        gic.distWrite(D2.ispendr + 4, 1 << 9)
        #expect(gic.irq(0) == preempts)
        #expect(gic.cpuRead(C2.iar, vcpu: 0) == (preempts ? 41 : 1023))
    }

    @Test("with EOImode, EOIR only drops the priority and DIR deactivates; without it DIR is ignored")
    func splitEOI() throws {
        let gic = try makeGICv2()
        configureSPI(gic, 40)
        gic.cpuWrite(C2.ctlr, 1 | 1 << 9, vcpu: 0)
        gic.distWrite(D2.ispendr + 4, 1 << 8)
        #expect(gic.cpuRead(C2.iar, vcpu: 0) == 40)
        gic.cpuWrite(C2.eoir, 40, vcpu: 0)
        #expect(gic.cpuRead(C2.rpr, vcpu: 0) == 0xFF)
        #expect(gic.distRead(D2.isactiver + 4) == 1 << 8)
        gic.cpuWrite(C2.dir, 40, vcpu: 0)
        #expect(gic.distRead(D2.isactiver + 4) == 0)

        gic.cpuWrite(C2.ctlr, 1, vcpu: 0)
        gic.distWrite(D2.isactiver + 4, 1 << 8)
        gic.cpuWrite(C2.dir, 40, vcpu: 0)
        #expect(gic.distRead(D2.isactiver + 4) == 1 << 8)
    }

    @Test("clearing the active state through ICACTIVER, without EOI, does not re-deliver (gicv2-active)")
    func clearActiveWithoutEOI() throws {
        let gic = try makeGICv2()
        gic.distWrite(D2.sgir, 2 << 24 | 1, vcpu: 0)
        #expect(gic.cpuRead(C2.iar, vcpu: 0) == 1)
        gic.distWrite(D2.icactiver, 1 << 1, vcpu: 0)
        #expect(gic.distRead(D2.isactiver, vcpu: 0) == 0)
        #expect(!gic.irq(0))
        #expect(gic.cpuRead(C2.rpr, vcpu: 0) == 0xA0) // no priority drop happened
    }

    @Test("group 1: IAR returns 1022 unless AckCtl, AIAR acknowledges group 1 only")
    func groupOne() throws {
        let gic = try makeGICv2()
        configureSPI(gic, 40)
        gic.distWrite(D2.igroupr + 4, 1 << 8)
        gic.distWrite(D2.ispendr + 4, 1 << 8)
        #expect(!gic.irq(0)) // group 1 disabled in distributor and CPU interface
        gic.distWrite(D2.ctlr, 3)
        #expect(!gic.irq(0))
        gic.cpuWrite(C2.ctlr, 3, vcpu: 0)
        #expect(gic.irq(0) && !gic.fiq(0))
        #expect(gic.cpuRead(C2.iar, vcpu: 0) == 1022)
        #expect(gic.cpuRead(C2.hppir, vcpu: 0) == 1022)
        #expect(gic.cpuRead(C2.ahppir, vcpu: 0) == 40)
        #expect(gic.cpuRead(C2.aiar, vcpu: 0) == 40)
        #expect(gic.cpuRead(C2.nsapr0, vcpu: 0) == 1 << 20)
        #expect(gic.cpuRead(C2.apr0, vcpu: 0) == 0)
        gic.cpuWrite(C2.aeoir, 40, vcpu: 0)
        #expect(gic.distRead(D2.isactiver + 4) == 0)
        gic.cpuWrite(C2.ctlr, 3 | 1 << 2, vcpu: 0)
        gic.distWrite(D2.ispendr + 4, 1 << 8)
        #expect(gic.cpuRead(C2.iar, vcpu: 0) == 40)
    }

    @Test("group 0 is signalled as FIQ when FIQEn is set")
    func fiq() throws {
        let gic = try makeGICv2()
        configureSPI(gic, 40)
        gic.cpuWrite(C2.ctlr, 1 | 1 << 3, vcpu: 0)
        gic.distWrite(D2.ispendr + 4, 1 << 8)
        #expect(gic.fiq(0) && !gic.irq(0))
        #expect(gic.cpuRead(C2.iar, vcpu: 0) == 40)
        #expect(!gic.fiq(0))
    }

    @Test("disabled distributor, CPU interface or interrupt signals nothing")
    func enablesGateDelivery() throws {
        let gic = try makeGICv2()
        configureSPI(gic, 40)
        gic.distWrite(D2.icenabler + 4, 1 << 8)
        gic.distWrite(D2.ispendr + 4, 1 << 8)
        #expect(!gic.irq(0))
        gic.distWrite(D2.isenabler + 4, 1 << 8)
        #expect(gic.irq(0))
        gic.distWrite(D2.ctlr, 0)
        #expect(!gic.irq(0))
        gic.distWrite(D2.ctlr, 1)
        gic.cpuWrite(C2.ctlr, 0, vcpu: 0)
        #expect(!gic.irq(0))
        #expect(gic.cpuRead(C2.iar, vcpu: 0) == 1023)
    }

    @Test("an SPI targeting several CPUs goes to the first to acknowledge it")
    func multipleTargets() throws {
        let gic = try makeGICv2()
        configureSPI(gic, 40, targets: 0b0110)
        gic.setSharedLevel(intid: 40, level: true)
        #expect((0..<4).map { gic.irq($0) } == [false, true, true, false])
        #expect(gic.cpuRead(C2.iar, vcpu: 2) == 40)
        #expect(!gic.irq(1) && !gic.irq(2))
        #expect(gic.cpuRead(C2.iar, vcpu: 1) == 1023)
        gic.setSharedLevel(intid: 40, level: false)
        gic.cpuWrite(C2.eoir, 40, vcpu: 2)
        #expect(!gic.irq(1) && !gic.irq(2))
    }

    @Test("SPIs reset untargeted, except on a uniprocessor GIC where they go to CPU 0")
    func resetTargets() throws {
        let smp = try makeGICv2(vcpus: 2)
        #expect(smp.distRead(D2.itargetsr + 32) == 0)
        let up = try makeGICv2(vcpus: 1)
        #expect(up.distRead(D2.itargetsr + 32) == 0x0101_0101)
        up.distWrite(D2.isenabler + 4, 1 << 1)
        up.setSharedLevel(intid: 33, level: true)
        #expect(up.cpuRead(C2.iar, vcpu: 0) == 33)
    }

    @Test("equal priorities are taken lowest INTID first")
    func tieBreak() throws {
        let gic = try makeGICv2()
        configureSPI(gic, 45)
        configureSPI(gic, 44)
        gic.distWrite(D2.ispendr + 4, 1 << 13 | 1 << 12)
        #expect(gic.cpuRead(C2.iar, vcpu: 0) == 44)
    }

    @Test("a timer PPI is level-sensitive and banked per vCPU")
    func timerPPI() throws {
        let gic = try makeGICv2()
        gic.distWrite(D2.isenabler, 1 << 27, vcpu: 1)
        gic.setPrivateLevel(intid: 27, vcpu: 1, level: true)
        #expect(gic.irq(1) && !gic.irq(0))
        #expect(gic.cpuRead(C2.iar, vcpu: 1) == 27)
        gic.setPrivateLevel(intid: 27, vcpu: 1, level: false) // handler masks the timer
        gic.cpuWrite(C2.eoir, 27, vcpu: 1)
        #expect(!gic.irq(1))
        #expect(gic.distRead(D2.ispendr, vcpu: 1) == 0)
        // Out-of-range lines are ignored.
        gic.setPrivateLevel(intid: 5, vcpu: 1, level: true)
        gic.setPrivateLevel(intid: 27, vcpu: 9, level: true)
        gic.setSharedLevel(intid: 288, level: true)
        #expect(gic.distRead(D2.ispendr, vcpu: 1) == 0)
    }
}
