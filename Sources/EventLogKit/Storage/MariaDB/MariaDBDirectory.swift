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

    func hasEvents(serviceId: Int64) throws -> Bool {
        try integer("SELECT EXISTS (SELECT 1 FROM event WHERE service_id = \(serviceId))") == 1
    }
}
