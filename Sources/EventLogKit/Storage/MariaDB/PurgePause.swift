/// InnoDB's purge held still while a partition is deleted, so that the
/// writers are not held a second.
///
/// MariaDB 10.11 stops purge before it deletes a partition's tablespace in an
/// `ALTER TABLE` (`ha_innobase::delete_table` calls `purge_sys.stop_FTS()`,
/// taking any such ALTER for the rollback of an ADD PARTITION), and if a
/// purge batch is running it sleeps a whole second before it looks again,
/// holding the event table's exclusive metadata lock: every `el_log` waits
/// that second. Purge runs batches back to back for a while after a large
/// write anywhere on the server (a bulk import, a restore): right after a
/// 10M-row write, 8 of 9 drops held the writers about a second; with this
/// pause none did (BENCHMARKS.md, "Where the second goes").
///
/// `FLUSH TABLES … FOR EXPORT` stops purge the other way: it waits for the
/// running batch to end (no sleep) and keeps purge stopped until `UNLOCK
/// TABLES`. It needs the RELOAD privilege and LOCK TABLES on the database;
/// without them, or if it fails for any other reason, the DDL runs as before.
/// It read-locks the table it names: `event_type`, which only a migration writes.
/// On a Galera node it pauses that node's purge only (the node stays Synced
/// and replicates the DDL as usual); the other nodes apply the DDL unpaused.
enum PurgePause {
    /// Runs `body` with the server's purge stopped, through a second
    /// connection that holds the pause and gives it back when `body` ends.
    @discardableResult
    static func during<T, E: Error>(_ db: MariaDBConnection, _ body: () throws(E) -> T) throws(E) -> T {
        let holder = pause(db)
        defer { holder?.disconnect() }  // ending its session gives the pause back
        let result = try body()
        // After a failure (a server that stopped answering, say) the
        // disconnect alone: an UNLOCK TABLES would wait out another timeout.
        _ = try? holder?.execute("UNLOCK TABLES")
        return result
    }

    /// The connection that holds purge stopped, or nil if it could not.
    private static func pause(_ db: MariaDBConnection) -> MariaDBConnection? {
        do {
            let holder = try db.sibling()
            // A migration holding the table must not keep the prune waiting long.
            try holder.execute("SET SESSION lock_wait_timeout = 5")
            try holder.execute("FLUSH TABLES event_type FOR EXPORT")
            return holder
        } catch {
            return nil  // 1227 (no RELOAD) or 1044 (no LOCK TABLES): the panel's own user, usually
        }
    }
}
