import Dispatch
import Foundation
import Testing
import TestSupport
@testable import Machine

/// The `armvm` executable as a user runs it: exit status and the message on standard error for
/// bad input, the device tree `armvm dtb` writes, `armvm demo`, and the status `armvm run`
/// gives for the guest's end (0 SYSTEM_OFF, 3 SYSTEM_RESET, 4 no progress, 1 VMM error; see
/// `armvm --help`). `swift build --build-tests` builds the executable beside the test bundle.
@Suite struct CommandLineTests {
    // MARK: Bad input: status 1 and a message naming the problem

    struct BadInput: CustomTestStringConvertible, Sendable {
        let name: String
        /// `{kernel}` stands for a valid guest image, `{empty}`, `{elf}` and `{dtb}` for the
        /// broken files the test writes.
        let arguments: [String]
        let messages: [String]
        var testDescription: String { name }
    }

    static let badInputs: [BadInput] = [
        BadInput(name: "missing kernel file", arguments: ["run", "--kernel", "{missing}"],
                 messages: ["cannot open kernel", "{missing}", "No such file"]),
        BadInput(name: "empty kernel file", arguments: ["run", "--kernel", "{empty}"],
                 messages: ["kernel", "{empty}", "empty"]),
        BadInput(name: "--memory with a bad unit", arguments: ["run", "--kernel", "{kernel}", "--memory", "12Q"],
                 messages: ["--memory 12Q"]),
        BadInput(name: "--memory 0", arguments: ["run", "--kernel", "{kernel}", "--memory", "0"],
                 messages: ["--memory 0"]),
        BadInput(name: "--memory too large", arguments: ["run", "--kernel", "{kernel}", "--memory", "16G"],
                 messages: ["--memory 16384M is too large", "at most 8192M"]),
        BadInput(name: "--memory too small", arguments: ["run", "--kernel", "{kernel}", "--memory", "8M"],
                 messages: ["--memory 8M is too small", "at least 16M"]),
        BadInput(name: "--smp 0", arguments: ["run", "--kernel", "{kernel}", "--smp", "0"],
                 messages: ["--smp must be at least 1"]),
        BadInput(name: "--smp 9 with GICv2", arguments: ["run", "--kernel", "{kernel}", "--smp", "9", "--gic", "v2"],
                 messages: ["9 vCPUs is too many for GICv2", "at most 8"]),
        BadInput(name: "truncated ELF kernel", arguments: ["run", "--kernel", "{elf}"],
                 messages: ["ELF", "truncated"]),
        BadInput(name: "bad --dtb", arguments: ["run", "--kernel", "{kernel}", "--dtb", "{dtb}"],
                 messages: ["device tree"]),
        BadInput(name: "dtb with --smp 0", arguments: ["dtb", "-o", "{out}", "--smp", "0"],
                 messages: ["--smp must be at least 1"]),
    ]

    @Test(arguments: badInputs)
    func badInputExitsWithStatusOneAndNamesTheProblem(_ input: BadInput) throws {
        let files = try TemporaryFiles()
        let guest = try GuestBuilder.build(["fixtures/hello.c"])
        let elf = [UInt8](try Data(contentsOf: URL(fileURLWithPath: guest.elfPath)))
        let substitutions = [
            "{kernel}": try files.write("kernel.bin", guest.bytes),
            "{empty}": try files.write("empty.bin", []),
            "{missing}": files.path("does-not-exist.bin"),
            // The ELF header and program headers survive; the segments' bytes do not.
            "{elf}": try files.write("truncated.elf", Array(elf.prefix(200))),
            // The right magic, then nothing a parser can use.
            "{dtb}": try files.write("bad.dtb", [0xD0, 0x0D, 0xFE, 0xED] + [UInt8](repeating: 0xFF, count: 60)),
            "{out}": files.path("out.dtb"),
        ]
        func substitute(_ s: String) -> String {
            substitutions.reduce(s) { $0.replacingOccurrences(of: $1.key, with: $1.value) }
        }
        let result = try ArmVMProcess.run(input.arguments.map(substitute))
        #expect(result.status == 1, "stderr: \(result.standardError)")
        for message in input.messages.map(substitute) {
            #expect(result.standardError.contains(message), "stderr lacks '\(message)': \(result.standardError)")
        }
        #expect(result.standardOutput.isEmpty, "a VMM error starts no guest: \(result.standardOutput)")
    }

