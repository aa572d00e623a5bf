/*
 * SQLite's own limit for the el_log benchmark: the same rows, the same schema
 * (dumped by bench.php from a store the library created) and the same pragmas as the event store, written through
 * libsqlite3 directly with one prepared INSERT and one commit per event.
 *
 *   limit [--gather] [--batch N] STORE SCHEMA.sql ROWS.tsv
 *   limit --probe STORE STOPFILE [NAME=PID ...]
 *
 * --gather opens the store through the VFS the library uses
 * (Sources/CWALGather: a commit's WAL frames in one write) instead of
 * SQLite's default one, and checkpoints as the library does
 * (Sources/EventLogKit/Storage/SQLite/Checkpointer.swift): a passive
 * checkpoint per 1,000 WAL pages on a thread of its own with its own
 * connection, which finishes the WAL holding the write lock once it holds
 * 10,000 pages and at most 1,000 are left to copy: the same program, with
 * the library's I/O path.
 *
 * --batch N commits once per N rows (one transaction each) instead of per
 * row: the limit for el_log_batch and for PDO's transaction of 1,000.
 *
 * STORE must not exist. ROWS.tsv holds the 14 event columns per line, tab
 * separated, \N for NULL (written by bench/Rows.php). Prints one JSON object:
 * events, seconds, and per-commit latency percentiles in microseconds.
 *
 * --probe measures how long other connections hold the write lock, without
 * the busy handler's backoff (which sleeps up to 100 ms between retries and so
 * rounds every wait up to 1, 3, 8, ... 78, 103, 128, 178, 228 ms): every ms it
 * takes the write lock (BEGIN IMMEDIATE; ROLLBACK), retrying every 100 us,
 * until STOPFILE exists. Prints the number of probes, the longest wait, and
 * each wait over 20 ms (its length, when it began in seconds since the probe
 * started, the WAL's size then, and the machine's dirty and under-write-back
 * page cache when it ended: a commit's write stalls while the kernel throttles
 * writers, which is what long holds lined up with by hand). With NAME=PID
 * witnesses (the pruner, the loggers), each wait's `holders` tallies what
 * their threads were doing, sampled every ms from its 20th: running (R) or
 * stalled in the kernel (D, with the kernel function it waits in and its
 * system call, from /proc/PID/task/TID/stack: root only), so that a
 * long hold can be told to be work on a CPU or a write the kernel holds up.
 */
#include <dirent.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include "wal_gather.h"
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum { COLUMNS = 14 };
/* Integer columns of `event` in insert order (ts, type, service_id, actor_type, actor_id, takeover, owner_id). */
static const int is_integer[COLUMNS] = {1, 1, 1, 1, 1, 0, 0, 0, 1, 0, 0, 1, 0, 0};

static void die(const char *what, sqlite3 *db) {
    fprintf(stderr, "limit: %s: %s\n", what, db ? sqlite3_errmsg(db) : "");
    exit(1);
}

static double now_us(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

static char *slurp(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) die(path, NULL);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) die("read", NULL);
    buf[n] = 0;
    fclose(f);
    *len = (size_t)n;
    return buf;
}

