extension KernelImage {
    static let elfMachineAArch64: UInt16 = 183
    static let elfHeaderSize = 64
    static let elfProgramHeaderSize = 56
    static let ptLoad: UInt32 = 1

    /// An ELF64 AArch64 little-endian executable: every PT_LOAD segment goes to its physical
    /// address (p_paddr), as QEMU and kvmtool load ELF kernels, with memsz - filesz zero bytes
    /// after it. The entry is e_entry, moved from virtual to physical when it falls in a segment
    /// whose p_vaddr differs from its p_paddr.
    static func elf(_ bytes: [UInt8], ram: Range<UInt64>) throws(BootError) -> KernelImage {
        guard bytes.count >= elfHeaderSize else { throw .elfTruncatedHeader(size: bytes.count) }
        guard bytes[4] == 2 else { throw .elfBadClass(found: bytes[4]) }
        guard bytes[5] == 1 else { throw .elfNotLittleEndian }
        let type = LoaderBytes.le16(bytes, 16)
        let machine = LoaderBytes.le16(bytes, 18)
        guard machine == elfMachineAArch64 else { throw .elfWrongMachine(found: machine) }
        guard type == 2 || type == 3 else { throw .elfNotExecutable(type: type) }
        let entry = LoaderBytes.le64(bytes, 24)
        let phoff = LoaderBytes.le64(bytes, 32)
        let phentsize = Int(LoaderBytes.le16(bytes, 54))
        let phnum = Int(LoaderBytes.le16(bytes, 56))
        guard phnum > 0 else { throw .elfNoLoadableSegment }
        let tableSize = UInt64(phnum) * UInt64(phentsize)
        guard phentsize >= elfProgramHeaderSize, phoff <= UInt64(bytes.count),
              tableSize <= UInt64(bytes.count) - phoff
        else {
            throw .elfTruncatedProgramHeaders(offset: phoff, count: phnum, entrySize: phentsize, fileSize: bytes.count)
        }

        var segments: [Segment] = []
        var headerIndex: [Int] = []      // program header number of each segment, for messages
        var physicalEntry = entry
        var entryIsPhysical = false
        for i in 0..<phnum {
            let h = Int(phoff) + i * phentsize
            guard LoaderBytes.le32(bytes, h) == ptLoad else { continue }
            let offset = LoaderBytes.le64(bytes, h + 8)
            let vaddr = LoaderBytes.le64(bytes, h + 16)
            let paddr = LoaderBytes.le64(bytes, h + 24)
            let filesz = LoaderBytes.le64(bytes, h + 32)
            let memsz = LoaderBytes.le64(bytes, h + 40)
            guard filesz <= memsz else {
                throw .elfSegmentFileSizeExceedsMemorySize(index: i, fileSize: filesz, memorySize: memsz)
            }
            guard offset <= UInt64(bytes.count), filesz <= UInt64(bytes.count) - offset else {
                throw .elfSegmentBeyondFile(index: i, offset: offset, size: filesz, fileSize: bytes.count)
            }
            guard memsz > 0 else { continue }
            guard paddr <= UInt64.max - memsz else {
                throw .segmentOutsideRAM(index: i, range: paddr..<UInt64.max, ram: ram)
            }
            if entry >= paddr && entry - paddr < memsz { entryIsPhysical = true }
            if !entryIsPhysical, vaddr != paddr, entry >= vaddr, entry - vaddr < memsz {
                physicalEntry = entry - vaddr + paddr
            }
            segments.append(Segment(fileRange: Int(offset)..<Int(offset + filesz), address: paddr, memorySize: memsz))
            headerIndex.append(i)
        }
        guard !segments.isEmpty else { throw .elfNoLoadableSegment }
        if entryIsPhysical { physicalEntry = entry }

        // Segments must not overlap one another.
        let sorted = segments.enumerated().sorted { $0.element.address < $1.element.address }
        for (a, b) in zip(sorted, sorted.dropFirst()) where b.element.address < a.element.memoryRange.upperBound {
            throw .overlap(first: "ELF segment \(headerIndex[a.offset])", firstRange: a.element.memoryRange,
                           second: "ELF segment \(headerIndex[b.offset])", secondRange: b.element.memoryRange)
        }
        for (segment, i) in zip(segments, headerIndex) {
            let r = segment.memoryRange
            guard r.lowerBound >= ram.lowerBound, r.upperBound <= ram.upperBound else {
                throw .segmentOutsideRAM(index: i, range: r, ram: ram)
            }
        }
        return KernelImage(format: .elf, segments: segments, entry: physicalEntry, bytes: bytes)
    }
}
