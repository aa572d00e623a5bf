/// One page of a view on an SQLite store, with its exact total (see PageJSON).
///
/// Count and rows are read in one read transaction, so the total matches the
/// rows; nothing here writes. With `after` the logs are the view's events
/// logged since that cursor (the newest `perPage` of them) and the total is
/// still the whole view's; `cursor` is where this read ends.
struct PageQuery {
    let filter: Filter
    let scope: Scope

    /// Matches at most this many rows and a page may come from a sorted
    /// index range (by type or service); more, and it streams in order from
    /// the time index.
    static let sortedPageLimit: Int64 = 2000

    /// Which index a page or export reads. Without statistics SQLite prefers
    /// the type index for a category and then sorts every match; with the
    /// exact total in hand we know when walking the time index in order is
    /// cheaper. One service's page is already in order in `event_service_ts`.
    static func index(_ filter: Filter, total: Int64) -> String {
        // The events since a cursor are a range of rowids at the end of the
        // table, whatever their times: read from there, not from an index.
        if filter.after != nil { return "NOT INDEXED" }
        // A search with few matches: scan the table in its order and sort
        // them, rather than walk the whole time index with a row lookup each.
        if filter.text != nil && total <= sortedPageLimit { return "NOT INDEXED" }
        return filter.serviceId == nil && filter.ownerId == nil && total > sortedPageLimit ? "INDEXED BY event_ts" : ""
    }

    func json(_ db: Connection) throws -> ByteBuffer {
        _ = try filter.after?.checked(.sqlite)
        try db.beginRead()
        defer { db.endRead() }
        let cursor = try Cursor.current(db)
        var view = filter
        view.after = nil
        let search = view.text != nil ? try SearchScan(view, scope: scope, db: db) : nil
        let total = try search?.total ?? Totals.count(view, scope: scope, db: db)
        let offset = (filter.page - 1) * filter.perPage
        return try PageJSON.write(filter: filter, total: total, cursor: cursor.token) { w in
            guard offset < total else { return }
            let stmt: Statement
            if filter.after == nil, let newest = search?.newest {
                // A rare term's page, picked from the matches the scan kept.
                let ids = newest.dropFirst(Int(offset)).prefix(Int(filter.perPage)).map(String.init).joined(separator: ",")
                stmt = try db.statement("""
                    SELECT \(LogColumns.select) FROM event e \(LogColumns.joins)
                    WHERE e.id IN (SELECT value FROM json_each(?1)) ORDER BY \(LogColumns.newestFirst)
                    """)
                try stmt.bind([.text("[\(ids)]")])
            } else {
                // The page's ids come from an index alone, so a deep page skips
                // index entries, not table rows.
                let (whereSQL, bindings) = filter.whereClause(scope)
                stmt = try db.statement("""
                    SELECT \(LogColumns.select) FROM event e \(LogColumns.joins)
                    WHERE e.id IN (SELECT e.id FROM event e \(Self.index(filter, total: total)) WHERE \(whereSQL)
                                   ORDER BY \(LogColumns.newestFirst) LIMIT \(filter.perPage) OFFSET \(offset))
                    ORDER BY \(LogColumns.newestFirst)
                    """)
                try stmt.bind(bindings)
            }
            defer { stmt.reset() }
            var first = true
            while try stmt.step() {
                if !first { w.raw(",") }
                first = false
                LogRow(stmt).writeJSON(to: &w)
            }
        }
    }
}
