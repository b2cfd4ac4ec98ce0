import ArgumentParser
import Machine

/// The options shared by every command that builds a board (`run`, `dtb`).
struct BoardOptions: ParsableArguments {
    @Option(help: "Number of vCPUs.")
    var smp: Int = 1

    @Option(help: "Guest RAM: a number with K, M or G (a bare number is MiB, as in QEMU).")
    var memory: String = "256M"

    @Option(help: "Interrupt controller: v2 or v3.")
    var gic: VMConfiguration.GICVersion = .v3

    @Option(help: "PSCI conduit: hvc or smc.")
    var psci: VMConfiguration.PSCIConduit = .hvc

    @Option(help: "EL1 physical timer: emulated (trap-and-emulate) or absent (CNTP_* UNDEFINED).")
    var ptimer: VMConfiguration.PhysicalTimerMode = .emulated

    @Option(help: "Time source: host (real time) or deterministic (instructions retired).")
    var clock: VMConfiguration.ClockMode = .host

    @Option(name: .customLong("counter-frequency"), help: "CNTFRQ_EL0 in Hz.")
    var counterFrequency: UInt64 = 1_000_000_000

    @Option(help: "Kernel command line (/chosen/bootargs).")
    var append: String = ""

    func apply(to configuration: inout VMConfiguration) throws {
        configuration.vcpuCount = smp
        configuration.memorySize = try parseMemorySize(memory)
        configuration.gicVersion = gic
        configuration.psciConduit = psci
        configuration.physicalTimer = ptimer
        configuration.clock = clock
        configuration.counterFrequency = counterFrequency
        configuration.bootargs = append
    }
}

extension VMConfiguration.GICVersion: ExpressibleByArgument {}
extension VMConfiguration.PSCIConduit: ExpressibleByArgument {}
extension VMConfiguration.PhysicalTimerMode: ExpressibleByArgument {}
extension VMConfiguration.ClockMode: ExpressibleByArgument {}

/// Parses "256M", "1G", "65536K", or a bare number of MiB.
func parseMemorySize(_ text: String) throws -> UInt64 {
    let trimmed = text.trimmingCharacters(in: " ")
    guard let last = trimmed.last else { throw ValidationError("--memory is empty") }
    let multipliers: [Character: UInt64] = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30]
    let (digits, multiplier) = multipliers[last].map { (String(trimmed.dropLast()), $0) } ?? (trimmed, 1 << 20)
    guard let value = UInt64(digits), value > 0 else {
        throw ValidationError("--memory \(text): expected a size such as 256M or 1G")
    }
    let (bytes, overflow) = value.multipliedReportingOverflow(by: multiplier)
    guard !overflow else { throw ValidationError("--memory \(text) is too large") }
    return bytes
}

extension String {
    func trimmingCharacters(in set: Character) -> String {
        var s = Substring(self)
        while s.first == set { s = s.dropFirst() }
        while s.last == set { s = s.dropLast() }
        return String(s)
    }
}
