/*
 * A C client of libeventlog.so, using only include/eventlog.h: every function
 * of the contract, with good and hostile input. Built with
 * -std=c99 -Wall -Wextra -Werror; run under valgrind by Tests/c/run.sh.
 *
 * Usage: client STORE_DIR [ITERATIONS]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <time.h>
#include <pthread.h>
#include "eventlog.h"

static int failures = 0, passes = 0;

#define CHECK(cond, ...) do { \
    if (cond) { passes++; } else { failures++; \
        fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond); \
        fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); } \
} while (0)

#define ADMIN "{\"role\":\"admin\",\"id\":1}"
#define CUSTOMER "{\"role\":\"customer\",\"id\":4}"

static const char *DIRECTORY =
    "{\"accounts\":[{\"id\":1,\"role\":\"admin\",\"name\":\"Root\"},"
    "{\"id\":2,\"role\":\"reseller\",\"name\":\"R\"},"
    "{\"id\":4,\"role\":\"customer\",\"name\":\"Alice\",\"resellerId\":2},"
    "{\"id\":5,\"role\":\"customer\",\"name\":\"Bob\",\"resellerId\":2}],"
    "\"services\":[{\"id\":10,\"name\":\"Alice FM\",\"ownerId\":4,\"kind\":\"icecast\"},"
    "{\"id\":11,\"name\":\"Bob FM\",\"ownerId\":5,\"kind\":\"icecast\"}]}";

static const char *DJ = "{\"type\":\"dj.connect\",\"serviceId\":10,\"djName\":\"Alice\",\"sourceIp\":\"203.0.113.7\"}";

static char *path_in(const char *dir, const char *name) {
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    snprintf(p, n, "%s/%s", dir, name);
    return p;
}

static void test_versions(void) {
    CHECK(el_abi_version() == EL_ABI_VERSION, "abi %d", el_abi_version());
    CHECK(el_version() != NULL && strlen(el_version()) > 0, "version");
}

static void test_open_errors(const char *dir) {
    el_db *db = NULL;
    char *garbage = path_in(dir, "garbage.sqlite");
    FILE *f = fopen(garbage, "wb");
    int i;
    for (i = 0; i < 4096; i++) fputc('x', f);
    fclose(f);

    CHECK(el_open(NULL, "x", NULL) == EL_EINVAL, "NULL out");
    CHECK(el_open(&db, NULL, NULL) == EL_EINVAL, "NULL path");
    CHECK(strstr(el_errmsg(db), "path is NULL") != NULL, "msg %s", el_errmsg(db));
    el_close(db);
    CHECK(el_open(&db, "", NULL) == EL_EINVAL, "empty path");
    el_close(db);
    CHECK(el_open(&db, dir, NULL) == EL_EIO, "directory: %s", el_errmsg(db));
    el_close(db);
    CHECK(el_open(&db, "/nonexistent/dir/store.sqlite", NULL) == EL_EIO, "uncreatable: %s", el_errmsg(db));
    el_close(db);
    CHECK(el_open(&db, garbage, NULL) == EL_ESCHEMA, "garbage: %s", el_errmsg(db));
    CHECK(strlen(el_errmsg(db)) > 0, "garbage has a message");
    el_close(db);
    {
        char *other = path_in(dir, "other.sqlite");
        CHECK(el_open(&db, other, "{\"retentionDays\":0}") == EL_EINVAL, "bad option: %s", el_errmsg(db));
        el_close(db);
        CHECK(el_open(&db, other, "{\"colour\":1}") == EL_EINVAL, "unknown option");
        el_close(db);
        CHECK(el_open(&db, other, "not json") == EL_EINVAL, "options not json");
        el_close(db);
        free(other);
    }
    free(garbage);
}

static void test_bad_input(el_db *db) {
    int64_t id = 42;
    char *out = (char *)"x";
    size_t len = 7;
    static const char bad_utf8[] = "{\"type\":\"dj.connect\",\"serviceId\":10,\"djName\":\"\xff\xfe\"}";
    char *huge;

    CHECK(el_log(db, NULL, &id) == EL_EINVAL && id == 0, "NULL event");
    CHECK(el_log(db, "", &id) == EL_EINVAL, "empty event");
    CHECK(el_log(db, "nonsense", &id) == EL_EINVAL, "not json");
    CHECK(strstr(el_errmsg(db), "not valid JSON") != NULL, "msg: %s", el_errmsg(db));
    CHECK(el_log(db, bad_utf8, &id) == EL_EINVAL, "invalid utf-8");
    CHECK(strstr(el_errmsg(db), "UTF-8") != NULL, "msg: %s", el_errmsg(db));
    CHECK(el_log(db, "[1,2]", &id) == EL_EINVAL, "wrong shape");
    CHECK(el_log(db, "{\"type\":\"dj.connect\",\"serviceId\":10}", &id) == EL_EINVAL, "missing djName");
    CHECK(strcmp(el_errmsg(db), "djName is required for dj.connect") == 0, "msg: %s", el_errmsg(db));
    CHECK(el_log(db, "{\"type\":\"dj.connect\",\"serviceId\":1e300,\"djName\":\"a\"}", &id) == EL_EINVAL, "huge number");
    CHECK(el_log(db, "{\"type\":\"dj.connect\",\"serviceId\":99999999999999999999999,\"djName\":\"a\"}", &id) == EL_EINVAL, "overflowing id");

    huge = malloc(2 * 1024 * 1024);
    memset(huge, '[', 2 * 1024 * 1024 - 1);
    huge[2 * 1024 * 1024 - 1] = 0;
    CHECK(el_log(db, huge, &id) == EL_EINVAL, "2 MiB event");
    CHECK(el_log_batch(db, huge, NULL) == EL_EINVAL, "deep nesting: %s", el_errmsg(db));
    free(huge);

    CHECK(el_log_batch(db, NULL, NULL) == EL_EINVAL, "NULL batch");
    CHECK(el_log_batch(db, "{}", NULL) == EL_EINVAL, "batch not array");
    CHECK(el_directory_put(db, NULL) == EL_EINVAL, "NULL directory");
    CHECK(el_directory_put(db, "{\"accounts\":[{\"id\":-1}]}") == EL_EINVAL, "bad directory");

    CHECK(el_query(db, NULL, NULL, &out, &len) == EL_EINVAL && out == NULL && len == 0, "NULL principal");
    CHECK(el_query(db, ADMIN, NULL, NULL, NULL) == EL_EINVAL, "NULL out_json");
    CHECK(el_query(db, "{\"role\":\"admin\"}", NULL, &out, &len) == EL_EINVAL, "principal without id");
    CHECK(el_query(db, ADMIN, "{\"page\":-1}", &out, &len) == EL_EINVAL, "negative page");
    CHECK(strstr(el_errmsg(db), "page") != NULL, "msg: %s", el_errmsg(db));
    CHECK(el_query(db, ADMIN, "{\"perPage\":100000}", &out, &len) == EL_EINVAL, "perPage too big");
    CHECK(el_query(db, ADMIN, "{\"page\":9223372036854775807}", &out, &len) == EL_EINVAL, "huge page");

    {
        el_export *ex = (el_export *)&id;
        CHECK(el_export_open(db, ADMIN, NULL, "xlsx", &ex) == EL_EINVAL && ex == NULL, "bad format");
        CHECK(el_export_open(db, ADMIN, NULL, NULL, &ex) == EL_EINVAL, "NULL format");
        CHECK(el_export_open(db, ADMIN, NULL, "csv", NULL) == EL_EINVAL, "NULL out");
    }
    CHECK(el_prune(db, -5, NULL) == EL_EINVAL, "negative now");
    CHECK(el_set_retention_days(db, 0) == EL_EINVAL, "retention 0 days");
    CHECK(el_set_retention_days(db, 3651) == EL_EINVAL, "retention over ten years");
    CHECK(el_cursor(db, NULL, NULL) == EL_EINVAL, "NULL cursor out");
    CHECK(el_catalog(NULL, NULL) == EL_EINVAL, "NULL catalog out");
    CHECK(el_set_retention_days(NULL, 30) == EL_EMISUSE && el_cursor(NULL, &out, &len) == EL_EMISUSE, "NULL handle");
}

static void test_roundtrip(el_db *db) {
    int64_t id = 0, count = 0, deleted = -1;
    char *out = NULL;
    size_t len = 0;
    el_export *ex = NULL;
    const char *chunk = NULL;
    size_t chunk_len = 0, total = 0;
    int chunks = 0;

    CHECK(el_directory_put(db, DIRECTORY) == EL_OK, "directory: %s", el_errmsg(db));
    CHECK(el_log(db, DJ, &id) == EL_OK && id > 0, "log: %s", el_errmsg(db));
    CHECK(strcmp(el_errmsg(db), "") == 0, "message cleared after success");
    CHECK(el_log(db, DJ, NULL) == EL_OK, "log without out_id");
    CHECK(el_log_batch(db, "[{\"type\":\"mount.connect\",\"serviceId\":11,\"details\":{\"mount\":\"/live\"}},"
                           "{\"type\":\"autodj.on_air\",\"serviceId\":10,\"details\":{\"trigger\":\"startup\"}}]", &count) == EL_OK
          && count == 2, "batch: %s", el_errmsg(db));

    CHECK(el_query(db, ADMIN, NULL, &out, &len) == EL_OK && out != NULL, "query: %s", el_errmsg(db));
    CHECK(out && strlen(out) == len, "length");
    CHECK(out && strstr(out, "\"total\":4") != NULL, "total 4: %s", out);
    el_string_free(out);
    out = NULL;

    /* The cursor: a page's, and the store's now, are the same token. */
    CHECK(el_cursor(db, &out, &len) == EL_OK && out != NULL && strlen(out) == len && len > 0, "cursor: %s", el_errmsg(db));
    {
        char filter[128], *page = NULL;
        size_t page_len = 0;
        snprintf(filter, sizeof filter, "{\"after\":\"%s\"}", out ? out : "");
        CHECK(el_query(db, ADMIN, filter, &page, &page_len) == EL_OK && page && strstr(page, "\"logs\":[]") != NULL,
              "nothing since the cursor: %s", page ? page : el_errmsg(db));
        el_string_free(page);
    }
    el_string_free(out);
    out = NULL;
    CHECK(el_store_info(db, &out, &len) == EL_OK && out && strstr(out, "\"retentionDays\":30") != NULL
          && strstr(out, "\"readOnly\":false") != NULL, "store info: %s", out ? out : el_errmsg(db));
    el_string_free(out);
    out = NULL;
    CHECK(el_store_info(db, NULL, NULL) == EL_EINVAL, "NULL store info out");
    CHECK(el_catalog(&out, &len) == EL_OK && out && strstr(out, "\"dj.connect\"") != NULL && strlen(out) == len, "catalog");
    el_string_free(out);
    out = NULL;

    CHECK(el_query(db, CUSTOMER, "{\"category\":\"dj\"}", &out, &len) == EL_OK, "customer query: %s", el_errmsg(db));
    CHECK(out && strstr(out, "\"total\":2") != NULL, "customer sees 2 DJ events: %s", out);
    el_string_free(out);
    out = NULL;
    CHECK(el_query(db, CUSTOMER, "{\"serviceId\":11}", &out, &len) == EL_EDENIED && out == NULL, "denied");
    CHECK(strstr(el_errmsg(db), "may not see") != NULL, "msg: %s", el_errmsg(db));
    CHECK(el_query(db, ADMIN, "{\"serviceId\":777}", &out, &len) == EL_ENOTFOUND, "not found");

    CHECK(el_export_open(db, ADMIN, "{}", "csv", &ex) == EL_OK && ex != NULL, "export: %s", el_errmsg(db));
    while (el_export_next(ex, &chunk, &chunk_len) == EL_OK && chunk_len > 0) {
        if (chunks == 0) CHECK(strncmp(chunk, "id,time_utc,", 12) == 0, "csv header");
        total += chunk_len;
        chunks++;
    }
    CHECK(chunk_len == 0 && chunks == 1 && total > 0, "export chunks %d", chunks);
    CHECK(el_export_next(ex, &chunk, &chunk_len) == EL_OK && chunk_len == 0, "next after done");
    el_export_close(ex);
    el_export_close(ex);     /* second close: ignored */
    el_export_close(NULL);
    CHECK(el_export_next(ex, &chunk, &chunk_len) == EL_EMISUSE, "next after close");

    CHECK(el_prune(db, 0, &deleted) == EL_OK && deleted == 0, "prune now: %s", el_errmsg(db));
    /* 31 days ahead everything is past the 30-day window. */
    {
        int64_t later = 0;
        CHECK(el_query(db, ADMIN, NULL, &out, &len) == EL_OK, "query");
        el_string_free(out);
        out = NULL;
        later = (int64_t)1000 * 60 * 60 * 24 * 31;
        later += (int64_t)time(NULL) * 1000;
        CHECK(el_prune(db, later, &deleted) == EL_OK && deleted == 4, "prune later: %lld", (long long)deleted);
    }
}

