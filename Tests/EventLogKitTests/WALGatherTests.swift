import Testing
@testable import EventLogKit
#if canImport(Glibc)
import Glibc
#endif

private func copyFile(_ from: String, to: String) throws {
    guard let input = fopen(from, "rb"), let output = fopen(to, "wb") else { throw EventLogError(.io, "cannot copy \(from)") }
    defer { fclose(input); fclose(output) }
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = fread(&buffer, 1, buffer.count, input)
        if n == 0 { break }
        fwrite(buffer, 1, n, output)
    }
}

/// The VFS of Sources/CWALGather holds WAL frames in a buffer; these check
/// that no other connection ever sees the file without a committed frame,
/// and that frames of a transaction that did not commit never land on top
/// of another connection's commit.
@Suite struct WALGatherTests {
    @Test func framesOfARolledBackTransactionNeverOverwriteACommit() throws {
        let t = try TempStore()
        let other = try SQLiteStore(path: t.path)
        let a = t.store.connection
        // A small cache makes the big transaction spill frames into the WAL
        // before it ends; appending page-sized rows, it never reads them back.
        try a.execute("PRAGMA cache_size = 5")
        try a.execute("BEGIN IMMEDIATE; CREATE TABLE spill (x)")
        for _ in 0..<203 { try a.execute("INSERT INTO spill VALUES (randomblob(3000))") }
        try a.execute("ROLLBACK")
        for i in 0..<300 { _ = try other.log(json: restart(Int64(1 + i % 20))) }
        // The first connection writes again, at offsets the other one has used since.
        _ = try t.store.log(json: restart(3))
        _ = try other.log(json: restart(4))
        #expect(try other.connection.integer("SELECT count(*) FROM event") == 302)
        #expect(try other.connection.integer("SELECT count(*) FROM sqlite_schema WHERE name = 'spill'") == 0)
        try other.connection.statement("PRAGMA integrity_check").firstRow { #expect($0.text(0) == "ok") }
        // What a crash would leave: the file and its WAL, recovered frame by
        // frame. A stale frame written over a commit breaks the WAL's
        // checksum chain, and recovery drops every commit after it.
        let copy = t.directory + "/copy.sqlite"
        try copyFile(t.path, to: copy)
        try copyFile(t.path + "-wal", to: copy + "-wal")
        let recovered = try Connection(path: copy, create: false)
        #expect(try recovered.integer("SELECT count(*) FROM event") == 302)
        try recovered.statement("PRAGMA integrity_check").firstRow { #expect($0.text(0) == "ok") }
    }

    @Test func everyCommitIsReadableByAnotherConnectionAtOnce() throws {
        let t = try TempStore()
        let other = try SQLiteStore(path: t.path)
        for i in 1...500 {
            let id = try t.store.log(json: restart(Int64(1 + i % 7)))
            // Read through the other connection, page by page: a frame still in a buffer would be a short read.
            #expect(try other.connection.integer("SELECT count(*) FROM event WHERE id = ?", [.integer(id)]) == 1)
        }
        let batch = "[" + (0..<2000).map { _ in restart(9) }.joined(separator: ",") + "]"  // more than one buffer of frames
        #expect(try t.store.logBatch(json: batch) == 2000)
        #expect(try other.connection.integer("SELECT count(*) FROM event") == 2500)
        try other.connection.statement("PRAGMA integrity_check").firstRow { #expect($0.text(0) == "ok") }
    }
}
