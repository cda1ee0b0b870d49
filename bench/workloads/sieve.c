/* Integer loops over a byte array: sieve of Eratosthenes, repeated n times
 * with a slightly different limit each round. */
#include "common.h"

#define LIMIT 2000000u
static uint8_t composite[LIMIT + 1];

BENCH_NOINLINE static uint32_t sieve(uint32_t lim) {
    for (uint32_t i = 0; i <= lim; i++) composite[i] = 0;
    uint32_t count = 0;
    for (uint32_t i = 2; i <= lim; i++) {
        if (composite[i]) continue;
        count++;
        for (uint64_t j = (uint64_t)i * i; j <= lim; j += i) composite[j] = 1;
    }
    return count;
}

BENCH_EXPORT uint32_t run_sieve(uint32_t n) {
    uint32_t h = 2166136261u;
    for (uint32_t r = 0; r < n; r++) h = bench_mix(h, sieve(LIMIT - (r & 1023)));
    return h;
}
