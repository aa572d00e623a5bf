import CSQLite
import CWALGather
#if canImport(Glibc)
import Glibc
#endif

/// The busy handler's state: when the current wait began, and how long it may last.
struct BusyWait {
    var timeoutNanoseconds: UInt64 = 0
    var start: UInt64 = 0

    static func monotonicNanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
    }
}

/// What the WAL hook saw at the last commit, and where this connection last
/// checkpointed.
struct WALState {
    var pages: Int32 = 0
    var checkpointedAt: Int32 = 0
}

/// One SQLite connection. Not thread-safe: the owner serializes calls.
/// Prepared statements are cached by SQL text and reused.
final class Connection {
    private let handle: OpaquePointer
    private var statements: [String: Statement] = [:]
    private let busyWait: UnsafeMutablePointer<BusyWait>
    private let wal: UnsafeMutablePointer<WALState>
    private let path: String
    /// SQLite's default auto-checkpoint size, in pages.
    static let checkpointPages: Int32 = 1000
    private static let statementCacheLimit = 128

    /// Opens (and, with `create`, creates) the file. On failure no handle is
    /// left open.
    init(path: String, create: Bool, readOnly: Bool = false) throws(SQLiteError) {
        var db: OpaquePointer?
        var flags = (readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE) | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE | SQLITE_OPEN_URI
        if create && !readOnly { flags |= SQLITE_OPEN_CREATE }
        let rc = sqlite3_open_v2(path, &db, flags, Self.walGatherVFS)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            sqlite3_close_v2(db)
            throw SQLiteError(code: rc, message: message, sql: nil)
        }
        handle = db
        self.path = path
        busyWait = .allocate(capacity: 1)
        busyWait.initialize(to: BusyWait())
        wal = .allocate(capacity: 1)
        wal.initialize(to: WALState())
        sqlite3_extended_result_codes(db, 1)
        TextFold.register(on: db)
    }

    deinit {
        checkpointer?.stop()  // before this connection closes (and maybe checkpoints)
        statements.removeAll()  // finalize before closing
        sqlite3_close_v2(handle)
        busyWait.deallocate()
        wal.deallocate()
    }

    /// Checkpoints are run by `checkpointIfDue()` after each write instead of
    /// SQLite's auto-checkpoint. Both start at 1,000 WAL pages, but once the
    /// WAL is past that and could not restart (another process was reading
    /// it), SQLite checkpoints again after every commit, each time with two
    /// fsyncs: with four processes logging, a checkpoint every few events.
    /// Here a connection checkpoints again only after the WAL has grown by
    /// another 1,000 pages. With one writer the two behave the same.
    ///
    /// The checkpoints run on a thread of their own (`Checkpointer`), which
    /// opens its connection at the first one if `isSameFile` (the path
    /// still names the file this connection opened).
    func takeOverCheckpoints(isSameFile: @escaping () -> Bool) {
        self.isSameFile = isSameFile
        sqlite3_wal_autocheckpoint(handle, 0)
        sqlite3_wal_hook(handle, { context, _, _, pages in
            context?.assumingMemoryBound(to: WALState.self).pointee.pages = pages
            return SQLITE_OK
        }, wal)
    }

    /// A passive checkpoint, when the WAL has grown enough since this
    /// connection's last one. Never fails the write that preceded it: a
    /// checkpoint that cannot run now runs after a later write.
    func checkpointIfDue() {
        var w = wal.pointee
        if w.pages < w.checkpointedAt { w.checkpointedAt = 0 }  // the WAL restarted from its beginning
        guard w.pages >= Self.checkpointPages, w.pages - w.checkpointedAt >= Self.checkpointPages else {
            wal.pointee = w
            return
        }
        w.checkpointedAt = w.pages
        wal.pointee = w
        if let checkpointer = background(), checkpointer.request() { return }
        checkpoint()
    }

    private var isSameFile: () -> Bool = { false }
    private var checkpointer: Checkpointer?
    private var checkpointerFailed = false

    /// The background checkpointer, started at the first checkpoint.
    private func background() -> Checkpointer? {
        if checkpointer == nil && !checkpointerFailed {
            checkpointer = Checkpointer(path: path, isSameFile: isSameFile)
            checkpointerFailed = checkpointer == nil
        }
        return checkpointer
    }

    /// The file this connection opened is no longer at its path: closing
    /// must not copy the WAL into whatever is there now.
    func forbidCheckpointOnClose() {
        checkpointer?.stop()
        checkpointer = nil
        checkpointerFailed = true
        sqlite3_wal_autocheckpoint(handle, 0)
        _ = se_sqlite3_no_checkpoint_on_close(handle)
    }

    /// The database file's page size and page count, nil if unknown.
    var pages: (size: Int64, count: Int64)? {
        guard let size = try? integer("PRAGMA page_size"), let count = try? integer("PRAGMA page_count"),
              size > 0, count > 0 else { return nil }
        return (size, count)
    }

    /// Reads pages of the database file (numbered from 1) and drops them,
    /// so that a job about to change them under the write lock finds them in
    /// the page cache instead of reading each from the disk while writers
    /// wait. It reads through SQLite's own file handle: closing a second
    /// descriptor of the file would release SQLite's POSIX locks on it.
    /// Pages past the file's end (still only in the WAL) are skipped. Best
    /// effort: a failure only leaves the pages where they were. Returns the
    /// bytes read; it stops at the first read that fails.
    @discardableResult
    func readAhead(pages ranges: [ClosedRange<Int64>]) -> Int64 {
        var pointer: UnsafeMutableRawPointer?
        var fileSize: sqlite3_int64 = 0
        guard let pageSize = pages?.size, sqlite3_file_control(handle, "main", SQLITE_FCNTL_FILE_POINTER, &pointer) == SQLITE_OK,
              let file = pointer?.assumingMemoryBound(to: sqlite3_file.self), let methods = file.pointee.pMethods,
              let read = methods.pointee.xRead, methods.pointee.xFileSize?(file, &fileSize) == SQLITE_OK else { return 0 }
        let chunk: Int64 = 64 * 1024
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: Int(chunk), alignment: 4096)
        defer { buffer.deallocate() }
        var total: Int64 = 0
        for range in ranges where range.lowerBound >= 1 {
            var offset = (range.lowerBound - 1) * pageSize
            let end = min(range.upperBound * pageSize, fileSize)
            while offset < end {
                let n = min(chunk, end - offset)
                guard read(file, buffer, Int32(n), offset) == SQLITE_OK else { return total }
                offset += n
                total += n
            }
        }
        return total
    }

    /// A passive checkpoint: copies what it can without waiting for anyone.
    /// With `restart`, it takes the write lock (waiting as the busy timeout
    /// allows), copies everything and waits for readers of the WAL to move
    /// on, so that the next writer starts it again. Returns the WAL's frames
    /// and how many of them are in the database file, nil if it could not run.
    @discardableResult
    func checkpoint(restart: Bool = false) -> (frames: Int32, copied: Int32)? {
        var frames: Int32 = 0, copied: Int32 = 0
        let rc = sqlite3_wal_checkpoint_v2(handle, nil, restart ? SQLITE_CHECKPOINT_RESTART : SQLITE_CHECKPOINT_PASSIVE, &frames, &copied)
        return rc == SQLITE_OK ? (frames, copied) : nil
    }

    /// The VFS connections open with: SQLite's default one, writing each WAL
    /// commit in one system call (Sources/CWALGather); the default itself if
    /// it could not be registered. Registered once per process.
    private static var walGatherVFS: UnsafePointer<CChar>? { walGatherRegistered ? walGatherName.cString : nil }
    private static let walGatherName: StaticString = "stream-events-wal-gather"
    private static let walGatherRegistered: Bool = {
        // Registering a VFS initializes SQLite: settings that must come before go first.
        _ = se_sqlite3_no_memory_statistics()
        return wal_gather_register(walGatherName.cString) == SQLITE_OK
    }()

    /// SQLite silently opens a file it cannot write read-only.
    var isReadOnly: Bool { sqlite3_db_readonly(handle, "main") == 1 }

    /// Waits up to `milliseconds` for a lock. A commit holds it for tens of
    /// microseconds, but SQLite's own busy handler sleeps 1 to 100 ms at a
    /// time, which is what a writer waiting behind another one would see.
    /// For the first 3 ms the waiter yields the CPU instead of sleeping:
    /// with more writers than cores the holder is often a process the
    /// scheduler has set aside, and a yield runs it at once. A waiter that
    /// sleeps loses every hand-over to those still yielding, so it yields
    /// for the whole 3 ms a write may wait (the p99 target); yielding for 1
    /// ms left 4 writers on 2 cores a p99 over 3 ms (BENCHMARKS.md has the
    /// figures). A longer wait (a prune batch, a stuck writer) polls
    /// every 100 us up to 20 ms, then every ms, and costs no CPU.
    func setBusyTimeout(milliseconds: Int32) {
        busyWait.pointee.timeoutNanoseconds = UInt64(max(milliseconds, 0)) * 1_000_000
        sqlite3_busy_handler(handle, { context, attempt in
            guard let wait = context?.assumingMemoryBound(to: BusyWait.self) else { return 0 }
            let now = BusyWait.monotonicNanoseconds()
            if attempt == 0 { wait.pointee.start = now }
            let waited = now &- wait.pointee.start
            guard waited < wait.pointee.timeoutNanoseconds else { return 0 }
            switch waited {
            case ..<3_000_000: sched_yield()
            case ..<20_000_000: usleep(100)
            default: usleep(1000)
            }
            return 1
        }, busyWait)
    }

    /// Runs one or more statements without results (pragmas, DDL, BEGIN/COMMIT).
    func execute(_ sql: String) throws(SQLiteError) {
        let rc = sqlite3_exec(handle, sql, nil, nil, nil)
        guard rc == SQLITE_OK else { throw error(rc, sql: sql) }
    }

    /// A cached prepared statement, reset and with its bindings cleared.
    func statement(_ sql: String) throws(SQLiteError) -> Statement {
        if let cached = statements[sql] {
            cached.reset()
            return cached
        }
        var stmt: OpaquePointer?
        let rc = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &stmt, nil)
        guard rc == SQLITE_OK, let stmt else { throw error(rc, sql: sql) }
        let statement = Statement(stmt, connection: self, sql: sql)
        if statements.count >= Self.statementCacheLimit { statements.removeAll() }
        statements[sql] = statement
        return statement
    }

    /// Writes one of the store's settings (the `setting` table); call inside
    /// a write transaction.
    func setSetting(_ key: String, _ value: Int64) throws(SQLiteError) {
        try statement("INSERT OR REPLACE INTO setting (key, value) VALUES (?, ?)").run([.text(key), .integer(value)])
    }

    /// The first column of the first row as an integer (pragmas, counts).
    func integer(_ sql: String, _ bindings: [SQLValue] = []) throws(SQLiteError) -> Int64? {
        try statement(sql).firstRow(bindings) { $0.optionalInt64(0) } ?? nil
    }

    /// Runs `body` inside BEGIN IMMEDIATE ... COMMIT; rolls back if it throws.
    /// IMMEDIATE takes the write lock up front, so the busy timeout applies
    /// (a deferred transaction that upgrades fails with BUSY at once).
    func writeTransaction<T>(_ body: () throws -> T) throws -> T {
        try statement("BEGIN IMMEDIATE").run()  // prepared once: el_log runs this every time
        do {
            let result = try body()
            try statement("COMMIT").run()
            checkpointIfDue()
            return result
        } catch {
            if sqlite3_get_autocommit(handle) == 0 { try? statement("ROLLBACK").run() }
            throw error
        }
    }

    /// Between the write transactions of a long job (prune, vacuum): a
    /// writer waiting for the lock gets it here, instead of polling into the
    /// next transaction; without it, back-to-back prune batches kept loggers
    /// waiting across several of them (BENCHMARKS.md).
    func letWaitingWritersIn() { usleep(1000) }

    /// A read transaction, so that several statements see one snapshot.
    func beginRead() throws { try statement("BEGIN").run() }
    func endRead() { if sqlite3_get_autocommit(handle) == 0 { try? statement("COMMIT").run() } }

    var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }
    var changes: Int64 { Int64(sqlite3_changes(handle)) }

    func error(_ rc: Int32, sql: String?) -> SQLiteError {
        SQLiteError(code: rc, message: String(cString: sqlite3_errmsg(handle)), sql: sql)
    }
}
