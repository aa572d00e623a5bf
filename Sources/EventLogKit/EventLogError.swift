/// What went wrong, as the C boundary reports it: a kind that maps to one
/// status code, and one sentence for `el_errmsg`.
struct EventLogError: Error, Equatable, CustomStringConvertible {
    enum Kind: Sendable, Equatable {
        case invalid, denied, notFound, busy, io, schema, misuse, noMemory, `internal`
    }

    let kind: Kind
    let message: String

    init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    var description: String { message }

    static func invalid(_ message: String) -> EventLogError { EventLogError(.invalid, message) }

    /// Maps an SQLite failure to the kind a caller can act on.
    init(_ error: SQLiteError, doing what: String) {
        let kind: Kind
        switch error.primaryCode {
        case 5, 6: kind = .busy                                 // BUSY, LOCKED
        case 7: kind = .noMemory                                // NOMEM
        case 3, 8, 10, 13, 14, 15, 22: kind = .io               // PERM, READONLY, IOERR, FULL, CANTOPEN, PROTOCOL, NOLFS
        case 11, 26: kind = .schema                             // CORRUPT, NOTADB
        default: kind = .internal
        }
        self.init(kind, "\(what): \(error.message) (SQLite error \(error.code))")
    }
}
