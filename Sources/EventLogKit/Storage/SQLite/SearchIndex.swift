/// A text search's exact total, and its page's matches, from the search
/// counters (`SearchCounters`) when they can answer it; `SearchScan` reads
/// the view otherwise. Call inside the read transaction of the page.
///
///     total = the counted events that match (id up to the watermark)
///           + the events above the watermark that match, read live
///
/// The counted part comes from one of two places:
/// - Postings: the rarest word of the needle (the longest of three
///   characters or more) lies in tokens that are all still posted, with
///   at most `postingRows` events in the view's days: those events are
///   read by id and checked against the whole view (any scope, any words).
/// - Hours: a needle of one word over the whole panel (no other filter):
///   the hour counters of the tokens that contain it, summed over the whole
///   hours of the range, the partial hours at its ends read live. An hour
///   where two of those tokens have counts may hold an event counted twice:
///   it is read live too (at most `maxSharedHours` of them).
struct SearchIndex {
    let total: Int64
    /// The newest matches, newest first, at least as many as the page
    /// needs (all of them from postings); nil: walk the time index.
    let newest: [Int64]?
    /// Which counters answered (tests check that the one meant did).
    let source: Source

    enum Source { case postings, hours }

    /// The longest uncounted tail read live; a longer one (counting is
    /// behind, or has not started on a store migrated from before it) leaves
    /// the search to the scan.
    static let maxTail: Int64 = 100_000
    /// A needle whose trigrams match more tokens than this is too common
    /// to be worth the dictionary (a letter or two): scan.
    static let maxCandidates = 20_000
    /// Most tokens whose postings, or hour counters, are read: the hours'
    /// walk looks each one up in every hour of the range (720 in a month).
    static let maxTokens = 256
    static let postingRows = 5_000
    static let maxSharedHours = 8

    private struct Token { let id: Int64, posted: Bool }
    private typealias Match = (ts: Int64, id: Int64)

    static func answer(_ view: Filter, scope: Scope, db: Connection) throws -> SearchIndex? {
        guard let text = view.text, view.after == nil else { return nil }
        let needle = TextFold.fold(text)
        let words = SearchTokens.split(needle)
        let watermark = try SearchCounters.countedThrough(db)
        guard !words.isEmpty, watermark > 0, let last = try db.integer("SELECT max(id) FROM event"),
              last - watermark <= maxTail else { return nil }
        var single: [Token]?
        for word in words.sorted(by: { $0.utf8.count > $1.utf8.count }) where word.unicodeScalars.count >= 3 {
            guard let tokens = try tokens(containing: word, db: db) else { continue }
            if word == needle { single = tokens }
            // No counted event holds the word, or all that do are posted and few.
            if tokens.isEmpty { return try combined([], view, scope, watermark, .postings, db: db) }
            guard tokens.count <= maxTokens, tokens.allSatisfy(\.posted),
                  let ids = try postings(tokens.map(\.id), view, db: db) else { continue }
            return try combined(try matches(ids, view, scope, db: db), view, scope, watermark, .postings, db: db)
        }
        guard let single, single.count <= maxTokens, scope.isUnrestricted, view.typeCodes == nil, view.serviceId == nil,
              view.ownerId == nil, view.actor == nil else { return nil }
        return try fromHours(single.map(\.id), view, scope, watermark, db: db)
    }

    /// The counted matches given, plus the tail's.
    private static func combined(_ counted: [Match], _ view: Filter, _ scope: Scope, _ watermark: Int64, _ source: Source,
                                 db: Connection) throws -> SearchIndex {
        let all = counted + (try tail(view, scope, watermark, db: db))
        return SearchIndex(total: Int64(all.count), newest: newestFirst(all), source: source)
    }

    private static func newestFirst(_ matches: [Match]) -> [Int64] {
        matches.sorted { ($0.ts, $0.id) > ($1.ts, $1.id) }.map(\.id)
    }

