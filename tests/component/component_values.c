/*
 * The conformance scripts' typed values (README "Values") as wg_cvals,
 * guided by the WIT type of the parameter or result they stand for (a
 * variant's case is given by name, a record's fields by name in source
 * order): only the public type views of component.h are used. And a
 * printer for messages.
 */
#include "component_values.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const kind_names[] = {
    [WG_CV_BOOL] = "bool", [WG_CV_S8] = "s8", [WG_CV_U8] = "u8", [WG_CV_S16] = "s16",
    [WG_CV_U16] = "u16", [WG_CV_S32] = "s32", [WG_CV_U32] = "u32", [WG_CV_S64] = "s64",
    [WG_CV_U64] = "u64", [WG_CV_F32] = "f32", [WG_CV_F64] = "f64", [WG_CV_CHAR] = "char",
    [WG_CV_STRING] = "str", [WG_CV_ERROR_CONTEXT] = "error-context", [WG_CV_LIST] = "list",
    [WG_CV_RECORD] = "record", [WG_CV_TUPLE] = "tuple", [WG_CV_VARIANT] = "variant",
    [WG_CV_ENUM] = "enum", [WG_CV_OPTION] = "option", [WG_CV_RESULT] = "result",
    [WG_CV_FLAGS] = "flags", [WG_CV_OWN] = "own", [WG_CV_BORROW] = "borrow",
    [WG_CV_STREAM] = "stream", [WG_CV_FUTURE] = "future", [WG_CV_MAP] = "map",
};

static const char *kind_name(uint32_t k) {
    if (k == WG_CV_BYTES) return "bytes";
    return k < sizeof kind_names / sizeof kind_names[0] && kind_names[k] ? kind_names[k] : "?";
}

static bool bad(char *err, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static bool bad(char *err, size_t n, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, n, fmt, ap);
    va_end(ap);
    return false;
}

/* One Unicode scalar value from UTF-8 s (exactly one). */
static bool one_char(const char *s, uint32_t *c) {
    const unsigned char *p = (const unsigned char *)s;
    uint32_t v;
    int n;
    if (p[0] < 0x80) v = p[0], n = 1;
    else if ((p[0] & 0xe0) == 0xc0) v = p[0] & 0x1f, n = 2;
    else if ((p[0] & 0xf0) == 0xe0) v = p[0] & 0x0f, n = 3;
    else if ((p[0] & 0xf8) == 0xf0) v = p[0] & 0x07, n = 4;
    else return false;
    for (int i = 1; i < n; i++) {
        if ((p[i] & 0xc0) != 0x80) return false;
        v = v << 6 | (p[i] & 0x3f);
    }
    if (p[n]) return false;
    *c = v;
    return true;
}

/* The index of `name` among t's names (fields, cases, labels), or -1. */
static int name_index(const wg_ctype *t, const char *name) {
    for (uint32_t i = 0; i < wg_ctype_count(t); i++) {
        const char *n = wg_ctype_name_at(t, i);
        if (n && strcmp(n, name) == 0) return (int)i;
    }
    return -1;
}

