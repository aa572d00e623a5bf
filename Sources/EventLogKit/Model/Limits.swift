/// Every input limit of the library, in one table. The C boundary refuses
/// longer arguments before copying them; the parsers enforce the rest and
/// name the field. The bridge and the pages do not judge: they show the
/// library's message (`el_catalog` hands these figures to them).
enum Limits {
    /// A store path (a file path or a database URI).
    static let pathBytes = 4096
    /// Principal, filter, options and format arguments.
    static let smallArgumentBytes = 64 * 1024
    /// One event's JSON as passed to `el_log` (whitespace and escapes
    /// included); the stored event is held to `eventBytes`.
    static let eventJSONBytes = 128 * 1024
    /// A batch or a directory update.
    static let bulkArgumentBytes = 256 * 1024 * 1024

    /// One string field of an event or of the directory.
    static let fieldBytes = 4096
    /// An event as stored: details, DJ and actor names together.
    static let eventBytes = 64 * 1024
    /// Events in one `el_log_batch`.
    static let batchEvents = 100_000
    /// Clock skew tolerated for events stamped in the future.
    static let futureMilliseconds: Int64 = 86_400_000
    /// A hook's delivery key.
    static let deliveryKeyBytes = 128

    /// The text search `q`.
    static let queryBytes = 256
    static let defaultPerPage: Int64 = 25
    static let maxPerPage: Int64 = 500
    static let maxPage: Int64 = 1_000_000

    /// Store options.
    static let retentionDays: ClosedRange<Int64> = 1...3650
    /// The window of a store created without `retentionDays`, on either engine.
    static let defaultRetentionDays: Int64 = 30
    static let busyTimeoutMs: ClosedRange<Int64> = 0...600_000
    static let connectTimeoutMs: ClosedRange<Int64> = 1...600_000
    static let readTimeoutMs: ClosedRange<Int64> = 1...3_600_000

    /// A retention window read back from the store `store`. The library
    /// never stores one outside `retentionDays`, so another value is a
    /// damaged or hand-edited setting, refused before any date arithmetic
    /// uses it (a window of Int64.max days would overflow it).
    /// None stored (a store made before the setting was): the default.
    static func storedRetentionDays(_ days: Int64?, store: String) throws -> Int64 {
        guard let days else { return defaultRetentionDays }
        guard retentionDays.contains(days) else {
            throw EventLogError(.schema, "the store \(store) holds a retentionDays setting of \(days), not a number of days from \(retentionDays.lowerBound) to \(retentionDays.upperBound): the setting was damaged or edited by hand; set it back in the store's setting table")
        }
        return days
    }
}
