/*
 * wasi:io/streams (input-stream, output-stream) and wasi:io/error.
 *
 * A stream reads from or writes to one of (wasi2_int.h w2_io):
 *   NULL        reads: closed at once; writes: discarded
 *   FILE        a regular file at the stream's own offset (pread/pwrite;
 *               append-via-stream appends with pwritev2(RWF_APPEND))
 *   FD          a stream fd: inherited stdio, an embedder's fd, a FIFO or a
 *               device the guest opened; waits as preview1 does
 *               (wasi_host.h: interruptible slices; an fd the guest opened
 *               is made non-blocking around each call)
 *   STDIN_BUF   the wg_wasi's stdin buffer
 *   CAPTURE     the wg_wasi's stdout/stderr capture, with its cap and, for
 *               stdout, output_limit_traps (a write past the cap stores what
 *               fits and traps "stdout exceeded its 64 MiB limit")
 *
 * Reads: read never waits (an FD that is not ready gives an empty list);
 * blocking-read waits for at least one byte or the end. At most
 * W2_READ_MAX bytes per call. The end of input is stream-error closed.
 *
 * Writes: check-write answers W2_WRITE_PERMIT when the stream can take
 * bytes now (an FD polled writable, anything else at once) and 0 when not.
 * write and blocking-write-and-flush both complete the whole write before
 * returning (an FD with a slow reader is waited for in interruptible
 * slices), so flush has nothing left to do. Writes of any length are
 * accepted; wasmtime traps past check-write's permit (write) or 4096 bytes
 * (blocking-write-and-flush).
 *
 * Errors: a failed read or write answers last-operation-failed with an
 * `error` resource (its WASI errno; to-debug-string names it), and the
 * stream is closed from then on, as the WIT says. A write to a pipe whose
 * reader has gone (EPIPE) answers closed, as wasmtime does. A blocking call
 * interrupted through the instance's wg_interrupt traps "interrupted".
 *
 * A stream's pollable (subscribe) is its child: dropping the stream while
 * one lives traps "resource has children" (w2_table.c), as in wasmtime.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "wasi2/wasi2_int.h"

#define W2_READ_MAX ((size_t)1 << 20)
#define W2_WRITE_PERMIT ((uint64_t)1 << 20)
#define ZERO_CHUNK 65536

/* What a write made of the call: 0 done, a WASI errno, or TRAPPED (the
 * call's trap is set). */
#define TRAPPED (-1)

uint32_t w2_stream_new(w2_cx *cx, w2_rt rt, w2_stream **out) {
    w2_obj *o;
    uint32_t rep = w2_new(cx, rt, &o);
    if (!rep) return 0;
    o->u.s.fd = -1;
    *out = &o->u.s;
    return rep;
}

bool w2_stream_closed(wg_ccall *call, wg_cval *r) {
    wg_cval v = wg_cval_var(WG_CV_VARIANT, 1, NULL);
    return w2_set(call, r, wg_cval_var(WG_CV_RESULT, 1, &v));
}

bool w2_stream_fail(w2_cx *cx, w2_stream *s, wg_cval *r, int werr, bool fs) {
    s->closed = true; /* before w2_new, which may move s */
    if (werr == WG_WASI_EPIPE) return w2_stream_closed(cx->call, r);
    w2_obj *o;
    uint32_t rep = w2_new(cx, W2_RT_ERROR, &o);
    if (!rep) return false;
    o->u.e = (w2_err){.werr = werr, .fs = fs};
    wg_cval e = w2_own(cx, W2_RT_ERROR, rep);
    wg_cval v = wg_cval_var(WG_CV_VARIANT, 0, &e);
    return w2_set(cx->call, r, wg_cval_var(WG_CV_RESULT, 1, &v));
}

bool w2_stream_ready(const w2_stream *s, bool output) {
    if (s->closed || s->io != W2_IO_FD || !s->may_wait) return true;
    return wg__wasi_fd_ready(s->fd, output ? POLLOUT : POLLIN);
}

/* The stream self (argument 0) of kind rt, after the argument count check;
 * NULL after trapping. */
