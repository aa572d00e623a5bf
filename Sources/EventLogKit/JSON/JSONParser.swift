/// Why a JSON text could not be parsed, with the byte offset.
struct JSONParseError: Error {
    let message: String
    let offset: Int
}

/// An object key as read: where its bytes are in the input, or the decoded
/// text when it holds escapes. Readers that know their keys compare bytes
/// and make no String.
struct JSONKey {
    fileprivate let range: Range<Int>
    fileprivate let decoded: String?
}

/// A strict RFC 8259 parser over UTF-8 bytes, with a nesting limit so hostile
/// input cannot exhaust the stack (a stack overflow would kill the PHP worker).
struct JSONParser {
    static let maxDepth = 32

    private let bytes: [UInt8]
    private var index = 0

    static func parse(_ text: String) throws(JSONParseError) -> JSONValue {
        var parser = JSONParser(text)
        let value = try parser.readValue(depth: 0)
        try parser.finish()
        return value
    }

    /// Parses an input argument; failures are invalid-argument errors naming it.
    static func parse(_ text: String, what: String) throws(EventLogError) -> JSONValue {
        try reading(text, what: what) { p throws(JSONParseError) in try p.readValue(depth: 0) }
    }

    /// Runs `read` over the whole of `text`, which must hold one JSON value;
    /// failures are invalid-argument errors naming the input.
    static func reading<T>(_ text: String, what: String, _ read: (inout JSONParser) throws(JSONParseError) -> T) throws(EventLogError) -> T {
        do {
            var parser = JSONParser(text)
            let result = try read(&parser)
            try parser.finish()
            return result
        } catch {
            throw .invalid("\(what) is not valid JSON: \(error.message) at byte \(error.offset)")
        }
    }

    init(_ text: String) {
        bytes = Array(text.utf8)
        skipWhitespace()
    }

    /// After the value: only whitespace may follow.
    mutating func finish() throws(JSONParseError) {
        skipWhitespace()
        guard index == bytes.count else { throw fail("unexpected text after the JSON value") }
    }

    func fail(_ message: String) -> JSONParseError {
        JSONParseError(message: message, offset: index)
    }

    func duplicateKey(_ key: JSONKey) -> JSONParseError { fail("duplicate key \"\(string(key))\"") }

    /// Whether `key` is `name`.
    func key(_ key: JSONKey, is name: StaticString) -> Bool {
        let count = name.utf8CodeUnitCount
        if let decoded = key.decoded {
            return decoded.utf8.elementsEqual(UnsafeBufferPointer(start: name.utf8Start, count: count))
        }
        guard key.range.count == count else { return false }
        let start = name.utf8Start
        for i in 0..<count where bytes[key.range.lowerBound + i] != start[i] { return false }
        return true
    }

    func string(_ key: JSONKey) -> String {
        key.decoded ?? String(decoding: bytes[key.range], as: UTF8.self)
    }

