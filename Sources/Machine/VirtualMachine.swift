import AArch64
import Devices
import GIC
import GenericTimer
import Glibc
import Synchronization

/// The 'virt' board with its vCPUs: builds the memory map, devices, GIC, timers and boot images
/// from a `VMConfiguration`, then runs the vCPUs until the guest powers off or stops.
public final class VirtualMachine: @unchecked Sendable {
    public let configuration: VMConfiguration
    public let bus: PhysicalBus
    let counter: SystemCounter
    let interruptController: BoardInterruptController
    let devices: BoardDevices
    var vcpus: [VCPU] = []
    let trapTable: SystemRegisterTrapTable
    private(set) var firmware: Firmware!
    private let backgroundTimer: BackgroundTimer?
    private let deterministicClock: DeterministicClock?
    private let stopReason = Mutex<VMExit?>(nil)
    /// Set once a stop is requested: read by every vCPU at every exit, so an atomic.
    private let stopping = Atomic<Bool>(false)
    /// Where the boot CPU starts and what it gets in x0 (the DTB address).
    public let bootInfo: BootInfo

    public init(configuration: VMConfiguration) throws(VMError) {
        try configuration.validate()
        self.configuration = configuration
        bus = PhysicalBus(ramBase: VirtMemoryMap.ramBase, ramSize: configuration.memorySize)

        // Time: one system counter per VM, the single source of truth for counter offsets.
        let clock: DeterministicClock?
        let source: any CounterSource
        switch configuration.clock {
        case .host:
            clock = nil
            source = HostCounterSource(frequency: configuration.counterFrequency)
        case .deterministic:
            let c = DeterministicClock(frequency: configuration.counterFrequency)
            clock = c
            source = c
        }
        deterministicClock = clock
        counter = SystemCounter(frequency: configuration.counterFrequency, source: source)
        backgroundTimer = configuration.clock == .host ? BackgroundTimer(spinsToDeadlines: false) : nil

        interruptController = try BoardInterruptController(version: configuration.gicVersion,
                                                           vcpuCount: configuration.vcpuCount)
        let systemCounter = counter
        let frequency = configuration.counterFrequency
        devices = BoardDevices(configuration: configuration, interruptController: interruptController,
                               counterSeconds: { systemCounter.physicalCount / frequency })
        trapTable = SystemRegisterTrapTable(physicalTimer: configuration.physicalTimer)

        // Boot images and the device tree, checked before anything runs.
        do {
            if let userTree = configuration.deviceTree {
                bootInfo = try loadBootImages(kernel: configuration.kernel, initrd: configuration.initrd,
                                              dtb: userTree, into: bus)
            } else {
                bootInfo = try loadBootImages(kernel: configuration.kernel, initrd: configuration.initrd,
                                              config: configuration.board, into: bus)
            }
        } catch {
            throw .bootImage("\(error)")
        }

        interruptController.map(on: bus)
        devices.map(on: bus)

        for index in 0..<configuration.vcpuCount {
            let timers = VCPUTimers(counter: counter)
            let vcpu = VCPU(index: index, vm: self, bus: bus, timers: timers, trapTable: trapTable)
            vcpus.append(vcpu)
        }
        interruptController.connect(vcpus)
        // Inner-shareable TLB maintenance by one vCPU reaches all of them.
        let group = CPUGroup()
        for vcpu in vcpus { vcpu.cpu.join(group) }
        for vcpu in vcpus {
            let gic = interruptController
            let index = vcpu.index
            vcpu.timers.setOutput { ppi, level in gic.setPrivateLevel(intid: ppi, vcpu: index, level: level) }
            if let backgroundTimer {
                // The safety net behind the vCPU thread's own watch of its deadlines (see
                // `waitForInterrupt`): expiry raises the line from the background thread and
                // wakes the vCPU, which re-reads its deadline.
                vcpu.timers.attach(to: backgroundTimer, lateness: configuration.backgroundTimerLateness) { [weak vcpu] in
                    vcpu?.kick()
                }
            }
        }
        firmware = Firmware(vm: self)
        vcpus[0].reset(entry: bootInfo.entry, argument: bootInfo.dtbAddress)
    }


    /// The device tree `armvm run` would generate for `configuration` (for `armvm dtb`).
    public static func generatedDeviceTree(for configuration: VMConfiguration) throws(VMError) -> [UInt8] {
        do { return try VirtDeviceTree.generate(configuration.board) } catch { throw .deviceTree("\(error)") }
    }

    // MARK: Running

    /// Runs the guest to its end and says how it ended.
    public func run() -> VMExit {
        switch configuration.clock {
        case .host: return runOnHostThreads()
        case .deterministic: return runDeterministically()
        }
    }

