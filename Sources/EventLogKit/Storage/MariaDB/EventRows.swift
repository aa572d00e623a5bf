import CMariaDB

/// Events as parameter rows of the prepared event INSERT (`se_execute_events`
/// in the C shim): the server receives values, so nothing is escaped, and
/// many rows travel as one array. Columns in `MariaDBSchema.eventColumns`
/// order; kept row by row here and handed over column by column.
struct EventRows {
    private(set) var count = 0
    private var integers: [Int64] = []       // SE_EVENT_INTS a row
    private var integerIsNull: [CChar] = []
    private var text: [UInt8] = []
    private var spans: [Int] = []            // (offset, length) for SE_EVENT_TEXTS a row; offset -1: NULL

    /// Rows of at most this much text go in one execution: well inside the
    /// 16 MiB a server takes in one request by default (`max_allowed_packet`).
    static let textBytesPerExecution = 4 << 20

    var isFull: Bool { text.count >= Self.textBytesPerExecution }

    /// Room for `rows` rows of a few hundred bytes of text each.
    init(capacity rows: Int) {
        integers.reserveCapacity(rows * Int(SE_EVENT_INTS))
        integerIsNull.reserveCapacity(rows * Int(SE_EVENT_INTS))
        spans.reserveCapacity(rows * 2 * Int(SE_EVENT_TEXTS))
        text.reserveCapacity(rows * 256)
    }

    init() {}

    /// No rows, the room kept.
    mutating func removeAll() {
        count = 0
        integers.removeAll(keepingCapacity: true)
        integerIsNull.removeAll(keepingCapacity: true)
        text.removeAll(keepingCapacity: true)
        spans.removeAll(keepingCapacity: true)
    }

    mutating func append(_ e: Event, names: Directory.ServiceNames?) {
        var owner: Int64?, service: String?, ownerName: String?
        if case .integer(let o)? = names?.owner { owner = o }
        if case .text(let s)? = names?.service { service = s }
        if case .text(let s)? = names?.ownerName { ownerName = s }
        // Column order: see se_execute_events.
        append(e.id); append(e.timestamp); append(e.type.code); append(e.serviceId); append(e.actor.type.code)
        append(e.actor.id); append(e.takeover.map { $0 ? 1 : 0 }); append(owner)
        append(e.actor.name); append(e.djName); append(e.sourceIp); append(e.detailsJSON); append(e.message)
        append(service); append(ownerName)
        count += 1
    }

    /// The current row of an SQLite statement that selected `MariaDBSchema.eventColumns`.
    mutating func append(sqliteRow s: Statement) {
        for column: Int32 in [0, 1, 2, 3, 4, 5, 9, 13] { append(s.optionalInt64(column)) }
        for column: Int32 in [6, 7, 8, 10, 11, 12, 14] {
            if let bytes = s.bytes(column) { append(bytes) } else { appendNullText() }
        }
        count += 1
    }

    private mutating func append(_ v: Int64?) {
        integers.append(v ?? 0)
        integerIsNull.append(v == nil ? 1 : 0)
    }

    private mutating func append(_ s: String?) {
        guard var s else { return appendNullText() }
        s.withUTF8 { append($0) }
    }

    private mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        spans.append(text.count)
        spans.append(bytes.count)
        text.append(contentsOf: bytes)
    }

    private mutating func appendNullText() {
        spans.append(-1)
        spans.append(0)
    }

    /// Calls `body` with the rows laid out as `se_execute_events` takes them:
    /// column by column, in one scratch allocation, pointing into `text`.
    func withColumns(_ body: (_ rows: UInt32, _ ints: UnsafePointer<Int64>, _ intIsNull: UnsafePointer<CChar>,
                              _ text: UnsafePointer<UnsafePointer<CChar>?>, _ length: UnsafePointer<UInt>,
                              _ textIsNull: UnsafePointer<CChar>) -> Int32) -> Int32 {
        let n = count, ints = Int(SE_EVENT_INTS), texts = Int(SE_EVENT_TEXTS)
        // Word-sized arrays first (values, pointers, lengths), then the byte flags.
        let words = n * (ints + 2 * texts)
        return text.withUnsafeBufferPointer { buffer in
            withUnsafeTemporaryAllocation(byteCount: words * 8 + n * (ints + texts), alignment: 8) { scratch in
                let start = scratch.baseAddress!
                let columnInts = start.bindMemory(to: Int64.self, capacity: n * ints)
                let pointers = (start + n * ints * 8).bindMemory(to: UnsafePointer<CChar>?.self, capacity: n * texts)
                let lengths = (start + n * (ints + texts) * 8).bindMemory(to: UInt.self, capacity: n * texts)
                let flags = (start + words * 8).bindMemory(to: CChar.self, capacity: n * (ints + texts))
                // An empty text still needs a pointer: NULL is what the flag says.
                let base = UnsafeRawPointer(buffer.baseAddress ?? UnsafePointer(bitPattern: 1)!).assumingMemoryBound(to: CChar.self)
                for r in 0..<n {
                    for c in 0..<ints {
                        columnInts[c * n + r] = integers[r * ints + c]
                        flags[c * n + r] = integerIsNull[r * ints + c]
                    }
                    for c in 0..<texts {
                        let offset = spans[2 * (r * texts + c)]
                        lengths[c * n + r] = UInt(spans[2 * (r * texts + c) + 1])
                        flags[n * ints + c * n + r] = offset < 0 ? 1 : 0
                        pointers[c * n + r] = offset < 0 ? nil : base + offset
                    }
                }
                return body(UInt32(n), columnInts, flags, pointers, lengths, flags + n * ints)
            }
        }
    }
}
