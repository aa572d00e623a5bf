import CMariaDB
#if canImport(Glibc)
import Glibc
#endif

/// One connection to a MariaDB/MySQL server. Statements are SQL text with
/// values written in as escaped literals (`render`), except events, which
/// go through a prepared INSERT (`insert`). One statement per round trip:
/// the connection does not ask for several (see `connect`). A lost
/// connection is closed and made again at the next call.
final class MariaDBConnection {
    let location: MariaDBLocation
    private let options: StoreOptions
    private var mysql: UnsafeMutablePointer<MYSQL>?
    /// Whether the server is a Galera node (reads then wait for the node to
    /// have applied what the cluster committed before them).
    private(set) var isGalera = false

    /// The client library's own set-up is not thread-safe the first time: once per process.
    private static let libraryReady: Bool = mysql_server_init(0, nil, nil) == 0

    init(location: MariaDBLocation, options: StoreOptions) throws(MariaDBError) {
        self.location = location
        self.options = options
        try connect()
    }

    deinit { disconnect() }

    var isConnected: Bool { mysql != nil }

    func connect() throws(MariaDBError) {
        disconnect()
        guard Self.libraryReady, let m = mysql_init(nil) else { throw MariaDBError(code: 2008, message: "cannot set up a MariaDB client", sql: nil) }
        var connectTimeout = UInt32(max(1, (options.connectTimeoutMs + 999) / 1000))
        var readTimeout = UInt32(max(1, (options.readTimeoutMs + 999) / 1000))
        mysql_options(m, MYSQL_OPT_CONNECT_TIMEOUT, &connectTimeout)
        mysql_options(m, MYSQL_OPT_READ_TIMEOUT, &readTimeout)
        mysql_options(m, MYSQL_OPT_WRITE_TIMEOUT, &readTimeout)
        mysql_options(m, MYSQL_SET_CHARSET_NAME, "utf8mb4")
        // No CLIENT_MULTI_STATEMENTS: on a Galera node, a transaction aborted
        // by a replicated conflict in the middle of "a; b; c" is rolled back
        // and the statements after it still run, each committed on its own,
        // while the client is told all went well (measured on MariaDB 10.11
        // with galera-4: RELIABILITY.md, finding 14). One statement per
        // round trip gets the deadlock error it should.
        let flags = se_client_found_rows
        let host = location.socket == nil ? location.host : "localhost"
        // A database that does not exist yet is created (a new store), as an
        // SQLite file is: connect without one, then create and use it.
        var created = false
        if mysql_real_connect(m, host, location.user, location.password, location.database, location.port, location.socket, flags) == nil {
            guard mysql_errno(m) == 1049,
                  mysql_real_connect(m, host, location.user, location.password, nil, location.port, location.socket, flags) != nil else {
                let error = MariaDBError(code: mysql_errno(m), message: String(cString: mysql_error(m)), sql: nil)
                mysql_close(m)
                throw error
            }
            created = true
        }
        mysql = m
        se_close_on_exec(m)
        do {
            let db = "`\(location.database)`"
            if created {
                try execute("CREATE DATABASE IF NOT EXISTS \(db) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin")
                try execute("USE \(db)")
            }
            let lockWait = max(1, options.busyTimeoutMs / 1000)
            try execute("""
                SET SESSION time_zone = '+00:00', sql_mode = 'STRICT_ALL_TABLES,NO_ENGINE_SUBSTITUTION,NO_ZERO_DATE',
                    innodb_lock_wait_timeout = \(lockWait)
                """)
            isGalera = (try? integer("SELECT @@wsrep_on = 1 AND @@wsrep_cluster_address <> ''")) == 1
            if isGalera { try execute("SET SESSION wsrep_sync_wait = 1") }
        } catch {
            disconnect()
            throw error
        }
    }

    /// A second connection to the same database, with the same settings.
    func sibling() throws(MariaDBError) -> MariaDBConnection {
        try MariaDBConnection(location: location, options: options)
    }

    func disconnect() {
        for (_, stmt) in prepared { mysql_stmt_close(stmt) }
        prepared.removeAll()
        if let mysql { mysql_close(mysql) }
        mysql = nil
    }

    // MARK: Prepared statements

    /// Server-side prepared statements of this connection, with their SQL
    /// text; closed with it (a new connection prepares them again). One or
    /// two (the event INSERTs of `el_log` and of the copy), so a list: found
    /// by `==`, which knows the same string at once, where a dictionary
    /// hashed the whole INSERT's text on every event (about 1,400
    /// instructions an `el_log`).
    private var prepared: [(sql: String, stmt: UnsafeMutablePointer<MYSQL_STMT>)] = []

