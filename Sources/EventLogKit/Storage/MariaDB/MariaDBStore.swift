/// An event store in a MariaDB/MySQL database (InnoDB), for panels on
/// several hosts. The same validation, scope, sentences and output as the
/// SQLite store; SQL, transactions and totals are its own (MariaDBTotals,
/// MariaDBPartitions). Not thread-safe: the C boundary serializes calls.
final class MariaDBStore: EventStore {
    let location: MariaDBLocation
    let options: StoreOptions
    private let db: MariaDBConnection
    /// Fixed when the store is created; changed only by `setRetentionDays`.
    private(set) var retentionDays: Int64 = 30
    /// The clock for event times and the retention window (tests set it).
    let clock: @Sendable () -> Int64

    /// How long after it was logged an event may still commit and be found
    /// by a live view's `after` (see `afterCondition`).
    static let lateCommitMicroseconds: Int64 = 15_000_000

    init(location: MariaDBLocation, options: StoreOptions, clock: @escaping @Sendable () -> Int64 = Time.nowMilliseconds) throws {
        self.location = location
        self.options = options
        self.clock = clock
        do {
            db = try MariaDBConnection(location: location, options: options)
        } catch {
            throw EventLogError(error, doing: "cannot open the store", at: location)
        }
        try run("open the store") {
            let version = try MariaDBSchema.version(db)
            let now = clock()
            if version < MariaDBSchema.currentVersion {
                let days = options.retentionDays ?? 30
                let clause = MariaDBPartitions.initialClause(firstDay: now - days * Time.millisecondsPerDay, now: now)
                try MariaDBSchema.migrate(db, from: version, partitions: clause, retentionDays: days)
            }
            try MariaDBPartitions.addAhead(db, now: now)
            try reloadSettings()
        }
    }

    /// Runs `body`, saying what failed in terms of the store (never with the
    /// password: `location` prints without it).
    private func run<T>(_ what: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as MariaDBError {
            throw EventLogError(error, doing: "cannot \(what)", at: location)
        }
    }

    private func reloadSettings() throws {
        retentionDays = try db.integer("SELECT v FROM setting WHERE k = 'retentionDays'") ?? 30
    }

    // MARK: Pooling

    var isPoolable: Bool { true }
    var isDegraded: Bool { false }
    func reopened() -> (any EventStore)? { nil }

    /// Reading the settings again also finds a connection the server dropped
    /// while the store was idle; it is made again once.
    func readyForReuse() -> Bool {
        if (try? reloadSettings()) != nil { return true }
        guard (try? db.connect()) != nil else { return false }
        return (try? reloadSettings()) != nil
    }

    // MARK: Writing

    func log(json: String) throws -> Int64 {
        let now = clock()
        var event = try EventValidator.event(json: json, now: now, oldest: now - retentionDays * Time.millisecondsPerDay)
        event.message = event.type.sentence(Sentence(event: event))
        return try run("log the event") {
            do {
                if event.deliveryKey != nil { return try db.writeTransaction { try insertOnce(event) } }
                return try insertAlone(event)
            } catch let error as MariaDBError where error.isConnectionLost {
                throw MariaDBError(code: error.code, message: error.message + "; whether the event was stored is unknown (log it with a deliveryKey to retry safely)", sql: nil)
            }
        }
    }

