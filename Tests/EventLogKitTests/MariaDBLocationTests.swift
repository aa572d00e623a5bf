import Testing
@testable import EventLogKit

/// The MariaDB store's URI, and the SQL text the engine writes without a
/// server (the engine itself is tested against real servers by the C,
/// PHP and reliability suites).
@Suite struct MariaDBLocationTests {
    @Test func readsTcpAndSocketURIs() throws {
        let tcp = try MariaDBLocation(parsing: "mysql://panel:s3cr%40t@db.example.net:3307/stream_events")
        #expect(tcp.user == "panel" && tcp.password == "s3cr@t" && tcp.host == "db.example.net" && tcp.port == 3307)
        #expect(tcp.database == "stream_events" && tcp.socket == nil)
        let socket = try MariaDBLocation(parsing: "mysql://panel:pw@localhost/events?socket=/run/mysqld/mysqld.sock")
        #expect(socket.socket == "/run/mysqld/mysqld.sock" && socket.port == 3306)
        let noPassword = try MariaDBLocation(parsing: "mariadb://panel@[::1]:3310/events")
        #expect(noPassword.password == nil && noPassword.host == "::1" && noPassword.port == 3310)
        // A password may hold '@' and ':' unescaped: the last '@' ends it.
        let odd = try MariaDBLocation(parsing: "mysql://panel:p@ss:w@127.0.0.1/events")
        #expect(odd.password == "p@ss:w" && odd.host == "127.0.0.1")
    }

    @Test func neverPrintsThePassword() throws {
        let location = try MariaDBLocation(parsing: "mysql://panel:Zebra-Quartz-91@db:3306/events")
        #expect(location.description == "mysql://panel@db:3306/events")
        let error = EventLogError(MariaDBError(code: 1045, message: "Access denied for user 'panel'@'10.0.0.2' (using password: YES)", sql: nil),
                                  doing: "cannot open the store", at: location)
        #expect(error.kind == .io && !error.message.contains("Zebra"))
        #expect(throws: EventLogError.self) { try MariaDBLocation(parsing: "mysql://panel:Zebra%zz@db/events") }
        do {
            _ = try MariaDBLocation(parsing: "mysql://panel:Zebra%zz@db/events")
        } catch let e as EventLogError {
            #expect(!e.message.contains("Zebra"))
        }
    }

    @Test(arguments: [
        ("mysql://panel:pw@db", "must look like"),
        ("mysql://panel:pw@db/", "database name"),
        ("mysql://panel:pw@db/bad-name", "database name"),
        ("mysql://panel:pw@db:0/events", "port"),
        ("mysql://panel:pw@db:99999/events", "port"),
        ("mysql://:pw@db/events", "no user"),
        ("mysql://panel:pw@db/events?ssl=1", "unknown parameter 'ssl'"),
        ("mysql://panel:pw@:3306/events", "no host"),
    ])
    func refusesMalformedURIs(uri: String, message: String) {
        #expect { try MariaDBLocation(parsing: uri) } throws: { ($0 as? EventLogError)?.message.contains(message) == true }
    }

    @Test func choosesTheEngineByPath() {
        #expect(MariaDBLocation.isURI("mysql://u@h/d") && MariaDBLocation.isURI("mariadb://u@h/d"))
        #expect(!MariaDBLocation.isURI("/var/lib/stream-events/events.sqlite") && !MariaDBLocation.isURI("mysql.sqlite"))
    }

    @Test func searchTextIsMatchedLiterally() throws {
        #expect(Filter.escapedForLike("100%_off!") == "100!%!_off!!")
        let scope = try Scope(Principal.parse(JSONParser.parse(#"{"role":"admin","id":1}"#, what: "p")), in: NoDirectory())
        var filter = Filter()
        filter.text = "50%"
        let (sql, bindings) = filter.whereClause(scope, dialect: .mariadb)
        #expect(sql.contains("COLLATE utf8mb4_unicode_520_ci LIKE ?1 ESCAPE '!'"))
        guard case .text(let pattern)? = bindings.first else { Issue.record("no pattern bound"); return }
        #expect(pattern == "%50!%%")
    }
}

/// A directory that knows one admin, for scope built without a store.
private struct NoDirectory: DirectoryLookup {
    func account(_ id: Int64) throws -> (role: String, resellerId: Int64?)? { id == 1 ? ("admin", nil) : nil }
    func serviceOwner(_ serviceId: Int64) throws -> (ownerId: Int64, resellerId: Int64?)? { nil }
    func hasEvents(serviceId: Int64) throws -> Bool { false }
}
