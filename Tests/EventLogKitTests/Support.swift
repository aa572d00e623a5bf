import Testing
@testable import EventLogKit
#if canImport(Glibc)
import Glibc
#endif

/// A clock a test sets: the real time until `now` is given.
final class TestClock: @unchecked Sendable {
    var now: Int64?
    init(_ now: Int64? = nil) { self.now = now }
    func read() -> Int64 { now ?? Time.nowMilliseconds() }
}

/// A fresh store file in its own temporary directory.
final class TempStore {
    let directory: String
    let path: String
    let clock: TestClock
    let store: SQLiteStore

    /// `now`: the store's clock, fixed (for events stamped at set times).
    init(options: StoreOptions = StoreOptions(), file: String = "events.sqlite", now: Int64? = nil) throws {
        var template = Array("/tmp/eventlog-test-XXXXXX".utf8CString)
        let dir = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)) }
        directory = dir
        path = dir + "/" + file
        let clock = TestClock(now)
        self.clock = clock
        store = try SQLiteStore(path: path, options: options, clock: { clock.read() })
    }

    /// Another handle on the same file (another worker), with its own clock.
    func open(options: StoreOptions = StoreOptions(), clock: TestClock = TestClock()) throws -> SQLiteStore {
        try SQLiteStore(path: path, options: options, clock: { clock.read() })
    }

    deinit {
        for suffix in ["", "-wal", "-shm"] { unlink(path + suffix) }
        rmdir(directory)
    }

    @discardableResult
    func log(_ json: String) throws -> Int64 { try store.log(json: json) }

    func query(_ principal: String, _ filter: String? = nil) throws -> JSONValue {
        String(decoding: try store.query(principalJSON: principal, filterJSON: filter).array, as: UTF8.self).json
    }

    func export(_ principal: String, _ filter: String? = nil, format: String) throws -> String {
        let export = try store.export(principalJSON: principal, filterJSON: filter, format: try ExportFormat(argument: format))
        var out: [UInt8] = []
        while let chunk = try export.next() { out += chunk.array }
        return String(decoding: out, as: UTF8.self)
    }

    /// The ids of a JSON Lines export, in its order.
    func exportedIDs(_ principal: String, _ filter: String? = nil) throws -> [Int64] {
        try export(principal, filter, format: "jsonl").split(separator: "\n").compactMap { String($0).json["id"].integerValue }
    }

    func count(_ sql: String = "SELECT count(*) FROM event") throws -> Int64 {
        try store.connection.integer(sql) ?? -1
    }

    /// Expects a new handle on the file to be refused with EL_ESCHEMA, its
    /// message saying `text` (a damaged store: nothing to log into or read).
    func expectRefusedAtOpen(saying text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(sourceLocation: sourceLocation) {
            _ = try open()
        } throws: {
            let e = $0 as? EventLogError
            return e?.kind == .schema && e?.message.contains(text) == true
        }
    }
}

extension String {
    var json: JSONValue { (try? JSONParser.parse(self)) ?? .null }
}

extension JSONValue {
    subscript(key: String) -> JSONValue { objectValue?[key] ?? .null }
    subscript(index: Int) -> JSONValue {
        guard let a = arrayValue, index >= 0, index < a.count else { return .null }
        return a[index]
    }
    var logs: [JSONValue] { self["logs"].arrayValue ?? [] }
}

let admin = #"{"role":"admin","id":1}"#
let resellerA = #"{"role":"reseller","id":2}"#
let resellerB = #"{"role":"reseller","id":3}"#
let customerA1 = #"{"role":"customer","id":4}"#
let customerA2 = #"{"role":"customer","id":5}"#
let customerB1 = #"{"role":"customer","id":6}"#
let directCustomer = #"{"role":"customer","id":7}"#

/// Two resellers with customers, a direct customer, a reseller-owned
/// service and a removed, suspended one.
let panelDirectory = """
{"accounts": [
  {"id": 1, "role": "admin", "name": "Root"},
  {"id": 2, "role": "reseller", "name": "Radio Hosting Ltd"},
  {"id": 3, "role": "reseller", "name": "StreamCo"},
  {"id": 4, "role": "customer", "name": "Alice FM", "resellerId": 2},
  {"id": 5, "role": "customer", "name": "Bob Radio", "resellerId": 2},
  {"id": 6, "role": "customer", "name": "Carol Live", "resellerId": 3},
  {"id": 7, "role": "customer", "name": "Dave Direct"}
 ],
 "services": [
  {"id": 10, "name": "Alice Main", "ownerId": 4, "kind": "icecast"},
  {"id": 11, "name": "Bob Stream", "ownerId": 5, "kind": "shoutcast"},
  {"id": 12, "name": "Carol TV", "ownerId": 6, "kind": "tv"},
  {"id": 13, "name": "Reseller Demo", "ownerId": 2, "kind": "icecast"},
  {"id": 14, "name": "Dave Radio", "ownerId": 7, "kind": "icecast"},
  {"id": 15, "name": "Alice Old", "ownerId": 4, "kind": "icecast", "status": "suspended", "removed": true}
 ]}
"""

func restart(_ service: Int64, time: Int64? = nil, by name: String = "Root") -> String {
    let t = time.map { ",\"time\":\($0)" } ?? ""
    return #"{"type":"service.restart","serviceId":\#(service),"actor":{"type":"user","id":1,"name":"\#(name)"}\#(t)}"#
}

func ids(_ page: JSONValue) -> [Int64] { page.logs.compactMap { $0["id"].integerValue } }
