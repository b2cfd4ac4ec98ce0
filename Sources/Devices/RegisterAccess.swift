/// Maps a guest access of any width onto a file of 32-bit registers.
///
/// The AMBA peripherals here sit on a 32-bit bus. Narrow reads return the addressed byte lanes
/// of the register (little-endian), as the CPU would see them; 64-bit accesses are split into
/// two 32-bit accesses, low word first, as QEMU's memory core does for 32-bit-only devices.
/// A narrow write reaches the register zero-extended only when it targets the low lane; a
/// narrow write to an upper lane carries no data the register could latch and is ignored.
enum RegisterAccess {
    /// Whether `size` is an access width the bus can carry.
    @inline(__always)
    static func isValid(size: Int) -> Bool {
        size == 1 || size == 2 || size == 4 || size == 8
    }

    /// Reads `size` bytes at `offset` through `word`, which reads the 32-bit register at an
    /// aligned offset (with its side effects). Returns nil for a width the bus cannot carry.
    static func read(offset: UInt64, size: Int, word: (UInt64) -> UInt32) -> UInt64? {
        guard isValid(size: size) else { return nil }
        let aligned = offset & ~3
        if size == 8 {
            let low = UInt64(word(aligned))
            let high = UInt64(word(aligned &+ 4))
            return low | (high << 32)
        }
        let lane = offset & 3
        let value = UInt64(word(aligned)) >> (lane * 8)
        return value & (size == 4 ? 0xFFFF_FFFF : (UInt64(1) << (UInt64(size) * 8)) - 1)
    }

    /// Writes `size` bytes of `value` at `offset` through `word`, which writes the 32-bit
    /// register at an aligned offset. Returns false for a width the bus cannot carry.
    static func write(offset: UInt64, size: Int, value: UInt64, word: (UInt64, UInt32) -> Void) -> Bool {
        guard isValid(size: size) else { return false }
        let aligned = offset & ~3
        if size == 8 {
            word(aligned, UInt32(truncatingIfNeeded: value))
            word(aligned &+ 4, UInt32(truncatingIfNeeded: value >> 32))
            return true
        }
        guard offset & 3 == 0 else { return true }
        let mask: UInt64 = size == 4 ? 0xFFFF_FFFF : (UInt64(1) << (UInt64(size) * 8)) - 1
        word(aligned, UInt32(truncatingIfNeeded: value & mask))
        return true
    }
}

/// The PrimeCell identification block at 0xFE0-0xFFC that every AMBA peripheral carries, so
/// that drivers (Linux's AMBA bus) can probe what sits at an address.
struct PrimeCellID: Sendable {
    /// PeriphID0-3 followed by PCellID0-3, one byte per 32-bit register.
    let bytes: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8)

    static let firstOffset: UInt64 = 0xFE0

    init(peripheral: (UInt8, UInt8, UInt8, UInt8)) {
        bytes = (peripheral.0, peripheral.1, peripheral.2, peripheral.3, 0x0D, 0xF0, 0x05, 0xB1)
    }

    /// The ID register at an aligned offset in 0xFE0...0xFFC, nil elsewhere.
    func register(at offset: UInt64) -> UInt32? {
        guard offset >= Self.firstOffset, offset <= 0xFFC else { return nil }
        switch (offset - Self.firstOffset) >> 2 {
        case 0: return UInt32(bytes.0)
        case 1: return UInt32(bytes.1)
        case 2: return UInt32(bytes.2)
        case 3: return UInt32(bytes.3)
        case 4: return UInt32(bytes.4)
        case 5: return UInt32(bytes.5)
        case 6: return UInt32(bytes.6)
        default: return UInt32(bytes.7)
        }
    }
}
