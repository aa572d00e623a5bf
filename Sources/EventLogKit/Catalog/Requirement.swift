/// An attribute an event type requires, beyond its type and service. Each
/// check names the field, so the panel developer sees what to fix.
enum Requirement: Sendable {
    /// Logged by the system actor, `details.reason` says why: one of
    /// `allowed` when given (the catalog's reasons), any text otherwise.
    case reasonWhenSystem(allowed: Set<String>?)
    /// Only the system logs it (automated measurements).
    case systemActor
    case djName
    /// `details.<key>` is a string.
    case text(String)
    /// `details.<key>` is a non-empty list of strings.
    case keyList(String)
    /// `details.<key>` is a number of kbps.
    case kbps(String)
    /// `details.<key>` is one of `allowed`.
    case oneOf(String, Set<String>)
    /// `details.mount` is a mount point; `server` and `port` are checked
    /// where the server sends them.
    case mountPoint

    func check(_ e: inout Event) throws(EventLogError) {
        let id = e.type.id
        switch self {
        case .reasonWhenSystem(let allowed):
            guard e.actor.type == .system else { return }
            guard let reason = e.details["reason"]?.stringValue, !reason.isEmpty else {
                throw .invalid("details.reason is required for \(id) by the system actor")
            }
            if let allowed, !allowed.contains(reason) {
                throw .invalid("details.reason for a system \(id) must be one of \(allowed.sorted().joined(separator: ", "))")
            }
        case .systemActor:
            guard e.actor.type == .system else { throw .invalid("\(id) must be logged by the system actor") }
        case .djName:
            guard let name = e.djName, !name.isEmpty else { throw .invalid("djName is required for \(id)") }
        case .text(let key):
            guard e.details[key]?.stringValue != nil else { throw .invalid("details.\(key) is required for \(id)") }
        case .keyList(let key):
            guard let list = e.details[key]?.arrayValue, !list.isEmpty, list.allSatisfy({ $0.stringValue != nil }) else {
                throw .invalid("details.\(key) is required for \(id): a non-empty list of the keys changed")
            }
        case .kbps(let key):
            guard let v = e.details[key]?.numberValue, v >= 0 else { throw .invalid("details.\(key) is required for \(id): a number of kbps") }
        case .oneOf(let key, let allowed):
            guard let v = e.details[key]?.stringValue, allowed.contains(v) else {
                throw .invalid("details.\(key) is required for \(id): \(allowed.sorted().joined(separator: " or "))")
            }
        case .mountPoint:
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
    }

    /// The fields it names, for `el_catalog`.
    var fields: [String] {
        switch self {
        case .reasonWhenSystem: ["details.reason"]
        case .systemActor: ["actor"]
        case .djName: ["djName"]
        case .text(let key), .keyList(let key), .kbps(let key), .oneOf(let key, _): ["details.\(key)"]
        case .mountPoint: ["details.mount"]
        }
    }
}
