/// UTF-8 bytes borrowed from the engine's own row buffer (SQLite's column
/// text, a MariaDB result row): valid until the row moves on.
typealias Bytes = UnsafeBufferPointer<UInt8>

/// A value bound to a statement parameter (SQLite) or written as a literal
/// (MariaDB).
enum SQLValue {
    case null
    case integer(Int64)
    case text(String)

    init(_ value: Int64?) { self = value.map { .integer($0) } ?? .null }
    init(_ value: String?) { self = value.map { .text($0) } ?? .null }
}
