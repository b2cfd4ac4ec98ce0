import Foundation
import Synchronization

/// A guest program linked for the 'virt' board's RAM and flattened to the bytes to load there.
public struct GuestImage: Sendable {
    /// Where the image must be loaded; also its entry point (`_start` is first in `.text`).
    public let loadAddress: UInt64
    public let bytes: [UInt8]
    /// The ELF file the image came from (symbols, for a human with `llvm-objdump`).
    public let elfPath: String
}

/// Why a guest could not be built. The message carries the compiler's or linker's output.
public enum GuestBuildError: Error, CustomStringConvertible {
    case toolNotFound(String, searched: [String])
    case sourceNotFound(String)
    case toolFailed(command: String, output: String)

    public var description: String {
        switch self {
        case let .toolNotFound(tool, searched):
            return "\(tool) not found beside the Swift toolchain (looked in: \(searched.joined(separator: ", ")))"
        case let .sourceNotFound(path):
            return "guest source \(path) does not exist"
        case let .toolFailed(command, output):
            return "guest build step failed: \(command)\n\(output)"
        }
    }
}

/// Builds guest programs (C and assembly under `guests/`) with the Swift toolchain's own clang,
/// ld.lld and llvm-objcopy, so the test suite needs no cross compiler.
///
/// Every program links the runtime in `guests/runtime/` (entry, vectors, UART, EL0, GIC).
/// Builds land in the temporary directory keyed by a hash of every input and flag, so a test
/// run builds each program once and reruns reuse the result; the source tree stays clean.
public enum GuestBuilder {
    /// The load address of every guest (QEMU virt RAM base; guests/runtime/link.ld).
    public static let ramBase: UInt64 = 0x4000_0000

