import Glibc

/// A joinable host thread running one closure: each vCPU gets one (DESIGN: one host thread per
/// vCPU in host-clock mode).
final class HostThread: @unchecked Sendable {
    private var thread = pthread_t()
    private let body: () -> Void

    private init(body: @escaping () -> Void) { self.body = body }

    /// Starts `body` on a new thread with an 8 MiB stack.
    static func start(_ body: @escaping @Sendable () -> Void) -> HostThread {
        let box = HostThread(body: body)
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        pthread_attr_setstacksize(&attributes, 8 << 20)
        let unmanaged = Unmanaged.passRetained(box)
        let result = pthread_create(&box.thread, &attributes, { raw in
            let box = Unmanaged<HostThread>.fromOpaque(raw!).takeRetainedValue()
            box.body()
            return nil
        }, unmanaged.toOpaque())
        pthread_attr_destroy(&attributes)
        if result != 0 {
            // Could not create a thread: run inline rather than lose the work.
            unmanaged.release()
            body()
        }
        return box
    }

    func join() { pthread_join(thread, nil) }
}
