/*
 * Strings (CanonicalABI.md "Loading" load_string_from_range, "Storing"
 * store_string_into_range and its transcoders): UTF-8, UTF-16 and
 * latin1+utf16 guest memories on one side, UTF-8 wg_cval strings on the
 * other.
 *
 * A lifted string records the encoding it had (str_enc); lowering derives
 * the reference's source code-unit count from it, so the realloc calls it
 * makes (sizes, order, the shrink at the end) are the reference's call for
 * call. The transcoders write into guest memory as the reference does,
 * including the part written before a growing realloc (the guest's realloc
 * must carry it over). Guest memory may move during realloc: every write
 * goes through cx->mem re-read after the call.
 */
#include <stdlib.h>

#include "component/canon_int.h"
#include "component/utf.h"

#define MAX_STR WG_CANON_MAX_STRING_BYTES

static uint64_t utf16_tag(const wg_canon_cx *cx) {
    return cx_mem64(cx) ? 1ull << 63 : 1ull << 31;
}

/* ---- lifting -------------------------------------------------------------------- */

/* A UTF-8 string value of len bytes to fill (data never NULL). */
static bool new_string(wg_canon_cx *cx, size_t len, uint32_t enc, wg_cval *out) {
    char *d = malloc(len ? len : 1);
    if (!d) return wg__canon_oom(cx->trap);
    *out = (wg_cval){.kind = WG_CV_STRING, .str_enc = enc};
    out->of.str.data = d;
    out->of.str.len = len;
    return true;
}

static bool lift_utf8(wg_canon_cx *cx, const uint8_t *s, uint64_t n, wg_cval *out) {
    size_t good;
    uint32_t bad_len;
    if (!wg__utf8_validate(s, n, &good, &bad_len)) {
        /* Rust's Utf8Error wording, as the reference tests quote it. */
        if (bad_len)
            return CX_TRAP(cx, "invalid utf-8 sequence of %u bytes from index %zu", bad_len, good);
        return CX_TRAP(cx, "incomplete utf-8 byte sequence from index %zu", good);
    }
    if (!new_string(cx, n, WG_CV_ENC_UTF8, out)) return false;
    if (n) memcpy(out->of.str.data, s, n);
    return true;
}

static bool lift_utf16(wg_canon_cx *cx, const uint8_t *s, uint64_t units, uint32_t enc,
                       wg_cval *out) {
    size_t len, bad;
    if (!wg__utf16_utf8_len(s, units, &len, &bad))
        return CX_TRAP(cx, "invalid utf-16: unpaired surrogate at code unit %zu", bad);
    if (!new_string(cx, len, enc, out)) return false;
    uint8_t *d = (uint8_t *)out->of.str.data;
    for (uint64_t i = 0; i < units; i++) {
        uint32_t u = (uint32_t)s[2 * i] | (uint32_t)s[2 * i + 1] << 8;
        if (u >= 0xD800 && u <= 0xDBFF) {
            uint32_t lo = (uint32_t)s[2 * i + 2] | (uint32_t)s[2 * i + 3] << 8;
            u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
            i++;
        }
        d += wg__utf8_encode(u, d);
    }
    return true;
}

static bool lift_latin1(wg_canon_cx *cx, const uint8_t *s, uint64_t n, wg_cval *out) {
    size_t len = n;
    for (uint64_t i = 0; i < n; i++) len += s[i] >= 0x80;
    if (!new_string(cx, len, WG_CV_ENC_LATIN1, out)) return false;
    uint8_t *d = (uint8_t *)out->of.str.data;
    for (uint64_t i = 0; i < n; i++) d += wg__utf8_encode(s[i], d);
    return true;
}

