import Testing
import TestSupport

/// The guest toolchain and the bare-metal rig themselves: output capture, the SYSTEM_OFF stop,
/// a budget that stops a guest that never ends, and errors that carry the tool's output.
@Suite struct GuestRigTests {
    @Test func runtimePrintfAndPassReachTheUART() throws {
        let output = try BareMetalRig.runGuest(["fixtures/hello.c"])
        #expect(output == "d=-42 u=42 x=beef lx=123456789abcdef s=str c=Z pad=0000001f neg=-5\nPASS\n")
        #expect(guestVerdict(output) == "PASS")
    }

    @Test func aFailedCheckEndsTheGuestWithFAIL() throws {
        let output = try BareMetalRig.runGuest(["fixtures/check_fails.c"])
        let verdict = guestVerdict(output)
        #expect(verdict.hasPrefix("FAIL: "))
        #expect(verdict.hasSuffix("two + 1 = 0x3, expected 0x4"))
        #expect(!output.contains("not reached"))
    }

    @Test func aGuestThatNeverPowersOffIsStoppedByTheBudget() throws {
        let image = try GuestBuilder.build(["fixtures/spin.c"])
        let rig = BareMetalRig()
        try rig.load(image)
        #expect {
            _ = try rig.run(maxInstructions: 200_000)
        } throws: { error in
            guard case let GuestRunError.budgetExceeded(instructions, _, output) = error else { return false }
            return instructions >= 200_000 && output == "spinning\n"
        }
    }

    @Test func aPSCICallTheRigDoesNotServeIsAnError() throws {
        #expect {
            _ = try BareMetalRig.runGuest(["fixtures/psci_version.c"])
        } throws: { error in
            guard case let GuestRunError.unexpectedExit(what, _, output) = error else { return false }
            return what.contains("0x84000000") && output == "calling PSCI_VERSION\n"
        }
    }

    @Test func aCompileErrorCarriesTheCompilerOutput() {
        #expect {
            _ = try GuestBuilder.build(["fixtures/does_not_compile.c"])
        } throws: { error in
            guard case let GuestBuildError.toolFailed(_, output) = error else { return false }
            return output.contains("this_identifier_is_not_declared")
        }
    }

    @Test func aMissingSourceIsReported() {
        #expect(throws: GuestBuildError.self) {
            _ = try GuestBuilder.build(["fixtures/no_such_file.c"])
        }
    }
}
