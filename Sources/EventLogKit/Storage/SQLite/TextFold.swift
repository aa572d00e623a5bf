import CSQLite
#if canImport(Glibc)
import Glibc
#endif

/// The text search (`q`): a plain substring, case-insensitive for all of
/// Unicode (SQLite's LIKE folds ASCII only, so `RÖYKSOPP` missed
/// `Röyksopp`), with no wildcard characters. Registered on every connection
/// as `se_contains(needle, text, ...)`: whether any of the texts contains
/// the needle, which the caller folded with `fold`. It runs for every row a
/// search scans, so an ASCII text is folded into a buffer on the stack,
/// allocating nothing.
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

    /// Whether `text` folded contains `needle` (already folded).
    static func contains(_ text: UnsafeBufferPointer<UInt8>, _ needle: UnsafeBufferPointer<UInt8>) -> Bool {
        guard !needle.isEmpty else { return true }
        guard text.count >= needle.count else { return false }
        if text.count <= 4096, text.allSatisfy({ $0 < 0x80 }) {
            return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: text.count) { buffer in
                for i in 0..<text.count { buffer[i] = lowerASCII(text[i]) }
                return find(UnsafeBufferPointer(buffer), needle)
            }
        }
        let folded = fold(text)
        return folded.withUnsafeBufferPointer { find($0, needle) }
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
