/// The current row of a page or export statement, with its formatted
/// attributes (`time`, `typeLabel`, current service and owner names).
///
/// A view, not a copy: text is read as SQLite's own bytes and written
/// straight into the output, so an export allocates nothing per row. Valid
/// until the statement steps again.
struct LogRow {
    /// Columns read for every row; names come from the directory as it is now,
    /// falling back to the snapshot taken when the event was logged.
    static let columns = """
        e.id, e.ts, e.type, e.service_id, e.actor_type, e.actor_id, e.actor_name, e.dj_name, e.source_ip,
        e.takeover, e.details, COALESCE(s.name, e.service_name), COALESCE(s.owner_id, e.owner_id),
        COALESCE(a.name, e.owner_name), e.message
        """
    static let joins = "LEFT JOIN service s ON s.id = e.service_id LEFT JOIN account a ON a.id = s.owner_id"

    /// Newest first, and within a millisecond in reverse order of logging
    /// (ids are handed out in commit order): the order of the time indexes,
    /// so a page or export chunk streams from an index with no sort.
    static let newestFirst = "e.ts DESC, e.id DESC"
    /// The same order's key, for keyset paging of exports.
    static let orderKey = "(e.ts, e.id)"

    private let s: Statement

    init(_ statement: Statement) { s = statement }

    var id: Int64 { s.int64(0) }
    var timestamp: Int64 { s.int64(1) }
    var typeCode: Int64 { s.int64(2) }
    var type: EventType? { Catalog.type(code: typeCode) }
    var serviceId: Int64 { s.int64(3) }
    var actorCode: Int64 { s.int64(4) }
    var actorType: ActorType? { ActorType(code: actorCode) }
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

    /// This row's position in `newestFirst` order.
    var orderKey: [SQLValue] { [.integer(timestamp), .integer(id)] }

    /// The log object of the query JSON (and of each JSON Lines line).
    func writeJSON(to w: inout JSONWriter) {
        let type = self.type
        w.raw("{")
        w.key("id", first: true); w.integer(id)
        w.key("timestamp"); w.integer(timestamp)
        w.key("time"); w.bytes.append(0x22); Time.appendRFC3339(milliseconds: timestamp, to: &w.bytes); w.bytes.append(0x22)
        w.key("category"); w.optionalString(type?.category.rawValue)
        w.key("type"); w.optionalString(type?.id)
        w.key("typeLabel"); w.optionalString(type?.label)
        w.key("serviceId"); w.integer(serviceId)
        w.key("serviceName"); w.optionalString(serviceName)
        w.key("ownerId"); w.optionalInteger(ownerId)
        w.key("ownerName"); w.optionalString(ownerName)
        w.key("actor"); w.raw("{")
        w.key("type", first: true); w.optionalString(actorType?.rawValue)
        w.key("id"); w.optionalInteger(actorId)
        w.key("name"); w.optionalString(actorName)
        w.raw("}")
        w.key("djName"); w.optionalString(djName)
        w.key("sourceIp"); w.optionalString(sourceIp)
        w.key("takeover"); if let takeover { w.raw(takeover ? "true" : "false") } else { w.raw("null") }
        // Stored details were written by JSONWriter: valid JSON, copied as is.
        w.key("details"); if let d = detailsJSON { w.bytes.append(contentsOf: d) } else { w.raw("{}") }
        w.key("message"); w.optionalString(message)
        w.raw("}")
    }
}
