/// The directory's names of the services an export can show, read once so
/// that its rows need no join: on MariaDB the two joins per row (the
/// service, then its owner) were two thirds of the server's work for an
/// export of the whole panel, on SQLite two of every row's three B-tree
/// seeks. The names live in one buffer the table owns, so a row points into
/// it as it points into the engine's row buffer.
final class ServiceNameTable {
    struct Names {
        let service: Bytes
        let ownerId: Int64
        /// nil: the owner is not in the directory (the name logged stands).
        let ownerName: Bytes?
    }

    /// One service's names as an engine read them with `query`.
    typealias Row = (id: Int64, service: [UInt8], ownerId: Int64, ownerName: [UInt8]?)

    /// Where names are needed for many events at once (MariaDB's `el_log`
    /// snapshot, an export), a directory of up to this many services is read
    /// whole; a longer one in parts (or joined row by row), so that memory
    /// stays bounded.
    static let maxServices = 20_000

    /// Each service's id, name, owner id and owner's name, for the services
    /// `condition` picks: SQL on `e.service_id`, as `Filter.whereClause`
    /// writes it for a scope and service filters. At most `maxServices + 1` rows.
    static func query(where condition: String) -> String {
        """
        SELECT s.id, s.name, s.owner_id, a.name FROM (SELECT id AS service_id FROM service) e
        JOIN service s ON s.id = e.service_id LEFT JOIN account a ON a.id = s.owner_id
        WHERE \(condition) LIMIT \(maxServices + 1)
        """
    }

    /// The names of the services `filter`'s scope and service filters pick,
    /// as `query`'s condition and its bindings: the directory as it is now
    /// decides which services are in view, so these are all the names an
    /// export of `filter` can show from it.
    static func condition(_ filter: Filter, _ scope: Scope, dialect: SQLDialect) -> (sql: String, bindings: [SQLValue]) {
        var services = Filter()
        (services.serviceId, services.ownerId) = (filter.serviceId, filter.ownerId)
        return services.whereClause(scope, dialect: dialect)
    }

    private var names: [Int64: Names] = [:]
    private let buffer: UnsafeMutableBufferPointer<UInt8>

    /// nil for more than `maxServices` rows.
    init?(_ rows: [Row]) {
        guard rows.count <= Self.maxServices else { return nil }
        buffer = .allocate(capacity: max(1, rows.reduce(0) { $0 + $1.service.count + ($1.ownerName?.count ?? 0) }))
        var used = 0
        func keep(_ bytes: [UInt8]) -> Bytes {
            let start = buffer.baseAddress! + used
            start.update(from: bytes, count: bytes.count)
            used += bytes.count
            return Bytes(start: start, count: bytes.count)
        }
        names.reserveCapacity(rows.count)
        for row in rows {
            names[row.id] = Names(service: keep(row.service), ownerId: row.ownerId, ownerName: row.ownerName.map(keep))
        }
    }

    deinit { buffer.deallocate() }

    subscript(service: Int64) -> Names? { names[service] }
}

/// A row read with `LogColumns.selectAsLogged`, with the directory's names
/// put in as `LogColumns.joins` would: the service's name and owner where
/// the directory has the service, the owner's name where it has the owner
/// too, else the names the event was logged with.
struct DirectoryNamedRow<Row: EventRow>: EventRow {
    private let row: Row
    private let names: ServiceNameTable.Names?

    init(_ row: Row, _ table: ServiceNameTable) {
        self.row = row
        names = table[row.serviceId]
    }

    var id: Int64 { row.id }
    var timestamp: Int64 { row.timestamp }
    var typeCode: Int64 { row.typeCode }
    var serviceId: Int64 { row.serviceId }
    var actorCode: Int64 { row.actorCode }
    var actorId: Int64? { row.actorId }
    var actorName: Bytes? { row.actorName }
    var djName: Bytes? { row.djName }
    var sourceIp: Bytes? { row.sourceIp }
    var takeover: Bool? { row.takeover }
    var detailsJSON: Bytes? { row.detailsJSON }
    var serviceName: Bytes? { names?.service ?? row.serviceName }
    var ownerId: Int64? { names?.ownerId ?? row.ownerId }
    var ownerName: Bytes? { names?.ownerName ?? row.ownerName }
    var message: Bytes? { row.message }
}
