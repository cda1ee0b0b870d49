/*
 * The manifest loader: a WAGI `modules.toml` or a Spin-style `spin.toml`
 * (version 2 subset) in, one wg_app (app.h) out. docs/manifest.md is the
 * user-facing reference for every key; this file implements exactly that.
 *
 * Format detection (from the content, never the file name):
 *   spin_manifest_version present  -> Spin (must be the integer 2)
 *   spin_version present           -> Spin v1: rejected with a hint
 *   module present                 -> WAGI
 *   anything else                  -> "matches neither format"
 *
 * Invariants of the result:
 *   - every key the document holds was understood: an unknown key is an
 *     error, and so is a key we know but do not implement yet;
 *   - every route starts with "/", has no query, no empty/"."/".." segment,
 *     and "..." only as its last segment (then wildcard = true and prefix is
 *     the route without "/...");
 *   - module paths name existing regular files, volume hosts existing
 *     directories (Spin `files`: directories or files), all made absolute
 *     with realpath();
 *   - routes are unique (compared after Spin's base is prepended).
 *
 * Errors go to err->message as "FILE:LINE:COL: message", FILE as the caller
 * spelled it, LINE:COL from the TOML tree (a key's position for unknown keys
 * and missing things, a value's position for wrong values).
 */
#define _GNU_SOURCE
#include "gateway/app.h"

#include "services/allowlist.h"
#include "toml/toml.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_MANIFEST_BYTES (16u << 20)  /* a manifest larger than this is a mistake */
#define MAX_TIMEOUT_S      86400.0      /* one day: anything longer is a typo */

/* State of one load. */
typedef struct loader {
    const char *file;        /* manifest path as the caller gave it (for messages) */
    wg_error *err;           /* where the failure goes */
    wg_app *app;             /* the result being built */
    size_t cap;              /* allocated entries of app->routes */
} loader;

/* ---- errors --------------------------------------------------------------- */

/* Writes "FILE:LINE:COL: message" into the error; always returns false. */
static bool fail(loader *ld, uint32_t line, uint32_t col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static bool fail(loader *ld, uint32_t line, uint32_t col, const char *fmt, ...) {
    wg_error *e = ld->err;
    size_t size = sizeof e->message;
    int n = snprintf(e->message, size, "%s:%u:%u: ", ld->file, (unsigned)line, (unsigned)col);
    if (n >= 0 && (size_t)n < size) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(e->message + n, size - (size_t)n, fmt, ap);
        va_end(ap);
    }
    e->kind = WG_ERR_INVALID;
    e->offset = (size_t)-1;
    return false;
}

/* An allocation failed; always returns false. */
static bool oom(loader *ld) {
    snprintf(ld->err->message, sizeof ld->err->message, "%s: out of memory", ld->file);
    ld->err->kind = WG_ERR_RESOURCE;
    ld->err->offset = (size_t)-1;
    return false;
}

/* "a string", "an integer", ... for "'x' must be ..." messages. */
static const char *type_phrase(wg_toml_type t) {
    switch (t) {
    case WG_TOML_STRING: return "a string";
    case WG_TOML_INTEGER: return "an integer";
    case WG_TOML_FLOAT: return "a float";
    case WG_TOML_BOOL: return "a boolean";
    case WG_TOML_ARRAY: return "an array";
    case WG_TOML_TABLE: return "a table";
    default: return "a date/time";
    }
}

/* ---- small helpers -------------------------------------------------------- */

static char *dup_str(const char *s) {
    size_t len = strlen(s);
    char *p = malloc(len + 1);
    if (p) memcpy(p, s, len + 1);
    return p;
}

static char *dup_mem(const char *s, size_t len) {
    char *p = malloc(len + 1);
    if (p) { memcpy(p, s, len); p[len] = '\0'; }
    return p;
}

/* Reads the whole file into a malloc'd buffer (caller frees). */
static char *read_file(loader *ld, const char *path, size_t *len_out) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(ld->err->message, sizeof ld->err->message, "%s: cannot read manifest: %s",
                 ld->file, strerror(errno));
        ld->err->kind = WG_ERR_INVALID;
        ld->err->offset = (size_t)-1;
        return NULL;
    }
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    if (!buf) { fclose(f); oom(ld); return NULL; }
    for (;;) {
        if (len == cap) {
            if (cap >= MAX_MANIFEST_BYTES) {
                fclose(f); free(buf);
                fail(ld, 1, 1, "manifest is larger than %u bytes", MAX_MANIFEST_BYTES);
                return NULL;
            }
            char *nb = realloc(buf, cap * 2);
            if (!nb) { fclose(f); free(buf); oom(ld); return NULL; }
            buf = nb;
            cap *= 2;
        }
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0) break;
    }
    bool bad = ferror(f);
    int saved = errno;
    fclose(f);
    if (bad) {
        free(buf);
        snprintf(ld->err->message, sizeof ld->err->message, "%s: cannot read manifest: %s",
                 ld->file, strerror(saved));
        ld->err->kind = WG_ERR_INVALID;
        ld->err->offset = (size_t)-1;
        return NULL;
    }
    *len_out = len;
    return buf;
}

/* rel joined to the manifest's folder (unless absolute), through realpath()
 * when it exists. malloc'd (caller frees); NULL only when out of memory. */
static char *resolve(const loader *ld, const char *rel) {
    char *joined;
    if (rel[0] == '/') {
        joined = dup_str(rel);
    } else {
        const char *base = ld->app->base_dir;
        size_t blen = strlen(base), rlen = strlen(rel);
        joined = malloc(blen + 1 + rlen + 1);
        if (joined) {
            memcpy(joined, base, blen);
            size_t at = blen;
            if (blen == 0 || base[blen - 1] != '/') joined[at++] = '/';
            memcpy(joined + at, rel, rlen + 1);
        }
    }
    if (!joined) return NULL;
    char *real = realpath(joined, NULL);
    if (real) { free(joined); return real; }
    return joined;
}

