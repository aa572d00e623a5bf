#if canImport(Glibc)
import Glibc
#endif

/// Turns event JSON into an `Event`, enforcing the catalog. Every failure
/// names the field, so the panel developer sees what to fix. JSON syntax is
/// checked before anything else.
enum EventValidator {
    static let maxFieldBytes = Limits.fieldBytes
    static let maxEventBytes = Limits.eventBytes
    static let maxBatchEvents = Limits.batchEvents

    /// One event (el_log).
    /// `oldest`: the start of the store's retention window.
    static func event(json: String, now: Int64, oldest: Int64) throws(EventLogError) -> Event {
        let fields = try JSONParser.reading(json, what: "event") { p throws(JSONParseError) in try EventFields.read(&p, depth: 0) }
        return try event(from: fields, now: now, oldest: oldest)
    }

    /// A JSON array of events (el_log_batch); a failure names the event's index.
    static func events(jsonArray json: String, now: Int64, oldest: Int64) throws(EventLogError) -> [Event] {
        var events: [Event] = []
        try readBatch(jsonArray: json, now: now, oldest: oldest) { events.append($0) }
        return events
    }

    /// Reads a batch, handing each event to `take` as soon as it is
    /// validated, in order, up to the first invalid one. Throws, once the
    /// whole text is read, the batch's error: its JSON first, then too many
    /// events, then the first invalid event (so a caller that stored what
    /// `take` got must roll it back).
    static func readBatch(jsonArray json: String, now: Int64, oldest: Int64, _ take: (Event) -> Void) throws(EventLogError) {
        var count = 0
        var firstInvalid: EventLogError?
        let isArray = try JSONParser.reading(json, what: "batch") { p throws(JSONParseError) in
            try p.readArray(depth: 0) { p throws(JSONParseError) in
                let fields = try EventFields.read(&p, depth: 1)
                defer { count += 1 }
                // Past an invalid event, or past the limit, the rest is only checked as JSON.
                guard firstInvalid == nil, count < maxBatchEvents else { return }
                do throws(EventLogError) {
                    take(try event(from: fields, now: now, oldest: oldest))
                } catch {
                    firstInvalid = .invalid("event [\(count)]: \(error.message)")
                }
            }
        }
        guard isArray else { throw .invalid("a batch must be a JSON array of events") }
        guard count <= maxBatchEvents else { throw .invalid("a batch holds at most \(maxBatchEvents) events") }
        if let firstInvalid { throw firstInvalid }
    }

    static func event(from f: EventFields, now: Int64, oldest: Int64) throws(EventLogError) -> Event {
        guard f.isObject else { throw .invalid("an event must be a JSON object") }
        if let unknown = f.unknown.min() { throw .invalid("unknown field '\(unknown)' in event") }
        guard let typeID = f.type?.stringValue else { throw .invalid("type is required (a catalog type id such as \"dj.connect\")") }
        guard let type = Catalog.type(id: typeID) else { throw .invalid("unknown event type '\(clip(typeID))'") }
        if let category = f.category, !category.isNull {
            guard category.stringValue == type.category.rawValue else {
                throw .invalid("category must be '\(type.category.rawValue)' for \(type.id)")
            }
        }
        guard let serviceId = f.serviceId?.integerValue else { throw .invalid("serviceId is required (a positive integer) for \(type.id)") }
        guard serviceId > 0 else { throw .invalid("serviceId must be a positive integer") }

        let timestamp = try time(f.time, now: now, oldest: oldest)
        let djName = try optionalString(f.djName, "djName")
        let sourceIp = try optionalString(f.sourceIp, "sourceIp")
        if let sourceIp, !isIPAddress(sourceIp) { throw .invalid("sourceIp '\(clip(sourceIp))' is not an IPv4 or IPv6 address") }
        var takeover: Bool?
        switch f.takeover {
        case nil, .null?: takeover = nil
        case .bool(let b)?: takeover = b
        default: throw .invalid("takeover must be true or false")
        }
        var details = JSONObject()
        switch f.details {
        case nil, .null?: break
        case .object(let d)?: details = d
        default: throw .invalid("details must be a JSON object")
        }
        for (key, value) in details { try checkSize(value, field: "details.\(key)") }

        let actor = try self.actor(f.actor, type: type, djName: djName)
        var event = Event(timestamp: timestamp, type: type, serviceId: serviceId, actor: actor, djName: djName,
                          sourceIp: sourceIp, takeover: takeover, details: details)
        event.deliveryKey = try deliveryKey(f.deliveryKey)
        try checkRequirements(&event)
        event.detailsJSON = event.details.isEmpty ? nil : JSONWriter.encode(.object(event.details))
        let size = (event.detailsJSON?.utf8.count ?? 0) + (djName?.utf8.count ?? 0) + (actor.name?.utf8.count ?? 0)
        guard size <= maxEventBytes else { throw .invalid("event is larger than \(maxEventBytes / 1024) KiB") }
        event.message = type.sentence(Sentence(event: event))
        return event
    }