    /// The tokens that contain `word`, through its three rarest trigrams
    /// (by the sample), each candidate checked; nil if there are too many.
    private static func tokens(containing word: String, db: Connection) throws -> [Token]? {
        let trigrams = Array(Set(SearchTokens.trigrams(word)))
        var frequency: [String: Int64] = [:]
        let sample = try db.statement("SELECT tokens FROM search_trigram WHERE trigram = ?1")
        for trigram in trigrams { frequency[trigram] = try sample.firstRow([.text(trigram)], { $0.int64(0) }) ?? 0 }
        let rarest = trigrams.sorted { (frequency[$0] ?? 0, $0) < (frequency[$1] ?? 0, $1) }.prefix(3)
        // Each trigram an FTS5 string: a double quote inside it doubled.
        let query = rarest.map { "\"" + $0.split(separator: "\"", omittingEmptySubsequences: false).joined(separator: "\"\"") + "\"" }
            .joined(separator: " AND ")
        let candidates = try db.statement("SELECT rowid FROM search_token_trigram WHERE search_token_trigram MATCH ?1 LIMIT \(maxCandidates + 1)")
        try candidates.bind([.text(query)])
        var ids: [Int64] = []
        while try candidates.step() { ids.append(candidates.int64(0)) }
        candidates.reset()
        guard ids.count <= maxCandidates else { return nil }
        let read = try db.statement("SELECT id, token, posted FROM search_token WHERE id IN (SELECT value FROM json_each(?1))")
        try read.bind([.text(jsonArray(ids))])
        defer { read.reset() }
        var tokens: [Token] = []
        var wanted = word
        while try read.step() {
            guard var token = read.text(1) else { continue }
            let holds = token.withUTF8 { t in wanted.withUTF8 { w in TextFold.contains(t, w) } }
            if holds { tokens.append(Token(id: read.int64(0), posted: read.int64(2) == 1)) }
        }
        return tokens
    }

    /// The ids posted for `tokens` in the view's days; nil past `postingRows`.
    private static func postings(_ tokens: [Int64], _ view: Filter, db: Connection) throws -> [Int64]? {
        let days = try db.statement("SELECT day FROM search_posting_day WHERE day >= ?1 AND day <= ?2")
        try days.bind([.integer(view.from.map(SearchCounters.day) ?? Int64.min),
                       .integer(view.to.map { SearchCounters.day($0 - 1) } ?? Int64.max)])
        var list: [Int64] = []
        while try days.step() { list.append(days.int64(0)) }
        days.reset()
        let expression = tokens.map { "t\($0)" }.joined(separator: " OR ")
        var ids: [Int64] = []
        for day in list {
            let table = SearchCounters.postingTable(day: day)
            let rows = try db.statement("SELECT rowid FROM \(table) WHERE \(table) MATCH ?1")
            try rows.bind([.text(expression)])
            defer { rows.reset() }
            while try rows.step() {
                ids.append(rows.int64(0))
                if ids.count > postingRows { return nil }
            }
        }
        return ids
    }

    /// Which of the events `ids` are in the view.
    private static func matches(_ ids: [Int64], _ view: Filter, _ scope: Scope, db: Connection) throws -> [Match] {
        let (whereSQL, bindings) = view.whereClause(scope)
        // NOT INDEXED: each id looked up in the table, not the view walked through an index.
        return try collect("""
            SELECT e.ts, e.id FROM event e NOT INDEXED
            WHERE e.id IN (SELECT value FROM json_each(?\(bindings.count + 1))) AND \(whereSQL)
            """, bindings + [.text(jsonArray(ids))], db: db)
    }

    /// The view's matches above the watermark.
    private static func tail(_ view: Filter, _ scope: Scope, _ watermark: Int64, db: Connection) throws -> [Match] {
        let (whereSQL, bindings) = view.whereClause(scope)
        return try collect("SELECT e.ts, e.id FROM event e NOT INDEXED WHERE e.id > ?\(bindings.count + 1) AND \(whereSQL)",
                           bindings + [.integer(watermark)], db: db)
    }