static w2_stream *self_stream(w2_cx *cx, wg_cval *args, uint32_t nargs, uint32_t want,
                             const char *name, w2_rt rt, uint32_t *rep_out) {
    uint32_t rep;
    if (!w2_nargs(cx->call, nargs, want, name) || !w2_arg_handle(cx->call, &args[0], &rep))
        return NULL;
    w2_obj *o = w2_get(cx->st, rep, rt);
    if (!o) {
        wg_ccall_trap(cx->call, "wasi: %s: unknown %s (%u)", name,
                      rt == W2_RT_INPUT ? "input-stream" : "output-stream", rep);
        return NULL;
    }
    if (rep_out) *rep_out = rep;
    return &o->u.s;
}

/* ---- reading ------------------------------------------------------------------------------ */

/* Reads up to len bytes of s into buf: *n bytes, *eof at the end of input.
 * blocking: wait for at least one byte (or the end). WASI errno (INTR when
 * interrupted). */
static int in_read(w2_cx *cx, w2_stream *s, uint8_t *buf, size_t len, bool blocking, size_t *n,
                   bool *eof) {
    *n = 0;
    *eof = false;
    if (len == 0) return 0;
    switch (s->io) {
    case W2_IO_STDIN_BUF:
        *n = wg__wasi_stdin_read(cx->w, buf, len);
        *eof = *n == 0;
        return 0;
    case W2_IO_FILE: {
        ssize_t r;
        do r = pread(s->fd, buf, len, (off_t)s->pos);
        while (r < 0 && errno == EINTR);
        if (r < 0) return wg__wasi_errno(errno);
        *n = (size_t)r;
        *eof = r == 0;
        s->pos += (uint64_t)r;
        return 0;
    }
    case W2_IO_FD: {
        struct iovec v = {buf, len};
        wg_wasi_intr intr = {w2_intr_check, cx->call};
        int err;
        if (blocking || !s->may_wait) {
            err = wg__wasi_host_rw(s->fd, s->owned, s->may_wait, &v, 1, false, &intr, n);
        } else {
            err = wg__wasi_host_try_rw(s->fd, s->owned, &v, 1, false, n);
            if (err == WG_WASI_EAGAIN) return 0; /* nothing yet */
        }
        if (!err) *eof = *n == 0;
        return err;
    }
    default:
        *eof = true;
        return 0;
    }
}

/* read / blocking-read (skip false) and skip / blocking-skip. */
static bool input_op(wg_ccall *call, wg_cval *args, uint32_t nargs, wg_cval *r, void *data,
                     bool blocking, bool skip) {
    static const char *const names[2][2] = {{"read", "blocking-read"}, {"skip", "blocking-skip"}};
    const char *name = names[skip][blocking];
    w2_cx cx;
    uint64_t len;
    if (!w2_enter(&cx, call, data)) return false;
    w2_stream *s = self_stream(&cx, args, nargs, 2, name, W2_RT_INPUT, NULL);
    if (!s || !w2_arg_u64(call, &args[1], &len)) return false;
    if (s->closed) return w2_stream_closed(call, r);
    size_t want = len < W2_READ_MAX ? (size_t)len : W2_READ_MAX;
    if (skip && s->io == W2_IO_FILE) {
        /* Skipping a file moves the offset; nothing is read. */
        wg_wasi_filestat st;
        int err = wg__fs_fstat(s->fd, &st);
        if (err) return w2_stream_fail(&cx, s, r, err, true);
        if (len && s->pos >= st.size) {
            s->closed = true;
            return w2_stream_closed(call, r);
        }
        uint64_t k = len < st.size - s->pos ? len : st.size - s->pos;
        s->pos += k;
        wg_cval n = wg_cval_u(WG_CV_U64, k);
        return w2_ok(call, r, &n);
    }
    uint8_t *buf = malloc(want ? want : 1);
    if (!buf) return wg_ccall_trap(call, "wasi: out of memory");
    size_t n;
    bool eof;
    int err = in_read(&cx, s, buf, want, blocking, &n, &eof);
    if (err == WG_WASI_EINTR && wg_ccall_interrupted(call)) {
        free(buf);
        return w2_trap_interrupted(call);
    }
    if (err || eof) {
        free(buf);
        if (err) return w2_stream_fail(&cx, s, r, err, s->file != NULL);
        s->closed = true;
        return w2_stream_closed(call, r);
    }
    wg_cval payload;
    if (skip) {
        free(buf);
        payload = wg_cval_u(WG_CV_U64, n);
    } else {
        payload = (wg_cval){.kind = WG_CV_BYTES};
        payload.of.bytes.len = n;
        payload.of.bytes.data = n ? buf : NULL;
        if (!n) free(buf);
    }
    return w2_ok(call, r, &payload);
}

