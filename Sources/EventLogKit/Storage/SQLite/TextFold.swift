import CSQLite

/// Case folding for the text search (`q`), for all of Unicode: SQLite's
/// LIKE folds ASCII only, so `RÖYKSOPP` missed `Röyksopp`. Registered on
/// every connection as `se_fold(text)`; the search matches a folded needle
/// inside folded columns with `instr`, so no character of it is a wildcard.
enum TextFold {
    static let sqlName = "se_fold"

    /// Lower-cased UTF-8; ASCII without a detour through String.
    static func fold(_ utf8: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        if utf8.allSatisfy({ $0 < 0x80 }) {
            return utf8.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }
        }
        return Array(String(decoding: utf8, as: UTF8.self).lowercased().utf8)
    }

    static func fold(_ s: String) -> String {
        var s = s
        return s.withUTF8 { String(decoding: fold($0), as: UTF8.self) }
    }

    static func register(on db: OpaquePointer) {
        sqlite3_create_function_v2(db, sqlName, 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, nil, { context, _, arguments in
            guard let value = arguments?[0], let text = sqlite3_value_text(value) else {
                sqlite3_result_null(context)
                return
            }
            let folded = TextFold.fold(UnsafeBufferPointer(start: text, count: Int(sqlite3_value_bytes(value))))
            folded.withUnsafeBufferPointer { buffer in
                // SQLITE_TRANSIENT: SQLite copies the result.
                sqlite3_result_text(context, UnsafeRawPointer(buffer.baseAddress)?.assumingMemoryBound(to: CChar.self),
                                    Int32(buffer.count), unsafeBitCast(-1, to: sqlite3_destructor_type.self))
            }
        }, nil, nil, nil)
    }
}
