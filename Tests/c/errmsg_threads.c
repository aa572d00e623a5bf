/* Two threads share one handle: each fails calls and reads el_errmsg() at
 * once. Built with -fsanitize=address (run.sh): a message freed by the other
 * thread's call while this one reads it is a heap-use-after-free. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include "eventlog.h"

static el_db *db;
static int bad[2];

static void *worker(void *arg) {
    int me = *(int *)arg, i;
    const char *event = me ? "{\"type\":\"nope\",\"serviceId\":1}" : "{\"type\":\"dj.connect\"}";
    const char *expect = me ? "unknown event type" : "serviceId is required";
    for (i = 0; i < 20000; i++) {
        int64_t id;
        const char *msg;
        if (el_log(db, event, &id) != EL_EINVAL) { bad[me]++; continue; }
        msg = el_errmsg(db);
        if (strstr(msg, expect) == NULL) bad[me]++;  /* another thread's message */
    }
    return NULL;
}

int main(int argc, char **argv) {
    pthread_t t[2];
    int ids[2] = {0, 1};
    if (argc < 2 || el_open(&db, argv[1], NULL) != EL_OK) { fprintf(stderr, "open failed\n"); return 2; }
    pthread_create(&t[0], NULL, worker, &ids[0]);
    pthread_create(&t[1], NULL, worker, &ids[1]);
    pthread_join(t[0], NULL);
    pthread_join(t[1], NULL);
    el_close(db);
    printf("errmsg-threads: %d and %d wrong messages in 2 x 20000 calls\n", bad[0], bad[1]);
    return bad[0] || bad[1];
}
