/*
 * I/O errors on demand and power loss after the fact, for the reliability
 * suite's "ioerror" and "powerloss" cases: an LD_PRELOAD library over the
 * file calls SQLite and the library use, for the files under one folder only.
 *
 *   FAULTS_PREFIX=/the/store/folder/ FAULTS_CONTROL=/a/file LD_PRELOAD=libfaults.so php ...
 *
 * The control file holds the kinds of call that fail now with EIO, as a
 * failing disk does: any of "read" (read, pread, pread64), "write" (write,
 * pwrite64, ftruncate64) and "sync" (fdatasync, fsync); empty or missing,
 * none does. It is read at every call on a file under the folder, so a test
 * switches faults on and off while the process runs. Other files (PHP's
 * own, the control file) are never touched.
 *
 *   FAULTS_PREFIX=/the/store/folder/ FAULTS_UNDO=/an/empty/folder LD_PRELOAD=...
 *
 * With FAULTS_UNDO, every write and truncation of a file under the folder
 * is first recorded in FAULTS_UNDO/undo.<pid> with the bytes and the size it
 * is about to change, every sync and unlink after it succeeded, each with
 * the monotonic time it began. Once the processes are killed, powerloss.php
 * puts back what no sync had made durable: the files are then as a machine
 * that lost power at that moment could have left them. (The -shm file is
 * left out: SQLite rebuilds it after a crash.)
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

enum { READ = 1, WRITE = 2, SYNC = 4 };

/* Which kinds fail now (the control file's words). Raw syscalls: read() is ours. */
static int failing(void) {
    const char *control = getenv("FAULTS_CONTROL");
    if (control == NULL) return 0;
    int fd = (int)syscall(SYS_openat, AT_FDCWD, control, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 0;
    char text[64] = {0};
    long n = syscall(SYS_read, fd, text, sizeof text - 1);
    syscall(SYS_close, fd);
    if (n <= 0) return 0;
    return (strstr(text, "read") ? READ : 0) | (strstr(text, "write") ? WRITE : 0) | (strstr(text, "sync") ? SYNC : 0);
}

/* Whether `path` is under FAULTS_PREFIX. */
static int watched(const char *path) {
    const char *prefix = getenv("FAULTS_PREFIX");
    return prefix != NULL && *prefix != '\0' && strncmp(path, prefix, strlen(prefix)) == 0;
}

/* The path of fd into `path` (4096 bytes) if it is a file under FAULTS_PREFIX. */
static int watchedFd(int fd, char *path) {
    char link[64];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t len = readlink(link, path, 4095);
    if (len <= 0) return 0;
    path[len] = '\0';
    return watched(path);
}

/* Whether fd is a file under FAULTS_PREFIX and calls of `kind` fail now. */
static int fails(int fd, int kind) {
    char path[4096];
    if (!watchedFd(fd, path)) return 0;
    if (!(failing() & kind)) return 0;
    errno = EIO;
    return 1;
}

/* ---- the undo journal (FAULTS_UNDO) ----
 * A record: "UNDO", kind ('W' a write or truncation, 'S' a sync, 'U' an
 * unlink), three zero bytes, then int64 time (CLOCK_MONOTONIC ns), offset,
 * the file's size before and the write's length (-1: a truncation to
 * offset), uint32 lengths of the old bytes and of the path, the path, the old
 * bytes. 'W' undone: the old bytes written back at offset, then the file cut
 * to its size before. One write(2) a record, to a file of this
 * process's own: a process killed in the middle leaves a short record at the
 * end of its own file only. */

struct undoHeader {
    char magic[4];
    char kind, zero[3];
    int64_t ns, offset, sizeBefore, length;
    uint32_t dataLength, pathLength;
};

static int64_t monotonicNs(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

/* Whether to journal calls on `path`: FAULTS_UNDO set, under the folder, not the -shm. */
static int journaled(const char *path) {
    const char *undo = getenv("FAULTS_UNDO");
    if (undo == NULL || *undo == '\0' || !watched(path)) return 0;
    size_t n = strlen(path);
    return !(n >= 4 && strcmp(path + n - 4, "-shm") == 0);
}

static void appendRecord(char kind, int64_t ns, const char *path, int64_t offset, int64_t sizeBefore,
                         int64_t length, const void *data, uint32_t dataLength) {
    static int fd = -1;
    static pid_t owner;
    if (fd < 0 || owner != getpid()) {
        char file[4096];
        snprintf(file, sizeof file, "%s/undo.%d", getenv("FAULTS_UNDO"), (int)getpid());
        fd = (int)syscall(SYS_openat, AT_FDCWD, file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
        owner = getpid();
        if (fd < 0) abort();  /* a journal that cannot be written would make the test lie */
    }
    struct undoHeader h = {{'U', 'N', 'D', 'O'}, kind, {0}, ns, offset, sizeBefore, length, dataLength, (uint32_t)strlen(path)};
    size_t total = sizeof h + h.pathLength + dataLength;
    char *record = malloc(total);
    if (record == NULL) abort();
    memcpy(record, &h, sizeof h);
    memcpy(record + sizeof h, path, h.pathLength);
    if (dataLength > 0) memcpy(record + sizeof h + h.pathLength, data, dataLength);
    if (syscall(SYS_write, fd, record, total) != (long)total) abort();
    free(record);
}

/* Whether calls on fd are journaled, its path then in `path` (4096 bytes). */
static int journaledFd(int fd, char *path) {
    return getenv("FAULTS_UNDO") != NULL && watchedFd(fd, path) && journaled(path);
}

/* Records what a write of `count` bytes at `offset` (-1: where write(2)
 * writes) or a cut to `offset` (count -1) is about to change on fd, if fd is
 * journaled. */
static void recordChange(int fd, int64_t offset, int64_t count) {
    char path[4096];
    if (!journaledFd(fd, path)) return;
    struct stat st;
    if (fstat(fd, &st) != 0) return;
    if (offset < 0) offset = (fcntl(fd, F_GETFL) & O_APPEND) ? st.st_size : lseek(fd, 0, SEEK_CUR);
    int64_t size = st.st_size, end = count < 0 ? size : offset + count;
    if (end > size) end = size;
    uint32_t n = offset < end ? (uint32_t)(end - offset) : 0;
    char *old = n > 0 ? malloc(n) : NULL;
    if (n > 0 && (old == NULL || syscall(SYS_pread64, fd, old, n, offset) != (long)n)) abort();
    appendRecord('W', monotonicNs(), path, offset, size, count, old, n);
    free(old);
}

static void recordSync(int fd, int64_t ns) {
    char path[4096];
    if (journaledFd(fd, path)) appendRecord('S', ns, path, 0, 0, 0, NULL, 0);
}

#define REAL(name) static __typeof__(name) *real; if (!real) real = (__typeof__(name) *)dlsym(RTLD_NEXT, #name)

ssize_t read(int fd, void *buf, size_t count) {
    REAL(read);
    return fails(fd, READ) ? -1 : real(fd, buf, count);
}

ssize_t pread64(int fd, void *buf, size_t count, off_t offset) {
    REAL(pread64);
    return fails(fd, READ) ? -1 : real(fd, buf, count, offset);
}

ssize_t pread(int fd, void *buf, size_t count, off_t offset) {
    REAL(pread);
    return fails(fd, READ) ? -1 : real(fd, buf, count, offset);
}

ssize_t write(int fd, const void *buf, size_t count) {
    REAL(write);
    if (fails(fd, WRITE)) return -1;
    recordChange(fd, -1, (int64_t)count);
    return real(fd, buf, count);
}

ssize_t pwrite64(int fd, const void *buf, size_t count, off_t offset) {
    REAL(pwrite64);
    if (fails(fd, WRITE)) return -1;
    recordChange(fd, offset, (int64_t)count);
    return real(fd, buf, count, offset);
}

ssize_t pwrite(int fd, const void *buf, size_t count, off_t offset) {
    REAL(pwrite);
    if (fails(fd, WRITE)) return -1;
    recordChange(fd, offset, (int64_t)count);
    return real(fd, buf, count, offset);
}

int ftruncate64(int fd, off_t length) {
    REAL(ftruncate64);
    if (fails(fd, WRITE)) return -1;
    recordChange(fd, length, -1);
    return real(fd, length);
}

int ftruncate(int fd, off_t length) {
    REAL(ftruncate);
    if (fails(fd, WRITE)) return -1;
    recordChange(fd, length, -1);
    return real(fd, length);
}

int fdatasync(int fd) {
    REAL(fdatasync);
    if (fails(fd, SYNC)) return -1;
    int64_t ns = monotonicNs();
    int rc = real(fd);
    if (rc == 0) recordSync(fd, ns);
    return rc;
}

int fsync(int fd) {
    REAL(fsync);
    if (fails(fd, SYNC)) return -1;
    int64_t ns = monotonicNs();
    int rc = real(fd);
    if (rc == 0) recordSync(fd, ns);
    return rc;
}

int unlink(const char *path) {
    REAL(unlink);
    int64_t ns = monotonicNs();
    int rc = real(path);
    if (rc == 0 && journaled(path)) appendRecord('U', ns, path, 0, 0, 0, NULL, 0);
    return rc;
}