bool cm_value_from_json(const cJSON *j, const wg_ctype *t, wg_cval *out, char *err, size_t errsz) {
    *out = wg_cval_bool(false);
    const cJSON *jt = cJSON_GetObjectItemCaseSensitive(j, "type");
    const cJSON *jv = cJSON_GetObjectItemCaseSensitive(j, "value");
    uint32_t k = wg_ctype_kind_of(t);
    if (!cJSON_IsString(jt)) return bad(err, errsz, "value without a type");
    if (strcmp(jt->valuestring, kind_name(k)) != 0)
        return bad(err, errsz, "a %s value where the type is %s", jt->valuestring, kind_name(k));
    switch (k) {
    case WG_CV_BOOL:
        if (!cJSON_IsBool(jv)) return bad(err, errsz, "bool value is not a boolean");
        *out = wg_cval_bool(cJSON_IsTrue(jv));
        return true;
    case WG_CV_S8: case WG_CV_S16: case WG_CV_S32: case WG_CV_S64:
        if (!cJSON_IsString(jv)) return bad(err, errsz, "integer value is not a string");
        *out = wg_cval_s(k, strtoll(jv->valuestring, NULL, 10));
        return true;
    case WG_CV_U8: case WG_CV_U16: case WG_CV_U32: case WG_CV_U64:
        if (!cJSON_IsString(jv)) return bad(err, errsz, "integer value is not a string");
        *out = wg_cval_u(k, strtoull(jv->valuestring, NULL, 10));
        return true;
    case WG_CV_F32: {
        if (!cJSON_IsString(jv)) return bad(err, errsz, "float value is not a string");
        uint32_t bits = (uint32_t)strtoul(jv->valuestring, NULL, 10);
        float f;
        memcpy(&f, &bits, 4);
        *out = wg_cval_f32(f);
        return true;
    }
    case WG_CV_F64: {
        if (!cJSON_IsString(jv)) return bad(err, errsz, "float value is not a string");
        uint64_t bits = strtoull(jv->valuestring, NULL, 10);
        double f;
        memcpy(&f, &bits, 8);
        *out = wg_cval_f64(f);
        return true;
    }
    case WG_CV_CHAR: {
        uint32_t c;
        if (!cJSON_IsString(jv) || !one_char(jv->valuestring, &c))
            return bad(err, errsz, "char value is not one character");
        *out = wg_cval_char(c);
        return true;
    }
    case WG_CV_STRING:
        if (!cJSON_IsString(jv)) return bad(err, errsz, "string value is not a string");
        *out = wg_cval_string(jv->valuestring, strlen(jv->valuestring));
        return true;
    case WG_CV_LIST: case WG_CV_TUPLE: {
        if (!cJSON_IsArray(jv)) return bad(err, errsz, "%s value is not an array", kind_name(k));
        int n = cJSON_GetArraySize(jv);
        if (k == WG_CV_TUPLE && (uint32_t)n != wg_ctype_count(t))
            return bad(err, errsz, "tuple of %d values for a type of %u", n, wg_ctype_count(t));
        *out = wg_cval_seq(k, (size_t)n);
        if (n && !out->of.seq.items) return bad(err, errsz, "out of memory");
        for (int i = 0; i < n; i++) {
            const wg_ctype *et = k == WG_CV_LIST ? wg_ctype_elem(t) : wg_ctype_type_at(t, (uint32_t)i);
            if (!cm_value_from_json(cJSON_GetArrayItem(jv, i), et, &out->of.seq.items[i], err, errsz)) {
                wg_cval_free(out);
                return false;
            }
        }
        return true;
    }
    case WG_CV_RECORD: {
        uint32_t n = wg_ctype_count(t);
        if (!cJSON_IsArray(jv) || (uint32_t)cJSON_GetArraySize(jv) != n)
            return bad(err, errsz, "record value does not have the %u fields of its type", n);
        *out = wg_cval_seq(k, n);
        if (n && !out->of.seq.items) return bad(err, errsz, "out of memory");
        const cJSON *f;
        cJSON_ArrayForEach(f, jv) {
            const cJSON *fname = cJSON_GetArrayItem(f, 0);
            int i = cJSON_IsString(fname) ? name_index(t, fname->valuestring) : -1;
            if (i < 0 || !cm_value_from_json(cJSON_GetArrayItem(f, 1), wg_ctype_type_at(t, (uint32_t)i),
                                             &out->of.seq.items[i], err, errsz)) {
                wg_cval_free(out);
                return i < 0 ? bad(err, errsz, "record field not in the type") : false;
            }
        }
        return true;
    }
    case WG_CV_VARIANT: case WG_CV_RESULT: {
        const cJSON *jc = cJSON_GetObjectItemCaseSensitive(j, "case");
        if (!cJSON_IsString(jc)) return bad(err, errsz, "%s value without a case", kind_name(k));
        int i;
        const wg_ctype *ct;
        if (k == WG_CV_RESULT) {
            i = strcmp(jc->valuestring, "ok") == 0 ? 0 : strcmp(jc->valuestring, "err") == 0 ? 1 : -1;
            ct = i == 0 ? wg_ctype_elem(t) : wg_ctype_elem2(t);
        } else {
            i = name_index(t, jc->valuestring);
            ct = i >= 0 ? wg_ctype_type_at(t, (uint32_t)i) : NULL;
        }
        if (i < 0) return bad(err, errsz, "case `%s` not in the type", jc->valuestring);
        if (!ct != (!jv || cJSON_IsNull(jv))) return bad(err, errsz, "case `%s` payload mismatch", jc->valuestring);
        wg_cval p;
        if (ct && !cm_value_from_json(jv, ct, &p, err, errsz)) return false;
        *out = wg_cval_var(k, (uint32_t)i, ct ? &p : NULL);
        return true;
    }
    case WG_CV_ENUM: {
        int i = cJSON_IsString(jv) ? name_index(t, jv->valuestring) : -1;
        if (i < 0) return bad(err, errsz, "enum case not in the type");
        *out = wg_cval_var(k, (uint32_t)i, NULL);
        return true;
    }
    case WG_CV_OPTION: {
        if (!jv || cJSON_IsNull(jv)) {
            *out = wg_cval_var(k, 0, NULL);
            return true;
        }
        wg_cval p;
        if (!cm_value_from_json(jv, wg_ctype_elem(t), &p, err, errsz)) return false;
        *out = wg_cval_var(k, 1, &p);
        return true;
    }
    case WG_CV_FLAGS: {
        uint32_t bits = 0;
        const cJSON *f;
        if (!cJSON_IsArray(jv)) return bad(err, errsz, "flags value is not an array");
        cJSON_ArrayForEach(f, jv) {
            int i = cJSON_IsString(f) ? name_index(t, f->valuestring) : -1;
            if (i < 0) return bad(err, errsz, "flag not in the type");
            bits |= 1u << i;
        }
        *out = (wg_cval){.kind = WG_CV_FLAGS, .of.flags = bits};
        return true;
    }
    default:
        return bad(err, errsz, "values of type %s cannot be written in scripts", kind_name(k));
    }
}

