/// Where the kernel, initrd and device tree go in guest RAM, decided before anything is copied
/// so that the device tree can name the initrd range and every conflict is reported up front
/// (kvmtool's rule). Two steps: `plan` (sizes only), then `load` (copies).
///
/// ```
///   RAM base ┌───────────────────────────┐
///            │ kernel (+ bss)            │  raw: at RAM base; Image: 2 MiB base + text_offset;
///            │                           │  ELF: at each segment's p_paddr
///            ├───────────────────────────┤  RAM base + min(RAM/2, 128 MiB), or just after the
///            │ initrd                    │  kernel if that is higher (page aligned) — as QEMU,
///            │                           │  leaving room for a raw image's unknown bss/stack
///            ├───────────────────────────┤
///            │ ...                       │
///            ├───────────────────────────┤  2 MiB aligned
///            │ DTB slot (≤ 2 MiB)        │  the last whole 2 MiB block of RAM below 512 MiB
///            └───────────────────────────┘  (old kernels want it there); after the initrd if
///                                           that block is taken
/// ```
public struct BootLayout: Sendable, Equatable {
    /// Explicit addresses, for users who need a guest's own conventions.
    public struct Options: Sendable, Equatable {
        public var initrdAddress: UInt64?
        public var dtbAddress: UInt64?
        public init(initrdAddress: UInt64? = nil, dtbAddress: UInt64? = nil) {
            self.initrdAddress = initrdAddress
            self.dtbAddress = dtbAddress
        }
    }

    public let ram: Range<UInt64>
    public let kernel: KernelImage
    /// Guest physical range of the initrd, for `/chosen/linux,initrd-start/-end`.
    public let initrd: Range<UInt64>?
    public private(set) var initrdBytes: [UInt8]?
    /// The space reserved for the device tree; it starts at the address passed in x0.
    public let dtbSlot: Range<UInt64>

    public var entry: UInt64 { kernel.entry }
    public var dtbAddress: UInt64 { dtbSlot.lowerBound }

    /// The boot protocol's limit on a DTB.
    public static let maxDTBSize = 2 << 20
    static let dtbAlignment: UInt64 = 2 << 20
    /// Old kernels (before v4.2) map only the first 512 MiB of RAM early.
    static let dtbWindow: UInt64 = 512 << 20
    static let pageSize: UInt64 = 4096
    static let initrdGap: UInt64 = 128 << 20

    /// Plans the layout for a recognised kernel and an optional initrd; `load` copies them.
    public init(kernel: KernelImage, initrd initrdBytes: [UInt8]?, ram: Range<UInt64>,
                options: Options = Options()) throws(BootError) {
        try self.init(kernel: kernel, initrdSize: initrdBytes?.count, ram: ram, options: options)
        self.initrdBytes = initrdBytes
    }

    /// Plans with only the initrd's size (to show or check a layout); such a plan cannot `load`
    /// an initrd.
    public init(kernel: KernelImage, initrdSize: Int?, ram: Range<UInt64>,
                options: Options = Options()) throws(BootError) {
        self.ram = ram
        self.kernel = kernel
        self.initrdBytes = nil
        let kernelRange = kernel.footprint
        var taken: [(String, Range<UInt64>)] = [("kernel", kernelRange)]

        // Initrd.
        // An empty initrd is no initrd: a start == end range trips guests (kvm-unit-tests asserts).
        var initrd: Range<UInt64>?
        if let size = initrdSize, size > 0 {
            let start: UInt64
            if let fixed = options.initrdAddress {
                guard ram.contains(fixed), UInt64(size) <= ram.upperBound - fixed else {
                    throw .initrdOutsideRAM(start: fixed, size: size)
                }
                start = fixed
            } else {
                let preferred = ram.lowerBound + min(UInt64(ram.count) / 2, Self.initrdGap)
                start = Self.alignUp(max(preferred, kernelRange.upperBound), Self.pageSize)
                guard start <= ram.upperBound, UInt64(size) <= ram.upperBound - start else {
                    throw .initrdDoesNotFit(size: size, start: start, ramEnd: ram.upperBound)
                }
            }
            let range = start..<start + UInt64(size)
            try Self.checkFree(range, "initrd", against: taken)
            taken.append(("initrd", range))
            initrd = range
        }
        self.initrd = initrd

        // Device tree slot.
        if let fixed = options.dtbAddress {
            guard fixed % 8 == 0 else { throw .dtbMisaligned(address: fixed) }
            guard ram.contains(fixed) else { throw .dtbOutsideRAM(address: fixed) }
            // Up to 2 MiB, ending at the end of RAM or at whatever comes next.
            var end = min(ram.upperBound, fixed &+ UInt64(Self.maxDTBSize))
            for (_, r) in taken where r.lowerBound > fixed { end = min(end, r.lowerBound) }
            let slot = fixed..<end
            try Self.checkFree(slot, "device tree", against: taken)
            dtbSlot = slot
        } else {
            let size = UInt64(Self.maxDTBSize)
            let windowEnd = min(ram.upperBound, ram.lowerBound &+ Self.dtbWindow)
            let topEnd = Self.alignDown(windowEnd, Self.dtbAlignment)
            let top = topEnd >= ram.lowerBound + size ? topEnd - size..<topEnd : nil
            if let top, taken.allSatisfy({ !$0.1.overlaps(top) }) {
                dtbSlot = top
            } else {
                let highest = taken.map(\.1.upperBound).max() ?? ram.lowerBound
                let start = Self.alignUp(highest, Self.dtbAlignment)
                guard start < ram.upperBound else { throw .dtbDoesNotFit(size: Self.maxDTBSize) }
                // The slot may be shorter than 2 MiB at the very end of RAM; `load` checks the real size.
                dtbSlot = start..<min(start &+ size, ram.upperBound)
            }
        }
    }

    static func checkFree(_ range: Range<UInt64>, _ name: String,
                          against taken: [(String, Range<UInt64>)]) throws(BootError) {
        for (other, r) in taken where r.overlaps(range) {
            throw .overlap(first: name, firstRange: range, second: other, secondRange: r)
        }
    }

    static func alignUp(_ v: UInt64, _ a: UInt64) -> UInt64 {
        v > UInt64.max - (a - 1) ? UInt64.max & ~(a - 1) : (v + a - 1) & ~(a - 1)
    }

    static func alignDown(_ v: UInt64, _ a: UInt64) -> UInt64 { v & ~(a - 1) }
}

/// What the vCPU needs to start: x0 = `dtbAddress`, PC = `entry` (booting.rst: x1–x3 = 0,
/// MMU off, EL1h with DAIF masked).
public struct BootInfo: Sendable, Equatable {
    public var entry: UInt64
    public var dtbAddress: UInt64
    public var dtbSize: Int
    public var initrd: Range<UInt64>?
    public var kernel: Range<UInt64>
    public var format: KernelImage.Format
}
