/*
 * wasi:filesystem: the descriptor methods that take a path, and
 * wasi:filesystem/preopens.
 *
 * Every path is resolved beneath its directory descriptor by the functions
 * preview1's path_* calls use (wasi_fsops.c through sandbox.c): the same
 * capability sandbox, so `..` above the preopen, absolute paths and
 * symlinks leading out answer not-permitted (preview1's NOTCAPABLE), and
 * the same open-file caps (wg_wasi_config_max_open_files, the shared
 * budget) count open-at's descriptors, answering insufficient-memory past
 * them (0.2 has no "too many files").
 *
 * Permissions (wasmtime's rules, with preview1's read-only preopens):
 *   a path method on a descriptor that is not a directory   not-directory
 *   create-directory-at, remove-directory-at, unlink-file-at, rename-at,
 *   symlink-at, link-at, set-times-at, and open-at asking to create,
 *   truncate or write, beneath a read-only preopen           not-permitted
 * A directory opened with open-at may change what is beneath it exactly
 * when the one it was opened from may (preview1's inheriting rights do the
 * same); its get-flags say read, and mutate-directory when it may.
 *
 * get-directories answers a new descriptor per preopen at each call; they
 * share the config's directory fd (never closed by the guest).
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wasi2/wasi2_int.h"

/* error-code values used here (w2_values.c has the whole enum). */
#define EC_INVALID 12u
#define EC_NOT_DIRECTORY 24u
#define EC_NOT_PERMITTED 31u

/* open-flags, path-flags bits. */
#define OF_CREATE 1u
#define OF_DIRECTORY 2u
#define OF_EXCLUSIVE 4u
#define OF_TRUNCATE 8u
#define PF_FOLLOW 1u

/* What a path method needs of its directory (copied: the table may move). */
typedef struct dir_ref {
    int fd;
    bool mutate, read_only;
} dir_ref;

/* The directory descriptor at args[i]: true with *out, or false with the
 * call answered (*answered: not-directory / not-permitted in *r) or
 * trapped (*answered false). */
static bool get_dir(w2_cx *cx, wg_cval *args, uint32_t i, bool mutate, wg_cval *r, dir_ref *out,
                    bool *answered) {
    uint32_t rep;
    *answered = false;
    if (!w2_arg_handle(cx->call, &args[i], &rep)) return false;
    w2_obj *o = w2_get(cx->st, rep, W2_RT_DESCRIPTOR);
    if (!o) return wg_ccall_trap(cx->call, "wasi: unknown descriptor (%u)", rep);
    const w2_desc *d = &o->u.d;
    if (d->type != W2_DT_DIRECTORY) {
        *answered = w2_err_enum(cx->call, r, EC_NOT_DIRECTORY);
        return false;
    }
    if (mutate && !d->mutate) {
        *answered = w2_err_enum(cx->call, r, EC_NOT_PERMITTED);
        return false;
    }
    *out = (dir_ref){.fd = d->file->fd, .mutate = d->mutate, .read_only = d->read_only};
    return true;
}

/* The start of a path method: the call, the argument count, the directory
 * self. Returns 1 to go on, 0 when the call is over (answered: true; trapped:
 * false in *ret). */
#define START(name, want, mutate)                                         \
    w2_cx cx;                                                             \
    dir_ref dir;                                                          \
    bool answered;                                                        \
    if (!w2_enter(&cx, call, data) || !w2_nargs(call, nargs, want, name)) \
        return false;                                                     \
    if (!get_dir(&cx, args, 0, mutate, r, &dir, &answered)) return answered

/* ---- names ----------------------------------------------------------------------------------- */

/* create-directory-at / remove-directory-at / unlink-file-at (self, path). */
static bool name_op(wg_ccall *call, wg_cval *args, uint32_t nargs, wg_cval *r, void *data,
                    const char *name, int (*op)(int, const char *, size_t)) {
    START(name, 2, true);
    const char *path;
    size_t len;
    if (!w2_arg_str(call, &args[1], &path, &len)) return false;
    return w2_fs_result(call, r, op(dir.fd, path, len), NULL);
}

