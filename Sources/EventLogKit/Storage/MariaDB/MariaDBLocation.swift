/// Where a MariaDB/MySQL store lives, from the `path` given to `el_open`:
///
///     mysql://user:password@host[:port]/database
///     mysql://user:password@localhost/database?socket=/run/mysqld/mysqld.sock
///
/// User and password may be percent-encoded. The password is kept here
/// and nowhere else: `description` (used in every message) leaves it out.
struct MariaDBLocation: CustomStringConvertible, Sendable {
    static let scheme = "mysql://"

    let user: String
    let password: String?
    let host: String
    let port: UInt32
    let database: String
    let socket: String?

    static func isURI(_ path: String) -> Bool {
        let start = path.prefix(10).lowercased()
        return start.hasPrefix(scheme) || start.hasPrefix("mariadb://")
    }

    /// Whether `path` starts like a URI (`scheme:`) and holds an `@`: a
    /// mistyped store URI, whose password an error naming the path as a
    /// file would show.
    static func looksLikeURIWithCredentials(_ path: String) -> Bool {
        guard let colon = path.firstIndex(of: ":"), colon != path.startIndex, path.contains("@") else { return false }
        return path[..<colon].allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "+" || $0 == "." || $0 == "-") }
    }

    init(parsing uri: String) throws {
        let shape = "the store URI must look like mysql://user:password@host:port/database or mysql://user:password@localhost/database?socket=/path"
        guard Self.isURI(uri), let colon = uri.firstIndex(of: ":") else { throw EventLogError.invalid(shape) }
        var rest = uri[uri.index(colon, offsetBy: 3)...]
        // The query starts after the last @: a password may hold a bare ? (or
        // /), and a parameter named in a message must not be part of it.
        var query: Substring = ""
        if let q = rest[(rest.lastIndex(of: "@") ?? rest.startIndex)...].firstIndex(of: "?") {
            query = rest[rest.index(after: q)...]
            rest = rest[..<q]
        }
        guard let at = rest.lastIndex(of: "@"), let slash = rest[at...].firstIndex(of: "/") else { throw EventLogError.invalid(shape) }
        let userInfo = rest[..<at]
        let hostPort = rest[rest.index(after: at)..<slash]
        let database = try Self.decode(rest[rest.index(after: slash)...], "database")
        var user = userInfo
        var password: String?
        if let colon = userInfo.firstIndex(of: ":") {
            user = userInfo[..<colon]
            password = try Self.decode(userInfo[userInfo.index(after: colon)...], "password")
        }
        self.user = try Self.decode(user, "user")
        self.password = password
        guard !self.user.isEmpty else { throw EventLogError.invalid("the store URI names no user (\(shape))") }
        guard !database.isEmpty, database.utf8.count <= 64,
              database.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "$") }) else {
            throw EventLogError.invalid("the database name in the store URI must be 1 to 64 letters, digits, _ or $")
        }
        self.database = database
        var host = String(hostPort)
        var port: UInt32 = 3306
        if let colon = hostPort.lastIndex(of: ":"), !hostPort.hasSuffix("]") {
            guard let p = UInt32(hostPort[hostPort.index(after: colon)...]), (1...65535).contains(p) else {
                throw EventLogError.invalid("the port in the store URI must be a number from 1 to 65535")
            }
            port = p
            host = String(hostPort[..<colon])
        }
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { throw EventLogError.invalid("the store URI names no host (\(shape))") }
        self.host = host
        self.port = port
        var socket: String?
        for pair in query.split(separator: "&") where !pair.isEmpty {
            let parts = pair.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, parts[0] == "socket" else {
                throw EventLogError.invalid("unknown parameter '\(EventValidator.clip(String(parts[0])))' in the store URI (known: socket)")
            }
            socket = try Self.decode(parts[1], "socket")
        }
        self.socket = socket
    }

    /// The URI without its password, for messages.
    var description: String {
        let at = socket.map { "\(host)/\(database)?socket=\($0)" } ?? "\(host):\(port)/\(database)"
        return "mysql://\(user)@\(at)"
    }

    private static func decode(_ s: Substring, _ what: String) throws -> String {
        var bytes: [UInt8] = []
        var i = s.utf8.startIndex
        let utf8 = s.utf8
        while i < utf8.endIndex {
            let b = utf8[i]
            if b == UInt8(ascii: "%") {
                let h = utf8.index(after: i)
                guard h < utf8.endIndex, utf8.index(after: h) < utf8.endIndex,
                      let v = UInt8(String(decoding: [utf8[h], utf8[utf8.index(after: h)]], as: UTF8.self), radix: 16) else {
                    throw EventLogError.invalid("the \(what) in the store URI has a broken %-escape")
                }
                bytes.append(v)
                i = utf8.index(i, offsetBy: 3)
            } else {
                bytes.append(b)
                i = utf8.index(after: i)
            }
        }
        guard let text = String(validating: bytes, as: UTF8.self), !text.contains("\0") else {
            throw EventLogError.invalid("the \(what) in the store URI is not valid UTF-8")
        }
        return text
    }
}
