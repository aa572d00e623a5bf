/// A streamed export from a MariaDB store, newest first: each chunk is its
/// own short statement (keyset on `(ts, id)`), so no snapshot is held open
/// for the length of a download and memory stays one chunk.
final class MariaDBExport: EventExport {
    /// Larger than SQLite's: each chunk is a round trip and a fresh range
    /// start on the server; 5,000 rows are still about a megabyte.
    static let rowsPerChunk: Int64 = 5000

    private let db: MariaDBConnection
    private let format: ExportFormat
    private let whereSQL: String
    private let index: String
    private let serviceColumns: Bool
    private var after: (ts: Int64, id: Int64)?
    private var headerPending: Bool
    private var finished = false

    init(db: MariaDBConnection, scope: Scope, filter: Filter, format: ExportFormat, prunedBefore: Int64) throws {
        self.db = db
        self.format = format
        serviceColumns = filter.serviceId == nil
        headerPending = format == .csv
        var view = filter
        view.from = max(filter.from ?? prunedBefore, prunedBefore)
        let (whereSQL, bindings) = view.whereClause(scope, dialect: .mariadb)
        // Events stored after the export began are left out.
        let newest = try db.integer("SELECT COALESCE(MAX(logged_at), 0) FROM event") ?? 0
        self.whereSQL = db.render(whereSQL, bindings) + " AND e.logged_at <= \(newest)"
        // Each chunk must come from an index in export order, or every chunk
        // would sort all that is left: the table itself (clustered by time)
        // for the whole panel; the time index, which holds the service, when
        // a scope or filter leaves some rows out (only matches are read
        // whole); one service's own index.
        index = filter.serviceId != nil ? "FORCE INDEX (event_service_ts)"
            : scope.isUnrestricted && filter.ownerId == nil && filter.typeCodes == nil && filter.actor == nil ? "FORCE INDEX (PRIMARY)"
            : "FORCE INDEX (event_ts)"
    }

    func next() throws -> [UInt8]? {
        do {
            return try nextChunk()
        } catch let error as MariaDBError {
            throw EventLogError(error, doing: "cannot read the export", at: db.location)
        }
    }

    private func nextChunk() throws -> [UInt8]? {
        guard !finished else { return nil }
        var out = JSONWriter(capacity: 256 * Int(Self.rowsPerChunk))
        if headerPending {
            CSV.header(serviceColumns: serviceColumns, into: &out.bytes)
            headerPending = false
        }
        let keyset = after.map { " AND (e.ts < \($0.ts) OR (e.ts = \($0.ts) AND e.id < \($0.id)))" } ?? ""
        let result = try db.query("""
            SELECT \(LogColumns.select) FROM event e \(index) \(LogColumns.joins)
            WHERE \(whereSQL)\(keyset)
            ORDER BY \(LogColumns.newestFirst) LIMIT \(Self.rowsPerChunk)
            """, streaming: true)
        var count: Int64 = 0
        while result.next() {
            let row = MariaDBRow(result)
            row.write(format, serviceColumns: serviceColumns, to: &out)
            after = (row.timestamp, row.id)
            count += 1
        }
        try result.checkComplete()
        if count < Self.rowsPerChunk { finished = true }
        return out.bytes.isEmpty ? nil : out.bytes
    }
}
