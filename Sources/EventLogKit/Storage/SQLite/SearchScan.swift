/// A text search (`q`) on an SQLite store reads every row of its range (no
/// index holds words), in table order. One pass counts the matches and,
/// when there are at most `PageQuery.sortedPageLimit` of them, keeps their
/// order keys, so that a rare term's page is picked from those instead of
/// a second pass over the range. A frequent term's page is better read from
/// the time index, where its newest matches come first.
struct SearchScan {
    /// Every match of the view.
    let total: Int64
    /// The matches' ids newest first, when there are few; otherwise nil.
    let newest: [Int64]?

    /// Call inside the read transaction that also reads the page.
    init(_ view: Filter, scope: Scope, db: Connection) throws {
        let (whereSQL, bindings) = view.whereClause(scope)
        let limit = PageQuery.sortedPageLimit
        // ORDER BY id is the table's own order: no sort, and the pass can stop and go on.
        let matches = try db.statement("SELECT e.ts, e.id FROM event e NOT INDEXED WHERE \(whereSQL) ORDER BY e.id LIMIT \(limit + 1)")
        try matches.bind(bindings)
        defer { matches.reset() }
        var keys: [(ts: Int64, id: Int64)] = []
        while try matches.step() { keys.append((matches.int64(0), matches.int64(1))) }
        guard Int64(keys.count) > limit, let stop = keys.last?.id else {
            total = Int64(keys.count)
            newest = keys.sorted { ($0.ts, $0.id) > ($1.ts, $1.id) }.map(\.id)
            return
        }
        // Many: count the rest of the range from where the pass stopped.
        let rest = try db.integer(
            "SELECT count(*) FROM event e NOT INDEXED WHERE e.id > ?\(bindings.count + 1) AND \(whereSQL)",
            bindings + [.integer(stop)]) ?? 0
        total = Int64(keys.count) + rest
        newest = nil
    }
}
