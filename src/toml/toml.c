/*
 * TOML 1.0.0 parser (https://toml.io/en/v1.0.0), see toml.h for the API.
 *
 * Structure: one pass over the bytes checks the encoding (UTF-8, no control
 * characters other than tab, LF and CRLF, an optional BOM at the start), then
 * a recursive-descent parser builds the tree. Recursion only follows arrays
 * and inline tables, and every node records its depth in the tree: a node
 * deeper than WG_TOML_MAX_DEPTH is an error, so parsing, freeing and any
 * caller's recursive walk are bounded.
 *
 * Every value is allocated as a `node`, whose first member is the public
 * wg_toml_value; the rest is private bookkeeping: how a table came to exist
 * (the redefinition rules of the spec depend on it), capacities, and a hash
 * index of the keys of big tables (lookups stay O(1) for huge documents).
 *
 * How tables come to exist (flags), and what may follow:
 *   F_IMPLICIT  created as a parent by a header ([a.b] creates a): a later
 *               [a] defines it once; dotted keys may extend it (it then
 *               becomes F_DOTTED).
 *   F_HEADER    defined by [a] (or an element of [[a]]): never again.
 *   F_DOTTED    created by a dotted key (a.b = 1 creates a): dotted keys of
 *               the same table may extend it, headers may add sub-tables
 *               ([a.c]) but never define it ([a]).
 *   F_INLINE    an inline table, complete when its '}' is read: nothing may
 *               add to it.
 *   F_AOT       an array created by [[a]]: [[a]] appends to it, [a.b] walks
 *               into its last element. Other arrays are static.
 *
 * Columns in messages and in line/col fields count bytes, from 1.
 */
#include "toml/toml.h"

#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    F_IMPLICIT = 1,
    F_HEADER = 2,
    F_DOTTED = 4,
    F_INLINE = 8,
    F_AOT = 16,
};

/* Tables with at least this many keys get a hash index. */
#define INDEX_MIN 8

typedef struct node {
    wg_toml_value v;   /* the public part; must stay first */
    unsigned flags;    /* F_* above */
    unsigned depth;    /* 0 for the root, parent's depth + 1 otherwise */
    size_t cap;        /* allocated items (ARRAY) or kvs (TABLE) */
    size_t *index;     /* TABLE: open-addressing slots holding kv index + 1, or NULL */
    size_t index_cap;  /* number of slots, a power of two */
} node;

typedef struct key_part {
    char *s;           /* unescaped, NUL-terminated, owned */
    size_t len;
    uint32_t line, col;
} key_part;

typedef struct key_path {
    key_part *parts;
    size_t n, cap;
} key_path;

typedef struct parser {
    const char *s;       /* the document */
    size_t len;
    size_t pos;          /* next byte to read */
    uint32_t line;       /* line of pos, from 1 */
    size_t line_start;   /* offset of the first byte of that line */
    char *err;           /* caller's message buffer (may be NULL) */
    size_t errsize;
    bool failed;         /* an error was recorded; later ones are dropped */
    node *root;
    node *cur;           /* table receiving key/values (last header) */
    char *buf;           /* scratch for strings and numbers */
    size_t buf_len, buf_cap;
} parser;

/* ------------------------------------------------------------------------ */
/* Errors and positions                                                      */

static uint32_t clamp32(size_t x) {
    return x > UINT32_MAX ? UINT32_MAX : (uint32_t)x;
}

static uint32_t cur_col(const parser *p) {
    return clamp32(p->pos - p->line_start + 1);
}

