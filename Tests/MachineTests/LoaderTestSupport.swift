@testable import Machine

/// Crafted kernel files for the loader tests.
enum CraftedImages {
    static func le(_ v: UInt64, _ n: Int) -> [UInt8] { (0..<n).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }

    /// A Linux arm64 Image: the 64-byte header then `payload`.
    static func linuxImage(textOffset: UInt64, imageSize: UInt64, flags: UInt64 = 0xA,
                           payload: [UInt8] = Array(repeating: 0xD5, count: 64)) -> [UInt8] {
        var h = le(0x1400_0010, 4) + le(0, 4)                   // code0: b +0x40, code1
        h += le(textOffset, 8) + le(imageSize, 8) + le(flags, 8)
        h += le(0, 8) + le(0, 8) + le(0, 8)
        h += Array("ARM\u{64}".utf8) + le(0, 4)
        return h + payload
    }

    struct Segment {
        var type: UInt32 = 1
        var vaddr: UInt64
        var paddr: UInt64
        var data: [UInt8]
        var memsz: UInt64
    }

    /// An ELF64 file: header, program headers, then each segment's data in order.
    static func elf(segments: [Segment], entry: UInt64, elfClass: UInt8 = 2, data: UInt8 = 1,
                    type: UInt16 = 2, machine: UInt16 = 183) -> [UInt8] {
        let phoff = 64
        var dataOffset = phoff + 56 * segments.count
        var file = [0x7F, 0x45, 0x4C, 0x46, elfClass, data, 1, 0] + [UInt8](repeating: 0, count: 8)
        file += le(UInt64(type), 2) + le(UInt64(machine), 2) + le(1, 4)
        file += le(entry, 8) + le(UInt64(phoff), 8) + le(0, 8)   // e_entry, e_phoff, e_shoff
        file += le(0, 4) + le(64, 2) + le(56, 2) + le(UInt64(segments.count), 2) + le(64, 2) + le(0, 2) + le(0, 2)
        for s in segments {
            file += le(UInt64(s.type), 4) + le(7, 4)
            file += le(UInt64(dataOffset), 8) + le(s.vaddr, 8) + le(s.paddr, 8)
            file += le(UInt64(s.data.count), 8) + le(s.memsz, 8) + le(0x1000, 8)
            dataOffset += s.data.count
        }
        for s in segments { file += s.data }
        return file
    }

    /// Two segments: code at the RAM base, data + bss 64 KiB above.
    static var twoSegmentELF: [UInt8] {
        elf(segments: [
            Segment(vaddr: 0x4000_0000, paddr: 0x4000_0000, data: [1, 2, 3, 4, 5, 6, 7, 8], memsz: 8),
            Segment(vaddr: 0x4001_0000, paddr: 0x4001_0000, data: [9, 10, 11, 12], memsz: 0x100),
        ], entry: 0x4000_0000)
    }

    /// A minimal valid DTB.
    static var dtb: [UInt8] {
        // swiftlint:disable:next force_try
        (try? FlattenedDeviceTree(root: DeviceTreeNode("", properties: [.u32("#address-cells", 2)])).serialize()) ?? []
    }
}
