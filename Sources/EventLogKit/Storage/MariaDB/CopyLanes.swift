#if canImport(Glibc)
import Glibc
#endif
import CSQLite

/// Writes a copy's batches on two connections of their own, committed in
/// the order they were read. A batch's event rows go in while the batch
/// before it finishes on the other connection, so the server inserts on two
/// cores: on a two-core machine one connection copied 50-52k events/s, two
/// copies at once 81-91k together. The counters, delivery keys and progress
/// row of a batch wait until the batch before it has committed (the
/// counters are the same rows from batch to batch), so what is committed
/// is always a prefix of the source, whenever the copy is killed.
///
/// A lane waits for its turn holding the locks of its rows, a wait the
/// server cannot see; it must hold none that the lane before it needs. Its
/// inserts take no gap locks unless they meet a row of the same key that
/// another transaction has not finished with: the rows of a killed copy,
/// still being rolled back when the copy starts again (its batches in
/// flight, at most one a lane, follow the last committed one). Seen: the
/// lane inserting the second batch inherited a gap lock from such a row, the
/// first waited for it, and both waited until the lock wait timeout. So
/// the first batches, one a lane, go in one after another, each after the
/// one before it has committed: only then do two lanes insert at once.
final class CopyLanes {
    /// One transaction's work: the rows, then (in turn) the statements.
    struct Batch {
        let rows: [EventRows]
        let statements: [String]
    }

    /// Thrown by a lane that stops because another failed (not reported).
    private struct Stopped: Error {}

    static let threadName = "el-copy"

    private let lock = Lock()
    private let laneCount: Int
    /// Each lane's batch and its number, from `submit` until it commits.
    private var queued: [(number: Int, batch: Batch)?]
    private var submitted = 0
    private var committed = 0
    private var failure: (any Error)?
    private var closing = false
    private var threads: [pthread_t] = []

    /// Opens a connection per lane (siblings of `db`) and starts its thread.
    init(db: MariaDBConnection, lanes: Int = 2) throws {
        laneCount = lanes
        queued = Array(repeating: nil, count: lanes)
        for lane in 0..<lanes {
            let connection: MariaDBConnection
            do {
                connection = try db.sibling()
            } catch {
                close()
                throw error
            }
            guard let thread = BackgroundThread.start(stackBytes: 512 * 1024, detached: false, { self.run(lane, connection) }) else {
                close()
                throw EventLogError(.noMemory, "cannot start a thread for the copy")
            }
            threads.append(thread)
        }
    }

    /// Hands `batch` to the next lane once that lane's previous batch has
    /// committed; throws what made a lane fail.
    func submit(_ batch: Batch) throws {
        try lock.withLock {
            let lane = submitted % laneCount
            while queued[lane] != nil && failure == nil { lock.wait() }
            if let failure { throw failure }
            queued[lane] = (submitted, batch)
            submitted += 1
            lock.broadcast()
        }
    }

    /// Waits until every batch submitted has committed; throws what made a
    /// lane fail (the batches before it are committed, the rest are not).
    func drain() throws {
        try lock.withLock {
            while committed < submitted && failure == nil { lock.wait() }
            if let failure { throw failure }
        }
    }

    /// Ends the threads (a lane's transaction in progress is rolled back).
    func close() {
        lock.withLock {
            closing = true
            lock.broadcast()
        }
        for thread in threads { pthread_join(thread, nil) }
        threads = []
    }

    private func run(_ lane: Int, _ db: MariaDBConnection) {
        se_name_this_thread(Self.threadName)
        while let (number, batch) = next(lane) {
            do {
                try db.writeTransaction {
                    if number < laneCount { try waitForTurn(number) }
                    for rows in batch.rows { try db.insert(StoreCopy.insertSQL, rows) }
                    try waitForTurn(number)
                    for statement in batch.statements { try db.execute(statement) }
                }
            } catch {
                lock.withLock {
                    if failure == nil && !(error is Stopped) { failure = error }
                    lock.broadcast()
                }
                return
            }
            lock.withLock {
                committed = number + 1
                queued[lane] = nil
                lock.broadcast()
            }
        }
    }

    /// The lane's batch; nil once the copy is over or failed.
    private func next(_ lane: Int) -> (number: Int, batch: Batch)? {
        lock.withLock {
            while queued[lane] == nil && !closing && failure == nil { lock.wait() }
            return failure == nil && !closing ? queued[lane] : nil
        }
    }

    private func waitForTurn(_ number: Int) throws {
        try lock.withLock {
            while committed < number && failure == nil && !closing { lock.wait() }
            if failure != nil || closing { throw Stopped() }
        }
    }
}
