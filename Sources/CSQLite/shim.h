#include <sqlite3.h>
#include <sys/prctl.h>

/* sqlite3_db_config is variadic, which Swift cannot call: one wrapper per use. */

/* A connection to a file that was replaced under it must not checkpoint its
 * WAL into the file now at the path when it closes. */
static inline int se_sqlite3_no_checkpoint_on_close(sqlite3 *db) {
    return sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, (int *)0);
}

/* sqlite3_config is variadic too. SQLite's memory statistics take a global
 * mutex around every allocation (a dozen per el_log) and nothing here reads
 * them. Only possible before SQLite is initialized in the process: if the
 * host opened a database first, this returns SQLITE_MISUSE and changes nothing. */
static inline int se_sqlite3_no_memory_statistics(void) {
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

/* prctl is variadic too: names the calling thread (the checkpointer's, as
 * `top -H` and /proc/PID/task/TID/comm show it; at most 15 bytes). */
static inline void se_name_this_thread(const char *name) {
    (void)prctl(PR_SET_NAME, (unsigned long)name, 0UL, 0UL, 0UL);
}
