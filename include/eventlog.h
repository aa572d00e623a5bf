/*
 * eventlog.h - Stream Events: the event log of a media streaming control panel.
 *
 * The one C contract of libeventlog.so. Every caller (the PHP bridge through
 * FFI, the C test client, benchmarks) uses this header and nothing else.
 *
 * Conventions (after SQLite and libgit2):
 *  - Functions that can fail return an int status: EL_OK (0) or a negative
 *    EL_E* code. Results come back through out-parameters, which are written
 *    only when the call returns EL_OK (out-counts are set to 0 on failure).
 *  - Handles are opaque. Destructors return void and accept NULL.
 *  - Strings passed in are NUL-terminated UTF-8. Invalid UTF-8 is EL_EINVAL.
 *  - JSON is UTF-8 with camelCase keys. Unknown keys are rejected (EL_EINVAL)
 *    so that a misspelt field is an error, not silently dropped data.
 *  - A `char **out, size_t *out_len` result is owned by the caller and must be
 *    released with el_string_free(). It is NUL-terminated; out_len excludes
 *    the terminator.
 *  - A `const char *` result is borrowed: owned by the library, valid until
 *    the next call on the same handle (or, for static strings, forever).
 *  - After a failure, el_errmsg(db) says what went wrong, in one sentence that
 *    names the offending field where there is one.
 *
 * Thread-safety: a handle may be used from several threads; calls on one
 * el_db are serialized inside the library. el_errmsg() reports the last call
 * on the handle made by the calling thread, and another thread's calls never
 * free it. Separate processes (PHP-FPM workers)
 * each open their own handle on the same file; SQLite serializes writers.
 * A writable SQLite store copies its write-ahead log back into the file on
 * a thread of its own ("el-checkpoint": started at the store's first
 * checkpoint, every signal blocked, joined by el_close()). A MariaDB store
 * adds its events to its totals on a thread of its own ("el-fold": started
 * at the store's first fold, every 512 events it stores; every signal
 * blocked; connected to the server only while it folds; joined by
 * el_close(), which first waits for a fold already asked for). Do not use a
 * handle in a process forked after it was opened.
 *
 * Durability: an event is committed when el_log() returns EL_OK.
 *
 * The header is C89 apart from <stddef.h>/<stdint.h> types. PHP's FFI::cdef()
 * cannot run the preprocessor: the build emits a copy preprocessed with
 * `cpp -P -DEL_FFI_CDEF`, which drops the includes (FFI knows these types).
 */
#ifndef EVENTLOG_H
#define EVENTLOG_H

#ifndef EL_FFI_CDEF
#include <stddef.h>
#include <stdint.h>
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Version of this contract. el_abi_version() returns the library's; a caller
 * built against another number must not use the library. Enum constants (not
 * macros) so that they survive preprocessing and FFI sees them. */
enum el_abi { EL_ABI_VERSION = 1 };

/* Status codes. */
enum el_status {
    EL_OK        =  0, /* success */
    EL_ERROR     = -1, /* internal error (a bug: please report el_errmsg) */
    EL_EINVAL    = -2, /* invalid argument: NULL, bad UTF-8, bad JSON, failed validation */
    EL_EDENIED   = -3, /* the principal may not see what it asked for */
    EL_ENOTFOUND = -4, /* unknown service (or other named object) */
    EL_EBUSY     = -5, /* the store stayed locked longer than busyTimeoutMs */
    EL_EIO       = -6, /* disk full, I/O error, read-only or unopenable file */
    EL_EMISUSE   = -7, /* wrong use of the API: closed or foreign handle, call out of order */
    EL_ESCHEMA   = -8, /* not an event store, corrupt, or made by a newer version */
    EL_ENOMEM    = -9  /* out of memory */
};

/* An open event store. One per process (per PHP-FPM worker) is the intended
 * use: closing the last connection checkpoints the write-ahead log. */
typedef struct el_db el_db;

/* A running export: a cursor that yields CSV or JSON Lines chunks. */
typedef struct el_export el_export;

/** ABI number of the loaded library (compare with EL_ABI_VERSION). */
int el_abi_version(void);

/** Library version, e.g. "0.1.0". Static string, never freed. */
const char *el_version(void);

