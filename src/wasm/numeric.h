/*
 * Numeric helpers with the exact semantics of the WebAssembly spec (section
 * 4.3, "Numerics"): integer ops on unsigned types (no signed overflow in C),
 * float min/max/nearest/copysign, and float->int conversions with the spec's
 * exact range boundaries. Static inline, included by interp.c and the tests.
 *
 * Float values travel as bit patterns where the spec says the op is a pure bit
 * operation (abs, neg, copysign): those never change a NaN's payload.
 */
#ifndef WG_WASM_NUMERIC_H
#define WG_WASM_NUMERIC_H

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/* ---- bit casts ---- */

static inline uint32_t wg_f32_bits(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }
static inline uint64_t wg_f64_bits(double f) { uint64_t u; memcpy(&u, &f, 8); return u; }
static inline float wg_bits_f32(uint32_t u) { float f; memcpy(&f, &u, 4); return f; }
static inline double wg_bits_f64(uint64_t u) { double f; memcpy(&f, &u, 8); return f; }

/* ---- integer ops: operands and results are unsigned bit patterns ---- */

static inline uint32_t wg_i32_rotl(uint32_t x, uint32_t k) {
    k &= 31;
    return (x << k) | (x >> ((32 - k) & 31));
}
static inline uint32_t wg_i32_rotr(uint32_t x, uint32_t k) {
    k &= 31;
    return (x >> k) | (x << ((32 - k) & 31));
}
static inline uint64_t wg_i64_rotl(uint64_t x, uint64_t k) {
    k &= 63;
    return (x << k) | (x >> ((64 - k) & 63));
}
static inline uint64_t wg_i64_rotr(uint64_t x, uint64_t k) {
    k &= 63;
    return (x >> k) | (x << ((64 - k) & 63));
}
/* Arithmetic shift right (gcc and clang shift signed values arithmetically). */
static inline uint32_t wg_i32_shr_s(uint32_t x, uint32_t k) {
    return (uint32_t)((int32_t)x >> (k & 31));
}
static inline uint64_t wg_i64_shr_s(uint64_t x, uint64_t k) {
    return (uint64_t)((int64_t)x >> (k & 63));
}
static inline uint32_t wg_i32_clz(uint32_t x) { return x ? (uint32_t)__builtin_clz(x) : 32; }
static inline uint32_t wg_i32_ctz(uint32_t x) { return x ? (uint32_t)__builtin_ctz(x) : 32; }
static inline uint32_t wg_i32_popcnt(uint32_t x) { return (uint32_t)__builtin_popcount(x); }
static inline uint64_t wg_i64_clz(uint64_t x) { return x ? (uint64_t)__builtin_clzll(x) : 64; }
static inline uint64_t wg_i64_ctz(uint64_t x) { return x ? (uint64_t)__builtin_ctzll(x) : 64; }
static inline uint64_t wg_i64_popcnt(uint64_t x) { return (uint64_t)__builtin_popcountll(x); }

/* ---- float ops ---- */

/* min/max: a NaN operand gives a NaN (a + b propagates it and is an arithmetic
 * NaN); -0 < +0, so for equal operands min ORs the sign bits and max ANDs them. */
static inline float wg_f32_min(float a, float b) {
    if (a != a || b != b) return a + b;
    if (a == b) return wg_bits_f32(wg_f32_bits(a) | wg_f32_bits(b));
    return a < b ? a : b;
}
static inline float wg_f32_max(float a, float b) {
    if (a != a || b != b) return a + b;
    if (a == b) return wg_bits_f32(wg_f32_bits(a) & wg_f32_bits(b));
    return a > b ? a : b;
}
static inline double wg_f64_min(double a, double b) {
    if (a != a || b != b) return a + b;
    if (a == b) return wg_bits_f64(wg_f64_bits(a) | wg_f64_bits(b));
    return a < b ? a : b;
}
static inline double wg_f64_max(double a, double b) {
    if (a != a || b != b) return a + b;
    if (a == b) return wg_bits_f64(wg_f64_bits(a) & wg_f64_bits(b));
    return a > b ? a : b;
}
/* Rounding to integral values. libm returns a signaling NaN unchanged, but
 * the spec wants an arithmetic (quiet) NaN: a + a quiets it, keeping the
 * payload. nearest is rint in the default rounding mode (ties to even; the
 * engine never changes the mode); every one keeps the sign of zero. */
#define WG_ROUND_FN(name, T, fn) \
    static inline T name(T a) { return a != a ? a + a : fn(a); }
WG_ROUND_FN(wg_f32_ceil, float, ceilf)
WG_ROUND_FN(wg_f32_floor, float, floorf)
WG_ROUND_FN(wg_f32_trunc, float, truncf)
WG_ROUND_FN(wg_f32_nearest, float, rintf)
WG_ROUND_FN(wg_f64_ceil, double, ceil)
WG_ROUND_FN(wg_f64_floor, double, floor)
WG_ROUND_FN(wg_f64_trunc, double, trunc)
WG_ROUND_FN(wg_f64_nearest, double, rint)
#undef WG_ROUND_FN

