import Testing
@testable import Machine

/// The FDT writer and reader against hand-worked DTSpec layouts.
@Suite struct DeviceTreeFormatTests {
    static let sample = FlattenedDeviceTree(
        root: DeviceTreeNode("", properties: [.u32("#address-cells", 2), .string("model", "t")],
                             children: [
                                 DeviceTreeNode("a@1", properties: [.u32("#address-cells", 1), .empty("x")]),
                                 DeviceTreeNode("b", children: [DeviceTreeNode("c", properties: [.u64("v", 0x1_0000_0002)])]),
                             ]),
        reservations: [.init(address: 0x4000_0000, size: 0x1000)],
        bootCPUID: 3)

    @Test func headerFieldsFollowDTSpec() throws {
        let blob = try Self.sample.serialize()
        let field = { (i: Int) in FDTBytes.be32(blob, i * 4) }
        #expect(field(0) == 0xD00D_FEED)
        #expect(Int(field(1)) == blob.count)
        #expect(field(4) == 40)                       // reservation map right after the header
        #expect(field(2) == 40 + 2 * 16)              // one entry + terminator
        #expect(field(5) == 17)
        #expect(field(6) == 16)
        #expect(field(7) == 3)
        #expect(field(3) == field(2) + field(9))      // strings follow the structure block
        #expect(field(3) + field(8) == field(1))
        // First structure token: FDT_BEGIN_NODE with the empty root name padded to 4 bytes.
        #expect(FDTBytes.be32(blob, 72) == 1)
        #expect(FDTBytes.be32(blob, 76) == 0)
        // Last structure token: FDT_END.
        #expect(FDTBytes.be32(blob, Int(field(3)) - 4) == 9)
        // The reservation entry, big-endian.
        #expect(FDTBytes.be64(blob, 40) == 0x4000_0000)
        #expect(FDTBytes.be64(blob, 48) == 0x1000)
    }

    @Test func stringsBlockStoresEachNameOnce() throws {
        let blob = try Self.sample.serialize()
        let offset = Int(FDTBytes.be32(blob, 12)), size = Int(FDTBytes.be32(blob, 32))
        let strings = Array(blob[offset..<offset + size])
        // "#address-cells" occurs twice in the tree, once in the block.
        #expect(strings == Array("#address-cells\0model\0x\0v\0".utf8))
    }

    @Test func roundTripGivesTheSameTree() throws {
        let parsed = try FlattenedDeviceTree(parsing: try Self.sample.serialize())
        #expect(parsed == Self.sample)
        #expect(parsed.root.node(at: "/b/c")?.property("v")?.u64 == 0x1_0000_0002)
        #expect(parsed.root.node(at: "/a@1")?.property("x")?.value == [])
    }

    @Test func propertyValueDecoding() {
        #expect(DeviceTreeProperty.strings("c", ["arm,pl011", "arm,primecell"]).strings == ["arm,pl011", "arm,primecell"])
        #expect(DeviceTreeProperty.string("s", "hvc").value == [0x68, 0x76, 0x63, 0])
        #expect(DeviceTreeProperty.cells("r", [1, 0x0900_0000]).value == [0, 0, 0, 1, 0x09, 0, 0, 0])
        #expect(DeviceTreeProperty("odd", bytes: [1, 2, 3]).cells == nil)
        #expect(DeviceTreeProperty("nonul", bytes: [0x61]).strings == nil)
    }

    @Test func nodeNamesWithSlashAreRefused() {
        let bad = FlattenedDeviceTree(root: DeviceTreeNode("", children: [DeviceTreeNode("a/b")]))
        #expect(throws: DeviceTreeError.invalidNodeName(path: "/", name: "a/b")) { try bad.serialize() }
    }

    @Test func withNodeCreatesMissingNodes() throws {
        var root = DeviceTreeNode("")
        root.withNode(at: "/chosen") { $0.set(.string("bootargs", "x")) }
        root.withNode(at: "/chosen") { $0.set(.string("bootargs", "y")) }
        #expect(root.children.count == 1)
        #expect(root.node(at: "/chosen")?.property("bootargs")?.string == "y")
    }
}

/// A bad `--dtb FILE` must be refused with the reason, never crash the VMM.
@Suite struct DeviceTreeParserErrorTests {
    static func good() throws -> [UInt8] { try DeviceTreeFormatTests.sample.serialize() }

    static func patched(_ field: Int, _ value: UInt32) throws -> [UInt8] {
        var blob = try good()
        FDTBytes.putBE32(value, into: &blob, at: field * 4)
        return blob
    }

