/// Which services' events a principal may see. The access rule lives here and
/// only here; every read path (query, export) filters through `predicate`.
///
/// - admin: every event, including services the directory does not know yet;
/// - reseller: services it owns and services owned by its customers;
/// - customer: services it owns.
/// Decided from the directory as it is now; a service's status or removal
/// does not hide its log.
struct Scope {
    let principal: Principal

    /// SQL condition on `event` (aliased `e`) and its bindings, in SQL both
    /// engines speak; nil for an admin, who sees every event.
    let predicate: String?
    let bindings: [SQLValue]

    /// The query that lists the services in scope (bindings `bindings`):
    /// nil for an admin, and once they are listed.
    let servicesQuery: String?

    /// True when every event is in scope (an admin).
    var isUnrestricted: Bool { predicate == nil }

    /// Checks the principal against the directory: every principal, admin
    /// included, must be a known account of that role.
    init(_ principal: Principal, in db: some DirectoryLookup) throws {
        self.principal = principal
        guard try db.account(principal.id)?.role == principal.role.rawValue else {
            throw EventLogError(.denied, "account \(principal.id) is not a\(principal.role == .admin ? "n" : "") \(principal.role.rawValue) in the directory")
        }
        switch principal.role {
        case .admin:
            servicesQuery = nil
            bindings = []
        case .reseller:
            // Two branches, not an OR: MariaDB reads each through service_owner
            // (it scans the service table for the OR); SQLite reads the two alike.
            servicesQuery = """
                SELECT id FROM service WHERE owner_id = ?1
                UNION ALL SELECT id FROM service WHERE owner_id IN (SELECT id FROM account WHERE reseller_id = ?1)
                """
            bindings = [.integer(principal.id)]
        case .customer:
            servicesQuery = "SELECT id FROM service WHERE owner_id = ?1"
            bindings = [.integer(principal.id)]
        }
        predicate = servicesQuery.map { "e.service_id IN (\($0))" }
    }

    /// At most this many services are listed (see `listing`); a longer list
    /// would cost more to send and parse than the subquery costs to run.
    static let maxListed = 1000

    /// This scope with its services written as literals, `ids` being what
    /// `servicesQuery` read from the directory now: MariaDB reads each
    /// listed service's range of a key where it looks a subquery's services
    /// up one by one and filters the rest as it reads.
    func listing(_ ids: [Int64]) -> Scope {
        Scope(principal: principal, predicate: ids.isEmpty ? "0" : "e.service_id IN (\(ids.map(String.init).joined(separator: ",")))")
    }

    private init(principal: Principal, predicate: String) {
        self.principal = principal
        self.predicate = predicate
        bindings = []
        servicesQuery = nil
    }

    /// A service asked for by id: denied outside scope, not found when nobody
    /// knows it (for an admin: the directory does not and no event names it).
    /// A customer asked for by id: denied outside scope (a reseller's own
    /// customers, a customer itself), not found when the directory has no
    /// such customer.
    func authorize(ownerId: Int64, in db: some DirectoryLookup) throws {
        guard let account = try db.account(ownerId), account.role == Principal.Role.customer.rawValue else {
            throw EventLogError(.notFound, "customer \(ownerId) is not known")
        }
        let allowed = switch principal.role {
        case .admin: true
        case .reseller: account.resellerId == principal.id
        case .customer: ownerId == principal.id
        }
        guard allowed else {
            throw EventLogError(.denied, "\(principal.role.rawValue) \(principal.id) may not see the events of customer \(ownerId)")
        }
    }

    func authorize(serviceId: Int64, in db: some DirectoryLookup) throws {
        guard let owner = try db.serviceOwner(serviceId) else {
            if principal.role == .admin, try db.hasEvents(serviceId: serviceId) { return }
            throw EventLogError(.notFound, "service \(serviceId) is not known")
        }
        let allowed = switch principal.role {
        case .admin: true
        case .reseller: owner.ownerId == principal.id || owner.resellerId == principal.id
        case .customer: owner.ownerId == principal.id
        }
        guard allowed else {
            throw EventLogError(.denied, "\(principal.role.rawValue) \(principal.id) may not see the events of service \(serviceId)")
        }
    }
}

/// What scope decisions read from the directory, whichever engine keeps it.
protocol DirectoryLookup {
    func account(_ id: Int64) throws -> (role: String, resellerId: Int64?)?
    /// A service's owner and the owner's reseller, if the directory knows the service.
    func serviceOwner(_ serviceId: Int64) throws -> (ownerId: Int64, resellerId: Int64?)?
    func hasEvents(serviceId: Int64) throws -> Bool
}
