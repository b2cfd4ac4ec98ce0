/// Recognises the loops that only an interrupt can leave (see `VCPUExit.idleLoop`).
///
/// A loop of NOPs and YIELDs closed by a B back to its first instruction reads no memory and
/// no register the outside world can change: until an exception it runs forever, the same
/// instructions each time. Letting the vCPU wait for an interrupt instead is invisible to the
/// guest (the loop would have spun all that time) and hands the host core back, where a
/// spinning vCPU would otherwise leave other threads to preempt its busy neighbours. The check
/// runs when the B runs, not at decode: the decode cache keys on one word only, and the hints
/// before the B may change while the B stays.
enum IdleLoop {
    /// The longest loop recognised, in bytes before the B: 16 instructions.
    static let longestLoopBytes: Int64 = 64
    static let nop: UInt32 = 0xD503_201F
    static let yield: UInt32 = 0xD503_203F

    /// Whether every word from `start` up to the B at `branch` is NOP or YIELD; both are
    /// addresses in the instruction page whose host copy is `page` (a loop that leaves the
    /// page is not recognised).
    @inline(__always)
    static func isIdle(page: UnsafeMutableRawPointer, from start: UInt64, to branch: UInt64) -> Bool {
        guard start & ~0xFFF == branch & ~0xFFF else { return false }
        var address = start
        while address != branch {
            let word = page.loadUnaligned(fromByteOffset: Int(truncatingIfNeeded: address & 0xFFF), as: UInt32.self)
            guard word == nop || word == yield else { return false }
            address &+= 4
        }
        return true
    }
}
