import Testing
@testable import AArch64

/// A bare CPU on a RAM-only bus for instruction tests: load words, set registers and flags,
/// run a few instructions, inspect the state. Each rig owns its own CPU and bus, so tests using
/// separate rigs can run in parallel.
final class CPUTestRig {
    /// Where RAM starts (the 'virt' board's RAM base) and where programs are loaded by default.
    static let ramBase: UInt64 = 0x4000_0000

    let bus: PhysicalBus
    let cpu: CPU
    /// What the last `run` returned.
    private(set) var lastExit: VCPUExit?

    init(ramSize: UInt64 = 1 << 20) {
        bus = PhysicalBus(ramBase: Self.ramBase, ramSize: ramSize)
        cpu = CPU(id: 0, bus: bus)
        cpu.pc = Self.ramBase
    }

    /// Writes instruction words (little-endian) at `address`.
    func load(_ words: [UInt32], at address: UInt64 = CPUTestRig.ramBase) {
        for (i, word) in words.enumerated() {
            _ = bus.write(address &+ UInt64(i * 4), size: 4, value: UInt64(word), vcpu: 0)
        }
    }

    /// Sets general-purpose registers; index 31 means SP.
    func set(_ registers: [Int: UInt64]) {
        for (n, value) in registers { cpu.setXOrSP(n, value) }
    }

    /// Runs at most `count` instructions and returns why the CPU stopped
    /// (`.budgetExhausted` when all of them ran).
    @discardableResult
    func run(_ count: Int) -> VCPUExit {
        let exit = cpu.run(budget: count)
        lastExit = exit
        return exit
    }

    /// The usual one-shot: loads `program` at `pc`, sets registers and NZCV (bits 31:28), runs
    /// `steps` instructions (default: one per word) and returns the rig for inspection.
    @discardableResult
    static func run(_ program: [UInt32], at pc: UInt64 = ramBase, registers: [Int: UInt64] = [:],
                    nzcv: UInt32 = 0, steps: Int? = nil) -> CPUTestRig {
        let rig = CPUTestRig()
        rig.load(program, at: pc)
        rig.set(registers)
        rig.cpu.nzcv = nzcv
        rig.cpu.pc = pc
        rig.run(steps ?? program.count)
        return rig
    }
}

/// Runs `program` (see `CPUTestRig.run`) and returns the CPU.
@discardableResult
func runInstructions(_ program: [UInt32], at pc: UInt64 = CPUTestRig.ramBase,
                     registers: [Int: UInt64] = [:], nzcv: UInt32 = 0, steps: Int? = nil) -> CPU {
    CPUTestRig.run(program, at: pc, registers: registers, nzcv: nzcv, steps: steps).cpu
}

/// NZCV as the CPU stores it (bits 31:28), from a string of flag letters such as "NZ" or "ZC".
func nzcvFlags(_ letters: String) -> UInt32 {
    var value: UInt32 = 0
    for letter in letters {
        switch letter {
        case "N", "n": value |= 1 << 31
        case "Z", "z": value |= 1 << 30
        case "C", "c": value |= 1 << 29
        case "V", "v": value |= 1 << 28
        default: break
        }
    }
    return value
}

/// One instruction with its inputs and the expected destination value and flags, for
/// parameterised tests. Register 31 in `registers` and `destination` means SP (so a case
/// writing XZR can check that SP was left alone).
struct InstructionCase: Sendable, CustomTestStringConvertible {
    let assembly: String
    let word: UInt32
    let registers: [Int: UInt64]
    let nzcv: UInt32
    let destination: Int
    let expected: UInt64
    /// Flags after the instruction; nil means "unchanged".
    let expectedNZCV: UInt32?

    init(_ assembly: String, _ word: UInt32, _ registers: [Int: UInt64] = [:], nzcv: UInt32 = 0,
         rd destination: Int = 0, _ expected: UInt64, flags expectedNZCV: UInt32? = nil) {
        self.assembly = assembly
        self.word = word
        self.registers = registers
        self.nzcv = nzcv
        self.destination = destination
        self.expected = expected
        self.expectedNZCV = expectedNZCV
    }

    var testDescription: String { assembly }

    /// Runs the instruction on a fresh rig and returns (destination value, NZCV, PC advanced by 4).
    func execute() -> (value: UInt64, nzcv: UInt32, advanced: Bool) {
        let cpu = runInstructions([word], registers: registers, nzcv: nzcv)
        return (cpu.xOrSP(destination), cpu.nzcv, cpu.pc == CPUTestRig.ramBase &+ 4)
    }
}

extension CPUTestRig {
    /// Where `runExpectingUndefined` puts VBAR_EL1.
    static let vectorBase: UInt64 = ramBase + 0x8000

    /// Runs one instruction that should be UNDEFINED. Returns true when it took the synchronous
    /// exception to EL1 with EC 0 (ESR_EL1 = EC 0, IL 1), ELR_EL1 at the instruction, the PC at
    /// the current-EL/SPx synchronous vector, and X0 and NZCV untouched.
    static func runExpectingUndefined(_ word: UInt32) -> Bool {
        let rig = CPUTestRig()
        rig.cpu.sys.vbar = vectorBase
        rig.load([word])
        let marker: UInt64 = 0x0123_4567_89AB_CDEF
        rig.set([0: marker, 1: 0x1111, 2: 0x2222, 3: 0x3333])
        rig.cpu.nzcv = 0x5000_0000
        rig.run(1)
        return rig.cpu.sys.esr == 1 << 25
            && rig.cpu.sys.elr == ramBase
            && rig.cpu.pc == vectorBase + 0x200
            && rig.cpu.x(0) == marker
            && rig.cpu.nzcv == 0x5000_0000
    }
}
