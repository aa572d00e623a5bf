/// A streamed export of everything a view matches, newest first, a chunk at
/// a time: no engine holds more than one chunk in memory.
protocol EventExport: AnyObject {
    /// The next chunk, or nil when the export is complete.
    func next() throws -> ByteBuffer?
}

enum ExportFormat: String, Sendable {
    case csv, jsonl

    /// Rows read by one chunk's statement.
    static let rowsPerChunk: Int64 = 1000

    init(argument: String) throws {
        guard let format = ExportFormat(rawValue: argument) else { throw EventLogError.invalid("format must be \"csv\" or \"jsonl\"") }
        self = format
    }
}
