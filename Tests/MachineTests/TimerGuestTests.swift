import AArch64
import GenericTimer
import Testing
import TestSupport
@testable import Machine

/// The guest programs of guests/timer/ (issue 6): both EL1 timers seen from inside a guest on the
/// whole 'virt' board: through the GIC, waking WFI, at EL0, on several vCPUs, with the physical
/// timer absent, in deterministic time, and across a save and restore.
struct TimerGuestTests {
    static let gics: [VMConfiguration.GICVersion] = [.v2, .v3]
    static let clocks: [VMConfiguration.ClockMode] = [.host, .deterministic]

    /// Every register of the two timers and the counters: what "no timer trap" means.
    static let timerRegisters: [SystemRegister] = [
        .CNTFRQ_EL0, .CNTPCT_EL0, .CNTVCT_EL0, .CNTKCTL_EL1,
        .CNTP_CTL_EL0, .CNTP_CVAL_EL0, .CNTP_TVAL_EL0,
        .CNTV_CTL_EL0, .CNTV_CVAL_EL0, .CNTV_TVAL_EL0,
    ]

    static func run(_ program: String, gic: VMConfiguration.GICVersion = .v3,
                    clock: VMConfiguration.ClockMode = .host, defines: [String] = [],
                    configure: (inout VMConfiguration) -> Void = { _ in }) throws -> BoardGuestRun {
        let gicDefine = gic == .v2 ? "GIC_VERSION=2" : "GIC_VERSION=3"
        return try runOnBoard(["timer/\(program)", "timer/tlib.c"], defines: [gicDefine] + defines,
                              timeoutSeconds: 60) { configuration in
            configuration.gicVersion = gic
            configuration.clock = clock
            configure(&configuration)
        }
    }

    /// The numbers printed after `prefix` on the first line containing it.
    static func numbers(after prefix: String, in text: String) -> [UInt64] {
        guard let line = text.split(separator: "\n").first(where: { $0.contains(prefix) }),
              let range = line.range(of: prefix) else { return [] }
        return line[range.upperBound...].split(whereSeparator: { !$0.isNumber }).compactMap { UInt64($0) }
    }

    // MARK: 1. Interrupts through the GIC

    /// INTID 30 and 27 reach the IRQ handler with ISTATUS set; IMASK and ENABLE drop the line
    /// (the GIC pending bit clears); a level still asserted after EOI is pending again.
    @Test(arguments: gics, clocks)
    func bothTimersInterruptThroughTheGIC(gic: VMConfiguration.GICVersion, clock: VMConfiguration.ClockMode) throws {
        let run = try Self.run("irq.c", gic: gic, clock: clock)
        #expect(run.exit == .systemOff)
        #expect(run.verdict == "PASS", "\(run.output)")
        #expect(run.output.contains("physical timer: IRQ with INTID 30, ISTATUS set"))
        #expect(run.output.contains("virtual timer: IRQ with INTID 27, ISTATUS set"))
        #expect(run.output.contains("physical timer: level-sensitive PPI 30 pending again after EOI"))
        #expect(run.output.contains("virtual timer: level-sensitive PPI 27 pending again after EOI"))
    }

    // MARK: 2. WFI wakes with the earlier timer

