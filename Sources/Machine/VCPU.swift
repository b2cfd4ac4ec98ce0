import AArch64
import GenericTimer
import Synchronization
import Glibc

/// One virtual CPU: the software CPU, its two generic timers, and the loop that runs it and
/// handles its exits, the way KVM's `kvm_arch_vcpu_ioctl_run` and `handle_exit` do.
final class VCPU: @unchecked Sendable {
    /// The thread writes the slice and rate fields at every poll; the paddings at both ends
    /// keep another vCPU's data out of their cache lines (see `HostCacheLine`).
    private let leadingPadding = CacheLinePadding()
    let index: Int
    let cpu: CPU
    let timers: VCPUTimers
    let parker = Parker()
    /// The virtual timer and counter as "hardware" the CPU reaches without an exit.
    let timerDevice: VirtualTimerDevice
    /// The GICv3 CPU interface registers (nil with GICv2).
    var cpuInterfaceRegisters: CPUInterfaceRegisters?
    /// Exits handled by this vCPU's thread.
    var exitStatistics = ExitStatistics()
    /// Fast-path traps per trap-table entry (indexed like `trapTable.registers`); a raw buffer
    /// because it is bumped on every trapped access.
    private let fastTrapCounts: UnsafeMutablePointer<UInt64>
    /// Not reference-counted: the VM owns its vCPUs and joins their threads before it goes,
    /// and a checked `unowned` reference did an atomic retain and release on the VM object at
    /// every exit, on a cache line every vCPU thread shares (see `runOnOwnThread`).
    unowned(unsafe) let vm: VirtualMachine
    private let trapTable: SystemRegisterTrapTable

    /// The instruction budget of the next run slice (see `pollTimers`).
    var nextSlice = VCPU.sliceInstructions
    /// Guest instructions this vCPU retires per microsecond of host time while it runs (exits
    /// included), smoothed over the polls that saw a deadline; it sizes the slices before a
    /// deadline (`pollTimers`). Starts at a release build's typical rate.
    private(set) var instructionsPerMicrosecond: UInt64 = 300
    /// The clock and the instruction count at the last poll that measured the rate.
    private var lastPoll: (time: UInt64, retired: UInt64) = (0, 0)
    /// The deadline whose raise path was last warmed (see `warmUpRaisePath`).
    private var warmedDeadline: UInt64 = 0
    /// How many deadlines this vCPU prepared for (`warmUpRaisePath`), for the statistics.
    private var raisePathWarmUps: UInt64 = 0
    /// See `ExitStatistics.idleLoopWaits`.
    var idleLoopWaits: UInt64 = 0
    /// When `refreshInterruptPath` last prefetched.
    private var lastPathRefresh: UInt64 = 0

    /// How late a timed sleep of this thread has been waking, smoothed (ns); see `wakeMargin`.
    private var oversleep: UInt64 = 100_000

    /// How long before a timer deadline a vCPU in WFI stops sleeping and watches the clock:
    /// twice the oversleep observed recently, between 50 µs and 2 ms.
    var wakeMargin: UInt64 { min(max(2 * oversleep, 50_000), 2_000_000) }

    func recordOversleep(_ sample: UInt64) {
        let clamped = min(sample, 2_000_000)
        oversleep = oversleep - oversleep / 8 + clamped / 8
    }

    /// Written by PSCI CPU_ON from another vCPU; taken by this vCPU's thread when it powers on.
    private let startRequest = Mutex<(entry: UInt64, context: UInt64)?>(nil)
    private let trailingPadding = CacheLinePadding()

    init(index: Int, vm: VirtualMachine, bus: PhysicalBus, timers: VCPUTimers, trapTable: SystemRegisterTrapTable) {
        self.index = index
        self.vm = vm
        self.timers = timers
        self.trapTable = trapTable
        fastTrapCounts = HostCacheLine.allocate(UInt64.self, capacity: max(1, trapTable.registers.count))
        fastTrapCounts.initialize(repeating: 0, count: max(1, trapTable.registers.count))
        cpu = CPU(id: index, bus: bus)
        timerDevice = VirtualTimerDevice(timers: timers)
        cpu.timerDevice = timerDevice
        cpu.trapsPhysicalTimer = true
        cpu.trapsPhysicalCounter = false
        // With the host clock an idle loop waits like WFI; a deterministic clock counts every
        // instruction the loop retires, so there it spins as written.
        cpu.reportsIdleLoops = vm.configuration.clock == .host
        cpu.sys.mpidr = VirtCPUTopology.mpidr(forVCPU: index)
        cpu.trapFastPath = self
    }

    deinit { fastTrapCounts.deallocate() }

    /// Everything this vCPU counted: full exits plus fast-path traps.
    var statistics: ExitStatistics {
        var total = exitStatistics
        for (index, register) in trapTable.registers.enumerated() {
            total.recordTrap(register, count: fastTrapCounts[index])
        }
        total.instructions = cpu.instructionsRetired
        total.timerWarmUps = raisePathWarmUps
        total.idleLoopWaits = idleLoopWaits
        return total
    }

