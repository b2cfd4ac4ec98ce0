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
