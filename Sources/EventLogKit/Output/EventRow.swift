/// One stored event as a page or an export reads it, whichever engine holds
/// it: its columns (`LogColumns`) and the log object they make. Text is the
/// engine's own bytes, written straight into the output, so an export
/// allocates nothing per row.
protocol EventRow {
    var id: Int64 { get }
    var timestamp: Int64 { get }
    var typeCode: Int64 { get }
    var serviceId: Int64 { get }
    var actorCode: Int64 { get }
    var actorId: Int64? { get }
    var actorName: Bytes? { get }
    var djName: Bytes? { get }
    var sourceIp: Bytes? { get }
    var takeover: Bool? { get }
    var detailsJSON: Bytes? { get }
    var serviceName: Bytes? { get }
    var ownerId: Int64? { get }
    var ownerName: Bytes? { get }
    var message: Bytes? { get }
}

/// The columns every engine reads for a row, in `EventRow` order (plain SQL
/// both engines speak). Names come from the directory as it is now, falling
/// back to the snapshot taken when the event was logged.
enum LogColumns {
    static let select = columns(names: "COALESCE(s.name, e.service_name), COALESCE(s.owner_id, e.owner_id), COALESCE(a.name, e.owner_name)")
    static let joins = "LEFT JOIN service s ON s.id = e.service_id LEFT JOIN account a ON a.id = s.owner_id"

    /// `select` without the directory: the names as the event was logged,
    /// for a reader that puts the directory's names in itself (ServiceNameTable).
    static let selectAsLogged = columns(names: "e.service_name, e.owner_id, e.owner_name")

    /// The select list and table of an export read through `index`: the
    /// names as logged where the export read the directory's names itself
    /// (`names`, put in by `EventRow.write(_:serviceColumns:names:to:)`),
    /// else the directory joined row by row.
    static func export(from index: String, names: ServiceNameTable?) -> String {
        names == nil ? "\(select) FROM event e \(index) \(joins)" : "\(selectAsLogged) FROM event e \(index)"
    }

    private static func columns(names: String) -> String {
        "e.id, e.ts, e.type, e.service_id, e.actor_type, e.actor_id, e.actor_name, e.dj_name, e.source_ip, e.takeover, e.details, \(names), e.message"
    }

    /// Newest first, and within a millisecond by id, newest id first (on
    /// SQLite ids follow the order of logging; on MariaDB only within one
    /// process): the order of the time indexes, so a page or export chunk
    /// streams from an index with no sort.
    static let newestFirst = "e.ts DESC, e.id DESC"
    /// The same order reversed (a deep MariaDB page read from its period's start).
    static let oldestFirst = "e.ts, e.id"
}

extension EventRow {
    var type: EventType? { Catalog.type(code: typeCode) }
    var actorType: ActorType? { ActorType(code: actorCode) }

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

    /// One line of an export read with `LogColumns.export(from:names:)`:
    /// with the directory's names from `names` where the export read them.
    func write(_ format: ExportFormat, serviceColumns: Bool, names: ServiceNameTable?, to out: inout JSONWriter) {
        if let names {
            DirectoryNamedRow(self, names).write(format, serviceColumns: serviceColumns, to: &out)
        } else {
            write(format, serviceColumns: serviceColumns, to: &out)
        }
    }

    /// One line of an export in `format`.
    func write(_ format: ExportFormat, serviceColumns: Bool, to out: inout JSONWriter) {
        switch format {
        case .csv: CSV.row(self, serviceColumns: serviceColumns, into: &out.bytes)
        case .jsonl:
            writeJSON(to: &out)
            out.bytes.append(0x0A)
        }
    }
}
