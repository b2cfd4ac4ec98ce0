import Testing
import TestSupport

/// CPU guest programs (guests/cpu/) on the bare rig: each prints "PASS" as its last line when
/// every check inside it held, or "FAIL: file:line: what" otherwise.
@Suite struct GuestCPUTests {
    /// Runs a guest and returns its verdict line, recording the whole output on failure.
    private func verdict(_ sources: [String], defines: [String] = []) -> String {
        do {
            let output = try BareMetalRig.runGuest(sources, defines: defines)
            let line = guestVerdict(output)
            if line != "PASS" { Issue.record("guest output:\n\(output)") }
            return line
        } catch {
            return "error: \(error)"
        }
    }

    @Test func runtimeBuildsAndLinks() throws {
        let image = try GuestBuilder.build(["cpu/svc_el0.c"])
        #expect(image.loadAddress == 0x4000_0000)
        // The first instruction is start.S's `ldr x0, =__stack_top` (LDR literal, 64-bit, x0).
        let first = UInt32(image.bytes[0]) | UInt32(image.bytes[1]) << 8
            | UInt32(image.bytes[2]) << 16 | UInt32(image.bytes[3]) << 24
        #expect(first & 0xFF00_001F == 0x5800_0000)
    }

    @Test func svcFromEL1AndEL0RoundTrips() {
        #expect(verdict(["cpu/svc_el0.c"]) == "PASS")
    }

    @Test func undefinedInstructionTakesECZeroWithELRAtTheInstruction() {
        #expect(verdict(["cpu/undefined.c"]) == "PASS")
    }

    @Test func nestedExceptionsAndERETRestoreTheInterruptedState() {
        #expect(verdict(["cpu/nested.c"]) == "PASS")
    }

    @Test func dataAbortReportsTranslationFaultLevelAndFAR() {
        #expect(verdict(["cpu/data_abort.c", "cpu/mmu.c"]) == "PASS")
    }

    @Test func el0AndUnprivilegedAccessesFollowTheAccessPermissions() {
        #expect(verdict(["cpu/el0_mmu.c", "cpu/mmu.c"]) == "PASS")
    }

    @Test func upperAddressRangeThroughTTBR1RunsCodeAndData() {
        #expect(verdict(["cpu/mmu_ttbr1.c", "cpu/mmu.c"]) == "PASS")
    }

    @Test(arguments: [4, 16, 64])
    func mmuOnWithGranule(kilobytes: Int) {
        #expect(verdict(["cpu/mmu_granule.c", "cpu/mmu.c"], defines: ["GRANULE_KB=\(kilobytes)"]) == "PASS")
    }
}
