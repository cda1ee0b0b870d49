/*
 * File-system operations shared by WASI preview1 and WASI 0.2 (wasi_host.h):
 * what each does on the host and which WASI errno it answers.
 *
 * Every path is resolved beneath the directory fd it is relative to by
 * sandbox.c, either whole (wg__sandbox_openat: opening, and the stat-like
 * calls that follow symlinks) or as "parent directory + last name"
 * (wg__sandbox_parent: the calls that act on a name: mkdirat, unlinkat,
 * renameat, linkat, symlinkat, readlinkat, and the non-following
 * fstatat/utimensat). The kernel never sees a multi-component guest path and
 * never a ".." name, so nothing here can reach outside a preopen.
 *
 * A trailing slash on the last component means "this must be a directory"
 * (POSIX). The *at calls get the bare name (so that a symlink there is never
 * followed by the kernel), and the rule is applied here, giving Linux's
 * answers: unlink "file/" NOTDIR, unlink "dir/" ISDIR, symlink/link to "new/"
 * NOENT, to "existing/" EXIST (NOTDIR when it is not a directory).
 */
#define _GNU_SOURCE
#include "wasi/wasi_host.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- stat ------------------------------------------------------------------------------ */

uint8_t wg__wasi_filetype_of_mode(uint32_t m) {
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

uint64_t wg__wasi_ts_ns(struct timespec t) {
    return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

void wg__wasi_filestat_of(const struct stat *st, wg_wasi_filestat *out) {
    out->dev = (uint64_t)st->st_dev;
    out->ino = (uint64_t)st->st_ino;
    out->nlink = (uint64_t)st->st_nlink;
    out->size = (uint64_t)st->st_size;
    out->atim = wg__wasi_ts_ns(st->st_atim);
    out->mtim = wg__wasi_ts_ns(st->st_mtim);
    out->ctim = wg__wasi_ts_ns(st->st_ctim);
    out->mode = (uint32_t)(st->st_mode & S_IFMT);
    out->filetype = wg__wasi_filetype_of_mode(st->st_mode);
}

int wg__fs_fstat(int fd, wg_wasi_filestat *out) {
    struct stat st;
    if (fstat(fd, &st) != 0) return wg__wasi_errno(errno);
    wg__wasi_filestat_of(&st, out);
    return WG_WASI_ESUCCESS;
}

int wg__fs_stat_at(int dirfd, const char *path, size_t len, bool follow, wg_wasi_filestat *out) {
    int err;
    /* O_PATH|O_NOFOLLOW opens a final symlink itself: fstat is then lstat. */
    int fd = wg__sandbox_openat(dirfd, path, len, O_PATH, 0, follow, &err);
    if (fd < 0) return err;
    err = wg__fs_fstat(fd, out);
    close(fd);
    return err;
}

/* ---- names ------------------------------------------------------------------------------ */

static bool has_trailing_slash(const char *path, size_t len) {
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

int wg__fs_mkdir_at(int dirfd, const char *path, size_t len) {
    int err;
    char name[NAME_MAX + 1];
    int pfd = wg__sandbox_parent(dirfd, path, len, name, &err);
    if (pfd < 0) return err;
    err = mkdirat(pfd, name, 0777) == 0 ? 0 : wg__wasi_errno(errno);
    close(pfd);
    return err;
}

int wg__fs_rmdir_at(int dirfd, const char *path, size_t len) {
    int err;
    char name[NAME_MAX + 1];
    int pfd = wg__sandbox_parent(dirfd, path, len, name, &err);
    if (pfd < 0) return err;
    /* rmdir of a non-directory is NOTDIR on its own, trailing slash or not. */
    err = unlinkat(pfd, name, AT_REMOVEDIR) == 0 ? 0 : wg__wasi_errno(errno);
    close(pfd);
    return err;
}

int wg__fs_unlink_at(int dirfd, const char *path, size_t len) {
    int err;
    char name[NAME_MAX + 1];
    int pfd = wg__sandbox_parent(dirfd, path, len, name, &err);
    if (pfd < 0) return err;
    if (has_trailing_slash(path, len)) {
        /* "dir/" is ISDIR below; anything else named with a slash is NOTDIR. */
        err = must_be_dir(pfd, name);
        if (err == WG_WASI_ESUCCESS) err = WG_WASI_EISDIR;
    } else {
        err = unlinkat(pfd, name, 0) == 0 ? 0 : wg__wasi_errno(errno);
    }
    close(pfd);
    return err;
}

int wg__fs_rename_at(int odir, const char *opath, size_t olen, int ndir, const char *npath,
                     size_t nlen) {
    int err;
    char oname[NAME_MAX + 1], nname[NAME_MAX + 1];
    int opfd = wg__sandbox_parent(odir, opath, olen, oname, &err);
    if (opfd < 0) return err;
    int npfd = wg__sandbox_parent(ndir, npath, nlen, nname, &err);
    if (npfd < 0) goto done;
    /* A trailing slash on either side: the source must be a directory. */
    if (has_trailing_slash(opath, olen) || has_trailing_slash(npath, nlen)) {
        if ((err = must_be_dir(opfd, oname)) != 0) goto done;
    }
    err = renameat(opfd, oname, npfd, nname) == 0 ? 0 : wg__wasi_errno(errno);
done:
    close(opfd);
    if (npfd >= 0) close(npfd);
    return err;
}

int wg__fs_link_at(int odir, const char *opath, size_t olen, bool follow, int ndir,
                   const char *npath, size_t nlen) {
    int err = 0;
    char oname[NAME_MAX + 1], nname[NAME_MAX + 1];
    int src = -1, opfd = -1, npfd = -1;
    if (follow) {
        /* Link what the symlink points to (resolved beneath odir). */
        src = wg__sandbox_openat(odir, opath, olen, O_PATH, 0, true, &err);
        if (src < 0) return err;
    } else {
        opfd = wg__sandbox_parent(odir, opath, olen, oname, &err);
        if (opfd < 0) return err;
        if (has_trailing_slash(opath, olen)) {
            err = must_be_dir(opfd, oname);
            if (err == WG_WASI_ESUCCESS) err = WG_WASI_EPERM; /* a directory */
            goto done;
        }
    }
    npfd = wg__sandbox_parent(ndir, npath, nlen, nname, &err);
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
    return err;
}

int wg__fs_symlink_at(const char *tgt, size_t tlen, int dirfd, const char *npath, size_t nlen) {
    if (tlen == 0) return WG_WASI_ENOENT;
    if (memchr(tgt, '\0', tlen)) return WG_WASI_EINVAL;
    if (tlen >= PATH_MAX) return WG_WASI_ENAMETOOLONG;
    if (tgt[0] == '/') return WG_WASI_ENOTCAPABLE;
    char target[PATH_MAX];
    memcpy(target, tgt, tlen);
    target[tlen] = '\0';
    int err;
    char name[NAME_MAX + 1];
    int pfd = wg__sandbox_parent(dirfd, npath, nlen, name, &err);
    if (pfd < 0) return err;
    if (has_trailing_slash(npath, nlen)) err = new_name_with_slash(pfd, name);
    else err = symlinkat(target, pfd, name) == 0 ? 0 : wg__wasi_errno(errno);
    close(pfd);
    return err;
}

int wg__fs_readlink_at(int dirfd, const char *path, size_t len, char *buf, size_t *n) {
    int err;
    *n = 0;
    if (has_trailing_slash(path, len)) {
        /* "link/" names the directory the link points to: not a symlink. */
        int fd = wg__sandbox_openat(dirfd, path, len, O_PATH, 0, true, &err);
        if (fd < 0) return err;
        close(fd);
        return WG_WASI_EINVAL;
    }
    char name[NAME_MAX + 1];
    int pfd = wg__sandbox_parent(dirfd, path, len, name, &err);
    if (pfd < 0) return err;
    ssize_t r = readlinkat(pfd, name, buf, PATH_MAX);
    err = r < 0 ? wg__wasi_errno(errno) : 0;
    close(pfd);
    if (!err) *n = (size_t)r;
    return err;
}

/* ---- times, size, sync, advice ---------------------------------------------------------- */

int wg__fs_make_times(uint64_t atim, uint64_t mtim, uint32_t fst, struct timespec ts[2]) {
    const uint32_t all = WG_WASI_FST_ATIM | WG_WASI_FST_ATIM_NOW | WG_WASI_FST_MTIM |
                         WG_WASI_FST_MTIM_NOW;
    if (fst & ~all) return WG_WASI_EINVAL;
    if ((fst & WG_WASI_FST_ATIM) && (fst & WG_WASI_FST_ATIM_NOW)) return WG_WASI_EINVAL;
    if ((fst & WG_WASI_FST_MTIM) && (fst & WG_WASI_FST_MTIM_NOW)) return WG_WASI_EINVAL;
    const uint64_t values[2] = {atim, mtim};
    const uint32_t set[2] = {WG_WASI_FST_ATIM, WG_WASI_FST_MTIM};
    const uint32_t now[2] = {WG_WASI_FST_ATIM_NOW, WG_WASI_FST_MTIM_NOW};
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

/* utimensat on a resolved O_PATH fd (the file itself, not a name in it). */
static int utimens_path_fd(int fd, const struct timespec ts[2]) {
    if (utimensat(fd, "", ts, AT_EMPTY_PATH) == 0) return 0;
    if (errno != EINVAL && errno != ENOENT && errno != EBADF) return wg__wasi_errno(errno);
    char proc[64];
    snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
    if (utimensat(AT_FDCWD, proc, ts, 0) == 0) return 0;
    return wg__wasi_errno(errno);
}

int wg__fs_set_times_at(int dirfd, const char *path, size_t len, bool follow,
                        const struct timespec ts[2]) {
    int err;
    if (follow || has_trailing_slash(path, len)) {
        int fd = wg__sandbox_openat(dirfd, path, len, O_PATH, 0, follow, &err);
        if (fd < 0) return err;
        err = utimens_path_fd(fd, ts);
        close(fd);
        return err;
    }
    char name[NAME_MAX + 1];
    int pfd = wg__sandbox_parent(dirfd, path, len, name, &err);
    if (pfd < 0) return err;
    err = utimensat(pfd, name, ts, AT_SYMLINK_NOFOLLOW) == 0 ? 0 : wg__wasi_errno(errno);
    close(pfd);
    return err;
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

int wg__fs_set_times_fd(int hostfd, const struct timespec ts[2]) {
    int tmp, fd = real_fd(hostfd, &tmp);
    if (fd < 0) return wg__wasi_errno(errno);
    int r = futimens(fd, ts), saved = errno;
    if (tmp >= 0) close(tmp);
    return r ? wg__wasi_errno(saved) : WG_WASI_ESUCCESS;
}

int wg__fs_sync(int hostfd, bool data_only) {
    int tmp, fd = real_fd(hostfd, &tmp);
    if (fd < 0) return wg__wasi_errno(errno);
    int r = data_only ? fdatasync(fd) : fsync(fd), saved = errno;
    if (tmp >= 0) close(tmp);
    if (r && saved == EINVAL) return WG_WASI_ESUCCESS; /* pipes, ttys: nothing to sync */
    return r ? wg__wasi_errno(saved) : WG_WASI_ESUCCESS;
}

int wg__fs_advise(int fd, uint64_t off, uint64_t len, uint32_t advice) {
    static const int map[6] = {POSIX_FADV_NORMAL,   POSIX_FADV_SEQUENTIAL, POSIX_FADV_RANDOM,
                               POSIX_FADV_WILLNEED, POSIX_FADV_DONTNEED,   POSIX_FADV_NOREUSE};
    if (advice > 5) return WG_WASI_EINVAL;
    if (off > (uint64_t)INT64_MAX || len > (uint64_t)INT64_MAX) return WG_WASI_EINVAL;
    int r = posix_fadvise(fd, (off_t)off, (off_t)len, map[advice]);
    return r ? wg__wasi_errno(r) : WG_WASI_ESUCCESS;
}

int wg__fs_set_size(int fd, uint64_t size) {
    if (size > (uint64_t)INT64_MAX) return WG_WASI_EINVAL;
    return ftruncate(fd, (off_t)size) == 0 ? WG_WASI_ESUCCESS : wg__wasi_errno(errno);
}

/* ---- opening -------------------------------------------------------------------------------- */

int wg__fs_open_at(wg_wasi *w, int dirfd, bool dir_read_only, const char *path, size_t len,
                   const wg_fs_open *o, int *fd_out, struct stat *st) {
    *fd_out = -1;
    if (dir_read_only && (o->create || o->truncate || o->write)) return WG_WASI_ENOTCAPABLE;
    int flags = o->write ? (o->read ? O_RDWR : O_WRONLY) : O_RDONLY;
    flags |= O_NOCTTY;
    if (o->create) flags |= O_CREAT;
    if (o->directory) flags |= O_DIRECTORY;
    if (o->exclusive) flags |= O_EXCL;
    if (o->truncate) flags |= O_TRUNC;
    if (o->fdflags & WG_WASI_FDFLAG_APPEND) flags |= O_APPEND;
    if (o->fdflags & WG_WASI_FDFLAG_DSYNC) flags |= O_DSYNC;
    if (o->fdflags & WG_WASI_FDFLAG_NONBLOCK) flags |= O_NONBLOCK;
    if (o->fdflags & WG_WASI_FDFLAG_RSYNC) flags |= O_RSYNC;
    if (o->fdflags & WG_WASI_FDFLAG_SYNC) flags |= O_SYNC;
    /* The open-file limits first: a guest at its cap never reaches the
     * file system (nor holds a host fd even for a moment). */
    int err = wg__wasi_fd_charge(w);
    if (err) return err;
    int fd = wg__sandbox_openat(dirfd, path, len, flags, 0666, o->follow, &err);
    if (fd < 0) {
        wg__wasi_fd_uncharge(w);
        return err;
    }
    if (fstat(fd, st) != 0) {
        err = wg__wasi_errno(errno);
        close(fd);
        wg__wasi_fd_uncharge(w);
        return err;
    }
    *fd_out = fd;
    return WG_WASI_ESUCCESS;
}

/* ---- directory snapshots ------------------------------------------------------------------- */

static uint8_t dtype_of_mode(uint32_t m) {
    switch (m & S_IFMT) {
    case S_IFREG: return DT_REG;
    case S_IFDIR: return DT_DIR;
    case S_IFLNK: return DT_LNK;
    case S_IFCHR: return DT_CHR;
    case S_IFBLK: return DT_BLK;
    case S_IFSOCK: return DT_SOCK;
    case S_IFIFO: return DT_FIFO;
    default: return DT_UNKNOWN;
    }
}

/* The entry's type, with an lstat when the file system did not say. */
static uint8_t dtype_of(int dfd, const struct dirent *d) {
    if (d->d_type != DT_UNKNOWN) return d->d_type;
    struct stat st;
    if (fstatat(dfd, d->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) return DT_UNKNOWN;
    return dtype_of_mode(st.st_mode);
}

static uint8_t filetype_of_dtype(uint8_t t) {
    switch (t) {
    case DT_REG: return WG_WASI_FILETYPE_REGULAR_FILE;
    case DT_DIR: return WG_WASI_FILETYPE_DIRECTORY;
    case DT_LNK: return WG_WASI_FILETYPE_SYMBOLIC_LINK;
    case DT_CHR: return WG_WASI_FILETYPE_CHARACTER_DEVICE;
    case DT_BLK: return WG_WASI_FILETYPE_BLOCK_DEVICE;
    case DT_SOCK: return WG_WASI_FILETYPE_SOCKET_STREAM;
    default: return WG_WASI_FILETYPE_UNKNOWN; /* FIFOs too */
    }
}

wg_dir_snap *wg__fs_dir_snapshot(int hostfd, int *err) {
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
    wg_dir_ent *ents = NULL;
    char *names = NULL;
    size_t n = 0, cap = 0, nlen = 0, ncap = 0;
    wg_dir_snap *s = NULL;
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
            wg_dir_ent *g = realloc(ents, c * sizeof *g);
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
        ents[n].dtype = dtype_of(dirfd(d), de);
        ents[n].filetype = filetype_of_dtype(ents[n].dtype);
        memcpy(names + nlen, de->d_name, len);
        nlen += len;
        n++;
    }
    s = malloc(sizeof *s + n * sizeof(wg_dir_ent) + nlen + 1);
    if (!s) goto fail;
    s->n = n;
    if (n) memcpy(s->ent, ents, n * sizeof(wg_dir_ent));
    if (nlen) memcpy((char *)(s->ent + n), names, nlen);
    *err = 0;
fail:
    free(ents);
    free(names);
    closedir(d);
    return s;
}
