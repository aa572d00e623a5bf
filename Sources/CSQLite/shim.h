#include <sqlite3.h>

/* sqlite3_db_config is variadic, which Swift cannot call: one wrapper per use. */

/* A connection to a file that was replaced under it must not checkpoint its
 * WAL into the file now at the path when it closes. */
static inline int se_sqlite3_no_checkpoint_on_close(sqlite3 *db) {
    return sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, (int *)0);
}
