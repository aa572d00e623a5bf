/*
 * A C client of libeventlog.so, using only include/eventlog.h: every function
 * of the contract, with good and hostile input. Built with
 * -std=c99 -Wall -Wextra -Werror; run under valgrind by Tests/c/run.sh.
 * The same checks run on both engines; only what a file alone has (its
 * mode, WAL, a garbage file, a replaced file) or what a server alone has
 * (URIs, passwords, el_copy) is checked on one of them.
 *
 * Usage: client LOCATION [ITERATIONS]
 *   LOCATION is a folder: SQLite, the store NAME is LOCATION/NAME.sqlite;
 *   or mysql://user:password@host:port/PREFIX (optionally ?socket=...):
 *   MariaDB, the store NAME is the database PREFIXNAME, which must not
 *   exist yet, except PREFIXforeign: a database holding a table of another
 *   application (run.sh creates it). el_copy's SQLite source is made in a
 *   temporary folder.
 */
#define _POSIX_C_SOURCE 200809L  /* mkdtemp */
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

/* Where the stores go (argv[1]) and which engine that means. */
static const char *location;
static int maria;

/* The store called `name`: a file in the folder, or a database of its own
 * (the name goes after the URI's prefix, before any ?socket=...). */
static char *store_at(const char *name) {
    size_t n = strlen(location) + strlen(name) + 16;
    char *p = malloc(n);
    if (!maria) {
        snprintf(p, n, "%s/%s.sqlite", location, name);
    } else {
        const char *query = strchr(location, '?');
        int head = query ? (int)(query - location) : (int)strlen(location);
        snprintf(p, n, "%.*s%s%s", head, location, name, query ? query : "");
    }
    return p;
}

/* The largest event id on a page ("{\"id\":" starts each event), 0 if none. */
static long long max_event_id(const char *page) {
    long long max = 0;
    const char *p = page;
    while (p && (p = strstr(p, "{\"id\":")) != NULL) {
        long long id = strtoll(p + 6, NULL, 10);
        if (id > max) max = id;
        p += 6;
    }
    return max;
}

/* Whether the page lists the event `id`. */
static int page_has(const char *page, int64_t id) {
    char needle[40];
    snprintf(needle, sizeof needle, "{\"id\":%lld,", (long long)id);
    return page && strstr(page, needle) != NULL;
}

static void test_versions(void) {
    CHECK(el_abi_version() == EL_ABI_VERSION, "abi %d", el_abi_version());
    CHECK(el_version() != NULL && strlen(el_version()) > 0, "version");
}

