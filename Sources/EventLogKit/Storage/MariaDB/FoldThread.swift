/// Runs a writer's folds (`MariaDBTotals.fold`) on a thread of its own, with
/// its own connection, so that `el_log` never waits for one.
///
/// Done by the writer, the fold's five statements took 40.7 us of server
/// time an event stored, all of it in the `el_log` that happened to be the
/// 512th (BENCHMARKS.md, MariaDB el_log), while the server's other core
/// mostly waited for the caller. Here they run beside the caller's next
/// INSERTs. The thread connects for a fold and disconnects once no other
/// is asked for, so a pool of PHP-FPM workers does not hold a second
/// connection each at rest (the server's `max_connections`). A request
/// while a fold runs gets one more after it; a fold that fails is done by
/// a later one or by the prune. Not while a prune runs (`MariaDBPruneMark`),
/// as before: the prune folds anyway.
final class FoldThread: @unchecked Sendable {
    private let location: MariaDBLocation
    private let options: StoreOptions
    private var db: MariaDBConnection?  // the thread's alone
    private var thread: RequestThread?

    /// Starts the thread; nil if it cannot be (the writer then folds by itself).
    init?(location: MariaDBLocation, options: StoreOptions) {
        self.location = location
        self.options = options
        // The client library and a fold's statements take more stack than
        // SQLite's checkpoint (`Checkpointer`). A fold asked for when the
        // store closes is done first: a caller that closes its store knows
        // its events' fold is done.
        thread = RequestThread(name: Self.threadName, stackBytes: 1024 * 1024, finishesRequest: true,
                               work: { self.fold() }, rest: { self.db = nil })
        if thread == nil { return nil }
    }

    /// Asks for a fold and returns at once; false in a child forked from
    /// the process that started the thread.
    func request() -> Bool { thread?.request() ?? false }

    /// Ends the thread, after the fold asked for or running if any.
    func stop() { thread?.stop() }

    /// The thread's name, as `top -H` and /proc show it.
    static let threadName = "el-fold"

    /// One fold, connected first if need be; a fold that fails drops the
    /// connection, to connect again for the next one.
    private func fold() {
        do {
            let connection = try db ?? MariaDBConnection(location: location, options: options)
            db = connection
            try MariaDBTotals.foldUnlessPruning(connection)
        } catch {
            db = nil
        }
    }
}
