/// Moves a panel's SQLite store into a MariaDB store: directory, retention
/// window, events (with their ids, times and the names they were logged
/// with) and delivery keys.
///
/// Resumable and never a duplicate: events go in id order, a batch per
/// transaction, committed in order (two at a time in flight, see
/// CopyLanes), and the same transaction records how far the copy got
/// (`copy.<source tag>` in the target's settings); a copy killed at any
/// point starts again after the last committed batch. It copies what the
/// source holds when it starts (run it again to bring over what was logged
/// meanwhile), then compares the number of events per day on both sides.
struct StoreCopy {
    /// Each batch also adds its events to the counters, a row per service,
    /// day, type and actor it holds: a larger batch updates each counter
    /// row fewer times (a 10M-event copy: 53k events/s at 5,000 rows a
    /// batch, 75k at 20,000, with `count_service_day`'s second key).
    static let batchRows: Int64 = 20000
    /// Copied events are counted by their batch's own counter upserts.
    static let insertSQL = "INSERT INTO event (\(MariaDBSchema.eventColumns), counted) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)"

    let source: Connection
    let sourcePath: String
    let target: MariaDBStore
    let db: MariaDBConnection

    init(from path: String, into target: MariaDBStore, db: MariaDBConnection) throws {
        do {
            source = try Connection(path: path, create: false, readOnly: true)
            let facts = try source.statement("SELECT (SELECT user_version FROM pragma_user_version), (SELECT application_id FROM pragma_application_id)")
                .firstRow { ($0.int64(0), $0.int64(1)) }
            guard let facts, facts.1 == Schema.applicationID else { throw EventLogError(.schema, "'\(shownStorePath(path))' is not an SQLite event store") }
            guard Schema.version(userVersion: facts.0) == Schema.currentVersion else {
                throw EventLogError(.schema, "the SQLite store '\(shownStorePath(path))' has schema version \(Schema.version(userVersion: facts.0)); open it once with this library (it migrates) and copy again")
            }
            // The library never stores such rows, but a file edited by hand
            // may hold them, and the copy's day and id arithmetic would overflow.
            let range = try source.statement("SELECT (SELECT min(ts) FROM event), (SELECT max(ts) FROM event), (SELECT min(id) FROM event), (SELECT max(id) FROM event)")
                .firstRow { ($0.int64(0), $0.int64(1), $0.int64(2), $0.int64(3)) }
            if let (minTs, maxTs, minId, maxId) = range, minId != 0 || maxId != 0,
               minTs < Time.minMilliseconds || maxTs > Time.maxMilliseconds || minId < 1 || maxId == Int64.max {
                throw EventLogError(.schema, "the SQLite store '\(shownStorePath(path))' holds events with ids \(minId) to \(maxId) and times \(minTs) to \(maxTs) ms, outside what an event can have: the file was damaged or edited by hand")
            }
        } catch let error as SQLiteError {
            throw EventLogError(error, doing: "cannot open the SQLite store '\(shownStorePath(path))'")
        }
        sourcePath = path
        self.target = target
        self.db = db
    }

    func run() throws -> ByteBuffer {
        do {
            return try copy()
        } catch let error as SQLiteError {
            throw EventLogError(error, doing: "cannot read the SQLite store '\(sourcePath)'")
        }
    }

