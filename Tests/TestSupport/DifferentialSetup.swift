/// Code and memory both sides run once before the cases: with it the differential test can
/// turn the MMU on, so loads and stores go through translation and the TLB, and unaligned
/// accesses to Normal memory are defined.
public struct DifferentialSetup: Sendable {
    /// Where the set-up code is placed (it must stay mapped once it turns the MMU on).
    public var address: UInt64
    public var words: [UInt32]
    /// X0–X3 when the set-up code starts.
    public var registers: [UInt64]
    /// Memory written before the set-up code runs (translation tables).
    public var memory: [(address: UInt64, bytes: [UInt8])]

    public var endAddress: UInt64 { address &+ UInt64(words.count) * 4 }

    /// Stage 1 on with the 4 KB granule (T0SZ 25, from level 1), every page of the 8 MB of RAM
    /// identity mapped as Normal write-back memory: the first 4 MB (scratch and code) with level 3
    /// pages, the rest with 2 MB blocks; the scratch page EL0-accessible too. SCTLR_EL1 = reset value | M | C | I | SA | SA0, A = 0.
    public static func mmuOn4K() -> DifferentialSetup {
        let ram = UnicornOracle.ramBase
        let l1 = ram + 0x70_0000, l2 = l1 + 0x1000, l3a = l1 + 0x2000, l3b = l1 + 0x3000
        let normal: UInt64 = 1 << 10 | 3 << 8 | 1 << 2   // AF, inner shareable, AttrIndx 1; AP 00
        var tables = [UInt64](repeating: 0, count: 4 * 512)
        tables[1] = l2 | 3                                  // L1[1]: 0x4000_0000 - 0x7FFF_FFFF
        tables[512 + 0] = l3a | 3
        tables[512 + 1] = l3b | 3
        tables[512 + 2] = (ram + 0x40_0000) | normal | 1    // 2 MB blocks
        tables[512 + 3] = (ram + 0x60_0000) | normal | 1
        for i in 0..<1024 {
            tables[1024 + i] = (ram + UInt64(i) * 0x1000) | normal | 3
        }
        // The scratch page is also EL0 read/write (AP 01), so LDTR/STTR may use it. (Code pages
        // stay EL1-only: EL0-writable memory is never executable at EL1.)
        tables[1024 + Int((InstructionGenerator.scratchBase - ram) / 0x1000)] |= 1 << 6
        var bytes: [UInt8] = []
        bytes.reserveCapacity(tables.count * 8)
        for t in tables { withUnsafeBytes(of: t.littleEndian) { bytes += $0 } }
        let words: [UInt32] = [
            0xD518_A200,    // msr mair_el1, x0
            0xD518_2041,    // msr tcr_el1, x1
            0xD518_2002,    // msr ttbr0_el1, x2
            0xD503_3B9F,    // dsb ish
            0xD508_871F,    // tlbi vmalle1
            0xD503_3B9F,    // dsb ish
            0xD503_3FDF,    // isb
            0xD518_1003,    // msr sctlr_el1, x3
            0xD503_3FDF,    // isb
        ]
        // EPD1 (no TTBR1 walks), TG1 4 KB (QEMU 5 faults on the reserved TG1 = 0), IPS 40 bits.
        let tcr: UInt64 = 25 | 1 << 8 | 1 << 10 | 3 << 12 | 1 << 23 | 2 << 30 | 2 << 32
        let sctlr: UInt64 = 0x30D0_0800 | 1 << 0 | 1 << 2 | 1 << 3 | 1 << 4 | 1 << 12
        return DifferentialSetup(address: ram + 0x78_0000, words: words,
                                 registers: [0xFF00, tcr, l1, sctlr], memory: [(l1, bytes)])
    }
}
