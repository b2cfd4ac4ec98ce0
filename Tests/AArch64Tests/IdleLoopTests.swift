import Testing
@testable import AArch64

// Idle loops (`VCPUExit.idleLoop`): a B back into NOPs and YIELDs only is reported once it
// runs, with the PC at the loop's start; anything that can see the outside world in the loop
// (a load, a system-register read), a loop that leaves its page, a pending signal or a CPU
// that does not report idle loops keeps the plain branch.

private let nop: UInt32 = 0xD503_201F
private let yield: UInt32 = 0xD503_203F
/// `b .` and B back by 4, 8 and 64 bytes.
private let branchToSelf: UInt32 = 0x1400_0000
private let branchBack4: UInt32 = 0x17FF_FFFF
private let branchBack8: UInt32 = 0x17FF_FFFE
private let branchBack64: UInt32 = 0x17FF_FFF0
/// B back by 68 bytes: one instruction beyond the longest loop recognised.
private let branchBack68: UInt32 = 0x17FF_FFEF
/// `ldr x1, [x2]`.
private let loadX1: UInt32 = 0xF940_0041

@Suite struct IdleLoopTests {
    private func rig(_ program: [UInt32], at address: UInt64 = CPUTestRig.ramBase + 0x1000,
                     reporting: Bool = true) -> CPUTestRig {
        let rig = CPUTestRig()
        rig.load(program, at: address)
        rig.cpu.pc = address
        rig.cpu.reportsIdleLoops = reporting
        rig.set([2: CPUTestRig.ramBase])
        return rig
    }

    @Test("the loops of kvm-unit-tests, firmware and a 16-instruction hint run are reported",
          arguments: [
              [branchToSelf],
              [yield, branchBack4],
              [yield, yield, branchBack8],
              [nop, yield, branchBack8],
              Array(repeating: nop, count: 16) + [branchBack64],
          ])
    func reported(_ program: [UInt32]) {
        let start = CPUTestRig.ramBase + 0x1000
        let rig = rig(program, at: start)
        #expect(rig.run(1_000) == .idleLoop)
        #expect(rig.cpu.pc == start)
        // The loop ran once, B included, before it was reported.
        #expect(rig.cpu.instructionsRetired == UInt64(program.count))
    }

    @Test("a loop that reads memory, is too long, or whose hints are not all NOP/YIELD spins on",
          arguments: [
              [loadX1, yield, branchBack8],
              Array(repeating: nop, count: 17) + [branchBack68],
              [0xD503_3FDF /* isb */, branchBack4],
              [0xD53B_E041 /* mrs x1, cntvct_el0 */, branchBack4],
          ])
    func notReported(_ program: [UInt32]) {
        let rig = rig(program)
        #expect(rig.run(1_000) == .budgetExhausted)
    }

    @Test func aCPUThatDoesNotReportIdleLoopsSpins() {
        let start = CPUTestRig.ramBase + 0x1000
        let rig = rig([yield, yield, branchBack8], at: start, reporting: false)
        #expect(rig.run(999) == .budgetExhausted)
        #expect(rig.cpu.pc == start)
        #expect(rig.cpu.instructionsRetired == 999)
    }

    @Test func aLoopAcrossAPageBoundaryIsNotReported() {
        // The YIELD is the last word of one page, the B the first of the next.
        let rig = rig([yield, branchBack4], at: CPUTestRig.ramBase + 0x1FFC)
        #expect(rig.run(1_000) == .budgetExhausted)
    }

    @Test func aPendingSignalKeepsTheLoopRunning() {
        // A masked IRQ stays pending: reporting the loop would only have the VMM send the vCPU
        // straight back. (PSTATE.I is set out of reset.)
        let rig = rig([yield, branchBack4])
        rig.cpu.signals.setIRQ(true)
        #expect(rig.run(1_000) == .budgetExhausted)
        rig.cpu.signals.setIRQ(false)
        #expect(rig.run(1_000) == .idleLoop)
    }

    @Test func hintsRewrittenUnderAnUnchangedBranchAreSeen() {
        // The decode cache keys on the B's word alone: the check must read the loop each time.
        let start = CPUTestRig.ramBase + 0x1000
        let rig = rig([yield, branchBack4], at: start)
        #expect(rig.run(1_000) == .idleLoop)
        rig.load([loadX1], at: start)
        #expect(rig.run(1_000) == .budgetExhausted)
    }
}
