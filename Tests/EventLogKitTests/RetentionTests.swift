import Testing
@testable import EventLogKit
#if canImport(Glibc)
import Glibc
#endif

@Suite struct RetentionTests {
    let day = Time.millisecondsPerDay
    let now: Int64 = 1_795_787_927_000

    /// The library runs checkpoints itself (SQLite's auto-checkpoint is off):
    /// the WAL must still be copied back and reused, alone or with another
    /// process's connection writing in turn.
    @Test func walIsCheckpointedAndReused() throws {
        let t = try TempStore()
        let other = try EventStore(path: t.path)
        func walBytes() -> Int64 {
            var st = stat()
            return stat(t.path + "-wal", &st) == 0 ? Int64(st.st_size) : 0
        }
        for i in 0..<3000 { _ = try (i % 3 == 0 ? other : t.store).log(json: restart(Int64(1 + i % 50))) }
        // ~6 pages per event: without checkpoints the WAL would hold 18,000 pages (70 MiB).
        #expect(walBytes() < 2 * Int64(Connection.checkpointPages) * 4096 + 1_000_000)
        #expect(walBytes() > 0)
        #expect(try t.count() == 3000)
    }

    @Test func prunesExactlyOutsideTheWindow() throws {
        let t = try TempStore()
        let cutoff = now - 30 * day
        try t.log(restart(10, time: cutoff - 1))
        try t.log(restart(10, time: cutoff))
        try t.log(restart(10, time: cutoff + 1))
        #expect(try t.store.prune(now: now) == 1)
        #expect(try t.count("SELECT min(ts) FROM event") == cutoff)
        #expect(try t.store.prune(now: now) == 0)
    }

    @Test func retentionIsKeptPerStore() throws {
        let t = try TempStore(options: { var o = StoreOptions(); o.retentionDays = 7; return o }())
        try t.log(restart(10, time: now - 8 * day))
        try t.log(restart(10, time: now - 6 * day))
        let reopened = try EventStore(path: t.path)
        #expect(reopened.retentionDays == 7)
        #expect(try reopened.prune(now: now) == 1)
    }

    @Test func pruneInBatchesAndReclaimsSpace() throws {
        let t = try TempStore()
        let n = EventStore.pruneBatchRows * 2 + 17
        let old = (0..<n).map { #"{"type":"service.title_update","serviceId":10,"actor":{"type":"user"},"details":{"title":"\#(String(repeating: "t", count: 300)) \#($0)"},"time":\#(now - 40 * day)}"# }
        _ = try t.store.logBatch(json: "[" + old.joined(separator: ",") + "]")
        try t.log(restart(10, time: now))
        let pagesBefore = try t.count("PRAGMA page_count")
        #expect(try t.store.prune(now: now) == Int64(n))
        #expect(try t.count() == 1)
        #expect(try t.count("PRAGMA freelist_count") == 0)
        #expect(try t.count("PRAGMA page_count") < pagesBefore / 4)
    }
}
