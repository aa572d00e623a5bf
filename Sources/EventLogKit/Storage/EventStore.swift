/// An open event store, whichever engine keeps it: an SQLite file
/// (`SQLiteStore`) or a MariaDB/MySQL database (`MariaDBStore`). Validation,
/// scope, sentences and the JSON and CSV written are shared; each engine owns
/// its SQL, transactions and totals. Not thread-safe: the C boundary
/// serializes calls per handle.
protocol EventStore: AnyObject {
    /// Validates and commits one event; returns its id (for a delivery key
    /// already stored, the first event's id).
    func log(json: String) throws -> Int64
    /// Validates every event, then commits all of them in one transaction;
    /// returns how many.
    func logBatch(json: String) throws -> Int64
    func putDirectory(json: String) throws
    /// One page as the query JSON (see PageJSON).
    func query(principalJSON: String, filterJSON: String?) throws -> ByteBuffer
    func export(principalJSON: String, filterJSON: String?, format: ExportFormat) throws -> any EventExport
    /// Drops the events older than the retention window before `now` (0: the
    /// clock); returns how many.
    func prune(now: Int64) throws -> Int64
    /// Where the store ends now (the token a page returns as `cursor`).
    func cursor() throws -> String
    /// `{"engine", "schemaVersion", "retentionDays", "readOnly", "cursor"}`.
    func info() throws -> ByteBuffer
    /// The maintenance command's way to change the window, for every process.
    func setRetentionDays(_ days: Int64) throws
    /// Copies the SQLite store at `path` into this one (see StoreCopy).
    func copy(fromSQLite path: String) throws -> ByteBuffer

    /// Whether `el_release` may keep the store open for the next `el_open`.
    var isPoolable: Bool { get }
    /// A pooled store checks it still names what it opened and reads its
    /// settings again before it is handed out; false: close it.
    func readyForReuse() -> Bool
    /// Opened in a degraded way (an SQLite snapshot of a full disk): the C
    /// layer tries `reopened()` now and then.
    var isDegraded: Bool { get }
    /// The store opened normally again, or nil while that still fails.
    func reopened() -> (any EventStore)?
}

enum Stores {
    /// Opens the store at `location`: a `mysql://` URI or an SQLite file path.
    static func open(_ location: String, options: StoreOptions) throws -> any EventStore {
        if MariaDBLocation.isURI(location) {
            return try MariaDBStore(location: try MariaDBLocation(parsing: location), options: options)
        }
        if MariaDBLocation.looksLikeURIWithCredentials(location) {
            // Not echoed: it may hold a password.
            throw EventLogError.invalid("the store path looks like a URI with credentials but is not a store URI; a MariaDB store is mysql://user:password@host:port/database, an SQLite store a file path")
        }
        return try SQLiteStore(path: location, options: options)
    }
}

/// What a read asks for: the filter, and the scope it is read in (the
/// principal checked against the directory, a service or customer asked for
/// checked against the scope).
struct ReadRequest {
    let filter: Filter
    let scope: Scope

    init(principalJSON: String, filterJSON: String?, directory: some DirectoryLookup) throws {
        let principal = try Principal.parse(try JSONParser.parse(principalJSON, what: "principal"))
        filter = try Filter.parse(try filterJSON.map { try JSONParser.parse($0, what: "filter") })
        scope = try Scope(principal, in: directory)
        if let id = filter.serviceId { try scope.authorize(serviceId: id, in: directory) }
        if let id = filter.ownerId { try scope.authorize(ownerId: id, in: directory) }
    }
}

/// The JSON of `el_store_info`.
enum StoreInfo {
    static func json(engine: String, schemaVersion: Int64, retentionDays: Int64, readOnly: String?, cursor: String) -> ByteBuffer {
        var w = JSONWriter(capacity: 256)
        w.raw("{")
        w.key("engine", first: true); w.string(engine)
        w.key("schemaVersion"); w.integer(schemaVersion)
        w.key("retentionDays"); w.integer(retentionDays)
        w.key("readOnly"); if let readOnly { w.string(readOnly) } else { w.raw("false") }
        w.key("cursor"); w.string(cursor)
        w.raw("}")
        return w.bytes
    }
}
