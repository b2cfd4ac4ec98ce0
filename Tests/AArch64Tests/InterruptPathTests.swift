// The CPU records where an interrupt handler ran, and prefetching that record changes nothing.
import Testing
@testable import AArch64

@Suite struct InterruptPathTests {
    /// IRQ entry starts a record with the handler's stack pointer; each block the handler
    /// enters (the vector, then a handler in another page) is recorded; ERET ends the record.
    @Test func anIRQHandlersBlocksAreRecordedUntilERET() {
        let rig = SystemTestRig()
        let cpu = rig.cpu
        let handler = SystemTestRig.vectors + 0x2000
        let vector = SystemTestRig.vectors + 0x280
        rig.place([0x1400_0000 | UInt32((handler - vector) / 4)], at: vector) // b handler
        rig.place([A64.nop, A64.eret], at: handler)
        rig.place([A64.nop, A64.nop])
        cpu.setPSTATE(0x345 & ~0x80) // EL1h, I clear
        cpu.spEL1 = 0x4001_0000
        cpu.signals.setIRQ(true)
        #expect(cpu.run(budget: 3) == .budgetExhausted) // entry, b, nop, eret
        let path = cpu.interruptPath
        #expect(!path.recording)
        #expect(path.stackPointer == 0x4001_0000)
        #expect(Array(UnsafeBufferPointer(start: path.entries, count: path.count)) == [vector, handler])
    }

    /// Prefetching names only host memory the TLB maps, for any record (stale addresses, an
    /// SP of 0 or at a page boundary), and leaves the architectural state alone.
    @Test(arguments: [UInt64(0), 0x4001_0000, 0x4000_1000, 0xFFFF_FFFF_FFFF_FFF0])
    func prefetchingTheRecordChangesNoState(stackPointer: UInt64) {
        let rig = SystemTestRig()
        let cpu = rig.cpu
        rig.place([A64.nop, A64.nop])
        _ = cpu.run(budget: 2) // fills a TLB entry for the code page
        cpu.interruptPath.begin(stackPointer: stackPointer)
        for pc: UInt64 in [SystemTestRig.code, SystemTestRig.code + 0xFFC, 0xDEAD_BEEF_0000, 0xFFFF_FFFF_FFFF_FFFC] {
            cpu.interruptPath.record(pc)
        }
        cpu.interruptPath.recording = false
        let before = (cpu.pc, cpu.pstate, (0..<34).map { cpu.regs[$0] }, rig.word(at: SystemTestRig.code))
        cpu.prefetchInterruptPath()
        #expect(cpu.pc == before.0 && cpu.pstate == before.1)
        #expect((0..<34).map { cpu.regs[$0] } == before.2)
        #expect(rig.word(at: SystemTestRig.code) == before.3)
    }
}
