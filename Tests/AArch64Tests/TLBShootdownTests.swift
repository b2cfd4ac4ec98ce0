// Broadcast TLB maintenance: TLBI ...IS on one vCPU reaches the other vCPUs of its CPUGroup.
import Testing
@testable import AArch64

struct TLBIBroadcastCase: Sendable, CustomStringConvertible {
    let name: String
    let instruction: UInt32
    let reachesOtherCPU: Bool
    var description: String { name }
}

@Test(arguments: [
    TLBIBroadcastCase(name: "TLBI VMALLE1IS", instruction: 0xD508_831F, reachesOtherCPU: true),
    TLBIBroadcastCase(name: "TLBI VAE1IS, X3", instruction: 0xD508_8323, reachesOtherCPU: true),
    TLBIBroadcastCase(name: "TLBI ASIDE1IS, X3", instruction: 0xD508_8343, reachesOtherCPU: true),
    TLBIBroadcastCase(name: "TLBI VAALE1IS, X3", instruction: 0xD508_83E3, reachesOtherCPU: true),
    TLBIBroadcastCase(name: "TLBI VMALLE1 (local)", instruction: 0xD508_871F, reachesOtherCPU: false),
])
func innerShareableTLBIReachesTheOtherCPU(_ c: TLBIBroadcastCase) {
    // CPU A (the rig's) and CPU B share RAM, page tables and one group.
    var m = executingMMURig()
    m.low.map(pageVA, to: dataArea)
    m.rig.write64(dataArea, 0xA)
    m.rig.write64(dataArea + 0x1000, 0xB)
    let a = m.cpu
    let b = CPU(id: 1, bus: m.rig.bus)
    b.sys.tcr = a.sys.tcr
    b.sys.ttbr0 = a.sys.ttbr0
    b.sys.ttbr1 = a.sys.ttbr1
    b.sys.mair = a.sys.mair
    b.sys.sctlr = a.sys.sctlr
    let group = CPUGroup()
    a.join(group)
    b.join(group)
    #expect(group.count == 2)

    // B caches the translation of pageVA: ldr x1, [x2] at RAM + 0x100.
    let bCode = MemoryTestRig.ramBase + 0x100
    m.rig.write32(bCode, 0xF940_0041)
    m.rig.write32(bCode + 4, 0xF940_0041)
    b.regs[2] = pageVA
    b.pc = bCode
    _ = b.run(budget: 1)
    #expect(b.regs[1] == 0xA)

    // The page moves; A invalidates.
    m.low.map(pageVA, to: dataArea + 0x1000)
    a.regs[3] = pageVA >> 12
    m.rig.execute([c.instruction])
    #expect(m.rig.lastSyndrome == nil)
    #expect(a.pc == MemoryTestRig.ramBase + 4)

    // B's next load sees the new mapping only if the invalidation reached it.
    #expect((b.signals.pending & InterruptSignals.tlbFlush != 0) == c.reachesOtherCPU)
    _ = b.run(budget: 1)
    #expect(b.regs[1] == (c.reachesOtherCPU ? 0xB : 0xA))
    #expect(b.signals.pending & InterruptSignals.tlbFlush == 0)
    // A flushed itself in every case, and a broadcast does not come back to its sender.
    #expect(m.read(pageVA) == 0xB)
    #expect(a.signals.pending & InterruptSignals.tlbFlush == 0)
}

@Test func joiningAnotherGroupLeavesTheFirst() {
    let bus = PhysicalBus(ramBase: MemoryTestRig.ramBase, ramSize: 0x10_0000)
    let cpu = CPU(id: 0, bus: bus)
    let first = cpu.group
    #expect(first.count == 1)
    let vm = CPUGroup()
    cpu.join(vm)
    cpu.join(vm)
    #expect(first.count == 0)
    #expect(vm.count == 1)
    #expect(cpu.group === vm)
}
