import Glibc
import Synchronization

/// The VM's host timer thread: a min-heap of (host deadline, token) entries, each with a
/// callback run on this thread when the deadline passes. One per VM; each vCPU keeps one entry
/// at the earliest expiry of its timers (`VCPUTimers.attach`), like KVM's per-vCPU hrtimer.
///
/// Lateness: a plain timed wait wakes ~100 µs late on a busy host, far more than a 10 ms guest
/// tick can tolerate for a < 20 µs median. With `spinsToDeadlines` the thread therefore sleeps
/// until shortly before the deadline (the slack: twice the recently observed oversleep,
/// 50 µs – 2 ms, starting at 300 µs) and spins on the clock for the rest. Waiting costs one
/// wake per deadline plus at most the slack of spinning, so an idle second costs far below 1%
/// of a core. Without it the thread only sleeps: the Machine's vCPU threads watch their own
/// deadlines and keep this thread as a safety net, which must not take a core from them.
///
/// Callbacks run without any lock of this object held, so they may arm and cancel. A callback
/// may run once more after `cancel` if it had already been taken from the heap; callers must
/// treat an expiry as "re-check", never as proof (VCPUTimers re-evaluates the count).
public final class BackgroundTimer: Sendable {
    /// Names one entry; arming a token again moves its entry.
    public struct Token: Hashable, Sendable {
        let id: UInt64
    }

    private let core: Core
    private let thread: Mutex<pthread_t?>
    private let tokens = Atomic<UInt64>(0)

    /// Starts the thread.
    public init(spinsToDeadlines: Bool = true) {
        core = Core(spinsToDeadlines: spinsToDeadlines)
        let retained = Unmanaged.passRetained(core).toOpaque()
        var handle = pthread_t()
        let result = pthread_create(&handle, nil, { argument in
            guard let argument else { return nil }
            Unmanaged<Core>.fromOpaque(argument).takeRetainedValue().run()
            return nil
        }, retained)
        if result == 0 {
            thread = Mutex(handle)
        } else {
            Unmanaged<Core>.fromOpaque(retained).release()
            thread = Mutex(nil)
        }
    }

    deinit { stop() }

    /// Whether the thread is running (false after `stop`, or if the host refused a thread).
    public var isRunning: Bool { thread.withLock { $0 != nil } }

    public func makeToken() -> Token {
        Token(id: tokens.wrappingAdd(1, ordering: .relaxed).newValue)
    }

    /// Arms (or moves) `token`'s entry to `deadline`, a host CLOCK_MONOTONIC time in ns. A
    /// deadline already past fires at once; one beyond Int64.max ns is kept but never reached.
    public func arm(_ token: Token, atHostNanoseconds deadline: UInt64,
                    _ callback: @escaping @Sendable () -> Void) {
        let wake = core.state.withLock { s -> Bool in
            guard !s.stopping else { return false }
            let previousTop = s.heap.top?.deadline
            s.heap.set(token.id, deadline: deadline, callback: callback)
            // Only an earlier first deadline needs the thread now; a later one is found when
            // the thread wakes for the old one and re-checks.
            return previousTop.map { deadline < $0 } ?? true
        }
        if wake { core.event.signal() }
    }

    /// Removes `token`'s entry if armed. (The thread may wake for it anyway and re-check.)
    public func cancel(_ token: Token) {
        core.state.withLock { s in _ = s.heap.remove(token.id) }
    }

    /// The deadline `token` is armed at, nil if none.
    public func deadline(of token: Token) -> UInt64? {
        core.state.withLock { $0.heap.deadline(of: token.id) }
    }

    /// Stops the thread and waits for it to finish (its current callback included); pending
    /// entries are dropped and later `arm` calls are ignored. Safe to call twice, and from a
    /// callback (the thread then ends after it).
    public func stop() {
        core.state.withLock { $0.stopping = true }
        core.event.signal()
        let handle = thread.withLock { handle -> pthread_t? in
            defer { handle = nil }
            return handle
        }
        guard let handle else { return }
        if pthread_equal(handle, pthread_self()) != 0 {
            pthread_detach(handle)
        } else {
            pthread_join(handle, nil)
        }
    }

    // MARK: The thread

    final class Core: Sendable {
        struct State {
            var heap = TimerHeap()
            var stopping = false
        }

        let state = Mutex(State())
        let event = WakeupEvent()
        let spinsToDeadlines: Bool

        init(spinsToDeadlines: Bool) { self.spinsToDeadlines = spinsToDeadlines }

        static let initialSlack: UInt64 = 300_000
        static let minimumSlack: UInt64 = 50_000
        static let maximumSlack: UInt64 = 2_000_000

        func run() {
            // Exponential average (1/8) of how late timed waits wake, in ns.
            var oversleep = Self.initialSlack / 2
            while true {
                let generation = event.generation
                let (stopping, due, next) = state.withLock { s in
                    var due: [@Sendable () -> Void] = []
                    guard !s.stopping else { return (true, due, UInt64?.none) }
                    let now = monotonicNanoseconds()
                    while let top = s.heap.top, top.deadline <= now, let entry = s.heap.popMin() {
                        due.append(entry.callback)
                    }
                    return (false, due, s.heap.top?.deadline)
                }
                if stopping { return }
                if !due.isEmpty {
                    for callback in due { callback() }
                    continue
                }
                guard let next else {
                    event.wait(since: generation, until: nil)
                    continue
                }
                guard spinsToDeadlines else {
                    event.wait(since: generation, until: next)
                    continue
                }
                let slack = min(max(2 * oversleep, Self.minimumSlack), Self.maximumSlack)
                let now = monotonicNanoseconds()
                if next > now, next - now > slack {
                    let target = next - slack
                    if event.wait(since: generation, until: target) {
                        let woke = monotonicNanoseconds()
                        let sample = woke > target ? min(woke - target, Self.maximumSlack) : 0
                        oversleep = oversleep - oversleep / 8 + sample / 8
                    }
                } else {
                    // The last stretch: spin on the clock, leaving early if someone armed an
                    // earlier deadline or asked to stop.
                    while monotonicNanoseconds() < next && event.generation == generation {}
                }
            }
        }
    }
}
