/*
 * Opens STORE and logs one event; prints the error and exits 1 on failure.
 * run.sh starts several at once on a new store (a file, or a MariaDB
 * database): the panel's first requests after an install race to create
 * the store, and none may fail.
 */
#include "eventlog.h"
#include <stdio.h>

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: %s STORE\n", argv[0]); return 2; }
    el_db *db = NULL;
    if (el_open(&db, argv[1], NULL) != EL_OK) { printf("el_open: %s\n", el_errmsg(db)); return 1; }
    int64_t id = 0;
    if (el_log(db, "{\"type\":\"service.restart\",\"serviceId\":1,\"actor\":{\"type\":\"user\",\"id\":1,\"name\":\"Root\"}}", &id) != EL_OK) {
        printf("el_log: %s\n", el_errmsg(db));
        return 1;
    }
    el_close(db);
    return 0;
}
