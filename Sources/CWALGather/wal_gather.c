/*
 * SQLite writes every WAL frame as two writes, its 24-byte header and then
 * the page, so a commit that changes six pages costs twelve pwrite() calls;
 * on this machine kind that was most of a commit's time. This VFS passes
 * everything through to the default VFS, except that the frames a writer
 * appends to a WAL file are gathered in a buffer and written as one:
 *
 *   - when the frame that commits a transaction is complete (its header
 *     carries the database size; other frames carry 0). The commit is in the
 *     file before SQLite publishes it in the WAL index, as without this VFS,
 *     and a failed write fails the very write that completes the commit, so
 *     SQLite rolls the transaction back as it would have;
 *   - before the write lock is released or anything is published in the WAL
 *     index (the database file's shared-memory lock and barrier calls), so
 *     no other process ever reads a frame that is still in a buffer, and no
 *     frames of a transaction that did not commit reach the file after
 *     another writer has taken the lock;
 *   - before any other operation on the WAL file (read, sync, truncate,
 *     size, file control, close), and when the buffer is full.
 *
 * Writes that do not append a frame (the WAL header, a page rewritten in
 * place, a frame header rewritten after its checksum changed) flush the
 * buffer and go straight to the file.
 */
#include "wal_gather.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

enum {
    FRAME_HEADER = 24,
    MAX_PAGE = 65536,
    /* The unix VFS writes at most 128 KiB - 1 bytes per call (seekAndWriteFd
     * masks the length with 0x1ffff; a longer write fails as SQLITE_FULL). */
    CAPACITY = 0x1ffff,
};

typedef struct GatherFile GatherFile;
struct GatherFile {
    sqlite3_file base;            /* pMethods = &gatherMethods once open */
    sqlite3_file *real;           /* the default VFS's file, right after this struct */

    /* A WAL file: */
    unsigned char *buffer;        /* NULL: every write goes straight through */
    sqlite3_int64 bufferOffset;   /* file offset of buffer[0] */
    int bufferLength;
    int pendingHeader;            /* the buffer ends with a frame header whose page comes next */
    int commitFrame;              /* ... and that frame commits a transaction */
    sqlite3_int64 lastReadAt;     /* a frame read at its start is having its header rewritten */
    GatherFile *database;

    /* A main database file: */
    const char *walName;          /* the name SQLite opens its WAL under */
    GatherFile *wal;              /* that WAL, while open */
    GatherFile *nextDatabase;     /* in `databases` */
};

static sqlite3_vfs *realVfs;
static sqlite3_vfs gatherVfs;
static sqlite3_io_methods gatherMethods;

/* Open main database files, so that a WAL file finds its database. */
static pthread_mutex_t databasesLock = PTHREAD_MUTEX_INITIALIZER;
static GatherFile *databases;

static int flush(GatherFile *f) {
    if (f == NULL || f->bufferLength == 0) return SQLITE_OK;
    int rc = f->real->pMethods->xWrite(f->real, f->buffer, f->bufferLength, f->bufferOffset);
    f->bufferLength = 0;
    f->pendingHeader = 0;
    f->commitFrame = 0;
    return rc;
}

static void append(GatherFile *f, const void *data, int amount, sqlite3_int64 offset) {
    if (f->bufferLength == 0) f->bufferOffset = offset;
    memcpy(f->buffer + f->bufferLength, data, (size_t)amount);
    f->bufferLength += amount;
}

static int gatherWrite(sqlite3_file *file, const void *data, int amount, sqlite3_int64 offset) {
    GatherFile *f = (GatherFile *)file;
    if (f->buffer == NULL) return f->real->pMethods->xWrite(f->real, data, amount, offset);
    sqlite3_int64 end = f->bufferOffset + f->bufferLength;
    if (amount == FRAME_HEADER && offset != f->lastReadAt) {
        if (f->bufferLength > 0 && (offset != end || f->pendingHeader ||
                                    f->bufferLength + FRAME_HEADER + MAX_PAGE > CAPACITY)) {
            int rc = flush(f);
            if (rc != SQLITE_OK) return rc;
        }
        append(f, data, amount, offset);
        /* Bytes 4-7 of a frame header: the database size in pages after a commit, else 0. */
        const unsigned char *h = data;
        f->pendingHeader = 1;
        f->commitFrame = (h[4] | h[5] | h[6] | h[7]) != 0;
        return SQLITE_OK;
    }
    if (f->pendingHeader && offset == end && f->bufferLength + amount <= CAPACITY) {
        append(f, data, amount, offset);
        f->pendingHeader = 0;
        return f->commitFrame ? flush(f) : SQLITE_OK;
    }
    int rc = flush(f);
    return rc != SQLITE_OK ? rc : f->real->pMethods->xWrite(f->real, data, amount, offset);
}