/**
 * Opens or creates the store at `path`, migrating its schema forward.
 *
 * `path` is either a file path (an SQLite store, the default) or the URI of a
 * MariaDB/MySQL database, for panels on several hosts:
 *   mysql://user:password@host[:port]/database            (TCP, port 3306)
 *   mysql://user:password@localhost/database?socket=/run/mysqld/mysqld.sock
 * User and password may be %-encoded; the scheme (mysql:// or mariadb://) may
 * be in any case. A path that starts like a URI ("name:") and holds an "@" but
 * is neither is refused with EL_EINVAL, without echoing it (it may hold a
 * password). The database is the store: give the log
 * a database of its own (it is created if the user may; a database holding
 * other tables is refused with EL_ESCHEMA). The password never appears in a
 * message. Links libmariadb.so.3 (Debian's libmariadb3); an SQLite store
 * needs no database server.
 *
 * A new file is created with mode 0640 (it holds IP addresses). A store made
 * by a newer version of the library is refused with EL_ESCHEMA and left
 * untouched; so is a file that is not an event store, and a store holding
 * settings no library writes (a retention window outside 1-3650 days, a
 * negative totals watermark: edited by hand or damaged). A path naming
 * anything but a regular file (a directory, a FIFO, a device) is EL_EIO.
 *
 * `options_json` may be NULL (defaults) or an object with:
 *   "retentionDays"  integer 1..3650: the retention window of a store this
 *                    call creates (default 30). An existing store keeps its
 *                    own window whatever is passed here, so that workers
 *                    opened with different options cannot prune differently;
 *                    change it with el_set_retention_days().
 *   "busyTimeoutMs"  integer 0..600000, how long to wait for a lock (default 5000)
 *   "synchronous"    "normal" (default, WAL: durable across process crashes)
 *                    or "full" (also across power loss)
 *   "connectTimeoutMs", "readTimeoutMs"  MariaDB: how long connecting
 *                    (default 5000) and one answer (default 30000) may take
 *                    before the call fails with EL_EIO; a call after a lost
 *                    connection connects again. On MariaDB "busyTimeoutMs"
 *                    is the lock wait (whole seconds, at least 1).
 *
 * A store this process cannot write (the file or its folder is read-only)
 * is opened read-only: pages and exports answer, writes fail with EL_EIO and
 * a message saying so. Opening a store at the current schema version writes
 * nothing, so a full disk does not keep a new worker from reading.
 *
 * The first SQLite store a process opens registers the library's own VFS
 * (under its own name; other SQLite users keep theirs) and, if SQLite has not
 * initialized yet in the process, turns off SQLite's memory statistics
 * (SQLITE_CONFIG_MEMSTATUS: sqlite3_memory_used() then reads 0).
 *
 * `*out` is set to a handle even on failure (except EL_ENOMEM or a NULL
 * `out`), so el_errmsg(*out) can say why; close it with el_close() either way.
 *
 * Returns EL_OK, EL_EINVAL, EL_EIO, EL_ESCHEMA, EL_EBUSY, EL_ENOMEM.
 */
int el_open(el_db **out, const char *path, const char *options_json);

/** Closes the store. NULL, an already closed or a foreign handle is ignored.
 * Exports still open on the handle fail with EL_EMISUSE afterwards and must
 * still be closed with el_export_close(). */
void el_close(el_db *db);

/**
 * Ends the handle like el_close() but keeps its store open in this process
 * for the next el_open() of the same path and options, which then costs no
 * file open, schema read or WAL checkpoint. For callers that cannot keep a
 * handle between units of work: PHP under PHP-FPM drops everything a
 * request made when it ends, so the bridge releases its handle at the end
 * of each request. At most a few idle stores are kept per path and options;
 * a store whose file was replaced is not reused. NULL, a closed or a foreign
 * handle is ignored.
 */
void el_release(el_db *db);

/** Message of the calling thread's last failed call on `db` ("" after a
 * success). Borrowed: valid until this thread's next call on `db` (or
 * el_close). Never NULL, also for a NULL or closed handle. */
const char *el_errmsg(el_db *db);

/**
 * Validates and stores one event; on EL_OK it is committed and `*out_id`
 * (may be NULL) holds its id. Ids are never reused; on SQLite they increase
 * in the order events are logged, on MariaDB only within one process (each
 * takes a block of ids at a time).
 *
 * Event JSON: {"type": "dj.connect", "serviceId": 42,
 *   "time": unix ms or RFC 3339 string (default: now),
 *   "actor": {"type": "user"|"dj"|"api"|"system", "id": int|null, "name": str|null},
 *   "djName": str, "sourceIp": IPv4/IPv6 str, "takeover": bool,
 *   "details": {...}, "category": optional, must match the type's,
 *   "deliveryKey": optional str of 1..128 bytes}
 * Required attributes per type are those of the event catalog (el_catalog());
 * a system action (actor "system") on a service names its `details.reason`.
 * `time` must lie within the store's retention window and at most one day
 * ahead; anything else is EL_EINVAL naming `time`.
 *
 * Delivery keys are for stream-server hooks that retry: an event whose key
 * is already stored is not stored again, and `*out_id` gets the first
 * event's id. A key is remembered as long as its event is kept (until the
 * retention window prunes it).
 *
 * Returns EL_OK, EL_EINVAL (nothing stored), EL_EBUSY, EL_EIO (disk full,
 * read-only store).
 */
