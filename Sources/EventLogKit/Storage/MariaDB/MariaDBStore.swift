import CMariaDB

/// An event store in a MariaDB/MySQL database (InnoDB), for panels on
/// several hosts. The same validation, scope, sentences and output as the
/// SQLite store; SQL, transactions and totals are its own (MariaDBTotals,
/// MariaDBPartitions). Not thread-safe: the C boundary serializes calls.
final class MariaDBStore: EventStore {
    let location: MariaDBLocation
    let options: StoreOptions
    private let db: MariaDBConnection
    /// Fixed when the store is created; changed only by `setRetentionDays`.
    private(set) var retentionDays = Limits.defaultRetentionDays
    /// The clock for event times and the retention window (tests set it).
    let clock: @Sendable () -> Int64

    /// How long after it was logged an event may still commit and be found
    /// by a live view's `after` (see `afterCondition`).
    static let lateCommitMicroseconds: Int64 = 15_000_000

    init(location: MariaDBLocation, options: StoreOptions, clock: @escaping @Sendable () -> Int64 = Time.nowMilliseconds) throws {
        self.location = location
        self.options = options
        self.clock = clock
        do {
            db = try MariaDBConnection(location: location, options: options)
        } catch {
            throw EventLogError(error, doing: "cannot open the store", at: location)
        }
        // Processes that create a new store at once can deadlock on its
        // first rows; every step is idempotent, so the loser starts over.
        var attempt = 0
        while true {
            attempt += 1
            do {
                try run("open the store") { try setUp() }
                return
            } catch let error as EventLogError where error.kind == .busy && attempt < 5 {
                continue
            }
        }
    }

    private func setUp() throws {
        let (version, revision) = try MariaDBSchema.version(db)
        let now = clock()
        if version < MariaDBSchema.currentVersion || revision < MariaDBSchema.currentRevision {
            let days = options.retentionDays ?? Limits.defaultRetentionDays
            let clause = MariaDBPartitions.initialClause(firstDay: now - days * Time.millisecondsPerDay, now: now)
            try MariaDBSchema.migrate(db, from: version, revision: revision, partitions: clause, retentionDays: days)
        }
        try MariaDBPartitions.addAhead(db, now: now)
        try reloadSettings()
    }

    /// Runs `body`, saying what failed in terms of the store (never with the
    /// password: `location` prints without it).
    private func run<T: ~Copyable>(_ what: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as MariaDBError {
            throw EventLogError(error, doing: "cannot \(what)", at: location)
        }
    }

    private func reloadSettings() throws {
        retentionDays = try Limits.storedRetentionDays(
            try db.integer("SELECT v FROM setting WHERE k = 'retentionDays'"), store: "\(location)")
    }

    // MARK: Pooling

    var isPoolable: Bool { true }
    var isDegraded: Bool { false }
    func reopened() -> (any EventStore)? { nil }

    /// Reading the settings again also finds a connection the server dropped
    /// while the store was idle; it is made again once.
    func readyForReuse() -> Bool {
        if (try? reloadSettings()) != nil { return true }
        guard (try? db.connect()) != nil else { return false }
        return (try? reloadSettings()) != nil
    }

    // MARK: Writing

    func log(json: String) throws -> Int64 {
        let now = clock()
        var event = try EventValidator.event(json: json, now: now, oldest: now - retentionDays * Time.millisecondsPerDay)
        let id: Int64 = try run("log the event") {
            do {
                // A repeated delivery (a hook sent again) is answered before an id is taken.
                if let key = event.deliveryKey, let first = try firstDelivery(key, locking: false) { return first }
                let names = try serviceNames(event.serviceId)
                event.id = try takeIDs(1)
                if event.deliveryKey != nil { return try db.writeTransaction { try insertOnce(event, names) } }
                // The common case: one autocommit INSERT (counted later by a fold).
                try insert(event, names)
                return event.id
            } catch let error as MariaDBError where error.isConnectionLost {
                throw MariaDBError(code: error.code, message: error.message + "; whether the event was stored is unknown (log it with a deliveryKey to retry safely)", sql: nil)
            }
        }
        if id == event.id { foldIfDue(stored: 1) }  // not for a repeated delivery: it stored nothing
        return id
    }

