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
        #expect(try t.count("SELECT count(*) FROM counted_period WHERE kind = 0 AND filled_to = ts + 3600000") > 50)
        #expect(try t.count("SELECT count(*) FROM counted_period WHERE kind = 1 AND filled_to = ts + 86400000") >= 3)

        // Late events land in counted periods; new services appear.
        _ = try t.store.logBatch(json: randomEvents(200, rng: &rng, now: now, span: 4 * day))
        try t.log(restart(13, time: now - 3 * day))
        try check("after late events")

        _ = try t.store.prune(now: now + 27 * day - 7 * hour)
        try check("after prune")
    }

    @Test func countersAreNotTrustedOnceInvalidated() throws {
        let t = try TempStore()
        try t.store.putDirectory(json: panelDirectory)
        let now = Time.nowMilliseconds()
        let yesterday = Totals.floor(now, day) - day + 5 * hour
        try t.log(restart(10, time: yesterday))
        #expect(try t.query(admin)["total"].integerValue == 1)
        #expect(try t.count("SELECT count(*) FROM counted_period WHERE ts = \(Totals.floor(yesterday, hour))") == 1)
        try t.log(restart(10, time: yesterday + 60_000))
        #expect(try t.count("SELECT count(*) FROM counted_period WHERE ts = \(Totals.floor(yesterday, hour))") == 0)
        #expect(try t.query(admin)["total"].integerValue == 2)
        #expect(try t.query(admin, #"{"serviceId":10}"#)["total"].integerValue == 2)
        // The totals really come from the counters (a tampered count shows).
        try t.store.connection.execute("UPDATE count_hour SET n = n + 1000; UPDATE count_service_day SET n = n + 100")
        #expect(try t.query(admin)["total"].integerValue == 1002)
        #expect(try t.query(customerA1)["total"].integerValue == 102)
        #expect(try t.query(admin, #"{"q":"restarted"}"#)["total"].integerValue == 2)  // text search counts live
    }
}
