import Testing
@testable import EventLogKit
#if canImport(Glibc)
import Glibc
#endif

/// The search counters answer a text search with the total and the page the
/// scan gives (the export reads the view row by row: it is the reference),
/// before and after more events, a prune, and tokens that stop being posted.
@Suite struct SearchCounterTests {
    let hour: Int64 = 3_600_000
    let day = Time.millisecondsPerDay

    static var noThread: StoreOptions {
        var options = StoreOptions()
        options.countsSearchesBehind = false
        return options
    }

    /// DJs with IPs, song titles, restarts, over `span` before `now`, on services 10...15 and 99.
    func events(_ count: Int, rng: inout SplitMix64, now: Int64, span: Int64) -> String {
        let djs = (1...40).map { "dj\($0)" } + ["Röyksopp", "DJ Ünïcode", "Sigur Rós"]
        let items = (0..<count).map { _ -> String in
            let service = [10, 11, 12, 13, 14, 15, 99].randomElement(using: &rng)!
            let time = now - Int64.random(in: 0..<span, using: &rng)
            switch Int.random(in: 0..<3, using: &rng) {
            case 0:
                let ip = "10.\(Int.random(in: 0...3, using: &rng)).\(Int.random(in: 0...9, using: &rng)).\(Int.random(in: 1...254, using: &rng))"
                return #"{"type":"dj.connect","serviceId":\#(service),"djName":"\#(djs.randomElement(using: &rng)!)","sourceIp":"\#(ip)","time":\#(time)}"#
            case 1:
                let title = "Artist \(Int.random(in: 1...30, using: &rng)) - Song \(Int.random(in: 1...300, using: &rng))"
                return #"{"type":"service.title_update","serviceId":\#(service),"actor":{"type":"api","id":7,"name":"autodj"},"details":{"title":"\#(title)"},"time":\#(time)}"#
            default:
                return restart(Int64(service), time: time, by: Bool.random(using: &rng) ? "Root" : "Alice")
            }
        }
        return "[" + items.joined(separator: ",") + "]"
    }

    /// A store with the panel's directory and `count` events, no thread counting them.
    func store(_ count: Int, now: Int64, span: Int64, rng: inout SplitMix64) throws -> TempStore {
        let t = try TempStore(options: Self.noThread)
        try t.store.putDirectory(json: panelDirectory)
        _ = try t.store.logBatch(json: events(count, rng: &rng, now: now, span: span))
        return t
    }

    func countAll(_ store: SQLiteStore) throws {
        while try SearchCounters.countChunk(store.connection) {}
    }

    /// Which counters answer `filter` for `principal`; nil: the scan.
    func source(_ store: SQLiteStore, _ principal: String, _ filter: String) throws -> SearchIndex.Source? {
        let read = try ReadRequest(principalJSON: principal, filterJSON: filter, directory: store.connection)
        try store.connection.beginRead()
        defer { store.connection.endRead() }
        return try SearchIndex.answer(read.filter, scope: read.scope, db: store.connection)?.source
    }