bool wg__canon_load_string(wg_canon_cx *cx, uint64_t ptr, uint64_t tagged, wg_cval *out) {
    if (!wg__canon_need_mem(cx)) return false;
    enum { UTF8, UTF16, LATIN1 } how;
    uint64_t units = tagged;
    uint32_t enc = WG_CV_ENC_UTF8;
    switch (cx->opts->enc) {
    case WG_CANON_UTF8: how = UTF8; break;
    case WG_CANON_UTF16: how = UTF16; enc = WG_CV_ENC_UTF16; break;
    default:
        if (tagged & utf16_tag(cx)) {
            how = UTF16;
            units = tagged ^ utf16_tag(cx);
            enc = WG_CV_ENC_LATIN1_UTF16;
        } else {
            how = LATIN1;
            enc = WG_CV_ENC_LATIN1;
        }
        break;
    }
    /* The checks in the reference's order: length, alignment, bounds. A
     * UTF-16 length is compared before doubling (it may not fit 64 bits). */
    if (how == UTF16 ? units > MAX_STR / 2 : units > MAX_STR)
        return CX_TRAP(cx, TM_STRING_LONG, (unsigned long long)units);
    uint64_t bytes = how == UTF16 ? 2 * units : units;
    if (cx->opts->enc != WG_CANON_UTF8 && !aligned(ptr, 2)) return CX_TRAP(cx, "%s", TM_STRING_ALIGN);
    if (!in_bounds(cx, ptr, bytes)) return CX_TRAP(cx, "%s", TM_STRING_OOB);
    const uint8_t *s = cx->mem + ptr;
    if (how == UTF8 && cx->views) {
        size_t good;
        uint32_t bad_len;
        if (!wg__utf8_validate(s, bytes, &good, &bad_len)) return lift_utf8(cx, s, bytes, out);
        *out = (wg_cval){.kind = WG_CVX_STRING_VIEW};
        out->of.str.data = (char *)s;
        out->of.str.len = bytes;
        return true;
    }
    switch (how) {
    case UTF8: return lift_utf8(cx, s, bytes, out);
    case UTF16: return lift_utf16(cx, s, units, enc, out);
    default: return lift_latin1(cx, s, bytes, out);
    }
}

/* ---- lowering ------------------------------------------------------------------- */

/* allocate / reallocate followed by the reference's checks (align 1 skips
 * the alignment check, as the reference does not make it). */
static bool alloc_checked(wg_canon_cx *cx, uint64_t old, uint64_t old_size, uint32_t align,
                          uint64_t size, uint64_t *ptr) {
    if (!wg__canon_realloc(cx, old, old_size, align, size, ptr)) return false;
    return wg__canon_check_alloc(cx, *ptr, align, size, TM_STRING_REALLOC_OOB);
}

/* Writes the UTF-16LE form of UTF-8 s[0..n) at dst; returns the bytes written. */
static uint64_t put_utf16(uint8_t *dst, const uint8_t *s, size_t n) {
    uint64_t o = 0;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        i += wg__utf8_decode(s + i, &cp);
        if (cp >= 0x10000) {
            cp -= 0x10000;
            uint32_t hi = 0xD800 + (cp >> 10), lo = 0xDC00 + (cp & 0x3FF);
            dst[o++] = (uint8_t)hi;
            dst[o++] = (uint8_t)(hi >> 8);
            dst[o++] = (uint8_t)lo;
            dst[o++] = (uint8_t)(lo >> 8);
        } else {
            dst[o++] = (uint8_t)cp;
            dst[o++] = (uint8_t)(cp >> 8);
        }
    }
    return o;
}

/* Writes the Latin-1 form of UTF-8 s[0..n) (every code point < 256) at dst. */
static void put_latin1(uint8_t *dst, const uint8_t *s, size_t n) {
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        i += wg__utf8_decode(s + i, &cp);
        *dst++ = (uint8_t)cp;
    }
}

/* store_string_copy: the destination code units are the source's. */
static bool copy_out(wg_canon_cx *cx, const uint8_t *s, size_t n, uint64_t units,
                     uint32_t unit_size, uint32_t align, uint64_t *ptr, uint64_t *out_units) {
    uint64_t bytes = unit_size * units;
    if (!alloc_checked(cx, 0, 0, align, bytes, ptr)) return false;
    uint8_t *dst = cx->mem + *ptr;
    if (unit_size == 2) put_utf16(dst, s, n);
    else if (cx->opts->enc == WG_CANON_UTF8) memcpy(dst, s, n);
    else put_latin1(dst, s, n);
    *out_units = units;
    return true;
}

/* store_utf16_to_utf8 / store_latin1_to_utf8 (store_string_to_utf8). */
static bool to_utf8(wg_canon_cx *cx, const uint8_t *s, size_t n, uint64_t units,
                    uint64_t worst, uint64_t *ptr, uint64_t *out_units) {
    if (!alloc_checked(cx, 0, 0, 1, units, ptr)) return false;
    size_t i = wg__ascii_prefix(s, n);
    memcpy(cx->mem + *ptr, s, i);
    if (i == n) {
        *out_units = units;
        return true;
    }
    /* The first non-ASCII code point: grow to the worst case and write the
     * rest (the ASCII prefix is as long in bytes as in code points). */
    if (!alloc_checked(cx, *ptr, units, 1, worst, ptr)) return false;
    memcpy(cx->mem + *ptr + i, s + i, n - i);
    if (worst > n && !alloc_checked(cx, *ptr, worst, 1, n, ptr)) return false;
    *out_units = n;
    return true;
}

