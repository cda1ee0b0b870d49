/*
 * UTF-8 / UTF-16 primitives (utf.h). ASCII runs are skipped 8 bytes at a
 * time: most strings crossing the ABI are mostly ASCII.
 */
#include "component/utf.h"

#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#define HIGH_BITS 0x8080808080808080ull

size_t wg__ascii_prefix(const uint8_t *s, size_t n) {
    size_t i = 0;
    /* 64 bytes a round with one test, then 8, then 1: validating a string
     * should cost about what copying it does. */
#ifdef __SSE2__
    for (; i + 64 <= n; i += 64) {
        __m128i a = _mm_loadu_si128((const __m128i *)(s + i));
        __m128i b = _mm_loadu_si128((const __m128i *)(s + i + 16));
        __m128i c = _mm_loadu_si128((const __m128i *)(s + i + 32));
        __m128i d = _mm_loadu_si128((const __m128i *)(s + i + 48));
        if (_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(a, b), _mm_or_si128(c, d)))) break;
    }
#else
    for (; i + 32 <= n; i += 32) {
        uint64_t w0, w1, w2, w3;
        memcpy(&w0, s + i, 8);
        memcpy(&w1, s + i + 8, 8);
        memcpy(&w2, s + i + 16, 8);
        memcpy(&w3, s + i + 24, 8);
        if ((w0 | w1 | w2 | w3) & HIGH_BITS) break;
    }
#endif
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        if (w & HIGH_BITS) break;
    }
    while (i < n && s[i] < 0x80) i++;
    return i;
}

static bool cont(uint8_t b) {
    return (b & 0xC0) == 0x80;
}

bool wg__utf8_validate(const uint8_t *s, size_t n, size_t *valid_up_to, uint32_t *error_len) {
    size_t i = 0;
    while (i < n) {
        if (s[i] < 0x80) {
            i += wg__ascii_prefix(s + i, n - i);
            continue;
        }
        uint8_t b = s[i];
        uint32_t width = b >= 0xC2 && b <= 0xDF ? 2 : b >= 0xE0 && b <= 0xEF ? 3
                       : b >= 0xF0 && b <= 0xF4 ? 4 : 0;
        *valid_up_to = i;
        if (width == 0) goto invalid1;
        /* As Rust: a sequence cut short by the end is "incomplete" (error_len
         * 0) only if the bytes it has are right so far. */
        if (i + 1 >= n) goto incomplete;
        uint8_t c = s[i + 1];
        bool ok2;
        switch (b) {
        case 0xE0: ok2 = c >= 0xA0 && c <= 0xBF; break;
        case 0xED: ok2 = c >= 0x80 && c <= 0x9F; break;
        case 0xF0: ok2 = c >= 0x90 && c <= 0xBF; break;
        case 0xF4: ok2 = c >= 0x80 && c <= 0x8F; break;
        default: ok2 = cont(c); break;
        }
        if (!ok2) goto invalid1;
        if (width >= 3) {
            if (i + 2 >= n) goto incomplete;
            if (!cont(s[i + 2])) {
                *error_len = 2;
                return false;
            }
        }
        if (width == 4) {
            if (i + 3 >= n) goto incomplete;
            if (!cont(s[i + 3])) {
                *error_len = 3;
                return false;
            }
        }
        i += width;
    }
    return true;
invalid1:
    *error_len = 1;
    return false;
incomplete:
    *error_len = 0;
    return false;
}

size_t wg__utf8_count_chars(const uint8_t *s, size_t n) {
    size_t c = 0;
    for (size_t i = 0; i < n; i++) c += !cont(s[i]);
    return c;
}

size_t wg__utf8_count_utf16(const uint8_t *s, size_t n) {
    /* One unit per code point, two for the 4-byte ones. */
    size_t c = 0;
    for (size_t i = 0; i < n; i++) c += !cont(s[i]) + (s[i] >= 0xF0);
    return c;
}

bool wg__utf8_is_latin1(const uint8_t *s, size_t n) {
    /* Code points below 256 are ASCII or the 2-byte forms led by C2/C3. */
    for (size_t i = 0; i < n; i++)
        if (s[i] >= 0x80 && !cont(s[i]) && s[i] > 0xC3) return false;
    return true;
}

static uint32_t unit(const uint8_t *s, size_t i) {
    return (uint32_t)s[2 * i] | (uint32_t)s[2 * i + 1] << 8;
}

bool wg__utf16_utf8_len(const uint8_t *s, size_t units, size_t *len, size_t *bad) {
    size_t out = 0;
    for (size_t i = 0; i < units; i++) {
        uint32_t u = unit(s, i);
        if (u < 0x80) out += 1;
        else if (u < 0x800) out += 2;
        else if (u < 0xD800 || u > 0xDFFF) out += 3;
        else if (u <= 0xDBFF && i + 1 < units && unit(s, i + 1) >= 0xDC00 &&
                 unit(s, i + 1) <= 0xDFFF) {
            out += 4;
            i++;
        } else {
            *bad = i;
            return false;
        }
    }
    *len = out;
    return true;
}
