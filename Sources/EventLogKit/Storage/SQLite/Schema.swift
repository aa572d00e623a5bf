/// The store's schema and its forward migrations. The low 16 bits of
/// `PRAGMA user_version` are the number of migrations applied, the bits above
/// a random tag the store gets when it is created or migrated: its name for
/// itself, in the file header, which a handle checks after each write (a
/// store copied over the file in place keeps the inode but not the tag).
/// `PRAGMA application_id` marks the file as an event store so that another
/// SQLite file is never mistaken for one.
enum Schema {
    static let applicationID: Int64 = 0x5345_5654  // "SEVT"

    /// Migration N (1-based) takes a store from version N-1 to N. Append only.
    static let migrations: [String] = [
        // 1: events, and the directory that scope is decided from.
        """
        CREATE TABLE account (
            id          INTEGER PRIMARY KEY,
            role        TEXT NOT NULL CHECK (role IN ('admin', 'reseller', 'customer')),
            name        TEXT NOT NULL,
            reseller_id INTEGER
        );
        CREATE INDEX account_reseller ON account (reseller_id) WHERE reseller_id IS NOT NULL;
        CREATE TABLE service (
            id       INTEGER PRIMARY KEY,
            name     TEXT NOT NULL,
            owner_id INTEGER NOT NULL,
            kind     TEXT NOT NULL,
            status   TEXT NOT NULL DEFAULT 'active',
            removed  INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX service_owner ON service (owner_id);
        -- AUTOINCREMENT: ids stay monotonic even after the newest rows are pruned.
        CREATE TABLE event (
            id           INTEGER PRIMARY KEY AUTOINCREMENT,
            ts           INTEGER NOT NULL,
            type         INTEGER NOT NULL,
            service_id   INTEGER NOT NULL,
            actor_type   INTEGER NOT NULL,
            actor_id     INTEGER,
            actor_name   TEXT,
            dj_name      TEXT,
            source_ip    TEXT,
            takeover     INTEGER,
            details      TEXT,
            service_name TEXT,
            owner_id     INTEGER,
            owner_name   TEXT,
            message      TEXT NOT NULL
        );
        CREATE INDEX event_ts ON event (ts);
        CREATE INDEX event_service_ts ON event (service_id, ts);
        CREATE INDEX event_type_ts ON event (type, ts);
        """,
        // 2: per-store settings (the retention window travels with the file),
        // and the catalog, so that SQL readers can decode type codes.
        """
        CREATE TABLE setting (key TEXT PRIMARY KEY, value ANY) WITHOUT ROWID;
        CREATE TABLE event_type (
            code     INTEGER PRIMARY KEY,
            id       TEXT NOT NULL UNIQUE,
            label    TEXT NOT NULL,
            category TEXT NOT NULL
        );
        """,
        // 3: exact totals without counting millions of rows (see Totals.swift).
        // The time indexes also carry type, actor and service, so that the
        // counts of partial periods and the counter fills read only the index.
        """
        DROP INDEX event_ts;
        DROP INDEX event_service_ts;
        CREATE INDEX event_ts ON event (ts, type, actor_type, service_id);
        CREATE INDEX event_service_ts ON event (service_id, ts, type, actor_type);
        CREATE TABLE count_hour (
            ts         INTEGER NOT NULL,
            type       INTEGER NOT NULL,
            actor_type INTEGER NOT NULL,
            n          INTEGER NOT NULL,
            PRIMARY KEY (ts, type, actor_type)
        ) WITHOUT ROWID;
        -- Keyed by service first: a scoped total reads only its services' rows.
        CREATE TABLE count_service_day (
            service_id INTEGER NOT NULL,
            ts         INTEGER NOT NULL,
            type       INTEGER NOT NULL,
            actor_type INTEGER NOT NULL,
            n          INTEGER NOT NULL,
            PRIMARY KEY (service_id, ts, type, actor_type)
        ) WITHOUT ROWID;
        CREATE INDEX count_service_day_ts ON count_service_day (ts);
        -- How far each period has been counted: a complete hour, or for a
        -- service day the services counted so far (ids up to `through`).
        CREATE TABLE counted_period (
            kind     INTEGER NOT NULL,
            ts       INTEGER NOT NULL,
            through  INTEGER NOT NULL,
            complete INTEGER NOT NULL,
            PRIMARY KEY (kind, ts)
        ) WITHOUT ROWID;
        """,
        // 4: totals that cannot drift (see Totals.swift): counters of every
        // event up to a watermark id, kept by writers and the prune, instead
        // of periods counted on demand by readers. The time indexes carry the
        // id right after the time, so newest first means the order of logging
        // within a millisecond too. Delivery keys of hook events.
        """
        DROP TABLE counted_period;
        DELETE FROM count_hour;
        DELETE FROM count_service_day;
        DROP INDEX event_ts;
        DROP INDEX event_service_ts;
        CREATE INDEX event_ts ON event (ts, id, type, actor_type, service_id);
        CREATE INDEX event_service_ts ON event (service_id, ts, id, type, actor_type);
        CREATE TABLE delivery (
            key      TEXT PRIMARY KEY,
            event_id INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX delivery_event ON delivery (event_id);
        """,
        // 5: the store's tag in user_version (nothing else changes).
        "SELECT 1",
        // 6: service-day counters keyed by day first. A fold counts the
        // newest events, of one or two days: keyed by service first, each
        // of its services' counters sat on its own page, and a fold of
        // 1,000 events wrote some 600 pages; by day first it writes the
        // pages of today's counters only. A scoped total looks its services
        // up day by day instead (Totals.count).
        """
        CREATE TABLE count_service_day_by_day (
            ts         INTEGER NOT NULL,
            service_id INTEGER NOT NULL,
            type       INTEGER NOT NULL,
            actor_type INTEGER NOT NULL,
            n          INTEGER NOT NULL,
            PRIMARY KEY (ts, service_id, type, actor_type)
        ) WITHOUT ROWID;
        INSERT INTO count_service_day_by_day (ts, service_id, type, actor_type, n)
            SELECT ts, service_id, type, actor_type, n FROM count_service_day ORDER BY ts, service_id, type, actor_type;
        DROP TABLE count_service_day;
        ALTER TABLE count_service_day_by_day RENAME TO count_service_day;
        """,
        // 7: the directory's version, moved by the database on every change
        // of an account or a service, whoever makes it: a writer keeps the
        // names it read for its next batches while it is unchanged (BatchNames).
        (["INSERT OR IGNORE INTO setting (key, value) VALUES ('\(BatchNames.versionKey)', 0);"]
            + ["account", "service"].flatMap { table in
                [("inserted", "INSERT"), ("updated", "UPDATE"), ("deleted", "DELETE")].map { name, change in
                    """
                    CREATE TRIGGER IF NOT EXISTS \(table)_\(name) AFTER \(change) ON \(table)
                        BEGIN UPDATE setting SET value = value + 1 WHERE key = '\(BatchNames.versionKey)'; END;
                    """
                }
            }).joined(separator: "\n"),
        // 8: the search counters (SearchCounters.swift): a dictionary of the
        // events' folded words with a trigram index, a sample of trigram
        // frequencies, events per word and hour, and the days that have a
        // posting table (created as events of the day are counted). The
        // watermark starts at 0: the counting thread and the prune count
        // the events stored before.
        """
        CREATE TABLE search_token (
            id     INTEGER PRIMARY KEY,
            token  TEXT NOT NULL UNIQUE,
            posted INTEGER NOT NULL DEFAULT 1
        );
        CREATE VIRTUAL TABLE search_token_trigram USING fts5(token, content='', detail='none', tokenize='trigram case_sensitive 1');
        CREATE TABLE search_trigram (trigram TEXT PRIMARY KEY, tokens INTEGER NOT NULL) WITHOUT ROWID;
        -- Keyed by hour first: a chunk of new events writes the pages of its hour's counters only.
        CREATE TABLE search_count_hour (
            ts       INTEGER NOT NULL,
            token_id INTEGER NOT NULL,
            n        INTEGER NOT NULL,
            PRIMARY KEY (ts, token_id)
        ) WITHOUT ROWID;
        -- merged: the day's postings are one FTS5 segment (SearchCounters.mergeStep).
        CREATE TABLE search_posting_day (day INTEGER PRIMARY KEY, merged INTEGER NOT NULL DEFAULT 0);
        """,
    ]

