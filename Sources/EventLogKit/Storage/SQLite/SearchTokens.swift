/// The words the search counters keep (`SearchCounters`): an event's DJ
/// name, source IP and message, folded as `TextFold` folds them for a
/// search, split at ASCII white space. A needle without white space that a
/// folded text contains lies within one of the text's tokens, so an event
/// matches such a needle exactly when one of its tokens contains it.
enum SearchTokens {
    static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || (byte >= 0x09 && byte <= 0x0D) }

    /// The distinct tokens of an event's texts.
    static func of(_ texts: [String?]) -> Set<String> {
        var tokens = Set<String>()
        for case let text? in texts {
            for token in split(TextFold.fold(text)) { tokens.insert(token) }
        }
        return tokens
    }

    /// A folded text's tokens, in order.
    static func split(_ folded: String) -> [String] {
        folded.utf8.split(whereSeparator: isSpace).map { String(decoding: $0, as: UTF8.self) }
    }

    /// The trigrams of a token as SQLite's FTS5 `trigram` tokenizer makes
    /// them: every three consecutive code points.
    static func trigrams(_ token: String) -> [String] {
        let scalars = Array(token.unicodeScalars)
        guard scalars.count >= 3 else { return [] }
        return (0...(scalars.count - 3)).map { i in
            var trigram = String.UnicodeScalarView()
            trigram.append(contentsOf: scalars[i..<i + 3])
            return String(trigram)
        }
    }
}
