/// The accounts and services the panel keeps in sync, from which scope is
/// decided at query time.
enum Directory {
    static let roles: Set<String> = ["admin", "reseller", "customer"]
    static let statuses: Set<String> = ["active", "suspended", "expired"]

    /// A validated directory update: rows of `account (id, role, name,
    /// reseller_id)` and `service (id, name, owner_id, kind, status, removed)`,
    /// for an engine to upsert in one transaction.
    struct Update {
        let accounts: [[SQLValue]]
        let services: [[SQLValue]]
    }

    /// A service's names as the directory has them, stored with each of its
    /// events: the snapshot that exports show once the directory forgets it.
    struct ServiceNames {
        let service: SQLValue
        let owner: SQLValue
        let ownerName: SQLValue

        /// A service the directory does not have.
        static let unknown = ServiceNames(service: .null, owner: .null, ownerName: .null)
    }

    /// Reads `{"accounts": [...], "services": [...]}`; everything is
    /// validated before an engine writes anything.
    static func update(_ json: JSONValue) throws -> Update {
        guard let o = json.objectValue else { throw EventLogError.invalid("the directory must be a JSON object {\"accounts\": [...], \"services\": [...]}") }
        if let unknown = unknownKey(in: o, known: ["accounts", "services"]) {
            throw EventLogError.invalid("unknown field '\(unknown)' in directory")
        }
        return Update(accounts: try list(o["accounts"], "accounts").enumerated().map { try account($1, at: $0) },
                      services: try list(o["services"], "services").enumerated().map { try service($1, at: $0) })
    }

    private static func list(_ value: JSONValue?, _ key: String) throws -> [JSONValue] {
        switch value {
        case nil, .null?: return []
        case .array(let a)?: return a
        default: throw EventLogError.invalid("\(key) must be a list")
        }
    }

    private static func account(_ v: JSONValue, at i: Int) throws -> [SQLValue] {
        let field = "accounts[\(i)]"
        guard let o = v.objectValue else { throw EventLogError.invalid("\(field) must be an object") }
        try rejectUnknown(o, ["id", "role", "name", "resellerId"], field)
        let id = try positiveID(o["id"], "\(field).id")
        guard let role = o["role"]?.stringValue, roles.contains(role) else {
            throw EventLogError.invalid("\(field).role must be admin, reseller or customer")
        }
        let name = try name(o["name"], "\(field).name")
        var resellerId: Int64?
        if let r = o["resellerId"], !r.isNull {
            guard role == "customer" else { throw EventLogError.invalid("\(field).resellerId is only for customers") }
            resellerId = try positiveID(r, "\(field).resellerId")
        }
        return [.integer(id), .text(role), .text(name), SQLValue(resellerId)]
    }

    private static func service(_ v: JSONValue, at i: Int) throws -> [SQLValue] {
        let field = "services[\(i)]"
        guard let o = v.objectValue else { throw EventLogError.invalid("\(field) must be an object") }
        try rejectUnknown(o, ["id", "name", "ownerId", "kind", "status", "removed"], field)
        let id = try positiveID(o["id"], "\(field).id")
        let name = try name(o["name"], "\(field).name")
        let owner = try positiveID(o["ownerId"], "\(field).ownerId")
        let kind = try self.name(o["kind"], "\(field).kind")
        var status = "active"
        if let s = o["status"], !s.isNull {
            guard let text = s.stringValue, statuses.contains(text) else {
                throw EventLogError.invalid("\(field).status must be active, suspended or expired")
            }
            status = text
        }
        var removed = false
        switch o["removed"] {
        case nil, .null?: break
        case .bool(let b)?: removed = b
        default: throw EventLogError.invalid("\(field).removed must be true or false")
        }
        return [.integer(id), .text(name), .integer(owner), .text(kind), .text(status), .integer(removed ? 1 : 0)]
    }

    private static func rejectUnknown(_ o: JSONObject, _ known: [String], _ field: String) throws {
        if let unknown = unknownKey(in: o, known: known) {
            throw EventLogError.invalid("unknown field '\(field).\(unknown)'")
        }
    }

    static func positiveID(_ v: JSONValue?, _ field: String) throws -> Int64 {
        guard let i = v?.integerValue, i > 0 else { throw EventLogError.invalid("\(field) must be a positive integer") }
        return i
    }

    private static func name(_ v: JSONValue?, _ field: String) throws -> String {
        guard let s = v?.stringValue, !s.isEmpty else { throw EventLogError.invalid("\(field) is required (a non-empty string)") }
        guard s.utf8.count <= EventValidator.maxFieldBytes else { throw EventLogError.invalid("\(field) is longer than \(EventValidator.maxFieldBytes) bytes") }
        return s
    }
}
