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
    private let lock = Lock()  // its condition: a chunk is ready, or the batch is read
    private var chunks: [[Event]] = []  // guarded by lock
    private var finished = false  // guarded by lock
    private var failure: EventLogError?  // guarded by lock

    /// `each` runs on the reading thread for every valid event, before its
    /// chunk is handed over: what it records may be read once `next` has
    /// returned nil.
    init(json: String, now: Int64, oldest: Int64, each: @escaping (Event) -> Void = { _ in }) {
        (self.json, self.now, self.oldest, self.each) = (json, now, oldest, each)
        // The parser's recursion is bounded (JSONParser.maxDepth levels).
        // Detached, holding the reader until it has read the whole text: a
        // caller that stops early (an insert failed) does not wait for it.
        if json.utf8.count < Self.threadFromBytes
            || BackgroundThread.start(stackBytes: 512 * 1024, detached: true, { self.read() }) == nil {
            read()
        }
    }

    /// The next chunk of valid events, in order; nil once every event was
    /// handed out. Throws the batch's error instead of the chunks that
    /// follow the first invalid event.
    func next() throws(EventLogError) -> [Event]? {
        try lock.withLock { () throws(EventLogError) -> [Event]? in
            while true {
                if finished, let failure { throw failure }
                if !chunks.isEmpty { return chunks.removeFirst() }
                if finished { return nil }
                lock.wait()
            }
        }
    }

    /// Waits for the whole batch to be read, and throws its error if it
    /// has one: for a caller whose write failed, so that an invalid batch
    /// is reported as invalid, not as the failure it ran into.
    func validateRest() throws(EventLogError) {
        try lock.withLock { () throws(EventLogError) in
            while !finished { lock.wait() }
            if let failure { throw failure }
        }
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
        lock.withLock {
            if !chunk.isEmpty { chunks.append(chunk) }
            failure = error
            finished = true
            lock.signal()
        }
    }

    private func hand(_ chunk: [Event]) {
        lock.withLock {
            chunks.append(chunk)
            lock.signal()
        }
    }
}
