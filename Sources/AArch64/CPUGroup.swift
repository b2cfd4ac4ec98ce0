import Synchronization

/// The vCPUs of one VM, as broadcast TLB maintenance sees them.
///
/// A TLBI of the Inner Shareable domain (TLBI VMALLE1IS, VAE1IS, ...) must reach every PE, but
/// each software TLB belongs to its vCPU's thread. So the broadcasting vCPU flushes its own TLB
/// and sets `InterruptSignals.tlbFlush` in every other member; each member drops its whole TLB
/// at its next block boundary (or when it next runs, if it is blocked: a blocked vCPU
/// translates nothing). A CPU starts in a group of its own; the Machine puts all vCPUs of a VM
/// in one group with `CPU.join(_:)`.
public final class CPUGroup: Sendable {
    private let members = Mutex<[InterruptSignals]>([])

    public init() {}

    /// Adds a vCPU's signals (once).
    func add(_ signals: InterruptSignals) {
        members.withLock { list in
            if !list.contains(where: { $0 === signals }) { list.append(signals) }
        }
    }

    /// Removes a vCPU's signals (when it leaves for another group).
    func remove(_ signals: InterruptSignals) {
        members.withLock { list in list.removeAll { $0 === signals } }
    }

    /// Asks every member except `origin` to flush its TLB.
    func broadcastTLBFlush(from origin: InterruptSignals) {
        members.withLock { list in
            for signals in list where signals !== origin { signals.requestTLBFlush() }
        }
    }

    /// How many vCPUs are in the group.
    public var count: Int { members.withLock { $0.count } }
}
