import Testing
@testable import EventLogKit

/// Deterministic pseudo-random numbers for reproducible property tests.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite struct TotalsTests {
    let hour: Int64 = 3_600_000
    let day = Time.millisecondsPerDay

    /// Random events over the last four days on services 10...15 and 99.
    func randomEvents(_ count: Int, rng: inout SplitMix64, now: Int64, span: Int64) -> String {
        let kinds = ["service.restart", "dj.connect", "mount.connect", "autodj.on_air"]
        let events = (0..<count).map { _ -> String in
            let service = [10, 11, 12, 13, 14, 15, 99].randomElement(using: &rng)!
            let time = now - Int64.random(in: 0..<span, using: &rng)
            switch kinds.randomElement(using: &rng)! {
            case "service.restart": return restart(Int64(service), time: time, by: Bool.random(using: &rng) ? "Root" : "Alice")
            case "dj.connect": return #"{"type":"dj.connect","serviceId":\#(service),"djName":"dj","time":\#(time)}"#
            case "mount.connect": return #"{"type":"mount.connect","serviceId":\#(service),"details":{"mount":"/m"},"time":\#(time)}"#
            default: return #"{"type":"autodj.on_air","serviceId":\#(service),"details":{"trigger":"startup"},"time":\#(time)}"#
            }
        }
        return "[" + events.joined(separator: ",") + "]"
    }

    /// A store with the panel's directory and `count` random events of the last four days.
    func storeOfRandomEvents(_ count: Int, rng: inout SplitMix64, now: Int64, options: StoreOptions = StoreOptions()) throws -> TempStore {
        let t = try TempStore(options: options)
        try t.store.putDirectory(json: panelDirectory)
        _ = try t.store.logBatch(json: randomEvents(count, rng: &rng, now: now, span: 4 * day))
        return t
    }

    /// The total of every page equals a plain count, before and after events
    /// land in periods already counted, and after a prune.
    @Test func totalsMatchALiveCount() throws {
        let now = Time.nowMilliseconds()
        var rng = SplitMix64(state: 42)
        let t = try storeOfRandomEvents(3000, rng: &rng, now: now)

        let principals = [admin, resellerA, resellerB, customerA1, directCustomer]
        func filters() -> [String] {
            [
                "{}",
                #"{"category":"dj"}"#,
                #"{"actor":"system"}"#,
                #"{"from":\#(now - 2 * day - 5 * hour + 17)}"#,
                #"{"from":\#(now - 3 * day),"to":\#(now - day + 1234),"category":"service"}"#,
                #"{"to":\#(now - 36 * hour)}"#,
                #"{"types":["service.restart","mount.connect"],"from":\#(now - 50 * hour)}"#,
                #"{"actor":"user","category":"service","from":\#(now - 4 * day)}"#,
            ]
        }
        func check(_ stage: String) throws {
            for p in principals {
                for f in filters() {
                    let principal = try Principal.parse(try JSONParser.parse(p))
                    let filter = try Filter.parse(try JSONParser.parse(f))
                    let expected = try Totals.liveCount(filter, scope: Scope(principal, in: t.store.connection), db: t.store.connection)
                    let total = try t.query(p, f)["total"].integerValue
                    #expect(total == expected, "\(stage): \(p) \(f)")
                }
            }
        }
        try check("first")
        // The counters hold nearly everything; only a short tail is counted live.
        #expect(try t.count("SELECT max(id) FROM event") - Totals.countedThrough(t.store.connection) < Totals.foldEvery)

        // Late events land in counted periods; new services appear.
        _ = try t.store.logBatch(json: randomEvents(200, rng: &rng, now: now, span: 4 * day))
        try t.log(restart(13, time: now - 3 * day))
        try check("after late events")

        t.clock.now = now + 27 * day - 7 * hour
        _ = try t.store.prune(now: now + 27 * day - 7 * hour)
        try check("after prune")
    }

    /// Every total equals the exported rows of the same view.
    func expectTotalsMatchExports(_ t: TempStore, _ reader: SQLiteStore, _ stage: String, filters: [String] = ["{}", #"{"category":"service"}"#]) throws {
        for p in [admin, resellerA, customerA1] {
            for f in filters {
                let page = String(decoding: try reader.query(principalJSON: p, filterJSON: f).array, as: UTF8.self).json
                let export = try reader.export(principalJSON: p, filterJSON: f, format: .jsonl)
                var rows = 0
                while let chunk = try export.next() { rows += chunk.array.filter { $0 == 0x0A }.count }
                #expect(page["total"].integerValue == Int64(rows), "\(stage): \(p) \(f)")
            }
        }
    }

    /// Counters are taken from the tail by writers, never by readers: a
    /// page reads them, a tampered count shows, a text search counts live.
    @Test func totalsComeFromCountersKeptByWriters() throws {
        let t = try TempStore()
        try t.store.putDirectory(json: panelDirectory)
        let now = Time.nowMilliseconds()
        // Within one hour and one day, so that each counter table has one row to tamper with.
        let start = CounterPeriod.floor(now - 2 * day, day) + hour
        let batch = (0..<Int(Totals.foldEvery) + 10).map { restart(10, time: start + Int64($0) * 1000) }
        _ = try t.store.logBatch(json: "[" + batch.joined(separator: ",") + "]")
        let n = Int64(batch.count)
        #expect(try t.count("SELECT sum(n) FROM count_hour") == n)
        #expect(try t.count("SELECT sum(n) FROM count_service_day WHERE service_id = 10") == n)
        try t.log(restart(10, time: start))   // in the tail, counted live
        #expect(try t.query(admin)["total"].integerValue == n + 1)
        try t.store.connection.execute("UPDATE count_hour SET n = n + 1000; UPDATE count_service_day SET n = n + 100")
        #expect(try t.query(admin)["total"].integerValue == n + 1 + 1000)
        #expect(try t.query(customerA1, #"{"from":\#(now - 4 * day)}"#)["total"].integerValue == n + 1 + 100)
        #expect(try t.query(admin, #"{"q":"restarted"}"#)["total"].integerValue == n + 1)
    }

    /// Finding 1: a page never writes. With another connection holding the
    /// write lock and no busy wait, every read still answers.
    @Test func readsNeverWrite() throws {
        let t = try TempStore()
        try t.store.putDirectory(json: panelDirectory)
        let now = Time.nowMilliseconds()
        _ = try t.store.logBatch(json: "[" + (0..<3000).map { restart(10 + Int64($0 % 4), time: now - Int64($0) * 60_000) }.joined(separator: ",") + "]")
        var options = StoreOptions()
        options.busyTimeoutMs = 0
        let reader = try t.open(options: options)
        let writer = try t.open()
        try writer.connection.execute("BEGIN IMMEDIATE")
        defer { try? writer.connection.execute("ROLLBACK") }
        let before = try reader.connection.integer("PRAGMA data_version")
        try expectTotalsMatchExports(t, reader, "under a held write lock", filters: ["{}", #"{"category":"service","from":\#(now - 30 * 3_600_000)}"#, #"{"serviceId":10}"#])
        #expect(try reader.connection.integer("PRAGMA data_version") == before)
        #expect(throws: EventLogError.self) { try reader.log(json: restart(10)) }  // busy: proves the lock is held
    }

    /// Finding 2: totals do not depend on clocks. Writers whose clocks differ
    /// by hours, a reader ahead of both, a clock stepping back.
    @Test func clockStepsCannotMakeTotalsDrift() throws {
        let t = try TempStore()
        try t.store.putDirectory(json: panelDirectory)
        let real = Time.nowMilliseconds()
        let ahead = TestClock(real + 2 * 3_600_000)
        let writerAhead = try t.open(clock: ahead)
        let readerAhead = try t.open(clock: ahead)
        for i in 0..<700 { try writerAhead.log(json: restart(10 + Int64(i % 3))) }
        try expectTotalsMatchExports(t, readerAhead, "ahead")
        for i in 0..<1300 { try t.log(restart(10 + Int64(i % 3))) }            // the real clock, 2 h behind
        ahead.now = real + 4 * 3_600_000
        try expectTotalsMatchExports(t, readerAhead, "ahead again")
        t.clock.now = real - 3_600_000                                         // NTP steps back an hour
        for i in 0..<500 { try t.log(restart(10 + Int64(i % 3))) }
        try expectTotalsMatchExports(t, t.store, "stepped back")
        try expectTotalsMatchExports(t, readerAhead, "stepped back, read ahead")
        #expect(try t.query(admin)["total"].integerValue == 2500)
    }

    /// Finding 3: an event older than the window (seconds passed as
    /// milliseconds) or more than a day ahead is refused, naming `time`.
    @Test func absurdTimestampsAreRefused() throws {
        let t = try TempStore()
        let now = Time.nowMilliseconds()
        let seconds = now / 1000
        #expect { try t.log(restart(10, time: seconds)) } throws: {
            let e = $0 as? EventLogError
            return e?.kind == .invalid && e?.message.hasPrefix("time ") == true && e?.message.contains("looks like seconds") == true
        }
        #expect { try t.log(restart(10, time: now - 31 * day)) } throws: { ($0 as? EventLogError)?.message.contains("retention window") == true }
        #expect { try t.log(restart(10, time: now + day + 60_000)) } throws: { ($0 as? EventLogError)?.message.hasPrefix("time ") == true }
        #expect { try t.store.logBatch(json: "[\(restart(10)),\(restart(10, time: 0))]") } throws: {
            ($0 as? EventLogError)?.message.hasPrefix("event [1]: time ") == true
        }
        try t.log(restart(10, time: now - 29 * day))
        #expect(try t.count() == 1)
    }

    /// Finding 4: each prune transaction takes its events out of the
    /// counters, so stopping after any batch leaves totals exact.
    @Test func pruneStoppedAfterAnyBatchLeavesTotalsExact() throws {
        let t = try TempStore()
        try t.store.putDirectory(json: panelDirectory)
        let now = Time.nowMilliseconds()
        t.clock.now = now - 20 * day
        let old = (0..<2000).map { restart(10 + Int64($0 % 4), time: now - 20 * day - Int64($0) * 100_000) }
        _ = try t.store.logBatch(json: "[" + old.joined(separator: ",") + "]")
        t.clock.now = nil
        _ = try t.store.logBatch(json: "[" + (0..<300).map { restart(11, time: now - Int64($0) * 1000) }.joined(separator: ",") + "]")
        let cutoff = now - 20 * day - 30 * 100_000
        let batch = try t.store.connection.statement("SELECT json_group_array(id) FROM (SELECT id FROM event WHERE ts < ? ORDER BY ts, id LIMIT 250)")
        // The prune's transactions one at a time, checking after each.
        while let ids = try batch.firstRow([.integer(cutoff)], { $0.text(0) }) ?? nil, ids != "[]" {
            try t.store.connection.writeTransaction {
                try Totals.uncount(ids: ids, db: t.store.connection)
                try t.store.connection.statement("DELETE FROM event WHERE id IN (SELECT value FROM json_each(?))").run([.text(ids)])
            }
            try expectTotalsMatchExports(t, t.store, "after a batch")
        }
        #expect(try t.count() == 300 + 31)
    }

    /// The prune drops the counter rows it emptied a batch at a time, all of
    /// them however many there are, and keeps the rows of the days it kept.
    @Test func pruneDropsEveryEmptiedCounterRow() throws {
        let t = try TempStore()
        try t.store.putDirectory(json: panelDirectory)
        let now = Time.nowMilliseconds()
        let services = Totals.dropBatchRows * 2 + 500
        let old = (0..<services).map { restart(1000 + Int64($0), time: now - 25 * day) }
        _ = try t.store.logBatch(json: "[" + old.joined(separator: ",") + "]")
        let keptDay = CounterPeriod.floor(now - 2 * day, day) + hour
        let kept = (0..<1200).map { restart(10 + Int64($0 % 4), time: keptDay + Int64($0) * 1000) }
        _ = try t.store.logBatch(json: "[" + kept.joined(separator: ",") + "]")
        #expect(try t.count("SELECT count(*) FROM count_service_day") == Int64(services + 4))

        #expect(try t.store.prune(now: now - 25 * day + 30 * day + 1) == Int64(services))
        #expect(try t.count("SELECT count(*) FROM count_service_day WHERE n = 0") == 0)
        #expect(try t.count("SELECT count(*) FROM count_hour WHERE n = 0") == 0)
        #expect(try t.count("SELECT count(*) FROM count_service_day") == 4)
        try expectTotalsMatchExports(t, t.store, "after the prune")
    }

    /// A store of schema 5 (service-day counters keyed by service first)
    /// keeps every count when it moves to counters keyed by day first.
    @Test func serviceDayCountersMoveToDayFirstKeys() throws {
        var rng = SplitMix64(state: 7)
        var unwatched = StoreOptions()
        unwatched.countsSearchesBehind = false  // no thread writes while the schema is taken back
        let t = try storeOfRandomEvents(2500, rng: &rng, now: Time.nowMilliseconds(), options: unwatched)
        let counters = "SELECT group_concat(service_id || ':' || ts || ':' || type || ':' || actor_type || '=' || n) FROM (SELECT * FROM count_service_day ORDER BY 1, 2, 3, 4)"
        let before = try t.store.connection.statement(counters).firstRow { $0.text(0) }
        #expect(before != nil)
        let tag = Schema.tag(userVersion: try t.count("PRAGMA user_version"))
        try t.store.connection.execute("""
            CREATE TABLE old (service_id INTEGER NOT NULL, ts INTEGER NOT NULL, type INTEGER NOT NULL, actor_type INTEGER NOT NULL,
                              n INTEGER NOT NULL, PRIMARY KEY (service_id, ts, type, actor_type)) WITHOUT ROWID;
            INSERT INTO old SELECT service_id, ts, type, actor_type, n FROM count_service_day;
            DROP TABLE count_service_day;
            ALTER TABLE old RENAME TO count_service_day;
            CREATE INDEX count_service_day_ts ON count_service_day (ts);
            DROP TABLE search_token; DROP TABLE search_token_trigram; DROP TABLE search_trigram;
            DROP TABLE search_count_hour; DROP TABLE search_posting_day;
            DELETE FROM setting WHERE key = '\(SearchCounters.watermarkKey)';
            PRAGMA user_version = \(tag << 16 | 5);
            """)

        let migrated = try t.open()
        #expect(try Schema.version(migrated.connection) == Schema.currentVersion)
        #expect(try migrated.connection.statement(counters).firstRow { $0.text(0) } == before)
        #expect(try migrated.connection.integer("SELECT count(*) FROM pragma_index_list('count_service_day') WHERE origin = 'c'") == 0)
        let key = try migrated.connection.statement("SELECT group_concat(name) FROM (SELECT name FROM pragma_index_info((SELECT name FROM pragma_index_list('count_service_day') WHERE origin = 'pk')) ORDER BY seqno)").firstRow { $0.text(0) }
        #expect(key == "ts,service_id,type,actor_type")
        try expectTotalsMatchExports(t, migrated, "after the migration")
    }

    /// A batch counts its own events in its transaction when nothing before
    /// it is uncounted; after single events (a tail) or with a delivery key
    /// already known it leaves them to the fold. Totals stay exact either way.
    @Test func aBatchCountsItselfInItsTransaction() throws {
        let t = try TempStore()
        try t.store.putDirectory(json: panelDirectory)
        let now = Time.nowMilliseconds()
        func batch(_ events: [String]) throws { _ = try t.store.logBatch(json: "[" + events.joined(separator: ",") + "]") }
        func watermark() throws -> Int64 { try Totals.countedThrough(t.store.connection) }

        try batch([restart(10, time: now - 3 * day), restart(11, time: now - 3 * day + 1), restart(10, time: now - 2 * hour)])
        #expect(try watermark() == 3)
        #expect(try t.count("SELECT sum(n) FROM count_hour") == 3)
        #expect(try t.count("SELECT sum(n) FROM count_service_day WHERE service_id = 10") == 2)

        _ = try t.log(restart(12, time: now - day))  // a tail of one: the next batch leaves its events to the fold
        try batch([restart(13, time: now - day), restart(14, time: now - 5 * day)])
        #expect(try watermark() == 3)

        // A delivery key already stored: the event is not stored again, nor counted.
        let keyed = #"{"type":"service.restart","serviceId":10,"actor":{"type":"user","id":1,"name":"Root"},"deliveryKey":"k-1"}"#
        _ = try Totals.fold(db: t.store.connection)
        try batch([keyed, keyed, restart(11, time: now - hour)])
        #expect(try t.count() == 8)
        #expect(try watermark() == 6)  // the fold above; the batch's two new events stay in the tail
        _ = try Totals.fold(db: t.store.connection)
        try batch([keyed, restart(12, time: now - hour)])  // a repeated delivery first
        #expect(try t.count() == 9)
        #expect(try watermark() == 8)
        try expectTotalsMatchExports(t, t.store, "after batches", filters: ["{}", #"{"category":"service"}"#, #"{"from":\#(now - 4 * day)}"#])
    }

    /// A tail longer than `foldChunk` (a store that migrates, counters
    /// emptied by hand) is folded a chunk at a time: every event is counted
    /// once, across the chunks' edges.
    @Test func aLongTailIsFoldedInChunks() throws {
        var rng = SplitMix64(state: 11)
        let now = Time.nowMilliseconds()
        let t = try TempStore()
        try t.store.putDirectory(json: panelDirectory)
        let n = 2 * Totals.foldChunk + 345
        var logged: Int64 = 0
        while logged < n {
            let size = min(1000, n - logged)
            logged += try t.store.logBatch(json: randomEvents(Int(size), rng: &rng, now: now, span: 4 * day))
        }
        try t.store.connection.execute("""
            DELETE FROM count_hour; DELETE FROM count_service_day;
            UPDATE setting SET value = 0 WHERE key = '\(Totals.watermarkKey)';
            """)
        let through = try t.store.connection.writeTransaction { try Totals.fold(db: t.store.connection) }
        #expect(through == n)
        #expect(try t.count("SELECT sum(n) FROM count_hour") == n)
        #expect(try t.count("SELECT sum(n) FROM count_service_day") == n)
        try expectTotalsMatchExports(t, t.store, "after a fold of three chunks",
                                     filters: ["{}", #"{"category":"dj"}"#, #"{"from":\#(now - 2 * day - 5 * hour)}"#])
    }

    /// Bulk loads leave at most a short tail, so the first page after them
    /// reads counters, not rows.
    @Test func backfillLeavesAShortTail() throws {
        let t = try TempStore()
        try t.store.putDirectory(json: panelDirectory)
        let now = Time.nowMilliseconds()
        for chunk in 0..<5 {
            let events = (0..<999).map { restart(10, time: now - 25 * day + Int64(chunk * 999 + $0) * 60_000) }
            _ = try t.store.logBatch(json: "[" + events.joined(separator: ",") + "]")
        }
        #expect(try t.count() - Totals.countedThrough(t.store.connection) < Totals.foldEvery)
        #expect(try t.query(admin)["total"].integerValue == 4995)
    }

    /// Counter rows no writer makes (a damaged or hand-edited file: days at
    /// the ends of Int64, days years apart) neither trap nor stall a scoped
    /// total: it walks the days the counters hold, with no day arithmetic.
    @Test func strayCounterDaysNeitherTrapNorStall() throws {
        let now = Time.nowMilliseconds()
        var rng = SplitMix64(state: 7)
        let t = try storeOfRandomEvents(1500, rng: &rng, now: now)
        _ = try Totals.fold(db: t.store.connection)
        for ts in [Int64.max, Int64.min, -9_000_000_000_000_000_000, 0, now + 400 * day] {
            try t.store.connection.execute("INSERT INTO count_service_day (service_id, ts, type, actor_type, n) VALUES (10, \(ts), 1, 1, 0)")
        }
        try expectTotalsMatchExports(t, t.store, "with stray counter days",
                                     filters: ["{}", #"{"from":\#(now - 3 * day)}"#, #"{"to":\#(now - day)}"#])
    }

    /// A negative watermark is a damaged setting: the store is refused at
    /// open with a message that says how to mend it, never trapped on.
    @Test func aNegativeWatermarkIsRefused() throws {
        let t = try TempStore()
        try t.log(restart(10))
        try t.store.connection.execute("INSERT OR REPLACE INTO setting (key, value) VALUES ('\(Totals.watermarkKey)', -9223372036854775807)")
        t.expectRefusedAtOpen(saying: "watermark (countedThrough) of -9223372036854775807")
    }
}
