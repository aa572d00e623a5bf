/// The first (in sorted order) key of `object` that `known` does not list,
/// so that a misspelt field is named. Allocates only when there is one: this
/// runs for every event.
func unknownKey(in object: [String: JSONValue], known: [String]) -> String? {
    guard object.keys.contains(where: { !known.contains($0) }) else { return nil }
    return object.keys.filter { !known.contains($0) }.min()
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
    case object([String: JSONValue])

    var stringValue: String? { if case .string(let s) = self { s } else { nil } }
    var objectValue: [String: JSONValue]? { if case .object(let o) = self { o } else { nil } }
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