/* A table's key/value pair by name, or NULL. */
static const wg_toml_kv *find_kv(const wg_toml_value *tbl, const char *key) {
    const wg_toml_kv *kv = NULL;
    return wg_toml_get(tbl, key, &kv) ? kv : NULL;
}

/* Keys of tbl must all be in known[] (NULL-terminated); keys in later[] are
 * known but not implemented yet. `where` names the table in the message. */
static bool check_keys(loader *ld, const wg_toml_value *tbl, const char *const *known,
                       const char *const *later, const char *where) {
    for (size_t i = 0; i < tbl->u.table.n; i++) {
        const wg_toml_kv *kv = &tbl->u.table.kvs[i];
        bool ok = false;
        for (const char *const *k = known; *k && !ok; k++)
            ok = strlen(*k) == kv->key_len && memcmp(*k, kv->key, kv->key_len) == 0;
        if (ok) continue;
        for (const char *const *k = later; k && *k; k++)
            if (strlen(*k) == kv->key_len && memcmp(*k, kv->key, kv->key_len) == 0)
                return fail(ld, kv->line, kv->col, "'%s' in %s is not supported yet", kv->key,
                            where);
        return fail(ld, kv->line, kv->col, "unknown key '%s' in %s", kv->key, where);
    }
    return true;
}

/* The value of kv must have type t. */
static bool want(loader *ld, const wg_toml_kv *kv, wg_toml_type t) {
    if (kv->value->type == t) return true;
    return fail(ld, kv->value->line, kv->value->col, "'%s' must be %s, not %s", kv->key,
                type_phrase(t), type_phrase(kv->value->type));
}

/* A string value usable as C text (no U+0000 inside). */
static bool c_string(loader *ld, const wg_toml_kv *kv, const wg_toml_value *v) {
    if (strlen(v->u.str.ptr) != v->u.str.len)
        return fail(ld, v->line, v->col, "'%s' must not contain U+0000", kv->key);
    return true;
}

/* Optional string key: *out is NULL (and *kv_out NULL) when absent. */
static bool opt_string(loader *ld, const wg_toml_value *tbl, const char *key, const char **out,
                       const wg_toml_kv **kv_out) {
    const wg_toml_kv *kv = find_kv(tbl, key);
    *out = NULL;
    if (kv_out) *kv_out = kv;
    if (!kv) return true;
    if (!want(ld, kv, WG_TOML_STRING) || !c_string(ld, kv, kv->value)) return false;
    *out = kv->value->u.str.ptr;
    return true;
}

/* Required string key of the table tbl (called `where`). */
static bool req_string(loader *ld, const wg_toml_value *tbl, const char *key, const char *where,
                       const char **out, const wg_toml_kv **kv_out) {
    if (!opt_string(ld, tbl, key, out, kv_out)) return false;
    if (!*out)
        return fail(ld, tbl->line, tbl->col, "missing required key '%s' in %s", key, where);
    return true;
}

/* ---- values --------------------------------------------------------------- */

/* Parses "64M", "512 KiB", "1048576": digits, optional spaces, an optional
 * binary suffix K/KiB, M/MiB, G/GiB (any case) or B. False when malformed,
 * zero or overflowing. */
static bool parse_size(const char *s, uint64_t *out) {
    uint64_t v = 0;
    const char *p = s;
    if (*p < '0' || *p > '9') return false;
    for (; *p >= '0' && *p <= '9'; p++) {
        if (v > (UINT64_MAX - 9) / 10) return false;
        v = v * 10 + (uint64_t)(*p - '0');
    }
    while (*p == ' ') p++;
    unsigned shift = 0;
    switch (*p) {
    case 'k': case 'K': shift = 10; break;
    case 'm': case 'M': shift = 20; break;
    case 'g': case 'G': shift = 30; break;
    case 'b': case 'B': if (p[1]) return false; p++; break;
    case '\0': break;
    default: return false;
    }
    if (shift) {
        p++;
        if ((p[0] == 'i' || p[0] == 'I') && (p[1] == 'b' || p[1] == 'B')) p += 2;
        if (*p) return false;
        if (v > (UINT64_MAX >> shift)) return false;
        v <<= shift;
    }
    if (v == 0) return false;
    *out = v;
    return true;
}

/* A byte count: a positive integer or a string for parse_size. */
static bool get_size(loader *ld, const wg_toml_kv *kv, uint64_t *out) {
    const wg_toml_value *v = kv->value;
    if (v->type == WG_TOML_INTEGER) {
        if (v->u.integer <= 0)
            return fail(ld, v->line, v->col, "'%s' must be a positive number of bytes", kv->key);
        *out = (uint64_t)v->u.integer;
        return true;
    }
    if (v->type == WG_TOML_STRING) {
        if (!c_string(ld, kv, v)) return false;
        if (!parse_size(v->u.str.ptr, out))
            return fail(ld, v->line, v->col,
                        "'%s' must be a positive byte count such as 1048576, \"512K\", \"64MiB\" "
                        "or \"1G\" (got \"%s\")", kv->key, v->u.str.ptr);
        return true;
    }
    return fail(ld, v->line, v->col, "'%s' must be an integer or a string such as \"64MiB\", not %s",
                kv->key, type_phrase(v->type));
}

/* A count in 1..UINT32_MAX. */
static bool get_count(loader *ld, const wg_toml_kv *kv, uint32_t *out) {
    if (!want(ld, kv, WG_TOML_INTEGER)) return false;
    int64_t n = kv->value->u.integer;
    if (n <= 0 || n > (int64_t)UINT32_MAX)
        return fail(ld, kv->value->line, kv->value->col, "'%s' must be between 1 and %u",
                    kv->key, (unsigned)UINT32_MAX);
    *out = (uint32_t)n;
    return true;
}

/* The limit keys shared by [[module]] and [component.NAME]; WAGI's
 * http_max_concurrency is an alias of max_concurrency (both set: error). */
