#if canImport(Glibc)
import Glibc
#endif

/// UTC timestamps in unix milliseconds, and their RFC 3339 text form.
/// Hand-written civil-date arithmetic: Foundation's calendar would pull ICU
/// into the shared object.
enum Time {
    /// 0001-01-01 .. 9999-12-31: anything outside cannot be written as RFC 3339.
    static let minMilliseconds: Int64 = -62_135_596_800_000
    static let maxMilliseconds: Int64 = 253_402_300_799_999
    static let millisecondsPerDay: Int64 = 86_400_000

    static func nowMilliseconds() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }

    /// `2026-11-27T13:58:47.123Z`.
    static func rfc3339(milliseconds ms: Int64) -> String {
        var out = ByteBuffer(capacity: 24)
        appendRFC3339(milliseconds: ms, to: &out)
        return out.withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
    }

    /// Writes the RFC 3339 form without making Strings (export hot path).
    static func appendRFC3339(milliseconds ms: Int64, to out: inout ByteBuffer) {
        let clamped = min(max(ms, minMilliseconds), maxMilliseconds)
        let days = floorDiv(clamped, millisecondsPerDay)
        let msOfDay = clamped - days * millisecondsPerDay
        let (y, m, d) = civil(fromDays: days)
        let seconds = msOfDay / 1000
        // Into a stack buffer, then one append (an export writes a time a row).
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 24) { b in
            func put(_ value: Int64, _ width: Int, at end: Int) {
                var v = value
                for i in stride(from: end - 1, through: end - width, by: -1) {
                    b[i] = UInt8(truncatingIfNeeded: v % 10) &+ UInt8(ascii: "0")
                    v /= 10
                }
            }
            put(y, 4, at: 4); b[4] = UInt8(ascii: "-"); put(m, 2, at: 7); b[7] = UInt8(ascii: "-"); put(d, 2, at: 10)
            b[10] = UInt8(ascii: "T"); put(seconds / 3600, 2, at: 13); b[13] = UInt8(ascii: ":"); put(seconds / 60 % 60, 2, at: 16)
            b[16] = UInt8(ascii: ":"); put(seconds % 60, 2, at: 19); b[19] = UInt8(ascii: "."); put(msOfDay % 1000, 3, at: 23)
            b[23] = UInt8(ascii: "Z")
            out.append(contentsOf: UnsafeBufferPointer(b))
        }
    }

    /// Parses `YYYY-MM-DD`, or `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`.
    static func parseRFC3339(_ text: String) -> Int64? {
        let b = Array(text.utf8)
        func digits(_ start: Int, _ count: Int) -> Int64? {
            guard start + count <= b.count else { return nil }
            var v: Int64 = 0
            for i in start..<start + count {
                guard b[i] >= 48 && b[i] <= 57 else { return nil }
                v = v * 10 + Int64(b[i] - 48)
            }
            return v
        }
        guard let y = digits(0, 4), b.count >= 10, b[4] == UInt8(ascii: "-"), let mo = digits(5, 2),
              b[7] == UInt8(ascii: "-"), let d = digits(8, 2),
              (1...12).contains(mo), d >= 1, d <= daysInMonth(y, mo) else { return nil }
        let dayMs = days(fromCivil: y, mo, d) * millisecondsPerDay
        if b.count == 10 { return dayMs }
        guard b.count >= 20, b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: "t") || b[10] == UInt8(ascii: " "),
              let h = digits(11, 2), b[13] == UInt8(ascii: ":"), let mi = digits(14, 2),
              b[16] == UInt8(ascii: ":"), let s = digits(17, 2),
              h < 24, mi < 60, s < 61 else { return nil }
        var i = 19
        var fractionMs: Int64 = 0
        if b[i] == UInt8(ascii: ".") {
            i += 1
            var scale: Int64 = 100
            let start = i
            while i < b.count, b[i] >= 48 && b[i] <= 57 {
                fractionMs += Int64(b[i] - 48) * scale
                scale /= 10
                i += 1
            }
            guard i > start, i - start <= 9 else { return nil }
        }
        guard i < b.count else { return nil }
        var offsetMs: Int64 = 0
        switch b[i] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            i += 1
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            guard let oh = digits(i + 1, 2), i + 3 < b.count, b[i + 3] == UInt8(ascii: ":"),
                  let om = digits(i + 4, 2), oh < 24, om < 60 else { return nil }
            offsetMs = (oh * 60 + om) * 60_000 * (b[i] == UInt8(ascii: "+") ? 1 : -1)
            i += 6
        default:
            return nil
        }
        guard i == b.count else { return nil }
        let seconds = min(s, 59)  // a leap second is folded into :59
        return dayMs + ((h * 60 + mi) * 60 + seconds) * 1000 + fractionMs - offsetMs
    }

    private static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }


    private static func daysInMonth(_ y: Int64, _ m: Int64) -> Int64 {
        switch m {
        case 2: return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    // Howard Hinnant's days_from_civil / civil_from_days.
    private static func days(fromCivil y0: Int64, _ m: Int64, _ d: Int64) -> Int64 {
        let y = m <= 2 ? y0 - 1 : y0
        let era = floorDiv(y, 400)
        let yoe = y - era * 400
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    private static func civil(fromDays z0: Int64) -> (Int64, Int64, Int64) {
        let z = z0 + 719_468
        let era = floorDiv(z, 146_097)
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}