    /// Runs the prepared `sql` with `execute` (which binds and executes;
    /// nonzero is a failure).
    func runPrepared(_ sql: String, _ execute: (UnsafeMutablePointer<MYSQL_STMT>) -> Int32) throws(MariaDBError) {
        let m = try live()
        let stmt: UnsafeMutablePointer<MYSQL_STMT>
        if let cached = prepared.first(where: { $0.sql == sql }) {
            stmt = cached.stmt
        } else {
            guard let fresh = mysql_stmt_init(m) else { throw MariaDBError(code: 2008, message: "out of memory for a statement", sql: sql) }
            var text = sql
            let rc = text.withUTF8 { mysql_stmt_prepare(fresh, UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: CChar.self), UInt($0.count)) }
            if rc != 0 {
                let error = statementFailure(fresh, sql)
                mysql_stmt_close(fresh)
                if error.isConnectionLost { disconnect() }
                throw error
            }
            prepared.append((sql, fresh))
            stmt = fresh
        }
        if execute(stmt) != 0 {
            let error = statementFailure(stmt, sql)
            if error.isConnectionLost { disconnect() }
            throw error
        }
    }

    /// Inserts `rows` through the prepared `sql`, an INSERT of the event
    /// columns (see EventRows), as one array where the server takes one.
    func insert(_ sql: String, _ rows: EventRows) throws(MariaDBError) {
        try runPrepared(sql) { stmt in
            rows.withColumns { n, ints, intIsNull, text, length, textIsNull in
                se_execute_events(stmt, n, ints, intIsNull, text, length, textIsNull)
            }
        }
    }

    private func statementFailure(_ stmt: UnsafeMutablePointer<MYSQL_STMT>, _ sql: String) -> MariaDBError {
        MariaDBError(code: mysql_stmt_errno(stmt), message: String(cString: mysql_stmt_error(stmt)), sql: sql)
    }

    private func live() throws(MariaDBError) -> UnsafeMutablePointer<MYSQL> {
        if mysql == nil { try connect() }
        guard let mysql else { throw MariaDBError(code: 2006, message: "not connected", sql: nil) }
        return mysql
    }

    private func failure(_ m: UnsafeMutablePointer<MYSQL>, _ sql: String) -> MariaDBError {
        let error = MariaDBError(code: mysql_errno(m), message: String(cString: mysql_error(m)), sql: sql)
        if error.isConnectionLost { disconnect() }
        return error
    }

    /// Runs one statement and discards any result; returns the rows it
    /// matched (CLIENT_FOUND_ROWS: rows an UPDATE found, changed or not).
    @discardableResult
    func execute(_ sql: String) throws(MariaDBError) -> Int64 {
        Int64(bitPattern: mysql_affected_rows(try run(sql)))
    }

    /// Runs one statement and returns the insert id it set
    /// (`LAST_INSERT_ID(expr)` included).
    func insertID(_ sql: String) throws(MariaDBError) -> Int64 {
        Int64(mysql_insert_id(try run(sql)))
    }

    private func run(_ sql: String) throws(MariaDBError) -> UnsafeMutablePointer<MYSQL> {
        let m = try send(sql)
        if let result = mysql_store_result(m) { mysql_free_result(result) }
        return m
    }

    private func send(_ sql: String) throws(MariaDBError) -> UnsafeMutablePointer<MYSQL> {
        let m = try live()
        var utf8 = sql
        let rc = utf8.withUTF8 { mysql_real_query(m, UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: CChar.self), UInt($0.count)) }
        if rc != 0 { throw failure(m, sql) }
        return m
    }

    /// Runs one statement that returns rows; the result is read whole.
    /// `streaming`: rows are read as the server sends them (an export
    /// chunk: server and client work at once); call `checkComplete()` after
    /// the last row, and nothing else on this connection before.
    func query(_ sql: String, streaming: Bool = false) throws(MariaDBError) -> MariaDBResult {
        let m = try send(sql)
        guard let result = streaming ? mysql_use_result(m) : mysql_store_result(m) else {
            if mysql_errno(m) != 0 { throw failure(m, sql) }
            throw MariaDBError(code: 2014, message: "the statement returned no rows", sql: sql)
        }
        return MariaDBResult(result, connection: self, sql: sql)
    }

    /// A streamed result that stopped early: the connection's error, if any.
    fileprivate func streamError(_ sql: String) -> MariaDBError? {
        guard let mysql, mysql_errno(mysql) != 0 else { return nil }
        return failure(mysql, sql)
    }

    func integer(_ sql: String) throws(MariaDBError) -> Int64? {
        let result = try query(sql)
        guard result.next() else { return nil }
        return result.optionalInt64(0)
    }


    // MARK: Transactions

    /// Runs `body` in a transaction; a deadlock or certification conflict
    /// (the server rolled it back) runs it again, a few times. Any other
    /// failure rolls back and is thrown.
    func writeTransaction<T>(isolation: String? = nil, _ body: () throws -> T) throws -> T {
        var attempt = 0
        while true {
            attempt += 1
            do {
                if let isolation { try execute("SET TRANSACTION ISOLATION LEVEL \(isolation)") }
                try execute("START TRANSACTION")
                let result = try body()
                try execute("COMMIT")
                return result
            } catch let error as MariaDBError {
                if isConnected { _ = try? execute("ROLLBACK") }
                if error.isRetryable && attempt < 5 {
                    usleep(UInt32.random(in: 1000...(5000 * UInt32(attempt))))
                    continue
                }
                throw error
            } catch {
                if isConnected { _ = try? execute("ROLLBACK") }
                throw error
            }
        }
    }

    /// Runs `body` in one consistent snapshot that writes nothing.
    func readTransaction<T: ~Copyable>(_ body: () throws -> T) throws -> T {
        try execute("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY")
        defer { if isConnected { _ = try? execute("COMMIT") } }
        return try body()
    }

    // MARK: Literals

    /// `sql` with each `?N` replaced by the literal of `bindings[N-1]`.
    func render(_ sql: String, _ bindings: [SQLValue]) -> String {
        guard !bindings.isEmpty else { return sql }
        var out = ""
        out.reserveCapacity(sql.utf8.count + 16 * bindings.count)
        var chars = sql.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar? = chars.next()
        while let c = pending {
            pending = chars.next()
            guard c == "?" else { out.unicodeScalars.append(c); continue }
            var number = 0
            while let d = pending, d.value >= 48, d.value <= 57 {
                number = number * 10 + Int(d.value - 48)
                pending = chars.next()
            }
            if number >= 1 && number <= bindings.count { appendLiteral(bindings[number - 1], to: &out) } else { out += "?" }
        }
        return out
    }

    func appendLiteral(_ value: SQLValue, to out: inout String) {
        switch value {
        case .null: out += "NULL"
        case .integer(let i): out += String(i)
        case .text(let s): appendQuoted(s, to: &out)
        }
    }

    /// A string literal of bytes read from elsewhere (a copy), or NULL.
    func appendQuoted(_ bytes: Bytes?, to out: inout String) {
        guard let bytes else { out += "NULL"; return }
        appendQuoted(String(decoding: bytes, as: UTF8.self), to: &out)
    }

    func literal(_ value: SQLValue) -> String {
        var out = ""
        appendLiteral(value, to: &out)
        return out
    }

    /// A string literal, escaped by the client library for the connection's
    /// character set (and the server's quoting mode).
    func appendQuoted(_ s: String, to out: inout String) {
        var text = s
        text.withUTF8 { from in
            let capacity = from.count * 2 + 1
            withUnsafeTemporaryAllocation(of: CChar.self, capacity: capacity) { to in
                let n: UInt
                if let mysql {
                    n = mysql_real_escape_string(mysql, to.baseAddress, UnsafeRawPointer(from.baseAddress ?? UnsafePointer(bitPattern: 1)!).assumingMemoryBound(to: CChar.self), UInt(from.count))
                } else {
                    n = mysql_escape_string(to.baseAddress, UnsafeRawPointer(from.baseAddress ?? UnsafePointer(bitPattern: 1)!).assumingMemoryBound(to: CChar.self), UInt(from.count))
                }
                out += "'"
                out += String(decoding: UnsafeRawBufferPointer(start: to.baseAddress, count: Int(n)), as: UTF8.self)
                out += "'"
            }
        }
    }
}

