#if canImport(Glibc)
import Glibc
#endif
import CEventLog

/// What an `el_db *` points at. Calls on one handle are serialized by `lock`.
final class DatabaseHandle: @unchecked Sendable {
    let lock = Lock()
    var store: (any EventStore)?
    /// Which pool `el_release` gives the store back to.
    var poolKey = ""
    /// When a snapshot store last tried to reopen normally (monotonic ns).
    var lastReopen: UInt64 = 0
    /// The last error message of each calling thread, kept as a C string
    /// until that thread's next call: one thread's call never frees the
    /// message another thread is reading. Read and written under `lock`.
    private var messages: [pthread_t: UnsafeMutablePointer<CChar>] = [:]

    var errorMessage: UnsafePointer<CChar>? { messages[pthread_self()].map { UnsafePointer($0) } }

    func setMessage(_ text: String) {
        // Every successful call clears its thread's message: without one kept, that is nothing.
        if text.isEmpty && messages.isEmpty { return }
        let thread = pthread_self()
        free(messages.removeValue(forKey: thread))
        if !text.isEmpty { messages[thread] = strdup(text) }
    }

    deinit { for message in messages.values { free(message) } }
}

/// What an `el_export *` points at. It keeps its database handle alive; the
/// chunk handed out stays valid until the next call.
final class ExportHandle: @unchecked Sendable {
    let database: DatabaseHandle
    var export: (any EventExport)?
    var chunk = ByteBuffer(capacity: 0)

    init(database: DatabaseHandle, export: any EventExport) {
        self.database = database
        self.export = export
    }
}

/// The handles this library gave out and has not closed. A call with any
/// other pointer (closed, foreign, garbage) is refused instead of followed.
enum Registry {
    private static let lock = Lock()
    nonisolated(unsafe) private static var live: Set<UnsafeMutableRawPointer> = []

    static func register(_ object: AnyObject) -> UnsafeMutableRawPointer {
        let pointer = Unmanaged.passRetained(object).toOpaque()
        lock.withLock { _ = live.insert(pointer) }
        return pointer
    }

    static func lookup<T: AnyObject>(_ pointer: OpaquePointer?, as: T.Type) -> T? {
        guard let pointer else { return nil }
        let raw = UnsafeMutableRawPointer(pointer)
        return lock.withLock {
            guard live.contains(raw) else { return nil }
            return Unmanaged<AnyObject>.fromOpaque(raw).takeUnretainedValue() as? T
        }
    }

    /// Forgets the handle and returns it (balanced release), or nil if unknown.
    static func unregister<T: AnyObject>(_ pointer: OpaquePointer?, as: T.Type) -> T? {
        guard let pointer else { return nil }
        let raw = UnsafeMutableRawPointer(pointer)
        return lock.withLock {
            guard live.contains(raw), Unmanaged<AnyObject>.fromOpaque(raw).takeUnretainedValue() is T else { return nil }
            live.remove(raw)
            return Unmanaged<AnyObject>.fromOpaque(raw).takeRetainedValue() as? T
        }
    }
}
