import AArch64
import Foundation

/// Why the differential test could not get an answer from its oracle.
public enum OracleError: Error, CustomStringConvertible {
    case pythonMissing
    case unicornMissing(String)
    case failed(status: Int32, output: String)
    case malformedResult(String)

    public var description: String {
        switch self {
        case .pythonMissing:
            return "python3 is not on PATH; install Python 3, then run `python3 -m pip install unicorn`"
        case let .unicornMissing(output):
            return "the Unicorn oracle is not installed: run `python3 -m pip install unicorn`\n\(output)"
        case let .failed(status, output):
            return "tools/unicorn_oracle.py exited with status \(status):\n\(output)"
        case let .malformedResult(why):
            return "tools/unicorn_oracle.py wrote a malformed result: \(why)"
        }
    }
}

/// One case's outcome on either side: the states seen (the final one last) and an error.
public struct CaseOutcome: Sendable {
    public var states: [DifferentialState]
    public var error: String?
    public var final: DifferentialState? { states.last }
}

/// The protocol with tools/unicorn_oracle.py (the file format is described there).
public enum UnicornOracle {
    public static let ramBase: UInt64 = 0x4000_0000
    public static let ramSize: UInt64 = 8 << 20

    public static func batch(_ cases: [DifferentialCase], trace: Bool, setup: DifferentialSetup? = nil) -> [UInt8] {
        var out = ByteWriter()
        out.bytes += Array("ARMVMDT1".utf8)
        out.u32(UInt32(cases.count)); out.u32(trace ? 1 : 0)
        out.u64(ramBase); out.u64(ramSize)
        out.u64(InstructionGenerator.scratchBase); out.u32(UInt32(InstructionGenerator.scratchSize)); out.u32(0)
        out.u64(setup?.address ?? 0); out.u32(UInt32(setup?.words.count ?? 0)); out.u32(UInt32(setup?.memory.count ?? 0))
        for r in setup?.registers ?? [0, 0, 0, 0] { out.u64(r) }
        for w in setup?.words ?? [] { out.u32(w) }
        for blob in setup?.memory ?? [] {
            out.u64(blob.address); out.u32(UInt32(blob.bytes.count)); out.u32(0)
            out.bytes += blob.bytes
        }
        for c in cases {
            out.u64(c.codeAddress); out.u32(UInt32(c.words.count)); out.u32(0)
            for r in c.registers { out.u64(r) }
            out.u64(c.nzcv)
            for w in c.words { out.u32(w) }
            out.bytes += c.scratch
        }
        return out.bytes
    }

    /// Runs the oracle on `cases` and returns one outcome per case.
    public static func run(_ cases: [DifferentialCase], trace: Bool = false,
                           setup: DifferentialSetup? = nil) throws -> [CaseOutcome] {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("armvm-diff-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let batchURL = dir.appendingPathComponent("batch.bin")
        let resultURL = dir.appendingPathComponent("result.bin")
        try Data(batch(cases, trace: trace, setup: setup)).write(to: batchURL)

        guard let python = findOnPath("python3") else { throw OracleError.pythonMissing }
        let script = GuestBuilder.repositoryRoot.appendingPathComponent("tools/unicorn_oracle.py").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [script, batchURL.path, resultURL.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        if process.terminationStatus == 3 { throw OracleError.unicornMissing(output) }
        guard process.terminationStatus == 0 else {
            throw OracleError.failed(status: process.terminationStatus, output: output)
        }
        return try parse([UInt8](try Data(contentsOf: resultURL)), count: cases.count)
    }

    static func parse(_ bytes: [UInt8], count: Int) throws -> [CaseOutcome] {
        var r = ByteReader(bytes: bytes)
        guard try r.take(8) == Array("ARMVMDR1".utf8) else { throw OracleError.malformedResult("bad magic") }
        guard try r.u32() == count else { throw OracleError.malformedResult("case count") }
        var outcomes: [CaseOutcome] = []
        for _ in 0..<count {
            let status = try r.u32()
            let stateCount = try r.u32()
            var states: [DifferentialState] = []
            for _ in 0..<stateCount {
                var x: [UInt64] = []
                for _ in 0..<31 { x.append(try r.u64()) }
                let sp = try r.u64(), nzcv = try r.u64(), pc = try r.u64()
                states.append(DifferentialState(x: x, sp: sp, nzcv: nzcv, pc: pc,
                                                scratch: try r.take(InstructionGenerator.scratchSize)))
            }
            let message = String(decoding: try r.take(Int(try r.u32())), as: UTF8.self)
            outcomes.append(CaseOutcome(states: states, error: status == 0 ? nil : message))
        }
        return outcomes
    }

    static func findOnPath(_ name: String) -> String? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":") {
            let path = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }
}

/// Runs differential cases on ArmVM's CPU: reset (EL1h, MMU off, no open exclusive) and the
/// optional set-up code per case, all cases' code loaded up front at
/// their own addresses, scratch memory and registers reset per case, one instruction per step.
public final class ArmVMDifferentialRunner {
    public let bus = PhysicalBus(ramBase: UnicornOracle.ramBase, ramSize: UnicornOracle.ramSize)
    public let cpu: CPU

