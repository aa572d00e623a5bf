import Testing
@testable import EventLogKit

@Suite struct ValidationTests {
    static let bad: [(json: String, message: String)] = [
        (#"[]"#, "must be a JSON object"),
        (#"{"serviceId":10}"#, "type is required"),
        (#"{"type":"dj.dance","serviceId":10}"#, "unknown event type 'dj.dance'"),
        (#"{"type":"dj.connect","serviceId":10}"#, "djName is required for dj.connect"),
        (#"{"type":"dj.connect","djName":"A"}"#, "serviceId is required"),
        (#"{"type":"dj.connect","serviceId":0,"djName":"A"}"#, "serviceId must be a positive integer"),
        (#"{"type":"dj.connect","serviceId":10,"djName":"A","category":"mount"}"#, "category must be 'dj'"),
        (#"{"type":"dj.connect","serviceId":10,"djName":"A","sourceIp":"300.1.1.1"}"#, "sourceIp '300.1.1.1' is not an IPv4 or IPv6 address"),
        (#"{"type":"dj.connect","serviceId":10,"djName":"A","sourceIp":"fe80::1%eth0"}"#, "is not an IPv4 or IPv6 address"),
        (#"{"type":"dj.connect","serviceId":10,"djName":"A","details":[1]}"#, "details must be a JSON object"),
        (#"{"type":"dj.connect","serviceId":10,"djName":"A","takeover":"yes"}"#, "takeover must be true or false"),
        (#"{"type":"dj.connect","serviceId":10,"djName":"A","colour":"red"}"#, "unknown field 'colour'"),
        (#"{"type":"service.start","serviceId":10}"#, "actor is required for service.start"),
        (#"{"type":"service.start","serviceId":10,"actor":{"type":"robot"}}"#, "actor.type must be one of"),
        (#"{"type":"service.start","serviceId":10,"actor":{"type":"system"}}"#, "details.reason is required for service.start"),
        (#"{"type":"service.suspend","serviceId":10,"actor":{"type":"system"},"details":{"reason":"boredom"}}"#, "must be one of bandwidth, disk, reseller_transfer"),
        (#"{"type":"service.stop","serviceId":10,"actor":{"type":"system"},"details":{"reason":"disk"}}"#, "must be one of account_expired, suspended"),
        (#"{"type":"service.config_update","serviceId":10,"actor":{"type":"user"}}"#, "details.changes is required"),
        (#"{"type":"service.title_update","serviceId":10,"actor":{"type":"user"},"details":{}}"#, "details.title is required"),
        (#"{"type":"service.bitrate_warning","serviceId":10,"details":{"bitrate":320}}"#, "details.limit is required"),
        (#"{"type":"service.bitrate_warning","serviceId":10,"actor":{"type":"user"},"details":{"bitrate":1,"limit":2}}"#, "must be logged by the system actor"),
        (#"{"type":"autodj.on_air","serviceId":10,"details":{"trigger":"whim"}}"#, "details.trigger is required"),
        (#"{"type":"mount.connect","serviceId":10,"details":{"mount":"live"}}"#, "details.mount is required"),
        (#"{"type":"mount.connect","serviceId":10,"details":{"mount":"/live","port":70000}}"#, "details.port must be"),
        (#"{"type":"service.start","serviceId":10,"actor":{"type":"user"},"time":"yesterday"}"#, "is not RFC 3339"),
        (#"{"type":"service.start","serviceId":10,"actor":{"type":"user"},"time":-5}"#, "older than the store's retention window"),
        (#"{"type":"service.start","serviceId":10,"actor":{"type":"user"},"time":99999999999999}"#, "in the future"),
        (#"{"type":"dj.connect","serviceId":10,"djName":"A""#, "not valid JSON"),
        (#"{"type":"dj.connect","type":"dj.connect","serviceId":10,"djName":"A"}"#, "duplicate key"),
    ]

    @Test(arguments: bad)
    func rejectsAndStoresNothing(json: String, message: String) throws {
        let t = try TempStore()
        #expect {
            try t.log(json)
        } throws: { error in
            guard let e = error as? EventLogError else { return false }
            return e.kind == .invalid && e.message.contains(message)
        }
        #expect(try t.count() == 0)
    }

    @Test func limitsFieldAndEventSize() throws {
        let t = try TempStore()
        let long = String(repeating: "x", count: 4097)
        #expect(throws: EventLogError.invalid("djName is longer than 4096 bytes")) {
            try t.log(#"{"type":"dj.connect","serviceId":10,"djName":"\#(long)"}"#)
        }
        let pieces = (0..<20).map { "\"k\($0)\":\"\(String(repeating: "y", count: 4000))\"" }.joined(separator: ",")
        #expect(throws: EventLogError.invalid("event is larger than 64 KiB")) {
            try t.log(#"{"type":"mount.connect","serviceId":10,"details":{"mount":"/a",\#(pieces)}}"#)
        }
        #expect(try t.count() == 0)
    }

    @Test func batchIsAllOrNothing() throws {
        let t = try TempStore()
        let good = validEvents["dj.connect"]!
        #expect {
            try t.store.logBatch(json: "[\(good),\(good),{\"type\":\"nope\",\"serviceId\":1}]")
        } throws: { ($0 as? EventLogError)?.message.hasPrefix("event [2]: unknown event type") == true }
        #expect(try t.count() == 0)
        #expect(try t.store.logBatch(json: "[\(good),\(good)]") == 2)
        #expect(try t.count() == 2)
    }

    @Test func jsonNestingIsBounded() throws {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JSONParseError.self) { try JSONParser.parse(deep) }
        #expect(throws: JSONParseError.self) { try JSONParser.parse("\"a\\u0000b\"") }
        #expect(throws: JSONParseError.self) { try JSONParser.parse("\"\\ud800\"") }
        #expect(throws: JSONParseError.self) { try JSONParser.parse("1e999") }
        #expect(try JSONParser.parse("\"\\ud83d\\ude00\"") == .string("😀"))
        #expect(try JSONParser.parse("-12") == .integer(-12))
        #expect(try JSONParser.parse("92233720368547758070") == .double(92233720368547758070))
        #expect(try JSONParser.parse("9223372036854775807") == .integer(.max))
        #expect(try JSONParser.parse("-9223372036854775808") == .integer(.min))
        #expect(try JSONParser.parse("9223372036854775808") == .double(9223372036854775808))
        #expect(try JSONParser.parse("-0") == .integer(0))
        #expect(try JSONParser.parse("1.5e2") == .double(150))
    }

    @Test func jsonObjects() throws {
        // Duplicates are found in small objects (linear search) and large ones (a key set).
        #expect(throws: JSONParseError.self) { try JSONParser.parse(#"{"a":1,"b":2,"a":3}"#) }
        let many = (0..<40).map { "\"k\($0)\":\($0)" }.joined(separator: ",")
        #expect(throws: JSONParseError.self) { try JSONParser.parse("{\(many),\"k3\":0}") }
        let big = try JSONParser.parse("{\(many)}")
        #expect(big.objectValue?.count == 40)
        #expect(big["k39"] == .integer(39))
        // Keys with escapes, and equal objects whatever their order.
        #expect(try JSONParser.parse(#"{"a\"b":"x\ny","c":[]}"#) == .object(["c": .array([]), "a\"b": .string("x\ny")]))
        #expect(try JSONParser.parse(#"{"a":1,"b":2}"#) != JSONParser.parse(#"{"a":1,"b":3}"#))
        #expect(try JSONParser.parse(#"{"a":1}"#) != JSONParser.parse(#"{"a":1,"b":2}"#))
        // Written back with sorted keys.
        #expect(JSONWriter.encode(try JSONParser.parse(#"{"b":1,"a":{"d":2,"c":""}}"#)) == #"{"a":{"c":"","d":2},"b":1}"#)
    }

    /// An event is read field by field, unknown keys noted for the error: a
    /// batch of one event with 200,000 unknown keys (well inside the 256 MB
    /// a batch may take) is refused naming the first of them in key order,
    /// and a repeated unknown key is still a duplicate. With the keys kept in
    /// a list this event took minutes of CPU, the handle locked throughout.
    @Test func manyUnknownKeysAreRefusedAtOnce() throws {
        let keys = (0..<200_000).map { "\"k\($0)\":0" }.joined(separator: ",")
        let event = #"{"type":"dj.connect","serviceId":10,"djName":"A","#
        #expect {
            _ = try EventValidator.events(jsonArray: "[\(event)\(keys)}]", now: 0, oldest: -Time.millisecondsPerDay)
        } throws: { ($0 as? EventLogError)?.message == "event [0]: unknown field 'k0' in event" }
        #expect {
            _ = try EventValidator.events(jsonArray: "[\(event)\(keys),\"k199998\":1}]", now: 0, oldest: -Time.millisecondsPerDay)
        } throws: { ($0 as? EventLogError)?.message.contains("duplicate key") == true }
        let actor = #"{"type":"dj.connect","serviceId":10,"djName":"A","actor":{"type":"dj","#
        #expect {
            _ = try EventValidator.events(jsonArray: "[\(actor)\(keys)}}]", now: 0, oldest: -Time.millisecondsPerDay)
        } throws: { ($0 as? EventLogError)?.message == "event [0]: unknown field 'actor.k0'" }
    }

    @Test func rfc3339() {
        #expect(Time.rfc3339(milliseconds: 0) == "1970-01-01T00:00:00.000Z")
        #expect(Time.rfc3339(milliseconds: 951_782_400_000) == "2000-02-29T00:00:00.000Z")
        #expect(Time.parseRFC3339("2000-02-29") == 951_782_400_000)
        #expect(Time.parseRFC3339("2001-02-29") == nil)
        #expect(Time.parseRFC3339("2026-11-27T13:58:47Z") == 1_795_787_927_000)
        #expect(Time.parseRFC3339("2026-11-27T13:58:47.999999Z") == 1_795_787_927_999)
        #expect(Time.parseRFC3339("2026-11-27T13:58:47") == nil)
        #expect(Time.parseRFC3339("1969-12-31T23:59:59Z") == -1000)
    }
}