    /// The earlier timer (5 ms) wakes WFI with its INTID, the later one (50 ms) second. With the
    /// host clock neither comes early and the first comes well before the second's deadline;
    /// with the deterministic clock the clock jumps exactly to each deadline.
    @Test(arguments: gics, clocks)
    func wfiWakesWithTheEarlierTimer(gic: VMConfiguration.GICVersion, clock: VMConfiguration.ClockMode) throws {
        for (first, firstINTID, secondINTID) in [(0, 30, 27), (1, 27, 30)] {
            let run = try Self.run("wfi.c", gic: gic, clock: clock, defines: ["FIRST=\(first)"])
            #expect(run.exit == .systemOff)
            #expect(run.verdict == "PASS", "\(run.output)")
            let wake1 = Self.numbers(after: "wake 1: INTID ", in: run.output)
            let wake2 = Self.numbers(after: "wake 2: INTID ", in: run.output)
            try #require(wake1.count == 3 && wake2.count == 3, "\(run.output)")
            // [INTID, microseconds since arming, ticks after the deadline]
            #expect(wake1[0] == UInt64(firstINTID))
            #expect(wake2[0] == UInt64(secondINTID))
            #expect(wake1[1] >= 5_000)
            #expect(wake2[1] >= 50_000)
            switch clock {
            case .host:
                #expect(wake1[1] < 50_000)
            case .deterministic:
                // Time jumps to the deadline; only the few instructions after WFI pass before
                // the guest reads the count (1 GHz counter: one instruction is one tick).
                #expect(wake1[1] == 5_000)
                #expect(wake2[1] == 50_000)
                #expect(wake1[2] < 200)
                #expect(wake2[2] < 200)
            }
        }
    }

    /// The vCPU's own thread watches its deadlines, running or in WFI: with the background
    /// timer's safety net pushed an hour past every deadline, a busy-polling vCPU still takes
    /// each interrupt, one polling the GIC (an exit every few instructions) sees the PPI
    /// pending (the bound is loose for loaded CI hosts; the figure that matters is
    /// `armvm bench`'s), and WFI still wakes with the earlier timer.
    @Test(arguments: gics)
    func theVCPUThreadMeetsItsOwnDeadlines(gic: VMConfiguration.GICVersion) throws {
        let hour: UInt64 = 3_600_000_000_000
        let busy = try Self.run("busy.c", gic: gic) { $0.backgroundTimerLateness = hour }
        #expect(busy.exit == .systemOff)
        #expect(busy.verdict == "PASS", "\(busy.output)")
        for name in ["physical", "virtual"] {
            let figures = Self.numbers(after: "\(name) timer, busy vCPU: ", in: busy.output)
            try #require(figures.count == 3, "\(busy.output)")
            #expect(figures[0] == 10)
            #expect(figures[1] < 20_000_000, "worst lateness \(figures[1]) ns")
            let polled = Self.numbers(after: "\(name) timer, polling the GIC: pending ", in: busy.output)
            try #require(polled.count == 1, "\(busy.output)")
            #expect(polled[0] < 20_000_000, "lateness \(polled[0]) ns")
        }
        // 22 deadlines (10 + 1 per timer); the raise path is warmed once per deadline at most,
        // and the guest's lateness checks above show that no warm-up raised a line early.
        #expect((1...22).contains(busy.statistics.timerWarmUps), "\(busy.statistics.timerWarmUps) warm-ups")
        let wfi = try Self.run("wfi.c", gic: gic, defines: ["FIRST=0"]) { $0.backgroundTimerLateness = hour }
        #expect(wfi.verdict == "PASS", "\(wfi.output)")
        let wake1 = Self.numbers(after: "wake 1: INTID ", in: wfi.output)
        try #require(wake1.count == 3, "\(wfi.output)")
        #expect(wake1[0] == 30 && wake1[1] < 50_000)
    }

    // MARK: 3. EL0 access control

    /// With its CNTKCTL_EL1 bit clear each counter and timer register traps from EL0 to EL1
    /// (EC 0x18, ISS naming the register, Rt and direction); with the bit set it works at EL0.
    @Test(arguments: gics)
    func el0AccessFollowsCNTKCTL(gic: VMConfiguration.GICVersion) throws {
        let run = try Self.run("el0.c", gic: gic)
        #expect(run.exit == .systemOff)
        #expect(run.verdict == "PASS", "\(run.output)")
        for name in ["CNTFRQ_EL0", "CNTPCT_EL0", "CNTVCT_EL0", "CNTP_TVAL_EL0", "CNTP_CTL_EL0",
                     "CNTP_CVAL_EL0", "CNTV_TVAL_EL0", "CNTV_CTL_EL0", "CNTV_CVAL_EL0"] {
            #expect(run.output.contains("\(name): traps with its CNTKCTL_EL1 bit clear, works at EL0"))
        }
    }

