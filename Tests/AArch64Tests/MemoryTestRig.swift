// A bare CPU on a bus with RAM, for the load/store, MMU and FP tests: instruction words are
// written into RAM and run one by one; page tables are built in RAM by `PageTableBuilder`.
@testable import AArch64

final class MemoryTestRig {
    static let ramBase: UInt64 = 0x4000_0000
    let bus: PhysicalBus
    let cpu: CPU

    init(ramSize: UInt64 = 0x80_0000) {
        bus = PhysicalBus(ramBase: Self.ramBase, ramSize: ramSize)
        cpu = CPU(id: 0, bus: bus)
        cpu.sys.cpacr = 3 << 20 // FP/SIMD enabled unless a test says otherwise
    }

    func write64(_ pa: UInt64, _ value: UInt64) { _ = bus.write(pa, size: 8, value: value, vcpu: 0) }
    func write32(_ pa: UInt64, _ value: UInt64) { _ = bus.write(pa, size: 4, value: value, vcpu: 0) }
    func write8(_ pa: UInt64, _ value: UInt64) { _ = bus.write(pa, size: 1, value: value, vcpu: 0) }
    func read64(_ pa: UInt64) -> UInt64 { bus.read(pa, size: 8, vcpu: 0) ?? 0xDEAD }
    func read32(_ pa: UInt64) -> UInt64 { bus.read(pa, size: 4, vcpu: 0) ?? 0xDEAD }

    /// Writes `words` at `pa` and points the PC at the first.
    func program(_ words: [UInt32], at pa: UInt64 = ramBase) {
        for (i, word) in words.enumerated() { write32(pa + UInt64(4 * i), UInt64(word)) }
        cpu.pc = pa
    }

    /// Runs `count` instructions (or until an exit), recording the exit for `lastSyndrome`.
    @discardableResult
    func run(_ count: Int = 1) -> VCPUExit {
        let exit = cpu.run(budget: count)
        lastExit = exit
        return exit
    }

    /// Writes `words` at `pa` and runs them all.
    @discardableResult
    func execute(_ words: [UInt32], at pa: UInt64 = ramBase) -> VCPUExit {
        program(words, at: pa)
        return run(words.count)
    }

    /// The ESR of the last synchronous exception: the one the exception-entry stub halted on
    /// (its message carries "ESR 0x..."), or ESR_EL1 once exception entry is real. Nil if none.
    var lastSyndrome: UInt32? {
        if case let .halted(message)? = cpu.pendingExit ?? lastExit,
           let range = message.firstRange(of: "ESR 0x") {
            let hex = message[range.upperBound...].prefix { $0.isHexDigit }
            return UInt32(hex, radix: 16)
        }
        return cpu.sys.esr == 0 ? nil : UInt32(truncatingIfNeeded: cpu.sys.esr)
    }

    /// The exit of the last `run`.
    var lastExit: VCPUExit?

    /// Forgets the last exception.
    func clearFault() {
        cpu.pendingExit = nil
        lastExit = nil
        cpu.sys.esr = 0
    }
}

/// Builds stage 1 translation tables in the rig's RAM for one granule and input size.
struct PageTableBuilder {
    let rig: MemoryTestRig
    let grainShift: Int
    let inputBits: Int
    let root: UInt64
    private var next: UInt64

    /// Descriptor bits for a normal, accessed (AF), inner-shareable page, MAIR index 0, EL1 RW.
    static let normal: UInt64 = 1 << 10 | 3 << 8

    /// Tables are allocated upward from `tableArea` (a PA in RAM, granule-aligned).
    init(rig: MemoryTestRig, grainShift: Int, inputBits: Int = 48, tableArea: UInt64) {
        self.rig = rig
        self.grainShift = grainShift
        self.inputBits = inputBits
        root = tableArea
        next = tableArea + (1 << UInt64(grainShift))
    }

    var stride: Int { grainShift - 3 }
    var startLevel: Int { 4 - (inputBits - grainShift + stride - 1) / stride }
    func shift(level: Int) -> Int { grainShift + (3 - level) * stride }

    /// The PA of the descriptor for `va` at `level`, creating the tables above it.
    mutating func descriptorAddress(_ va: UInt64, level leafLevel: Int) -> UInt64 {
        var table = root
        var level = startLevel
        while true {
            let s = shift(level: level)
            let bits = min(stride, inputBits - s)
            let index = (va >> UInt64(s)) & ((1 << UInt64(bits)) - 1)
            let address = table + index * 8
            if level == leafLevel { return address }
            let d = rig.read64(address)
            if d & 3 == 3 {
                table = d & 0x0000_FFFF_FFFF_F000 & ~((1 << UInt64(grainShift)) - 1)
            } else {
                let newTable = next
                next += 1 << UInt64(grainShift)
                rig.write64(address, newTable | 3)
                table = newTable
            }
            level += 1
        }
    }

    /// Maps `va` to `pa` with a page (level 3) or a block (a lower level).
    mutating func map(_ va: UInt64, to pa: UInt64, level: Int = 3, attributes: UInt64 = normal) {
        let address = descriptorAddress(va, level: level)
        rig.write64(address, pa | attributes | (level == 3 ? 3 : 1))
    }
}