static int fail_at(parser *p, uint32_t line, uint32_t col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int fail_at(parser *p, uint32_t line, uint32_t col, const char *fmt, ...) {
    if (p->failed) return -1;
    p->failed = true;
    if (p->err && p->errsize > 0) {
        int n = snprintf(p->err, p->errsize, "%u:%u: ", (unsigned)line, (unsigned)col);
        if (n >= 0 && (size_t)n < p->errsize) {
            va_list ap;
            va_start(ap, fmt);
            vsnprintf(p->err + n, p->errsize - (size_t)n, fmt, ap);
            va_end(ap);
        }
    }
    return -1;
}

#define fail(p, ...) fail_at((p), (p)->line, cur_col(p), __VA_ARGS__)

static int oom(parser *p) {
    return fail(p, "out of memory");
}

/* A printable description of the byte at pos, for messages. */
static const char *describe(const parser *p, char *tmp, size_t n) {
    if (p->pos >= p->len) return "end of file";
    unsigned char c = (unsigned char)p->s[p->pos];
    if (c == '\n' || c == '\r') return "end of line";
    if (c >= 0x21 && c < 0x7f) snprintf(tmp, n, "'%c'", c);
    else if (c == ' ') return "' '";
    else if (c == '\t') return "tab";
    else snprintf(tmp, n, "byte 0x%02X", c);
    return tmp;
}

static int fail_unexpected(parser *p, const char *expected) {
    char tmp[16];
    return fail(p, "expected %s, found %s", expected, describe(p, tmp, sizeof tmp));
}

/* ------------------------------------------------------------------------ */
/* Encoding check                                                            */

/* Checks the whole document: valid UTF-8 (no overlong forms, surrogates or
 * code points past U+10FFFF), no control characters except tab, LF and the
 * CR of a CRLF. Skips a leading BOM. Leaves pos at the first byte to parse. */
static int check_encoding(parser *p) {
    const unsigned char *s = (const unsigned char *)p->s;
    size_t i = 0, n = p->len;
    if (n >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF) i = 3;
    size_t start = i;
    while (i < n) {
        unsigned c = s[i];
        if (c < 0x80) {
            if (c == '\n') {
                p->line++;
                p->line_start = i + 1;
            } else if (c == '\r') {
                if (i + 1 >= n || s[i + 1] != '\n') {
                    p->pos = i;
                    return fail(p, "carriage return not followed by a line feed");
                }
            } else if ((c < 0x20 && c != '\t') || c == 0x7f) {
                p->pos = i;
                return fail(p, "control character U+%04X is not allowed", c);
            }
            i++;
            continue;
        }
        size_t k;          /* continuation bytes */
        unsigned lo = 0x80, hi = 0xBF;   /* range of the first continuation byte */
        if (c >= 0xC2 && c <= 0xDF) k = 1;
        else if (c == 0xE0) { k = 2; lo = 0xA0; }
        else if (c >= 0xE1 && c <= 0xEC) k = 2;
        else if (c == 0xED) { k = 2; hi = 0x9F; }
        else if (c >= 0xEE && c <= 0xEF) k = 2;
        else if (c == 0xF0) { k = 3; lo = 0x90; }
        else if (c >= 0xF1 && c <= 0xF3) k = 3;
        else if (c == 0xF4) { k = 3; hi = 0x8F; }
        else {
            p->pos = i;
            return fail(p, "invalid UTF-8 (byte 0x%02X)", c);
        }
        if (n - i <= k) {
            p->pos = i;
            return fail(p, "invalid UTF-8 (truncated sequence)");
        }
        for (size_t j = 1; j <= k; j++) {
            unsigned b = s[i + j];
            unsigned l = j == 1 ? lo : 0x80, h = j == 1 ? hi : 0xBF;
            if (b < l || b > h) {
                p->pos = i;
                return fail(p, "invalid UTF-8 (byte 0x%02X after 0x%02X)", b, c);
            }
        }
        i += k + 1;
    }
    p->pos = start;
    p->line = 1;
    p->line_start = 0;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Scratch buffer                                                            */

static int buf_push(parser *p, const char *data, size_t n) {
    if (p->buf_cap - p->buf_len <= n) {
        size_t cap = p->buf_cap ? p->buf_cap : 64;
        while (cap - p->buf_len <= n) {
            if (cap > SIZE_MAX / 2) return oom(p);
            cap *= 2;
        }
        char *b = realloc(p->buf, cap);
        if (!b) return oom(p);
        p->buf = b;
        p->buf_cap = cap;
    }
    memcpy(p->buf + p->buf_len, data, n);
    p->buf_len += n;
    p->buf[p->buf_len] = '\0';
    return 0;
}

static int buf_push_utf8(parser *p, uint32_t cp) {
    char u[4];
    size_t n;
    if (cp < 0x80) { u[0] = (char)cp; n = 1; }
    else if (cp < 0x800) {
        u[0] = (char)(0xC0 | (cp >> 6));
        u[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        u[0] = (char)(0xE0 | (cp >> 12));
        u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        u[0] = (char)(0xF0 | (cp >> 18));
        u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    return buf_push(p, u, n);
}

/* A malloc'ed, NUL-terminated copy of the scratch buffer. */
static char *buf_dup(parser *p) {
    char *s = malloc(p->buf_len + 1);
    if (!s) { oom(p); return NULL; }
    if (p->buf_len) memcpy(s, p->buf, p->buf_len);
    s[p->buf_len] = '\0';
    return s;
}

/* ------------------------------------------------------------------------ */
/* Nodes and tables                                                          */

static node *node_new(parser *p, wg_toml_type type, unsigned depth, uint32_t line,
                      uint32_t col) {
    if (depth > WG_TOML_MAX_DEPTH) {
        fail_at(p, line, col, "nesting deeper than %d levels", WG_TOML_MAX_DEPTH);
        return NULL;
    }
    node *n = calloc(1, sizeof *n);
    if (!n) { fail_at(p, line, col, "out of memory"); return NULL; }
    n->v.type = type;
    n->v.line = line;
    n->v.col = col;
    n->depth = depth;
    return n;
}

static void node_free(node *n) {
    if (!n) return;
    wg_toml_value *v = &n->v;
    switch (v->type) {
    case WG_TOML_STRING:
        free(v->u.str.ptr);
        break;
    case WG_TOML_DATETIME:
    case WG_TOML_DATETIME_LOCAL:
    case WG_TOML_DATE_LOCAL:
    case WG_TOML_TIME_LOCAL:
        free(v->u.datetime);
        break;
    case WG_TOML_ARRAY:
        for (size_t i = 0; i < v->u.array.n; i++) node_free((node *)v->u.array.items[i]);
        free(v->u.array.items);
        break;
    case WG_TOML_TABLE:
        for (size_t i = 0; i < v->u.table.n; i++) {
            free(v->u.table.kvs[i].key);
            node_free((node *)v->u.table.kvs[i].value);
        }
        free(v->u.table.kvs);
        free(n->index);
        break;
    default:
        break;
    }
    free(n);
}

static uint64_t hash_key(const char *s, size_t len) {
    uint64_t h = 0xcbf29ce484222325u;  /* FNV-1a */
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 0x100000001b3u;
    }
    return h;
}

static bool key_eq(const wg_toml_kv *kv, const char *key, size_t len) {
    return kv->key_len == len && memcmp(kv->key, key, len) == 0;
}

/* Index of key in table t, or -1. */
static long long table_find(const node *t, const char *key, size_t len) {
    const wg_toml_kv *kvs = t->v.u.table.kvs;
    if (t->index) {
        size_t mask = t->index_cap - 1;
        for (size_t h = (size_t)hash_key(key, len) & mask; t->index[h]; h = (h + 1) & mask) {
            size_t i = t->index[h] - 1;
            if (key_eq(&kvs[i], key, len)) return (long long)i;
        }
        return -1;
    }
    for (size_t i = 0; i < t->v.u.table.n; i++)
        if (key_eq(&kvs[i], key, len)) return (long long)i;
    return -1;
}

static void index_put(node *t, size_t i) {
    const wg_toml_kv *kv = &t->v.u.table.kvs[i];
    size_t mask = t->index_cap - 1;
    size_t h = (size_t)hash_key(kv->key, kv->key_len) & mask;
    while (t->index[h]) h = (h + 1) & mask;
    t->index[h] = i + 1;
}

/* Adds key (copied) = value to table t, which must not have the key. Takes
 * ownership of value, also on failure (it is freed). */
static int table_add(parser *p, node *t, const key_part *k, node *value) {
    wg_toml_value *tv = &t->v;
    if (tv->u.table.n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 4;
        wg_toml_kv *kvs = cap > SIZE_MAX / sizeof *kvs ? NULL
                        : realloc(tv->u.table.kvs, cap * sizeof *kvs);
        if (!kvs) goto nomem;
        tv->u.table.kvs = kvs;
        t->cap = cap;
    }
    size_t n = tv->u.table.n;
    if (n + 1 >= INDEX_MIN && (n + 1) * 2 > t->index_cap) {
        size_t cap = 16;
        while (cap < (n + 1) * 4) cap *= 2;
        size_t *index = calloc(cap, sizeof *index);
        if (!index) goto nomem;
        free(t->index);
        t->index = index;
        t->index_cap = cap;
        for (size_t i = 0; i < n; i++) index_put(t, i);
    }
    char *key = malloc(k->len + 1);
    if (!key) goto nomem;
    memcpy(key, k->s, k->len + 1);
    wg_toml_kv *kv = &tv->u.table.kvs[n];
    kv->key = key;
    kv->key_len = k->len;
    kv->value = &value->v;
    kv->line = k->line;
    kv->col = k->col;
    tv->u.table.n = n + 1;
    if (t->index) index_put(t, n);
    return 0;
nomem:
    node_free(value);
    return fail_at(p, k->line, k->col, "out of memory");
}

/* Appends item to array a. Takes ownership of item, also on failure. */
static int array_push(parser *p, node *a, node *item) {
    wg_toml_value *av = &a->v;
    if (av->u.array.n == a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 4;
        wg_toml_value **items = cap > SIZE_MAX / sizeof *items ? NULL
                              : realloc(av->u.array.items, cap * sizeof *items);
        if (!items) {
            node_free(item);
            return oom(p);
        }
        av->u.array.items = items;
        a->cap = cap;
    }
    av->u.array.items[av->u.array.n++] = &item->v;
    return 0;
}

static node *kv_node(const node *t, size_t i) {
    return (node *)t->v.u.table.kvs[i].value;
}

/* ------------------------------------------------------------------------ */
/* Lexical helpers                                                           */

static int peek(const parser *p) {
    return p->pos < p->len ? (unsigned char)p->s[p->pos] : -1;
}

static int peek_at(const parser *p, size_t off) {
    return p->len - p->pos > off ? (unsigned char)p->s[p->pos + off] : -1;
}

static void skip_ws(parser *p) {
    while (p->pos < p->len && (p->s[p->pos] == ' ' || p->s[p->pos] == '\t')) p->pos++;
}

/* True if a newline (LF or CRLF) starts at pos. */
static bool at_newline(const parser *p) {
    int c = peek(p);
    return c == '\n' || (c == '\r' && peek_at(p, 1) == '\n');
}

/* Consumes one newline (the caller checked at_newline). */
static void eat_newline(parser *p) {
    if (p->s[p->pos] == '\r') p->pos++;
    p->pos++;
    p->line++;
    p->line_start = p->pos;
}

static void skip_comment(parser *p) {
    while (p->pos < p->len && !at_newline(p)) p->pos++;
}

/* Skips whitespace, newlines and comments (inside arrays). */
static void skip_ws_nl(parser *p) {
    for (;;) {
        skip_ws(p);
        if (peek(p) == '#') skip_comment(p);
        if (at_newline(p)) eat_newline(p);
        else return;
    }
}

static bool is_digit(int c) { return c >= '0' && c <= '9'; }
static bool is_hex(int c) {
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
static bool is_oct(int c) { return c >= '0' && c <= '7'; }
static bool is_bin(int c) { return c == '0' || c == '1'; }
static bool is_bare(int c) {
    return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
           c == '-';
}

static int hex_val(int c) {
    if (is_digit(c)) return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return c - 'A' + 10;
}

/* ------------------------------------------------------------------------ */
/* Strings                                                                   */

/* Reads an escape sequence after the backslash into the scratch buffer. */
static int parse_escape(parser *p) {
    uint32_t line = p->line, col = cur_col(p) - 1;
    int c = peek(p);
    const char *rep = NULL;
    switch (c) {
    case 'b': rep = "\b"; break;
    case 't': rep = "\t"; break;
    case 'n': rep = "\n"; break;
    case 'f': rep = "\f"; break;
    case 'r': rep = "\r"; break;
    case '"': rep = "\""; break;
    case '\\': rep = "\\"; break;
    case 'u':
    case 'U': {
        size_t nd = c == 'u' ? 4 : 8;
        uint32_t cp = 0;
        for (size_t i = 1; i <= nd; i++) {
            int h = peek_at(p, i);
            if (!is_hex(h))
                return fail_at(p, line, col, "\\%c needs %zu hexadecimal digits", c, nd);
            cp = cp << 4 | (uint32_t)hex_val(h);
        }
        if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return fail_at(p, line, col, "\\%c%0*X is not a Unicode scalar value", c,
                           (int)nd, (unsigned)cp);
        p->pos += nd + 1;
        return buf_push_utf8(p, cp);
    }
    default: {
        char tmp[16];
        return fail_at(p, line, col, "invalid escape sequence: backslash followed by %s",
                       describe(p, tmp, sizeof tmp));
    }
    }
    p->pos++;
    return buf_push(p, rep, 1);
}

/* Reads a string whose opening quote(s) start at pos into the scratch buffer:
 * basic ("), multi-line basic ("""), literal (') or multi-line literal (''').
 * Newlines in multi-line strings are stored as LF. */
static int parse_string(parser *p, bool allow_multiline) {
    uint32_t line = p->line, col = cur_col(p);
    char q = p->s[p->pos];
    bool basic = q == '"';
    bool ml = peek_at(p, 1) == q && peek_at(p, 2) == q;
    p->buf_len = 0;
    if (buf_push(p, "", 0)) return -1;
    if (ml) {
        if (!allow_multiline) return fail(p, "a multi-line string cannot be a key");
        p->pos += 3;
        if (at_newline(p)) eat_newline(p);   /* a newline right after the quotes is trimmed */
    } else {
        p->pos++;
    }
    for (;;) {
        if (p->pos >= p->len)
            return fail_at(p, line, col, "unterminated string");
        char c = p->s[p->pos];
        if (c == q) {
            if (!ml) {
                p->pos++;
                return 0;
            }
            size_t n = 0;
            while (peek_at(p, n) == q) n++;
            if (n >= 3) {
                if (n > 5) {
                    p->pos += 5;
                    return fail(p, "too many quotes at the end of a multi-line string");
                }
                if (buf_push(p, p->s + p->pos, n - 3)) return -1;
                p->pos += n;
                return 0;
            }
            if (buf_push(p, p->s + p->pos, n)) return -1;
            p->pos += n;
        } else if (c == '\\' && basic) {
            p->pos++;
            if (ml) {
                /* line-ending backslash: trims whitespace and newlines */
                size_t save = p->pos;
                skip_ws(p);
                if (at_newline(p)) {
                    while (at_newline(p) || peek(p) == ' ' || peek(p) == '\t') {
                        if (at_newline(p)) eat_newline(p);
                        else p->pos++;
                    }
                    continue;
                }
                p->pos = save;
            }
            if (parse_escape(p)) return -1;
        } else if (at_newline(p)) {
            if (!ml) return fail(p, "newline in a single-line string");
            eat_newline(p);
            if (buf_push(p, "\n", 1)) return -1;
        } else {
            /* plain bytes up to the next special character (encoding checked) */
            size_t start = p->pos++;
            while (p->pos < p->len) {
                char d = p->s[p->pos];
                if (d == q || d == '\\' || d == '\n' || d == '\r') break;
                p->pos++;
            }
            if (buf_push(p, p->s + start, p->pos - start)) return -1;
        }
    }
}

/* ------------------------------------------------------------------------ */
/* Keys                                                                      */

static void path_clear(key_path *k) {
    for (size_t i = 0; i < k->n; i++) free(k->parts[i].s);
    free(k->parts);
    k->parts = NULL;
    k->n = k->cap = 0;
}

/* Reads a key, simple or dotted, with whitespace around the dots. */
static int parse_key(parser *p, key_path *k) {
    for (;;) {
        skip_ws(p);
        if (k->n == k->cap) {
            size_t cap = k->cap ? k->cap * 2 : 4;
            key_part *parts = realloc(k->parts, cap * sizeof *parts);
            if (!parts) return oom(p);
            k->parts = parts;
            k->cap = cap;
        }
        key_part *part = &k->parts[k->n];
        part->line = p->line;
        part->col = cur_col(p);
        int c = peek(p);
        if (c == '"' || c == '\'') {
            if (parse_string(p, false)) return -1;
        } else if (is_bare(c)) {
            size_t start = p->pos;
            while (is_bare(peek(p))) p->pos++;
            p->buf_len = 0;
            if (buf_push(p, p->s + start, p->pos - start)) return -1;
        } else {
            return fail_unexpected(p, "a key");
        }
        part->s = buf_dup(p);
        if (!part->s) return -1;
        part->len = p->buf_len;
        k->n++;
        skip_ws(p);
        if (peek(p) != '.') return 0;
        p->pos++;
    }
}

/* ------------------------------------------------------------------------ */
/* Numbers                                                                   */

/* Skips digits (accepted by ok) with single underscores between them, from
 * t[*i]. Returns false if there is no digit at *i or an underscore is not
 * between two digits. */
static bool digits_us(const char *t, size_t n, size_t *i, bool (*ok)(int)) {
    if (*i >= n || !ok((unsigned char)t[*i])) return false;
    while (*i < n) {
        int c = (unsigned char)t[*i];
        if (ok(c)) (*i)++;
        else if (c == '_') {
            if (*i + 1 >= n || !ok((unsigned char)t[*i + 1])) return false;
            (*i)++;
        } else break;
    }
    return true;
}

/* Parses the number token t[0..n) (integer or float) into v. */
static int parse_number(parser *p, const char *t, size_t n, uint32_t line, uint32_t col,
                        wg_toml_value *v) {
    size_t i = 0;
    bool neg = false, sign = false;
    if (t[0] == '+' || t[0] == '-') {
        neg = t[0] == '-';
        sign = true;
        i++;
    }
    if (n - i == 3 && (memcmp(t + i, "inf", 3) == 0 || memcmp(t + i, "nan", 3) == 0)) {
        v->type = WG_TOML_FLOAT;
        if (t[i] == 'i') v->u.flt = neg ? -__builtin_inf() : __builtin_inf();
        else v->u.flt = neg ? -__builtin_nan("") : __builtin_nan("");
        return 0;
    }
    if (n - i >= 2 && t[i] == '0' && (t[i + 1] == 'x' || t[i + 1] == 'o' || t[i + 1] == 'b')) {
        char base = t[i + 1];
        if (sign) return fail_at(p, line, col, "a %s integer cannot have a sign",
                                 base == 'x' ? "hexadecimal" : base == 'o' ? "octal" : "binary");
        bool (*ok)(int) = base == 'x' ? is_hex : base == 'o' ? is_oct : is_bin;
        unsigned shift = base == 'x' ? 4 : base == 'o' ? 3 : 1;
        i += 2;
        size_t start = i;
        if (!digits_us(t, n, &i, ok) || i != n)
            return fail_at(p, line, col, "invalid %s integer",
                           base == 'x' ? "hexadecimal" : base == 'o' ? "octal" : "binary");
        uint64_t x = 0;
        for (size_t j = start; j < n; j++) {
            if (t[j] == '_') continue;
            if (x > (uint64_t)INT64_MAX >> shift)
                return fail_at(p, line, col, "integer does not fit in 64 bits");
            x = x << shift | (uint64_t)hex_val((unsigned char)t[j]);
        }
        v->type = WG_TOML_INTEGER;
        v->u.integer = (int64_t)x;
        return 0;
    }
    size_t int_start = i;
    if (!digits_us(t, n, &i, is_digit))
        return fail_at(p, line, col, "invalid number");
    if (t[int_start] == '0' && i - int_start > 1)
        return fail_at(p, line, col, "leading zeros are not allowed");
    size_t int_end = i;
    bool is_float = false;
    if (i < n && t[i] == '.') {
        i++;
        if (!digits_us(t, n, &i, is_digit))
            return fail_at(p, line, col, "a decimal point must be followed by digits");
        is_float = true;
    }
    if (i < n && (t[i] == 'e' || t[i] == 'E')) {
        i++;
        if (i < n && (t[i] == '+' || t[i] == '-')) i++;
        if (!digits_us(t, n, &i, is_digit))
            return fail_at(p, line, col, "an exponent must be digits");
        is_float = true;
    }
    if (i != n) return fail_at(p, line, col, "invalid number");
    if (!is_float) {
        uint64_t x = 0, limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
        for (size_t j = int_start; j < int_end; j++) {
            if (t[j] == '_') continue;
            unsigned d = (unsigned)(t[j] - '0');
            if (x > (limit - d) / 10)
                return fail_at(p, line, col, "integer does not fit in 64 bits");
            x = x * 10 + d;
        }
        v->type = WG_TOML_INTEGER;
        v->u.integer = neg ? (int64_t)(0 - x) : (int64_t)x;
        return 0;
    }
    /* strtod on a copy without underscores, with the locale's decimal point */
    const char *dp = localeconv()->decimal_point;
    size_t dplen = dp && *dp ? strlen(dp) : 1;
    p->buf_len = 0;
    for (size_t j = 0; j < n; j++) {
        int r = 0;
        if (t[j] == '_') continue;
        if (t[j] == '.') r = dp && *dp ? buf_push(p, dp, dplen) : buf_push(p, ".", 1);
        else r = buf_push(p, t + j, 1);
        if (r) return -1;
    }
    char *end;
    double d = strtod(p->buf, &end);
    if (*end != '\0') return fail_at(p, line, col, "invalid float");
    if (d == __builtin_inf() || d == -__builtin_inf())
        return fail_at(p, line, col, "float out of range");
    v->type = WG_TOML_FLOAT;
    v->u.flt = d;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Dates and times                                                           */

/* The value of n decimal digits at pos + off, or -1. */
static int fixed_digits(const parser *p, size_t off, size_t n) {
    int x = 0;
    for (size_t i = 0; i < n; i++) {
        int c = peek_at(p, off + i);
        if (!is_digit(c)) return -1;
        x = x * 10 + (c - '0');
    }
    return x;
}

static bool is_leap(int y) {
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Reads HH:MM:SS[.frac] at pos + *off. */
static int parse_time(parser *p, size_t *off, uint32_t line, uint32_t col) {
    int hh = fixed_digits(p, *off, 2), mm = fixed_digits(p, *off + 3, 2),
        ss = fixed_digits(p, *off + 6, 2);
    if (hh < 0 || peek_at(p, *off + 2) != ':' || mm < 0)
        return fail_at(p, line, col, "invalid time (expected HH:MM:SS)");
    if (peek_at(p, *off + 5) != ':' || ss < 0)
        return fail_at(p, line, col, "invalid time: seconds are required (HH:MM:SS)");
    if (hh > 23) return fail_at(p, line, col, "invalid time: hour %d", hh);
    if (mm > 59) return fail_at(p, line, col, "invalid time: minute %d", mm);
    if (ss > 60) return fail_at(p, line, col, "invalid time: second %d", ss);
    *off += 8;
    if (peek_at(p, *off) == '.') {
        (*off)++;
        if (!is_digit(peek_at(p, *off)))
            return fail_at(p, line, col, "invalid time: '.' must be followed by digits");
        while (is_digit(peek_at(p, *off))) (*off)++;
    }
    return 0;
}

/* Reads a date-time, date or time value starting at pos into v. */
static int parse_datetime(parser *p, wg_toml_value *v) {
    uint32_t line = p->line, col = cur_col(p);
    size_t off = 0;
    bool date = false, time = false, offset = false;
    if (peek_at(p, 4) == '-') {
        int y = fixed_digits(p, 0, 4), m = fixed_digits(p, 5, 2), d = fixed_digits(p, 8, 2);
        if (y < 0 || m < 0 || peek_at(p, 7) != '-' || d < 0 || is_digit(peek_at(p, 10)))
            return fail_at(p, line, col, "invalid date (expected YYYY-MM-DD)");
        static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
        if (m < 1 || m > 12) return fail_at(p, line, col, "invalid date: month %d", m);
        int dim = mdays[m - 1] + (m == 2 && is_leap(y));
        if (d < 1 || d > dim)
            return fail_at(p, line, col, "invalid date: day %d of month %d", d, m);
        date = true;
        off = 10;
        int sep = peek_at(p, off);
        if (((sep == 'T' || sep == 't') && is_digit(peek_at(p, off + 1))) ||
            (sep == ' ' && is_digit(peek_at(p, off + 1)) && is_digit(peek_at(p, off + 2)) &&
             peek_at(p, off + 3) == ':')) {
            off++;
            if (parse_time(p, &off, line, col)) return -1;
            time = true;
        }
    } else {
        if (parse_time(p, &off, line, col)) return -1;
        time = true;
    }
    if (date && time) {
        int c = peek_at(p, off);
        if (c == 'Z' || c == 'z') {
            off++;
            offset = true;
        } else if (c == '+' || c == '-') {
            int oh = fixed_digits(p, off + 1, 2), om = fixed_digits(p, off + 4, 2);
            if (oh < 0 || peek_at(p, off + 3) != ':' || om < 0)
                return fail_at(p, line, col, "invalid time offset (expected +HH:MM)");
            if (oh > 23 || om > 59)
                return fail_at(p, line, col, "invalid time offset %c%02d:%02d", c, oh, om);
            off += 6;
            offset = true;
        }
    }
    char *text = malloc(off + 1);
    if (!text) return oom(p);
    memcpy(text, p->s + p->pos, off);
    text[off] = '\0';
    if (date && time) text[10] = 'T';
    if (offset && text[off - 1] == 'z') text[off - 1] = 'Z';
    p->pos += off;
    v->type = offset ? WG_TOML_DATETIME
            : date && time ? WG_TOML_DATETIME_LOCAL
            : date ? WG_TOML_DATE_LOCAL : WG_TOML_TIME_LOCAL;
    v->u.datetime = text;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Values                                                                    */

static node *parse_value(parser *p, unsigned depth);
static int parse_keyval(parser *p, node *table);

static node *parse_array(parser *p, unsigned depth) {
    node *a = node_new(p, WG_TOML_ARRAY, depth, p->line, cur_col(p));
    if (!a) return NULL;
    p->pos++;   /* [ */
    for (;;) {
        skip_ws_nl(p);
        if (peek(p) == ']') break;
        node *item = parse_value(p, depth + 1);
        if (!item || array_push(p, a, item)) goto fail;
        skip_ws_nl(p);
        if (peek(p) == ',') {
            p->pos++;
            continue;
        }
        if (peek(p) == ']') break;
        fail_unexpected(p, "',' or ']' in an array");
        goto fail;
    }
    p->pos++;   /* ] */
    return a;
fail:
    node_free(a);
    return NULL;
}

static node *parse_inline_table(parser *p, unsigned depth) {
    node *t = node_new(p, WG_TOML_TABLE, depth, p->line, cur_col(p));
    if (!t) return NULL;
    p->pos++;   /* { */
    skip_ws(p);
    if (peek(p) != '}') {
        for (;;) {
            if (parse_keyval(p, t)) goto fail;
            skip_ws(p);
            if (peek(p) == ',') {
                p->pos++;
                skip_ws(p);
                if (peek(p) == '}') {
                    fail(p, "trailing comma in an inline table");
                    goto fail;
                }
                continue;
            }
            if (peek(p) == '}') break;
            fail_unexpected(p, "',' or '}' in an inline table");
            goto fail;
        }
    }
    p->pos++;   /* } */
    t->flags |= F_INLINE;
    return t;
fail:
    node_free(t);
    return NULL;
}

/* Parses the value at pos; depth is its depth in the tree. */
static node *parse_value(parser *p, unsigned depth) {
    uint32_t line = p->line, col = cur_col(p);
    int c = peek(p);
    if (c == '[') return parse_array(p, depth);
    if (c == '{') return parse_inline_table(p, depth);
    node *n = node_new(p, WG_TOML_BOOL, depth, line, col);
    if (!n) return NULL;
    wg_toml_value *v = &n->v;
    if (c == '"' || c == '\'') {
        if (parse_string(p, true)) goto fail;
        v->type = WG_TOML_STRING;
        v->u.str.ptr = buf_dup(p);
        if (!v->u.str.ptr) goto fail;
        v->u.str.len = p->buf_len;
        return n;
    }
    if (c == 't' || c == 'f') {
        const char *word = c == 't' ? "true" : "false";
        size_t len = strlen(word);
        if (p->len - p->pos < len || memcmp(p->s + p->pos, word, len) != 0 ||
            is_bare(peek_at(p, len))) {
            fail_unexpected(p, "a value");
            goto fail;
        }
        p->pos += len;
        v->u.boolean = c == 't';
        return n;
    }
    if (is_digit(c) && ((is_digit(peek_at(p, 1)) && is_digit(peek_at(p, 2)) &&
                         is_digit(peek_at(p, 3)) && peek_at(p, 4) == '-') ||
                        (is_digit(peek_at(p, 1)) && peek_at(p, 2) == ':'))) {
        if (parse_datetime(p, v)) {
            v->type = WG_TOML_BOOL;
            goto fail;
        }
        return n;
    }
    if (is_digit(c) || c == '+' || c == '-' || c == 'i' || c == 'n') {
        size_t start = p->pos;
        while (p->pos < p->len) {
            int d = (unsigned char)p->s[p->pos];
            if (!is_bare(d) && d != '.' && d != '+') break;
            p->pos++;
        }
        if (parse_number(p, p->s + start, p->pos - start, line, col, v)) goto fail;
        return n;
    }
    fail_unexpected(p, "a value");
fail:
    node_free(n);
    return NULL;
}

/* ------------------------------------------------------------------------ */
/* Key/values and headers                                                    */

/* Parses `key = value` at pos into table (the current table, or an inline
 * table being read). Dotted keys create or extend tables per the rules at the
 * top of this file. */
static int parse_keyval(parser *p, node *table) {
    key_path k = {0};
    node *value = NULL;
    int rc = -1;
    if (parse_key(p, &k)) goto done;
    if (peek(p) != '=') {
        fail_unexpected(p, "'=' after a key");
        goto done;
    }
    p->pos++;
    skip_ws(p);
    if (at_newline(p) || p->pos >= p->len || peek(p) == '#') {
        fail(p, "missing value after '='");
        goto done;
    }
    unsigned nkeys = k.n > WG_TOML_MAX_DEPTH ? WG_TOML_MAX_DEPTH + 1 : (unsigned)k.n;
    value = parse_value(p, table->depth + nkeys);
    if (!value) goto done;
    node *t = table;
    for (size_t i = 0; i + 1 < k.n; i++) {
        key_part *kp = &k.parts[i];
        long long j = table_find(t, kp->s, kp->len);
        if (j < 0) {
            node *sub = node_new(p, WG_TOML_TABLE, t->depth + 1, kp->line, kp->col);
            if (!sub) goto done;
            sub->flags = F_DOTTED;
            if (table_add(p, t, kp, sub)) goto done;
            t = sub;
            continue;
        }
        node *sub = kv_node(t, (size_t)j);
        if (sub->v.type != WG_TOML_TABLE) {
            fail_at(p, kp->line, kp->col, "key '%s' is already defined as a%s %s", kp->s,
                    sub->v.type == WG_TOML_ARRAY || sub->v.type == WG_TOML_INTEGER ? "n" : "",
                    wg_toml_type_name(sub->v.type));
            goto done;
        }
        if (sub->flags & (F_INLINE | F_HEADER)) {
            fail_at(p, kp->line, kp->col, "cannot add keys to %s table '%s' with a dotted key",
                    sub->flags & F_INLINE ? "inline" : "already defined", kp->s);
            goto done;
        }
        sub->flags = (sub->flags & ~(unsigned)F_IMPLICIT) | F_DOTTED;
        t = sub;
    }
    key_part *last = &k.parts[k.n - 1];
    if (table_find(t, last->s, last->len) >= 0) {
        fail_at(p, last->line, last->col, "key '%s' is already defined", last->s);
        goto done;
    }
    rc = table_add(p, t, last, value);
    value = NULL;
done:
    node_free(value);
    path_clear(&k);
    return rc;
}

/* Parses a [table] or [[array]] header at pos and makes its table current. */
static int parse_header(parser *p) {
    uint32_t line = p->line, col = cur_col(p);
    bool aot = peek_at(p, 1) == '[';
    p->pos += aot ? 2 : 1;
    key_path k = {0};
    int rc = -1;
    if (parse_key(p, &k)) goto done;
    if (peek(p) != ']' || (aot && peek_at(p, 1) != ']')) {
        fail_unexpected(p, aot ? "']]' to close the header" : "']' to close the header");
        goto done;
    }
    p->pos += aot ? 2 : 1;
    node *t = p->root;
    for (size_t i = 0; i + 1 < k.n; i++) {
        key_part *kp = &k.parts[i];
        long long j = table_find(t, kp->s, kp->len);
        if (j < 0) {
            node *sub = node_new(p, WG_TOML_TABLE, t->depth + 1, kp->line, kp->col);
            if (!sub) goto done;
            sub->flags = F_IMPLICIT;
            if (table_add(p, t, kp, sub)) goto done;
            t = sub;
            continue;
        }
        node *sub = kv_node(t, (size_t)j);
        if (sub->v.type == WG_TOML_ARRAY && (sub->flags & F_AOT)) {
            t = (node *)sub->v.u.array.items[sub->v.u.array.n - 1];
        } else if (sub->v.type == WG_TOML_TABLE && !(sub->flags & F_INLINE)) {
            t = sub;
        } else {
            fail_at(p, kp->line, kp->col, "key '%s' is already defined as %s", kp->s,
                    sub->v.type == WG_TOML_TABLE ? "an inline table"
                    : sub->v.type == WG_TOML_ARRAY ? "an array" : "a value");
            goto done;
        }
    }
    key_part *last = &k.parts[k.n - 1];
    long long j = table_find(t, last->s, last->len);
    if (aot) {
        node *arr;
        if (j < 0) {
            arr = node_new(p, WG_TOML_ARRAY, t->depth + 1, line, col);
            if (!arr) goto done;
            arr->flags = F_AOT;
            if (table_add(p, t, last, arr)) goto done;
        } else {
            arr = kv_node(t, (size_t)j);
            if (arr->v.type != WG_TOML_ARRAY || !(arr->flags & F_AOT)) {
                fail_at(p, last->line, last->col,
                        "cannot define '%s' as an array of tables: already defined", last->s);
                goto done;
            }
        }
        node *elem = node_new(p, WG_TOML_TABLE, arr->depth + 1, line, col);
        if (!elem) goto done;
        elem->flags = F_HEADER;
        if (array_push(p, arr, elem)) goto done;
        p->cur = elem;
    } else {
        node *tab;
        if (j < 0) {
            tab = node_new(p, WG_TOML_TABLE, t->depth + 1, line, col);
            if (!tab) goto done;
            if (table_add(p, t, last, tab)) goto done;
        } else {
            tab = kv_node(t, (size_t)j);
            if (tab->v.type != WG_TOML_TABLE || tab->flags != F_IMPLICIT) {
                fail_at(p, last->line, last->col, "table '%s' is already defined", last->s);
                goto done;
            }
            tab->v.line = line;
            tab->v.col = col;
        }
        tab->flags = F_HEADER;
        p->cur = tab;
    }
    rc = 0;
done:
    path_clear(&k);
    return rc;
}

static int parse_document(parser *p) {
    while (p->pos < p->len) {
        skip_ws(p);
        int c = peek(p);
        if (c == '[') {
            if (parse_header(p)) return -1;
        } else if (c != '#' && c != -1 && !at_newline(p)) {
            if (parse_keyval(p, p->cur)) return -1;
        }
        skip_ws(p);
        if (peek(p) == '#') skip_comment(p);
        if (at_newline(p)) eat_newline(p);
        else if (p->pos < p->len) return fail_unexpected(p, "end of line");
    }
    return 0;
}

/* ------------------------------------------------------------------------ */
/* API                                                                       */

/* Parses a TOML document; see toml.h. The returned tree is freed with
 * wg_toml_free. */
wg_toml_value *wg_toml_parse(const char *text, size_t len, char *err, size_t errsize) {
    parser p = {.s = text, .len = len, .line = 1, .err = err, .errsize = errsize};
    if (err && errsize) err[0] = '\0';
    if (!text && len) {
        fail_at(&p, 1, 1, "no input");
        return NULL;
    }
    if (!text) p.s = "";
    if (check_encoding(&p)) return NULL;
    p.root = node_new(&p, WG_TOML_TABLE, 0, 1, 1);
    if (!p.root) return NULL;
    p.root->flags = F_HEADER;
    p.cur = p.root;
    int rc = parse_document(&p);
    free(p.buf);
    if (rc) {
        node_free(p.root);
        return NULL;
    }
    return &p.root->v;
}

/* Frees a tree returned by wg_toml_parse (the root; NULL is a no-op). */
void wg_toml_free(wg_toml_value *root) {
    node_free((node *)root);
}

/* Looks key up in a table (NULL for a non-table or a missing key). */
const wg_toml_value *wg_toml_get(const wg_toml_value *table, const char *key,
                                 const wg_toml_kv **kv) {
    if (kv) *kv = NULL;
    if (!table || !key || table->type != WG_TOML_TABLE) return NULL;
    long long i = table_find((const node *)table, key, strlen(key));
    if (i < 0) return NULL;
    if (kv) *kv = &table->u.table.kvs[i];
    return table->u.table.kvs[i].value;
}

/* The toml-test name of a type. */
const char *wg_toml_type_name(wg_toml_type t) {
    switch (t) {
    case WG_TOML_STRING: return "string";
    case WG_TOML_INTEGER: return "integer";
    case WG_TOML_FLOAT: return "float";
    case WG_TOML_BOOL: return "bool";
    case WG_TOML_DATETIME: return "datetime";
    case WG_TOML_DATETIME_LOCAL: return "datetime-local";
    case WG_TOML_DATE_LOCAL: return "date-local";
    case WG_TOML_TIME_LOCAL: return "time-local";
    case WG_TOML_ARRAY: return "array";
    case WG_TOML_TABLE: return "table";
    }
    return "unknown";
}
