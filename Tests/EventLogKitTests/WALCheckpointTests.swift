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
        let frame = try walFrameBytes(t)
        func walBytes() -> Int64 {
            var st = stat()
            return stat(t.path + "-wal", &st) == 0 ? Int64(st.st_size) : 0
        }
        for i in 0..<6000 { _ = try (i % 3 == 0 ? other : t.store).log(json: restart(Int64(1 + i % 50))) }
        // ~6 pages per event: the WAL would hold 36,000 pages (140 MiB)
        // without checkpoints, 33,000 with passive ones alone (the writers
        // never pause); once it holds Checkpointer.restartPages the
        // checkpointer finishes it and the next writer starts it again
        // (a margin for a checkpointer that falls behind on a busy machine).
        #expect(walBytes() < Int64(2 * Checkpointer.restartPages) * frame)
        #expect(walBytes() > 0)
        #expect(try t.count() == 6000)
    }

    /// While a prune runs, the checkpointer leaves the WAL to grow: a
    /// restart would copy and sync each of the prune's batches holding the
    /// write lock. The same writes as above, with the prune's mark set.
    @Test func walIsNotRestartedWhileAPruneRuns() throws {
        let t = try TempStore()
        let other = try SQLiteStore(path: t.path)
        let frame = try walFrameBytes(t)
        let db = t.store.connection
        try db.writeTransaction { try PruneMark.set(db) }
        var st = stat()
        for i in 0..<6000 { _ = try (i % 3 == 0 ? other : t.store).log(json: restart(Int64(1 + i % 50))) }
        #expect(stat(t.path + "-wal", &st) == 0 && Int64(st.st_size) > Int64(2 * Checkpointer.restartPages) * frame)
    }

    /// A WAL frame: a page and its 24-byte header.
    func walFrameBytes(_ t: TempStore) throws -> Int64 {
        try t.count("PRAGMA page_size") + 24
    }

    /// The prune sets its mark with each batch and shortens it to `settle`
    /// at the end; a prune killed part-way leaves one that lapses by itself.
    @Test func pruneMarkLapsesAndIsShortenedByThePrune() throws {
        let day = Time.millisecondsPerDay, now: Int64 = 1_795_787_927_000
        let t = try TempStore(now: now - 31 * day)
        let db = t.store.connection
        try db.writeTransaction { try PruneMark.set(db, now: now) }
        #expect(PruneMark.isSet(db, now: now))
        #expect(PruneMark.isSet(db, now: now + PruneMark.lease - 1))
        #expect(!PruneMark.isSet(db, now: now + PruneMark.lease))
        #expect(!PruneMark.isSet(db, now: now - 60_000))  // set before the clock was stepped back
        try t.log(restart(10))
        #expect(try t.store.prune(now: now) == 1)
        let ended = Time.nowMilliseconds()
        #expect(PruneMark.isSet(db, now: ended))
        #expect(!PruneMark.isSet(db, now: ended + PruneMark.settle + 1))
    }

    /// The checkpointer copies the WAL back on its own thread: a request
    /// only wakes it, and the frames reach the database file meanwhile.
    @Test func checkpointerRunsOnItsOwnThread() throws {
        let t = try TempStore()
        // Frames for it to copy, written by a connection that never checkpoints.
        let writer = try Connection(path: t.path, create: false)
        try writer.execute("PRAGMA wal_autocheckpoint = 0; CREATE TABLE filler (x BLOB)")
        for _ in 0..<300 { try writer.execute("INSERT INTO filler VALUES (zeroblob(3000))") }
        #expect(backfilled(t) == 0)
        let checkpointer = try #require(Checkpointer(path: t.path, isSameFile: { true }))
        #expect(checkpointer.request())
        var waited = 0
        while backfilled(t) < 300 && waited < 5000 {
            usleep(10_000)
            waited += 10
        }
        #expect(backfilled(t) >= 300)
        // It blocks every signal: PHP's timeout and FPM's signals are for PHP's thread.
        let masks = threadSignalMasks(named: Checkpointer.threadName)
        #expect(!masks.isEmpty)
        for mask in masks { for signal in [SIGPROF, SIGALRM, SIGTERM, SIGINT, SIGHUP, SIGCHLD] { #expect(mask & (1 << (signal - 1)) != 0) } }
        checkpointer.stop()
        // A path that no longer names the store's file gets no checkpointer.
        #expect(Checkpointer(path: t.path, isSameFile: { false }) == nil)
    }

    /// The blocked-signal masks (`SigBlk`) of this process's threads called `name`.
    private func threadSignalMasks(named name: String) -> [UInt64] {
        func read(_ path: String) -> String {
            guard let f = fopen(path, "r") else { return "" }
            defer { fclose(f) }
            var text = "", buffer = [CChar](repeating: 0, count: 4096)
            while fgets(&buffer, Int32(buffer.count), f) != nil { text += String(cString: buffer) }
            return text
        }
        guard let dir = opendir("/proc/self/task") else { return [] }
        defer { closedir(dir) }
        var masks: [UInt64] = []
        while let entry = readdir(dir) {
            let tid = withUnsafeBytes(of: entry.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
            guard tid.first?.isNumber == true, read("/proc/self/task/\(tid)/comm") == name + "\n" else { continue }
            for line in read("/proc/self/task/\(tid)/status").split(separator: "\n") where line.hasPrefix("SigBlk:") {
                masks.append(UInt64(line.dropFirst(7).filter { !$0.isWhitespace }, radix: 16) ?? 0)
            }
        }
        return masks
    }

    /// How many of the WAL's frames are in the database file: the WAL
    /// index's `nBackfill` (a native u32 after its two 48-byte headers).
    private func backfilled(_ t: TempStore) -> UInt32 {
        let fd = open(t.path + "-shm", O_RDONLY)
        defer { close(fd) }
        var n: UInt32 = 0
        return pread(fd, &n, 4, 96) == 4 ? n : 0
    }
}