    /// The repository's root, found from this file's location.
    public static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
    }

    public static var guestsDirectory: URL { repositoryRoot.appendingPathComponent("guests") }

    private static let cache = Mutex<[String: GuestImage]>([:])

    /// Builds a guest from `sources` (paths relative to `guests/`, `.c` or `.S`) plus the runtime.
    /// `defines` become `-D` flags for the program's own sources (e.g. `["GRANULE_KB=16"]`).
    public static func build(_ sources: [String], defines: [String] = []) throws -> GuestImage {
        let guests = guestsDirectory
        let runtimeDir = guests.appendingPathComponent("runtime")
        let runtimeFiles = try FileManager.default.contentsOfDirectory(atPath: runtimeDir.path).sorted()
        let runtimeSources = runtimeFiles.filter { $0.hasSuffix(".c") || $0.hasSuffix(".S") }
            .map { "runtime/" + $0 }
        let allSources = runtimeSources + sources
        // Every file the build can read: sources, and the headers beside each of them.
        var inputs = Set(allSources)
        for dir in Set(allSources.map { ($0 as NSString).deletingLastPathComponent }) {
            let files = (try? FileManager.default.contentsOfDirectory(atPath: guests.appendingPathComponent(dir).path)) ?? []
            for f in files where f.hasSuffix(".h") || f.hasSuffix(".ld") { inputs.insert(dir + "/" + f) }
        }
        for source in sources where !FileManager.default.fileExists(atPath: guests.appendingPathComponent(source).path) {
            throw GuestBuildError.sourceNotFound(guests.appendingPathComponent(source).path)
        }

        var hasher = FNV1a()
        for flag in compileFlags + defines { hasher.add(flag); hasher.add("\0") }
        for input in inputs.sorted() {
            hasher.add(input)
            hasher.add(try Data(contentsOf: guests.appendingPathComponent(input)))
        }
        hasher.add(allSources.joined(separator: "\n"))
        let key = String(hasher.value, radix: 16)
        if let image = cache.withLock({ $0[key] }) { return image }

        let outDir = FileManager.default.temporaryDirectory
            .appendingPathComponent("armvm-guests").appendingPathComponent(key)
        let binPath = outDir.appendingPathComponent("image.bin").path
        let elfPath = outDir.appendingPathComponent("image.elf").path
        if !FileManager.default.fileExists(atPath: binPath) {
            try compileAndLink(allSources, defines: defines, guests: guests, outDir: outDir)
        }
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: binPath)))
        let image = GuestImage(loadAddress: ramBase, bytes: bytes, elfPath: elfPath)
        cache.withLock { $0[key] = image }
        return image
    }

    static let compileFlags = [
        "--target=aarch64-none-elf", "-ffreestanding", "-nostdlib", "-mgeneral-regs-only",
        // With the MMU off every data access is Device memory, where unaligned accesses fault.
        "-mstrict-align", "-fno-stack-protector", "-fno-pic", "-O2", "-Wall", "-Werror", "-g",
    ]

    /// Builds into a private directory, then renames it into place so that concurrent builds of
    /// the same program (parallel tests) never see a half-written image.
    private static func compileAndLink(_ sources: [String], defines: [String], guests: URL, outDir: URL) throws {
        let tools = try toolchain()
        let fm = FileManager.default
        let work = outDir.deletingLastPathComponent()
            .appendingPathComponent("tmp-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString)")
        try fm.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? fm.removeItem(at: work) }

        // Objects are cached too (keyed by flags, source and every header it can include), so
        // the runtime is compiled once for all programs.
        let objectDir = outDir.deletingLastPathComponent().appendingPathComponent("objects")
        try fm.createDirectory(at: objectDir, withIntermediateDirectories: true)
        let runtimeDir = guests.appendingPathComponent("runtime")
        var objects: [String] = []
        for (i, source) in sources.enumerated() {
            let src = guests.appendingPathComponent(source)
            let dir = src.deletingLastPathComponent()
            // The program's defines are for the program; the runtime is built the same for all.
            let sourceDefines = source.hasPrefix("runtime/") ? [] : defines
            var hasher = FNV1a()
            for flag in compileFlags + sourceDefines { hasher.add(flag); hasher.add("\0") }
            hasher.add(source)
            hasher.add(try Data(contentsOf: src))
            for headerDir in Set([runtimeDir.path, dir.path]).sorted() {
                for f in (try fm.contentsOfDirectory(atPath: headerDir)).sorted() where f.hasSuffix(".h") {
                    hasher.add(f)
                    hasher.add(try Data(contentsOf: URL(fileURLWithPath: headerDir + "/" + f)))
                }
            }
            let cached = objectDir.appendingPathComponent("\(String(hasher.value, radix: 16))-\(src.lastPathComponent).o")
            if !fm.fileExists(atPath: cached.path) {
                let object = work.appendingPathComponent("\(i)-\(src.lastPathComponent).o")
                try run(tools.clang, compileFlags + sourceDefines.map { "-D" + $0 }
                    + ["-I", runtimeDir.path, "-I", dir.path, "-c", src.path, "-o", object.path])
                try? fm.moveItem(at: object, to: cached)   // a concurrent build may have won
            }
            objects.append(cached.path)
        }
        let elf = work.appendingPathComponent("image.elf").path
        try run(tools.lld, ["-T", guests.appendingPathComponent("runtime/link.ld").path, "--no-undefined"]
            + objects + ["-o", elf])
        try run(tools.objcopy, ["-O", "binary", elf, work.appendingPathComponent("image.bin").path])
        do {
            try fm.moveItem(at: work, to: outDir)
        } catch where fm.fileExists(atPath: outDir.appendingPathComponent("image.bin").path) {
            // Another build of the same inputs won the race; its result is identical.
        }
    }

    struct Toolchain { let clang: String, lld: String, objcopy: String }

    /// clang, ld.lld and llvm-objcopy from the directory of `swift` on PATH (or the directory
    /// in ARMVM_TOOLCHAIN_BIN, for a toolchain that is not on PATH).
    static func toolchain() throws -> Toolchain {
        var dirs: [String] = []
        let env = ProcessInfo.processInfo.environment
        if let explicit = env["ARMVM_TOOLCHAIN_BIN"] { dirs.append(explicit) }
        for entry in (env["PATH"] ?? "").split(separator: ":").map(String.init) {
            let swift = entry + "/swift"
            guard FileManager.default.isExecutableFile(atPath: swift) else { continue }
            dirs.append(entry)
            let resolved = URL(fileURLWithPath: swift).resolvingSymlinksInPath().deletingLastPathComponent().path
            if resolved != entry { dirs.append(resolved) }
        }
        func find(_ tool: String) throws -> String {
            for dir in dirs where FileManager.default.isExecutableFile(atPath: dir + "/" + tool) {
                return dir + "/" + tool
            }
            throw GuestBuildError.toolNotFound(tool, searched: dirs)
        }
        return Toolchain(clang: try find("clang"), lld: try find("ld.lld"), objcopy: try find("llvm-objcopy"))
    }

    static func run(_ tool: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw GuestBuildError.toolFailed(command: ([tool] + arguments).joined(separator: " "),
                                             output: String(decoding: output, as: UTF8.self))
        }
    }
}

/// 64-bit FNV-1a: a content hash for the build cache (not a security boundary).
struct FNV1a {
    private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325
    mutating func add(_ bytes: some Sequence<UInt8>) {
        for b in bytes { value = (value ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
    }
    mutating func add(_ string: String) { add(string.utf8) }
}
