/// Exact totals on MariaDB, without counting millions of rows.
///
/// Ids are not in commit order here (InnoDB hands them out at insert, and a
/// Galera cluster interleaves its nodes' ids), so instead of a watermark id
/// each event carries a flag: `counted` is 0 when it is stored and set to 1
/// by the fold that adds it to the counters, in the same transaction. So at
/// any moment every visible event is either in the counters or flagged
/// uncounted (the tail), never both, never neither, whatever the order in
/// which transactions commit and whatever the clocks of the hosts:
///
///     total = Σ counters of the whole periods of the range
///           + uncounted events of those periods (index `event_uncounted`)
///           + events of the partial periods at both ends, counted live
///
/// all read in the page's consistent snapshot. Readers never write. A writer
/// folds after its own commit once it has stored `foldEvery` events since its
/// last fold, so `el_log` itself is one INSERT; the prune folds too (what
/// processes that log little leave uncounted, pages count from the index). Days for the whole panel (`count_day`), hours
/// at the ends of a range (`count_hour`), days per service and type
/// (`count_service_type_day`) and per service and category
/// (`count_service_category_day`: a category's total, a restricted view's
/// most common, reads a quarter of the rows).
enum MariaDBTotals {
    static let foldEvery: Int64 = 512
    /// Events one fold transaction takes at most.
    static let foldRows = 5000
    static let hour: Int64 = 3_600_000
    static let day = Time.millisecondsPerDay

    /// How many events each counter row gains from a set of events.
    struct Increments {
        var days: [Key: Int64] = [:]
        var hours: [Key: Int64] = [:]
        var serviceDays: [Key: Int64] = [:]
        var serviceCategoryDays: [CategoryKey: Int64] = [:]

        struct Key: Hashable, Comparable {
            let serviceId: Int64
            let ts: Int64
            let type: Int64
            let actor: Int64

            static func < (a: Key, b: Key) -> Bool {
                (a.serviceId, a.ts, a.type, a.actor) < (b.serviceId, b.ts, b.type, b.actor)
            }
        }

        struct CategoryKey: Hashable, Comparable {
            let serviceId: Int64
            let category: String
            let ts: Int64

            static func < (a: CategoryKey, b: CategoryKey) -> Bool {
                (a.serviceId, a.category, a.ts) < (b.serviceId, b.category, b.ts)
            }
        }

        var isEmpty: Bool { days.isEmpty }

        mutating func add(ts: Int64, type: Int64, actor: Int64, serviceId: Int64) {
            let d = CounterPeriod.floor(ts, day)
            days[Key(serviceId: 0, ts: d, type: type, actor: actor), default: 0] += 1
            hours[Key(serviceId: 0, ts: CounterPeriod.floor(ts, hour), type: type, actor: actor), default: 0] += 1
            serviceDays[Key(serviceId: serviceId, ts: d, type: type, actor: actor), default: 0] += 1
            serviceCategoryDays[CategoryKey(serviceId: serviceId, category: category(type), ts: d), default: 0] += 1
        }

        /// The upserts, one statement per counter table, rows in key order
        /// (two folds lock rows in one order). Written as bytes: with
        /// string interpolation, writing them was two thirds of a fold's
        /// instructions (callgrind, 12k an event).
        var statements: [String] {
            func upsert<K: Comparable>(_ table: StaticString, _ columns: StaticString, _ counts: [K: Int64],
                                       _ key: (K, inout ByteBuffer) -> Void) -> String {
                var sql = ByteBuffer(capacity: 96 + 48 * counts.count)
                sql.append("INSERT INTO ")
                sql.append(table)
                sql.append(" (")
                sql.append(columns)
                sql.append(", n) VALUES ")
                for (i, (k, n)) in counts.sorted(by: { $0.key < $1.key }).enumerated() {
                    sql.append(i == 0 ? "(" : ",(")
                    key(k, &sql)
                    sql.append(",")
                    appendDecimal(n, to: &sql)
                    sql.append(")")
                }
                sql.append(" ON DUPLICATE KEY UPDATE n = n + VALUES(n)")
                return sql.string
            }
            func panel(_ k: Key, _ sql: inout ByteBuffer) {
                appendDecimal(k.ts, to: &sql)
                sql.append(",")
                appendDecimal(k.type, to: &sql)
                sql.append(",")
                appendDecimal(k.actor, to: &sql)
            }
            func service(_ k: Key, _ sql: inout ByteBuffer) {
                appendDecimal(k.serviceId, to: &sql)
                sql.append(",")
                panel(k, &sql)
            }
            guard !isEmpty else { return [] }
            return [upsert("count_day", "ts, type, actor_type", days, panel),
                    upsert("count_hour", "ts, type, actor_type", hours, panel),
                    upsert("count_service_type_day", "service_id, ts, type, actor_type", serviceDays, service),
                    // The category rows last: the migration's fill locks the type rows, then writes these.
                    upsert("count_service_category_day", "service_id, category, ts", serviceCategoryDays) { k, sql in
                        appendDecimal(k.serviceId, to: &sql)
                        sql.append(",'")
                        sql.append(utf8: k.category)  // a catalog category: letters only
                        sql.append("',")
                        appendDecimal(k.ts, to: &sql)
                    }]
        }
    }

