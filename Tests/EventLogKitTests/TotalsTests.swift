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

    /// The total of every page equals a plain count, before and after events
    /// land in periods already counted, and after a prune.
    @Test func totalsMatchALiveCount() throws {
        let t = try TempStore()
        try t.store.putDirectory(json: panelDirectory)
        var rng = SplitMix64(state: 42)
        let now = Time.nowMilliseconds()
        _ = try t.store.logBatch(json: randomEvents(3000, rng: &rng, now: now, span: 4 * day))

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
        #expect(try t.count("SELECT count(*) FROM counted_period WHERE kind = 0 AND complete") > 50)
        #expect(try t.count("SELECT count(*) FROM counted_period WHERE kind = 1 AND complete") >= 3)

        // Late events land in counted periods; new services appear.
        _ = try t.store.logBatch(json: randomEvents(200, rng: &rng, now: now, span: 4 * day))
        try t.log(restart(13, time: now - 3 * day))
        try check("after late events")

        _ = try t.store.prune(now: now + 27 * day - 7 * hour)
        try check("after prune")
    }

    @Test func lateEventsCountThemselvesIntoCountedPeriods() throws {
        let t = try TempStore()
        try t.store.putDirectory(json: panelDirectory)
        let now = Time.nowMilliseconds()
        let twoDaysAgo = Totals.floor(now, day) - 2 * day + 5 * hour  // settled whatever the time of day
        try t.log(restart(10, time: twoDaysAgo))
        #expect(try t.query(admin)["total"].integerValue == 1)
        #expect(try t.query(customerA1)["total"].integerValue == 1)
        #expect(try t.count("SELECT count(*) FROM counted_period WHERE complete") >= 2)
        let countsBefore = try t.count("SELECT sum(n) FROM count_hour")
        try t.log(restart(10, time: twoDaysAgo + 60_000))
        #expect(try t.count("SELECT sum(n) FROM count_hour") == countsBefore + 1)
        #expect(try t.count("SELECT sum(n) FROM count_service_day WHERE service_id = 10") == 2)
        #expect(try t.query(admin)["total"].integerValue == 2)
        #expect(try t.query(admin, #"{"serviceId":10}"#)["total"].integerValue == 2)
        // The totals really come from the counters (a tampered count shows).
        try t.store.connection.execute("UPDATE count_hour SET n = n + 1000; UPDATE count_service_day SET n = n + 100")
        #expect(try t.query(admin)["total"].integerValue == 1002)
        #expect(try t.query(customerA1)["total"].integerValue == 102)
        #expect(try t.query(admin, #"{"q":"restarted"}"#)["total"].integerValue == 2)  // text search counts live
    }

    /// A service day counted a few services at a time, with events logged
    /// into it between the steps: each is counted exactly once.
    @Test func lateEventsDuringAChunkedFill() throws {
        let t = try TempStore()
        let period = Totals.floor(Time.nowMilliseconds(), day) - 2 * day
        for service in 10...15 { try t.log(restart(Int64(service), time: period + Int64(service) * 1000)) }
        #expect(try !Totals.fillChunk(.serviceDay, period: period, db: t.store.connection, services: 2))
        #expect(try t.count("SELECT through FROM counted_period WHERE kind = 1") == 11)
        try t.log(restart(10, time: period + 5))   // already counted: counts itself
        try t.log(restart(14, time: period + 6))   // not yet: a later step counts it
        try t.log(restart(16, time: period + 7))   // a new service past the others
        while try !Totals.fillChunk(.serviceDay, period: period, db: t.store.connection, services: 2) {}
        let counted = try t.count("SELECT sum(n) FROM count_service_day WHERE ts = \(period)")
        let counts = try (10...16).map { try t.count("SELECT COALESCE(sum(n), 0) FROM count_service_day WHERE service_id = \($0)") }
        #expect(counted == 9)
        #expect(counts == [2, 1, 1, 1, 2, 1, 1])
    }

    /// The daily prune counts the settled periods, so a page does not have to.
    @Test func pruneCountsSettledPeriods() throws {
        let t = try TempStore()
        let now = Time.nowMilliseconds()
        _ = try t.store.logBatch(json: "[" + (0..<48).map { restart(10, time: now - Int64($0) * hour) }.joined(separator: ",") + "]")
        #expect(try t.count("SELECT count(*) FROM counted_period") == 0)
        _ = try t.store.prune(now: now)
        let settledHours = (Totals.floor(now - Totals.settleMargin, hour) - Totals.floor(now - 47 * hour, hour)) / hour
        #expect(try t.count("SELECT count(*) FROM counted_period WHERE kind = 0 AND complete") == settledHours)
        #expect(try t.count("SELECT count(*) FROM counted_period WHERE kind = 1 AND complete") >= 1)
        #expect(try t.count("SELECT sum(n) FROM count_hour") == settledHours)
    }
}
