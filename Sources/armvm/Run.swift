import ArgumentParser
import Glibc
import Machine

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Boot a guest kernel (Linux Image, ELF, or raw binary).")

    @Option(help: "The kernel: a Linux arm64 Image (kvm-unit-tests .flat files are such), an ELF64, or a raw binary.")
    var kernel: String

    @Option(help: "An initial ramdisk.")
    var initrd: String?

    @Option(help: "Use this device tree blob instead of the generated one.")
    var dtb: String?

    @Flag(help: "Print exits by reason and trapped registers by name when the guest stops.")
    var stats = false

    @OptionGroup var board: BoardOptions

    func run() throws {
        var configuration = try checkingUserInput {
            var configuration = VMConfiguration(kernel: try readFile(kernel, role: "kernel"))
            try board.apply(to: &configuration)
            if let initrd { configuration.initrd = try readFile(initrd, role: "initrd") }
            if let dtb { configuration.deviceTree = try readFile(dtb, role: "device tree") }
            return configuration
        }
        configuration.console = standardOutputConsole
        let exit = try runVM(configuration, stats: stats)
        throw ExitCode(exit.status)
    }
}

/// Builds and runs a VM, reporting VMM errors as status 1 and the guest's end as its status.
func runVM(_ configuration: VMConfiguration, stats: Bool) throws -> VMExit {
    let vm: VirtualMachine
    do {
        vm = try VirtualMachine(configuration: configuration)
    } catch {
        printError(error.description)
        throw ExitCode(1)
    }
    let console = ConsoleInput(vm: vm)
    console.start()
    let exit = vm.run()
    console.stop()
    switch exit {
    case .systemOff: break
    case .systemReset: printError("guest requested a system reset")
    case let .stalled(why): printError("guest stopped making progress: \(why)")
    case let .guestError(why): printError("guest error: \(why)")
    }
    if stats { printError("statistics\n" + vm.statistics.report) }
    return exit
}