static bool in_read_fn(wg_ccall *call, wg_cval *args, uint32_t nargs, wg_cval *r, void *data) {
    return input_op(call, args, nargs, r, data, false, false);
}
static bool in_bread_fn(wg_ccall *call, wg_cval *args, uint32_t nargs, wg_cval *r, void *data) {
    return input_op(call, args, nargs, r, data, true, false);
}
static bool in_skip_fn(wg_ccall *call, wg_cval *args, uint32_t nargs, wg_cval *r, void *data) {
    return input_op(call, args, nargs, r, data, false, true);
}
static bool in_bskip_fn(wg_ccall *call, wg_cval *args, uint32_t nargs, wg_cval *r, void *data) {
    return input_op(call, args, nargs, r, data, true, true);
}

static bool subscribe_fn(wg_ccall *call, wg_cval *args, uint32_t nargs, wg_cval *r, void *data,
                         w2_rt rt) {
    w2_cx cx;
    uint32_t rep;
    if (!w2_enter(&cx, call, data)) return false;
    w2_stream *s = self_stream(&cx, args, nargs, 1, "subscribe", rt, &rep);
    if (!s) return false;
    uint32_t p = w2_pollable_new(&cx, W2_P_STREAM, 0, rep);
    return p && w2_set(call, r, w2_own(&cx, W2_RT_POLLABLE, p));
}

static bool in_subscribe(wg_ccall *call, wg_cval *args, uint32_t nargs, wg_cval *r, void *data) {
    return subscribe_fn(call, args, nargs, r, data, W2_RT_INPUT);
}

/* ---- writing ------------------------------------------------------------------------------ */

/* Appends at the end of the file whatever its offset says. */
static ssize_t append_write(int fd, const uint8_t *p, size_t len) {
    struct iovec v = {(void *)p, len};
    ssize_t r = pwritev2(fd, &v, 1, 0, RWF_APPEND);
    if (r >= 0 || (errno != EOPNOTSUPP && errno != ENOSYS && errno != EINVAL)) return r;
    /* Kernels before 4.16: at the size now (not atomic against other writers). */
    off_t end = lseek(fd, 0, SEEK_END);
    return end < 0 ? -1 : pwrite(fd, p, len, end);
}

/* Writes all of p[0..len) to s: 0, a WASI errno, or TRAPPED. */
static int out_write(w2_cx *cx, w2_stream *s, const uint8_t *p, size_t len) {
    switch (s->io) {
    case W2_IO_CAPTURE: {
        wg_wasi_outbuf *b = &cx->w->out[s->stream == 2 ? 2 : 1];
        if (wg__wasi_capture_traps(cx->w, s->stream, len)) {
            char msg[96];
            wg__wasi_outbuf_write(b, p, len);
            wg__wasi_capture_trap_message(cx->w, msg, sizeof msg);
            wg_ccall_trap(cx->call, "%s", msg);
            return TRAPPED;
        }
        wg__wasi_outbuf_write(b, p, len); /* cut at the cap: see wasi.h */
        return 0;
    }
    case W2_IO_FILE:
        while (len) {
            ssize_t r = s->append ? append_write(s->fd, p, len) : pwrite(s->fd, p, len, (off_t)s->pos);
            if (r < 0) {
                if (errno == EINTR) continue;
                return wg__wasi_errno(errno);
            }
            if (!s->append) s->pos += (uint64_t)r;
            p += r;
            len -= (size_t)r;
        }
        return 0;
    case W2_IO_FD: {
        wg_wasi_intr intr = {w2_intr_check, cx->call};
        while (len) {
            struct iovec v = {(void *)p, len};
            size_t n;
            int err = wg__wasi_host_rw(s->fd, s->owned, s->may_wait, &v, 1, true, &intr, &n);
            if (err == WG_WASI_EINTR && wg_ccall_interrupted(cx->call)) {
                w2_trap_interrupted(cx->call);
                return TRAPPED;
            }
            if (err) return err;
            if (n == 0) return WG_WASI_EIO; /* a write that moves nothing would loop forever */
            p += n;
            len -= n;
        }
        return 0;
    }
    default: return 0; /* NULL: discarded */
    }
}