    /// The ids this store may hand out: [nextID, blockEnd).
    private var nextID: Int64 = 0
    private var blockEnd: Int64 = 0
    static let idBlock: Int64 = 1000

    /// `n` unique ids, the first returned. Each store takes a block of ids
    /// at a time from `id_block` in one autocommit statement: the row lock
    /// (on Galera, certification) makes two blocks never overlap, and a
    /// process logs a thousand events per round trip for ids. So ids are
    /// unique and increase within a process, not across processes (the
    /// MariaDB cursor does not rely on them).
    private func takeIDs(_ n: Int64) throws -> Int64 {
        if blockEnd - nextID < n {
            let size = max(Self.idBlock, n)
            let end = try db.insertID("UPDATE id_block SET next = LAST_INSERT_ID(next + \(size)) WHERE k = 1")
            guard end > size else { throw MariaDBError(code: 1032, message: "the store's id_block row is missing", sql: nil) }
            nextID = end - size
            blockEnd = end
        }
        defer { nextID += n }
        return nextID
    }

    /// Events this store stored since it last asked for a fold.
    private var storedSinceFold: Int64 = 0
    private var foldThread: FoldThread?
    private var foldThreadFailed = false

    deinit { foldThread?.stop() }

    /// After its own commit (the events are stored whatever happens then),
    /// a writer asks for a fold once it has stored `foldEvery` events, and
    /// `FoldThread` runs it beside the writer's next calls. Many processes
    /// that each log a little leave a longer tail: pages count it from its
    /// own index, and the prune folds it. Where no thread can run (one
    /// could not be started, or this is a child forked from the process
    /// that started it) the writer folds here, as the thread would: not
    /// while a prune runs, and a fold that fails is done later.
    private func foldIfDue(stored: Int64) {
        storedSinceFold += stored
        guard storedSinceFold >= MariaDBTotals.foldEvery else { return }
        storedSinceFold = 0
        if foldThread == nil && !foldThreadFailed {
            foldThread = FoldThread(location: location, options: options)
            foldThreadFailed = foldThread == nil
        }
        if let foldThread, foldThread.request() { return }
        try? MariaDBTotals.foldUnlessPruning(db)
    }

    /// Inside a transaction: stores the event unless its delivery key is
    /// known, and returns its id or the first one's.
    private func insertOnce(_ e: Event, _ names: Directory.ServiceNames?) throws -> Int64 {
        if let key = e.deliveryKey, let first = try firstDelivery(key, locking: true) { return first }
        try insert(e, names)
        if let key = e.deliveryKey {
            try db.execute("INSERT INTO delivery (k, event_id, ts) VALUES (\(db.literal(.text(key))), \(e.id), \(e.timestamp))")
        }
        return e.id
    }

    private func insert(_ e: Event, _ names: Directory.ServiceNames?) throws {
        row.removeAll()
        row.append(e, names: names)
        try db.insert(Self.insertSQL, row)
    }

    /// The row of `insert`, kept so that an `el_log` allocates none.
    private var row = EventRows(capacity: 1)

    /// The id stored for a delivery key, if any. `locking` inside the
    /// transaction that may store it: two deliveries at once store one event.
    private func firstDelivery(_ key: String, locking: Bool) throws -> Int64? {
        try db.integer("SELECT event_id FROM delivery WHERE k = \(db.literal(.text(key)))" + (locking ? " FOR UPDATE" : ""))
    }

    /// Service id → its name, owner and owner's name, as the directory had
    /// them lately.
    typealias DirectoryNames = [Int64: Directory.ServiceNames]

