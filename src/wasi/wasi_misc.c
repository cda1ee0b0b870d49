/*
 * WASI preview1: args, environ, clocks, random, proc_*, sched_yield,
 * poll_oneoff and the sock_* functions.
 *
 * Guest layouts (little-endian):
 *   subscription 48 bytes: userdata u64 @0, tag u8 @8 (0 clock, 1 fd_read,
 *                          2 fd_write); clock: id u32 @16, timeout u64 @24,
 *                          precision u64 @32, flags u16 @40 (1 = ABSTIME);
 *                          fd_read / fd_write: fd u32 @16
 *   event        32 bytes: userdata u64 @0, error u16 @8, type u8 @10,
 *                          fd_readwrite: nbytes u64 @16, flags u16 @24 (1 = HANGUP)
 *
 * poll_oneoff waits with ppoll(2) on the host fds of the fd subscriptions,
 * bounded by the earliest clock subscription (nanosecond timeout, measured on
 * CLOCK_MONOTONIC). Buffer-kind fds (stdin buffer, captures, null) are always
 * ready, and subscriptions that fail (bad fd, missing rights, bad clock id)
 * produce an event carrying the error at once; either makes the call return
 * without blocking. poll_oneoff never reads the subscriptions again after
 * it wrote the first event, so `in` and `out` may overlap.
 *
 * Long waits are cut into slices of at most POLL_SLICE_NS, and between
 * slices poll_oneoff checks the instance's interrupt flag
 * (wg_instance_interrupt): an interrupted wait returns INTR, and the engine
 * stops the guest at its next call or back-edge, so a guest sleeping in
 * poll_oneoff cannot outlive a gateway timeout.
 */
#define _GNU_SOURCE
#include "wasi/wasi_host.h"

#include <errno.h>
#include <stdatomic.h>
#include <poll.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

/* ---- args and environ ------------------------------------------------------------- */

static int strings_sizes(wg_ctx *ctx, uint64_t *slots, char *const *v, size_t n) {
    uint8_t *count = wg__wasi_mem(ctx, ARG32(0), 4), *size = wg__wasi_mem(ctx, ARG32(1), 4);
    if (!count || !size) return wg__wasi_ret(slots, WG_WASI_EFAULT);
    uint64_t total = 0;
    for (size_t i = 0; i < n; i++) total += strlen(v[i]) + 1;
    if (n > UINT32_MAX || total > UINT32_MAX) return wg__wasi_ret(slots, WG_WASI_EOVERFLOW);
    wg__wasi_put_u32(count, (uint32_t)n);
    wg__wasi_put_u32(size, (uint32_t)total);
    return wg__wasi_ret(slots, WG_WASI_ESUCCESS);
}

/* Writes n pointers at ptrs and the NUL-terminated strings at buf. */
static int strings_get(wg_ctx *ctx, uint64_t *slots, char *const *v, size_t n) {
    uint32_t ptrs = ARG32(0), buf = ARG32(1);
    uint64_t total = 0;
    for (size_t i = 0; i < n; i++) total += strlen(v[i]) + 1;
    uint8_t *p = wg__wasi_mem(ctx, ptrs, (uint64_t)n * 4);
    uint8_t *b = wg__wasi_mem(ctx, buf, total);
    if (!p || !b) return wg__wasi_ret(slots, WG_WASI_EFAULT);
    uint32_t off = 0;
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(v[i]) + 1;
        wg__wasi_put_u32(p + 4 * i, buf + off);
        memmove(b + off, v[i], len);
        off += (uint32_t)len;
    }
    return wg__wasi_ret(slots, WG_WASI_ESUCCESS);
}

/* args_sizes_get(argc_ptr, argv_buf_size_ptr) */
int wg__wasi_args_sizes_get(wg_ctx *ctx, uint64_t *slots, void *ud) {
    (void)ud;
    GET_WASI(w);
    return strings_sizes(ctx, slots, w->args, w->nargs);
}

/* args_get(argv_ptr, argv_buf_ptr) */
int wg__wasi_args_get(wg_ctx *ctx, uint64_t *slots, void *ud) {
    (void)ud;
    GET_WASI(w);
    return strings_get(ctx, slots, w->args, w->nargs);
}

