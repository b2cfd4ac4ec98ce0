/// Why a kernel, initrd or device tree cannot be booted. Every case is found before the guest
/// starts, and says what is wrong in terms of the user's files.
public enum BootError: Error, Equatable, CustomStringConvertible {
    case bigEndianKernel
    case dtbDoesNotFit(size: Int)
    case dtbMisaligned(address: UInt64)
    case dtbOutsideRAM(address: UInt64)
    case dtbTooLarge(size: Int, maximum: Int)
    case elfBadClass(found: UInt8)
    case elfNoLoadableSegment
    case elfNotExecutable(type: UInt16)
    case elfNotLittleEndian
    case elfSegmentBeyondFile(index: Int, offset: UInt64, size: UInt64, fileSize: Int)
    case elfSegmentFileSizeExceedsMemorySize(index: Int, fileSize: UInt64, memorySize: UInt64)
    case elfTruncatedHeader(size: Int)
    case elfTruncatedProgramHeaders(offset: UInt64, count: Int, entrySize: Int, fileSize: Int)
    case elfWrongMachine(found: UInt16)
    case emptyKernel
    case entryOutsideRAM(entry: UInt64)
    case imageLargerThanRAM(size: UInt64, ramSize: UInt64)
    case initrdDoesNotFit(size: Int, start: UInt64, ramEnd: UInt64)
    case initrdMissing
    case initrdOutsideRAM(start: UInt64, size: Int)
    case invalidDTB(DeviceTreeError)
    case overlap(first: String, firstRange: Range<UInt64>, second: String, secondRange: Range<UInt64>)
    case ramMismatch(planned: Range<UInt64>, bus: Range<UInt64>)
    case segmentOutsideRAM(index: Int, range: Range<UInt64>, ram: Range<UInt64>)

    public var description: String {
        switch self {
        case .bigEndianKernel:
            return "the kernel Image is big-endian (header flags bit 0); ArmVM runs little-endian guests only"
        case let .dtbDoesNotFit(size):
            return "no room in guest RAM for the \(size)-byte device tree after the kernel and initrd; give the VM more memory"
        case let .dtbMisaligned(address):
            return "device tree address \(bootHex(address)) is not 8-byte aligned, as the arm64 boot protocol requires"
        case let .dtbOutsideRAM(address):
            return "device tree address \(bootHex(address)) is not inside guest RAM"
        case let .dtbTooLarge(size, maximum):
            return "the device tree is \(size) bytes; the arm64 boot protocol allows at most \(maximum)"
        case let .elfBadClass(found):
            return "the kernel is a \(found == 1 ? "32-bit" : "class-\(found)") ELF file; a 64-bit (ELFCLASS64) AArch64 ELF is needed"
        case .elfNoLoadableSegment:
            return "the kernel ELF file has no PT_LOAD segment, so there is nothing to load"
        case let .elfNotExecutable(type):
            return "the kernel ELF file has type \(type) (not ET_EXEC or ET_DYN): link it into an executable first"
        case .elfNotLittleEndian:
            return "the kernel ELF file is big-endian; ArmVM runs little-endian guests only"
        case let .elfSegmentBeyondFile(index, offset, size, fileSize):
            return "ELF segment \(index) claims \(size) bytes at file offset \(offset), past the end of the \(fileSize)-byte file (truncated?)"
        case let .elfSegmentFileSizeExceedsMemorySize(index, fileSize, memorySize):
            return "ELF segment \(index) has more file bytes (\(fileSize)) than memory bytes (\(memorySize))"
        case let .elfTruncatedHeader(size):
            return "the kernel ELF file is \(size) bytes, shorter than the 64-byte ELF64 header (truncated?)"
        case let .elfTruncatedProgramHeaders(offset, count, entrySize, fileSize):
            return "the kernel ELF file's \(count) program headers (\(entrySize) bytes each at offset \(offset)) do not fit in its \(fileSize) bytes (truncated?)"
        case let .elfWrongMachine(found):
            return "the kernel ELF file is for machine \(found), not AArch64 (183)"
        case .emptyKernel:
            return "the kernel file is empty"
        case let .entryOutsideRAM(entry):
            return "the kernel's entry point \(bootHex(entry)) is not inside guest RAM"
        case let .imageLargerThanRAM(size, ramSize):
            return "the kernel needs \(size) bytes of memory but the VM has only \(ramSize); give the VM more memory"
        case let .initrdDoesNotFit(size, start, ramEnd):
            return "the \(size)-byte initrd does not fit between \(bootHex(start)) and the end of RAM at \(bootHex(ramEnd)); give the VM more memory"
        case .initrdMissing:
            return "the boot layout was planned from the initrd's size only; plan it with the initrd's bytes to load it"
        case let .initrdOutsideRAM(start, size):
            return "the initrd (\(size) bytes at \(bootHex(start))) is not inside guest RAM"
        case let .invalidDTB(error):
            return error.description
        case let .overlap(first, firstRange, second, secondRange):
            return "the \(first) (\(bootHex(firstRange.lowerBound))..\(bootHex(firstRange.upperBound))) overlaps the \(second) (\(bootHex(secondRange.lowerBound))..\(bootHex(secondRange.upperBound)))"
        case let .ramMismatch(planned, bus):
            return "the boot layout was planned for RAM \(bootHex(planned.lowerBound))..\(bootHex(planned.upperBound)) but the machine has \(bootHex(bus.lowerBound))..\(bootHex(bus.upperBound))"
        case let .segmentOutsideRAM(index, range, ram):
            return "kernel segment \(index) at \(bootHex(range.lowerBound))..\(bootHex(range.upperBound)) is outside guest RAM (\(bootHex(ram.lowerBound))..\(bootHex(ram.upperBound)))"
        }
    }
}

/// Little-endian reads for the loaders; callers check the bounds first.
enum LoaderBytes {
    @inline(__always)
    static func le16(_ b: [UInt8], _ o: Int) -> UInt16 { UInt16(b[o]) | UInt16(b[o + 1]) << 8 }
    @inline(__always)
    static func le32(_ b: [UInt8], _ o: Int) -> UInt32 { UInt32(le16(b, o)) | UInt32(le16(b, o + 2)) << 16 }
    @inline(__always)
    static func le64(_ b: [UInt8], _ o: Int) -> UInt64 { UInt64(le32(b, o)) | UInt64(le32(b, o + 4)) << 32 }
}
