// Owner: load/store work. The software TLB and the instruction-fetch cache, stored in the CPU.

/// One cached 4 KB page of a stage 1 translation for one permission class (EL0 or EL1).
///
/// A tag equal to the page's VA (low 12 bits clear) means "this access kind is permitted and the
/// page is RAM at `host`"; the same VA with bit 0 set means "permitted, but the page is MMIO at
/// `physical`", which the fast path's compare rejects so that every device access goes through
/// the bus. Any other value (`TranslationCache.invalidTag`) misses.
struct TLBEntry {
    var readTag: UInt64
    var writeTag: UInt64
    var fetchTag: UInt64
    /// Host address of the page when it is RAM.
    var host: UnsafeMutableRawPointer
    /// Physical address of the page.
    var physical: UInt64
}

/// Cached stage 1 translations, owned by one vCPU.
///
/// Direct-mapped, keyed by VA page and permission class, holding host pointers for RAM pages so
/// that a load or store that hits is an index, a compare and a host access. Entries are always
/// 4 KB even when the mapping is a 16/64 KB page or a block, so the hot path is granule-agnostic.
/// Nothing is tagged with an ASID: every TTBR/TCR/SCTLR/MAIR write and every TLBI flushes.
public struct TranslationCache {
    /// Entries per permission class (a power of two).
    static let entriesPerClass = 512
    static let indexMask: UInt64 = UInt64(entriesPerClass - 1)
    /// A tag no VA-derived key can equal (a key has bits 11:1 clear).
    static let invalidTag: UInt64 = .max

    /// Frees the entry table with the last copy of the cache (the CPU owns exactly one).
    final class Storage {
        let entries: UnsafeMutablePointer<TLBEntry>
        init(count: Int) {
            entries = HostCacheLine.allocate(TLBEntry.self, capacity: count)
        }
        deinit { entries.deallocate() }
    }

    private let storage: Storage
    /// `2 * entriesPerClass` entries: EL0 permissions first, then EL1.
    let entries: UnsafeMutablePointer<TLBEntry>

    /// The instruction page being executed: its VA | EL << 2 (see `CPU.fetchInstruction`), and
    /// the host pointer of that page. `invalidTag` when there is none.
    var fetchPageTag: UInt64 = invalidTag
    var fetchPageHost: UnsafeMutableRawPointer

    /// The canonical VA range covered by mappings larger than 64 KB (blocks) cached since the
    /// last full flush: a TLBI by VA inside it must flush everything, since such a block fills
    /// entries at many indexes. Empty when `largeLow > largeHigh`.
    var largeLow: UInt64 = .max
    var largeHigh: UInt64 = 0

    /// The value(s) LDXR/LDXP read, compared by STXR/STXP's compare-and-swap so that the
    /// exclusive pair is atomic against other vCPUs' stores to host RAM.
    var exclusiveValue: UInt64 = 0
    var exclusiveValueHigh: UInt64 = 0

    public init() {
        let count = 2 * Self.entriesPerClass
        storage = Storage(count: count)
        entries = storage.entries
        fetchPageHost = UnsafeMutableRawPointer(storage.entries)
        let dummy = UnsafeMutableRawPointer(storage.entries)
        entries.initialize(repeating: TLBEntry(readTag: Self.invalidTag, writeTag: Self.invalidTag,
                                               fetchTag: Self.invalidTag, host: dummy, physical: 0),
                           count: count)
    }

    /// The entry for `va` in permission class `privileged` (0: EL0, 1: EL1).
    ///
    /// The index folds VA bits 29:21 onto bits 20:12. With bits 20:12 alone, every page at a
    /// 2 MB-aligned address shared index 0: on 'virt' the GIC distributor (0x0800_0000), the
    /// virtio-mmio window (0x0a00_0000) and the first page of RAM (0x4000_0000, where
    /// kvm-unit-tests keeps its code) evicted one another, and each MMIO access in a loop
    /// walked the translation tables again. Pages of one 2 MB region still get distinct,
    /// consecutive indexes; only bits below 56 take part, so a TLBI operand (which has no tag
    /// byte) finds the entry its tagged VA filled.
    @inline(__always)
    func entry(_ va: UInt64, privileged: Int) -> UnsafeMutablePointer<TLBEntry> {
        let index = ((va >> 12) ^ (va >> 21)) & Self.indexMask
        return entries + (privileged &* Self.entriesPerClass | Int(truncatingIfNeeded: index))
    }

    /// Drops everything.
    mutating func flushAll() {
        for i in 0..<(2 * Self.entriesPerClass) {
            entries[i].readTag = Self.invalidTag
            entries[i].writeTag = Self.invalidTag
            entries[i].fetchTag = Self.invalidTag
        }
        fetchPageTag = Self.invalidTag
        largeLow = .max
        largeHigh = 0
    }

    /// Drops the entries of the 64 KB region around `va` in both classes (covering any 4, 16 or
    /// 64 KB page that contains it), or everything when `va` may be inside a cached block.
    mutating func flush(virtualAddress va: UInt64) {
        let canonical = Self.canonical(va)
        if largeLow <= largeHigh, canonical >= largeLow & ~0xFFFF, canonical <= largeHigh | 0xFFFF {
            flushAll()
            return
        }
        let base = va & ~0xFFFF
        for page in 0..<UInt64(16) {
            let pageVA = base | page << 12
            for privileged in 0..<2 {
                let e = entry(pageVA, privileged: privileged)
                // Tags may carry a top byte (TBI) the TLBI operand does not: compare bits 55:12.
                if (e.pointee.readTag ^ pageVA) & 0x00FF_FFFF_FFFF_F000 == 0
                    || (e.pointee.writeTag ^ pageVA) & 0x00FF_FFFF_FFFF_F000 == 0
                    || (e.pointee.fetchTag ^ pageVA) & 0x00FF_FFFF_FFFF_F000 == 0 {
                    e.pointee.readTag = Self.invalidTag
                    e.pointee.writeTag = Self.invalidTag
                    e.pointee.fetchTag = Self.invalidTag
                }
            }
        }
        fetchPageTag = Self.invalidTag
    }

    /// Records that a mapping larger than 64 KB covering `va` was cached.
    mutating func noteLargeMapping(_ va: UInt64, size: UInt64) {
        let canonical = Self.canonical(va)
        let low = canonical & ~(size &- 1)
        let high = low | (size &- 1)
        if low < largeLow { largeLow = low }
        if high > largeHigh { largeHigh = high }
    }

    /// The VA with its top byte replaced by copies of bit 55 (what a TLBI operand can name).
    @inline(__always)
    static func canonical(_ va: UInt64) -> UInt64 {
        UInt64(bitPattern: Int64(bitPattern: va << 8) >> 8)
    }
}