    /// If the next value is an object, hands each member's key to `member`,
    /// which must read the value (or throw `duplicateKey`), and returns true.
    /// Any other value is read and dropped: false. Lets a reader take an
    /// object's members straight into its fields.
    mutating func readObject(depth: Int, _ member: (inout JSONParser, JSONKey) throws(JSONParseError) -> Void) throws(JSONParseError) -> Bool {
        guard depth <= Self.maxDepth else { throw fail("nested deeper than \(Self.maxDepth) levels") }
        guard current == UInt8(ascii: "{") else {
            _ = try readValue(depth: depth)
            return false
        }
        index += 1
        skipWhitespace()
        if current == UInt8(ascii: "}") { index += 1; return true }
        while true {
            skipWhitespace()
            guard current == UInt8(ascii: "\"") else { throw fail("expected a string key") }
            let key = try readKey()
            skipWhitespace()
            guard current == UInt8(ascii: ":") else { throw fail("expected ':'") }
            index += 1
            skipWhitespace()
            try member(&self, key)
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "}"): index += 1; return true
            default: throw fail("expected ',' or '}'")
            }
        }
    }

    /// Reads the next value if it is `null`.
    mutating func readNull() throws(JSONParseError) -> Bool {
        guard current == UInt8(ascii: "n") else { return false }
        try expect("null")
        return true
    }

    /// For a reader taking an object's members into fields: reads the value
    /// of `key` into `slot`, which must still be empty (a repeated key is a
    /// JSON error, as in any object).
    mutating func readValue(of key: JSONKey, into slot: inout JSONValue?, depth: Int) throws(JSONParseError) {
        guard slot == nil else { throw duplicateKey(key) }
        slot = try readValue(depth: depth)
    }

    /// For such a reader: reads and drops the value of a key it does not
    /// know, noting the key in `unknown` for the error it will give (a set:
    /// an event of 300,000 unknown keys took 95 s with a list).
    mutating func skipValue(ofUnknown key: JSONKey, noting unknown: inout Set<String>, depth: Int) throws(JSONParseError) {
        guard unknown.insert(string(key)).inserted else { throw duplicateKey(key) }
        _ = try readValue(depth: depth)
    }

    /// If the next value is an array, hands each element to `element`, which
    /// must read it, and returns true; any other value is read and dropped: false.
    mutating func readArray(depth: Int, _ element: (inout JSONParser) throws(JSONParseError) -> Void) throws(JSONParseError) -> Bool {
        guard depth <= Self.maxDepth else { throw fail("nested deeper than \(Self.maxDepth) levels") }
        guard current == UInt8(ascii: "[") else {
            _ = try readValue(depth: depth)
            return false
        }
        index += 1
        skipWhitespace()
        if current == UInt8(ascii: "]") { index += 1; return true }
        while true {
            skipWhitespace()
            try element(&self)
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "]"): index += 1; return true
            default: throw fail("expected ',' or ']'")
            }
        }
    }

    private var current: UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func skipWhitespace() {
        while let c = current, c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 { index += 1 }
    }

    private mutating func expect(_ literal: StaticString) throws(JSONParseError) {
        let count = literal.utf8CodeUnitCount
        guard bytes.count - index >= count else { throw fail("invalid literal") }
        let start = literal.utf8Start
        for i in 0..<count where bytes[index + i] != start[i] { throw fail("invalid literal") }
        index += count
    }

    /// Reads the next value.
    mutating func readValue(depth: Int) throws(JSONParseError) -> JSONValue {
        guard depth <= Self.maxDepth else { throw fail("nested deeper than \(Self.maxDepth) levels") }
        guard let c = current else { throw fail("unexpected end of input") }
        switch c {
        case UInt8(ascii: "{"): return try parseObject(depth: depth)
        case UInt8(ascii: "["): return try parseArray(depth: depth)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expect("true"); return .bool(true)
        case UInt8(ascii: "f"): try expect("false"); return .bool(false)
        case UInt8(ascii: "n"): try expect("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw fail("unexpected character")
        }
    }

    /// Objects past this many members also keep a set of their keys, so that
    /// finding a duplicate stays linear for a hostile 100,000-key object.
    static let linearKeyLimit = 16

    private mutating func parseObject(depth: Int) throws(JSONParseError) -> JSONValue {
        var object = JSONObject()
        var seen: Set<String> = []
        _ = try readObject(depth: depth) { p, jsonKey throws(JSONParseError) in
            let key = p.string(jsonKey)
            if object.count < Self.linearKeyLimit {
                guard object[key] == nil else { throw p.duplicateKey(jsonKey) }
            } else {
                if seen.isEmpty { seen = Set(object.keys) }
                guard seen.insert(key).inserted else { throw p.duplicateKey(jsonKey) }
            }
            object.append(uniqueKey: key, try p.readValue(depth: depth + 1))
        }
        return .object(object)
    }

    private mutating func parseArray(depth: Int) throws(JSONParseError) -> JSONValue {
        var array: [JSONValue] = []
        _ = try readArray(depth: depth) { p throws(JSONParseError) in array.append(try p.readValue(depth: depth + 1)) }
        return .array(array)
    }

    private mutating func parseHex4() throws(JSONParseError) -> UInt32 {
        guard bytes.count - index >= 4 else { throw fail("truncated \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let c = bytes[index]
            let digit: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = c - UInt8(ascii: "A") + 10
            default: throw fail("invalid \\u escape")
            }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }

    private mutating func readKey() throws(JSONParseError) -> JSONKey {
        let quote = index
        index += 1
        while index < bytes.count {
            let c = bytes[index]
            if c == UInt8(ascii: "\"") {
                index += 1
                return JSONKey(range: quote + 1..<index - 1, decoded: nil)
            }
            if c == UInt8(ascii: "\\") || c < 0x20 { break }
            index += 1
        }
        index = quote
        return JSONKey(range: quote..<quote, decoded: try parseString())
    }

    private mutating func parseString() throws(JSONParseError) -> String {
        index += 1
        // Most strings hold no escapes: made from the input bytes directly.
        let start = index
        while index < bytes.count {
            let c = bytes[index]
            if c == UInt8(ascii: "\"") {
                index += 1
                // The input was validated as UTF-8 at the boundary.
                return String(decoding: bytes[start..<index - 1], as: UTF8.self)
            }
            if c == UInt8(ascii: "\\") || c < 0x20 { break }
            index += 1
        }
        var out = Array(bytes[start..<index])
        while true {
            guard let c = current else { throw fail("unterminated string") }
            index += 1
            switch c {
            case UInt8(ascii: "\""):
                // The input was validated as UTF-8 at the boundary; escapes
                // below only ever produce valid scalars.
                return String(decoding: out, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard let e = current else { throw fail("unterminated escape") }
                index += 1
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try parseHex4()
                    if (0xD800...0xDBFF).contains(scalar) {
                        guard bytes.count - index >= 2, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u")
                        else { throw fail("unpaired surrogate") }
                        index += 2
                        let low = try parseHex4()
                        guard (0xDC00...0xDFFF).contains(low) else { throw fail("unpaired surrogate") }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else if (0xDC00...0xDFFF).contains(scalar) {
                        throw fail("unpaired surrogate")
                    }
                    guard scalar != 0 else { throw fail("NUL character in string") }
                    guard let s = Unicode.Scalar(scalar) else { throw fail("invalid \\u escape") }
                    out.append(contentsOf: Array(String(Character(s)).utf8))
                default: throw fail("invalid escape")
                }
            case 0x00..<0x20: throw fail("control character in string")
            default: out.append(c)
            }
        }
    }

    private mutating func parseNumber() throws(JSONParseError) -> JSONValue {
        let start = index
        if current == UInt8(ascii: "-") { index += 1 }
        guard let first = current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) else { throw fail("invalid number") }
        if first == UInt8(ascii: "0") { index += 1 } else { skipDigits() }
        var integral = true
        if current == UInt8(ascii: ".") {
            integral = false
            index += 1
            guard skipDigits() > 0 else { throw fail("invalid number") }
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            integral = false
            index += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { index += 1 }
            guard skipDigits() > 0 else { throw fail("invalid number") }
        }
        if integral, let i = Self.integer(bytes[start..<index]) { return .integer(i) }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        guard let d = Double(text), d.isFinite else { throw fail("number out of range") }
        return .double(d)
    }

    /// An optional minus and digits, as Int64 unless it overflows (ids and
    /// timestamps are most of the numbers read; no String is made for them).
    private static func integer(_ digits: ArraySlice<UInt8>) -> Int64? {
        var rest = digits[...]
        let negative = rest.first == UInt8(ascii: "-")
        if negative { rest = rest.dropFirst() }
        var value: Int64 = 0
        for c in rest {
            let (times10, o1) = value.multipliedReportingOverflow(by: 10)
            let (next, o2) = negative ? times10.subtractingReportingOverflow(Int64(c &- UInt8(ascii: "0")))
                                      : times10.addingReportingOverflow(Int64(c &- UInt8(ascii: "0")))
            guard !o1, !o2 else { return nil }
            value = next
        }
        return value
    }

    @discardableResult
    private mutating func skipDigits() -> Int {
        let start = index
        while let c = current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c) { index += 1 }
        return index - start
    }
}
