import AArch64
import Devices
import Glibc

// The Devices module's MMIO classes are written with exactly the method shapes of
// `AArch64.MMIODevice`, so the board plugs them into the bus without adapters.
extension PL011: MMIODevice {}
extension PL031: MMIODevice {}
extension VirtioMMIOPlaceholder: MMIODevice {}

/// The board's simple devices: the PL011 console (SPI 1), the PL031 RTC (SPI 2) and the 32
/// virtio-mmio transports that report "no device".
final class BoardDevices: Sendable {
    let uart: PL011
    let rtc: PL031
    let virtio: [VirtioMMIOPlaceholder]

    init(configuration: VMConfiguration, interruptController: BoardInterruptController,
         counterSeconds: @escaping @Sendable () -> UInt64) {
        let gic = interruptController
        uart = PL011(transmit: configuration.console, interrupt: { level in
            gic.setSharedLevel(intid: Int(VirtIRQMap.uartINTID), level: level)
        })
        // Wall-clock seconds at boot, advanced by the VM's own counter, so that the RTC and
        // CNTVCT agree (and the RTC is reproducible in deterministic mode).
        let bootSeconds: UInt64 = configuration.clock == .deterministic ? 1_767_225_600 : UInt64(time(nil))
        let startCount = counterSeconds()
        rtc = PL031(clock: { bootSeconds &+ (counterSeconds() &- startCount) }, interrupt: { level in
            gic.setSharedLevel(intid: Int(VirtIRQMap.rtcINTID), level: level)
        })
        virtio = (0..<VirtMemoryMap.virtioCount).map { _ in VirtioMMIOPlaceholder() }
    }

    func map(on bus: PhysicalBus) {
        bus.map(base: VirtMemoryMap.uart.base, size: VirtMemoryMap.uart.size, device: uart, name: "pl011")
        bus.map(base: VirtMemoryMap.rtc.base, size: VirtMemoryMap.rtc.size, device: rtc, name: "pl031")
        for (index, transport) in virtio.enumerated() {
            bus.map(base: VirtMemoryMap.virtioBase + UInt64(index) * VirtMemoryMap.virtioStride,
                    size: VirtMemoryMap.virtioStride, device: transport, name: "virtio-mmio")
        }
    }
}
