/* Shared helpers for the benchmark workloads. Built twice: natively (gcc -O2)
 * and for wasm32 (clang-19, no libc calls that need WASI, so no imports). */
#ifndef BENCH_COMMON_H
#define BENCH_COMMON_H
#include <stdint.h>

#if defined(__wasm__)
#define BENCH_EXPORT __attribute__((visibility("default")))
#else
#define BENCH_EXPORT
#endif

/* Per-round kernels are kept out of line: a tiering JIT (V8) can then swap in
 * optimized code between calls; it cannot replace a frame that is running. */
#define BENCH_NOINLINE __attribute__((noinline))

/* xorshift32: deterministic input generation, identical on every target. */
static inline uint32_t bench_rng(uint32_t *s) {
    uint32_t x = *s;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return *s = x;
}

/* Folds a 64-bit value into a running 32-bit checksum (FNV-1a style). */
static inline uint32_t bench_mix(uint32_t h, uint64_t v) {
    for (int i = 0; i < 8; i++) {
        h ^= (uint32_t)(v & 0xff);
        h *= 16777619u;
        v >>= 8;
    }
    return h;
}

static inline uint64_t bench_f64_bits(double d) {
    union { double d; uint64_t u; } c;
    c.d = d;
    return c.u;
}
#endif
