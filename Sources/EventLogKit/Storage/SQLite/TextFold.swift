import CSQLite
#if canImport(Glibc)
import Glibc
#endif

/// The text search (`q`): a plain substring, case-insensitive for all of
/// Unicode (SQLite's LIKE folds ASCII only, so `RÖYKSOPP` missed
/// `Röyksopp`), with no wildcard characters. Registered on every connection
/// as `se_contains(needle, text, ...)`: whether any of the texts contains
/// the needle, which the caller folded with `fold`. It runs for every row a
/// search scans, so an ASCII text is searched where SQLite holds it,
/// copying and allocating nothing.
enum TextFold {
    static let sqlName = "se_contains"

    /// Lower-cased UTF-8; ASCII without a detour through String.
    static func fold(_ utf8: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        if utf8.allSatisfy({ $0 < 0x80 }) {
            return utf8.map(lowerASCII)
        }
        return Array(String(decoding: utf8, as: UTF8.self).lowercased().utf8)
    }

    static func fold(_ s: String) -> String {
        var s = s
        return s.withUTF8 { String(decoding: fold($0), as: UTF8.self) }
    }

    private static func lowerASCII(_ c: UInt8) -> UInt8 { c >= 0x41 && c <= 0x5A ? c | 0x20 : c }

    /// Whether `text` folded contains `needle` (already folded). An ASCII
    /// text (nearly every row) is searched where it lies, each byte
    /// compared without its case; only other texts are folded first.
    static func contains(_ text: UnsafeBufferPointer<UInt8>, _ needle: UnsafeBufferPointer<UInt8>) -> Bool {
        guard !needle.isEmpty else { return true }
        guard text.count >= needle.count else { return false }
        // A folded ASCII text is ASCII: it cannot hold a needle that is not.
        if isASCII(text) { return isASCII(needle) && findIgnoringCase(text, needle) }
        let folded = fold(text)
        return folded.withUnsafeBufferPointer { find($0, needle) }
    }

    /// Eight bytes at a time: this runs on every text a search reads.
    private static func isASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        let raw = UnsafeRawPointer(base)
        var i = 0
        while i + 8 <= bytes.count {
            if raw.loadUnaligned(fromByteOffset: i, as: UInt64.self) & 0x8080_8080_8080_8080 != 0 { return false }
            i += 8
        }
        while i < bytes.count {
            if base[i] >= 0x80 { return false }
            i += 1
        }
        return true
    }

    /// Whether the lower-case ASCII `needle` (not empty) occurs in the ASCII
    /// `haystack`, either case: memchr to the next first byte in either
    /// case, then the rest compared folded.
    private static func findIgnoringCase(_ haystack: UnsafeBufferPointer<UInt8>, _ needle: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let h = haystack.baseAddress, let n = needle.baseAddress else { return false }
        let first = n[0]
        let upper = first >= 0x61 && first <= 0x7A ? first - 0x20 : first
        let last = haystack.count - needle.count
        var i = 0
        while i <= last {
            let span = last - i + 1
            let lower = memchr(h + i, Int32(first), span)
            let before = lower.map { UnsafeRawPointer($0) - UnsafeRawPointer(h + i) } ?? span
            let hit = upper == first ? lower : memchr(h + i, Int32(upper), before) ?? lower
            guard let hit else { return false }
            let at = UnsafeRawPointer(hit) - UnsafeRawPointer(h)
            var k = 1
            while k < needle.count && lowerASCII(h[at + k]) == n[k] { k += 1 }
            if k == needle.count { return true }
            i = at + 1
        }
        return false
    }

    /// Whether `needle` (not empty) occurs in `haystack`: memchr to each
    /// candidate first byte, then memcmp.
    private static func find(_ haystack: UnsafeBufferPointer<UInt8>, _ needle: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let h = haystack.baseAddress, let n = needle.baseAddress, haystack.count >= needle.count else { return false }
        let last = haystack.count - needle.count
        var i = 0
        while i <= last {
            guard let hit = memchr(h + i, Int32(n[0]), last - i + 1) else { return false }
            let at = UnsafeRawPointer(hit) - UnsafeRawPointer(h)
            if memcmp(h + at, n, needle.count) == 0 { return true }
            i = at + 1
        }
        return false
    }

    static func register(on db: OpaquePointer) {
        sqlite3_create_function_v2(db, sqlName, -1, SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, nil, { context, count, arguments in
            guard let arguments, count >= 1, let needleValue = arguments[0], let needleText = sqlite3_value_text(needleValue) else {
                sqlite3_result_int(context, 0)
                return
            }
            let needle = UnsafeBufferPointer(start: needleText, count: Int(sqlite3_value_bytes(needleValue)))
            for i in 1..<Int(max(count, 1)) {
                guard let value = arguments[i], let text = sqlite3_value_text(value) else { continue }
                if TextFold.contains(UnsafeBufferPointer(start: text, count: Int(sqlite3_value_bytes(value))), needle) {
                    sqlite3_result_int(context, 1)
                    return
                }
            }
            sqlite3_result_int(context, 0)
        }, nil, nil, nil)
    }
}
