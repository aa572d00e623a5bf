/* MariaDB Connector/C (Debian's libmariadb-dev; libmariadb3 at run time). */
#include <mariadb/mysql.h>

/* The client flag for several statements in one round trip, as a constant
   Swift can see (the header's macro is an unsigned long shift). */
static const unsigned long se_client_multi_statements = CLIENT_MULTI_STATEMENTS;
static const unsigned long se_client_found_rows = CLIENT_FOUND_ROWS;

#include <fcntl.h>

/* The connection's socket is not inherited by programs the panel starts
   (the server would keep a connection PHP closed open while they live). */
static inline void se_close_on_exec(MYSQL *mysql) {
    int fd = (int)mysql_get_socket(mysql);
    int flags = fd >= 0 ? fcntl(fd, F_GETFD) : -1;
    if (flags >= 0) fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
}
