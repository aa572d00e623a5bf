import CSQLite
#if canImport(Glibc)
import Glibc
#endif

/// An event store in one SQLite file in WAL mode.
final class SQLiteStore: EventStore {
    static let retentionKey = "retentionDays"
    static let pruneBatchRows = 250
    static let vacuumBatchPages = 256

    private(set) var connection: Connection
    let path: String
    let options: StoreOptions
    /// Fixed when the store is created; changed only by `setRetentionDays`.
    private(set) var retentionDays: Int64
    /// Why the store is open read-only (nil: it is writable). Pages and
    /// exports answer; logging fails with this reason.
    private(set) var readOnlyReason: String?
    /// Opened as a snapshot of the file (no shared-memory index could be
    /// made: a full disk, a read-only folder). The C layer reopens it
    /// normally once that works again, to see newer events.
    private(set) var isSnapshot = false
    /// The clock for event times and the retention window (tests set it).
    let clock: @Sendable () -> Int64
    /// Device and inode of the file opened.
    private var identity: FileIdentity?
    /// This process's last look at the totals watermark; writers fold the
    /// tail into the counters once it is `Totals.foldEvery` events long.
    private var countedThrough: Int64 = 0
    /// The directory's names of the services batches logged lately.
    private let batchNames = BatchNames()
    /// Counts the search counters behind this handle's writes, once it has
    /// logged `SearchCounterThread.startAfterEvents` since it last started one.
    private var searchCounter: SearchCounterThread?
    private var loggedSinceSearchCounter: Int64 = 0

    init(path: String, options: StoreOptions = StoreOptions(), clock: @escaping @Sendable () -> Int64 = Time.nowMilliseconds) throws {
        guard !path.isEmpty else { throw EventLogError.invalid("the store path is empty") }
        self.path = path
        self.options = options
        self.clock = clock
        retentionDays = Limits.defaultRetentionDays
        let writable = try Self.createIfMissing(path)
        identity = FileIdentity(path: path)
        header = HeaderFile(path: path)
        readOnlyReason = writable ? nil : "the file or its folder is not writable by this process"
        do {
            connection = try Connection(path: path, create: false, readOnly: !writable)
            try start()
        } catch let error as SQLiteError where Self.walIndexUnavailable(error) && Self.walIsEmpty(path) {
            // SQLite could not make the WAL's shared-memory index (it cannot
            // write the folder, or the disk is full). With no WAL to merge,
            // the file alone is the whole store: read it as it is.
            do {
                connection = try Connection(path: Self.snapshotURI(path), create: false, readOnly: true)
            } catch {
                throw EventLogError(error, doing: "cannot open the store '\(shownStorePath(path))'")
            }
            readOnlyReason = "a snapshot: SQLite could not create its shared-memory file (\(error.message)); the disk may be full or the folder read-only"
            isSnapshot = true
            try start()
        } catch let error as SQLiteError {
            throw EventLogError(error, doing: "cannot open the store '\(shownStorePath(path))'")
        }
    }

    deinit { searchCounter?.stop() }

    private func start() throws {
        connection.setBusyTimeout(milliseconds: Int32(options.busyTimeoutMs))
        let (path, identity) = (path, identity)
        connection.takeOverCheckpoints { FileIdentity(path: path) == identity }
        // Workers that open a new store at the same moment race to set it
        // up, and a step can fail with SQLITE_BUSY without waiting (workers
        // started together on a new file): every step is idempotent, so the
        // loser starts over until the busy timeout.
        let deadline = BusyWait.monotonicNanoseconds() + UInt64(options.busyTimeoutMs) * 1_000_000
        while true {
            do {
                try setUp(options)
                return
            } catch let error as SQLiteError where error.isBusy && BusyWait.monotonicNanoseconds() < deadline {
                usleep(10_000)
            }
        }
    }

    private static func walIndexUnavailable(_ error: SQLiteError) -> Bool {
        [SQLITE_CANTOPEN, SQLITE_READONLY, SQLITE_FULL, SQLITE_IOERR].contains(error.primaryCode)
    }