    /// The view's counted matches in [from, to), from the time index.
    private static func live(_ view: Filter, from: Int64?, to: Int64?, _ scope: Scope, _ watermark: Int64, db: Connection) throws -> [Match] {
        var part = view
        part.from = [view.from, from].compactMap { $0 }.max()
        part.to = [view.to, to].compactMap { $0 }.min()
        if let a = part.from, let b = part.to, a >= b { return [] }
        let (whereSQL, bindings) = part.whereClause(scope)
        return try collect("SELECT e.ts, e.id FROM event e INDEXED BY event_ts WHERE e.id <= ?\(bindings.count + 1) AND \(whereSQL)",
                           bindings + [.integer(watermark)], db: db)
    }

    private static func collect(_ sql: String, _ bindings: [SQLValue], db: Connection) throws -> [Match] {
        let statement = try db.statement(sql)
        try statement.bind(bindings)
        defer { statement.reset() }
        var found: [Match] = []
        while try statement.step() { found.append((statement.int64(0), statement.int64(1))) }
        return found
    }

    /// A one-word needle over the whole panel, from the hour counters.
    private static func fromHours(_ tokens: [Int64], _ view: Filter, _ scope: Scope, _ watermark: Int64, db: Connection) throws -> SearchIndex? {
        let length = SearchCounters.hourLength
        let wholeFrom = view.from.map { CounterPeriod.ceil($0, length) }
        let wholeTo = view.to.map { CounterPeriod.floor($0, length) }
        if let wholeFrom, let wholeTo, wholeFrom >= wholeTo {
            return try combined(try live(view, from: nil, to: nil, scope, watermark, db: db), view, scope, watermark, .hours, db: db)
        }
        // One walk over the hours the counters hold in the range; for each,
        // a primary-key look-up per token.
        let hours = try db.statement("""
            WITH RECURSIVE hour(ts) AS (
                SELECT (SELECT min(ts) FROM search_count_hour WHERE ts >= ?2)
                UNION ALL SELECT (SELECT min(ts) FROM search_count_hour WHERE ts > hour.ts) FROM hour WHERE hour.ts < ?3)
            SELECT c.ts, count(*), sum(c.n) FROM hour CROSS JOIN search_count_hour c ON c.ts = hour.ts
            WHERE hour.ts < ?3 AND c.token_id IN (SELECT value FROM json_each(?1)) AND c.n > 0
            GROUP BY c.ts ORDER BY c.ts DESC
            """)
        try hours.bind([.text(jsonArray(tokens)), .integer(wholeFrom ?? Int64.min), .integer(wholeTo ?? Int64.max)])
        var counted: [(ts: Int64, shared: Bool, n: Int64)] = []
        while try hours.step() { counted.append((hours.int64(0), hours.int64(1) > 1, hours.int64(2))) }
        hours.reset()
        guard counted.count(where: \.shared) <= maxSharedHours else { return nil }
        let tail = try tail(view, scope, watermark, db: db)
        let newestEnd = try wholeTo.map { try live(view, from: $0, to: nil, scope, watermark, db: db) } ?? []
        let oldestEnd = try wholeFrom.map { try live(view, from: nil, to: $0, scope, watermark, db: db) } ?? []
        var total = Int64(tail.count + newestEnd.count + oldestEnd.count)
        var sharedMatches: [Int64: [Match]] = [:]
        for hour in counted {
            if hour.shared {
                let found = try live(view, from: hour.ts, to: hour.ts + length, scope, watermark, db: db)
                sharedMatches[hour.ts] = found
                total += Int64(found.count)
            } else {
                total += hour.n
            }
        }
        guard total <= PageQuery.sortedPageLimit else { return SearchIndex(total: total, newest: nil, source: .hours) }
        // The page's matches: the newest hours read until they hold enough.
        let needed = Int(view.page * view.perPage)
        var found = tail + newestEnd
        var fromCounted = 0
        for hour in counted where fromCounted < needed {
            let inHour = try sharedMatches[hour.ts] ?? live(view, from: hour.ts, to: hour.ts + length, scope, watermark, db: db)
            found += inHour
            fromCounted += inHour.count
        }
        if fromCounted < needed { found += oldestEnd }
        return SearchIndex(total: total, newest: newestFirst(found), source: .hours)
    }

    private static func jsonArray(_ ids: [Int64]) -> String { "[" + ids.map(String.init).joined(separator: ",") + "]" }
}