static bool create_directory_at(wg_ccall *call, wg_cval *args, uint32_t nargs, wg_cval *r, void *data) {
    return name_op(call, args, nargs, r, data, "create-directory-at", wg__fs_mkdir_at);
}
static bool remove_directory_at(wg_ccall *call, wg_cval *args, uint32_t nargs, wg_cval *r, void *data) {
    return name_op(call, args, nargs, r, data, "remove-directory-at", wg__fs_rmdir_at);
}
static bool unlink_file_at(wg_ccall *call, wg_cval *args, uint32_t nargs, wg_cval *r, void *data) {
    return name_op(call, args, nargs, r, data, "unlink-file-at", wg__fs_unlink_at);
}

/* rename-at(self, old-path, new-descriptor, new-path) */
static bool rename_at(wg_ccall *call, wg_cval *args, uint32_t nargs, wg_cval *r, void *data) {
    START("rename-at", 4, true);
    dir_ref nd;
    const char *op, *np;
    size_t ol, nl;
    if (!get_dir(&cx, args, 2, true, r, &nd, &answered)) return answered;
    if (!w2_arg_str(call, &args[1], &op, &ol) || !w2_arg_str(call, &args[3], &np, &nl)) return false;
    return w2_fs_result(call, r, wg__fs_rename_at(dir.fd, op, ol, nd.fd, np, nl), NULL);
}

/* link-at(self, old-path-flags, old-path, new-descriptor, new-path) */
static bool link_at(wg_ccall *call, wg_cval *args, uint32_t nargs, wg_cval *r, void *data) {
    START("link-at", 5, true);
    dir_ref nd;
    uint32_t pf;
    const char *op, *np;
    size_t ol, nl;
    if (!get_dir(&cx, args, 3, true, r, &nd, &answered)) return answered;
    if (!w2_arg_flags(call, &args[1], &pf) || !w2_arg_str(call, &args[2], &op, &ol) ||
        !w2_arg_str(call, &args[4], &np, &nl))
        return false;
    int err = wg__fs_link_at(dir.fd, op, ol, pf & PF_FOLLOW, nd.fd, np, nl);
    return w2_fs_result(call, r, err, NULL);
}

/* symlink-at(self, old-path, new-path): old-path is the link's contents. */
static bool symlink_at(wg_ccall *call, wg_cval *args, uint32_t nargs, wg_cval *r, void *data) {
    START("symlink-at", 3, true);
    const char *target, *np;
    size_t tl, nl;
    if (!w2_arg_str(call, &args[1], &target, &tl) || !w2_arg_str(call, &args[2], &np, &nl)) return false;
    return w2_fs_result(call, r, wg__fs_symlink_at(target, tl, dir.fd, np, nl), NULL);
}

/* readlink-at(self, path) -> string */
static bool readlink_at(wg_ccall *call, wg_cval *args, uint32_t nargs, wg_cval *r, void *data) {
    START("readlink-at", 2, false);
    const char *path;
    size_t len, n;
    if (!w2_arg_str(call, &args[1], &path, &len)) return false;
    char *buf = malloc(PATH_MAX);
    if (!buf) return wg_ccall_trap(call, "wasi: out of memory");
    int err = wg__fs_readlink_at(dir.fd, path, len, buf, &n);
    /* A link whose contents are not UTF-8 cannot be a WIT string. */
    if (!err && !w2_utf8_ok(buf, n)) err = WG_WASI_EILSEQ;
    wg_cval s = err ? (wg_cval){.kind = WG_CV_BOOL} : wg_cval_string(buf, n);
    free(buf);
    if (!err && !wg_cval_ok(&s)) return wg_ccall_trap(call, "wasi: out of memory");
    return w2_fs_result(call, r, err, err ? NULL : &s);
}

/* ---- stat and times ---------------------------------------------------------------------------- */

/* stat-at / metadata-hash-at (self, path-flags, path). */
static bool stat_like(wg_ccall *call, wg_cval *args, uint32_t nargs, wg_cval *r, void *data,
                      bool hash) {
    START(hash ? "metadata-hash-at" : "stat-at", 3, false);
    uint32_t pf;
    const char *path;
    size_t len;
    if (!w2_arg_flags(call, &args[1], &pf) || !w2_arg_str(call, &args[2], &path, &len)) return false;
    wg_wasi_filestat st;
    int err = wg__fs_stat_at(dir.fd, path, len, pf & PF_FOLLOW, &st);
    if (err) return w2_fs_result(call, r, err, NULL);
    wg_cval v = hash ? w2_meta_hash(&st) : w2_desc_stat(&st);
    return w2_fs_result(call, r, 0, &v);
}