    /// The catalog's required attributes.
    private static func checkRequirements(_ e: inout Event) throws(EventLogError) {
        for requirement in e.type.requirements { try requirement.check(&e) }
    }

    /// Panel and API actions name their actor; stream-server events default
    /// to the DJ (DJ types) or the system (mount, AutoDJ, measurements).
    private static func actor(_ fields: ActorFields?, type: EventType, djName: String?) throws(EventLogError) -> Actor {
        guard let a = fields, !a.isNull else {
            switch type.defaultActor {
            case .dj?: return Actor(type: .dj, id: nil, name: djName)
            case let other?: return Actor(type: other, id: nil, name: nil)
            case nil: throw .invalid("actor is required for \(type.id)")
            }
        }
        guard a.isObject else { throw .invalid("actor must be an object {\"type\", \"id\", \"name\"}") }
        if let unknown = a.unknown.min() { throw .invalid("unknown field 'actor.\(unknown)'") }
        guard let t = a.type?.stringValue, let actorType = ActorType(rawValue: t) else {
            throw .invalid("actor.type must be one of \(ActorType.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        var id: Int64?
        if let raw = a.id, !raw.isNull {
            guard let i = raw.integerValue else { throw .invalid("actor.id must be an integer or null") }
            id = i
        }
        let name = try optionalString(a.name, "actor.name")
        return Actor(type: actorType, id: id, name: name)
    }

    private static func deliveryKey(_ value: JSONValue?) throws(EventLogError) -> String? {
        guard let key = try optionalString(value, "deliveryKey") else { return nil }
        guard !key.isEmpty, key.utf8.count <= Limits.deliveryKeyBytes else {
            throw .invalid("deliveryKey must be a string of 1 to \(Limits.deliveryKeyBytes) bytes")
        }
        return key
    }

    /// Events are stamped within the retention window, and at most a day
    /// ahead (clock skew): an event outside would be pruned at once, or
    /// would sit at the top of every page for years.
    private static func time(_ value: JSONValue?, now: Int64, oldest: Int64) throws(EventLogError) -> Int64 {
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
        guard ms >= oldest else {
            let hint = ms >= 0 && ms < 100_000_000_000 ? " (it looks like seconds: time is in milliseconds)" : ""
            throw .invalid("time \(ms) is older than the store's retention window (\(Time.rfc3339(milliseconds: oldest)))\(hint)")
        }
        guard ms <= now + Limits.futureMilliseconds else { throw .invalid("time \(ms) is more than a day in the future") }
        return ms
    }

    static func optionalString(_ value: JSONValue?, _ field: String) throws(EventLogError) -> String? {
        switch value {
        case nil, .null?: return nil
        case .string(let s)?:
            guard s.utf8.count <= maxFieldBytes else { throw .invalid("\(field) is longer than \(maxFieldBytes) bytes") }
            return s
        default: throw .invalid("\(field) must be a string")
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
