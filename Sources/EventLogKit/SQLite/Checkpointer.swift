import CSQLite
#if canImport(Glibc)
import Glibc
#endif

/// Runs a store's WAL checkpoints on a thread of its own, with a connection
/// of its own, so that no `el_log` waits for one: a checkpoint copies every
/// page the WAL gained since the last one and fsyncs twice, which took a
/// logger 100 ms while a prune was filling the WAL.
///
/// The thread blocks every signal (PHP's timeouts and FPM's signals must
/// reach PHP's own thread), touches nothing but its connection, and is
/// joined when the store closes. In a process forked after it started, the
/// thread does not exist: `request()` then returns false and the caller
/// checkpoints itself.
final class Checkpointer {
    // On the heap: a mutex and a condition must not move.
    private let mutex: UnsafeMutablePointer<pthread_mutex_t> = .allocate(capacity: 1)
    private let wake: UnsafeMutablePointer<pthread_cond_t> = .allocate(capacity: 1)
    private var due = false
    private var stopping = false
    private var thread = pthread_t()
    private let owner = getpid()
    private let connection: Connection

    /// nil when the connection or the thread cannot be made (the caller then checkpoints itself).
    init?(path: String) {
        guard let connection = try? Connection(path: path, create: false) else { return nil }
        self.connection = connection
        mutex.initialize(to: pthread_mutex_t())
        wake.initialize(to: pthread_cond_t())
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(wake, nil)
        // The thread starts with every signal blocked: set the mask around its creation.
        var all = sigset_t(), previous = sigset_t()
        sigfillset(&all)
        pthread_sigmask(SIG_SETMASK, &all, &previous)
        let context = Unmanaged.passRetained(self).toOpaque()
        let rc = pthread_create(&thread, nil, { context in
            let checkpointer = Unmanaged<Checkpointer>.fromOpaque(context!).takeRetainedValue()
            checkpointer.run()
            return nil
        }, context)
        pthread_sigmask(SIG_SETMASK, &previous, nil)
        guard rc == 0 else {
            Unmanaged<Checkpointer>.fromOpaque(context).release()
            return nil
        }
    }

    deinit {
        pthread_cond_destroy(wake)
        pthread_mutex_destroy(mutex)
        wake.deallocate()
        mutex.deallocate()
    }

    /// Asks for a passive checkpoint; false when there is no thread to run it.
    func request() -> Bool {
        guard getpid() == owner else { return false }
        pthread_mutex_lock(mutex)
        due = true
        pthread_cond_signal(wake)
        pthread_mutex_unlock(mutex)
        return true
    }

    /// Ends the thread (after a checkpoint it is running) and waits for it.
    func stop() {
        guard getpid() == owner else { return }
        pthread_mutex_lock(mutex)
        stopping = true
        pthread_cond_signal(wake)
        pthread_mutex_unlock(mutex)
        pthread_join(thread, nil)
    }

    private func run() {
        while true {
            pthread_mutex_lock(mutex)
            while !due && !stopping { pthread_cond_wait(wake, mutex) }
            let stop = stopping
            due = false
            pthread_mutex_unlock(mutex)
            if stop { return }
            connection.checkpoint()
        }
    }
}