/* environ_sizes_get(count_ptr, buf_size_ptr) */
int wg__wasi_environ_sizes_get(wg_ctx *ctx, uint64_t *slots, void *ud) {
    (void)ud;
    GET_WASI(w);
    return strings_sizes(ctx, slots, w->env, w->nenv);
}

/* environ_get(environ_ptr, environ_buf_ptr) */
int wg__wasi_environ_get(wg_ctx *ctx, uint64_t *slots, void *ud) {
    (void)ud;
    GET_WASI(w);
    return strings_get(ctx, slots, w->env, w->nenv);
}

/* ---- clocks and random ------------------------------------------------------------- */

static uint64_t now_ns(clockid_t c) {
    uint64_t ns = 0;
    (void)wg__wasi_clock_now(c, &ns);
    return ns;
}

/* clock_res_get(id, resolution_ptr) */
int wg__wasi_clock_res_get(wg_ctx *ctx, uint64_t *slots, void *ud) {
    (void)ud;
    GET_WASI(w);
    (void)w;
    clockid_t c;
    if (!wg__wasi_clock_id(ARG32(0), &c)) return wg__wasi_ret(slots, WG_WASI_EINVAL);
    uint8_t *out = wg__wasi_mem(ctx, ARG32(1), 8);
    if (!out) return wg__wasi_ret(slots, WG_WASI_EFAULT);
    uint64_t ns;
    int err = wg__wasi_clock_res(c, &ns);
    if (!err) wg__wasi_put_u64(out, ns);
    return wg__wasi_ret(slots, err);
}

/* clock_time_get(id, precision u64, time_ptr) */
int wg__wasi_clock_time_get(wg_ctx *ctx, uint64_t *slots, void *ud) {
    (void)ud;
    GET_WASI(w);
    (void)w;
    clockid_t c;
    if (!wg__wasi_clock_id(ARG32(0), &c)) return wg__wasi_ret(slots, WG_WASI_EINVAL);
    uint8_t *out = wg__wasi_mem(ctx, ARG32(2), 8);
    if (!out) return wg__wasi_ret(slots, WG_WASI_EFAULT);
    uint64_t ns;
    int err = wg__wasi_clock_now(c, &ns);
    if (!err) wg__wasi_put_u64(out, ns);
    return wg__wasi_ret(slots, err);
}

/* random_get(buf, len): fills from getrandom(2), in as many calls as it takes. */
int wg__wasi_random_get(wg_ctx *ctx, uint64_t *slots, void *ud) {
    (void)ud;
    GET_WASI(w);
    (void)w;
    uint32_t len = ARG32(1);
    uint8_t *p = wg__wasi_mem(ctx, ARG32(0), len);
    if (!p) return wg__wasi_ret(slots, WG_WASI_EFAULT);
    return wg__wasi_ret(slots, wg__wasi_random_fill(p, len));
}

/* ---- proc and sched ------------------------------------------------------------------ */

/* proc_exit(code): ends the run (wg_wasi_run_start returns code). */
int wg__wasi_proc_exit(wg_ctx *ctx, uint64_t *slots, void *ud) {
    (void)ud;
    GET_WASI(w);
    (void)w;
    return wg_ctx_exit(ctx, (int)ARG32(0));
}

/* proc_raise(sig): signals are not supported: NOSYS. */
int wg__wasi_proc_raise(wg_ctx *ctx, uint64_t *slots, void *ud) {
    (void)ud;
    GET_WASI(w);
    (void)w;
    return wg__wasi_ret(slots, WG_WASI_ENOSYS);
}

/* sched_yield() */
int wg__wasi_sched_yield(wg_ctx *ctx, uint64_t *slots, void *ud) {
    (void)ud;
    GET_WASI(w);
    (void)w;
    sched_yield();
    return wg__wasi_ret(slots, WG_WASI_ESUCCESS);
}

/* ---- poll_oneoff ---------------------------------------------------------------------- */

