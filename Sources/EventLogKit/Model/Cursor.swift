/// Where a reader's view of the store ends: a page hands one out, and a
/// later query with it as `after` returns only the events logged since.
/// Opaque to callers; each engine makes and reads its own kind:
/// - SQLite (`s1.<id>`): ids are handed out in commit order, so the newest
///   id a read sees marks everything before it.
/// - MariaDB (`m1.<time>.<n>`): ids are not in commit order (see
///   MariaDBStore's `after`): the newest time an event was stored (server
///   microseconds) and how many were stored in the last moments, so that an
///   event that commits late still changes the cursor.
struct Cursor: Equatable {
    enum Kind: String { case sqlite = "s1.", mariadb = "m1." }

    let kind: Kind
    /// Where the read ended: SQLite, the newest id; MariaDB, the newest `logged_at`.
    let position: Int64
    /// MariaDB: events stored in the last moments.
    let recent: Int64

    var token: String { kind.rawValue + String(position) + (kind == .mariadb ? "." + String(recent) : "") }

    init(_ kind: Kind = .sqlite, position: Int64, recent: Int64 = 0) {
        self.kind = kind
        self.position = position
        self.recent = recent
    }

    init?(token: String) {
        for kind in [Kind.sqlite, .mariadb] where token.hasPrefix(kind.rawValue) {
            let parts = token.dropFirst(kind.rawValue.count).split(separator: ".", omittingEmptySubsequences: false)
            guard parts.count == (kind == .mariadb ? 2 : 1), let id = Int64(parts[0]), id >= 0 else { return nil }
            let recent = kind == .mariadb ? Int64(parts[1]) : 0
            guard let recent, recent >= 0 else { return nil }
            self.init(kind, position: id, recent: recent)
            return
        }
        return nil
    }

    /// The cursor as `kind`'s store reads it, or a clear refusal (a cursor
    /// of the other engine: the panel moved its store).
    func checked(_ expected: Kind) throws -> Cursor {
        guard kind == expected else { throw EventLogError.invalid("after must be the cursor of an earlier page of this store") }
        return self
    }

    /// The SQLite store's cursor now (or as of the caller's read transaction).
    static func current(_ db: Connection) throws -> Cursor {
        Cursor(position: try db.integer("SELECT COALESCE(max(id), 0) FROM event") ?? 0)
    }
}
