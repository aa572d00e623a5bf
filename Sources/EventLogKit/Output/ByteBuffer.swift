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
        self.capacity = max(capacity, 16)
        base = .allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }

    var isEmpty: Bool { count == 0 }

    /// The bytes as an array: what the C boundary hands out and keeps.
    var array: [UInt8] { withUnsafeBytes { Array($0) } }

    func withUnsafeBytes<R>(_ body: (Bytes) throws -> R) rethrows -> R {
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

    mutating func append(contentsOf bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { append(contentsOf: $0) }
    }

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