    /// The directory snapshot stored with each event (shown once the
    /// directory forgets the service), kept for `snapshotSeconds` so that
    /// `el_log` is one statement: a name changed in the directory reaches
    /// new events' snapshots within that time (pages show the directory's
    /// current names anyway). A panel's whole list of services is read in
    /// one go when it is not too long; a longer one a service at a time.
    private var snapshot: DirectoryNames = [:]
    private var snapshotAt: UInt64 = 0
    private var snapshotIsWhole = false
    static let snapshotSeconds: UInt64 = 10

    /// One service's names (`el_log`), without the sets of `directorySnapshot`.
    private func serviceNames(_ id: Int64) throws -> Directory.ServiceNames {
        if !snapshotExpired(), let names = snapshot[id] { return names }
        return try directorySnapshot([id])[id] ?? .unknown
    }

    private func snapshotExpired() -> Bool {
        BusyWait.monotonicNanoseconds() &- snapshotAt >= Self.snapshotSeconds * 1_000_000_000
    }

    private func directorySnapshot(_ services: Set<Int64>) throws -> DirectoryNames {
        if snapshotExpired() {
            snapshot.removeAll(keepingCapacity: true)
            snapshotAt = BusyWait.monotonicNanoseconds()
            snapshotIsWhole = false
        }
        func keep(_ r: MariaDBResult) {
            snapshot[r.int64(0)] = Directory.ServiceNames(service: SQLValue(r.text(1)), owner: SQLValue(r.optionalInt64(2)), ownerName: SQLValue(r.text(3)))
        }
        var missing = services.filter { snapshot[$0] == nil }
        if !missing.isEmpty && !snapshotIsWhole && snapshot.isEmpty {
            // The first miss of a period reads every service, if there are not too many.
            snapshotIsWhole = try db.readServiceNames(keep)
            missing = missing.filter { snapshot[$0] == nil }
        }
        if !snapshotIsWhole {
            let missing = Array(missing)
            for start in stride(from: 0, to: missing.count, by: 1000) {
                let chunk = missing[start..<min(start + 1000, missing.count)]
                _ = try db.readServiceNames(where: "e.service_id IN (\(chunk.map(String.init).joined(separator: ",")))", keep)
                for id in chunk where snapshot[id] == nil { snapshot[id] = .unknown }  // not in the directory
            }
        }
        var names: DirectoryNames = [:]
        for id in services { names[id] = snapshot[id] ?? .unknown }
        return names
    }

    /// The prepared INSERT of every event (see EventRows).
    static let insertSQL = "INSERT INTO event (\(MariaDBSchema.eventColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"

    func logBatch(json: String) throws -> Int64 {
        let now = clock()
        var events = try EventValidator.events(jsonArray: json, now: now, oldest: now - retentionDays * Time.millisecondsPerDay)
        let stored: Int64 = try run("log the batch") {  // a repeated delivery stores nothing
            let names = try directorySnapshot(Set(events.map(\.serviceId)))
            let first = try takeIDs(Int64(events.count))
            for i in events.indices { events[i].id = first + Int64(i) }
            return try db.writeTransaction {
                var stored: Int64 = 0
                var rows = EventRows(capacity: events.count)
                for e in events {
                    if e.deliveryKey != nil {
                        if try insertOnce(e, names[e.serviceId]) == e.id { stored += 1 }
                        continue
                    }
                    rows.append(e, names: names[e.serviceId])
                    if rows.isFull {
                        try db.insert(Self.insertSQL, rows)
                        stored += Int64(rows.count)
                        rows = EventRows()
                    }
                }
                if rows.count > 0 { try db.insert(Self.insertSQL, rows) }
                return stored + Int64(rows.count)
            }
        }
        foldIfDue(stored: stored)
        return Int64(events.count)
    }

    func putDirectory(json: String) throws {
        let update = try Directory.update(try JSONParser.parse(json, what: "directory"))
        try run("update the directory") { try db.put(update) }
        snapshotAt = 0  // this process's own change shows in its next events' snapshots
    }

