/// A streamed export of everything a query matches, newest first.
///
/// Each chunk is read by its own short statement (keyset on `(ts, id)`,
/// bounded by the newest id at start), so a 10M-row export never holds a read
/// transaction open (which would let the WAL grow without bound) and never
/// holds more than one chunk in memory.
final class Export {
    enum Format: String, Sendable { case csv, jsonl }

    static let rowsPerChunk: Int64 = 1000

    private let store: EventStore
    private let format: Format
    private let sql: String
    private let bindings: [SQLValue]
    private let serviceColumns: Bool
    private var after: (ts: Int64, id: Int64)?
    private var headerPending: Bool
    private var finished = false

    init(store: EventStore, scope: Scope, filter: Filter, format: Format) throws {
        self.store = store
        self.format = format
        // A view across services (no serviceId) carries service and customer columns.
        serviceColumns = filter.serviceId == nil
        headerPending = format == .csv
        let maxID = try store.connection.integer("SELECT COALESCE(max(id), 0) FROM event") ?? 0
        let (whereSQL, whereBindings) = filter.whereClause(scope)
        let n = whereBindings.count
        sql = """
            SELECT \(LogRow.columns) FROM event e \(LogRow.joins)
            WHERE \(whereSQL) AND e.id <= ?\(n + 1) AND e.ts <= ?\(n + 2) AND (e.ts < ?\(n + 2) OR e.id < ?\(n + 3))
            ORDER BY e.ts DESC, e.id DESC LIMIT \(Self.rowsPerChunk)
            """
        bindings = whereBindings + [.integer(maxID)]
    }

    /// The next chunk, or nil when the export is complete.
    func next() throws -> [UInt8]? {
        guard !finished else { return nil }
        var out = JSONWriter(capacity: 256 * Int(Self.rowsPerChunk))
        if headerPending {
            CSV.header(serviceColumns: serviceColumns, into: &out.bytes)
            headerPending = false
        }
        let stmt = try store.connection.statement(sql)
        let cursor = after ?? (Int64.max, Int64.max)
        try stmt.bind(bindings + [.integer(cursor.ts), .integer(cursor.id)])
        var count: Int64 = 0
        while try stmt.step() {
            let row = LogRow(stmt)
            switch format {
            case .csv: CSV.row(row, serviceColumns: serviceColumns, into: &out.bytes)
            case .jsonl:
                row.writeJSON(to: &out)
                out.bytes.append(0x0A)
            }
            after = (row.timestamp, row.id)
            count += 1
        }
        stmt.reset()  // ends the chunk's read transaction
        if count < Self.rowsPerChunk { finished = true }
        if out.bytes.isEmpty { return nil }
        return out.bytes
    }
}

/// RFC 4180 CSV: CRLF line ends, quoting where needed, UTC times, and no cell
/// that a spreadsheet would run as a formula (OWASP CSV injection).
enum CSV {
    static func header(serviceColumns: Bool, into out: inout [UInt8]) {
        var names = ["id", "time_utc", "type", "event", "category"]
        if serviceColumns { names += ["service_id", "service", "customer_id", "customer"] }
        names += ["actor_type", "actor_id", "actor_name", "dj_name", "source_ip", "takeover", "message", "details"]
        line(names, into: &out)
    }

    static func row(_ r: LogRow, serviceColumns: Bool, into out: inout [UInt8]) {
        var cells: [String?] = [String(r.id), Time.rfc3339(milliseconds: r.timestamp), r.type?.id, r.type?.label, r.type?.category.rawValue]
        if serviceColumns { cells += [String(r.serviceId), r.serviceName, r.ownerId.map(String.init), r.ownerName] }
        cells += [r.actorType?.rawValue, r.actorId.map(String.init), r.actorName, r.djName, r.sourceIp,
                  r.takeover.map { $0 ? "yes" : "no" }, r.message, r.detailsJSON]
        line(cells, into: &out)
    }

    private static func line(_ cells: [String?], into out: inout [UInt8]) {
        for (i, cell) in cells.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            if let cell { field(cell, into: &out) }
        }
        out.append(0x0D)
        out.append(0x0A)
    }

    static func field(_ value: String, into out: inout [UInt8]) {
        let utf8 = value.utf8
        // A leading = + - @ TAB CR LF would start a formula: neutralize with a quote mark.
        let guardNeeded = utf8.first.map { [0x3D, 0x2B, 0x2D, 0x40, 0x09, 0x0D, 0x0A].contains($0) } ?? false
        let quoteNeeded = guardNeeded || utf8.contains { $0 == 0x2C || $0 == 0x22 || $0 == 0x0D || $0 == 0x0A }
        if quoteNeeded { out.append(0x22) }
        if guardNeeded { out.append(UInt8(ascii: "'")) }
        for c in utf8 {
            if c == 0x22 { out.append(0x22) }
            out.append(c)
        }
        if quoteNeeded { out.append(0x22) }
    }
}