#define EV_CLOCK 0
#define EV_FD_READ 1
#define EV_FD_WRITE 2
#define SUB_ABSTIME 1u
#define EV_HANGUP 1u
#define POLL_SLICE_NS 10000000ull /* 10 ms */

typedef struct sub {
    uint64_t userdata;
    uint8_t tag;
    uint64_t deadline;     /* clock: ns after the start of the call */
    int pfd;               /* index in pfds, or -1 */
    bool ready;            /* event decided */
    uint16_t error;
    uint64_t nbytes;
    uint16_t flags;
} sub;

/* poll_oneoff(in, out, nsubscriptions, nevents_ptr) */
int wg__wasi_poll_oneoff(wg_ctx *ctx, uint64_t *slots, void *ud) {
    (void)ud;
    GET_WASI(w);
    uint32_t in = ARG32(0), outp = ARG32(1), n = ARG32(2);
    if (n == 0) return wg__wasi_ret(slots, WG_WASI_EINVAL);
    const uint8_t *src = wg__wasi_mem(ctx, in, (uint64_t)n * 48);
    uint8_t *dst = wg__wasi_mem(ctx, outp, (uint64_t)n * 32);
    uint8_t *nev = wg__wasi_mem(ctx, ARG32(3), 4);
    if (!src || !dst || !nev) return wg__wasi_ret(slots, WG_WASI_EFAULT);
    uint64_t start = now_ns(CLOCK_MONOTONIC);
    sub *subs = calloc(n, sizeof *subs);
    struct pollfd *pfds = calloc(n, sizeof *pfds);
    int err = WG_WASI_ESUCCESS;
    if (!subs || !pfds) {
        err = WG_WASI_ENOMEM;
        goto done;
    }
    nfds_t npfd = 0;
    bool any_ready = false, have_clock = false;
    uint64_t min_deadline = UINT64_MAX;
    for (uint32_t i = 0; i < n; i++) {
        const uint8_t *s = src + (size_t)i * 48;
        sub *x = &subs[i];
        x->userdata = wg__wasi_get_u64(s);
        x->tag = s[8];
        x->pfd = -1;
        if (x->tag == EV_CLOCK) {
            uint32_t id = wg__wasi_get_u32(s + 16);
            uint64_t timeout = wg__wasi_get_u64(s + 24);
            uint16_t flags = (uint16_t)(s[40] | s[41] << 8);
            clockid_t c;
            if (!wg__wasi_clock_id(id, &c)) {
                x->ready = any_ready = true;
                x->error = WG_WASI_EINVAL;
                continue;
            }
            if (flags & SUB_ABSTIME) {
                uint64_t now = now_ns(c);
                x->deadline = timeout > now ? timeout - now : 0;
            } else {
                x->deadline = timeout;
            }
            have_clock = true;
            if (x->deadline < min_deadline) min_deadline = x->deadline;
        } else if (x->tag == EV_FD_READ || x->tag == EV_FD_WRITE) {
            int ferr;
            wg_wasi_fd *e = wg__wasi_fd_get(w, wg__wasi_get_u32(s + 16),
                                            WG_WASI_RIGHT_POLL_FD_READWRITE, &ferr);
            if (!e) {
                x->ready = any_ready = true;
                x->error = (uint16_t)ferr;
            } else if (e->kind == WG_WASI_FD_HOST) {
                pfds[npfd].fd = e->hostfd;
                pfds[npfd].events = x->tag == EV_FD_READ ? POLLIN : POLLOUT;
                x->pfd = (int)npfd++;
            } else {
                x->ready = any_ready = true;
                if (x->tag == EV_FD_READ && e->kind == WG_WASI_FD_STDIN_BUF)
                    x->nbytes = w->stdin_len - w->stdin_pos;
                else if (e->kind != WG_WASI_FD_NULL &&
                         (x->tag == EV_FD_READ) != (e->kind == WG_WASI_FD_STDIN_BUF))
                    x->error = WG_WASI_EBADF; /* reading a capture, writing stdin */
            }
        } else {
            err = WG_WASI_EINVAL;
            goto done;
        }
    }

    /* Wait: not at all if something is ready, else until an fd is ready or
     * the earliest clock fires (forever when there is neither). */
    wg_instance *inst = wg_ctx_instance(ctx);
    for (;;) {
        struct timespec ts;
        uint64_t elapsed = now_ns(CLOCK_MONOTONIC) - start;
        uint64_t left = UINT64_MAX;
        if (any_ready) left = 0;
        else if (have_clock) left = min_deadline > elapsed ? min_deadline - elapsed : 0;
        uint64_t slice = left < POLL_SLICE_NS ? left : POLL_SLICE_NS;
        ts.tv_sec = (time_t)(slice / 1000000000ull);
        ts.tv_nsec = (long)(slice % 1000000000ull);
        int r = ppoll(npfd ? pfds : NULL, npfd, &ts, NULL);
        if (r < 0) {
            if (errno != EINTR) {
                err = wg__wasi_errno(errno);
                goto done;
            }
        } else if (r > 0 || slice == left) {
            break; /* an fd is ready, or the clock's time came */
        }
        if (wg_instance_is_interrupted(inst)) {
            err = WG_WASI_EINTR;
            goto done;
        }
    }
    uint64_t elapsed = now_ns(CLOCK_MONOTONIC) - start;
    bool fd_event = any_ready;
    for (uint32_t i = 0; i < n; i++) {
        sub *x = &subs[i];
        if (x->pfd < 0) continue;
        short re = pfds[x->pfd].revents;
        if (!re) continue;
        x->ready = fd_event = true;
        if (re & POLLNVAL) {
            x->error = WG_WASI_EBADF;
        } else if (x->tag == EV_FD_READ) {
            if (re & POLLHUP) x->flags |= EV_HANGUP;
            x->nbytes = wg__wasi_readable_bytes(pfds[x->pfd].fd);
        } else {
            if (re & (POLLHUP | POLLERR)) x->flags |= EV_HANGUP;
        }
    }
    /* Clocks fire when their time has come, or (if nothing else happened,
     * the wait was for them) the earliest one. */
    bool clock_fired = false;
    for (uint32_t i = 0; i < n; i++) {
        sub *x = &subs[i];
        if (x->tag == EV_CLOCK && !x->ready && x->deadline <= elapsed) x->ready = clock_fired = true;
    }
    if (!fd_event && !clock_fired && have_clock) {
        for (uint32_t i = 0; i < n; i++) {
            sub *x = &subs[i];
            if (x->tag == EV_CLOCK && !x->ready && x->deadline == min_deadline) {
                x->ready = true;
                break;
            }
        }
    }
    uint32_t nout = 0;
    for (uint32_t i = 0; i < n; i++) {
        sub *x = &subs[i];
        if (!x->ready) continue;
        uint8_t *ev = dst + (size_t)nout * 32;
        memset(ev, 0, 32);
        wg__wasi_put_u64(ev, x->userdata);
        wg__wasi_put_u16(ev + 8, x->error);
        ev[10] = x->tag;
        if (x->tag != EV_CLOCK) {
            wg__wasi_put_u64(ev + 16, x->nbytes);
            wg__wasi_put_u16(ev + 24, x->flags);
        }
        nout++;
    }
    wg__wasi_put_u32(nev, nout);
done:
    free(subs);
    free(pfds);
    return wg__wasi_ret(slots, err);
}

