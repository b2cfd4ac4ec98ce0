import ArgumentParser
import Machine

struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Boot the built-in guest: both timers armed, both interrupts taken, what it measured.")

    @Option(help: "Interrupt controller: v2 or v3.")
    var gic: VMConfiguration.GICVersion = .v3

    @Option(help: "Time source: host (real time) or deterministic (instructions retired).")
    var clock: VMConfiguration.ClockMode = .host

    func run() throws {
        var configuration = VMConfiguration(kernel: DemoGuest.image(gic: gic))
        configuration.gicVersion = gic
        configuration.clock = clock
        configuration.console = standardOutputConsole
        let exit = try runVM(configuration, stats: true)
        throw ExitCode(exit.status)
    }
}
