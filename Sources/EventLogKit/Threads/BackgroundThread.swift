#if canImport(Glibc)
import Glibc
#endif

/// Starts the library's own threads (`Checkpointer`, `BatchReader`) inside
/// a PHP process.
enum BackgroundThread {
    /// Runs `body` on a new thread; nil if it could not be started. The
    /// thread starts with every signal blocked (it inherits the mask it is
    /// created under): PHP's timeout (SIGPROF) and FPM's signals must reach
    /// PHP's own thread, whose handlers they run. A detached thread cannot
    /// be joined; its pthread_t is returned all the same.
    static func start(stackBytes: Int, detached: Bool, _ body: @escaping () -> Void) -> pthread_t? {
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setstacksize(&attributes, stackBytes)
        if detached { pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED)) }
        var all = sigset_t(), previous = sigset_t()
        sigfillset(&all)
        pthread_sigmask(SIG_SETMASK, &all, &previous)
        defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
        // The thread owns `body` (and what it holds) until it returns.
        let context = Unmanaged.passRetained(Body(body)).toOpaque()
        var thread = pthread_t()
        guard pthread_create(&thread, &attributes, { context in
            if let context { Unmanaged<Body>.fromOpaque(context).takeRetainedValue().run() }
            return nil
        }, context) == 0 else {
            Unmanaged<Body>.fromOpaque(context).release()
            return nil
        }
        return thread
    }

    private final class Body {
        let run: () -> Void
        init(_ run: @escaping () -> Void) { self.run = run }
    }
}
