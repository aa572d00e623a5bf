#if canImport(Glibc)
import Glibc
#endif
import CEventLog

// The C contract of include/eventlog.h. Each function only marshals, calls
// EventStore and maps errors; `@c @implementation` makes the compiler check
// every signature against the header.

@c @implementation
public func el_abi_version() -> CInt {
    CInt(EL_ABI_VERSION.rawValue)
}

@c @implementation
public func el_version() -> UnsafePointer<CChar>! {
    Boundary.libraryVersion.cString
}

@c @implementation
public func el_open(_ out: UnsafeMutablePointer<OpaquePointer?>!, _ path: UnsafePointer<CChar>!, _ options: UnsafePointer<CChar>!) -> CInt {
    guard let out else { return EL_EINVAL.rawValue }
    let handle = DatabaseHandle()
    out.pointee = OpaquePointer(Registry.register(handle))
    return handle.lock.withLock {
        Boundary.report(on: handle) {
            let path = try Boundary.string(path, "path", limit: Limits.pathBytes)
            let optionsJSON = try Boundary.optionalString(options, "options_json", limit: Limits.smallArgumentBytes)
            let parsed = try StoreOptions.parse(try optionsJSON.map { try JSONParser.parse($0, what: "options_json") })
            handle.poolKey = StorePool.key(path: path, options: optionsJSON)
            handle.store = try StorePool.take(handle.poolKey) ?? Stores.open(path, options: parsed)
        }
    }
}

@c @implementation
public func el_close(_ db: OpaquePointer!) {
    guard let handle = Registry.unregister(db, as: DatabaseHandle.self) else { return }
    handle.lock.withLock { handle.store = nil }
}

@c @implementation
public func el_release(_ db: OpaquePointer!) {
    guard let handle = Registry.unregister(db, as: DatabaseHandle.self) else { return }
    handle.lock.withLock {
        if let store = handle.store { StorePool.put(store, handle.poolKey) }
        handle.store = nil
    }
}

@c @implementation
public func el_errmsg(_ db: OpaquePointer!) -> UnsafePointer<CChar>! {
    guard db != nil else { return StaticString("no database handle (NULL)").cString }
    guard let handle = Registry.lookup(db, as: DatabaseHandle.self) else {
        return StaticString("not an open database handle (closed or foreign pointer)").cString
    }
    return handle.lock.withLock { handle.errorMessage ?? StaticString("").cString }
}

@c @implementation
public func el_log(_ db: OpaquePointer!, _ eventJSON: UnsafePointer<CChar>!, _ outID: UnsafeMutablePointer<Int64>!) -> CInt {
    outID?.pointee = 0
    return Boundary.withStore(db) { store, _ in
        let id = try store.log(json: try Boundary.string(eventJSON, "event_json", limit: Limits.eventJSONBytes))
        outID?.pointee = id
    }
}

@c @implementation
public func el_log_batch(_ db: OpaquePointer!, _ eventsJSON: UnsafePointer<CChar>!, _ outCount: UnsafeMutablePointer<Int64>!) -> CInt {
    outCount?.pointee = 0
    return Boundary.withStore(db) { store, _ in
        let count = try store.logBatch(json: try Boundary.string(eventsJSON, "events_json_array", limit: Limits.bulkArgumentBytes))
        outCount?.pointee = count
    }
}

@c @implementation
public func el_directory_put(_ db: OpaquePointer!, _ json: UnsafePointer<CChar>!) -> CInt {
    Boundary.withStore(db) { store, _ in
        try store.putDirectory(json: try Boundary.string(json, "json", limit: Limits.bulkArgumentBytes))
    }
}

@c @implementation
public func el_query(_ db: OpaquePointer!, _ principal: UnsafePointer<CChar>!, _ filter: UnsafePointer<CChar>!,
                     _ outJSON: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>!, _ outLen: UnsafeMutablePointer<Int>!) -> CInt {
    Boundary.withStore(db, handingOut: outJSON, outLen) { store in
        try store.query(principalJSON: try Boundary.string(principal, "principal_json", limit: Limits.smallArgumentBytes),
                        filterJSON: try Boundary.optionalString(filter, "filter_json", limit: Limits.smallArgumentBytes))
    }
}