    /// Puts the CPU in the state the boot protocol (or PSCI CPU_ON) promises: EL1h, MMU off,
    /// interrupts masked, x0 = `argument`.
    func reset(entry: UInt64, argument: UInt64) {
        cpu.reset(entry: entry)
        cpu.regs[0] = argument
        cpu.sys.mpidr = VirtCPUTopology.mpidr(forVCPU: index)
    }

    /// PSCI CPU_ON accepted for this vCPU: it starts at `entry` with x0 = `context`.
    func requestStart(entry: UInt64, context: UInt64) {
        startRequest.withLock { $0 = (entry, context) }
        parker.unpark()
    }

    /// If CPU_ON released this vCPU, resets it to the entry point and marks it on. Returns
    /// whether the vCPU may run.
    func startIfReleased() -> Bool {
        if let start = startRequest.withLock({ request in defer { request = nil }; return request }) {
            reset(entry: start.entry, argument: start.context)
            vm.firmware.powerStates.markStarted(index)
            return true
        }
        return vm.firmware.powerStates.state(of: index) == .on
    }

    /// Wakes this vCPU's thread if it is parked (WFI or powered off) and makes a running one
    /// return from `run`.
    func kick() {
        cpu.signals.kick()
        parker.unpark()
    }

    /// Recomputes the timers' output levels (and re-arms the background timer at the earliest
    /// deadline of the timers that can fire): on a kick and around WFI.
    func updateTimers() {
        timers.update()
    }

    // MARK: Exit handling

    /// What the run loop should do after an exit.
    enum Next { case run, wait, idle, powerOff, stop }

    /// Handles one exit from `cpu.run`. Never traps on a guest's behalf: every guest-caused
    /// problem becomes an architectural exception or a clean stop.
    func handle(_ exit: VCPUExit) -> Next {
        exitStatistics.record(exit)
        switch exit {
        case let .systemRegister(access):
            trapTable.handle(access, on: self)
            return .run
        case let .hypervisorCall(immediate):
            return firmwareCall(conduit: .hvc, immediate: immediate)
        case let .secureMonitorCall(immediate):
            return firmwareCall(conduit: .smc, immediate: immediate)
        case .waitForInterrupt:
            return .wait
        case .idleLoop:
            return .idle
        case .waitForEvent:
            // No event stream or SEV tracking yet: WFE behaves as a hint that lets others run.
            sched_yield_hint()
            return .run
        case .budgetExhausted:
            // The run loop checks the timers when its slice is used up.
            return .run
        case .kicked:
            updateTimers()
            return .run
        case let .halted(reason):
            vm.requestStop(.guestError("vCPU \(index): \(reason)"))
            return .stop
        }
    }

    private func firmwareCall(conduit: VMConfiguration.PSCIConduit, immediate: UInt16) -> Next {
        guard conduit == vm.configuration.psciConduit, immediate == 0 else {
            // No firmware behind this conduit: the call is UNDEFINED, as on a CPU without EL2/EL3.
            cpu.pc &-= 4
            cpu.injectUndefined()
            return .run
        }
        return vm.firmware.call(from: self)
    }

    /// True when an interrupt (masked or not) is pending: what wakes a WFI.
    var hasPendingInterrupt: Bool {
        cpu.signals.pending & (InterruptSignals.irq | InterruptSignals.fiq) != 0
    }
}

@inline(__always) func sched_yield_hint() {
    _ = sched_yield()
}

extension VCPU: TrapFastPath {
    /// The CPU calls these with the vCPU's unretained address (the vCPU owns the CPU and
    /// outlives every `run`): no reference counting per trapped access. The write's closure given
    /// to `_withUnsafeGuaranteedRef` returns Void: returning the Bool, the generic call was not
    /// inlined, a call and a frame more per trap (callgrind: 217 → 203 host instructions per
    /// trapped CNTP_TVAL_EL0 write). The same change made the read's three instructions longer.
    static let directEntryPoints = DirectEntryPoints(
        read: { context, encoding, value in
            let vcpu = Unmanaged<VCPU>.fromOpaque(context)
            guard let result = vcpu._withUnsafeGuaranteedRef({ $0.trappedRead(SystemRegister(encoding: encoding)) })
            else { return false }
            value.pointee = result
            return true
        },
        write: { context, encoding, value in
            var handled = false
            Unmanaged<VCPU>.fromOpaque(context)._withUnsafeGuaranteedRef {
                handled = $0.trappedWrite(SystemRegister(encoding: encoding), value: value)
            }
            return handled
        })

    @inline(__always)
    func trappedRead(_ register: SystemRegister) -> UInt64? {
        guard let index = trapTable.index(of: register), let value = trapTable.read(index, timers: timers) else {
            return nil
        }
        fastTrapCounts[index] &+= 1
        return value
    }

