import AArch64
import Devices
import GIC

// The board's MMIO devices as `DirectMMIODevice`s: C entry points the bus calls with the
// device's unretained address, so that an MMIO access retains nothing (see `MMIOEntryPoints`).
// A C function pointer cannot capture a generic type, hence one pair of one-line closures per
// class, each calling the generic bodies below with its own type.

extension GICDistributorFrame: DirectMMIODevice {
    public static let mmioEntryPoints = MMIOEntryPoints(read: { directRead(GICDistributorFrame.self, $0, $1, $2, $3, $4) },
                                                       write: { directWrite(GICDistributorFrame.self, $0, $1, $2, $3, $4) })
}

extension GICCPUInterfaceFrame: DirectMMIODevice {
    public static let mmioEntryPoints = MMIOEntryPoints(read: { directRead(GICCPUInterfaceFrame.self, $0, $1, $2, $3, $4) },
                                                       write: { directWrite(GICCPUInterfaceFrame.self, $0, $1, $2, $3, $4) })
}

extension GICRedistributorFrame: DirectMMIODevice {
    public static let mmioEntryPoints = MMIOEntryPoints(read: { directRead(GICRedistributorFrame.self, $0, $1, $2, $3, $4) },
                                                       write: { directWrite(GICRedistributorFrame.self, $0, $1, $2, $3, $4) })
}

extension PL011: DirectMMIODevice {
    public static let mmioEntryPoints = MMIOEntryPoints(read: { directRead(PL011.self, $0, $1, $2, $3, $4) },
                                                       write: { directWrite(PL011.self, $0, $1, $2, $3, $4) })
}

extension PL031: DirectMMIODevice {
    public static let mmioEntryPoints = MMIOEntryPoints(read: { directRead(PL031.self, $0, $1, $2, $3, $4) },
                                                       write: { directWrite(PL031.self, $0, $1, $2, $3, $4) })
}

extension VirtioMMIOPlaceholder: DirectMMIODevice {
    public static let mmioEntryPoints = MMIOEntryPoints(read: { directRead(VirtioMMIOPlaceholder.self, $0, $1, $2, $3, $4) },
                                                       write: { directWrite(VirtioMMIOPlaceholder.self, $0, $1, $2, $3, $4) })
}

/// `MMIOEntryPoints.Read` for device class `D`. The closure given to `_withUnsafeGuaranteedRef`
/// returns Void: with a result the generic call is not inlined (see `VCPU.directEntryPoints`).
@inline(__always)
private func directRead<D: MMIODevice>(_: D.Type, _ context: UnsafeMutableRawPointer, _ offset: UInt64, _ size: Int,
                                       _ vcpu: Int, _ value: UnsafeMutablePointer<UInt64>) -> Bool {
    var result: UInt64?
    Unmanaged<D>.fromOpaque(context)._withUnsafeGuaranteedRef { result = $0.read(offset: offset, size: size, vcpu: vcpu) }
    guard let result else { return false }
    value.pointee = result
    return true
}

/// `MMIOEntryPoints.Write` for device class `D`.
@inline(__always)
private func directWrite<D: MMIODevice>(_: D.Type, _ context: UnsafeMutableRawPointer, _ offset: UInt64, _ size: Int,
                                        _ value: UInt64, _ vcpu: Int) -> Bool {
    var done = false
    Unmanaged<D>.fromOpaque(context)._withUnsafeGuaranteedRef {
        done = $0.write(offset: offset, size: size, value: value, vcpu: vcpu)
    }
    return done
}