static int gatherRead(sqlite3_file *file, void *data, int amount, sqlite3_int64 offset) {
    GatherFile *f = (GatherFile *)file;
    int rc = flush(f);
    if (rc != SQLITE_OK) return rc;
    f->lastReadAt = offset;
    rc = f->real->pMethods->xRead(f->real, data, amount, offset);
    /* SQLite's unix VFS reports a read that fails with EIO as a corrupt file
     * system, which a statement then returns as "database disk image is
     * malformed" (a damaged store, EL_ESCHEMA): for the panel a failing disk
     * is an I/O error, as a failing write is (EL_EIO), whatever the call. */
    return rc == SQLITE_IOERR_CORRUPTFS ? SQLITE_IOERR_READ : rc;
}

static int gatherClose(sqlite3_file *file) {
    GatherFile *f = (GatherFile *)file;
    int rc = flush(f);
    pthread_mutex_lock(&databasesLock);
    if (f->database != NULL) f->database->wal = NULL;
    if (f->walName != NULL) {
        if (f->wal != NULL) f->wal->database = NULL;
        for (GatherFile **p = &databases; *p != NULL; p = &(*p)->nextDatabase) {
            if (*p == f) {
                *p = f->nextDatabase;
                break;
            }
        }
    }
    pthread_mutex_unlock(&databasesLock);
    int closed = f->real->pMethods->xClose(f->real);
    free(f->buffer);
    f->buffer = NULL;
    return rc != SQLITE_OK ? rc : closed;
}

#define REAL(f) (((GatherFile *)(f))->real)
#define WAL_OF(f) (((GatherFile *)(f))->wal)
#define FLUSHED(g, call) do { int rc_ = flush(g); return rc_ != SQLITE_OK ? rc_ : (call); } while (0)

static int gatherTruncate(sqlite3_file *f, sqlite3_int64 size) { FLUSHED((GatherFile *)f, REAL(f)->pMethods->xTruncate(REAL(f), size)); }
static int gatherSync(sqlite3_file *f, int flags) { FLUSHED((GatherFile *)f, REAL(f)->pMethods->xSync(REAL(f), flags)); }
static int gatherFileSize(sqlite3_file *f, sqlite3_int64 *size) { FLUSHED((GatherFile *)f, REAL(f)->pMethods->xFileSize(REAL(f), size)); }
static int gatherFileControl(sqlite3_file *f, int op, void *arg) { FLUSHED((GatherFile *)f, REAL(f)->pMethods->xFileControl(REAL(f), op, arg)); }
static int gatherLock(sqlite3_file *f, int level) { return REAL(f)->pMethods->xLock(REAL(f), level); }
static int gatherUnlock(sqlite3_file *f, int level) { return REAL(f)->pMethods->xUnlock(REAL(f), level); }
static int gatherCheckReservedLock(sqlite3_file *f, int *out) { return REAL(f)->pMethods->xCheckReservedLock(REAL(f), out); }
static int gatherSectorSize(sqlite3_file *f) { return REAL(f)->pMethods->xSectorSize(REAL(f)); }
static int gatherDeviceCharacteristics(sqlite3_file *f) { return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f)); }
static int gatherFetch(sqlite3_file *f, sqlite3_int64 offset, int amount, void **out) {
    return REAL(f)->pMethods->xFetch(REAL(f), offset, amount, out);
}
static int gatherUnfetch(sqlite3_file *f, sqlite3_int64 offset, void *page) { return REAL(f)->pMethods->xUnfetch(REAL(f), offset, page); }

