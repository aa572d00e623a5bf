/// An event's members as read from its JSON, before validation: straight
/// into fields, without an intermediate object (this runs for every event).
struct EventFields {
    var type, category, serviceId, time, djName, sourceIp, takeover, details, deliveryKey: JSONValue?
    var actor: ActorFields?
    var unknown: Set<String> = []
    var isObject = true

    /// Reads the value at the parser, an event object or anything else.
    static func read(_ p: inout JSONParser, depth: Int) throws(JSONParseError) -> EventFields {
        var f = EventFields()
        f.isObject = try p.readObject(depth: depth) { p, key throws(JSONParseError) in
            let d = depth + 1
            if p.key(key, is: "type") { try p.readValue(of: key, into: &f.type, depth: d) }
            else if p.key(key, is: "serviceId") { try p.readValue(of: key, into: &f.serviceId, depth: d) }
            else if p.key(key, is: "actor") {
                guard f.actor == nil else { throw p.duplicateKey(key) }
                f.actor = try ActorFields.read(&p, depth: d)
            }
            else if p.key(key, is: "details") { try p.readValue(of: key, into: &f.details, depth: d) }
            else if p.key(key, is: "djName") { try p.readValue(of: key, into: &f.djName, depth: d) }
            else if p.key(key, is: "sourceIp") { try p.readValue(of: key, into: &f.sourceIp, depth: d) }
            else if p.key(key, is: "time") { try p.readValue(of: key, into: &f.time, depth: d) }
            else if p.key(key, is: "takeover") { try p.readValue(of: key, into: &f.takeover, depth: d) }
            else if p.key(key, is: "category") { try p.readValue(of: key, into: &f.category, depth: d) }
            else if p.key(key, is: "deliveryKey") { try p.readValue(of: key, into: &f.deliveryKey, depth: d) }
            else { try p.skipValue(ofUnknown: key, noting: &f.unknown, depth: d) }
        }
        return f
    }
}

/// The `actor` member as read: null, an object's members, or something else.
struct ActorFields {
    var type, id, name: JSONValue?
    var unknown: Set<String> = []
    var isNull = false
    var isObject = true

    static func read(_ p: inout JSONParser, depth: Int) throws(JSONParseError) -> ActorFields {
        var a = ActorFields()
        if try p.readNull() {
            a.isNull = true
            return a
        }
        a.isObject = try p.readObject(depth: depth) { p, key throws(JSONParseError) in
            let d = depth + 1
            if p.key(key, is: "type") { try p.readValue(of: key, into: &a.type, depth: d) }
            else if p.key(key, is: "id") { try p.readValue(of: key, into: &a.id, depth: d) }
            else if p.key(key, is: "name") { try p.readValue(of: key, into: &a.name, depth: d) }
            else { try p.skipValue(ofUnknown: key, noting: &a.unknown, depth: d) }
        }
        return a
    }
}
