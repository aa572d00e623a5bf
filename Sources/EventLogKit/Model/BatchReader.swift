#if canImport(Glibc)
import Glibc
#endif

/// A batch's events, validated on a thread of its own a chunk at a time
/// while the caller stores the chunks already validated.
///
/// Validation is a fifth of a batched event's time (1.58 of 8.49 µs) and
/// PHP is single-threaded, so during an `el_log_batch` the machine's other
/// core has nothing else to do: the two overlap instead of one preceding
/// the other. The batch stays all or nothing: `next` throws the batch's
/// error (its JSON, too many events, or the first invalid event, as
/// `EventValidator.readBatch` orders them) only once the whole text is
/// read, so the caller, which stored the chunks before it, rolls back.
/// A small batch, or one whose thread cannot be started, is validated
/// here, before the first chunk is handed out.
final class BatchReader: @unchecked Sendable {
    /// Events a chunk holds: enough that handing one over (a lock and a
    /// wake-up) costs little per event, few enough that the inserts start soon.
    static let chunkEvents = 64
    /// Below this many bytes a batch is validated inline: a thread's start
    /// (some 35 µs here) would cost more than the overlap saves.
    static let threadFromBytes = 16 * 1024

    private let json: String
    private let now: Int64
    private let oldest: Int64
    private let each: (Event) -> Void
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let ready: UnsafeMutablePointer<pthread_cond_t>
    private var chunks: [[Event]] = []  // guarded by mutex
    private var finished = false  // guarded by mutex
    private var failure: EventLogError?  // guarded by mutex

    /// `each` runs on the reading thread for every valid event, before its
    /// chunk is handed over: what it records may be read once `next` has
    /// returned nil.
    init(json: String, now: Int64, oldest: Int64, each: @escaping (Event) -> Void = { _ in }) {
        (self.json, self.now, self.oldest, self.each) = (json, now, oldest, each)
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
        ready = .allocate(capacity: 1)
        ready.initialize(to: pthread_cond_t())
        pthread_cond_init(ready, nil)
        if json.utf8.count < Self.threadFromBytes || !startThread() { read() }
    }

    deinit {
        pthread_cond_destroy(ready)
        ready.deallocate()
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// The next chunk of valid events, in order; nil once every event was
    /// handed out. Throws the batch's error instead of the chunks that
    /// follow the first invalid event.
    func next() throws(EventLogError) -> [Event]? {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        while true {
            if finished, let failure { throw failure }
            if !chunks.isEmpty { return chunks.removeFirst() }
            if finished { return nil }
            pthread_cond_wait(ready, mutex)
        }
    }

    /// Waits for the whole batch to be read, and throws its error if it
    /// has one: for a caller whose write failed, so that an invalid batch
    /// is reported as invalid, not as the failure it ran into.
    func validateRest() throws(EventLogError) {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        while !finished { pthread_cond_wait(ready, mutex) }
        if let failure { throw failure }
    }

    private func startThread() -> Bool {
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        // The parser's recursion is bounded (JSONParser.maxDepth levels).
        pthread_attr_setstacksize(&attributes, 512 * 1024)
        // Started with every signal blocked, as the checkpoint thread is:
        // PHP's and FPM's signals must reach PHP's own thread.
        var all = sigset_t(), previous = sigset_t()
        sigfillset(&all)
        pthread_sigmask(SIG_SETMASK, &all, &previous)
        defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
        // Detached, holding the reader until it has read the whole text: a
        // caller that stops early (an insert failed) does not wait for it.
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        let context = Unmanaged.passRetained(self).toOpaque()
        var thread = pthread_t()
        guard pthread_create(&thread, &attributes, { context in
            if let context { Unmanaged<BatchReader>.fromOpaque(context).takeRetainedValue().read() }
            return nil
        }, context) == 0 else {
            Unmanaged<BatchReader>.fromOpaque(context).release()
            return false
        }
        return true
    }

    /// Validates the whole batch, handing each full chunk over as it fills.
    private func read() {
        var chunk: [Event] = []
        chunk.reserveCapacity(Self.chunkEvents)
        var error: EventLogError?
        do {
            try EventValidator.readBatch(jsonArray: json, now: now, oldest: oldest) { event in
                each(event)
                chunk.append(event)
                if chunk.count == Self.chunkEvents {
                    hand(chunk)
                    chunk.removeAll(keepingCapacity: true)
                }
            }
        } catch let e {
            error = e
        }
        pthread_mutex_lock(mutex)
        if !chunk.isEmpty { chunks.append(chunk) }
        failure = error
        finished = true
        pthread_cond_signal(ready)
        pthread_mutex_unlock(mutex)
    }

    private func hand(_ chunk: [Event]) {
        pthread_mutex_lock(mutex)
        chunks.append(chunk)
        pthread_cond_signal(ready)
        pthread_mutex_unlock(mutex)
    }
}
