/*
 * WASI preview1 fd_* functions on open descriptors (all but fd_readdir, which
 * lives with the path functions in wasi_path.c).
 *
 * Each function: find the caller's wg_wasi (trap if none), look the fd up
 * with the rights the witx asks for (BADF / NOTCAPABLE), check every guest
 * pointer before doing anything with a side effect (FAULT), then act:
 *   WG_WASI_FD_HOST       a host syscall; host errno mapped by wg__wasi_errno
 *   WG_WASI_FD_STDIN_BUF  reads from w->stdin_data
 *   WG_WASI_FD_OUT_BUF    writes to w->out[stream] (capped, see wasi.c; with the
 *                         config's output_limit_traps a stdout write past the
 *                         cap traps; stderr never does)
 *   WG_WASI_FD_NULL       reads EOF, writes are discarded
 *
 * Guest layouts (little-endian):
 *   iovec / ciovec  8 bytes: buf u32 @0, buf_len u32 @4
 *   fdstat         24 bytes: filetype u8 @0, flags u16 @2, rights_base u64 @8,
 *                            rights_inheriting u64 @16
 *   filestat       64 bytes: dev u64 @0, ino u64 @8, filetype u8 @16,
 *                            nlink u64 @24, size u64 @32, atim @40, mtim @48, ctim @56
 *   prestat         8 bytes: tag u8 @0 (0 = dir), pr_name_len u32 @4
 *
 * Host fds the guest did not get from us (inherited stdio, fds handed in by
 * the embedder: owned == false, not preopens) are shared with the host
 * process, so fd_fdstat_set_flags only records the flags for them instead of
 * changing the host's open file description.
 */
#define _GNU_SOURCE
#include "wasi/wasi_int.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#define NO_WASI "WASI is not configured for this instance"
#define GET_WASI(w)                                   \
    wg_wasi *w = wg__wasi_of(ctx);                    \
    if (!w) return wg_ctx_trap(ctx, NO_WASI)
#define ARG32(i) ((uint32_t)slots[i])
#define ARG64(i) (slots[i])

#define IOV_INLINE 16
#define IOV_LIMIT 1024 /* Linux IOV_MAX: more iovecs give a short read/write */

/* Guest iovecs translated to host ones. */
typedef struct iov_set {
    struct iovec *v;      /* inline or heap */
    int n;                /* entries used */
    size_t total;         /* sum of lengths */
    struct iovec inline_[IOV_INLINE];
} iov_set;

static void iov_free(iov_set *s) {
    if (s->v != s->inline_) free(s->v);
}

/* Reads n guest (c)iovecs at iovs and checks each buffer. Returns a WASI errno. */
static int iov_gather(wg_ctx *ctx, uint32_t iovs, uint32_t n, iov_set *s) {
    s->v = s->inline_;
    s->n = 0;
    s->total = 0;
    const uint8_t *arr = wg__wasi_mem(ctx, iovs, (uint64_t)n * 8);
    if (!arr) return WG_WASI_EFAULT;
    if (n > IOV_LIMIT) n = IOV_LIMIT;
    if (n > IOV_INLINE) {
        s->v = malloc((size_t)n * sizeof *s->v);
        if (!s->v) {
            s->v = s->inline_;
            return WG_WASI_ENOMEM;
        }
    }
    for (uint32_t i = 0; i < n; i++) {
        uint32_t buf = wg__wasi_get_u32(arr + 8 * i), len = wg__wasi_get_u32(arr + 8 * i + 4);
        uint8_t *p = wg__wasi_mem(ctx, buf, len);
        if (!p) {
            iov_free(s);
            s->v = s->inline_;
            return WG_WASI_EFAULT;
        }
        s->v[s->n].iov_base = p;
        s->v[s->n].iov_len = len;
        s->n++;
        s->total += len;
    }
    return WG_WASI_ESUCCESS;
}

/* An fd usable for syscalls that refuse O_PATH descriptors (fsync, futimens
 * on a preopen): the fd itself, or a fresh O_RDONLY open of it in *tmp. */
static int real_fd(int fd, int *tmp) {
    *tmp = -1;
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || !(fl & O_PATH)) return fd;
    char proc[64];
    snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
    *tmp = open(proc, O_RDONLY | O_CLOEXEC);
    if (*tmp < 0) *tmp = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    return *tmp;
}

static uint8_t filetype_of_mode(mode_t m) {
    switch (m & S_IFMT) {
    case S_IFREG: return WG_WASI_FILETYPE_REGULAR_FILE;
    case S_IFDIR: return WG_WASI_FILETYPE_DIRECTORY;
    case S_IFCHR: return WG_WASI_FILETYPE_CHARACTER_DEVICE;
    case S_IFBLK: return WG_WASI_FILETYPE_BLOCK_DEVICE;
    case S_IFLNK: return WG_WASI_FILETYPE_SYMBOLIC_LINK;
    case S_IFSOCK: return WG_WASI_FILETYPE_SOCKET_STREAM;
    default: return WG_WASI_FILETYPE_UNKNOWN;
    }
}

