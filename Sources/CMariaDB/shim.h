/* MariaDB Connector/C (Debian's libmariadb-dev; libmariadb3 at run time). */
#include <mariadb/mysql.h>
#include <string.h>

/* A client flag as a constant Swift can see (the header's macro is an
   unsigned long shift). */
static const unsigned long se_client_found_rows = CLIENT_FOUND_ROWS;

#include <fcntl.h>

/* The connection's socket is not inherited by programs the panel starts
   (the server would keep a connection PHP closed open while they live). */
static inline void se_close_on_exec(MYSQL *mysql) {
    int fd = (int)mysql_get_socket(mysql);
    int flags = fd >= 0 ? fcntl(fd, F_GETFD) : -1;
    if (flags >= 0) fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
}

/* One row of the event INSERT, executed through a server-side prepared
   statement (no SQL text for the server to parse per event). Integers come
   as values with a NULL flag; text as spans of one buffer (offset, length;
   a negative offset is NULL), so the caller needs no pointer per string.
   Parameter order: id, ts, type, service_id, actor_type, actor_id,
   actor_name, dj_name, source_ip, takeover, details, message,
   service_name, owner_id, owner_name. Returns mysql_stmt_execute's result. */
enum { SE_EVENT_PARAMS = 15 };

static inline int se_execute_event(MYSQL_STMT *stmt, const long long *ints, const char *int_is_null,
                                   const char *text, const long long *spans) {
    /* Which parameters are integers (their index in `ints`) or text (in `spans`). */
    static const signed char int_slot[SE_EVENT_PARAMS] = {0, 1, 2, 3, 4, 5, -1, -1, -1, 6, -1, -1, -1, 7, -1};
    static const signed char text_slot[SE_EVENT_PARAMS] = {-1, -1, -1, -1, -1, -1, 0, 1, 2, -1, 3, 4, 5, -1, 6};
    MYSQL_BIND bind[SE_EVENT_PARAMS];
    my_bool null_flag[SE_EVENT_PARAMS];
    unsigned long length[SE_EVENT_PARAMS];
    memset(bind, 0, sizeof bind);
    for (int i = 0; i < SE_EVENT_PARAMS; i++) {
        if (int_slot[i] >= 0) {
            bind[i].buffer_type = MYSQL_TYPE_LONGLONG;
            bind[i].buffer = (void *)&ints[int_slot[i]];
            null_flag[i] = (my_bool)int_is_null[int_slot[i]];
        } else {
            long long offset = spans[2 * text_slot[i]], len = spans[2 * text_slot[i] + 1];
            bind[i].buffer_type = MYSQL_TYPE_STRING;
            null_flag[i] = offset < 0;
            bind[i].buffer = offset < 0 ? NULL : (void *)(text + offset);
            length[i] = offset < 0 ? 0 : (unsigned long)len;
            bind[i].buffer_length = length[i];
            bind[i].length = &length[i];
        }
        bind[i].is_null = &null_flag[i];
    }
    if (mysql_stmt_bind_param(stmt, bind)) return 1;
    return mysql_stmt_execute(stmt);
}