static bool get_limits(loader *ld, const wg_toml_value *tbl, wg_app_route *r) {
    const wg_toml_kv *kv;
    if ((kv = find_kv(tbl, "timeout"))) {
        const wg_toml_value *v = kv->value;
        double s;
        if (v->type == WG_TOML_INTEGER) s = (double)v->u.integer;
        else if (v->type == WG_TOML_FLOAT) s = v->u.flt;
        else
            return fail(ld, v->line, v->col, "'timeout' must be a number of seconds, not %s",
                        type_phrase(v->type));
        if (!(s > 0) || !(s <= MAX_TIMEOUT_S))
            return fail(ld, v->line, v->col, "'timeout' must be more than 0 and at most %.0f seconds",
                        MAX_TIMEOUT_S);
        r->timeout_s = s;
    }
    if ((kv = find_kv(tbl, "max_memory")) && !get_size(ld, kv, &r->max_memory)) return false;
    if ((kv = find_kv(tbl, "max_body")) && !get_size(ld, kv, &r->max_body)) return false;
    const wg_toml_kv *mc = find_kv(tbl, "max_concurrency");
    const wg_toml_kv *hmc = find_kv(tbl, "http_max_concurrency");
    if (mc && hmc) {
        const wg_toml_kv *second = mc->line > hmc->line ? mc : hmc;
        return fail(ld, second->line, second->col,
                    "'max_concurrency' and 'http_max_concurrency' are the same setting: give one");
    }
    if ((kv = mc ? mc : hmc) && !get_count(ld, kv, &r->max_concurrency)) return false;
    if ((kv = find_kv(tbl, "max_open_files")) && !get_count(ld, kv, &r->max_open_files))
        return false;
    return true;
}

/* A table of strings into name/value pairs (the `environment` key). */
static bool get_env(loader *ld, const wg_toml_kv *kv, wg_app_route *r) {
    if (!want(ld, kv, WG_TOML_TABLE)) return false;
    const wg_toml_value *t = kv->value;
    if (t->u.table.n == 0) return true;
    r->env = calloc(t->u.table.n, sizeof *r->env);
    if (!r->env) return oom(ld);
    for (size_t i = 0; i < t->u.table.n; i++) {
        const wg_toml_kv *e = &t->u.table.kvs[i];
        if (e->key_len == 0 || strlen(e->key) != e->key_len || strchr(e->key, '='))
            return fail(ld, e->line, e->col,
                        "environment variable name '%s' must be non-empty, without '=' or U+0000",
                        e->key);
        if (e->value->type != WG_TOML_STRING)
            return fail(ld, e->value->line, e->value->col,
                        "environment variable '%s' must be a string, not %s", e->key,
                        type_phrase(e->value->type));
        if (!c_string(ld, e, e->value)) return false;
        wg_app_env *out = &r->env[r->nenv];
        out->name = dup_str(e->key);
        out->value = dup_str(e->value->u.str.ptr);
        r->nenv++;
        if (!out->name || !out->value) return oom(ld);
    }
    return true;
}

/* An array of strings (allowed hosts) into r->allowed_hosts. */
/* Outbound grants. Spin's allowed_outbound_hosts are checked against its
 * grammar here (services/allowlist.h), so a typo fails at load with its
 * position instead of denying requests at run time; WAGI's allowed_hosts
 * are kept as written. */
static bool get_hosts(loader *ld, const wg_toml_kv *kv, wg_app_route *r, bool spin_syntax) {
    if (!want(ld, kv, WG_TOML_ARRAY)) return false;
    const wg_toml_value *a = kv->value;
    if (a->u.array.n == 0) return true;
    r->allowed_hosts = calloc(a->u.array.n, sizeof *r->allowed_hosts);
    if (!r->allowed_hosts) return oom(ld);
    for (size_t i = 0; i < a->u.array.n; i++) {
        const wg_toml_value *v = a->u.array.items[i];
        if (v->type != WG_TOML_STRING)
            return fail(ld, v->line, v->col, "'%s' must be an array of strings", kv->key);
        if (!c_string(ld, kv, v)) return false;
        if (v->u.str.len == 0)
            return fail(ld, v->line, v->col, "'%s' entries must not be empty", kv->key);
        char why[200];
        if (spin_syntax && !wg__allow_entry_valid(v->u.str.ptr, why, sizeof why))
            return fail(ld, v->line, v->col, "'%s' entry \"%s\": %s", kv->key, v->u.str.ptr, why);
        r->allowed_hosts[r->nallowed_hosts] = dup_str(v->u.str.ptr);
        if (!r->allowed_hosts[r->nallowed_hosts]) return oom(ld);
        r->nallowed_hosts++;
    }
    return true;
}

/* The argv template: split on runs of spaces/tabs. The result is
 * NULL-terminated (nargv + 1 slots), non-NULL even for an empty string. */
static bool get_argv(loader *ld, const char *s, wg_app_route *r) {
    size_t n = 0;
    for (const char *p = s; *p;) {
        while (*p == ' ' || *p == '\t') p++;
        if (!*p) break;
        n++;
        while (*p && *p != ' ' && *p != '\t') p++;
    }
    r->argv = calloc(n + 1, sizeof *r->argv);
    if (!r->argv) return oom(ld);
    for (const char *p = s; *p;) {
        while (*p == ' ' || *p == '\t') p++;
        if (!*p) break;
        const char *start = p;
        while (*p && *p != ' ' && *p != '\t') p++;
        r->argv[r->nargv] = dup_mem(start, (size_t)(p - start));
        if (!r->argv[r->nargv]) return oom(ld);
        r->nargv++;
    }
    return true;
}

/* The entrypoint (default "_start"). */
static bool set_entrypoint(loader *ld, const wg_toml_kv *kv, const char *s, wg_app_route *r) {
    if (s && !*s) return fail(ld, kv->value->line, kv->value->col, "'entrypoint' must not be empty");
    r->entrypoint = dup_str(s ? s : "_start");
    return r->entrypoint ? true : oom(ld);
}

/* Checks that the module/source file exists and is a regular file; sets
 * r->module_path to its resolved path. `what` is "module" or "source". */
