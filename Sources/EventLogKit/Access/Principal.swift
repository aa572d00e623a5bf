/// The signed-in account: the panel authenticates, the module authorizes.
struct Principal: Equatable, Sendable {
    enum Role: String, Sendable { case admin, reseller, customer }
    let role: Role
    let id: Int64

    init(role: Role, id: Int64) {
        self.role = role
        self.id = id
    }

    static func parse(_ json: JSONValue) throws -> Principal {
        guard let o = json.objectValue else { throw EventLogError.invalid("the principal must be a JSON object {\"role\", \"id\"}") }
        if let unknown = unknownKey(in: o, known: ["role", "id"]) {
            throw EventLogError.invalid("unknown field '\(unknown)' in principal")
        }
        guard let r = o["role"]?.stringValue, let role = Role(rawValue: r) else {
            throw EventLogError.invalid("principal.role must be admin, reseller or customer")
        }
        return Principal(role: role, id: try Directory.positiveID(o["id"], "principal.id"))
    }
}
