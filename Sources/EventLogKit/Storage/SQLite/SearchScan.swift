/// A text search (`q`) on an SQLite store reads every row of its view (no
/// index holds words): in table order when the view is a large part of the
/// store, else through the time or service index, which holds the view's
/// rows in a range (`narrowIndex`). One pass counts the matches and, when
/// there are at most `PageQuery.sortedPageLimit` of them, keeps their order
/// keys, so that a rare term's page or export is picked from those instead
/// of another pass over the view (a page) or a walk of the time index with
/// a row read per entry (an export). A frequent term's rows are better read
/// from the time index, where its newest matches come first.
struct SearchScan {
    /// Every match of the view.
    let total: Int64
    /// The matches' ids newest first, when there are few; otherwise nil.
    let newest: [Int64]?

    /// Call inside the read transaction that also reads the page. The
    /// search counters answer first when they can (`SearchIndex`); their
    /// `newest` may hold more than `PageQuery.sortedPageLimit` matches, or
    /// only the newest the page needs.
    init(_ view: Filter, scope: Scope, db: Connection) throws {
        // A needle FTS5 cannot parse, or counters it cannot read: the scan answers.
        if let counted = (try? SearchIndex.answer(view, scope: scope, db: db)) ?? nil {
            (total, newest) = (counted.total, counted.newest)
            return
        }
        if let index = try Self.narrowIndex(view, scope: scope, db: db) {
            let found = try Self.matches(view, scope: scope, through: index, stopPastLimit: false, db: db)
            (total, newest) = (found.count, found.newest)
            return
        }
        let found = try Self.matches(view, scope: scope, through: nil, stopPastLimit: true, db: db)
        guard found.newest == nil else {
            (total, newest) = (found.count, found.newest)
            return
        }
        // Count the rest of the table from where the pass stopped.
        let (whereSQL, bindings) = view.whereClause(scope)
        let rest = try db.integer(
            "SELECT count(*) FROM event e NOT INDEXED WHERE e.id > ?\(bindings.count + 1) AND \(whereSQL)",
            bindings + [.integer(found.lastID)]) ?? 0
        total = found.count + rest
        newest = nil
    }

    /// The matches' ids newest first if there are at most
    /// `PageQuery.sortedPageLimit`; nil, without reading further, if there are more.
    static func fewMatches(_ view: Filter, scope: Scope, db: Connection) throws -> [Int64]? {
        try matches(view, scope: scope, through: try narrowIndex(view, scope: scope, db: db), stopPastLimit: true, db: db).newest
    }

    /// A view with fewer rows than this share of the store's is read through
    /// an index: a row found there costs some ten times one met in a table
    /// scan (at 10M events, a reseller's 500,000 rows in 1.6 s through the
    /// service index, the 10M in 2.4-3.5 s in table order).
    static let narrowShare: Int64 = 16

    /// The index whose range holds the view's rows (the time index across
    /// all services, the service index within some), when the view without
    /// its text has fewer than 1/`narrowShare` of the store's rows (an exact
    /// count from the counters, in the read transaction); nil: read the
    /// table. The events since a cursor are the table's last rows: nil.
    static func narrowIndex(_ view: Filter, scope: Scope, db: Connection) throws -> String? {
        guard view.after == nil else { return nil }
        var rows = view
        rows.text = nil
        // Two subqueries: SQLite seeks a query's lone min() or max(), and scans the table for both.
        let stored = try db.integer("SELECT (SELECT max(id) FROM event) - (SELECT min(id) FROM event) + 1") ?? 0
        guard stored > 0, try Totals.count(rows, scope: scope, db: db) * narrowShare < stored else { return nil }
        return CounterPeriod(view, scope) == .hour ? "event_ts" : "event_service_ts"
    }

    private struct Matches {
        var count: Int64 = 0
        /// Newest first, when `count` is within the limit.
        var newest: [Int64]?
        /// The last match read: with `stopPastLimit`, the one past the limit.
        var lastID: Int64 = 0
    }

    /// One pass over the view's rows: from the table in its order (`index`
    /// nil) or from the range of `index` that holds them, a row read per entry.
    private static func matches(_ view: Filter, scope: Scope, through index: String?, stopPastLimit: Bool, db: Connection) throws -> Matches {
        let limit = PageQuery.sortedPageLimit
        let (whereSQL, bindings) = view.whereClause(scope)
        // ORDER BY id is the table's own order: no sort, and a pass can stop and go on from its last id.
        let source = index.map { "INDEXED BY \($0)" } ?? "NOT INDEXED"
        let order = index == nil ? " ORDER BY e.id" : ""
        let stop = stopPastLimit ? " LIMIT \(limit + 1)" : ""
        let statement = try db.statement("SELECT e.ts, e.id FROM event e \(source) WHERE \(whereSQL)\(order)\(stop)")
        try statement.bind(bindings)
        defer { statement.reset() }
        var found = Matches()
        var keys: [(ts: Int64, id: Int64)] = []
        while try statement.step() {
            found.count += 1
            found.lastID = statement.int64(1)
            if found.count <= limit { keys.append((statement.int64(0), found.lastID)) }
        }
        if found.count <= limit { found.newest = keys.sorted { ($0.ts, $0.id) > ($1.ts, $1.id) }.map(\.id) }
        return found
    }
}
