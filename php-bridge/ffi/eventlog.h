/* Generated from include/eventlog.h by `make ffi-header` (cpp -P -DEL_FFI_CDEF). Do not edit. */
enum el_abi { EL_ABI_VERSION = 1 };
enum el_status {
    EL_OK = 0,
    EL_ERROR = -1,
    EL_EINVAL = -2,
    EL_EDENIED = -3,
    EL_ENOTFOUND = -4,
    EL_EBUSY = -5,
    EL_EIO = -6,
    EL_EMISUSE = -7,
    EL_ESCHEMA = -8,
    EL_ENOMEM = -9
};
typedef struct el_db el_db;
typedef struct el_export el_export;
int el_abi_version(void);
const char *el_version(void);
int el_open(el_db **out, const char *path, const char *options_json);
void el_close(el_db *db);
void el_release(el_db *db);
const char *el_errmsg(el_db *db);
int el_log(el_db *db, const char *event_json, int64_t *out_id);
int el_log_batch(el_db *db, const char *events_json_array, int64_t *out_count);
int el_directory_put(el_db *db, const char *json);
int el_query(el_db *db, const char *principal_json, const char *filter_json,
             char **out_json, size_t *out_len);
int el_export_open(el_db *db, const char *principal_json, const char *filter_json,
                   const char *format, el_export **out);
int el_export_next(el_export *ex, const char **chunk, size_t *chunk_len);
void el_export_close(el_export *ex);
int el_prune(el_db *db, int64_t now_ms, int64_t *out_deleted);
int el_cursor(el_db *db, char **out, size_t *out_len);
int el_store_info(el_db *db, char **out_json, size_t *out_len);
int el_copy(el_db *db, const char *sqlite_path, char **out_json, size_t *out_len);
int el_set_retention_days(el_db *db, int days);
int el_catalog(char **out_json, size_t *out_len);
void el_string_free(char *s);