static bool stat_at(wg_ccall *call, wg_cval *args, uint32_t nargs, wg_cval *r, void *data) {
    return stat_like(call, args, nargs, r, data, false);
}
static bool metadata_hash_at(wg_ccall *call, wg_cval *args, uint32_t nargs, wg_cval *r, void *data) {
    return stat_like(call, args, nargs, r, data, true);
}

/* set-times-at(self, path-flags, path, atime, mtime) */
static bool set_times_at(wg_ccall *call, wg_cval *args, uint32_t nargs, wg_cval *r, void *data) {
    START("set-times-at", 5, true);
    uint32_t pf, fst = 0;
    uint64_t at = 0, mt = 0;
    const char *path;
    size_t len;
    if (!w2_arg_flags(call, &args[1], &pf) || !w2_arg_str(call, &args[2], &path, &len)) return false;
    int err = w2_new_timestamp(&args[3], WG_WASI_FST_ATIM, WG_WASI_FST_ATIM_NOW, &fst, &at);
    if (!err) err = w2_new_timestamp(&args[4], WG_WASI_FST_MTIM, WG_WASI_FST_MTIM_NOW, &fst, &mt);
    struct timespec ts[2];
    if (!err) err = wg__fs_make_times(at, mt, fst, ts);
    if (!err) err = wg__fs_set_times_at(dir.fd, path, len, pf & PF_FOLLOW, ts);
    return w2_fs_result(call, r, err, NULL);
}

/* ---- open-at -------------------------------------------------------------------------------------- */

/* open-at(self, path-flags, path, open-flags, flags) -> descriptor */
static bool open_at(wg_ccall *call, wg_cval *args, uint32_t nargs, wg_cval *r, void *data) {
    START("open-at", 5, false);
    uint32_t pf, of, df;
    const char *path;
    size_t len;
    if (!w2_arg_flags(call, &args[1], &pf) || !w2_arg_str(call, &args[2], &path, &len) ||
        !w2_arg_flags(call, &args[3], &of) || !w2_arg_flags(call, &args[4], &df))
        return false;
    if ((of & OF_DIRECTORY) && (of & (OF_CREATE | OF_EXCLUSIVE | OF_TRUNCATE)))
        return w2_err_enum(call, r, EC_INVALID);
    if (((of & (OF_CREATE | OF_TRUNCATE)) || (df & (W2_DF_WRITE | W2_DF_MUTATE))) && !dir.mutate)
        return w2_err_enum(call, r, EC_NOT_PERMITTED);
    uint16_t fdflags = 0;
    if (df & W2_DF_FILE_SYNC) fdflags |= WG_WASI_FDFLAG_SYNC;
    if (df & W2_DF_DATA_SYNC) fdflags |= WG_WASI_FDFLAG_DSYNC;
    if (df & W2_DF_REQ_SYNC) fdflags |= WG_WASI_FDFLAG_RSYNC;
    wg_fs_open o = {
        .read = df & W2_DF_READ,
        .write = df & W2_DF_WRITE,
        .create = of & OF_CREATE,
        .directory = of & OF_DIRECTORY,
        .exclusive = of & OF_EXCLUSIVE,
        .truncate = of & OF_TRUNCATE,
        .follow = pf & PF_FOLLOW,
        .fdflags = fdflags,
    };
    int fd;
    struct stat st;
    int err = wg__fs_open_at(cx.w, dir.fd, dir.read_only, path, len, &o, &fd, &st);
    if (err) return w2_fs_result(call, r, err, NULL);
    w2_file *f = w2_file_new(fd, true, true);
    if (!f) {
        close(fd);
        wg__wasi_fd_uncharge(cx.w);
        return wg_ccall_trap(call, "wasi: out of memory");
    }
    w2_obj *obj;
    uint32_t rep = w2_new(&cx, W2_RT_DESCRIPTOR, &obj);
    if (!rep) {
        w2_file_unref(cx.w, f);
        return false;
    }
    w2_desc *d = &obj->u.d;
    d->file = f;
    d->type = w2_dtype_of_mode(st.st_mode);
    d->read_only = dir.read_only;
    if (S_ISDIR(st.st_mode)) {
        d->read = true;
        d->mutate = dir.mutate;
        d->flags = W2_DF_READ | (d->mutate ? W2_DF_MUTATE : 0);
    } else {
        d->read = o.read;
        d->write = o.write;
        d->flags = df & (W2_DF_READ | W2_DF_WRITE | W2_DF_FILE_SYNC | W2_DF_DATA_SYNC | W2_DF_REQ_SYNC);
    }
    wg_cval h = w2_own(&cx, W2_RT_DESCRIPTOR, rep);
    return w2_ok(call, r, &h);
}

