/*
 * Checking a value against its type before it is lowered or stored: what
 * the reference's Python values satisfy by construction (and its asserts
 * assume), a wg_cval from a host may not. Every mismatch is a clear error
 * (wg__canon_bad: "invalid value: ..."), found before anything is allocated
 * in or written to the guest.
 *
 * Strings are bounded as lifted strings are (MAX_STRING_BYTE_LENGTH in
 * their source encoding) and lists by what a 32-bit realloc can be asked
 * for, so the size arithmetic of the lowering code cannot overflow.
 */
#include "component/canon_int.h"
#include "component/utf.h"

static bool check_string(wg_canon_cx *cx, const wg_cval *v) {
    const uint8_t *s = (const uint8_t *)v->of.str.data;
    size_t n = v->of.str.len;
    if (!s && n) return wg__canon_bad(cx, "string of %zu bytes has no data", n);
    if (v->str_enc > WG_CV_ENC_LATIN1_UTF16)
        return wg__canon_bad(cx, "unknown string encoding tag %u", v->str_enc);
    /* Checked before reading the bytes: the limit holds whatever the data. */
    if (n > 3ull * WG_CANON_MAX_STRING_BYTES ||
        (v->str_enc == WG_CV_ENC_UTF8 && n > WG_CANON_MAX_STRING_BYTES))
        return wg__canon_bad(cx, "string of %zu bytes is longer than 2^28-1 bytes", n);
    size_t good;
    uint32_t bad_len;
    if (!wg__utf8_validate(s, n, &good, &bad_len))
        return wg__canon_bad(cx, "string is not UTF-8 (bad byte at index %zu)", good);
    switch (v->str_enc) {
    case WG_CV_ENC_UTF16: case WG_CV_ENC_LATIN1_UTF16:
        if (wg__utf8_count_utf16(s, n) > WG_CANON_MAX_STRING_BYTES / 2)
            return wg__canon_bad(cx, "string is longer than 2^28-1 bytes in UTF-16");
        return true;
    case WG_CV_ENC_LATIN1:
        if (!wg__utf8_is_latin1(s, n))
            return wg__canon_bad(cx, "string tagged Latin-1 has a code point above U+00FF");
        if (wg__utf8_count_chars(s, n) > WG_CANON_MAX_STRING_BYTES)
            return wg__canon_bad(cx, "string is longer than 2^28-1 bytes in Latin-1");
        return true;
    default:
        return true;
    }
}

static bool check_seq(wg_canon_cx *cx, const wg_cval *v, const wg_ctype *t) {
    if (v->of.seq.n && !v->of.seq.items)
        return wg__canon_bad(cx, "%s of %zu items has no items", wg__canon_kind_name(t->kind),
                             v->of.seq.n);
    switch (t->kind) {
    case WG_CT_RECORD: case WG_CT_TUPLE:
        if (v->of.seq.n != t->n)
            return wg__canon_bad(cx, "%s of %u fields given %zu", wg__canon_kind_name(t->kind),
                                 t->n, v->of.seq.n);
        for (uint32_t i = 0; i < t->n; i++)
            if (!wg__canon_check(cx, &v->of.seq.items[i], t->fields[i].type)) return false;
        return true;
    case WG_CT_LIST:
        if (t->n && v->of.seq.n != t->n)
            return wg__canon_bad(cx, "fixed-length list of %u items given %zu", t->n, v->of.seq.n);
        if (!t->n && v->of.seq.n > WG_CANON_REALLOC_I32_MAX / cx_lay(cx, t->elem)->size)
            return wg__canon_bad(cx, "list of %zu items is too long", v->of.seq.n);
        for (size_t i = 0; i < v->of.seq.n; i++)
            if (!wg__canon_check(cx, &v->of.seq.items[i], t->elem)) return false;
        return true;
    default: /* map */
        if (v->of.seq.n > WG_CANON_REALLOC_I32_MAX / ct_pair(cx, t).size)
            return wg__canon_bad(cx, "map of %zu items is too long", v->of.seq.n);
        for (size_t i = 0; i < v->of.seq.n; i++) {
            const wg_cval *kv = &v->of.seq.items[i];
            if (kv->kind != WG_CV_TUPLE || kv->of.seq.n != 2 || !kv->of.seq.items)
                return wg__canon_bad(cx, "map item %zu is not a tuple of key and value", i);
            if (!wg__canon_check(cx, &kv->of.seq.items[0], t->elem) ||
                !wg__canon_check(cx, &kv->of.seq.items[1], t->elem2))
                return false;
        }
        return true;
    }
}

