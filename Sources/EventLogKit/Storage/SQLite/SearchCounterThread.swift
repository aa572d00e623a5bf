import CSQLite  // se_name_this_thread
#if canImport(Glibc)
import Glibc
#endif

/// Counts the search counters (`SearchCounters`) on a thread of the handle
/// that logs, with its own connection, writers first: it counts a chunk
/// only once no other connection has committed for `quietMilliseconds`,
/// or when `maxBacklog` events wait (a panel that never pauses), so that
/// `el_log` rarely waits for it. It ends once nothing has been left to
/// count for `idleRounds` looks; the handle starts another after its next
/// `startAfterEvents` events (a worker that logs a few events and exits
/// never starts one: the prune counts what no thread counted).
final class SearchCounterThread: @unchecked Sendable {
    static let quietMilliseconds = 100
    static let maxBacklog: Int64 = 100_000
    static let idleRounds = 20
    static let busyRounds = 10
    static let startAfterEvents: Int64 = 1000
    /// A passive checkpoint every this many chunks: when the writers are
    /// quiet, no one else copies the WAL back.
    static let checkpointEveryChunks = 16

    private var connection: Connection?  // the thread's alone
    private let lock = Lock()  // its condition: the stop
    private var stopping = false  // guarded by lock
    private var ended = false  // guarded by lock
    private var thread = pthread_t()
    private let process = getpid()

    /// The thread's name, as `top -H` and /proc show it.
    static let threadName = "el-search-count"

    /// Starts the thread, which opens its connection itself (the `el_log`
    /// that starts it does not wait for that) and ends at once if it cannot,
    /// or if `isSameFile` says the path no longer names the store opened.
    /// Nil if the thread cannot be started.
    init?(path: String, isSameFile: @escaping @Sendable () -> Bool) {
        // FTS5's queries and merges take more stack than a checkpoint.
        guard let thread = BackgroundThread.start(stackBytes: 1024 * 1024, detached: false, {
            self.open(path: path, isSameFile: isSameFile)
            self.run()
            self.connection = nil
            self.lock.withLock { self.ended = true }
        }) else { return nil }
        self.thread = thread
    }

    private func open(path: String, isSameFile: () -> Bool) {
        guard let opened = try? Connection(path: path, create: false) else { return }
        opened.forbidCheckpointOnClose()  // the store's own connection decides that
        // A first read opens the WAL and its index by name: only if the path
        // still names the store's file afterwards are they the store's.
        guard (try? opened.execute("SELECT 1 FROM sqlite_schema LIMIT 1")) != nil, isSameFile() else { return }
        opened.setBusyTimeout(milliseconds: 5000)
        connection = opened
    }

    /// Whether the thread has ended by itself (nothing left to count).
    var hasEnded: Bool { lock.withLock { ended } }

    /// Ends the thread, after the chunk it is counting if any, and waits for it.
    func stop() {
        guard getpid() == process else { return }
        lock.withLock {
            stopping = true
            lock.signal()
        }
        pthread_join(thread, nil)
    }

    /// Waits a round; true once asked to stop.
    private func pause() -> Bool {
        lock.withLock {
            if !stopping { lock.wait(milliseconds: Self.quietMilliseconds) }
            return stopping
        }
    }

    private var isStopping: Bool { lock.withLock { stopping } }

    private func run() {
        guard let connection else { return }
        se_name_this_thread(Self.threadName)
        var seen = dataVersion()
        var idle = 0
        var chunks = 0
        var rounds = 0
        while !pause() {
            var version = dataVersion()
            let busy = version != seen
            seen = version
            rounds += 1
            // Writers at work: the backlog is looked at once in `busyRounds` only.
            if busy && rounds % Self.busyRounds != 0 { continue }
            guard let backlog = backlog() else { return }
            if backlog == 0 {
                // Caught up: merge the finished days' postings while no one writes.
                if !busy, (try? SearchCounters.mergeStep(connection)) == true {
                    idle = 0
                    while dataVersion() == seen && !isStopping, (try? SearchCounters.mergeStep(connection)) == true {}
                    continue
                }
                idle += 1
                if idle >= Self.idleRounds { return }
                continue
            }
            idle = 0
            guard !busy || backlog >= Self.maxBacklog else { continue }
            // Chunk after chunk while no other connection commits (or the backlog is long).
            var left = backlog
            repeat {
                guard (try? SearchCounters.countChunk(connection)) == true else { break }
                left -= Int64(SearchCounters.chunkEvents)
                chunks += 1
                if chunks % Self.checkpointEveryChunks == 0 { _ = connection.checkpoint() }
                version = dataVersion()
            } while (version == seen || left >= Self.maxBacklog) && !isStopping
            seen = version
        }
    }

    /// Events not yet counted; nil if the store cannot be read.
    private func backlog() -> Int64? {
        let sql = """
            SELECT COALESCE((SELECT max(id) FROM event), 0)
                 - COALESCE((SELECT value FROM setting WHERE key = '\(SearchCounters.watermarkKey)'), 0)
            """
        guard let n = (try? connection?.integer(sql)) ?? nil else { return nil }
        return max(n, 0)
    }

    /// Changes when another connection commits.
    private func dataVersion() -> Int64 { (try? connection?.integer("PRAGMA data_version")) ?? 0 }
}
