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
    ///
    /// Each day's rows first leave the event table for a table of their own
    /// (`EXCHANGE PARTITION` with an empty one, a rename that holds the
    /// event table a few ms), then the emptied partitions are dropped, then
    /// those tables. What makes a drop slow, InnoDB letting go of a day's
    /// pages and file (60-100 ms for a day of a 10M-event store, right after
    /// a read of the whole table), so happens under a lock no writer needs.
    /// If a day cannot be moved out (a view of that name in the way, a user
    /// without the CREATE privilege), its rows are dropped with its
    /// partition as before.
    static func drop(_ db: MariaDBConnection, before cutoffDay: Int64) throws -> [String] {
        var dropped: [String] = []
        for _ in 0..<3 {
            let old = try list(db).filter { $0.end <= cutoffDay }.map(\.name)
            guard !old.isEmpty else { break }
            do {
                for name in old { try moveOut(name, db) }
                try PurgePause.during(db) { () throws(MariaDBError) in
                    try db.execute("ALTER TABLE event DROP PARTITION \(old.joined(separator: ", "))")
                }
                dropped += old
                break
            } catch {
                // Another prune dropped some first: look again.
                guard error.code == 1507 else { throw error }
            }
        }
        // Also those a prune killed after the exchange left behind.
        try dropMovedOut(db)
        return dropped
    }

    /// Where a day's rows wait for their `DROP TABLE`.
    static let movedOutPrefix = "event_expired_"

    /// Moves the day partition `name` out into an empty table of the event
    /// table's shape. A prune running at the same time may move it back or
    /// take the table away; either way the rows are a hidden day's, dropped
    /// with the partition or the table.
    private static func moveOut(_ name: String, _ db: MariaDBConnection) throws(MariaDBError) {
        let table = movedOutPrefix + name
        do {
            try db.execute("DROP TABLE IF EXISTS \(table)")
            try db.execute(try shape(of: table, db))
            try db.execute("ALTER TABLE event EXCHANGE PARTITION \(name) WITH TABLE \(table)")
        } catch let error where !error.isConnectionLost && error.code != 1507 {
            return  // the rows stay and go with the partition, the slow way
        }
    }

    /// `CREATE TABLE` for `table`: the event table's definition as the server
    /// holds it (migrations included), without its partitions.
    private static func shape(of table: String, _ db: MariaDBConnection) throws(MariaDBError) -> String {
        let result = try db.query("SHOW CREATE TABLE event")
        let head = Array("CREATE TABLE `event` (".utf8), partitioning = Array("PARTITION BY".utf8)
        guard result.next(), let create = result.bytes(1).map(Array.init), create.starts(with: head),
              let end = create.indices.dropFirst(head.count).first(where: { create[$0...].starts(with: partitioning) }) else {
            throw MariaDBError(code: 0, message: "the event table's definition has an unexpected form", sql: "SHOW CREATE TABLE event")
        }
        var definition = create[head.count..<end]
        // MySQL writes the clause inside a version comment.
        while let last = definition.last, last == 0x20 || last == 0x0A { definition.removeLast() }
        let comment = Array("/*!50100".utf8)
        if definition.count >= comment.count, definition.suffix(comment.count).elementsEqual(comment) { definition.removeLast(comment.count) }
        return "CREATE TABLE \(table) (" + String(decoding: definition, as: UTF8.self)
    }

    private static func dropMovedOut(_ db: MariaDBConnection) throws(MariaDBError) {
        let pattern = movedOutPrefix.split(separator: "_", omittingEmptySubsequences: false).joined(separator: "\\_") + "%"
        let result = try db.query("SHOW FULL TABLES LIKE '\(pattern)'")
        var tables: [String] = []
        while result.next() { if let t = result.text(0), result.text(1) == "BASE TABLE" { tables.append(t) } }
        for table in tables { try db.execute("DROP TABLE IF EXISTS \(table)") }
    }
}