/* store_utf8_to_utf16. */
static bool utf8_to_utf16(wg_canon_cx *cx, const uint8_t *s, size_t n, uint64_t units,
                          uint64_t *ptr, uint64_t *out_units) {
    uint64_t worst = 2 * units;
    if (!alloc_checked(cx, 0, 0, 2, worst, ptr)) return false;
    uint64_t len = put_utf16(cx->mem + *ptr, s, n);
    if (len < worst && !alloc_checked(cx, *ptr, worst, 2, len, ptr)) return false;
    *out_units = len / 2;
    return true;
}

/* store_string_to_latin1_or_utf16. */
static bool to_latin1_or_utf16(wg_canon_cx *cx, const uint8_t *s, size_t n, uint64_t units,
                               uint64_t *ptr, uint64_t *out_units) {
    if (!alloc_checked(cx, 0, 0, 2, units, ptr)) return false;
    uint64_t dst_len = 0;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        uint32_t w = wg__utf8_decode(s + i, &cp);
        if (cp < 256) {
            cx->mem[*ptr + dst_len++] = (uint8_t)cp;
            i += w;
            continue;
        }
        /* Inflate what was written to UTF-16 in place, then the rest. */
        uint64_t worst = 2 * units;
        if (!alloc_checked(cx, *ptr, units, 2, worst, ptr)) return false;
        uint8_t *d = cx->mem + *ptr;
        for (uint64_t j = dst_len; j-- > 0;) {
            d[2 * j] = d[j];
            d[2 * j + 1] = 0;
        }
        uint64_t len = 2 * dst_len + put_utf16(d + 2 * dst_len, s + i, n - i);
        if (worst > len && !alloc_checked(cx, *ptr, worst, 2, len, ptr)) return false;
        *out_units = len / 2 | utf16_tag(cx);
        return true;
    }
    if (dst_len < units && !alloc_checked(cx, *ptr, units, 2, dst_len, ptr)) return false;
    *out_units = dst_len;
    return true;
}

/* store_probably_utf16_to_latin1_or_utf16. */
static bool probably_utf16(wg_canon_cx *cx, const uint8_t *s, size_t n, uint64_t units,
                           uint64_t *ptr, uint64_t *out_units) {
    uint64_t bytes = 2 * units;
    if (!alloc_checked(cx, 0, 0, 2, bytes, ptr)) return false;
    put_utf16(cx->mem + *ptr, s, n);
    if (!wg__utf8_is_latin1(s, n)) {
        *out_units = units | utf16_tag(cx);
        return true;
    }
    uint8_t *d = cx->mem + *ptr;
    for (uint64_t i = 0; i < units; i++) d[i] = d[2 * i];
    /* The reference checks only the bounds here (alignment 1). */
    if (!wg__canon_realloc(cx, *ptr, bytes, 1, units, ptr)) return false;
    if (!in_bounds(cx, *ptr, units)) return CX_TRAP(cx, "%s", TM_STRING_REALLOC_OOB);
    *out_units = units;
    return true;
}

bool wg__canon_store_string(wg_canon_cx *cx, const wg_cval *v, uint64_t *ptr,
                            uint64_t *tagged) {
    const uint8_t *s = (const uint8_t *)v->of.str.data;
    size_t n = v->of.str.len;
    /* The source's code units, as the reference's String triple has them
     * (wg__canon_check bounded them by MAX_STRING_BYTE_LENGTH). */
    uint64_t units;
    switch (v->str_enc) {
    case WG_CV_ENC_UTF16: case WG_CV_ENC_LATIN1_UTF16: units = wg__utf8_count_utf16(s, n); break;
    case WG_CV_ENC_LATIN1: units = wg__utf8_count_chars(s, n); break;
    default: units = n; break;
    }
    bool src_utf16 = v->str_enc == WG_CV_ENC_UTF16 || v->str_enc == WG_CV_ENC_LATIN1_UTF16;
    bool src_latin1 = v->str_enc == WG_CV_ENC_LATIN1;
    switch (cx->opts->enc) {
    case WG_CANON_UTF8:
        if (src_utf16) return to_utf8(cx, s, n, units, 3 * units, ptr, tagged);
        if (src_latin1) return to_utf8(cx, s, n, units, 2 * units, ptr, tagged);
        return copy_out(cx, s, n, units, 1, 1, ptr, tagged);
    case WG_CANON_UTF16:
        if (src_utf16 || src_latin1) return copy_out(cx, s, n, units, 2, 2, ptr, tagged);
        return utf8_to_utf16(cx, s, n, units, ptr, tagged);
    default:
        if (v->str_enc == WG_CV_ENC_LATIN1) return copy_out(cx, s, n, units, 1, 2, ptr, tagged);
        if (v->str_enc == WG_CV_ENC_LATIN1_UTF16)
            return probably_utf16(cx, s, n, units, ptr, tagged);
        return to_latin1_or_utf16(cx, s, n, units, ptr, tagged);
    }
}
