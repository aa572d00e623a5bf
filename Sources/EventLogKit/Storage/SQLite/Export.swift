/// A streamed export of everything a query matches on an SQLite store, newest first.
///
/// Each chunk is read by its own short statement (keyset on `(ts, id)`,
/// bounded by the newest id at start), so a 10M-row export never holds a read
/// transaction open (which would let the WAL grow without bound) and never
/// holds more than one chunk in memory.
final class Export: EventExport {

    private let connection: Connection
    private let format: ExportFormat
    private let sql: String
    private let bindings: [SQLValue]
    private let matchIDs: [SQLValue]  // a rare search's matches (a JSON array), bound after the order key
    private let serviceColumns: Bool
    /// The directory's names of the services in the export's scope, read
    /// once; nil for too many to hold, whose names are joined row by row.
    private let names: ServiceNameTable?
    private var after: (ts: Int64, id: Int64) = (.max, .max)  // order key of the last row written
    private var headerPending: Bool
    private var finished = false

    init(connection: Connection, scope: Scope, filter: Filter, format: ExportFormat) throws {
        self.connection = connection
        self.format = format
        // A view across services (no serviceId) carries service and customer columns.
        serviceColumns = filter.serviceId == nil
        headerPending = format == .csv
        let maxID = try connection.integer("SELECT COALESCE(max(id), 0) FROM event") ?? 0
        let (whereSQL, whereBindings) = filter.whereClause(scope)
        let n = whereBindings.count
        // A rare search term: its matches, found by one pass over the table,
        // are the rows; the time index would be walked whole, a row read per entry.
        let few = filter.text == nil ? nil : try SearchScan.fewMatches(filter, scope: scope, db: connection)
        let index = few == nil ? PageQuery.index(filter, total: .max) : "NOT INDEXED"
        let candidates = few == nil ? "" : "e.id IN (SELECT value FROM json_each(?\(n + 4))) AND "
        names = try ServiceNameTable.read(connection, filter, scope)
        let columns = LogColumns.export(from: index, names: names)
        sql = """
            SELECT \(columns)
            WHERE \(candidates)\(whereSQL) AND e.id <= ?\(n + 1)
              AND e.ts <= ?\(n + 2) AND \(LogRow.orderKey) < (?\(n + 2), ?\(n + 3))
            ORDER BY \(LogColumns.newestFirst) LIMIT \(ExportFormat.rowsPerChunk)
            """
        bindings = whereBindings + [.integer(maxID)]
        matchIDs = few.map { [.text("[" + $0.map(String.init).joined(separator: ",") + "]")] } ?? []
    }

    /// The next chunk, or nil when the export is complete.
    func next() throws -> ByteBuffer? {
        guard !finished else { return nil }
        var out = JSONWriter(capacity: 256 * Int(ExportFormat.rowsPerChunk))
        if headerPending {
            CSV.header(serviceColumns: serviceColumns, into: &out.bytes)
            headerPending = false
        }
        let stmt = try connection.statement(sql)
        try stmt.bind(bindings + [.integer(after.ts), .integer(after.id)] + matchIDs)
        var count: Int64 = 0
        while try stmt.step() {
            let row = LogRow(stmt)
            row.write(format, serviceColumns: serviceColumns, names: names, to: &out)
            after = (row.timestamp, row.id)
            count += 1
        }
        stmt.reset()  // ends the chunk's read transaction
        if count < ExportFormat.rowsPerChunk { finished = true }
        if out.bytes.isEmpty { return nil }
        return out.bytes
    }
}

extension ServiceNameTable {
    /// The names an export of `filter` in `scope` can show; nil for too many.
    static func read(_ db: Connection, _ filter: Filter, _ scope: Scope) throws -> ServiceNameTable? {
        let (sql, bindings) = condition(filter, scope, dialect: .sqlite)
        let stmt = try db.statement(query(where: sql))
        defer { stmt.reset() }
        try stmt.bind(bindings)
        var rows: [Row] = []
        while try stmt.step() {
            rows.append((stmt.int64(0), stmt.bytes(1).map(Array.init) ?? [], stmt.int64(2), stmt.bytes(3).map(Array.init)))
        }
        return ServiceNameTable(rows)
    }
}
