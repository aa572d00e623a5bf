/// Runs a writer's checkpoints on a thread of its own, with its own
/// connection to the store, so that `el_log` never waits for one.
///
/// A checkpoint copies the pages the WAL holds back into the database file
/// and syncs both files: done by the writer after every 1,000 WAL pages it
/// was half of the time of an `el_log` on this machine kind (11,200-11,900
/// events/s against 22,600-24,000 with none at all, 30,000 events into the
/// 1M bench store), and every 170th event waited for two `fdatasync`s.
/// The thread is idle between requests; a request while it runs one
/// checkpoint gets one more after it.
///
/// Passive checkpoints never make a writer wait, but under writers that
/// never pause none of them finishes the WAL, and only a finished WAL
/// starts again from its beginning (four processes logging without pause
/// grew it to 1.9 GB, before this thread as after). So once the WAL holds
/// `restartPages` and a passive checkpoint has left at most
/// `Connection.checkpointPages` of it to copy, the thread copies the rest
/// holding the write lock (`SQLITE_CHECKPOINT_RESTART`): writers wait for
/// that tail and two syncs, a few milliseconds, and the next one starts
/// the WAL again. It waits at most `restartWaitMilliseconds` for the lock
/// and for readers of the old WAL, and otherwise tries again later.
///
/// Not while a prune runs (`PruneMark`): each of its batches adds a
/// thousand pages or more to the WAL, so a restart then copies and syncs
/// them holding the lock (20-67 ms each at 10M events, on top of the
/// prune's own batches), and cannot keep the WAL short anyway.
final class Checkpointer: @unchecked Sendable {
    static let restartPages: Int32 = 10 * Connection.checkpointPages
    static let restartWaitMilliseconds: Int32 = 20

    private let connection: Connection  // used by the thread alone once it runs
    private var thread: RequestThread?

    /// Opens the second connection and starts the thread; nil if either
    /// cannot be done (the writer then checkpoints by itself, as before), or
    /// if `isSameFile` says the path no longer names the store opened.
    init?(path: String, isSameFile: () -> Bool) {
        do {
            connection = try Connection(path: path, create: false)
            // Never checkpoints or deletes the WAL when it closes: the
            // store's own connection decides that (the file may be replaced).
            connection.forbidCheckpointOnClose()
            // A first read opens the WAL and its index, by name: only if the
            // path still names the store's file afterwards are they the store's.
            try connection.execute("SELECT 1 FROM sqlite_schema LIMIT 1")
        } catch {
            return nil
        }
        guard isSameFile() else { return nil }
        connection.setBusyTimeout(milliseconds: Self.restartWaitMilliseconds)
        // SQLite's checkpoint needs a few kilobytes of stack. A checkpoint
        // asked for but not begun when the store closes is left undone.
        thread = RequestThread(name: Self.threadName, stackBytes: 256 * 1024, finishesRequest: false) { self.checkpoint() }
        if thread == nil { return nil }
    }

    /// Asks for a checkpoint and returns at once; false in a child forked
    /// from the process that started the thread.
    func request() -> Bool { thread?.request() ?? false }

    /// Ends the thread, after the checkpoint it is running if any.
    func stop() { thread?.stop() }

    /// The thread's name, as `top -H` and /proc show it.
    static let threadName = "el-checkpoint"

    private func checkpoint() {
        guard let (frames, copied) = connection.checkpoint() else { return }
        if frames >= Self.restartPages && frames - copied <= Connection.checkpointPages
            && !PruneMark.isSet(connection) {
            _ = connection.checkpoint(restart: true)
        }
    }
}