    static var currentVersion: Int64 { Int64(migrations.count) }

    /// The schema version of the open store (a read; no lock taken).
    static func version(_ db: Connection) throws -> Int64 {
        version(userVersion: try db.integer("PRAGMA user_version") ?? 0)
    }

    static func version(userVersion: Int64) -> Int64 { userVersion & 0xFFFF }
    static func tag(userVersion: Int64) -> Int64 { userVersion >> 16 }

    /// Brings the store to the current version inside one write transaction;
    /// `created` runs once, when the store is new. Another process may
    /// migrate first: the version is read again under the lock.
    static func migrate(_ db: Connection, created: () throws -> Void = {}) throws {
        try db.writeTransaction {
            let version = try self.version(db)
            guard version < currentVersion else { return }
            if version == 0 { try db.execute("PRAGMA application_id = \(applicationID)") }
            for sql in migrations[Int(version)...] { try db.execute(sql) }
            try refreshCatalog(db)
            // A store of an earlier version has uncounted events; a new one none.
            try Totals.fold(db: db)
            if version == 0 { try created() }
            let old = tag(userVersion: try db.integer("PRAGMA user_version") ?? 0)
            let tag = old != 0 ? old : Int64.random(in: 1...0x7FFF)
            try db.execute("PRAGMA user_version = \(tag << 16 | currentVersion)")
        }
    }

    private static func refreshCatalog(_ db: Connection) throws {
        let insert = try db.statement("INSERT OR REPLACE INTO event_type (code, id, label, category) VALUES (?, ?, ?, ?)")
        for t in Catalog.all {
            insert.reset()
            try insert.run([.integer(t.code), .text(t.id), .text(t.label), .text(t.category.rawValue)])
        }
    }
}
