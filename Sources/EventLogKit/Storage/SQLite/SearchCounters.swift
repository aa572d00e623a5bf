/// Counts of the words of events, kept behind the writers, so that a text
/// search (`q`) gets its exact total and its page without reading every row
/// of its view (`SearchIndex` reads them).
///
/// Per token (`SearchTokens`): events per hour (`search_count_hour`), and,
/// while the token is rare (never more than `postedPerHour` events in an
/// hour), the ids of its events, in one contentless FTS5 table a day
/// (`search_posting_<day>`, listed in `search_posting_day`; a day the prune
/// emptied is dropped whole, as FTS5 cannot delete from a contentless
/// table). The dictionary `search_token` has an FTS5 trigram index, through
/// which a needle finds the tokens that contain it, and a sample of trigram
/// frequencies (`search_trigram`) to pick the needle's rarest trigrams.
///
/// Every event with an id up to the watermark `searchCountedThrough` is
/// counted; a search reads the events above it live, so its totals are
/// exact however far behind the counting is. Counting is the work of a
/// thread of the handle that logs (`SearchCounterThread`) and of the prune;
/// never of `el_log`, which keeps its speed, nor of a reader. The prune
/// takes the events it deletes out of the hour counters in its batch's
/// transaction, so a prune killed at any point leaves them exact.
enum SearchCounters {
    static let watermarkKey = "searchCountedThrough"
    /// Events counted per write transaction.
    static let chunkEvents = 1000
    /// A token with more events than this in an hour is no longer posted:
    /// its events are found through the hours, newest first.
    static let postedPerHour: Int64 = 32
    /// One new token in this many adds its trigrams to the sample.
    static let trigramSampleEvery: Int64 = 16
    static let hourLength = CounterPeriod.hour.length

    static func countedThrough(_ db: Connection) throws -> Int64 {
        try db.integer("SELECT value FROM setting WHERE key = '\(watermarkKey)'") ?? 0
    }

    static func postingTable(day: Int64) -> String { "search_posting_\(day)" }
    static func day(_ ts: Int64) -> Int64 { CounterPeriod.floor(ts, Time.millisecondsPerDay) / Time.millisecondsPerDay }

    /// The next events to count, tokenized, and the ids of the tokens
    /// already known, read without the write lock.
    struct Chunk {
        let after: Int64
        var through: Int64 = 0
        var events: [(id: Int64, ts: Int64, tokens: [String])] = []
        var known: [String: Int64] = [:]
    }

    /// Reads the next chunk in a read transaction of its own; nil when
    /// every event is counted.
    static func read(_ db: Connection) throws -> Chunk? {
        try db.beginRead()
        defer { db.endRead() }
        var chunk = Chunk(after: try countedThrough(db))
        let rows = try db.statement("SELECT id, ts, dj_name, source_ip, message FROM event WHERE id > ?1 ORDER BY id LIMIT \(chunkEvents)")
        try rows.bind([.integer(chunk.after)])
        defer { rows.reset() }
        while try rows.step() {
            chunk.events.append((rows.int64(0), rows.int64(1), Array(SearchTokens.of([rows.text(2), rows.text(3), rows.text(4)]))))
        }
        guard let last = chunk.events.last else { return nil }
        chunk.through = last.id
        let lookUp = try db.statement("SELECT id FROM search_token WHERE token = ?1")
        for event in chunk.events {
            for token in event.tokens where chunk.known[token] == nil {
                if let id = try lookUp.firstRow([.text(token)], { $0.int64(0) }) { chunk.known[token] = id }
            }
        }
        return chunk
    }

