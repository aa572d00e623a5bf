#if canImport(Glibc)
import Glibc
#endif
import CEventLog

/// Marshalling shared by the exported functions: C strings in, status codes
/// and messages out. Nothing here may trap: a trap kills the PHP worker.
enum Boundary {
    static let libraryVersion: StaticString = "0.1.0"

    static func code(_ kind: EventLogError.Kind) -> CInt {
        switch kind {
        case .invalid: EL_EINVAL.rawValue
        case .denied: EL_EDENIED.rawValue
        case .notFound: EL_ENOTFOUND.rawValue
        case .busy: EL_EBUSY.rawValue
        case .io: EL_EIO.rawValue
        case .schema: EL_ESCHEMA.rawValue
        case .misuse: EL_EMISUSE.rawValue
        case .noMemory: EL_ENOMEM.rawValue
        case .internal: EL_ERROR.rawValue
        }
    }

    static func eventLogError(_ error: any Error) -> EventLogError {
        switch error {
        case let e as EventLogError: e
        case let e as SQLiteError: EventLogError(e, doing: "storage error")
        default: EventLogError(.internal, "unexpected error: \(error)")
        }
    }

    /// A required NUL-terminated UTF-8 argument.
    static func string(_ pointer: UnsafePointer<CChar>?, _ name: String, limit: Int) throws -> String {
        guard let pointer else { throw EventLogError.invalid("\(name) is NULL") }
        guard strnlen(pointer, limit + 1) <= limit else { throw EventLogError.invalid("\(name) is longer than \(limit) bytes") }
        guard let s = String(validatingCString: pointer) else { throw EventLogError.invalid("\(name) is not valid UTF-8") }
        guard !s.isEmpty else { throw EventLogError.invalid("\(name) is empty") }
        return s
    }

    static func optionalString(_ pointer: UnsafePointer<CChar>?, _ name: String, limit: Int) throws -> String? {
        guard let pointer else { return nil }
        return try string(pointer, name, limit: limit)
    }

    /// Runs `body` on the store behind `db` under its lock, recording the
    /// message of any failure for `el_errmsg`.
    static func withStore(_ db: OpaquePointer?, _ body: (any EventStore, DatabaseHandle) throws -> Void) -> CInt {
        guard let handle = Registry.lookup(db, as: DatabaseHandle.self) else { return EL_EMISUSE.rawValue }
        return handle.lock.withLock {
            guard var store = handle.store else {
                handle.setMessage("the store is not open (el_open failed or the handle was closed)")
                return EL_EMISUSE.rawValue
            }
            if let fresh = reopened(store, handle) { store = fresh }
            return report(on: handle) { try body(store, handle) }
        }
    }

    /// `withStore` for a function whose result is a string the caller owns
    /// (`char **out, size_t *out_len`): both are cleared first and set only
    /// on success.
    static func withStore(_ db: OpaquePointer?, handingOut out: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
                          _ outLen: UnsafeMutablePointer<Int>?, _ body: (any EventStore) throws -> ByteBuffer) -> CInt {
        out?.pointee = nil
        outLen?.pointee = 0
        return withStore(db) { store, _ in
            guard let out else { throw EventLogError.invalid("the out-parameter is NULL") }
            let result = try body(store)
            try result.withUnsafeBytes { try hand($0, out, outLen) }
        }
    }

    /// A store opened in a degraded way (an SQLite snapshot, opened while
    /// the disk was full or the folder read-only) tries, at most once a
    /// second, to open normally again.
    private static func reopened(_ store: any EventStore, _ handle: DatabaseHandle) -> (any EventStore)? {
        guard store.isDegraded else { return nil }
        let now = BusyWait.monotonicNanoseconds()
        guard now &- handle.lastReopen >= 1_000_000_000 else { return nil }
        handle.lastReopen = now
        guard let fresh = store.reopened() else { return nil }
        handle.store = fresh
        return fresh
    }

    /// Runs `body` (the caller holds `handle.lock`) and turns its outcome into
    /// a status code, keeping the failure's message for `el_errmsg`.
    static func report(on handle: DatabaseHandle, _ body: () throws -> Void) -> CInt {
        do {
            try body()
            handle.setMessage("")
            return EL_OK.rawValue
        } catch {
            let e = eventLogError(error)
            handle.setMessage(e.message)
            return code(e.kind)
        }
    }

    /// Copies bytes into a malloc'd NUL-terminated string the caller frees
    /// with el_string_free.
    static func hand(_ bytes: Bytes, _ out: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>, _ outLen: UnsafeMutablePointer<Int>?) throws {
        guard let buffer = malloc(bytes.count + 1)?.assumingMemoryBound(to: CChar.self) else {
            throw EventLogError(.noMemory, "out of memory for a \(bytes.count)-byte result")
        }
        if let base = bytes.baseAddress { memcpy(buffer, base, bytes.count) }
        buffer[bytes.count] = 0
        out.pointee = buffer
        outLen?.pointee = bytes.count
    }
}

/// Static C strings: valid for the life of the process.
extension StaticString {
    var cString: UnsafePointer<CChar> {
        UnsafeRawPointer(utf8Start).assumingMemoryBound(to: CChar.self)
    }
}
