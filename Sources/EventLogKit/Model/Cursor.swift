/// Where a reader's view of the store ends: a page hands one out, and a
/// later query with it as `after` returns only the events logged since.
/// Opaque to callers: on SQLite ids are handed out in commit order, so the
/// newest id a read transaction sees marks everything before it; an engine
/// whose ids are not in commit order carries something else here.
struct Cursor: Equatable {
    let lastID: Int64

    static let prefix = "s1."

    var token: String { Self.prefix + String(lastID) }

    init(lastID: Int64) { self.lastID = lastID }

    init?(token: String) {
        guard token.hasPrefix(Self.prefix), let id = Int64(token.dropFirst(Self.prefix.count)), id >= 0 else { return nil }
        lastID = id
    }

    /// The store's cursor now (or as of the caller's read transaction).
    static func current(_ db: Connection) throws -> Cursor {
        Cursor(lastID: try db.integer("SELECT COALESCE(max(id), 0) FROM event") ?? 0)
    }
}
