/*
 * wg_toml_runner: runs the toml-test conformance suite (TOML 1.0.0) against
 * the parser of src/toml/.
 *
 *   wg_toml_runner [--verbose] DIR     run DIR/valid/ and DIR/invalid/
 *   wg_toml_runner --dump FILE.toml    print FILE's tagged JSON (or the error)
 *
 * Every DIR/valid/ ** /X.toml must parse; the tree, converted to toml-test's
 * tagged JSON, must equal X.json under the comparison rules of DIR/README.md
 * (upstream json.go): same keys and array lengths, same types, integers and
 * strings as exact text, bools case-insensitively, floats numerically (any
 * NaN equals any NaN), date/time values as instants (offsets applied;
 * fractions to the nanosecond). Every DIR/invalid/ ** /X.toml must be
 * rejected.
 *
 * Prints one line per failure ("FAIL valid/x/y.toml: reason"), then
 *   toml: N passed, N failed
 * Exit status: 0 if nothing failed, 1 otherwise, 2 for usage errors and a
 * missing or empty DIR (a run never passes by finding nothing).
 *
 * Limitation: cJSON strings are NUL-terminated, so a string containing
 * U+0000 is compared up to its first NUL only (tests/unit/test_toml.c checks
 * such strings through the API).
 */
#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "toml/toml.h"

typedef struct file_list {
    char **paths;   /* relative to the suite root, e.g. "valid/key/x.toml" */
    size_t n, cap;
} file_list;

static void *xrealloc(void *p, size_t n) {
    void *q = realloc(p, n ? n : 1);
    if (!q) {
        fprintf(stderr, "toml: out of memory\n");
        exit(2);
    }
    return q;
}

static char *xstrdup(const char *s) {
    size_t n = strlen(s) + 1;
    return memcpy(xrealloc(NULL, n), s, n);
}

static bool ends_with(const char *s, const char *suffix) {
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Adds every *.toml below root/rel to list (paths relative to root). */
static void collect(const char *root, const char *rel, file_list *list) {
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/%s", root, rel);
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') continue;
        char sub[4096], full[8192];
        snprintf(sub, sizeof sub, "%s/%s", rel, e->d_name);
        snprintf(full, sizeof full, "%s/%s", root, sub);
        struct stat st;
        if (stat(full, &st) != 0) continue;
        if (S_ISDIR(st.st_mode)) {
            collect(root, sub, list);
        } else if (S_ISREG(st.st_mode) && ends_with(e->d_name, ".toml")) {
            if (list->n == list->cap) {
                list->cap = list->cap ? list->cap * 2 : 256;
                list->paths = xrealloc(list->paths, list->cap * sizeof *list->paths);
            }
            list->paths[list->n++] = xstrdup(sub);
        }
    }
    closedir(d);
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Reads a whole file; NULL on error (errno set). */
static char *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 4096, n = 0;
    char *buf = xrealloc(NULL, cap);
    for (;;) {
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0) break;
        if (cap - n - 1 == 0) {
            cap *= 2;
            buf = xrealloc(buf, cap);
        }
    }
    bool bad = ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

/* ---- tree -> tagged JSON ------------------------------------------------- */

static cJSON *scalar(const char *type, const char *value) {
    cJSON *o = cJSON_CreateObject();
    if (!o || !cJSON_AddStringToObject(o, "type", type) ||
        !cJSON_AddStringToObject(o, "value", value)) {
        fprintf(stderr, "toml: out of memory\n");
        exit(2);
    }
    return o;
}

