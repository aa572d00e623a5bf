import CSQLite  // se_name_this_thread
#if canImport(Glibc)
import Glibc
#endif

/// A thread that runs a piece of work each time a caller asks for it, and
/// waits otherwise: what a writer hands off so that `el_log` never waits
/// for it (`Checkpointer`, `FoldThread`). Requests made while the work
/// runs become one more run after it.
///
/// `rest`, if given, runs once the thread finds nothing more asked for
/// after a run (and before it ends): there the work lets go of what it
/// held between runs, such as a connection. The thread holds the closures,
/// and what they capture, until it ends (`stop`).
final class RequestThread: @unchecked Sendable {
    private let lock = Lock()  // its condition: a request, or the stop
    private var pending = false  // guarded by lock
    private var stopping = false  // guarded by lock
    private var thread = pthread_t()
    /// A child forked from this process has no such thread.
    private let process = getpid()

    /// Starts the thread, named `name` (as `top -H` and /proc show it);
    /// nil if it cannot be. `finishesRequest`: `stop` lets a run asked for
    /// but not begun happen first.
    init?(name: String, stackBytes: Int, finishesRequest: Bool,
          work: @escaping () -> Void, rest: (() -> Void)? = nil) {
        guard let thread = BackgroundThread.start(stackBytes: stackBytes, detached: false, {
            self.run(name: name, finishesRequest: finishesRequest, work: work, rest: rest)
        }) else { return nil }
        self.thread = thread
    }

    /// Asks for a run and returns at once; false in a child forked from the
    /// process that started the thread.
    func request() -> Bool {
        guard getpid() == process else { return false }
        lock.withLock {
            pending = true
            lock.signal()
        }
        return true
    }

    /// Ends the thread, after the run in progress if any, and waits for it.
    func stop() {
        guard getpid() == process else { return }
        lock.withLock {
            stopping = true
            lock.signal()
        }
        pthread_join(thread, nil)
    }

    private func run(name: String, finishesRequest: Bool, work: () -> Void, rest: (() -> Void)?) {
        se_name_this_thread(name)
        var rested = true  // nothing held since the last rest
        while true {
            let (asked, stop) = lock.withLock {
                // Once something is held and nothing is asked for, go on at once to rest.
                while !pending && !stopping && rested { lock.wait() }
                defer { pending = false }
                return (pending && (finishesRequest || !stopping), stopping)
            }
            if asked {
                work()
                rested = rest == nil
            } else if !rested {
                rest?()  // outside the lock
                rested = true
            }
            if stop { break }
        }
        if !rested { rest?() }
    }
}
