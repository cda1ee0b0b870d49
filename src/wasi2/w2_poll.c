/*
 * wasi:io/poll: pollables and poll.
 *
 * A pollable is ready
 *   W2_P_READY   at once (what a file, a buffer or a closed stream gives)
 *   W2_P_TIME    when CLOCK_MONOTONIC reaches its deadline
 *                (monotonic-clock.subscribe-instant / -duration)
 *   W2_P_STREAM  when its stream is (w2_stream_ready): an FD stream when
 *                poll(2) says readable / writable (or hung up), anything
 *                else at once
 *
 * poll(list) answers the indices of the pollables ready now; when none is,
 * it waits with ppoll(2) on the FD streams' descriptors, bounded by the
 * earliest deadline, in slices of WG_WASI_WAIT_SLICE_MS between which the
 * instance's interrupt is checked (a set interrupt traps "interrupted").
 * An empty list traps, as in wasmtime; so does a handle that is not a
 * pollable of this instance. block() is poll of one; ready() never waits.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <time.h>

#include "wasi2/wasi2_int.h"

uint32_t w2_pollable_new(w2_cx *cx, w2_pwhat what, uint64_t deadline, uint32_t parent) {
    w2_obj *o;
    uint32_t rep = w2_new(cx, W2_RT_POLLABLE, &o);
    if (!rep) return 0;
    o->u.p = (w2_poll){.what = (uint8_t)what, .deadline = deadline, .parent = parent};
    if (what == W2_P_STREAM) {
        /* The stream is an input or an output; either counts its children. */
        w2_obj *s = w2_get(cx->st, parent, W2_RT_INPUT);
        if (!s) s = w2_get(cx->st, parent, W2_RT_OUTPUT);
        if (s) s->u.s.children++;
    }
    return rep;
}

/* One pollable's state for a wait: ready now, or an fd to poll, or a
 * deadline. */
typedef struct pwait {
    bool ready;
    int fd;              /* >= 0: poll it */
    short events;
    uint64_t deadline;   /* UINT64_MAX: none */
} pwait;

/* What pollable rep waits for. False after trapping (not a pollable). */
static bool classify(w2_cx *cx, uint32_t rep, uint64_t now, pwait *pw) {
    *pw = (pwait){.fd = -1, .deadline = UINT64_MAX};
    w2_obj *o = w2_get(cx->st, rep, W2_RT_POLLABLE);
    if (!o) return wg_ccall_trap(cx->call, "wasi: poll: unknown pollable (%u)", rep);
    const w2_poll *p = &o->u.p;
    switch (p->what) {
    case W2_P_TIME:
        pw->deadline = p->deadline;
        pw->ready = now >= p->deadline;
        return true;
    case W2_P_STREAM: {
        w2_obj *s = w2_get(cx->st, p->parent, W2_RT_INPUT);
        bool output = false;
        if (!s) {
            s = w2_get(cx->st, p->parent, W2_RT_OUTPUT);
            output = true;
        }
        if (!s || s->u.s.closed || s->u.s.io != W2_IO_FD || !s->u.s.may_wait) {
            pw->ready = true;
            return true;
        }
        pw->fd = s->u.s.fd;
        pw->events = output ? POLLOUT : POLLIN;
        return true;
    }
    default:
        pw->ready = true;
        return true;
    }
}

/* Waits until at least one of reps[0..n) is ready; ready[i] says which.
 * False after trapping (an unknown pollable, interrupted, out of memory). */