static long resident_kib(void) {
    long pages = 0, rss = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (f) { if (fscanf(f, "%ld %ld", &pages, &rss) != 2) rss = 0; fclose(f); }
    return rss * (sysconf(_SC_PAGESIZE) / 1024);
}

/* Repeats every call that hands out memory (7 calls an iteration), for the
 * leak checks: valgrind on a short run, resident memory on a long one. */
static void churn(el_db *db, int iterations) {
    int i;
    long warm = 0;
    for (i = 0; i < iterations; i++) {
        if (i == 1000) warm = resident_kib();
        char *out = NULL;
        size_t len = 0;
        el_export *ex = NULL;
        const char *chunk;
        size_t chunk_len;
        el_log(db, DJ, NULL);
        el_log(db, "{\"type\":\"nope\"}", NULL);
        el_errmsg(db);
        if (el_query(db, ADMIN, "{\"perPage\":5}", &out, &len) == EL_OK) el_string_free(out);
        el_query(db, CUSTOMER, "{\"serviceId\":11}", &out, &len);
        if (el_export_open(db, CUSTOMER, "{\"category\":\"autodj\"}", i % 2 ? "csv" : "jsonl", &ex) == EL_OK) {
            el_export_next(ex, &chunk, &chunk_len);  /* abandon mid-way on purpose */
            el_export_close(ex);
        }
    }
    if (iterations > 2000) {
        /* SQLite's page cache (2 MiB by default) may still fill; a leak of a
         * string or chunk per call would be tens of MiB here. */
        long growth = resident_kib() - warm;
        CHECK(growth < 4096, "resident memory grew %ld KiB over %d calls", growth, 7 * (iterations - 1000));
        printf("c-client: resident memory grew %ld KiB over %d calls after warm-up\n", growth, 7 * (iterations - 1000));
    }
}

