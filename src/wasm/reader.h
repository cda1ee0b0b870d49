/*
 * A bounds-checked cursor over the binary format: LEB128 integers (with the
 * spec's rules on length and unused bits), bytes, floats, names.
 * Used by the decoder (sections) and the compiler (function bodies).
 *
 * Every read returns false on failure and leaves a message in r->err in the
 * spec's wording ("unexpected end", "integer representation too long",
 * "integer too large", "malformed UTF-8 encoding"); r->err_pos is the offset
 * (from the start of the module) where it happened.
 */
#ifndef WG_WASM_READER_H
#define WG_WASM_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct wg_reader {
    const uint8_t *p;       /* next byte */
    const uint8_t *end;     /* one past the last readable byte */
    const uint8_t *base;    /* start of the module, for offsets */
    const char *err;        /* static message of the first failure, or NULL */
    size_t err_pos;
} wg_reader;

static inline size_t wg_reader_pos(const wg_reader *r) { return (size_t)(r->p - r->base); }

static inline bool wg_reader_fail(wg_reader *r, const char *msg) {
    if (!r->err) { r->err = msg; r->err_pos = wg_reader_pos(r); }
    return false;
}

static inline bool wg_read_u8(wg_reader *r, uint8_t *out) {
    if (r->p >= r->end) return wg_reader_fail(r, "unexpected end");
    *out = *r->p++;
    return true;
}

/* Unsigned LEB128 of at most `bits` bits (32 or 64). */
static inline bool wg_read_uleb(wg_reader *r, unsigned bits, uint64_t *out) {
    uint64_t result = 0;
    unsigned shift = 0;
    const unsigned max_bytes = (bits + 6) / 7;
    for (unsigned i = 0;; i++) {
        if (r->p >= r->end) return wg_reader_fail(r, "unexpected end");
        uint8_t b = *r->p++;
        if (i == max_bytes - 1) {
            /* last permitted byte: no continuation, unused bits must be zero */
            if (b & 0x80) return wg_reader_fail(r, "integer representation too long");
            unsigned used = bits - shift;
            if (used < 7 && (b >> used) != 0) return wg_reader_fail(r, "integer too large");
            result |= (uint64_t)b << shift;
            break;
        }
        result |= (uint64_t)(b & 0x7F) << shift;
        shift += 7;
        if (!(b & 0x80)) break;
    }
    *out = result;
    return true;
}

/* Signed LEB128 of at most `bits` bits (32 or 64), sign-extended. */
static inline bool wg_read_sleb(wg_reader *r, unsigned bits, int64_t *out) {
    uint64_t result = 0;
    unsigned shift = 0;
    const unsigned max_bytes = (bits + 6) / 7;
    uint8_t b;
    for (unsigned i = 0;; i++) {
        if (r->p >= r->end) return wg_reader_fail(r, "unexpected end");
        b = *r->p++;
        if (i == max_bytes - 1) {
            if (b & 0x80) return wg_reader_fail(r, "integer representation too long");
            /* the unused high bits must all equal the sign bit */
            unsigned used = bits - shift;      /* bits taken from this byte, 1..7 */
            if (used < 7) {
                int8_t sb = (int8_t)(b << 1) >> 1;  /* sign-extend 7-bit payload */
                int8_t expect = (int8_t)((int8_t)(b << (8 - used)) >> (8 - used));
                if (sb != expect) return wg_reader_fail(r, "integer too large");
            }
            result |= (uint64_t)(b & 0x7F) << shift;
            shift += 7;
            break;
        }
        result |= (uint64_t)(b & 0x7F) << shift;
        shift += 7;
        if (!(b & 0x80)) break;
    }
    if (shift < 64 && (b & 0x40)) result |= ~(uint64_t)0 << shift;
    int64_t v = (int64_t)result;
    if (bits == 32) v = (int32_t)(uint32_t)result;
    *out = v;
    return true;
}

static inline bool wg_read_u32(wg_reader *r, uint32_t *out) {
    uint64_t v;
    if (!wg_read_uleb(r, 32, &v)) return false;
    *out = (uint32_t)v;
    return true;
}

static inline bool wg_read_s32(wg_reader *r, int32_t *out) {
    int64_t v;
    if (!wg_read_sleb(r, 32, &v)) return false;
    *out = (int32_t)v;
    return true;
}

static inline bool wg_read_s64(wg_reader *r, int64_t *out) { return wg_read_sleb(r, 64, out); }

/* Signed 33-bit LEB (block types with a type index). */
static inline bool wg_read_s33(wg_reader *r, int64_t *out) { return wg_read_sleb(r, 33, out); }

static inline bool wg_read_bytes(wg_reader *r, size_t n, const uint8_t **out) {
    if ((size_t)(r->end - r->p) < n) return wg_reader_fail(r, "unexpected end");
    *out = r->p;
    r->p += n;
    return true;
}

static inline bool wg_read_f32_bits(wg_reader *r, uint32_t *out) {
    const uint8_t *b;
    if (!wg_read_bytes(r, 4, &b)) return false;
    memcpy(out, b, 4); /* little-endian host assumed (x86-64, aarch64) */
    return true;
}

static inline bool wg_read_f64_bits(wg_reader *r, uint64_t *out) {
    const uint8_t *b;
    if (!wg_read_bytes(r, 8, &b)) return false;
    memcpy(out, b, 8);
    return true;
}

#endif