/// A result read whole from the server; rows are borrowed from it, valid
/// until `next()` moves on. Freed in deinit.
final class MariaDBResult {
    private let result: UnsafeMutablePointer<MYSQL_RES>
    private unowned let connection: MariaDBConnection
    private let sql: String
    private var row: MYSQL_ROW?
    private var lengths: UnsafeMutablePointer<UInt>?

    init(_ result: UnsafeMutablePointer<MYSQL_RES>, connection: MariaDBConnection, sql: String) {
        self.result = result
        self.connection = connection
        self.sql = sql
    }

    deinit { mysql_free_result(result) }

    /// After `next()` returned false on a streamed result: throws if the
    /// rows ended because the connection failed, not because they were all read.
    func checkComplete() throws(MariaDBError) {
        if let error = connection.streamError(sql) { throw error }
    }

    func next() -> Bool {
        row = mysql_fetch_row(result)
        lengths = row == nil ? nil : mysql_fetch_lengths(result)
        return row != nil
    }

    func bytes(_ column: Int) -> Bytes? {
        guard let row, let cell = row[column], let lengths else { return nil }
        return Bytes(start: UnsafeRawPointer(cell).assumingMemoryBound(to: UInt8.self), count: Int(lengths[column]))
    }

    func optionalInt64(_ column: Int) -> Int64? {
        guard let b = bytes(column), !b.isEmpty else { return nil }
        var value: Int64 = 0
        var negative = false
        for (i, c) in b.enumerated() {
            if i == 0 && c == UInt8(ascii: "-") { negative = true; continue }
            guard c >= 48 && c <= 57 else { break }  // a DECIMAL's fraction ends the integer
            value = value &* 10 &+ Int64(c - 48)
        }
        return negative ? 0 &- value : value  // -9223372036854775808 wraps to itself: exact
    }

    func int64(_ column: Int) -> Int64 { optionalInt64(column) ?? 0 }

    func text(_ column: Int) -> String? { bytes(column).map { String(decoding: $0, as: UTF8.self) } }
}
