#if canImport(Glibc)
import Glibc
#endif

/// A validated event, as the store keeps it.
struct Event: Equatable, Sendable {
    var id: Int64 = 0
    var timestamp: Int64
    var type: EventType
    var serviceId: Int64
    var actor: Actor
    var djName: String?
    var sourceIp: String?
    var takeover: Bool?
    var details: JSONObject
    /// `details` as stored: encoded once, when validated.
    var detailsJSON: String?

    /// The one-line message, written at log time.
    var message: String = ""
}

/// Turns event JSON into an `Event`, enforcing the catalog. Every failure
/// names the field, so the panel developer sees what to fix.
enum EventValidator {
    static let maxFieldBytes = 4096
    static let maxEventBytes = 65536
    /// Clock skew tolerated for events stamped in the future.
    static let maxFutureMilliseconds: Int64 = 86_400_000

    private static let knownKeys = ["type", "category", "serviceId", "time", "actor", "djName", "sourceIp", "takeover", "details"]

    static func event(from json: JSONValue, now: Int64) throws(EventLogError) -> Event {
        guard let o = json.objectValue else { throw .invalid("an event must be a JSON object") }
        if let unknown = unknownKey(in: o, known: knownKeys) {
            throw .invalid("unknown field '\(unknown)' in event")
        }
        guard let typeID = o["type"]?.stringValue else { throw .invalid("type is required (a catalog type id such as \"dj.connect\")") }
        guard let type = Catalog.type(id: typeID) else { throw .invalid("unknown event type '\(clip(typeID))'") }
        if let category = o["category"], !category.isNull {
            guard category.stringValue == type.category.rawValue else {
                throw .invalid("category must be '\(type.category.rawValue)' for \(type.id)")
            }
        }
        guard let serviceId = o["serviceId"]?.integerValue else { throw .invalid("serviceId is required (a positive integer) for \(type.id)") }
        guard serviceId > 0 else { throw .invalid("serviceId must be a positive integer") }

        let timestamp = try time(o["time"], now: now)
        let djName = try optionalString(o, "djName")
        let sourceIp = try optionalString(o, "sourceIp")
        if let sourceIp, !isIPAddress(sourceIp) { throw .invalid("sourceIp '\(clip(sourceIp))' is not an IPv4 or IPv6 address") }
        var takeover: Bool?
        switch o["takeover"] {
        case nil, .null?: takeover = nil
        case .bool(let b)?: takeover = b
        default: throw .invalid("takeover must be true or false")
        }
        var details = JSONObject()
        switch o["details"] {
        case nil, .null?: break
        case .object(let d)?: details = d
        default: throw .invalid("details must be a JSON object")
        }
        for (key, value) in details { try checkSize(value, field: "details.\(key)") }

        let actor = try self.actor(o["actor"], type: type, djName: djName)
        var event = Event(timestamp: timestamp, type: type, serviceId: serviceId, actor: actor, djName: djName,
                          sourceIp: sourceIp, takeover: takeover, details: details)
        try checkRequirements(&event)
        event.detailsJSON = event.details.isEmpty ? nil : JSONWriter.encode(.object(event.details))
        let size = (event.detailsJSON?.utf8.count ?? 0) + (djName?.utf8.count ?? 0) + (actor.name?.utf8.count ?? 0)
        guard size <= maxEventBytes else { throw .invalid("event is larger than \(maxEventBytes / 1024) KiB") }
        return event
    }

    /// The catalog's required attributes.
    private static func checkRequirements(_ e: inout Event) throws(EventLogError) {
        let id = e.type.id
        switch e.type.category {
        case .service, .source:
            // An automated action on a service says why; updates and warnings carry their own details.
            let isAction = !["service.config_update", "service.title_update", "service.bitrate_warning"].contains(id)
            if e.actor.type == .system, isAction {
                guard let reason = e.details["reason"]?.stringValue, !reason.isEmpty else {
                    throw .invalid("details.reason is required for \(id) by the system actor")
                }
                if id == "service.suspend", !Catalog.suspendReasons.contains(reason) {
                    throw .invalid("details.reason for a system \(id) must be one of \(Catalog.suspendReasons.sorted().joined(separator: ", "))")
                }
                if id == "service.stop", !Catalog.stopReasons.contains(reason) {
                    throw .invalid("details.reason for a system \(id) must be one of \(Catalog.stopReasons.sorted().joined(separator: ", "))")
                }
            }
        case .dj:
            guard let name = e.djName, !name.isEmpty else { throw .invalid("djName is required for \(id)") }
            _ = name
        case .autodj:
            guard let trigger = e.details["trigger"]?.stringValue, Catalog.autoDJTriggers.contains(trigger) else {
                throw .invalid("details.trigger is required for \(id): startup or dj_disconnect")
            }
        case .mount:
            guard let mount = e.details["mount"]?.stringValue, mount.hasPrefix("/"), mount.utf8.count > 1 else {
                throw .invalid("details.mount is required for \(id) (a mount point such as \"/live\")")
            }
            if let server = e.details["server"], server.stringValue == nil {
                throw .invalid("details.server must be a string")
            }
            if let port = e.details["port"] {
                guard let p = port.integerValue, (1...65535).contains(p) else { throw .invalid("details.port must be an integer from 1 to 65535") }
                e.details["port"] = .integer(p)
            }
        }
        switch id {
        case "service.config_update":
            guard let changes = e.details["changes"]?.arrayValue, !changes.isEmpty,
                  changes.allSatisfy({ $0.stringValue != nil }) else {
                throw .invalid("details.changes is required for \(id): a non-empty list of the keys changed")
            }
        case "service.title_update":
            guard e.details["title"]?.stringValue != nil else { throw .invalid("details.title is required for \(id)") }
        case "service.bitrate_warning":
            guard e.actor.type == .system else { throw .invalid("\(id) must be logged by the system actor") }
            for key in ["bitrate", "limit"] {
                guard let v = e.details[key]?.numberValue, v >= 0 else {
                    throw .invalid("details.\(key) is required for \(id): a number of kbps")
                }
            }
        default:
            break
        }
    }