    // MARK: armvm dtb

    @Test func dtbWritesTheGeneratedTreeAndDtcAcceptsIt() throws {
        let files = try TemporaryFiles()
        let out = files.path("virt.dtb")
        let result = try ArmVMProcess.run(["dtb", "-o", out, "--smp", "2", "--gic", "v2", "--memory", "512M",
                                           "--psci", "smc", "--append", "console=ttyAMA0"])
        #expect(result.status == 0, "stderr: \(result.standardError)")
        let blob = [UInt8](try Data(contentsOf: URL(fileURLWithPath: out)))
        let tree = try FlattenedDeviceTree(parsing: blob)
        #expect(tree.root.node(at: "/cpus")?.children.filter { $0.name.hasPrefix("cpu@") }.count == 2)
        #expect(tree.root.node(at: "/psci")?.property("method")?.string == "smc")
        #expect(tree.root.node(at: "/chosen")?.property("bootargs")?.string == "console=ttyAMA0")
        #expect(tree.root.node(at: "/memory@40000000")?.property("reg")?.cells == [0, 0x4000_0000, 0, 0x2000_0000])

        // Byte for byte what the VMM would boot with.
        var configuration = VMConfiguration(kernel: [0])
        configuration.vcpuCount = 2
        configuration.gicVersion = .v2
        configuration.memorySize = 512 << 20
        configuration.psciConduit = .smc
        configuration.bootargs = "console=ttyAMA0"
        #expect(blob == (try VirtualMachine.generatedDeviceTree(for: configuration)))

        // dtc, when installed (the CI installs device-tree-compiler), decompiles it.
        guard let dtc = ["/usr/bin/dtc", "/usr/local/bin/dtc"].first(where: FileManager.default.isExecutableFile) else {
            return
        }
        let dts = files.path("virt.dts")
        let decompiled = try ProcessRunner.run(dtc, ["-I", "dtb", "-O", "dts", "-o", dts, out])
        #expect(decompiled.status == 0, "dtc: \(decompiled.standardError)")
        let source = try String(contentsOfFile: dts, encoding: .utf8)
        #expect(source.contains("method = \"smc\";"))
        #expect(source.contains("bootargs = \"console=ttyAMA0\";"))
    }

    // MARK: armvm demo

    @Test func demoExitsZeroAfterBothTimerInterrupts() throws {
        let result = try ArmVMProcess.run(["demo", "--clock", "deterministic"])
        #expect(result.status == 0, "stderr: \(result.standardError)")
        #expect(result.standardOutput.contains("physical timer interrupt (PPI 30) taken after "))
        #expect(result.standardOutput.contains("virtual timer interrupt  (PPI 27) taken after "))
        #expect(result.standardOutput.contains("Both timers delivered their interrupts"))
    }

    // MARK: armvm run: the guest's end is the exit status

    struct GuestEnd: CustomTestStringConvertible, Sendable {
        let name: String
        let sources: [String]
        let defines: [String]
        let options: [String]
        let status: Int32
        let output: String
        let error: String?
        var testDescription: String { name }
    }

    static let guestEnds: [GuestEnd] = [
        GuestEnd(name: "SYSTEM_OFF", sources: ["fixtures/hello.c"], defines: [], options: [], status: 0,
                 output: "d=-42 u=42 x=beef lx=123456789abcdef s=str c=Z pad=0000001f neg=-5\nPASS\n", error: nil),
        GuestEnd(name: "SYSTEM_RESET", sources: ["board/system_reset.c"], defines: [], options: [], status: 3,
                 output: "resetting\n", error: "reset"),
        GuestEnd(name: "every CPU off", sources: ["board/cpu_off_all.c"], defines: [], options: [], status: 4,
                 output: "turning the last cpu off\n", error: "stopped making progress"),
        GuestEnd(name: "--psci smc --smp 2", sources: ["board/psci_conduit.c", "board/smp.c", "board/secondary.S"],
                 defines: ["CONDUIT_SMC=1"], options: ["--psci", "smc", "--smp", "2"], status: 0,
                 output: "psci over smc: version 0x10000\nhvc is undefined\ncpu 1 mpidr 0x80000001 context 0xfeedface0001\ncpu 1 off\nPASS\n",
                 error: nil),
    ]