/* Byte-stream operations on a directory fail with ISDIR whatever its rights
 * (lseek on a Linux directory fd would succeed). */
static bool is_dir(const wg_wasi_fd *e) {
    return e->kind == WG_WASI_FD_HOST && e->filetype == WG_WASI_FILETYPE_DIRECTORY;
}

/* A byte stream without positions: buffers, pipes, ttys, sockets. */
static bool is_stream(const wg_wasi_fd *e) {
    return e->kind != WG_WASI_FD_HOST || e->filetype == WG_WASI_FILETYPE_UNKNOWN ||
           e->filetype == WG_WASI_FILETYPE_CHARACTER_DEVICE ||
           e->filetype == WG_WASI_FILETYPE_SOCKET_STREAM ||
           e->filetype == WG_WASI_FILETYPE_SOCKET_DGRAM;
}

/* The entry for the positional functions (seek, tell, pread, pwrite):
 * BADF, then ISDIR for a directory, SPIPE for a stream (as wasmtime answers
 * for stdio), then NOTCAPABLE if `rights` are missing. */
static wg_wasi_fd *get_positional(wg_wasi *w, uint32_t fd, uint64_t rights, int *err) {
    wg_wasi_fd *e = wg__wasi_fd_get(w, fd, 0, err);
    if (!e) return NULL;
    if (is_dir(e)) {
        *err = WG_WASI_EISDIR;
        return NULL;
    }
    if (is_stream(e)) {
        *err = WG_WASI_ESPIPE;
        return NULL;
    }
    return wg__wasi_fd_get(w, fd, rights, err);
}

