import Glibc
import Synchronization

/// A wake-up signal a thread can sleep on until a deadline in the VMM's host time domain
/// (`monotonicNanoseconds()`). Public because the Machine parks its vCPU threads on the same
/// primitive.
///
/// `Synchronization` has no condition variable, so this wraps a pthread condition configured
/// for CLOCK_MONOTONIC (a wall-clock jump must not move timer deadlines). The host domain may
/// be the cycle-counter clock (`HostClock`), whose origin and rate can differ slightly from
/// the kernel's, so a deadline is turned into the time remaining and re-anchored on
/// CLOCK_MONOTONIC. A generation counter makes it lossless: a sleeper passes the generation it
/// saw before deciding to sleep, and a `signal` after that moment makes the wait return at
/// once. A `signal` with no thread inside `wait` takes no lock (see `signal`).
///
/// `@unchecked Sendable`: the pthread objects are heap-allocated (stable addresses) and only
/// used through the pthread API, which synchronises them; `generation` is an atomic.
public final class WakeupEvent: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let condition: UnsafeMutablePointer<pthread_cond_t>
    private let counter = Atomic<UInt64>(0)

    public init() {
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
        condition = .allocate(capacity: 1)
        condition.initialize(to: pthread_cond_t())
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        pthread_cond_init(condition, &attributes)
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    public var generation: UInt64 { counter.load(ordering: .acquiring) }

    /// Threads inside `wait` (registered before they check the generation).
    private let sleepers = Atomic<Int>(0)

    /// Wakes every sleeper. Without one it is two atomics and no lock: the GIC signals every
    /// interrupt this way, mostly to a vCPU that is running (or raising its own line) and not
    /// asleep, and the lock and broadcast cost about a microsecond there.
    public func signal() {
        // Sequentially consistent on both sides (here: bump, then look for sleepers; in `wait`:
        // register, then look at the generation), so a sleeper either sees this generation
        // and does not sleep, or is seen here and woken.
        counter.wrappingAdd(1, ordering: .sequentiallyConsistent)
        guard sleepers.load(ordering: .sequentiallyConsistent) > 0 else { return }
        pthread_mutex_lock(mutex)
        pthread_cond_broadcast(condition)
        pthread_mutex_unlock(mutex)
    }

    /// Sleeps until a signal newer than `generation`, the deadline (`monotonicNanoseconds()`
    /// time; nil or beyond Int64.max: none), or a spurious wake. Returns true when the deadline
    /// passed (at once, without sleeping, for a deadline already reached).
    @discardableResult
    public func wait(since generation: UInt64, until deadline: UInt64?) -> Bool {
        pthread_mutex_lock(mutex)
        sleepers.wrappingAdd(1, ordering: .sequentiallyConsistent)
        defer {
            sleepers.wrappingSubtract(1, ordering: .sequentiallyConsistent)
            pthread_mutex_unlock(mutex)
        }
        guard counter.load(ordering: .sequentiallyConsistent) == generation else { return false }
        guard let deadline, deadline <= UInt64(Int64.max) else {
            pthread_cond_wait(condition, mutex)
            return false
        }
        let now = monotonicNanoseconds()
        guard deadline > now else { return true }
        let (kernelDeadline, overflow) = HostClock.kernelMonotonic().addingReportingOverflow(deadline - now)
        guard !overflow, kernelDeadline <= UInt64(Int64.max) else {
            pthread_cond_wait(condition, mutex)
            return false
        }
        var time = timespec(
            tv_sec: Int(kernelDeadline / TickScale.nanosecondsPerSecond),
            tv_nsec: Int(kernelDeadline % TickScale.nanosecondsPerSecond))
        return pthread_cond_timedwait(condition, mutex, &time) == ETIMEDOUT
    }
}