/* ---- printing ------------------------------------------------------------------------------ */

typedef struct pbuf {
    char *p;
    size_t n, len;
} pbuf;

static void put(pbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(pbuf *b, const char *fmt, ...) {
    if (b->len >= b->n) return;
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(b->p + b->len, b->n - b->len, fmt, ap);
    va_end(ap);
    if (k > 0) b->len += (size_t)k;
}

static void print(pbuf *b, const wg_cval *v) {
    switch (v->kind) {
    case WG_CV_BOOL: put(b, "%s", v->of.b ? "true" : "false"); return;
    case WG_CV_S8: case WG_CV_S16: case WG_CV_S32: case WG_CV_S64:
        put(b, "%" PRId64 "%s", v->of.s, kind_name(v->kind)); return;
    case WG_CV_U8: case WG_CV_U16: case WG_CV_U32: case WG_CV_U64:
        put(b, "%" PRIu64 "%s", v->of.u, kind_name(v->kind)); return;
    case WG_CV_F32: put(b, "%g", (double)v->of.f32); return;
    case WG_CV_F64: put(b, "%g", v->of.f64); return;
    case WG_CV_CHAR: put(b, "char(%#x)", v->of.c); return;
    case WG_CV_STRING: put(b, "\"%.*s\"", (int)(v->of.str.len > 60 ? 60 : v->of.str.len), v->of.str.data ? v->of.str.data : ""); return;
    case WG_CV_BYTES: put(b, "bytes[%zu]", v->of.bytes.len); return;
    case WG_CV_FLAGS: put(b, "flags(%#x)", v->of.flags); return;
    case WG_CV_OWN: case WG_CV_BORROW: put(b, "%s(%u)", kind_name(v->kind), v->of.handle.rep); return;
    case WG_CV_LIST: case WG_CV_RECORD: case WG_CV_TUPLE: case WG_CV_MAP:
        put(b, "%s(", kind_name(v->kind));
        for (size_t i = 0; i < v->of.seq.n && v->of.seq.items; i++) {
            if (i) put(b, ", ");
            if (i == 8) {
                put(b, "...");
                break;
            }
            print(b, &v->of.seq.items[i]);
        }
        put(b, ")");
        return;
    case WG_CV_VARIANT: case WG_CV_ENUM: case WG_CV_OPTION: case WG_CV_RESULT:
        put(b, "%s#%u", kind_name(v->kind), v->of.var.disc);
        if (v->of.var.payload) {
            put(b, "(");
            print(b, v->of.var.payload);
            put(b, ")");
        }
        return;
    default: put(b, "?"); return;
    }
}

void cm_value_print(const wg_cval *v, char *buf, size_t n) {
    pbuf b = {buf, n, 0};
    if (n) buf[0] = '\0';
    if (!v) put(&b, "(nothing)");
    else print(&b, v);
}
