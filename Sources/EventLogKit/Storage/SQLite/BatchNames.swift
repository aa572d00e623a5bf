/// The directory's names of the services a writer's batches logged, stored
/// with each event as its snapshot, kept from one batch to the next while
/// the directory is unchanged.
///
/// A batch of 1,000 events names some 600 services, and reading their names
/// in each batch's transaction was a tenth of the writer's work (4.6k of
/// 45k instructions an event, `bench/profile.sh batch`). Whether the
/// directory changed is told by its version, a setting that triggers move
/// on every change of an account or a service, whoever makes it (Schema,
/// migration 7): the names a batch stores are still the directory's as of
/// its own transaction. A store without the setting (edited by hand) reads
/// the names afresh in every batch.
final class BatchNames {
    static let versionKey = "directoryVersion"
    /// Unknown services are remembered too (as `.unknown`): past this many
    /// entries the cache starts again, so that random ids cannot grow it.
    static let maxServices = 100_000

    private var names: [Int64: Directory.ServiceNames] = [:]
    private var version: Int64?

    /// Inside the batch's write transaction, before its first lookup:
    /// forgets the names if the directory changed since they were read.
    func begin(_ db: Connection) throws {
        let now = try db.integer("SELECT value FROM setting WHERE key = '\(Self.versionKey)'")
        if now == nil || now != version || names.count > Self.maxServices { names.removeAll(keepingCapacity: true) }
        version = now
    }

    /// The names of each service of `events`, reading those not known yet.
    func lookUp(_ events: [Event], _ db: Connection) throws {
        var unknown = Set<Int64>()
        for e in events where names[e.serviceId] == nil { unknown.insert(e.serviceId) }
        guard !unknown.isEmpty else { return }
        let s = try db.statement("""
            SELECT s.id, s.name, s.owner_id, a.name FROM service s LEFT JOIN account a ON a.id = s.owner_id
            WHERE s.id IN (SELECT value FROM json_each(?1))
            """)
        try s.bind([.text("[" + unknown.map(String.init).joined(separator: ",") + "]")])
        defer { s.reset() }
        while try s.step() {
            names[s.int64(0)] = Directory.ServiceNames(service: SQLValue(s.text(1)), owner: SQLValue(s.optionalInt64(2)), ownerName: SQLValue(s.text(3)))
        }
        for id in unknown where names[id] == nil { names[id] = .unknown }
    }

    subscript(service: Int64) -> Directory.ServiceNames { names[service] ?? .unknown }
}
