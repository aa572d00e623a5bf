/// The event catalog: every type the log knows, in one table. Adding a type
/// is one entry here (the bridge, the pages and the API description get it
/// through `el_catalog`).
enum Catalog {
    /// Reasons an automated (system) suspension or stop must give; other
    /// system actions name a free-form reason.
    static let suspendReasons: Set<String> = ["disk", "bandwidth", "reseller_transfer"]
    static let stopReasons: Set<String> = ["account_expired", "suspended"]
    static let autoDJTriggers: Set<String> = ["startup", "dj_disconnect"]

    static let all: [EventType] = [
        EventType(1, "service.start", "Start", .service, actor: nil, requires: [.reasonWhenSystem(allowed: nil)]) {
            "\($0.who) started the service\($0.reason)"
        },
        EventType(2, "service.stop", "Stop", .service, actor: nil, requires: [.reasonWhenSystem(allowed: stopReasons)]) {
            "\($0.who) stopped the service\($0.reason)"
        },
        EventType(3, "service.restart", "Restart", .service, actor: nil, requires: [.reasonWhenSystem(allowed: nil)]) {
            "\($0.who) restarted the service\($0.reason)"
        },
        EventType(4, "service.suspend", "Suspend", .service, actor: nil, requires: [.reasonWhenSystem(allowed: suspendReasons)]) {
            "\($0.who) suspended the service\($0.reason)\($0.usage)"
        },
        EventType(5, "service.unsuspend", "Unsuspend", .service, actor: nil, requires: [.reasonWhenSystem(allowed: nil)]) {
            "\($0.who) unsuspended the service\($0.reason)"
        },
        EventType(6, "service.remove", "Remove", .service, actor: nil, requires: [.reasonWhenSystem(allowed: nil)]) {
            "\($0.who) removed the service\($0.reason)"
        },
        EventType(7, "service.config_update", "Config Update", .service, actor: nil, requires: [.keyList("changes")]) {
            "\($0.who) updated the configuration (\($0.list("changes")))"
        },
        EventType(8, "service.title_update", "Song Title Update", .service, actor: nil, requires: [.text("title")]) {
            "\($0.who) set the song title to \"\($0.text("title"))\""
        },
        EventType(9, "service.bitrate_warning", "Bitrate Abuse Warning", .service, actor: .system,
                  requires: [.systemActor, .kbps("bitrate"), .kbps("limit")]) {
            "Bitrate \($0.number("bitrate")) kbps exceeds the \($0.number("limit")) kbps limit"
        },
        EventType(20, "source.start", "Source Start", .source, actor: nil, requires: [.reasonWhenSystem(allowed: nil)]) {
            "\($0.who) started the source\($0.reason)"
        },
        EventType(21, "source.stop", "Source Stop", .source, actor: nil, requires: [.reasonWhenSystem(allowed: nil)]) {
            "\($0.who) stopped the source\($0.reason)"
        },
        EventType(22, "source.restart", "Source Restart", .source, actor: nil, requires: [.reasonWhenSystem(allowed: nil)]) {
            "\($0.who) restarted the source\($0.reason)"
        },
        EventType(30, "dj.connect", "DJ Connect", .dj, actor: .dj, requires: [.djName]) {
            "\($0.dj) connected\($0.from)"
        },
        EventType(31, "dj.disconnect", "DJ Disconnect", .dj, actor: .dj, requires: [.djName]) {
            "\($0.dj) disconnected\($0.reason)"
        },
        EventType(32, "dj.on_air", "DJ On Air", .dj, actor: .dj, requires: [.djName]) {
            $0.event.takeover == true ? "\($0.dj)\($0.address) took over the air" : "\($0.dj) is on air"
        },
        EventType(33, "dj.kicked", "DJ Kicked", .dj, actor: .dj, requires: [.djName]) {
            $0.event.actor.type == .dj ? "\($0.dj) was kicked\($0.reason)" : "\($0.dj) was kicked by \($0.who)\($0.reason)"
        },
        EventType(40, "autodj.on_air", "AutoDJ On Air", .autodj, actor: .system, requires: [.oneOf("trigger", autoDJTriggers)]) {
            $0.text("trigger") == "dj_disconnect" ? "AutoDJ resumed after the DJ disconnected" : "AutoDJ is on air after startup"
        },
        EventType(50, "mount.connect", "Mount Connect", .mount, actor: .system, requires: [.mountPoint]) {
            "Mount \($0.text("mount")) went up\(Self.server($0))\($0.from)"
        },
        EventType(51, "mount.disconnect", "Mount Disconnect", .mount, actor: .system, requires: [.mountPoint]) {
            "Mount \($0.text("mount")) went down\(Self.server($0))\($0.from)\($0.reason)"
        },
    ]

    /// " on radio.example:8000", or "".
    private static func server(_ s: Sentence) -> String {
        guard let server = s.event.details["server"]?.stringValue else { return "" }
        return " on \(server)" + (s.event.details["port"]?.integerValue.map { ":\($0)" } ?? "")
    }

    private static let byID: [String: EventType] = Dictionary(uniqueKeysWithValues: all.map { ($0.id, $0) })
    /// Indexed by code (codes are small): an export looks up a type per row.
    private static let byCode: [EventType?] = {
        var table = [EventType?](repeating: nil, count: Int(all.map(\.code).max() ?? 0) + 1)
        for t in all { table[Int(t.code)] = t }
        return table
    }()

    static func type(id: String) -> EventType? { byID[id] }
    static func type(code: Int64) -> EventType? { code >= 0 && code < byCode.count ? byCode[Int(code)] : nil }
    static func types(in category: Category) -> [EventType] { all.filter { $0.category == category } }

    /// The categories whose types are exactly `codes` (nil, every type: every
    /// category); nil when `codes` holds part of a category.
    static func categories(exactly codes: [Int64]?) -> [Category]? {
        guard let codes else { return Category.allCases }
        let chosen = Set(codes)
        let categories = Category.allCases.filter { types(in: $0).contains { chosen.contains($0.code) } }
        return categories.reduce(0) { $0 + types(in: $1).count } == chosen.count ? categories : nil
    }
}
