/// What a page or an export asks for, parsed from filter JSON.
struct Filter {
    static let defaultPerPage = Limits.defaultPerPage
    static let maxPerPage = Limits.maxPerPage
    static let maxPage = Limits.maxPage
    static let maxQueryBytes = Limits.queryBytes

    var typeCodes: [Int64]?       // nil: every type
    var serviceId: Int64?
    /// The services of one customer (the owner in the directory as it is now).
    var ownerId: Int64?
    var actor: ActorType?
    var from: Int64?
    var to: Int64?
    var text: String?
    var page: Int64 = 1
    var perPage: Int64 = defaultPerPage
    /// Only events logged after this cursor (a live view's poll).
    var after: Cursor?

    private static let knownKeys = ["category", "types", "serviceId", "ownerId", "actor", "from", "to", "q", "page", "perPage", "after"]

    static func parse(_ json: JSONValue?) throws -> Filter {
        var f = Filter()
        guard let json, !json.isNull else { return f }
        guard let o = json.objectValue else { throw EventLogError.invalid("the filter must be a JSON object") }
        if let unknown = unknownKey(in: o, known: knownKeys) {
            throw EventLogError.invalid("unknown field '\(unknown)' in filter")
        }
        var allowed: Set<EventType>?
        if let c = o["category"], !c.isNull {
            guard let name = c.stringValue, name == "all" || Category(rawValue: name) != nil else {
                throw EventLogError.invalid("category must be one of all, \(Category.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            if let category = Category(rawValue: name) { allowed = Set(Catalog.types(in: category)) }
        }
        if let t = o["types"], !t.isNull {
            guard let list = t.arrayValue, list.count <= Catalog.all.count * 2 else { throw EventLogError.invalid("types must be a list of type ids") }
            var chosen = Set<EventType>()
            for item in list {
                guard let id = item.stringValue, let type = Catalog.type(id: id) else {
                    throw EventLogError.invalid("types: unknown event type '\(EventValidator.clip(item.stringValue ?? "\(item)"))'")
                }
                chosen.insert(type)
            }
            if !list.isEmpty { allowed = allowed.map { $0.intersection(chosen) } ?? chosen }
        }
        f.typeCodes = allowed.map { $0.map(\.code).sorted() }
        if let s = o["serviceId"], !s.isNull { f.serviceId = try Directory.positiveID(s, "serviceId") }
        if let s = o["ownerId"], !s.isNull { f.ownerId = try Directory.positiveID(s, "ownerId") }
        if let a = o["actor"], !a.isNull {
            guard let name = a.stringValue, let actor = ActorType(rawValue: name) else {
                throw EventLogError.invalid("actor must be one of user, dj, api, system")
            }
            f.actor = actor
        }
        f.from = try time(o["from"], "from")
        f.to = try time(o["to"], "to")
        if let q = o["q"], !q.isNull {
            guard let s = q.stringValue else { throw EventLogError.invalid("q must be a string") }
            guard s.utf8.count <= maxQueryBytes else { throw EventLogError.invalid("q is longer than \(maxQueryBytes) bytes") }
            if !s.isEmpty { f.text = s }
        }
        f.page = try bounded(o["page"], "page", 1...maxPage, default: 1)
        if let a = o["after"], !a.isNull {
            guard let token = a.stringValue, let cursor = Cursor(token: token) else {
                throw EventLogError.invalid("after must be the cursor of an earlier page")
            }
            f.after = cursor
            guard f.page == 1 else { throw EventLogError.invalid("page must be 1 with after (the events since a cursor are one page)") }
        }
        f.perPage = try bounded(o["perPage"], "perPage", 1...maxPerPage, default: defaultPerPage)
        return f
    }

    private static func time(_ v: JSONValue?, _ field: String) throws -> Int64? {
        guard let v, !v.isNull else { return nil }
        let ms: Int64?
        if let s = v.stringValue { ms = Time.parseRFC3339(s) } else { ms = v.integerValue }
        guard let ms, (Time.minMilliseconds...Time.maxMilliseconds).contains(ms) else {
            throw EventLogError.invalid("\(field) must be unix milliseconds or an RFC 3339 date between years 1 and 9999")
        }
        return ms
    }

    private static func bounded(_ v: JSONValue?, _ field: String, _ range: ClosedRange<Int64>, default value: Int64) throws -> Int64 {
        guard let v, !v.isNull else { return value }
        guard let i = v.integerValue, range.contains(i) else {
            throw EventLogError.invalid("\(field) must be an integer from \(range.lowerBound) to \(range.upperBound)")
        }
        return i
    }

    /// The WHERE clause for `event e` within `scope`, with its bindings
    /// (`?N`). Type and actor codes come from the catalog, never from input,
    /// so they are written inline; everything from the caller is bound. Only
    /// the text search differs between engines.
    func whereClause(_ scope: Scope, dialect: SQLDialect = .sqlite) -> (sql: String, bindings: [SQLValue]) {
        var conditions = scope.predicate.map { [$0] } ?? []
        var bindings = scope.bindings
        func bind(_ value: SQLValue) -> String {
            bindings.append(value)
            return "?\(bindings.count)"
        }
        if let typeCodes {
            conditions.append(typeCodes.isEmpty ? "0" : "e.type IN (\(typeCodes.map(String.init).joined(separator: ",")))")
        }
        if let serviceId { conditions.append("e.service_id = \(bind(.integer(serviceId)))") }
        if let ownerId { conditions.append("e.service_id IN (SELECT id FROM service WHERE owner_id = \(bind(.integer(ownerId))))") }
        if let actor { conditions.append("e.actor_type = \(actor.code)") }
        if let from { conditions.append("e.ts >= \(bind(.integer(from)))") }
        if let to { conditions.append("e.ts < \(bind(.integer(to)))") }
        if let after { conditions.append("e.id > \(bind(.integer(after.position)))") }
        if let text {
            switch dialect {
            case .sqlite:
                let needle = bind(.text(TextFold.fold(text)))
                conditions.append("\(TextFold.sqlName)(\(needle), e.dj_name, e.source_ip, e.message)")
            case .mariadb:
                // A Unicode case-insensitive collation; the caller's text is
                // matched literally (LIKE's wildcards escaped).
                let pattern = bind(.text("%" + Self.escapedForLike(text) + "%"))
                let like = ["e.dj_name", "e.source_ip", "e.message"]
                    .map { "\($0) COLLATE utf8mb4_unicode_520_ci LIKE \(pattern) ESCAPE '!'" }
                conditions.append("(" + like.joined(separator: " OR ") + ")")
            }
        }
        return (conditions.isEmpty ? "1" : conditions.joined(separator: " AND "), bindings)
    }
}

extension Filter {
    static func escapedForLike(_ text: String) -> String {
        var out = ""
        for c in text {
            if c == "%" || c == "_" || c == "!" { out.append("!") }
            out.append(c)
        }
        return out
    }
}

/// Where two engines' SQL differs in a filter.
enum SQLDialect { case sqlite, mariadb }
