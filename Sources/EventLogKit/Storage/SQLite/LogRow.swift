/// The current row of an SQLite page or export statement that selected
/// `LogColumns.select` (or `selectAsLogged`): a view, not a copy. Valid until the statement steps again.
struct LogRow: EventRow {
    /// The order key of `LogColumns.newestFirst`, for keyset paging of exports.
    static let orderKey = "(e.ts, e.id)"

    private let s: Statement

    init(_ statement: Statement) { s = statement }

    var id: Int64 { s.int64(0) }
    var timestamp: Int64 { s.int64(1) }
    var typeCode: Int64 { s.int64(2) }
    var serviceId: Int64 { s.int64(3) }
    var actorCode: Int64 { s.int64(4) }
    var actorId: Int64? { s.optionalInt64(5) }
    var actorName: Bytes? { s.bytes(6) }
    var djName: Bytes? { s.bytes(7) }
    var sourceIp: Bytes? { s.bytes(8) }
    var takeover: Bool? { s.optionalInt64(9).map { $0 != 0 } }
    var detailsJSON: Bytes? { s.bytes(10) }
    var serviceName: Bytes? { s.bytes(11) }
    var ownerId: Int64? { s.optionalInt64(12) }
    var ownerName: Bytes? { s.bytes(13) }
    var message: Bytes? { s.bytes(14) }
}
