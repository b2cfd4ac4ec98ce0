extension FlattenedDeviceTree {
    /// Reads a blob, checking everything the kernel's libfdt would trip over, so a bad
    /// `--dtb FILE` is refused with the reason before the guest starts. Bytes after
    /// `totalsize` are ignored (files padded by tools are accepted).
    public init(parsing blob: [UInt8]) throws(DeviceTreeError) {
        guard blob.count >= Self.headerSize else { throw .truncatedHeader(size: blob.count) }
        let field = { (i: Int) in FDTBytes.be32(blob, i * 4) }
        let magic = field(0)
        guard magic == Self.magic else { throw .badMagic(found: magic) }
        let totalSize = Int(field(1))
        let structureOffset = Int(field(2))
        let stringsOffset = Int(field(3))
        let reservationOffset = Int(field(4))
        let version = field(5)
        let lastCompatible = field(6)
        let bootCPUID = field(7)
        let stringsSize = Int(field(8))
        let structureSize = Int(field(9))

        guard version >= Self.oldestReadableVersion, lastCompatible <= Self.version else {
            throw .unsupportedVersion(version: version, lastCompatible: lastCompatible)
        }
        guard totalSize >= Self.headerSize else { throw .totalSizeTooSmall(totalSize: totalSize) }
        guard totalSize <= blob.count else { throw .truncated(totalSize: totalSize, fileSize: blob.count) }

        func check(_ block: DeviceTreeError.Block, _ offset: Int, _ size: Int, alignment: Int) throws(DeviceTreeError) {
            guard offset >= Self.headerSize, offset <= totalSize, size <= totalSize - offset else {
                throw .blockOutOfBounds(block: block, offset: offset, size: size, totalSize: totalSize)
            }
            guard offset % alignment == 0 else { throw .misalignedBlock(block: block, offset: offset) }
        }
        try check(.reservations, reservationOffset, 0, alignment: 8)
        try check(.structure, structureOffset, structureSize, alignment: 4)
        try check(.strings, stringsOffset, stringsSize, alignment: 1)

        // Memory reservation block: pairs until (0, 0), all inside the blob.
        var reservations: [Reservation] = []
        var at = reservationOffset
        while true {
            guard at + 16 <= totalSize else { throw .unterminatedReservations }
            let address = FDTBytes.be64(blob, at), size = FDTBytes.be64(blob, at + 8)
            at += 16
            if address == 0 && size == 0 { break }
            reservations.append(Reservation(address: address, size: size))
        }

        var parser = StructureParser(blob: blob, start: structureOffset, end: structureOffset + structureSize,
                                     stringsStart: stringsOffset, stringsEnd: stringsOffset + stringsSize)
        self.init(root: try parser.parseTree(), reservations: reservations, bootCPUID: bootCPUID)
    }
}

/// Walks the structure block with an explicit stack (no recursion a crafted blob could deepen).
private struct StructureParser {
    let blob: [UInt8]
    let start: Int
    let end: Int
    let stringsStart: Int
    let stringsEnd: Int
    var at: Int

    init(blob: [UInt8], start: Int, end: Int, stringsStart: Int, stringsEnd: Int) {
        self.blob = blob
        self.start = start
        self.end = end
        self.stringsStart = stringsStart
        self.stringsEnd = stringsEnd
        self.at = start
    }

    mutating func nextWord() throws(DeviceTreeError) -> (UInt32, offset: Int) {
        guard at + 4 <= end else { throw .structureTruncated(offset: at) }
        let value = FDTBytes.be32(blob, at)
        let offset = at
        at += 4
        return (value, offset)
    }

    /// A NUL-terminated string inside [from, limit).
    func cString(from: Int, limit: Int) -> (String, next: Int)? {
        var i = from
        while i < limit {
            if blob[i] == 0 {
                guard let s = String(validating: blob[from..<i], as: UTF8.self) else { return nil }
                return (s, i + 1)
            }
            i += 1
        }
        return nil
    }

    mutating func align() { at = (at + 3) & ~3 }

    mutating func parseTree() throws(DeviceTreeError) -> DeviceTreeNode {
        var stack: [DeviceTreeNode] = []
        var root: DeviceTreeNode?
        while true {
            let (value, offset) = try nextWord()
            guard let token = FlattenedDeviceTree.Token(rawValue: value) else {
                throw .unknownToken(value: value, offset: offset)
            }
            switch token {
            case .nop:
                continue
            case .beginNode:
                guard root == nil else { throw .contentAfterRoot(offset: offset) }
                guard let (name, next) = cString(from: at, limit: end) else {
                    throw .badNodeName(offset: at)
                }
                if stack.isEmpty {
                    guard name.isEmpty else { throw .rootNameNotEmpty(name) }
                } else {
                    guard !name.isEmpty else { throw .badNodeName(offset: at) }
                }
                guard stack.count < FlattenedDeviceTree.maxDepth else { throw .tooDeep(offset: offset) }
                at = next
                align()
                stack.append(DeviceTreeNode(name))
            case .endNode:
                guard let node = stack.popLast() else { throw .unbalancedEndNode(offset: offset) }
                if stack.isEmpty {
                    root = node
                } else {
                    stack[stack.count - 1].children.append(node)
                }
            case .prop:
                guard !stack.isEmpty else { throw .propertyOutsideNode(offset: offset) }
                let (length, _) = try nextWord()
                let (nameOffset, _) = try nextWord()
                let valueStart = at
                guard Int(length) <= end - valueStart else { throw .structureTruncated(offset: valueStart) }
                guard Int(nameOffset) < stringsEnd - stringsStart,
                      let (name, _) = cString(from: stringsStart + Int(nameOffset), limit: stringsEnd)
                else { throw .badPropertyNameOffset(nameOffset: nameOffset, offset: offset) }
                let value = Array(blob[valueStart..<valueStart + Int(length)])
                at = valueStart + Int(length)
                align()
                stack[stack.count - 1].properties.append(DeviceTreeProperty(name, bytes: value))
            case .end:
                guard stack.isEmpty else { throw .unclosedNode(depth: stack.count) }
                guard let root else { throw .noRootNode }
                return root
            }
        }
    }
}
