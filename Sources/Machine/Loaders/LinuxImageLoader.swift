extension KernelImage {
    /// The 64-byte arm64 Image header (booting.rst): code0/code1, text_offset (le64 at 8),
    /// image_size (le64 at 16), flags (le64 at 24), three reserved words, magic at 0x38.
    /// The image goes text_offset bytes above a 2 MiB-aligned base as close as possible to the
    /// start of RAM, and is entered at its first byte.
    static func linuxImage(_ bytes: [UInt8], ramBase: UInt64) throws(BootError) -> KernelImage {
        var textOffset = LoaderBytes.le64(bytes, 8)
        let imageSize = LoaderBytes.le64(bytes, 16)
        let flags = LoaderBytes.le64(bytes, 24)
        // Before v3.17 image_size was zero and text_offset had the kernel's endianness; the
        // protocol says to assume 0x80000 then.
        if imageSize == 0 { textOffset = legacyTextOffset }
        guard flags & 1 == 0 else { throw .bigEndianKernel }
        let base = (ramBase &+ imageBaseAlignment &- 1) & ~(imageBaseAlignment &- 1)
        let address = base &+ textOffset
        // image_size covers bss too; never load less than the file.
        let memorySize = max(imageSize, UInt64(bytes.count))
        return KernelImage(format: .linuxImage(textOffset: textOffset, imageSize: imageSize, flags: flags),
                           segments: [Segment(fileRange: 0..<bytes.count, address: address, memorySize: memorySize)],
                           entry: address, bytes: bytes)
    }
}
