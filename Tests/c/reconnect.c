/*
 * A MariaDB server that dies, restarts and hangs under an open handle.
 * run.sh drives it: this program prints a prompt on stdout, run.sh acts on
 * the server and answers on stdin:
 *   "ready"  -> SIGKILL the server (mariadb_kill), answer "killed"
 *   "down"   -> start it again (mariadb_restart), answer "restarted"
 *   "ready"  -> SIGSTOP it (a hung server or a lost host), answer "stopped"
 *   "hung"   -> SIGCONT it, answer "resumed"
 * Calls on the dead or hung server fail with EL_EIO (or EL_EBUSY) and
 * return: their times are printed, not asserted; run.sh bounds the whole
 * run with `timeout`, so a hang fails the test. The next calls on the SAME
 * handle connect again, and every event acknowledged before is still there
 * (the server commits with innodb_flush_log_at_trx_commit=1).
 *
 * Usage: reconnect URI   (a new database: mysql://user:password@host:port/db)
 * Exits 0 when every check passed.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "eventlog.h"

#define OPTIONS "{\"connectTimeoutMs\":2000,\"readTimeoutMs\":3000}"
#define ADMIN "{\"role\":\"admin\",\"id\":1}"
#define EVENT "{\"type\":\"service.restart\",\"serviceId\":1,\"actor\":{\"type\":\"user\",\"id\":1,\"name\":\"Root\"}}"
enum { BEFORE = 50, MAX_ACKED = 100 };

static int failures = 0, passes = 0;
static int64_t acked[MAX_ACKED];
static int n_acked = 0;
static char password[256];

#define CHECK(cond, ...) do { \
    if (cond) { passes++; } else { failures++; \
        fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond); \
        fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); } \
} while (0)

static double now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000.0 + t.tv_nsec / 1e6;
}

/* Prints PROMPT for run.sh and waits for its ANSWER. */
static void handshake(const char *prompt, const char *answer) {
    char line[64];
    printf("%s\n", prompt);
    fflush(stdout);
    if (!fgets(line, sizeof line, stdin) || strncmp(line, answer, strlen(answer)) != 0) {
        fprintf(stderr, "reconnect: expected \"%s\" from run.sh\n", answer);
        exit(2);
    }
}

static int log_acked(el_db *db) {
    int64_t id = 0;
    int rc = el_log(db, EVENT, &id);
    if (rc == EL_OK && n_acked < MAX_ACKED) acked[n_acked++] = id;
    return rc;
}

/* A call that must fail: EL_EIO or EL_EBUSY, a message without the password. */
static void fails(el_db *db, const char *what, const char *when) {
    double t0 = now_ms();
    char *out = NULL;
    size_t len = 0;
    int rc = strcmp(what, "el_log") == 0 ? log_acked(db) : el_query(db, ADMIN, NULL, &out, &len);
    double ms = now_ms() - t0;
    fprintf(stderr, "  %s %s: %s after %.0f ms: %s\n", what, when, rc == EL_EIO ? "EL_EIO" : rc == EL_EBUSY ? "EL_EBUSY" : "status",
            ms, el_errmsg(db));
    CHECK(rc == EL_EIO || rc == EL_EBUSY, "%s %s returned %d", what, when, rc);
    CHECK(strlen(el_errmsg(db)) > 0 && (strlen(password) < 4 || strstr(el_errmsg(db), password) == NULL),
          "a message without the password: %s", el_errmsg(db));
    if (rc == EL_OK) el_string_free(out);
}

/* Every acknowledged event is on the admin's page (one page holds them
 * all), and the total is what was acknowledged plus up to `unknown` events
 * whose el_log failed while the server may still have committed them. */
static void all_there(el_db *db, int unknown, const char *when) {
    char *page = NULL, needle[40];
    size_t len = 0;
    int i, missing = 0;
    long long total = -1;
    CHECK(el_query(db, ADMIN, "{\"perPage\":500}", &page, &len) == EL_OK, "query %s: %s", when, el_errmsg(db));
    for (i = 0; page && i < n_acked; i++) {
        snprintf(needle, sizeof needle, "{\"id\":%lld,", (long long)acked[i]);
        if (!strstr(page, needle)) missing++;
    }
    if (page && strstr(page, "\"total\":")) total = strtoll(strstr(page, "\"total\":") + 8, NULL, 10);
    CHECK(page && missing == 0, "%d of %d acknowledged events missing %s", missing, n_acked, when);
    CHECK(total >= n_acked && total <= n_acked + unknown, "total %lld %s, %d acknowledged", total, when, n_acked);
    fprintf(stderr, "  %s: %d acknowledged events all there, total %lld\n", when, n_acked, total);
    el_string_free(page);
}

