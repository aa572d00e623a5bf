import Testing
@testable import EventLogKit

/// One valid event of every catalog type, with its required attributes.
let validEvents: [String: String] = [
    "service.start": #"{"type":"service.start","serviceId":10,"actor":{"type":"user","id":4,"name":"alice"}}"#,
    "service.stop": #"{"type":"service.stop","serviceId":10,"actor":{"type":"system"},"details":{"reason":"account_expired"}}"#,
    "service.restart": #"{"type":"service.restart","serviceId":10,"actor":{"type":"api","id":9,"name":"billing"}}"#,
    "service.suspend": #"{"type":"service.suspend","serviceId":10,"actor":{"type":"system"},"details":{"reason":"bandwidth"}}"#,
    "service.unsuspend": #"{"type":"service.unsuspend","serviceId":10,"actor":{"type":"user","id":1,"name":"Root"}}"#,
    "service.remove": #"{"type":"service.remove","serviceId":10,"actor":{"type":"user","id":1,"name":"Root"}}"#,
    "service.config_update": #"{"type":"service.config_update","serviceId":10,"actor":{"type":"user","id":4,"name":"alice"},"details":{"changes":["bitrate","listeners"]}}"#,
    "service.title_update": #"{"type":"service.title_update","serviceId":10,"actor":{"type":"user","id":4,"name":"alice"},"details":{"title":"Song \"One\""}}"#,
    "service.bitrate_warning": #"{"type":"service.bitrate_warning","serviceId":10,"actor":{"type":"system"},"details":{"bitrate":320,"limit":128}}"#,
    "source.start": #"{"type":"source.start","serviceId":10,"actor":{"type":"user","id":4,"name":"alice"}}"#,
    "source.stop": #"{"type":"source.stop","serviceId":10,"actor":{"type":"user","id":4,"name":"alice"}}"#,
    "source.restart": #"{"type":"source.restart","serviceId":10,"actor":{"type":"user","id":4,"name":"alice"}}"#,
    "dj.connect": #"{"type":"dj.connect","serviceId":10,"djName":"Alice","sourceIp":"203.0.113.7"}"#,
    "dj.disconnect": #"{"type":"dj.disconnect","serviceId":10,"djName":"Alice","sourceIp":"2001:db8::1"}"#,
    "dj.on_air": #"{"type":"dj.on_air","serviceId":10,"djName":"Alice","sourceIp":"203.0.113.7","takeover":true}"#,
    "dj.kicked": #"{"type":"dj.kicked","serviceId":10,"djName":"Alice","actor":{"type":"user","id":4,"name":"alice"}}"#,
    "autodj.on_air": #"{"type":"autodj.on_air","serviceId":10,"details":{"trigger":"dj_disconnect"}}"#,
    "mount.connect": #"{"type":"mount.connect","serviceId":10,"sourceIp":"198.51.100.2","details":{"mount":"/live","server":"radio.example","port":8000}}"#,
    "mount.disconnect": #"{"type":"mount.disconnect","serviceId":10,"details":{"mount":"/live"}}"#,
]

@Suite struct CatalogTests {
    @Test func everyCatalogTypeHasAnExample() {
        #expect(Set(validEvents.keys) == Set(Catalog.all.map(\.id)))
        #expect(Set(Catalog.all.map(\.code)).count == Catalog.all.count)
    }

    @Test(arguments: Catalog.all)
    func roundTrips(type: EventType) throws {
        let t = try TempStore()
        try t.store.putDirectory(json: panelDirectory)
        let input = try #require(validEvents[type.id]).json
        let id = try t.log(try #require(validEvents[type.id]))
        let log = try t.query(admin)["logs"][0]
        #expect(log["id"].integerValue == id)
        #expect(log["type"].stringValue == type.id)
        #expect(log["typeLabel"].stringValue == type.label)
        #expect(log["category"].stringValue == type.category.rawValue)
        #expect(log["serviceId"].integerValue == 10)
        #expect(log["serviceName"].stringValue == "Alice Main")
        #expect(log["ownerId"].integerValue == 4)
        #expect(log["ownerName"].stringValue == "Alice FM")
        #expect(log["djName"] == (input["djName"].isNull ? .null : input["djName"]))
        #expect(log["sourceIp"] == input["sourceIp"])
        #expect(log["details"] == (input["details"].isNull ? .object([:]) : input["details"]))
        if !input["actor"].isNull { #expect(log["actor"]["type"] == input["actor"]["type"]) }
        #expect(!(log["message"].stringValue ?? "").isEmpty)
        let time = try #require(log["time"].stringValue)
        #expect(Time.parseRFC3339(time) == log["timestamp"].integerValue)
    }

    @Test func messagesReadAsSentences() throws {
        let t = try TempStore()
        try t.store.putDirectory(json: panelDirectory)
        try t.log(validEvents["dj.on_air"]!)
        try t.log(validEvents["service.suspend"]!)
        try t.log(validEvents["mount.connect"]!)
        // Logged within one millisecond they may list in any fixed order: compare as a set.
        let messages = Set(try t.query(admin).logs.compactMap { $0["message"].stringValue })
        #expect(messages == [
            "Mount /live went up on radio.example:8000 from 198.51.100.2",
            "System suspended the service: bandwidth limit exceeded",
            "DJ Alice (203.0.113.7) took over the air",
        ])
    }

