/// A streamed export from a MariaDB store, newest first: each read is its
/// own short statement (keyset on `(ts, id)`), so no snapshot is held open
/// for the length of a download, and memory stays one read.
final class MariaDBExport: EventExport {
    /// Rows one statement reads: each is a round trip and a fresh range start
    /// on the server, so more than SQLite's chunk (about a megabyte, held
    /// here); the caller still gets `ExportFormat.rowsPerChunk` at a time.
    static let rowsPerRead: Int64 = 5000

    /// Rows read and written out, not handed to the caller yet, and where
    /// each of them ends in `pending`.
    private var pending = ByteBuffer(capacity: 0)
    private var rowEnds: [Int] = []
    private var handedOut = 0  // rows of `rowEnds` already handed out

    private let db: MariaDBConnection
    private let format: ExportFormat
    private let whereSQL: String
    private let index: String
    private let serviceColumns: Bool
    /// The directory's names of the services in the export's scope, read
    /// once; nil for too many to hold, whose names the server joins in instead.
    private let names: ServiceNameTable?
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
        names = try ServiceNameTable.read(db, filter, scope)
        // Each chunk must come from an index in export order, or every chunk
        // would sort all that is left: the table itself (clustered by time)
        // for the whole panel; the time index, which holds the service, when
        // a scope or filter leaves some rows out (only matches are read
        // whole); one service's own index.
        index = filter.serviceId != nil ? "FORCE INDEX (event_service_ts)"
            : scope.isUnrestricted && filter.ownerId == nil && filter.typeCodes == nil && filter.actor == nil ? "FORCE INDEX (PRIMARY)"
            : "FORCE INDEX (event_ts)"
    }

    func next() throws -> ByteBuffer? {
        do {
            return try nextChunk()
        } catch let error as MariaDBError {
            throw EventLogError(error, doing: "cannot read the export", at: db.location)
        }
    }

    private func nextChunk() throws -> ByteBuffer? {
        if handedOut == rowEnds.count {
            guard !finished else { return nil }
            try read()
        }
        // The next rowsPerChunk rows (the header goes with the first).
        let start = handedOut == 0 ? 0 : rowEnds[handedOut - 1]
        handedOut = min(handedOut + Int(ExportFormat.rowsPerChunk), rowEnds.count)
        let end = handedOut == 0 ? pending.count : rowEnds[handedOut - 1]
        let last = handedOut == rowEnds.count && (finished || rowEnds.isEmpty)
        return pending.withUnsafeBytes { bytes in
            let part = Bytes(rebasing: bytes[start..<(last ? bytes.count : end)])
            return last && part.isEmpty ? nil : ByteBuffer(copying: part)
        }
    }

    /// Reads the next `rowsPerRead` rows into `pending`.
    private func read() throws {
        var out = JSONWriter(capacity: 256 * Int(Self.rowsPerRead))
        if headerPending {
            CSV.header(serviceColumns: serviceColumns, into: &out.bytes)
            headerPending = false
        }
        rowEnds.removeAll(keepingCapacity: true)
        handedOut = 0
        let keyset = after.map { " AND (e.ts < \($0.ts) OR (e.ts = \($0.ts) AND e.id < \($0.id)))" } ?? ""
        let columns = LogColumns.export(from: index, names: names)
        let result = try db.query("""
            SELECT \(columns)
            WHERE \(whereSQL)\(keyset)
            ORDER BY \(LogColumns.newestFirst) LIMIT \(Self.rowsPerRead)
            """, streaming: true)
        while result.next() {
            let row = MariaDBRow(result)
            row.write(format, serviceColumns: serviceColumns, names: names, to: &out)
            rowEnds.append(out.bytes.count)
            after = (row.timestamp, row.id)
        }
        try result.checkComplete()
        if rowEnds.count < Self.rowsPerRead { finished = true }
        pending = out.bytes
    }
}
