/* Byte loads and table lookups: table-driven CRC-32 (IEEE) over a generated
 * 1 MiB buffer, n passes, each chained on the previous CRC. */
#include "common.h"

#define BUF_LEN (1u << 20)
static uint8_t buf[BUF_LEN];
static uint32_t table[256];

BENCH_NOINLINE static uint32_t crc32(uint32_t crc, const uint8_t *p, uint32_t len) {
    uint32_t c = ~crc;
    for (uint32_t i = 0; i < len; i++) c = table[(c ^ p[i]) & 0xff] ^ (c >> 8);
    return ~c;
}

BENCH_EXPORT uint32_t run_crc32(uint32_t n) {
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        table[i] = c;
    }
    uint32_t s = 0xc0ffee11u;
    for (uint32_t i = 0; i < BUF_LEN; i++) buf[i] = (uint8_t)bench_rng(&s);
    uint32_t crc = 0;
    for (uint32_t r = 0; r < n; r++) {
        crc = crc32(crc, buf, BUF_LEN);
        buf[r & (BUF_LEN - 1)] ^= (uint8_t)crc;
    }
    return crc;
}
