/// Exact totals for pages, without counting millions of rows.
///
/// Closed periods (hours for views across all services, days per service for
/// scoped views) are counted once into counter tables, on demand, and the
/// counts are summed; only the partial periods at both ends of a range (and
/// the period still open) are counted live, from the covering indexes.
///
/// Counting is done in short write transactions: a whole hour, or one day of
/// a run of services, so the write lock is held for milliseconds. An event
/// logged into a period that is already counted (an event stamped in the
/// past) adds itself to the counts in its own transaction, so counts are
/// exact without recounting; prune drops the counts of the periods it
/// touches. Nothing happens on the path of `el_log` for events stamped now.
enum Totals {
    enum Kind: Int64 {
        case hour = 0        // count_hour: all services, per type and actor
        case serviceDay = 1  // count_service_day: per service, type and actor

        var length: Int64 { self == .hour ? 3_600_000 : Time.millisecondsPerDay }
        var table: String { self == .hour ? "count_hour" : "count_service_day" }
    }

    /// How long after its end a period is counted. `el_log` stores an event
    /// of the current hour in one autocommit statement, without asking
    /// whether its hour is counted; the statement may wait up to
    /// busyTimeoutMs (at most 10 minutes) for the write lock, so no such
    /// event can still arrive once a period is this far in the past.
    /// Events stamped earlier go through `countLate` under the lock.
    static let settleMargin: Int64 = 11 * 60_000