    public let setup: DifferentialSetup?

    public init(_ cases: [DifferentialCase], setup: DifferentialSetup? = nil) throws {
        cpu = CPU(id: 0, bus: bus)
        self.setup = setup
        if let setup {
            for blob in setup.memory { try bus.load(blob.bytes, at: blob.address) }
            var bytes: [UInt8] = []
            for w in setup.words { withUnsafeBytes(of: w.littleEndian) { bytes += $0 } }
            try bus.load(bytes, at: setup.address)
        }
        for c in cases {
            var bytes: [UInt8] = []
            bytes.reserveCapacity(c.words.count * 4)
            for w in c.words { withUnsafeBytes(of: w.littleEndian) { bytes += $0 } }
            try bus.load(bytes, at: c.codeAddress)
        }
    }

    public func state() -> DifferentialState {
        let scratch = bus.ramPointer(InstructionGenerator.scratchBase, size: UInt64(InstructionGenerator.scratchSize))
            .map { [UInt8](UnsafeRawBufferPointer(start: $0, count: InstructionGenerator.scratchSize)) } ?? []
        return DifferentialState(x: (0..<31).map { cpu.x($0) }, sp: cpu.sp, nzcv: UInt64(cpu.nzcv),
                                 pc: cpu.pc, scratch: scratch)
    }

    public func run(_ c: DifferentialCase, trace: Bool = false) -> CaseOutcome {
        cpu.reset(entry: c.codeAddress)
        if let setup {
            cpu.pc = setup.address
            for (i, r) in setup.registers.enumerated() { cpu.setX(i, r) }
            for _ in setup.words where cpu.pc != setup.endAddress { _ = cpu.run(budget: 1) }
            guard cpu.pc == setup.endAddress else {
                return CaseOutcome(states: [state()], error: "the set-up code stopped at pc 0x\(String(cpu.pc, radix: 16)), ESR_EL1 0x\(String(cpu.sys.esr, radix: 16))")
            }
            cpu.pc = c.codeAddress
        }
        cpu.nzcv = UInt32(truncatingIfNeeded: c.nzcv) & 0xF000_0000
        for i in 0..<31 { cpu.setX(i, c.registers[i]) }
        cpu.sp = c.registers[31]
        try? bus.load(c.scratch, at: InstructionGenerator.scratchBase)

        var states: [DifferentialState] = []
        let end = c.endAddress
        var steps = 0
        while cpu.pc != end {
            if trace { states.append(state()) }
            let pc = cpu.pc
            guard pc >= c.codeAddress && pc < end, steps <= c.words.count else {
                states.append(state())
                return CaseOutcome(states: states, error: "left the code: pc 0x\(String(pc, radix: 16)) after \(steps) steps")
            }
            let word = c.words[Int((pc - c.codeAddress) / 4)]
            let exit = cpu.run(budget: 1)
            steps += 1
            let vectored = cpu.pc < c.codeAddress || cpu.pc > end
            if exit != .budgetExhausted || vectored {
                states.append(state())
                return CaseOutcome(states: states, error: "instruction 0x\(hex32(word)) at pc 0x\(String(pc, radix: 16)): "
                    + (vectored ? "took an exception, ESR_EL1 0x\(String(cpu.sys.esr, radix: 16))" : "exit \(exit)"))
            }
        }
        states.append(state())
        return CaseOutcome(states: states, error: nil)
    }
}

public func hex32(_ w: UInt32) -> String {
    let s = String(w, radix: 16)
    return String(repeating: "0", count: max(0, 8 - s.count)) + s
}

struct ByteWriter {
    var bytes: [UInt8] = []
    mutating func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { bytes += $0 } }
    mutating func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { bytes += $0 } }
}

struct ByteReader {
    let bytes: [UInt8]
    var offset = 0
    mutating func take(_ n: Int) throws -> [UInt8] {
        guard n >= 0, offset + n <= bytes.count else { throw OracleError.malformedResult("truncated") }
        defer { offset += n }
        return Array(bytes[offset..<offset + n])
    }
    mutating func u32() throws -> UInt32 {
        try take(4).reversed().reduce(0) { $0 << 8 | UInt32($1) }
    }
    mutating func u64() throws -> UInt64 {
        try take(8).reversed().reduce(0) { $0 << 8 | UInt64($1) }
    }
}
