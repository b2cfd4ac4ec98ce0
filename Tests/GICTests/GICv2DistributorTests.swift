import Testing
@testable import GIC

@Suite("GICv2 distributor registers")
struct GICv2DistributorTests {
    @Test("TYPER reports interrupt lines and CPUs, and is read-only with IIDR and ICPIDR2")
    func identification() throws {
        let gic = try InterruptController(version: .v2, vcpuCount: 4, interruptCount: 288)
        // ITLinesNumber = 288/32 - 1 = 8, CPUNumber = 4 - 1 = 3.
        #expect(gic.distRead(D2.typer) == 0x68)
        #expect(gic.distRead(D2.iidr) == 0x43B)
        #expect(gic.distRead(D2.icpidr2) == 0x2B) // ArchRev 2
        for offset in [D2.typer, D2.iidr, D2.icpidr2] {
            let before = gic.distRead(offset)
            for pattern: UInt64 in [0xFFFF_FFFF, 0xA5A5_5A5A, 0] {
                gic.distWrite(offset, pattern)
                #expect(gic.distRead(offset) == before)
            }
        }
    }

    @Test("CTLR keeps the two group enables only")
    func control() throws {
        let gic = try InterruptController(version: .v2, vcpuCount: 1)
        gic.distWrite(D2.ctlr, 0xFFFF_FFFF)
        #expect(gic.distRead(D2.ctlr) == 3)
    }

    @Test("IPRIORITYR implements 5 bits, is byte accessible and RAZ/WI beyond the last interrupt")
    func priorities() throws {
        let gic = try InterruptController(version: .v2, vcpuCount: 2, interruptCount: 288)
        let firstSPI = D2.ipriorityr + 32
        gic.distWrite(firstSPI, 0xFFFF_FFFF)
        #expect(gic.distRead(firstSPI) == 0xF8F8_F8F8)
        gic.distWrite(firstSPI, 0xFF7F_BF3F)
        #expect(gic.distRead(firstSPI) == 0xF878_B838)
        #expect(gic.distRead(firstSPI + 1, size: 1) == 0xB8)
        gic.distWrite(firstSPI + 2, 0x1F, size: 1)
        #expect(gic.distRead(firstSPI) == 0xF818_B838)
        // 288 interrupts: offset 288 is the first unimplemented one.
        gic.distWrite(D2.ipriorityr + 288, 0xFFFF_FFFF)
        #expect(gic.distRead(D2.ipriorityr + 288) == 0)
        gic.distWrite(D2.ipriorityr + 284, 0x1020_3040)
        #expect(gic.distRead(D2.ipriorityr + 284) == 0x1020_3040)
    }

    @Test("priorities of SGIs and PPIs are banked per CPU")
    func bankedPriorities() throws {
        let gic = try InterruptController(version: .v2, vcpuCount: 2)
        gic.distWrite(D2.ipriorityr + 24, 0x1020_3040, vcpu: 0)
        #expect(gic.distRead(D2.ipriorityr + 24, vcpu: 0) == 0x1020_3040)
        #expect(gic.distRead(D2.ipriorityr + 24, vcpu: 1) == 0)
    }

    @Test("ITARGETSR: private interrupts read as the reader's bit; SPI bits beyond the CPU count are masked")
    func targets() throws {
        let gic = try InterruptController(version: .v2, vcpuCount: 3)
        #expect(gic.distRead(D2.itargetsr, vcpu: 2) == 0x0404_0404)
        #expect(gic.distRead(D2.itargetsr + 28, vcpu: 1) == 0x0202_0202)
        gic.distWrite(D2.itargetsr, 0xFFFF_FFFF, vcpu: 2)
        #expect(gic.distRead(D2.itargetsr, vcpu: 2) == 0x0404_0404)
        gic.distWrite(D2.itargetsr + 32, 0xFFFF_FFFF)
        #expect(gic.distRead(D2.itargetsr + 32) == 0x0707_0707)
        gic.distWrite(D2.itargetsr + 32, 0x0103_020F)
        #expect(gic.distRead(D2.itargetsr + 32) == 0x0103_0207)
        #expect(gic.distRead(D2.itargetsr + 33, size: 1) == 0x02)
        gic.distWrite(D2.itargetsr + 34, 0x1F, size: 1)
        #expect(gic.distRead(D2.itargetsr + 32) == 0x0107_0207)
        gic.distWrite(D2.itargetsr + 288, 0xFFFF_FFFF)
        #expect(gic.distRead(D2.itargetsr + 288) == 0)
    }

    @Test("ICFGR: SGIs read-only edge, PPIs read-only level, SPIs configurable")
    func configuration() throws {
        let gic = try InterruptController(version: .v2, vcpuCount: 1)
        #expect(gic.distRead(D2.icfgr) == 0xAAAA_AAAA)
        gic.distWrite(D2.icfgr, 0)
        #expect(gic.distRead(D2.icfgr) == 0xAAAA_AAAA)
        gic.distWrite(D2.icfgr + 4, 0xFFFF_FFFF)
        #expect(gic.distRead(D2.icfgr + 4) == 0)
        gic.distWrite(D2.icfgr + 8, 0xFFFF_FFFF)
        #expect(gic.distRead(D2.icfgr + 8) == 0xAAAA_AAAA) // only the upper bit of each field
        gic.distWrite(D2.icfgr + 8, 0x0000_0008)
        #expect(gic.distRead(D2.icfgr + 8) == 0x0000_0008)
    }

