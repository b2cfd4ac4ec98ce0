import Synchronization

/// The lock around the whole controller state, shared by the controller and its frames. One
/// lock is enough: accesses are short and guests touch the GIC a few times per interrupt.
final class GICCore: Sendable {
    let state: Mutex<GICState>

    init(_ state: GICState) {
        self.state = Mutex(state)
    }

    /// Which vCPUs' outputs an operation can change.
    enum Scope {
        case none
        case cpu(Int)
        case all
    }

    /// Runs `body` under the lock, then recomputes the outputs in `scope`; the output
    /// callback runs before the lock is released.
    func withState<R: Sendable>(_ scope: Scope, _ body: (inout GICState) -> R) -> R {
        state.withLock { s in
            let result = body(&s)
            switch scope {
            case .none: break
            case .cpu(let cpu): s.updateOutputs(cpu: cpu)
            case .all: s.updateOutputs()
            }
            return result
        }
    }
}
