/*
 * WASI preview1 path_* functions and fd_readdir.
 *
 * What each call does on the host, and its answers, are the functions of
 * wasi_fsops.c (wasi_host.h), which WASI 0.2 calls too: every path is
 * resolved beneath the directory fd by sandbox.c, so nothing here can reach
 * outside a preopen. This file adds what is preview1's own: fds and rights,
 * guest memory, and the layouts below.
 *
 * Each function: find the caller's wg_wasi (trap if none), look the directory
 * fd up with the PATH_* right the witx asks for (BADF / NOTCAPABLE), check
 * every guest pointer before doing anything with a side effect (FAULT), then
 * act; host errors go through wg__wasi_errno.
 *
 * Guest layouts (little-endian):
 *   filestat 64 bytes: dev u64 @0, ino u64 @8, filetype u8 @16, nlink u64 @24,
 *                      size u64 @32, atim u64 @40, mtim u64 @48, ctim u64 @56
 *   dirent   24 bytes + name: d_next u64 @0, d_ino u64 @8, d_namlen u32 @16,
 *                      d_type u8 @20; the name (not NUL-terminated) follows
 *
 * fd_readdir: the entry's `dir` field holds a snapshot of the directory
 * (wg__fs_dir_snapshot: one heap block, freed by wg__wasi_fd_release with
 * free()), taken when the guest
 * asks for cookie 0 (or has none yet). Entry i has d_next = i + 1, so a cookie
 * is simply an index into the snapshot; "." and ".." are included.
 */
#define _GNU_SOURCE
#include "wasi/wasi_host.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define LOOKUP_SYMLINK_FOLLOW 1u
#define OFLAG_CREAT 1u
#define OFLAG_DIRECTORY 2u
#define OFLAG_EXCL 4u
#define OFLAG_TRUNC 8u

#define FILESTAT_SIZE 64
#define DIRENT_SIZE 24

/* Rights that need the host file open for writing. */
#define WRITE_RIGHTS \
    (WG_WASI_RIGHT_FD_WRITE | WG_WASI_RIGHT_FD_ALLOCATE | WG_WASI_RIGHT_FD_FILESTAT_SET_SIZE)

/* A directory opened with FD_SEEK or FD_READ does not keep them: directory
 * fds get WG_WASI_RIGHTS_DIR at most. */
#define DIR_BASE_RIGHTS WG_WASI_RIGHTS_DIR
/* Rights that only make sense on a directory. */
#define DIR_ONLY_RIGHTS                                                                         \
    (DIR_BASE_RIGHTS & ~(WG_WASI_RIGHT_FD_FDSTAT_SET_FLAGS | WG_WASI_RIGHT_FD_SYNC |            \
                         WG_WASI_RIGHT_FD_DATASYNC | WG_WASI_RIGHT_FD_FILESTAT_GET |            \
                         WG_WASI_RIGHT_FD_FILESTAT_SET_TIMES | WG_WASI_RIGHT_POLL_FD_READWRITE))

/* ---- small helpers ----------------------------------------------------------------- */

void wg__wasi_put_filestat(uint8_t *p, const wg_wasi_filestat *st) {
    memset(p, 0, FILESTAT_SIZE);
    wg__wasi_put_u64(p + 0, st->dev);
    wg__wasi_put_u64(p + 8, st->ino);
    p[16] = st->filetype;
    wg__wasi_put_u64(p + 24, st->nlink);
    wg__wasi_put_u64(p + 32, st->size);
    wg__wasi_put_u64(p + 40, st->atim);
    wg__wasi_put_u64(p + 48, st->mtim);
    wg__wasi_put_u64(p + 56, st->ctim);
}

/* The guest path bytes [ptr, ptr+len), or NULL (FAULT). */
static const char *guest_path(wg_ctx *ctx, uint32_t ptr, uint32_t len) {
    return (const char *)wg__wasi_mem(ctx, ptr, len);
}

/* A directory entry usable as the base of a path: a host fd with `rights`.
 * Returns NULL with *err (BADF, NOTCAPABLE, NOTDIR). */
static wg_wasi_fd *dir_get(wg_wasi *w, uint32_t fd, uint64_t rights, int *err) {
    wg_wasi_fd *e = wg__wasi_fd_get(w, fd, rights, err);
    if (!e) return NULL;
    if (e->kind != WG_WASI_FD_HOST || e->hostfd < 0) {
        *err = WG_WASI_ENOTDIR;
        return NULL;
    }
    return e;
}