    private static func walIsEmpty(_ path: String) -> Bool {
        var st = stat()
        return stat(path + "-wal", &st) != 0 || st.st_size == 0
    }

    /// `immutable=1`: no locks, no shared memory, the file read as it is.
    private static func snapshotURI(_ path: String) -> String {
        var uri = "file:"
        for byte in path.utf8 {
            if byte >= 0x80 || byte == UInt8(ascii: "?") || byte == UInt8(ascii: "#") || byte == UInt8(ascii: "%") {
                uri += "%" + (byte < 0x10 ? "0" : "") + String(byte, radix: 16, uppercase: true)
            } else {
                uri.unicodeScalars.append(Unicode.Scalar(byte))
            }
        }
        return uri + "?immutable=1"
    }

    /// Reads before it writes: a store at the current version is opened
    /// without a write, so that a full disk or a read-only file still reads.
    /// Whether the file at `path` is still the one opened (a pooled store
    /// is checked before it is handed out again).
    var isStillAtPath: Bool { FileIdentity(path: path) == identity && headerHasOurTag }

    /// The store's tag (see Schema), and a descriptor of the file to read
    /// it back from the header on disk.
    private var tag: Int64 = 0
    private let header: HeaderFile

    /// A descriptor of the store file, closed with its owner: an object, so
    /// that an `init` that fails after opening it closes it too.
    private final class HeaderFile {
        let fd: Int32
        init(path: String) { fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK) }  // never waits, whatever replaced the file meanwhile
        deinit { if fd >= 0 { close(fd) } }
    }

    /// The tag in the header on disk is ours, or none yet (the header is
    /// written to the file at the first checkpoint).
    private var headerHasOurTag: Bool {
        guard header.fd >= 0 else { return true }
        var bytes: (UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0)
        guard withUnsafeMutableBytes(of: &bytes, { pread(header.fd, $0.baseAddress, 4, 60) }) == 4 else { return true }
        let onDisk = Int64(bytes.0) << 8 | Int64(bytes.1)  // the top 16 bits of the big-endian user_version
        return onDisk == 0 || onDisk == tag
    }

    var isPoolable: Bool { !isSnapshot && !isReplaced }
    var isDegraded: Bool { isSnapshot }

    func readyForReuse() -> Bool { isStillAtPath && (try? reloadSettings()) != nil }

    func reopened() -> (any EventStore)? {
        guard let fresh = try? SQLiteStore(path: path, options: options), !fresh.isSnapshot else { return nil }
        return fresh
    }

    func copy(fromSQLite path: String) throws -> ByteBuffer {
        throw EventLogError.invalid("a copy goes into a MariaDB store; this one is the SQLite file '\(shownStorePath(self.path))'")
    }

    /// Reads the store's settings again (a pooled store: the maintenance
    /// command may have changed the window since).
    func reloadSettings() throws {
        retentionDays = try Limits.storedRetentionDays(
            try connection.integer("SELECT value FROM setting WHERE key = '\(Self.retentionKey)'"), store: "'\(shownStorePath(path))'")
        countedThrough = try Totals.countedThrough(connection)
    }

    private func setUp(_ options: StoreOptions) throws {
        try checkFile()
        if try Schema.version(connection) < Schema.currentVersion {
            if let readOnlyReason { throw EventLogError(.io, "cannot open the store '\(shownStorePath(path))': it needs a schema upgrade and is read-only (\(readOnlyReason))") }
            try connection.execute("PRAGMA journal_mode = WAL")
            try Schema.migrate(connection) {
                try self.connection.setSetting(Self.retentionKey, options.retentionDays ?? Limits.defaultRetentionDays)
            }
        }
        try connection.execute("PRAGMA synchronous = \(options.synchronousFull ? "FULL" : "NORMAL"); PRAGMA foreign_keys = OFF")
        tag = Schema.tag(userVersion: try connection.integer("PRAGMA user_version") ?? 0)
        try reloadSettings()
    }

    /// The maintenance command's way to change the window: the one place it
    /// changes, for every process (each reads it at open).
    func setRetentionDays(_ days: Int64) throws {
        guard Limits.retentionDays.contains(days) else {
            throw EventLogError.invalid("retentionDays must be an integer from \(Limits.retentionDays.lowerBound) to \(Limits.retentionDays.upperBound)")
        }
        try writing("change the retention window") {
            try connection.writeTransaction {
                try connection.setSetting(Self.retentionKey, days)
            }
        }
        retentionDays = days
    }

    /// New files are created by us, not by SQLite, so that they are never
    /// readable by others (the log holds IP addresses); SQLite gives the WAL
    /// and shared-memory files the same mode. Returns whether this process
    /// can write the store (the file, and the folder for the WAL).
    private static func createIfMissing(_ path: String) throws -> Bool {
        var st = stat()
        if stat(path, &st) == 0 {
            if (st.st_mode & S_IFMT) == S_IFDIR { throw EventLogError(.io, "cannot open the store '\(shownStorePath(path))': it is a directory") }
            // A FIFO would block el_open in open(2) until a writer came; a device is no store either.
            if (st.st_mode & S_IFMT) != S_IFREG { throw EventLogError(.io, "cannot open the store '\(shownStorePath(path))': it is not a regular file") }
            return access(path, W_OK) == 0 && access(folder(of: path), W_OK | X_OK) == 0
        }
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o640)
        if fd < 0 {
            let code = errno
            if code == EEXIST { return access(path, W_OK) == 0 }
            let hint = code == EACCES || code == EROFS ? " (the folder must be writable by the PHP-FPM user)" : ""
            throw EventLogError(.io, "cannot create the store '\(shownStorePath(path))': \(String(cString: strerror(code)))\(hint)")
        }
        fchmod(fd, 0o640)  // regardless of the umask
        close(fd)
        return true
    }

    private static func folder(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// Refuses files that are not event stores, and stores of a newer schema,
    /// before anything is written to them.
    private func checkFile() throws {
        // One statement, one snapshot: read one by one, another process's
        // set-up could commit in between and its tables appear without its id.
        let facts = try connection.statement("""
            SELECT (SELECT user_version FROM pragma_user_version), (SELECT application_id FROM pragma_application_id),
                   (SELECT count(*) FROM sqlite_schema)
            """).firstRow { ($0.int64(0), $0.int64(1), $0.int64(2)) }
        let (userVersion, appID, tables) = facts ?? (0, 0, 0)
        let version = Schema.version(userVersion: userVersion)
        if appID != Schema.applicationID && !(appID == 0 && version == 0 && tables == 0) {
            throw EventLogError(.schema, "'\(shownStorePath(path))' is an SQLite database but not an event store")
        }
        if version > Schema.currentVersion {
            throw EventLogError(.schema, "the store '\(shownStorePath(path))' has schema version \(version), newer than this library's \(Schema.currentVersion): upgrade the library")
        }
        if tables == 0 && readOnlyReason == nil { try connection.execute("PRAGMA auto_vacuum = INCREMENTAL") }
    }

    // MARK: Writing

    /// Runs a write, refusing it on a read-only store and saying what failed.
    /// A write is acknowledged only if the file at `path` is still the one
    /// this handle opened (checked after it): once the file was deleted or
    /// replaced, what it wrote is in a file no reader of the path will see.
    private func writing<T>(_ what: String, _ body: () throws -> T) throws -> T {
        if let readOnlyReason { throw EventLogError(.io, "cannot \(what): the store '\(shownStorePath(path))' is open read-only (\(readOnlyReason))") }
        if isReplaced { throw replacedError(what) }
        let result: T
        do {
            result = try body()
        } catch let error as SQLiteError {
            throw EventLogError(error, doing: "cannot \(what)")
        }
        guard isStillAtPath else {
            isReplaced = true
            connection.forbidCheckpointOnClose()
            throw replacedError(what)
        }
        return result
    }

    /// Set once the file at `path` is no longer the one opened: from then on
    /// the store writes nothing (not even a checkpoint when it closes).
    private(set) var isReplaced = false

    private func replacedError(_ what: String) -> EventLogError {
        EventLogError(.io, "cannot \(what): the store file '\(shownStorePath(path))' was deleted or replaced since this handle opened it; nothing was stored: close the handle and open the store again")
    }

    /// Validates and commits one event; returns its id (for a delivery key
    /// already stored, the first event's id).
    func log(json: String) throws -> Int64 {
        let now = clock()
        var event = try EventValidator.event(json: json, now: now, oldest: oldestAccepted(now))
        return try writing("log the event") {
            let id: Int64
            if event.deliveryKey != nil {
                id = try connection.writeTransaction { try insertOnce(&event) }
            } else {
                // The common case is one autocommit statement.
                id = try insert(&event)
                connection.checkpointIfDue()  // writeTransaction does it for the other writes
            }
            foldIfDue(after: id)
            countSearchesIfDue(logged: 1)
            return id
        }
    }

    /// Commits every event of the batch in one transaction, or none. The
    /// events are validated on a thread of their own (`BatchReader`) while
    /// this one inserts those already validated; an invalid one rolls the
    /// batch back. An invalid batch is reported as such whatever else
    /// fails, as when it was validated before anything was written.
    func logBatch(json: String) throws -> Int64 {
        let now = clock()
        let counts = Totals.BatchCounts()
        let batch = BatchReader(json: json, now: now, oldest: oldestAccepted(now), each: counts.add)
        if readOnlyReason != nil || isReplaced { try batch.validateRest() }
        do {
            return try writing("log the batch") {
                // No lock taken for a batch that fails in its first chunk.
                guard var chunk = try batch.next() else { return 0 }
                let (logged, last, counted) = try connection.writeTransaction {
                    var ids = Totals.IDRun()
                    var logged: Int64 = 0, last: Int64 = 0
                    try batchNames.begin(connection)
                    while true {
                        try batchNames.lookUp(chunk, connection)
                        for i in chunk.indices {
                            last = try insertOnce(&chunk[i], names: batchNames[chunk[i].serviceId])
                            ids.add(chunk[i].id)
                        }
                        logged += Int64(chunk.count)
                        guard let next = try batch.next() else { break }
                        chunk = next
                    }
                    return (logged, last, try Totals.foldInserted(counts, ids: ids, db: connection))
                }
                if counted { countedThrough = last }
                foldIfDue(after: last)
                countSearchesIfDue(logged: logged)
                return logged
            }
        } catch {
            if (error as? EventLogError)?.kind != .invalid { try batch.validateRest() }
            throw error
        }
    }

    /// The oldest event time accepted: the start of the retention window.
    private func oldestAccepted(_ now: Int64) -> Int64 { now - retentionDays * Time.millisecondsPerDay }

    /// Once the uncounted tail is long enough, this writer counts it (after
    /// its own commit: the event is stored whatever happens here, and a
    /// fold that fails is done by the next writer).
    private func foldIfDue(after id: Int64) {
        guard id - countedThrough >= Totals.foldEvery else { return }
        countedThrough = (try? connection.writeTransaction {
            // Another process may have folded since this one last looked.
            let current = try Totals.countedThrough(connection)
            return id - current >= Totals.foldEvery ? try Totals.fold(db: connection) : current
        }) ?? countedThrough
    }

    /// Starts the search counters' thread after enough events of this
    /// handle's, unless one runs (it ends by itself once it has caught up).
    private func countSearchesIfDue(logged: Int64) {
        loggedSinceSearchCounter += logged
        guard options.countsSearchesBehind, loggedSinceSearchCounter >= SearchCounterThread.startAfterEvents else { return }
        loggedSinceSearchCounter = 0
        if let running = searchCounter, !running.hasEnded { return }
        searchCounter?.stop()
        let (path, identity) = (path, identity)
        searchCounter = SearchCounterThread(path: path) { FileIdentity(path: path) == identity }
    }

    /// Inside a write transaction: stores the event unless its delivery key
    /// is known, and returns its id or the first one's.
    private func insertOnce(_ e: inout Event, names: Directory.ServiceNames? = nil) throws -> Int64 {
        guard let key = e.deliveryKey else { return try insert(&e, names: names) }
        if let first = try connection.integer("SELECT event_id FROM delivery WHERE key = ?", [.text(key)]) { return first }
        let id = try insert(&e, names: names)
        try connection.statement("INSERT INTO delivery (key, event_id) VALUES (?, ?)").run([.text(key), .integer(id)])
        return id
    }

    /// Held, not looked up: the statement cache hashes the whole SQL text,
    /// which costs more than anything else el_log does outside SQLite.
    private var insertEventStatement: Statement?
    private var insertNamedEventStatement: Statement?

    /// One event, its names read from the directory by the statement itself
    /// (`names` nil), or given (a batch reads them once for all its events).
    private func insertStatement(named: Bool) throws -> Statement {
        if let statement = named ? insertNamedEventStatement : insertEventStatement {
            statement.reset(keepBindings: true)  // insert(_:names:) binds every parameter
            return statement
        }
        let columns = """
            INSERT INTO event (ts, type, service_id, actor_type, actor_id, actor_name, dj_name, source_ip, takeover,
                               details, message, service_name, owner_id, owner_name)
            """
        if named {
            let statement = try connection.statement(columns + "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)")
            insertNamedEventStatement = statement
            return statement
        }
        let statement = try connection.statement(columns + """
            SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, s.name, s.owner_id, a.name
            FROM (SELECT 1) LEFT JOIN service s ON s.id = ?3 LEFT JOIN account a ON a.id = s.owner_id
            """)
        insertEventStatement = statement
        return statement
    }

    /// Inserts one validated event, with its directory snapshot.
    private func insert(_ e: inout Event, names: Directory.ServiceNames? = nil) throws -> Int64 {
        // Bound one by one: an array of eleven values costs an allocation per event.
        let s = try insertStatement(named: names != nil)
        if let names {
            try s.bind(12, names.service)
            try s.bind(13, names.owner)
            try s.bind(14, names.ownerName)
        }
        try s.bind(1, .integer(e.timestamp))
        try s.bind(2, .integer(e.type.code))
        try s.bind(3, .integer(e.serviceId))
        try s.bind(4, .integer(e.actor.type.code))
        try s.bind(5, SQLValue(e.actor.id))
        try s.bind(6, SQLValue(e.actor.name))
        try s.bind(7, SQLValue(e.djName))
        try s.bind(8, SQLValue(e.sourceIp))
        try s.bind(9, SQLValue(e.takeover.map { $0 ? 1 : 0 }))
        try s.bind(10, SQLValue(e.detailsJSON))
        try s.bind(11, .text(e.message))
        try s.run()
        e.id = connection.lastInsertRowID
        return e.id
    }

    func putDirectory(json: String) throws {
        let update = try Directory.update(try JSONParser.parse(json, what: "directory"))
        try writing("update the directory") { try connection.put(update) }
    }

    // MARK: Reading

    func query(principalJSON: String, filterJSON: String?) throws -> ByteBuffer {
        let read = try ReadRequest(principalJSON: principalJSON, filterJSON: filterJSON, directory: connection)
        return try PageQuery(filter: read.filter, scope: read.scope).json(connection)
    }

    func info() throws -> ByteBuffer {
        StoreInfo.json(engine: "sqlite", schemaVersion: Schema.currentVersion, retentionDays: retentionDays,
                       readOnly: readOnlyReason, cursor: try cursor())
    }

    /// Where the store ends now, for a live view's cheap "anything new?"
    /// (the same token a page returns as `cursor`).
    func cursor() throws -> String {
        do {
            return try Cursor.current(connection).token
        } catch let error as SQLiteError {
            throw EventLogError(error, doing: "cannot read the cursor")
        }
    }

    func export(principalJSON: String, filterJSON: String?, format: ExportFormat) throws -> any EventExport {
        let read = try ReadRequest(principalJSON: principalJSON, filterJSON: filterJSON, directory: connection)
        return try Export(connection: connection, scope: read.scope, filter: read.filter, format: format)
    }

    // MARK: Retention

    /// Deletes events older than the retention window before `now`, a small
    /// batch per write transaction so that writers wait milliseconds, not the
    /// whole prune; each batch leaves the counters exact, so a prune killed
    /// at any point does too. Then hands free pages back to the file system.
    func prune(now: Int64) throws -> Int64 {
        let cutoff = (now == 0 ? clock() : now) - retentionDays * Time.millisecondsPerDay
        return try writing("prune the store") {
            var deleted: Int64 = 0
            if try connection.integer("SELECT count(*) FROM (SELECT 1 FROM event WHERE ts < ? LIMIT 1)", [.integer(cutoff)]) == 1 {
                try readIndexesAhead(before: cutoff)
                readPointerMapAhead()
            }
            let batch = try connection.statement("SELECT json_group_array(id) FROM (SELECT id FROM event WHERE ts < ? ORDER BY ts, id LIMIT \(Self.pruneBatchRows))")
            while true {
                let searchCounts = try readAhead(batch: batch, cutoff: cutoff)
                let n = try connection.writeTransaction {
                    guard let ids = try batch.firstRow([.integer(cutoff)], { $0.text(0) }) ?? nil, ids != "[]" else { return Int64(0) }
                    try PruneMark.set(connection)
                    try Totals.uncount(ids: ids, db: connection)
                    try SearchCounters.uncount(ids: ids, prepared: searchCounts, db: connection)
                    try connection.statement("DELETE FROM delivery WHERE event_id IN (SELECT value FROM json_each(?))").run([.text(ids)])
                    try connection.statement("DELETE FROM event WHERE id IN (SELECT value FROM json_each(?))").run([.text(ids)])
                    return connection.changes
                }
                deleted += n
                if n < Self.pruneBatchRows { break }
                // The prune writes most of the WAL while it runs: it copies its
                // own pages back, so that a logger whose turn it is to
                // checkpoint does not find thousands of them.
                connection.checkpoint()
                connection.letWaitingWritersIn()
            }
            if deleted > 0 {
                try Totals.dropEmpty(before: cutoff, db: connection) { connection.letWaitingWritersIn() }
                try SearchCounters.dropPruned(before: cutoff, db: connection) { connection.letWaitingWritersIn() }
            }
            try reclaimFreePages()
            if deleted > 0 { try connection.writeTransaction { try PruneMark.end(connection) } }
            // What no handle's thread counted (workers that log a few events each never start
            // one), up to the newest event now: not the events logged meanwhile, which
            // writers that never pause would make endless.
            let newest = try connection.integer("SELECT max(id) FROM event") ?? 0
            while try SearchCounters.countedThrough(connection) < newest, try SearchCounters.countChunk(connection) {
                connection.letWaitingWritersIn()
            }
            while try SearchCounters.mergeStep(connection) { connection.letWaitingWritersIn() }
            return deleted
        }
    }

    /// Reads, without the write lock, the pages of the next batch that the
    /// passes before the first did not: its rows (to their last column,
    /// overflow pages too) and the rows after them (a table page the batch
    /// empties is merged with the next), its delivery keys, counters and
    /// search counters.
    /// A month-old day has left the page cache on a panel; read under the
    /// lock, each disk read kept the loggers waiting (the lock probe saw a
    /// 65 ms hold spent in pread). The batch's transaction reads the ids again.
    /// Returns the batch's search counts, tallied for the transaction.
    private func readAhead(batch: Statement, cutoff: Int64) throws -> SearchCounters.Uncount? {
        try connection.beginRead()
        defer { connection.endRead() }
        guard let ids = try batch.firstRow([.integer(cutoff)], { $0.text(0) }) ?? nil, ids != "[]" else { return nil }
        for sql in [
            "SELECT sum(length(message)) FROM event WHERE id IN (SELECT value FROM json_each(?1))",
            "SELECT sum(length(message)) FROM (SELECT message FROM event WHERE id > (SELECT max(value) FROM json_each(?1)) ORDER BY id LIMIT 64)",
            "SELECT count(*) FROM delivery WHERE event_id IN (SELECT value FROM json_each(?1))",
        ] {
            _ = try connection.integer(sql, [.text(ids)])
        }
        try Totals.readAhead(ids: ids, db: connection)
        return try SearchCounters.tally(ids: ids, db: connection)
    }

    /// Reads, once before the first batch, the index entries of every event
    /// the prune will delete, in each time index, and the entries on either
    /// side of them: deleting empties index pages, and SQLite then merges
    /// each with its neighbours, which a batch's own rows do not reach (the
    /// next page of the same service's events is read by a later batch, the
    /// previous one holds another service's). Some 1.7 million entries for
    /// a day of 10M events, a fifth of a second when they are in memory.
    /// Returns the number of entries read.
    @discardableResult
    func readIndexesAhead(before cutoff: Int64) throws -> Int64 {
        let neighbours = 320  // two index pages' worth of entries
        var read = try connection.integer("""
            SELECT (SELECT count(*) FROM event INDEXED BY event_ts WHERE ts < ?1)
                 + (SELECT count(*) FROM (SELECT 1 FROM event INDEXED BY event_ts WHERE ts >= ?1 ORDER BY ts LIMIT \(neighbours)))
            """, [.integer(cutoff)]) ?? 0
        for (index, key) in [("event_service_ts", "service_id"), ("event_type_ts", "type")] {
            // Each key of the index, skipping from one to the next; the
            // neighbours only of keys with events to delete (a panel with
            // tens of thousands of services has many without).
            read += try connection.integer("""
                WITH RECURSIVE k(v) AS (
                    SELECT (SELECT min(\(key)) FROM event INDEXED BY \(index))
                    UNION ALL
                    SELECT (SELECT min(\(key)) FROM event INDEXED BY \(index) WHERE \(key) > k.v) FROM k WHERE k.v IS NOT NULL),
                deleted(v, n) AS MATERIALIZED (
                    SELECT v, (SELECT count(*) FROM event INDEXED BY \(index) WHERE \(key) = k.v AND ts < ?1) FROM k WHERE v IS NOT NULL)
                SELECT sum(n + (SELECT count(*) FROM (SELECT 1 FROM event INDEXED BY \(index) WHERE \(key) = deleted.v AND ts >= ?1
                                                      ORDER BY ts LIMIT \(neighbours)))
                             + (SELECT count(*) FROM (SELECT 1 FROM event INDEXED BY \(index) WHERE \(key) < deleted.v
                                                      ORDER BY \(key) DESC, ts DESC LIMIT \(neighbours))))
                FROM deleted WHERE n > 0
                """, [.integer(cutoff)]) ?? 0
        }
        return read
    }

    /// Reads the store's pointer-map pages (in an auto-vacuum file, one every
    /// page size / 5 + 1 pages from page 2, holding each page's parent): a
    /// delete writes the entry of every page it frees, the vacuum that of
    /// every page it moves and of its children. Some 630 pages at 10M events.
    private func readPointerMapAhead() {
        guard (try? connection.integer("PRAGMA auto_vacuum")) != 0, let pages = connection.pages else { return }
        let step = Int(pages.size / 5 + 1)
        connection.readAhead(pages: stride(from: Int64(2), through: pages.count, by: step).map { $0...$0 })
    }

    private func reclaimFreePages() throws {
        // Stores created before auto_vacuum was set cannot shrink this way.
        guard try connection.integer("PRAGMA auto_vacuum") == 2 else { return }
        var free = try connection.integer("PRAGMA freelist_count") ?? 0
        // In memory after a prune's batches; from disk after one that was
        // interrupted before its vacuum and deletes nothing now.
        if free > 0 { readPointerMapAhead() }
        while free > 0 {
            // It moves the file's last pages into free ones.
            if let pages = connection.pages {
                connection.readAhead(pages: [max(pages.count - Int64(Self.vacuumBatchPages) + 1, 1)...pages.count])
            }
            try connection.writeTransaction { try connection.execute("PRAGMA incremental_vacuum(\(Self.vacuumBatchPages))") }
            connection.letWaitingWritersIn()
            let left = try connection.integer("PRAGMA freelist_count") ?? 0
            if left >= free { break }
            free = left
        }
    }
}
