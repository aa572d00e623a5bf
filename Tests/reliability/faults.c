/*
 * I/O errors on demand, for the reliability suite's "ioerror" case: an
 * LD_PRELOAD library that makes the file calls SQLite and the library use
 * fail with EIO, as a failing disk does, for the files under one folder only.
 *
 *   FAULTS_PREFIX=/the/store/folder/ FAULTS_CONTROL=/a/file LD_PRELOAD=libfaults.so php ...
 *
 * The control file holds the kinds of call that fail now, any of "read"
 * (read, pread, pread64), "write" (write, pwrite64, ftruncate64) and "sync"
 * (fdatasync, fsync); empty or missing, none does. It is read at every
 * call on a file under the folder, so a test switches faults on and off
 * while the process runs. Other files (PHP's own, the control file) are
 * never touched.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/types.h>
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

/* Whether fd is a file under FAULTS_PREFIX and calls of `kind` fail now. */
static int fails(int fd, int kind) {
    const char *prefix = getenv("FAULTS_PREFIX");
    if (prefix == NULL || *prefix == '\0') return 0;
    char link[64], path[4096];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t len = readlink(link, path, sizeof path - 1);
    if (len <= 0) return 0;
    path[len] = '\0';
    if (strncmp(path, prefix, strlen(prefix)) != 0) return 0;
    if (!(failing() & kind)) return 0;
    errno = EIO;
    return 1;
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
    return fails(fd, WRITE) ? -1 : real(fd, buf, count);
}

ssize_t pwrite64(int fd, const void *buf, size_t count, off_t offset) {
    REAL(pwrite64);
    return fails(fd, WRITE) ? -1 : real(fd, buf, count, offset);
}

int ftruncate64(int fd, off_t length) {
    REAL(ftruncate64);
    return fails(fd, WRITE) ? -1 : real(fd, length);
}

int fdatasync(int fd) {
    REAL(fdatasync);
    return fails(fd, SYNC) ? -1 : real(fd);
}

int fsync(int fd) {
    REAL(fsync);
    return fails(fd, SYNC) ? -1 : real(fd);
}
