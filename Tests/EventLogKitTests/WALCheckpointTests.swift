import Testing
@testable import EventLogKit
#if canImport(Glibc)
import Glibc
#endif

@Suite struct WALCheckpointTests {
    /// The library runs checkpoints itself (SQLite's auto-checkpoint is off):
    /// the WAL must still be copied back and reused, alone or with another
    /// process's connection writing in turn.
    @Test func walIsCheckpointedAndReused() throws {
        let t = try TempStore()
        let other = try SQLiteStore(path: t.path)
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
}