    /// The category the per-category counters file type `code` under: its
    /// catalog category ('' for a code this library does not know, so that
    /// every counted event is in some row).
    static func category(_ code: Int64) -> String { Catalog.type(code: code)?.category.rawValue ?? "" }

    /// Adds uncounted events to the counters and flags them counted, a
    /// transaction per `foldRows`, until none is left. One fold at a time
    /// on a server: each transaction first locks the setting `foldLock`
    /// (`FoldLock`); a writer's fold that finds it held returns 0 at once
    /// (the fold holding it takes the whole tail), a prune's (`waiting`)
    /// waits for it. Under that lock the uncounted rows are read without
    /// locking them: locking reads of them were a fifth of the fold's
    /// server time (BENCHMARKS.md, the fold part by part). READ COMMITTED
    /// takes no gap locks, so writers never wait for a fold. On Galera the
    /// lock is each node's own: two nodes' folds of the same rows conflict
    /// and one runs again. Returns how many events it counted.
    @discardableResult
    static func fold(_ db: MariaDBConnection, waiting: Bool = false) throws -> Int64 {
        var total: Int64 = 0
        while true {
            let n: Int = try db.writeTransaction(isolation: "READ COMMITTED") {
                guard try FoldLock.take(db, waiting: waiting) else { return 0 }
                let rows = try db.query("""
                    SELECT ts, id, type, actor_type, service_id FROM event FORCE INDEX (event_uncounted)
                    WHERE counted = 0 LIMIT \(foldRows)
                    """)
                var counts = Increments()
                var ids = ByteBuffer(capacity: 16 * foldRows)
                var taken = 0
                var oldest = Int64.max, newest = Int64.min
                while rows.next() {
                    let ts = rows.int64(0)
                    counts.add(ts: ts, type: rows.int64(2), actor: rows.int64(3), serviceId: rows.int64(4))
                    if taken > 0 { ids.append(",") }
                    appendDecimal(rows.int64(1), to: &ids)
                    taken += 1
                    (oldest, newest) = (min(oldest, ts), max(newest, ts))
                }
                guard taken > 0 else { return 0 }
                for upsert in counts.statements { try db.execute(upsert) }
                // By id (ids are unique: MariaDB reads a (ts, id) IN list six
                // times slower), within the rows' times so that only their
                // days' partitions are searched: every partition has its own
                // id index, and by id alone a fold of 512 examined 4,674 rows.
                let flagged = try db.execute("UPDATE event SET counted = 1 WHERE id IN (" + ids.string
                    + ") AND ts BETWEEN \(oldest) AND \(newest) AND counted = 0")
                // Every one, unless a fold the lock does not exclude (another
                // Galera node's, a library of an earlier revision) flagged
                // some since the read: then nothing is committed, and it runs again.
                guard flagged == taken else {
                    throw MariaDBError(code: 1213, message: "a fold flagged \(flagged) of the \(taken) events it counted", sql: nil)
                }
                return taken
            }
            total += Int64(n)
            if n < foldRows { return total }
        }
    }

    /// A writer's fold (`FoldThread`, `MariaDBStore.foldIfDue`), unless a
    /// prune runs (`MariaDBPruneMark`): the prune folds anyway.
    static func foldUnlessPruning(_ db: MariaDBConnection) throws {
        if try !MariaDBPruneMark.isSet(db) { try fold(db) }
    }

    /// Rows one counter-deleting transaction takes at most.
    static let deleteRows = 2000

    /// Deletes the counters (and delivery keys) of the days before
    /// `cutoffDay`, which `prunedBefore` already hides, in short
    /// transactions: one long one slowed the writers' folds and held
    /// `el_log` (BENCHMARKS.md, the drop of a day). READ COMMITTED takes no
    /// gap locks, so a fold of today's counters never waits for it.
    static func deleteCounters(before cutoffDay: Int64, _ db: MariaDBConnection) throws {
        for table in ["count_day", "count_hour", "count_service_type_day", "count_service_category_day", "delivery"] {
            while try db.writeTransaction(isolation: "READ COMMITTED", {
                try db.execute("DELETE FROM \(table) WHERE ts < \(cutoffDay) LIMIT \(deleteRows)")
            }) == Int64(deleteRows) {}
        }
    }