/* Dirty and Writeback of /proc/meminfo, in MB (-1 if unreadable). */
static void page_cache_state(double *dirty_mb, double *writeback_mb) {
    *dirty_mb = *writeback_mb = -1;
    FILE *f = fopen("/proc/meminfo", "r");
    if (!f) return;
    char line[256];
    long kb;
    while (fgets(line, sizeof line, f)) {
        if (sscanf(line, "Dirty: %ld kB", &kb) == 1) *dirty_mb = kb / 1024.0;
        else if (sscanf(line, "Writeback: %ld kB", &kb) == 1) *writeback_mb = kb / 1024.0;
    }
    fclose(f);
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* --probe's witnesses and what their threads did during the current wait. */
enum { MAX_WITNESSES = 8, MAX_TALLY = 32 };
static struct { const char *name; int pid; } witnesses[MAX_WITNESSES];
static int n_witnesses, samples;
static struct { char what[160]; int n; } tally[MAX_TALLY];
static int n_tally;
static double wait_began, last_sample;

static void tally_add(const char *what) {
    for (int i = 0; i < n_tally; i++)
        if (strcmp(tally[i].what, what) == 0) { tally[i].n++; return; }
    if (n_tally == MAX_TALLY) return;
    snprintf(tally[n_tally].what, sizeof tally[n_tally].what, "%s", what);
    tally[n_tally++].n = 1;
}

/* Each witness thread that is running (R) or in uninterruptible sleep (D, with its wchan). */
static void sample_witnesses(void) {
    samples++;
    for (int w = 0; w < n_witnesses; w++) {
        char path[320];
        snprintf(path, sizeof path, "/proc/%d/task", witnesses[w].pid);
        DIR *tasks = opendir(path);
        if (!tasks) continue;
        struct dirent *t;
        while ((t = readdir(tasks))) {
            if (t->d_name[0] == '.') continue;
            char stat[512] = "", wchan[96] = "";
            snprintf(path, sizeof path, "/proc/%d/task/%s/stat", witnesses[w].pid, t->d_name);
            FILE *f = fopen(path, "r");
            if (!f) continue;
            size_t n = fread(stat, 1, sizeof stat - 1, f);
            fclose(f);
            stat[n] = 0;
            char *end = strrchr(stat, ')');  /* the state follows the command name, which may hold spaces */
            if (!end || end[1] != ' ') continue;
            char state = end[2];
            if (state != 'R' && state != 'D') continue;
            if (state == 'D') {
                /* The innermost kernel function it waits in, and its system call's number. */
                char line[128] = "", call[32] = "";
                snprintf(path, sizeof path, "/proc/%d/task/%s/stack", witnesses[w].pid, t->d_name);
                if ((f = fopen(path, "r"))) {
                    if (fgets(line, sizeof line, f)) sscanf(line, "[<%*[^>]>] %63[^+\n]", wchan);
                    fclose(f);
                }
                snprintf(path, sizeof path, "/proc/%d/task/%s/syscall", witnesses[w].pid, t->d_name);
                if ((f = fopen(path, "r"))) {
                    if (fgets(line, sizeof line, f) && sscanf(line, "%31s", call) == 1) {
                        size_t used = strlen(wchan);
                        snprintf(wchan + used, sizeof wchan - used, " in syscall %s", call);
                    }
                    fclose(f);
                }
            }
            char what[160];
            snprintf(what, sizeof what, "%s%s %c%s%s", witnesses[w].name, atoi(t->d_name) == witnesses[w].pid ? "" : " thread",
                     state, *wchan ? " " : "", wchan);
            tally_add(what);
        }
        closedir(tasks);
    }
}

static int retry_every_100us(void *deadline, int attempt) {
    (void)attempt;
    double now = now_us();
    if (now > *(double *)deadline) return 0;
    if (n_witnesses && now - wait_began >= 20e3 && now - last_sample >= 1e3) {
        last_sample = now;
        sample_witnesses();
    }
    usleep(100);
    return 1;
}

/* --gather's checkpoints (see above). */
static pthread_mutex_t ck_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t ck_wake = PTHREAD_COND_INITIALIZER;
static int ck_pending, ck_stop, wal_pages, checkpointed_at;

static void *checkpointer(void *db) {
    for (;;) {
        pthread_mutex_lock(&ck_lock);
        while (!ck_pending && !ck_stop) pthread_cond_wait(&ck_wake, &ck_lock);
        int stop = ck_stop;
        ck_pending = 0;
        pthread_mutex_unlock(&ck_lock);
        if (stop) return NULL;
        int frames = 0, copied = 0;
        if (sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_PASSIVE, &frames, &copied) == SQLITE_OK
            && frames >= 10000 && frames - copied <= 1000)
            sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_RESTART, NULL, NULL);
    }
}

static int wal_hook(void *unused, sqlite3 *db, const char *name, int pages) {
    (void)unused, (void)db, (void)name;
    wal_pages = pages;
    return SQLITE_OK;
}

