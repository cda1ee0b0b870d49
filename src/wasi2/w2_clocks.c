/*
 * wasi:clocks (monotonic-clock, wall-clock) and wasi:random (random,
 * insecure, insecure-seed), on the clock and random functions preview1's
 * clock_time_get and random_get use (wasi_host.h).
 *
 *   monotonic-clock   CLOCK_MONOTONIC in ns; subscribe-instant / -duration
 *                     make pollables ready at that instant (wasi:io/poll)
 *   wall-clock        CLOCK_REALTIME as a datetime
 *   random, insecure  getrandom(2) (the insecure ones too: nothing cheaper
 *                     is worth a second generator); at most
 *                     W2_MAX_RANDOM_BYTES per call, more traps
 */
#include <stdlib.h>

#include "wasi2/wasi2_int.h"

/* The largest get-random-bytes: the list goes into guest memory anyway. */
#define W2_MAX_RANDOM_BYTES ((uint64_t)64 << 20)

static bool mono_now(wg_ccall *call, wg_cval *args, uint32_t nargs, wg_cval *r, void *data) {
    (void)args;
    w2_cx cx;
    if (!w2_enter(&cx, call, data) || !w2_nargs(call, nargs, 0, "now")) return false;
    return w2_set(call, r, wg_cval_u(WG_CV_U64, wg__wasi_monotonic_ns()));
}

static bool mono_res(wg_ccall *call, wg_cval *args, uint32_t nargs, wg_cval *r, void *data) {
    (void)args;
    w2_cx cx;
    uint64_t ns = 1;
    if (!w2_enter(&cx, call, data) || !w2_nargs(call, nargs, 0, "resolution")) return false;
    (void)wg__wasi_clock_res(CLOCK_MONOTONIC, &ns);
    return w2_set(call, r, wg_cval_u(WG_CV_U64, ns));
}

static bool subscribe(wg_ccall *call, wg_cval *args, uint32_t nargs, wg_cval *r, void *data,
                      bool relative) {
    w2_cx cx;
    uint64_t when;
    if (!w2_enter(&cx, call, data) ||
        !w2_nargs(call, nargs, 1, relative ? "subscribe-duration" : "subscribe-instant") ||
        !w2_arg_u64(call, &args[0], &when))
        return false;
    if (relative) {
        uint64_t now = wg__wasi_monotonic_ns();
        when = when > UINT64_MAX - now ? UINT64_MAX : now + when;
    }
    uint32_t rep = w2_pollable_new(&cx, W2_P_TIME, when, 0);
    return rep && w2_set(call, r, w2_own(&cx, W2_RT_POLLABLE, rep));
}

static bool sub_instant(wg_ccall *call, wg_cval *args, uint32_t nargs, wg_cval *r, void *data) {
    return subscribe(call, args, nargs, r, data, false);
}

static bool sub_duration(wg_ccall *call, wg_cval *args, uint32_t nargs, wg_cval *r, void *data) {
    return subscribe(call, args, nargs, r, data, true);
}

static bool wall_now(wg_ccall *call, wg_cval *args, uint32_t nargs, wg_cval *r, void *data) {
    (void)args;
    w2_cx cx;
    uint64_t ns = 0;
    if (!w2_enter(&cx, call, data) || !w2_nargs(call, nargs, 0, "now")) return false;
    (void)wg__wasi_clock_now(CLOCK_REALTIME, &ns);
    return w2_set(call, r, w2_datetime(ns));
}

static bool wall_res(wg_ccall *call, wg_cval *args, uint32_t nargs, wg_cval *r, void *data) {
    (void)args;
    w2_cx cx;
    uint64_t ns = 1;
    if (!w2_enter(&cx, call, data) || !w2_nargs(call, nargs, 0, "resolution")) return false;
    (void)wg__wasi_clock_res(CLOCK_REALTIME, &ns);
    return w2_set(call, r, w2_datetime(ns));
}

/* ---- random ------------------------------------------------------------------------------ */

static bool random_bytes(wg_ccall *call, wg_cval *args, uint32_t nargs, wg_cval *r, void *data) {
    w2_cx cx;
    uint64_t len;
    if (!w2_enter(&cx, call, data) || !w2_nargs(call, nargs, 1, "get-random-bytes") ||
        !w2_arg_u64(call, &args[0], &len))
        return false;
    if (len > W2_MAX_RANDOM_BYTES)
        return wg_ccall_trap(call, "wasi:random: %llu bytes asked for, at most %llu at once",
                             (unsigned long long)len, (unsigned long long)W2_MAX_RANDOM_BYTES);
    wg_cval b = wg_cval_bytes(NULL, 0);
    b.of.bytes.data = malloc(len ? (size_t)len : 1);
    if (!b.of.bytes.data) return wg_ccall_trap(call, "wasi: out of memory");
    b.of.bytes.len = (size_t)len;
    int err = wg__wasi_random_fill(b.of.bytes.data, (size_t)len);
    if (err) {
        wg_cval_free(&b);
        return wg_ccall_trap(call, "wasi:random: getrandom failed (wasi errno %d)", err);
    }
    *r = b;
    return true;
}

static bool random_u64(wg_ccall *call, wg_cval *args, uint32_t nargs, wg_cval *r, void *data) {
    (void)args;
    w2_cx cx;
    uint64_t v = 0;
    if (!w2_enter(&cx, call, data) || !w2_nargs(call, nargs, 0, "get-random-u64")) return false;
    int err = wg__wasi_random_fill(&v, sizeof v);
    if (err) return wg_ccall_trap(call, "wasi:random: getrandom failed (wasi errno %d)", err);
    return w2_set(call, r, wg_cval_u(WG_CV_U64, v));
}

static bool insecure_seed(wg_ccall *call, wg_cval *args, uint32_t nargs, wg_cval *r, void *data) {
    (void)args;
    w2_cx cx;
    uint64_t v[2] = {0, 0};
    if (!w2_enter(&cx, call, data) || !w2_nargs(call, nargs, 0, "insecure-seed")) return false;
    int err = wg__wasi_random_fill(v, sizeof v);
    if (err) return wg_ccall_trap(call, "wasi:random: getrandom failed (wasi errno %d)", err);
    wg_cval t = wg_cval_seq(WG_CV_TUPLE, 2);
    if (t.of.seq.items) {
        t.of.seq.items[0] = wg_cval_u(WG_CV_U64, v[0]);
        t.of.seq.items[1] = wg_cval_u(WG_CV_U64, v[1]);
    }
    return w2_set(call, r, t);
}

const w2_fn w2_clock_fns[] = {
    {"wasi:clocks/monotonic-clock", "now", mono_now},
    {"wasi:clocks/monotonic-clock", "resolution", mono_res},
    {"wasi:clocks/monotonic-clock", "subscribe-instant", sub_instant},
    {"wasi:clocks/monotonic-clock", "subscribe-duration", sub_duration},
    {"wasi:clocks/wall-clock", "now", wall_now},
    {"wasi:clocks/wall-clock", "resolution", wall_res},
    {"wasi:random/random", "get-random-bytes", random_bytes},
    {"wasi:random/random", "get-random-u64", random_u64},
    {"wasi:random/insecure", "get-insecure-random-bytes", random_bytes},
    {"wasi:random/insecure", "get-insecure-random-u64", random_u64},
    {"wasi:random/insecure-seed", "insecure-seed", insecure_seed},
    {NULL, NULL, NULL},
};
