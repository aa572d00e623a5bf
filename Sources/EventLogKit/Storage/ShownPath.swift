/// A store file's path as messages name it. A path whose last "@" has a ":"
/// before it may be a database URI typed without its "://"
/// (mysql//user:password@host/db, whose folder happens to exist): only what
/// follows that "@" is named, so that no message carries a password.
func shownStorePath(_ path: String) -> String {
    guard let at = path.lastIndex(of: "@"), path[..<at].contains(":") else { return path }
    return "…" + path[at...]
}
