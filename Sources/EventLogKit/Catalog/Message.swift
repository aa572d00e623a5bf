/// The one human sentence shown for an event (and searched by `q`).
enum Message {
    static func sentence(for e: Event) -> String {
        // Computed where a sentence uses them: this runs for every event.
        var who: String { actorPhrase(e.actor) }
        var dj: String { "DJ " + (e.djName ?? "") }
        var reason: String { e.details["reason"]?.stringValue.map { ": " + reasonText($0) } ?? "" }
        switch e.type.id {
        case "service.start": return "\(who) started the service\(reason)"
        case "service.stop": return "\(who) stopped the service\(reason)"
        case "service.restart": return "\(who) restarted the service\(reason)"
        case "service.suspend": return "\(who) suspended the service\(reason)"
        case "service.unsuspend": return "\(who) unsuspended the service\(reason)"
        case "service.remove": return "\(who) removed the service\(reason)"
        case "service.config_update":
            let keys = (e.details["changes"]?.arrayValue ?? []).compactMap(\.stringValue)
            return "\(who) updated the configuration (\(keys.joined(separator: ", ")))"
        case "service.title_update":
            return "\(who) set the song title to \"\(e.details["title"]?.stringValue ?? "")\""
        case "service.bitrate_warning":
            return "Bitrate \(number(e.details["bitrate"])) kbps exceeds the \(number(e.details["limit"])) kbps limit"
        case "source.start": return "\(who) started the source\(reason)"
        case "source.stop": return "\(who) stopped the source\(reason)"
        case "source.restart": return "\(who) restarted the source\(reason)"
        case "dj.connect": return "\(dj) connected" + from(e.sourceIp)
        case "dj.disconnect": return "\(dj) disconnected"
        case "dj.on_air":
            if e.takeover == true { return e.sourceIp.map { "\(dj) took over from \($0)" } ?? "\(dj) took over" }
            return "\(dj) is on air"
        case "dj.kicked":
            return e.actor.type == .dj ? "\(dj) was kicked" : "\(dj) was kicked by \(who)"
        case "autodj.on_air":
            return e.details["trigger"]?.stringValue == "dj_disconnect"
                ? "AutoDJ resumed after the DJ disconnected" : "AutoDJ is on air after startup"
        case "mount.connect", "mount.disconnect":
            let verb = e.type.id == "mount.connect" ? "went up" : "went down"
            var where_ = ""
            if let server = e.details["server"]?.stringValue {
                where_ = " on \(server)" + (e.details["port"]?.integerValue.map { ":\($0)" } ?? "")
            }
            return "Mount \(e.details["mount"]?.stringValue ?? "") \(verb)\(where_)" + from(e.sourceIp)
        default:
            return e.type.label
        }
    }

    private static func from(_ ip: String?) -> String { ip.map { " from \($0)" } ?? "" }

    private static func actorPhrase(_ a: Actor) -> String {
        switch a.type {
        case .system: return "System"
        case .user: return a.name ?? a.id.map { "User #\($0)" } ?? "A user"
        case .api: return "API client " + (a.name ?? a.id.map { "#\($0)" } ?? "")
        case .dj: return "DJ " + (a.name ?? "")
        }
    }

    private static func reasonText(_ reason: String) -> String {
        switch reason {
        case "disk": "disk quota exceeded"
        case "bandwidth": "bandwidth limit exceeded"
        case "reseller_transfer": "reseller transfer"
        case "account_expired": "account expired"
        case "suspended": "service is suspended"
        default: reason
        }
    }

    private static func number(_ v: JSONValue?) -> String {
        guard let v else { return "?" }
        if let i = v.integerValue { return String(i) }
        return v.numberValue.map { String($0) } ?? "?"
    }
}
