import Testing
@testable import AArch64

/// A `DirectMMIODevice`: the bus calls it through its C entry points (no reference counting
/// per access). Records what it is given; a read of offset 0xFF0 and a write of 0xDEAD abort.
final class DirectRecordingDevice: DirectMMIODevice, @unchecked Sendable {
    var reads: [(offset: UInt64, size: Int, vcpu: Int)] = []
    var writes: [(offset: UInt64, size: Int, value: UInt64, vcpu: Int)] = []

    func read(offset: UInt64, size: Int, vcpu: Int) -> UInt64? {
        reads.append((offset, size, vcpu))
        return offset == 0xFF0 ? nil : 0xC000_0000 | offset
    }

    func write(offset: UInt64, size: Int, value: UInt64, vcpu: Int) -> Bool {
        writes.append((offset, size, value, vcpu))
        return value != 0xDEAD
    }

    static let mmioEntryPoints = MMIOEntryPoints(
        read: { context, offset, size, vcpu, value in
            guard let result = Unmanaged<DirectRecordingDevice>.fromOpaque(context).takeUnretainedValue()
                .read(offset: offset, size: size, vcpu: vcpu) else { return false }
            value.pointee = result
            return true
        },
        write: { context, offset, size, value, vcpu in
            Unmanaged<DirectRecordingDevice>.fromOpaque(context).takeUnretainedValue()
                .write(offset: offset, size: size, value: value, vcpu: vcpu)
        })
}

@Suite struct DirectMMIODeviceTests {
    @Test func theBusCallsADirectDeviceThroughItsEntryPointsWithItsArguments() {
        let bus = PhysicalBus(ramBase: 0x4000_0000, ramSize: 1 << 20)
        let device = DirectRecordingDevice()
        bus.map(base: 0x0900_0000, size: 0x1000, device: device, name: "direct")
        #expect(bus.read(0x0900_0010, size: 4, vcpu: 3) == 0xC000_0010)
        #expect(bus.write(0x0900_0008, size: 8, value: 0x1234, vcpu: 2))
        #expect(device.reads.count == 1)
        #expect(device.reads.first.map { [$0.offset, UInt64($0.size), UInt64($0.vcpu)] } == [0x10, 4, 3])
        #expect(device.writes.first.map { [$0.offset, UInt64($0.size), $0.value, UInt64($0.vcpu)] } == [8, 8, 0x1234, 2])
    }

    @Test func aDirectDeviceThatDeclinesMakesAnExternalAbort() {
        let bus = PhysicalBus(ramBase: 0x4000_0000, ramSize: 1 << 20)
        let device = DirectRecordingDevice()
        bus.map(base: 0x0900_0000, size: 0x1000, device: device, name: "direct")
        #expect(bus.read(0x0900_0FF0, size: 4, vcpu: 0) == nil)
        #expect(!bus.write(0x0900_0000, size: 4, value: 0xDEAD, vcpu: 0))
        // Outside every region: no device is called.
        #expect(bus.read(0x0900_1000, size: 4, vcpu: 0) == nil)
        #expect(device.reads.count == 1 && device.writes.count == 1)
    }

    @Test func directAndPlainDevicesShareOneBus() {
        let bus = PhysicalBus(ramBase: 0x4000_0000, ramSize: 1 << 20)
        let direct = DirectRecordingDevice(), plain = RecordingDevice()
        bus.map(base: 0x0A00_0000, size: 0x1000, device: plain, name: "plain")
        bus.map(base: 0x0900_0000, size: 0x1000, device: direct, name: "direct")
        #expect(bus.read(0x0A00_0004, size: 4, vcpu: 0) == 0xD000_0004)
        #expect(bus.read(0x0900_0004, size: 4, vcpu: 0) == 0xC000_0004)
        #expect(plain.reads.count == 1 && direct.reads.count == 1)
    }
}
