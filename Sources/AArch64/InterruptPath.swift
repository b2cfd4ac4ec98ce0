import CHostClock

/// Where the guest's last interrupt handler ran: the addresses at which the run loop entered
/// a new block between taking an IRQ or FIQ and the ERET, and the stack pointer at entry.
///
/// On the reference host whatever a vCPU thread leaves alone for a millisecond or more falls
/// out of the caches (a chain of accesses 10 ms after their last touch cost 477 ns each,
/// against 6 ns after 10 µs), and a guest that waits for a timer by spinning touches only its
/// spin loop. The handler then ran from cold decode-cache entries, guest code and stack: IRQ
/// entry to ICC_IAR1 took 9–12 µs. `CPU.prefetchInterruptPath` brings those lines back before
/// the next deadline; the VMM calls it every few tens of microseconds as a deadline nears.
struct InterruptPath {
    /// Block entries kept (kvm-unit-tests' handler enters ~20 from IRQ entry to ERET).
    static let capacity = 32
    let entries: UnsafeMutablePointer<UInt64>
    var count = 0
    /// Between IRQ/FIQ entry and the next ERET.
    var recording = false
    var stackPointer: UInt64 = 0

    init() {
        entries = HostCacheLine.allocate(UInt64.self, capacity: Self.capacity)
        entries.initialize(repeating: 0, count: Self.capacity)
    }

    mutating func begin(stackPointer: UInt64) {
        count = 0
        recording = true
        self.stackPointer = stackPointer
    }

    @inline(__always)
    mutating func record(_ pc: UInt64) {
        if count < Self.capacity {
            entries[count] = pc
            count &+= 1
        }
    }
}

extension CPU {
    /// Prefetches what the last interrupt handler touched first: the decode-cache entries and
    /// guest code of each block it entered (128 instructions from each entry), the TLB entries
    /// of those pages, and the kilobyte below the stack pointer it started with. Guest
    /// addresses reach host memory only through TLB entries that still hold them, so nothing
    /// outside guest RAM is named; a prefetch never faults and changes no state.
    public func prefetchInterruptPath() {
        let path = interruptPath
        let table = decodeCache.table
        let entryBytes = MemoryLayout<DecodedInstruction>.stride
        for i in 0..<path.count {
            let pc = path.entries[i]
            let slot = Int(truncatingIfNeeded: (pc >> 2) & DecodeCache.indexMask)
            let slots = min(128, DecodeCache.entries - slot)
            chc_prefetch_range(table + slot, UInt64(slots * entryBytes))
            let e = translations.entry(pc, privileged: 1)
            chc_prefetch_range(e, UInt64(MemoryLayout<TLBEntry>.stride))
            if e.pointee.fetchTag == pc & ~0xFFF {
                let offset = Int(truncatingIfNeeded: pc & 0xFFF)
                chc_prefetch_range(e.pointee.host + offset, UInt64(min(512, 0x1000 - offset)))
            }
        }
        let sp = path.stackPointer
        guard sp != 0 else { return }
        let top = sp &- 1 // the highest byte a push writes
        let e = translations.entry(top, privileged: 1)
        chc_prefetch_range(e, UInt64(MemoryLayout<TLBEntry>.stride))
        if e.pointee.writeTag == top & ~0xFFF {
            let end = Int(truncatingIfNeeded: top & 0xFFF) + 1
            let start = max(end - 1024, 0)
            chc_prefetch_range(e.pointee.host + start, UInt64(end - start))
        }
    }
}
