import CSQLite  // se_name_this_thread
#if canImport(Glibc)
import Glibc
#endif

/// Runs a writer's folds (`MariaDBTotals.fold`) on a thread of its own, with
/// its own connection, so that `el_log` never waits for one.
///
/// Done by the writer, the fold's five statements took 40.7 us of server
/// time an event stored, all of it in the `el_log` that happened to be the
/// 512th (BENCHMARKS.md, MariaDB el_log), while the server's other core
/// mostly waited for the caller. Here they run beside the caller's next
/// INSERTs. The thread connects for a fold and disconnects once no other
/// is asked for, so a pool of PHP-FPM workers does not hold a second
/// connection each at rest (the server's `max_connections`). A request
/// while a fold runs gets one more after it; a fold that fails is done by
/// a later one or by the prune. Not while a prune runs (`MariaDBPruneMark`),
/// as before: the prune folds anyway.
final class FoldThread: @unchecked Sendable {
    private let location: MariaDBLocation
    private let options: StoreOptions
    private let lock = Lock()  // its condition: a request, or the stop
    private var pending = false  // guarded by lock
    private var stopping = false  // guarded by lock
    private var thread = pthread_t()
    /// A child forked from this process has no such thread.
    private let process = getpid()

    /// Starts the thread; nil if it cannot be (the writer then folds by itself).
    init?(location: MariaDBLocation, options: StoreOptions) {
        self.location = location
        self.options = options
        // The client library and a fold's statements take more stack than
        // SQLite's checkpoint (`Checkpointer`). The thread holds this object until `stop`.
        guard let thread = BackgroundThread.start(stackBytes: 1024 * 1024, detached: false, { self.run() }) else { return nil }
        self.thread = thread
    }

    /// Asks for a fold and returns at once; false in a child forked from
    /// the process that started the thread.
    func request() -> Bool {
        guard getpid() == process else { return false }
        lock.withLock {
            pending = true
            lock.signal()
        }
        return true
    }

    /// Ends the thread, after the fold asked for or running if any: a caller
    /// that closes its store knows its events' fold is done.
    func stop() {
        guard getpid() == process else { return }
        lock.withLock {
            stopping = true
            lock.signal()
        }
        pthread_join(thread, nil)
    }

    /// The thread's name, as `top -H` and /proc show it.
    static let threadName = "el-fold"

    private func run() {
        se_name_this_thread(Self.threadName)
        var db: MariaDBConnection?
        while true {
            let (asked, stop) = lock.withLock {
                // With a connection open and nothing asked for, go on at once to close it.
                while !pending && !stopping && db == nil { lock.wait() }
                defer { pending = false }
                return (pending, stopping)
            }
            if asked {
                fold(&db)
            } else {
                db = nil  // closed outside the lock
            }
            if stop { break }
        }
    }

    /// One fold on `db`, connected first if need be; a fold that fails
    /// leaves `db` nil, to connect again for the next one.
    private func fold(_ db: inout MariaDBConnection?) {
        do {
            let connection = try db ?? MariaDBConnection(location: location, options: options)
            db = connection
            if try !MariaDBPruneMark.isSet(connection) { try MariaDBTotals.fold(connection) }
        } catch {
            db = nil
        }
    }
}