    private func copy() throws -> ByteBuffer {
        let tag = Schema.tag(userVersion: try source.integer("PRAGMA user_version") ?? 0)
        let progressKey = "copy.\(tag)"
        var through = try db.integer("SELECT v FROM setting WHERE k = '\(progressKey)'")
        if through == nil {
            guard try db.integer("SELECT EXISTS (SELECT 1 FROM event)") == 0 else {
                throw EventLogError.invalid("the MariaDB store \(db.location) already holds events that are not from this copy: copy into a new database")
            }
            try copyDirectoryAndSettings(progressKey)
            through = 0
        }
        var last = through ?? 0
        let end = try source.integer("SELECT COALESCE(max(id), 0) FROM event") ?? 0
        var copied: Int64 = 0
        let read = try source.statement("""
            SELECT \(MariaDBSchema.eventColumns) FROM event WHERE id > ?1 AND id <= ?2 ORDER BY id LIMIT \(Self.batchRows)
            """)
        let keys = try source.statement("SELECT d.key, d.event_id, e.ts FROM delivery d JOIN event e ON e.id = d.event_id WHERE d.event_id > ?1 AND d.event_id <= ?2")
        let lanes = try CopyLanes(db: db)
        defer { lanes.close() }
        while last < end {
            read.reset()
            try read.bind([.integer(last), .integer(end)])
            var counts = MariaDBTotals.Increments()
            var chunks = [EventRows(capacity: Int(Self.batchRows))]
            var n: Int64 = 0
            var batchLast = last
            while try read.step() {
                batchLast = read.int64(0)
                counts.add(ts: read.int64(1), type: read.int64(2), actor: read.int64(4), serviceId: read.int64(3))
                if chunks[chunks.count - 1].isFull { chunks.append(EventRows()) }
                chunks[chunks.count - 1].append(sqliteRow: read)
                n += 1
            }
            read.reset()
            guard n > 0 else { break }
            var deliveries: [String] = []
            keys.reset()
            try keys.bind([.integer(last), .integer(batchLast)])
            while try keys.step() {
                var row = "("
                db.appendQuoted(keys.bytes(0), to: &row)
                row += ",\(keys.int64(1)),\(keys.int64(2)))"
                deliveries.append(row)
            }
            keys.reset()
            var statements = counts.statements
            if !deliveries.isEmpty { statements.append("INSERT IGNORE INTO delivery (k, event_id, ts) VALUES " + deliveries.joined(separator: ",")) }
            statements.append("UPDATE setting SET v = \(batchLast) WHERE k = '\(progressKey)'")
            statements.append("UPDATE id_block SET next = GREATEST(next, \(batchLast + 1)) WHERE k = 1")  // new ids after the copied ones
            try lanes.submit(CopyLanes.Batch(rows: chunks, statements: statements))
            last = batchLast
            copied += n
        }
        try lanes.drain()
        return try report(copied: copied, through: last)
    }

    /// Once, before the first batch: the directory, the window, and the
    /// progress row (in the transaction that writes the directory).
    private func copyDirectoryAndSettings(_ progressKey: String) throws {
        var accounts: [[SQLValue]] = []
        let a = try source.statement("SELECT id, role, name, reseller_id FROM account")
        while try a.step() { accounts.append([.integer(a.int64(0)), SQLValue(a.text(1)), SQLValue(a.text(2)), SQLValue(a.optionalInt64(3))]) }
        a.reset()
        var services: [[SQLValue]] = []
        let s = try source.statement("SELECT id, name, owner_id, kind, status, removed FROM service")
        while try s.step() {
            services.append([.integer(s.int64(0)), SQLValue(s.text(1)), .integer(s.int64(2)), SQLValue(s.text(3)), SQLValue(s.text(4)), .integer(s.int64(5))])
        }
        s.reset()
        try db.put(Directory.Update(accounts: accounts, services: services))
        let days = try source.integer("SELECT value FROM setting WHERE key = 'retentionDays'") ?? Limits.defaultRetentionDays
        try target.setRetentionDays(days)
        try db.execute("INSERT IGNORE INTO setting (k, v) VALUES ('\(progressKey)', 0)")
    }

    /// `{"copied", "through", "verified", "days": [{"day", "source", "target"}]}`:
    /// events per day up to `through` on both sides.
    private func report(copied: Int64, through: Int64) throws -> ByteBuffer {
        let day = Time.millisecondsPerDay
        var sourceDays: [Int64: Int64] = [:]
        let s = try source.statement("SELECT ts - ts % \(day), count(*) FROM event WHERE id <= ?1 GROUP BY 1")
        try s.bind([.integer(through)])
        while try s.step() { sourceDays[s.int64(0)] = s.int64(1) }
        s.reset()
        var targetDays: [Int64: Int64] = [:]
        let prunedBefore = try MariaDBStore.prunedBefore(db)
        let t = try db.query("SELECT ts - ts % \(day), COUNT(*) FROM event WHERE id <= \(through) AND ts >= \(prunedBefore) GROUP BY 1")
        while t.next() { targetDays[t.int64(0)] = t.int64(1) }
        var w = JSONWriter(capacity: 4096)
        let allDays = Set(sourceDays.keys).union(targetDays.keys).filter { $0 >= prunedBefore }.sorted()
        let verified = allDays.allSatisfy { sourceDays[$0] == targetDays[$0] }
        w.raw("{")
        w.key("copied", first: true); w.integer(copied)
        w.key("through"); w.integer(through)
        w.key("verified"); w.raw(verified ? "true" : "false")
        w.key("days"); w.raw("[")
        for (i, d) in allDays.enumerated() {
            if i > 0 { w.raw(",") }
            w.raw("{")
            w.key("day", first: true); w.string(String(Time.rfc3339(milliseconds: d).prefix(10)))
            w.key("source"); w.integer(sourceDays[d] ?? 0)
            w.key("target"); w.integer(targetDays[d] ?? 0)
            w.raw("}")
        }
        w.raw("]}")
        return w.bytes
    }
}
