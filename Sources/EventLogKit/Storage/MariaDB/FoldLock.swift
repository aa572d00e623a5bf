/// "A fold is running on this server": the row lock of the setting
/// `foldLock`, held by a fold's transaction (`MariaDBTotals.fold`). The
/// row is created by schema revision 2 and, should it be missing, again by
/// every prune. Without it writers' folds skip (pages stay exact: they
/// count what no fold has counted) until the next prune.
///
/// A row lock and not `GET_LOCK`: it ends with the transaction, and Galera
/// refuses named locks. It excludes the folds of one server only; across
/// Galera nodes certification does (`MariaDBTotals.fold`).
enum FoldLock {
    static let key = "foldLock"

    /// Inside a transaction: locks the row until it ends. True once held;
    /// false if it is held by another fold (unless `waiting`: then it waits
    /// for it, up to the server's lock wait timeout) or missing.
    static func take(_ db: MariaDBConnection, waiting: Bool) throws -> Bool {
        try db.integer("SELECT 1 FROM setting WHERE k = '\(key)' FOR UPDATE" + (waiting ? "" : " SKIP LOCKED")) == 1
    }

    /// Creates the row if it is missing (deleted by hand, say).
    static func create(_ db: MariaDBConnection) throws {
        try db.execute(createSQL)
    }

    static let createSQL = "INSERT IGNORE INTO setting (k, v) VALUES ('\(key)', 0)"
}