@c @implementation
public func el_export_open(_ db: OpaquePointer!, _ principal: UnsafePointer<CChar>!, _ filter: UnsafePointer<CChar>!,
                           _ format: UnsafePointer<CChar>!, _ out: UnsafeMutablePointer<OpaquePointer?>!) -> CInt {
    out?.pointee = nil
    return Boundary.withStore(db) { store, database in
        guard let out else { throw EventLogError.invalid("out is NULL") }
        let export = try store.export(principalJSON: try Boundary.string(principal, "principal_json", limit: Limits.smallArgumentBytes),
                                      filterJSON: try Boundary.optionalString(filter, "filter_json", limit: Limits.smallArgumentBytes),
                                      format: try ExportFormat(argument: try Boundary.string(format, "format", limit: 16)))
        out.pointee = OpaquePointer(Registry.register(ExportHandle(database: database, export: export)))
    }
}

@c @implementation
public func el_export_next(_ ex: OpaquePointer!, _ chunk: UnsafeMutablePointer<UnsafePointer<CChar>?>!, _ chunkLen: UnsafeMutablePointer<Int>!) -> CInt {
    chunk?.pointee = nil
    chunkLen?.pointee = 0
    guard let handle = Registry.lookup(ex, as: ExportHandle.self) else { return EL_EMISUSE.rawValue }
    guard let chunk, let chunkLen else { return EL_EINVAL.rawValue }
    // Errors are reported on the database handle the export belongs to.
    return handle.database.lock.withLock {
        guard handle.database.store != nil, let export = handle.export else {
            handle.database.setMessage("the export's store was closed")
            return EL_EMISUSE.rawValue
        }
        return Boundary.report(on: handle.database) {
            handle.chunk = try export.next() ?? ByteBuffer(capacity: 0)
            handle.chunk.withUnsafeBytes { buffer in
                chunk.pointee = buffer.isEmpty ? nil : UnsafeRawPointer(buffer.baseAddress)?.assumingMemoryBound(to: CChar.self)
                chunkLen.pointee = buffer.count
            }
        }
    }
}

@c @implementation
public func el_export_close(_ ex: OpaquePointer!) {
    guard let handle = Registry.unregister(ex, as: ExportHandle.self) else { return }
    handle.database.lock.withLock { handle.export = nil }
}

@c @implementation
public func el_prune(_ db: OpaquePointer!, _ nowMs: Int64, _ outDeleted: UnsafeMutablePointer<Int64>!) -> CInt {
    outDeleted?.pointee = 0
    return Boundary.withStore(db) { store, _ in
        guard nowMs >= 0, nowMs <= Time.maxMilliseconds else { throw EventLogError.invalid("now_ms must be 0 (now) or unix milliseconds") }
        let deleted = try store.prune(now: nowMs)
        outDeleted?.pointee = deleted
    }
}

@c @implementation
public func el_cursor(_ db: OpaquePointer!, _ outJSON: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>!, _ outLen: UnsafeMutablePointer<Int>!) -> CInt {
    Boundary.withStore(db, handingOut: outJSON, outLen) { store in ByteBuffer(utf8: try store.cursor()) }
}

@c @implementation
public func el_store_info(_ db: OpaquePointer!, _ outJSON: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>!, _ outLen: UnsafeMutablePointer<Int>!) -> CInt {
    Boundary.withStore(db, handingOut: outJSON, outLen) { store in try store.info() }
}

@c @implementation
public func el_copy(_ db: OpaquePointer!, _ sqlitePath: UnsafePointer<CChar>!, _ outJSON: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>!,
                    _ outLen: UnsafeMutablePointer<Int>!) -> CInt {
    Boundary.withStore(db, handingOut: outJSON, outLen) { store in
        try store.copy(fromSQLite: try Boundary.string(sqlitePath, "sqlite_path", limit: Limits.pathBytes))
    }
}

@c @implementation
public func el_set_retention_days(_ db: OpaquePointer!, _ days: CInt) -> CInt {
    Boundary.withStore(db) { store, _ in try store.setRetentionDays(Int64(days)) }
}

@c @implementation
public func el_catalog(_ outJSON: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>!, _ outLen: UnsafeMutablePointer<Int>!) -> CInt {
    outJSON?.pointee = nil
    outLen?.pointee = 0
    guard let outJSON else { return EL_EINVAL.rawValue }
    do {
        try CatalogJSON.bytes.withUnsafeBufferPointer { try Boundary.hand($0, outJSON, outLen) }
        return EL_OK.rawValue
    } catch {
        return EL_ENOMEM.rawValue
    }
}

@c @implementation
public func el_string_free(_ s: UnsafeMutablePointer<CChar>!) {
    free(s)
}
