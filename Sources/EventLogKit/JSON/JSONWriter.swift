/// Appends the decimal digits of `value` without making a String (export hot path).
func appendDecimal(_ value: Int64, to out: inout ByteBuffer) {
    if value < 0 { out.append(UInt8(ascii: "-")) }
    var magnitude = value.magnitude
    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { d in
        // Written from the end, appended at once.
        var start = d.count
        repeat {
            start -= 1
            d[start] = UInt8(magnitude % 10) + UInt8(ascii: "0")
            magnitude /= 10
        } while magnitude > 0
        out.append(contentsOf: UnsafeBufferPointer(rebasing: d[start...]))
    }
}

/// Appends JSON text to a byte buffer (the hot path of query and export).
struct JSONWriter: ~Copyable {
    var bytes: ByteBuffer

    init(capacity: Int = 256) { bytes = ByteBuffer(capacity: capacity) }

    mutating func raw(_ s: StaticString) {
        bytes.append(s)
    }

    mutating func integer(_ value: Int64) { appendDecimal(value, to: &bytes) }

    mutating func string(_ s: String) {
        var s = s
        s.withUTF8 { string($0) }
    }

    mutating func string(_ utf8: Bytes) {
        bytes.append(UInt8(ascii: "\""))
        var clean = utf8.startIndex  // runs without escapes are copied whole
        for i in utf8.indices {
            let c = utf8[i]
            guard c < 0x20 || c == UInt8(ascii: "\"") || c == UInt8(ascii: "\\") else { continue }
            bytes.append(contentsOf: Bytes(rebasing: utf8[clean..<i]))
            clean = i + 1
            switch c {
            case UInt8(ascii: "\""): raw("\\\"")
            case UInt8(ascii: "\\"): raw("\\\\")
            case 0x0A: raw("\\n")
            case 0x0D: raw("\\r")
            case 0x09: raw("\\t")
            default:
                let hex: StaticString = "0123456789abcdef"
                raw("\\u00")
                bytes.append(hex.utf8Start[Int(c >> 4)])
                bytes.append(hex.utf8Start[Int(c & 0xF)])
            }
        }
        bytes.append(contentsOf: Bytes(rebasing: utf8[clean...]))
        bytes.append(UInt8(ascii: "\""))
    }

    mutating func optionalString(_ s: String?) { if let s { string(s) } else { raw("null") } }
    mutating func optionalString(_ s: Bytes?) { if let s { string(s) } else { raw("null") } }
    mutating func optionalInteger(_ i: Int64?) { if let i { integer(i) } else { raw("null") } }

    mutating func value(_ v: JSONValue) {
        switch v {
        case .null: raw("null")
        case .bool(let b): if b { raw("true") } else { raw("false") }
        case .integer(let i): integer(i)
        case .double(let d):
            bytes.append(utf8: d.description)
        case .string(let s): string(s)
        case .array(let a):
            bytes.append(UInt8(ascii: "["))
            for (i, element) in a.enumerated() {
                if i > 0 { bytes.append(UInt8(ascii: ",")) }
                value(element)
            }
            bytes.append(UInt8(ascii: "]"))
        case .object(let o):
            bytes.append(UInt8(ascii: "{"))
            for (i, m) in o.members.sorted(by: { $0.key < $1.key }).enumerated() {
                if i > 0 { bytes.append(UInt8(ascii: ",")) }
                string(m.key)
                bytes.append(UInt8(ascii: ":"))
                value(m.value)
            }
            bytes.append(UInt8(ascii: "}"))
        }
    }

    /// `"key":` with a leading comma unless `first`.
    mutating func key(_ k: StaticString, first: Bool = false) {
        if !first { bytes.append(UInt8(ascii: ",")) }
        bytes.append(UInt8(ascii: "\""))
        raw(k)
        raw("\":")
    }

    static func encode(_ v: JSONValue) -> String {
        var w = JSONWriter()
        w.value(v)
        return w.bytes.withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
    }
}