    /// The common case: event and counters in one transaction and one round trip.
    private func insertAlone(_ e: Event) throws -> Int64 {
        var counts = MariaDBTotals.Increments()
        counts.add(ts: e.timestamp, type: e.type.code, actor: e.actor.type.code, serviceId: e.serviceId)
        let sql = "START TRANSACTION;\n" + insertSQL(e) + ";\n" + counts.sql(slot: db.slot) + ";\nCOMMIT"
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try db.execute(sql, insertIDOf: 1)
            } catch {
                if db.isConnected { try? db.execute("ROLLBACK") }
                guard error.isRetryable, attempt < 5 else { throw error }
            }
        }
    }

    /// Inside a transaction: stores the event unless its delivery key is
    /// known, and returns its id or the first one's.
    private func insertOnce(_ e: Event) throws -> Int64 {
        if let key = e.deliveryKey,
           let first = try db.integer("SELECT event_id FROM delivery WHERE k = \(db.literal(.text(key))) FOR UPDATE") {
            return first
        }
        var counts = MariaDBTotals.Increments()
        counts.add(ts: e.timestamp, type: e.type.code, actor: e.actor.type.code, serviceId: e.serviceId)
        let id = try db.execute(insertSQL(e) + ";\n" + counts.sql(slot: db.slot), insertIDOf: 0)
        if let key = e.deliveryKey {
            try db.execute("INSERT INTO delivery (k, event_id, ts) VALUES (\(db.literal(.text(key))), \(id), \(e.timestamp))")
        }
        return id
    }

    private static let columns = "ts, type, service_id, actor_type, actor_id, actor_name, dj_name, source_ip, takeover, details, message"

    private func values(_ e: Event) -> String {
        var s = "\(e.timestamp), \(e.type.code), \(e.serviceId), \(e.actor.type.code), "
        db.appendLiteral(SQLValue(e.actor.id), to: &s); s += ", "
        db.appendLiteral(SQLValue(e.actor.name), to: &s); s += ", "
        db.appendLiteral(SQLValue(e.djName), to: &s); s += ", "
        db.appendLiteral(SQLValue(e.sourceIp), to: &s); s += ", "
        s += e.takeover.map { $0 ? "1" : "0" } ?? "NULL"; s += ", "
        db.appendLiteral(SQLValue(e.detailsJSON), to: &s); s += ", "
        db.appendLiteral(.text(e.message), to: &s)
        return s
    }

    /// The INSERT of one event, with the service and owner names copied from
    /// the directory as it is now (a snapshot for exports after the
    /// directory forgets them).
    private func insertSQL(_ e: Event) -> String {
        """
        INSERT INTO event (\(Self.columns), service_name, owner_id, owner_name)
        SELECT \(values(e)), s.name, s.owner_id, a.name
        FROM (SELECT 1) AS one LEFT JOIN service s ON s.id = \(e.serviceId) LEFT JOIN account a ON a.id = s.owner_id
        """
    }

    func logBatch(json: String) throws -> Int64 {
        let now = clock()
        var events = try EventValidator.events(jsonArray: json, now: now, oldest: now - retentionDays * Time.millisecondsPerDay)
        for i in events.indices { events[i].message = events[i].type.sentence(Sentence(event: events[i])) }
        try run("log the batch") {
            try db.writeTransaction {
                var plain: [Event] = []
                for e in events {
                    if e.deliveryKey != nil { _ = try insertOnce(e) } else { plain.append(e) }
                }
                try insertMany(plain)
            }
        }
        return Int64(events.count)
    }

    /// Inside a transaction: events without delivery keys, a thousand rows a
    /// statement, with their counters added up here first.
    func insertMany(_ events: [Event], keepingIds: Bool = false) throws {
        guard !events.isEmpty else { return }
        let names = try directorySnapshot(Set(events.map(\.serviceId)))
        for start in stride(from: 0, to: events.count, by: 1000) {
            var counts = MariaDBTotals.Increments()
            var sql = "INSERT INTO event (\(keepingIds ? "id, " : "")\(Self.columns), service_name, owner_id, owner_name) VALUES "
            for (i, e) in events[start..<min(start + 1000, events.count)].enumerated() {
                counts.add(ts: e.timestamp, type: e.type.code, actor: e.actor.type.code, serviceId: e.serviceId)
                if i > 0 { sql += "," }
                sql += "(" + (keepingIds ? "\(e.id), " : "") + values(e) + ", "
                let n = names[e.serviceId]
                db.appendLiteral(n?.service ?? .null, to: &sql); sql += ", "
                db.appendLiteral(n?.owner ?? .null, to: &sql); sql += ", "
                db.appendLiteral(n?.ownerName ?? .null, to: &sql); sql += ")"
            }
            try db.execute(sql + ";\n" + counts.sql(slot: db.slot))
        }
    }

    private func directorySnapshot(_ services: Set<Int64>) throws -> [Int64: (service: SQLValue, owner: SQLValue, ownerName: SQLValue)] {
        var names: [Int64: (SQLValue, SQLValue, SQLValue)] = [:]
        let ids = Array(services)
        for start in stride(from: 0, to: ids.count, by: 1000) {
            let list = ids[start..<min(start + 1000, ids.count)].map(String.init).joined(separator: ",")
            let r = try db.query("SELECT s.id, s.name, s.owner_id, a.name FROM service s LEFT JOIN account a ON a.id = s.owner_id WHERE s.id IN (\(list))")
            while r.next() { names[r.int64(0)] = (SQLValue(r.text(1)), SQLValue(r.optionalInt64(2)), SQLValue(r.text(3))) }
        }
        return names
    }

    func putDirectory(json: String) throws {
        let update = try Directory.update(try JSONParser.parse(json, what: "directory"))
        try run("update the directory") { try db.put(update) }
    }

    func setRetentionDays(_ days: Int64) throws {
        guard Limits.retentionDays.contains(days) else {
            throw EventLogError.invalid("retentionDays must be an integer from \(Limits.retentionDays.lowerBound) to \(Limits.retentionDays.upperBound)")
        }
        try run("change the retention window") { try db.execute("UPDATE setting SET v = \(days) WHERE k = 'retentionDays'") }
        retentionDays = days
    }

    // MARK: Reading

    func query(principalJSON: String, filterJSON: String?) throws -> [UInt8] {
        let read = try run("read the directory") { try ReadRequest(principalJSON: principalJSON, filterJSON: filterJSON, directory: db) }
        let filter = read.filter
        let after = try filter.after?.checked(.mariadb)
        return try run("read the page") {
            try db.readTransaction {
                let bounds = try db.query("SELECT (SELECT v FROM setting WHERE k = 'prunedBefore'), (SELECT COALESCE(MAX(id), 0) FROM event)")
                _ = bounds.next()
                let prunedBefore = bounds.int64(0)
                let cursor = Cursor(.mariadb, lastID: bounds.int64(1))
                var view = filter
                view.after = nil
                if prunedBefore > 0 { view.from = max(filter.from ?? prunedBefore, prunedBefore) }
                let total = try MariaDBTotals.count(view, scope: read.scope, db: db)
                var (whereSQL, bindings) = view.whereClause(read.scope, dialect: .mariadb)
                if let after { whereSQL += " AND " + (try afterCondition(after)) }
                let offset = (filter.page - 1) * filter.perPage
                return try PageJSON.write(filter: filter, total: total, cursor: cursor.token) { w in
                    guard offset < total || after != nil else { return }
                    let index = after == nil && read.scope.isUnrestricted && filter.serviceId == nil && filter.ownerId == nil
                        && total > 2000 ? "FORCE INDEX (event_ts)" : ""
                    let rows = try db.query(db.render("""
                        SELECT \(LogColumns.select)
                        FROM (SELECT e.ts, e.id FROM event e \(index) WHERE \(whereSQL)
                              ORDER BY \(LogColumns.newestFirst) LIMIT \(filter.perPage) OFFSET \(offset)) AS p
                        JOIN event e ON e.ts = p.ts AND e.id = p.id \(LogColumns.joins)
                        ORDER BY \(LogColumns.newestFirst)
                        """, bindings))
                    var first = true
                    while rows.next() {
                        if !first { w.raw(",") }
                        first = false
                        MariaDBRow(rows).writeJSON(to: &w)
                    }
                }
            }
        }
    }

    /// The events a live view has not seen since `cursor`: every id above
    /// it, and (ids being handed out before commit, and interleaved by a
    /// cluster's nodes) every event logged up to `lateCommitMicroseconds`
    /// before the cursor's own event. A viewer may get an event twice (the
    /// pages merge by id), never miss one that committed within that time.
    private func afterCondition(_ cursor: Cursor) throws -> String {
        let since = try db.integer("SELECT logged_at FROM event WHERE id = \(cursor.lastID) LIMIT 1")
        guard let since else { return "e.id > \(cursor.lastID)" }
        return "(e.id > \(cursor.lastID) OR e.logged_at > \(since - Self.lateCommitMicroseconds))"
    }

    func cursor() throws -> String {
        try run("read the cursor") { Cursor(.mariadb, lastID: try db.integer("SELECT COALESCE(MAX(id), 0) FROM event") ?? 0).token }
    }

    func info() throws -> [UInt8] {
        StoreInfo.json(engine: "mariadb", schemaVersion: MariaDBSchema.currentVersion, retentionDays: retentionDays,
                       readOnly: nil, cursor: try cursor())
    }

    func export(principalJSON: String, filterJSON: String?, format: ExportFormat) throws -> any EventExport {
        try run("start the export") {
            let read = try ReadRequest(principalJSON: principalJSON, filterJSON: filterJSON, directory: db)
            var filter = read.filter
            filter.after = nil
            let prunedBefore = try db.integer("SELECT v FROM setting WHERE k = 'prunedBefore'") ?? 0
            return try MariaDBExport(db: db, scope: read.scope, filter: filter, format: format, prunedBefore: prunedBefore)
        }
    }

    // MARK: Retention

    /// Hides, then drops, the days older than the retention window: a
    /// committed `prunedBefore` takes the days out of every read and their
    /// counters with them in one transaction, then their partitions are
    /// dropped (a killed prune leaves partitions that no read sees, dropped
    /// by the next one). Then creates the days ahead and settles old counters.
    func prune(now: Int64) throws -> Int64 {
        let now = now == 0 ? clock() : now
        let cutoffDay = CounterPeriod.floor(now - retentionDays * Time.millisecondsPerDay, Time.millisecondsPerDay)
        return try run("prune the store") {
            let hidden: Int64 = try db.writeTransaction {
                let before = try db.integer("SELECT v FROM setting WHERE k = 'prunedBefore' FOR UPDATE") ?? 0
                guard cutoffDay > before else { return 0 }
                let n = try db.integer("SELECT COALESCE(SUM(n), 0) FROM count_day WHERE ts < \(cutoffDay)") ?? 0
                try db.execute("""
                    UPDATE setting SET v = \(cutoffDay) WHERE k = 'prunedBefore';
                    DELETE FROM count_day WHERE ts < \(cutoffDay);
                    DELETE FROM count_hour WHERE ts < \(cutoffDay);
                    DELETE FROM count_service_day WHERE ts < \(cutoffDay);
                    DELETE FROM delivery WHERE ts < \(cutoffDay)
                    """)
                return n
            }
            _ = try MariaDBPartitions.drop(db, before: cutoffDay)
            try MariaDBPartitions.addAhead(db, now: now)
            try MariaDBTotals.settle(before: CounterPeriod.floor(now, Time.millisecondsPerDay) - Time.millisecondsPerDay, db: db)
            return hidden
        }
    }

    // MARK: Copy

    func copy(fromSQLite path: String) throws -> [UInt8] {
        try run("copy the store") { try StoreCopy(from: path, into: self, db: db).run() }
    }
}
