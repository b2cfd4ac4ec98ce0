import Synchronization

/// Collects what a device sends out through its injected closures, from any thread.
final class Recorder<Element: Sendable>: Sendable {
    private let items = Mutex<[Element]>([])

    var all: [Element] { items.withLock { $0 } }

    @Sendable func record(_ item: Element) {
        items.withLock { $0.append(item) }
    }
}

/// A wall clock the test sets by hand, in seconds.
final class ManualClock: Sendable {
    private let seconds: Atomic<UInt64>

    init(_ start: UInt64) { seconds = Atomic(start) }

    var now: UInt64 { seconds.load(ordering: .relaxed) }

    func advance(by delta: UInt64) {
        seconds.add(delta, ordering: .relaxed)
    }

    @Sendable func read() -> UInt64 { now }
}