static uint64_t ts_ns(struct timespec t) {
    return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

/* ---- reading and writing --------------------------------------------------------- */

/* ---- host I/O that an interrupt can end ----
 *
 * A guest call on a pipe, FIFO, tty or socket may have to wait for the other
 * end. The wait is never left to the kernel, where no interrupt (a --timeout,
 * a gateway deadline, SIGTERM) could end it: it is cut into slices of
 * WAIT_SLICE_MS, and between slices the instance's interrupt flag is checked
 * (INTR when set; the engine then stops the guest at its next call or
 * back-edge). Regular files, directories and fds the guest made non-blocking
 * never wait here. Two ways, by who owns the fd's open file description:
 *
 *   owned (path_open, sock_accept: only we hold it)
 *        each readv/writev is made with O_NONBLOCK set around it (the fd's
 *        flags stay what the guest asked for in between), and polled for
 *        only when it would block. So the kernel never holds the thread: a
 *        write larger than the pipe's free space returns the part that fit (a
 *        short write, which the guest's libc continues), and a read of a FIFO
 *        that no writer has opened yet gets EOF at once, as a blocking read
 *        does (poll never reports such a FIFO readable, so waiting for poll
 *        first would hang it until the deadline).
 *   borrowed (inherited stdio, an embedder's fd: the description is shared
 *        with the host process, whose flags we must not touch even briefly)
 *        poll until ready, then one blocking call. */
#define WAIT_SLICE_MS 10

/* Waits at most one slice for `events` on hostfd. WASI errno: SUCCESS (ready,
 * or the slice ended: try again), INTR when the instance is interrupted. */
static int wait_slice(wg_ctx *ctx, int hostfd, short events) {
    struct pollfd p = {.fd = hostfd, .events = events};
    int r = poll(&p, 1, WAIT_SLICE_MS);
    if (r > 0) return WG_WASI_ESUCCESS; /* ready, or an error/hangup the call will report */
    if (wg_instance_is_interrupted(wg_ctx_instance(ctx))) return WG_WASI_EINTR;
    return WG_WASI_ESUCCESS;
}

/* Blocks until borrowed host fd e is ready for `events`, slice by slice.
 * WASI errno: SUCCESS when ready (or when a poll error leaves it to the call
 * to report), INTR when interrupted. */
static int wait_ready(wg_ctx *ctx, const wg_wasi_fd *e, short events) {
    const wg_instance *inst = wg_ctx_instance(ctx);
    struct pollfd p = {.fd = e->hostfd, .events = events};
    for (;;) {
        int r = poll(&p, 1, WAIT_SLICE_MS);
        if (r > 0) return WG_WASI_ESUCCESS;
        if (r < 0 && errno != EINTR) return WG_WASI_ESUCCESS;
        if (wg_instance_is_interrupted(inst)) return WG_WASI_EINTR;
    }
}

static ssize_t host_rw(int fd, const iov_set *s, bool write) {
    return write ? writev(fd, s->v, s->n) : readv(fd, s->v, s->n);
}

/* One readv (write false) or writev of s on host fd e, waiting as described
 * above. *out = bytes moved. WASI errno (INTR when interrupted). */
static int host_io(wg_ctx *ctx, const wg_wasi_fd *e, iov_set *s, bool write, size_t *out) {
    const short events = write ? POLLOUT : POLLIN;
    *out = 0;
    if (!s->n) return WG_WASI_ESUCCESS;
    bool may_wait = e->filetype != WG_WASI_FILETYPE_REGULAR_FILE &&
                    e->filetype != WG_WASI_FILETYPE_DIRECTORY &&
                    !(e->fdflags & WG_WASI_FDFLAG_NONBLOCK);
    ssize_t r;
    if (!may_wait || !e->owned) {
        if (may_wait) {
            int werr = wait_ready(ctx, e, events);
            if (werr) return werr;
        }
        r = host_rw(e->hostfd, s, write);
        if (r < 0) return wg__wasi_errno(errno);
        *out = (size_t)r;
        return WG_WASI_ESUCCESS;
    }
    int fl = fcntl(e->hostfd, F_GETFL);
    if (fl < 0) return wg__wasi_errno(errno);
    for (;;) {
        if (fcntl(e->hostfd, F_SETFL, fl | O_NONBLOCK) != 0) return wg__wasi_errno(errno);
        r = host_rw(e->hostfd, s, write);
        int saved = errno;
        /* Back to the guest's flags; F_SETFL on an fd that just worked does
         * not fail, and if it did the call's own result still stands. */
        (void)fcntl(e->hostfd, F_SETFL, fl);
        if (r >= 0) {
            *out = (size_t)r;
            return WG_WASI_ESUCCESS;
        }
        if (saved != EAGAIN && saved != EWOULDBLOCK && saved != EINTR)
            return wg__wasi_errno(saved);
        int werr = wait_slice(ctx, e->hostfd, events);
        if (werr) return werr;
    }
}

/* Reads into s from e; *out = bytes read. WASI errno. */
static int do_read(wg_ctx *ctx, wg_wasi *w, wg_wasi_fd *e, iov_set *s, size_t *out) {
    *out = 0;
    switch (e->kind) {
    case WG_WASI_FD_HOST: return host_io(ctx, e, s, false, out);
    case WG_WASI_FD_STDIN_BUF: {
        size_t got = 0;
        for (int i = 0; i < s->n && w->stdin_pos < w->stdin_len; i++) {
            size_t avail = w->stdin_len - w->stdin_pos;
            size_t k = s->v[i].iov_len < avail ? s->v[i].iov_len : avail;
            if (k) memcpy(s->v[i].iov_base, w->stdin_data + w->stdin_pos, k);
            w->stdin_pos += k;
            got += k;
        }
        *out = got;
        return WG_WASI_ESUCCESS;
    }
    case WG_WASI_FD_NULL: return WG_WASI_ESUCCESS;
    default: return WG_WASI_EBADF;
    }
}

/* Writes s to e; *out = bytes written. WASI errno. */
static int do_write(wg_ctx *ctx, wg_wasi *w, wg_wasi_fd *e, iov_set *s, size_t *out) {
    *out = 0;
    switch (e->kind) {
    case WG_WASI_FD_HOST: return host_io(ctx, e, s, true, out);
    case WG_WASI_FD_OUT_BUF: {
        wg_wasi_outbuf *b = &w->out[e->stream == 2 ? 2 : 1];
        for (int i = 0; i < s->n; i++) wg__wasi_outbuf_write(b, s->v[i].iov_base, s->v[i].iov_len);
        *out = s->total; /* the whole length even when capped: see wasi.c */
        return WG_WASI_ESUCCESS;
    }
    case WG_WASI_FD_NULL: *out = s->total; return WG_WASI_ESUCCESS;
    default: return WG_WASI_EBADF;
    }
}

/* fd_read(fd, iovs, iovs_len, nread_ptr) */
int wg__wasi_fd_read(wg_ctx *ctx, uint64_t *slots, void *ud) {
    (void)ud;
    GET_WASI(w);
    int err;
    wg_wasi_fd *e = wg__wasi_fd_get(w, ARG32(0), WG_WASI_RIGHT_FD_READ, &err);
    if (!e) return wg__wasi_ret(slots, err);
    if (is_dir(e)) return wg__wasi_ret(slots, WG_WASI_EISDIR);
    if (!wg__wasi_mem(ctx, ARG32(3), 4)) return wg__wasi_ret(slots, WG_WASI_EFAULT);
    iov_set s;
    if ((err = iov_gather(ctx, ARG32(1), ARG32(2), &s))) return wg__wasi_ret(slots, err);
    size_t n;
    err = do_read(ctx, w, e, &s, &n);
    iov_free(&s);
    if (!err) wg__wasi_put_u32(wg__wasi_mem(ctx, ARG32(3), 4), (uint32_t)n);
    return wg__wasi_ret(slots, err);
}

/* "64 MiB", "1 KiB", "1000 bytes": a cap for messages. */
static void format_cap(char *buf, size_t size, size_t cap) {
    if (cap && cap % (1u << 30) == 0) snprintf(buf, size, "%zu GiB", cap >> 30);
    else if (cap && cap % (1u << 20) == 0) snprintf(buf, size, "%zu MiB", cap >> 20);
    else if (cap && cap % (1u << 10) == 0) snprintf(buf, size, "%zu KiB", cap >> 10);
    else snprintf(buf, size, "%zu bytes", cap);
}

/* With output_limit_traps: a write to the stdout capture that does not fit
 * stores what fits (for the embedder's logs) and stops the guest. stderr is
 * left to do_write, which cuts it at the cap and reports the whole write: it
 * is only logged, so overflowing it must not turn a good response into a
 * failure. Returns 0 when the write fits or is not a stdout capture (the
 * caller goes on), else the trap's wg_ctx_trap value. */
static int capture_overflow(wg_ctx *ctx, wg_wasi *w, const wg_wasi_fd *e, iov_set *s) {
    if (e->kind != WG_WASI_FD_OUT_BUF || e->stream == 2 || !w->cfg ||
        !w->cfg->output_limit_traps)
        return 0;
    wg_wasi_outbuf *b = &w->out[1];
    size_t room = b->limit > b->len ? b->limit - b->len : 0;
    if (s->total <= room) return 0;
    for (int i = 0; i < s->n; i++) wg__wasi_outbuf_write(b, s->v[i].iov_base, s->v[i].iov_len);
    b->truncated = true;
    iov_free(s);
    char cap[32], msg[96];
    format_cap(cap, sizeof cap, b->limit);
    snprintf(msg, sizeof msg, "stdout exceeded its %s limit", cap);
    return wg_ctx_trap(ctx, msg);
}

/* fd_write(fd, iovs, iovs_len, nwritten_ptr) */
int wg__wasi_fd_write(wg_ctx *ctx, uint64_t *slots, void *ud) {
    (void)ud;
    GET_WASI(w);
    int err;
    wg_wasi_fd *e = wg__wasi_fd_get(w, ARG32(0), WG_WASI_RIGHT_FD_WRITE, &err);
    if (!e) return wg__wasi_ret(slots, err);
    if (is_dir(e)) return wg__wasi_ret(slots, WG_WASI_EISDIR);
    if (!wg__wasi_mem(ctx, ARG32(3), 4)) return wg__wasi_ret(slots, WG_WASI_EFAULT);
    iov_set s;
    if ((err = iov_gather(ctx, ARG32(1), ARG32(2), &s))) return wg__wasi_ret(slots, err);
    int stop = capture_overflow(ctx, w, e, &s);
    if (stop) return stop;
    size_t n;
    err = do_write(ctx, w, e, &s, &n);
    iov_free(&s);
    if (!err) wg__wasi_put_u32(wg__wasi_mem(ctx, ARG32(3), 4), (uint32_t)n);
    return wg__wasi_ret(slots, err);
}

/* fd_pread / fd_pwrite(fd, iovs, iovs_len, offset u64, n_ptr): the two differ
 * only in the right they need and the host call. On an fd opened with APPEND,
 * Linux's pwrite appends whatever the offset (pwrite(2) BUGS); so do we. */
static int positional_io(wg_ctx *ctx, uint64_t *slots, bool write) {
    GET_WASI(w);
    int err;
    uint64_t right = write ? WG_WASI_RIGHT_FD_WRITE : WG_WASI_RIGHT_FD_READ;
    wg_wasi_fd *e = get_positional(w, ARG32(0), right | WG_WASI_RIGHT_FD_SEEK, &err);
    if (!e) return wg__wasi_ret(slots, err);
    uint64_t off = ARG64(3);
    if (!wg__wasi_mem(ctx, ARG32(4), 4)) return wg__wasi_ret(slots, WG_WASI_EFAULT);
    if (e->kind != WG_WASI_FD_HOST) return wg__wasi_ret(slots, WG_WASI_ESPIPE);
    if (off > (uint64_t)INT64_MAX) return wg__wasi_ret(slots, WG_WASI_EINVAL);
    iov_set s;
    if ((err = iov_gather(ctx, ARG32(1), ARG32(2), &s))) return wg__wasi_ret(slots, err);
    ssize_t r = 0;
    if (s.n) r = write ? pwritev(e->hostfd, s.v, s.n, (off_t)off) : preadv(e->hostfd, s.v, s.n, (off_t)off);
    err = r < 0 ? wg__wasi_errno(errno) : 0;
    iov_free(&s);
    if (!err) wg__wasi_put_u32(wg__wasi_mem(ctx, ARG32(4), 4), (uint32_t)r);
    return wg__wasi_ret(slots, err);
}

/* fd_pread(fd, iovs, iovs_len, offset u64, nread_ptr) */
int wg__wasi_fd_pread(wg_ctx *ctx, uint64_t *slots, void *ud) {
    (void)ud;
    return positional_io(ctx, slots, false);
}

/* fd_pwrite(fd, iovs, iovs_len, offset u64, nwritten_ptr) */
int wg__wasi_fd_pwrite(wg_ctx *ctx, uint64_t *slots, void *ud) {
    (void)ud;
    return positional_io(ctx, slots, true);
}

/* ---- seeking ---------------------------------------------------------------------- */

/* fd_seek(fd, offset i64, whence u8, newoffset_ptr). Needs FD_SEEK, or only
 * FD_TELL for a pure query (offset 0 from CUR). */
int wg__wasi_fd_seek(wg_ctx *ctx, uint64_t *slots, void *ud) {
    (void)ud;
    GET_WASI(w);
    int64_t off = (int64_t)ARG64(1);
    uint32_t whence = ARG32(2) & 0xff;
    uint64_t need = off == 0 && whence == 1 ? WG_WASI_RIGHT_FD_TELL : WG_WASI_RIGHT_FD_SEEK;
    int err;
    wg_wasi_fd *e = get_positional(w, ARG32(0), need, &err);
    if (!e && err == WG_WASI_ENOTCAPABLE && need == WG_WASI_RIGHT_FD_TELL)
        e = get_positional(w, ARG32(0), WG_WASI_RIGHT_FD_SEEK, &err);
    if (!e) return wg__wasi_ret(slots, err);
    if (whence > 2) return wg__wasi_ret(slots, WG_WASI_EINVAL);
    uint8_t *out = wg__wasi_mem(ctx, ARG32(3), 8);
    if (!out) return wg__wasi_ret(slots, WG_WASI_EFAULT);
    if (e->kind != WG_WASI_FD_HOST) return wg__wasi_ret(slots, WG_WASI_ESPIPE);
    static const int hw[3] = {SEEK_SET, SEEK_CUR, SEEK_END};
    off_t r = lseek(e->hostfd, (off_t)off, hw[whence]);
    if (r < 0) return wg__wasi_ret(slots, wg__wasi_errno(errno));
    wg__wasi_put_u64(out, (uint64_t)r);
    return wg__wasi_ret(slots, WG_WASI_ESUCCESS);
}

/* fd_tell(fd, offset_ptr) */
int wg__wasi_fd_tell(wg_ctx *ctx, uint64_t *slots, void *ud) {
    (void)ud;
    GET_WASI(w);
    int err;
    wg_wasi_fd *e = get_positional(w, ARG32(0), WG_WASI_RIGHT_FD_TELL, &err);
    if (!e) return wg__wasi_ret(slots, err);
    uint8_t *out = wg__wasi_mem(ctx, ARG32(1), 8);
    if (!out) return wg__wasi_ret(slots, WG_WASI_EFAULT);
    if (e->kind != WG_WASI_FD_HOST) return wg__wasi_ret(slots, WG_WASI_ESPIPE);
    off_t r = lseek(e->hostfd, 0, SEEK_CUR);
    if (r < 0) return wg__wasi_ret(slots, wg__wasi_errno(errno));
    wg__wasi_put_u64(out, (uint64_t)r);
    return wg__wasi_ret(slots, WG_WASI_ESUCCESS);
}

/* ---- metadata ------------------------------------------------------------------------ */

/* fd_fdstat_get(fd, fdstat_ptr) */
int wg__wasi_fd_fdstat_get(wg_ctx *ctx, uint64_t *slots, void *ud) {
    (void)ud;
    GET_WASI(w);
    int err;
    wg_wasi_fd *e = wg__wasi_fd_get(w, ARG32(0), 0, &err);
    if (!e) return wg__wasi_ret(slots, err);
    uint8_t *out = wg__wasi_mem(ctx, ARG32(1), 24);
    if (!out) return wg__wasi_ret(slots, WG_WASI_EFAULT);
    uint16_t flags = e->fdflags;
    if (e->kind == WG_WASI_FD_HOST && (e->owned || e->preopen)) {
        int fl = fcntl(e->hostfd, F_GETFL);
        /* APPEND and NONBLOCK as the host has them; the sync flags as the
         * guest asked (Linux cannot tell RSYNC from SYNC). */
        if (fl >= 0 && !(fl & O_PATH)) {
            flags &= (uint16_t)~(WG_WASI_FDFLAG_APPEND | WG_WASI_FDFLAG_NONBLOCK);
            if (fl & O_APPEND) flags |= WG_WASI_FDFLAG_APPEND;
            if (fl & O_NONBLOCK) flags |= WG_WASI_FDFLAG_NONBLOCK;
        }
    }
    memset(out, 0, 24);
    out[0] = e->filetype;
    wg__wasi_put_u16(out + 2, flags);
    wg__wasi_put_u64(out + 8, e->rights_base);
    wg__wasi_put_u64(out + 16, e->rights_inheriting);
    return wg__wasi_ret(slots, WG_WASI_ESUCCESS);
}

/* fd_fdstat_set_flags(fd, flags u16). APPEND and NONBLOCK can change; the
 * sync flags cannot be changed on an open file on Linux: INVAL. */
int wg__wasi_fd_fdstat_set_flags(wg_ctx *ctx, uint64_t *slots, void *ud) {
    (void)ud;
    GET_WASI(w);
    int err;
    wg_wasi_fd *e = wg__wasi_fd_get(w, ARG32(0), WG_WASI_RIGHT_FD_FDSTAT_SET_FLAGS, &err);
    if (!e) return wg__wasi_ret(slots, err);
    uint32_t flags = ARG32(1) & 0xffff;
    if (flags & ~(WG_WASI_FDFLAG_APPEND | WG_WASI_FDFLAG_NONBLOCK))
        return wg__wasi_ret(slots, WG_WASI_EINVAL);
    if (e->kind == WG_WASI_FD_HOST && (e->owned || e->preopen)) {
        int fl = fcntl(e->hostfd, F_GETFL);
        if (fl < 0) return wg__wasi_ret(slots, wg__wasi_errno(errno));
        if (!(fl & O_PATH)) {
            fl &= ~(O_APPEND | O_NONBLOCK);
            if (flags & WG_WASI_FDFLAG_APPEND) fl |= O_APPEND;
            if (flags & WG_WASI_FDFLAG_NONBLOCK) fl |= O_NONBLOCK;
            if (fcntl(e->hostfd, F_SETFL, fl) != 0)
                return wg__wasi_ret(slots, wg__wasi_errno(errno));
        }
    }
    e->fdflags = (uint16_t)((e->fdflags & ~(WG_WASI_FDFLAG_APPEND | WG_WASI_FDFLAG_NONBLOCK)) | flags);
    return wg__wasi_ret(slots, WG_WASI_ESUCCESS);
}

/* fd_fdstat_set_rights(fd, base u64, inheriting u64): rights can only shrink. */
int wg__wasi_fd_fdstat_set_rights(wg_ctx *ctx, uint64_t *slots, void *ud) {
    (void)ud;
    GET_WASI(w);
    int err;
    wg_wasi_fd *e = wg__wasi_fd_get(w, ARG32(0), 0, &err);
    if (!e) return wg__wasi_ret(slots, err);
    uint64_t base = ARG64(1), inh = ARG64(2);
    if ((base & ~e->rights_base) || (inh & ~e->rights_inheriting))
        return wg__wasi_ret(slots, WG_WASI_ENOTCAPABLE);
    e->rights_base = base;
    e->rights_inheriting = inh;
    return wg__wasi_ret(slots, WG_WASI_ESUCCESS);
}

/* fd_filestat_get(fd, filestat_ptr) */
int wg__wasi_fd_filestat_get(wg_ctx *ctx, uint64_t *slots, void *ud) {
    (void)ud;
    GET_WASI(w);
    int err;
    wg_wasi_fd *e = wg__wasi_fd_get(w, ARG32(0), WG_WASI_RIGHT_FD_FILESTAT_GET, &err);
    if (!e) return wg__wasi_ret(slots, err);
    uint8_t *out = wg__wasi_mem(ctx, ARG32(1), 64);
    if (!out) return wg__wasi_ret(slots, WG_WASI_EFAULT);
    if (e->kind != WG_WASI_FD_HOST) {
        memset(out, 0, 64);
        out[16] = e->filetype;
        return wg__wasi_ret(slots, WG_WASI_ESUCCESS);
    }
    struct stat st;
    if (fstat(e->hostfd, &st) != 0) return wg__wasi_ret(slots, wg__wasi_errno(errno));
    memset(out, 0, 64);
    wg__wasi_put_u64(out + 0, (uint64_t)st.st_dev);
    wg__wasi_put_u64(out + 8, (uint64_t)st.st_ino);
    out[16] = filetype_of_mode(st.st_mode);
    wg__wasi_put_u64(out + 24, (uint64_t)st.st_nlink);
    wg__wasi_put_u64(out + 32, (uint64_t)st.st_size);
    wg__wasi_put_u64(out + 40, ts_ns(st.st_atim));
    wg__wasi_put_u64(out + 48, ts_ns(st.st_mtim));
    wg__wasi_put_u64(out + 56, ts_ns(st.st_ctim));
    return wg__wasi_ret(slots, WG_WASI_ESUCCESS);
}

/* fd_filestat_set_size(fd, size u64) */
int wg__wasi_fd_filestat_set_size(wg_ctx *ctx, uint64_t *slots, void *ud) {
    (void)ud;
    GET_WASI(w);
    int err;
    wg_wasi_fd *e = wg__wasi_fd_get(w, ARG32(0), WG_WASI_RIGHT_FD_FILESTAT_SET_SIZE, &err);
    if (!e) return wg__wasi_ret(slots, err);
    if (is_dir(e)) return wg__wasi_ret(slots, WG_WASI_EISDIR);
    uint64_t size = ARG64(1);
    if (e->kind != WG_WASI_FD_HOST) return wg__wasi_ret(slots, WG_WASI_EINVAL);
    if (size > (uint64_t)INT64_MAX) return wg__wasi_ret(slots, WG_WASI_EINVAL);
    if (ftruncate(e->hostfd, (off_t)size) != 0) return wg__wasi_ret(slots, wg__wasi_errno(errno));
    return wg__wasi_ret(slots, WG_WASI_ESUCCESS);
}

#define FST_ATIM 1u
#define FST_ATIM_NOW 2u
#define FST_MTIM 4u
#define FST_MTIM_NOW 8u

/* fd_filestat_set_times(fd, atim u64, mtim u64, fst_flags u16) */
int wg__wasi_fd_filestat_set_times(wg_ctx *ctx, uint64_t *slots, void *ud) {
    (void)ud;
    GET_WASI(w);
    int err;
    wg_wasi_fd *e = wg__wasi_fd_get(w, ARG32(0), WG_WASI_RIGHT_FD_FILESTAT_SET_TIMES, &err);
    if (!e) return wg__wasi_ret(slots, err);
    uint64_t atim = ARG64(1), mtim = ARG64(2);
    uint32_t fl = ARG32(3) & 0xffff;
    if ((fl & ~15u) || ((fl & FST_ATIM) && (fl & FST_ATIM_NOW)) ||
        ((fl & FST_MTIM) && (fl & FST_MTIM_NOW)))
        return wg__wasi_ret(slots, WG_WASI_EINVAL);
    if (e->kind != WG_WASI_FD_HOST) return wg__wasi_ret(slots, WG_WASI_EBADF);
    struct timespec ts[2];
    uint64_t v[2] = {atim, mtim};
    for (int i = 0; i < 2; i++) {
        uint32_t set = i ? FST_MTIM : FST_ATIM, now = i ? FST_MTIM_NOW : FST_ATIM_NOW;
        if (fl & set) {
            ts[i].tv_sec = (time_t)(v[i] / 1000000000ull);
            ts[i].tv_nsec = (long)(v[i] % 1000000000ull);
        } else {
            ts[i].tv_sec = 0;
            ts[i].tv_nsec = (fl & now) ? UTIME_NOW : UTIME_OMIT;
        }
    }
    int tmp, fd = real_fd(e->hostfd, &tmp);
    if (fd < 0) return wg__wasi_ret(slots, wg__wasi_errno(errno));
    int r = futimens(fd, ts), saved = errno;
    if (tmp >= 0) close(tmp);
    return wg__wasi_ret(slots, r ? wg__wasi_errno(saved) : WG_WASI_ESUCCESS);
}

/* ---- advice, allocation, sync ---------------------------------------------------------- */

/* fd_advise(fd, offset u64, len u64, advice u8) */
int wg__wasi_fd_advise(wg_ctx *ctx, uint64_t *slots, void *ud) {
    (void)ud;
    GET_WASI(w);
    int err;
    wg_wasi_fd *e = wg__wasi_fd_get(w, ARG32(0), WG_WASI_RIGHT_FD_ADVISE, &err);
    if (!e) return wg__wasi_ret(slots, err);
    uint64_t off = ARG64(1), len = ARG64(2);
    uint32_t advice = ARG32(3) & 0xff;
    /* WASI: normal, sequential, random, willneed, dontneed, noreuse */
    static const int map[6] = {POSIX_FADV_NORMAL,   POSIX_FADV_SEQUENTIAL, POSIX_FADV_RANDOM,
                               POSIX_FADV_WILLNEED, POSIX_FADV_DONTNEED,   POSIX_FADV_NOREUSE};
    if (advice > 5) return wg__wasi_ret(slots, WG_WASI_EINVAL);
    if (off > (uint64_t)INT64_MAX || len > (uint64_t)INT64_MAX)
        return wg__wasi_ret(slots, WG_WASI_EINVAL);
    if (e->kind != WG_WASI_FD_HOST) return wg__wasi_ret(slots, WG_WASI_ESPIPE);
    int r = posix_fadvise(e->hostfd, (off_t)off, (off_t)len, map[advice]);
    return wg__wasi_ret(slots, r ? wg__wasi_errno(r) : WG_WASI_ESUCCESS);
}

/* fd_allocate(fd, offset u64, len u64) */
int wg__wasi_fd_allocate(wg_ctx *ctx, uint64_t *slots, void *ud) {
    (void)ud;
    GET_WASI(w);
    int err;
    wg_wasi_fd *e = wg__wasi_fd_get(w, ARG32(0), WG_WASI_RIGHT_FD_ALLOCATE, &err);
    if (!e) return wg__wasi_ret(slots, err);
    if (is_dir(e)) return wg__wasi_ret(slots, WG_WASI_EISDIR);
    uint64_t off = ARG64(1), len = ARG64(2);
    if (off > (uint64_t)INT64_MAX || len > (uint64_t)INT64_MAX - off)
        return wg__wasi_ret(slots, WG_WASI_EINVAL);
    if (e->kind != WG_WASI_FD_HOST) return wg__wasi_ret(slots, WG_WASI_ESPIPE);
    if (len == 0) { /* posix_fallocate refuses len 0; nothing to allocate */
        struct stat st;
        if (fstat(e->hostfd, &st) != 0) return wg__wasi_ret(slots, wg__wasi_errno(errno));
        if (S_ISDIR(st.st_mode)) return wg__wasi_ret(slots, WG_WASI_EISDIR);
        return wg__wasi_ret(slots, S_ISREG(st.st_mode) ? WG_WASI_ESUCCESS : WG_WASI_ESPIPE);
    }
    int r = posix_fallocate(e->hostfd, (off_t)off, (off_t)len);
    return wg__wasi_ret(slots, r ? wg__wasi_errno(r) : WG_WASI_ESUCCESS);
}

static int sync_fd(wg_wasi_fd *e, bool data_only) {
    if (e->kind != WG_WASI_FD_HOST) return WG_WASI_ESUCCESS;
    int tmp, fd = real_fd(e->hostfd, &tmp);
    if (fd < 0) return wg__wasi_errno(errno);
    int r = data_only ? fdatasync(fd) : fsync(fd), saved = errno;
    if (tmp >= 0) close(tmp);
    if (r && saved == EINVAL) return WG_WASI_ESUCCESS; /* pipes, ttys: nothing to sync */
    return r ? wg__wasi_errno(saved) : WG_WASI_ESUCCESS;
}

/* fd_datasync(fd) */
int wg__wasi_fd_datasync(wg_ctx *ctx, uint64_t *slots, void *ud) {
    (void)ud;
    GET_WASI(w);
    int err;
    wg_wasi_fd *e = wg__wasi_fd_get(w, ARG32(0), WG_WASI_RIGHT_FD_DATASYNC, &err);
    if (!e) return wg__wasi_ret(slots, err);
    return wg__wasi_ret(slots, sync_fd(e, true));
}

/* fd_sync(fd) */
int wg__wasi_fd_sync(wg_ctx *ctx, uint64_t *slots, void *ud) {
    (void)ud;
    GET_WASI(w);
    int err;
    wg_wasi_fd *e = wg__wasi_fd_get(w, ARG32(0), WG_WASI_RIGHT_FD_SYNC, &err);
    if (!e) return wg__wasi_ret(slots, err);
    return wg__wasi_ret(slots, sync_fd(e, false));
}

/* ---- the table itself ----------------------------------------------------------------- */

/* fd_close(fd). Preopens may be closed too (their host fd stays with the
 * config). Closing a guest-created fd gives its place under the open-file
 * limits back. */
int wg__wasi_fd_close(wg_ctx *ctx, uint64_t *slots, void *ud) {
    (void)ud;
    GET_WASI(w);
    int err;
    wg_wasi_fd *e = wg__wasi_fd_get(w, ARG32(0), 0, &err);
    if (!e) return wg__wasi_ret(slots, err);
    wg__wasi_fd_release(w, e);
    return wg__wasi_ret(slots, WG_WASI_ESUCCESS);
}

/* fd_renumber(from, to): `to` must be open; it is closed and `from` moves
 * there, with its place under the open-file limits (nothing is created: the
 * count only drops if `to` was a guest-created fd). */
int wg__wasi_fd_renumber(wg_ctx *ctx, uint64_t *slots, void *ud) {
    (void)ud;
    GET_WASI(w);
    int err;
    uint32_t from = ARG32(0), to = ARG32(1);
    wg_wasi_fd *ef = wg__wasi_fd_get(w, from, 0, &err);
    if (!ef) return wg__wasi_ret(slots, err);
    wg_wasi_fd *et = wg__wasi_fd_get(w, to, 0, &err);
    if (!et) return wg__wasi_ret(slots, err);
    if (from == to) return wg__wasi_ret(slots, WG_WASI_ESUCCESS);
    wg__wasi_fd_release(w, et);
    *et = *ef;
    memset(ef, 0, sizeof *ef);
    ef->kind = WG_WASI_FD_FREE;
    ef->hostfd = -1;
    return wg__wasi_ret(slots, WG_WASI_ESUCCESS);
}

/* fd_prestat_get(fd, prestat_ptr): BADF for anything but a preopen. */
int wg__wasi_fd_prestat_get(wg_ctx *ctx, uint64_t *slots, void *ud) {
    (void)ud;
    GET_WASI(w);
    int err;
    wg_wasi_fd *e = wg__wasi_fd_get(w, ARG32(0), 0, &err);
    if (!e) return wg__wasi_ret(slots, err);
    if (!e->preopen || !e->guest_path) return wg__wasi_ret(slots, WG_WASI_EBADF);
    uint8_t *out = wg__wasi_mem(ctx, ARG32(1), 8);
    if (!out) return wg__wasi_ret(slots, WG_WASI_EFAULT);
    memset(out, 0, 8);
    wg__wasi_put_u32(out + 4, (uint32_t)strlen(e->guest_path));
    return wg__wasi_ret(slots, WG_WASI_ESUCCESS);
}

/* fd_prestat_dir_name(fd, path_ptr, path_len): copies the name without a NUL;
 * a buffer shorter than the name is NAMETOOLONG (as wasmtime). */
int wg__wasi_fd_prestat_dir_name(wg_ctx *ctx, uint64_t *slots, void *ud) {
    (void)ud;
    GET_WASI(w);
    int err;
    wg_wasi_fd *e = wg__wasi_fd_get(w, ARG32(0), 0, &err);
    if (!e) return wg__wasi_ret(slots, err);
    if (!e->preopen || !e->guest_path) return wg__wasi_ret(slots, WG_WASI_EBADF);
    size_t n = strlen(e->guest_path);
    uint32_t len = ARG32(2);
    if (len < n) return wg__wasi_ret(slots, WG_WASI_ENAMETOOLONG);
    uint8_t *out = wg__wasi_mem(ctx, ARG32(1), len);
    if (!out) return wg__wasi_ret(slots, WG_WASI_EFAULT);
    memcpy(out, e->guest_path, n);
    return wg__wasi_ret(slots, WG_WASI_ESUCCESS);
}
