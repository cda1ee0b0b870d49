/* Branches and memory: quicksort (median of three, insertion sort for short
 * ranges) of 256 Ki generated 32-bit keys, n times. */
#include "common.h"

#define LEN (1u << 18)
static uint32_t arr[LEN];

static void insertion(uint32_t *a, int32_t lo, int32_t hi) {
    for (int32_t i = lo + 1; i <= hi; i++) {
        uint32_t v = a[i];
        int32_t j = i - 1;
        while (j >= lo && a[j] > v) { a[j + 1] = a[j]; j--; }
        a[j + 1] = v;
    }
}

static void quicksort(uint32_t *a, int32_t lo, int32_t hi) {
    while (hi - lo > 16) {
        int32_t mid = lo + (hi - lo) / 2;
        uint32_t x = a[lo], y = a[mid], z = a[hi];
        uint32_t pivot = x < y ? (y < z ? y : (x < z ? z : x)) : (x < z ? x : (y < z ? z : y));
        int32_t i = lo, j = hi;
        while (i <= j) {
            while (a[i] < pivot) i++;
            while (a[j] > pivot) j--;
            if (i <= j) { uint32_t t = a[i]; a[i] = a[j]; a[j] = t; i++; j--; }
        }
        /* recurse into the smaller part, loop on the larger */
        if (j - lo < hi - i) { quicksort(a, lo, j); lo = i; }
        else { quicksort(a, i, hi); hi = j; }
    }
    insertion(a, lo, hi);
}

BENCH_EXPORT uint32_t run_qsort(uint32_t n) {
    uint32_t s = 0xdeadbeefu, h = 2166136261u;
    for (uint32_t r = 0; r < n; r++) {
        for (uint32_t i = 0; i < LEN; i++) arr[i] = bench_rng(&s);
        quicksort(arr, 0, (int32_t)LEN - 1);
        for (uint32_t i = 1; i < LEN; i++)
            if (arr[i - 1] > arr[i]) return 0;  /* not sorted: a wrong checksum */
        h = bench_mix(h, arr[r % LEN]);
        h = bench_mix(h, arr[LEN / 2]);
    }
    return h;
}
