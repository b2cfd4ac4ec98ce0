import Testing
@testable import GIC

@Suite("GICv3 distributor and redistributor registers")
struct GICv3RegisterTests {
    @Test("GICD_CTLR: group enables writable, ARE and DS read as one, RWP clear")
    func distributorControl() throws {
        let gic = try InterruptController(version: .v3, vcpuCount: 2)
        #expect(gic.distRead(0x0000) == 0x50)
        gic.distWrite(0x0000, 0x13)
        #expect(gic.distRead(0x0000) == 0x53)
        gic.distWrite(0x0000, 0xFFFF_FFFF)
        #expect(gic.distRead(0x0000) == 0x53)
        gic.distWrite(0x0000, 0)
        #expect(gic.distRead(0x0000) == 0x50)
    }

    @Test("GICD_TYPER, IIDR and PIDR2 identify a GICv3 and are read-only")
    func identification() throws {
        let gic = try InterruptController(version: .v3, vcpuCount: 4, interruptCount: 288)
        // ITLinesNumber 8, CPUNumber 3, IDbits 9, A3V, RSS.
        #expect(gic.distRead(0x0004) == 0x0548_0068)
        #expect(gic.distRead(0xFFE8) == 0x3B) // GICD_PIDR2.ArchRev = 3
        #expect(gic.redistRead(0xFFE8) == 0x3B) // GICR_PIDR2
        #expect(gic.redistRead(InterruptController.rdBase(3) + 0xFFE8) == 0x3B)
        for offset: UInt64 in [0x0004, 0x0008, 0xFFE8] {
            let before = gic.distRead(offset)
            gic.distWrite(offset, 0xA5A5_5A5A)
            #expect(gic.distRead(offset) == before)
        }
        #expect(gic.distRead(0x0008) == gic.redistRead(0x0004))
    }

    @Test("GICR_TYPER: affinity, processor number and Last on the final redistributor")
    func redistributorType() throws {
        let gic = try InterruptController(version: .v3, vcpuCount: 4)
        #expect(gic.redistRead(InterruptController.rdBase(0) + 8, size: 8) == 0)
        #expect(gic.redistRead(InterruptController.rdBase(2) + 8, size: 8) == 0x2_0000_0200)
        #expect(gic.redistRead(InterruptController.rdBase(3) + 8, size: 8) == 0x3_0000_0310)
        #expect(gic.redistRead(InterruptController.rdBase(3) + 8) == 0x310)
        #expect(gic.redistRead(InterruptController.rdBase(3) + 0xC) == 3)
        let custom = try InterruptController(version: .v3, vcpuCount: 2, affinities: [0x0000_0000, 0x0102_0304])
        #expect(custom.redistRead(InterruptController.rdBase(1) + 8, size: 8) == 0x0102_0304_0000_0110)
    }

    @Test("walking redistributors by TYPER.Last finds every vCPU (kvm-unit-tests gicv3_set_redist_base)")
    func redistributorWalk() throws {
        let gic = try InterruptController(version: .v3, vcpuCount: 5)
        var found: [UInt64] = []
        var offset: UInt64 = 0
        while true {
            let typer = gic.redistRead(offset + 8, size: 8)
            found.append(typer >> 32)
            if typer & (1 << 4) != 0 { break }
            offset += 0x2_0000
        }
        #expect(found == [0, 1, 2, 3, 4])
        #expect(gic.redistributors?.size == 5 * 0x2_0000)
        #expect(gic.redistributors?.read(offset: 5 * 0x2_0000 + 8, size: 8, vcpu: 0) == 0)
    }

    @Test("GICR_WAKER: ProcessorSleep is writable, ChildrenAsleep follows it")
    func waker() throws {
        let gic = try InterruptController(version: .v3, vcpuCount: 2)
        let waker = InterruptController.rdBase(1) + 0x14
        #expect(gic.redistRead(waker) == 0b110)
        gic.redistWrite(waker, 0)
        #expect(gic.redistRead(waker) == 0)
        #expect(gic.redistRead(InterruptController.rdBase(0) + 0x14) == 0b110)
        gic.redistWrite(waker, 0b010)
        #expect(gic.redistRead(waker) == 0b110)
    }

    @Test("GICD_IROUTER is 64-bit, writable in Aff3-0 and IRM, and reachable as 32-bit halves")
    func irouter() throws {
        let gic = try InterruptController(version: .v3, vcpuCount: 2)
        let router40: UInt64 = 0x6000 + 8 * 40
        gic.distWrite(router40, 0xFFFF_FFFF_FFFF_FFFF, size: 8)
        #expect(gic.distRead(router40, size: 8) == 0xFF_80FF_FFFF)
        gic.distWrite(router40, 0x0000_0102, size: 4)
        #expect(gic.distRead(router40, size: 8) == 0xFF_0000_0102)
        gic.distWrite(router40 + 4, 0x7, size: 4)
        #expect(gic.distRead(router40 + 4) == 0x7)
        #expect(gic.distRead(router40, size: 8) == 0x07_0000_0102)
        // SGI/PPI routers and those past the last SPI are RAZ/WI.
        gic.distWrite(0x6000 + 8 * 20, 0x1, size: 8)
        #expect(gic.distRead(0x6000 + 8 * 20, size: 8) == 0)
        gic.distWrite(0x6000 + 8 * 288, 0x1, size: 8)
        #expect(gic.distRead(0x6000 + 8 * 288, size: 8) == 0)
    }

