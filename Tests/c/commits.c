/*
 * Logs N events, one commit each, into STORE: run under strace by run.sh to
 * count the write system calls a commit costs (Sources/CWALGather gathers a
 * commit's WAL frames into one).
 */
#include "eventlog.h"
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    if (argc < 3) { fprintf(stderr, "usage: %s STORE COUNT\n", argv[0]); return 2; }
    int n = atoi(argv[2]);
    el_db *db = NULL;
    if (el_open(&db, argv[1], NULL) != EL_OK) { fprintf(stderr, "el_open: %s\n", el_errmsg(db)); return 1; }
    char event[256];
    for (int i = 0; i < n; i++) {
        snprintf(event, sizeof event,
                 "{\"type\":\"service.restart\",\"serviceId\":%d,\"actor\":{\"type\":\"user\",\"id\":1,\"name\":\"Root\"}}", 1 + i % 50);
        int64_t id = 0;
        if (el_log(db, event, &id) != EL_OK) { fprintf(stderr, "el_log: %s\n", el_errmsg(db)); return 1; }
    }
    el_close(db);
    return 0;
}
