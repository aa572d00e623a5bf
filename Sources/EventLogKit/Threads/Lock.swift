#if canImport(Glibc)
import Glibc
#endif

/// A pthread mutex and a condition on the heap (a Swift struct may move; a
/// mutex must not). The condition is for threads that wait for each other
/// (`Checkpointer`, `BatchReader`): `wait` and `signal` only inside `withLock`.
final class Lock: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let condition: UnsafeMutablePointer<pthread_cond_t>

    init() {
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
        condition = .allocate(capacity: 1)
        condition.initialize(to: pthread_cond_t())
        pthread_cond_init(condition, nil)
    }

    deinit {
        pthread_cond_destroy(condition)
        condition.deallocate()
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    func withLock<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }

    /// Releases the lock until another thread signals, then takes it again.
    /// Wakes spuriously too: wait in a loop on what is awaited.
    func wait() { pthread_cond_wait(condition, mutex) }

    /// As `wait`, for at most `milliseconds`.
    func wait(milliseconds: Int) {
        var deadline = timespec()
        clock_gettime(CLOCK_REALTIME, &deadline)
        let nanoseconds = Int(deadline.tv_nsec) + milliseconds % 1000 * 1_000_000
        deadline.tv_sec += milliseconds / 1000 + nanoseconds / 1_000_000_000
        deadline.tv_nsec = nanoseconds % 1_000_000_000
        pthread_cond_timedwait(condition, mutex, &deadline)
    }

    /// Wakes a thread that waits.
    func signal() { pthread_cond_signal(condition) }

    /// Wakes every thread that waits (threads that wait for different things).
    func broadcast() { pthread_cond_broadcast(condition) }
}