    @Test func shortFileIsATruncatedHeader() {
        #expect(throws: DeviceTreeError.truncatedHeader(size: 12)) {
            try FlattenedDeviceTree(parsing: [0xD0, 0x0D, 0xFE, 0xED] + [UInt8](repeating: 0, count: 8))
        }
    }

    @Test func badMagic() throws {
        let blob = try Self.patched(0, 0x7F45_4C46)
        #expect(throws: DeviceTreeError.badMagic(found: 0x7F45_4C46)) { try FlattenedDeviceTree(parsing: blob) }
    }

    @Test func truncatedFile() throws {
        let blob = try Self.good()
        #expect(throws: DeviceTreeError.truncated(totalSize: blob.count, fileSize: blob.count - 10)) {
            try FlattenedDeviceTree(parsing: Array(blob.dropLast(10)))
        }
    }

    @Test func trailingPaddingIsAccepted() throws {
        let parsed = try FlattenedDeviceTree(parsing: try Self.good() + [UInt8](repeating: 0, count: 100))
        #expect(parsed == DeviceTreeFormatTests.sample)
    }

    @Test(arguments: [(UInt32(15), UInt32(15)), (UInt32(18), UInt32(18))])
    func unsupportedVersions(version: UInt32, lastCompatible: UInt32) throws {
        var blob = try Self.patched(5, version)
        FDTBytes.putBE32(lastCompatible, into: &blob, at: 24)
        #expect(throws: DeviceTreeError.unsupportedVersion(version: version, lastCompatible: lastCompatible)) {
            try FlattenedDeviceTree(parsing: blob)
        }
    }

    @Test func structureBlockOutsideBlob() throws {
        let good = try Self.good()
        let blob = try Self.patched(2, UInt32(good.count))   // off_dt_struct at the end, size > 0
        let size = Int(FDTBytes.be32(good, 36))
        #expect(throws: DeviceTreeError.blockOutOfBounds(block: .structure, offset: good.count, size: size,
                                                         totalSize: good.count)) {
            try FlattenedDeviceTree(parsing: blob)
        }
    }

    @Test func misalignedStructureBlock() throws {
        let blob = try Self.patched(2, 74)
        #expect(throws: DeviceTreeError.misalignedBlock(block: .structure, offset: 74)) {
            try FlattenedDeviceTree(parsing: blob)
        }
    }

    @Test func propertyNameOutsideStringsBlock() throws {
        var blob = try Self.good()
        // Root's first property: BEGIN_NODE(4) + name(4) then PROP, len, nameoff.
        let nameOffsetAt = 72 + 8 + 8
        FDTBytes.putBE32(0xFFFF, into: &blob, at: nameOffsetAt)
        #expect(throws: DeviceTreeError.badPropertyNameOffset(nameOffset: 0xFFFF, offset: 80)) {
            try FlattenedDeviceTree(parsing: blob)
        }
    }

    @Test func unknownToken() throws {
        var blob = try Self.good()
        FDTBytes.putBE32(7, into: &blob, at: 72)
        #expect(throws: DeviceTreeError.unknownToken(value: 7, offset: 72)) { try FlattenedDeviceTree(parsing: blob) }
    }

    @Test func missingEndNodeIsReported() throws {
        // root { } without FDT_END_NODE: BEGIN_NODE "" then FDT_END.
        var blob = [UInt8]()
        let structure: [UInt32] = [1, 0, 9]
        for f: UInt32 in [0xD00D_FEED, UInt32(40 + 16 + 12), 56, UInt32(56 + 12), 40, 17, 16, 0, 0, 12] {
            FDTBytes.appendBE32(f, to: &blob)
        }
        blob += [UInt8](repeating: 0, count: 16)
        for t in structure { FDTBytes.appendBE32(t, to: &blob) }
        #expect(throws: DeviceTreeError.unclosedNode(depth: 1)) { try FlattenedDeviceTree(parsing: blob) }
    }

    @Test func structureWithoutEndTokenIsTruncated() throws {
        var blob = [UInt8]()
        for f: UInt32 in [0xD00D_FEED, UInt32(40 + 16 + 12), 56, UInt32(56 + 12), 40, 17, 16, 0, 0, 12] {
            FDTBytes.appendBE32(f, to: &blob)
        }
        blob += [UInt8](repeating: 0, count: 16)
        for t: UInt32 in [1, 0, 2] { FDTBytes.appendBE32(t, to: &blob) }
        #expect(throws: DeviceTreeError.structureTruncated(offset: 68)) { try FlattenedDeviceTree(parsing: blob) }
    }

    @Test func everyErrorHasAMessage() {
        #expect(DeviceTreeError.badMagic(found: 0x1234).description.contains("0xd00dfeed"))
        #expect(DeviceTreeError.truncated(totalSize: 100, fileSize: 50).description.contains("truncated"))
    }
}
