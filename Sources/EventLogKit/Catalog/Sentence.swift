/// The words an event's sentence is made of; each catalog entry puts them
/// together. Computed where a sentence uses them: this runs for every event.
struct Sentence {
    let event: Event

    /// Who did it: "System", a user's name, "API client billing", "DJ Alice".
    var who: String {
        let a = event.actor
        switch a.type {
        case .system: return "System"
        case .user: return a.name.flatMap { $0.isEmpty ? nil : $0 } ?? a.id.map { "User #\($0)" } ?? "A user"
        case .api: return "API client " + (a.name ?? a.id.map { "#\($0)" } ?? "")
        case .dj: return Self.dj(a.name ?? "")
        }
    }

    /// "DJ Alice", without doubling a name that already says so ("DJ Zed").
    var dj: String { Self.dj(event.djName ?? "") }

    static func dj(_ name: String) -> String {
        name.lowercased().hasPrefix("dj ") ? name : "DJ " + name
    }

    /// ": bandwidth limit exceeded", or "" when no reason is given.
    var reason: String { event.details["reason"]?.stringValue.map { ": " + Self.reasonText($0) } ?? "" }

    /// " from 203.0.113.7", or "".
    var from: String { event.sourceIp.map { " from \($0)" } ?? "" }

    /// " (203.0.113.7)", or "".
    var address: String { event.sourceIp.map { " (\($0))" } ?? "" }

    /// " (1210 of 1000 GB used)" from details.used, .limit and .unit, or "".
    var usage: String {
        guard event.details["used"]?.numberValue != nil, event.details["limit"]?.numberValue != nil else { return "" }
        let unit = event.details["unit"]?.stringValue.map { " " + $0 } ?? ""
        return " (\(number("used")) of \(number("limit"))\(unit) used)"
    }

    func text(_ key: String) -> String { event.details[key]?.stringValue ?? "" }

    func list(_ key: String) -> String {
        (event.details[key]?.arrayValue ?? []).compactMap(\.stringValue).joined(separator: ", ")
    }

    func number(_ key: String) -> String {
        guard let v = event.details[key] else { return "?" }
        if let i = v.integerValue { return String(i) }
        return v.numberValue.map { String($0) } ?? "?"
    }

    /// The catalog's reasons in words; any other reason code with spaces.
    static func reasonText(_ reason: String) -> String {
        switch reason {
        case "disk": "disk quota exceeded"
        case "bandwidth": "bandwidth limit exceeded"
        case "reseller_transfer": "reseller transfer"
        case "account_expired": "account expired"
        case "suspended": "the service is suspended"
        default: String(reason.map { $0 == "_" ? " " : $0 })
        }
    }
}