static bool wait_any(w2_cx *cx, const uint32_t *reps, size_t n, bool *ready, bool wait) {
    pwait *pw = calloc(n, sizeof *pw);
    struct pollfd *pfd = calloc(n, sizeof *pfd);
    size_t *pfd_of = calloc(n, sizeof *pfd_of);
    bool ok = false;
    if (!pw || !pfd || !pfd_of) {
        wg_ccall_trap(cx->call, "wasi: out of memory");
        goto done;
    }
    for (;;) {
        uint64_t now = wg__wasi_monotonic_ns(), earliest = UINT64_MAX;
        bool any = false;
        nfds_t nfd = 0;
        for (size_t i = 0; i < n; i++) {
            if (!classify(cx, reps[i], now, &pw[i])) goto done;
            ready[i] = pw[i].ready;
            any |= ready[i];
            if (pw[i].deadline < earliest) earliest = pw[i].deadline;
            if (pw[i].fd >= 0) {
                pfd[nfd] = (struct pollfd){.fd = pw[i].fd, .events = pw[i].events};
                pfd_of[nfd++] = i;
            }
        }
        /* The fds once without waiting, so that one ready now counts too. */
        uint64_t left = any || !wait ? 0 : earliest - now;
        uint64_t slice = (uint64_t)WG_WASI_WAIT_SLICE_MS * 1000000ull;
        if (left > slice) left = slice;
        struct timespec ts = {.tv_sec = (time_t)(left / 1000000000ull),
                              .tv_nsec = (long)(left % 1000000000ull)};
        int r = ppoll(nfd ? pfd : NULL, nfd, &ts, NULL);
        if (r > 0) {
            for (nfds_t k = 0; k < nfd; k++)
                if (pfd[k].revents) ready[pfd_of[k]] = any = true;
        }
        if (any || !wait) {
            ok = true;
            goto done;
        }
        if (r < 0 && errno != EINTR) {
            wg_ccall_trap(cx->call, "wasi: poll: ppoll failed (errno %d)", errno);
            goto done;
        }
        if (wg_ccall_interrupted(cx->call)) {
            w2_trap_interrupted(cx->call);
            goto done;
        }
        /* A deadline that came is seen by the next round's classify. */
    }
done:
    free(pw);
    free(pfd);
    free(pfd_of);
    return ok;
}

static bool poll_list(wg_ccall *call, wg_cval *args, uint32_t nargs, wg_cval *r, void *data) {
    w2_cx cx;
    if (!w2_enter(&cx, call, data) || !w2_nargs(call, nargs, 1, "poll")) return false;
    const wg_cval *in = &args[0];
    if (in->kind != WG_CV_LIST) return wg_ccall_trap(call, "wasi: poll: expected a list of pollables");
    size_t n = in->of.seq.n;
    if (n == 0) return wg_ccall_trap(call, "wasi: poll: the list of pollables is empty");
    if (n > UINT32_MAX) return wg_ccall_trap(call, "wasi: poll: more pollables than a u32 can index");
    uint32_t *reps = malloc(n * sizeof *reps);
    bool *ready = calloc(n, sizeof *ready);
    bool ok = reps && ready;
    if (!ok) wg_ccall_trap(call, "wasi: out of memory");
    for (size_t i = 0; ok && i < n; i++) ok = w2_arg_handle(call, &in->of.seq.items[i], &reps[i]);
    if (ok) ok = wait_any(&cx, reps, n, ready, true);
    if (ok) {
        size_t k = 0;
        for (size_t i = 0; i < n; i++) k += ready[i];
        wg_cval out = wg_cval_seq(WG_CV_LIST, k);
        if (out.of.seq.items) {
            k = 0;
            for (size_t i = 0; i < n; i++)
                if (ready[i]) out.of.seq.items[k++] = wg_cval_u(WG_CV_U32, i);
        }
        ok = w2_set(call, r, out);
    }
    free(reps);
    free(ready);
    return ok;
}

static bool pollable_ready(wg_ccall *call, wg_cval *args, uint32_t nargs, wg_cval *r, void *data) {
    w2_cx cx;
    uint32_t rep;
    bool ready = false;
    if (!w2_enter(&cx, call, data) || !w2_nargs(call, nargs, 1, "ready") ||
        !w2_arg_handle(call, &args[0], &rep) || !wait_any(&cx, &rep, 1, &ready, false))
        return false;
    return w2_set(call, r, wg_cval_bool(ready));
}

static bool pollable_block(wg_ccall *call, wg_cval *args, uint32_t nargs, wg_cval *r, void *data) {
    (void)r;
    w2_cx cx;
    uint32_t rep;
    bool ready = false;
    return w2_enter(&cx, call, data) && w2_nargs(call, nargs, 1, "block") &&
           w2_arg_handle(call, &args[0], &rep) && wait_any(&cx, &rep, 1, &ready, true);
}

const w2_fn w2_poll_fns[] = {
    {"wasi:io/poll", "poll", poll_list},
    {"wasi:io/poll", "[method]pollable.ready", pollable_ready},
    {"wasi:io/poll", "[method]pollable.block", pollable_block},
    {NULL, NULL, NULL},
};
