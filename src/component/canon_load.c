/*
 * Loading values from guest memory (CanonicalABI.md "Loading": load and its
 * helpers): memory -> wg_cval. The checks that protect the host (alignment,
 * bounds, lengths) come from the reference's trap_if calls, in its order;
 * its asserts (a load's own pointer is aligned and in bounds) hold here by
 * construction, and wg__canon_load checks them at the entry.
 *
 * On failure the value being built is freed and *out owns nothing.
 */
#include <stdlib.h>

#include "component/canon_int.h"

static bool async_trap(wg_canon_cx *cx, const wg_ctype *t) {
    return CX_TRAP(cx, TM_ASYNC, wg__canon_kind_name(t->kind));
}

/* A sequence value of n zeroed items (kind 0 owns nothing: freeing a
 * half-built one is safe). */
static bool new_seq(wg_canon_cx *cx, uint32_t kind, uint64_t n, wg_cval *out) {
    *out = (wg_cval){.kind = kind};
    out->of.seq.n = n;
    if (n == 0) return true;
    out->of.seq.items = calloc(n, sizeof *out->of.seq.items);
    if (!out->of.seq.items) {
        *out = (wg_cval){.kind = WG_CV_BOOL};
        return wg__canon_oom(cx->trap);
    }
    return true;
}

static bool fail_free(wg_cval *v) {
    wg_cval_free(v);
    return false;
}

/* n consecutive elements of type elem (a fixed-length list, or a list's
 * validated range). */
static bool load_elems(wg_canon_cx *cx, uint64_t ptr, uint64_t n, const wg_ctype *elem,
                       wg_cval *out) {
    if (!new_seq(cx, WG_CV_LIST, n, out)) return false;
    uint32_t size = cx_lay(cx, elem)->size;
    for (uint64_t i = 0; i < n; i++)
        if (!wg__canon_load_at(cx, ptr + i * size, elem, &out->of.seq.items[i]))
            return fail_free(out);
    return true;
}

/* A map's elements: tuple<key, value> each. */
static bool load_pairs(wg_canon_cx *cx, uint64_t ptr, uint64_t n, const wg_ctype *map,
                       wg_cval *out) {
    wg_canon_pair p = ct_pair(cx, map);
    if (!new_seq(cx, WG_CV_MAP, n, out)) return false;
    for (uint64_t i = 0; i < n; i++) {
        wg_cval *kv = &out->of.seq.items[i];
        uint64_t at = ptr + i * p.size;
        if (!new_seq(cx, WG_CV_TUPLE, 2, kv) ||
            !wg__canon_load_at(cx, at, map->elem, &kv->of.seq.items[0]) ||
            !wg__canon_load_at(cx, at + p.voff, map->elem2, &kv->of.seq.items[1]))
            return fail_free(out);
    }
    return true;
}

bool wg__canon_load_list(wg_canon_cx *cx, uint64_t ptr, uint64_t len, const wg_ctype *t,
                         wg_cval *out) {
    uint32_t size, align;
    if (t->kind == WG_CT_MAP) {
        wg_canon_pair p = ct_pair(cx, t);
        size = p.size;
        align = p.align;
    } else {
        size = cx_lay(cx, t->elem)->size;
        align = cx_lay(cx, t->elem)->align;
    }
    if (len > WG_CANON_MAX_LIST_BYTES / size) return CX_TRAP(cx, "%s", TM_LIST_LONG);
    if (!aligned(ptr, align)) return CX_TRAP(cx, TM_LIST_ALIGN, align);
    if (!in_bounds(cx, ptr, len * size)) return CX_TRAP(cx, "%s", TM_LIST_OOB);
    if (cx->views && t->kind == WG_CT_LIST && wg__canon_is_plain(t->elem)) {
        if (!wg__canon_plain_validate(cx, cx->mem + ptr, len, t->elem)) return false;
        *out = (wg_cval){.kind = WG_CVX_LIST_VIEW};
        out->of.str.data = (char *)(cx->mem + ptr);
        out->of.str.len = len;
        return true;
    }
    if (t->kind == WG_CT_MAP) return load_pairs(cx, ptr, len, t, out);
    if (t->elem->kind == WG_CT_U8) {
        /* list<u8>: one buffer (WG_CV_BYTES), not a value per byte. */
        *out = (wg_cval){.kind = WG_CV_BYTES};
        out->of.bytes.len = len;
        if (!len) return true;
        if (!(out->of.bytes.data = malloc(len))) {
            *out = (wg_cval){.kind = WG_CV_BOOL};
            return wg__canon_oom(cx->trap);
        }
        memcpy(out->of.bytes.data, cx->mem + ptr, len);
        return true;
    }
    return load_elems(cx, ptr, len, t->elem, out);
}

static bool load_record(wg_canon_cx *cx, uint64_t ptr, const wg_ctype *t, wg_cval *out) {
    if (!new_seq(cx, t->kind == WG_CT_TUPLE ? WG_CV_TUPLE : WG_CV_RECORD, t->n, out)) return false;
    for (uint32_t i = 0; i < t->n; i++) {
        const wg_clayout *l = cx_lay(cx, t->fields[i].type);
        ptr = align_up(ptr, l->align);
        if (!wg__canon_load_at(cx, ptr, t->fields[i].type, &out->of.seq.items[i]))
            return fail_free(out);
        ptr += l->size;
    }
    return true;
}

