/// What went wrong, as the C boundary reports it: a kind that maps to one
/// status code, and one sentence for `el_errmsg`.
struct EventLogError: Error, Equatable, CustomStringConvertible {
    enum Kind: Sendable, Equatable {
        case invalid, denied, notFound, busy, io, schema, misuse, noMemory, `internal`
    }

    let kind: Kind
    let message: String

    init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    var description: String { message }

    static func invalid(_ message: String) -> EventLogError { EventLogError(.invalid, message) }
}