    /// The exact total of `filter` (its `from` already at or after the
    /// store's `prunedBefore`); call inside the page's read snapshot.
    static func count(_ filter: Filter, scope: Scope, db: MariaDBConnection) throws -> Int64 {
        if let from = filter.from, let to = filter.to, from >= to { return 0 }
        let live = { (end: Filter) in "(" + liveSQL(end, scope, db) + ")" }
        let sql: String
        if CounterPeriod(filter, scope) == .serviceDay {
            sql = periodsSQL(filter, .serviceDay, scope, db, finer: live)
        } else {
            // Whole days from the day counters, whole hours at the ends from
            // the hour counters, the rest live (`serviceDay` is the day-long split).
            sql = periodsSQL(filter, .panelDay, scope, db) { end in
                periodsSQL(end, .panelHour, scope, db, finer: live)
            }
        }
        return try db.integer("SELECT " + sql) ?? 0
    }

    /// The count of `filter` as an SQL expression: the counters of its whole
    /// periods plus its partial ends counted by `finer`. An end longer than
    /// half a period joins the whole periods and the rest of its period is
    /// subtracted instead, so no end costs more than half a period of
    /// `finer` (every period's counters are exact, the current one's too:
    /// what they lack is still flagged uncounted).
    private static func periodsSQL(_ filter: Filter, _ counters: Counters, _ scope: Scope,
                                   _ db: MariaDBConnection, finer: (Filter) -> String) -> String {
        let period = counters.period
        if let from = filter.from, let to = filter.to, from >= to { return "0" }
        guard let split = period.split(filter) else { return finer(filter) }
        var whole = split.whole
        var added: [String] = [], subtracted: [String] = []
        for end in split.ends {  // each within one period
            guard let from = end.from, let to = end.to, from < to else { continue }
            guard to - from > period.length / 2 else {
                added.append(finer(end))
                continue
            }
            var rest = end
            if from == filter.from {  // the head: [start of its period, from) is the rest
                whole.from = CounterPeriod.floor(from, period.length)
                (rest.from, rest.to) = (whole.from, from)
            } else {                  // the tail: [to, end of its period)
                whole.to = CounterPeriod.ceil(to, period.length)
                (rest.from, rest.to) = (to, whole.to)
            }
            subtracted.append(finer(rest))
        }
        let counted = countedSQL(counters, whole, scope, db).map { "(\($0))" }
        return "(" + (counted + added).joined(separator: " + ") + subtracted.map { " - " + $0 }.joined() + ")"
    }

    /// Deep pages: a page past `seekFrom` events starts its walk of the
    /// time index at a period boundary found from the counters instead of
    /// stepping over every newer event (OFFSET reads each one).
    static let seekFrom: Int64 = 1000

    /// Where a deep page starts: the events before `before`, from
    /// `offset - skipped` on. `period` is the finest period the page starts
    /// in, with its events of the view before `before`.
    struct Seek {
        let before: Int64
        let skipped: Int64
        let period: (start: Int64, count: Int64)?

        /// The page of `perPage` events at `offset` of the view as a walk of
        /// the time index: the bound to add to the view, the offset into the
        /// walk and its order. A page in the older half of its period is
        /// read oldest first from the period's start (half a period to walk
        /// at most, not a whole one); the caller sorts the page newest first.
        func walk(offset: Int64, perPage: Int64) -> (condition: String, offset: Int64, order: String) {
            let offset = offset - skipped
            if let period, offset > period.count / 2, offset + perPage <= period.count {
                return ("e.ts < \(before) AND e.ts >= \(period.start)", period.count - offset - perPage, LogColumns.oldestFirst)
            }
            return ("e.ts < \(before)", offset, LogColumns.newestFirst)
        }
    }

    /// The newest period start `before` of `view` such that `skipped`, the
    /// number of its events at or after `before`, is at most `offset`.
    /// Days, then hours within the day for a view of the whole panel. nil
    /// when the counters cannot answer (a text search, no whole day).
    /// Call inside the page's read snapshot.
    static func seek(_ view: Filter, scope: Scope, offset: Int64, db: MariaDBConnection) throws -> Seek? {
        guard let days = CounterPeriod.serviceDay.split(view) else { return nil }
        var skipped: Int64 = 0
        if let to = view.to, let dayEnd = days.whole.to, dayEnd < to {  // the partial day at the top, live
            var top = view
            top.from = dayEnd
            skipped = try liveCount(top, scope: scope, db: db)
            guard skipped <= offset else { return nil }
        }
        let kind = CounterPeriod(view, scope)
        var before = days.whole.to
        var within = days.whole
        var next: (start: Int64, count: Int64)?
        for counters in kind == .hour ? [Counters.panelDay, .panelHour] : [.serviceDay] {
            let period = counters.period
            next = nil
            for (start, n) in try periodCounts(counters, within, scope, db) {
                guard skipped + n <= offset else {
                    next = (start, n)
                    break
                }
                skipped += n
                before = start
            }
            // Hours within the day the page starts in.
            guard let day = next?.start else { break }
            within.from = day
            within.to = day + period.length
        }
        guard let before, skipped > 0 || next != nil else { return nil }
        return Seek(before: before, skipped: skipped, period: next)
    }

