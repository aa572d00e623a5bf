/* MariaDB Connector/C (Debian's libmariadb-dev; libmariadb3 at run time). */
#include <mariadb/mysql.h>

/* The client flag for several statements in one round trip, as a constant
   Swift can see (the header's macro is an unsigned long shift). */
static const unsigned long se_client_multi_statements = CLIENT_MULTI_STATEMENTS;
static const unsigned long se_client_found_rows = CLIENT_FOUND_ROWS;