    /// Pages 1 and 3 and the total of every search equal the export's; returns how often each source answered.
    @discardableResult
    func expectSearchesMatchExports(_ t: TempStore, _ stage: String, needles: [String], now: Int64) throws -> [SearchIndex.Source?: Int] {
        var sources: [SearchIndex.Source?: Int] = [:]
        let windows = ["", #","from":\#(now - 3 * day - 17)"#, #","from":\#(now - 2 * day),"to":\#(now - day + 12_345)"#,
                       #","from":\#(now - 5 * hour)"#]
        for principal in [admin, resellerA, customerA1] {
            for needle in needles {
                for window in windows {
                    let q = #"{"q":"\#(needle)","perPage":7\#(window)"#
                    let exported = try t.exportedIDs(principal, q + "}")
                    let first = try t.query(principal, q + "}")
                    let third = try t.query(principal, q + #","page":3}"#)
                    #expect(first["total"].integerValue == Int64(exported.count), "\(stage): \(principal) \(q)")
                    #expect(ids(first) == Array(exported.prefix(7)), "\(stage): \(principal) \(q) page 1")
                    #expect(ids(third) == Array(exported.dropFirst(14).prefix(7)), "\(stage): \(principal) \(q) page 3")
                    sources[try source(t.store, principal, q + "}"), default: 0] += 1
                }
            }
        }
        return sources
    }

    static let needles = ["dj17", "DJ1", "röyksopp", "RÓS", "10.2.", "10.3.7.1", "song 12", "Song", "artist 3 - song", "-", "nothing here",
                          "ünï", "restarted", "ed th"]

    @Test func countedSearchesEqualTheScan() throws {
        let now = Time.nowMilliseconds()
        var rng = SplitMix64(state: 11)
        let t = try store(6000, now: now, span: 2 * day, rng: &rng)  // busy enough for some tokens to leave the postings
        // Uncounted: the scan answers.
        #expect(try source(t.store, admin, #"{"q":"dj17"}"#) == nil)
        try countAll(t.store)
        #expect(try SearchCounters.countedThrough(t.store.connection) == t.count("SELECT max(id) FROM event"))
        let counted = try expectSearchesMatchExports(t, "counted", needles: Self.needles, now: now)
        #expect(counted[.postings, default: 0] > 50 && counted[.hours, default: 0] >= 8, "\(counted)")

        // The finished days' postings merged into one segment each: the same answers.
        func segmentsOf(_ day: Int64) throws -> Int64 {
            try t.count("SELECT count(DISTINCT segid) FROM \(SearchCounters.postingTable(day: day))_idx")
        }
        let days = try t.store.connection.statement("SELECT day FROM search_posting_day ORDER BY day")
        var listed: [Int64] = []
        while try days.step() { listed.append(days.int64(0)) }
        days.reset()
        #expect(listed.count >= 3)
        #expect(try listed.dropLast().map(segmentsOf).allSatisfy { $0 > 1 }, "chunk by chunk, a day's postings are several segments")
        while try SearchCounters.mergeStep(t.store.connection) {}
        #expect(try listed.dropLast().map(segmentsOf).allSatisfy { $0 == 1 })
        #expect(try t.count("SELECT count(*) FROM search_posting_day WHERE merged = 1") == Int64(listed.count - 1))
        try expectSearchesMatchExports(t, "merged", needles: ["10.3.7.1", "röyksopp", "song 12"], now: now)

        // A tail above the watermark, read live.
        _ = try t.store.logBatch(json: events(700, rng: &rng, now: now, span: 4 * day))
        let withTail = try expectSearchesMatchExports(t, "with a tail", needles: Self.needles, now: now)
        #expect(withTail[.postings, default: 0] > 50, "\(withTail)")
        #expect(try source(t.store, admin, #"{"q":"10.3.7.1"}"#) == .postings)
        #expect(try source(t.store, customerA1, #"{"q":"röyksopp"}"#) == .postings)
    }

    /// A token with more than `postedPerHour` events in an hour is no longer
    /// posted; a one-word search over the panel then comes from the hours,
    /// shared hours and partial hours read live.
    @Test func busyTokensAreCountedByTheHour() throws {
        let now = Time.nowMilliseconds()
        var rng = SplitMix64(state: 5)
        let t = try store(3000, now: now, span: 3 * day, rng: &rng)
        let busyHour = CounterPeriod.floor(now - day, hour)
        let burst = (0..<Int(SearchCounters.postedPerHour) + 1).map {
            #"{"type":"dj.connect","serviceId":10,"djName":"dj17","sourceIp":"10.9.9.9","time":\#(busyHour + Int64($0) * 1000)}"#
        }
        _ = try t.store.logBatch(json: "[" + burst.joined(separator: ",") + "]")
        // Events holding two tokens that contain "dj17" (`"dj17` and `dj17b"`), both busy: their hour is shared.
        let twice = (0..<Int(SearchCounters.postedPerHour) + 1).map {
            #"{"type":"service.title_update","serviceId":11,"actor":{"type":"api","id":7,"name":"autodj"},"details":{"title":"dj17 dj17b"},"time":\#(busyHour + 500 + Int64($0) * 1000)}"#
        }
        _ = try t.store.logBatch(json: "[" + twice.joined(separator: ",") + "]")
        try countAll(t.store)
        #expect(try t.count("SELECT posted FROM search_token WHERE token = 'dj17'") == 0)
        #expect(try t.count("SELECT posted FROM search_token WHERE token = 'dj18'") == 1)
        #expect(try source(t.store, admin, #"{"q":"dj17"}"#) == .hours)
        #expect(try source(t.store, admin, #"{"q":"DJ17","from":\#(now - 2 * day - 1234)}"#) == .hours)
        // Scoped: neither the hours (they count the whole panel) nor postings.
        #expect(try source(t.store, resellerA, #"{"q":"dj17"}"#) == nil)
        // "dj1" lies in dj1, dj10...dj19: every hour is shared.
        #expect(try source(t.store, admin, #"{"q":"dj1"}"#) == nil)
        try expectSearchesMatchExports(t, "busy", needles: ["dj17", "j17", "dj1", "10.9.9.9"], now: now)
        // More busy tokens than the hours' walk looks up: the scan.
        let many = (0...SearchIndex.maxTokens).flatMap { n in
            (0...Int(SearchCounters.postedPerHour)).map {
                #"{"type":"dj.connect","serviceId":12,"djName":"zzz\#(n)q","time":\#(busyHour + 700 + Int64($0) * 1000)}"#
            }
        }
        _ = try t.store.logBatch(json: "[" + many.joined(separator: ",") + "]")
        try countAll(t.store)
        #expect(try t.count("SELECT count(*) FROM search_token WHERE token LIKE 'zzz%q' AND posted = 0") == Int64(SearchIndex.maxTokens + 1))
        #expect(try source(t.store, admin, #"{"q":"zzz1"}"#) == .hours)  // 111 of them
        #expect(try source(t.store, admin, #"{"q":"zzz"}"#) == nil)
        try expectSearchesMatchExports(t, "many busy tokens", needles: ["zzz1", "zzz"], now: now)
        _ = try t.store.logBatch(json: "[" + burst.joined(separator: ",") + "]")
        try expectSearchesMatchExports(t, "busy with a tail", needles: ["dj17"], now: now)
    }

    /// The prune takes deleted events out of the hour counters in its
    /// batches, drops the posting tables of the days it emptied, and counts
    /// what no thread counted.
    @Test func thePruneUncountsAndCounts() throws {
        let now = Time.nowMilliseconds()
        var rng = SplitMix64(state: 3)
        let t = try store(4000, now: now, span: 4 * day, rng: &rng)
        try countAll(t.store)
        let daysBefore = try t.count("SELECT count(*) FROM search_posting_day")
        _ = try t.store.logBatch(json: events(500, rng: &rng, now: now, span: 4 * day))  // left for the prune to count
        let cutoff = now - 2 * day - 7 * hour
        let deleted = try t.store.prune(now: cutoff + 30 * day)
        #expect(deleted > 1000)
        #expect(try SearchCounters.countedThrough(t.store.connection) == t.count("SELECT max(id) FROM event"))
        #expect(try t.count("SELECT count(*) FROM search_posting_day") < daysBefore)
        #expect(try t.count("SELECT count(*) FROM search_posting_day WHERE (day + 1) * \(day) <= \(cutoff)") == 0)
        #expect(try t.count("SELECT count(*) FROM search_count_hour WHERE ts < \(CounterPeriod.floor(cutoff, hour))") == 0)
        // Every counter equals the events it counts.
        let tokens = try t.store.connection.statement("SELECT id, token FROM search_token")
        var all: [(Int64, String)] = []
        while try tokens.step() { all.append((tokens.int64(0), tokens.text(1)!)) }
        tokens.reset()
        var expected: [String: Int64] = [:]
        let rows = try t.store.connection.statement("SELECT ts, dj_name, source_ip, message FROM event")
        while try rows.step() {
            for token in SearchTokens.of([rows.text(1), rows.text(2), rows.text(3)]) {
                expected["\(CounterPeriod.floor(rows.int64(0), hour)) \(token)", default: 0] += 1
            }
        }
        rows.reset()
        let names = Dictionary(uniqueKeysWithValues: all)
        var stored: [String: Int64] = [:]
        let counters = try t.store.connection.statement("SELECT ts, token_id, n FROM search_count_hour WHERE n > 0")
        while try counters.step() { stored["\(counters.int64(0)) \(names[counters.int64(1)]!)"] = counters.int64(2) }
        counters.reset()
        let wrong = Set(stored.keys).union(expected.keys).filter { stored[$0] != expected[$0] }
        #expect(wrong.isEmpty, "\(wrong.count) counters differ, e.g. \(wrong.prefix(3))")
        try expectSearchesMatchExports(t, "after the prune", needles: ["dj17", "10.2.", "song 12", "röyksopp"], now: now)
    }

    /// A handle starts the counting thread once it has logged 1,000 events
    /// of its own; the thread counts them all, then ends.
    @Test func aThreadCountsBehindTheWriter() throws {
        let t = try TempStore()
        try t.store.putDirectory(json: panelDirectory)
        let now = Time.nowMilliseconds()
        for i in 0..<999 { _ = try t.store.log(json: restart(10, time: now - Int64(i) * 1000)) }
        usleep(500_000)
        #expect(try SearchCounters.countedThrough(t.store.connection) == 0)
        _ = try t.store.log(json: restart(11, time: now))
        var waited = 0
        while try SearchCounters.countedThrough(t.store.connection) < 1000 && waited < 200 {
            usleep(50_000)
            waited += 1
        }
        #expect(try SearchCounters.countedThrough(t.store.connection) == 1000)
        #expect(try t.count("SELECT sum(n) FROM search_count_hour c JOIN search_token s ON s.id = c.token_id WHERE s.token = 'restarted'") == 1000)
        #expect(try t.query(admin, #"{"q":"RESTARTED","perPage":1}"#)["total"].integerValue == 1000)
    }
}