    // MARK: 4. Per-vCPU timers on 4 vCPUs

    /// Four vCPUs (secondaries started with PSCI CPU_ON) each arm both timers at distinct
    /// deadlines; each takes exactly its own INTID 30 and 27, none before its own deadline.
    @Test(arguments: gics, clocks)
    func eachVCPUGetsOnlyItsOwnTimerInterrupts(gic: VMConfiguration.GICVersion, clock: VMConfiguration.ClockMode) throws {
        let run = try Self.run("percpu.c", gic: gic, clock: clock) { $0.vcpuCount = 4 }
        #expect(run.exit == .systemOff)
        #expect(run.verdict == "PASS", "\(run.output)")
        for cpu in 0..<4 {
            let times = Self.numbers(after: "cpu \(cpu): ", in: run.output)
            // [30, physical µs, 27, virtual µs, 27, end µs] after the common base
            try #require(times.count == 6, "\(run.output)")
            #expect([times[0], times[2], times[4]] == [30, 27, 27])
            #expect(times[1] >= UInt64(4_000 * (cpu + 1)))
            #expect(times[3] >= UInt64(4_000 * (cpu + 1) + 2_000))
            #expect(times[5] >= 22_000)
            if clock == .deterministic {
                // Each of these deadlines is the only one at its time: the clock jumps to it
                // while every vCPU waits. (The common end time wakes all four at once, so
                // which runs first, and how long, is up to the scheduler: no exact value.)
                #expect(times[1] == UInt64(4_000 * (cpu + 1)))
                #expect(times[3] == UInt64(4_000 * (cpu + 1) + 2_000))
            }
        }
    }

    // MARK: 5. --ptimer absent / emulated, and trap counts

