import Testing
@testable import GIC

/// Replays, at the register level, what kvm-unit-tests' arm/gic.c does in its gicv2-mmio,
/// gicv2/gicv3-ipi and gicv2/gicv3-active tests, with each vCPU's IRQ handler run whenever
/// its output is high (interrupts unmasked, as the test's CPUs are).
@Suite("kvm-unit-tests arm/gic.c flows")
struct KVMUnitTestsFlowTests {
    // MARK: gicv2-mmio

    /// test_readonly_32(): the register keeps its value under three patterns (and reads 0 if RAZ/WI).
    func readOnly32(_ gic: InterruptController, _ offset: UInt64, razwi: Bool) -> Bool {
        let orig = gic.distRead(offset)
        if razwi && orig != 0 { return false }
        for pattern: UInt64 in [0xFFFF_FFFF, 0xA5A5_5A5A, 0] where pattern != orig {
            gic.distWrite(offset, pattern)
            if gic.distRead(offset) != orig { return false }
        }
        return true
    }

    @Test("gicv2-mmio passes for 1, 3 and 8 vCPUs", arguments: [1, 3, 8])
    func gicv2MMIO(cpus: Int) throws {
        let gic = try makeGICv2(vcpus: cpus, interrupts: 288)
        let typer = gic.distRead(D2.typer)
        let nrIRQs = UInt64(((typer & 0x1F) + 1) * 32)
        #expect(Int((typer >> 5) & 7) + 1 == cpus, "all CPUs have interrupts")
        #expect(readOnly32(gic, D2.typer, razwi: false), "GICD_TYPER is read-only")
        #expect(readOnly32(gic, D2.iidr, razwi: false), "GICD_IIDR is read-only")
        #expect(readOnly32(gic, D2.icpidr2, razwi: false), "ICPIDR2 is read-only")

        // test_priorities
        let firstSPI = D2.ipriorityr + 32
        gic.distWrite(firstSPI, 0xFFFF_FFFF)
        let priMask = UInt32(gic.distRead(firstSPI))
        let reg = ~priMask
        #expect((reg >> 16) == (reg & 0xFFFF) && (reg & 0xFF) == ((reg >> 8) & 0xFF), "consistent priority masking")
        var bits = 8, low = reg & 0xFF
        while low & 1 != 0 { bits -= 1; low >>= 1 }
        #expect(bits >= 4, "implements at least 4 priority bits")
        gic.distWrite(firstSPI, 0)
        #expect(gic.distRead(firstSPI) == 0, "clearing priorities")
        #expect(readOnly32(gic, D2.ipriorityr + nrIRQs, razwi: true), "accesses beyond limit RAZ/WI")
        gic.distWrite(D2.ipriorityr + nrIRQs - 4, 0)
        #expect(gic.distRead(D2.ipriorityr + nrIRQs - 4) == 0, "accessing last SPIs")
        var pattern: UInt32 = 0xFF7F_BF3F
        gic.distWrite(firstSPI, UInt64(pattern))
        #expect(UInt32(gic.distRead(firstSPI)) == pattern & priMask, "priorities are preserved")
        byteAccess(gic, firstSPI, pattern: pattern, mask: priMask)

        // test_targets
        var cpuMask: UInt32 = (1 << UInt32(cpus)) - 1
        cpuMask |= cpuMask << 8
        cpuMask |= cpuMask << 16
        let targets = D2.itargetsr + 32
        if cpus < 8 {
            gic.distWrite(targets, 0xFFFF_FFFF)
            #expect(UInt32(gic.distRead(targets)) & ~cpuMask == 0, "bits for non-existent CPUs masked")
        }
        #expect(readOnly32(gic, D2.itargetsr + nrIRQs, razwi: true), "accesses beyond limit RAZ/WI")
        pattern = 0x0103_020F
        gic.distWrite(targets, UInt64(pattern))
        #expect(UInt32(gic.distRead(targets)) == pattern & cpuMask, "register content preserved")
        byteAccess(gic, targets, pattern: pattern, mask: cpuMask)
    }

    /// test_byte_access()
    func byteAccess(_ gic: InterruptController, _ base: UInt64, pattern: UInt32, mask: UInt32) {
        let byte1 = UInt32(gic.distRead(base + 1, size: 1))
        #expect(byte1 == ((pattern >> 8) & 0xFF) & (mask >> 8), "byte reads successful")
        let replaced = (pattern & ~(0xFF << 16)) | (0x1F << 16)
        gic.distWrite(base + 2, 0x1F, size: 1)
        #expect(UInt32(gic.distRead(base)) == replaced & mask, "byte writes successful")
    }

    // MARK: ipi and active

    struct Stats {
        var acked: [Int]
        var sender: [Int]
        var number: [Int]
        init(_ n: Int) {
            acked = Array(repeating: 0, count: n)
            sender = Array(repeating: -1, count: n)
            number = Array(repeating: -1, count: n)
        }
    }

    /// Runs IRQ handlers until no vCPU's IRQ output is high.
    func deliver(_ gic: InterruptController, _ stats: inout Stats, handler: (Int, inout Stats) -> Void) {
        var rounds = 0
        while let vcpu = (0..<gic.vcpuCount).first(where: { gic.irq($0) }), rounds < 1000 {
            handler(vcpu, &stats)
            rounds += 1
        }
    }