/* One handle shared by several threads: the library serializes the calls. */
enum { THREADS = 4, PER_THREAD = 250 };

static void *thread_body(void *arg) {
    el_db *db = arg;
    int i;
    long ok = 0;
    for (i = 0; i < PER_THREAD; i++) {
        char *out = NULL;
        size_t len = 0;
        if (el_log(db, "{\"type\":\"autodj.on_air\",\"serviceId\":11,\"details\":{\"trigger\":\"startup\"}}", NULL) == EL_OK) ok++;
        if (el_query(db, ADMIN, "{\"category\":\"autodj\",\"serviceId\":11}", &out, &len) == EL_OK) el_string_free(out);
    }
    return (void *)ok;
}

static void test_threads(el_db *db) {
    pthread_t threads[THREADS];
    long total = 0;
    int i;
    char *out = NULL;
    size_t len = 0;
    for (i = 0; i < THREADS; i++) pthread_create(&threads[i], NULL, thread_body, db);
    for (i = 0; i < THREADS; i++) {
        void *ok;
        pthread_join(threads[i], &ok);
        total += (long)ok;
    }
    CHECK(total == THREADS * PER_THREAD, "threads logged %ld", total);
    CHECK(el_query(db, ADMIN, "{\"category\":\"autodj\",\"serviceId\":11}", &out, &len) == EL_OK, "query after threads");
    CHECK(out && strstr(out, "\"total\":1000,") != NULL, "1000 events from 4 threads: %.80s", out ? out : "");
    el_string_free(out);
}