    /// Services counted per fill transaction of a service day.
    static let servicesPerChunk = 50

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
        let fullEnd = min(floor(filter.to ?? Time.maxMilliseconds, kind.length), floor(now - settleMargin, kind.length))
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
            "SELECT count(*) FROM counted_period WHERE kind = ? AND ts >= ? AND ts < ? AND complete",
            [.integer(plan.kind.rawValue), .integer(plan.fullStart), .integer(plan.fullEnd)]) ?? 0
        // A prune since the fill dropped some of them: count live.
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

    /// Counts from the index that holds every filtered column after the time
    /// (or service and time), so no row is read; left to itself SQLite takes
    /// the type index and reads a row per match.
    static func liveCount(_ filter: Filter, scope: Scope, db: Connection) throws -> Int64 {
        if let from = filter.from, let to = filter.to, from >= to { return 0 }
        let (whereSQL, bindings) = filter.whereClause(scope)
        let index = scope.predicate == "1" && filter.serviceId == nil ? "event_ts" : "event_service_ts"
        return try db.integer("SELECT count(*) FROM event e INDEXED BY \(index) WHERE \(whereSQL)", bindings) ?? 0
    }

    /// Counts the closed periods of [from, to) that are not complete yet.
    /// `pausing`: between chunks, let waiting writers in (the daily prune;
    /// a page waiting for its total does not pause).
    static func fill(_ kind: Kind, from: Int64, to: Int64, db: Connection, pausing: Bool = false) throws {
        let complete = try db.statement("SELECT ts FROM counted_period WHERE kind = ? AND ts >= ? AND ts < ? AND complete")
        try complete.bind([.integer(kind.rawValue), .integer(from), .integer(to)])
        var done = Set<Int64>()
        while try complete.step() { done.insert(complete.int64(0)) }
        complete.reset()

        var period = from
        while period < to {
            if !done.contains(period) {
                while try !fillChunk(kind, period: period, db: db) {
                    if pausing { db.letWaitingWritersIn() }
                }
                if pausing { db.letWaitingWritersIn() }
            }
            period += kind.length
        }
    }

    /// Counts every settled period of the store (the daily prune calls this),
    /// so that pages rarely wait for a fill.
    static func fillSettled(db: Connection) throws {
        guard let first = try db.integer("SELECT min(ts) FROM event") else { return }
        let now = Time.nowMilliseconds()
        for kind in [Kind.hour, .serviceDay] {
            try fill(kind, from: floor(first, kind.length), to: floor(now - settleMargin, kind.length), db: db, pausing: true)
        }
    }

    /// Counts the next part of a period; true once the period is complete.
    /// Runs under the write lock, so it cannot race an event being logged.
    static func fillChunk(_ kind: Kind, period: Int64, db: Connection, services: Int = servicesPerChunk) throws -> Bool {
        try db.writeTransaction {
            // Only settled periods are counted (read under the lock).
            guard period + kind.length + settleMargin <= Time.nowMilliseconds() else { return true }
            let progress = try db.statement("SELECT through, complete FROM counted_period WHERE kind = ? AND ts = ?")
                .firstRow([.integer(kind.rawValue), .integer(period)]) { (through: $0.int64(0), complete: $0.int64(1) != 0) }
            if progress?.complete == true { return true }
            let range: [SQLValue] = [.integer(period), .integer(period + kind.length)]
            switch kind {
            case .hour:
                try db.statement("DELETE FROM count_hour WHERE ts = ?").run([.integer(period)])
                try db.statement("""
                    INSERT INTO count_hour (ts, type, actor_type, n)
                    SELECT ?1, type, actor_type, count(*) FROM event WHERE ts >= ?1 AND ts < ?2 GROUP BY type, actor_type
                    """).run(range)
                try mark(kind, period, through: 0, complete: true, db: db)
                return true
            case .serviceDay:
                // The next run of services (one index seek each), then their
                // events of that day, read from event_service_ts, so the counts
                // of one transaction land next to each other.
                let after = progress?.through ?? Int64.min
                if progress == nil { try db.statement("DELETE FROM count_service_day WHERE ts = ?").run([.integer(period)]) }
                let next = try db.statement("""
                    WITH RECURSIVE next (id, k) AS (
                        SELECT (SELECT min(service_id) FROM event WHERE service_id > ?1), 1
                        UNION ALL
                        SELECT (SELECT min(service_id) FROM event WHERE service_id > next.id), k + 1
                        FROM next WHERE next.id IS NOT NULL AND k < ?2)
                    SELECT id FROM next WHERE id IS NOT NULL
                    """)
                try next.bind([.integer(after), .integer(Int64(services))])
                var services: [Int64] = []
                while try next.step() { services.append(next.int64(0)) }
                next.reset()
                guard let last = services.last else {
                    try mark(kind, period, through: after, complete: true, db: db)
                    return true
                }
                try db.statement("""
                    INSERT INTO count_service_day (service_id, ts, type, actor_type, n)
                    SELECT service_id, ?1, type, actor_type, count(*) FROM event
                    WHERE service_id IN (SELECT value FROM json_each(?3)) AND ts >= ?1 AND ts < ?2
                    GROUP BY service_id, type, actor_type
                    """).run(range + [.text("[" + services.map(String.init).joined(separator: ",") + "]")])
                try mark(kind, period, through: last, complete: false, db: db)
                return false
            }
        }
    }

    private static func mark(_ kind: Kind, _ period: Int64, through: Int64, complete: Bool, db: Connection) throws {
        try db.statement("INSERT OR REPLACE INTO counted_period (kind, ts, through, complete) VALUES (?, ?, ?, ?)")
            .run([.integer(kind.rawValue), .integer(period), .integer(through), .integer(complete ? 1 : 0)])
    }

    /// Called inside the write transaction that logs an event stamped before
    /// the current hour: if its period is already counted, it counts itself.
    static func countLate(_ e: Event, db: Connection) throws {
        let hour = floor(e.timestamp, Kind.hour.length)
        let day = floor(e.timestamp, Kind.serviceDay.length)
        let marks = try db.statement("SELECT kind, through, complete FROM counted_period WHERE (kind = 0 AND ts = ?1) OR (kind = 1 AND ts = ?2)")
        try marks.bind([.integer(hour), .integer(day)])
        var hourCounted = false, dayCounted = false
        while try marks.step() {
            if marks.int64(0) == Kind.hour.rawValue { hourCounted = true }
            else { dayCounted = marks.int64(2) != 0 || e.serviceId <= marks.int64(1) }
        }
        marks.reset()
        let key: [SQLValue] = [.integer(e.type.code), .integer(e.actor.type.code)]
        if hourCounted {
            try db.statement("INSERT INTO count_hour (ts, type, actor_type, n) VALUES (?, ?, ?, 1) ON CONFLICT DO UPDATE SET n = n + 1")
                .run([.integer(hour)] + key)
        }
        if dayCounted {
            try db.statement("INSERT INTO count_service_day (service_id, ts, type, actor_type, n) VALUES (?, ?, ?, ?, 1) ON CONFLICT DO UPDATE SET n = n + 1")
                .run([.integer(e.serviceId), .integer(day)] + key)
        }
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
