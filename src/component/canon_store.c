/*
 * Storing values into guest memory (CanonicalABI.md "Storing": store and its
 * helpers): wg_cval -> memory, allocating lists and strings through realloc.
 *
 * Values are checked against their types first (wg__canon_check, in
 * canon_check.c) by the entry points, before anything is allocated or
 * written, so a host's bad value fails cleanly; the store functions rely on
 * it. Memory may move during realloc: every write goes through cx->mem as
 * it is after the call, at offsets checked against the (only ever growing)
 * memory size.
 */
#include "component/canon_int.h"

static uint64_t f32_bits(float f) {
    uint32_t b;
    memcpy(&b, &f, 4);
    /* maybe_scramble_nan32 in the deterministic profile: the canonical NaN. */
    return wg__canon_f32_bits(b);
}

static uint64_t f64_bits(double f) {
    uint64_t b;
    memcpy(&b, &f, 8);
    return wg__canon_f64_bits(b);
}

/* The core value of a scalar (bool, integers, floats, char, flags). */
uint64_t wg__canon_scalar_bits(const wg_cval *v, const wg_ctype *t) {
    switch (t->kind) {
    case WG_CT_BOOL: return v->of.b ? 1 : 0;
    case WG_CT_S8: case WG_CT_S16: case WG_CT_S32: return (uint32_t)(int32_t)v->of.s;
    case WG_CT_S64: return (uint64_t)v->of.s;
    case WG_CT_F32: return f32_bits(v->of.f32);
    case WG_CT_F64: return f64_bits(v->of.f64);
    case WG_CT_CHAR: return v->of.c;
    case WG_CT_FLAGS: return v->of.flags;
    default: return v->of.u;
    }
}

static bool store_elems(wg_canon_cx *cx, const wg_cval *v, const wg_ctype *elem, uint64_t ptr) {
    uint32_t size = cx_lay(cx, elem)->size;
    for (size_t i = 0; i < v->of.seq.n; i++)
        if (!wg__canon_store_at(cx, &v->of.seq.items[i], elem, ptr + i * size)) return false;
    return true;
}

static bool store_pairs(wg_canon_cx *cx, const wg_cval *v, const wg_ctype *map, uint64_t ptr) {
    wg_canon_pair p = ct_pair(cx, map);
    for (size_t i = 0; i < v->of.seq.n; i++) {
        const wg_cval *kv = v->of.seq.items[i].of.seq.items;
        uint64_t at = ptr + i * p.size;
        if (!wg__canon_store_at(cx, &kv[0], map->elem, at) ||
            !wg__canon_store_at(cx, &kv[1], map->elem2, at + p.voff))
            return false;
    }
    return true;
}

bool wg__canon_store_list(wg_canon_cx *cx, const wg_cval *v, const wg_ctype *t,
                          uint64_t *ptr, uint64_t *len) {
    uint32_t size, align;
    if (t->kind == WG_CT_MAP) {
        wg_canon_pair p = ct_pair(cx, t);
        size = p.size;
        align = p.align;
    } else {
        size = cx_lay(cx, t->elem)->size;
        align = cx_lay(cx, t->elem)->align;
    }
    /* wg__canon_check bounded the byte length by REALLOC_I32_MAX. Even an
     * empty list calls realloc (the reference tests count the calls). */
    uint64_t n = v->kind == WG_CV_BYTES ? v->of.bytes.len : v->of.seq.n;
    uint64_t bytes = n * size;
    if (!wg__canon_realloc(cx, 0, 0, align, bytes, ptr) ||
        !wg__canon_check_alloc(cx, *ptr, align, bytes, TM_LIST_REALLOC_OOB))
        return false;
    *len = n;
    if (v->kind == WG_CV_BYTES) {
        if (bytes) memcpy(cx->mem + *ptr, v->of.bytes.data, bytes);
        return true;
    }
    if (v->kind == WG_CVX_LIST_VIEW) {
        if (bytes) wg__canon_plain_copy(cx->mem + *ptr, (const uint8_t *)v->of.str.data, v->of.str.len, t->elem);
        return true;
    }
    if (t->kind == WG_CT_MAP) return store_pairs(cx, v, t, *ptr);
    return store_elems(cx, v, t->elem, *ptr);
}

static bool store_variant(wg_canon_cx *cx, const wg_cval *v, const wg_ctype *t, uint64_t ptr) {
    st_int(cx, ptr, wg__ctype_disc_size(ct_ncases(t)), v->of.var.disc);
    const wg_ctype *ct = ct_case(t, v->of.var.disc);
    if (!ct) return true;
    return wg__canon_store_at(cx, v->of.var.payload, ct, ptr + cx_lay(cx, t)->align);
}

bool wg__canon_store_at(wg_canon_cx *cx, const wg_cval *v, const wg_ctype *t, uint64_t ptr) {
    uint32_t ps = cx_psize(cx);
    switch (t->kind) {
    case WG_CT_STRING: {
        uint64_t begin, units;
        if (!wg__canon_store_string(cx, v, &begin, &units)) return false;
        st_int(cx, ptr, ps, begin);
        st_int(cx, ptr + ps, ps, units);
        return true;
    }
    case WG_CT_LIST: case WG_CT_MAP: {
        if (t->kind == WG_CT_LIST && t->n) return store_elems(cx, v, t->elem, ptr);
        uint64_t begin, len;
        if (!wg__canon_store_list(cx, v, t, &begin, &len)) return false;
        st_int(cx, ptr, ps, begin);
        st_int(cx, ptr + ps, ps, len);
        return true;
    }
    case WG_CT_RECORD: case WG_CT_TUPLE:
        for (uint32_t i = 0; i < t->n; i++) {
            const wg_clayout *l = cx_lay(cx, t->fields[i].type);
            ptr = align_up(ptr, l->align);
            if (!wg__canon_store_at(cx, &v->of.seq.items[i], t->fields[i].type, ptr)) return false;
            ptr += l->size;
        }
        return true;
    case WG_CT_VARIANT: case WG_CT_ENUM: case WG_CT_OPTION: case WG_CT_RESULT:
        return store_variant(cx, v, t, ptr);
    case WG_CT_OWN: case WG_CT_BORROW: {
        uint32_t index;
        if (!wg__canon_lower_handle(cx, v, t, &index)) return false;
        st_int(cx, ptr, 4, index);
        return true;
    }
    case WG_CT_ERROR_CONTEXT: case WG_CT_STREAM: case WG_CT_FUTURE:
        return CX_TRAP(cx, TM_ASYNC, wg__canon_kind_name(t->kind));
    default:
        st_int(cx, ptr, cx_lay(cx, t)->size, wg__canon_scalar_bits(v, t));
        return true;
    }
}

bool wg__canon_store(wg_canon_cx *cx, const wg_cval *v, const wg_ctype *t, uint64_t ptr) {
    if (!wg__canon_need_mem(cx) || !wg__canon_check(cx, v, t)) return false;
    wg__canon_reload(cx);
    const wg_clayout *l = cx_lay(cx, t);
    if (!aligned(ptr, l->align))
        return CX_TRAP(cx, "unaligned pointer: pointer not aligned to %u", l->align);
    if (!in_bounds(cx, ptr, l->size))
        return CX_TRAP(cx, "out of bounds memory access: value of %u bytes at %llu", l->size,
                       (unsigned long long)ptr);
    return wg__canon_store_at(cx, v, t, ptr);
}
