import Glibc

/// A device reached through memory-mapped I/O. Called from any vCPU thread, so an
/// implementation guards its own state. Offsets are relative to the start of its region.
public protocol MMIODevice: AnyObject, Sendable {
    /// A read of `size` bytes (1, 2, 4 or 8). `nil` makes the access a synchronous external abort.
    func read(offset: UInt64, size: Int, vcpu: Int) -> UInt64?
    /// A write of `size` bytes. `false` makes the access a synchronous external abort.
    func write(offset: UInt64, size: Int, value: UInt64, vcpu: Int) -> Bool
}

/// An `MMIODevice` the bus calls through C entry points (see `MMIOEntryPoints`).
public protocol DirectMMIODevice: MMIODevice {
    static var mmioEntryPoints: MMIOEntryPoints { get }
}

/// C entry points for an MMIO device, called with its unretained address. Why: calling a
/// method of a stored `any MMIODevice` retains and releases the device around the call — two
/// atomic operations on every MMIO access, on the header of an object (the GIC's frames)
/// that every vCPU thread shares; `unowned(unsafe)` does not avoid it for an existential.
/// The same remedy as `DirectEntryPoints`: plain C function pointers and an address are
/// trivial values. The bus's regions keep the device alive.
public struct MMIOEntryPoints: Sendable {
    /// Reads `size` bytes at `offset` into `value`; false makes it an external abort.
    public typealias Read = @convention(c) (UnsafeMutableRawPointer, UInt64, Int, Int, UnsafeMutablePointer<UInt64>) -> Bool
    /// Writes `size` bytes of `value` at `offset`; false makes it an external abort.
    public typealias Write = @convention(c) (UnsafeMutableRawPointer, UInt64, Int, UInt64, Int) -> Bool

    public let read: Read
    public let write: Write

    public init(read: Read, write: Write) {
        self.read = read
        self.write = write
    }
}

/// The guest's physical address space: one host allocation for RAM (the fast path) and a short
/// sorted list of MMIO regions. An address that is neither is an external abort in the guest.
public final class PhysicalBus: @unchecked Sendable {
    public struct Region {
        public let base: UInt64
        public let size: UInt64
        public let device: any MMIODevice
        public let name: String
        /// The device's unretained address and C entry points, when it is a `DirectMMIODevice`.
        let direct: (context: UnsafeMutableRawPointer, entryPoints: MMIOEntryPoints)?

        init(base: UInt64, size: UInt64, device: any MMIODevice, name: String) {
            self.base = base
            self.size = size
            self.device = device
            self.name = name
            if let fast = device as? any DirectMMIODevice {
                direct = (Unmanaged.passUnretained(fast as AnyObject).toOpaque(), type(of: fast).mmioEntryPoints)
            } else {
                direct = nil
            }
        }

        @inline(__always)
        func read(offset: UInt64, size: Int, vcpu: Int) -> UInt64? {
            guard let direct else { return device.read(offset: offset, size: size, vcpu: vcpu) }
            var value: UInt64 = 0
            return direct.entryPoints.read(direct.context, offset, size, vcpu, &value) ? value : nil
        }

        @inline(__always)
        func write(offset: UInt64, size: Int, value: UInt64, vcpu: Int) -> Bool {
            guard let direct else { return device.write(offset: offset, size: size, value: value, vcpu: vcpu) }
            return direct.entryPoints.write(direct.context, offset, size, value, vcpu)
        }
    }

    public let ramBase: UInt64
    public let ramSize: UInt64
    /// Host memory behind guest RAM; valid for the life of the bus.
    public let ram: UnsafeMutableRawPointer
    public private(set) var regions: [Region] = []
    /// A copy of `regions` that the MMIO path reads in place: going through the array, each
    /// access also retained and released the array's storage, an atomic operation on a cache
    /// line every vCPU thread shares (the device is still retained for the call). Rebuilt by
    /// `map`, which runs only while the board is built, before any vCPU does.
    private var lookup = UnsafeMutableBufferPointer<Region>(start: nil, count: 0)

    /// The host mapping behind `ram` (it starts at or before `ram`), or nil when `ram` came
    /// from the heap.
    private let mapping: (base: UnsafeMutableRawPointer, length: Int)?

