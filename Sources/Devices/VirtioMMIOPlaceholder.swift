/// An empty virtio-mmio transport (virtio 1.x, register layout version 2).
///
/// The 'virt' board advertises a row of virtio-mmio slots in the device tree; each answers the
/// probe with the magic value and DeviceID 0, which the virtio specification defines as "no
/// device here", so the guest driver skips the slot. Every other register reads as zero and
/// ignores writes.
public final class VirtioMMIOPlaceholder: Sendable {
    /// Size of one transport's register window.
    public static let regionSize: UInt64 = 0x200
    /// "virt" in little-endian ASCII.
    public static let magicValue: UInt32 = 0x7472_6976
    public static let version: UInt32 = 2
    /// "QEMU" in little-endian ASCII, the vendor Linux sees on QEMU's virt board too.
    public static let vendorID: UInt32 = 0x554D_4551

    public init() {}

    /// A guest read at `offset` in the window. Nil (external abort) only for what the bus
    /// cannot carry: a width other than 1, 2, 4 or 8 bytes, or an offset beyond the window.
    /// Unassigned offsets read as zero.
    public func read(offset: UInt64, size: Int, vcpu: Int) -> UInt64? {
        guard offset < Self.regionSize else { return nil }
        return RegisterAccess.read(offset: offset, size: size) { aligned in
            switch aligned {
            case 0x000: return Self.magicValue
            case 0x004: return Self.version
            case 0x008: return 0  // DeviceID 0: no device.
            case 0x00C: return Self.vendorID
            default: return 0
            }
        }
    }

    /// A guest write at `offset` in the window. False (external abort) only for what the bus
    /// cannot carry, as for `read`; read-only and unassigned registers ignore writes.
    public func write(offset: UInt64, size: Int, value: UInt64, vcpu: Int) -> Bool {
        guard offset < Self.regionSize else { return false }
        return RegisterAccess.isValid(size: size)
    }
}
