import Testing
@testable import EventLogKit

@Suite struct ExportTests {
    let base: Int64 = 1_790_000_000_000  // 2026-09-21T14:13:20Z

    @Test func csvQuotesAndGuardsFormulas() throws {
        let t = try TempStore(now: base + 3_600_000)
        try t.store.putDirectory(json: panelDirectory)
        try t.log(#"{"type":"dj.connect","serviceId":10,"djName":"=HYPERLINK(\"http://x\")","sourceIp":"203.0.113.7","time":1790000000000}"#)
        try t.log(#"{"type":"service.title_update","serviceId":10,"actor":{"type":"user","name":"@admin"},"details":{"title":"a, b\r\nc"},"time":1790000001000}"#)
        let csv = try t.export(admin, format: "csv")
        let lines = csv.split(separator: "\r\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines[0] == "id,time_utc,type,event,category,service_id,service,customer_id,customer,actor_type,actor_id,actor_name,dj_name,source_ip,takeover,message,details")
        #expect(csv.hasSuffix("\r\n"))
        #expect(lines[1].hasPrefix("2,2026-09-21T14:13:21.000Z,service.title_update,Song Title Update,service,10,Alice Main,4,Alice FM,user,,\"'@admin\",,,,\"'@admin set"))
        #expect(lines[1].contains(#"set the song title to ""a, b"#))
        #expect(lines[2] == "c\"\"\",\"{\"\"title\"\":\"\"a, b\\r\\nc\"\"}\"")
        #expect(lines[3].contains(#",dj,,"'=HYPERLINK(""http://x"")","'=HYPERLINK(""http://x"")",203.0.113.7,,"DJ =HYPERLINK"#))
        // A single service's export has no service columns.
        let one = try t.export(customerA1, #"{"serviceId":10}"#, format: "csv")
        #expect(one.hasPrefix("id,time_utc,type,event,category,actor_type,"))
    }

    @Test func guardEveryFormulaPrefix() {
        for prefix in ["=", "+", "-", "@", "\t", "\r", "\n"] {
            var out = ByteBuffer()
            CSV.field(prefix + "1+1", into: &out)
            let text = String(decoding: out.array, as: UTF8.self)
            #expect(text.hasPrefix("\"'"), "prefix \(prefix.debugDescription) became \(text.debugDescription)")
        }
    }

    @Test func jsonLinesMatchQueryAcrossChunks() throws {
        let t = try TempStore(now: base + 3_600_000)
        try t.store.putDirectory(json: panelDirectory)
        // More than two chunks, with equal timestamps across a chunk edge.
        let batch = (0..<2500).map { restart(10, time: base + Int64($0 / 3)) }
        _ = try t.store.logBatch(json: "[" + batch.joined(separator: ",") + "]")
        let lines = try t.export(admin, format: "jsonl").split(separator: "\n").map { String($0).json }
        #expect(lines.count == 2500)
        let exported = lines.compactMap { $0["id"].integerValue }
        #expect(Set(exported).count == 2500)
        let page = try t.query(admin, #"{"perPage":500,"page":2}"#)
        #expect(Array(exported[500..<1000]) == ids(page))
    }

    @Test func exportStopsAtTheNewestEventAtStart() throws {
        let t = try TempStore()
        try t.store.putDirectory(json: panelDirectory)
        for _ in 0..<3 { try t.log(restart(10)) }
        let export = try t.store.export(principalJSON: admin, filterJSON: nil, format: .jsonl)
        try t.log(restart(10))
        var out: [UInt8] = []
        while let chunk = try export.next() { out += chunk.array }
        #expect(String(decoding: out, as: UTF8.self).split(separator: "\n").count == 3)
    }

    @Test func unknownFormat() throws {
        let t = try TempStore()
        #expect(throws: EventLogError.invalid("format must be \"csv\" or \"jsonl\"")) {
            try t.export(admin, format: "xlsx")
        }
    }

    /// A bidi control (U+202E here) would reverse the rest of a row in a
    /// spreadsheet: every one becomes U+FFFD, in any cell.
    @Test func csvNeutralizesBidiControls() {
        for control in ["\u{202E}", "\u{202A}", "\u{2066}", "\u{2069}", "\u{200F}", "\u{061C}"] {
            var out = ByteBuffer()
            CSV.field("DJ \(control)evil", into: &out)
            #expect(String(decoding: out.array, as: UTF8.self) == "DJ \u{FFFD}evil")
        }
        var out = ByteBuffer()
        CSV.field("=\u{202E}1,2", into: &out)
        #expect(String(decoding: out.array, as: UTF8.self) == "\"'=\u{FFFD}1,2\"")
        out = ByteBuffer()
        CSV.field("Émilie – “quoted” ok", into: &out)
        #expect(String(decoding: out.array, as: UTF8.self) == "Émilie – “quoted” ok")
    }

    /// CSV.field scans eight bytes at a time: every special byte at every
    /// offset of a word and of the tail after the last whole word must give
    /// what the rule, applied a byte at a time, gives.
    @Test func csvFieldMatchesTheRuleAtEveryOffset() {
        func byRule(_ s: [UInt8]) -> [UInt8] {
            let guardNeeded = s.first.map { [0x3D, 0x2B, 0x2D, 0x40, 0x09, 0x0D, 0x0A].contains($0) } ?? false
            let quoteNeeded = guardNeeded || s.contains { [0x2C, 0x22, 0x0D, 0x0A].contains($0) }
            var out: [UInt8] = quoteNeeded ? [0x22] : []
            if guardNeeded { out.append(UInt8(ascii: "'")) }
            var i = 0
            while i < s.count {
                let bidi: Int? = s.withUnsafeBufferPointer { CSV.bidiControlLength($0, at: i) }
                if let n = bidi {
                    out += [0xEF, 0xBF, 0xBD]
                    i += n
                    continue
                }
                if s[i] == 0x22 { out.append(0x22) }
                out.append(s[i])
                i += 1
            }
            return quoteNeeded ? out + [0x22] : out
        }
        let inserts: [[UInt8]] = [[0x2C], [0x22], [0x0D], [0x0A], Array("\u{202E}".utf8), Array("\u{061C}".utf8),
                                  Array("é".utf8), Array("–".utf8), [0x22, 0x22]]
        var checked = 0
        for length in 0...27 {
            for at in 0...length {
                for insert in inserts {
                    var s = Array(repeating: UInt8(ascii: "a"), count: length)
                    s.insert(contentsOf: insert, at: at)
                    var out = ByteBuffer(capacity: 0)  // grows as the cell is written
                    s.withUnsafeBufferPointer { CSV.field($0, into: &out) }
                    #expect(out.array == byRule(s), "\(String(decoding: s, as: UTF8.self).debugDescription)")
                    checked += 1
                }
            }
        }
        #expect(checked == 9 * 28 * 29 / 2)
    }

    /// The output buffer grows past its capacity, by single bytes and by
    /// runs, keeping what it held, as an array would.
    @Test func byteBufferGrowsLikeAnArray() {
        var buffer = ByteBuffer(capacity: 0)
        var expected: [UInt8] = []
        for n in 0..<300 {
            let piece = (0..<(n % 37)).map { UInt8(truncatingIfNeeded: n &* 31 &+ $0) }
            if n % 5 == 0 { buffer.append(UInt8(n % 256)); expected.append(UInt8(n % 256)) }
            piece.withUnsafeBufferPointer { buffer.append(contentsOf: $0) }
            expected += piece
            if n % 50 == 0 {
                let run = Array(repeating: UInt8(7), count: 200)
                run.withUnsafeBufferPointer { buffer.append(contentsOf: $0) }
                expected += run
            }
        }
        #expect(buffer.count == expected.count)
        #expect(buffer.array == expected)
    }
}
