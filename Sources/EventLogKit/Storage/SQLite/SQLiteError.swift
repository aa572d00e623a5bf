import CSQLite

/// A failed SQLite call: the extended result code, SQLite's message and the
/// statement that failed (if any).
struct SQLiteError: Error, CustomStringConvertible {
    let code: Int32
    let message: String
    let sql: String?

    var primaryCode: Int32 { code & 0xff }
    var isBusy: Bool { primaryCode == SQLITE_BUSY }

    var description: String {
        sql.map { "\(message) (SQLite \(code), in: \($0))" } ?? "\(message) (SQLite \(code))"
    }
}

extension EventLogError {
    /// Maps an SQLite failure to the kind a caller can act on.
    init(_ error: SQLiteError, doing what: String) {
        let kind: Kind
        switch error.primaryCode {
        case SQLITE_BUSY, SQLITE_LOCKED: kind = .busy
        case SQLITE_NOMEM: kind = .noMemory
        case SQLITE_PERM, SQLITE_READONLY, SQLITE_IOERR, SQLITE_FULL, SQLITE_CANTOPEN, SQLITE_PROTOCOL, SQLITE_NOLFS: kind = .io
        case SQLITE_CORRUPT, SQLITE_NOTADB: kind = .schema
        default: kind = .internal
        }
        self.init(kind, "\(what): \(error.message) (SQLite error \(error.code))")
    }
}