static bool set_module(loader *ld, const wg_toml_kv *kv, const char *path, const char *what,
                       wg_app_route *r) {
    const wg_toml_value *v = kv->value;
    if (!*path) return fail(ld, v->line, v->col, "'%s' must not be empty", what);
    if (strstr(path, "://"))
        return fail(ld, v->line, v->col,
                    "%s '%s' looks like a URL; only local file paths are supported", what, path);
    r->module_path = resolve(ld, path);
    if (!r->module_path) return oom(ld);
    struct stat st;
    if (stat(r->module_path, &st) != 0)
        return fail(ld, v->line, v->col, "%s '%s' not found (resolved to %s)", what, path,
                    r->module_path);
    if (!S_ISREG(st.st_mode))
        return fail(ld, v->line, v->col, "%s '%s' is not a regular file (resolved to %s)", what,
                    path, r->module_path);
    return true;
}

/* Guest paths: absolute, no empty, "." or ".." segment; a trailing "/"
 * (other than the root) is dropped. Returns a malloc'd copy or NULL with the
 * error set (NULL and kind RESOURCE when out of memory). */
static char *guest_path(loader *ld, uint32_t line, uint32_t col, const char *p, const char *what) {
    if (p[0] != '/') {
        fail(ld, line, col, "%s '%s' must be an absolute path (start with '/')", what, p);
        return NULL;
    }
    size_t len = strlen(p);
    while (len > 1 && p[len - 1] == '/') len--;
    for (size_t i = 1; i < len;) {
        size_t j = i;
        while (j < len && p[j] != '/') j++;
        size_t seg = j - i;
        if (seg == 0 || (seg == 1 && p[i] == '.') || (seg == 2 && p[i] == '.' && p[i + 1] == '.')) {
            fail(ld, line, col, "%s '%s' must not contain empty, '.' or '..' segments", what, p);
            return NULL;
        }
        i = j + 1;
    }
    char *out = dup_mem(p, len);
    if (!out) oom(ld);
    return out;
}

/* Appends one volume; the guest path must not repeat. host is adopted. */
static bool add_volume(loader *ld, wg_app_route *r, size_t cap, char *guest, char *host,
                       bool read_only, uint32_t line, uint32_t col) {
    for (size_t i = 0; i < r->nvolumes; i++) {
        if (strcmp(r->volumes[i].guest, guest) == 0) {
            free(guest); free(host);
            return fail(ld, line, col, "guest path '%s' is mapped twice", r->volumes[i].guest);
        }
    }
    if (r->nvolumes >= cap) { free(guest); free(host); return fail(ld, line, col, "too many volumes"); }
    r->volumes[r->nvolumes].guest = guest;
    r->volumes[r->nvolumes].host = host;
    r->volumes[r->nvolumes].read_only = read_only;
    r->nvolumes++;
    return true;
}

/* The route text of kv (full = base + route already joined): checks it and
 * sets route/prefix/wildcard/line. */
static bool set_route(loader *ld, const wg_toml_kv *kv, const char *full, wg_app_route *r) {
    const wg_toml_value *v = kv->value;
    size_t len = strlen(full);
    if (full[0] != '/')
        return fail(ld, v->line, v->col, "route '%s' must start with '/'", full);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)full[i];
        if (c == '?' || c == '#')
            return fail(ld, v->line, v->col, "route '%s' must not contain a query string or "
                        "fragment ('%c')", full, c);
        if (c <= 0x20 || c == 0x7f)
            return fail(ld, v->line, v->col, "route '%s' must not contain spaces or control "
                        "characters", full);
    }
    bool wildcard = false;
    size_t prefix_len = len;
    for (size_t i = 1; i <= len;) {
        size_t j = i;
        while (j < len && full[j] != '/') j++;
        size_t seg = j - i;
        bool last = j >= len;
        if (seg == 3 && memcmp(full + i, "...", 3) == 0) {
            if (!last)
                return fail(ld, v->line, v->col, "route '%s': the '/...' wildcard may only be "
                            "the last segment", full);
            wildcard = true;
            prefix_len = i - 1;
        } else if (seg == 0 && !last) {
            return fail(ld, v->line, v->col, "route '%s' must not contain an empty segment ('//')",
                        full);
        } else if ((seg == 1 && full[i] == '.') ||
                   (seg == 2 && full[i] == '.' && full[i + 1] == '.')) {
            return fail(ld, v->line, v->col, "route '%s' must not contain '.' or '..' segments",
                        full);
        } else if (seg > 3 && memcmp(full + j - 3, "...", 3) == 0) {
            return fail(ld, v->line, v->col, "route '%s': write a wildcard as a segment of its "
                        "own ('/foo/...')", full);
        }
        i = j + 1;
    }
    for (size_t i = 0; i < ld->app->nroutes; i++) {
        const wg_app_route *o = &ld->app->routes[i];
        if (o != r && o->route && strcmp(o->route, full) == 0)
            return fail(ld, v->line, v->col, "duplicate route '%s' (first defined at line %u)",
                        full, (unsigned)o->line);
    }
    r->route = dup_str(full);
    r->prefix = dup_mem(full, prefix_len);
    if (!r->route || !r->prefix) return oom(ld);
    r->wildcard = wildcard;
    r->line = kv->line;
    return true;
}

/* A new zeroed route at the end of app->routes (counted at once, so a
 * failure half-way through filling it is freed by wg__app_free). */
static wg_app_route *new_route(loader *ld) {
    wg_app *app = ld->app;
    if (app->nroutes == ld->cap) {
        size_t cap = ld->cap ? ld->cap * 2 : 8;
        wg_app_route *nr = realloc(app->routes, cap * sizeof *nr);
        if (!nr) { oom(ld); return NULL; }
        app->routes = nr;
        ld->cap = cap;
    }
    wg_app_route *r = &app->routes[app->nroutes++];
    memset(r, 0, sizeof *r);
    return r;
}

static void route_clear(wg_app_route *r) {
    free(r->route);
    free(r->prefix);
    free(r->module_path);
    free(r->entrypoint);
    for (size_t i = 0; i < r->nargv; i++) free(r->argv[i]);
    free(r->argv);
    for (size_t i = 0; i < r->nvolumes; i++) { free(r->volumes[i].guest); free(r->volumes[i].host); }
    free(r->volumes);
    for (size_t i = 0; i < r->nenv; i++) { free(r->env[i].name); free(r->env[i].value); }
    free(r->env);
    for (size_t i = 0; i < r->nallowed_hosts; i++) free(r->allowed_hosts[i]);
    free(r->allowed_hosts);
    free(r->component);
    memset(r, 0, sizeof *r);
}

