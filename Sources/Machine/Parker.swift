import Glibc

/// A one-permit park/unpark primitive for a vCPU thread blocked in WFI or powered off: an
/// `unpark` before `park` is not lost. Built on a pthread mutex and condition variable
/// (CLOCK_MONOTONIC) because the standard library offers no blocking wait.
final class Parker: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var permit = false

    init() {
        pthread_mutex_init(mutex, nil)
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        pthread_cond_init(condition, &attributes)
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
        condition.deallocate()
    }

    /// Blocks until a permit is available (or `timeoutNanoseconds` pass), then consumes it.
    func park(timeoutNanoseconds: UInt64? = nil) {
        pthread_mutex_lock(mutex)
        if !permit {
            if let timeout = timeoutNanoseconds {
                var now = timespec()
                clock_gettime(CLOCK_MONOTONIC, &now)
                let deadline = UInt64(now.tv_sec) &* 1_000_000_000 &+ UInt64(now.tv_nsec) &+ timeout
                var ts = timespec(tv_sec: Int(deadline / 1_000_000_000), tv_nsec: Int(deadline % 1_000_000_000))
                _ = pthread_cond_timedwait(condition, mutex, &ts)
            } else {
                while !permit { pthread_cond_wait(condition, mutex) }
            }
        }
        permit = false
        pthread_mutex_unlock(mutex)
    }

    /// Makes a permit available and wakes the parked thread, if any.
    func unpark() {
        pthread_mutex_lock(mutex)
        permit = true
        pthread_cond_signal(condition)
        pthread_mutex_unlock(mutex)
    }
}
