/*
 * UTF-8 and UTF-16 primitives for the Canonical ABI's strings: validation
 * with the positions the trap messages quote, code point decoding and
 * encoding, and the length counts transcoding sizes its buffers with.
 */
#ifndef WG_COMPONENT_UTF_H
#define WG_COMPONENT_UTF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Validates s[0..n) as UTF-8 the way Rust's core::str::from_utf8 does (the
 * reference tests' messages are its Utf8Error texts). On failure,
 * *valid_up_to is the length of the valid prefix and *error_len the length
 * of the invalid sequence (1..3), or 0 when the input ends inside a sequence
 * that was valid so far ("incomplete"). */
bool wg__utf8_validate(const uint8_t *s, size_t n, size_t *valid_up_to, uint32_t *error_len);

/* Decodes the code point at s (valid UTF-8); returns its length in bytes. */
static inline uint32_t wg__utf8_decode(const uint8_t *s, uint32_t *cp) {
    uint8_t b = s[0];
    if (b < 0x80) { *cp = b; return 1; }
    if (b < 0xE0) { *cp = (uint32_t)(b & 0x1F) << 6 | (s[1] & 0x3F); return 2; }
    if (b < 0xF0) {
        *cp = (uint32_t)(b & 0x0F) << 12 | (uint32_t)(s[1] & 0x3F) << 6 | (s[2] & 0x3F);
        return 3;
    }
    *cp = (uint32_t)(b & 0x07) << 18 | (uint32_t)(s[1] & 0x3F) << 12 |
          (uint32_t)(s[2] & 0x3F) << 6 | (s[3] & 0x3F);
    return 4;
}

/* Encodes Unicode scalar value cp into out (room for 4); returns the length. */
static inline uint32_t wg__utf8_encode(uint32_t cp, uint8_t *out) {
    if (cp < 0x80) { out[0] = (uint8_t)cp; return 1; }
    if (cp < 0x800) {
        out[0] = (uint8_t)(0xC0 | cp >> 6);
        out[1] = (uint8_t)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (uint8_t)(0xE0 | cp >> 12);
        out[1] = (uint8_t)(0x80 | (cp >> 6 & 0x3F));
        out[2] = (uint8_t)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (uint8_t)(0xF0 | cp >> 18);
    out[1] = (uint8_t)(0x80 | (cp >> 12 & 0x3F));
    out[2] = (uint8_t)(0x80 | (cp >> 6 & 0x3F));
    out[3] = (uint8_t)(0x80 | (cp & 0x3F));
    return 4;
}

/* Counts over valid UTF-8: code points, UTF-16 code units, and whether every
 * code point is below 256 (Latin-1). */
size_t wg__utf8_count_chars(const uint8_t *s, size_t n);
size_t wg__utf8_count_utf16(const uint8_t *s, size_t n);
bool wg__utf8_is_latin1(const uint8_t *s, size_t n);

/* Index of the first byte >= 0x80 in s[0..n), or n. */
size_t wg__ascii_prefix(const uint8_t *s, size_t n);

/* Measures little-endian UTF-16 s[0..units) (unaligned bytes): the UTF-8
 * length of its text, or false with *bad = the index of the first unpaired
 * surrogate. */
bool wg__utf16_utf8_len(const uint8_t *s, size_t units, size_t *len, size_t *bad);

#endif
