// The built-in benchmark guest that measures interrupt latency with the vCPU spinning
// (`armvm bench`'s stand-in for micro-bench `timer_10ms`) takes every interrupt and reports it.
import Machine
import Testing

@Test(arguments: [VMConfiguration.ClockMode.host, .deterministic])
func theSpinningInterruptLatencyGuestTakesEveryInterrupt(clock: VMConfiguration.ClockMode) throws {
    let console = ConsoleCapture()
    var configuration = VMConfiguration(kernel: BenchmarkGuest.interruptLatency(samples: 5, periodMicroseconds: 1_000))
    configuration.console = console.sink
    configuration.clock = clock
    let vm = try VirtualMachine(configuration: configuration)
    #expect(runWithWatchdog(vm, timeoutSeconds: 30) == .systemOff)
    let latenesses = console.text.split(separator: "\n").compactMap { line in
        line.hasPrefix("lateness_ns ") ? UInt64(line.dropFirst("lateness_ns ".count)) : nil
    }
    #expect(latenesses.count == 5, "\(console.text)")
    // Each round ended after its deadline (the handler ran), and within a generous bound.
    #expect(latenesses.allSatisfy { $0 < 50_000_000 })
    // The timer and the GICv3 CPU interface are reached without an exit.
    #expect(vm.statistics.exits(.systemRegister) == 0)
}

/// Each access loop of `armvm bench` runs its access `iterations` times and stops: the
/// physical timer's accesses are all trapped (and counted by name), the virtual timer's and
/// the virtual count's never, which is the comparison the benchmark's rows are there to show.
@Test(arguments: BenchmarkGuest.Access.allCases)
func theAccessLoopsTrapExactlyThePhysicalTimer(access: BenchmarkGuest.Access) throws {
    let iterations: UInt64 = 1_000
    let configuration = VMConfiguration(kernel: BenchmarkGuest.systemRegisterLoop(access, iterations: iterations))
    let vm = try VirtualMachine(configuration: configuration)
    #expect(runWithWatchdog(vm, timeoutSeconds: 30) == .systemOff)
    let traps = vm.statistics.trappedRegisters
    switch access {
    case .readPhysicalControl: #expect(traps == [.CNTP_CTL_EL0: iterations])
    case .writePhysicalTimerValue: #expect(traps == [.CNTP_TVAL_EL0: iterations])
    case .none, .readPhysicalCount, .readVirtualCount, .writeVirtualTimerValue: #expect(traps.isEmpty, "\(traps)")
    }
}
