/*
 * Flat lifting and lowering (CanonicalABI.md "Flat Lifting", "Flat
 * Lowering", "Lifting and Lowering Values"): core values <-> wg_cval, and
 * the spilling of parameter and result lists past MAX_FLAT_PARAMS /
 * MAX_FLAT_RESULTS into a tuple in memory.
 *
 * Core values are uint64_t slots (canon.h). A variant's payload travels in
 * the joined flat types of all its cases: since slots hold bit patterns with
 * 32-bit values zero-extended, the reference's coercions (i32<->f32
 * reinterpretation, i64 wrapping and extension) come down to keeping the low
 * 32 bits where the case wants a 32-bit type.
 */
#include <stdlib.h>

#include "component/canon_int.h"

typedef struct flat_iter {
    const uint64_t *v;
    uint32_t n, i;
} flat_iter;

static bool next(wg_canon_cx *cx, flat_iter *it, uint64_t *v) {
    if (it->i >= it->n) return CX_TRAP(cx, "too few core values for the function type");
    *v = it->v[it->i++];
    return true;
}

static bool lift_flat(wg_canon_cx *cx, flat_iter *it, const wg_ctype *t, wg_cval *out);

static bool fail_free(wg_cval *v) {
    wg_cval_free(v);
    return false;
}

static bool lift_seq(wg_canon_cx *cx, flat_iter *it, const wg_ctype *t, wg_cval *out) {
    bool list = t->kind == WG_CT_LIST;
    uint32_t n = t->n;
    *out = (wg_cval){.kind = t->kind};
    out->of.seq.n = n;
    out->of.seq.items = calloc(n, sizeof *out->of.seq.items);
    if (!out->of.seq.items) {
        *out = (wg_cval){.kind = WG_CV_BOOL};
        return wg__canon_oom(cx->trap);
    }
    for (uint32_t i = 0; i < n; i++)
        if (!lift_flat(cx, it, list ? t->elem : t->fields[i].type, &out->of.seq.items[i]))
            return fail_free(out);
    return true;
}

static bool lift_variant(wg_canon_cx *cx, flat_iter *it, const wg_ctype *t, wg_cval *out) {
    uint32_t ncases = ct_ncases(t);
    uint64_t d = 0;
    if (!next(cx, it, &d)) return false;
    uint32_t disc = (uint32_t)d;
    if (disc >= ncases) return CX_TRAP(cx, TM_DISC, (unsigned long long)disc, ncases);
    /* The payload slots: every case's, joined; the rest are padding. */
    const wg_clayout *l = cx_lay(cx, t);
    uint32_t m = l->nflat - 1;
    if (it->n - it->i < m) return CX_TRAP(cx, "too few core values for the function type");
    const uint64_t *payload = it->v + it->i;
    it->i += m;
    *out = (wg_cval){.kind = t->kind, .of.var.disc = disc};
    const wg_ctype *ct = ct_case(t, disc);
    if (!ct) return true;
    const wg_clayout *cl = cx_lay(cx, ct);
    uint64_t tmp[WG_CT_FLAT_MAX];
    for (uint32_t k = 0; k < cl->nflat; k++)
        tmp[k] = cl->flat[k] == WG_I32 || cl->flat[k] == WG_F32 ? (uint32_t)payload[k] : payload[k];
    flat_iter sub = {tmp, cl->nflat, 0};
    wg_cval *p = malloc(sizeof *p);
    if (!p) return wg__canon_oom(cx->trap);
    if (!lift_flat(cx, &sub, ct, p)) {
        free(p);
        return false;
    }
    out->of.var.payload = p;
    return true;
}

