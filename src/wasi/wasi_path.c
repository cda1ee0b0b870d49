/*
 * WASI preview1 path_* functions and fd_readdir.
 *
 * Every path is resolved beneath the directory fd it is relative to by
 * sandbox.c, either whole (wg__sandbox_openat: path_open, and the stat-like
 * calls that follow symlinks) or as "parent directory + last name"
 * (wg__sandbox_parent: the calls that act on a name: mkdirat, unlinkat,
 * renameat, linkat, symlinkat, readlinkat, and the non-following
 * fstatat/utimensat). The kernel never sees a multi-component guest path and
 * never a ".." name, so nothing here can reach outside a preopen.
 *
 * Each function: find the caller's wg_wasi (trap if none), look the directory
 * fd up with the PATH_* right the witx asks for (BADF / NOTCAPABLE), check
 * every guest pointer before doing anything with a side effect (FAULT), then
 * act; host errors go through wg__wasi_errno.
 *
 * A trailing slash on the last component means "this must be a directory"
 * (POSIX). The *at calls get the bare name (so that a symlink there is never
 * followed by the kernel), and the rule is applied here, giving Linux's
 * answers: unlink "file/" NOTDIR, unlink "dir/" ISDIR, symlink/link to "new/"
 * NOENT, to "existing/" EXIST (NOTDIR when it is not a directory).
 *
 * Guest layouts (little-endian):
 *   filestat 64 bytes: dev u64 @0, ino u64 @8, filetype u8 @16, nlink u64 @24,
 *                      size u64 @32, atim u64 @40, mtim u64 @48, ctim u64 @56
 *   dirent   24 bytes + name: d_next u64 @0, d_ino u64 @8, d_namlen u32 @16,
 *                      d_type u8 @20; the name (not NUL-terminated) follows
 *
 * fd_readdir: the entry's `dir` field holds a snapshot of the directory (one
 * heap block, freed by wg__wasi_fd_release with free()), taken when the guest
 * asks for cookie 0 (or has none yet). Entry i has d_next = i + 1, so a cookie
 * is simply an index into the snapshot; "." and ".." are included.
 */
#define _GNU_SOURCE
#include "wasi/wasi_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>


#define LOOKUP_SYMLINK_FOLLOW 1u
#define OFLAG_CREAT 1u
#define OFLAG_DIRECTORY 2u
#define OFLAG_EXCL 4u
#define OFLAG_TRUNC 8u
#define FST_ATIM 1u
#define FST_ATIM_NOW 2u
#define FST_MTIM 4u
#define FST_MTIM_NOW 8u

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

