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

/* Whether the server runs a statement over an array of parameter rows in
   one round trip (MariaDB's bulk execution; MySQL has none). */
static inline int se_bulk_supported(MYSQL *mysql) {
    unsigned long caps = 0, extended = 0;
    if (mariadb_get_infov(mysql, MARIADB_CONNECTION_SERVER_CAPABILITIES, &caps)
        || mariadb_get_infov(mysql, MARIADB_CONNECTION_EXTENDED_SERVER_CAPABILITIES, &extended)) return 0;
    return !(caps & CLIENT_MYSQL) && (extended & (MARIADB_CLIENT_STMT_BULK_OPERATIONS >> 32));
}

/* Rows of the event INSERT, executed through a server-side prepared
   statement: the server parses no SQL and nothing is escaped. Values come
   column by column, `rows` to a column: integer column c of row r is
   ints[c * rows + r] (NULL where int_is_null is 1), text column c of row r
   is text[c * rows + r], length[...] bytes (NULL where text_is_null is 1).
   Parameter order: id, ts, type, service_id, actor_type, actor_id,
   actor_name, dj_name, source_ip, takeover, details, message,
   service_name, owner_id, owner_name. Several rows go to the server as one
   array when it can take one, else a row at a time. Returns 0, or nonzero
   as mysql_stmt_execute (the error is the statement's). */
enum { SE_EVENT_PARAMS = 15, SE_EVENT_INTS = 8, SE_EVENT_TEXTS = 7 };

/* Which parameters are integers (their column in `ints`) or text (in `text`). */
static const signed char se_int_column[SE_EVENT_PARAMS] = {0, 1, 2, 3, 4, 5, -1, -1, -1, 6, -1, -1, -1, 7, -1};
static const signed char se_text_column[SE_EVENT_PARAMS] = {-1, -1, -1, -1, -1, -1, 0, 1, 2, -1, 3, 4, 5, -1, 6};

static inline int se_execute_events(MYSQL_STMT *stmt, unsigned int rows, const long long *ints, const char *int_is_null,
                                    const char *const *text, const unsigned long *length, const char *text_is_null) {
    MYSQL_BIND bind[SE_EVENT_PARAMS];
    int bulk = rows > 1 && se_bulk_supported(stmt->mysql);
    unsigned int array_size = bulk ? rows : 0;
    if (mysql_stmt_attr_set(stmt, STMT_ATTR_ARRAY_SIZE, &array_size)) return 1;
    for (unsigned int r = 0; r < (bulk ? 1 : rows); r++) {
        memset(bind, 0, sizeof bind);
        for (int i = 0; i < SE_EVENT_PARAMS; i++) {
            int c = se_int_column[i] >= 0 ? se_int_column[i] : se_text_column[i];
            size_t at = (size_t)c * rows + r;
            if (se_int_column[i] >= 0) {
                bind[i].buffer_type = MYSQL_TYPE_LONGLONG;
                bind[i].buffer = (void *)&ints[at];
                if (bulk) bind[i].u.indicator = (char *)&int_is_null[at];
                else bind[i].is_null = (my_bool *)&int_is_null[at];
            } else {
                bind[i].buffer_type = MYSQL_TYPE_STRING;
                /* An array of pointers in bulk, the one pointer otherwise. */
                bind[i].buffer = bulk ? (void *)&text[at] : (void *)text[at];
                bind[i].buffer_length = length[at];
                bind[i].length = (unsigned long *)&length[at];
                if (bulk) bind[i].u.indicator = (char *)&text_is_null[at];
                else bind[i].is_null = (my_bool *)&text_is_null[at];
            }
        }
        if (mysql_stmt_bind_param(stmt, bind) || mysql_stmt_execute(stmt)) return 1;
    }
    return 0;
}