    func setRetentionDays(_ days: Int64) throws {
        guard Limits.retentionDays.contains(days) else {
            throw EventLogError.invalid("retentionDays must be an integer from \(Limits.retentionDays.lowerBound) to \(Limits.retentionDays.upperBound)")
        }
        _ = try run("change the retention window") { try db.execute("UPDATE setting SET v = \(days) WHERE k = 'retentionDays'") }
        retentionDays = days
    }

    // MARK: Reading

    func query(principalJSON: String, filterJSON: String?) throws -> ByteBuffer {
        let read = try run("read the directory") { try ReadRequest(principalJSON: principalJSON, filterJSON: filterJSON, directory: db) }
        let filter = read.filter
        let after = try filter.after?.checked(.mariadb)
        return try run("read the page") {
            try db.readTransaction {
                let prunedBefore = try Self.prunedBefore(db)
                let cursor = try currentCursor()
                var view = filter
                view.after = nil
                if prunedBefore > 0 { view.from = max(filter.from ?? prunedBefore, prunedBefore) }
                let scope = try db.listingServices(read.scope)
                let total = try MariaDBTotals.count(view, scope: scope, db: db)
                var (whereSQL, bindings) = view.whereClause(scope, dialect: .mariadb)
                if let after { whereSQL += " AND " + afterCondition(after) }
                var offset = (filter.page - 1) * filter.perPage
                var order = LogColumns.newestFirst
                if after == nil && offset >= MariaDBTotals.seekFrom && offset < total,
                   let seek = try MariaDBTotals.seek(view, scope: scope, offset: offset, db: db) {
                    let walk = seek.walk(offset: offset, perPage: filter.perPage)
                    whereSQL += " AND " + walk.condition
                    (offset, order) = (walk.offset, walk.order)
                }
                return try PageJSON.write(filter: filter, total: total, cursor: cursor.token) { w in
                    guard offset < total || after != nil else { return }
                    // Many matches: walk the time index in order rather than sort
                    // them all (one service's are in order in event_service_ts).
                    let index = after == nil && filter.serviceId == nil && filter.ownerId == nil
                        && total > 2000 ? "FORCE INDEX (event_ts)" : ""
                    let rows = try db.query(db.render("""
                        SELECT \(LogColumns.select)
                        FROM (SELECT e.ts, e.id FROM event e \(index) WHERE \(whereSQL)
                              ORDER BY \(order) LIMIT \(filter.perPage) OFFSET \(offset)) AS p
                        JOIN event e ON e.ts = p.ts AND e.id = p.id \(LogColumns.joins)
                        ORDER BY \(LogColumns.newestFirst)
                        """, bindings))
                    var first = true
                    while rows.next() {
                        if !first { w.raw(",") }
                        first = false
                        MariaDBRow(rows).writeJSON(to: &w)
                    }
                }
            }
        }
    }

    /// The events a live view has not seen since `cursor`: every event
    /// stored from `lateCommitMicroseconds` before the cursor's newest on
    /// (ids are handed out before commit, by each process from its own
    /// block). A viewer may get an event twice (the pages merge by id), never
    /// miss one that committed within that time of being stored, on hosts
    /// whose clocks agree within it.
    private func afterCondition(_ cursor: Cursor) -> String {
        "e.logged_at > \(cursor.position - Self.lateCommitMicroseconds)"
    }

    /// The newest time an event was stored, and how many were stored in
    /// the last `cursorWindowMicroseconds` by the server's clock: an event
    /// that commits a moment after a newer one was read still changes the
    /// cursor (and one later than that arrives with the next change, within
    /// `lateCommitMicroseconds`). Counting back from now, not from the
    /// newest event, keeps the count small once logging pauses (a cursor
    /// changes once more, then stays). Both from `event_logged`.
    private func currentCursor() throws -> Cursor {
        let r = try db.query("""
            SELECT (SELECT COALESCE(MAX(logged_at), 0) FROM event),
                   (SELECT COUNT(*) FROM event WHERE logged_at > UNIX_TIMESTAMP(NOW(6)) * 1000000 - \(Self.cursorWindowMicroseconds))
            """)
        _ = r.next()
        return Cursor(.mariadb, position: r.int64(0), recent: r.int64(1))
    }

