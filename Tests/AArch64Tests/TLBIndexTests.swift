// Where the software TLB files a page: no two hot 'virt' pages at 2 MB-aligned addresses on
// one entry, and a TLBI operand finds the entry its tagged VA filled.
import Testing
@testable import AArch64

@Test func pagesAt2MBAlignedAddressesGetDifferentTLBEntries() {
    let cache = TranslationCache()
    // GIC distributor, PL011, virtio-mmio, the first page of RAM: all index 0 before.
    let pages: [UInt64] = [0x0800_0000, 0x0900_0000, 0x0A00_0000, 0x4000_0000]
    let entries = Set(pages.map { cache.entry($0, privileged: 1) })
    #expect(entries.count == pages.count)
}

@Test func the512PagesOfA2MBRegionFillEveryTLBEntryOfTheirClass() {
    let cache = TranslationCache()
    for region: UInt64 in [0x4000_0000, 0x4020_0000, 0xFFFF_0000_0060_0000] {
        let entries = Set((0..<UInt64(512)).map { cache.entry(region + $0 << 12, privileged: 0) })
        #expect(entries.count == 512)
        #expect(entries.allSatisfy { $0 - cache.entries < TranslationCache.entriesPerClass })
    }
}

@Test func aTaggedAddressAndItsTLBIOperandShareAnEntry() {
    let cache = TranslationCache()
    for va: UInt64 in [0x0000_1234_5678_9000, 0x00FF_FFFF_FFE0_1000] {
        let tagged = va | 0x5A00_0000_0000_0000
        #expect(cache.entry(tagged, privileged: 1) == cache.entry(TranslationCache.canonical(va), privileged: 1))
    }
}
