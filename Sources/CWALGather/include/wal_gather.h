#ifndef WAL_GATHER_H
#define WAL_GATHER_H

/*
 * A VFS that wraps SQLite's default one and writes each WAL commit with one
 * system call instead of two per page (see wal_gather.c).
 *
 * Registers the VFS under `name` (not as the default: other SQLite users in
 * the process, such as PHP's PDO, keep theirs). Call once per process;
 * `name` must stay valid for the life of the process. Returns SQLITE_OK, or
 * an SQLite error code when there is no default VFS to wrap.
 */
int wal_gather_register(const char *name);

#endif
