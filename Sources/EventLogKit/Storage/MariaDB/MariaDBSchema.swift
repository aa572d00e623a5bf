/// The MariaDB store's tables, created (and later migrated) by whichever
/// process opens the database first. Every step is idempotent (`IF NOT
/// EXISTS`, `INSERT IGNORE`), so many processes on several hosts opening the
/// same empty database at once all succeed, on Galera too (where table
/// locks and GET_LOCK do not reach the other nodes). A database is one
/// store: the panel gives the log a database of its own.
enum MariaDBSchema {
    static let applicationID: Int64 = 0x5345_5654  // "SEVT", as in SQLite stores

    /// The event columns a writer fills, in the order every INSERT (and the
    /// copy's SELECT from a SQLite store, whose columns are named alike) lists them.
    static let eventColumns = "id, ts, type, service_id, actor_type, actor_id, actor_name, dj_name, source_ip, takeover, details, message, service_name, owner_id, owner_name"

    /// Version N is reached by running `migrations[N-1]`. Append only.
    static let migrations: [[String]] = [
        [
            // Settings first: the application id marks the database as a store.
            """
            CREATE TABLE IF NOT EXISTS setting (
                k VARCHAR(64) NOT NULL PRIMARY KEY,
                v BIGINT NOT NULL
            ) ENGINE = InnoDB
            """,
            "INSERT IGNORE INTO setting (k, v) VALUES ('applicationId', \(applicationID))",
            """
            CREATE TABLE IF NOT EXISTS account (
                id          BIGINT NOT NULL PRIMARY KEY,
                role        VARCHAR(16) NOT NULL,
                name        TEXT NOT NULL,
                reseller_id BIGINT NULL,
                KEY account_reseller (reseller_id)
            ) ENGINE = InnoDB
            """,
            """
            CREATE TABLE IF NOT EXISTS service (
                id       BIGINT NOT NULL PRIMARY KEY,
                name     TEXT NOT NULL,
                owner_id BIGINT NOT NULL,
                kind     TEXT NOT NULL,
                status   VARCHAR(16) NOT NULL DEFAULT 'active',
                removed  TINYINT NOT NULL DEFAULT 0,
                KEY service_owner (owner_id)
            ) ENGINE = InnoDB
            """,
            // Ids come from `id_block` (see MariaDBStore.takeIDs), not
            // AUTO_INCREMENT: a Galera cluster hands out one AUTO_INCREMENT id
            // twice when its membership changes, and a partitioned table
            // cannot hold a unique key on id alone to refuse that.
            """
            CREATE TABLE IF NOT EXISTS id_block (
                k    TINYINT NOT NULL PRIMARY KEY,
                next BIGINT NOT NULL
            ) ENGINE = InnoDB
            """,
            "INSERT IGNORE INTO id_block (k, next) VALUES (1, 1)",
            // Clustered by time, then id: a page or an export reads rows in
            // their order. `logged_at` (server microseconds at insert) lets a
            // live view's cursor catch events that commit after a later id.
            // `counted` is 0 until a fold adds the event to the counters (see
            // MariaDBTotals). Partitions are added per day (see
            // MariaDBPartitions); the partition list is appended when the
            // table is created.
            """
            CREATE TABLE IF NOT EXISTS event (
                id           BIGINT NOT NULL,
                ts           BIGINT NOT NULL,
                type         SMALLINT NOT NULL,
                service_id   BIGINT NOT NULL,
                actor_type   TINYINT NOT NULL,
                actor_id     BIGINT NULL,
                actor_name   TEXT NULL,
                dj_name      TEXT NULL,
                source_ip    TEXT NULL,
                takeover     TINYINT NULL,
                details      MEDIUMTEXT NULL,
                service_name TEXT NULL,
                owner_id     BIGINT NULL,
                owner_name   TEXT NULL,
                message      TEXT NOT NULL,
                logged_at    BIGINT NOT NULL DEFAULT (UNIX_TIMESTAMP(NOW(6)) * 1000000),
                counted      TINYINT NOT NULL DEFAULT 0,
                PRIMARY KEY (ts, id),
                KEY event_id (id),
                KEY event_ts (ts, id, type, actor_type, service_id),
                KEY event_service_ts (service_id, ts, id, type, actor_type),
                KEY event_logged (logged_at),
                KEY event_uncounted (counted, ts, type, actor_type, service_id)
            ) ENGINE = InnoDB
            """,
            // Exact totals (see MariaDBTotals): a row per period, type and actor.
            """
            CREATE TABLE IF NOT EXISTS count_day (
                ts BIGINT NOT NULL, type SMALLINT NOT NULL, actor_type TINYINT NOT NULL, n BIGINT NOT NULL,
                PRIMARY KEY (ts, type, actor_type)
            ) ENGINE = InnoDB
            """,
            """
            CREATE TABLE IF NOT EXISTS count_hour (
                ts BIGINT NOT NULL, type SMALLINT NOT NULL, actor_type TINYINT NOT NULL, n BIGINT NOT NULL,
                PRIMARY KEY (ts, type, actor_type)
            ) ENGINE = InnoDB
            """,
            """
            CREATE TABLE IF NOT EXISTS count_service_day (
                service_id BIGINT NOT NULL, ts BIGINT NOT NULL, type SMALLINT NOT NULL, actor_type TINYINT NOT NULL,
                n BIGINT NOT NULL,
                PRIMARY KEY (service_id, ts, type, actor_type),
                KEY count_service_day_ts (ts)
            ) ENGINE = InnoDB
            """,
            """
            CREATE TABLE IF NOT EXISTS delivery (
                k        VARBINARY(128) NOT NULL PRIMARY KEY,
                event_id BIGINT NOT NULL,
                ts       BIGINT NOT NULL,
                KEY delivery_ts (ts)
            ) ENGINE = InnoDB
            """,
            """
            CREATE TABLE IF NOT EXISTS event_type (
                code     SMALLINT NOT NULL PRIMARY KEY,
                id       VARCHAR(64) NOT NULL UNIQUE,
                label    TEXT NOT NULL,
                category VARCHAR(32) NOT NULL
            ) ENGINE = InnoDB
            """,
        ],
        [
            // Service-day counters per category beside those per type: a
            // category's total reads a row per service and day, not one per
            // type. `migrate` then renames the per-type table and fills this
            // one from it (see `splitServiceDayCounters`).
            """
            CREATE TABLE IF NOT EXISTS count_service_category_day (
                service_id BIGINT NOT NULL, category VARCHAR(16) CHARACTER SET ascii NOT NULL, ts BIGINT NOT NULL,
                n BIGINT NOT NULL,
                PRIMARY KEY (service_id, category, ts),
                KEY count_service_category_day_ts (ts)
            ) ENGINE = InnoDB
            """,
        ],
    ]