/* ---- WAGI modules.toml ---------------------------------------------------- */

static const char *const wagi_module_keys[] = {
    "route", "module", "entrypoint", "volumes", "environment", "argv", "allowed_hosts",
    "http_max_concurrency", "timeout", "max_memory", "max_concurrency", "max_body",
    "max_open_files", NULL,
};

/* WAGI volumes = { "/guest" = "host/dir" }: writable directories. */
static bool wagi_volumes(loader *ld, const wg_toml_kv *kv, wg_app_route *r) {
    if (!want(ld, kv, WG_TOML_TABLE)) return false;
    const wg_toml_value *t = kv->value;
    if (t->u.table.n == 0) return true;
    r->volumes = calloc(t->u.table.n, sizeof *r->volumes);
    if (!r->volumes) return oom(ld);
    for (size_t i = 0; i < t->u.table.n; i++) {
        const wg_toml_kv *e = &t->u.table.kvs[i];
        const wg_toml_value *v = e->value;
        if (strlen(e->key) != e->key_len)
            return fail(ld, e->line, e->col, "volume guest path must not contain U+0000");
        if (v->type != WG_TOML_STRING)
            return fail(ld, v->line, v->col, "volume '%s' must map to a host directory string, "
                        "not %s", e->key, type_phrase(v->type));
        if (!c_string(ld, e, v)) return false;
        if (v->u.str.len == 0)
            return fail(ld, v->line, v->col, "volume '%s': host directory must not be empty", e->key);
        char *guest = guest_path(ld, e->line, e->col, e->key, "volume guest path");
        if (!guest) return false;
        char *host = resolve(ld, v->u.str.ptr);
        if (!host) { free(guest); return oom(ld); }
        struct stat st;
        if (stat(host, &st) != 0 || !S_ISDIR(st.st_mode)) {
            bool exists = stat(host, &st) == 0;
            fail(ld, v->line, v->col, "volume host directory '%s' %s (resolved to %s)",
                 v->u.str.ptr, exists ? "is not a directory" : "not found", host);
            free(guest); free(host);
            return false;
        }
        if (!add_volume(ld, r, t->u.table.n, guest, host, false, e->line, e->col)) return false;
    }
    return true;
}

/* One [[module]] table into a new route. */
static bool wagi_module(loader *ld, const wg_toml_value *m) {
    const char *where = "[[module]]";
    if (m->type != WG_TOML_TABLE)
        return fail(ld, m->line, m->col, "'module' must be an array of tables ([[module]])");
    if (!check_keys(ld, m, wagi_module_keys, NULL, where)) return false;
    wg_app_route *r = new_route(ld);
    if (!r) return false;

    const char *s;
    const wg_toml_kv *kv;
    if (!req_string(ld, m, "route", where, &s, &kv) || !set_route(ld, kv, s, r)) return false;
    if (!req_string(ld, m, "module", where, &s, &kv) || !set_module(ld, kv, s, "module", r))
        return false;
    if (!opt_string(ld, m, "entrypoint", &s, &kv) || !set_entrypoint(ld, kv, s, r)) return false;
    if (!opt_string(ld, m, "argv", &s, &kv)) return false;
    if (s && !get_argv(ld, s, r)) return false;
    if ((kv = find_kv(m, "volumes")) && !wagi_volumes(ld, kv, r)) return false;
    if ((kv = find_kv(m, "environment")) && !get_env(ld, kv, r)) return false;
    if ((kv = find_kv(m, "allowed_hosts")) && !get_hosts(ld, kv, r, false)) return false;
    return get_limits(ld, m, r);
}

static bool load_wagi(loader *ld, const wg_toml_value *root) {
    static const char *const root_keys[] = { "module", NULL };
    if (!check_keys(ld, root, root_keys, NULL, "a WAGI modules.toml (only [[module]] tables)"))
        return false;
    const wg_toml_kv *kv = find_kv(root, "module");
    if (kv->value->type != WG_TOML_ARRAY)
        return fail(ld, kv->value->line, kv->value->col,
                    "'module' must be an array of tables ([[module]])");
    if (kv->value->u.array.n == 0)
        return fail(ld, kv->value->line, kv->value->col, "no [[module]] defined");
    ld->app->format = WG_APP_WAGI;
    for (size_t i = 0; i < kv->value->u.array.n; i++)
        if (!wagi_module(ld, kv->value->u.array.items[i])) return false;
    return true;
}

/* ---- Spin spin.toml (v2 subset) ------------------------------------------ */

static const char *const spin_component_keys[] = {
    "source", "files", "environment", "allowed_outbound_hosts", "description", "build",
    "timeout", "max_memory", "max_concurrency", "max_body", "max_open_files", NULL,
};
static const char *const spin_component_later[] = {
    "key_value_stores", "variables", "sqlite_databases", "ai_models", "exclude_files",
    "allowed_http_hosts", "dependencies", "dependencies_inherit_configuration", "tool", NULL,
};

/* True when s has a glob metacharacter. */
static bool has_glob(const char *s) {
    return strpbrk(s, "*?[]{}") != NULL;
}

/* A relative path inside the app folder: not absolute, no ".." segment. */
static bool inside_app(const char *p) {
    if (p[0] == '/') return false;
    for (const char *s = p; *s;) {
        const char *e = strchr(s, '/');
        size_t n = e ? (size_t)(e - s) : strlen(s);
        if (n == 2 && s[0] == '.' && s[1] == '.') return false;
        if (!e) break;
        s = e + 1;
    }
    return true;
}

/* Spin `files`: a relative "path", a whole-directory glob ("DIR" followed by
 * slash, star, star) or { source = "dir", destination = "/x" }; all read-only. */
