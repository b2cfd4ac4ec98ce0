/// A vCPU's timer state for save/restore and migration: what KVM exposes as
/// `KVM_REG_ARM_TIMER_CTL/CVAL/CNT` and `KVM_REG_ARM_PTIMER_CTL/CVAL/CNT`.
///
/// The counts are VM-wide (every vCPU's state carries the same counter); restoring them moves
/// the VM's offsets, so a Machine restoring several vCPUs restores the counter once.
public struct TimerState: Codable, Equatable, Hashable, Sendable {
    /// One timer's registers. `control` holds ENABLE and IMASK only: ISTATUS is recomputed.
    public struct Registers: Codable, Equatable, Hashable, Sendable {
        public var control: UInt64
        public var compare: UInt64

        public init(control: UInt64, compare: UInt64) {
            self.control = control
            self.compare = compare
        }
    }

    public var virtual: Registers
    public var physical: Registers
    public var counter: CounterState

    public init(virtual: Registers, physical: Registers, counter: CounterState) {
        self.virtual = virtual
        self.physical = physical
        self.counter = counter
    }
}
