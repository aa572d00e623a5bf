/// The directory's tables on MariaDB: upserts, and the lookups scope decides from.
extension MariaDBConnection: DirectoryLookup {
    func put(_ update: Directory.Update) throws {
        func values(_ rows: ArraySlice<[SQLValue]>) -> String {
            rows.map { "(" + $0.map(literal).joined(separator: ",") + ")" }.joined(separator: ",")
        }
        try writeTransaction {
            for start in stride(from: 0, to: update.accounts.count, by: 1000) {
                try execute("""
                    INSERT INTO account (id, role, name, reseller_id) VALUES \(values(update.accounts[start..<min(start + 1000, update.accounts.count)]))
                    ON DUPLICATE KEY UPDATE role = VALUES(role), name = VALUES(name), reseller_id = VALUES(reseller_id)
                    """)
            }
            for start in stride(from: 0, to: update.services.count, by: 1000) {
                try execute("""
                    INSERT INTO service (id, name, owner_id, kind, status, removed) VALUES \(values(update.services[start..<min(start + 1000, update.services.count)]))
                    ON DUPLICATE KEY UPDATE name = VALUES(name), owner_id = VALUES(owner_id), kind = VALUES(kind),
                        status = VALUES(status), removed = VALUES(removed)
                    """)
            }
        }
    }

    func account(_ id: Int64) throws -> (role: String, resellerId: Int64?)? {
        let r = try query("SELECT role, reseller_id FROM account WHERE id = \(id)")
        return r.next() ? (r.text(0) ?? "", r.optionalInt64(1)) : nil
    }

    func serviceOwner(_ serviceId: Int64) throws -> (ownerId: Int64, resellerId: Int64?)? {
        let r = try query("SELECT s.owner_id, a.reseller_id FROM service s LEFT JOIN account a ON a.id = s.owner_id WHERE s.id = \(serviceId)")
        return r.next() ? (r.int64(0), r.optionalInt64(1)) : nil
    }

    /// `scope` with its services listed (`Scope.listing`) as the directory
    /// has them in the caller's snapshot; as it is for an admin, and for
    /// more than `Scope.maxListed` services.
    func listingServices(_ scope: Scope) throws -> Scope {
        guard let services = scope.servicesQuery else { return scope }
        let r = try query(render(services + " LIMIT \(Scope.maxListed + 1)", scope.bindings))
        var ids: [Int64] = []
        while r.next() { ids.append(r.int64(0)) }
        return ids.count > Scope.maxListed ? scope : scope.listing(ids)
    }

    func hasEvents(serviceId: Int64) throws -> Bool {
        try integer("SELECT EXISTS (SELECT 1 FROM event WHERE service_id = \(serviceId))") == 1
    }

    /// Calls `row` with each service's names as `ServiceNameTable.query`
    /// reads them, for the services `condition` picks. Returns false, having
    /// read `maxServices + 1`, when it picks more than `maxServices`.
    func readServiceNames(where condition: String = "1", _ row: (MariaDBResult) -> Void) throws -> Bool {
        let r = try query(ServiceNameTable.query(where: condition))
        var n = 0
        while r.next() {
            row(r)
            n += 1
        }
        return n <= ServiceNameTable.maxServices
    }
}

extension ServiceNameTable {
    /// The names an export of `filter` in `scope` can show; nil for too many.
    static func read(_ db: MariaDBConnection, _ filter: Filter, _ scope: Scope) throws -> ServiceNameTable? {
        let (sql, bindings) = condition(filter, scope, dialect: .mariadb)
        var rows: [Row] = []
        guard try db.readServiceNames(where: db.render(sql, bindings), { r in
            rows.append((r.int64(0), r.bytes(1).map(Array.init) ?? [], r.int64(2), r.bytes(3).map(Array.init)))
        }) else { return nil }
        return ServiceNameTable(rows)
    }
}
