/// The state of one interrupt as the distributor or a redistributor holds it: one instance per
/// SPI, and one per vCPU for each SGI and PPI (they are banked).
struct Interrupt: Sendable {
    var enabled = false
    /// Pending state latched by a rising edge, by software (ISPENDR, SGI generation) or, for a
    /// GICv2 SGI, by at least one source CPU. Cleared by acknowledge and ICPENDR.
    var latch = false
    /// The input line. A level-sensitive interrupt is pending while the line is high, so a
    /// line still asserted after deactivation makes the interrupt pending again.
    var line = false
    var active = false
    var group1 = false
    var edge = false
    var priority: UInt8 = 0

    @inline(__always) var pending: Bool { latch || (!edge && line) }
}

/// What a vCPU's CPU interface holds, for both the GICv2 memory-mapped interface and the
/// GICv3 system-register interface.
struct CPUInterfaceState: Sendable {
    /// GICC_CTLR (GICv2) or the writable bits of ICC_CTLR_EL1 (GICv3).
    var ctlr: UInt32 = 0
    var pmr: UInt8 = 0
    /// GICC_BPR / ICC_BPR0_EL1.
    var bpr0: UInt8 = GICConstants.minimumBPR0
    /// GICC_ABPR / ICC_BPR1_EL1.
    var bpr1: UInt8 = GICConstants.minimumBPR1
    /// Active priorities of group 0 and group 1 (GICC_APR0/NSAPR0, ICC_AP0R0/AP1R0): one bit
    /// per preemption level, set on acknowledge and cleared by priority drop.
    var apr0: UInt32 = 0
    var apr1: UInt32 = 0
    /// ICC_IGRPEN0_EL1 / ICC_IGRPEN1_EL1 (GICv3 only; GICv2 keeps its enables in `ctlr`).
    var groupEnable0 = false
    var groupEnable1 = false
    /// GICR_WAKER.ProcessorSleep (GICv3). Storage only: it does not gate delivery, like KVM.
    var processorSleep = true
    /// The output levels last reported through the callback.
    var irq = false
    var fiq = false
}

/// Numbers fixed by this implementation.
enum GICConstants {
    /// Five priority bits, as the GIC-400 and KVM's vGIC implement: 32 priority levels.
    static let priorityMask: UInt8 = 0xF8
    /// With five priority bits the smallest binary points are 2 (group 0) and 3 (group 1).
    static let minimumBPR0: UInt8 = 2
    static let minimumBPR1: UInt8 = 3
    /// Bit position of the preemption level within a priority (priority >> 3 = level 0...31).
    static let preemptionShift = 3
    static let spurious = 1023
    /// GICv2 IAR value when the highest pending interrupt is group 1 and AckCtl is clear.
    static let group1Spurious = 1022
}
