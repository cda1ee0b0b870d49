/*
 * wasi:filesystem/types: the descriptor methods that act on the descriptor
 * itself, directory-entry streams and filesystem-error-code. (The methods
 * taking a path, and preopens, are w2_fs.c.)
 *
 * Permissions, as wasmtime checks them (a failure answers the code given):
 *   read-via-stream, read         a file opened for reading  (bad-descriptor)
 *   write-via-stream, append-via-stream, write, set-size
 *                                 a file opened for writing  (bad-descriptor;
 *                                 set-size: not-permitted)
 *   read-directory                a directory                (not-directory)
 *   set-times                     not beneath a read-only preopen (not-permitted)
 *   advise                        a file                     (bad-descriptor)
 * Everything acts on the host through the functions preview1 uses
 * (wasi_host.h): stat, times, sync, advice, size, directory snapshots.
 *
 * Streams from a descriptor share its host file (w2_file): they keep it
 * open after the descriptor is dropped. A regular file's streams read and
 * write at their own offset; a FIFO's or a device's are FD streams
 * (w2_streams.c), which wait as preview1's reads and writes do.
 *
 * read-directory lists the directory as it is when called, without "."
 * and "..", as wasmtime does.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wasi2/wasi2_int.h"

#define W2_READ_MAX ((size_t)1 << 20)

/* error-code values used here (w2_values.c has the whole enum). */
#define EC_BAD_DESCRIPTOR 3u
#define EC_NOT_DIRECTORY 24u
#define EC_NOT_PERMITTED 31u

uint8_t w2_dtype_of_mode(uint32_t mode) {
    switch (mode & S_IFMT) {
    case S_IFREG: return W2_DT_REGULAR;
    case S_IFDIR: return W2_DT_DIRECTORY;
    case S_IFCHR: return W2_DT_CHAR;
    case S_IFBLK: return W2_DT_BLOCK;
    case S_IFIFO: return W2_DT_FIFO;
    case S_IFLNK: return W2_DT_SYMLINK;
    case S_IFSOCK: return W2_DT_SOCKET;
    default: return W2_DT_UNKNOWN;
    }
}

wg_cval w2_desc_stat(const wg_wasi_filestat *st) {
    wg_cval rec = wg_cval_seq(WG_CV_RECORD, 6);
    if (!rec.of.seq.items) return rec;
    wg_cval *f = rec.of.seq.items;
    f[0] = wg_cval_var(WG_CV_ENUM, w2_dtype_of_mode(st->mode), NULL);
    f[1] = wg_cval_u(WG_CV_U64, st->nlink);
    f[2] = wg_cval_u(WG_CV_U64, st->size);
    const uint64_t t[3] = {st->atim, st->mtim, st->ctim};
    for (int i = 0; i < 3; i++) {
        wg_cval d = w2_datetime(t[i]);
        f[3 + i] = wg_cval_var(WG_CV_OPTION, 1, &d);
    }
    return rec;
}

