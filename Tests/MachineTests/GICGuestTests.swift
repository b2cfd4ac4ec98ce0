import Testing
@testable import Machine

/// Guest programs (guests/gic/) that drive the virtual GIC the way an operating system does, each
/// run on the whole board with GICv2 and with GICv3: the same C source, built for either.
struct GICGuestTests {
    static let common = ["gic/gicx.c"]

    /// Runs a GIC guest built for `gic` on a board with that GIC and `vcpus` vCPUs.
    func run(_ sources: [String], gic: VMConfiguration.GICVersion, vcpus: Int = 1,
             clock: VMConfiguration.ClockMode = .host, defines: [String] = []) throws -> BoardGuestRun {
        let versionDefines = gic == .v3 ? ["GIC_V3=1"] : []
        return try runOnBoard(sources + Self.common, defines: defines + versionDefines, timeoutSeconds: 60) {
            $0.gicVersion = gic
            $0.vcpuCount = vcpus
            $0.clock = clock
        }
    }

    /// With the host clock every vCPU is a thread; with the deterministic clock one thread runs
    /// them in turn, so a vCPU spinning on another's progress must still let it run.
    @Test(arguments: [VMConfiguration.GICVersion.v2, .v3], [(2, VMConfiguration.ClockMode.host), (4, .host), (4, .deterministic)])
    func everyVCPUSendsAnSGIToEveryOther(gic: VMConfiguration.GICVersion, run setup: (vcpus: Int, clock: VMConfiguration.ClockMode)) throws {
        let vcpus = setup.vcpus
        let result = try run(["gic/ipi.c", "gic/secondary.S", "gic/secondary.c"], gic: gic, vcpus: vcpus,
                             clock: setup.clock, defines: ["NCPUS=\(vcpus)"])
        #expect(result.verdict == "PASS", "\(result.output)")
        #expect(result.exit == .systemOff)
        #expect(result.output.contains("\(vcpus) vCPUs exchanged \(vcpus * (vcpus - 1) * 3) SGIs"))
        // GICv2 keeps an SGI pending per source; GICv3 merges the senders' SGIs into one.
        let acknowledged = gic == .v2 ? vcpus : 1
        #expect(result.output.contains("SGI 0 from \(vcpus) sources acknowledged \(acknowledged) times"))
    }

    /// A secondary in `1: yield; yield; b 1b` takes each SGI once and leaves the loop only
    /// through its handler. With the host clock the loop is reported and the vCPU thread
    /// blocks in it between SGIs (they are 2 ms apart, ten poll windows); a
    /// deterministic clock runs the loop as written.
    @Test(arguments: [VMConfiguration.GICVersion.v2, .v3], [VMConfiguration.ClockMode.host, .deterministic])
    func anIdleLoopWaitsForItsInterrupt(gic: VMConfiguration.GICVersion, clock: VMConfiguration.ClockMode) throws {
        let result = try run(["gic/idle_loop.c", "gic/secondary.S", "gic/secondary.c"], gic: gic, vcpus: 2,
                             clock: clock)
        #expect(result.verdict == "PASS", "\(result.output)")
        #expect(result.exit == .systemOff)
        #expect(result.output.contains("4 SGIs woke an idle loop"))
        if clock == .host {
            // The loop is entered once, then once after each of the first three SGIs, and once
            // more as `while (1) {}` after the last (at least five; the vCPU may also be sent
            // back by a signal during a poll).
            #expect(result.statistics.exits(.idleLoop) >= 5, "\(result.statistics.exits(.idleLoop)) idle-loop exits")
            #expect(result.statistics.idleLoopWaits >= 4, "\(result.statistics.idleLoopWaits) waits")
            // `armvm run --stats` shows both.
            let report = result.statistics.report
            #expect(report.contains("idle loop              \(result.statistics.exits(.idleLoop))\n"), "\(report)")
            #expect(report.contains("idle loops waited out: \(result.statistics.idleLoopWaits)"), "\(report)")
        } else {
            #expect(result.statistics.exits(.idleLoop) == 0)
            #expect(result.statistics.idleLoopWaits == 0)
        }
    }

    @Test(arguments: [VMConfiguration.GICVersion.v2, .v3])
    func aPPIGoesPendingActiveAndInactiveWithSplitEOI(gic: VMConfiguration.GICVersion) throws {
        let result = try run(["gic/ppi_states.c"], gic: gic)
        #expect(result.verdict == "PASS", "\(result.output)")
        #expect(result.exit == .systemOff)
    }

    @Test(arguments: [VMConfiguration.GICVersion.v2, .v3])
    func theVirtualTimersLevelSensitivePPIStaysPendingWhileActive(gic: VMConfiguration.GICVersion) throws {
        let result = try run(["gic/ppi_timer.c"], gic: gic)
        #expect(result.verdict == "PASS", "\(result.output)")
        #expect(result.exit == .systemOff)
    }

    @Test(arguments: [VMConfiguration.GICVersion.v2, .v3])
    func priorityPreemptionMaskAndBinaryPoint(gic: VMConfiguration.GICVersion) throws {
        let result = try run(["gic/priority.c"], gic: gic)
        #expect(result.verdict == "PASS", "\(result.output)")
        #expect(result.exit == .systemOff)
    }
}
