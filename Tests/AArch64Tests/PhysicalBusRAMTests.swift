import Testing
@testable import AArch64

/// Guest RAM is anonymous host memory on 2 MB boundaries (for transparent huge pages),
/// zero-filled by the kernel rather than by a memset.
@Suite struct PhysicalBusRAMTests {
    @Test(arguments: [UInt64(64 << 20), UInt64(3 << 20 | 4096)])
    func ramStartsZeroedAlignedAndWritableToTheLastByte(size: UInt64) {
        let bus = PhysicalBus(ramBase: 0x4000_0000, ramSize: size)
        #expect(Int(bitPattern: bus.ram) % (2 << 20) == 0)
        for offset in stride(from: UInt64(0), to: size, by: 1 << 20) {
            #expect(bus.ram.load(fromByteOffset: Int(offset), as: UInt64.self) == 0)
        }
        let last = bus.ramPointer(0x4000_0000 + size - 1)
        #expect(last != nil)
        #expect(last?.load(as: UInt8.self) == 0)
        last?.storeBytes(of: 0xA5, as: UInt8.self)
        #expect(bus.ram.load(fromByteOffset: Int(size - 1), as: UInt8.self) == 0xA5)
        #expect(bus.ramPointer(0x4000_0000 + size) == nil)
    }
}