/* The calls that act on one name beneath a directory fd (mkdir, rmdir,
 * unlink): the fd with `right`, the guest path (FAULT), then the shared
 * operation. */
static int name_op(wg_ctx *ctx, uint64_t *slots, uint64_t right,
                   int (*op)(int dirfd, const char *path, size_t len)) {
    GET_WASI(w);
    int err;
    wg_wasi_fd *e = dir_get(w, ARG32(0), right, &err);
    if (!e) return wg__wasi_ret(slots, err);
    const char *path = guest_path(ctx, ARG32(1), ARG32(2));
    if (!path) return wg__wasi_ret(slots, WG_WASI_EFAULT);
    return wg__wasi_ret(slots, op(e->hostfd, path, ARG32(2)));
}

/* ---- path_create_directory, path_remove_directory, path_unlink_file ----------------- */

/* path_create_directory(fd, path, path_len) */
int wg__wasi_path_create_directory(wg_ctx *ctx, uint64_t *slots, void *ud) {
    (void)ud;
    return name_op(ctx, slots, WG_WASI_RIGHT_PATH_CREATE_DIRECTORY, wg__fs_mkdir_at);
}

/* path_remove_directory(fd, path, path_len) */
int wg__wasi_path_remove_directory(wg_ctx *ctx, uint64_t *slots, void *ud) {
    (void)ud;
    return name_op(ctx, slots, WG_WASI_RIGHT_PATH_REMOVE_DIRECTORY, wg__fs_rmdir_at);
}

/* path_unlink_file(fd, path, path_len) */
int wg__wasi_path_unlink_file(wg_ctx *ctx, uint64_t *slots, void *ud) {
    (void)ud;
    return name_op(ctx, slots, WG_WASI_RIGHT_PATH_UNLINK_FILE, wg__fs_unlink_at);
}

/* ---- stat and times -------------------------------------------------------------------- */

/* path_filestat_get(fd, flags, path, path_len, buf) */
int wg__wasi_path_filestat_get(wg_ctx *ctx, uint64_t *slots, void *ud) {
    (void)ud;
    GET_WASI(w);
    int err;
    wg_wasi_fd *e = dir_get(w, ARG32(0), WG_WASI_RIGHT_PATH_FILESTAT_GET, &err);
    if (!e) return wg__wasi_ret(slots, err);
    const char *path = guest_path(ctx, ARG32(2), ARG32(3));
    if (!path) return wg__wasi_ret(slots, WG_WASI_EFAULT);
    if (!wg__wasi_mem(ctx, ARG32(4), FILESTAT_SIZE)) return wg__wasi_ret(slots, WG_WASI_EFAULT);
    wg_wasi_filestat st;
    err = wg__fs_stat_at(e->hostfd, path, ARG32(3), ARG32(1) & LOOKUP_SYMLINK_FOLLOW, &st);
    if (err) return wg__wasi_ret(slots, err);
    uint8_t *buf = wg__wasi_mem(ctx, ARG32(4), FILESTAT_SIZE);
    if (!buf) return wg__wasi_ret(slots, WG_WASI_EFAULT);
    wg__wasi_put_filestat(buf, &st);
    return wg__wasi_ret(slots, WG_WASI_ESUCCESS);
}

/* path_filestat_set_times(fd, flags, path, path_len, atim, mtim, fst_flags) */
int wg__wasi_path_filestat_set_times(wg_ctx *ctx, uint64_t *slots, void *ud) {
    (void)ud;
    GET_WASI(w);
    int err;
    wg_wasi_fd *e = dir_get(w, ARG32(0), WG_WASI_RIGHT_PATH_FILESTAT_SET_TIMES, &err);
    if (!e) return wg__wasi_ret(slots, err);
    uint32_t len = ARG32(3);
    const char *path = guest_path(ctx, ARG32(2), len);
    if (!path) return wg__wasi_ret(slots, WG_WASI_EFAULT);
    struct timespec ts[2];
    if ((err = wg__fs_make_times(ARG64(4), ARG64(5), ARG32(6), ts)) != 0) return wg__wasi_ret(slots, err);
    bool follow = ARG32(1) & LOOKUP_SYMLINK_FOLLOW;
    return wg__wasi_ret(slots, wg__fs_set_times_at(e->hostfd, path, len, follow, ts));
}

/* ---- links and renames -------------------------------------------------------------- */

