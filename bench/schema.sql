-- The event store's schema (Sources/EventLogKit/Schema.swift, migrations 1 to 3, as a new store has it),
-- used unchanged by the C limit and the PDO peer so that all three sides write
-- the same table with the same indexes. The caller sets the pragmas first:
-- auto_vacuum = INCREMENTAL (before any table), journal_mode = WAL, synchronous = NORMAL.
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
CREATE INDEX event_type_ts ON event (type, ts);
CREATE TABLE setting (key TEXT PRIMARY KEY, value ANY) WITHOUT ROWID;
CREATE TABLE event_type (
    code     INTEGER PRIMARY KEY,
    id       TEXT NOT NULL UNIQUE,
    label    TEXT NOT NULL,
    category TEXT NOT NULL
);
CREATE INDEX event_ts ON event (ts, type, actor_type, service_id);
CREATE INDEX event_service_ts ON event (service_id, ts, type, actor_type);
-- The store's counters (Totals.swift): the peers never fill them, but the file has the same tables.
CREATE TABLE count_hour (
    ts         INTEGER NOT NULL,
    type       INTEGER NOT NULL,
    actor_type INTEGER NOT NULL,
    n          INTEGER NOT NULL,
    PRIMARY KEY (ts, type, actor_type)
) WITHOUT ROWID;
CREATE TABLE count_service_day (
    ts         INTEGER NOT NULL,
    service_id INTEGER NOT NULL,
    type       INTEGER NOT NULL,
    actor_type INTEGER NOT NULL,
    n          INTEGER NOT NULL,
    PRIMARY KEY (ts, service_id, type, actor_type)
) WITHOUT ROWID;
CREATE TABLE counted_period (
    kind      INTEGER NOT NULL,
    ts        INTEGER NOT NULL,
    filled_to INTEGER NOT NULL,
    PRIMARY KEY (kind, ts)
) WITHOUT ROWID;
