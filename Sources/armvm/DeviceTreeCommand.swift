import ArgumentParser
import Machine

struct DeviceTreeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dtb",
        abstract: "Write the generated device tree blob (inspect it with: dtc -I dtb -O dts FILE).")

    @Option(name: .shortAndLong, help: "Output file.")
    var output: String

    @OptionGroup var board: BoardOptions

    func run() throws {
        var configuration = VMConfiguration(kernel: [0])
        try checkingUserInput { try board.apply(to: &configuration) }
        do {
            try configuration.validate()
            let blob = try VirtualMachine.generatedDeviceTree(for: configuration)
            try checkingUserInput { try writeFile(output, blob) }
        } catch let error as VMError {
            printError(error.description)
            throw ExitCode(1)
        }
    }
}