/* The tagged JSON of v (recursion is bounded by WG_TOML_MAX_DEPTH). */
static cJSON *to_json(const wg_toml_value *v) {
    char num[64];
    cJSON *o = NULL;
    switch (v->type) {
    case WG_TOML_STRING:
        return scalar("string", v->u.str.ptr);
    case WG_TOML_INTEGER:
        snprintf(num, sizeof num, "%" PRId64, v->u.integer);
        return scalar("integer", num);
    case WG_TOML_FLOAT:
        if (isnan(v->u.flt)) snprintf(num, sizeof num, "nan");
        else if (isinf(v->u.flt)) snprintf(num, sizeof num, v->u.flt < 0 ? "-inf" : "inf");
        else snprintf(num, sizeof num, "%.17g", v->u.flt);
        return scalar("float", num);
    case WG_TOML_BOOL:
        return scalar("bool", v->u.boolean ? "true" : "false");
    case WG_TOML_DATETIME:
    case WG_TOML_DATETIME_LOCAL:
    case WG_TOML_DATE_LOCAL:
    case WG_TOML_TIME_LOCAL:
        return scalar(wg_toml_type_name(v->type), v->u.datetime);
    case WG_TOML_ARRAY:
        o = cJSON_CreateArray();
        if (!o) break;
        for (size_t i = 0; i < v->u.array.n; i++)
            cJSON_AddItemToArray(o, to_json(v->u.array.items[i]));
        return o;
    case WG_TOML_TABLE:
        o = cJSON_CreateObject();
        if (!o) break;
        for (size_t i = 0; i < v->u.table.n; i++)
            cJSON_AddItemToObject(o, v->u.table.kvs[i].key, to_json(v->u.table.kvs[i].value));
        return o;
    }
    fprintf(stderr, "toml: out of memory\n");
    exit(2);
}

/* ---- comparison ------------------------------------------------------------ */

/* A date/time as a number of seconds and nanoseconds (instants for offset
 * date-times; plain field values for the local kinds). */
typedef struct instant {
    int64_t sec;
    int64_t nsec;
} instant;

static int64_t days_from_civil(int64_t y, int m, int d) {
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static bool digits(const char **s, int n, int *out) {
    int x = 0;
    for (int i = 0; i < n; i++) {
        if ((*s)[i] < '0' || (*s)[i] > '9') return false;
        x = x * 10 + ((*s)[i] - '0');
    }
    *s += n;
    *out = x;
    return true;
}

/* Parses a toml-test date/time of the given type; false if malformed. */
static bool parse_instant(const char *type, const char *text, instant *out) {
    char buf[128];
    size_t n = strlen(text);
    if (n >= sizeof buf) return false;
    for (size_t i = 0; i <= n; i++) {
        char c = text[i];
        buf[i] = c == ' ' || c == 't' ? 'T' : c == 'z' ? 'Z' : c;
    }
    const char *s = buf;
    int y = 1970, mo = 1, d = 1, h = 0, mi = 0, se = 0;
    int64_t nsec = 0, off = 0;
    bool date = strcmp(type, "time-local") != 0;
    bool time = strcmp(type, "date-local") != 0;
    if (date) {
        if (!digits(&s, 4, &y) || *s++ != '-' || !digits(&s, 2, &mo) || *s++ != '-' ||
            !digits(&s, 2, &d))
            return false;
        if (time && *s++ != 'T') return false;
    }
    if (time) {
        if (!digits(&s, 2, &h) || *s++ != ':' || !digits(&s, 2, &mi) || *s++ != ':' ||
            !digits(&s, 2, &se))
            return false;
        if (*s == '.') {
            s++;
            int nd = 0;
            if (*s < '0' || *s > '9') return false;
            for (; *s >= '0' && *s <= '9'; s++, nd++)
                if (nd < 9) nsec = nsec * 10 + (*s - '0');
            for (; nd < 9; nd++) nsec *= 10;
        }
    }
    if (strcmp(type, "datetime") == 0) {
        if (*s == 'Z') {
            s++;
        } else if (*s == '+' || *s == '-') {
            int sign = *s++ == '-' ? -1 : 1, oh, om;
            if (!digits(&s, 2, &oh) || *s++ != ':' || !digits(&s, 2, &om)) return false;
            off = sign * (oh * 60 + om);
        } else {
            return false;
        }
    }
    if (*s != '\0') return false;
    out->sec = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se - off * 60;
    out->nsec = nsec;
    return true;
}

static bool is_scalar(const cJSON *o) {
    if (!cJSON_IsObject(o)) return false;
    int n = cJSON_GetArraySize(o);
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(o, "type");
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "value");
    return n == 2 && cJSON_IsString(t) && cJSON_IsString(v);
}

static bool ends_with_nan(const char *s) {
    size_t n = strlen(s);
    return n >= 3 && strcasecmp(s + n - 3, "nan") == 0;
}