    /// irq_handler(): acknowledge, EOI, record.
    func ipiHandler(_ gic: InterruptController) -> (Int, inout Stats) -> Void {
        { vcpu, stats in
            let irqstat: UInt64
            if gic.version == .v2 {
                irqstat = gic.cpuRead(C2.iar, vcpu: vcpu)
            } else {
                irqstat = gic.sysRead(ICCRegister.iar1, vcpu: vcpu) ?? 1023
            }
            let irqnr = gic.version == .v2 ? irqstat & 0x3FF : irqstat & 0xFF_FFFF
            guard irqnr != 1023 else { return }
            if gic.version == .v2 {
                gic.cpuWrite(C2.eoir, irqstat, vcpu: vcpu)
            } else {
                gic.sysWrite(ICCRegister.eoir1, irqstat, vcpu: vcpu)
            }
            stats.sender[vcpu] = gic.version == .v2 ? Int((irqstat >> 10) & 7) : -1
            stats.number[vcpu] = Int(irqnr)
            stats.acked[vcpu] += 1
        }
    }

    /// check_acked(): exactly the CPUs in `mask` took IPI 1 once, from `sender` (GICv2).
    func checkAcked(_ stats: Stats, mask: Set<Int>, sender: Int, v2: Bool) {
        for cpu in stats.acked.indices {
            #expect(stats.acked[cpu] == (mask.contains(cpu) ? 1 : 0), "cpu\(cpu) acks")
            if stats.acked[cpu] > 0 {
                if v2 { #expect(stats.sender[cpu] == sender) }
                #expect(stats.number[cpu] == 1)
            }
        }
    }

    /// gicv3_ipi_send_mask(): one SGI1R write per cluster of MPIDRs differing only in Aff0.
    func gicv3SendMask(_ gic: InterruptController, irq: UInt64, mask: [Int], from vcpu: Int) {
        var i = 0
        let sorted = mask.sorted()
        while i < sorted.count {
            let cluster = UInt64(InterruptController.defaultAffinity(vcpu: sorted[i])) & ~0xFF
            var tlist: UInt64 = 0
            while i < sorted.count, UInt64(InterruptController.defaultAffinity(vcpu: sorted[i])) & ~0xFF == cluster {
                tlist |= 1 << (UInt64(InterruptController.defaultAffinity(vcpu: sorted[i])) & 0xF)
                i += 1
            }
            let aff1 = (cluster >> 8) & 0xFF, aff2 = (cluster >> 16) & 0xFF, aff3 = (cluster >> 24) & 0xFF
            gic.sysWrite(ICCRegister.sgi1r, aff3 << 48 | aff2 << 32 | irq << 24 | aff1 << 16 | tlist, vcpu: vcpu)
        }
    }

    @Test("gicv2-ipi and gicv3-ipi: self, target-list and broadcast",
          arguments: [(InterruptController.Version.v2, 2), (.v2, 3), (.v2, 8), (.v3, 2), (.v3, 5), (.v3, 16)])
    func ipi(version: InterruptController.Version, cpus: Int) throws {
        let gic = version == .v2 ? try makeGICv2(vcpus: cpus) : try makeGICv3(vcpus: cpus)
        let v2 = version == .v2
        let sender = 1
        let handler = ipiHandler(gic)

        // self
        var stats = Stats(cpus)
        if v2 { gic.distWrite(D2.sgir, 2 << 24 | 1, vcpu: sender) } else { gicv3SendMask(gic, irq: 1, mask: [sender], from: sender) }
        deliver(gic, &stats, handler: handler)
        checkAcked(stats, mask: [sender], sender: sender, v2: v2)

        // target-list: every other CPU, starting with the parity the sender does not have
        let targets = (0..<cpus).filter { $0 % 2 != sender % 2 }
        stats = Stats(cpus)
        if v2 {
            let tlist = targets.reduce(UInt64(0)) { $0 | 1 << UInt64($1) }
            gic.distWrite(D2.sgir, tlist << 16 | 1, vcpu: sender)
        } else {
            gicv3SendMask(gic, irq: 1, mask: targets, from: sender)
        }
        deliver(gic, &stats, handler: handler)
        checkAcked(stats, mask: Set(targets), sender: sender, v2: v2)

        // broadcast
        stats = Stats(cpus)
        if v2 { gic.distWrite(D2.sgir, 1 << 24 | 1, vcpu: sender) } else { gic.sysWrite(ICCRegister.sgi1r, 1 << 40 | 1 << 24, vcpu: sender) }
        deliver(gic, &stats, handler: handler)
        checkAcked(stats, mask: Set((0..<cpus).filter { $0 != sender }), sender: sender, v2: v2)
    }

    @Test("gicv2-active and gicv3-active: the handler clears the active state instead of EOI",
          arguments: [InterruptController.Version.v2, .v3])
    func active(version: InterruptController.Version) throws {
        let gic = version == .v2 ? try makeGICv2(vcpus: 4) : try makeGICv3(vcpus: 4)
        let cpu = 0
        var stats = Stats(4)
        if version == .v2 { gic.distWrite(D2.sgir, 2 << 24 | 1, vcpu: cpu) } else { gicv3SendMask(gic, irq: 1, mask: [cpu], from: cpu) }
        deliver(gic, &stats) { vcpu, stats in
            let irqstat = version == .v2 ? gic.cpuRead(C2.iar, vcpu: vcpu) : (gic.sysRead(ICCRegister.iar1, vcpu: vcpu) ?? 1023)
            let irqnr = irqstat & 0x3FF
            guard irqnr != 1023 else { return }
            if version == .v2 {
                gic.distWrite(D2.icactiver, 1 << 1, vcpu: vcpu)
            } else {
                gic.redistWrite(InterruptController.sgiBase(vcpu) + 0x0380, 1 << 1)
            }
            stats.number[vcpu] = Int(irqnr)
            stats.acked[vcpu] += 1
        }
        #expect(stats.acked == [1, 0, 0, 0])
        #expect(stats.number[0] == 1)
    }
}
