import CMariaDB

/// A failed MariaDB call: the server's or the client library's error number,
/// its message, and the statement that failed (if any).
struct MariaDBError: Error, CustomStringConvertible {
    let code: UInt32
    let message: String
    let sql: String?

    /// The connection is gone (server restarted, killed, unreachable): the
    /// next call connects again.
    var isConnectionLost: Bool {
        [2001, 2002, 2003, 2005, 2006, 2013, 2026, 2055, 1053, 1927, 4031].contains(code)
    }
    /// A transaction the server rolled back to break a deadlock, or a Galera
    /// certification conflict: safe to run again from the start.
    var isRetryable: Bool { code == 1213 }
    var isBusy: Bool { code == 1205 || code == 1213 || code == 1047 || code == 1969 || code == 3024 }

    var description: String {
        sql.map { "\(message) (MariaDB \(code), in: \(String($0.prefix(300))))" } ?? "\(message) (MariaDB \(code))"
    }
}

extension EventLogError {
    /// Maps a MariaDB failure to the kind a caller can act on. Messages from
    /// the server never carry the password (the client library does not send
    /// it in clear, and the server does not echo it).
    init(_ error: MariaDBError, doing what: String, at location: MariaDBLocation) {
        let kind: Kind
        var hint = ""
        if error.isConnectionLost {
            kind = .io
            hint = "; the next call connects again"
        } else if error.isBusy {
            kind = .busy
        } else {
            switch error.code {
            case 1044, 1045, 1049, 1142, 1227: kind = .io  // access or database: the store cannot be used as given
            case 1146, 1054: kind = .schema
            case 2008: kind = .noMemory
            default: kind = .internal
            }
        }
        self.init(kind, "\(what): \(error.message) (MariaDB error \(error.code), \(location))\(hint)")
    }
}
