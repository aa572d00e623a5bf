import Testing
@testable import EventLogKit

@Suite struct TextFoldTests {
    func contains(_ text: String, _ needle: String) -> Bool {
        let folded = Array(TextFold.fold(needle).utf8)
        return Array(text.utf8).withUnsafeBufferPointer { t in folded.withUnsafeBufferPointer { TextFold.contains(t, $0) } }
    }

    @Test func substringsCaseInsensitiveForAllOfUnicode() {
        #expect(contains("DJ Röyksopp live", "RÖYKSOPP"))
        #expect(contains("aaab", "aab"))             // a candidate first byte that does not match
        #expect(contains("ends with it", "IT"))
        #expect(!contains("short", "longer than it"))
        #expect(!contains("Z%x", "z%\u{301}"))      // the accent is part of the needle, not a wildcard
        #expect(contains("Z%\u{301}x", "z%\u{301}"))
        #expect(contains(String(repeating: "a", count: 5000) + "Needle", "needle"))  // past the stack buffer
        #expect(contains("anything", ""))
    }
}
