/// The event table's partitions: one per UTC day of event time, named
/// `pYYYYMMDD`, plus `pfuture` for anything later. Retention drops whole
/// days (a file each, no row-by-row delete); the days ahead are created at
/// open and at every prune. Two processes doing either at once is harmless:
/// the loser's statement fails on a name that exists (or is gone) and it
/// reads the list again. Both delete a partition's tablespace (the dropped
/// days, the old `pfuture`), so both run with InnoDB's purge paused (PurgePause).
enum MariaDBPartitions {
    static let day = Time.millisecondsPerDay
    /// Days created ahead of today (events may be stamped a day ahead).
    static let daysAhead: Int64 = 7

    static func name(ofDayStarting start: Int64) -> String {
        let date = Time.rfc3339(milliseconds: start).prefix(10)  // YYYY-MM-DD
        return "p" + date.filter { $0 != "-" }
    }

    private static func definition(_ start: Int64) -> String {
        "PARTITION \(name(ofDayStarting: start)) VALUES LESS THAN (\(start + day))"
    }

    /// The partition clause of a new event table: the first day holds
    /// everything older, then a partition per day up to `daysAhead`.
    static func initialClause(firstDay: Int64, now: Int64) -> String {
        let last = CounterPeriod.floor(now, day) + daysAhead * day
        var parts: [String] = []
        var d = CounterPeriod.floor(firstDay, day)
        while d <= last {
            parts.append(definition(d))
            d += day
        }
        parts.append("PARTITION pfuture VALUES LESS THAN MAXVALUE")
        return "PARTITION BY RANGE (ts) (\n" + parts.joined(separator: ",\n") + "\n)"
    }

    /// The day partitions now: (name, exclusive upper bound), in order.
    static func list(_ db: MariaDBConnection) throws -> [(name: String, end: Int64)] {
        let result = try db.query("""
            SELECT partition_name, partition_description FROM information_schema.partitions
            WHERE table_schema = DATABASE() AND table_name = 'event' AND partition_description <> 'MAXVALUE'
            ORDER BY partition_ordinal_position
            """)
        var days: [(String, Int64)] = []
        while result.next() { if let name = result.text(0) { days.append((name, result.int64(1))) } }
        return days
    }

    /// Creates the days up to `daysAhead` after `now` that are missing. The
    /// store's `partitionsThrough` setting says how far they go, so that an
    /// open reads the partition list (information_schema, slow and, on
    /// Debian 12's 10.11, seen to crash the server under load) only when
    /// fewer than half the days ahead are left.
    static func addAhead(_ db: MariaDBConnection, now: Int64) throws {
        let last = CounterPeriod.floor(now, day) + daysAhead * day
        if let through = try db.integer("SELECT v FROM setting WHERE k = 'partitionsThrough'"), through > last - daysAhead / 2 * day {
            return
        }
        for _ in 0..<3 {
            guard let newestEnd = try list(db).last?.end else { return }
            if newestEnd > last {
                try MariaDBSchema.raiseSetting("partitionsThrough", to: newestEnd, db)
                return
            }
            var parts: [String] = []
            var d = newestEnd
            while d <= last {
                parts.append(definition(d))
                d += day
            }
            do {
                try PurgePause.during(db) { () throws(MariaDBError) in
                    try db.execute("""
                        ALTER TABLE event REORGANIZE PARTITION pfuture INTO (
                        \(parts.joined(separator: ",\n")),
                        PARTITION pfuture VALUES LESS THAN MAXVALUE)
                        """)
                }
            } catch {
                // Another process added them first: look again.
                guard [1493, 1517, 1508].contains(error.code) else { throw error }
            }
        }
    }

    /// Drops the days that end at or before `cutoffDay`; returns their names.
    static func drop(_ db: MariaDBConnection, before cutoffDay: Int64) throws -> [String] {
        var dropped: [String] = []
        for _ in 0..<3 {
            let old = try list(db).filter { $0.end <= cutoffDay }.map(\.name)
            guard !old.isEmpty else { return dropped }
            do {
                try PurgePause.during(db) { () throws(MariaDBError) in
                    try db.execute("ALTER TABLE event DROP PARTITION \(old.joined(separator: ", "))")
                }
                dropped += old
                return dropped
            } catch {
                // Another prune dropped some first: look again.
                guard error.code == 1507 else { throw error }
            }
        }
        return dropped
    }
}