/* After each commit: the library's Connection.checkpointIfDue. */
static void checkpoint_if_due(void) {
    if (wal_pages < checkpointed_at) checkpointed_at = 0;
    if (wal_pages < 1000 || wal_pages - checkpointed_at < 1000) return;
    checkpointed_at = wal_pages;
    pthread_mutex_lock(&ck_lock);
    ck_pending = 1;
    pthread_cond_signal(&ck_wake);
    pthread_mutex_unlock(&ck_lock);
}

static int probe(const char *store, const char *stop) {
    sqlite3 *db;
    if (sqlite3_open_v2(store, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) die("open", db);
    char wal[4096];
    snprintf(wal, sizeof wal, "%s-wal", store);
    double deadline = 0, longest = 0, start = now_us();
    long probes = 0;
    enum { LONG_WAITS = 200 };
    struct { double ms, at_s, wal_mb, dirty_mb, writeback_mb; char holders[512]; } waits[LONG_WAITS];
    int long_waits = 0;
    sqlite3_busy_handler(db, retry_every_100us, &deadline);
    while (access(stop, F_OK) != 0) {
        double t0 = now_us();
        deadline = t0 + 10e6;
        wait_began = t0;
        n_tally = samples = 0;
        if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) die("begin", db);
        double waited = now_us() - t0;
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
        if (waited > longest) longest = waited;
        if (waited > 20e3 && long_waits < LONG_WAITS) {
            struct stat st;
            waits[long_waits].ms = waited / 1e3;
            waits[long_waits].at_s = (t0 - start) / 1e6;
            waits[long_waits].wal_mb = stat(wal, &st) == 0 ? st.st_size / 1e6 : -1;
            page_cache_state(&waits[long_waits].dirty_mb, &waits[long_waits].writeback_mb);
            char *h = waits[long_waits].holders;
            size_t room = sizeof waits[long_waits].holders, used = 0;
            used += (size_t)snprintf(h, room, "%d samples", samples);
            for (int i = 0; i < n_tally && used < room; i++)
                used += (size_t)snprintf(h + used, room - used, "%s%s x%d", i ? ", " : ": ", tally[i].what, tally[i].n);
            long_waits++;
        }
        probes++;
        usleep(1000);
    }
    sqlite3_close(db);
    printf("{\"probes\":%ld,\"longest_wait_us\":%.1f,\"waits_over_20ms\":[", probes, longest);
    for (int i = 0; i < long_waits; i++)
        printf("%s{\"ms\":%.1f,\"at_s\":%.2f,\"wal_mb\":%.0f,\"dirty_mb\":%.0f,\"writeback_mb\":%.0f,\"holders\":\"%s\"}", i ? "," : "",
               waits[i].ms, waits[i].at_s, waits[i].wal_mb, waits[i].dirty_mb, waits[i].writeback_mb, waits[i].holders);
    printf("]}\n");
    return 0;
}

