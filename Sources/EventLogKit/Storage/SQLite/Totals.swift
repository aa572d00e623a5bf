/// Exact totals for pages, without counting millions of rows.
///
/// Counter tables hold, per period (an hour for views across all services, a
/// day per service for scoped views) and per type and actor, the number of
/// events with an id up to the store's watermark (`countedThrough`). Ids are
/// handed out in commit order (one writer at a time), so the watermark splits
/// the store into events that are counted and a short tail that is not:
///
///     total = Σ counters of the whole periods of the range
///           + events of those periods above the watermark (the tail)
///           + events of the partial periods at both ends, counted live
///
/// All three are read in the page's read transaction, so the total matches
/// the rows whatever the clocks of the processes that wrote them. Readers
/// never write: writers move the watermark (`fold`) once the tail is
/// `foldEvery` events long, and the prune takes the events it deletes out of
/// the counters in the same transaction, so a prune killed at any point
/// leaves them exact.
enum Totals {
    typealias Kind = CounterPeriod

    /// The longest tail a writer leaves behind: a page counts at most this
    /// many rows (plus what other writers added meanwhile) beyond the counters.
    static let foldEvery: Int64 = 1000

    static let watermarkKey = "countedThrough"

    /// The watermark: every event with an id up to it is in the counters.
    /// Ids are positive, so a negative one is a damaged or edited setting
    /// (and would overflow a writer's "how far behind" arithmetic).
    static func countedThrough(_ db: Connection) throws -> Int64 {
        let watermark = try db.integer("SELECT value FROM setting WHERE key = '\(watermarkKey)'") ?? 0
        guard watermark >= 0 else {
            throw EventLogError(.schema, "the store holds a totals watermark (\(watermarkKey)) of \(watermark), below 0: the setting was damaged or edited by hand; empty count_hour and count_service_day and set it to 0 (the next writer then counts every event again)")
        }
        return watermark
    }

    /// The exact total of a view without text (SearchScan counts a search);
    /// call inside the read transaction that also reads the page, so that
    /// the total matches the rows.
    static func count(_ filter: Filter, scope: Scope, db: Connection) throws -> Int64 {
        if let from = filter.from, let to = filter.to, from >= to { return 0 }
        let kind = Kind(filter, scope)
        guard let split = kind.split(filter) else { return try liveCount(filter, scope: scope, db: db) }
        let (whereSQL, bindings) = split.whole.whereClause(scope)
        let counted = kind == .hour
            ? try db.integer("SELECT COALESCE(sum(e.n), 0) FROM count_hour e WHERE \(whereSQL)", bindings) ?? 0
            : try countServiceDays(split.whole, whereSQL, bindings, db: db)
        // NOT INDEXED: the tail is a range of rowids, read from the table.
        let tail = try db.integer(
            "SELECT count(*) FROM event e NOT INDEXED WHERE e.id > ?\(bindings.count + 1) AND \(whereSQL)",
            bindings + [.integer(try countedThrough(db))]) ?? 0

        var total = counted + tail
        for end in split.ends { total += try liveCount(end, scope: scope, db: db) }
        return total
    }

    /// The service-day counters of `whole` (whole days). The table is keyed
    /// by day first, so the sum walks the days the counters hold within the
    /// range, each found by one seek from the one before (no day arithmetic
    /// to overflow, and no step for a day without counters, whatever rows a
    /// damaged file holds), and looks up the view's services in each.
    private static func countServiceDays(_ whole: Filter, _ whereSQL: String, _ bindings: [SQLValue], db: Connection) throws -> Int64 {
        let n = bindings.count
        let (first, end) = ("?\(n + 1)", "?\(n + 2)")
        // CROSS JOIN keeps the days outside: one primary-key lookup per day and service.
        return try db.integer("""
            WITH RECURSIVE day(ts) AS (
                SELECT (SELECT min(ts) FROM count_service_day WHERE ts >= \(first))
                UNION ALL SELECT (SELECT min(ts) FROM count_service_day WHERE ts > day.ts) FROM day WHERE day.ts < \(end))
            SELECT COALESCE(sum(e.n), 0) FROM day CROSS JOIN count_service_day e ON e.ts = day.ts WHERE day.ts < \(end) AND \(whereSQL)
            """, bindings + [.integer(whole.from ?? Int64.min), .integer(whole.to ?? Int64.max)]) ?? 0
    }

    /// Counts from the index that holds every filtered column after the time
    /// (or service and time), so no row is read; left to itself SQLite takes
    /// the type index and reads a row per match. A text search is counted by
    /// SearchScan, in table order, not here.
    static func liveCount(_ filter: Filter, scope: Scope, db: Connection) throws -> Int64 {
        if let from = filter.from, let to = filter.to, from >= to { return 0 }
        let (whereSQL, bindings) = filter.whereClause(scope)
        let index = Kind(filter, scope) == .hour ? "INDEXED BY event_ts" : "INDEXED BY event_service_ts"
        return try db.integer("SELECT count(*) FROM event e \(index) WHERE \(whereSQL)", bindings) ?? 0
    }