static uint64_t ts_ns(struct timespec t) {
    return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

static void put_filestat(uint8_t *p, const struct stat *st) {
    memset(p, 0, FILESTAT_SIZE);
    wg__wasi_put_u64(p + 0, (uint64_t)st->st_dev);
    wg__wasi_put_u64(p + 8, (uint64_t)st->st_ino);
    p[16] = filetype_of_mode(st->st_mode);
    wg__wasi_put_u64(p + 24, (uint64_t)st->st_nlink);
    wg__wasi_put_u64(p + 32, (uint64_t)st->st_size);
    wg__wasi_put_u64(p + 40, ts_ns(st->st_atim));
    wg__wasi_put_u64(p + 48, ts_ns(st->st_mtim));
    wg__wasi_put_u64(p + 56, ts_ns(st->st_ctim));
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

/* The common start of the calls that act on one name beneath a directory fd
 * (mkdir, rmdir, unlink): the fd with `right`, the guest path [ptr, ptr+len),
 * and its parent resolved beneath the fd. Returns the parent's fd (the caller
 * closes it) with the last component in name (NAME_MAX+1 bytes) and the path
 * in *path, or -1 with *err (checked in that order: fd, FAULT, resolution). */
static int name_parent(wg_ctx *ctx, wg_wasi *w, uint32_t fd, uint64_t right, uint32_t ptr,
                       uint32_t len, const char **path, char *name, int *err) {
    wg_wasi_fd *e = dir_get(w, fd, right, err);
    if (!e) return -1;
    *path = guest_path(ctx, ptr, len);
    if (!*path) {
        *err = WG_WASI_EFAULT;
        return -1;
    }
    return wg__sandbox_parent(e->hostfd, *path, len, name, err);
}

static bool has_trailing_slash(const char *path, uint32_t len) {
    return len > 0 && path[len - 1] == '/';
}

/* For a name given with a trailing slash: 0 if it is a directory, NOTDIR if
 * it exists but is not one (a symlink counts as "not", as we never follow
 * it here), or the lookup's errno (NOENT). */
static int must_be_dir(int pfd, const char *name) {
    struct stat st;
    if (fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) return wg__wasi_errno(errno);
    return S_ISDIR(st.st_mode) ? 0 : WG_WASI_ENOTDIR;
}

/* For a name that is about to be created with a trailing slash by something
 * that cannot create a directory (symlink, link): EXIST / NOTDIR if it
 * exists, NOENT if not (Linux). */
static int new_name_with_slash(int pfd, const char *name) {
    struct stat st;
    if (fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
        return errno == ENOENT ? WG_WASI_ENOENT : wg__wasi_errno(errno);
    return S_ISDIR(st.st_mode) ? WG_WASI_EEXIST : WG_WASI_ENOTDIR;
}

/* utimensat on a resolved O_PATH fd (the file itself, not a name in it). */
static int utimens_fd(int fd, const struct timespec ts[2]) {
    if (utimensat(fd, "", ts, AT_EMPTY_PATH) == 0) return 0;
    if (errno != EINVAL && errno != ENOENT && errno != EBADF) return wg__wasi_errno(errno);
    char proc[64];
    snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
    if (utimensat(AT_FDCWD, proc, ts, 0) == 0) return 0;
    return wg__wasi_errno(errno);
}

/* ---- path_create_directory, path_remove_directory, path_unlink_file ----------------- */

/* path_create_directory(fd, path, path_len) */
int wg__wasi_path_create_directory(wg_ctx *ctx, uint64_t *slots, void *ud) {
    (void)ud;
    GET_WASI(w);
    int err;
    const char *path;
    char name[NAME_MAX + 1];
    int pfd = name_parent(ctx, w, ARG32(0), WG_WASI_RIGHT_PATH_CREATE_DIRECTORY, ARG32(1), ARG32(2),
                          &path, name, &err);
    if (pfd < 0) return wg__wasi_ret(slots, err);
    err = mkdirat(pfd, name, 0777) == 0 ? 0 : wg__wasi_errno(errno);
    close(pfd);
    return wg__wasi_ret(slots, err);
}

/* path_remove_directory(fd, path, path_len) */
int wg__wasi_path_remove_directory(wg_ctx *ctx, uint64_t *slots, void *ud) {
    (void)ud;
    GET_WASI(w);
    int err;
    const char *path;
    char name[NAME_MAX + 1];
    int pfd = name_parent(ctx, w, ARG32(0), WG_WASI_RIGHT_PATH_REMOVE_DIRECTORY, ARG32(1), ARG32(2),
                          &path, name, &err);
    if (pfd < 0) return wg__wasi_ret(slots, err);
    /* rmdir of a non-directory is NOTDIR on its own, trailing slash or not. */
    err = unlinkat(pfd, name, AT_REMOVEDIR) == 0 ? 0 : wg__wasi_errno(errno);
    close(pfd);
    return wg__wasi_ret(slots, err);
}

/* path_unlink_file(fd, path, path_len) */
int wg__wasi_path_unlink_file(wg_ctx *ctx, uint64_t *slots, void *ud) {
    (void)ud;
    GET_WASI(w);
    int err;
    uint32_t len = ARG32(2);
    const char *path;
    char name[NAME_MAX + 1];
    int pfd = name_parent(ctx, w, ARG32(0), WG_WASI_RIGHT_PATH_UNLINK_FILE, ARG32(1), len, &path,
                          name, &err);
    if (pfd < 0) return wg__wasi_ret(slots, err);
    if (has_trailing_slash(path, len)) {
        /* "dir/" is ISDIR below; anything else named with a slash is NOTDIR. */
        err = must_be_dir(pfd, name);
        if (err == WG_WASI_ESUCCESS) err = WG_WASI_EISDIR;
    } else {
        err = unlinkat(pfd, name, 0) == 0 ? 0 : wg__wasi_errno(errno);
    }
    close(pfd);
    return wg__wasi_ret(slots, err);
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
    bool follow = ARG32(1) & LOOKUP_SYMLINK_FOLLOW;
    /* O_PATH|O_NOFOLLOW opens a final symlink itself: fstat is then lstat. */
    int fd = wg__sandbox_openat(e->hostfd, path, ARG32(3), O_PATH, 0, follow, &err);
    if (fd < 0) return wg__wasi_ret(slots, err);
    struct stat st;
    err = fstat(fd, &st) == 0 ? 0 : wg__wasi_errno(errno);
    close(fd);
    if (err) return wg__wasi_ret(slots, err);
    uint8_t *buf = wg__wasi_mem(ctx, ARG32(4), FILESTAT_SIZE);
    if (!buf) return wg__wasi_ret(slots, WG_WASI_EFAULT);
    put_filestat(buf, &st);
    return wg__wasi_ret(slots, WG_WASI_ESUCCESS);
}

/* Builds utimensat times from WASI fst_flags; INVAL for a contradiction. */
static int make_times(uint64_t atim, uint64_t mtim, uint32_t fst, struct timespec ts[2]) {
    if (fst & ~(FST_ATIM | FST_ATIM_NOW | FST_MTIM | FST_MTIM_NOW)) return WG_WASI_EINVAL;
    if ((fst & FST_ATIM) && (fst & FST_ATIM_NOW)) return WG_WASI_EINVAL;
    if ((fst & FST_MTIM) && (fst & FST_MTIM_NOW)) return WG_WASI_EINVAL;
    const uint64_t values[2] = {atim, mtim};
    const uint32_t set[2] = {FST_ATIM, FST_MTIM}, now[2] = {FST_ATIM_NOW, FST_MTIM_NOW};
    for (int i = 0; i < 2; i++) {
        if (fst & set[i]) {
            ts[i].tv_sec = (time_t)(values[i] / 1000000000ull);
            ts[i].tv_nsec = (long)(values[i] % 1000000000ull);
        } else {
            ts[i].tv_sec = 0;
            ts[i].tv_nsec = (fst & now[i]) ? UTIME_NOW : UTIME_OMIT;
        }
    }
    return 0;
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
    if ((err = make_times(ARG64(4), ARG64(5), ARG32(6), ts)) != 0) return wg__wasi_ret(slots, err);
    bool follow = ARG32(1) & LOOKUP_SYMLINK_FOLLOW;
    if (follow || has_trailing_slash(path, len)) {
        int fd = wg__sandbox_openat(e->hostfd, path, len, O_PATH, 0, follow, &err);
        if (fd < 0) return wg__wasi_ret(slots, err);
        err = utimens_fd(fd, ts);
        close(fd);
        return wg__wasi_ret(slots, err);
    }
    char name[NAME_MAX + 1];
    int pfd = wg__sandbox_parent(e->hostfd, path, len, name, &err);
    if (pfd < 0) return wg__wasi_ret(slots, err);
    err = utimensat(pfd, name, ts, AT_SYMLINK_NOFOLLOW) == 0 ? 0 : wg__wasi_errno(errno);
    close(pfd);
    return wg__wasi_ret(slots, err);
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

    char oname[NAME_MAX + 1], nname[NAME_MAX + 1];
    int src = -1, opfd = -1, npfd = -1;
    if (follow) {
        /* Link what the symlink points to (resolved beneath old_fd). */
        src = wg__sandbox_openat(ofd, opath, olen, O_PATH, 0, true, &err);
        if (src < 0) return wg__wasi_ret(slots, err);
    } else {
        opfd = wg__sandbox_parent(ofd, opath, olen, oname, &err);
        if (opfd < 0) return wg__wasi_ret(slots, err);
        if (has_trailing_slash(opath, olen)) {
            err = must_be_dir(opfd, oname);
            if (err == WG_WASI_ESUCCESS) err = WG_WASI_EPERM; /* a directory */
            goto done;
        }
    }
    npfd = wg__sandbox_parent(nfd, npath, nlen, nname, &err);
    if (npfd < 0) goto done;
    if (has_trailing_slash(npath, nlen)) {
        err = new_name_with_slash(npfd, nname);
        goto done;
    }
    if (follow) {
        err = 0;
        if (linkat(src, "", npfd, nname, AT_EMPTY_PATH) != 0) {
            /* AT_EMPTY_PATH needs CAP_DAC_READ_SEARCH; /proc does not. */
            if (errno != ENOENT && errno != EPERM) {
                err = wg__wasi_errno(errno);
            } else {
                char proc[64];
                snprintf(proc, sizeof proc, "/proc/self/fd/%d", src);
                if (linkat(AT_FDCWD, proc, npfd, nname, AT_SYMLINK_FOLLOW) != 0)
                    err = wg__wasi_errno(errno);
            }
        }
    } else {
        err = linkat(opfd, oname, npfd, nname, 0) == 0 ? 0 : wg__wasi_errno(errno);
    }
done:
    if (src >= 0) close(src);
    if (opfd >= 0) close(opfd);
    if (npfd >= 0) close(npfd);
    return wg__wasi_ret(slots, err);
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

    char oname[NAME_MAX + 1], nname[NAME_MAX + 1];
    int npfd = -1;
    int opfd = wg__sandbox_parent(ofd, opath, olen, oname, &err);
    if (opfd < 0) return wg__wasi_ret(slots, err);
    npfd = wg__sandbox_parent(nfd, npath, nlen, nname, &err);
    if (npfd < 0) goto done;
    /* A trailing slash on either side: the source must be a directory. */
    if (has_trailing_slash(opath, olen) || has_trailing_slash(npath, nlen)) {
        if ((err = must_be_dir(opfd, oname)) != 0) goto done;
    }
    err = renameat(opfd, oname, npfd, nname) == 0 ? 0 : wg__wasi_errno(errno);
done:
    close(opfd);
    if (npfd >= 0) close(npfd);
    return wg__wasi_ret(slots, err);
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
    if (tlen == 0) return wg__wasi_ret(slots, WG_WASI_ENOENT);
    if (memchr(tgt, '\0', tlen)) return wg__wasi_ret(slots, WG_WASI_EINVAL);
    if (tlen >= PATH_MAX) return wg__wasi_ret(slots, WG_WASI_ENAMETOOLONG);
    if (tgt[0] == '/') return wg__wasi_ret(slots, WG_WASI_ENOTCAPABLE);
    char target[PATH_MAX];
    memcpy(target, tgt, tlen);
    target[tlen] = '\0';

    char name[NAME_MAX + 1];
    int pfd = wg__sandbox_parent(e->hostfd, npath, nlen, name, &err);
    if (pfd < 0) return wg__wasi_ret(slots, err);
    if (has_trailing_slash(npath, nlen)) err = new_name_with_slash(pfd, name);
    else err = symlinkat(target, pfd, name) == 0 ? 0 : wg__wasi_errno(errno);
    close(pfd);
    return wg__wasi_ret(slots, err);
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
    if (has_trailing_slash(path, len)) {
        /* "link/" names the directory the link points to: not a symlink. */
        int fd = wg__sandbox_openat(e->hostfd, path, len, O_PATH, 0, true, &err);
        if (fd < 0) return wg__wasi_ret(slots, err);
        close(fd);
        return wg__wasi_ret(slots, WG_WASI_EINVAL);
    }
    char name[NAME_MAX + 1], target[PATH_MAX];
    int pfd = wg__sandbox_parent(e->hostfd, path, len, name, &err);
    if (pfd < 0) return wg__wasi_ret(slots, err);
    ssize_t n = readlinkat(pfd, name, target, sizeof target);
    err = n < 0 ? wg__wasi_errno(errno) : 0;
    close(pfd);
    if (err) return wg__wasi_ret(slots, err);
    size_t k = (size_t)n < buf_len ? (size_t)n : buf_len;
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
    bool rd = base & (WG_WASI_RIGHT_FD_READ | WG_WASI_RIGHT_FD_READDIR);
    bool wr = base & WRITE_RIGHTS;
    int flags = wr ? (rd ? O_RDWR : O_WRONLY) : O_RDONLY;
    flags |= O_NOCTTY;
    if (oflags & OFLAG_CREAT) flags |= O_CREAT;
    if (oflags & OFLAG_DIRECTORY) flags |= O_DIRECTORY;
    if (oflags & OFLAG_EXCL) flags |= O_EXCL;
    if (oflags & OFLAG_TRUNC) flags |= O_TRUNC;
    if (fdflags & WG_WASI_FDFLAG_APPEND) flags |= O_APPEND;
    if (fdflags & WG_WASI_FDFLAG_DSYNC) flags |= O_DSYNC;
    if (fdflags & WG_WASI_FDFLAG_NONBLOCK) flags |= O_NONBLOCK;
    if (fdflags & WG_WASI_FDFLAG_RSYNC) flags |= O_RSYNC;
    if (fdflags & WG_WASI_FDFLAG_SYNC) flags |= O_SYNC;
    bool follow = ARG32(1) & LOOKUP_SYMLINK_FOLLOW;

    /* The open-file limits first: a guest at its cap never reaches the
     * file system (nor holds a host fd even for a moment). */
    if ((err = wg__wasi_fd_charge(w)) != 0) return wg__wasi_ret(slots, err);
    int fd = wg__sandbox_openat(e->hostfd, path, len, flags, 0666, follow, &err);
    if (fd < 0) {
        wg__wasi_fd_uncharge(w);
        return wg__wasi_ret(slots, err);
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        err = wg__wasi_errno(errno);
        close(fd);
        wg__wasi_fd_uncharge(w);
        return wg__wasi_ret(slots, err);
    }
    wg_wasi_fd ne;
    memset(&ne, 0, sizeof ne);
    ne.kind = WG_WASI_FD_HOST;
    ne.filetype = filetype_of_mode(st.st_mode);
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

/* One snapshot entry; names follow the entry array in the same block. */
typedef struct dir_ent {
    uint64_t ino;      /* d_ino */
    uint32_t name_off; /* offset of the name from the start of the names */
    uint32_t namlen;   /* bytes of the name */
    uint8_t type;      /* WG_WASI_FILETYPE_* */
} dir_ent;

/* The readdir state kept in wg_wasi_fd.dir: one heap block. */
typedef struct dir_snap {
    uint64_t n;        /* entries */
    dir_ent ent[];     /* n entries, then the names */
} dir_snap;

static const char *snap_names(const dir_snap *s) {
    return (const char *)(s->ent + s->n);
}

static uint8_t filetype_of_dtype(int dfd, const struct dirent *d) {
    switch (d->d_type) {
    case DT_REG: return WG_WASI_FILETYPE_REGULAR_FILE;
    case DT_DIR: return WG_WASI_FILETYPE_DIRECTORY;
    case DT_LNK: return WG_WASI_FILETYPE_SYMBOLIC_LINK;
    case DT_CHR: return WG_WASI_FILETYPE_CHARACTER_DEVICE;
    case DT_BLK: return WG_WASI_FILETYPE_BLOCK_DEVICE;
    case DT_SOCK: return WG_WASI_FILETYPE_SOCKET_STREAM;
    case DT_FIFO: return WG_WASI_FILETYPE_UNKNOWN;
    default: {
        struct stat st;
        if (fstatat(dfd, d->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
            return WG_WASI_FILETYPE_UNKNOWN;
        return filetype_of_mode(st.st_mode);
    }
    }
}

/* Reads the whole directory of hostfd into a new snapshot (caller frees), or
 * NULL with *err. */
static dir_snap *snapshot(int hostfd, int *err) {
    int fd = openat(hostfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        *err = wg__wasi_errno(errno);
        return NULL;
    }
    DIR *d = fdopendir(fd);
    if (!d) {
        *err = wg__wasi_errno(errno);
        close(fd);
        return NULL;
    }
    dir_ent *ents = NULL;
    char *names = NULL;
    size_t n = 0, cap = 0, nlen = 0, ncap = 0;
    dir_snap *s = NULL;
    *err = WG_WASI_ENOMEM;
    for (;;) {
        errno = 0;
        struct dirent *de = readdir(d);
        if (!de) {
            if (errno) {
                *err = wg__wasi_errno(errno);
                goto fail;
            }
            break;
        }
        size_t len = strlen(de->d_name);
        if (n == cap) {
            size_t c = cap ? cap * 2 : 32;
            dir_ent *g = realloc(ents, c * sizeof *g);
            if (!g) goto fail;
            ents = g;
            cap = c;
        }
        if (nlen + len > ncap) {
            size_t c = ncap ? ncap : 512;
            while (c < nlen + len) c *= 2;
            char *g = realloc(names, c);
            if (!g) goto fail;
            names = g;
            ncap = c;
        }
        if (nlen + len > UINT32_MAX) goto fail;
        ents[n].ino = (uint64_t)de->d_ino;
        ents[n].name_off = (uint32_t)nlen;
        ents[n].namlen = (uint32_t)len;
        ents[n].type = filetype_of_dtype(dirfd(d), de);
        memcpy(names + nlen, de->d_name, len);
        nlen += len;
        n++;
    }
    s = malloc(sizeof *s + n * sizeof(dir_ent) + nlen + 1);
    if (!s) goto fail;
    s->n = n;
    if (n) memcpy(s->ent, ents, n * sizeof(dir_ent));
    if (nlen) memcpy((char *)(s->ent + n), names, nlen);
    *err = 0;
fail:
    free(ents);
    free(names);
    closedir(d);
    return s;
}

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
        dir_snap *s = snapshot(e->hostfd, &err);
        if (!s) return wg__wasi_ret(slots, err);
        free(e->dir);
        e->dir = s;
    }
    const dir_snap *s = e->dir;
    const char *names = snap_names(s);
    uint32_t pos = 0;
    for (uint64_t i = cookie; i < s->n && pos < buf_len; i++) {
        const dir_ent *d = &s->ent[i];
        uint8_t hdr[DIRENT_SIZE];
        memset(hdr, 0, sizeof hdr);
        wg__wasi_put_u64(hdr, i + 1);
        wg__wasi_put_u64(hdr + 8, d->ino);
        wg__wasi_put_u32(hdr + 16, d->namlen);
        hdr[20] = d->type;
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