static bool lift_flat(wg_canon_cx *cx, flat_iter *it, const wg_ctype *t, wg_cval *out) {
    uint64_t v = 0;
    switch (t->kind) {
    case WG_CT_RECORD: case WG_CT_TUPLE:
        return lift_seq(cx, it, t, out);
    case WG_CT_LIST: case WG_CT_MAP: {
        if (t->kind == WG_CT_LIST && t->n) return lift_seq(cx, it, t, out);
        uint64_t ptr = 0, len = 0;
        if (!next(cx, it, &ptr) || !next(cx, it, &len) || !wg__canon_need_mem(cx)) return false;
        return wg__canon_load_list(cx, cx_ptr(cx, ptr), cx_ptr(cx, len), t, out);
    }
    case WG_CT_VARIANT: case WG_CT_ENUM: case WG_CT_OPTION: case WG_CT_RESULT:
        return lift_variant(cx, it, t, out);
    case WG_CT_ERROR_CONTEXT: case WG_CT_STREAM: case WG_CT_FUTURE:
        return CX_TRAP(cx, TM_ASYNC, wg__canon_kind_name(t->kind));
    case WG_CT_STRING: {
        uint64_t ptr = 0, units = 0;
        if (!next(cx, it, &ptr) || !next(cx, it, &units)) return false;
        return wg__canon_load_string(cx, cx_ptr(cx, ptr), cx_ptr(cx, units), out);
    }
    default:
        break;
    }
    if (!next(cx, it, &v)) return false;
    uint32_t v32 = (uint32_t)v;
    switch (t->kind) {
    case WG_CT_BOOL: *out = (wg_cval){.kind = WG_CV_BOOL, .of.b = v32 != 0}; return true;
    case WG_CT_U8: *out = (wg_cval){.kind = t->kind, .of.u = (uint8_t)v32}; return true;
    case WG_CT_U16: *out = (wg_cval){.kind = t->kind, .of.u = (uint16_t)v32}; return true;
    case WG_CT_U32: *out = (wg_cval){.kind = t->kind, .of.u = v32}; return true;
    case WG_CT_U64: *out = (wg_cval){.kind = t->kind, .of.u = v}; return true;
    case WG_CT_S8: *out = (wg_cval){.kind = t->kind, .of.s = (int8_t)v32}; return true;
    case WG_CT_S16: *out = (wg_cval){.kind = t->kind, .of.s = (int16_t)v32}; return true;
    case WG_CT_S32: *out = (wg_cval){.kind = t->kind, .of.s = (int32_t)v32}; return true;
    case WG_CT_S64: *out = (wg_cval){.kind = t->kind, .of.s = (int64_t)v}; return true;
    case WG_CT_F32: {
        uint32_t bits = wg__canon_f32_bits(v32);
        *out = (wg_cval){.kind = WG_CV_F32};
        memcpy(&out->of.f32, &bits, 4);
        return true;
    }
    case WG_CT_F64: {
        uint64_t bits = wg__canon_f64_bits(v);
        *out = (wg_cval){.kind = WG_CV_F64};
        memcpy(&out->of.f64, &bits, 8);
        return true;
    }
    case WG_CT_CHAR: return wg__canon_lift_char(cx, v32, out);
    case WG_CT_FLAGS:
        /* Bits past the labels are ignored (unpack_flags_from_int). */
        *out = (wg_cval){.kind = WG_CV_FLAGS, .of.flags = t->n < 32 ? v32 & ((1u << t->n) - 1) : v32};
        return true;
    case WG_CT_OWN: case WG_CT_BORROW: return wg__canon_lift_handle(cx, v32, t, out);
    default: return CX_TRAP(cx, "unknown value type kind %u", (unsigned)t->kind);
    }
}

/* Lowers checked v of type t to out[*k...] (the caller made room: the type's
 * nflat slots). */
static bool lower_flat(wg_canon_cx *cx, const wg_cval *v, const wg_ctype *t, uint64_t *out,
                       uint32_t *k) {
    switch (t->kind) {
    case WG_CT_RECORD: case WG_CT_TUPLE:
        for (uint32_t i = 0; i < t->n; i++)
            if (!lower_flat(cx, &v->of.seq.items[i], t->fields[i].type, out, k)) return false;
        return true;
    case WG_CT_LIST: case WG_CT_MAP: {
        if (t->kind == WG_CT_LIST && t->n) {
            for (uint32_t i = 0; i < t->n; i++)
                if (!lower_flat(cx, &v->of.seq.items[i], t->elem, out, k)) return false;
            return true;
        }
        uint64_t ptr, len;
        if (!wg__canon_store_list(cx, v, t, &ptr, &len)) return false;
        out[(*k)++] = ptr;
        out[(*k)++] = len;
        return true;
    }
    case WG_CT_STRING: {
        uint64_t ptr, units;
        if (!wg__canon_store_string(cx, v, &ptr, &units)) return false;
        out[(*k)++] = ptr;
        out[(*k)++] = units;
        return true;
    }
    case WG_CT_VARIANT: case WG_CT_ENUM: case WG_CT_OPTION: case WG_CT_RESULT: {
        uint32_t m = cx_lay(cx, t)->nflat - 1, c = 0;
        out[(*k)++] = v->of.var.disc;
        const wg_ctype *ct = ct_case(t, v->of.var.disc);
        /* 32-bit payload values are zero-extended already: they fit every
         * joined slot as they are. The unused slots are zero. */
        if (ct && !lower_flat(cx, v->of.var.payload, ct, out + *k, &c)) return false;
        for (; c < m; c++) out[*k + c] = 0;
        *k += m;
        return true;
    }
    case WG_CT_OWN: case WG_CT_BORROW: {
        uint32_t index;
        if (!wg__canon_lower_handle(cx, v, t, &index)) return false;
        out[(*k)++] = index;
        return true;
    }
    case WG_CT_ERROR_CONTEXT: case WG_CT_STREAM: case WG_CT_FUTURE:
        return CX_TRAP(cx, TM_ASYNC, wg__canon_kind_name(t->kind));
    default:
        out[(*k)++] = wg__canon_scalar_bits(v, t);
        return true;
    }
}