    @Test("SGIs are always enabled; PPI enables are banked; SPI enables set and clear")
    func enables() throws {
        let gic = try InterruptController(version: .v2, vcpuCount: 2)
        #expect(gic.distRead(D2.isenabler) == 0xFFFF)
        gic.distWrite(D2.icenabler, 0xFFFF_FFFF)
        #expect(gic.distRead(D2.isenabler) == 0xFFFF)
        gic.distWrite(D2.isenabler, 1 << 27, vcpu: 1)
        #expect(gic.distRead(D2.isenabler, vcpu: 1) == 0x0800_FFFF)
        #expect(gic.distRead(D2.icenabler, vcpu: 0) == 0x0000_FFFF)
        gic.distWrite(D2.isenabler + 4, 0b1010)
        #expect(gic.distRead(D2.isenabler + 4, vcpu: 1) == 0b1010)
        gic.distWrite(D2.icenabler + 4, 0b0010)
        #expect(gic.distRead(D2.icenabler + 4) == 0b1000)
        // Words past the last implemented interrupt are RAZ/WI.
        gic.distWrite(D2.isenabler + 36, 0xFFFF_FFFF)
        #expect(gic.distRead(D2.isenabler + 36) == 0)
    }

    @Test("IGROUPR is read-write, banked for the first word")
    func groups() throws {
        let gic = try InterruptController(version: .v2, vcpuCount: 2)
        gic.distWrite(D2.igroupr, 0x8000_0001, vcpu: 1)
        #expect(gic.distRead(D2.igroupr, vcpu: 1) == 0x8000_0001)
        #expect(gic.distRead(D2.igroupr, vcpu: 0) == 0)
        gic.distWrite(D2.igroupr + 4, 0xF0)
        gic.distWrite(D2.igroupr + 4, 0x0F)
        #expect(gic.distRead(D2.igroupr + 4) == 0x0F)
    }

    @Test("ISPENDR/ICPENDR ignore SGIs; SPENDSGIR/CPENDSGIR hold one bit per source CPU")
    func sgiPendingRegisters() throws {
        let gic = try InterruptController(version: .v2, vcpuCount: 4)
        gic.distWrite(D2.ispendr, 0xFFFF, vcpu: 1)
        #expect(gic.distRead(D2.ispendr, vcpu: 1) == 0)
        gic.distWrite(D2.spendsgir + 1, 0x05, vcpu: 1, size: 1)      // SGI 1 from CPUs 0 and 2
        gic.distWrite(D2.spendsgir + 4, 0xF0_00FF, vcpu: 1)         // SGI 4: CPUs 0-3 (4-7 absent); SGI 6: none
        #expect(gic.distRead(D2.spendsgir, vcpu: 1) == 0x0000_0500)
        #expect(gic.distRead(D2.spendsgir + 4, vcpu: 1) == 0x0000_000F)
        #expect(gic.distRead(D2.ispendr, vcpu: 1) == 0b1_0010)
        #expect(gic.distRead(D2.ispendr, vcpu: 0) == 0)
        gic.distWrite(D2.icpendr, 0xFFFF, vcpu: 1)
        #expect(gic.distRead(D2.ispendr, vcpu: 1) == 0b1_0010)
        gic.distWrite(D2.cpendsgir + 1, 0x01, vcpu: 1, size: 1)
        #expect(gic.distRead(D2.cpendsgir, vcpu: 1) == 0x0000_0400)
        gic.distWrite(D2.cpendsgir, 0xFFFF_FFFF, vcpu: 1)
        gic.distWrite(D2.cpendsgir + 4, 0xFFFF_FFFF, vcpu: 1)
        #expect(gic.distRead(D2.ispendr, vcpu: 1) == 0)
    }

    @Test("SPI pending and active bits set and clear through the register pairs")
    func pendingAndActive() throws {
        let gic = try InterruptController(version: .v2, vcpuCount: 1)
        gic.distWrite(D2.ispendr + 4, 0x0300)
        #expect(gic.distRead(D2.icpendr + 4) == 0x0300)
        gic.distWrite(D2.icpendr + 4, 0x0100)
        #expect(gic.distRead(D2.ispendr + 4) == 0x0200)
        gic.distWrite(D2.isactiver + 4, 0x8000_0000)
        #expect(gic.distRead(D2.icactiver + 4) == 0x8000_0000)
        gic.distWrite(D2.icactiver + 4, 0x8000_0000)
        #expect(gic.distRead(D2.isactiver + 4) == 0)
    }

    @Test("word registers ignore other access sizes and misaligned offsets", arguments: [1, 2, 8])
    func accessSizes(size: Int) throws {
        let gic = try InterruptController(version: .v2, vcpuCount: 1)
        #expect(gic.distRead(D2.typer, size: size) == 0)
        gic.distWrite(D2.ctlr, 1, size: size)
        #expect(gic.distRead(D2.ctlr) == 0)
        gic.distWrite(D2.isenabler + 4 + 1, 0xFF) // misaligned word
        #expect(gic.distRead(D2.isenabler + 4) == 0)
    }

    @Test("offsets past the frame and reserved offsets are RAZ/WI, never an abort")
    func outOfFrame() throws {
        let gic = try InterruptController(version: .v2, vcpuCount: 1)
        #expect(gic.distributor.read(offset: 0x1000, size: 4, vcpu: 0) == 0)
        #expect(gic.distributor.write(offset: 0x1000, size: 4, value: 1, vcpu: 0))
        #expect(gic.distributor.read(offset: 0x0F04, size: 4, vcpu: 0) == 0)
        #expect(gic.distributor.read(offset: 0x0F00, size: 4, vcpu: 0) == 0) // SGIR is write-only
        #expect(gic.distributor.read(offset: 0x100, size: 4, vcpu: 99) == 0) // a bad vCPU index reads nothing
        #expect(gic.distributor.size == 0x1000)
        #expect(gic.cpuInterface?.size == 0x2000)
        #expect(gic.redistributors == nil)
    }
}
