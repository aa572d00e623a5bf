/// Who did it.
enum ActorType: String, CaseIterable, Sendable {
    case user, dj, api, system

    var code: Int64 {
        switch self {
        case .user: 1
        case .dj: 2
        case .api: 3
        case .system: 4
        }
    }

    init?(code: Int64) {
        guard let match = Self.allCases.first(where: { $0.code == code }) else { return nil }
        self = match
    }
}

struct Actor: Equatable, Sendable {
    var type: ActorType
    var id: Int64?
    var name: String?

    static let system = Actor(type: .system, id: nil, name: nil)
}
