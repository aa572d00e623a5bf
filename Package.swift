// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "StreamEvents",
    products: [
        // libeventlog.so: the only artifact the panel loads (through PHP FFI).
        .library(name: "eventlog", type: .dynamic, targets: ["EventLogKit"]),
    ],
    targets: [
        // Debian's libsqlite3-dev.
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite"),
        // Debian's libmariadb-dev (MariaDB Connector/C): the MariaDB/MySQL engine.
        .systemLibrary(name: "CMariaDB", path: "Sources/CMariaDB"),
        // Carries include/eventlog.h to Swift, so that `@c @implementation`
        // checks every exported function against its C declaration.
        .target(name: "CEventLog", path: "Sources/CEventLog"),
        // The VFS that writes each WAL commit in one system call.
        .target(name: "CWALGather", path: "Sources/CWALGather", linkerSettings: [.linkedLibrary("sqlite3")]),
        .target(name: "EventLogKit", dependencies: ["CSQLite", "CMariaDB", "CEventLog", "CWALGather"]),
        .testTarget(name: "EventLogKitTests", dependencies: ["EventLogKit", "CEventLog"]),
    ]
)