    /// Adds a chunk to the counters and moves the watermark past it; call
    /// inside a write transaction. False, with nothing written, if another
    /// connection counted since the chunk was read (read it again).
    static func write(_ chunk: Chunk, db: Connection) throws -> Bool {
        guard try countedThrough(db) == chunk.after else { return false }
        var ids = chunk.known
        let newToken = try db.statement("INSERT INTO search_token (token) VALUES (?1) ON CONFLICT DO NOTHING RETURNING id")
        let existing = try db.statement("SELECT id FROM search_token WHERE token = ?1")
        let trigramIndex = try db.statement("INSERT INTO search_token_trigram (rowid, token) VALUES (?1, ?2)")
        let sample = try db.statement("INSERT INTO search_trigram (trigram, tokens) VALUES (?1, 1) ON CONFLICT DO UPDATE SET tokens = tokens + 1")
        var hours: [HourKey: Int64] = [:]
        for event in chunk.events {
            for token in event.tokens {
                let id: Int64
                if let known = ids[token] {
                    id = known
                } else if let added = try newToken.firstRow([.text(token)], { $0.int64(0) }) {
                    id = added
                    try trigramIndex.run([.integer(id), .text(token)])
                    trigramIndex.reset()
                    if id % trigramSampleEvery == 0 {
                        for trigram in Set(SearchTokens.trigrams(token)) {
                            try sample.run([.text(trigram)])
                            sample.reset()
                        }
                    }
                    ids[token] = id
                } else {
                    // Stored after the chunk's look-up (by nothing this library
                    // does, the watermark being unchanged): use its id.
                    guard let found = try existing.firstRow([.text(token)], { $0.int64(0) }) else { continue }
                    id = found
                    ids[token] = id
                }
                hours[HourKey(ts: CounterPeriod.floor(event.ts, hourLength), token: id), default: 0] += 1
            }
        }
        // Upserted in key order; a token past `postedPerHour` stops being posted.
        let upsert = try db.statement("""
            INSERT INTO search_count_hour (ts, token_id, n) VALUES (?1, ?2, ?3)
            ON CONFLICT DO UPDATE SET n = n + excluded.n RETURNING n
            """)
        var busy = Set<Int64>()
        for (key, n) in hours.sorted(by: { ($0.key.ts, $0.key.token) < ($1.key.ts, $1.key.token) }) {
            if let total = try upsert.firstRow([.integer(key.ts), .integer(key.token), .integer(n)], { $0.int64(0) }), total > postedPerHour {
                busy.insert(key.token)
            }
        }
        let unpost = try db.statement("UPDATE search_token SET posted = 0 WHERE id = ?1 AND posted = 1")
        for token in busy {
            try unpost.run([.integer(token)])
            unpost.reset()
        }
        try post(chunk, ids: ids, db: db)
        try db.setSetting(watermarkKey, chunk.through)
        return true
    }

    fileprivate struct HourKey: Hashable { let ts: Int64, token: Int64 }

    /// Writes the chunk's events that hold posted tokens into their days' posting tables.
    private static func post(_ chunk: Chunk, ids: [String: Int64], db: Connection) throws {
        let posted = try db.statement("SELECT posted FROM search_token WHERE id = ?1")
        var isPosted: [Int64: Bool] = [:]
        var tables: Set<Int64> = []
        for event in chunk.events {
            var terms: [String] = []
            for token in event.tokens {
                guard let id = ids[token] else { continue }
                if isPosted[id] == nil { isPosted[id] = try posted.firstRow([.integer(id)], { $0.int64(0) == 1 }) ?? false }
                if isPosted[id] == true { terms.append("t\(id)") }
            }
            guard !terms.isEmpty else { continue }
            let day = day(event.ts)
            if !tables.contains(day) {
                try openPostingTable(day: day, db: db)
                tables.insert(day)
            }
            try db.statement("INSERT INTO \(postingTable(day: day)) (rowid, tokens) VALUES (?1, ?2)")
                .run([.integer(event.id), .text(terms.joined(separator: " "))])
        }
    }

    /// Creates the day's posting table if need be; a merged day that gets
    /// postings again (events logged late) is merged again later.
    private static func openPostingTable(day: Int64, db: Connection) throws {
        switch try db.integer("SELECT merged FROM search_posting_day WHERE day = ?1", [.integer(day)]) {
        case nil:
            // Token ids as words: unicode61 keeps `t123` whole. No positions, no column sizes: only ids are asked for.
            try db.execute("CREATE VIRTUAL TABLE IF NOT EXISTS \(postingTable(day: day)) USING fts5(tokens, content='', detail='none', columnsize=0)")
            try db.statement("INSERT INTO search_posting_day (day) VALUES (?1)").run([.integer(day)])
        case 1?:
            try db.statement("UPDATE search_posting_day SET merged = 0 WHERE day = ?1").run([.integer(day)])
        default:
            break
        }
    }

    /// FTS5 pages one merge step writes (a few milliseconds under the lock).
    static let mergePages = 32

    /// Merges a step of the postings of a day before the newest one (a day
    /// whose events have come), in a write transaction of its own; false when
    /// every such day is one segment. A query looks a token up once per
    /// segment: at 10M events a day held some 20, and the bench's IP needle
    /// took 1.6-2.4 ms a day against 0.2-0.4 ms once merged.
    static func mergeStep(_ db: Connection) throws -> Bool {
        guard let day = try db.integer("""
            SELECT day FROM search_posting_day WHERE merged = 0 AND day < (SELECT max(day) FROM search_posting_day) ORDER BY day LIMIT 1
            """) else { return false }
        let table = postingTable(day: day)
        try db.writeTransaction {
            // Negative: merge across levels, as an 'optimize' done in steps.
            try db.execute("INSERT INTO \(table) (\(table), rank) VALUES ('merge', -\(mergePages))")
            if try db.integer("SELECT count(DISTINCT segid) FROM \(table)_idx") ?? 0 <= 1 {
                try db.statement("UPDATE search_posting_day SET merged = 1 WHERE day = ?1").run([.integer(day)])
            }
        }
        return true
    }

