/*
 * libFuzzer target over every JSON entry point of libeventlog.so and the export
 * format argument, through the C ABI only (include/eventlog.h).
 *
 * Input: first byte picks the entry point, the rest is the argument (copied and
 * NUL-terminated; an embedded NUL ends the string as it would for any C caller).
 *   0 el_log           1 el_log_batch        2 el_directory_put
 *   3 el_query principal   4 el_query filter   5 el_export_open filter (jsonl)
 *   6 el_export_open principal (csv)   7 el_export_open format   8 el_open options
 * Beyond "no crash, no leak, no hang" (the sanitizers and -timeout), every call
 * must keep the contract: a documented status, outputs set exactly on EL_OK, a
 * message on failure; a violation aborts so that libFuzzer keeps the input.
 *
 * Build/run: Tests/fuzz/run.sh SECONDS (clang -fsanitize=fuzzer,address).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include "eventlog.h"

static el_db *db;
static char store[4096];

#define REQUIRE(cond, what) do { if (!(cond)) { \
    fprintf(stderr, "contract violated: %s (%s:%d) errmsg=\"%s\"\n", what, __FILE__, __LINE__, el_errmsg(db)); \
    abort(); } } while (0)

static const char *ADMIN = "{\"role\":\"admin\",\"id\":1}";

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc; (void)argv;
    const char *dir = getenv("FUZZ_STORE_DIR");
    snprintf(store, sizeof store, "%s/fuzz.sqlite", dir ? dir : "/tmp");
    remove(store);
    if (el_open(&db, store, "{\"busyTimeoutMs\":1000}") != EL_OK) {
        fprintf(stderr, "cannot open %s: %s\n", store, el_errmsg(db));
        exit(1);
    }
    el_directory_put(db, "{\"accounts\":[{\"id\":1,\"role\":\"admin\",\"name\":\"Root\"},"
        "{\"id\":2,\"role\":\"reseller\",\"name\":\"R\"},{\"id\":4,\"role\":\"customer\",\"name\":\"A\",\"resellerId\":2}],"
        "\"services\":[{\"id\":10,\"name\":\"A FM\",\"ownerId\":4,\"kind\":\"icecast\"}]}");
    for (int i = 0; i < 50; i++) {
        el_log(db, "{\"type\":\"dj.connect\",\"serviceId\":10,\"djName\":\"=cmd|' /C calc'!A0\",\"sourceIp\":\"2001:db8::1\"}", NULL);
    }
    return 0;
}

/* The library is not instrumented, so libFuzzer sees no coverage inside it. The
 * message shape of each answer (entry point, status, message without quoted
 * text and digits) stands in for it: each new kind of answer is a new feature. */
__attribute__((section("__libfuzzer_extra_counters"))) static uint8_t answers[8192];

static void feedback(int entry, int status, const char *msg) {
    uint32_t h = 2166136261u ^ (uint32_t)(entry * 131 + status + 16);
    char quote = 0;
    for (; *msg; msg++) {
        char c = *msg;
        if (quote) { if (c == quote) quote = 0; continue; }
        if (c == '\'' || c == '"') { quote = c; continue; }
        if (c >= '0' && c <= '9') continue;
        h = (h ^ (uint8_t)c) * 16777619u;
    }
    answers[h % sizeof answers]++;
}

static int known_status(int s) { return s <= 0 && s >= EL_ENOMEM; }

static void drain(int status, el_export *ex) {
    REQUIRE(known_status(status), "export_open status");
    if (status != EL_OK) {
        REQUIRE(ex == NULL, "export handle set on failure");
        REQUIRE(el_errmsg(db)[0] != '\0', "export_open failure without a message");
        return;
    }
    REQUIRE(ex != NULL, "EL_OK without an export");
    for (int n = 0; n < 100000; n++) {
        const char *chunk = NULL;
        size_t len = 123;
        int s = el_export_next(ex, &chunk, &len);
        REQUIRE(known_status(s), "export_next status");
        if (s != EL_OK || len == 0) break;
        REQUIRE(chunk != NULL, "chunk NULL with a length");
        volatile char touch = chunk[0]; touch ^= chunk[len - 1]; (void)touch;
    }
    el_export_close(ex);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    char *arg = malloc(size);
    memcpy(arg, data + 1, size - 1);
    arg[size - 1] = '\0';
    int s;
    int64_t n = -77;
    char *out = NULL;
    size_t out_len = 99;
    el_export *ex = (el_export *)1;

    switch (data[0] % 9) {
    case 0:
        s = el_log(db, arg, &n);
        REQUIRE(known_status(s) && s != EL_ERROR, "el_log status");
        REQUIRE(s == EL_OK ? n > 0 : n == -77 || n == 0, "el_log id");
        break;
    case 1:
        s = el_log_batch(db, arg, &n);
        REQUIRE(known_status(s) && s != EL_ERROR, "el_log_batch status");
        REQUIRE(s == EL_OK ? n >= 0 : n == 0 || n == -77, "el_log_batch count");
        break;
    case 2:
        s = el_directory_put(db, arg);
        REQUIRE(known_status(s) && s != EL_ERROR, "el_directory_put status");
        break;
    case 3: case 4:
        s = (data[0] % 9 == 3) ? el_query(db, arg, "{}", &out, &out_len) : el_query(db, ADMIN, arg, &out, &out_len);
        REQUIRE(known_status(s) && s != EL_ERROR, "el_query status");
        if (s == EL_OK) {
            REQUIRE(out != NULL && out_len == strlen(out) && out[0] == '{', "el_query output");
        } else {
            REQUIRE(out == NULL || out_len == 0, "el_query output on failure");
        }
#ifndef FUZZ_SELFTEST_LEAK /* run.sh builds once without the free: LeakSanitizer must catch it */
        el_string_free(out);
#endif
        break;
    case 5:
        s = el_export_open(db, ADMIN, arg, "jsonl", &ex);
        REQUIRE(s != EL_ERROR, "export filter: EL_ERROR");
        drain(s, ex);
        break;
    case 6:
        s = el_export_open(db, arg, "{}", "csv", &ex);
        REQUIRE(s != EL_ERROR, "export principal: EL_ERROR");
        drain(s, ex);
        break;
    case 7:
        s = el_export_open(db, ADMIN, "{\"perPage\":1}", arg, &ex);
        REQUIRE((s == EL_OK) == (strcmp(arg, "csv") == 0 || strcmp(arg, "jsonl") == 0), "format accepted iff csv or jsonl");
        drain(s, ex);
        break;
    default: {
        el_db *other = NULL;
        s = el_open(&other, store, arg);
        REQUIRE(known_status(s) && s != EL_ERROR, "el_open options status");
        REQUIRE(s == EL_OK || el_errmsg(other)[0] != '\0', "el_open failure without a message");
        feedback(8, s, el_errmsg(other));
        el_close(other);
    }
    }
    if (s != EL_OK) REQUIRE(el_errmsg(db)[0] != '\0' || data[0] % 9 == 8, "failure without a message");
    if (data[0] % 9 != 8) feedback(data[0] % 9, s, el_errmsg(db));
    free(arg);
    return 0;
}
