#if canImport(Glibc)
import Glibc
#endif

/// Which file a path names (device and inode): one `stat`, cheap enough to
/// check after every write. Nil when nothing is at the path.
struct FileIdentity: Equatable {
    let device: UInt64
    let inode: UInt64

    init?(path: String) {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        device = UInt64(st.st_dev)
        inode = UInt64(st.st_ino)
    }
}