static bool spin_files(loader *ld, const wg_toml_kv *kv, wg_app_route *r) {
    if (!want(ld, kv, WG_TOML_ARRAY)) return false;
    const wg_toml_value *a = kv->value;
    if (a->u.array.n == 0) return true;
    r->volumes = calloc(a->u.array.n, sizeof *r->volumes);
    if (!r->volumes) return oom(ld);
    for (size_t i = 0; i < a->u.array.n; i++) {
        const wg_toml_value *v = a->u.array.items[i];
        const char *src;
        char *guest = NULL;
        uint32_t sline = v->line, scol = v->col;
        if (v->type == WG_TOML_STRING) {
            if (!c_string(ld, kv, v)) return false;
            src = v->u.str.ptr;
            size_t len = strlen(src);
            while (len >= 2 && src[0] == '.' && src[1] == '/') { src += 2; len -= 2; }
            bool dir_glob = len >= 3 && strcmp(src + len - 3, "/**") == 0;
            size_t plen = dir_glob ? len - 3 : len;
            while (plen > 1 && src[plen - 1] == '/') plen--;
            if (plen == 0 || (plen == 1 && src[0] == '.'))
                return fail(ld, v->line, v->col, "files entry '%s' must name a file or directory "
                            "inside the app folder", v->u.str.ptr);
            char *rel = dup_mem(src, plen);
            if (!rel) return oom(ld);
            if (has_glob(rel)) {
                free(rel);
                return fail(ld, v->line, v->col, "files entry '%s': glob patterns are not "
                            "supported except 'DIR/**' (the whole directory)", v->u.str.ptr);
            }
            if (!inside_app(rel)) {
                free(rel);
                return fail(ld, v->line, v->col, "files entry '%s' must be a relative path inside "
                            "the app folder (use { source = ..., destination = ... } to map "
                            "other paths)", v->u.str.ptr);
            }
            guest = malloc(plen + 2);
            if (!guest) { free(rel); return oom(ld); }
            guest[0] = '/';
            memcpy(guest + 1, rel, plen + 1);
            char *g2 = guest_path(ld, v->line, v->col, guest, "files entry");
            free(guest);
            if (!g2) { free(rel); return false; }
            guest = g2;
            src = NULL;
            char *host = resolve(ld, rel);
            free(rel);
            if (!host) { free(guest); return oom(ld); }
            struct stat st;
            bool exists = stat(host, &st) == 0;
            if (!exists || (dir_glob && !S_ISDIR(st.st_mode))) {
                fail(ld, v->line, v->col, "files entry '%s': %s (resolved to %s)", v->u.str.ptr,
                     !exists ? "file or directory not found" : "not a directory", host);
                free(guest); free(host);
                return false;
            }
            if (!add_volume(ld, r, a->u.array.n, guest, host, true, sline, scol)) return false;
        } else if (v->type == WG_TOML_TABLE) {
            static const char *const keys[] = { "source", "destination", NULL };
            if (!check_keys(ld, v, keys, NULL, "a files entry")) return false;
            const char *dst;
            const wg_toml_kv *skv, *dkv;
            if (!req_string(ld, v, "source", "a files entry", &src, &skv) ||
                !req_string(ld, v, "destination", "a files entry", &dst, &dkv))
                return false;
            if (!*src) return fail(ld, skv->value->line, skv->value->col,
                                   "files entry 'source' must not be empty");
            if (has_glob(src))
                return fail(ld, skv->value->line, skv->value->col,
                            "files entry source '%s': glob patterns are not supported here", src);
            guest = guest_path(ld, dkv->value->line, dkv->value->col, dst, "files destination");
            if (!guest) return false;
            char *host = resolve(ld, src);
            if (!host) { free(guest); return oom(ld); }
            struct stat st;
            if (stat(host, &st) != 0) {
                fail(ld, skv->value->line, skv->value->col,
                     "files entry source '%s' not found (resolved to %s)", src, host);
                free(guest); free(host);
                return false;
            }
            if (!add_volume(ld, r, a->u.array.n, guest, host, true, dkv->value->line,
                            dkv->value->col))
                return false;
        } else {
            return fail(ld, v->line, v->col, "'files' entries must be strings or "
                        "{ source = \"...\", destination = \"/...\" } tables, not %s",
                        type_phrase(v->type));
        }
    }
    return true;
}

/* Fills r with what [component.NAME] (table c) gives: module, volumes, env,
 * hosts, limits and the component id. */
static bool spin_component(loader *ld, const char *name, const wg_toml_value *c, wg_app_route *r) {
    char where[160];
    snprintf(where, sizeof where, "[component.%.120s]", name);
    if (c->type != WG_TOML_TABLE)
        return fail(ld, c->line, c->col, "'%s' must be a table ([component.%s])", name, name);
    if (!check_keys(ld, c, spin_component_keys, spin_component_later, where)) return false;
    r->component = dup_str(name);
    if (!r->component) return oom(ld);

    const wg_toml_kv *kv = find_kv(c, "source");
    if (!kv) return fail(ld, c->line, c->col, "missing required key 'source' in %s", where);
    if (kv->value->type == WG_TOML_TABLE)
        return fail(ld, kv->value->line, kv->value->col,
                    "component sources from URLs are not supported; download the .wasm and "
                    "give its path as source = \"file.wasm\"");
    if (!want(ld, kv, WG_TOML_STRING) || !c_string(ld, kv, kv->value) ||
        !set_module(ld, kv, kv->value->u.str.ptr, "source", r))
        return false;
    const char *s;
    if (!opt_string(ld, c, "description", &s, NULL)) return false;
    if ((kv = find_kv(c, "build")) && !want(ld, kv, WG_TOML_TABLE)) return false;
    if ((kv = find_kv(c, "files")) && !spin_files(ld, kv, r)) return false;
    if ((kv = find_kv(c, "environment")) && !get_env(ld, kv, r)) return false;
    if ((kv = find_kv(c, "allowed_outbound_hosts")) && !get_hosts(ld, kv, r, true)) return false;
    return get_limits(ld, c, r);
}

/* [application]: name, version, description, authors, trigger.http.base.
 * *base is the HTTP base route ("/" when absent). */
