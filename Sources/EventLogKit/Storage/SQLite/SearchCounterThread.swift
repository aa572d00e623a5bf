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
    static let startAfterEvents: Int64 = 1000
    /// A passive checkpoint every this many chunks: when the writers are
    /// quiet, no one else copies the WAL back.
    static let checkpointEveryChunks = 16

    private let connection: Connection  // the thread's alone once it runs
    private let lock = Lock()  // its condition: the stop
    private var stopping = false  // guarded by lock
    private var ended = false  // guarded by lock
    private var thread = pthread_t()
    private let process = getpid()

    /// The thread's name, as `top -H` and /proc show it.
    static let threadName = "el-search-count"

    /// Opens the connection and starts the thread; nil if either cannot be
    /// done or the path no longer names the store opened.
    init?(path: String, isSameFile: () -> Bool) {
        do {
            connection = try Connection(path: path, create: false)
            connection.forbidCheckpointOnClose()  // the store's own connection decides that
            try connection.execute("SELECT 1 FROM sqlite_schema LIMIT 1")
        } catch {
            return nil
        }
        guard isSameFile() else { return nil }
        connection.setBusyTimeout(milliseconds: 5000)
        // FTS5's queries and merges take more stack than a checkpoint.
        guard let thread = BackgroundThread.start(stackBytes: 1024 * 1024, detached: false, { self.run() }) else { return nil }
        self.thread = thread
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
        se_name_this_thread(Self.threadName)
        defer { lock.withLock { ended = true } }
        var seen = dataVersion()
        var idle = 0
        var chunks = 0
        while !pause() {
            guard let backlog = backlog() else { return }
            if backlog == 0 {
                idle += 1
                if idle >= Self.idleRounds { return }
                continue
            }
            idle = 0
            var version = dataVersion()
            guard version == seen || backlog >= Self.maxBacklog else {
                seen = version  // writers are busy: look again later
                continue
            }
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
        guard let n = (try? connection.integer(sql)) ?? nil else { return nil }
        return max(n, 0)
    }

    /// Changes when another connection commits.
    private func dataVersion() -> Int64 { (try? connection.integer("PRAGMA data_version")) ?? 0 }
}
