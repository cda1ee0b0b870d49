/* Memory bandwidth and latency: sequential and strided read-modify-write
 * passes over an 8 MiB array, n times. */
#include "common.h"

#define WORDS (2u * 1024 * 1024)   /* 8 MiB of uint32 */
static uint32_t mem[WORDS];

BENCH_NOINLINE static uint32_t pass(uint32_t idx, uint32_t stride, uint32_t acc) {
    for (uint32_t k = 0; k < WORDS; k++) {
        idx = (idx + stride) & (WORDS - 1);
        uint32_t v = mem[idx];
        acc += v ^ k;
        mem[idx] = v + acc;
    }
    return acc;
}

BENCH_EXPORT uint32_t run_memscan(uint32_t n) {
    for (uint32_t i = 0; i < WORDS; i++) mem[i] = i * 2654435761u;
    static const uint32_t strides[4] = {1, 16, 1031, 65537};
    uint32_t acc = 0;
    for (uint32_t r = 0; r < n; r++) acc = pass(r, strides[r & 3], acc);
    uint32_t h = 2166136261u;
    h = bench_mix(h, acc);
    for (uint32_t i = 0; i < WORDS; i += 4099) h = bench_mix(h, mem[i]);
    return h;
}