    @inline(__always)
    func trappedWrite(_ register: SystemRegister, value: UInt64) -> Bool {
        guard let index = trapTable.index(of: register), trapTable.write(index, value: value, timers: timers) else {
            return false
        }
        fastTrapCounts[index] &+= 1
        return true
    }
}

extension VCPU {
    /// While the vCPU runs, its own thread notices a passed deadline between slices and raises
    /// the line, without waiting for another thread to be scheduled (on a loaded host that can
    /// take milliseconds). `retired` is the CPU's instruction count now.
    ///
    /// Near a deadline the next slice is half the instructions the vCPU is expected to retire
    /// before it (at the measured `instructionsPerMicrosecond`), at least
    /// `shortestSliceInstructions`: in the last microseconds the polls halve the distance to
    /// the deadline (about eight of them at release speed), and the interrupt is raised
    /// within a few dozen instructions of it whatever the host's speed (a debug build is many
    /// times slower than a release build; the host's slow phases 2–4×). Lock-free unless a
    /// deadline has passed.
    @inline(__always)
    func pollTimers(retired: UInt64) {
        guard let deadline = timers.nextRiseHostNanoseconds else {
            nextSlice = Self.sliceInstructions
            return
        }
        let now = monotonicNanoseconds()
        measureRate(now: now, retired: retired)
        if now >= deadline {
            timers.update()
            nextSlice = Self.sliceInstructions
            return
        }
        let remaining = deadline - now
        // Not in the last stretch, where the raise path's warm-up runs and a prefetch (whose
        // TLB checks are loads) could hold up noticing the deadline.
        if remaining < Self.pathRefreshHorizon && remaining > Self.warmUpLead { refreshInterruptPath(now: now) }
        if remaining < Self.warmUpLead { warmUpRaisePath(for: deadline) }
        guard remaining < Self.slicingHorizon else {
            nextSlice = Self.sliceInstructions
            return
        }
        let reachable = remaining * instructionsPerMicrosecond / 1_000
        nextSlice = Int(min(max(reachable / 2, UInt64(Self.shortestSliceInstructions)),
                            UInt64(Self.sliceInstructions)))
    }

    /// Folds the instructions retired since the last poll into `instructionsPerMicrosecond`.
    /// A gap longer than `slicingHorizon` (the vCPU waited in WFI, was powered off, or the
    /// host descheduled its thread) only restarts the measurement.
    private func measureRate(now: UInt64, retired: UInt64) {
        let elapsed = now &- lastPoll.time
        let executed = retired &- lastPoll.retired
        lastPoll = (now, retired)
        guard elapsed >= 1_000, elapsed < Self.slicingHorizon, executed > 0 else { return }
        let sample = max(1, executed * 1_000 / elapsed)
        instructionsPerMicrosecond = instructionsPerMicrosecond - instructionsPerMicrosecond / 4 + sample / 4
    }

    /// Within `pathRefreshHorizon` of a deadline, every `pathRefreshPeriod`: prefetches what
    /// the guest's last interrupt handler touched (`CPU.prefetchInterruptPath`), so that it
    /// finds its code, decode-cache entries and stack in the caches when the interrupt comes.
    /// Measured with every other deadline refreshed, so that both halves share the host's
    /// phase (micro-bench `timer_10ms` recording each iteration, 4 runs): median latency
    /// 20.4 → 16.2, 12.1 → 10.4, 12.0 → 10.2 and 20.9 → 18.5 µs. About 100 prefetches, a
    /// fraction of a microsecond once the lines are warm.
    func refreshInterruptPath(now: UInt64) {
        guard now &- lastPathRefresh >= Self.pathRefreshPeriod else { return }
        lastPathRefresh = now
        cpu.prefetchInterruptPath()
    }

    /// Runs the raise path once, shortly before `deadline`, while nothing changes yet: the
    /// timers settle at the present count and the GIC recomputes this vCPU's outputs.
    ///
    /// On the reference host (a cloud VM) whatever this thread does not touch for a few
    /// milliseconds leaves the L2 cache (the decay shows in a plain C loop too: 256 KB read in
    /// 4 µs after 0.1 ms untouched, in 31 µs after 10 ms). After a 10 ms wait the raise took
    /// 2–8 µs instead of 0.1–0.6 µs (traced per step: the timers' settle 0.6–1.9 µs, the
    /// GIC's update and output 3–6 µs); run just before, it takes the warm figure. Once per
    /// deadline, whether the vCPU runs (`pollTimers`) or waits (`waitForInterrupt`).
    func warmUpRaisePath(for deadline: UInt64) {
        guard warmedDeadline != deadline else { return }
        warmedDeadline = deadline
        raisePathWarmUps &+= 1
        timers.update()
        vm.interruptController.refreshOutputs(vcpu: index)
    }
}