    /// Sentences in plain words: a DJ name that says "DJ" is not doubled,
    /// reason codes read as words, a takeover names the DJ's own address.
    @Test func sentencesUsePlainWords() throws {
        let t = try TempStore()
        try t.store.putDirectory(json: panelDirectory)
        try t.log(#"{"type":"dj.connect","serviceId":10,"djName":"DJ Zed","sourceIp":"198.51.100.7"}"#)
        try t.log(#"{"type":"service.restart","serviceId":10,"actor":{"type":"system"},"details":{"reason":"crash_recovery"}}"#)
        try t.log(#"{"type":"dj.disconnect","serviceId":10,"djName":"Alice","actor":{"type":"system"},"details":{"reason":"liquidsoap_restart"}}"#)
        try t.log(#"{"type":"service.suspend","serviceId":10,"actor":{"type":"system"},"details":{"reason":"bandwidth","used":1210,"limit":1000,"unit":"GB"}}"#)
        let messages = try t.query(admin).logs.compactMap { $0["message"].stringValue }
        #expect(messages == [
            "System suspended the service: bandwidth limit exceeded (1210 of 1000 GB used)",
            "DJ Alice disconnected: liquidsoap restart",
            "System restarted the service: crash recovery",
            "DJ Zed connected from 198.51.100.7",
        ])
    }

    /// el_catalog's JSON is the catalog: every type with its label,
    /// category, default actor and required fields.
    @Test func catalogJSONListsEveryType() throws {
        let json = String(decoding: CatalogJSON.bytes, as: UTF8.self).json
        let types = json["types"].arrayValue ?? []
        #expect(types.compactMap { $0["id"].stringValue } == Catalog.all.map(\.id))
        #expect(types.compactMap { $0["label"].stringValue } == Catalog.all.map(\.label))
        let suspend = types.first { $0["id"].stringValue == "service.suspend" }
        #expect(suspend?["requires"] == .array([.string("details.reason")]))
        #expect(suspend?["defaultActor"] == .null)
        #expect(json["categories"].arrayValue?.count == Category.allCases.count)
        #expect(json["limits"]["maxPerPage"].integerValue == Limits.maxPerPage)
    }

    @Test func streamServerEventsDefaultTheirActor() throws {
        let t = try TempStore()
        try t.store.putDirectory(json: panelDirectory)
        try t.log(validEvents["dj.connect"]!)
        try t.log(validEvents["autodj.on_air"]!)
        let logs = try t.query(admin).logs
        let autoDJ = logs.first { $0["type"].stringValue == "autodj.on_air" }
        let dj = logs.first { $0["type"].stringValue == "dj.connect" }
        #expect(autoDJ?["actor"]["type"].stringValue == "system")
        #expect(dj?["actor"]["type"].stringValue == "dj")
        #expect(dj?["actor"]["name"].stringValue == "Alice")
    }

    @Test func timeAcceptsMillisecondsAndRFC3339() throws {
        let t = try TempStore(now: 1_700_000_100_000)
        try t.store.putDirectory(json: panelDirectory)
        try t.log(restart(10, time: 1_700_000_000_123))
        try t.log(#"{"type":"service.start","serviceId":10,"actor":{"type":"user"},"time":"2023-11-14T23:13:21.5+01:00"}"#)
        let logs = try t.query(admin).logs
        #expect(logs[0]["timestamp"].integerValue == 1_700_000_001_500)
        #expect(logs[1]["timestamp"].integerValue == 1_700_000_000_123)
        #expect(logs[1]["time"].stringValue == "2023-11-14T22:13:20.123Z")
    }

    @Test func emptyStringsStayEmptyNotNull() throws {
        let t = try TempStore()
        try t.log(#"{"type":"service.start","serviceId":10,"actor":{"type":"user","id":4,"name":""},"details":{"note":""}}"#)
        #expect(try t.count("SELECT count(*) FROM event WHERE actor_name = '' AND details = '{\"note\":\"\"}'") == 1)
    }

    @Test func idsAreMonotonicAcrossPrune() throws {
        let now = Time.nowMilliseconds()
        let t = try TempStore(now: now - 40 * Time.millisecondsPerDay)
        let first = try t.log(restart(10))
        t.clock.now = nil
        _ = try t.store.prune(now: now)
        let second = try t.log(restart(10))
        #expect(second > first)
    }
}
