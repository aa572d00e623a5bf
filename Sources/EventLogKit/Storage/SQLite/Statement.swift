import CSQLite

/// Owns one `sqlite3_stmt`; finalized in deinit.
final class Statement {
    private let stmt: OpaquePointer
    private unowned let connection: Connection
    let sql: String

    init(_ stmt: OpaquePointer, connection: Connection, sql: String) {
        self.stmt = stmt
        self.connection = connection
        self.sql = sql
    }

    deinit { sqlite3_finalize(stmt) }

    /// Ready to run again, with every parameter NULL unless `keepBindings`
    /// (for a caller that binds them all each time).
    func reset(keepBindings: Bool = false) {
        sqlite3_reset(stmt)
        if !keepBindings { sqlite3_clear_bindings(stmt) }
    }

    func bind(_ values: [SQLValue]) throws(SQLiteError) {
        for (offset, value) in values.enumerated() { try bind(Int32(offset + 1), value) }
    }

    /// Binds parameter `index` (from 1).
    func bind(_ index: Int32, _ value: SQLValue) throws(SQLiteError) {
        let rc: Int32
        switch value {
        case .null: rc = sqlite3_bind_null(stmt, index)
        case .integer(let v): rc = sqlite3_bind_int64(stmt, index, v)
        case .text(var s):
            // With its length SQLite need not scan for the NUL; an empty
            // string has no address, and a NULL pointer would bind NULL.
            rc = s.withUTF8 { utf8 in
                utf8.withMemoryRebound(to: CChar.self) { text in
                    sqlite3_bind_text64(stmt, index, text.baseAddress ?? StaticString("").cString, UInt64(text.count),
                                        SQLITE_TRANSIENT, UInt8(SQLITE_UTF8))
                }
            }
        }
        guard rc == SQLITE_OK else { throw connection.error(rc, sql: sql) }
    }

    /// Advances; true while there is a row.
    @discardableResult
    func step() throws(SQLiteError) -> Bool {
        let rc = sqlite3_step(stmt)
        switch rc {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default:
            let error = connection.error(rc, sql: sql)
            sqlite3_reset(stmt)
            throw error
        }
    }

    /// Reads the first row, if any, then resets: a statement left mid-result
    /// would keep its read transaction open (and block WAL checkpoints).
    func firstRow<T>(_ values: [SQLValue] = [], _ read: (Statement) -> T) throws(SQLiteError) -> T? {
        try bind(values)
        defer { sqlite3_reset(stmt) }
        return try step() ? read(self) : nil
    }

    /// Runs a statement that returns no rows.
    func run(_ values: [SQLValue] = []) throws(SQLiteError) {
        try bind(values)
        while try step() {}
    }

    func isNull(_ column: Int32) -> Bool { sqlite3_column_type(stmt, column) == SQLITE_NULL }
    func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(stmt, column) }
    func optionalInt64(_ column: Int32) -> Int64? { isNull(column) ? nil : int64(column) }

    /// A text column as SQLite's bytes, valid until the next step or reset.
    func bytes(_ column: Int32) -> Bytes? {
        guard let text = sqlite3_column_text(stmt, column) else { return nil }
        return Bytes(start: text, count: Int(sqlite3_column_bytes(stmt, column)))
    }

    func text(_ column: Int32) -> String? {
        guard let bytes = sqlite3_column_text(stmt, column) else { return nil }
        let count = Int(sqlite3_column_bytes(stmt, column))
        return String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
    }
}

// SQLite's destructor sentinel, which the C macro spells as a cast of -1.
let SQLITE_TRANSIENT = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)
