/// Exact totals for pages, without counting millions of rows.
///
/// Closed periods (hours for views across all services, days per service for
/// scoped views) are counted once into counter tables, on demand, and the
/// counts are summed; only the partial periods at both ends of a range (and
/// the period still open) are counted live, from the covering time indexes.
///
/// A period is trusted only while `counted_period` says it is complete.
/// Logging an event into a closed period (an event stamped in the past)
/// deletes that mark in the same transaction, and so does prune, so a count
/// is never stale: the period is simply counted again when next needed.
/// Nothing happens on the hot path of `el_log` for events stamped now.
enum Totals {
    enum Kind: Int64 {
        case hour = 0        // count_hour: all services, per type and actor
        case serviceDay = 1  // count_service_day: per service, type and actor

        var length: Int64 { self == .hour ? 3_600_000 : Time.millisecondsPerDay }
        var table: String { self == .hour ? "count_hour" : "count_service_day" }
    }

    /// Each fill transaction reads at most one hour of events, so it holds the
    /// write lock for milliseconds even on a large store.
    static let fillChunk: Int64 = 3_600_000

    /// The closed periods a total can take from the counters.
    struct Plan {
        let kind: Kind
        let fullStart: Int64
        let fullEnd: Int64
    }

    /// Decides which periods of the filter's range are summed from counters,
    /// and counts those not counted yet. Call outside any transaction: the
    /// fills are write transactions of their own. Nil: count everything live.
    static func plan(_ filter: Filter, scope: Scope, db: Connection, now: Int64) throws -> Plan? {
        guard filter.text == nil, let first = try db.integer("SELECT min(ts) FROM event") else { return nil }
        let kind: Kind = scope.predicate == "1" && filter.serviceId == nil ? .hour : .serviceDay
        // No event is older than `first`, so its period counts as whole.
        let fullStart = ceil(max(filter.from ?? Int64.min, floor(first, kind.length)), kind.length)
        let fullEnd = min(floor(filter.to ?? Time.maxMilliseconds, kind.length), floor(now, kind.length))
        guard fullEnd > fullStart else { return nil }
        try fill(kind, from: fullStart, to: fullEnd, db: db)
        return Plan(kind: kind, fullStart: fullStart, fullEnd: fullEnd)
    }

    /// The exact total; call inside the read transaction that also reads the
    /// page, so that the total matches the rows.
    static func count(_ filter: Filter, scope: Scope, plan: Plan?, db: Connection) throws -> Int64 {
        guard let plan else { return try liveCount(filter, scope: scope, db: db) }
        let periods = (plan.fullEnd - plan.fullStart) / plan.kind.length
        let complete = try db.integer(
            "SELECT count(*) FROM counted_period WHERE kind = ? AND ts >= ? AND ts < ? AND filled_to = ts + ?",
            [.integer(plan.kind.rawValue), .integer(plan.fullStart), .integer(plan.fullEnd), .integer(plan.kind.length)]) ?? 0
        // An event logged into one of the periods since the fill: count live.
        guard complete == periods else { return try liveCount(filter, scope: scope, db: db) }

        var counted = filter
        counted.from = plan.fullStart
        counted.to = plan.fullEnd
        let (whereSQL, bindings) = counted.whereClause(scope)
        let summed = try db.integer("SELECT COALESCE(sum(e.n), 0) FROM \(plan.kind.table) e WHERE \(whereSQL)", bindings) ?? 0

        var head = filter, tail = filter
        head.to = plan.fullStart
        tail.from = plan.fullEnd
        return summed + (try liveCount(head, scope: scope, db: db)) + (try liveCount(tail, scope: scope, db: db))
    }

    static func liveCount(_ filter: Filter, scope: Scope, db: Connection) throws -> Int64 {
        if let from = filter.from, let to = filter.to, from >= to { return 0 }
        let (whereSQL, bindings) = filter.whereClause(scope)
        return try db.integer("SELECT count(*) FROM event e WHERE \(whereSQL)", bindings) ?? 0
    }

