import Testing
@testable import EventLogKit
#if canImport(Glibc)
import Glibc
#endif

@Suite struct MigrationTests {
    /// A store exactly as the first schema made it, written with raw SQL.
    @Test func migratesAStoreOfTheFirstSchema() throws {
        let t = try TempStore(file: "scratch.sqlite")
        let path = t.directory + "/v1.sqlite"
        defer { for s in ["", "-wal", "-shm"] { unlink(path + s) } }
        do {
            let raw = try Connection(path: path, create: true)
            try raw.execute("PRAGMA application_id = \(Schema.applicationID)")
            try raw.execute(Schema.migrations[0])
            try raw.execute("""
                INSERT INTO service VALUES (10, 'Old Radio', 4, 'icecast', 'active', 0);
                INSERT INTO account VALUES (4, 'customer', 'Alice FM', NULL);
                INSERT INTO event (ts, type, service_id, actor_type, actor_name, message)
                    VALUES (1790000000000, 3, 10, 1, 'Root', 'Root restarted the service');
                PRAGMA user_version = 1;
                """)
        }
        let store = try SQLiteStore(path: path)
        #expect(try Schema.version(store.connection) == Schema.currentVersion)
        #expect(try Schema.tag(userVersion: store.connection.integer("PRAGMA user_version") ?? 0) > 0)
        #expect(try store.connection.integer("SELECT count(*) FROM event_type") == Int64(Catalog.all.count))
        let page = String(decoding: try store.query(principalJSON: customerA1, filterJSON: nil).array, as: UTF8.self).json
        #expect(page["logs"][0]["type"].stringValue == "service.restart")
        #expect(page["logs"][0]["serviceName"].stringValue == "Old Radio")
        #expect(try store.log(json: restart(10)) == 2)
        // The directory's version starts with the migration and moves with the directory.
        let version = "SELECT value FROM setting WHERE key = '\(BatchNames.versionKey)'"
        #expect(try store.connection.integer(version) == 0)
        try store.putDirectory(json: #"{"services":[{"id":10,"name":"New Radio","ownerId":4,"kind":"icecast"}]}"#)
        #expect(try store.connection.integer(version) == 1)
    }

    @Test func refusesANewerStoreWithoutTouchingIt() throws {
        let t = try TempStore()
        try t.store.connection.execute("PRAGMA user_version = 99")
        let before = try fileBytes(t.path)
        #expect { try SQLiteStore(path: t.path) } throws: {
            guard let e = $0 as? EventLogError else { return false }
            return e.kind == .schema && e.message.contains("schema version 99, newer than this library's")
        }
        #expect(try fileBytes(t.path) == before)
    }

    @Test func refusesFilesThatAreNotEventStores() throws {
        let t = try TempStore()
        let garbage = t.directory + "/garbage.sqlite"
        let other = t.directory + "/other.sqlite"
        defer { unlink(garbage); unlink(other) }
        try write(garbage, Array(repeating: 0x41, count: 8192))
        #expect { try SQLiteStore(path: garbage) } throws: { ($0 as? EventLogError)?.kind == .schema }
        #expect(try fileBytes(garbage) == Array(repeating: 0x41, count: 8192))
        do { try Connection(path: other, create: true).execute("CREATE TABLE t (x)") }
        #expect { try SQLiteStore(path: other) } throws: { ($0 as? EventLogError)?.message.contains("not an event store") == true }
        #expect { try SQLiteStore(path: t.directory) } throws: { ($0 as? EventLogError)?.kind == .io }
        #expect { try SQLiteStore(path: "/nonexistent-dir/x.sqlite") } throws: { ($0 as? EventLogError)?.kind == .io }
    }

    @Test func newStoresAreNotWorldReadable() throws {
        let t = try TempStore()
        var st = stat()
        #expect(stat(t.path, &st) == 0)
        #expect(st.st_mode & 0o777 == 0o640)
        #expect(try t.store.connection.integer("PRAGMA auto_vacuum") == 2)
    }

    func fileBytes(_ path: String) throws -> [UInt8] {
        guard let f = fopen(path, "rb") else { return [] }
        defer { fclose(f) }
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = fread(&buffer, 1, buffer.count, f)
            if n <= 0 { break }
            out += buffer[0..<n]
        }
        return out
    }

    func write(_ path: String, _ bytes: [UInt8]) throws {
        let f = fopen(path, "wb")
        _ = fwrite(bytes, 1, bytes.count, f)
        fclose(f)
    }
}
