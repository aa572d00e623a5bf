import Testing
#if canImport(Glibc)
import Glibc
#endif
@testable import EventLogKit

/// el_log_batch validates on a thread of its own while the writer inserts
/// (`BatchReader`): a batch must still be all or nothing, in its order, with
/// the same error whichever event or byte is wrong and whatever else fails.
@Suite struct BatchTests {
    /// Events that name their place in the batch (djName), big enough
    /// together to be read on the thread, not inline.
    static func events(_ n: Int, invalidAt bad: Int? = nil) -> [String] {
        (0..<n).map { i in
            i == bad ? #"{"type":"dj.connect","serviceId":10,"djName":"dj-\#(i)","sourceIp":"300.0.0.1"}"#
                     : #"{"type":"dj.connect","serviceId":\#(10 + Int64(i % 5)),"djName":"dj-\#(i)","sourceIp":"10.0.0.\#(i % 250)"}"#
        }
    }

    static func batch(_ events: [String]) -> String {
        let json = "[" + events.joined(separator: ",") + "]"
        precondition(events.count < 1000 || json.utf8.count >= BatchReader.threadFromBytes, "a test batch of 1,000 must take the thread")
        return json
    }

    /// The first event, the last, and those on both sides of a chunk's end.
    static let failingPlaces = [0, 1, BatchReader.chunkEvents - 1, BatchReader.chunkEvents, BatchReader.chunkEvents + 1, 500, 998, 999]

