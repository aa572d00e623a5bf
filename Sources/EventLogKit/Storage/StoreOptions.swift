/// Settings given when a store is opened.
struct StoreOptions: Sendable {
    var retentionDays: Int64?        // nil: keep the store's own (default 30)
    var busyTimeoutMs: Int64 = 5000
    var synchronousFull = false
    /// MariaDB: how long connecting, and waiting for one answer, may take
    /// before the call fails with EL_EIO (a server that is down or hung).
    var connectTimeoutMs: Int64 = 5000
    var readTimeoutMs: Int64 = 30000
    /// SQLite: whether a handle that logs starts the search counters'
    /// thread (`SearchCounterThread`). Not an option of `el_open`: tests
    /// that change a store's schema under it turn it off.
    var countsSearchesBehind = true

    init() {}

    static func parse(_ json: JSONValue?) throws -> StoreOptions {
        var options = StoreOptions()
        guard let json, !json.isNull else { return options }
        guard let o = json.objectValue else { throw EventLogError.invalid("options must be a JSON object") }
        if let unknown = unknownKey(in: o, known: ["retentionDays", "busyTimeoutMs", "synchronous", "connectTimeoutMs", "readTimeoutMs"]) {
            throw EventLogError.invalid("unknown option '\(unknown)'")
        }
        if let r = o["retentionDays"], !r.isNull {
            guard let days = r.integerValue, Limits.retentionDays.contains(days) else {
                throw EventLogError.invalid("retentionDays must be an integer from \(Limits.retentionDays.lowerBound) to \(Limits.retentionDays.upperBound)")
            }
            options.retentionDays = days
        }
        if let b = o["busyTimeoutMs"], !b.isNull {
            guard let ms = b.integerValue, Limits.busyTimeoutMs.contains(ms) else {
                throw EventLogError.invalid("busyTimeoutMs must be an integer from \(Limits.busyTimeoutMs.lowerBound) to \(Limits.busyTimeoutMs.upperBound)")
            }
            options.busyTimeoutMs = ms
        }
        for (key, range) in [("connectTimeoutMs", Limits.connectTimeoutMs), ("readTimeoutMs", Limits.readTimeoutMs)] {
            guard let v = o[key], !v.isNull else { continue }
            guard let ms = v.integerValue, range.contains(ms) else {
                throw EventLogError.invalid("\(key) must be an integer from \(range.lowerBound) to \(range.upperBound)")
            }
            if key == "connectTimeoutMs" { options.connectTimeoutMs = ms } else { options.readTimeoutMs = ms }
        }
        if let s = o["synchronous"], !s.isNull {
            guard let mode = s.stringValue, mode == "normal" || mode == "full" else { throw EventLogError.invalid("synchronous must be \"normal\" or \"full\"") }
            options.synchronousFull = mode == "full"
        }
        return options
    }
}
