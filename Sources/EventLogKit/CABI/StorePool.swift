/// Stores released by `el_release`, kept open for the next `el_open` of the
/// same path and options in this process. PHP drops everything a request
/// made when it ends, so a PHP-FPM worker opens its store on every request:
/// closing the last connection would checkpoint the WAL each time, and
/// opening would read the schema again. A pooled store belongs to no handle
/// until one takes it, so no two handles ever share one.
enum StorePool {
    /// Idle stores kept per path and options (several threads of one
    /// process may each hold one).
    static let idlePerKey = 4

    private static let lock = Lock()
    nonisolated(unsafe) private static var idle: [String: [any EventStore]] = [:]

    static func key(path: String, options: String?) -> String { path + "\u{0}" + (options ?? "") }

    /// An idle store for `key` that still names what it opened, with its
    /// settings read again (another process may have changed them).
    /// One that is not ready drops the others of its key unprobed: they
    /// were opened alike, so a server that does not answer (each probe
    /// would wait out the read timeout) or a replaced file fails them all.
    static func take(_ key: String) -> (any EventStore)? {
        guard let store = lock.withLock({ idle[key]?.popLast() }) else { return nil }
        if store.readyForReuse() { return store }
        let dropped = lock.withLock { idle.removeValue(forKey: key) }
        _ = dropped  // closed here, outside the lock
        return nil
    }

    /// Keeps `store` for the next open of `key`; a store that cannot be
    /// reused (read-only snapshot, replaced file) or one too many is closed.
    static func put(_ store: any EventStore, _ key: String) {
        guard store.isPoolable else { return }
        lock.withLock {
            if idle[key, default: []].count < idlePerKey { idle[key, default: []].append(store) }
        }
    }
}
