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
#include "wasi/wasi_host.h"

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

/* ---- reading and writing --------------------------------------------------------- */

/* Whether the calling core instance is interrupted (the waits' check). */
static bool instance_interrupted(const void *ctx) {
    return wg_instance_is_interrupted(wg_ctx_instance((wg_ctx *)ctx));
}

/* One readv/writev of s on host fd e, waiting for the other end in
 * interruptible slices unless e is a regular file, a directory or made
 * non-blocking (wasi_hostio.c). */
static int host_io(wg_ctx *ctx, const wg_wasi_fd *e, iov_set *s, bool write, size_t *out) {
    bool may_wait = e->filetype != WG_WASI_FILETYPE_REGULAR_FILE &&
                    e->filetype != WG_WASI_FILETYPE_DIRECTORY &&
                    !(e->fdflags & WG_WASI_FDFLAG_NONBLOCK);
    wg_wasi_intr intr = {instance_interrupted, ctx};
    return wg__wasi_host_rw(e->hostfd, e->owned, may_wait, s->v, s->n, write, &intr, out);
}

/* Reads into s from e; *out = bytes read. WASI errno. */
static int do_read(wg_ctx *ctx, wg_wasi *w, wg_wasi_fd *e, iov_set *s, size_t *out) {
    *out = 0;
    switch (e->kind) {
    case WG_WASI_FD_HOST: return host_io(ctx, e, s, false, out);
    case WG_WASI_FD_STDIN_BUF:
        for (int i = 0; i < s->n; i++) *out += wg__wasi_stdin_read(w, s->v[i].iov_base, s->v[i].iov_len);
        return WG_WASI_ESUCCESS;
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

/* With output_limit_traps: a write to the stdout capture that does not fit
 * stores what fits (for the embedder's logs) and stops the guest. stderr is
 * left to do_write, which cuts it at the cap and reports the whole write
 * (wasi_hostio.c). Returns 0 when the write fits or is not a stdout capture
 * (the caller goes on), else the trap's wg_ctx_trap value. */
static int capture_overflow(wg_ctx *ctx, wg_wasi *w, const wg_wasi_fd *e, iov_set *s) {
    if (e->kind != WG_WASI_FD_OUT_BUF || !wg__wasi_capture_traps(w, e->stream, s->total)) return 0;
    for (int i = 0; i < s->n; i++) wg__wasi_outbuf_write(&w->out[1], s->v[i].iov_base, s->v[i].iov_len);
    iov_free(s);
    char msg[96];
    wg__wasi_capture_trap_message(w, msg, sizeof msg);
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
    wg_wasi_filestat st;
    if ((err = wg__fs_fstat(e->hostfd, &st)) != 0) return wg__wasi_ret(slots, err);
    wg__wasi_put_filestat(out, &st);
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
    return wg__wasi_ret(slots, wg__fs_set_size(e->hostfd, size));
}

/* fd_filestat_set_times(fd, atim u64, mtim u64, fst_flags u16) */
int wg__wasi_fd_filestat_set_times(wg_ctx *ctx, uint64_t *slots, void *ud) {
    (void)ud;
    GET_WASI(w);
    int err;
    wg_wasi_fd *e = wg__wasi_fd_get(w, ARG32(0), WG_WASI_RIGHT_FD_FILESTAT_SET_TIMES, &err);
    if (!e) return wg__wasi_ret(slots, err);
    struct timespec ts[2];
    if ((err = wg__fs_make_times(ARG64(1), ARG64(2), ARG32(3) & 0xffff, ts)) != 0)
        return wg__wasi_ret(slots, err);
    if (e->kind != WG_WASI_FD_HOST) return wg__wasi_ret(slots, WG_WASI_EBADF);
    return wg__wasi_ret(slots, wg__fs_set_times_fd(e->hostfd, ts));
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
    if (e->kind != WG_WASI_FD_HOST) {
        bool bad = advice > 5 || off > (uint64_t)INT64_MAX || len > (uint64_t)INT64_MAX;
        return wg__wasi_ret(slots, bad ? WG_WASI_EINVAL : WG_WASI_ESPIPE);
    }
    return wg__wasi_ret(slots, wg__fs_advise(e->hostfd, off, len, advice));
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
    return wg__fs_sync(e->hostfd, data_only);
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