int el_log(el_db *db, const char *event_json, int64_t *out_id);

/** Stores a JSON array of events (at most 100000) in one transaction: all or
 * nothing. `*out_count` (may be NULL) gets the number of events in the
 * batch (those whose delivery key was already stored count too). On
 * EL_EINVAL the message names the index of the first bad event.
 *
 * Returns EL_OK, EL_EINVAL (nothing stored), EL_EBUSY, EL_EIO, EL_ENOMEM. */
int el_log_batch(el_db *db, const char *events_json_array, int64_t *out_count);

/**
 * Upserts the directory the access rules are decided from:
 * {"accounts": [{"id": 7, "role": "admin"|"reseller"|"customer",
 *                "name": "...", "resellerId": 3 or null}],
 *  "services": [{"id": 42, "name": "...", "ownerId": 7, "kind": "icecast",
 *                "status": "active"|"suspended"|"expired",
 *                "removed": false}]}
 * Both lists are optional. Rows not mentioned are left as they are.
 *
 * Returns EL_OK, EL_EINVAL (nothing written), EL_EBUSY, EL_EIO.
 */
int el_directory_put(el_db *db, const char *json);

/**
 * One page of events the principal may see, newest first.
 *
 * principal_json: {"role": "admin"|"reseller"|"customer", "id": N}.
 * filter_json (NULL or "{}" = everything): {"category": "all"|"service"|
 *   "mount"|"dj"|"source"|"autodj", "types": ["dj.connect", ...],
 *   "serviceId": N, "ownerId": N (the services of one customer),
 *   "actor": "user"|"dj"|"api"|"system",
 *   "from": ms|RFC 3339 (inclusive), "to": ms|RFC 3339 (exclusive),
 *   "q": text in DJ name, source IP or message (case-insensitive for all
 *   of Unicode, no wildcards; on MariaDB accent-insensitive too), "page": 1.., "perPage": 1..500 (default 25),
 *   "after": a cursor from an earlier page (only the events logged since;
 *   page must be 1)}
 * A serviceId or ownerId outside the principal's scope is EL_EDENIED; a
 * service the directory does not know (and, for an admin, with no events),
 * or an ownerId that is not a customer of the directory, is EL_ENOTFOUND.
 *
 * *out_json: {"logs": [...], "total": N, "page": P, "perPage": K,
 *             "totalPages": T, "cursor": "..."}; free with el_string_free().
 * `cursor` is an opaque token for where this read ends: pass it as the
 * filter's "after" to get only what was logged since (the total stays the
 * whole view's). Events are never missed between cursors; on SQLite none is
 * repeated either, on MariaDB the events stored in the 15 s before a cursor
 * come again (a live view merges by id), so that one committing late is not
 * missed (hosts' clocks must agree within that). A failed
 * filter's message starts with the filter key it is about ("perPage must
 * be ...", "from must be ..."), so a caller can name its own parameter.
 * A query never writes: it answers on a full disk and a read-only store.
 *
 * Returns EL_OK, EL_EINVAL, EL_EDENIED, EL_ENOTFOUND, EL_EIO, EL_ENOMEM.
 */
int el_query(el_db *db, const char *principal_json, const char *filter_json,
             char **out_json, size_t *out_len);

/**
 * Starts an export of everything the query would match (all pages), in
 * `format` "csv" (RFC 4180, CRLF, header row, UTC times) or "jsonl".
 * Rows are read in short chunks, so an export never holds a long read
 * transaction and rows logged after it started are not included.
 * `*out` is NULL on failure.
 *
 * Returns EL_OK, EL_EINVAL (also an unknown format), EL_EDENIED,
 * EL_ENOTFOUND, EL_EIO, EL_ENOMEM.
 */
int el_export_open(el_db *db, const char *principal_json, const char *filter_json,
                   const char *format, el_export **out);

/** Next chunk of the export. `*chunk` is borrowed until the next call on `ex`
 * (not NUL-terminated); `*chunk_len` 0 means the export is complete.
 * Errors are reported by el_errmsg() of the export's database handle.
 *
 * Returns EL_OK, EL_EINVAL (a NULL out-parameter), EL_EMISUSE (closed
 * export or store), EL_EIO, EL_ENOMEM. */
int el_export_next(el_export *ex, const char **chunk, size_t *chunk_len);