/* path_link(old_fd, old_flags, old_path, old_path_len, new_fd, new_path, new_path_len) */
int wg__wasi_path_link(wg_ctx *ctx, uint64_t *slots, void *ud) {
    (void)ud;
    GET_WASI(w);
    int err;
    wg_wasi_fd *oe = dir_get(w, ARG32(0), WG_WASI_RIGHT_PATH_LINK_SOURCE, &err);
    if (!oe) return wg__wasi_ret(slots, err);
    int ofd = oe->hostfd;
    wg_wasi_fd *ne = dir_get(w, ARG32(4), WG_WASI_RIGHT_PATH_LINK_TARGET, &err);
    if (!ne) return wg__wasi_ret(slots, err);
    int nfd = ne->hostfd;
    uint32_t olen = ARG32(3), nlen = ARG32(6);
    const char *opath = guest_path(ctx, ARG32(2), olen);
    const char *npath = guest_path(ctx, ARG32(5), nlen);
    if (!opath || !npath) return wg__wasi_ret(slots, WG_WASI_EFAULT);
    bool follow = ARG32(1) & LOOKUP_SYMLINK_FOLLOW;
    return wg__wasi_ret(slots, wg__fs_link_at(ofd, opath, olen, follow, nfd, npath, nlen));
}

/* path_rename(fd, old_path, old_path_len, new_fd, new_path, new_path_len) */
int wg__wasi_path_rename(wg_ctx *ctx, uint64_t *slots, void *ud) {
    (void)ud;
    GET_WASI(w);
    int err;
    wg_wasi_fd *oe = dir_get(w, ARG32(0), WG_WASI_RIGHT_PATH_RENAME_SOURCE, &err);
    if (!oe) return wg__wasi_ret(slots, err);
    int ofd = oe->hostfd;
    wg_wasi_fd *ne = dir_get(w, ARG32(3), WG_WASI_RIGHT_PATH_RENAME_TARGET, &err);
    if (!ne) return wg__wasi_ret(slots, err);
    int nfd = ne->hostfd;
    uint32_t olen = ARG32(2), nlen = ARG32(5);
    const char *opath = guest_path(ctx, ARG32(1), olen);
    const char *npath = guest_path(ctx, ARG32(4), nlen);
    if (!opath || !npath) return wg__wasi_ret(slots, WG_WASI_EFAULT);
    return wg__wasi_ret(slots, wg__fs_rename_at(ofd, opath, olen, nfd, npath, nlen));
}

/* path_symlink(old_path, old_path_len, fd, new_path, new_path_len)
 * old_path is the link's contents, stored as given, except that an absolute
 * target is refused (NOTCAPABLE): it could never be followed beneath a
 * preopen. A relative one pointing outside may be created; following it is
 * refused by the sandbox. */
int wg__wasi_path_symlink(wg_ctx *ctx, uint64_t *slots, void *ud) {
    (void)ud;
    GET_WASI(w);
    int err;
    wg_wasi_fd *e = dir_get(w, ARG32(2), WG_WASI_RIGHT_PATH_SYMLINK, &err);
    if (!e) return wg__wasi_ret(slots, err);
    uint32_t tlen = ARG32(1), nlen = ARG32(4);
    const char *tgt = guest_path(ctx, ARG32(0), tlen);
    const char *npath = guest_path(ctx, ARG32(3), nlen);
    if (!tgt || !npath) return wg__wasi_ret(slots, WG_WASI_EFAULT);
    return wg__wasi_ret(slots, wg__fs_symlink_at(tgt, tlen, e->hostfd, npath, nlen));
}

/* path_readlink(fd, path, path_len, buf, buf_len, bufused_ptr)
 * The contents are truncated to buf_len (as wasmtime does), no NUL added. */
int wg__wasi_path_readlink(wg_ctx *ctx, uint64_t *slots, void *ud) {
    (void)ud;
    GET_WASI(w);
    int err;
    wg_wasi_fd *e = dir_get(w, ARG32(0), WG_WASI_RIGHT_PATH_READLINK, &err);
    if (!e) return wg__wasi_ret(slots, err);
    uint32_t len = ARG32(2), buf_len = ARG32(4);
    const char *path = guest_path(ctx, ARG32(1), len);
    if (!path) return wg__wasi_ret(slots, WG_WASI_EFAULT);
    if (!wg__wasi_mem(ctx, ARG32(3), buf_len) || !wg__wasi_mem(ctx, ARG32(5), 4))
        return wg__wasi_ret(slots, WG_WASI_EFAULT);
    char target[PATH_MAX];
    size_t n;
    if ((err = wg__fs_readlink_at(e->hostfd, path, len, target, &n)) != 0) return wg__wasi_ret(slots, err);
    size_t k = n < buf_len ? n : buf_len;
    uint8_t *buf = wg__wasi_mem(ctx, ARG32(3), buf_len);
    uint8_t *used = wg__wasi_mem(ctx, ARG32(5), 4);
    if (!buf || !used) return wg__wasi_ret(slots, WG_WASI_EFAULT);
    memcpy(buf, target, k);
    wg__wasi_put_u32(used, (uint32_t)k);
    return wg__wasi_ret(slots, WG_WASI_ESUCCESS);
}