/* ---- sockets --------------------------------------------------------------------------- */

#define RECV_PEEK 1u
#define RECV_WAITALL 2u
#define RECV_DATA_TRUNCATED 1u
#define IOV_LIMIT 1024

static bool is_socket(const wg_wasi_fd *e) {
    return e->kind == WG_WASI_FD_HOST && (e->filetype == WG_WASI_FILETYPE_SOCKET_STREAM ||
                                          e->filetype == WG_WASI_FILETYPE_SOCKET_DGRAM);
}

/* The socket entry for fd with `rights`: BADF, NOTSOCK, or NOTCAPABLE in *err. */
static wg_wasi_fd *get_socket(wg_wasi *w, uint32_t fd, uint64_t rights, int *err) {
    wg_wasi_fd *e = wg__wasi_fd_get(w, fd, 0, err);
    if (!e) return NULL;
    if (!is_socket(e)) {
        *err = WG_WASI_ENOTSOCK;
        return NULL;
    }
    return wg__wasi_fd_get(w, fd, rights, err);
}

/* Guest (c)iovecs to a heap array of host iovecs (*out, freed by the caller). */
static int gather(wg_ctx *ctx, uint32_t iovs, uint32_t n, struct iovec **out, int *count) {
    *out = NULL;
    *count = 0;
    const uint8_t *arr = wg__wasi_mem(ctx, iovs, (uint64_t)n * 8);
    if (!arr) return WG_WASI_EFAULT;
    if (n > IOV_LIMIT) n = IOV_LIMIT;
    struct iovec *v = calloc(n ? n : 1, sizeof *v);
    if (!v) return WG_WASI_ENOMEM;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t len = wg__wasi_get_u32(arr + 8 * i + 4);
        uint8_t *p = wg__wasi_mem(ctx, wg__wasi_get_u32(arr + 8 * i), len);
        if (!p) {
            free(v);
            return WG_WASI_EFAULT;
        }
        v[i].iov_base = p;
        v[i].iov_len = len;
    }
    *out = v;
    *count = (int)n;
    return WG_WASI_ESUCCESS;
}