/* ---- float -> int conversions ----
 * The range checks are written so that NaN fails them (every comparison with
 * NaN is false). The boundaries are exactly representable powers of two:
 *   s32: -2^31 <= x < 2^31   (f64: -2^31 - 1 < x, since -2147483648.9 truncates in range)
 *   u32: -1 < x < 2^32
 *   s64: -2^63 <= x < 2^63
 *   u64: -1 < x < 2^64
 * For f32 sources the lower bound of s32 is inclusive because -2^31 - 1 is not
 * representable in f32 (the next f32 below -2^31 is -2^31 - 256). */
typedef enum { WG_CVT_OK = 0, WG_CVT_NAN, WG_CVT_RANGE } wg_cvt_status;

#define WG_TRUNC_FN(name, FT, IT, lo_ok, hi_ok)                                 \
    static inline wg_cvt_status name(FT x, IT *out) {                           \
        if (x != x) return WG_CVT_NAN;                                          \
        if (!(lo_ok) || !(hi_ok)) return WG_CVT_RANGE;                          \
        *out = (IT)x;                                                           \
        return WG_CVT_OK;                                                       \
    }
WG_TRUNC_FN(wg_trunc_f32_s32, float, int32_t, x >= -2147483648.0f, x < 2147483648.0f)
WG_TRUNC_FN(wg_trunc_f32_u32, float, uint32_t, x > -1.0f, x < 4294967296.0f)
WG_TRUNC_FN(wg_trunc_f64_s32, double, int32_t, x > -2147483649.0, x < 2147483648.0)
WG_TRUNC_FN(wg_trunc_f64_u32, double, uint32_t, x > -1.0, x < 4294967296.0)
WG_TRUNC_FN(wg_trunc_f32_s64, float, int64_t, x >= -9223372036854775808.0f, x < 9223372036854775808.0f)
WG_TRUNC_FN(wg_trunc_f32_u64, float, uint64_t, x > -1.0f, x < 18446744073709551616.0f)
WG_TRUNC_FN(wg_trunc_f64_s64, double, int64_t, x >= -9223372036854775808.0, x < 9223372036854775808.0)
WG_TRUNC_FN(wg_trunc_f64_u64, double, uint64_t, x > -1.0, x < 18446744073709551616.0)
#undef WG_TRUNC_FN

/* Saturating forms: NaN -> 0, below the range -> min, above -> max. */
#define WG_TRUNC_SAT_FN(name, FT, IT, IMIN, IMAX, lo_ok, hi_ok)                 \
    static inline IT name(FT x) {                                               \
        if (x != x) return 0;                                                   \
        if (!(lo_ok)) return IMIN;                                              \
        if (!(hi_ok)) return IMAX;                                              \
        return (IT)x;                                                           \
    }
WG_TRUNC_SAT_FN(wg_trunc_sat_f32_s32, float, int32_t, INT32_MIN, INT32_MAX,
                x >= -2147483648.0f, x < 2147483648.0f)
WG_TRUNC_SAT_FN(wg_trunc_sat_f32_u32, float, uint32_t, 0, UINT32_MAX,
                x > -1.0f, x < 4294967296.0f)
WG_TRUNC_SAT_FN(wg_trunc_sat_f64_s32, double, int32_t, INT32_MIN, INT32_MAX,
                x > -2147483649.0, x < 2147483648.0)
WG_TRUNC_SAT_FN(wg_trunc_sat_f64_u32, double, uint32_t, 0, UINT32_MAX,
                x > -1.0, x < 4294967296.0)
WG_TRUNC_SAT_FN(wg_trunc_sat_f32_s64, float, int64_t, INT64_MIN, INT64_MAX,
                x >= -9223372036854775808.0f, x < 9223372036854775808.0f)
WG_TRUNC_SAT_FN(wg_trunc_sat_f32_u64, float, uint64_t, 0, UINT64_MAX,
                x > -1.0f, x < 18446744073709551616.0f)
WG_TRUNC_SAT_FN(wg_trunc_sat_f64_s64, double, int64_t, INT64_MIN, INT64_MAX,
                x >= -9223372036854775808.0, x < 9223372036854775808.0)
WG_TRUNC_SAT_FN(wg_trunc_sat_f64_u64, double, uint64_t, 0, UINT64_MAX,
                x > -1.0, x < 18446744073709551616.0)
#undef WG_TRUNC_SAT_FN

/* ---- int -> float ----
 * C's conversions from integer types are correctly rounded on IEEE hosts
 * (gcc and clang emit a single rounding for u64 -> f32 too: they halve with a
 * sticky bit, never going through double). Never write (float)(double)u64:
 * rounding twice gives wrong results, e.g. for 0x0020000020000001. */
static inline float wg_f32_convert_u64(uint64_t x) { return (float)x; }
static inline double wg_f64_convert_u64(uint64_t x) { return (double)x; }

#endif
