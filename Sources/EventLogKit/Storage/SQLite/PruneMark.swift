/// "A prune is running": a wall-clock time in the store's settings until
/// which the prune counts as running, set `lease` ahead by each of its
/// batches and `settle` ahead when it ends. The checkpoint threads of every
/// process that writes the store read it before they restart the WAL
/// (`Checkpointer`); a prune killed part-way leaves a mark that lapses by
/// itself within `lease`.
enum PruneMark {
    static let key = "pruneRunningUntil"
    static let lease: Int64 = 10_000

    /// In a write transaction of the prune's.
    static func set(_ db: Connection, now: Int64 = Time.nowMilliseconds()) throws(SQLiteError) {
        try db.setSetting(key, now + lease)
    }

    /// When the prune ends: the mark lasts `settle` longer. The kernel is
    /// still writing the prune's pages back then, and a restart at once
    /// waited for that in its syncs (67 ms at 10M events).
    static func end(_ db: Connection, now: Int64 = Time.nowMilliseconds()) throws(SQLiteError) {
        try db.setSetting(key, now + settle)
    }
    static let settle: Int64 = 2_000

    /// False also for a mark further ahead than `lease` (set before the
    /// clock was stepped back), and if the setting cannot be read.
    static func isSet(_ db: Connection, now: Int64 = Time.nowMilliseconds()) -> Bool {
        guard let until = (try? db.integer("SELECT value FROM setting WHERE key = '\(key)'")) ?? nil else { return false }
        return until > now && until <= now + lease
    }
}