static bool spin_application(loader *ld, const wg_toml_value *root, const char **base,
                             const wg_toml_kv **base_kv) {
    static const char *const keys[] = {
        "name", "version", "description", "authors", "trigger", NULL,
    };
    static const char *const later[] = { "targets", NULL };
    *base = "/";
    *base_kv = NULL;
    const wg_toml_kv *kv = find_kv(root, "application");
    if (!kv) return fail(ld, 1, 1, "missing required table [application]");
    if (!want(ld, kv, WG_TOML_TABLE)) return false;
    const wg_toml_value *a = kv->value;
    if (!check_keys(ld, a, keys, later, "[application]")) return false;
    const char *s;
    if (!req_string(ld, a, "name", "[application]", &s, &kv)) return false;
    if (!*s) return fail(ld, kv->value->line, kv->value->col, "'name' must not be empty");
    ld->app->name = dup_str(s);
    if (!ld->app->name) return oom(ld);
    if (!opt_string(ld, a, "version", &s, NULL) || !opt_string(ld, a, "description", &s, NULL))
        return false;
    if ((kv = find_kv(a, "authors"))) {
        if (!want(ld, kv, WG_TOML_ARRAY)) return false;
        for (size_t i = 0; i < kv->value->u.array.n; i++) {
            const wg_toml_value *v = kv->value->u.array.items[i];
            if (v->type != WG_TOML_STRING)
                return fail(ld, v->line, v->col, "'authors' must be an array of strings");
        }
    }
    if ((kv = find_kv(a, "trigger"))) {
        static const char *const tkeys[] = { "http", NULL };
        static const char *const hkeys[] = { "base", NULL };
        if (!want(ld, kv, WG_TOML_TABLE) ||
            !check_keys(ld, kv->value, tkeys, NULL, "[application.trigger] (only http)"))
            return false;
        if ((kv = find_kv(kv->value, "http"))) {
            if (!want(ld, kv, WG_TOML_TABLE) ||
                !check_keys(ld, kv->value, hkeys, NULL, "[application.trigger.http]") ||
                !opt_string(ld, kv->value, "base", &s, base_kv))
                return false;
            if (s) {
                const wg_toml_value *v = (*base_kv)->value;
                if (s[0] != '/')
                    return fail(ld, v->line, v->col, "'base' '%s' must start with '/'", s);
                if (strstr(s, "...") || strpbrk(s, "?#"))
                    return fail(ld, v->line, v->col, "'base' '%s' must be a plain path (no "
                                "wildcard, query or fragment)", s);
                *base = s;
            }
        }
    }
    return true;
}

/* base + route: "/" + "/x" = "/x", "/api" or "/api/" + "/x" = "/api/x".
 * malloc'd; NULL when out of memory. */
static char *join_base(const char *base, const char *route) {
    size_t blen = strlen(base);
    while (blen > 0 && base[blen - 1] == '/') blen--;
    size_t rlen = strlen(route);
    char *out = malloc(blen + rlen + 1);
    if (!out) return NULL;
    memcpy(out, base, blen);
    memcpy(out + blen, route, rlen + 1);
    return out;
}

/* One [[trigger.http]] into a new route. */
static bool spin_trigger(loader *ld, const wg_toml_value *root, const wg_toml_value *t,
                         const char *base) {
    static const char *const keys[] = { "route", "component", "executor", NULL };
    static const char *const later[] = { "id", "static_response", NULL };
    static const char *const exec_keys[] = { "type", "argv", "entrypoint", NULL };
    const char *where = "[[trigger.http]]";
    if (t->type != WG_TOML_TABLE)
        return fail(ld, t->line, t->col, "'trigger.http' must be an array of tables ([[trigger.http]])");
    if (!check_keys(ld, t, keys, later, where)) return false;
    wg_app_route *r = new_route(ld);
    if (!r) return false;

    const char *s;
    const wg_toml_kv *kv;
    if (!req_string(ld, t, "route", where, &s, &kv)) return false;
    if (s[0] != '/')
        return fail(ld, kv->value->line, kv->value->col, "route '%s' must start with '/'", s);
    char *full = join_base(base, s);
    if (!full) return oom(ld);
    bool ok = set_route(ld, kv, full, r);
    free(full);
    if (!ok) return false;

    /* The component first: it fills module, volumes, env, limits. */
    kv = find_kv(t, "component");
    if (!kv) return fail(ld, t->line, t->col, "missing required key 'component' in %s", where);
    if (kv->value->type == WG_TOML_TABLE)
        return fail(ld, kv->value->line, kv->value->col, "inline components are not supported; "
                    "define [component.NAME] and write component = \"NAME\"");
    if (!want(ld, kv, WG_TOML_STRING) || !c_string(ld, kv, kv->value)) return false;
    const char *name = kv->value->u.str.ptr;
    const wg_toml_value *comps = wg_toml_get(root, "component", NULL);
    const wg_toml_value *c = comps && comps->type == WG_TOML_TABLE ? wg_toml_get(comps, name, NULL)
                                                                  : NULL;
    if (!c)
        return fail(ld, kv->value->line, kv->value->col,
                    "component '%s' is not defined (no [component.%s])", name, name);
    if (!spin_component(ld, name, c, r)) return false;

    kv = find_kv(t, "executor");
    const char *exec_msg = "only the WAGI executor is supported (executor = { type = \"wagi\" }); "
                           "the Spin HTTP executor (wasi-http) is not yet";
    if (!kv) return fail(ld, t->line, t->col, "%s", exec_msg);
    if (!want(ld, kv, WG_TOML_TABLE)) return false;
    const wg_toml_value *e = kv->value;
    if (!check_keys(ld, e, exec_keys, NULL, "executor")) return false;
    if (!opt_string(ld, e, "type", &s, &kv)) return false;
    if (!s) return fail(ld, e->line, e->col, "%s", exec_msg);
    if (strcmp(s, "wagi") != 0)
        return fail(ld, kv->value->line, kv->value->col, "executor type '%s': %s", s, exec_msg);
    if (!opt_string(ld, e, "entrypoint", &s, &kv) || !set_entrypoint(ld, kv, s, r)) return false;
    if (!opt_string(ld, e, "argv", &s, &kv)) return false;
    if (s && !get_argv(ld, s, r)) return false;
    return true;
}