/* sock_accept(fd, flags u16, fd_ptr): accepts on a listening socket the
 * embedder handed in; the new connection becomes a guest fd, counted against
 * the open-file limits like path_open's (MFILE, NFILE). */
int wg__wasi_sock_accept(wg_ctx *ctx, uint64_t *slots, void *ud) {
    (void)ud;
    GET_WASI(w);
    int err;
    wg_wasi_fd *e = get_socket(w, ARG32(0), WG_WASI_RIGHT_SOCK_ACCEPT, &err);
    if (!e) return wg__wasi_ret(slots, err);
    uint32_t flags = ARG32(1) & 0xffff;
    if (flags & ~WG_WASI_FDFLAG_NONBLOCK) return wg__wasi_ret(slots, WG_WASI_EINVAL);
    uint8_t *out = wg__wasi_mem(ctx, ARG32(2), 4);
    if (!out) return wg__wasi_ret(slots, WG_WASI_EFAULT);
    /* The open-file limits before accepting: at the cap the connection stays
     * queued (as accept(2) at RLIMIT_NOFILE leaves it). */
    if ((err = wg__wasi_fd_charge(w)) != 0) return wg__wasi_ret(slots, err);
    int fd = accept4(e->hostfd, NULL, NULL,
                     SOCK_CLOEXEC | (flags & WG_WASI_FDFLAG_NONBLOCK ? SOCK_NONBLOCK : 0));
    if (fd < 0) {
        err = wg__wasi_errno(errno);
        wg__wasi_fd_uncharge(w);
        return wg__wasi_ret(slots, err);
    }
    wg_wasi_fd ne = {0};
    ne.kind = WG_WASI_FD_HOST;
    ne.filetype = WG_WASI_FILETYPE_SOCKET_STREAM;
    ne.hostfd = fd;
    ne.owned = true;
    ne.fdflags = (uint16_t)flags;
    ne.rights_base = WG_WASI_RIGHT_FD_READ | WG_WASI_RIGHT_FD_WRITE |
                     WG_WASI_RIGHT_FD_FDSTAT_SET_FLAGS | WG_WASI_RIGHT_FD_FILESTAT_GET |
                     WG_WASI_RIGHT_POLL_FD_READWRITE | WG_WASI_RIGHT_SOCK_SHUTDOWN;
    ne.charged = true;
    int64_t gfd = wg__wasi_fd_insert(w, &ne, &err);
    if (gfd < 0) {
        close(fd);
        wg__wasi_fd_uncharge(w);
        return wg__wasi_ret(slots, err);
    }
    wg__wasi_put_u32(out, (uint32_t)gfd);
    return wg__wasi_ret(slots, WG_WASI_ESUCCESS);
}