bool wg__canon_lift_values(wg_canon_cx *cx, uint32_t max_flat, const wg_cfield *ts,
                           uint32_t n, const uint64_t *flat, uint32_t nflat,
                           wg_cval *out, uint32_t *used) {
    for (uint32_t i = 0; i < n; i++) out[i] = (wg_cval){.kind = WG_CV_BOOL};
    flat_iter it = {flat, nflat, 0};
    uint32_t i = 0;
    if (wg__canon_flat_count(ts, n, cx_mem64(cx)) > max_flat) {
        uint64_t ptr = 0, size;
        uint32_t align;
        if (!next(cx, &it, &ptr) || !wg__canon_need_mem(cx)) return false;
        ptr = cx_ptr(cx, ptr);
        wg__canon_tuple_layout(cx, ts, n, &size, &align);
        if (!aligned(ptr, align))
            return CX_TRAP(cx, "unaligned pointer: values pointer not aligned to %u", align);
        if (!in_bounds(cx, ptr, size))
            return CX_TRAP(cx, "out of bounds memory access: values pointer/length out of bounds of memory");
        for (; i < n; i++) {
            const wg_clayout *l = cx_lay(cx, ts[i].type);
            ptr = align_up(ptr, l->align);
            if (!wg__canon_load_at(cx, ptr, ts[i].type, &out[i])) goto fail;
            ptr += l->size;
        }
    } else {
        for (; i < n; i++)
            if (!lift_flat(cx, &it, ts[i].type, &out[i])) goto fail;
    }
    if (used) *used = it.i;
    return true;
fail:
    for (uint32_t j = 0; j < i; j++) wg_cval_free(&out[j]);
    return false;
}

bool wg__canon_lower_values(wg_canon_cx *cx, uint32_t max_flat, const wg_cfield *ts,
                            uint32_t n, const wg_cval *vals, uint64_t *flat,
                            uint32_t *nflat, const uint64_t *out_param) {
    *nflat = 0;
    for (uint32_t i = 0; i < n; i++)
        if (!wg__canon_check(cx, &vals[i], ts[i].type)) return false;
    if (wg__canon_flat_count(ts, n, cx_mem64(cx)) <= max_flat) {
        for (uint32_t i = 0; i < n; i++)
            if (!lower_flat(cx, &vals[i], ts[i].type, flat, nflat)) return false;
        return true;
    }
    uint64_t ptr = 0, size;
    uint32_t align;
    if (!wg__canon_need_mem(cx)) return false;
    wg__canon_tuple_layout(cx, ts, n, &size, &align);
    if (out_param) {
        ptr = cx_ptr(cx, *out_param);
        if (!aligned(ptr, align))
            return CX_TRAP(cx, "unaligned pointer: return pointer not aligned to %u", align);
        if (!in_bounds(cx, ptr, size))
            return CX_TRAP(cx, "out of bounds memory access: return pointer/length out of bounds of memory");
    } else {
        if (!wg__canon_realloc(cx, 0, 0, align, size, &ptr) ||
            !wg__canon_check_alloc(cx, ptr, align, size,
                                   "out of bounds memory access: realloc return: beyond end of memory"))
            return false;
        flat[(*nflat)++] = ptr;
    }
    for (uint32_t i = 0; i < n; i++) {
        const wg_clayout *l = cx_lay(cx, ts[i].type);
        ptr = align_up(ptr, l->align);
        if (!wg__canon_store_at(cx, &vals[i], ts[i].type, ptr)) return false;
        ptr += l->size;
    }
    return true;
}