    /// Panel and API actions name their actor; stream-server events default
    /// to the DJ (DJ types) or the system (mount and AutoDJ types).
    private static func actor(_ value: JSONValue?, type: EventType, djName: String?) throws(EventLogError) -> Actor {
        guard let value, !value.isNull else {
            switch type.category {
            case .dj: return Actor(type: .dj, id: nil, name: djName)
            case .mount, .autodj: return .system
            case .service, .source:
                if type.id == "service.bitrate_warning" { return .system }
                throw .invalid("actor is required for \(type.id)")
            }
        }
        guard let o = value.objectValue else { throw .invalid("actor must be an object {\"type\", \"id\", \"name\"}") }
        if let unknown = unknownKey(in: o, known: ["type", "id", "name"]) {
            throw .invalid("unknown field 'actor.\(unknown)'")
        }
        guard let t = o["type"]?.stringValue, let actorType = ActorType(rawValue: t) else {
            throw .invalid("actor.type must be one of user, dj, api, system")
        }
        var id: Int64?
        if let raw = o["id"], !raw.isNull {
            guard let i = raw.integerValue else { throw .invalid("actor.id must be an integer or null") }
            id = i
        }
        let name = try optionalString(o, "name", label: "actor.name")
        return Actor(type: actorType, id: id, name: name)
    }

    private static func time(_ value: JSONValue?, now: Int64) throws(EventLogError) -> Int64 {
        let ms: Int64
        switch value {
        case nil, .null?: return now
        case .string(let s)?:
            guard let parsed = Time.parseRFC3339(s) else { throw .invalid("time '\(clip(s))' is not RFC 3339 (e.g. 2026-11-27T13:58:47Z)") }
            ms = parsed
        case let v?:
            guard let i = v.integerValue else { throw .invalid("time must be unix milliseconds or an RFC 3339 string") }
            ms = i
        }
        guard ms >= 0 else { throw .invalid("time is before 1970") }
        guard ms <= now + maxFutureMilliseconds else { throw .invalid("time is more than a day in the future") }
        return ms
    }

    static func optionalString(_ o: JSONObject, _ key: String, label: String? = nil) throws(EventLogError) -> String? {
        switch o[key] {
        case nil, .null?: return nil
        case .string(let s)?:
            guard s.utf8.count <= maxFieldBytes else { throw .invalid("\(label ?? key) is longer than \(maxFieldBytes) bytes") }
            return s
        default: throw .invalid("\(label ?? key) must be a string")
        }
    }

    /// `field` is spelt out only for the message.
    private static func checkSize(_ value: JSONValue, field: @autoclosure () -> String) throws(EventLogError) {
        switch value {
        case .string(let s) where s.utf8.count > maxFieldBytes:
            throw .invalid("\(field()) is longer than \(maxFieldBytes) bytes")
        case .array(let a): for v in a { try checkSize(v, field: field()) }
        case .object(let o): for (k, v) in o { try checkSize(v, field: "\(field()).\(k)") }
        default: break
        }
    }

    static func isIPAddress(_ s: String) -> Bool {
        guard s.utf8.count <= 45, !s.utf8.contains(UInt8(ascii: "%")) else { return false }
        var buffer = (UInt64(0), UInt64(0))
        return withUnsafeMutableBytes(of: &buffer) { raw in
            inet_pton(AF_INET, s, raw.baseAddress) == 1 || inet_pton(AF_INET6, s, raw.baseAddress) == 1
        }
    }

    /// Echoes user input in a message without echoing a megabyte of it.
    static func clip(_ s: String) -> String {
        s.utf8.count <= 64 ? s : String(s.prefix(60)) + "…"
    }
}