/* The result of a write-like call: ok, the stream's error, or the trap. */
static bool write_result(w2_cx *cx, w2_stream *s, wg_cval *r, int err) {
    if (err == TRAPPED) return false;
    if (err) return w2_stream_fail(cx, s, r, err, s->file != NULL);
    return w2_ok(cx->call, r, NULL);
}

static bool out_check_write(wg_ccall *call, wg_cval *args, uint32_t nargs, wg_cval *r, void *data) {
    w2_cx cx;
    if (!w2_enter(&cx, call, data)) return false;
    w2_stream *s = self_stream(&cx, args, nargs, 1, "check-write", W2_RT_OUTPUT, NULL);
    if (!s) return false;
    if (s->closed) return w2_stream_closed(call, r);
    wg_cval n = wg_cval_u(WG_CV_U64, w2_stream_ready(s, true) ? W2_WRITE_PERMIT : 0);
    return w2_ok(call, r, &n);
}

/* write and blocking-write-and-flush: the same (see the file comment). */
static bool out_write_fn(wg_ccall *call, wg_cval *args, uint32_t nargs, wg_cval *r, void *data) {
    w2_cx cx;
    const uint8_t *p;
    size_t len;
    uint8_t *tmp;
    if (!w2_enter(&cx, call, data)) return false;
    w2_stream *s = self_stream(&cx, args, nargs, 2, "write", W2_RT_OUTPUT, NULL);
    if (!s || !w2_arg_bytes(call, &args[1], &p, &len, &tmp)) return false;
    if (s->closed) {
        free(tmp);
        return w2_stream_closed(call, r);
    }
    int err = out_write(&cx, s, p, len);
    free(tmp);
    return write_result(&cx, s, r, err);
}

static bool out_flush(wg_ccall *call, wg_cval *args, uint32_t nargs, wg_cval *r, void *data) {
    w2_cx cx;
    if (!w2_enter(&cx, call, data)) return false;
    w2_stream *s = self_stream(&cx, args, nargs, 1, "flush", W2_RT_OUTPUT, NULL);
    if (!s) return false;
    if (s->closed) return w2_stream_closed(call, r);
    return w2_ok(call, r, NULL);
}

static bool out_write_zeroes(wg_ccall *call, wg_cval *args, uint32_t nargs, wg_cval *r,
                             void *data) {
    static const uint8_t zeroes[ZERO_CHUNK];
    w2_cx cx;
    uint64_t len;
    if (!w2_enter(&cx, call, data)) return false;
    w2_stream *s = self_stream(&cx, args, nargs, 2, "write-zeroes", W2_RT_OUTPUT, NULL);
    if (!s || !w2_arg_u64(call, &args[1], &len)) return false;
    if (s->closed) return w2_stream_closed(call, r);
    int err = 0;
    while (len && !err) {
        size_t k = len < ZERO_CHUNK ? (size_t)len : ZERO_CHUNK;
        err = out_write(&cx, s, zeroes, k);
        len -= k;
        /* A huge count to a capture or a file takes a while: stop when told. */
        if (!err && len && wg_ccall_interrupted(call)) {
            w2_trap_interrupted(call);
            err = TRAPPED;
        }
    }
    return write_result(&cx, s, r, err);
}