    /// Counts the closed periods of [from, to) that are not complete yet, an
    /// hour of events per write transaction.
    static func fill(_ kind: Kind, from: Int64, to: Int64, db: Connection) throws {
        let complete = try db.statement("SELECT ts FROM counted_period WHERE kind = ? AND ts >= ? AND ts < ? AND filled_to = ts + ?")
        try complete.bind([.integer(kind.rawValue), .integer(from), .integer(to), .integer(kind.length)])
        var done = Set<Int64>()
        while try complete.step() { done.insert(complete.int64(0)) }
        complete.reset()

        var period = from
        while period < to {
            if !done.contains(period) {
                while try !fillChunk(kind, period: period, db: db) {}
            }
            period += kind.length
        }
    }

    /// Adds one chunk of a period's events to its counts; true once complete.
    /// Runs under the write lock, so it cannot race a late event's invalidation.
    private static func fillChunk(_ kind: Kind, period: Int64, db: Connection) throws -> Bool {
        try db.writeTransaction {
            // Only periods closed by the clock read under the lock are counted.
            guard period + kind.length <= Time.nowMilliseconds() else { return true }
            let mark = try db.statement("SELECT filled_to FROM counted_period WHERE kind = ? AND ts = ?")
                .firstRow([.integer(kind.rawValue), .integer(period)]) { $0.int64(0) }
            let start: Int64
            if let mark {
                start = mark
            } else {
                try db.statement("DELETE FROM \(kind.table) WHERE ts = ?").run([.integer(period)])
                start = period
            }
            let end = min(start + fillChunk, period + kind.length)
            guard start < end else { return true }
            let sql = switch kind {
            case .hour: """
                INSERT INTO count_hour (ts, type, actor_type, n)
                SELECT ?1, type, actor_type, count(*) FROM event WHERE ts >= ?2 AND ts < ?3 GROUP BY type, actor_type
                ON CONFLICT DO UPDATE SET n = n + excluded.n
                """
            case .serviceDay: """
                INSERT INTO count_service_day (ts, service_id, type, actor_type, n)
                SELECT ?1, service_id, type, actor_type, count(*) FROM event WHERE ts >= ?2 AND ts < ?3
                GROUP BY service_id, type, actor_type
                ON CONFLICT DO UPDATE SET n = n + excluded.n
                """
            }
            try db.statement(sql).run([.integer(period), .integer(start), .integer(end)])
            try db.statement("INSERT OR REPLACE INTO counted_period (kind, ts, filled_to) VALUES (?, ?, ?)")
                .run([.integer(kind.rawValue), .integer(period), .integer(end)])
            return end == period + kind.length
        }
    }

    /// Called inside the write transaction that logs an event stamped before
    /// `now`'s hour: its hour and day are no longer complete.
    static func invalidate(timestamp: Int64, db: Connection) throws {
        try db.statement("DELETE FROM counted_period WHERE (kind = 0 AND ts = ?1) OR (kind = 1 AND ts = ?2)")
            .run([.integer(floor(timestamp, Kind.hour.length)), .integer(floor(timestamp, Kind.serviceDay.length))])
    }

    /// After prune: counts of periods that lost events go too.
    static func forget(before cutoff: Int64, db: Connection) throws {
        try db.writeTransaction {
            for kind in [Kind.hour, .serviceDay] {
                let end = ceil(cutoff, kind.length)
                try db.statement("DELETE FROM counted_period WHERE kind = ? AND ts < ?").run([.integer(kind.rawValue), .integer(end)])
                try db.statement("DELETE FROM \(kind.table) WHERE ts < ?").run([.integer(end)])
            }
        }
    }

    static func floor(_ t: Int64, _ unit: Int64) -> Int64 {
        let q = t / unit
        return (t % unit != 0 && t < 0 ? q - 1 : q) * unit
    }

    static func ceil(_ t: Int64, _ unit: Int64) -> Int64 {
        let f = floor(t, unit)
        return f == t ? t : f + unit
    }
}