static bool load_variant(wg_canon_cx *cx, uint64_t ptr, const wg_ctype *t, wg_cval *out) {
    uint32_t ncases = ct_ncases(t);
    uint64_t disc = ld_int(cx, ptr, wg__ctype_disc_size(ncases));
    if (disc >= ncases) return CX_TRAP(cx, TM_DISC, (unsigned long long)disc, ncases);
    *out = (wg_cval){.kind = t->kind, .of.var.disc = (uint32_t)disc};
    const wg_ctype *ct = ct_case(t, (uint32_t)disc);
    if (!ct) return true;
    wg_cval *p = malloc(sizeof *p);
    if (!p) return wg__canon_oom(cx->trap);
    /* The payload sits at the variant's alignment (max(discriminant size,
     * max case alignment) = align_to(discriminant size, max case alignment)). */
    if (!wg__canon_load_at(cx, ptr + cx_lay(cx, t)->align, ct, p)) {
        free(p);
        return false;
    }
    out->of.var.payload = p;
    return true;
}

bool wg__canon_load_at(wg_canon_cx *cx, uint64_t ptr, const wg_ctype *t, wg_cval *out) {
    uint32_t size = cx_lay(cx, t)->size;
    switch (t->kind) {
    case WG_CT_BOOL:
        *out = (wg_cval){.kind = WG_CV_BOOL, .of.b = cx->mem[ptr] != 0};
        return true;
    case WG_CT_U8: case WG_CT_U16: case WG_CT_U32: case WG_CT_U64:
        *out = (wg_cval){.kind = t->kind, .of.u = ld_int(cx, ptr, size)};
        return true;
    case WG_CT_S8: case WG_CT_S16: case WG_CT_S32: case WG_CT_S64: {
        uint64_t u = ld_int(cx, ptr, size);
        int64_t s = size == 1 ? (int8_t)u : size == 2 ? (int16_t)u : size == 4 ? (int32_t)u
                                                                    : (int64_t)u;
        *out = (wg_cval){.kind = t->kind, .of.s = s};
        return true;
    }
    case WG_CT_F32: {
        uint32_t bits = wg__canon_f32_bits((uint32_t)ld_int(cx, ptr, 4));
        *out = (wg_cval){.kind = WG_CV_F32};
        memcpy(&out->of.f32, &bits, 4);
        return true;
    }
    case WG_CT_F64: {
        uint64_t bits = wg__canon_f64_bits(ld_int(cx, ptr, 8));
        *out = (wg_cval){.kind = WG_CV_F64};
        memcpy(&out->of.f64, &bits, 8);
        return true;
    }
    case WG_CT_CHAR:
        return wg__canon_lift_char(cx, (uint32_t)ld_int(cx, ptr, 4), out);
    case WG_CT_STRING: {
        uint32_t ps = cx_psize(cx);
        return wg__canon_load_string(cx, ld_int(cx, ptr, ps), ld_int(cx, ptr + ps, ps), out);
    }
    case WG_CT_LIST: case WG_CT_MAP: {
        if (t->kind == WG_CT_LIST && t->n) return load_elems(cx, ptr, t->n, t->elem, out);
        uint32_t ps = cx_psize(cx);
        return wg__canon_load_list(cx, ld_int(cx, ptr, ps), ld_int(cx, ptr + ps, ps), t, out);
    }
    case WG_CT_RECORD: case WG_CT_TUPLE:
        return load_record(cx, ptr, t, out);
    case WG_CT_VARIANT: case WG_CT_ENUM: case WG_CT_OPTION: case WG_CT_RESULT:
        return load_variant(cx, ptr, t, out);
    case WG_CT_FLAGS: {
        /* Bits past the labels are ignored (unpack_flags_from_int). */
        uint32_t bits = (uint32_t)ld_int(cx, ptr, size);
        if (t->n < 32) bits &= (1u << t->n) - 1;
        *out = (wg_cval){.kind = WG_CV_FLAGS, .of.flags = bits};
        return true;
    }
    case WG_CT_OWN: case WG_CT_BORROW:
        return wg__canon_lift_handle(cx, (uint32_t)ld_int(cx, ptr, 4), t, out);
    case WG_CT_ERROR_CONTEXT: case WG_CT_STREAM: case WG_CT_FUTURE:
        return async_trap(cx, t);
    }
    return CX_TRAP(cx, "unknown value type kind %u", (unsigned)t->kind);
}

bool wg__canon_load(wg_canon_cx *cx, uint64_t ptr, const wg_ctype *t, wg_cval *out) {
    *out = (wg_cval){.kind = WG_CV_BOOL};
    if (!wg__canon_need_mem(cx)) return false;
    wg__canon_reload(cx);
    const wg_clayout *l = cx_lay(cx, t);
    if (!aligned(ptr, l->align))
        return CX_TRAP(cx, "unaligned pointer: pointer not aligned to %u", l->align);
    if (!in_bounds(cx, ptr, l->size))
        return CX_TRAP(cx, "out of bounds memory access: value of %u bytes at %llu", l->size,
                       (unsigned long long)ptr);
    return wg__canon_load_at(cx, ptr, t, out);
}