/* sock_recv(fd, ri_data, ri_data_len, ri_flags u16, ro_datalen_ptr, ro_flags_ptr) */
int wg__wasi_sock_recv(wg_ctx *ctx, uint64_t *slots, void *ud) {
    (void)ud;
    GET_WASI(w);
    int err;
    wg_wasi_fd *e = get_socket(w, ARG32(0), WG_WASI_RIGHT_FD_READ, &err);
    if (!e) return wg__wasi_ret(slots, err);
    uint32_t riflags = ARG32(3) & 0xffff;
    if (riflags & ~(RECV_PEEK | RECV_WAITALL)) return wg__wasi_ret(slots, WG_WASI_EINVAL);
    uint8_t *olen = wg__wasi_mem(ctx, ARG32(4), 4), *oflags = wg__wasi_mem(ctx, ARG32(5), 2);
    if (!olen || !oflags) return wg__wasi_ret(slots, WG_WASI_EFAULT);
    struct iovec *v;
    int nv;
    if ((err = gather(ctx, ARG32(1), ARG32(2), &v, &nv))) return wg__wasi_ret(slots, err);
    struct msghdr m = {.msg_iov = v, .msg_iovlen = (size_t)nv};
    int hf = (riflags & RECV_PEEK ? MSG_PEEK : 0) | (riflags & RECV_WAITALL ? MSG_WAITALL : 0);
    ssize_t r = recvmsg(e->hostfd, &m, hf);
    err = r < 0 ? wg__wasi_errno(errno) : 0;
    free(v);
    if (err) return wg__wasi_ret(slots, err);
    wg__wasi_put_u32(olen, (uint32_t)r);
    wg__wasi_put_u16(oflags, (m.msg_flags & MSG_TRUNC) ? RECV_DATA_TRUNCATED : 0);
    return wg__wasi_ret(slots, WG_WASI_ESUCCESS);
}

/* sock_send(fd, si_data, si_data_len, si_flags u16, so_datalen_ptr) */
int wg__wasi_sock_send(wg_ctx *ctx, uint64_t *slots, void *ud) {
    (void)ud;
    GET_WASI(w);
    int err;
    wg_wasi_fd *e = get_socket(w, ARG32(0), WG_WASI_RIGHT_FD_WRITE, &err);
    if (!e) return wg__wasi_ret(slots, err);
    if (ARG32(3) & 0xffff) return wg__wasi_ret(slots, WG_WASI_EINVAL); /* no siflags defined */
    uint8_t *olen = wg__wasi_mem(ctx, ARG32(4), 4);
    if (!olen) return wg__wasi_ret(slots, WG_WASI_EFAULT);
    struct iovec *v;
    int nv;
    if ((err = gather(ctx, ARG32(1), ARG32(2), &v, &nv))) return wg__wasi_ret(slots, err);
    struct msghdr m = {.msg_iov = v, .msg_iovlen = (size_t)nv};
    ssize_t r = sendmsg(e->hostfd, &m, MSG_NOSIGNAL);
    err = r < 0 ? wg__wasi_errno(errno) : 0;
    free(v);
    if (err) return wg__wasi_ret(slots, err);
    wg__wasi_put_u32(olen, (uint32_t)r);
    return wg__wasi_ret(slots, WG_WASI_ESUCCESS);
}

/* sock_shutdown(fd, how u8): 1 RD, 2 WR, 3 both. */
int wg__wasi_sock_shutdown(wg_ctx *ctx, uint64_t *slots, void *ud) {
    (void)ud;
    GET_WASI(w);
    int err;
    wg_wasi_fd *e = get_socket(w, ARG32(0), WG_WASI_RIGHT_SOCK_SHUTDOWN, &err);
    if (!e) return wg__wasi_ret(slots, err);
    uint32_t how = ARG32(1) & 0xff;
    int h;
    switch (how) {
    case 1: h = SHUT_RD; break;
    case 2: h = SHUT_WR; break;
    case 3: h = SHUT_RDWR; break;
    default: return wg__wasi_ret(slots, WG_WASI_EINVAL);
    }
    if (shutdown(e->hostfd, h) != 0) return wg__wasi_ret(slots, wg__wasi_errno(errno));
    return wg__wasi_ret(slots, WG_WASI_ESUCCESS);
}
