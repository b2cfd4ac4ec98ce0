import Testing
@testable import Devices

@Suite struct VirtioMMIOPlaceholderTests {
    @Test(arguments: [
        (UInt64(0x000), UInt64(0x7472_6976)),  // MagicValue "virt"
        (0x004, 2),  // Version
        (0x008, 0),  // DeviceID: no device
        (0x00C, 0x554D_4551),  // VendorID "QEMU"
        (0x010, 0), (0x070, 0), (0x0FC, 0), (0x1FC, 0),
    ])
    func registers(offset: UInt64, value: UInt64) {
        let slot = VirtioMMIOPlaceholder()
        #expect(slot.read(offset: offset, size: 4, vcpu: 0) == value)
        #expect(slot.write(offset: offset, size: 4, value: 0xFFFF_FFFF, vcpu: 1))
        #expect(slot.read(offset: offset, size: 4, vcpu: 0) == value)
    }

    @Test func narrowReadsSeeLittleEndianBytes() {
        let slot = VirtioMMIOPlaceholder()
        #expect(slot.read(offset: 0, size: 1, vcpu: 0) == UInt64(UInt8(ascii: "v")))
        #expect(slot.read(offset: 3, size: 1, vcpu: 0) == UInt64(UInt8(ascii: "t")))
        #expect(slot.read(offset: 0, size: 8, vcpu: 0) == 0x0000_0002_7472_6976)
    }

    @Test func outsideTheWindowAborts() {
        let slot = VirtioMMIOPlaceholder()
        #expect(slot.read(offset: 0x200, size: 4, vcpu: 0) == nil)
        #expect(!slot.write(offset: 0x200, size: 4, value: 0, vcpu: 0))
    }
}
