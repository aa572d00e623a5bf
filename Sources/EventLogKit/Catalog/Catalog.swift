/// The event catalog of DESIGN.md.
enum Catalog {
    static let all: [EventType] = [
        EventType(code: 1, id: "service.start", label: "Start", category: .service),
        EventType(code: 2, id: "service.stop", label: "Stop", category: .service),
        EventType(code: 3, id: "service.restart", label: "Restart", category: .service),
        EventType(code: 4, id: "service.suspend", label: "Suspend", category: .service),
        EventType(code: 5, id: "service.unsuspend", label: "Unsuspend", category: .service),
        EventType(code: 6, id: "service.remove", label: "Remove", category: .service),
        EventType(code: 7, id: "service.config_update", label: "Config Update", category: .service),
        EventType(code: 8, id: "service.title_update", label: "Song Title Update", category: .service),
        EventType(code: 9, id: "service.bitrate_warning", label: "Bitrate Abuse Warning", category: .service),
        EventType(code: 20, id: "source.start", label: "Source Start", category: .source),
        EventType(code: 21, id: "source.stop", label: "Source Stop", category: .source),
        EventType(code: 22, id: "source.restart", label: "Source Restart", category: .source),
        EventType(code: 30, id: "dj.connect", label: "DJ Connect", category: .dj),
        EventType(code: 31, id: "dj.disconnect", label: "DJ Disconnect", category: .dj),
        EventType(code: 32, id: "dj.on_air", label: "DJ On Air", category: .dj),
        EventType(code: 33, id: "dj.kicked", label: "DJ Kicked", category: .dj),
        EventType(code: 40, id: "autodj.on_air", label: "AutoDJ On Air", category: .autodj),
        EventType(code: 50, id: "mount.connect", label: "Mount Connect", category: .mount),
        EventType(code: 51, id: "mount.disconnect", label: "Mount Disconnect", category: .mount),
    ]

    private static let byID: [String: EventType] = Dictionary(uniqueKeysWithValues: all.map { ($0.id, $0) })
    private static let byCode: [Int64: EventType] = Dictionary(uniqueKeysWithValues: all.map { ($0.code, $0) })

    static func type(id: String) -> EventType? { byID[id] }
    static func type(code: Int64) -> EventType? { byCode[code] }
    static func types(in category: Category) -> [EventType] { all.filter { $0.category == category } }

    /// Reasons an automated (system) suspension or stop may give; other
    /// system actions name a free-form reason.
    static let suspendReasons: Set<String> = ["disk", "bandwidth", "reseller_transfer"]
    static let stopReasons: Set<String> = ["account_expired", "suspended"]
    static let autoDJTriggers: Set<String> = ["startup", "dj_disconnect"]
}
