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