/* ---- path_open ------------------------------------------------------------------------- */

/* path_open(fd, dirflags, path, path_len, oflags, rights_base, rights_inheriting,
 *           fdflags, opened_fd_ptr)
 *
 * The new fd's rights are the requested ones intersected with the directory's
 * inheriting rights (silently, as wasmtime and wasi-libc expect), then with
 * what the opened file type supports (a directory gets no FD_SEEK/FD_READ, a
 * file no PATH_* rights and nothing to inherit). The host
 * access mode comes from those rights: FD_READ/FD_READDIR read, FD_WRITE/
 * FD_ALLOCATE/FD_FILESTAT_SET_SIZE write. Beneath a read-only preopen, asking
 * for any of the latter, or for CREAT/TRUNC, is NOTCAPABLE.
 *
 * The new fd counts against the open-file limits (wasi.h): MFILE past the
 * instance's max_open_files, NFILE past the shared budget, checked after the
 * arguments and before the open (so at the cap even a missing path is MFILE,
 * as open(2) at RLIMIT_NOFILE). The open itself never blocks (sandbox.c). */
int wg__wasi_path_open(wg_ctx *ctx, uint64_t *slots, void *ud) {
    (void)ud;
    GET_WASI(w);
    int err;
    uint32_t oflags = ARG32(4), fdflags = ARG32(7), len = ARG32(3);
    uint64_t want_base = ARG64(5), want_inh = ARG64(6);
    uint64_t need = WG_WASI_RIGHT_PATH_OPEN;
    if (oflags & OFLAG_CREAT) need |= WG_WASI_RIGHT_PATH_CREATE_FILE;
    if (oflags & OFLAG_TRUNC) need |= WG_WASI_RIGHT_PATH_FILESTAT_SET_SIZE;
    wg_wasi_fd *e = dir_get(w, ARG32(0), need, &err);
    if (!e) return wg__wasi_ret(slots, err);
    const char *path = guest_path(ctx, ARG32(2), len);
    if (!path) return wg__wasi_ret(slots, WG_WASI_EFAULT);
    if (!wg__wasi_mem(ctx, ARG32(8), 4)) return wg__wasi_ret(slots, WG_WASI_EFAULT);
    if (oflags & ~(OFLAG_CREAT | OFLAG_DIRECTORY | OFLAG_EXCL | OFLAG_TRUNC))
        return wg__wasi_ret(slots, WG_WASI_EINVAL);
    if (fdflags & ~(WG_WASI_FDFLAG_APPEND | WG_WASI_FDFLAG_DSYNC | WG_WASI_FDFLAG_NONBLOCK |
                    WG_WASI_FDFLAG_RSYNC | WG_WASI_FDFLAG_SYNC))
        return wg__wasi_ret(slots, WG_WASI_EINVAL);
    if ((oflags & OFLAG_DIRECTORY) && (oflags & (OFLAG_CREAT | OFLAG_TRUNC)))
        return wg__wasi_ret(slots, WG_WASI_EINVAL);
    if (e->read_only &&
        ((oflags & (OFLAG_CREAT | OFLAG_TRUNC)) || (want_base & WRITE_RIGHTS)))
        return wg__wasi_ret(slots, WG_WASI_ENOTCAPABLE);

    uint64_t base = want_base & e->rights_inheriting;
    uint64_t inh = want_inh & e->rights_inheriting;
    if (e->read_only) {
        base &= ~WG_WASI_RIGHTS_WRITE;
        inh &= ~WG_WASI_RIGHTS_WRITE;
    }
    wg_fs_open o = {
        .read = base & (WG_WASI_RIGHT_FD_READ | WG_WASI_RIGHT_FD_READDIR),
        .write = base & WRITE_RIGHTS,
        .create = oflags & OFLAG_CREAT,
        .directory = oflags & OFLAG_DIRECTORY,
        .exclusive = oflags & OFLAG_EXCL,
        .truncate = oflags & OFLAG_TRUNC,
        .follow = ARG32(1) & LOOKUP_SYMLINK_FOLLOW,
        .fdflags = (uint16_t)fdflags,
    };
    int fd;
    struct stat st;
    err = wg__fs_open_at(w, e->hostfd, e->read_only, path, len, &o, &fd, &st);
    if (err) return wg__wasi_ret(slots, err);
    wg_wasi_fd ne;
    memset(&ne, 0, sizeof ne);
    ne.kind = WG_WASI_FD_HOST;
    ne.filetype = wg__wasi_filetype_of_mode(st.st_mode);
    ne.hostfd = fd;
    ne.owned = true;
    ne.read_only = e->read_only;
    /* Keep only the rights this kind of file can use (as wasmtime does). */
    ne.rights_base = S_ISDIR(st.st_mode) ? base & DIR_BASE_RIGHTS : base & ~DIR_ONLY_RIGHTS;
    ne.rights_inheriting = S_ISDIR(st.st_mode) ? inh : 0;
    ne.fdflags = (uint16_t)fdflags;
    ne.charged = true;
    int64_t gfd = wg__wasi_fd_insert(w, &ne, &err); /* may move the table: e is stale now */
    if (gfd < 0) {
        close(fd);
        wg__wasi_fd_uncharge(w);
        return wg__wasi_ret(slots, err);
    }
    uint8_t *out = wg__wasi_mem(ctx, ARG32(8), 4);
    if (!out) { /* cannot happen: checked above and the guest has not run */
        wg_wasi_fd *ie = wg__wasi_fd_get(w, (uint32_t)gfd, 0, &err);
        if (ie) wg__wasi_fd_release(w, ie);
        return wg__wasi_ret(slots, WG_WASI_EFAULT);
    }
    wg__wasi_put_u32(out, (uint32_t)gfd);
    return wg__wasi_ret(slots, WG_WASI_ESUCCESS);
}

