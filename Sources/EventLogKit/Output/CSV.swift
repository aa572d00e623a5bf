/// RFC 4180 CSV: CRLF line ends, quoting where needed, UTC times, and no cell
/// that a spreadsheet would run as a formula (OWASP CSV injection).
enum CSV {
    static func header(serviceColumns: Bool, into out: inout ByteBuffer) {
        var names = ["id", "time_utc", "type", "event", "category"]
        if serviceColumns { names += ["service_id", "service", "customer_id", "customer"] }
        names += ["actor_type", "actor_id", "actor_name", "dj_name", "source_ip", "takeover", "message", "details"]
        line(names, into: &out)
    }

    /// Writes one event as a line, cell by cell from the row's own bytes.
    static func row(_ r: some EventRow, serviceColumns: Bool, into out: inout ByteBuffer) {
        func comma() { out.append(UInt8(ascii: ",")) }
        func text(_ s: Bytes?) { if let s { field(s, into: &out) } }
        func text(_ s: String?) { if let s { field(s, into: &out) } }
        func number(_ n: Int64?) {
            guard let n else { return }
            if n < 0 { field(String(n), into: &out) } else { appendDecimal(n, to: &out) }  // a leading '-' is guarded
        }
        let type = r.type
        number(r.id)
        comma(); Time.appendRFC3339(milliseconds: r.timestamp, to: &out)
        comma(); text(type?.id)
        comma(); text(type?.label)
        comma(); text(type?.category.rawValue)
        if serviceColumns {
            comma(); number(r.serviceId)
            comma(); text(r.serviceName)
            comma(); number(r.ownerId)
            comma(); text(r.ownerName)
        }
        comma(); text(r.actorType?.rawValue)
        comma(); number(r.actorId)
        comma(); text(r.actorName)
        comma(); text(r.djName)
        comma(); text(r.sourceIp)
        comma(); text(r.takeover.map { $0 ? "yes" : "no" })
        comma(); text(r.message)
        comma(); text(r.detailsJSON)
        out.append(0x0D)
        out.append(0x0A)
    }

    private static func line(_ cells: [String], into out: inout ByteBuffer) {
        for (i, cell) in cells.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            field(cell, into: &out)
        }
        out.append(0x0D)
        out.append(0x0A)
    }

    static func field(_ value: String, into out: inout ByteBuffer) {
        var value = value
        value.withUTF8 { field($0, into: &out) }
    }

    /// One cell: quoted when it holds a comma, quote, CR or LF; a leading
    /// = + - @ TAB CR or LF (a formula to a spreadsheet) gets a ' first.
    /// Bidirectional controls are written as U+FFFD (see `bidiControlLength`).
    static func field(_ utf8: Bytes, into out: inout ByteBuffer) {
        let guardNeeded = switch utf8.first {
        case 0x3D, 0x2B, 0x2D, 0x40, 0x09, 0x0D, 0x0A: true
        default: false
        }
        let (special, bidi) = scan(utf8)
        let quoteNeeded = guardNeeded || special
        guard quoteNeeded || bidi else {
            out.append(contentsOf: utf8)
            return
        }
        if quoteNeeded { out.append(0x22) }
        if guardNeeded { out.append(UInt8(ascii: "'")) }
        // Copied in runs between the bytes that change (details JSON is full of quotes).
        var run = 0, i = 0
        while i < utf8.count {
            if utf8[i] == 0x22 {
                out.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[run...i]))
                out.append(0x22)
                i += 1
                run = i
            } else if bidi, let n = bidiControlLength(utf8, at: i) {
                out.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[run..<i]))
                out.append(0xEF); out.append(0xBF); out.append(0xBD)  // U+FFFD
                i += n
                run = i
            } else {
                i += 1
            }
        }
        out.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[run..<i]))
        if quoteNeeded { out.append(0x22) }
    }

    /// Whether `utf8` holds a byte that needs quoting (comma, quote, CR,
    /// LF), and one that may start a bidi control (the lead bytes E2, D8),
    /// eight bytes at a time: this scan of every cell was the largest part
    /// of an exported row's cost.
    private static func scan(_ utf8: Bytes) -> (special: Bool, bidi: Bool) {
        @inline(__always) func has(_ word: UInt64, _ byte: UInt8) -> UInt64 {
            let v = word ^ (0x0101_0101_0101_0101 &* UInt64(byte))
            return (v &- 0x0101_0101_0101_0101) & ~v & 0x8080_8080_8080_8080  // non-zero iff a byte of v is 0
        }
        var special: UInt64 = 0, bidi: UInt64 = 0
        var i = 0
        if let base = UnsafeRawPointer(utf8.baseAddress) {
            while i + 8 <= utf8.count {
                let w = base.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                special |= has(w, 0x2C) | has(w, 0x22) | has(w, 0x0D) | has(w, 0x0A)
                bidi |= has(w, 0xE2) | has(w, 0xD8)
                i += 8
            }
        }
        var s = special != 0, b = bidi != 0
        while i < utf8.count {
            let c = utf8[i]
            if c == 0x2C || c == 0x22 || c == 0x0D || c == 0x0A { s = true }
            if c == 0xE2 || c == 0xD8 { b = true }
            i += 1
        }
        return (s, b)
    }

    /// A DJ name with U+202E (right-to-left override) would reverse the rest
    /// of its row in a spreadsheet, IP address included: like a formula, a
    /// bidi control is not passed on. The length of the one at `i`, if any:
    /// U+061C, U+200E-200F, U+202A-202E, U+2066-2069.
    static func bidiControlLength(_ s: Bytes, at i: Int) -> Int? {
        if s[i] == 0xD8, i + 1 < s.count, s[i + 1] == 0x9C { return 2 }
        guard s[i] == 0xE2, i + 2 < s.count else { return nil }
        switch (s[i + 1], s[i + 2]) {
        case (0x80, 0x8E...0x8F), (0x80, 0xAA...0xAE), (0x81, 0xA6...0xA9): return 3
        default: return nil
        }
    }
}