    /// Absent, CNTP_* is UNDEFINED in the guest (EC 0), at EL1 and at EL0, while the virtual
    /// timer works; emulated, the same accesses work. Either way each CNTP_* access that gets
    /// past CNTKCTL_EL1 is one trap to the VMM, and the virtual timer causes none.
    @Test(arguments: gics, VMConfiguration.PhysicalTimerMode.allCases)
    func physicalTimerAbsentOrEmulated(gic: VMConfiguration.GICVersion, mode: VMConfiguration.PhysicalTimerMode) throws {
        let run = try Self.run("ptimer.c", gic: gic, defines: ["PTIMER_ABSENT=\(mode == .absent ? 1 : 0)"]) {
            $0.physicalTimer = mode
        }
        #expect(run.exit == .systemOff)
        #expect(run.verdict == "PASS", "\(run.output)")
        #expect(run.output.contains(mode == .absent ? "CNTP_* accesses are UNDEFINED" : "CNTP_* accesses work"))
        #expect(run.output.contains("virtual timer interrupt taken"))
        #expect(run.output.contains(mode == .absent
            ? "EL0: CNTP_CTL_EL0 traps to EL1 with EL0PTEN clear, UNDEFINED with it set"
            : "EL0: CNTP_CTL_EL0 traps to EL1 with EL0PTEN clear, works with it set"))
        let traps = run.statistics.trappedRegisters
        // 5 at EL1, and 1 at EL0 with EL0PTEN set (with it clear the access traps to EL1 first).
        #expect(traps[.CNTP_CTL_EL0] == 6)
        #expect(traps[.CNTP_CVAL_EL0] == 2)
        #expect(traps[.CNTP_TVAL_EL0] == 2)
        for register in [SystemRegister.CNTV_CTL_EL0, .CNTV_CVAL_EL0, .CNTV_TVAL_EL0, .CNTVCT_EL0, .CNTPCT_EL0] {
            #expect(traps[register] == nil, "\(register)")
        }
    }

    /// A guest using only the virtual timer and counter causes no timer trap at all.
    @Test(arguments: gics, clocks)
    func virtualTimerAloneCausesNoTraps(gic: VMConfiguration.GICVersion, clock: VMConfiguration.ClockMode) throws {
        let run = try Self.run("vonly.c", gic: gic, clock: clock)
        #expect(run.exit == .systemOff)
        #expect(run.verdict == "PASS", "\(run.output)")
        for register in Self.timerRegisters {
            #expect(run.statistics.trappedRegisters[register] == nil, "\(register)")
        }
    }

    // MARK: 6. Deterministic time is reproducible

    /// Two deterministic runs of the same guest print byte-identical output: counter values and
    /// interrupt times on one vCPU, and the interrupt times of four vCPUs.
    @Test(arguments: gics)
    func deterministicRunsAreIdentical(gic: VMConfiguration.GICVersion) throws {
        let first = try Self.run("trace.c", gic: gic, clock: .deterministic)
        let second = try Self.run("trace.c", gic: gic, clock: .deterministic)
        #expect(first.verdict == "PASS", "\(first.output)")
        #expect(first.output.contains("virtual timer armed at"))
        #expect(second.output == first.output)
        #expect(second.statistics == first.statistics)

        let smp = { try Self.run("percpu.c", gic: gic, clock: .deterministic) { $0.vcpuCount = 4 } }
        let smpFirst = try smp()
        #expect(smpFirst.verdict == "PASS", "\(smpFirst.output)")
        #expect(try smp().output == smpFirst.output)
    }

    // MARK: Save and restore at the VM level

    /// A VM's vCPU timer state (both timers' CTL and CVAL, and the counter) saved after one guest
    /// armed both timers and restored into a fresh VM before it runs: the second guest reads the
    /// same registers, a counter that went on from the first VM's, and takes both interrupts in
    /// deadline order.
    @Test(arguments: clocks)
    func timerStateSurvivesSaveAndRestoreIntoAnotherVM(clock: VMConfiguration.ClockMode) throws {
        func makeVM(_ program: String, console: ConsoleCapture) throws -> VirtualMachine {
            let image = try GuestBuilder.build(["timer/\(program)", "timer/tlib.c"], defines: ["GIC_VERSION=3"])
            var configuration = VMConfiguration(kernel: image.bytes)
            configuration.clock = clock
            configuration.console = console.sink
            return try VirtualMachine(configuration: configuration)
        }
        let firstConsole = ConsoleCapture()
        let first = try makeVM("save_arm.c", console: firstConsole)
        #expect(first.run() == .systemOff)
        let saved = first.vcpus[0].timers.save()
        let before = firstConsole.text
        #expect(guestVerdict(before) == "PASS", "\(before)")
        let physical = Self.numbers(after: "physical CVAL ", in: before)
        let virtual = Self.numbers(after: "virtual CVAL ", in: before)
        try #require(physical.count == 2 && virtual.count == 2, "\(before)")
        #expect(saved.physical == TimerState.Registers(control: 1, compare: physical[0]))
        #expect(saved.virtual == TimerState.Registers(control: 1, compare: virtual[0]))

        let secondConsole = ConsoleCapture()
        let second = try makeVM("save_resume.c", console: secondConsole)
        second.vcpus[0].timers.restore(saved)
        #expect(second.run() == .systemOff)
        let after = secondConsole.text
        #expect(guestVerdict(after) == "PASS", "\(after)")
        // Same registers (ENABLE set, not yet expired), and a count that went on.
        #expect(Self.numbers(after: "physical CVAL ", in: after) == [physical[0], 1])
        #expect(Self.numbers(after: "virtual CVAL ", in: after) == [virtual[0], 1])
        let lastCount = try #require(Self.numbers(after: "last count ", in: before).first)
        let firstCount = try #require(Self.numbers(after: "first count ", in: after).first)
        #expect(firstCount >= lastCount)
        #expect(firstCount < physical[0])
        #expect(after.contains("physical timer fired\nvirtual timer fired\nPASS"))
    }
}