/** Ends an export. NULL is ignored. */
void el_export_close(el_export *ex);

/**
 * Deletes events older than the store's retention window, measured back from
 * `now_ms` (unix ms; 0 = now), in small transactions so writers are never
 * blocked for long (each leaves page totals exact, so a prune interrupted at
 * any point needs no repair), then returns freed pages to the file system.
 * On MariaDB whole days go (a partition each: a day ends up to one day past
 * the window before it is dropped; its rows first move out to a table of
 * their own by EXCHANGE PARTITION, a rename, and that table is dropped after
 * the emptied partition, so writers never wait while the server lets go of
 * a day) and the partitions of the coming days are
 * created, each change with InnoDB's purge paused through a second connection
 * (FLUSH TABLES ... FOR EXPORT: the user needs RELOAD and LOCK TABLES, else
 * the change runs unpaused), because MariaDB 10.11 otherwise holds the event
 * table, and every writer, a whole second in such a change while purge is
 * busy, as it is after a large write on the server. The same holds for the
 * days ahead that el_open() adds. `*out_deleted` (may be NULL) gets the
 * number of events removed.
 *
 * Returns EL_OK, EL_EINVAL (bad now_ms), EL_EBUSY, EL_EIO.
 */
int el_prune(el_db *db, int64_t now_ms, int64_t *out_deleted);

/**
 * The store's cursor now, the token a page returns as "cursor": when it
 * equals the one a live view holds, nothing was logged since (a cheap
 * "anything new?" before a query; on MariaDB an event committed more than
 * 2 s after it was stored shows with the next change). `*out` is owned by the caller: free it
 * with el_string_free().
 *
 * Returns EL_OK, EL_EINVAL (a NULL out-parameter), EL_EIO, EL_ENOMEM.
 */
int el_cursor(el_db *db, char **out, size_t *out_len);

/**
 * Facts about the open store, as JSON: {"engine": "sqlite" or "mariadb",
 * "schemaVersion": N, "retentionDays": N, "readOnly": false or the reason,
 * "cursor": "..."} (a page shows the retention window; the maintenance
 * command what it works on). `*out_json` is owned by the caller: free it with
 * el_string_free().
 *
 * Returns EL_OK, EL_EINVAL (a NULL out-parameter), EL_EIO, EL_ENOMEM.
 */
int el_store_info(el_db *db, char **out_json, size_t *out_len);

/**
 * Copies the SQLite store at `sqlite_path` into the MariaDB store `db`, for a
 * panel that moves to MariaDB: directory, retention window, events (ids,
 * times, and the names they were logged with) and delivery keys. Resumable:
 * a copy interrupted at any point continues after its last committed batch
 * when called again, and never stores an event twice; it copies what the
 * source holds when the call starts (call again for events logged since).
 * For its length it opens two more connections to the server, on threads
 * of its own, and writes its batches on both at once, committed in order;
 * run one copy into a store at a time. The target must hold no events but
 * this copy's. `*out_json` (owned by the
 * caller: el_string_free()) reports {"copied": N, "through": last id,
 * "verified": true|false, "days": [{"day": "YYYY-MM-DD", "source": N,
 * "target": N}]}: events per day on both sides.
 *
 * Returns EL_OK, EL_EINVAL (db is an SQLite store, the target holds other
 * events, a NULL argument), EL_ESCHEMA (not an event store, or an SQLite
 * store of an older schema: open it once to migrate it), EL_EBUSY, EL_EIO.
 */
int el_copy(el_db *db, const char *sqlite_path, char **out_json, size_t *out_len);

/**
 * Changes the store's retention window to `days` (1..3650) for every process
 * that uses it (each reads it at el_open()). The next el_prune() deletes
 * what the new window no longer keeps.
 *
 * Returns EL_OK, EL_EINVAL, EL_EBUSY, EL_EIO.
 */
int el_set_retention_days(el_db *db, int days);

/**
 * The event catalog and input limits as JSON, for callers that show or build
 * events: {"categories": [{"id", "label"}], "types": [{"id", "label",
 * "category"}], "actorTypes": [...], "reasons": {"service.suspend": [...],
 * "service.stop": [...]}, "autoDJTriggers": [...], "limits": {...}}.
 * `*out_json` is owned by the caller: free it with el_string_free().
 *
 * Returns EL_OK, EL_EINVAL (a NULL out-parameter), EL_ENOMEM.
 */
int el_catalog(char **out_json, size_t *out_len);

/** Frees a string returned through a `char **out` parameter. NULL is ignored. */
void el_string_free(char *s);

#ifdef __cplusplus
}
#endif

#endif /* EVENTLOG_H */
