/// One node of a device tree, as a value: what the builder serialises and the parser returns,
/// so a generated tree can be compared, edited (`/chosen` of a user's `--dtb`) and round-tripped.
public struct DeviceTreeNode: Sendable, Equatable {
    /// Node name with its unit address (`pl011@9000000`); empty for the root.
    public var name: String
    /// Properties in the order they are written.
    public var properties: [DeviceTreeProperty]
    public var children: [DeviceTreeNode]

    public init(_ name: String, properties: [DeviceTreeProperty] = [], children: [DeviceTreeNode] = []) {
        self.name = name
        self.properties = properties
        self.children = children
    }

    /// The property called `name`, if present.
    public func property(_ name: String) -> DeviceTreeProperty? {
        properties.first { $0.name == name }
    }

    /// Sets (replaces or appends) a property.
    public mutating func set(_ property: DeviceTreeProperty) {
        if let i = properties.firstIndex(where: { $0.name == property.name }) {
            properties[i] = property
        } else {
            properties.append(property)
        }
    }

    /// Removes the property called `name`, if present.
    public mutating func removeProperty(_ name: String) {
        properties.removeAll { $0.name == name }
    }

    /// The direct child called `name` (full name with unit address).
    public func child(_ name: String) -> DeviceTreeNode? {
        children.first { $0.name == name }
    }

    /// The node at an absolute path such as `/cpus/cpu@0`; `/` is this node.
    public func node(at path: String) -> DeviceTreeNode? {
        var node = self
        for component in path.split(separator: "/") {
            guard let next = node.child(String(component)) else { return nil }
            node = next
        }
        return node
    }

    /// Applies `body` to the node at `path`, creating missing nodes on the way (e.g. `/chosen`).
    public mutating func withNode<R>(at path: String, _ body: (inout DeviceTreeNode) throws -> R) rethrows -> R {
        var components = path.split(separator: "/").map(String.init)[...]
        return try Self.descend(&self, &components, body)
    }

    private static func descend<R>(_ node: inout DeviceTreeNode, _ path: inout ArraySlice<String>,
                                   _ body: (inout DeviceTreeNode) throws -> R) rethrows -> R {
        guard let first = path.popFirst() else { return try body(&node) }
        if let i = node.children.firstIndex(where: { $0.name == first }) {
            return try descend(&node.children[i], &path, body)
        }
        node.children.append(DeviceTreeNode(first))
        return try descend(&node.children[node.children.count - 1], &path, body)
    }
}

/// A property: a name and raw bytes. Numbers in a device tree are big-endian 32-bit cells.
public struct DeviceTreeProperty: Sendable, Equatable {
    public var name: String
    public var value: [UInt8]

    public init(_ name: String, bytes: [UInt8]) {
        self.name = name
        self.value = bytes
    }

    /// A property with no value (`interrupt-controller;`), true by being present.
    public static func empty(_ name: String) -> Self { Self(name, bytes: []) }

    /// A NUL-terminated string.
    public static func string(_ name: String, _ s: String) -> Self {
        Self(name, bytes: Array(s.utf8) + [0])
    }

    /// A string list (`compatible`): each string NUL-terminated, concatenated.
    public static func strings(_ name: String, _ list: [String]) -> Self {
        Self(name, bytes: list.flatMap { Array($0.utf8) + [0] })
    }

    /// Big-endian 32-bit cells.
    public static func cells(_ name: String, _ cells: [UInt32]) -> Self {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(cells.count * 4)
        for c in cells { FDTBytes.appendBE32(c, to: &bytes) }
        return Self(name, bytes: bytes)
    }

    /// One 32-bit cell.
    public static func u32(_ name: String, _ value: UInt32) -> Self { cells(name, [value]) }

    /// One 64-bit number as two cells (high first).
    public static func u64(_ name: String, _ value: UInt64) -> Self {
        cells(name, [UInt32(truncatingIfNeeded: value >> 32), UInt32(truncatingIfNeeded: value)])
    }

    /// The value as 32-bit cells, or nil when its length is not a multiple of 4.
    public var cells: [UInt32]? {
        guard value.count % 4 == 0 else { return nil }
        return stride(from: 0, to: value.count, by: 4).map { FDTBytes.be32(value, $0) }
    }

    /// The value as one 32-bit cell.
    public var u32: UInt32? {
        guard value.count == 4 else { return nil }
        return FDTBytes.be32(value, 0)
    }

    /// The value as one 64-bit number (two cells).
    public var u64: UInt64? {
        guard value.count == 8 else { return nil }
        return UInt64(FDTBytes.be32(value, 0)) << 32 | UInt64(FDTBytes.be32(value, 4))
    }

    /// The value as a string list, or nil when it is not NUL-terminated UTF-8.
    public var strings: [String]? {
        guard let last = value.last, last == 0 else { return nil }
        var list: [String] = []
        for part in value.dropLast().split(separator: 0, omittingEmptySubsequences: false) {
            guard let s = String(validating: part, as: UTF8.self) else { return nil }
            list.append(s)
        }
        return list
    }

    /// The value as a single string.
    public var string: String? {
        guard let list = strings, list.count == 1 else { return nil }
        return list[0]
    }
}

/// Big-endian byte helpers of the flattened device tree format.
enum FDTBytes {
    @inline(__always)
    static func appendBE32(_ v: UInt32, to bytes: inout [UInt8]) {
        bytes.append(UInt8(truncatingIfNeeded: v >> 24))
        bytes.append(UInt8(truncatingIfNeeded: v >> 16))
        bytes.append(UInt8(truncatingIfNeeded: v >> 8))
        bytes.append(UInt8(truncatingIfNeeded: v))
    }

    @inline(__always)
    static func appendBE64(_ v: UInt64, to bytes: inout [UInt8]) {
        appendBE32(UInt32(truncatingIfNeeded: v >> 32), to: &bytes)
        appendBE32(UInt32(truncatingIfNeeded: v), to: &bytes)
    }

    /// Reads 4 bytes at `offset`; the caller has checked the bounds.
    @inline(__always)
    static func be32(_ b: [UInt8], _ offset: Int) -> UInt32 {
        UInt32(b[offset]) << 24 | UInt32(b[offset + 1]) << 16 | UInt32(b[offset + 2]) << 8 | UInt32(b[offset + 3])
    }

    @inline(__always)
    static func be64(_ b: [UInt8], _ offset: Int) -> UInt64 {
        UInt64(be32(b, offset)) << 32 | UInt64(be32(b, offset + 4))
    }

    static func putBE32(_ v: UInt32, into b: inout [UInt8], at offset: Int) {
        b[offset] = UInt8(truncatingIfNeeded: v >> 24)
        b[offset + 1] = UInt8(truncatingIfNeeded: v >> 16)
        b[offset + 2] = UInt8(truncatingIfNeeded: v >> 8)
        b[offset + 3] = UInt8(truncatingIfNeeded: v)
    }
}