int main(int argc, char **argv) {
    if (argc >= 4 && strcmp(argv[1], "--probe") == 0) {
        for (int i = 4; i < argc && n_witnesses < MAX_WITNESSES; i++) {
            char *eq = strchr(argv[i], '=');
            if (!eq) continue;
            *eq = 0;
            witnesses[n_witnesses].name = argv[i];
            witnesses[n_witnesses++].pid = atoi(eq + 1);
        }
        return probe(argv[2], argv[3]);
    }
    const char *vfs = NULL;
    size_t batch = 0;
    if (argc >= 5 && strcmp(argv[1], "--gather") == 0) {
        vfs = "gather";
        if (wal_gather_register(vfs) != SQLITE_OK) die("wal_gather_register", NULL);
        argv++;
        argc--;
    }
    int batched = argc >= 6 && strcmp(argv[1], "--batch") == 0;
    if (batched) {
        batch = strtoul(argv[2], NULL, 10);
        argv += 2;
        argc -= 2;
    }
    if (argc != 4 || (batched && batch == 0)) {
        fprintf(stderr, "usage: limit [--gather] [--batch N] STORE SCHEMA.sql ROWS.tsv | limit --probe STORE STOPFILE [NAME=PID ...]\n");
        return 2;
    }
    size_t schema_len, rows_len;
    char *schema = slurp(argv[2], &schema_len);
    char *rows = slurp(argv[3], &rows_len);

    /* Split the rows into fields up front: the timed loop only binds and steps. */
    size_t count = 0;
    for (size_t i = 0; i < rows_len; i++) count += rows[i] == '\n';
    char **fields = malloc(count * COLUMNS * sizeof *fields);
    char *p = rows;
    for (size_t r = 0; r < count; r++) {
        for (int c = 0; c < COLUMNS; c++) {
            fields[r * COLUMNS + c] = p;
            p += strcspn(p, c == COLUMNS - 1 ? "\n" : "\t");
            *p++ = 0;
        }
    }

    sqlite3 *db;
    if (sqlite3_open_v2(argv[1], &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, vfs) != SQLITE_OK) die("open", db);
    sqlite3_busy_timeout(db, 5000);
    if (sqlite3_exec(db, "PRAGMA auto_vacuum = INCREMENTAL; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
                         "PRAGMA foreign_keys = OFF", NULL, NULL, NULL) != SQLITE_OK) die("pragmas", db);
    if (sqlite3_exec(db, schema, NULL, NULL, NULL) != SQLITE_OK) die("schema", db);
    sqlite3 *ckdb = NULL;
    pthread_t ck_thread;
    if (vfs) {
        if (sqlite3_open_v2(argv[1], &ckdb, SQLITE_OPEN_READWRITE, vfs) != SQLITE_OK) die("open the checkpointer's connection", ckdb);
        sqlite3_busy_timeout(ckdb, 20);
        sqlite3_wal_autocheckpoint(db, 0);
        sqlite3_wal_hook(db, wal_hook, NULL);
        if (pthread_create(&ck_thread, NULL, checkpointer, ckdb) != 0) die("pthread_create", NULL);
    }

    sqlite3_stmt *insert;
    const char *sql = "INSERT INTO event (ts, type, service_id, actor_type, actor_id, actor_name, dj_name, source_ip, takeover,"
                      " details, service_name, owner_id, owner_name, message) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
    if (sqlite3_prepare_v2(db, sql, -1, &insert, NULL) != SQLITE_OK) die("prepare", db);

    /* A latency per commit: per row, or per transaction of `batch` rows. */
    double *latency = malloc(count * sizeof *latency);
    size_t commits = 0;
    double start = now_us(), t0 = start;
    for (size_t r = 0; r < count; r++) {
        if (!batch) t0 = now_us();
        else if (r % batch == 0 && (t0 = now_us(), sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL)) != SQLITE_OK) die("begin", db);
        for (int c = 0; c < COLUMNS; c++) {
            const char *v = fields[r * COLUMNS + c];
            if (strcmp(v, "\\N") == 0) sqlite3_bind_null(insert, c + 1);
            else if (is_integer[c]) sqlite3_bind_int64(insert, c + 1, strtoll(v, NULL, 10));
            else sqlite3_bind_text(insert, c + 1, v, -1, SQLITE_STATIC);
        }
        /* Without --batch, autocommit: each step is its own transaction, committed on return. */
        if (sqlite3_step(insert) != SQLITE_DONE) die("insert", db);
        sqlite3_reset(insert);
        if (batch && (r + 1) % batch != 0 && r + 1 != count) continue;
        if (batch && sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) die("commit", db);
        if (ckdb) checkpoint_if_due();
        latency[commits++] = now_us() - t0;
    }
    double seconds = (now_us() - start) / 1e6;
    sqlite3_finalize(insert);
    if (ckdb) {
        pthread_mutex_lock(&ck_lock);
        ck_stop = 1;
        pthread_cond_signal(&ck_wake);
        pthread_mutex_unlock(&ck_lock);
        pthread_join(ck_thread, NULL);
        if (sqlite3_close(ckdb) != SQLITE_OK) die("close the checkpointer's connection", ckdb);
    }
    if (sqlite3_close(db) != SQLITE_OK) die("close", db);

    qsort(latency, commits, sizeof *latency, cmp_double);
    printf("{\"events\":%zu,\"seconds\":%.6f,\"p50_us\":%.1f,\"p99_us\":%.1f,\"max_us\":%.1f,\"sqlite\":\"%s\"}\n", count, seconds,
           latency[commits / 2], latency[commits * 99 / 100], latency[commits - 1], sqlite3_libversion());
    return 0;
}
