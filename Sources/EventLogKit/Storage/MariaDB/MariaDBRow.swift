/// The current row of a MariaDB result that selected `LogColumns.select`:
/// a view of the result's own buffer, valid until it moves on.
struct MariaDBRow: EventRow {
    private let r: MariaDBResult

    init(_ result: MariaDBResult) { r = result }

    var id: Int64 { r.int64(0) }
    var timestamp: Int64 { r.int64(1) }
    var typeCode: Int64 { r.int64(2) }
    var serviceId: Int64 { r.int64(3) }
    var actorCode: Int64 { r.int64(4) }
    var actorId: Int64? { r.optionalInt64(5) }
    var actorName: Bytes? { r.bytes(6) }
    var djName: Bytes? { r.bytes(7) }
    var sourceIp: Bytes? { r.bytes(8) }
    var takeover: Bool? { r.optionalInt64(9).map { $0 != 0 } }
    var detailsJSON: Bytes? { r.bytes(10) }
    var serviceName: Bytes? { r.bytes(11) }
    var ownerId: Int64? { r.optionalInt64(12) }
    var ownerName: Bytes? { r.bytes(13) }
    var message: Bytes? { r.bytes(14) }
}
