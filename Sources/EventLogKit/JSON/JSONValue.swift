/// The first (in sorted order) key of `object` that `known` does not list,
/// so that a misspelt field is named. Allocates only when there is one: this
/// runs for every event.
func unknownKey(in object: JSONObject, known: [String]) -> String? {
    func isKnown(_ key: String) -> Bool { known.contains { JSONObject.same($0, key) } }
    guard object.contains(where: { !isKnown($0.key) }) else { return nil }
    return object.keys.filter { !isKnown($0) }.min()
}

/// A parsed JSON value. Objects keep their keys sorted on output, so the
/// stored `details` text is deterministic.
enum JSONValue: Equatable, Sendable {
    case null
    case bool(Bool)
    case integer(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    var stringValue: String? { if case .string(let s) = self { s } else { nil } }
    var objectValue: JSONObject? { if case .object(let o) = self { o } else { nil } }
    var arrayValue: [JSONValue]? { if case .array(let a) = self { a } else { nil } }
    var isNull: Bool { self == .null }

    /// An integral number (also one written as 42.0).
    var integerValue: Int64? {
        switch self {
        case .integer(let i): return i
        case .double(let d) where d.rounded() == d && abs(d) < 9.0e15: return Int64(d)
        default: return nil
        }
    }

    var numberValue: Double? {
        switch self {
        case .integer(let i): return Double(i)
        case .double(let d): return d
        default: return nil
        }
    }
}

/// A JSON object's members in input order. The objects the library reads
/// (an event, its actor and details, a filter) hold a handful of keys, where a
/// linear search over short strings beats hashing them: this is most of what
/// el_log spends outside SQLite. Keys are unique (the parser rejects
/// duplicates); equality ignores order.
struct JSONObject: Equatable, Sendable, Sequence, ExpressibleByDictionaryLiteral {
    typealias Member = (key: String, value: JSONValue)
    private(set) var members: [Member] = []

    init() {}

    init(dictionaryLiteral elements: (String, JSONValue)...) {
        for (key, value) in elements { self[key] = value }
    }

    var isEmpty: Bool { members.isEmpty }
    var count: Int { members.count }
    var keys: [String] { members.map(\.key) }

    subscript(key: String) -> JSONValue? {
        get {
            for i in members.indices where Self.same(members[i].key, key) { return members[i].value }
            return nil
        }
        set {
            let i = members.firstIndex { Self.same($0.key, key) }
            switch (i, newValue) {
            case let (i?, value?): members[i].value = value
            case let (i?, nil): members.remove(at: i)
            case let (nil, value?): members.append((key, value))
            case (nil, nil): break
            }
        }
    }

    /// Appends a member whose key the caller knows is new (the parser checks).
    mutating func append(uniqueKey key: String, _ value: JSONValue) {
        if members.isEmpty { members.reserveCapacity(8) }
        members.append((key, value))
    }

    /// Most keys compared differ in length, which short strings tell at once;
    /// String's == would go through its Unicode-aware slow path.
    @inline(__always)
    static func same(_ a: String, _ b: String) -> Bool {
        a.utf8.count == b.utf8.count && a == b
    }

    func makeIterator() -> IndexingIterator<[Member]> { members.makeIterator() }

    static func == (a: JSONObject, b: JSONObject) -> Bool {
        a.count == b.count && a.members.allSatisfy { b[$0.key] == $0.value }
    }
}
