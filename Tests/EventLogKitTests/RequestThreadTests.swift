import Testing
@testable import EventLogKit
#if canImport(Glibc)
import Glibc
#endif

/// The thread behind `Checkpointer` and `FoldThread`.
@Suite struct RequestThreadTests {
    /// What the thread did, in order ("work", "rest"), and a gate the work
    /// waits at, so a test can hold it inside a run.
    final class Log: @unchecked Sendable {
        private let lock = Lock()
        private var entries: [String] = []
        private var open = true

        func add(_ s: String) { lock.withLock { entries.append(s) } }
        var all: [String] { lock.withLock { entries } }
        func close() { lock.withLock { open = false } }
        func release() { lock.withLock { open = true; lock.broadcast() } }
        func pass() { lock.withLock { while !open { lock.wait() } } }

        /// Waits up to five seconds for `count` entries.
        func waitFor(_ count: Int) -> [String] {
            for _ in 0..<500 where all.count < count { usleep(10_000) }
            return all
        }
    }

    /// A run, then `rest` once nothing more is asked for; the next request
    /// starts again with a run, and `stop` after a rest has nothing to do.
    @Test func restsOnceIdleAndWorksAgainWhenAsked() throws {
        let log = Log()
        let thread = try #require(RequestThread(name: "el-test", stackBytes: 256 * 1024, finishesRequest: true,
                                                work: { log.add("work") }, rest: { log.add("rest") }))
        #expect(thread.request())
        #expect(log.waitFor(2) == ["work", "rest"])
        #expect(thread.request())
        #expect(log.waitFor(4) == ["work", "rest", "work", "rest"])
        thread.stop()
        #expect(log.all == ["work", "rest", "work", "rest"])
    }

    /// Requests made during a run become one more run, not one each.
    @Test func requestsDuringARunCoalesce() throws {
        let log = Log()
        log.close()
        let thread = try #require(RequestThread(name: "el-test", stackBytes: 256 * 1024, finishesRequest: true,
                                                work: { log.add("work"); log.pass() }))
        #expect(thread.request())
        #expect(log.waitFor(1) == ["work"])  // inside the first run, held at the gate
        for _ in 0..<5 { #expect(thread.request()) }
        log.release()
        thread.stop()
        #expect(log.all == ["work", "work"])
    }

    /// `finishesRequest`: a request not yet begun when `stop` comes is run
    /// first (the fold a closing store asked for), then `rest`; without it,
    /// it is dropped (a checkpoint the closing connection makes moot).
    @Test(arguments: [true, false]) func stopFinishesARequestOnlyIfAsked(finishes: Bool) throws {
        let log = Log()
        log.close()
        let thread = try #require(RequestThread(name: "el-test", stackBytes: 256 * 1024, finishesRequest: finishes,
                                                work: { log.add("work"); log.pass() }, rest: { log.add("rest") }))
        #expect(thread.request())
        #expect(log.waitFor(1) == ["work"])
        #expect(thread.request())  // pending while the first run is held
        // The stop is seen at the thread's next look at its requests, after this run.
        let stopper = try #require(BackgroundThread.start(stackBytes: 256 * 1024, detached: false) { thread.stop() })
        usleep(200_000)  // for the stopper to take the lock and mark the stop
        log.release()
        pthread_join(stopper, nil)
        #expect(log.all == (finishes ? ["work", "work", "rest"] : ["work", "rest"]))
    }
}