    /// Adds the events above the watermark to the counters and moves it to
    /// the newest event; returns the watermark. Call inside a write transaction.
    /// The tail is read once and summed in memory, then upserted as a
    /// batch's counters are (one row a key): an upsert per event and
    /// counter table, the tail read once for each, ran 4 % more
    /// instructions under the write lock (BENCHMARKS.md, 4 processes).
    /// At most `foldChunk` events are summed at a time, so that the fold
    /// of a whole store (a migration, counters emptied by hand) holds the
    /// keys of one chunk in memory, not of the store.
    @discardableResult
    static func fold(db: Connection) throws -> Int64 {
        let from = try countedThrough(db)
        guard let through = try db.integer("SELECT max(id) FROM event"), through > from else { return from }
        // NOT INDEXED: a range of rowids, read from the table (event_ts covers
        // these columns, and SQLite would scan all of it for the range).
        let tail = try db.statement("SELECT ts, type, actor_type, service_id FROM event NOT INDEXED WHERE id > ?1 AND id <= ?2")
        defer { tail.reset() }
        var start = from
        while start < through {
            let end = through - start > foldChunk ? start + foldChunk : through
            let counts = BatchCounts()
            tail.reset()
            try tail.bind([.integer(start), .integer(end)])
            while try tail.step() {
                counts.add(timestamp: tail.int64(0), type: tail.int64(1), actorType: tail.int64(2), serviceId: tail.int64(3))
            }
            try upsert(counts, db: db)
            start = end
        }
        try db.setSetting(watermarkKey, through)
        return through
    }

    /// The most events (ids) one step of a fold sums before it upserts:
    /// ten times a writer's usual tail, so that one writes in one step.
    static let foldChunk: Int64 = 10 * foldEvery

    /// Events as counters, summed in memory (a batch's by the thread that
    /// validates it, `BatchReader`; a fold's tail as it reads it): a batch or
    /// tail of 1,000 then upserts each counter once instead of per event,
    /// and a batch reads no row back.
    final class BatchCounts {
        fileprivate struct Key: Hashable, Comparable {
            let serviceId, ts, type, actorType: Int64
            static func < (a: Key, b: Key) -> Bool {
                (a.ts, a.serviceId, a.type, a.actorType) < (b.ts, b.serviceId, b.type, b.actorType)
            }
        }
        fileprivate var hours: [Key: Int64] = [:], days: [Key: Int64] = [:]

        func add(_ e: Event) {
            add(timestamp: e.timestamp, type: e.type.code, actorType: e.actor.type.code, serviceId: e.serviceId)
        }

        func add(timestamp: Int64, type: Int64, actorType: Int64, serviceId: Int64) {
            hours[Key(serviceId: 0, ts: Kind.floor(timestamp, Kind.hour.length), type: type, actorType: actorType), default: 0] += 1
            days[Key(serviceId: serviceId, ts: Kind.floor(timestamp, Kind.serviceDay.length), type: type, actorType: actorType), default: 0] += 1
        }
    }

    /// The ids a batch's events were stored under, if they are one run: a
    /// repeated delivery stores nothing and keeps id 0, which breaks it.
    struct IDRun {
        fileprivate var first: Int64 = 0, last: Int64 = 0, isRun = true

        mutating func add(_ id: Int64) {
            if id == 0 || (last != 0 && id != last + 1) { isRun = false }
            if first == 0 { first = id }
            last = id
        }
    }

    /// A batch's counters are upserted 64 rows a statement (the rest one
    /// by one): a batch of 1,000 has some 950, and as many statements cost
    /// 4 % of the batch's rate more (`bench/sqlite-ab.php batch`).
    static let upsertRows = 64

    private struct Upsert {
        let one: String, many: String, hasService: Bool

        init(_ table: String, key: String) {
            hasService = key.hasPrefix("service_id")
            let row = "(" + Array(repeating: "?", count: key.split(separator: ",").count + 1).joined(separator: ", ") + ")"
            func sql(_ rows: Int) -> String {
                "INSERT INTO \(table) (\(key), n) VALUES " + Array(repeating: row, count: rows).joined(separator: ", ")
                    + " ON CONFLICT DO UPDATE SET n = n + excluded.n"
            }
            (one, many) = (sql(1), sql(upsertRows))
        }
    }
    private static let hourUpsert = Upsert("count_hour", key: "ts, type, actor_type")
    private static let serviceDayUpsert = Upsert("count_service_day", key: "service_id, ts, type, actor_type")