    static var currentVersion: Int64 { Int64(migrations.count) }

    /// Additions that libraries of the same schema version work with
    /// unchanged (keys): revision N is reached by running `revisions[N-1]`,
    /// after the migrations. Append only. A library brings a store up to its
    /// own revision when it opens it, and uses a store of a newer revision as
    /// it is: on a panel of several hosts, the first host to run a library
    /// that adds a key does not lock out the hosts not yet upgraded (a new
    /// schema version does, with EL_ESCHEMA, until they are). Every step may
    /// run on a store that has it already (another process ran it first).
    static let revisions: [String] = [
        // A total of a few types (a reseller's DJ events) reads a range per
        // listed service and type (`MariaDBConnection.listingServices`),
        // and no base row: `n` is in the key.
        // (Version 2 renamed the table; the key kept its name.)
        "ALTER TABLE count_service_type_day ADD KEY count_service_day_type (service_id, type, ts, n)",
        // The lock one fold at a time takes (`FoldLock`).
        FoldLock.createSQL,
    ]

    static var currentRevision: Int64 { Int64(revisions.count) }

    static let tables: Set<String> = ["setting", "account", "service", "event", "count_day", "count_hour",
                                      "count_service_day", "count_service_type_day", "count_service_category_day",
                                      "delivery", "event_type", "id_block"]

    /// The store's version and revision, 0 for an empty database; refuses a
    /// database that holds other tables, and a store of a newer version than
    /// this library's. A store answers from its settings alone; the table
    /// list (information_schema, slow) is read only for a database that is
    /// not one yet.
    static func version(_ db: MariaDBConnection) throws -> (version: Int64, revision: Int64) {
        var values: [String: Int64] = [:]
        do {
            let settings = try db.query("SELECT k, v FROM setting WHERE k IN ('applicationId', 'schemaVersion', 'schemaRevision')")
            while settings.next() { if let k = settings.text(0) { values[k] = settings.int64(1) } }
        } catch {
            // 1146: no setting table (a new database, or another program's);
            // 1054: a setting table of another program.
            guard error.code == 1146 || error.code == 1054 else { throw error }
        }
        guard let id = values["applicationId"] else {
            try refuseForeignTables(db)
            return (0, 0)  // empty, or another process is creating the store right now
        }
        guard id == applicationID else { throw EventLogError(.schema, "the database '\(db.location.database)' is not an event store") }
        let version = values["schemaVersion"] ?? 0
        if version > currentVersion {
            throw EventLogError(.schema, "the store \(db.location) has schema version \(version), newer than this library's \(currentVersion): upgrade the library")
        }
        return (version, values["schemaRevision"] ?? 0)
    }

    private static func refuseForeignTables(_ db: MariaDBConnection) throws {
        let result = try db.query("SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()")
        var found: Set<String> = []
        while result.next() { if let name = result.text(0) { found.insert(name.lowercased()) } }
        if let foreign = found.subtracting(tables).sorted().first {
            throw EventLogError(.schema, "the database '\(db.location.database)' holds other tables ('\(foreign)'): give the event log a database of its own")
        }
    }

