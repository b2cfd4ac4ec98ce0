// Per-vCPU state that one thread writes all the time shares no cache line with anything else.
import Testing
@testable import AArch64

@Test func hostCacheLineAllocationsStartAndEndOnTheirOwnLines() {
    for count in [1, 3, 16, 17, 34] {
        let buffer = HostCacheLine.allocate(UInt64.self, capacity: count)
        defer { buffer.deallocate() }
        #expect(Int(bitPattern: buffer) % HostCacheLine.size == 0, "\(count) words")
    }
}

@Test func aCPUsRegisterFilesAndCachesStartOnTheirOwnLines() {
    let cpu = CPU(id: 0, bus: PhysicalBus(ramBase: 0x4000_0000, ramSize: 1 << 20))
    #expect(Int(bitPattern: cpu.regs) % HostCacheLine.size == 0)
    #expect(Int(bitPattern: cpu.vregs) % HostCacheLine.size == 0)
    #expect(Int(bitPattern: cpu.decodeCache.table) % HostCacheLine.size == 0)
    #expect(Int(bitPattern: cpu.translations.entries) % HostCacheLine.size == 0)
}

/// The signal word has a padding on each side, so two signal objects (two vCPUs') lie more
/// than two padded lines apart however the heap places them.
@Test func interruptSignalsArePaddedOnBothSides() {
    let first = InterruptSignals(), second = InterruptSignals()
    let a = Int(bitPattern: Unmanaged.passUnretained(first).toOpaque())
    let b = Int(bitPattern: Unmanaged.passUnretained(second).toOpaque())
    #expect(abs(a - b) >= 2 * HostCacheLine.size)
    #expect(MemoryLayout<CacheLinePadding>.size == HostCacheLine.size)
}