    @Test("with affinity routing, distributor state of SGIs and PPIs is RAZ/WI")
    func distributorPrivateRAZWI() throws {
        let gic = try InterruptController(version: .v3, vcpuCount: 1)
        gic.distWrite(0x0100, 0xFFFF_FFFF)
        #expect(gic.distRead(0x0100) == 0)
        #expect(gic.redistRead(InterruptController.sgiBase(0) + 0x0100) == 0)
        gic.distWrite(0x0400, 0xFFFF_FFFF)
        #expect(gic.distRead(0x0400) == 0)
        #expect(gic.distRead(0x0080) == 0)
        #expect(gic.distRead(0x0C00) == 0)
        #expect(gic.distRead(0x0800) == 0) // ITARGETSR is RES0 under affinity routing
        gic.distWrite(0x0F00, 2 << 24 | 1) // GICD_SGIR is WI
        #expect(gic.redistRead(InterruptController.sgiBase(0) + 0x0200) == 0)
    }

    @Test("every interrupt is group 1: IGROUPR reads as one and ignores writes")
    func groups() throws {
        let gic = try InterruptController(version: .v3, vcpuCount: 1, interruptCount: 64)
        #expect(gic.distRead(0x0084) == 0xFFFF_FFFF)
        gic.distWrite(0x0084, 0)
        #expect(gic.distRead(0x0084) == 0xFFFF_FFFF)
        #expect(gic.distRead(0x0088) == 0) // beyond the last SPI
        #expect(gic.redistRead(InterruptController.sgiBase(0) + 0x0080) == 0xFFFF_FFFF)
    }

    @Test("SGI_base: enables, pending, active and priorities are per redistributor")
    func sgiFrame() throws {
        let gic = try InterruptController(version: .v3, vcpuCount: 2)
        let sgi1 = InterruptController.sgiBase(1)
        gic.redistWrite(sgi1 + 0x0100, 0x0800_FFFF)
        #expect(gic.redistRead(sgi1 + 0x0180) == 0x0800_FFFF)
        #expect(gic.redistRead(InterruptController.sgiBase(0) + 0x0100) == 0)
        gic.redistWrite(sgi1 + 0x0180, 0xFF)
        #expect(gic.redistRead(sgi1 + 0x0100) == 0x0800_FF00)
        gic.redistWrite(sgi1 + 0x0200, 0b101) // SGIs may be made pending in a GICv3
        #expect(gic.redistRead(sgi1 + 0x0280) == 0b101)
        gic.redistWrite(sgi1 + 0x0280, 0b001)
        #expect(gic.redistRead(sgi1 + 0x0200) == 0b100)
        gic.redistWrite(sgi1 + 0x0300, 1 << 27)
        #expect(gic.redistRead(sgi1 + 0x0380) == 1 << 27)
        gic.redistWrite(sgi1 + 0x0380, 1 << 27)
        #expect(gic.redistRead(sgi1 + 0x0300) == 0)
        gic.redistWrite(sgi1 + 0x041C, 0xFFFF_FFFF)
        #expect(gic.redistRead(sgi1 + 0x041C) == 0xF8F8_F8F8)
        gic.redistWrite(sgi1 + 0x041D, 0x12, size: 1)
        #expect(gic.redistRead(sgi1 + 0x041C) == 0xF8F8_10F8)
        #expect(gic.redistRead(sgi1 + 0x041E, size: 1) == 0xF8)
        #expect(gic.redistRead(sgi1 + 0x0C00) == 0xAAAA_AAAA)
        gic.redistWrite(sgi1 + 0x0C04, 0xFFFF_FFFF)
        #expect(gic.redistRead(sgi1 + 0x0C04) == 0)
        #expect(gic.redistRead(sgi1 + 0x0100, size: 2) == 0) // bad size: RAZ
    }

    @Test("SPI registers in the GICv3 distributor")
    func spiRegisters() throws {
        let gic = try InterruptController(version: .v3, vcpuCount: 1)
        gic.distWrite(0x0104, 0xF)
        gic.distWrite(0x0184, 0x3)
        #expect(gic.distRead(0x0104) == 0xC)
        gic.distWrite(0x0420, 0x1122_3344)
        #expect(gic.distRead(0x0420) == 0x1020_3040)
        #expect(gic.distRead(0x0421, size: 1) == 0x30)
        gic.distWrite(0x0C08, 0xFFFF_FFFF)
        #expect(gic.distRead(0x0C08) == 0xAAAA_AAAA)
        gic.distWrite(0x0204, 1)
        #expect(gic.distRead(0x0284) == 1)
        #expect(gic.distributor.size == 0x1_0000)
        #expect(gic.cpuInterface == nil)
    }
}