    /// Counts one chunk in a write transaction of its own; false when
    /// nothing was left to count.
    static func countChunk(_ db: Connection) throws -> Bool {
        while true {
            guard let chunk = try read(db) else { return false }
            if try db.writeTransaction({ try write(chunk, db: db) }) { return true }
        }
    }

    /// A prune batch's events as hour counters to take them out of: the
    /// tokens of its counted events, folded, looked up and summed without
    /// the write lock (`tally`), so that under it `uncount` only updates
    /// rows, in key order.
    struct Uncount {
        let ids: String
        let watermark: Int64
        fileprivate let counts: [(key: HourKey, n: Int64)]
    }

    /// Tallies the events `ids` (a JSON array) that are counted; reads the
    /// counter rows `uncount` will change on the way (the prune's
    /// read-ahead: a month-old hour's counters are often not in memory).
    static func tally(ids: String, db: Connection) throws -> Uncount {
        let watermark = try countedThrough(db)
        let rows = try db.statement("""
            SELECT ts, dj_name, source_ip, message FROM event
            WHERE id IN (SELECT value FROM json_each(?1)) AND id <= ?2
            """)
        try rows.bind([.text(ids), .integer(watermark)])
        var byToken: [String: [Int64: Int64]] = [:]
        while try rows.step() {
            let hour = CounterPeriod.floor(rows.int64(0), hourLength)
            for token in SearchTokens.of([rows.text(1), rows.text(2), rows.text(3)]) {
                byToken[token, default: [:]][hour, default: 0] += 1
            }
        }
        rows.reset()
        let lookUp = try db.statement("SELECT id FROM search_token WHERE token = ?1")
        let read = try db.statement("SELECT n FROM search_count_hour WHERE ts = ?1 AND token_id = ?2")
        var counts: [(key: HourKey, n: Int64)] = []
        for (token, hours) in byToken {
            // A counted event's tokens are in the dictionary (tokens are never deleted).
            guard let id = try lookUp.firstRow([.text(token)], { $0.int64(0) }) else { continue }
            for (hour, n) in hours { counts.append((HourKey(ts: hour, token: id), n)) }
        }
        counts.sort { ($0.key.ts, $0.key.token) < ($1.key.ts, $1.key.token) }
        for (key, _) in counts { _ = try read.firstRow([.integer(key.ts), .integer(key.token)]) { $0.int64(0) } }
        return Uncount(ids: ids, watermark: watermark, counts: counts)
    }

    /// Takes the events `ids` (a JSON array) out of the hour counters,
    /// before they are deleted in the same transaction (the prune's), with
    /// `prepared` if it was tallied for the same events and watermark.
    /// Events above the watermark were never counted; their postings, and
    /// those of the events taken out, are left for the day's table to be
    /// dropped (a search reads each posted event, and finds none for a
    /// deleted one).
    static func uncount(ids: String, prepared: Uncount?, db: Connection) throws {
        let watermark = try countedThrough(db)
        let counts = try prepared.flatMap { $0.ids == ids && $0.watermark == watermark ? $0 : nil } ?? tally(ids: ids, db: db)
        let update = try db.statement("UPDATE search_count_hour SET n = n - ?3 WHERE ts = ?1 AND token_id = ?2")
        for (key, n) in counts.counts {
            try update.run([.integer(key.ts), .integer(key.token), .integer(n)])
            update.reset()
        }
    }

    /// After a prune's deletes (each step in its own write transaction,
    /// calling `between` after it; tidying, safe to skip or interrupt):
    /// drops the posting tables of the days before `cutoff` and the emptied
    /// hour counters.
    static func dropPruned(before cutoff: Int64, db: Connection, between: () -> Void) throws {
        let days = try db.statement("SELECT day FROM search_posting_day WHERE (day + 1) * \(Time.millisecondsPerDay) <= ?1")
        try days.bind([.integer(cutoff)])
        var emptied: [Int64] = []
        while try days.step() { emptied.append(days.int64(0)) }
        days.reset()
        for day in emptied {
            try db.writeTransaction {
                try db.execute("DROP TABLE IF EXISTS \(postingTable(day: day))")
                try db.statement("DELETE FROM search_posting_day WHERE day = ?1").run([.integer(day)])
            }
            between()
        }
        let drop = """
            DELETE FROM search_count_hour WHERE (ts, token_id) IN
                (SELECT ts, token_id FROM search_count_hour WHERE ts < ?1 AND n = 0 LIMIT \(Totals.dropBatchRows))
            """
        while try db.writeTransaction({ try db.statement(drop).run([.integer(cutoff)]); return db.changes }) == Totals.dropBatchRows {
            between()
        }
    }
}
