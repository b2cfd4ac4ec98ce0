import ArgumentParser
import Machine

@main
struct ArmVM: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "armvm",
        abstract: "A virtual machine monitor for 64-bit Arm guests.")
}
