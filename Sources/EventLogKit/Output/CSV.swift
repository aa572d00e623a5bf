/// RFC 4180 CSV: CRLF line ends, quoting where needed, UTC times, and no cell
/// that a spreadsheet would run as a formula (OWASP CSV injection).
enum CSV {
    static func header(serviceColumns: Bool, into out: inout [UInt8]) {
        var names = ["id", "time_utc", "type", "event", "category"]
        if serviceColumns { names += ["service_id", "service", "customer_id", "customer"] }
        names += ["actor_type", "actor_id", "actor_name", "dj_name", "source_ip", "takeover", "message", "details"]
        line(names, into: &out)
    }

    /// Writes one event as a line, cell by cell from the row's own bytes.
    static func row(_ r: some EventRow, serviceColumns: Bool, into out: inout [UInt8]) {
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

    private static func line(_ cells: [String], into out: inout [UInt8]) {
        for (i, cell) in cells.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            field(cell, into: &out)
        }
        out.append(0x0D)
        out.append(0x0A)
    }

    static func field(_ value: String, into out: inout [UInt8]) {
        var value = value
        value.withUTF8 { field($0, into: &out) }
    }

    /// One cell: quoted when it holds a comma, quote, CR or LF; a leading
    /// = + - @ TAB CR or LF (a formula to a spreadsheet) gets a ' first.
    /// Bidirectional controls are written as U+FFFD (see `bidiControlLength`).
    static func field(_ utf8: Bytes, into out: inout [UInt8]) {
        let guardNeeded = utf8.first.map { [0x3D, 0x2B, 0x2D, 0x40, 0x09, 0x0D, 0x0A].contains($0) } ?? false
        var quoteNeeded = guardNeeded, bidi = false
        for c in utf8 {
            if c == 0x2C || c == 0x22 || c == 0x0D || c == 0x0A { quoteNeeded = true }
            if c == 0xE2 || c == 0xD8 { bidi = true }  // lead bytes of every bidi control
        }
        guard quoteNeeded || bidi else {
            out.append(contentsOf: utf8)
            return
        }
        if quoteNeeded { out.append(0x22) }
        if guardNeeded { out.append(UInt8(ascii: "'")) }
        var i = 0
        while i < utf8.count {
            if bidi, let n = bidiControlLength(utf8, at: i) {
                out.append(contentsOf: [0xEF, 0xBF, 0xBD])
                i += n
                continue
            }
            if utf8[i] == 0x22 { out.append(0x22) }
            out.append(utf8[i])
            i += 1
        }
        if quoteNeeded { out.append(0x22) }
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
