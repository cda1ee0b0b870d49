/*
 * libFuzzer target for the TOML parser (src/toml/): wg_toml_parse on
 * arbitrary bytes, then a walk of the tree and wg_toml_free.
 *
 * Besides crashes, hangs and leaks (ASan/UBSan/LSan), it checks the API
 * contract: a failure writes a NUL-terminated "LINE:COL: message"; a success
 * returns a root table whose nodes have 1-based positions, NUL-terminated
 * strings of the stated length, depth within WG_TOML_MAX_DEPTH, unique keys
 * that wg_toml_get finds, and date/time text in normalised form.
 *
 * Build (as fuzz/run.sh builds decode_validate.c):
 *   clang-19 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
 *       -g -O1 -std=gnu17 -Iinclude -Isrc fuzz/toml.c src/toml/ *.c -lm -o fuzz/out/toml
 * Seeds: the conformance suite's .toml files ($WG_CONFORMANCE_DIR/toml).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "toml/toml.h"

static void check(int cond) {
    if (!cond) abort();  /* reported by libFuzzer as a crash with a stack */
}

static void walk(const wg_toml_value *v, unsigned depth) {
    check(depth <= WG_TOML_MAX_DEPTH);
    check(v->line >= 1 && v->col >= 1);
    switch (v->type) {
    case WG_TOML_STRING:
        check(v->u.str.ptr != NULL && v->u.str.ptr[v->u.str.len] == '\0');
        break;
    case WG_TOML_DATETIME:
    case WG_TOML_DATETIME_LOCAL:
    case WG_TOML_DATE_LOCAL:
    case WG_TOML_TIME_LOCAL: {
        const char *s = v->u.datetime;
        check(s != NULL);
        size_t n = strlen(s);
        check(strchr(s, 't') == NULL && strchr(s, 'z') == NULL && strchr(s, ' ') == NULL);
        if (v->type == WG_TOML_DATE_LOCAL) check(n == 10);
        if (v->type == WG_TOML_TIME_LOCAL) check(n >= 8 && s[2] == ':' && !strchr(s, 'Z'));
        if (v->type == WG_TOML_DATETIME_LOCAL) check(n >= 19 && s[10] == 'T' && !strchr(s, 'Z'));
        if (v->type == WG_TOML_DATETIME)
            check(n >= 20 && s[10] == 'T' &&
                  (s[n - 1] == 'Z' || s[n - 6] == '+' || s[n - 6] == '-'));
        break;
    }
    case WG_TOML_ARRAY:
        check(v->u.array.n == 0 || v->u.array.items != NULL);
        for (size_t i = 0; i < v->u.array.n; i++) walk(v->u.array.items[i], depth + 1);
        break;
    case WG_TOML_TABLE:
        for (size_t i = 0; i < v->u.table.n; i++) {
            const wg_toml_kv *kv = &v->u.table.kvs[i];
            check(kv->key != NULL && kv->key[kv->key_len] == '\0');
            check(kv->line >= 1 && kv->col >= 1);
            if (strlen(kv->key) == kv->key_len) {
                const wg_toml_kv *found;
                check(wg_toml_get(v, kv->key, &found) == kv->value && found == kv);
            }
            walk(kv->value, depth + 1);
        }
        break;
    default:
        break;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char err[128];
    memset(err, 0xA5, sizeof err);  /* the callee must fill what it reports */
    wg_toml_value *root = wg_toml_parse((const char *)data, size, err, sizeof err);
    if (!root) {
        check(memchr(err, '\0', sizeof err) != NULL);
        const char *p = err;
        check(*p >= '1' && *p <= '9');
        while (*p >= '0' && *p <= '9') p++;
        check(*p++ == ':');
        check(*p >= '1' && *p <= '9');
        while (*p >= '0' && *p <= '9') p++;
        check(p[0] == ':' && p[1] == ' ' && p[2] != '\0');
        return 0;
    }
    check(root->type == WG_TOML_TABLE);
    walk(root, 0);
    wg_toml_free(root);
    return 0;
}
