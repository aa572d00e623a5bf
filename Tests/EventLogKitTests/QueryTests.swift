import Testing
@testable import EventLogKit

@Suite struct QueryTests {
    let base: Int64 = 1_790_000_000_000  // 2026-09-21T14:13:20Z

    /// 60 events on service 10, one a minute: restarts, DJ connects, mounts.
    func seeded() throws -> TempStore {
        let t = try TempStore(now: base + 3_600_000)
        try t.store.putDirectory(json: panelDirectory)
        var batch: [String] = []
        for i in 0..<60 {
            let time = base + Int64(i) * 60_000
            switch i % 3 {
            case 0: batch.append(restart(10, time: time))
            case 1: batch.append(#"{"type":"dj.connect","serviceId":10,"djName":"DJ_\#(i)%","sourceIp":"203.0.113.\#(i)","time":\#(time)}"#)
            default: batch.append(#"{"type":"mount.connect","serviceId":11,"details":{"mount":"/m\#(i)"},"time":\#(time)}"#)
            }
        }
        _ = try t.store.logBatch(json: "[" + batch.joined(separator: ",") + "]")
        return t
    }

    @Test func newestFirstWithExactTotals() throws {
        let t = try seeded()
        let page = try t.query(admin)
        #expect(page["total"].integerValue == 60)
        #expect(page["perPage"].integerValue == 25)
        #expect(page["totalPages"].integerValue == 3)
        let times = page.logs.compactMap { $0["timestamp"].integerValue }
        #expect(times == times.sorted(by: >))
        #expect(times.first == base + 59 * 60_000)
    }

    @Test func filters() throws {
        let t = try seeded()
        func total(_ filter: String) throws -> Int64? { try t.query(admin, filter)["total"].integerValue }
        #expect(try total(#"{"category":"dj"}"#) == 20)
        #expect(try total(#"{"category":"all"}"#) == 60)
        #expect(try total(#"{"types":["service.restart","mount.connect"]}"#) == 40)
        #expect(try total(#"{"category":"dj","types":["service.restart"]}"#) == 0)
        #expect(try total(#"{"serviceId":11}"#) == 20)
        #expect(try total(#"{"actor":"user"}"#) == 20)
        #expect(try total(#"{"actor":"system"}"#) == 20)
        #expect(try total(#"{"from":\#(base + 30 * 60_000)}"#) == 30)
        #expect(try total(#"{"to":\#(base + 30 * 60_000)}"#) == 30)
        #expect(try total(#"{"from":"2026-09-21T14:23:20Z","to":"2026-09-21T14:33:20Z"}"#) == 10)
        #expect(try total(#"{"q":"203.0.113.4"}"#) == 5)   // DJ events 4, 40, 43, 46, 49
        #expect(try total(#"{"q":"dj_1"}"#) == 5)          // case-insensitive: DJ_1, DJ_10, DJ_13, DJ_16, DJ_19
        #expect(try total(#"{"q":"%"}"#) == 20)            // a literal percent: only DJ names carry one
        #expect(try total(#"{"q":"_"}"#) == 20)            // a literal underscore
        #expect(try total(#"{"category":"dj","serviceId":10,"actor":"dj","q":"DJ_4%"}"#) == 1)
    }

    @Test func pagingEdges() throws {
        let t = try seeded()
        let last = try t.query(admin, #"{"page":3}"#)
        #expect(last.logs.count == 10)
        let past = try t.query(admin, #"{"page":9}"#)
        #expect(past.logs.isEmpty)
        #expect(past["total"].integerValue == 60)
        #expect(past["page"].integerValue == 9)
        let all = try t.query(admin, #"{"perPage":500}"#)
        #expect(all.logs.count == 60)
        let pages = try (1...12).flatMap { try ids(t.query(admin, #"{"perPage":5,"page":\#($0)}"#)) }
        #expect(pages == ids(all))
        for bad in [#"{"page":0}"#, #"{"perPage":501}"#, #"{"perPage":0}"#, #"{"page":-1}"#, #"{"page":"2"}"#, #"{"pages":2}"#] {
            #expect { try t.query(admin, bad) } throws: { ($0 as? EventLogError)?.kind == .invalid }
        }
    }

    @Test func badFilters() throws {
        let t = try seeded()
        let cases = [
            (#"{"category":"video"}"#, "category must be one of"),
            (#"{"types":["dj.dance"]}"#, "unknown event type 'dj.dance'"),
            (#"{"actor":"robot"}"#, "actor must be one of"),
            (#"{"from":"tomorrow"}"#, "from must be"),
            (#"{"serviceId":-3}"#, "serviceId must be a positive integer"),
            (#"{"q":"\#(String(repeating: "a", count: 300))"}"#, "q is longer"),
        ]
        for (filter, message) in cases {
            #expect { try t.query(admin, filter) } throws: { ($0 as? EventLogError)?.message.contains(message) == true }
        }
    }

    /// Newest first means the order of logging, within a millisecond too.
    @Test func sameMillisecondKeepsTheOrderOfLogging() throws {
        let t = try TempStore(now: base + 3_600_000)
        try t.store.putDirectory(json: panelDirectory)
        let user = #""actor":{"type":"user","id":1,"name":"Root"},"time":\#(base)"#
        let logged = try [
            t.log(#"{"type":"service.restart","serviceId":12,\#(user)}"#),
            t.log(#"{"type":"service.suspend","serviceId":10,\#(user),"details":{"reason":"x"}}"#),
            t.log(#"{"type":"service.stop","serviceId":11,\#(user)}"#),
            t.log(#"{"type":"service.config_update","serviceId":10,\#(user),"details":{"changes":["bitrate"]}}"#),
        ]
        #expect(ids(try t.query(admin)) == logged.reversed())
        #expect(ids(try t.query(admin, #"{"serviceId":10}"#)) == [logged[3], logged[1]])
        let exported = try t.exportedIDs(admin)
        #expect(exported == logged.reversed())
    }

    /// The search folds case for all of Unicode, and no character of it is a
    /// wildcard, a combining accent after `%` included.
    @Test func searchFoldsUnicodeCaseAndHasNoWildcards() throws {
        let t = try TempStore(now: base + 3_600_000)
        try t.store.putDirectory(json: panelDirectory)
        let names = ["Röyksopp", "ÉMILIE", "Z%\u{301}x", "Zed", "a_b", "axb"]
        for (i, name) in names.enumerated() {
            try t.log(#"{"type":"dj.connect","serviceId":10,"djName":"\#(name)","time":\#(base + Int64(i))}"#)
        }
        func found(_ q: String) throws -> [String] {
            let filter = JSONWriter.encode(.object(["q": .string(q)]))
            return try t.query(admin, filter).logs.compactMap { $0["djName"].stringValue }
        }
        #expect(try found("RÖYKSOPP") == ["Röyksopp"])
        #expect(try found("röyksopp") == ["Röyksopp"])
        #expect(try found("émilie") == ["ÉMILIE"])
        #expect(try found("Z%\u{301}") == ["Z%\u{301}x"])
        #expect(try found("a_b") == ["a_b"])
        #expect(try t.query(admin, #"{"q":"RÖYKSOPP"}"#)["total"].integerValue == 1)
        let csv = try t.export(admin, #"{"q":"röyk"}"#, format: "csv")
        #expect(csv.split(separator: "\r\n").count == 2)  // the header and one row
    }

    /// A search reads its range once: a rare term's page and export are
    /// picked from the matches that pass kept, a frequent term's (over
    /// `PageQuery.sortedPageLimit` matches) come from the time index. Either
    /// way every page, walked to the end, is the export: the same events in
    /// the same order (newest first, by id within a millisecond), in every
    /// scope, and the admin's export is what plain SQL finds.
    @Test func searchPagesWalkToTheExport() throws {
        let t = try TempStore()
        try t.store.putDirectory(json: panelDirectory)
        let now = Time.nowMilliseconds()
        // Three events a millisecond, services in turn, one in eight by a rare name:
        // 2,362 frequent ones, over the limit, and 338 rare ones.
        let start = now - 3_600_000
        let batch = (0..<2700).map { (i: Int) -> String in
            let name = i % 8 == 0 ? "Rare Name" : "Frequent Name"
            return restart(10 + Int64(i % 5), time: start + Int64(i / 3), by: name)
        }
        _ = try t.store.logBatch(json: "[" + batch.joined(separator: ",") + "]")
        for q in ["RARE name", "frequent", "nobody"] {
            for p in [admin, resellerA, customerA1] {
                let filter = JSONWriter.encode(.object(["q": .string(q), "perPage": .integer(100)]))
                let exported = try t.exportedIDs(p, filter)
                var paged: [Int64] = []
                var page: Int64 = 1
                while true {
                    let f = JSONWriter.encode(.object(["q": .string(q), "perPage": .integer(100), "page": .integer(page)]))
                    let result = try t.query(p, f)
                    #expect(result["total"].integerValue == Int64(exported.count), "\(q) \(p)")
                    guard !result.logs.isEmpty else { break }
                    paged += ids(result)
                    page += 1
                }
                #expect(paged.elementsEqual(exported), "\(q) \(p): \(paged.count) paged, \(exported.count) exported")
            }
        }
        #expect(try t.query(admin, #"{"q":"frequent"}"#)["total"].integerValue ?? 0 > PageQuery.sortedPageLimit)
        #expect(try t.query(admin, #"{"q":"rare"}"#)["total"].integerValue == 338)
        // And the admin's export is what plain SQL finds (the texts are ASCII).
        for q in ["rare name", "frequent"] {
            let exported = try t.exportedIDs(admin, #"{"q":"\#(q)"}"#)
            let plain = try t.store.connection.statement("SELECT id FROM event WHERE instr(lower(message), ?1) > 0 ORDER BY ts DESC, id DESC")
            try plain.bind([.text(q)])
            var expected: [Int64] = []
            while try plain.step() { expected.append(plain.int64(0)) }
            plain.reset()
            #expect(expected.count > 300 && exported.elementsEqual(expected), "\(q): \(exported.count) exported, \(expected.count) in SQL")
        }

        // A live search view: since its cursor, the new matches only, with the whole view's total.
        guard let cursor = try t.query(admin, #"{"q":"rare"}"#)["cursor"].stringValue else { Issue.record("no cursor"); return }
        let late = try t.log(restart(11, time: start - 60_000, by: "RARE NAME"))
        try t.log(restart(11, by: "Frequent Name"))
        let since = try t.query(admin, #"{"q":"rare","after":"\#(cursor)"}"#)
        #expect(ids(since) == [late])
        #expect(since["total"].integerValue == 339)
    }

    /// A view that is a small part of the store (a customer among busier
    /// services, the admin's last minutes, one service) is searched through
    /// the index that holds its rows, not by a pass over the table, and
    /// finds what plain SQL finds: total, pages walked to the end, export.
    @Test func narrowSearchesReadAnIndex() throws {
        let t = try TempStore()
        try t.store.putDirectory(json: panelDirectory)
        let count = 64_000, start = Time.nowMilliseconds() - 3_600_000
        // One event in 20 for service 10 (customer A1's), the rest for 11-14;
        // one in 7 by a rare name: in service 10 some 457 rare and 2,743
        // frequent ones, more than a page picks from kept ids.
        let events = (0..<count).map { (i: Int) -> String in
            restart(i % 20 == 0 ? 10 : 11 + Int64(i % 4), time: start + Int64(i) * 50, by: i % 7 == 0 ? "Rare Name" : "Frequent Name")
        }
        _ = try t.store.logBatch(json: "[" + events.joined(separator: ",") + "]")
        // Where the last `n` events start (the store holds 1/16 as a narrow view's most).
        func last(_ n: Int) -> Int64 { start + Int64(count - n) * 50 }
        let views: [(principal: String, filter: JSONObject, index: String?, sql: String)] = [
            (customerA1, [:], "event_service_ts", "service_id IN (10, 15)"),
            (admin, ["serviceId": .integer(10)], "event_service_ts", "service_id = 10"),
            (admin, ["from": .integer(last(3000))], "event_ts", "ts >= \(last(3000))"),
            (resellerA, ["from": .integer(last(6000))], "event_service_ts", "service_id IN (10, 11, 13, 15) AND ts >= \(last(6000))"),
            (resellerA, [:], nil, "service_id IN (10, 11, 13, 15)"),  // half the store: read in table order
            (admin, [:], nil, "1"),
        ]
        for view in views {
            var filter = view.filter
            filter["q"] = .string("rare")
            let read = try ReadRequest(principalJSON: view.principal, filterJSON: JSONWriter.encode(.object(filter)), directory: t.store.connection)
            #expect(try SearchScan.narrowIndex(read.filter, scope: read.scope, db: t.store.connection) == view.index, "\(view)")
            // A wide view's search is the one searchPagesWalkToTheExport walks: its first page here.
            for q in view.index == nil ? ["RARE name"] : ["RARE name", "frequent", "nobody"] {
                let plain = try t.store.connection.statement("SELECT id FROM event WHERE instr(lower(message), ?1) > 0 AND \(view.sql) ORDER BY ts DESC, id DESC")
                try plain.bind([.text(q.lowercased())])
                var expected: [Int64] = []
                while try plain.step() { expected.append(plain.int64(0)) }
                plain.reset()
                filter["q"] = .string(q)
                filter["perPage"] = .integer(500)
                filter["page"] = nil
                #expect(try t.exportedIDs(view.principal, JSONWriter.encode(.object(filter))) == expected, "\(q) \(view)")
                var paged: [Int64] = []
                for page in 1...(view.index == nil ? 1 : Int.max) {
                    filter["page"] = .integer(Int64(page))
                    let result = try t.query(view.principal, JSONWriter.encode(.object(filter)))
                    #expect(result["total"].integerValue == Int64(expected.count), "\(q) \(view)")
                    guard !result.logs.isEmpty else { break }
                    paged += ids(result)
                }
                #expect(paged == (view.index == nil ? Array(expected.prefix(500)) : expected), "\(q) \(view): \(paged.count) paged, \(expected.count) in SQL")
                if q == "frequent" { #expect(expected.count > PageQuery.sortedPageLimit, "\(view)") }
                if q == "RARE name" { #expect(expected.count > 300, "\(view)") }
            }
        }
    }

    /// A live view asks for what was logged since its cursor: exactly those
    /// events of its view and scope, late-stamped ones included, with the
    /// whole view's total.
    @Test func eventsSinceACursor() throws {
        let t = try seeded()
        let first = try t.query(customerA1)
        let cursor = try #require(first["cursor"].stringValue)
        #expect(try t.store.cursor() == cursor)
        let own = try t.log(restart(10, time: base + 3_000_000))
        try t.log(restart(12, time: base + 3_000_001))                 // another customer's service
        let late = try t.log(restart(10, time: base - 3_600_000))      // stamped an hour back
        #expect(try t.store.cursor() != cursor)
        let since = try t.query(customerA1, #"{"after":"\#(cursor)"}"#)
        #expect(ids(since) == [own, late])
        #expect(since["total"].integerValue == (first["total"].integerValue ?? 0) + 2)
        let next = try #require(since["cursor"].stringValue)
        #expect(ids(try t.query(customerA1, #"{"after":"\#(next)"}"#)).isEmpty)
        #expect(ids(try t.query(admin, #"{"after":"\#(cursor)","category":"service","perPage":2}"#)).count == 2)
        #expect(throws: EventLogError.invalid("after must be the cursor of an earlier page")) {
            try t.query(admin, #"{"after":"12"}"#)
        }
        #expect { try t.query(admin, #"{"after":"\#(cursor)","page":2}"#) } throws: { ($0 as? EventLogError)?.kind == .invalid }
    }
}

