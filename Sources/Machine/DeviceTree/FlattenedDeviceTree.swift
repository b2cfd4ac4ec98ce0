/// A flattened device tree blob (DTSpec v0.4, chapter 5) as a value: the tree, the memory
/// reservation block and the boot CPU. `serialize()` writes version 17 (last compatible 16),
/// the form U-Boot's and Linux's libfdt read; `FlattenedDeviceTree(parsing:)` reads any blob of
/// version 16 or 17 and says exactly what is wrong with one that is not valid.
///
/// ```
///   offset 0   header (40 bytes, big-endian u32 fields)
///   0x28       memory reservation block: (address, size) u64 pairs, ended by (0, 0)
///              structure block: FDT_BEGIN_NODE name, FDT_PROP len nameoff value,
///                               FDT_END_NODE, ..., FDT_END — every token 4-byte aligned
///              strings block: NUL-terminated property names, each stored once
/// ```
public struct FlattenedDeviceTree: Sendable, Equatable {
    public struct Reservation: Sendable, Equatable {
        public var address: UInt64
        public var size: UInt64
        public init(address: UInt64, size: UInt64) {
            self.address = address
            self.size = size
        }
    }

    public var root: DeviceTreeNode
    public var reservations: [Reservation]
    /// `boot_cpuid_phys`: the reg of the CPU the guest starts on.
    public var bootCPUID: UInt32

    public init(root: DeviceTreeNode, reservations: [Reservation] = [], bootCPUID: UInt32 = 0) {
        self.root = root
        self.reservations = reservations
        self.bootCPUID = bootCPUID
    }

    // MARK: Format constants (DTSpec 5.2, 5.4)

    public static let magic: UInt32 = 0xD00D_FEED
    public static let version: UInt32 = 17
    public static let lastCompatibleVersion: UInt32 = 16
    /// Oldest version we read: 16 introduced the strings-size-less layout every tool writes now.
    public static let oldestReadableVersion: UInt32 = 16
    static let headerSize = 40

    enum Token: UInt32 {
        case beginNode = 1
        case endNode = 2
        case prop = 3
        case nop = 4
        case end = 9
    }

    /// Nesting depth accepted by the parser; real trees are under 10 deep.
    static let maxDepth = 64

    // MARK: Serialising

    /// The blob. Property names are stored once in the strings block however often they occur.
    public func serialize() throws(DeviceTreeError) -> [UInt8] {
        var structure: [UInt8] = []
        var strings: [UInt8] = []
        var stringOffsets: [String: UInt32] = [:]
        guard root.name.isEmpty else { throw .rootNameNotEmpty(root.name) }
        try Self.write(root, path: "", structure: &structure, strings: &strings, offsets: &stringOffsets)
        FDTBytes.appendBE32(Token.end.rawValue, to: &structure)

        let reservationOffset = Self.headerSize          // already 8-byte aligned
        let reservationSize = (reservations.count + 1) * 16
        let structureOffset = reservationOffset + reservationSize
        let stringsOffset = structureOffset + structure.count
        let total = stringsOffset + strings.count

        var blob: [UInt8] = []
        blob.reserveCapacity(total)
        for field in [Self.magic, UInt32(total), UInt32(structureOffset), UInt32(stringsOffset),
                      UInt32(reservationOffset), Self.version, Self.lastCompatibleVersion,
                      bootCPUID, UInt32(strings.count), UInt32(structure.count)] {
            FDTBytes.appendBE32(field, to: &blob)
        }
        for r in reservations {
            FDTBytes.appendBE64(r.address, to: &blob)
            FDTBytes.appendBE64(r.size, to: &blob)
        }
        FDTBytes.appendBE64(0, to: &blob)
        FDTBytes.appendBE64(0, to: &blob)
        blob += structure
        blob += strings
        return blob
    }

    private static func write(_ node: DeviceTreeNode, path: String, structure: inout [UInt8],
                              strings: inout [UInt8], offsets: inout [String: UInt32]) throws(DeviceTreeError) {
        let nodePath = path.isEmpty && node.name.isEmpty ? "/" : (path == "/" ? "/" : path + "/") + node.name
        if !(path.isEmpty && node.name.isEmpty) {
            guard !node.name.isEmpty, !node.name.utf8.contains(0), !node.name.contains("/") else {
                throw .invalidNodeName(path: path, name: node.name)
            }
        }
        FDTBytes.appendBE32(Token.beginNode.rawValue, to: &structure)
        structure += Array(node.name.utf8)
        structure.append(0)
        pad(&structure)
        for p in node.properties {
            guard !p.name.isEmpty, !p.name.utf8.contains(0) else {
                throw .invalidPropertyName(path: nodePath, name: p.name)
            }
            let nameOffset: UInt32
            if let known = offsets[p.name] {
                nameOffset = known
            } else {
                nameOffset = UInt32(strings.count)
                offsets[p.name] = nameOffset
                strings += Array(p.name.utf8)
                strings.append(0)
            }
            FDTBytes.appendBE32(Token.prop.rawValue, to: &structure)
            FDTBytes.appendBE32(UInt32(p.value.count), to: &structure)
            FDTBytes.appendBE32(nameOffset, to: &structure)
            structure += p.value
            pad(&structure)
        }
        for child in node.children {
            try write(child, path: nodePath, structure: &structure, strings: &strings, offsets: &offsets)
        }
        FDTBytes.appendBE32(Token.endNode.rawValue, to: &structure)
    }

    private static func pad(_ bytes: inout [UInt8]) {
        while bytes.count % 4 != 0 { bytes.append(0) }
    }
}
