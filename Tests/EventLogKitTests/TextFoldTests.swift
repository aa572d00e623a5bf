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

    /// An ASCII text is searched in place, each byte compared without its case.
    @Test func asciiTextsSearchedInPlace() {
        #expect(contains("Frequent NAME", "name"))
        #expect(contains("xXyz", "xyz"))             // an upper-case candidate after a lower-case one that fails
        #expect(contains("Xxyz", "xyz"))             // and the other way round
        #expect(contains("10.128.7.9", "10.128.7."))  // a first byte without case
        #expect(!contains("abc", "abd"))
        #expect(!contains("ABC", "bcd"))              // runs past the end
        #expect(!contains("plain ascii", "ascïi"))    // a needle that is not ASCII
        #expect(contains("Song 4242 (live)", "SONG 4242"))
        #expect(contains("\u{212A}elvin", "kelvin"))   // not ASCII: KELVIN SIGN folds to k
    }
}
