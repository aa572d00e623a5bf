/// The directory's tables on SQLite: upserts, and the lookups scope decides from.
extension Connection: DirectoryLookup {
    func put(_ update: Directory.Update) throws {
        try writeTransaction {
            let putAccount = try statement("""
                INSERT INTO account (id, role, name, reseller_id) VALUES (?, ?, ?, ?)
                ON CONFLICT (id) DO UPDATE SET role = excluded.role, name = excluded.name, reseller_id = excluded.reseller_id
                """)
            for a in update.accounts {
                putAccount.reset()
                try putAccount.run(a)
            }
            let putService = try statement("""
                INSERT INTO service (id, name, owner_id, kind, status, removed) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (id) DO UPDATE SET name = excluded.name, owner_id = excluded.owner_id, kind = excluded.kind,
                    status = excluded.status, removed = excluded.removed
                """)
            for s in update.services {
                putService.reset()
                try putService.run(s)
            }
        }
    }

    func account(_ id: Int64) throws -> (role: String, resellerId: Int64?)? {
        try statement("SELECT role, reseller_id FROM account WHERE id = ?")
            .firstRow([.integer(id)]) { (role: $0.text(0) ?? "", resellerId: $0.optionalInt64(1)) }
    }

    func serviceOwner(_ serviceId: Int64) throws -> (ownerId: Int64, resellerId: Int64?)? {
        try statement("SELECT s.owner_id, a.reseller_id FROM service s LEFT JOIN account a ON a.id = s.owner_id WHERE s.id = ?")
            .firstRow([.integer(serviceId)]) { (ownerId: $0.int64(0), resellerId: $0.optionalInt64(1)) }
    }

    func hasEvents(serviceId: Int64) throws -> Bool {
        try integer("SELECT EXISTS (SELECT 1 FROM event WHERE service_id = ?)", [.integer(serviceId)]) == 1
    }
}