    /// Asks every vCPU to stop; the first reason given wins.
    func requestStop(_ reason: VMExit) {
        stopReason.withLock { if $0 == nil { $0 = reason } }
        stopping.store(true, ordering: .releasing)
        for vcpu in vcpus { vcpu.kick() }
    }

    /// Stops the VM as if the guest had powered off (the user quit).
    public func stop() { requestStop(.systemOff) }

    /// Bytes typed by the user, for the guest's PL011.
    public func receiveConsoleInput(_ bytes: [UInt8]) { devices.uart.receive(bytes) }

    var isStopping: Bool { stopping.load(ordering: .acquiring) }

    /// Exit counts summed over all vCPUs (valid after `run` returns).
    public var statistics: ExitStatistics {
        var total = ExitStatistics()
        for vcpu in vcpus { total.merge(vcpu.statistics) }
        return total
    }

    private func runOnHostThreads() -> VMExit {
        let threads = vcpus.map { vcpu in HostThread.start { vcpu.runOnOwnThread() } }
        for thread in threads { thread.join() }
        for vcpu in vcpus { vcpu.timers.detach() }
        backgroundTimer?.stop()
        return stopReason.withLock { $0 } ?? .stalled("all vCPUs stopped")
    }

    // MARK: Deterministic mode

    /// One thread runs every vCPU round-robin in slices; time is the instruction count, and when
    /// every vCPU waits the clock jumps to the next deadline.
    private func runDeterministically() -> VMExit {
        guard let clock = deterministicClock else { return .guestError("no deterministic clock") }
        var waiting = [Bool](repeating: false, count: vcpus.count)
        // Small slices: the CPU counts retired instructions when a slice ends, so the counter
        // moves in steps of at most one slice (1 µs of guest time at 1 ns per instruction).
        let slice = 1_000
        while !isStopping {
            var anyRan = false
            for vcpu in vcpus {
                guard vcpu.startIfReleased() else { continue }
                if waiting[vcpu.index] {
                    vcpu.timers.update()
                    if vcpu.hasPendingInterrupt { waiting[vcpu.index] = false } else { continue }
                }
                anyRan = true
                clock.begin(vcpu.cpu)
                let exit = vcpu.cpu.run(budget: slice)
                let next = vcpu.handle(exit)
                clock.end()
                switch next {
                case .wait: waiting[vcpu.index] = !vcpu.hasPendingInterrupt
                case .stop, .run, .idle, .powerOff: break
                }
                vcpu.timers.update()
                if isStopping { break }
            }
            if !anyRan {
                // Everyone waits: jump to the earliest deadline, or stop if there is none.
                let deadlines = vcpus.compactMap { vcpu -> UInt64? in
                    self.firmware.powerStates.state(of: vcpu.index) == .on ? vcpu.timers.nextExpiry() : nil
                }
                guard let next = deadlines.min() else {
                    requestStop(.stalled("every vCPU is off or waiting with no timer armed"))
                    break
                }
                clock.jump(toCount: next)
            }
        }
        return stopReason.withLock { $0 } ?? .stalled("stopped")
    }
}

extension VCPU {
    /// The host-clock run loop of one vCPU thread.
    func runOnOwnThread() {
        var poweredOn = false
        // The thread checks its timers (`pollTimers`) every `nextSlice` instructions, counted
        // across exits, and after every `exitsPerPoll` exits: a guest that polls a device in a
        // tight loop exits every few instructions and must still see its deadline.
        var pollAt: UInt64 = 0
        var exitsSincePoll = 0
        while !vm.isStopping {
            if !poweredOn {
                poweredOn = startIfReleased()
                if !poweredOn { parker.park(); continue }
                pollAt = 0
            }
            let retired = cpu.instructionsRetired
            if retired >= pollAt || exitsSincePoll >= Self.exitsPerPoll {
                pollTimers(retired: retired)
                pollAt = retired &+ UInt64(nextSlice)
                exitsSincePoll = 0
            }
            let exit = cpu.run(budget: Int(pollAt &- retired))
            exitsSincePoll &+= 1
            switch handle(exit) {
            case .run: continue
            case .powerOff: poweredOn = false
            case .stop: return
            case .wait:
                waitForInterrupt()
                pollAt = 0
            case .idle:
                waitInIdleLoop()
                pollAt = 0
            }
        }
    }

