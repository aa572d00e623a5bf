import Testing
@testable import EventLogKit

@Suite struct ScopeTests {
    /// One restart per service 10...15, plus one for service 99, which the
    /// directory does not know yet.
    func seeded() throws -> TempStore {
        let t = try TempStore()
        try t.store.putDirectory(json: panelDirectory)
        for service in [10, 11, 12, 13, 14, 15, 99] { try t.log(restart(Int64(service))) }
        return t
    }

    func services(_ t: TempStore, _ principal: String) throws -> Set<Int64> {
        Set(try t.query(principal, #"{"perPage":500}"#).logs.compactMap { $0["serviceId"].integerValue })
    }

    @Test func eachRoleSeesItsScope() throws {
        let t = try seeded()
        #expect(try services(t, admin) == [10, 11, 12, 13, 14, 15, 99])
        #expect(try services(t, resellerA) == [10, 11, 13, 15])
        #expect(try services(t, resellerB) == [12])
        #expect(try services(t, customerA1) == [10, 15])     // the removed, suspended service stays visible
        #expect(try services(t, customerA2) == [11])
        #expect(try services(t, directCustomer) == [14])
        #expect(try t.query(customerA1)["total"].integerValue == 2)
    }

    @Test func exportsUseTheSameScope() throws {
        let t = try seeded()
        let lines = try t.export(resellerB, format: "jsonl").split(separator: "\n")
        #expect(lines.count == 1)
        #expect(String(lines[0]).json["serviceId"].integerValue == 12)
    }

    @Test func serviceOutsideScopeIsDeniedNotEmpty() throws {
        let t = try seeded()
        #expect(throws: EventLogError(.denied, "customer 4 may not see the events of service 11")) {
            try t.query(customerA1, #"{"serviceId":11}"#)
        }
        #expect { try t.query(resellerA, #"{"serviceId":12}"#) } throws: { ($0 as? EventLogError)?.kind == .denied }
        #expect { try t.export(resellerB, #"{"serviceId":10}"#, format: "csv") } throws: { ($0 as? EventLogError)?.kind == .denied }
        #expect(try t.query(resellerA, #"{"serviceId":11}"#)["total"].integerValue == 1)
    }

    @Test func unknownServices() throws {
        let t = try seeded()
        #expect(try t.query(admin, #"{"serviceId":99}"#)["total"].integerValue == 1)
        #expect { try t.query(admin, #"{"serviceId":98}"#) } throws: { ($0 as? EventLogError)?.kind == .notFound }
        #expect { try t.query(customerA1, #"{"serviceId":99}"#) } throws: { ($0 as? EventLogError)?.kind == .notFound }
    }

    @Test func principalsMustMatchTheDirectory() throws {
        let t = try seeded()
        #expect { try t.query(#"{"role":"reseller","id":4}"#) } throws: { ($0 as? EventLogError)?.kind == .denied }
        #expect { try t.query(#"{"role":"customer","id":404}"#) } throws: { ($0 as? EventLogError)?.kind == .denied }
        #expect { try t.query(#"{"role":"root","id":1}"#) } throws: { ($0 as? EventLogError)?.kind == .invalid }
    }

    /// One customer's services (a picker on the admin's and the reseller's
    /// pages): within scope, with exact totals; another reseller's customer
    /// is denied, a non-customer not found.
    @Test func oneCustomersEvents() throws {
        let t = try seeded()
        let mine = try t.query(resellerA, #"{"ownerId":4,"perPage":500}"#)
        #expect(Set(mine.logs.compactMap { $0["serviceId"].integerValue }) == [10, 15])
        #expect(mine["total"].integerValue == Int64(mine.logs.count))
        #expect(try t.query(admin, #"{"ownerId":4}"#)["total"] == mine["total"])
        #expect(try t.query(customerA1, #"{"ownerId":4}"#)["total"] == mine["total"])
        #expect { try t.query(resellerA, #"{"ownerId":6}"#) } throws: { ($0 as? EventLogError)?.kind == .denied }
        #expect { try t.query(customerA1, #"{"ownerId":5}"#) } throws: { ($0 as? EventLogError)?.kind == .denied }
        #expect { try t.query(admin, #"{"ownerId":2}"#) } throws: { ($0 as? EventLogError)?.kind == .notFound }
        #expect { try t.query(admin, #"{"ownerId":404}"#) } throws: { ($0 as? EventLogError)?.kind == .notFound }
    }

    /// An admin claim is checked like any other: a customer's id, or an id
    /// the directory does not have, does not see the whole panel.
    @Test func adminClaimsAreChecked() throws {
        let t = try seeded()
        for claim in [#"{"role":"admin","id":4}"#, #"{"role":"admin","id":404}"#] {
            #expect { try t.query(claim) } throws: { ($0 as? EventLogError)?.kind == .denied }
            #expect { try t.export(claim, format: "csv") } throws: { ($0 as? EventLogError)?.kind == .denied }
        }
        #expect(try t.query(admin)["total"].integerValue ?? 0 > 0)
    }

    @Test func scopeFollowsTheDirectoryAsItIsNow() throws {
        let t = try seeded()
        // Customer 5 moves from reseller 2 to reseller 3; service 14 is sold to customer 4.
        try t.store.putDirectory(json: #"{"accounts":[{"id":5,"role":"customer","name":"Bob Radio","resellerId":3}],"services":[{"id":14,"name":"Dave Radio","ownerId":4,"kind":"icecast"}]}"#)
        #expect(try services(t, resellerA) == [10, 13, 14, 15])
        #expect(try services(t, resellerB) == [11, 12])
        #expect(try services(t, directCustomer) == [])
        // The service's names follow the directory; the snapshot stays for services it forgets.
        let log = try t.query(customerA1, #"{"serviceId":14}"#).logs[0]
        #expect(log["ownerName"].stringValue == "Alice FM")
    }

    @Test func logAndBatchStoreTheSameDirectorySnapshot() throws {
        let t = try TempStore()
        try t.store.putDirectory(json: panelDirectory)
        // A customer's service, a reseller's own, a removed one, one the directory does not know.
        let services: [Int64] = [10, 13, 15, 99]
        for service in services { try t.log(restart(service)) }
        _ = try t.store.logBatch(json: "[" + services.map { restart($0) }.joined(separator: ",") + "]")
        func snapshot(_ id: Int64) throws -> String {
            let s = try t.store.connection.statement(
                "SELECT service_id || '|' || coalesce(service_name, '-') || '|' || coalesce(owner_id, '-') || '|' || coalesce(owner_name, '-') FROM event WHERE id = ?")
            return try s.firstRow([.integer(id)]) { $0.text(0) ?? "" } ?? "missing"
        }
        let expected = ["10|Alice Main|4|Alice FM", "13|Reseller Demo|2|Radio Hosting Ltd", "15|Alice Old|4|Alice FM", "99|-|-|-"]
        #expect(try (1...4).map(snapshot) == expected)
        #expect(try (5...8).map(snapshot) == expected)
        // Names as the directory has them when the event is logged.
        try t.store.putDirectory(json: #"{"services":[{"id":10,"name":"Alice Renamed","ownerId":5,"kind":"icecast"}]}"#)
        _ = try t.store.logBatch(json: "[" + restart(10) + "]")
        try t.log(restart(10))
        #expect(try [snapshot(9), snapshot(10)] == ["10|Alice Renamed|5|Bob Radio", "10|Alice Renamed|5|Bob Radio"])
        #expect(try snapshot(1) == expected[0])
    }

    @Test func directoryRejectsBadRows() throws {
        let t = try TempStore()
        #expect(throws: EventLogError.invalid("accounts[0].role must be admin, reseller or customer")) {
            try t.store.putDirectory(json: #"{"accounts":[{"id":1,"role":"god","name":"x"}]}"#)
        }
        #expect(throws: EventLogError.invalid("services[1].ownerId must be a positive integer")) {
            try t.store.putDirectory(json: #"{"services":[{"id":1,"name":"a","ownerId":1,"kind":"icecast"},{"id":2,"name":"b","kind":"icecast"}]}"#)
        }
        #expect(try t.count("SELECT count(*) FROM service") == 0)
    }
}