/* splitmix64's finalizer: spreads the bits of x. */
static uint64_t mix(uint64_t x) {
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ull;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

wg_cval w2_meta_hash(const wg_wasi_filestat *st) {
    wg_cval rec = wg_cval_seq(WG_CV_RECORD, 2);
    if (rec.of.seq.items) {
        rec.of.seq.items[0] = wg_cval_u(WG_CV_U64, mix(st->dev ^ mix(st->ino)));
        rec.of.seq.items[1] = wg_cval_u(WG_CV_U64, mix(st->ino + 0x9e3779b97f4a7c15ull) ^ st->dev);
    }
    return rec;
}

w2_desc *w2_self_desc(w2_cx *cx, wg_cval *args, uint32_t nargs, uint32_t want, const char *name) {
    uint32_t rep;
    if (!w2_nargs(cx->call, nargs, want, name) || !w2_arg_handle(cx->call, &args[0], &rep))
        return NULL;
    w2_obj *o = w2_get(cx->st, rep, W2_RT_DESCRIPTOR);
    if (!o) {
        wg_ccall_trap(cx->call, "wasi: %s: unknown descriptor (%u)", name, rep);
        return NULL;
    }
    return &o->u.d;
}

/* ---- streams ------------------------------------------------------------------------------ */

/* read-via-stream / write-via-stream / append-via-stream. */
static bool via_stream(wg_ccall *call, wg_cval *args, uint32_t nargs, wg_cval *r, void *data,
                       bool output, bool append) {
    const char *name = !output ? "read-via-stream" : append ? "append-via-stream" : "write-via-stream";
    w2_cx cx;
    uint64_t offset = 0;
    if (!w2_enter(&cx, call, data)) return false;
    w2_desc *d = w2_self_desc(&cx, args, nargs, append ? 1 : 2, name);
    if (!d || (!append && !w2_arg_u64(call, &args[1], &offset))) return false;
    if (d->type == W2_DT_DIRECTORY || !(output ? d->write : d->read))
        return w2_err_enum(call, r, EC_BAD_DESCRIPTOR);
    w2_file *file = w2_file_ref(d->file); /* d may move in w2_stream_new */
    bool regular = d->type == W2_DT_REGULAR;
    w2_stream *s;
    w2_rt rt = output ? W2_RT_OUTPUT : W2_RT_INPUT;
    uint32_t rep = w2_stream_new(&cx, rt, &s);
    if (!rep) {
        w2_file_unref(cx.w, file);
        return false;
    }
    s->file = file;
    s->fd = file->fd;
    if (regular) {
        s->io = W2_IO_FILE;
        s->pos = offset;
        s->append = append;
    } else {
        s->io = W2_IO_FD;
        s->owned = file->owned;
        s->may_wait = true;
    }
    wg_cval h = w2_own(&cx, rt, rep);
    return w2_ok(call, r, &h);
}

static bool read_via_stream(wg_ccall *call, wg_cval *args, uint32_t nargs, wg_cval *r, void *data) {
    return via_stream(call, args, nargs, r, data, false, false);
}
static bool write_via_stream(wg_ccall *call, wg_cval *args, uint32_t nargs, wg_cval *r, void *data) {
    return via_stream(call, args, nargs, r, data, true, false);
}
static bool append_via_stream(wg_ccall *call, wg_cval *args, uint32_t nargs, wg_cval *r, void *data) {
    return via_stream(call, args, nargs, r, data, true, true);
}

/* ---- read and write at an offset ------------------------------------------------------------ */

static bool desc_read(wg_ccall *call, wg_cval *args, uint32_t nargs, wg_cval *r, void *data) {
    w2_cx cx;
    uint64_t len, off;
    if (!w2_enter(&cx, call, data)) return false;
    w2_desc *d = w2_self_desc(&cx, args, nargs, 3, "read");
    if (!d || !w2_arg_u64(call, &args[1], &len) || !w2_arg_u64(call, &args[2], &off)) return false;
    if (d->type == W2_DT_DIRECTORY || !d->read) return w2_err_enum(call, r, EC_BAD_DESCRIPTOR);
    if (off > (uint64_t)INT64_MAX) return w2_fs_result(call, r, WG_WASI_EINVAL, NULL);
    size_t want = len < W2_READ_MAX ? (size_t)len : W2_READ_MAX;
    uint8_t *buf = malloc(want ? want : 1);
    if (!buf) return wg_ccall_trap(call, "wasi: out of memory");
    ssize_t n = 0;
    if (want) {
        do n = pread(d->file->fd, buf, want, (off_t)off);
        while (n < 0 && errno == EINTR);
    }
    if (n < 0) {
        int err = wg__wasi_errno(errno);
        free(buf);
        return w2_fs_result(call, r, err, NULL);
    }
    wg_cval t = wg_cval_seq(WG_CV_TUPLE, 2);
    if (!t.of.seq.items) {
        free(buf);
        return wg_ccall_trap(call, "wasi: out of memory");
    }
    t.of.seq.items[0] = (wg_cval){.kind = WG_CV_BYTES};
    t.of.seq.items[0].of.bytes.len = (size_t)n;
    t.of.seq.items[0].of.bytes.data = n ? buf : NULL;
    if (!n) free(buf);
    t.of.seq.items[1] = wg_cval_bool(n == 0 && want > 0);
    return w2_ok(call, r, &t);
}

static bool desc_write(wg_ccall *call, wg_cval *args, uint32_t nargs, wg_cval *r, void *data) {
    w2_cx cx;
    uint64_t off;
    const uint8_t *p;
    size_t len;
    uint8_t *tmp;
    if (!w2_enter(&cx, call, data)) return false;
    w2_desc *d = w2_self_desc(&cx, args, nargs, 3, "write");
    if (!d || !w2_arg_u64(call, &args[2], &off) || !w2_arg_bytes(call, &args[1], &p, &len, &tmp))
        return false;
    if (d->type == W2_DT_DIRECTORY || !d->write) {
        free(tmp);
        return w2_err_enum(call, r, EC_BAD_DESCRIPTOR);
    }
    if (off > (uint64_t)INT64_MAX) {
        free(tmp);
        return w2_fs_result(call, r, WG_WASI_EINVAL, NULL);
    }
    ssize_t n = 0;
    if (len) {
        do n = pwrite(d->file->fd, p, len, (off_t)off);
        while (n < 0 && errno == EINTR);
    }
    int err = n < 0 ? wg__wasi_errno(errno) : 0;
    free(tmp);
    wg_cval k = wg_cval_u(WG_CV_U64, n < 0 ? 0 : (uint64_t)n);
    return w2_fs_result(call, r, err, &k);
}

/* ---- metadata ----------------------------------------------------------------------------------- */

static bool desc_stat(wg_ccall *call, wg_cval *args, uint32_t nargs, wg_cval *r, void *data) {
    w2_cx cx;
    if (!w2_enter(&cx, call, data)) return false;
    w2_desc *d = w2_self_desc(&cx, args, nargs, 1, "stat");
    if (!d) return false;
    wg_wasi_filestat st;
    int err = wg__fs_fstat(d->file->fd, &st);
    if (err) return w2_fs_result(call, r, err, NULL);
    wg_cval v = w2_desc_stat(&st);
    return w2_fs_result(call, r, 0, &v);
}

static bool desc_meta_hash(wg_ccall *call, wg_cval *args, uint32_t nargs, wg_cval *r, void *data) {
    w2_cx cx;
    if (!w2_enter(&cx, call, data)) return false;
    w2_desc *d = w2_self_desc(&cx, args, nargs, 1, "metadata-hash");
    if (!d) return false;
    wg_wasi_filestat st;
    int err = wg__fs_fstat(d->file->fd, &st);
    if (err) return w2_fs_result(call, r, err, NULL);
    wg_cval v = w2_meta_hash(&st);
    return w2_fs_result(call, r, 0, &v);
}

static bool desc_same(wg_ccall *call, wg_cval *args, uint32_t nargs, wg_cval *r, void *data) {
    w2_cx cx;
    uint32_t other;
    if (!w2_enter(&cx, call, data)) return false;
    w2_desc *d = w2_self_desc(&cx, args, nargs, 2, "is-same-object");
    if (!d || !w2_arg_handle(call, &args[1], &other)) return false;
    w2_obj *o = w2_get(cx.st, other, W2_RT_DESCRIPTOR);
    if (!o) return wg_ccall_trap(call, "wasi: is-same-object: unknown descriptor (%u)", other);
    wg_wasi_filestat a, b;
    bool same = wg__fs_fstat(d->file->fd, &a) == 0 && wg__fs_fstat(o->u.d.file->fd, &b) == 0 &&
                a.dev == b.dev && a.ino == b.ino;
    return w2_set(call, r, wg_cval_bool(same));
}

static bool desc_get_flags(wg_ccall *call, wg_cval *args, uint32_t nargs, wg_cval *r, void *data) {
    w2_cx cx;
    if (!w2_enter(&cx, call, data)) return false;
    w2_desc *d = w2_self_desc(&cx, args, nargs, 1, "get-flags");
    if (!d) return false;
    wg_cval f = {.kind = WG_CV_FLAGS, .of.flags = d->flags};
    return w2_ok(call, r, &f);
}

static bool desc_get_type(wg_ccall *call, wg_cval *args, uint32_t nargs, wg_cval *r, void *data) {
    w2_cx cx;
    if (!w2_enter(&cx, call, data)) return false;
    w2_desc *d = w2_self_desc(&cx, args, nargs, 1, "get-type");
    if (!d) return false;
    wg_cval t = wg_cval_var(WG_CV_ENUM, d->type, NULL);
    return w2_ok(call, r, &t);
}

static bool desc_set_size(wg_ccall *call, wg_cval *args, uint32_t nargs, wg_cval *r, void *data) {
    w2_cx cx;
    uint64_t size;
    if (!w2_enter(&cx, call, data)) return false;
    w2_desc *d = w2_self_desc(&cx, args, nargs, 2, "set-size");
    if (!d || !w2_arg_u64(call, &args[1], &size)) return false;
    if (d->type == W2_DT_DIRECTORY) return w2_err_enum(call, r, EC_BAD_DESCRIPTOR);
    if (!d->write) return w2_err_enum(call, r, EC_NOT_PERMITTED);
    return w2_fs_result(call, r, wg__fs_set_size(d->file->fd, size), NULL);
}

/* new-timestamp (no-change, now, timestamp(datetime)) as preview1 fstflags
 * bits for one of the two times. INVAL for a datetime past 2^64 ns. */
int w2_new_timestamp(const wg_cval *v, uint32_t set, uint32_t now, uint32_t *fst, uint64_t *ns) {
    if (!v || v->kind != WG_CV_VARIANT) return WG_WASI_EINVAL;
    switch (v->of.var.disc) {
    case 0: return 0;
    case 1: *fst |= now; return 0;
    case 2: {
        const wg_cval *dt = v->of.var.payload;
        if (!dt || dt->kind != WG_CV_RECORD || dt->of.seq.n != 2) return WG_WASI_EINVAL;
        uint64_t s = dt->of.seq.items[0].of.u, n = dt->of.seq.items[1].of.u;
        if (n >= 1000000000ull || s > (UINT64_MAX - n) / 1000000000ull) return WG_WASI_EINVAL;
        *ns = s * 1000000000ull + n;
        *fst |= set;
        return 0;
    }
    default: return WG_WASI_EINVAL;
    }
}

static bool desc_set_times(wg_ccall *call, wg_cval *args, uint32_t nargs, wg_cval *r, void *data) {
    w2_cx cx;
    if (!w2_enter(&cx, call, data)) return false;
    w2_desc *d = w2_self_desc(&cx, args, nargs, 3, "set-times");
    if (!d) return false;
    if (d->read_only) return w2_err_enum(call, r, EC_NOT_PERMITTED);
    uint32_t fst = 0;
    uint64_t at = 0, mt = 0;
    int err = w2_new_timestamp(&args[1], WG_WASI_FST_ATIM, WG_WASI_FST_ATIM_NOW, &fst, &at);
    if (!err) err = w2_new_timestamp(&args[2], WG_WASI_FST_MTIM, WG_WASI_FST_MTIM_NOW, &fst, &mt);
    struct timespec ts[2];
    if (!err) err = wg__fs_make_times(at, mt, fst, ts);
    if (!err) err = wg__fs_set_times_fd(d->file->fd, ts);
    return w2_fs_result(call, r, err, NULL);
}

static bool desc_advise(wg_ccall *call, wg_cval *args, uint32_t nargs, wg_cval *r, void *data) {
    w2_cx cx;
    uint64_t off, len;
    uint32_t advice;
    if (!w2_enter(&cx, call, data)) return false;
    w2_desc *d = w2_self_desc(&cx, args, nargs, 4, "advise");
    if (!d || !w2_arg_u64(call, &args[1], &off) || !w2_arg_u64(call, &args[2], &len) ||
        !w2_arg_case(call, &args[3], &advice, NULL))
        return false;
    if (d->type == W2_DT_DIRECTORY) return w2_err_enum(call, r, EC_BAD_DESCRIPTOR);
    return w2_fs_result(call, r, wg__fs_advise(d->file->fd, off, len, advice), NULL);
}

static bool sync_fn(wg_ccall *call, wg_cval *args, uint32_t nargs, wg_cval *r, void *data,
                    bool data_only) {
    w2_cx cx;
    if (!w2_enter(&cx, call, data)) return false;
    w2_desc *d = w2_self_desc(&cx, args, nargs, 1, data_only ? "sync-data" : "sync");
    if (!d) return false;
    return w2_fs_result(call, r, wg__fs_sync(d->file->fd, data_only), NULL);
}

static bool desc_sync(wg_ccall *call, wg_cval *args, uint32_t nargs, wg_cval *r, void *data) {
    return sync_fn(call, args, nargs, r, data, false);
}
static bool desc_sync_data(wg_ccall *call, wg_cval *args, uint32_t nargs, wg_cval *r, void *data) {
    return sync_fn(call, args, nargs, r, data, true);
}

/* ---- directories ------------------------------------------------------------------------------ */

static bool read_directory(wg_ccall *call, wg_cval *args, uint32_t nargs, wg_cval *r, void *data) {
    w2_cx cx;
    if (!w2_enter(&cx, call, data)) return false;
    w2_desc *d = w2_self_desc(&cx, args, nargs, 1, "read-directory");
    if (!d) return false;
    if (d->type != W2_DT_DIRECTORY) return w2_err_enum(call, r, EC_NOT_DIRECTORY);
    int err;
    wg_dir_snap *snap = wg__fs_dir_snapshot(d->file->fd, &err);
    if (!snap) return w2_fs_result(call, r, err, NULL);
    w2_obj *o;
    uint32_t rep = w2_new(&cx, W2_RT_DIR_STREAM, &o);
    if (!rep) {
        free(snap);
        return false;
    }
    o->u.ds.snap = snap;
    wg_cval h = w2_own(&cx, W2_RT_DIR_STREAM, rep);
    return w2_ok(call, r, &h);
}

/* descriptor-type of a readdir d_type. */
static uint8_t dtype_of_dt(uint8_t t) {
    switch (t) {
    case DT_REG: return W2_DT_REGULAR;
    case DT_DIR: return W2_DT_DIRECTORY;
    case DT_LNK: return W2_DT_SYMLINK;
    case DT_CHR: return W2_DT_CHAR;
    case DT_BLK: return W2_DT_BLOCK;
    case DT_FIFO: return W2_DT_FIFO;
    case DT_SOCK: return W2_DT_SOCKET;
    default: return W2_DT_UNKNOWN;
    }
}

static bool read_dir_entry(wg_ccall *call, wg_cval *args, uint32_t nargs, wg_cval *r, void *data) {
    w2_cx cx;
    uint32_t rep;
    if (!w2_enter(&cx, call, data) || !w2_nargs(call, nargs, 1, "read-directory-entry") ||
        !w2_arg_handle(call, &args[0], &rep))
        return false;
    w2_obj *o = w2_get(cx.st, rep, W2_RT_DIR_STREAM);
    if (!o) return wg_ccall_trap(call, "wasi: read-directory-entry: unknown stream (%u)", rep);
    w2_dirs *ds = &o->u.ds;
    const char *names = wg__fs_snap_names(ds->snap);
    while (ds->next < ds->snap->n) {
        const wg_dir_ent *e = &ds->snap->ent[ds->next++];
        const char *name = names + e->name_off;
        if ((e->namlen == 1 && name[0] == '.') || (e->namlen == 2 && name[0] == '.' && name[1] == '.'))
            continue;
        /* A name that is not UTF-8 cannot be a WIT string (as wasmtime). */
        if (!w2_utf8_ok(name, e->namlen)) return w2_fs_result(call, r, WG_WASI_EILSEQ, NULL);
        wg_cval rec = wg_cval_seq(WG_CV_RECORD, 2);
        if (rec.of.seq.items) {
            rec.of.seq.items[0] = wg_cval_var(WG_CV_ENUM, dtype_of_dt(e->dtype), NULL);
            rec.of.seq.items[1] = wg_cval_string(name, e->namlen);
        }
        wg_cval some = wg_cval_var(WG_CV_OPTION, 1, &rec);
        return w2_ok(call, r, &some);
    }
    wg_cval none = wg_cval_var(WG_CV_OPTION, 0, NULL);
    return w2_ok(call, r, &none);
}

static bool fs_error_code(wg_ccall *call, wg_cval *args, uint32_t nargs, wg_cval *r, void *data) {
    w2_cx cx;
    uint32_t rep;
    if (!w2_enter(&cx, call, data) || !w2_nargs(call, nargs, 1, "filesystem-error-code") ||
        !w2_arg_handle(call, &args[0], &rep))
        return false;
    w2_obj *o = w2_get(cx.st, rep, W2_RT_ERROR);
    if (!o) return wg_ccall_trap(call, "wasi: filesystem-error-code: unknown error (%u)", rep);
    /* Every error of this host comes from a host errno: each has a code. */
    wg_cval code = wg_cval_var(WG_CV_ENUM, w2_fs_code(o->u.e.werr), NULL);
    return w2_set(call, r, wg_cval_var(WG_CV_OPTION, 1, &code));
}

const w2_fn w2_fs_io_fns[] = {
    {"wasi:filesystem/types", "[method]descriptor.read-via-stream", read_via_stream},
    {"wasi:filesystem/types", "[method]descriptor.write-via-stream", write_via_stream},
    {"wasi:filesystem/types", "[method]descriptor.append-via-stream", append_via_stream},
    {"wasi:filesystem/types", "[method]descriptor.advise", desc_advise},
    {"wasi:filesystem/types", "[method]descriptor.sync-data", desc_sync_data},
    {"wasi:filesystem/types", "[method]descriptor.get-flags", desc_get_flags},
    {"wasi:filesystem/types", "[method]descriptor.get-type", desc_get_type},
    {"wasi:filesystem/types", "[method]descriptor.set-size", desc_set_size},
    {"wasi:filesystem/types", "[method]descriptor.set-times", desc_set_times},
    {"wasi:filesystem/types", "[method]descriptor.read", desc_read},
    {"wasi:filesystem/types", "[method]descriptor.write", desc_write},
    {"wasi:filesystem/types", "[method]descriptor.read-directory", read_directory},
    {"wasi:filesystem/types", "[method]descriptor.sync", desc_sync},
    {"wasi:filesystem/types", "[method]descriptor.stat", desc_stat},
    {"wasi:filesystem/types", "[method]descriptor.is-same-object", desc_same},
    {"wasi:filesystem/types", "[method]descriptor.metadata-hash", desc_meta_hash},
    {"wasi:filesystem/types", "[method]directory-entry-stream.read-directory-entry", read_dir_entry},
    {"wasi:filesystem/types", "filesystem-error-code", fs_error_code},
    {NULL, NULL, NULL},
};