/* splice / blocking-splice: reads up to len bytes of src, writes them. */
static bool out_splice(wg_ccall *call, wg_cval *args, uint32_t nargs, wg_cval *r, void *data,
                       bool blocking) {
    w2_cx cx;
    uint32_t src_rep;
    uint64_t len;
    if (!w2_enter(&cx, call, data)) return false;
    const char *name = blocking ? "blocking-splice" : "splice";
    if (!self_stream(&cx, args, nargs, 3, name, W2_RT_OUTPUT, NULL)) return false;
    if (!w2_arg_handle(call, &args[1], &src_rep) || !w2_arg_u64(call, &args[2], &len)) return false;
    w2_obj *so = w2_get(cx.st, src_rep, W2_RT_INPUT);
    if (!so) return wg_ccall_trap(call, "wasi: %s: unknown input-stream (%u)", name, src_rep);
    w2_stream *src = &so->u.s;
    uint32_t self_rep = args[0].of.handle.rep;
    w2_stream *s = &w2_get(cx.st, self_rep, W2_RT_OUTPUT)->u.s;
    if (s->closed || src->closed) return w2_stream_closed(call, r);
    size_t want = len < W2_READ_MAX ? (size_t)len : W2_READ_MAX;
    uint8_t *buf = malloc(want ? want : 1);
    if (!buf) return wg_ccall_trap(call, "wasi: out of memory");
    size_t n;
    bool eof;
    int err = in_read(&cx, src, buf, want, blocking, &n, &eof);
    if (err == WG_WASI_EINTR && wg_ccall_interrupted(call)) {
        free(buf);
        return w2_trap_interrupted(call);
    }
    if (err || eof) {
        free(buf);
        if (err) return w2_stream_fail(&cx, src, r, err, src->file != NULL);
        src->closed = true;
        return w2_stream_closed(call, r);
    }
    err = out_write(&cx, s, buf, n);
    free(buf);
    if (err == TRAPPED) return false;
    if (err) return w2_stream_fail(&cx, s, r, err, s->file != NULL);
    wg_cval k = wg_cval_u(WG_CV_U64, n);
    return w2_ok(call, r, &k);
}

static bool out_splice_fn(wg_ccall *call, wg_cval *args, uint32_t nargs, wg_cval *r, void *data) {
    return out_splice(call, args, nargs, r, data, false);
}
static bool out_bsplice_fn(wg_ccall *call, wg_cval *args, uint32_t nargs, wg_cval *r, void *data) {
    return out_splice(call, args, nargs, r, data, true);
}

static bool out_subscribe(wg_ccall *call, wg_cval *args, uint32_t nargs, wg_cval *r, void *data) {
    return subscribe_fn(call, args, nargs, r, data, W2_RT_OUTPUT);
}

/* ---- wasi:io/error ------------------------------------------------------------------------ */

static bool error_debug(wg_ccall *call, wg_cval *args, uint32_t nargs, wg_cval *r, void *data) {
    w2_cx cx;
    uint32_t rep;
    if (!w2_enter(&cx, call, data) || !w2_nargs(call, nargs, 1, "to-debug-string") ||
        !w2_arg_handle(call, &args[0], &rep))
        return false;
    w2_obj *o = w2_get(cx.st, rep, W2_RT_ERROR);
    if (!o) return wg_ccall_trap(call, "wasi: to-debug-string: unknown error (%u)", rep);
    char msg[96];
    int n = snprintf(msg, sizeof msg, "%s (wasi errno %d)", w2_fs_code_name(w2_fs_code(o->u.e.werr)),
                     o->u.e.werr);
    return w2_set(call, r, wg_cval_string(msg, n > 0 ? (size_t)n : 0));
}

const w2_fn w2_stream_fns[] = {
    {"wasi:io/streams", "[method]input-stream.read", in_read_fn},
    {"wasi:io/streams", "[method]input-stream.blocking-read", in_bread_fn},
    {"wasi:io/streams", "[method]input-stream.skip", in_skip_fn},
    {"wasi:io/streams", "[method]input-stream.blocking-skip", in_bskip_fn},
    {"wasi:io/streams", "[method]input-stream.subscribe", in_subscribe},
    {"wasi:io/streams", "[method]output-stream.check-write", out_check_write},
    {"wasi:io/streams", "[method]output-stream.write", out_write_fn},
    {"wasi:io/streams", "[method]output-stream.blocking-write-and-flush", out_write_fn},
    {"wasi:io/streams", "[method]output-stream.flush", out_flush},
    {"wasi:io/streams", "[method]output-stream.blocking-flush", out_flush},
    {"wasi:io/streams", "[method]output-stream.subscribe", out_subscribe},
    {"wasi:io/streams", "[method]output-stream.write-zeroes", out_write_zeroes},
    {"wasi:io/streams", "[method]output-stream.blocking-write-zeroes-and-flush", out_write_zeroes},
    {"wasi:io/streams", "[method]output-stream.splice", out_splice_fn},
    {"wasi:io/streams", "[method]output-stream.blocking-splice", out_bsplice_fn},
    {"wasi:io/error", "[method]error.to-debug-string", error_debug},
    {NULL, NULL, NULL},
};
