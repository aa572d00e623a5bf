/// Exact totals on MariaDB, without counting millions of rows.
///
/// Ids are not in commit order here (InnoDB hands them out at insert, and a
/// Galera cluster interleaves its nodes' ids), so there is no watermark:
/// the counters are kept in the transaction that stores the events, and are
/// exact whenever that transaction is visible. A page's read snapshot sees
/// counters and rows together:
///
///     total = Σ counters of the whole periods of the range
///           + events of the partial periods at both ends, counted live
///
/// Days for the whole panel (`count_day`), hours at the ends of the range
/// (`count_hour`), days per service for scoped views (`count_service_day`).
/// Each connection adds to its own slot of a counter (a random one of
/// `slots`), so that writers on different connections and different nodes do
/// not wait on, or conflict over, one row; a read sums the slots. Event
/// times never enter through a clock of the reader, so clocks that differ
/// between hosts cannot make totals drift. The prune drops a day's events
/// only after a committed `prunedBefore` hides them from every read and its
/// counters are gone with it (see MariaDBStore.prune).
enum MariaDBTotals {
    static let slots: Int64 = 8
    static let hour: Int64 = 3_600_000
    static let day = Time.millisecondsPerDay

    /// How many events each counter row gains from a set of new events.
    struct Increments {
        var days: [Key: Int64] = [:]
        var hours: [Key: Int64] = [:]
        var serviceDays: [Key: Int64] = [:]

        struct Key: Hashable {
            let serviceId: Int64
            let ts: Int64
            let type: Int64
            let actor: Int64
        }

        mutating func add(ts: Int64, type: Int64, actor: Int64, serviceId: Int64) {
            let d = CounterPeriod.floor(ts, day)
            days[Key(serviceId: 0, ts: d, type: type, actor: actor), default: 0] += 1
            hours[Key(serviceId: 0, ts: CounterPeriod.floor(ts, hour), type: type, actor: actor), default: 0] += 1
            serviceDays[Key(serviceId: serviceId, ts: d, type: type, actor: actor), default: 0] += 1
        }

        /// The upserts, to run in the transaction that stores the events.
        func sql(slot: Int64) -> String {
            func upsert(_ table: String, _ counts: [Key: Int64], service: Bool) -> String {
                let rows = counts.map { k, n in
                    service ? "(\(k.serviceId),\(k.ts),\(k.type),\(k.actor),\(slot),\(n))" : "(\(k.ts),\(k.type),\(k.actor),\(slot),\(n))"
                }
                return "INSERT INTO \(table) (\(service ? "service_id, " : "")ts, type, actor_type, slot, n) VALUES "
                    + rows.joined(separator: ",") + " ON DUPLICATE KEY UPDATE n = n + VALUES(n)"
            }
            guard !days.isEmpty else { return "" }
            return [upsert("count_day", days, service: false), upsert("count_hour", hours, service: false),
                    upsert("count_service_day", serviceDays, service: true)].joined(separator: ";\n")
        }
    }

    /// The exact total of `filter` (its `from` already at or after the
    /// store's `prunedBefore`); call inside the page's read snapshot.
    static func count(_ filter: Filter, scope: Scope, db: MariaDBConnection) throws -> Int64 {
        if let from = filter.from, let to = filter.to, from >= to { return 0 }
        let kind = CounterPeriod(filter, scope)
        var parts: [String] = []
        if kind == .serviceDay {
            guard let split = kind.split(filter) else { return try liveCount(filter, scope: scope, db: db) }
            parts.append(countersSQL("count_service_day", split.whole, scope, db))
            parts += split.ends.map { liveSQL($0, scope, db) }
        } else {
            // Whole days from the day counters, whole hours at the ends from
            // the hour counters, the rest live.
            guard let days = CounterPeriod.serviceDay.split(filter) else { return try hourCount(filter, scope: scope, db: db) }
            parts.append(countersSQL("count_day", days.whole, scope, db))
            for end in days.ends { parts.append(hourSQL(end, scope, db)) }
        }
        return try db.integer("SELECT " + parts.map { "(\($0))" }.joined(separator: " + ")) ?? 0
    }

    private static func hourCount(_ filter: Filter, scope: Scope, db: MariaDBConnection) throws -> Int64 {
        try db.integer("SELECT (\(hourSQL(filter, scope, db)))") ?? 0
    }

    private static func hourSQL(_ filter: Filter, _ scope: Scope, _ db: MariaDBConnection) -> String {
        if let from = filter.from, let to = filter.to, from >= to { return "0" }
        guard let hours = CounterPeriod.hour.split(filter) else { return liveSQL(filter, scope, db) }
        return ([countersSQL("count_hour", hours.whole, scope, db)] + hours.ends.map { liveSQL($0, scope, db) })
            .map { "(\($0))" }.joined(separator: " + ")
    }

    private static func countersSQL(_ table: String, _ filter: Filter, _ scope: Scope, _ db: MariaDBConnection) -> String {
        let (whereSQL, bindings) = filter.whereClause(scope, dialect: .mariadb)
        return db.render("SELECT COALESCE(SUM(e.n), 0) FROM \(table) e WHERE \(whereSQL)", bindings)
    }

    /// Counted from the index that holds every filtered column after the
    /// time (or service and time), so no row is read.
    private static func liveSQL(_ filter: Filter, _ scope: Scope, _ db: MariaDBConnection) -> String {
        if let from = filter.from, let to = filter.to, from >= to { return "0" }
        let (whereSQL, bindings) = filter.whereClause(scope, dialect: .mariadb)
        let index = filter.text != nil ? "" : CounterPeriod(filter, scope) == .hour ? "FORCE INDEX (event_ts)" : "FORCE INDEX (event_service_ts)"
        return db.render("SELECT COUNT(*) FROM event e \(index) WHERE \(whereSQL)", bindings)
    }

    static func liveCount(_ filter: Filter, scope: Scope, db: MariaDBConnection) throws -> Int64 {
        try db.integer(liveSQL(filter, scope, db)) ?? 0
    }

    /// Folds every slot of the counters before `before` into slot 0 (the
    /// maintenance task's tidying: old periods are read often and written
    /// rarely). Exact at every step: one transaction per table.
    static func settle(before: Int64, db: MariaDBConnection) throws {
        for (table, key) in [("count_day", "ts, type, actor_type"), ("count_hour", "ts, type, actor_type"),
                             ("count_service_day", "service_id, ts, type, actor_type")] {
            try db.writeTransaction {
                try db.execute("""
                    INSERT INTO \(table) (\(key), slot, n)
                    SELECT \(key), 0, SUM(n) FROM \(table) WHERE ts < \(before) AND slot <> 0 GROUP BY \(key)
                    ON DUPLICATE KEY UPDATE n = n + VALUES(n);
                    DELETE FROM \(table) WHERE ts < \(before) AND slot <> 0
                    """)
            }
        }
    }
}