    @Test(arguments: failingPlaces)
    func anInvalidEventAnywhereStoresNothing(at bad: Int) throws {
        let t = try TempStore()
        _ = try t.store.putDirectory(json: panelDirectory)
        t.log(restartBefore: 1)
        #expect {
            try t.store.logBatch(json: Self.batch(Self.events(1000, invalidAt: bad)))
        } throws: { ($0 as? EventLogError)?.message == "event [\(bad)]: sourceIp '300.0.0.1' is not an IPv4 or IPv6 address" }
        #expect(try t.count() == 1)
        #expect(try t.count("SELECT value FROM setting WHERE key = 'countedThrough'") <= 1)
        // The handle goes on logging, and its totals stay the rows'.
        #expect(try t.store.logBatch(json: Self.batch(Self.events(1000))) == 1000)
        #expect(try t.query(admin)["total"].integerValue == 1001)
        #expect(try t.count() == 1001)
    }

    @Test func aBigBatchIsStoredInItsOrder() throws {
        let t = try TempStore()
        #expect(try t.store.logBatch(json: Self.batch(Self.events(1000))) == 1000)
        // Ids follow the batch's order, one run, and the batch counted itself.
        let inOrder = try t.count("""
            SELECT count(*) FROM event a JOIN event b ON b.id = a.id + 1
            WHERE CAST(substr(b.dj_name, 4) AS INTEGER) = CAST(substr(a.dj_name, 4) AS INTEGER) + 1
            """)
        #expect(inOrder == 999)
        #expect(try t.count("SELECT value FROM setting WHERE key = 'countedThrough'") == t.count("SELECT max(id) FROM event"))
        #expect(try t.count("SELECT sum(n) FROM count_hour") == 1000)
        #expect(try t.count("SELECT sum(n) FROM count_service_day") == 1000)
    }

    /// As when every event was validated before anything was written: bad
    /// JSON anywhere first, then too many events, then the first invalid one.
    @Test func theBatchsErrorIsTheSameWhereverItIsFound() throws {
        let t = try TempStore()
        let invalidThenBadJSON = Self.batch(Self.events(1000, invalidAt: 3)).dropLast() + ",{]"
        #expect {
            try t.store.logBatch(json: String(invalidThenBadJSON))
        } throws: { ($0 as? EventLogError)?.message.hasPrefix("batch is not valid JSON") == true }
        let tooMany = "[" + Array(repeating: restart(10), count: Limits.batchEvents + 1).joined(separator: ",") + "]"
        #expect {
            try t.store.logBatch(json: tooMany)
        } throws: { ($0 as? EventLogError)?.message == "a batch holds at most \(Limits.batchEvents) events" }
        let invalidThenTooMany = "[" + (["{}"] + Array(repeating: restart(10), count: Limits.batchEvents)).joined(separator: ",") + "]"
        #expect {
            try t.store.logBatch(json: invalidThenTooMany)
        } throws: { ($0 as? EventLogError)?.message == "a batch holds at most \(Limits.batchEvents) events" }
        #expect(throws: EventLogError.invalid("a batch must be a JSON array of events")) { try t.store.logBatch(json: "{}") }
        #expect(try t.store.logBatch(json: "[]") == 0)
        #expect(try t.count() == 0)
    }

    /// A store whose file was deleted under the handle refuses writes; an
    /// invalid batch is still reported as invalid, a valid one as refused.
    @Test func anInvalidBatchIsInvalidEvenWhereNothingCanBeWritten() throws {
        let t = try TempStore()
        t.log(restartBefore: 1)
        for suffix in ["", "-wal", "-shm"] { unlink(t.path + suffix) }
        #expect { try t.log(restart(10)) } throws: { ($0 as? EventLogError)?.kind == .io }
        for bad in [0, 999] {
            #expect {
                try t.store.logBatch(json: Self.batch(Self.events(1000, invalidAt: bad)))
            } throws: { ($0 as? EventLogError)?.message.hasPrefix("event [\(bad)]:") == true }
        }
        #expect {
            try t.store.logBatch(json: Self.batch(Self.events(1000)))
        } throws: { ($0 as? EventLogError)?.message.contains("was deleted or replaced") == true }
    }

    /// The thread has a stack of its own, smaller than PHP's: input nested
    /// as deep as JSON may be is read there, and deeper is refused, not a crash.
    @Test func deepNestingOnTheThreadIsRefusedNotACrash() throws {
        let t = try TempStore()
        let allowed = JSONParser.maxDepth - 3  // below the array, the event and its details
        let nested = String(repeating: #"{"a":"#, count: allowed) + "1" + String(repeating: "}", count: allowed)
        var events = Self.events(1000)
        events[500] = #"{"type":"service.config_update","serviceId":10,"actor":{"type":"user"},"details":{"changes":["x"],"n":\#(nested)}}"#
        #expect(try t.store.logBatch(json: Self.batch(events)) == 1000)
        events[500] = #"{"type":"dj.connect","serviceId":10,"djName":"A","details":"# + String(repeating: "[", count: 200_000)
        #expect {
            try t.store.logBatch(json: Self.batch(events))
        } throws: { ($0 as? EventLogError)?.message.contains("nested deeper than") == true }
        #expect(try t.count() == 1000)
    }

    /// Small batches are validated inline, large ones on the thread: the
    /// same events give the same rows either way.
    @Test func inlineAndThreadedBatchesStoreTheSameRows() throws {
        let now: Int64 = 1_800_000_000_000
        let inline = try TempStore(now: now), threaded = try TempStore(now: now)
        let events = Self.events(1000)
        for start in stride(from: 0, to: 1000, by: 50) {
            let small = "[" + events[start..<start + 50].joined(separator: ",") + "]"
            #expect(small.utf8.count < BatchReader.threadFromBytes)
            #expect(try inline.store.logBatch(json: small) == 50)
        }
        #expect(try threaded.store.logBatch(json: Self.batch(events)) == 1000)
        let columns = "SELECT group_concat(id || ts || type || service_id || actor_type || dj_name || source_ip || message, '|') FROM event"
        let a = try inline.store.connection.statement(columns).firstRow { $0.text(0) } ?? nil
        let b = try threaded.store.connection.statement(columns).firstRow { $0.text(0) } ?? nil
        #expect(a != nil && a == b)
    }

    /// A writer keeps the names its batches read while the directory's
    /// version stands (`BatchNames`): each batch must still store the names
    /// the directory has in its transaction, whoever changed them.
    @Test func batchesStoreTheDirectorysNamesWhoeverChangesThem() throws {
        let t = try TempStore()
        try t.store.putDirectory(json: panelDirectory)
        let other = try t.open()  // another worker
        func batch(_ services: [Int64]) throws -> [String] {
            let first = try t.count("SELECT coalesce(max(id), 0) FROM event") + 1
            _ = try t.store.logBatch(json: "[" + services.map { restart($0) }.joined(separator: ",") + "]")
            return try (first..<first + Int64(services.count)).map { id in
                try t.store.connection.statement("SELECT coalesce(service_name, '-') || '|' || coalesce(owner_name, '-') FROM event WHERE id = ?")
                    .firstRow([.integer(id)]) { $0.text(0) ?? "" } ?? "missing"
            }
        }
        #expect(try batch([10, 11, 99]) == ["Alice Main|Alice FM", "Bob Stream|Bob Radio", "-|-"])
        // A service renamed, and one added, by another worker.
        try other.putDirectory(json: #"{"services":[{"id":11,"name":"Bob Renamed","ownerId":5,"kind":"icecast"},{"id":99,"name":"New One","ownerId":7,"kind":"icecast"}]}"#)
        #expect(try batch([10, 11, 99]) == ["Alice Main|Alice FM", "Bob Renamed|Bob Radio", "New One|Dave Direct"])
        // The owner's account renamed: an account change counts too.
        try other.putDirectory(json: #"{"accounts":[{"id":4,"role":"customer","name":"Alice Renamed","resellerId":2}]}"#)
        #expect(try batch([10]) == ["Alice Main|Alice Renamed"])
        // Changed by hand, not through the library: the triggers see it.
        try other.connection.execute("UPDATE service SET name = 'By Hand' WHERE id = 10")
        #expect(try batch([10]) == ["By Hand|Alice Renamed"])
        try other.connection.execute("DELETE FROM service WHERE id = 10")
        #expect(try batch([10]) == ["-|-"])
        // A store without the version (edited by hand) reads the names in every batch.
        try other.connection.execute("DELETE FROM setting WHERE key = '\(BatchNames.versionKey)'")
        #expect(try batch([11]) == ["Bob Renamed|Bob Radio"])
        try other.connection.execute("UPDATE service SET name = 'Unversioned' WHERE id = 11")
        #expect(try batch([11]) == ["Unversioned|Bob Radio"])
    }
}

private extension TempStore {
    /// `n` events before the batches, so that a batch's ids do not start at 1.
    func log(restartBefore n: Int) {
        for _ in 0..<n { _ = try? log(restart(10)) }
    }
}