    public init(ramBase: UInt64, ramSize: UInt64) {
        self.ramBase = ramBase
        self.ramSize = ramSize
        // Anonymous memory, aligned to 2 MB and offered to transparent huge pages: the kernel
        // zero-fills it as the guest touches it (no up-front memset of all RAM, which took
        // 0.2 s for 256 MB here), and 2 MB pages spare the host TLB — a guest's memory
        // accesses after an idle stretch missed the host TLB on nearly every 4 KB page, and
        // on a virtualised host each such miss is a two-dimensional page walk.
        let hugePage = 2 << 20
        let length = Int(ramSize) + hugePage
        if let base = mmap(nil, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
           base != MAP_FAILED {
            let aligned = (Int(bitPattern: base) + hugePage - 1) & ~(hugePage - 1)
            ram = UnsafeMutableRawPointer(bitPattern: aligned)!
            _ = madvise(ram, Int(ramSize), MADV_HUGEPAGE)
            mapping = (base, length)
        } else {
            ram = UnsafeMutableRawPointer.allocate(byteCount: Int(ramSize), alignment: 65536)
            ram.initializeMemory(as: UInt8.self, repeating: 0, count: Int(ramSize))
            mapping = nil
        }
    }

    deinit {
        lookup.deinitialize()
        lookup.deallocate()
        if let mapping {
            munmap(mapping.base, mapping.length)
        } else {
            ram.deallocate()
        }
    }

    /// Adds an MMIO region. Regions are added while the board is built, before any vCPU runs.
    public func map(base: UInt64, size: UInt64, device: any MMIODevice, name: String) {
        regions.append(Region(base: base, size: size, device: device, name: name))
        regions.sort { $0.base < $1.base }
        lookup.deinitialize()
        lookup.deallocate()
        lookup = .allocate(capacity: regions.count)
        _ = lookup.initialize(from: regions)
    }

    /// Host pointer for `size` bytes of RAM at `address`, or nil when not all in RAM.
    @inline(__always)
    public func ramPointer(_ address: UInt64, size: UInt64 = 1) -> UnsafeMutableRawPointer? {
        let offset = address &- ramBase
        guard offset < ramSize, size <= ramSize &- offset else { return nil }
        return ram + Int(offset)
    }

    /// The region that contains `address`, borrowed from `lookup` (a copy of a `Region`
    /// retained its name and its device on every MMIO access); nil when no region does.
    @inline(__always)
    private func region(at address: UInt64) -> UnsafeMutablePointer<Region>? {
        guard let first = lookup.baseAddress else { return nil }
        for i in 0..<lookup.count {
            let region = first + i
            if address >= region.pointee.base && address &- region.pointee.base < region.pointee.size {
                return region
            }
        }
        return nil
    }

    /// A physical read of 1, 2, 4 or 8 bytes (little-endian); nil is an external abort.
    public func read(_ address: UInt64, size: Int, vcpu: Int) -> UInt64? {
        if let p = ramPointer(address, size: UInt64(size)) { return loadHost(p, size: size) }
        guard let region = region(at: address) else { return nil }
        return region.pointee.read(offset: address &- region.pointee.base, size: size, vcpu: vcpu)
    }

    /// A physical write of 1, 2, 4 or 8 bytes (little-endian); false is an external abort.
    public func write(_ address: UInt64, size: Int, value: UInt64, vcpu: Int) -> Bool {
        if let p = ramPointer(address, size: UInt64(size)) {
            storeHost(p, size: size, value)
            return true
        }
        guard let region = region(at: address) else { return false }
        return region.pointee.write(offset: address &- region.pointee.base, size: size, value: value, vcpu: vcpu)
    }

    /// Copies host bytes into guest RAM (loaders). Throws if they do not fit.
    public func load(_ bytes: some Collection<UInt8>, at address: UInt64) throws(BusError) {
        guard let p = ramPointer(address, size: UInt64(bytes.count)) else {
            throw .outsideRAM(address: address, size: UInt64(bytes.count))
        }
        var i = 0
        for b in bytes { p.storeBytes(of: b, toByteOffset: i, as: UInt8.self); i += 1 }
    }
}

public enum BusError: Error, Equatable, CustomStringConvertible {
    case outsideRAM(address: UInt64, size: UInt64)
    public var description: String {
        switch self {
        case let .outsideRAM(address, size):
            return "0x\(String(size, radix: 16)) bytes at 0x\(String(address, radix: 16)) do not fit in guest RAM"
        }
    }
}

/// Reads 1, 2, 4 or 8 little-endian bytes of guest RAM through its host pointer (the host is
/// x86-64, little-endian like the guest).
@inline(__always)
func loadHost(_ p: UnsafeMutableRawPointer, size: Int) -> UInt64 {
    switch size {
    case 1: return UInt64(p.load(as: UInt8.self))
    case 2: return UInt64(p.loadUnaligned(as: UInt16.self))
    case 4: return UInt64(p.loadUnaligned(as: UInt32.self))
    default: return p.loadUnaligned(as: UInt64.self)
    }
}

/// Writes the low `size` (1, 2, 4 or 8) bytes of `value` to guest RAM through its host pointer.
@inline(__always)
func storeHost(_ p: UnsafeMutableRawPointer, size: Int, _ value: UInt64) {
    switch size {
    case 1: p.storeBytes(of: UInt8(truncatingIfNeeded: value), as: UInt8.self)
    case 2: p.storeBytes(of: UInt16(truncatingIfNeeded: value), as: UInt16.self)
    case 4: p.storeBytes(of: UInt32(truncatingIfNeeded: value), as: UInt32.self)
    default: p.storeBytes(of: value, as: UInt64.self)
    }
}