    /// Inside the write transaction that just inserted a batch's events
    /// (`counts`, stored as `ids`): adds them to the counters and moves the
    /// watermark past them, if all of them were stored and nothing before
    /// them is uncounted; false if not (`fold` counts the whole tail later).
    static func foldInserted(_ counts: BatchCounts, ids: IDRun, db: Connection) throws -> Bool {
        guard ids.isRun, ids.first > 0, try countedThrough(db) == ids.first - 1 else { return false }
        try upsert(counts, db: db)
        try db.setSetting(watermarkKey, ids.last)
        return true
    }

    /// Adds `counts` to the counter tables, rows in key order.
    private static func upsert(_ counts: BatchCounts, db: Connection) throws {
        for (upsert, counter) in [(hourUpsert, counts.hours), (serviceDayUpsert, counts.days)] {
            let keys = counter.sorted(by: { $0.key < $1.key })
            var start = 0
            while start < keys.count {
                let rows = keys.count - start >= upsertRows ? upsertRows : 1
                let statement = try db.statement(rows == 1 ? upsert.one : upsert.many)
                var p: Int32 = 1
                for (k, n) in keys[start..<start + rows] {
                    if upsert.hasService { try statement.bind(p, .integer(k.serviceId)); p += 1 }
                    try statement.bind(p, .integer(k.ts)); try statement.bind(p + 1, .integer(k.type))
                    try statement.bind(p + 2, .integer(k.actorType)); try statement.bind(p + 3, .integer(n))
                    p += 4
                }
                try statement.run()
                start += rows
            }
        }
    }

    /// Per counter table, the keys of the rows that count the events `?1` (a
    /// JSON array of ids) up to the id `?2`, each with how many of those
    /// events it counts (`d`), and how a counter row (`c`) matches one.
    private static let batchKeys: [(table: String, grouped: String, match: String)] = [
        ("count_hour", """
            SELECT ts - ts % \(Kind.hour.length) AS ts, type, actor_type, count(*) AS n FROM event
            WHERE id IN (SELECT value FROM json_each(?1)) AND id <= ?2 GROUP BY 1, 2, 3
            """, "c.ts = d.ts AND c.type = d.type AND c.actor_type = d.actor_type"),
        ("count_service_day", """
            SELECT service_id, ts - ts % \(Kind.serviceDay.length) AS ts, type, actor_type, count(*) AS n FROM event
            WHERE id IN (SELECT value FROM json_each(?1)) AND id <= ?2 GROUP BY 1, 2, 3, 4
            """, "c.service_id = d.service_id AND c.ts = d.ts AND c.type = d.type AND c.actor_type = d.actor_type"),
    ]

    /// Takes the events `ids` (a JSON array) out of the counters, before they
    /// are deleted in the same transaction. Events above the watermark were
    /// never counted.
    static func uncount(ids: String, db: Connection) throws {
        let through: SQLValue = .integer(try countedThrough(db))
        for keys in batchKeys {
            try db.statement("UPDATE \(keys.table) AS c SET n = c.n - d.n FROM (\(keys.grouped)) AS d WHERE \(keys.match)")
                .run([.text(ids), through])
        }
    }

    /// Reads the counter rows that `uncount(ids:)` will change, outside the
    /// write lock (the prune's read-ahead).
    static func readAhead(ids: String, db: Connection) throws {
        let through: SQLValue = .integer(try countedThrough(db))
        for keys in batchKeys {
            _ = try db.integer("SELECT sum(c.n) FROM (\(keys.grouped)) AS d JOIN \(keys.table) AS c ON \(keys.match)", [.text(ids), through])
        }
    }

    /// The most emptied counter rows one write transaction drops: at 10M
    /// events a pruned day empties some 30,000 service-day rows, too many
    /// for one transaction if writers are to wait milliseconds.
    static let dropBatchRows = 2000

    /// Drops the counter rows that a prune emptied (a zero adds nothing to a
    /// sum, so this is tidying, safe to skip, repeat or interrupt), a batch
    /// per write transaction, calling `between` after each.
    static func dropEmpty(before cutoff: Int64, db: Connection, between: () -> Void) throws {
        for (table, key) in [("count_hour", "ts, type, actor_type"), ("count_service_day", "ts, service_id, type, actor_type")] {
            let drop = """
                DELETE FROM \(table) WHERE (\(key)) IN
                    (SELECT \(key) FROM \(table) WHERE ts < ?1 AND n = 0 LIMIT \(dropBatchRows))
                """
            while try db.writeTransaction({ try db.statement(drop).run([.integer(cutoff)]); return db.changes }) == dropBatchRows {
                between()
            }
        }
    }

}
