/// The bytes the output paths write (a page's JSON, an export's CSV and
/// JSON Lines): an append is a capacity check and a copy. An `[UInt8]`'s
/// `append(contentsOf:)` spent some 80 instructions a call before it copied
/// (callgrind), and an exported CSV row is fifteen appends.
///
/// Not copyable, so it owns its storage alone: no reference count, and no
/// uniqueness check before each append.
struct ByteBuffer: ~Copyable {
    private var base: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private(set) var count = 0

    init(capacity: Int = 256) {
        self.capacity = capacity
        base = .allocate(capacity: capacity)
    }

    /// A copy of `bytes` (a part of a larger buffer).
    init(copying bytes: Bytes) {
        self.init(capacity: bytes.count)
        append(contentsOf: bytes)
    }

    /// The UTF-8 of `text` (a result that is one string).
    init(utf8 text: String) {
        self.init(capacity: text.utf8.count)
        append(utf8: text)
    }

    deinit { base.deallocate() }

    var isEmpty: Bool { count == 0 }

    /// The bytes as an array (a result kept for the life of the process).
    var array: [UInt8] { withUnsafeBytes { Array($0) } }

    func withUnsafeBytes<R: ~Copyable>(_ body: (Bytes) throws -> R) rethrows -> R {
        try body(Bytes(start: base, count: count))
    }

    @inline(__always)
    mutating func append(_ byte: UInt8) {
        if count == capacity { grow(to: count + 1) }
        base[count] = byte
        count += 1
    }

    @inline(__always)
    mutating func append(contentsOf bytes: Bytes) {
        guard let source = bytes.baseAddress, !bytes.isEmpty else { return }
        if count + bytes.count > capacity { grow(to: count + bytes.count) }
        (base + count).initialize(from: source, count: bytes.count)
        count += bytes.count
    }

    /// Literal text (JSON punctuation, SQL the fold writes).
    mutating func append(_ text: StaticString) {
        append(contentsOf: Bytes(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// The UTF-8 of `text`, as it is (no escaping).
    mutating func append(utf8 text: String) {
        var text = text
        text.withUTF8 { append(contentsOf: $0) }
    }

    /// The bytes as text (they are UTF-8).
    var string: String { withUnsafeBytes { String(decoding: $0, as: UTF8.self) } }

    @inline(never)
    private mutating func grow(to needed: Int) {
        let grown = max(capacity * 2, needed)
        let moved = UnsafeMutablePointer<UInt8>.allocate(capacity: grown)
        moved.initialize(from: base, count: count)
        base.deallocate()
        base = moved
        capacity = grown
    }
}
