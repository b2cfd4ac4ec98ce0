/// A binary min-heap of deadlines with an index by token, so one entry per token can be
/// re-armed or cancelled in O(log n) without leaving stale entries behind (a lazy-deletion
/// heap would grow with every re-arm of a busy guest).
struct TimerHeap {
    struct Entry {
        var deadline: UInt64
        /// Insertion order: equal deadlines fire first-armed first.
        var sequence: UInt64
        let token: UInt64
        var callback: @Sendable () -> Void
    }

    private(set) var entries: [Entry] = []
    private var positions: [UInt64: Int] = [:]
    private var nextSequence: UInt64 = 0

    var top: Entry? { entries.first }
    var count: Int { entries.count }

    func deadline(of token: UInt64) -> UInt64? {
        positions[token].map { entries[$0].deadline }
    }

    /// Arms `token` at `deadline`, replacing its previous entry if any.
    mutating func set(_ token: UInt64, deadline: UInt64, callback: @escaping @Sendable () -> Void) {
        nextSequence &+= 1
        if let index = positions[token] {
            entries[index].deadline = deadline
            entries[index].sequence = nextSequence
            entries[index].callback = callback
            restore(at: index)
        } else {
            entries.append(Entry(deadline: deadline, sequence: nextSequence, token: token,
                                 callback: callback))
            positions[token] = entries.count - 1
            siftUp(entries.count - 1)
        }
    }

    @discardableResult
    mutating func remove(_ token: UInt64) -> Entry? {
        guard let index = positions[token] else { return nil }
        return remove(at: index)
    }

    mutating func popMin() -> Entry? {
        entries.isEmpty ? nil : remove(at: 0)
    }

    private mutating func remove(at index: Int) -> Entry {
        let last = entries.count - 1
        if index != last { swapEntries(index, last) }
        let removed = entries.removeLast()
        positions[removed.token] = nil
        if index < entries.count { restore(at: index) }
        return removed
    }

    private func less(_ a: Int, _ b: Int) -> Bool {
        let x = entries[a], y = entries[b]
        return x.deadline != y.deadline ? x.deadline < y.deadline : x.sequence < y.sequence
    }

    private mutating func swapEntries(_ a: Int, _ b: Int) {
        entries.swapAt(a, b)
        positions[entries[a].token] = a
        positions[entries[b].token] = b
    }

    private mutating func restore(at index: Int) {
        if index > 0 && less(index, (index - 1) / 2) { siftUp(index) } else { siftDown(index) }
    }

    private mutating func siftUp(_ start: Int) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard less(child, parent) else { return }
            swapEntries(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1, right = left + 1
            var smallest = parent
            if left < entries.count && less(left, smallest) { smallest = left }
            if right < entries.count && less(right, smallest) { smallest = right }
            guard smallest != parent else { return }
            swapEntries(parent, smallest)
            parent = smallest
        }
    }
}
