import ArgumentParser

@main
struct ArmVM: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "armvm",
        abstract: "A virtual machine monitor for 64-bit Arm guests, with both generic timers per vCPU.",
        discussion: """
            Exit status of 'run' and 'demo': 0 after the guest's PSCI SYSTEM_OFF, 3 after SYSTEM_RESET,
            4 when the guest stopped making progress, 5 when the guest put a vCPU in a state it cannot
            leave, 1 for a VMM error (bad option, missing or malformed file).
            """,
        subcommands: [Run.self, Demo.self, DeviceTreeCommand.self, Bench.self],
        defaultSubcommand: Demo.self)
}