/* Compares two scalars (got from the parser, want from the .json). */
static bool scalar_eq(const cJSON *got, const cJSON *want, char *why, size_t whysize) {
    const char *gt = cJSON_GetObjectItemCaseSensitive(got, "type")->valuestring;
    const char *wt = cJSON_GetObjectItemCaseSensitive(want, "type")->valuestring;
    const char *gv = cJSON_GetObjectItemCaseSensitive(got, "value")->valuestring;
    const char *wv = cJSON_GetObjectItemCaseSensitive(want, "value")->valuestring;
    bool eq;
    if (strcmp(gt, wt) != 0) {
        eq = false;
    } else if (strcmp(wt, "float") == 0) {
        if (ends_with_nan(gv) || ends_with_nan(wv)) {
            eq = ends_with_nan(gv) && ends_with_nan(wv);
        } else {
            char *e1, *e2;
            double a = strtod(gv, &e1), b = strtod(wv, &e2);
            eq = *e1 == '\0' && *e2 == '\0' && a == b;
        }
    } else if (strcmp(wt, "bool") == 0) {
        eq = strcasecmp(gv, wv) == 0;
    } else if (strcmp(wt, "datetime") == 0 || strcmp(wt, "datetime-local") == 0 ||
               strcmp(wt, "date-local") == 0 || strcmp(wt, "time-local") == 0) {
        instant a, b;
        eq = parse_instant(wt, gv, &a) && parse_instant(wt, wv, &b) && a.sec == b.sec &&
             a.nsec == b.nsec;
    } else {
        eq = strcmp(gv, wv) == 0;
    }
    if (!eq)
        snprintf(why, whysize, "got {%s: \"%s\"}, want {%s: \"%s\"}", gt, gv, wt, wv);
    return eq;
}

/* Compares got (our tree) with want (the .json); on a difference, writes the
 * JSON path and the reason into why. */
static bool json_eq(const cJSON *got, const cJSON *want, char *path, size_t pathlen,
                    size_t pathsize, char *why, size_t whysize) {
    bool gs = is_scalar(got), ws = is_scalar(want);
    if (gs != ws) {
        snprintf(why, whysize, "%s: got a %s, want a %s", path,
                 gs ? "scalar" : cJSON_IsArray(got) ? "array" : "table",
                 ws ? "scalar" : cJSON_IsArray(want) ? "array" : "table");
        return false;
    }
    if (gs) {
        char tmp[1024];
        if (scalar_eq(got, want, tmp, sizeof tmp)) return true;
        snprintf(why, whysize, "%s: %s", path, tmp);
        return false;
    }
    if (cJSON_IsArray(want)) {
        if (!cJSON_IsArray(got)) {
            snprintf(why, whysize, "%s: got a table, want an array", path);
            return false;
        }
        int n = cJSON_GetArraySize(want), m = cJSON_GetArraySize(got);
        if (n != m) {
            snprintf(why, whysize, "%s: got %d array elements, want %d", path, m, n);
            return false;
        }
        const cJSON *g = got->child;
        int i = 0;
        for (const cJSON *w = want->child; w; w = w->next, g = g->next, i++) {
            snprintf(path + pathlen, pathsize - pathlen, "[%d]", i);
            if (!json_eq(g, w, path, strlen(path), pathsize, why, whysize)) return false;
        }
        path[pathlen] = '\0';
        return true;
    }
    if (!cJSON_IsObject(want)) {
        snprintf(why, whysize, "%s: unexpected JSON value in the expected file", path);
        return false;
    }
    if (!cJSON_IsObject(got)) {
        snprintf(why, whysize, "%s: got an array, want a table", path);
        return false;
    }
    for (const cJSON *w = want->child; w; w = w->next) {
        const cJSON *g = cJSON_GetObjectItemCaseSensitive(got, w->string);
        snprintf(path + pathlen, pathsize - pathlen, ".%s", w->string);
        if (!g) {
            snprintf(why, whysize, "%s: missing key", path);
            return false;
        }
        if (!json_eq(g, w, path, strlen(path), pathsize, why, whysize)) return false;
    }
    path[pathlen] = '\0';
    for (const cJSON *g = got->child; g; g = g->next) {
        if (!cJSON_GetObjectItemCaseSensitive(want, g->string)) {
            snprintf(why, whysize, "%s.%s: unexpected key", path, g->string);
            return false;
        }
    }
    return true;
}

/* ---- running ----------------------------------------------------------------- */

