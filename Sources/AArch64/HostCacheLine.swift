/// Memory that no other allocation shares a host cache line with.
///
/// Each vCPU thread writes its own state (registers, decode cache, TLB, counters) all the
/// time, and reads its `InterruptSignals` at every block boundary. Plain heap allocations of
/// different vCPUs land next to each other: one run had vCPU 1's signal word and vCPU 0's
/// X0–X3 in one 64-byte line, so every register write of vCPU 0 took the line away from the
/// core running vCPU 1 and every signal check of vCPU 1 took it back. Padding to 128 bytes
/// also keeps apart the line pairs that x86's adjacent-line prefetcher fetches together — what
/// crossbeam's `CachePadded` and Linux's `____cacheline_aligned_in_smp` do.
public enum HostCacheLine {
    /// The unit of separation: two 64-byte lines.
    public static let size = 128

    /// Uninitialized memory for `count` values of `T`, aligned to and padded to a whole
    /// number of `size` units. Free it with `deallocate()`.
    public static func allocate<T>(_ type: T.Type, capacity count: Int) -> UnsafeMutablePointer<T> {
        let bytes = max(1, count * MemoryLayout<T>.stride)
        let padded = (bytes + size - 1) / size * size
        return UnsafeMutableRawPointer.allocate(byteCount: padded, alignment: max(size, MemoryLayout<T>.alignment))
            .bindMemory(to: T.self, capacity: count)
    }
}

/// Fills a class's storage on either side of a field that another thread writes, so that
/// the field's line holds nothing else (see `HostCacheLine`): 128 bytes.
public struct CacheLinePadding: Sendable {
    private let words: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
                        UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64)
    public init() { words = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0) }
}