    @Test(arguments: guestEnds)
    func runExitStatusFollowsTheGuest(_ end: GuestEnd) throws {
        let files = try TemporaryFiles()
        let image = try GuestBuilder.build(end.sources, defines: end.defines)
        let kernel = try files.write("guest.bin", image.bytes)
        let result = try ArmVMProcess.run(["run", "--kernel", kernel] + end.options)
        #expect(result.status == end.status, "stderr: \(result.standardError)")
        #expect(result.standardOutput == end.output)
        if let error = end.error {
            #expect(result.standardError.contains(error), "stderr: \(result.standardError)")
        } else {
            #expect(result.standardError.isEmpty, "stderr: \(result.standardError)")
        }
    }
}

// MARK: - Running the executable

struct ProcessResult {
    let status: Int32
    let standardOutput: String
    let standardError: String
}

enum CommandLineTestError: Error, CustomStringConvertible {
    case executableMissing([String])
    case timedOut([String])

    var description: String {
        switch self {
        case let .executableMissing(searched):
            return "the armvm executable was not found (looked at \(searched.joined(separator: ", "))); "
                + "build it with `swift build --build-tests` before `swift test --skip-build`"
        case let .timedOut(arguments):
            return "\(arguments.joined(separator: " ")) did not finish within its time limit"
        }
    }
}

enum ProcessRunner {
    /// Runs `executable` with standard input closed, collecting both output streams (through
    /// files, so neither pipe can fill and block the child); kills it after `timeoutSeconds`.
    static func run(_ executable: String, _ arguments: [String], timeoutSeconds: Double = 120) throws -> ProcessResult {
        let files = try TemporaryFiles()
        let outPath = try files.write("stdout", [])
        let errPath = try files.write("stderr", [])
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        let err = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        let done = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in done.signal() }
        try process.run()
        let finished = done.wait(timeout: .now() + timeoutSeconds) == .success
        if !finished {
            process.terminate()
            done.wait()
        }
        try out.close()
        try err.close()
        guard finished else { throw CommandLineTestError.timedOut([executable] + arguments) }
        return ProcessResult(status: process.terminationStatus,
                             standardOutput: try String(contentsOfFile: outPath, encoding: .utf8),
                             standardError: try String(contentsOfFile: errPath, encoding: .utf8))
    }
}

enum ArmVMProcess {
    /// Where the build put `armvm`: beside the test bundle (the build products directory), or
    /// the package's `.build/debug`.
    static func executable() throws -> String {
        var candidates: [String] = []
        for path in [CommandLine.arguments.first, Bundle.main.executablePath].compactMap({ $0 }) {
            var dir = URL(fileURLWithPath: path).deletingLastPathComponent()
            // macOS: …/debug/ArmVMPackageTests.xctest/Contents/MacOS/ArmVMPackageTests
            while dir.path.contains(".xctest") { dir = dir.deletingLastPathComponent() }
            candidates.append(dir.appendingPathComponent("armvm").path)
        }
        candidates.append(GuestBuilder.repositoryRoot.appendingPathComponent(".build/debug/armvm").path)
        guard let found = candidates.first(where: FileManager.default.isExecutableFile) else {
            throw CommandLineTestError.executableMissing(candidates)
        }
        return found
    }

    static func run(_ arguments: [String]) throws -> ProcessResult {
        try ProcessRunner.run(try executable(), arguments)
    }
}

/// A private temporary directory, removed when the value goes away.
final class TemporaryFiles {
    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("armvm-cli-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let path = self.path(name)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }
}
