/* f64 arithmetic: dense 160x160 matrix multiply, n times, C = A*B then A
 * perturbed by C so rounds depend on each other. */
#include "common.h"

#define DIM 160
static double A[DIM][DIM], B[DIM][DIM], C[DIM][DIM];

BENCH_NOINLINE static void round_(void) {
    for (int i = 0; i < DIM; i++)
        for (int j = 0; j < DIM; j++) C[i][j] = 0.0;
    for (int i = 0; i < DIM; i++)
        for (int k = 0; k < DIM; k++) {
            double a = A[i][k];
            for (int j = 0; j < DIM; j++) C[i][j] += a * B[k][j];
        }
    /* keep the values bounded: A = C / (max |C| + 1) */
    double m = 0.0;
    for (int i = 0; i < DIM; i++)
        for (int j = 0; j < DIM; j++) {
            double v = C[i][j] < 0 ? -C[i][j] : C[i][j];
            if (v > m) m = v;
        }
    for (int i = 0; i < DIM; i++)
        for (int j = 0; j < DIM; j++) A[i][j] = C[i][j] / (m + 1.0);
}

BENCH_EXPORT uint32_t run_matmul(uint32_t n) {
    uint32_t s = 0x9e3779b9u;
    for (int i = 0; i < DIM; i++)
        for (int j = 0; j < DIM; j++) {
            A[i][j] = (double)(bench_rng(&s) % 2001) / 1000.0 - 1.0;
            B[i][j] = (double)(bench_rng(&s) % 2001) / 1000.0 - 1.0;
        }
    for (uint32_t r = 0; r < n; r++) round_();
    uint32_t h = 2166136261u;
    for (int i = 0; i < DIM; i++) h = bench_mix(h, bench_f64_bits(C[i][(i * 7) % DIM]));
    return h;
}
