#if canImport(Glibc)
import Glibc
#endif

/// Settings given when a store is opened.
struct StoreOptions: Sendable {
    var retentionDays: Int64?        // nil: keep the store's own (default 30)
    var busyTimeoutMs: Int64 = 5000
    var synchronousFull = false

    init() {}

    static func parse(_ json: JSONValue?) throws -> StoreOptions {
        var options = StoreOptions()
        guard let json, !json.isNull else { return options }
        guard let o = json.objectValue else { throw EventLogError.invalid("options must be a JSON object") }
        if let unknown = unknownKey(in: o, known: ["retentionDays", "busyTimeoutMs", "synchronous"]) {
            throw EventLogError.invalid("unknown option '\(unknown)'")
        }
        if let r = o["retentionDays"], !r.isNull {
            guard let days = r.integerValue, (1...3650).contains(days) else { throw EventLogError.invalid("retentionDays must be an integer from 1 to 3650") }
            options.retentionDays = days
        }
        if let b = o["busyTimeoutMs"], !b.isNull {
            guard let ms = b.integerValue, (0...600_000).contains(ms) else { throw EventLogError.invalid("busyTimeoutMs must be an integer from 0 to 600000") }
            options.busyTimeoutMs = ms
        }
        if let s = o["synchronous"], !s.isNull {
            guard let mode = s.stringValue, mode == "normal" || mode == "full" else { throw EventLogError.invalid("synchronous must be \"normal\" or \"full\"") }
            options.synchronousFull = mode == "full"
        }
        return options
    }
}

/// An open event store: one SQLite file in WAL mode. Not thread-safe; the C
/// boundary serializes calls per handle.
final class EventStore {
    static let defaultRetentionDays: Int64 = 30
    static let pruneBatchRows = 250
    static let vacuumBatchPages = 256

    let connection: Connection
    private(set) var retentionDays: Int64

    init(path: String, options: StoreOptions = StoreOptions()) throws {
        guard !path.isEmpty else { throw EventLogError.invalid("the store path is empty") }
        try Self.createIfMissing(path)
        do {
            connection = try Connection(path: path, create: false)
        } catch {
            throw EventLogError(error, doing: "cannot open the store '\(path)'")
        }
        // A log that cannot be written must fail at open, not at the first event.
        guard !connection.isReadOnly else { throw EventLogError(.io, "cannot open the store '\(path)': the file is read-only") }
        connection.setBusyTimeout(milliseconds: Int32(options.busyTimeoutMs))
        connection.takeOverCheckpoints()
        retentionDays = Self.defaultRetentionDays
        // Workers that open a new store at the same moment race to set it
        // up, and a step can fail with SQLITE_BUSY without waiting (3 of 180
        // openers, three at a time on a new file): every step is idempotent,
        // so the loser starts over until the busy timeout.
        let deadline = BusyWait.monotonicNanoseconds() + UInt64(options.busyTimeoutMs) * 1_000_000
        while true {
            do {
                try setUp(path, options)
                return
            } catch let error as SQLiteError {
                if error.isBusy && BusyWait.monotonicNanoseconds() < deadline {
                    usleep(10_000)
                    continue
                }
                throw EventLogError(error, doing: "cannot open the store '\(path)'")
            }
        }
    }

    private func setUp(_ path: String, _ options: StoreOptions) throws {
        try checkFile(path)
        try connection.execute("PRAGMA journal_mode = WAL; PRAGMA synchronous = \(options.synchronousFull ? "FULL" : "NORMAL"); PRAGMA foreign_keys = OFF")
        try Schema.migrate(connection)
        if let days = options.retentionDays {
            try connection.writeTransaction {
                try connection.statement("INSERT OR REPLACE INTO setting (key, value) VALUES ('retentionDays', ?)").run([.integer(days)])
            }
        }
        retentionDays = try connection.integer("SELECT value FROM setting WHERE key = 'retentionDays'") ?? Self.defaultRetentionDays
    }

