/// Why a blob is not a usable flattened device tree, or why a tree cannot be written.
public enum DeviceTreeError: Error, Equatable, CustomStringConvertible {
    public enum Block: String, Sendable {
        case reservations = "memory reservation block"
        case structure = "structure block"
        case strings = "strings block"
    }

    case badMagic(found: UInt32)
    case badNodeName(offset: Int)
    case badPropertyNameOffset(nameOffset: UInt32, offset: Int)
    case blockOutOfBounds(block: Block, offset: Int, size: Int, totalSize: Int)
    case contentAfterRoot(offset: Int)
    case invalidNodeName(path: String, name: String)
    case invalidPropertyName(path: String, name: String)
    case misalignedBlock(block: Block, offset: Int)
    case noRootNode
    case propertyOutsideNode(offset: Int)
    case rootNameNotEmpty(String)
    case structureTruncated(offset: Int)
    case tooDeep(offset: Int)
    case tooLarge(size: Int, maximum: Int)
    case totalSizeTooSmall(totalSize: Int)
    case truncated(totalSize: Int, fileSize: Int)
    case truncatedHeader(size: Int)
    case unbalancedEndNode(offset: Int)
    case unclosedNode(depth: Int)
    case unknownToken(value: UInt32, offset: Int)
    case unsupportedVersion(version: UInt32, lastCompatible: UInt32)
    case unterminatedReservations

    public var description: String {
        let prefix = "not a valid device tree blob: "
        switch self {
        case let .badMagic(found):
            return prefix + "bad magic 0x\(String(found, radix: 16)) (expected 0xd00dfeed)"
        case let .badNodeName(offset):
            return prefix + "node name at offset \(offset) is empty, not NUL-terminated or not UTF-8"
        case let .badPropertyNameOffset(nameOffset, offset):
            return prefix + "property at offset \(offset) names string \(nameOffset), outside the strings block"
        case let .blockOutOfBounds(block, offset, size, totalSize):
            return prefix + "the \(block.rawValue) (offset \(offset), \(size) bytes) lies outside the blob's \(totalSize) bytes"
        case let .contentAfterRoot(offset):
            return prefix + "a second top-level node starts at offset \(offset)"
        case let .invalidNodeName(path, name):
            return "cannot write device tree: node \"\(name)\" under \(path) has an empty name or contains '/' or NUL"
        case let .invalidPropertyName(path, name):
            return "cannot write device tree: property \"\(name)\" of \(path) has an empty name or contains NUL"
        case let .misalignedBlock(block, offset):
            return prefix + "the \(block.rawValue) at offset \(offset) is not aligned"
        case .noRootNode:
            return prefix + "the structure block has no root node"
        case let .propertyOutsideNode(offset):
            return prefix + "property at offset \(offset) is outside any node"
        case let .rootNameNotEmpty(name):
            return prefix + "the root node has the name \"\(name)\" (it must be empty)"
        case let .structureTruncated(offset):
            return prefix + "the structure block ends in the middle of an item at offset \(offset)"
        case let .tooDeep(offset):
            return prefix + "nodes nest deeper than \(FlattenedDeviceTree.maxDepth) levels at offset \(offset)"
        case let .tooLarge(size, maximum):
            return "the device tree blob is \(size) bytes; the arm64 boot protocol allows at most \(maximum)"
        case let .totalSizeTooSmall(totalSize):
            return prefix + "header totalsize \(totalSize) is smaller than the header"
        case let .truncated(totalSize, fileSize):
            return prefix + "header says \(totalSize) bytes but only \(fileSize) are present (truncated file?)"
        case let .truncatedHeader(size):
            return prefix + "\(size) bytes is shorter than the 40-byte header"
        case let .unbalancedEndNode(offset):
            return prefix + "FDT_END_NODE at offset \(offset) closes no open node"
        case let .unclosedNode(depth):
            return prefix + "FDT_END reached with \(depth) node(s) still open"
        case let .unknownToken(value, offset):
            return prefix + "unknown token 0x\(String(value, radix: 16)) at offset \(offset)"
        case let .unsupportedVersion(version, lastCompatible):
            return prefix + "version \(version) (last compatible \(lastCompatible)); only versions 16 and 17 are read"
        case .unterminatedReservations:
            return prefix + "the memory reservation block has no (0, 0) terminator"
        }
    }
}