    /// Brings the store to the current version and revision; `partitions`
    /// are those a new event table starts with.
    static func migrate(_ db: MariaDBConnection, from version: Int64, revision: Int64, partitions: String, retentionDays: Int64) throws {
        for (index, steps) in migrations.enumerated() where Int64(index) >= version {
            for sql in steps {
                try db.execute(sql.hasPrefix("CREATE TABLE IF NOT EXISTS event (") ? sql + "\n" + partitions : sql)
            }
            if index == 0 {
                try db.execute("""
                    INSERT IGNORE INTO setting (k, v) VALUES ('retentionDays', \(retentionDays)), ('prunedBefore', 0),
                        ('storeTag', \(Int64.random(in: 1...Int64(Int32.max))))
                    """)
            }
            try refreshCatalog(db)
            if index == 1 { try splitServiceDayCounters(db) }
            try raiseSetting("schemaVersion", to: Int64(index + 1), db)
        }
        for (index, sql) in revisions.enumerated() where Int64(index) >= revision {
            do {
                try db.execute(sql)
            } catch {
                guard error.code == 1061 else { throw error }  // 1061: the key is there, another process added it first
            }
            try raiseSetting("schemaRevision", to: Int64(index + 1), db)
        }
    }

    /// Sets the setting `key` to `value` unless it holds more already:
    /// processes that race to raise it leave the highest, in any order.
    static func raiseSetting(_ key: String, to value: Int64, _ db: MariaDBConnection) throws {
        try db.execute("INSERT INTO setting (k, v) VALUES (\(db.literal(.text(key))), \(value)) ON DUPLICATE KEY UPDATE v = GREATEST(v, VALUES(v))")
    }

    /// Version 2: the per-type service-day counters become
    /// `count_service_type_day`, and `count_service_category_day` is filled
    /// from them. The rename is the fence: a library of version 1 still
    /// running on another host (a panel upgraded host by host) folds into
    /// `count_service_day`, which is gone, so its fold fails and leaves its
    /// events uncounted (counted live, and folded by this library later)
    /// instead of adding them to one table and not the other.
    static func splitServiceDayCounters(_ db: MariaDBConnection) throws {
        do {
            try db.execute("RENAME TABLE count_service_day TO count_service_type_day")
        } catch {
            switch error.code {
            case 1146:  // another process renamed it first
                break
            case 1050:
                // Both exist: a process still creating version 1's tables
                // made count_service_day again after the rename; only a
                // library of version 1 could have counted into it.
                guard try db.integer("SELECT COUNT(*) FROM count_service_day") == 0 else {
                    throw EventLogError(.schema, "the store \(db.location) holds both count_service_day and count_service_type_day, and count_service_day is not empty: a library of schema version 1 counted into it during the upgrade to version 2; stop it, add its rows to count_service_type_day and drop count_service_day")
                }
                try db.execute("DROP TABLE IF EXISTS count_service_day")
            default:
                throw error
            }
        }
        // A range of services per transaction, each setting (not adding to)
        // the sums: a fold that commits meanwhile adds to both tables, and
        // the fill's reads are locking (REPEATABLE READ), so it either waits
        // for the fold and counts it or is waited for. On Galera a fold on
        // another node that touched the same rows makes the fill's commit
        // fail, and it runs again.
        var after = Int64.min
        while let last = try db.integer("""
            SELECT MAX(service_id) FROM (SELECT service_id FROM count_service_type_day WHERE service_id > \(after)
                                         ORDER BY service_id LIMIT \(fillRows)) AS chunk
            """) {
            _ = try db.writeTransaction(isolation: "REPEATABLE READ") {
                try db.execute("""
                    INSERT INTO count_service_category_day (service_id, category, ts, n)
                    SELECT c.service_id, \(categorySQL("c.type")), c.ts, SUM(c.n) FROM count_service_type_day c
                    WHERE c.service_id > \(after) AND c.service_id <= \(last)
                    GROUP BY c.service_id, 2, c.ts
                    ON DUPLICATE KEY UPDATE n = VALUES(n)
                    """)
            }
            after = last
        }
    }

    /// Per-type counter rows one fill transaction reads at most (and every
    /// row of its last service).
    static let fillRows = 20_000

    /// The category of type code `expression`, as the folds key it
    /// (`MariaDBTotals.category`), from this library's catalog.
    private static func categorySQL(_ expression: String) -> String {
        let cases = Catalog.all.map { "WHEN \($0.code) THEN '\($0.category.rawValue)'" }
        return "CASE \(expression) " + cases.joined(separator: " ") + " ELSE '' END"
    }

    private static func refreshCatalog(_ db: MariaDBConnection) throws {
        let rows = Catalog.all.map { t in
            "(\(t.code), \(db.literal(.text(t.id))), \(db.literal(.text(t.label))), \(db.literal(.text(t.category.rawValue))))"
        }
        try db.execute("""
            INSERT INTO event_type (code, id, label, category) VALUES \(rows.joined(separator: ", "))
            ON DUPLICATE KEY UPDATE id = VALUES(id), label = VALUES(label), category = VALUES(category)
            """)
    }
}
