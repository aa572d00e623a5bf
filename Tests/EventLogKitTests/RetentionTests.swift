import Testing
@testable import EventLogKit
#if canImport(Glibc)
import Glibc
#endif

@Suite struct RetentionTests {
    let day = Time.millisecondsPerDay
    let now: Int64 = 1_795_787_927_000

    @Test func prunesExactlyOutsideTheWindow() throws {
        let t = try TempStore(now: now - day)
        let cutoff = now - 30 * day
        try t.log(restart(10, time: cutoff - 1))
        try t.log(restart(10, time: cutoff))
        try t.log(restart(10, time: cutoff + 1))
        #expect(try t.store.prune(now: now) == 1)
        #expect(try t.count("SELECT min(ts) FROM event") == cutoff)
        #expect(try t.store.prune(now: now) == 0)
    }

    @Test func retentionIsKeptPerStore() throws {
        let t = try TempStore(options: { var o = StoreOptions(); o.retentionDays = 7; return o }(), now: now - day)
        try t.log(restart(10, time: now - 7 * day - 1000))
        try t.log(restart(10, time: now - 6 * day))
        let reopened = try t.open()
        #expect(reopened.retentionDays == 7)
        #expect(try reopened.prune(now: now) == 1)
    }

    /// The window is set when the store is created: workers opened with
    /// other options (or none) cannot make a prune delete what it keeps;
    /// only an explicit change does, for everyone.
    @Test func workersCannotChangeTheWindow() throws {
        let t = try TempStore(options: { var o = StoreOptions(); o.retentionDays = 30; return o }(), now: now)
        try t.log(restart(10, time: now - 20 * day))
        let cron = try t.open(options: { var o = StoreOptions(); o.retentionDays = 7; return o }())
        #expect(cron.retentionDays == 30)
        #expect(try cron.prune(now: now) == 0)
        #expect(try t.open().retentionDays == 30)
        try cron.setRetentionDays(14)
        #expect(try t.open().retentionDays == 14)
        #expect(try cron.prune(now: now) == 1)
        #expect(throws: EventLogError.self) { try cron.setRetentionDays(0) }
    }

    /// The library stores only windows of 1 to 3,650 days; another value in
    /// the file (edited by hand, damaged) is refused at open, before a date
    /// is computed from it, and saying what to mend.
    @Test func aWindowOutsideTheLimitsIsRefusedAtOpen() throws {
        let t = try TempStore(now: now)
        try t.log(restart(10, time: now))
        for days in [Int64.max, Int64.min, 0, 3651] {
            try t.store.connection.execute("UPDATE setting SET value = \(days) WHERE key = '\(SQLiteStore.retentionKey)'")
            t.expectRefusedAtOpen(saying: "retentionDays setting of \(days), not a number of days from 1 to 3650")
        }
    }

    @Test func pruneInBatchesAndReclaimsSpace() throws {
        let t = try TempStore(now: now - 35 * day)
        let n = SQLiteStore.pruneBatchRows * 2 + 17
        let old = (0..<n).map { #"{"type":"service.title_update","serviceId":10,"actor":{"type":"user"},"details":{"title":"\#(String(repeating: "t", count: 300)) \#($0)"},"time":\#(now - 40 * day)}"# }
        _ = try t.store.logBatch(json: "[" + old.joined(separator: ",") + "]")
        t.clock.now = now
        try t.log(restart(10, time: now))
        let pagesBefore = try t.count("PRAGMA page_count")
        #expect(try t.store.prune(now: now) == Int64(n))
        #expect(try t.count() == 1)
        #expect(try t.count("PRAGMA freelist_count") == 0)
        #expect(try t.count("PRAGMA page_count") < pagesBefore / 4)
    }

    /// Before its first batch the prune reads the index entries it will
    /// delete and their neighbours: in each service's and type's range only
    /// where that range has events to delete.
    @Test func readIndexesAheadOnlyWhereEventsGo() throws {
        let t = try TempStore(now: now - 35 * day)
        for _ in 0..<3 { try t.log(restart(15, time: now - 40 * day)) }
        t.clock.now = now
        for service in Int64(10)...19 {
            for _ in 0..<5 { try t.log(restart(service, time: now)) }
        }
        // Time index: 3 going, 50 after them. Service index: service 15's 3,
        // its 5 kept, the 25 of services 10-14 before it. Type index: all
        // restarts, 3 and 50.
        #expect(try t.store.readIndexesAhead(before: now - 30 * day) == (3 + 50) + (3 + 5 + 25) + (3 + 50))
        #expect(try t.store.prune(now: now) == 3)
    }

    /// The prune reads pages ahead through the store's own file handle
    /// (another descriptor would drop SQLite's locks when closed): the pages
    /// asked for that are in the file, none past its end (a page still only
    /// in the WAL is not in the file yet).
    @Test func readAheadReadsTheStoresPages() throws {
        let t = try TempStore(now: now)
        // Fewer WAL pages than start the store's background checkpointer
        // (`Connection.checkpointPages`): a checkpoint of its running at the
        // same time would make this one fail with SQLITE_BUSY.
        for i in 0..<100 { try t.log(restart(10 + Int64(i % 7), time: now)) }
        let db = t.store.connection
        let wal = try #require(db.checkpoint(restart: true))
        #expect(wal.frames < Connection.checkpointPages && wal.copied == wal.frames)  // every page in the file
        let pages = try #require(db.pages)
        var file = stat()
        #expect(stat(t.path, &file) == 0)
        let inFile = Int64(file.st_size) / pages.size
        #expect(pages.size == 4096 && inFile > 2)
        #expect(db.readAhead(pages: [1...pages.count]) == inFile * pages.size)
        #expect(db.readAhead(pages: [2...2, inFile...inFile]) == 2 * pages.size)
        #expect(db.readAhead(pages: [inFile + 1...inFile + 5]) == 0)
        // The store is still the store: a write after the reads commits.
        try t.log(restart(10, time: now))
        #expect(try t.count() == 101)
    }
}