static void test_open_errors(void) {
    el_db *db = NULL;

    CHECK(el_open(NULL, "x", NULL) == EL_EINVAL, "NULL out");
    CHECK(el_open(&db, NULL, NULL) == EL_EINVAL, "NULL path");
    CHECK(strstr(el_errmsg(db), "path is NULL") != NULL, "msg %s", el_errmsg(db));
    el_close(db);
    CHECK(el_open(&db, "", NULL) == EL_EINVAL, "empty path");
    el_close(db);
    if (!maria) {
        char *garbage = path_in(location, "garbage.sqlite");
        FILE *f = fopen(garbage, "wb");
        int i;
        for (i = 0; i < 4096; i++) fputc('x', f);
        fclose(f);
        CHECK(el_open(&db, location, NULL) == EL_EIO, "directory: %s", el_errmsg(db));
        el_close(db);
        /* A FIFO: refused at once (opening it to read would wait for a writer forever). */
        char *fifo = path_in(location, "fifo.sqlite");
        CHECK(mkfifo(fifo, 0600) == 0, "mkfifo");
        CHECK(el_open(&db, fifo, NULL) == EL_EIO && strstr(el_errmsg(db), "not a regular file") != NULL, "fifo: %s", el_errmsg(db));
        el_close(db);
        unlink(fifo);
        free(fifo);
        CHECK(el_open(&db, "/nonexistent/dir/store.sqlite", NULL) == EL_EIO, "uncreatable: %s", el_errmsg(db));
        el_close(db);
        CHECK(el_open(&db, garbage, NULL) == EL_ESCHEMA, "garbage: %s", el_errmsg(db));
        CHECK(strlen(el_errmsg(db)) > 0, "garbage has a message");
        el_close(db);
        free(garbage);
    }
    {
        char *other = store_at("other");
        CHECK(el_open(&db, other, "{\"retentionDays\":0}") == EL_EINVAL, "bad option: %s", el_errmsg(db));
        el_close(db);
        CHECK(el_open(&db, other, "{\"colour\":1}") == EL_EINVAL, "unknown option");
        el_close(db);
        CHECK(el_open(&db, other, "not json") == EL_EINVAL, "options not json");
        el_close(db);
        free(other);
    }
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
    int64_t id = 0, count = 0;
    long long seen = 0;
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
    seen = out ? max_event_id(out) : 0;
    el_string_free(out);
    out = NULL;

    /* The cursor: a page's, and the store's now, are the same token. A page
     * after it lists nothing the viewer has not seen: on SQLite nothing at
     * all, on MariaDB perhaps events it already got (ids up to the
     * cursor's: pages merge by id). What is logged next is on that page. */
    CHECK(el_cursor(db, &out, &len) == EL_OK && out != NULL && strlen(out) == len && len > 0, "cursor: %s", el_errmsg(db));
    CHECK(out && strncmp(out, maria ? "m1." : "s1.", 3) == 0, "cursor token: %s", out ? out : "");
    {
        char filter[128], *page = NULL, mark[160];
        size_t page_len = 0;
        int64_t next = 0;
        snprintf(filter, sizeof filter, "{\"after\":\"%s\"}", out ? out : "");
        snprintf(mark, sizeof mark, "\"cursor\":\"%s\"", out ? out : "");
        CHECK(el_query(db, ADMIN, filter, &page, &page_len) == EL_OK && page && strstr(page, mark) != NULL
              && strstr(page, "\"total\":4,") != NULL, "page after the cursor: %s", page ? page : el_errmsg(db));
        if (maria) CHECK(max_event_id(page) <= seen, "only events already seen since the cursor: %s", page ? page : "");
        else CHECK(page && strstr(page, "\"logs\":[]") != NULL, "nothing since the cursor: %s", page ? page : "");
        el_string_free(page);
        page = NULL;
        /* Bob's mount: the customer checks below do not see it. */
        CHECK(el_log(db, "{\"type\":\"mount.connect\",\"serviceId\":11,\"details\":{\"mount\":\"/b\"}}", &next) == EL_OK
              && next > seen, "log after the cursor: %s", el_errmsg(db));
        CHECK(el_query(db, ADMIN, filter, &page, &page_len) == EL_OK && page_has(page, next),
              "the event logged since is after the cursor: %s", page ? page : el_errmsg(db));
        el_string_free(page);
    }
    el_string_free(out);
    out = NULL;
    CHECK(el_store_info(db, &out, &len) == EL_OK && out && strstr(out, "\"retentionDays\":30") != NULL
          && strstr(out, maria ? "\"engine\":\"mariadb\"" : "\"engine\":\"sqlite\"") != NULL
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
}

/* Retention, on a store of its own: 31 days ahead everything is past the
 * 30-day window (and MariaDB then hides whatever is older than the day it
 * pruned up to, also events logged later at today's time). The window
 * belongs to the store: a handle opened with another one reads the store's. */
static void test_prune(void) {
    char *path = store_at("pruned"), *out = NULL;
    el_db *db = NULL, *again = NULL;
    int64_t deleted = -1, later, last = 0, next = 0;
    size_t len = 0;
    CHECK(el_open(&db, path, NULL) == EL_OK && el_directory_put(db, DIRECTORY) == EL_OK, "open: %s", el_errmsg(db));
    CHECK(el_log_batch(db, "[{\"type\":\"mount.connect\",\"serviceId\":11,\"details\":{\"mount\":\"/live\"}},"
                              "{\"type\":\"autodj.on_air\",\"serviceId\":10,\"details\":{\"trigger\":\"startup\"}}]", NULL) == EL_OK
          && el_log(db, DJ, NULL) == EL_OK && el_log(db, DJ, &last) == EL_OK, "log 4: %s", el_errmsg(db));
    CHECK(el_prune(db, 0, &deleted) == EL_OK && deleted == 0, "prune now: %s", el_errmsg(db));
    later = (int64_t)1000 * 60 * 60 * 24 * 31;
    later += (int64_t)time(NULL) * 1000;
    CHECK(el_prune(db, later, &deleted) == EL_OK && deleted == 4, "prune later: %lld %s", (long long)deleted, el_errmsg(db));
    CHECK(el_query(db, ADMIN, NULL, &out, &len) == EL_OK && out && strstr(out, "\"total\":0,") != NULL, "pruned: %s", out ? out : el_errmsg(db));
    el_string_free(out);
    out = NULL;
    /* Ids are never reused, also once every event is gone. */
    CHECK(el_log(db, DJ, &next) == EL_OK && next > last, "id after the prune: %lld, last before: %lld", (long long)next, (long long)last);
    CHECK(el_set_retention_days(db, 7) == EL_OK, "retention 7: %s", el_errmsg(db));
    CHECK(el_store_info(db, &out, &len) == EL_OK && out && strstr(out, "\"retentionDays\":7,") != NULL, "info: %s", out ? out : el_errmsg(db));
    el_string_free(out);
    out = NULL;
    CHECK(el_open(&again, path, "{\"retentionDays\":90}") == EL_OK && el_store_info(again, &out, &len) == EL_OK
          && out && strstr(out, "\"retentionDays\":7,") != NULL, "another handle: %s", out ? out : el_errmsg(again));
    el_string_free(out);
    el_close(again);
    el_close(db);
    free(path);
}

static long resident_kib(void) {
    long pages = 0, rss = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (f) { if (fscanf(f, "%ld %ld", &pages, &rss) != 2) rss = 0; fclose(f); }
    return rss * (sysconf(_SC_PAGESIZE) / 1024);
}

/* A batch of 520 events: a MariaDB store asks its fold thread ("el-fold")
 * for a fold, which runs beside the calls after it and which el_close
 * joins, under valgrind too. */
static void test_fold(el_db *db) {
    size_t one = strlen(DJ), n = 520, i;
    char *batch = malloc(n * (one + 1) + 2), *p = batch;
    int64_t count = 0;
    *p++ = '[';
    for (i = 0; i < n; i++) {
        if (i) *p++ = ',';
        memcpy(p, DJ, one);
        p += one;
    }
    *p++ = ']';
    *p = '\0';
    CHECK(el_log_batch(db, batch, &count) == EL_OK && count == (int64_t) n, "a batch that asks for a fold: %s", el_errmsg(db));
    free(batch);
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
 * options: the handle is gone, the next open sees every event. On SQLite
 * the WAL is not checkpointed away and a store whose file was replaced is
 * not reused. */
static void test_release(void) {
    char *path = store_at("released"), *wal = path_in(location, "released.sqlite-wal"), *out = NULL;
    el_db *db = NULL, *again = NULL;
    struct stat st;
    size_t len = 0;
    CHECK(el_open(&db, path, NULL) == EL_OK && el_directory_put(db, DIRECTORY) == EL_OK && el_log(db, DJ, NULL) == EL_OK, "open and log");
    el_release(db);
    CHECK(el_log(db, DJ, NULL) == EL_EMISUSE, "a released handle is gone");
    if (!maria) CHECK(stat(wal, &st) == 0 && st.st_size > 0, "the WAL stays: the store was not closed");
    CHECK(el_open(&again, path, NULL) == EL_OK && el_log(again, DJ, NULL) == EL_OK, "reopen: %s", el_errmsg(again));
    CHECK(el_query(again, ADMIN, NULL, &out, &len) == EL_OK && out && strstr(out, "\"total\":2") != NULL, "both events");
    el_string_free(out);
    out = NULL;
    el_release(again);
    if (!maria) {
        unlink(path);
        unlink(wal);
        CHECK(el_open(&again, path, NULL) == EL_OK && el_directory_put(again, DIRECTORY) == EL_OK, "a replaced file: %s", el_errmsg(again));
        CHECK(el_query(again, ADMIN, NULL, &out, &len) == EL_OK && out && strstr(out, "\"total\":0") != NULL, "the new file, not the pooled store");
        el_string_free(out);
        el_close(again);
    }
    el_release(NULL);
    free(path);
    free(wal);
}

/* MariaDB only: what a server has and a file has not. */

/* LOCATION taken apart: "mysql://user", password, "host:port", the
 * database prefix, "?query" or "". */
static char uri_user[256], uri_password[256], uri_host[256], uri_prefix[128], uri_query[512];
static const char *WRONG_PASSWORD = "Zq7-wrong-Xylophone";

static void split_location(void) {
    const char *p = strstr(location, "://") + 3, *slash = strchr(p, '/'), *at = NULL, *q, *colon;
    for (q = p; slash && q < slash; q++) if (*q == '@') at = q;
    if (!slash || !at) { fprintf(stderr, "LOCATION must be mysql://user:password@host:port/PREFIX\n"); exit(2); }
    colon = memchr(p, ':', (size_t)(at - p));
    if (!colon) colon = at;
    snprintf(uri_user, sizeof uri_user, "%.*s", (int)(colon - location), location);
    snprintf(uri_password, sizeof uri_password, "%.*s", colon < at ? (int)(at - colon - 1) : 0, colon + 1);
    snprintf(uri_host, sizeof uri_host, "%.*s", (int)(slash - at - 1), at + 1);
    q = strchr(slash, '?');
    snprintf(uri_prefix, sizeof uri_prefix, "%.*s", q ? (int)(q - slash - 1) : (int)strlen(slash + 1), slash + 1);
    snprintf(uri_query, sizeof uri_query, "%s", q ? q : "");
}

/* A URI on this server: password, host, "/database" and query as given. */
static void uri(char *out, size_t size, const char *password, const char *host, const char *tail) {
    snprintf(out, size, "%s:%s@%s%s", uri_user, password, host, tail);
}

/* The password, right or wrong, never appears in a message or a result. */
static int secret_free(const char *text) {
    return text && strstr(text, WRONG_PASSWORD) == NULL && (strlen(uri_password) < 4 || strstr(text, uri_password) == NULL);
}

static void open_fails(const char *path, int expected, const char *why) {
    el_db *db = NULL;
    int rc = el_open(&db, path, NULL);
    CHECK(rc == expected && strlen(el_errmsg(db)) > 0 && secret_free(el_errmsg(db)), "%s: %s gave %d: %s", why, path, rc, el_errmsg(db));
    el_close(db);
}

static void test_uris(void) {
    char u[1024], tail[700], pct[800];
    size_t i;
    snprintf(tail, sizeof tail, "/%sdenied%s", uri_prefix, uri_query);
    uri(u, sizeof u, WRONG_PASSWORD, uri_host, tail);
    open_fails(u, EL_EIO, "wrong password");
    /* The right password, every byte %-encoded: the same store. */
    for (i = 0; uri_password[i] && i < 250; i++) sprintf(pct + 3 * i, "%%%02X", (unsigned char)uri_password[i]);
    pct[3 * i] = 0;
    snprintf(tail, sizeof tail, "/%sevents%s", uri_prefix, uri_query);
    uri(u, sizeof u, pct, uri_host, tail);
    {
        el_db *db = NULL;
        CHECK(el_open(&db, u, NULL) == EL_OK && el_log(db, DJ, NULL) == EL_OK, "%%-encoded password: %s", el_errmsg(db));
        el_close(db);
    }

    uri(u, sizeof u, uri_password, uri_host, "");
    open_fails(u, EL_EINVAL, "no database");
    uri(u, sizeof u, uri_password, uri_host, "/");
    open_fails(u, EL_EINVAL, "empty database");
    uri(u, sizeof u, uri_password, uri_host, "/no-dashes");
    open_fails(u, EL_EINVAL, "bad database name");
    uri(u, sizeof u, uri_password, "127.0.0.1:99999", "/c_port");
    open_fails(u, EL_EINVAL, "port out of range");
    uri(u, sizeof u, uri_password, "127.0.0.1:33o6", "/c_port");
    open_fails(u, EL_EINVAL, "port not a number");
    snprintf(tail, sizeof tail, "/%sparam?sslmode=require", uri_prefix);
    uri(u, sizeof u, uri_password, uri_host, tail);
    open_fails(u, EL_EINVAL, "unknown parameter");
    snprintf(tail, sizeof tail, "/%sescape%s", uri_prefix, uri_query);
    snprintf(pct, sizeof pct, "%s%%zz", WRONG_PASSWORD);
    uri(u, sizeof u, pct, uri_host, tail);
    open_fails(u, EL_EINVAL, "bad %-escape in the password");
    snprintf(pct, sizeof pct, "%s%%4", WRONG_PASSWORD);
    uri(u, sizeof u, pct, uri_host, tail);
    open_fails(u, EL_EINVAL, "cut %-escape in the password");
    snprintf(tail, sizeof tail, "/%sescape%%g1%s", uri_prefix, uri_query);
    uri(u, sizeof u, uri_password, uri_host, tail);
    open_fails(u, EL_EINVAL, "bad %-escape in the database");

    {
        char *foreign = store_at("foreign");
        el_db *db = NULL;
        CHECK(el_open(&db, foreign, NULL) == EL_ESCHEMA && strstr(el_errmsg(db), "other tables") != NULL
              && secret_free(el_errmsg(db)), "a database with a foreign table: %s", el_errmsg(db));
        el_close(db);
        free(foreign);
    }
}

/* Events per day on both sides of a copy report, all equal; their sum. */
static long long days_equal(const char *report, int *days) {
    const char *p = report ? strstr(report, "\"days\":[") : NULL;
    long long sum = 0;
    *days = 0;
    while (p && (p = strstr(p, "\"source\":")) != NULL) {
        long long source = strtoll(p + 9, NULL, 10);
        const char *t = strstr(p, "\"target\":");
        if (!t || strtoll(t + 9, NULL, 10) != source) return -1;
        sum += source;
        (*days)++;
        p = t;
    }
    return sum;
}

/* An SQLite store made here, copied into a new database: everything comes
 * over once (ids, directory, delivery keys), per-day counts agree, and a
 * second copy brings nothing. */
static void test_copy(el_db *events) {
    char tmp[] = "/tmp/el-client-XXXXXX", *source, *garbage, *target = store_at("copy"), *out = NULL, event[256];
    el_db *lite = NULL, *db = NULL;
    int64_t keyed = 0, again = 0, now = (int64_t)time(NULL) * 1000;
    size_t len = 0;
    int days = 0;
    FILE *f;
    if (!mkdtemp(tmp)) { perror("mkdtemp"); exit(2); }
    source = path_in(tmp, "source.sqlite");
    garbage = path_in(tmp, "garbage.sqlite");
    f = fopen(garbage, "wb");
    fputs("not an event store, not even SQLite", f);
    fclose(f);

    CHECK(el_open(&lite, source, NULL) == EL_OK && el_directory_put(lite, DIRECTORY) == EL_OK, "source: %s", el_errmsg(lite));
    CHECK(el_log(lite, "{\"type\":\"dj.connect\",\"serviceId\":10,\"djName\":\"Alice\",\"deliveryKey\":\"hook-1\"}", &keyed) == EL_OK
          && el_log(lite, DJ, NULL) == EL_OK, "source events: %s", el_errmsg(lite));
    snprintf(event, sizeof event, "[{\"type\":\"mount.connect\",\"serviceId\":11,\"details\":{\"mount\":\"/live\"},\"time\":%lld},"
             "{\"type\":\"autodj.on_air\",\"serviceId\":10,\"details\":{\"trigger\":\"startup\"},\"time\":%lld}]",
             (long long)(now - 86400000), (long long)(now - 2 * 86400000));
    CHECK(el_log_batch(lite, event, NULL) == EL_OK, "source days: %s", el_errmsg(lite));
    CHECK(el_copy(lite, source, &out, &len) == EL_EINVAL && out == NULL, "el_copy into SQLite: %s", el_errmsg(lite));
    el_close(lite);

    CHECK(el_open(&db, target, NULL) == EL_OK, "target: %s", el_errmsg(db));
    CHECK(el_copy(db, NULL, &out, &len) == EL_EINVAL && el_copy(db, source, NULL, NULL) == EL_EINVAL, "NULL arguments");
    CHECK(el_copy(db, garbage, &out, &len) == EL_ESCHEMA, "not an event store: %s", el_errmsg(db));
    CHECK(el_copy(db, source, &out, &len) == EL_OK && out && strlen(out) == len, "copy: %s", el_errmsg(db));
    CHECK(out && strstr(out, "\"copied\":4,") && strstr(out, "\"verified\":true") && secret_free(out), "report: %s", out ? out : "");
    CHECK(days_equal(out, &days) == 4 && days == 3, "days: %s", out ? out : "");
    el_string_free(out);
    out = NULL;
    CHECK(el_query(db, CUSTOMER, "{\"category\":\"dj\"}", &out, &len) == EL_OK && strstr(out, "\"total\":2,") != NULL,
          "copied directory and events: %s", out ? out : el_errmsg(db));
    el_string_free(out);
    out = NULL;
    CHECK(el_log(db, "{\"type\":\"dj.connect\",\"serviceId\":10,\"djName\":\"Alice\",\"deliveryKey\":\"hook-1\"}", &again) == EL_OK
          && again == keyed, "the delivery key came along: %lld vs %lld", (long long)again, (long long)keyed);
    CHECK(el_copy(db, source, &out, &len) == EL_OK && out && strstr(out, "\"copied\":0,") && strstr(out, "\"verified\":true"),
          "second copy: %s", out ? out : el_errmsg(db));
    CHECK(days_equal(out, &days) == 4, "days again: %s", out ? out : "");
    el_string_free(out);
    out = NULL;
    CHECK(el_query(db, ADMIN, NULL, &out, &len) == EL_OK && strstr(out, "\"total\":4,") != NULL, "no duplicate: %s", out ? out : el_errmsg(db));
    el_string_free(out);
    out = NULL;
    CHECK(el_copy(events, source, &out, &len) == EL_EINVAL, "into a store with its own events: %s", el_errmsg(events));
    el_close(db);

    unlink(source);
    unlink(garbage);
    free(garbage);
    garbage = path_in(tmp, "source.sqlite-wal");
    unlink(garbage);
    free(garbage);
    garbage = path_in(tmp, "source.sqlite-shm");
    unlink(garbage);
    free(garbage);
    rmdir(tmp);
    free(source);
    free(target);
}

int main(int argc, char **argv) {
    el_db *db = NULL;
    char *store;
    struct stat st;
    int iterations = argc > 2 ? atoi(argv[2]) : 100;
    if (argc < 2) {
        fprintf(stderr, "usage: %s LOCATION [ITERATIONS]\n"
                "  LOCATION: a folder (SQLite stores NAME.sqlite) or mysql://user:password@host:port/PREFIX\n"
                "  (MariaDB: store NAME is the new database PREFIXNAME; PREFIXforeign must hold another table)\n", argv[0]);
        return 2;
    }
    location = argv[1];
    maria = strncmp(location, "mysql://", 8) == 0 || strncmp(location, "mariadb://", 10) == 0;
    if (maria) split_location();

    test_versions();
    test_open_errors();

    store = store_at("events");
    CHECK(el_open(&db, store, "{\"retentionDays\":30,\"busyTimeoutMs\":2000,\"synchronous\":\"normal\"}") == EL_OK,
          "open: %s", el_errmsg(db));
    if (!maria) CHECK(stat(store, &st) == 0 && (st.st_mode & 0777) == 0640, "mode %o", st.st_mode & 0777);
    test_bad_input(db);
    test_roundtrip(db);
    test_prune();
    test_threads(db);
    test_fold(db);
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
    test_release();
    if (maria) {
        test_uris();
        test_copy(db);
    }
    CHECK(el_log(NULL, DJ, NULL) == EL_EMISUSE, "NULL handle");
    CHECK(el_errmsg(NULL) != NULL, "errmsg(NULL)");
    el_close(NULL);
    el_string_free(NULL);

    el_close(db);
    free(store);
    printf("c-client (%s): %d passed, %d failed\n", maria ? "mariadb" : "sqlite", passes, failures);
    return failures ? 1 : 0;
}
