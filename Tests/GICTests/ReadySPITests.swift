import Testing
@testable import GIC

/// `GICState.readySPIs` (one bit per enabled, pending, inactive SPI) must always agree with the
/// SPIs themselves: the selection of every CPU interface trusts it instead of scanning.
@Suite struct ReadySPITests {
    /// The SPIs that could be taken, found the slow way.
    static func bruteForce(_ s: GICState) -> [Int32] {
        let group0 = s.distributorGroupEnabled(group1: false), group1 = s.distributorGroupEnabled(group1: true)
        return s.sharedInterrupts.indices.compactMap { index in
            let irq = s.sharedInterrupts[index]
            return irq.enabled && irq.pending && !irq.active && (irq.group1 ? group1 : group0) ? Int32(index) : nil
        }
    }

    @Test func followsEveryChangeMadeThroughTheSubscript() {
        var s = GICState(version: .v3, cpuCount: 2, interruptCount: 288, affinities: [0, 1])
        s.distributorControl = 0b11
        #expect(s.spiCandidates().isEmpty)
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            let intid = Int.random(in: 32..<288, using: &generator)
            var irq = s[intid, 0]
            switch Int.random(in: 0..<6, using: &generator) {
            case 0: irq.enabled.toggle()
            case 1: irq.latch.toggle()
            case 2: irq.line.toggle()
            case 3: irq.active.toggle()
            case 4: irq.edge.toggle()
            default: irq.group1.toggle()
            }
            s[intid, 0] = irq
            if Int.random(in: 0..<50, using: &generator) == 0 {
                s.distributorControl = UInt32.random(in: 0...3, using: &generator)
            }
            #expect(s.spiCandidates() == Self.bruteForce(s))
        }
    }

    @Test func aLevelSPIIsReadyWhileItsLineIsHighAndItIsNotActive() {
        var s = GICState(version: .v2, cpuCount: 1, interruptCount: 288, affinities: [0])
        s.distributorControl = 0b01
        s[100, 0].enabled = true
        #expect(s.spiCandidates().isEmpty)
        _ = s.setLine(intid: 100, cpu: 0, level: true)
        #expect(s.spiCandidates() == [68])
        s[100, 0].active = true
        #expect(s.spiCandidates().isEmpty)
        s[100, 0].active = false
        #expect(s.spiCandidates() == [68])
        _ = s.setLine(intid: 100, cpu: 0, level: false)
        #expect(s.spiCandidates().isEmpty)
    }
}
