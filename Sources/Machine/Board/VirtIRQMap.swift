/// The interrupt map of the 'virt' board, identical to QEMU's `virt` (hw/arm/virt.c `a15irqmap`
/// and the timer PPIs of `fdt_add_timer_nodes`). Devices wire their lines and the device tree
/// describes them from these numbers only.
///
/// GIC interrupt IDs: SGIs 0–15, PPIs 16–31 (per vCPU), SPIs 32 and up (shared). The device tree
/// numbers PPIs and SPIs from zero within their class; `intid` converts.
///
/// ```
///   PPI (DT)  INTID   source
///   10        26      EL2 (hypervisor) physical timer   — described, never raised (no EL2)
///   11        27      EL1 virtual timer                 — CNTV_*
///   13        29      secure EL1 physical timer         — described, never raised
///   14        30      EL1 non-secure physical timer     — CNTP_*, trapped and emulated
///   SPI (DT)  INTID
///   1         33      PL011 UART                         level, high
///   2         34      PL031 RTC                          level, high
///   16...47   48...79 virtio-mmio #0...#31               edge, rising
/// ```
public enum VirtIRQMap {
    /// Kind of an interrupt in the device tree's 3-cell GIC specifier (first cell).
    public enum Kind: UInt32, Sendable {
        case spi = 0
        case ppi = 1
    }

    /// First INTID of each class.
    public static let firstPPI: UInt32 = 16
    public static let firstSPI: UInt32 = 32

    // Timer PPIs, as PPI numbers relative to 16 (device tree form).
    public static let securePhysicalTimerPPI: UInt32 = 13
    public static let physicalTimerPPI: UInt32 = 14
    public static let virtualTimerPPI: UInt32 = 11
    public static let hypervisorTimerPPI: UInt32 = 10

    // SPIs relative to 32 (device tree form).
    public static let uartSPI: UInt32 = 1
    public static let rtcSPI: UInt32 = 2
    public static let virtioFirstSPI: UInt32 = 16

    /// SPI (relative) of virtio-mmio transport `index`.
    public static func virtioSPI(_ index: Int) -> UInt32 {
        virtioFirstSPI + UInt32(truncatingIfNeeded: index)
    }

    /// GIC INTID of a device-tree-relative interrupt number.
    public static func intid(_ kind: Kind, _ number: UInt32) -> UInt32 {
        switch kind {
        case .ppi: return firstPPI + number
        case .spi: return firstSPI + number
        }
    }

    /// INTIDs as devices and the timer code use them.
    public static let virtualTimerINTID: UInt32 = 27
    public static let physicalTimerINTID: UInt32 = 30
    public static let securePhysicalTimerINTID: UInt32 = 29
    public static let hypervisorTimerINTID: UInt32 = 26
    public static let uartINTID: UInt32 = 33
    public static let rtcINTID: UInt32 = 34
    public static func virtioINTID(_ index: Int) -> UInt32 { intid(.spi, virtioSPI(index)) }

    /// Third cell of a GIC specifier: trigger type in bits 3:0 (Linux IRQ_TYPE_*).
    public static let edgeRising: UInt32 = 1
    public static let levelHigh: UInt32 = 4
}