    /// Events of `filter`'s whole periods per period, newest first: the
    /// counters and the uncounted events.
    private static func periodCounts(_ counters: Counters, _ filter: Filter, _ scope: Scope,
                                     _ db: MariaDBConnection) throws -> [(start: Int64, count: Int64)] {
        let length = counters.period.length
        let rows = try db.query("""
            SELECT p, SUM(n) FROM (
                SELECT e.ts AS p, e.n FROM \(counters.rows(filter, scope, db))
                UNION ALL
                \(uncountedSQL("e.ts - e.ts % \(length), 1", filter, scope, db))
            ) AS c GROUP BY p ORDER BY p DESC
            """)
        var counts: [(start: Int64, count: Int64)] = []
        while rows.next() { counts.append((rows.int64(0), rows.int64(1))) }
        return counts
    }

    /// The counters of whole periods, and the uncounted events in them.
    private static func countedSQL(_ counters: Counters, _ filter: Filter, _ scope: Scope, _ db: MariaDBConnection) -> [String] {
        ["SELECT COALESCE(SUM(e.n), 0) FROM " + counters.rows(filter, scope, db), uncountedSQL("COUNT(*)", filter, scope, db)]
    }

    /// `SELECT columns` over the events of `filter` no fold has counted
    /// yet, from their own index.
    private static func uncountedSQL(_ columns: String, _ filter: Filter, _ scope: Scope, _ db: MariaDBConnection) -> String {
        let (whereSQL, bindings) = filter.whereClause(scope, dialect: .mariadb)
        return db.render("SELECT \(columns) FROM event e FORCE INDEX (event_uncounted) WHERE e.counted = 0 AND \(whereSQL)", bindings)
    }

    /// The counters a total reads: the whole panel's days and hours, and
    /// days per service for a view limited to some services.
    private enum Counters {
        case panelDay, panelHour, serviceDay

        var period: CounterPeriod { self == .panelHour ? .hour : .serviceDay }

        /// `table e WHERE …`, the counter rows of `filter`. A service-day
        /// view reads the rows per category when it asks for whole
        /// categories (or every type) and no actor, per type otherwise.
        func rows(_ filter: Filter, _ scope: Scope, _ db: MariaDBConnection) -> String {
            switch self {
            case .panelDay: return Self.rows("count_day", filter.whereClause(scope, dialect: .mariadb), db)
            case .panelHour: return Self.rows("count_hour", filter.whereClause(scope, dialect: .mariadb), db)
            case .serviceDay:
                guard filter.actor == nil, let categories = Catalog.categories(exactly: filter.typeCodes) else {
                    return Self.rows("count_service_type_day", filter.whereClause(scope, dialect: .mariadb), db)
                }
                var anyType = filter
                anyType.typeCodes = nil
                let (whereSQL, bindings) = anyType.whereClause(scope, dialect: .mariadb)
                let condition = filter.typeCodes == nil ? "" : categories.isEmpty ? " AND 0"
                    : " AND e.category IN (" + categories.map { "'\($0.rawValue)'" }.joined(separator: ",") + ")"
                return Self.rows("count_service_category_day", (whereSQL + condition, bindings), db)
            }
        }

        private static func rows(_ table: String, _ condition: (sql: String, bindings: [SQLValue]), _ db: MariaDBConnection) -> String {
            db.render("\(table) e WHERE \(condition.sql)", condition.bindings)
        }
    }

    /// Counted from the index that holds every filtered column after the
    /// time (or service and time), so no row is read.
    private static func liveSQL(_ filter: Filter, _ scope: Scope, _ db: MariaDBConnection) -> String {
        if let from = filter.from, let to = filter.to, from >= to { return "SELECT 0" }
        let (whereSQL, bindings) = filter.whereClause(scope, dialect: .mariadb)
        let index = filter.text != nil ? "" : CounterPeriod(filter, scope) == .hour ? "FORCE INDEX (event_ts)" : "FORCE INDEX (event_service_ts)"
        return db.render("SELECT COUNT(*) FROM event e \(index) WHERE \(whereSQL)", bindings)
    }

    static func liveCount(_ filter: Filter, scope: Scope, db: MariaDBConnection) throws -> Int64 {
        try db.integer(liveSQL(filter, scope, db)) ?? 0
    }
}
