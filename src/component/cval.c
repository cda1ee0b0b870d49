/*
 * Component Model values (include/wasmgate/component.h): constructors, free,
 * deep copy, deep equality and the out-of-memory check.
 *
 * Out of memory is recorded in the value itself, so that a caller can build a
 * whole tree and check once (wg_cval_ok): a string keeps data NULL (an empty
 * string that is fine has a 1-byte allocation, so the two never look alike), a
 * sequence keeps items NULL with n > 0 (a byte buffer, data NULL with len > 0), and a variant whose payload could not
 * be boxed points at `oom_payload`, a constant that is never freed.
 */
#include "wasmgate/component.h"

#include <stdlib.h>
#include <string.h>

static const wg_cval oom_payload = {.kind = WG_CV_BOOL};
#define OOM_PAYLOAD ((wg_cval *)&oom_payload)

static bool is_seq(uint32_t kind) {
    return kind == WG_CV_LIST || kind == WG_CV_RECORD || kind == WG_CV_TUPLE ||
           kind == WG_CV_MAP;
}

static bool is_var(uint32_t kind) {
    return kind == WG_CV_VARIANT || kind == WG_CV_ENUM || kind == WG_CV_OPTION ||
           kind == WG_CV_RESULT;
}

void wg_cval_free(wg_cval *v) {
    if (!v) return;
    if (v->kind == WG_CV_STRING) {
        free(v->of.str.data);
    } else if (v->kind == WG_CV_BYTES) {
        free(v->of.bytes.data);
    } else if (is_seq(v->kind)) {
        if (v->of.seq.items)
            for (size_t i = 0; i < v->of.seq.n; i++) wg_cval_free(&v->of.seq.items[i]);
        free(v->of.seq.items);
    } else if (is_var(v->kind)) {
        if (v->of.var.payload && v->of.var.payload != OOM_PAYLOAD) {
            wg_cval_free(v->of.var.payload);
            free(v->of.var.payload);
        }
    }
    *v = (wg_cval){.kind = WG_CV_BOOL};
}

bool wg_cval_copy(wg_cval *dst, const wg_cval *src) {
    *dst = *src;
    if (src->kind == WG_CV_STRING) {
        dst->of.str.data = malloc(src->of.str.len ? src->of.str.len : 1);
        if (!dst->of.str.data) goto oom;
        if (src->of.str.len) memcpy(dst->of.str.data, src->of.str.data, src->of.str.len);
    } else if (src->kind == WG_CV_BYTES) {
        dst->of.bytes.data = NULL;
        if (!src->of.bytes.len) return true;
        dst->of.bytes.data = malloc(src->of.bytes.len);
        if (!dst->of.bytes.data) goto oom;
        memcpy(dst->of.bytes.data, src->of.bytes.data, src->of.bytes.len);
    } else if (is_seq(src->kind)) {
        size_t n = src->of.seq.n;
        dst->of.seq.items = NULL;
        if (n == 0) return true;
        dst->of.seq.items = calloc(n, sizeof *dst->of.seq.items);
        if (!dst->of.seq.items) goto oom;
        /* calloc'ed items own nothing, so a partial copy frees cleanly. */
        for (size_t i = 0; i < n; i++)
            if (!wg_cval_copy(&dst->of.seq.items[i], &src->of.seq.items[i])) goto oom;
    } else if (is_var(src->kind) && src->of.var.payload && src->of.var.payload != OOM_PAYLOAD) {
        dst->of.var.payload = NULL;
        wg_cval *p = malloc(sizeof *p);
        if (!p) goto oom;
        if (!wg_cval_copy(p, src->of.var.payload)) {
            free(p);
            goto oom;
        }
        dst->of.var.payload = p;
    }
    return true;
oom:
    wg_cval_free(dst);
    return false;
}

static bool f32_equal(float a, float b) {
    uint32_t x, y;
    memcpy(&x, &a, 4);
    memcpy(&y, &b, 4);
    return x == y || (a != a && b != b);
}

static bool f64_equal(double a, double b) {
    uint64_t x, y;
    memcpy(&x, &a, 8);
    memcpy(&y, &b, 8);
    return x == y || (a != a && b != b);
}

/* A byte buffer against a list value: the same u8 items. */
static bool bytes_equal_list(const wg_cval *bytes, const wg_cval *list) {
    if (bytes->of.bytes.len != list->of.seq.n) return false;
    if (list->of.seq.n && !list->of.seq.items) return false;
    for (size_t i = 0; i < list->of.seq.n; i++) {
        const wg_cval *x = &list->of.seq.items[i];
        if (x->kind != WG_CV_U8 || x->of.u != bytes->of.bytes.data[i]) return false;
    }
    return true;
}

