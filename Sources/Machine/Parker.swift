import GenericTimer

/// A one-permit park/unpark primitive for a vCPU thread blocked in WFI or powered off: an
/// `unpark` before `park` is not lost. Built on the timer's `WakeupEvent` (a CLOCK_MONOTONIC
/// condition variable with a generation count), so the pthread code lives in one place.
final class Parker: @unchecked Sendable {
    private let event = WakeupEvent()
    /// The last generation this (single) parking thread has consumed.
    private var consumed: UInt64 = 0

    /// Blocks until a permit is available (or `timeoutNanoseconds` pass), then consumes it.
    /// Called only from the owning vCPU thread.
    func park(timeoutNanoseconds: UInt64? = nil) {
        let seen = consumed
        if event.generation == seen {
            let deadline = timeoutNanoseconds.map { monotonicNanoseconds() &+ $0 }
            event.wait(since: seen, until: deadline)
        }
        // Every unpark up to now is one permit; the caller re-checks what it waits for.
        consumed = event.generation
    }

    /// Makes a permit available and wakes the parked thread, if any.
    func unpark() { event.signal() }
}
