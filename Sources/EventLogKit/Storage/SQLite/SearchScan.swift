/// A text search (`q`) on an SQLite store reads every row of its range (no
/// index holds words), in table order. One pass counts the matches and,
/// when there are at most `PageQuery.sortedPageLimit` of them, keeps their
/// order keys, so that a rare term's page or export is picked from those
/// instead of another pass over the range (a page) or a walk of the time
/// index with a row read per entry (an export). A frequent term's rows are
/// better read from the time index, where its newest matches come first.
struct SearchScan {
    /// Every match of the view.
    let total: Int64
    /// The matches' ids newest first, when there are few; otherwise nil.
    let newest: [Int64]?

    /// Call inside the read transaction that also reads the page.
    init(_ view: Filter, scope: Scope, db: Connection) throws {
        switch try Self.firstMatches(view, scope: scope, db: db) {
        case .all(let ids):
            total = Int64(ids.count)
            newest = ids
        case .more(let stoppedAt):
            // Count the rest of the range from where the pass stopped.
            let (whereSQL, bindings) = view.whereClause(scope)
            let rest = try db.integer(
                "SELECT count(*) FROM event e NOT INDEXED WHERE e.id > ?\(bindings.count + 1) AND \(whereSQL)",
                bindings + [.integer(stoppedAt)]) ?? 0
            total = PageQuery.sortedPageLimit + 1 + rest
            newest = nil
        }
    }

    /// The matches' ids newest first if there are at most
    /// `PageQuery.sortedPageLimit`; nil, without reading further, if there are more.
    static func fewMatches(_ view: Filter, scope: Scope, db: Connection) throws -> [Int64]? {
        if case .all(let ids) = try firstMatches(view, scope: scope, db: db) { return ids }
        return nil
    }

    private enum FirstMatches {
        case all([Int64])       // newest first
        case more(Int64)        // the id of the match past the limit, where the pass stopped
    }

    private static func firstMatches(_ view: Filter, scope: Scope, db: Connection) throws -> FirstMatches {
        let (whereSQL, bindings) = view.whereClause(scope)
        let limit = PageQuery.sortedPageLimit
        // ORDER BY id is the table's own order: no sort, and the pass can stop and go on.
        let matches = try db.statement("SELECT e.ts, e.id FROM event e NOT INDEXED WHERE \(whereSQL) ORDER BY e.id LIMIT \(limit + 1)")
        try matches.bind(bindings)
        defer { matches.reset() }
        var keys: [(ts: Int64, id: Int64)] = []
        while try matches.step() { keys.append((matches.int64(0), matches.int64(1))) }
        if Int64(keys.count) > limit, let last = keys.last { return .more(last.id) }
        return .all(keys.sorted { ($0.ts, $0.id) > ($1.ts, $1.id) }.map(\.id))
    }
}