/* el_release keeps the store open for the next el_open of the same path and
 * options: the WAL is not checkpointed away, the handle is gone, the next
 * open sees every event; a store whose file was replaced is not reused. */
static void test_release(const char *dir) {
    char *path = path_in(dir, "released.sqlite"), *wal = path_in(dir, "released.sqlite-wal"), *out = NULL;
    el_db *db = NULL, *again = NULL;
    struct stat st;
    size_t len = 0;
    CHECK(el_open(&db, path, NULL) == EL_OK && el_directory_put(db, DIRECTORY) == EL_OK && el_log(db, DJ, NULL) == EL_OK, "open and log");
    el_release(db);
    CHECK(el_log(db, DJ, NULL) == EL_EMISUSE, "a released handle is gone");
    CHECK(stat(wal, &st) == 0 && st.st_size > 0, "the WAL stays: the store was not closed");
    CHECK(el_open(&again, path, NULL) == EL_OK && el_log(again, DJ, NULL) == EL_OK, "reopen: %s", el_errmsg(again));
    CHECK(el_query(again, ADMIN, NULL, &out, &len) == EL_OK && out && strstr(out, "\"total\":2") != NULL, "both events");
    el_string_free(out);
    out = NULL;
    el_release(again);
    unlink(path);
    unlink(wal);
    CHECK(el_open(&again, path, NULL) == EL_OK && el_directory_put(again, DIRECTORY) == EL_OK, "a replaced file: %s", el_errmsg(again));
    CHECK(el_query(again, ADMIN, NULL, &out, &len) == EL_OK && out && strstr(out, "\"total\":0") != NULL, "the new file, not the pooled store");
    el_string_free(out);
    el_close(again);
    el_release(NULL);
    free(path);
    free(wal);
}

