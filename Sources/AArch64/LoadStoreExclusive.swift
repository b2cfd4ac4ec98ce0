// Owner: load/store work. Load/store exclusive and load-acquire/store-release (Arm ARM C4.1.89,
// "Load/store exclusive"), Armv8.0: LDXR/LDAXR/STXR/STLXR, LDXP/LDAXP/STXP/STLXP, LDAR/STLR.
import Synchronization

extension CPU {
    /// Decodes size (31:30), o2 (23), L (22), o1 (21), Rs (20:16), o0 (15), Rt2, Rn, Rt.
    func loadStoreExclusive(_ instruction: UInt32) {
        let size = Int(instruction >> 30)
        let o2 = instruction & (1 << 23) != 0
        let isLoad = instruction & (1 << 22) != 0
        let o1 = instruction & (1 << 21) != 0
        let o0 = instruction & (1 << 15) != 0
        let rs = Int((instruction >> 16) & 31)
        let rt2 = Int((instruction >> 10) & 31)
        let rn = Int((instruction >> 5) & 31)
        let rt = Int(instruction & 31)

        switch (o2, o1) {
        case (false, false):
            guard let address = baseRegister(rn) else { return }
            let bytes = 1 << size
            if isLoad {
                loadExclusive(address, bytes: bytes, rt: rt, rt2: nil)
            } else {
                storeExclusive(address, bytes: bytes, rs: rs, low: x(rt), high: 0, release: o0)
            }
        case (false, true):
            // Pairs exist for 32- and 64-bit registers only (size 0x is Armv8.1 CASP).
            guard size >= 2 else { undefined(); return }
            guard let address = baseRegister(rn) else { return }
            let elementBytes = 1 << size
            if isLoad {
                loadExclusive(address, bytes: 2 * elementBytes, rt: rt, rt2: rt2)
            } else if size == 2 {
                let value = x(rt) & 0xFFFF_FFFF | x(rt2) << 32
                storeExclusive(address, bytes: 8, rs: rs, low: value, high: 0, release: o0)
            } else {
                storeExclusive(address, bytes: 16, rs: rs, low: x(rt), high: x(rt2), release: o0)
            }
        case (true, false):
            // LDAR/STLR; o0 = 0 is Armv8.1 LDLAR/STLLR.
            guard o0 else { undefined(); return }
            guard let address = baseRegister(rn) else { return }
            let bytes = 1 << size
            guard checkAlignment(address, size: bytes, write: !isLoad) else { return }
            if isLoad {
                if let value = readMemory(address, size: bytes) { setX(rt, value) }
            } else {
                // Store-release is ordered before a later load-acquire (RCsc): a full fence
                // after the store, since the host may reorder a store with a later load.
                if writeMemory(address, size: bytes, x(rt)) {
                    atomicMemoryFence(ordering: .sequentiallyConsistent)
                }
            }
        case (true, true):
            undefined() // Armv8.1 CAS
        }
    }

    /// LDXR/LDAXR (rt2 nil) and LDXP/LDAXP: reads and opens the local monitor on the address,
    /// remembering the value for the store's compare-and-swap.
    private func loadExclusive(_ address: UInt64, bytes: Int, rt: Int, rt2: Int?) {
        guard checkAlignment(address, size: bytes, write: false) else { return }
        var low: UInt64 = 0, high: UInt64 = 0
        if bytes == 16 {
            guard let a = readMemory(address, size: 8), let b = readMemory(address &+ 8, size: 8) else { return }
            low = a
            high = b
        } else {
            guard let a = readMemory(address, size: bytes) else { return }
            low = a
        }
        exclusiveAddress = address
        exclusiveSize = bytes
        exclusiveOpen = true
        translations.exclusiveValue = low
        translations.exclusiveValueHigh = high
        if let rt2 {
            if bytes == 8 {
                // LDXP Wt, Wt2: one 64-bit access, Wt the low half.
                setX(rt, low & 0xFFFF_FFFF)
                setX(rt2, low >> 32)
            } else {
                setX(rt, low)
                setX(rt2, high)
            }
        } else {
            setX(rt, low)
        }
    }

    /// STXR/STLXR/STXP/STLXP: stores only if the monitor is open for exactly this address and
    /// size, and (for RAM) only if memory still holds what the load-exclusive read: a host
    /// compare-and-swap, so that two vCPUs cannot both succeed. Ws = 0 on success, 1 on failure.
    private func storeExclusive(_ address: UInt64, bytes: Int, rs: Int, low: UInt64, high: UInt64,
                                release: Bool) {
        guard checkAlignment(address, size: bytes, write: true) else { return }
        guard exclusiveOpen, exclusiveAddress == address, exclusiveSize == bytes else {
            exclusiveOpen = false
            setX(rs, 1)
            return
        }
        // The store must be permitted: translate (and take any abort) before touching memory.
        guard let entry = pageEntry(address, kind: .write, unprivileged: false) else { return }
        exclusiveOpen = false
        let succeeded: Bool
        if entry.pointee.writeTag == address & ~0xFFF {
            let host = entry.pointee.host + Int(address & 0xFFF)
            let expected = translations.exclusiveValue
            switch bytes {
            case 1:
                succeeded = host.assumingMemoryBound(to: Atomic<UInt8>.self).pointee.compareExchange(
                    expected: UInt8(truncatingIfNeeded: expected), desired: UInt8(truncatingIfNeeded: low),
                    ordering: .sequentiallyConsistent).exchanged
            case 2:
                succeeded = host.assumingMemoryBound(to: Atomic<UInt16>.self).pointee.compareExchange(
                    expected: UInt16(truncatingIfNeeded: expected), desired: UInt16(truncatingIfNeeded: low),
                    ordering: .sequentiallyConsistent).exchanged
            case 4:
                succeeded = host.assumingMemoryBound(to: Atomic<UInt32>.self).pointee.compareExchange(
                    expected: UInt32(truncatingIfNeeded: expected), desired: UInt32(truncatingIfNeeded: low),
                    ordering: .sequentiallyConsistent).exchanged
            case 8:
                succeeded = host.assumingMemoryBound(to: Atomic<UInt64>.self).pointee.compareExchange(
                    expected: expected, desired: low, ordering: .sequentiallyConsistent).exchanged
            default:
                let old = WordPair(first: UInt(expected), second: UInt(translations.exclusiveValueHigh))
                let new = WordPair(first: UInt(low), second: UInt(high))
                succeeded = host.assumingMemoryBound(to: Atomic<WordPair>.self).pointee.compareExchange(
                    expected: old, desired: new, ordering: .sequentiallyConsistent).exchanged
            }
        } else {
            // MMIO: an ordinary store.
            if bytes == 16 {
                guard writeMemory(address, size: 8, low), writeMemory(address &+ 8, size: 8, high) else { return }
            } else {
                guard writeMemory(address, size: bytes, low) else { return }
            }
            succeeded = true
        }
        setX(rs, succeeded ? 0 : 1)
    }
}
