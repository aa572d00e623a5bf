/// The filter tabs of the log.
enum Category: String, CaseIterable, Sendable {
    case service, mount, dj, source, autodj

    /// The tab's label.
    var label: String {
        switch self {
        case .service: "Service"
        case .mount: "Mount"
        case .dj: "DJ"
        case .source: "Source"
        case .autodj: "AutoDJ"
        }
    }
}

/// One entry of the event catalog. `code` is what the store keeps; it is
/// stable forever (append new types, never renumber).
struct EventType: Equatable, Hashable, Sendable {
    let code: Int64
    let id: String
    let label: String
    let category: Category
}
