/// Where a reader's view of the store ends: a page hands one out, and a
/// later query with it as `after` returns only the events logged since.
/// Opaque to callers; each engine makes and reads its own kind:
/// - SQLite (`s1.<id>`): ids are handed out in commit order, so the newest
///   id a read sees marks everything before it.
/// - MariaDB (`m1.<id>`): ids are not in commit order (see MariaDBStore's
///   `after`), so the newest id is where to look from, not a boundary.
struct Cursor: Equatable {
    enum Kind: String { case sqlite = "s1.", mariadb = "m1." }

    let kind: Kind
    let lastID: Int64

    var token: String { kind.rawValue + String(lastID) }

    init(_ kind: Kind = .sqlite, lastID: Int64) {
        self.kind = kind
        self.lastID = lastID
    }

    init?(token: String) {
        for kind in [Kind.sqlite, .mariadb] where token.hasPrefix(kind.rawValue) {
            guard let id = Int64(token.dropFirst(kind.rawValue.count)), id >= 0 else { return nil }
            self.init(kind, lastID: id)
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
        Cursor(lastID: try db.integer("SELECT COALESCE(max(id), 0) FROM event") ?? 0)
    }
}