    /// New files are created by us, not by SQLite, so that they are never
    /// readable by others (the log holds IP addresses); SQLite gives the WAL
    /// and shared-memory files the same mode.
    private static func createIfMissing(_ path: String) throws {
        var st = stat()
        if stat(path, &st) == 0 {
            if (st.st_mode & S_IFMT) == S_IFDIR { throw EventLogError(.io, "cannot open the store '\(path)': it is a directory") }
            return
        }
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o640)
        if fd < 0 {
            let code = errno
            if code == EEXIST { return }
            throw EventLogError(.io, "cannot create the store '\(path)': \(String(cString: strerror(code)))")
        }
        fchmod(fd, 0o640)  // regardless of the umask
        close(fd)
    }

    /// Refuses files that are not event stores, and stores of a newer schema,
    /// before anything is written to them.
    private func checkFile(_ path: String) throws {
        // One statement, one snapshot: read one by one, another process's
        // set-up could commit in between and its tables appear without its id.
        let facts = try connection.statement("""
            SELECT (SELECT user_version FROM pragma_user_version), (SELECT application_id FROM pragma_application_id),
                   (SELECT count(*) FROM sqlite_schema)
            """).firstRow { ($0.int64(0), $0.int64(1), $0.int64(2)) }
        let (version, appID, tables) = facts ?? (0, 0, 0)
        if appID != Schema.applicationID && !(appID == 0 && version == 0 && tables == 0) {
            throw EventLogError(.schema, "'\(path)' is an SQLite database but not an event store")
        }
        if version > Schema.currentVersion {
            throw EventLogError(.schema, "the store '\(path)' has schema version \(version), newer than this library's \(Schema.currentVersion): upgrade the library")
        }
        if tables == 0 { try connection.execute("PRAGMA auto_vacuum = INCREMENTAL") }
    }

    // MARK: Writing

    /// Validates and commits one event; returns its id.
    func log(json: String) throws -> Int64 {
        guard json.utf8.count <= EventValidator.maxEventBytes * 2 else { throw EventLogError.invalid("event JSON is larger than \(EventValidator.maxEventBytes * 2 / 1024) KiB") }
        let now = Time.nowMilliseconds()
        var event = try EventValidator.event(json: json, now: now)
        // The common case, an event of the current hour, is one autocommit
        // statement: its hour cannot be counted yet (Totals.settleMargin).
        if event.timestamp >= Totals.floor(now, Totals.Kind.hour.length) {
            let id = try insert(&event)
            connection.checkpointIfDue()  // writeTransaction does it for the other writes
            return id
        }
        return try connection.writeTransaction {
            try Totals.countLate(event, db: connection)
            return try insert(&event)
        }
    }

    /// Validates every event, then commits all of them in one transaction.
    func logBatch(json: String) throws -> Int64 {
        var events = try EventValidator.events(jsonArray: json, now: Time.nowMilliseconds())
        return try connection.writeTransaction {
            let hourStart = Totals.floor(Time.nowMilliseconds(), Totals.Kind.hour.length)
            for i in events.indices {
                if events[i].timestamp < hourStart { try Totals.countLate(events[i], db: connection) }
                _ = try insert(&events[i])
            }
            return Int64(events.count)
        }
    }

    /// Held, not looked up: the statement cache hashes the whole SQL text,
    /// which costs more than anything else el_log does outside SQLite.
    private var insertEventStatement: Statement?

    private func insertStatement() throws -> Statement {
        if let statement = insertEventStatement {
            statement.reset(keepBindings: true)  // insert(_:) binds every parameter
            return statement
        }
        let statement = try connection.statement("""
            INSERT INTO event (ts, type, service_id, actor_type, actor_id, actor_name, dj_name, source_ip, takeover,
                               details, message, service_name, owner_id, owner_name)
            SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, s.name, s.owner_id, a.name
            FROM (SELECT 1) LEFT JOIN service s ON s.id = ?3 LEFT JOIN account a ON a.id = s.owner_id
            """)
        insertEventStatement = statement
        return statement
    }

    /// Inserts one validated event, with its message and directory snapshot.
    private func insert(_ e: inout Event) throws -> Int64 {
        e.message = Message.sentence(for: e)
        // The service and owner names are copied from the directory as it is
        // now (a snapshot for exports after the directory forgets them).
        // Bound one by one: an array of eleven values costs an allocation per event.
        let s = try insertStatement()
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
        try Directory.put(try JSONParser.parse(json, what: "directory"), into: connection)
    }

    // MARK: Reading

    /// One page as JSON: `{"logs": [...], "total", "page", "perPage", "totalPages"}`.
    /// Count and page are read in one transaction, so the total matches the rows.
    func query(principalJSON: String, filterJSON: String?) throws -> [UInt8] {
        let principal = try Principal.parse(try JSONParser.parse(principalJSON, what: "principal"))
        let filter = try Filter.parse(try filterJSON.map { try JSONParser.parse($0, what: "filter") })
        let scope = try Scope(principal, in: connection)
        if let id = filter.serviceId { try scope.authorize(serviceId: id, in: connection) }
        let plan = try Totals.plan(filter, scope: scope, db: connection, now: Time.nowMilliseconds())
        try connection.beginRead()
        defer { connection.endRead() }
        let total = try Totals.count(filter, scope: scope, plan: plan, db: connection)
        let (whereSQL, bindings) = filter.whereClause(scope)
        var w = JSONWriter(capacity: 512 * Int(filter.perPage))
        w.raw("{\"logs\":[")
        let offset = (filter.page - 1) * filter.perPage
        if offset < total {
            // The page's ids come from an index alone, so a deep page skips
            // index entries, not table rows.
            let stmt = try connection.statement("""
                SELECT \(LogRow.columns) FROM event e \(LogRow.joins)
                WHERE e.id IN (SELECT e.id FROM event e \(Self.pageIndex(filter, total: total)) WHERE \(whereSQL)
                               ORDER BY \(LogRow.newestFirst) LIMIT \(filter.perPage) OFFSET \(offset))
                ORDER BY \(LogRow.newestFirst)
                """)
            try stmt.bind(bindings)
            var first = true
            while try stmt.step() {
                if !first { w.raw(",") }
                first = false
                LogRow(stmt).writeJSON(to: &w)
            }
            stmt.reset()
        }
        w.raw("]")
        w.key("total"); w.integer(total)
        w.key("page"); w.integer(filter.page)
        w.key("perPage"); w.integer(filter.perPage)
        w.key("totalPages"); w.integer((total + filter.perPage - 1) / filter.perPage)
        w.raw("}")
        return w.bytes
    }

    /// Matches at most this many rows and a page may come from a sorted
    /// index range (by type or service); more, and it streams in order from
    /// the time index.
    static let sortedPageLimit: Int64 = 2000

    /// Which index a page reads. Without statistics SQLite prefers the type
    /// index for a category and then sorts every match; with the exact total
    /// in hand we know when walking the time index in order is cheaper.
    /// One service's page is already in order in `event_service_ts`.
    static func pageIndex(_ filter: Filter, total: Int64) -> String {
        filter.serviceId == nil && total > sortedPageLimit ? "INDEXED BY event_ts" : ""
    }

    func export(principalJSON: String, filterJSON: String?, format: String) throws -> Export {
        guard let f = Export.Format(rawValue: format) else { throw EventLogError.invalid("format must be \"csv\" or \"jsonl\"") }
        let principal = try Principal.parse(try JSONParser.parse(principalJSON, what: "principal"))
        let filter = try Filter.parse(try filterJSON.map { try JSONParser.parse($0, what: "filter") })
        let scope = try Scope(principal, in: connection)
        if let id = filter.serviceId { try scope.authorize(serviceId: id, in: connection) }
        return try Export(store: self, scope: scope, filter: filter, format: f)
    }

    // MARK: Retention

    /// Deletes events older than the retention window before `now`, a small
    /// batch per write transaction so that writers wait milliseconds, not the
    /// whole prune; then hands free pages back to the file system.
    func prune(now: Int64) throws -> Int64 {
        let cutoff = now - retentionDays * Time.millisecondsPerDay
        var deleted: Int64 = 0
        while true {
            let n = try connection.writeTransaction {
                try connection.statement("DELETE FROM event WHERE id IN (SELECT id FROM event WHERE ts < ? ORDER BY ts LIMIT \(Self.pruneBatchRows))")
                    .run([.integer(cutoff)])
                return connection.changes
            }
            deleted += n
            if n < Self.pruneBatchRows { break }
            // The prune writes most of the WAL while it runs: it copies its
            // own pages back, so that a logger whose turn it is to checkpoint
            // does not find thousands of them (a 109 ms el_log at 10M events).
            connection.checkpoint()
            connection.letWaitingWritersIn()
        }
        if deleted > 0 { try Totals.forget(before: cutoff, db: connection) }
        try reclaimFreePages()
        // The daily run counts the settled periods ahead of the pages that need them.
        try Totals.fillSettled(db: connection)
        return deleted
    }

    private func reclaimFreePages() throws {
        // Stores created before auto_vacuum was set cannot shrink this way.
        guard try connection.integer("PRAGMA auto_vacuum") == 2 else { return }
        var free = try connection.integer("PRAGMA freelist_count") ?? 0
        while free > 0 {
            try connection.writeTransaction { try connection.execute("PRAGMA incremental_vacuum(\(Self.vacuumBatchPages))") }
            connection.letWaitingWritersIn()
            let left = try connection.integer("PRAGMA freelist_count") ?? 0
            if left >= free { break }
            free = left
        }
    }
}
