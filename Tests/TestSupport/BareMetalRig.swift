import AArch64
import Synchronization

/// Collects what a guest writes to a PL011's data register; the flag register reads as
/// "transmit FIFO empty, receive FIFO empty" so polled output never waits.
public final class UARTSink: MMIODevice {
    private let bytes = Mutex<[UInt8]>([])

    public init() {}

    public var output: String { bytes.withLock { String(decoding: $0, as: UTF8.self) } }

    public func read(offset: UInt64, size: Int, vcpu: Int) -> UInt64? {
        offset == 0x18 ? 0x90 : 0   // UARTFR: TXFE | RXFE
    }

    public func write(offset: UInt64, size: Int, value: UInt64, vcpu: Int) -> Bool {
        if offset == 0 { bytes.withLock { $0.append(UInt8(truncatingIfNeeded: value)) } }
        return true
    }
}

/// Why a guest run on the bare rig did not end with PSCI SYSTEM_OFF.
public enum GuestRunError: Error, CustomStringConvertible {
    case halted(reason: String, pc: UInt64, output: String)
    case budgetExceeded(instructions: Int, pc: UInt64, output: String)
    case unexpectedExit(String, pc: UInt64, output: String)

    public var description: String {
        switch self {
        case let .halted(reason, pc, output):
            return "the CPU halted at pc 0x\(String(pc, radix: 16)): \(reason)\nguest output:\n\(output)"
        case let .budgetExceeded(instructions, pc, output):
            return "no SYSTEM_OFF after \(instructions) instructions (pc 0x\(String(pc, radix: 16)))\nguest output:\n\(output)"
        case let .unexpectedExit(exit, pc, output):
            return "unexpected exit \(exit) at pc 0x\(String(pc, radix: 16))\nguest output:\n\(output)"
        }
    }
}

/// A bare CPU on a bus with RAM at 0x4000_0000 and a UART sink at 0x0900_0000: enough to run
/// the CPU guests without the board. PSCI SYSTEM_OFF over HVC ends the run; any other exit
/// the rig cannot serve (a trapped timer register, WFI with no interrupt source) is an error.
public final class BareMetalRig {
    public static let uartBase: UInt64 = 0x0900_0000
    public static let psciSystemOff: UInt64 = 0x8400_0008

    public let bus: PhysicalBus
    public let cpu: CPU
    public let uart = UARTSink()

    public init(ramSize: UInt64 = 64 << 20) {
        bus = PhysicalBus(ramBase: GuestBuilder.ramBase, ramSize: ramSize)
        bus.map(base: Self.uartBase, size: 0x1000, device: uart, name: "pl011")
        cpu = CPU(id: 0, bus: bus)
    }

    /// Loads `image` and points the CPU at it: EL1h, DAIF masked, MMU off.
    public func load(_ image: GuestImage) throws {
        try bus.load(image.bytes, at: image.loadAddress)
        cpu.reset(entry: image.loadAddress)
    }

    /// Runs until the guest powers off and returns its UART output. Throws on a halt, an exit
    /// the rig cannot serve, or when `maxInstructions` pass without SYSTEM_OFF.
    public func run(maxInstructions: Int = 20_000_000) throws -> String {
        var executed = 0
        let slice = 100_000
        while executed < maxInstructions {
            let before = cpu.instructionsRetired
            let budget = min(slice, maxInstructions - executed)
            let exit = cpu.run(budget: budget)
            // A spent budget counts in full (faulting fetches retire nothing but use budget);
            // otherwise count what retired, at least one, so every call makes progress.
            executed += exit == .budgetExhausted ? budget : max(1, Int(cpu.instructionsRetired &- before))
            switch exit {
            case .budgetExhausted, .kicked:
                continue
            case let .hypervisorCall(imm):
                if cpu.x(0) == Self.psciSystemOff { return uart.output }
                throw GuestRunError.unexpectedExit("HVC #\(imm) with x0 = 0x\(String(cpu.x(0), radix: 16)) (only PSCI SYSTEM_OFF is served)",
                                                   pc: cpu.pc, output: uart.output)
            case let .halted(reason):
                throw GuestRunError.halted(reason: reason, pc: cpu.pc, output: uart.output)
            default:
                throw GuestRunError.unexpectedExit("\(exit)", pc: cpu.pc, output: uart.output)
            }
        }
        throw GuestRunError.budgetExceeded(instructions: executed, pc: cpu.pc, output: uart.output)
    }

    /// Builds, loads and runs a guest on a fresh rig; returns its UART output.
    public static func runGuest(_ sources: [String], defines: [String] = [],
                                maxInstructions: Int = 20_000_000) throws -> String {
        let image = try GuestBuilder.build(sources, defines: defines)
        let rig = BareMetalRig()
        try rig.load(image)
        return try rig.run(maxInstructions: maxInstructions)
    }
}

/// The last non-empty line a guest printed: "PASS" or "FAIL: reason" by convention.
public func guestVerdict(_ output: String) -> String {
    output.split(separator: "\n").last.map(String.init) ?? "(no output)"
}