/* Runs one test; returns true if it passed, else prints why. */
static bool run_one(const char *root, const char *rel, bool verbose) {
    char path[8192], err[512];
    snprintf(path, sizeof path, "%s/%s", root, rel);
    bool valid = strncmp(rel, "valid/", 6) == 0;
    size_t len;
    char *text = read_file(path, &len);
    if (!text) {
        printf("FAIL %s: cannot read: %s\n", rel, strerror(errno));
        return false;
    }
    wg_toml_value *root_v = wg_toml_parse(text, len, err, sizeof err);
    free(text);
    if (!valid) {
        if (root_v) {
            printf("FAIL %s: accepted, but it is invalid TOML\n", rel);
            wg_toml_free(root_v);
            return false;
        }
        if (verbose) printf("ok   %s: %s\n", rel, err);
        return true;
    }
    if (!root_v) {
        printf("FAIL %s: rejected: %s\n", rel, err);
        return false;
    }
    char jpath[8192];
    snprintf(jpath, sizeof jpath, "%s", path);
    strcpy(jpath + strlen(jpath) - 5, ".json");
    size_t jlen;
    char *jtext = read_file(jpath, &jlen);
    bool ok = false;
    if (!jtext) {
        printf("FAIL %s: cannot read the expected .json: %s\n", rel, strerror(errno));
        wg_toml_free(root_v);
        return false;
    }
    cJSON *want = cJSON_ParseWithLength(jtext, jlen);
    free(jtext);
    if (!want) {
        printf("FAIL %s: the expected .json does not parse\n", rel);
    } else {
        cJSON *got = to_json(root_v);
        char jp[4096] = "$", why[2048];
        ok = json_eq(got, want, jp, 1, sizeof jp, why, sizeof why);
        if (!ok) printf("FAIL %s: %s\n", rel, why);
        else if (verbose) printf("ok   %s\n", rel);
        cJSON_Delete(got);
        cJSON_Delete(want);
    }
    wg_toml_free(root_v);
    return ok;
}

static int dump(const char *file) {
    size_t len;
    char *text = read_file(file, &len);
    if (!text) {
        fprintf(stderr, "toml: cannot read %s: %s\n", file, strerror(errno));
        return 2;
    }
    char err[512];
    wg_toml_value *v = wg_toml_parse(text, len, err, sizeof err);
    free(text);
    if (!v) {
        printf("%s: %s\n", file, err);
        return 1;
    }
    cJSON *j = to_json(v);
    char *s = cJSON_Print(j);
    if (s) printf("%s\n", s);
    free(s);
    cJSON_Delete(j);
    wg_toml_free(v);
    return 0;
}

int main(int argc, char **argv) {
    bool verbose = false;
    int i = 1;
    if (argc == 3 && strcmp(argv[1], "--dump") == 0) return dump(argv[2]);
    if (i < argc && strcmp(argv[i], "--verbose") == 0) {
        verbose = true;
        i++;
    }
    if (i + 1 != argc) {
        fprintf(stderr, "usage: wg_toml_runner [--verbose] DIR | --dump FILE.toml\n");
        return 2;
    }
    const char *root = argv[i];
    struct stat st;
    char sub[4096];
    for (int k = 0; k < 2; k++) {
        snprintf(sub, sizeof sub, "%s/%s", root, k ? "invalid" : "valid");
        if (stat(sub, &st) != 0 || !S_ISDIR(st.st_mode)) {
            fprintf(stderr,
                    "toml: error: %s is not a directory: no TOML conformance suite at %s "
                    "(set WG_CONFORMANCE_DIR to the directory holding toml/)\n",
                    sub, root);
            return 2;
        }
    }
    file_list list = {0};
    collect(root, "valid", &list);
    collect(root, "invalid", &list);
    if (list.n == 0) {
        fprintf(stderr, "toml: error: no .toml files under %s (check WG_CONFORMANCE_DIR)\n",
                root);
        return 2;
    }
    qsort(list.paths, list.n, sizeof *list.paths, cmp_str);
    size_t passed = 0, failed = 0;
    for (size_t k = 0; k < list.n; k++) {
        if (run_one(root, list.paths[k], verbose)) passed++;
        else failed++;
        free(list.paths[k]);
    }
    free(list.paths);
    printf("toml: %zu passed, %zu failed\n", passed, failed);
    return failed ? 1 : 0;
}
