/* Calls: naive doubly recursive Fibonacci, fib(30) or fib(31), n times
 * (n is linear in the work, so BENCH_SCALE applies). */
#include "common.h"

BENCH_NOINLINE static uint32_t fib(uint32_t k) {
    return k < 2 ? k : fib(k - 1) + fib(k - 2);
}

BENCH_EXPORT uint32_t run_fib(uint32_t n) {
    uint32_t h = 2166136261u;
    for (uint32_t r = 0; r < n; r++) h = bench_mix(h, fib(30 + (r & 1)));
    return h;
}