    /// Instructions per run slice in host-clock mode when no deadline is near: about 10 µs of
    /// guest time.
    static let sliceInstructions = 1 << 11
    /// The shortest slice before a deadline (~0.1 µs in a release build): the most a running
    /// vCPU overshoots a deadline by, in instructions.
    static let shortestSliceInstructions = 1 << 5
    /// Deadlines further away than this get full slices (and gaps between polls longer than
    /// this do not count towards the instruction rate): 1 ms.
    static let slicingHorizon: UInt64 = 1_000_000
    /// Exits between two timer checks at most (an MMIO exit costs ~250 ns, so ~4 µs).
    static let exitsPerPoll = 16
    /// How long before a deadline a vCPU warms the raise path's caches (`warmUpRaisePath`).
    static let warmUpLead: UInt64 = 20_000
    /// How close a deadline must be for `refreshInterruptPath` to run (2 ms), and how often it
    /// runs then (every 50 µs: on the reference host lines untouched for 100 µs already cost
    /// twice as much, after 1 ms ten times).
    static let pathRefreshHorizon: UInt64 = 2_000_000
    static let pathRefreshPeriod: UInt64 = 50_000

    /// WFI: block until an interrupt is pending for this vCPU (masked or not), a timer's
    /// deadline passes, or the VM stops.
    ///
    /// This thread is its own timer: it sleeps until shortly before the next deadline of its
    /// timers, watches the clock for the last stretch (a host sleep wakes 50–500 µs late here,
    /// a watched clock within a microsecond), and raises the line itself at the deadline — no
    /// other thread has to be scheduled at the moment that matters. The background timer's
    /// entry, armed while this vCPU is blocked `VMConfiguration.backgroundTimerLateness` after
    /// the same deadline, is the safety net for a deadline moved while this thread sleeps (a
    /// counter offset change); when this thread raised the line itself it fires, finds
    /// nothing to do and wakes no one.
    func waitForInterrupt() {
        timers.setBlocked(true)
        defer { timers.setBlocked(false) }
        while !hasPendingInterrupt && !vm.isStopping {
            if cpu.signals.consumeKick() {
                updateTimers()
                continue
            }
            guard let deadline = timers.nextRiseHostNanoseconds else {
                parker.park()
                continue
            }
            let now = monotonicNanoseconds()
            if now >= deadline {
                // Raises the line. If the interrupt controller does not pass it on (the PPI is
                // disabled), there is no deadline left and the next round parks.
                updateTimers()
                continue
            }
            let remaining = deadline - now
            let margin = wakeMargin
            if remaining > margin {
                let target = deadline - margin
                parker.park(timeoutNanoseconds: remaining - margin)
                // Learn how late this host wakes a sleeper, to stop sleeping that much earlier.
                let woke = monotonicNanoseconds()
                if woke > target { recordOversleep(woke - target) }
            } else {
                // The last stretch: watch the clock (no yield: on a busy host a yield can give
                // the core away for a whole scheduler slice). A few microseconds before the
                // deadline, go through the raise path once: after the sleep its code and data
                // are cold.
                while remaining > Self.warmUpLead, !hasPendingInterrupt,
                      cpu.signals.pending & InterruptSignals.kick == 0 {
                    let now = monotonicNanoseconds()
                    guard now < deadline - Self.warmUpLead else { break }
                    refreshInterruptPath(now: now)
                    watchClock(until: min(now + Self.pathRefreshPeriod, deadline - Self.warmUpLead))
                }
                warmUpRaisePath(for: deadline)
                watchClock(until: deadline)
            }
        }
    }

    /// The guest spins in a loop only an interrupt can leave (`VCPUExit.idleLoop`): wait for
    /// one as KVM waits in a trapped WFI, polling first. For `idleLoopPollWindow` the thread
    /// watches for a signal (an interrupt, a kick) and the next deadline, as the loop itself
    /// would have, so an IPI that follows soon is taken as fast as by a spinning vCPU (the
    /// `ipi` row of micro-bench); then it blocks in `waitForInterrupt`, and the host core is
    /// free for other threads instead of them preempting a vCPU that has real work.
    ///
    /// Unlike WFI, the loop must not be left for a masked interrupt (the guest would only spin
    /// again): the CPU reports the loop only while no signal is pending, and a masked
    /// interrupt that arrives during the wait sends the vCPU back to spinning.
    func waitInIdleLoop() {
        let start = monotonicNanoseconds()
        var now = start
        while now &- start < Self.idleLoopPollWindow {
            if cpu.signals.pending != 0 || vm.isStopping { return }
            if let deadline = timers.nextRiseHostNanoseconds, now >= deadline { return }
            now = monotonicNanoseconds()
        }
        idleLoopWaits &+= 1
        waitForInterrupt()
    }

    /// How long an idle-loop vCPU polls before it blocks: the window of KVM's halt polling on
    /// x86 (`KVM_HALT_POLL_NS_DEFAULT`) and of Linux's guest haltpoll cpuidle driver.
    static let idleLoopPollWindow: UInt64 = 200_000

    /// Spins until the host clock reaches `time`, an interrupt is pending or a kick comes.
    private func watchClock(until time: UInt64) {
        while monotonicNanoseconds() < time && !hasPendingInterrupt
            && cpu.signals.pending & InterruptSignals.kick == 0 {}
    }
}
