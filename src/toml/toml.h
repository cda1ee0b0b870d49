/*
 * A TOML 1.0.0 parser (https://toml.io/en/v1.0.0): text in, a tree of values
 * out. Strict: everything TOML 1.0 forbids is an error with line:column.
 *
 * The tree is immutable once parsed and owned by its root: free it with
 * wg_toml_free(root). Keys and strings are UTF-8, NUL-terminated, and also
 * carry their length (a TOML string may contain U+0000 via \u0000).
 * Tables keep their keys in document order.
 *
 * Positions (line, col, and the "LINE:COL: " of messages) are 1-based; a
 * column counts bytes from the start of the line (a BOM counts on line 1).
 */
#ifndef WG_TOML_H
#define WG_TOML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Deepest nesting of tables and arrays accepted (the root table is depth 0,
 * each key, array element or [[array]] element adds one); deeper input is an
 * error, so a tree can be walked recursively without risk. */
#define WG_TOML_MAX_DEPTH 128

typedef enum wg_toml_type {
    WG_TOML_STRING,
    WG_TOML_INTEGER,
    WG_TOML_FLOAT,
    WG_TOML_BOOL,
    WG_TOML_DATETIME,        /* offset date-time */
    WG_TOML_DATETIME_LOCAL,
    WG_TOML_DATE_LOCAL,
    WG_TOML_TIME_LOCAL,
    WG_TOML_ARRAY,
    WG_TOML_TABLE,
} wg_toml_type;

typedef struct wg_toml_value wg_toml_value;

/* One key/value pair of a table. */
typedef struct wg_toml_kv {
    char *key;               /* unescaped, NUL-terminated */
    size_t key_len;
    wg_toml_value *value;
    uint32_t line, col;      /* where the key was written (1-based) */
} wg_toml_kv;

struct wg_toml_value {
    wg_toml_type type;
    uint32_t line, col;      /* where the value (or table header) starts, 1-based */
    union {
        struct { char *ptr; size_t len; } str;  /* STRING */
        int64_t integer;                          /* INTEGER */
        double flt;                               /* FLOAT */
        bool boolean;                             /* BOOL */
        char *datetime;      /* the four date/time types: RFC 3339 text as written,
                                normalised: 'T' separator, uppercase 'Z' */
        struct { wg_toml_value **items; size_t n; } array;  /* ARRAY */
        struct { wg_toml_kv *kvs; size_t n; } table;        /* TABLE */
    } u;
};

/* Parses a whole document (raw bytes, not necessarily NUL-terminated). Returns
 * the root table, or NULL with "LINE:COL: message" in err (of size errsize). */
wg_toml_value *wg_toml_parse(const char *text, size_t len, char *err, size_t errsize);

/* Frees a tree returned by wg_toml_parse. NULL is a no-op. */
void wg_toml_free(wg_toml_value *root);

/* The value of key in a table (exact match), or NULL. The key/value pair itself
 * through *kv if kv is non-NULL (for its line:col). */
const wg_toml_value *wg_toml_get(const wg_toml_value *table, const char *key,
                                 const wg_toml_kv **kv);

/* Name of a type as toml-test spells it ("string", "integer", "datetime-local", ...). */
const char *wg_toml_type_name(wg_toml_type t);

#endif
