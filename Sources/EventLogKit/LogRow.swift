/// One event as read back for a page or an export, with its formatted
/// attributes (`time`, `typeLabel`, current service and owner names).
struct LogRow {
    /// Columns read for every row; names come from the directory as it is now,
    /// falling back to the snapshot taken when the event was logged.
    static let columns = """
        e.id, e.ts, e.type, e.service_id, e.actor_type, e.actor_id, e.actor_name, e.dj_name, e.source_ip,
        e.takeover, e.details, COALESCE(s.name, e.service_name), COALESCE(s.owner_id, e.owner_id),
        COALESCE(a.name, e.owner_name), e.message
        """
    static let joins = "LEFT JOIN service s ON s.id = e.service_id LEFT JOIN account a ON a.id = s.owner_id"

    var id: Int64
    var timestamp: Int64
    var type: EventType?
    var typeCode: Int64
    var serviceId: Int64
    var actorType: ActorType?
    var actorId: Int64?
    var actorName: String?
    var djName: String?
    var sourceIp: String?
    var takeover: Bool?
    var detailsJSON: String?
    var serviceName: String?
    var ownerId: Int64?
    var ownerName: String?
    var message: String

    init(_ s: Statement) {
        id = s.int64(0)
        timestamp = s.int64(1)
        typeCode = s.int64(2)
        type = Catalog.type(code: typeCode)
        serviceId = s.int64(3)
        actorType = ActorType(code: s.int64(4))
        actorId = s.optionalInt64(5)
        actorName = s.text(6)
        djName = s.text(7)
        sourceIp = s.text(8)
        takeover = s.optionalInt64(9).map { $0 != 0 }
        detailsJSON = s.text(10)
        serviceName = s.text(11)
        ownerId = s.optionalInt64(12)
        ownerName = s.text(13)
        message = s.text(14) ?? ""
    }

    /// The log object of the query JSON (and of each JSON Lines line).
    func writeJSON(to w: inout JSONWriter) {
        w.raw("{")
        w.key("id", first: true); w.integer(id)
        w.key("timestamp"); w.integer(timestamp)
        w.key("time"); w.string(Time.rfc3339(milliseconds: timestamp))
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
        w.key("details"); if let detailsJSON { w.bytes.append(contentsOf: detailsJSON.utf8) } else { w.raw("{}") }
        w.key("message"); w.string(message)
        w.raw("}")
    }
}