static bool load_spin(loader *ld, const wg_toml_value *root) {
    static const char *const root_keys[] = {
        "spin_manifest_version", "application", "trigger", "component", NULL,
    };
    static const char *const root_later[] = { "variables", NULL };
    const wg_toml_kv *kv = find_kv(root, "spin_manifest_version");
    if (kv->value->type != WG_TOML_INTEGER || kv->value->u.integer != 2)
        return fail(ld, kv->value->line, kv->value->col,
                    "unsupported spin_manifest_version (only the integer 2 is supported)");
    if (!check_keys(ld, root, root_keys, root_later, "a spin.toml")) return false;
    ld->app->format = WG_APP_SPIN;

    const char *base;
    const wg_toml_kv *base_kv;
    if (!spin_application(ld, root, &base, &base_kv)) return false;

    /* Every component is checked, used or not: nothing is silently ignored. */
    if ((kv = find_kv(root, "component"))) {
        if (!want(ld, kv, WG_TOML_TABLE)) return false;
        for (size_t i = 0; i < kv->value->u.table.n; i++) {
            const wg_toml_kv *ckv = &kv->value->u.table.kvs[i];
            wg_app_route scratch;
            memset(&scratch, 0, sizeof scratch);
            bool ok = strlen(ckv->key) == ckv->key_len
                          ? spin_component(ld, ckv->key, ckv->value, &scratch)
                          : fail(ld, ckv->line, ckv->col, "component names must not contain U+0000");
            route_clear(&scratch);
            if (!ok) return false;
        }
    }

    kv = find_kv(root, "trigger");
    if (!kv) return fail(ld, 1, 1, "no [[trigger.http]] defined");
    static const char *const tkeys[] = { "http", NULL };
    if (!want(ld, kv, WG_TOML_TABLE) ||
        !check_keys(ld, kv->value, tkeys, NULL, "[trigger] (only HTTP triggers are supported)"))
        return false;
    kv = find_kv(kv->value, "http");
    if (!kv) return fail(ld, 1, 1, "no [[trigger.http]] defined");
    if (kv->value->type != WG_TOML_ARRAY)
        return fail(ld, kv->value->line, kv->value->col,
                    "'trigger.http' must be an array of tables ([[trigger.http]])");
    if (kv->value->u.array.n == 0)
        return fail(ld, kv->value->line, kv->value->col, "no [[trigger.http]] defined");
    for (size_t i = 0; i < kv->value->u.array.n; i++)
        if (!spin_trigger(ld, root, kv->value->u.array.items[i], base)) return false;
    return true;
}

/* ---- entry points --------------------------------------------------------- */

/* Chooses the format from the root table's keys and loads it. */
static bool load_root(loader *ld, const wg_toml_value *root) {
    const wg_toml_kv *kv;
    if (find_kv(root, "spin_manifest_version")) return load_spin(ld, root);
    if ((kv = find_kv(root, "spin_version")))
        return fail(ld, kv->line, kv->col, "Spin manifest version 1 (spin_version) is not "
                    "supported; use the version 2 format (spin_manifest_version = 2)");
    if (find_kv(root, "module")) return load_wagi(ld, root);
    if (find_kv(root, "application") || find_kv(root, "component") || find_kv(root, "trigger"))
        return fail(ld, 1, 1, "this looks like a spin.toml but has no spin_manifest_version = 2 "
                    "(required)");
    return fail(ld, 1, 1, "not a manifest wasmgate understands: expected [[module]] tables (WAGI "
                "modules.toml) or spin_manifest_version = 2 (spin.toml)");
}

/* Loads and checks the manifest at path (see app.h). Returns a new wg_app the
 * caller frees with wg__app_free, or NULL with err filled. */
wg_app *wg__app_load(const char *path, wg_error *err) {
    loader ld = { .file = path, .err = err, .app = NULL, .cap = 0 };
    err->message[0] = '\0';
    err->kind = WG_ERR_NONE;
    err->offset = (size_t)-1;
    size_t len = 0;
    char *text = read_file(&ld, path, &len);
    if (!text) return NULL;

    wg_toml_value *root = NULL;
    ld.app = calloc(1, sizeof *ld.app);
    if (!ld.app) { oom(&ld); goto fail; }
    /* manifest_path stays as the user wrote it (errors quote it so); the
     * folder that relative paths resolve against is the real one. */
    char *real = realpath(path, NULL);
    if (!real) {
        fail(&ld, 1, 1, "cannot resolve the manifest path: %s", strerror(errno));
        goto fail;
    }
    const char *slash = strrchr(real, '/');
    ld.app->base_dir = dup_mem(real, slash == real ? 1 : (size_t)(slash - real));
    free(real);
    ld.app->manifest_path = dup_mem(path, strlen(path));
    if (!ld.app->base_dir || !ld.app->manifest_path) { oom(&ld); goto fail; }

    char perr[400];
    perr[0] = '\0';
    root = wg_toml_parse(text, len, perr, sizeof perr);
    if (!root) {
        snprintf(err->message, sizeof err->message, "%s:%s", path,
                 perr[0] ? perr : "1:1: invalid TOML");
        err->kind = strstr(perr, "out of memory") ? WG_ERR_RESOURCE : WG_ERR_INVALID;
        err->offset = (size_t)-1;
        goto fail;
    }
    if (!load_root(&ld, root)) goto fail;
    wg_toml_free(root);
    free(text);
    return ld.app;

fail:
    wg_toml_free(root);
    free(text);
    wg__app_free(ld.app);
    return NULL;
}

/* Frees an app from wg__app_load and everything it owns. NULL is a no-op. */
void wg__app_free(wg_app *app) {
    if (!app) return;
    for (size_t i = 0; i < app->nroutes; i++) route_clear(&app->routes[i]);
    free(app->routes);
    free(app->manifest_path);
    free(app->base_dir);
    free(app->name);
    free(app);
}
