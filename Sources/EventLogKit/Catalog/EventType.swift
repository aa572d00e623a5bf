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

/// One entry of the event catalog: everything the library knows about a
/// type. `code` is what the store keeps; it is stable forever (append new
/// types, never renumber). A class: every page and export row looks its
/// type up, and a copy is then one reference, not four (two strings, the
/// requirements and the sentence).
final class EventType: Sendable {
    let code: Int64
    let id: String
    let label: String
    let category: Category
    /// Who did it when the event names no actor (nil: it must name one).
    let defaultActor: ActorType?
    /// What an event of this type must carry, checked in this order.
    let requirements: [Requirement]
    /// The one human sentence, written when the event is logged.
    let sentence: @Sendable (Sentence) -> String

    init(_ code: Int64, _ id: String, _ label: String, _ category: Category, actor defaultActor: ActorType?,
         requires requirements: [Requirement] = [], sentence: @escaping @Sendable (Sentence) -> String) {
        self.code = code
        self.id = id
        self.label = label
        self.category = category
        self.defaultActor = defaultActor
        self.requirements = requirements
        self.sentence = sentence
    }
}

extension EventType: Hashable {
    static func == (a: EventType, b: EventType) -> Bool { a.code == b.code }
    func hash(into hasher: inout Hasher) { hasher.combine(code) }
}
