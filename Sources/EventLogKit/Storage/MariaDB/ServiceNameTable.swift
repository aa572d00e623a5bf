/// The directory's names of the services an export can show, read once so
/// that its rows need no join: on MariaDB the two joins per row (the
/// service, then its owner) were two thirds of the server's work for an
/// export of the whole panel. The names live in one buffer the table owns,
/// so a row points into it as it points into the server's row buffer.
final class ServiceNameTable {
    struct Names {
        let service: Bytes
        let ownerId: Int64
        /// nil: the owner is not in the directory (the name logged stands).
        let ownerName: Bytes?
    }

    private var names: [Int64: Names] = [:]
    private let buffer: UnsafeMutableBufferPointer<UInt8>

    /// The services `condition` picks (see `readServiceNames`), or nil
    /// when they are more than `servicesReadWhole`: the server then joins
    /// row by row instead, so memory stays flat.
    static func read(_ db: MariaDBConnection, where condition: String) throws -> ServiceNameTable? {
        var rows: [(id: Int64, service: [UInt8], ownerId: Int64, ownerName: [UInt8]?)] = []
        let whole = try db.readServiceNames(where: condition) { r in
            rows.append((r.int64(0), r.bytes(1).map(Array.init) ?? [], r.int64(2), r.bytes(3).map(Array.init)))
        }
        return whole ? ServiceNameTable(rows) : nil
    }

    private init(_ rows: [(id: Int64, service: [UInt8], ownerId: Int64, ownerName: [UInt8]?)]) {
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