/* The shared-memory calls go to the database file: its WAL's frames are in
 * the file before a lock changes hands or the WAL index is published. */
static int gatherShmMap(sqlite3_file *f, int region, int size, int extend, void volatile **out) {
    return REAL(f)->pMethods->xShmMap(REAL(f), region, size, extend, out);
}
static int gatherShmLock(sqlite3_file *f, int offset, int n, int flags) {
    FLUSHED(WAL_OF(f), REAL(f)->pMethods->xShmLock(REAL(f), offset, n, flags));
}
static void gatherShmBarrier(sqlite3_file *f) {
    /* A commit's frames were written, and their error reported, with its
     * last frame; this only writes frames SQLite will not publish. */
    (void)flush(WAL_OF(f));
    REAL(f)->pMethods->xShmBarrier(REAL(f));
}
static int gatherShmUnmap(sqlite3_file *f, int deleteFlag) {
    FLUSHED(WAL_OF(f), REAL(f)->pMethods->xShmUnmap(REAL(f), deleteFlag));
}

static int gatherOpen(sqlite3_vfs *vfs, const char *name, sqlite3_file *file, int flags, int *outFlags) {
    (void)vfs;
    GatherFile *f = (GatherFile *)file;
    memset(f, 0, sizeof *f);  /* pMethods NULL: SQLite does not close a file that failed to open */
    f->real = (sqlite3_file *)(f + 1);
    f->lastReadAt = -1;
    int rc = realVfs->xOpen(realVfs, name, f->real, flags, outFlags);
    if (rc != SQLITE_OK) return rc;
    /* The methods above forward every method of version 3 (shared memory, mmap). */
    if (f->real->pMethods == NULL || f->real->pMethods->iVersion < 3) {
        if (f->real->pMethods) f->real->pMethods->xClose(f->real);
        return SQLITE_CANTOPEN;
    }
    pthread_mutex_lock(&databasesLock);
    if ((flags & SQLITE_OPEN_MAIN_DB) && name != NULL) {
        f->walName = sqlite3_filename_wal(name);
        f->nextDatabase = databases;
        databases = f;
    } else if ((flags & SQLITE_OPEN_WAL) && name != NULL) {
        /* SQLite opens a WAL under the very pointer sqlite3_filename_wal()
         * returned for its database. A WAL without one is written through. */
        for (GatherFile *d = databases; d != NULL; d = d->nextDatabase) {
            if (d->walName == name && d->wal == NULL) {
                f->buffer = malloc(CAPACITY);
                if (f->buffer != NULL) {
                    f->database = d;
                    d->wal = f;
                }
                break;
            }
        }
    }
    pthread_mutex_unlock(&databasesLock);
    file->pMethods = &gatherMethods;
    return SQLITE_OK;
}

int wal_gather_register(const char *name) {
    realVfs = sqlite3_vfs_find(NULL);
    if (realVfs == NULL) return SQLITE_ERROR;
    gatherVfs = *realVfs;  /* everything but xOpen: delete, access, paths, time, randomness */
    gatherVfs.zName = name;
    gatherVfs.szOsFile = (int)sizeof(GatherFile) + realVfs->szOsFile;
    gatherVfs.xOpen = gatherOpen;
    gatherVfs.pNext = NULL;
    gatherMethods = (sqlite3_io_methods){
        .iVersion = 3,
        .xClose = gatherClose, .xRead = gatherRead, .xWrite = gatherWrite, .xTruncate = gatherTruncate,
        .xSync = gatherSync, .xFileSize = gatherFileSize, .xLock = gatherLock, .xUnlock = gatherUnlock,
        .xCheckReservedLock = gatherCheckReservedLock, .xFileControl = gatherFileControl,
        .xSectorSize = gatherSectorSize, .xDeviceCharacteristics = gatherDeviceCharacteristics,
        .xShmMap = gatherShmMap, .xShmLock = gatherShmLock, .xShmBarrier = gatherShmBarrier,
        .xShmUnmap = gatherShmUnmap, .xFetch = gatherFetch, .xUnfetch = gatherUnfetch,
    };
    return sqlite3_vfs_register(&gatherVfs, 0);
}