bool wg_cval_equal(const wg_cval *a, const wg_cval *b) {
    if (a->kind == WG_CV_BYTES && b->kind == WG_CV_LIST) return bytes_equal_list(a, b);
    if (a->kind == WG_CV_LIST && b->kind == WG_CV_BYTES) return bytes_equal_list(b, a);
    if (a->kind != b->kind) return false;
    switch (a->kind) {
    case WG_CV_BOOL: return a->of.b == b->of.b;
    case WG_CV_S8: case WG_CV_S16: case WG_CV_S32: case WG_CV_S64:
        return a->of.s == b->of.s;
    case WG_CV_U8: case WG_CV_U16: case WG_CV_U32: case WG_CV_U64:
        return a->of.u == b->of.u;
    case WG_CV_F32: return f32_equal(a->of.f32, b->of.f32);
    case WG_CV_F64: return f64_equal(a->of.f64, b->of.f64);
    case WG_CV_CHAR: return a->of.c == b->of.c;
    case WG_CV_STRING:
        return a->of.str.len == b->of.str.len &&
               (a->of.str.len == 0 || memcmp(a->of.str.data, b->of.str.data, a->of.str.len) == 0);
    case WG_CV_BYTES:
        return a->of.bytes.len == b->of.bytes.len &&
               (a->of.bytes.len == 0 ||
                memcmp(a->of.bytes.data, b->of.bytes.data, a->of.bytes.len) == 0);
    case WG_CV_FLAGS: return a->of.flags == b->of.flags;
    case WG_CV_OWN: case WG_CV_BORROW:
        return a->of.handle.rep == b->of.handle.rep && a->of.handle.type == b->of.handle.type;
    default: break;
    }
    if (is_seq(a->kind)) {
        if (a->of.seq.n != b->of.seq.n) return false;
        if (a->of.seq.n && (!a->of.seq.items || !b->of.seq.items)) return false;
        for (size_t i = 0; i < a->of.seq.n; i++)
            if (!wg_cval_equal(&a->of.seq.items[i], &b->of.seq.items[i])) return false;
        return true;
    }
    if (is_var(a->kind)) {
        const wg_cval *p = a->of.var.payload, *q = b->of.var.payload;
        if (a->of.var.disc != b->of.var.disc) return false;
        if (!p || !q) return p == q;
        if (p == OOM_PAYLOAD || q == OOM_PAYLOAD) return false;
        return wg_cval_equal(p, q);
    }
    /* stream, future, error-context: no value representation yet */
    return false;
}

wg_cval wg_cval_bool(bool b) {
    return (wg_cval){.kind = WG_CV_BOOL, .of.b = b};
}

wg_cval wg_cval_s(uint32_t kind, int64_t v) {
    return (wg_cval){.kind = kind, .of.s = v};
}

wg_cval wg_cval_u(uint32_t kind, uint64_t v) {
    return (wg_cval){.kind = kind, .of.u = v};
}

wg_cval wg_cval_f32(float v) {
    return (wg_cval){.kind = WG_CV_F32, .of.f32 = v};
}

wg_cval wg_cval_f64(double v) {
    return (wg_cval){.kind = WG_CV_F64, .of.f64 = v};
}

wg_cval wg_cval_char(uint32_t c) {
    return (wg_cval){.kind = WG_CV_CHAR, .of.c = c};
}

wg_cval wg_cval_string(const char *data, size_t len) {
    wg_cval v = {.kind = WG_CV_STRING};
    /* An empty string gets a byte too: data NULL means out of memory. */
    v.of.str.data = malloc(len ? len : 1);
    if (!v.of.str.data) return v;
    if (len) memcpy(v.of.str.data, data, len);
    v.of.str.len = len;
    return v;
}

wg_cval wg_cval_bytes(const void *data, size_t len) {
    wg_cval v = {.kind = WG_CV_BYTES};
    v.of.bytes.len = len;
    if (!len) return v;
    v.of.bytes.data = malloc(len);
    if (v.of.bytes.data) memcpy(v.of.bytes.data, data, len);
    return v;
}

wg_cval wg_cval_own(uint32_t rep, const wg_rtype *rt) {
    return (wg_cval){.kind = WG_CV_OWN, .of.handle = {rep, rt}};
}

wg_cval wg_cval_borrow(uint32_t rep, const wg_rtype *rt) {
    return (wg_cval){.kind = WG_CV_BORROW, .of.handle = {rep, rt}};
}

wg_cval wg_cval_seq(uint32_t kind, size_t n) {
    wg_cval v = {.kind = kind};
    v.of.seq.n = n;
    if (!n) return v;
    v.of.seq.items = calloc(n, sizeof *v.of.seq.items);
    if (v.of.seq.items)
        for (size_t i = 0; i < n; i++) v.of.seq.items[i].kind = WG_CV_BOOL;
    return v;
}

wg_cval wg_cval_var(uint32_t kind, uint32_t disc, wg_cval *payload) {
    wg_cval v = {.kind = kind, .of.var.disc = disc};
    if (!payload) return v;
    wg_cval *p = malloc(sizeof *p);
    if (!p) {
        wg_cval_free(payload);
        v.of.var.payload = OOM_PAYLOAD;
        return v;
    }
    *p = *payload;
    *payload = (wg_cval){.kind = WG_CV_BOOL};
    v.of.var.payload = p;
    return v;
}

bool wg_cval_ok(const wg_cval *v) {
    if (v->kind == WG_CV_STRING) return v->of.str.data != NULL;
    if (v->kind == WG_CV_BYTES) return v->of.bytes.data != NULL || v->of.bytes.len == 0;
    if (is_seq(v->kind)) {
        if (v->of.seq.n && !v->of.seq.items) return false;
        for (size_t i = 0; i < v->of.seq.n; i++)
            if (!wg_cval_ok(&v->of.seq.items[i])) return false;
        return true;
    }
    if (is_var(v->kind) && v->of.var.payload)
        return v->of.var.payload != OOM_PAYLOAD && wg_cval_ok(v->of.var.payload);
    return true;
}
