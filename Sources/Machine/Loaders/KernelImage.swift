/// A kernel file, recognised and described but not yet copied: where each piece goes, how much
/// memory it needs (including bss), and where the guest starts. Recognition order is QEMU's:
/// ELF, then a Linux arm64 `Image` (magic "ARM\x64" at 0x38), otherwise a raw binary
/// (kvm-unit-tests `.flat` files and bare-metal programs).
public struct KernelImage: Sendable, Equatable {
    public enum Format: Sendable, Equatable {
        /// Linux arm64 Image (Documentation/arch/arm64/booting.rst).
        case linuxImage(textOffset: UInt64, imageSize: UInt64, flags: UInt64)
        case elf
        case raw
    }

    /// A piece of the file copied to guest memory, followed by `memorySize - fileRange.count`
    /// zero bytes (bss).
    public struct Segment: Sendable, Equatable {
        public var fileRange: Range<Int>
        public var address: UInt64
        public var memorySize: UInt64

        public init(fileRange: Range<Int>, address: UInt64, memorySize: UInt64) {
            self.fileRange = fileRange
            self.address = address
            self.memorySize = memorySize
        }

        public var memoryRange: Range<UInt64> { address..<address &+ memorySize }
    }

    public var format: Format
    public var segments: [Segment]
    public var entry: UInt64
    /// The file the segments are taken from.
    public var bytes: [UInt8]

    /// Lowest to highest byte the kernel occupies.
    public var footprint: Range<UInt64> {
        let low = segments.map(\.address).min() ?? 0
        let high = segments.map { $0.address &+ $0.memorySize }.max() ?? low
        return low..<max(low, high)
    }

    /// Offset from a 2 MiB boundary an Image asks for when its header predates image_size (v3.17).
    public static let legacyTextOffset: UInt64 = 0x80000
    /// Alignment of the base an Image's text_offset is relative to.
    public static let imageBaseAlignment: UInt64 = 2 << 20

    /// Recognises `bytes`, places it in `ram` and checks that it fits there.
    public init(_ bytes: [UInt8], ram: Range<UInt64>) throws(BootError) {
        guard !bytes.isEmpty else { throw .emptyKernel }
        let ramSize = UInt64(ram.count)
        if bytes.count >= 4, bytes[0] == 0x7F, bytes[1] == 0x45, bytes[2] == 0x4C, bytes[3] == 0x46 {
            self = try Self.elf(bytes, ram: ram)
        } else if bytes.count >= 64, bytes[0x38] == 0x41, bytes[0x39] == 0x52, bytes[0x3A] == 0x4D,
                  bytes[0x3B] == 0x64 {
            self = try Self.linuxImage(bytes, ramBase: ram.lowerBound)
        } else {
            self.init(format: .raw,
                      segments: [Segment(fileRange: 0..<bytes.count, address: ram.lowerBound,
                                         memorySize: UInt64(bytes.count))],
                      entry: ram.lowerBound, bytes: bytes)
        }
        let footprint = self.footprint
        if case .elf = format {} else {
            guard UInt64(footprint.count) <= ramSize,
                  footprint.upperBound <= ram.upperBound, footprint.lowerBound >= ram.lowerBound
            else {
                // An Image or raw file placed at the start of RAM only fails by being too big.
                let needed = footprint.upperBound &- ram.lowerBound
                throw .imageLargerThanRAM(size: needed, ramSize: ramSize)
            }
        }
        guard ram.contains(entry) else { throw .entryOutsideRAM(entry: entry) }
    }

    /// A kernel described by hand; `segments` must lie inside `bytes`.
    public init(format: Format, segments: [Segment], entry: UInt64, bytes: [UInt8]) {
        self.format = format
        self.segments = segments.filter { $0.fileRange.lowerBound >= 0 && $0.fileRange.upperBound <= bytes.count }
        self.entry = entry
        self.bytes = bytes
    }
}