    static let cursorWindowMicroseconds: Int64 = 2_000_000

    func cursor() throws -> String {
        try run("read the cursor") { try db.readTransaction { try currentCursor().token } }
    }

    func info() throws -> ByteBuffer {
        StoreInfo.json(engine: "mariadb", schemaVersion: MariaDBSchema.currentVersion, retentionDays: retentionDays,
                       readOnly: nil, cursor: try cursor())
    }

    func export(principalJSON: String, filterJSON: String?, format: ExportFormat) throws -> any EventExport {
        try run("start the export") {
            let read = try ReadRequest(principalJSON: principalJSON, filterJSON: filterJSON, directory: db)
            var filter = read.filter
            filter.after = nil
            let prunedBefore = try Self.prunedBefore(db)
            return try MariaDBExport(db: db, scope: read.scope, filter: filter, format: format, prunedBefore: prunedBefore)
        }
    }

    // MARK: Retention

    /// The start of the oldest day not pruned (0: none pruned yet). A value
    /// outside the times an event can have is refused: the period
    /// arithmetic of a read from there would overflow.
    static func prunedBefore(_ db: MariaDBConnection, forUpdate: Bool = false) throws -> Int64 {
        let v = try db.integer("SELECT v FROM setting WHERE k = 'prunedBefore'" + (forUpdate ? " FOR UPDATE" : "")) ?? 0
        guard (0...Time.maxMilliseconds).contains(v) else {
            throw EventLogError(.schema, "the store holds a prunedBefore setting of \(v), not a time from 0 to \(Time.maxMilliseconds) ms: the setting was damaged or edited by hand; set it back in the store's setting table")
        }
        return v
    }

    /// Hides, then drops, the days older than the retention window: a
    /// committed `prunedBefore` takes the days out of every read, then their
    /// counters are deleted and their partitions dropped (a killed prune
    /// leaves counters and partitions that no read sees, deleted by the next
    /// one). Folds first, and creates the days ahead after. While it runs,
    /// writers leave the folding to it (`MariaDBPruneMark`).
    func prune(now: Int64) throws -> Int64 {
        let now = now == 0 ? clock() : now
        let cutoffDay = CounterPeriod.floor(now - retentionDays * Time.millisecondsPerDay, Time.millisecondsPerDay)
        return try run("prune the store") {
            try MariaDBPruneMark.set(db)
            // Not after a failure that closed the connection: connecting again
            // would add a timeout to the prune's; the mark lapses by itself.
            defer { if db.isConnected { try? MariaDBPruneMark.end(db) } }
            try FoldLock.create(db)
            try MariaDBTotals.fold(db, waiting: true)
            var hiddenBefore = cutoffDay
            let hidden: Int64 = try db.writeTransaction {
                let before = try Self.prunedBefore(db, forUpdate: true)
                hiddenBefore = max(cutoffDay, before)
                guard cutoffDay > before else { return 0 }
                let n = try db.integer("""
                    SELECT (SELECT COALESCE(SUM(n), 0) FROM count_day WHERE ts >= \(before) AND ts < \(cutoffDay))
                         + (SELECT COUNT(*) FROM event FORCE INDEX (event_uncounted)
                            WHERE counted = 0 AND ts >= \(before) AND ts < \(cutoffDay))
                    """) ?? 0
                try db.execute("UPDATE setting SET v = \(cutoffDay) WHERE k = 'prunedBefore'")
                return n
            }
            // Up to what an earlier prune hid, too: one killed between hiding
            // and deleting left counters there that no read sees.
            try MariaDBTotals.deleteCounters(before: hiddenBefore, db)
            _ = try MariaDBPartitions.drop(db, before: hiddenBefore)
            try MariaDBPartitions.addAhead(db, now: now)
            return hidden
        }
    }

    // MARK: Copy

    func copy(fromSQLite path: String) throws -> ByteBuffer {
        try run("copy the store") { try StoreCopy(from: path, into: self, db: db).run() }
    }
}