static bool check_variant(wg_canon_cx *cx, const wg_cval *v, const wg_ctype *t) {
    uint32_t n = ct_ncases(t), d = v->of.var.disc;
    if (d >= n)
        return wg__canon_bad(cx, "%s case %u out of range [0..%u)", wg__canon_kind_name(t->kind),
                             d, n);
    const wg_ctype *ct = ct_case(t, d);
    if (!ct != !v->of.var.payload)
        return wg__canon_bad(cx, "%s case %u %s", wg__canon_kind_name(t->kind), d,
                             ct ? "needs a payload" : "has no payload");
    return !ct || wg__canon_check(cx, v->of.var.payload, ct);
}

/* The range of an integer kind: [lo, hi] for signed, [0, hi] for unsigned. */
static bool int_ok(const wg_cval *v, const wg_ctype *t) {
    switch (t->kind) {
    case WG_CT_S8: return v->of.s >= INT8_MIN && v->of.s <= INT8_MAX;
    case WG_CT_S16: return v->of.s >= INT16_MIN && v->of.s <= INT16_MAX;
    case WG_CT_S32: return v->of.s >= INT32_MIN && v->of.s <= INT32_MAX;
    case WG_CT_U8: return v->of.u <= UINT8_MAX;
    case WG_CT_U16: return v->of.u <= UINT16_MAX;
    case WG_CT_U32: return v->of.u <= UINT32_MAX;
    default: return true;
    }
}

bool wg__canon_check(wg_canon_cx *cx, const wg_cval *v, const wg_ctype *t) {
    /* Lifted values are valid; only their handles' types are checked. */
    if (cx->trusted && !t->has_resource) return true;
    if (v->kind == WG_CVX_STRING_VIEW && t->kind == WG_CT_STRING) return true;
    if (v->kind == WG_CVX_LIST_VIEW && t->kind == WG_CT_LIST && !t->n) return true;
    if (v->kind == WG_CV_BYTES && t->kind == WG_CT_LIST && !t->n && t->elem->kind == WG_CT_U8) {
        if (v->of.bytes.len && !v->of.bytes.data)
            return wg__canon_bad(cx, "list<u8> of %zu bytes has no data", v->of.bytes.len);
        if (v->of.bytes.len > WG_CANON_REALLOC_I32_MAX)
            return wg__canon_bad(cx, "list of %zu items is too long", v->of.bytes.len);
        return true;
    }
    if (v->kind != (uint32_t)t->kind)
        return wg__canon_bad(cx, "expected %s, found %s", wg__canon_kind_name(t->kind),
                             wg__canon_kind_name(v->kind));
    switch (t->kind) {
    case WG_CT_S8: case WG_CT_S16: case WG_CT_S32:
        if (!int_ok(v, t))
            return wg__canon_bad(cx, "%lld out of range for %s", (long long)v->of.s,
                                 wg__canon_kind_name(t->kind));
        return true;
    case WG_CT_U8: case WG_CT_U16: case WG_CT_U32:
        if (!int_ok(v, t))
            return wg__canon_bad(cx, "%llu out of range for %s", (unsigned long long)v->of.u,
                                 wg__canon_kind_name(t->kind));
        return true;
    case WG_CT_CHAR:
        if (v->of.c >= 0x110000 || (v->of.c >= 0xD800 && v->of.c <= 0xDFFF))
            return wg__canon_bad(cx, "char %#x is not a Unicode scalar value", v->of.c);
        return true;
    case WG_CT_STRING:
        return check_string(cx, v);
    case WG_CT_LIST: case WG_CT_RECORD: case WG_CT_TUPLE: case WG_CT_MAP:
        return check_seq(cx, v, t);
    case WG_CT_VARIANT: case WG_CT_ENUM: case WG_CT_OPTION: case WG_CT_RESULT:
        return check_variant(cx, v, t);
    case WG_CT_FLAGS:
        if (t->n < 32 && v->of.flags >> t->n)
            return wg__canon_bad(cx, "flags %#x set bits past the %u labels", v->of.flags, t->n);
        return true;
    case WG_CT_OWN: case WG_CT_BORROW: {
        const wg_rtype *rt = wg__canon_slot_type(cx, t);
        if (!rt) return false;
        if (v->of.handle.type != rt) {
            const wg_rtype *got = v->of.handle.type;
            return wg__canon_bad(cx, "%s of resource type `%s` where `%s` is expected",
                                 wg__canon_kind_name(t->kind),
                                 got && got->name ? got->name : "?", rt->name ? rt->name : "?");
        }
        return true;
    }
    case WG_CT_ERROR_CONTEXT: case WG_CT_STREAM: case WG_CT_FUTURE:
        return CX_TRAP(cx, TM_ASYNC, wg__canon_kind_name(t->kind));
    default: /* bool, s64, u64, f32, f64: every representation is a value */
        return true;
    }
}