/* ---- preopens ---------------------------------------------------------------------------------------- */

/* get-directories() -> list<tuple<descriptor, string>> */
static bool get_directories(wg_ccall *call, wg_cval *args, uint32_t nargs, wg_cval *r, void *data) {
    (void)args;
    w2_cx cx;
    if (!w2_enter(&cx, call, data) || !w2_nargs(call, nargs, 0, "get-directories")) return false;
    const wg_wasi_config *cfg = cx.w->cfg;
    size_t n = cfg ? cfg->npreopens : 0;
    wg_cval list = wg_cval_seq(WG_CV_LIST, n);
    if (n && !list.of.seq.items) return wg_ccall_trap(call, "wasi: out of memory");
    for (size_t i = 0; i < n; i++) {
        const wg_wasi_preopen *p = &cfg->preopens[i];
        w2_file *f = w2_file_new(p->dirfd, false, false);
        w2_obj *obj;
        uint32_t rep = f ? w2_new(&cx, W2_RT_DESCRIPTOR, &obj) : 0;
        if (!rep) {
            if (!f) wg_ccall_trap(call, "wasi: out of memory");
            free(f);
            /* The descriptors made so far are the guest's only once the
             * result is lowered: release them here. */
            for (size_t k = 0; k < i; k++)
                w2_release(cx.w, cx.st, list.of.seq.items[k].of.seq.items[0].of.handle.rep);
            wg_cval_free(&list);
            return false;
        }
        w2_desc *d = &obj->u.d;
        d->file = f;
        d->type = W2_DT_DIRECTORY;
        d->read = true;
        d->read_only = p->read_only;
        d->mutate = !p->read_only;
        d->flags = W2_DF_READ | (d->mutate ? W2_DF_MUTATE : 0);
        wg_cval t = wg_cval_seq(WG_CV_TUPLE, 2);
        if (t.of.seq.items) {
            t.of.seq.items[0] = w2_own(&cx, W2_RT_DESCRIPTOR, rep);
            t.of.seq.items[1] = w2_string_lossy(p->guest_path, strlen(p->guest_path));
        } else {
            w2_release(cx.w, cx.st, rep);
        }
        list.of.seq.items[i] = t;
    }
    return w2_set(call, r, list);
}

const w2_fn w2_fs_fns[] = {
    {"wasi:filesystem/types", "[method]descriptor.create-directory-at", create_directory_at},
    {"wasi:filesystem/types", "[method]descriptor.remove-directory-at", remove_directory_at},
    {"wasi:filesystem/types", "[method]descriptor.unlink-file-at", unlink_file_at},
    {"wasi:filesystem/types", "[method]descriptor.rename-at", rename_at},
    {"wasi:filesystem/types", "[method]descriptor.link-at", link_at},
    {"wasi:filesystem/types", "[method]descriptor.symlink-at", symlink_at},
    {"wasi:filesystem/types", "[method]descriptor.readlink-at", readlink_at},
    {"wasi:filesystem/types", "[method]descriptor.stat-at", stat_at},
    {"wasi:filesystem/types", "[method]descriptor.metadata-hash-at", metadata_hash_at},
    {"wasi:filesystem/types", "[method]descriptor.set-times-at", set_times_at},
    {"wasi:filesystem/types", "[method]descriptor.open-at", open_at},
    {"wasi:filesystem/preopens", "get-directories", get_directories},
    {NULL, NULL, NULL},
};