int main(int argc, char **argv) {
    el_db *db = NULL;
    char *store;
    struct stat st;
    int iterations = argc > 2 ? atoi(argv[2]) : 100;
    if (argc < 2) { fprintf(stderr, "usage: %s STORE_DIR [ITERATIONS]\n", argv[0]); return 2; }

    test_versions();
    test_open_errors(argv[1]);

    store = path_in(argv[1], "events.sqlite");
    CHECK(el_open(&db, store, "{\"retentionDays\":30,\"busyTimeoutMs\":2000,\"synchronous\":\"normal\"}") == EL_OK,
          "open: %s", el_errmsg(db));
    CHECK(stat(store, &st) == 0 && (st.st_mode & 0777) == 0640, "mode %o", st.st_mode & 0777);
    test_bad_input(db);
    test_roundtrip(db);
    test_threads(db);
    churn(db, iterations);

    {
        el_db *other = NULL;
        el_export *ex = NULL;
        const char *chunk;
        size_t chunk_len;
        CHECK(el_open(&other, store, NULL) == EL_OK, "second handle: %s", el_errmsg(other));
        CHECK(el_export_open(other, ADMIN, NULL, "jsonl", &ex) == EL_OK, "export on second handle");
        el_close(other);
        CHECK(el_export_next(ex, &chunk, &chunk_len) == EL_EMISUSE, "export after its store closed");
        el_export_close(ex);
        CHECK(el_log(other, DJ, NULL) == EL_EMISUSE, "log on closed handle");
        CHECK(strstr(el_errmsg(other), "not an open database handle") != NULL, "msg for closed handle");
        el_close(other);  /* second close: ignored */
    }
    test_release(argv[1]);
    CHECK(el_log(NULL, DJ, NULL) == EL_EMISUSE, "NULL handle");
    CHECK(el_errmsg(NULL) != NULL, "errmsg(NULL)");
    el_close(NULL);
    el_string_free(NULL);

    el_close(db);
    free(store);
    printf("c-client: %d passed, %d failed\n", passes, failures);
    return failures ? 1 : 0;
}
