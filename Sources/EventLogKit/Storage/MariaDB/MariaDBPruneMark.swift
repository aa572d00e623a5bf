/// "A prune is running", on MariaDB: a time in the store's settings, by the
/// server's clock (the panel's hosts may disagree), until which the prune
/// counts as running. Writers' folds are skipped while it is set
/// (`FoldThread`, `MariaDBStore.foldIfDue`; the prune folds anyway). A prune
/// killed part-way leaves a mark that lapses by itself within `lease`.
/// A named lock would end with the prune's connection, but Galera refuses
/// `GET_LOCK`. The SQLite engine's counterpart is `PruneMark`.
///
/// Only a hint: a stale, missing or unreadable mark costs speed, never a count.
enum MariaDBPruneMark {
    static let key = PruneMark.key
    /// Seconds.
    static let lease = 60
    /// How far a Galera node's clock may run behind the node that set the
    /// mark for the mark to still count there.
    static let clockSkew = 60

    static func set(_ db: MariaDBConnection) throws {
        try write("UNIX_TIMESTAMP() + \(lease)", db)
    }

    static func end(_ db: MariaDBConnection) throws {
        try write("0", db)
    }

    /// False also for a mark further ahead than `lease` and `clockSkew`
    /// (set by a server whose clock was later stepped back).
    static func isSet(_ db: MariaDBConnection) throws -> Bool {
        try db.integer("""
            SELECT v > UNIX_TIMESTAMP() AND v <= UNIX_TIMESTAMP() + \(lease + clockSkew)
            FROM setting WHERE k = '\(key)'
            """) == 1
    }

    private static func write(_ until: String, _ db: MariaDBConnection) throws {
        try db.execute("INSERT INTO setting (k, v) VALUES ('\(key)', \(until)) ON DUPLICATE KEY UPDATE v = VALUES(v)")
    }
}