int main(int argc, char **argv) {
    el_db *db = NULL, *pooled = NULL, *idle[4];
    const char *p, *at;
    int i;
    if (argc < 2) { fprintf(stderr, "usage: %s mysql://user:password@host:port/database\n", argv[0]); return 2; }
    p = strstr(argv[1], "://");
    at = strrchr(argv[1], '@');
    if (p && at && (p = strchr(p + 3, ':')) != NULL && p < at) snprintf(password, sizeof password, "%.*s", (int)(at - p - 1), p + 1);

    CHECK(el_open(&db, argv[1], OPTIONS) == EL_OK, "open: %s", el_errmsg(db));
    CHECK(el_directory_put(db, "{\"accounts\":[{\"id\":1,\"role\":\"admin\",\"name\":\"Root\"}]}") == EL_OK, "directory: %s", el_errmsg(db));
    for (i = 0; i < BEFORE; i++) CHECK(log_acked(db) == EL_OK, "log %d: %s", i, el_errmsg(db));
    /* A second store left in el_release's pool: its connection dies too. */
    CHECK(el_open(&pooled, argv[1], OPTIONS) == EL_OK, "second open: %s", el_errmsg(pooled));
    el_release(pooled);

    handshake("ready", "killed");
    fails(db, "el_log", "on a killed server");
    fails(db, "el_query", "while it is down");
    handshake("down", "restarted");
    CHECK(log_acked(db) == EL_OK, "the same handle after the restart: %s", el_errmsg(db));
    CHECK(el_open(&pooled, argv[1], OPTIONS) == EL_OK && log_acked(pooled) == EL_OK, "the pooled store after the restart: %s", el_errmsg(pooled));
    el_close(pooled);
    all_there(db, 0, "after the restart");

    /* Four stores idle in el_release's pool when the server hangs. */
    for (i = 0; i < 4; i++) CHECK(el_open(&idle[i], argv[1], OPTIONS) == EL_OK, "open %d: %s", i, el_errmsg(idle[i]));
    for (i = 0; i < 4; i++) el_release(idle[i]);

    handshake("ready", "stopped");
    fails(db, "el_log", "on a hung server");
    fails(db, "el_query", "connecting to it");
    {
        /* An open that finds idle stores probes one and drops the others:
         * one read and two connect timeouts (3 + 2 + 2 s), where probing
         * each took four of each (about 22 s). A bound, not a speed. */
        el_db *fresh = NULL;
        int64_t deleted = 0;
        double t0 = now_ms();
        int rc = el_open(&fresh, argv[1], OPTIONS);
        double ms = now_ms() - t0;
        fprintf(stderr, "  el_open with 4 idle stores on a hung server: %d after %.0f ms: %s\n", rc, ms, el_errmsg(fresh));
        CHECK(rc == EL_EIO || rc == EL_EBUSY, "el_open on a hung server returned %d", rc);
        CHECK(ms < 12000, "el_open on a hung server took %.0f ms: it probed more than one idle store", ms);
        el_close(fresh);
        t0 = now_ms();
        rc = el_prune(db, 0, &deleted);
        fprintf(stderr, "  el_prune on a hung server: %d after %.0f ms: %s\n", rc, now_ms() - t0, el_errmsg(db));
        CHECK(rc == EL_EIO || rc == EL_EBUSY, "el_prune on a hung server returned %d", rc);
    }
    handshake("hung", "resumed");
    CHECK(log_acked(db) == EL_OK, "the same handle after the server resumed: %s", el_errmsg(db));
    /* The el_log sent to the hung server may have committed once it resumed. */
    all_there(db, 1, "after the hang");

    el_close(db);
    fprintf(stderr, "reconnect: %d passed, %d failed\n", passes, failures);
    return failures ? 1 : 0;
}