/* ---- fd_readdir ---------------------------------------------------------------------- */

/* fd_readdir(fd, buf, buf_len, cookie, bufused_ptr)
 * Entries from index `cookie` on, each a 24-byte dirent and its name, until
 * buf_len is reached; the last one may be cut short (bufused == buf_len tells
 * the guest there may be more). */
int wg__wasi_fd_readdir(wg_ctx *ctx, uint64_t *slots, void *ud) {
    (void)ud;
    GET_WASI(w);
    int err;
    wg_wasi_fd *e = wg__wasi_fd_get(w, ARG32(0), WG_WASI_RIGHT_FD_READDIR, &err);
    if (!e) return wg__wasi_ret(slots, err);
    if (e->kind != WG_WASI_FD_HOST || e->filetype != WG_WASI_FILETYPE_DIRECTORY)
        return wg__wasi_ret(slots, WG_WASI_ENOTDIR);
    uint32_t buf_len = ARG32(2);
    uint64_t cookie = ARG64(3);
    uint8_t *buf = wg__wasi_mem(ctx, ARG32(1), buf_len);
    uint8_t *used = wg__wasi_mem(ctx, ARG32(4), 4);
    if (!buf || !used) return wg__wasi_ret(slots, WG_WASI_EFAULT);

    if (cookie == 0 || !e->dir) {
        wg_dir_snap *s = wg__fs_dir_snapshot(e->hostfd, &err);
        if (!s) return wg__wasi_ret(slots, err);
        free(e->dir);
        e->dir = s;
    }
    const wg_dir_snap *s = e->dir;
    const char *names = wg__fs_snap_names(s);
    uint32_t pos = 0;
    for (uint64_t i = cookie; i < s->n && pos < buf_len; i++) {
        const wg_dir_ent *d = &s->ent[i];
        uint8_t hdr[DIRENT_SIZE];
        memset(hdr, 0, sizeof hdr);
        wg__wasi_put_u64(hdr, i + 1);
        wg__wasi_put_u64(hdr + 8, d->ino);
        wg__wasi_put_u32(hdr + 16, d->namlen);
        hdr[20] = d->filetype;
        uint32_t k = buf_len - pos < DIRENT_SIZE ? buf_len - pos : DIRENT_SIZE;
        memcpy(buf + pos, hdr, k);
        pos += k;
        k = buf_len - pos < d->namlen ? buf_len - pos : d->namlen;
        memcpy(buf + pos, names + d->name_off, k);
        pos += k;
    }
    wg__wasi_put_u32(used, pos);
    return wg__wasi_ret(slots, WG_WASI_ESUCCESS);
}
