/*
 * The capability sandbox: resolving a guest path beneath a directory fd so
 * that the result never lies outside that directory.
 *
 * Two implementations with the same rules:
 *
 *   openat2   Linux >= 5.6: one syscall with RESOLVE_BENEATH (the kernel
 *             refuses absolute paths, `..` above the start and symlinks that
 *             leave it, atomically with respect to concurrent renames) and
 *             RESOLVE_NO_MAGICLINKS (no /proc/self/fd jumps).
 *   walk      everything else (ENOSYS, a seccomp filter, E2BIG): one component
 *             at a time with openat(O_PATH|O_NOFOLLOW|O_DIRECTORY), a stack of
 *             directory fds for `..` that never pops below the start, and
 *             symlinks read with readlinkat and expanded by us (at most
 *             MAX_SYMLINKS, absolute targets refused). Every kernel lookup is a
 *             single component that is not `..` and follows nothing, so a
 *             concurrent rename or symlink swap can make a lookup fail but
 *             never carry it outside.
 *
 * Path rules (both implementations, matching wasmtime / the WASI test suite):
 *   empty path                        NOENT
 *   embedded NUL byte                 INVAL
 *   absolute path                     NOTCAPABLE
 *   `..` above the start, or a symlink
 *   (intermediate or followed last
 *   component) leading outside        NOTCAPABLE  (wasmtime reports PERM; the
 *                                     suite accepts both; NOTCAPABLE says "your
 *                                     capability does not reach there")
 *   symlink chain longer than 40      LOOP
 *   last component a symlink, not
 *   followed, not O_PATH              LOOP (O_NOFOLLOW), NOTDIR with O_DIRECTORY
 *   trailing slash                    the last component must be a directory
 *                                     (it is followed if it is a symlink):
 *                                     "file/" is NOTDIR; with O_CREAT, ISDIR
 *   length >= PATH_MAX                NAMETOOLONG
 *
 * Opening never blocks: every open that is not O_PATH is made with O_NONBLOCK
 * (by openat2 and by the walk alike), which is then cleared with fcntl unless
 * the caller asked for it. Without it, open(2) of a FIFO with no writer (or,
 * write-only, no reader) waits in the kernel for the other end, where no
 * interrupt, timeout or signal handler of ours can end it: a guest could hold
 * a thread forever with a FIFO in its preopen. With it, a read-only open
 * returns at once (reads then see EOF until a writer comes) and a write-only
 * one fails with ENXIO (NXIO). Some character devices (serial lines) also
 * wait in open for a carrier without it.
 *
 * No global state: whether openat2 works is asked on every call (one failed
 * syscall on old kernels).
 */
#define _GNU_SOURCE /* O_PATH, O_TMPFILE */
#include "wasi/wasi_int.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MAX_SYMLINKS 40   /* the kernel's MAXSYMLINKS */
#define OPENAT2_RETRIES 8 /* EAGAIN: a rename raced with `..` resolution */

/* Checks a guest path and copies it NUL-terminated into out[PATH_MAX]. */
static bool copy_path(const char *path, size_t len, char *out, int *werr) {
    if (len == 0) {
        *werr = WG_WASI_ENOENT;
        return false;
    }
    if (memchr(path, '\0', len)) {
        *werr = WG_WASI_EINVAL;
        return false;
    }
    if (len >= PATH_MAX) {
        *werr = WG_WASI_ENAMETOOLONG;
        return false;
    }
    if (path[0] == '/') {
        *werr = WG_WASI_ENOTCAPABLE;
        return false;
    }
    memcpy(out, path, len);
    out[len] = '\0';
    return true;
}

/* The WASI errno for a failed resolution: EXDEV is the kernel's "this would
 * leave the directory" (RESOLVE_BENEATH). */
static int resolve_errno(int host_errno) {
    return host_errno == EXDEV ? WG_WASI_ENOTCAPABLE : wg__wasi_errno(host_errno);
}

/* ---- openat2 ----------------------------------------------------------------------- */

/* One openat2 attempt. Returns the fd, or -1 with errno; *unsupported set when
 * the kernel (or a seccomp filter) cannot do it and the walk must be used. */
static int open_beneath(int dirfd, const char *cpath, int flags, int mode, bool follow_last,
                        bool *unsupported) {
    struct open_how how;
    memset(&how, 0, sizeof how);
    how.flags = (uint64_t)(unsigned)(flags | O_CLOEXEC | (follow_last ? 0 : O_NOFOLLOW));
    how.mode = (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE ? (uint64_t)(mode & 07777) : 0;
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
    *unsupported = false;
    for (int i = 0; i < OPENAT2_RETRIES; i++) {
        long fd = syscall(SYS_openat2, dirfd, cpath, &how, sizeof how);
        if (fd >= 0) return (int)fd;
        if (errno == EAGAIN || errno == EINTR) continue;
        /* ENOSYS: old kernel. E2BIG: struct unknown. EPERM: some seccomp
         * filters. EINVAL: unknown resolve flags. The walk gives the real
         * answer for the latter two when they were genuine. */
        if (errno == ENOSYS || errno == E2BIG || errno == EPERM || errno == EINVAL)
            *unsupported = true;
        return -1;
    }
    *unsupported = true; /* kept racing: let the walk decide */
    return -1;
}

/* ---- the component walk ------------------------------------------------------------ */

typedef struct walk_stack {
    int *fd;      /* fd[0] is the start directory (borrowed), the rest owned */
    size_t depth; /* index of the current directory */
    size_t cap;   /* allocated entries of fd */
} walk_stack;

static bool stack_push(walk_stack *s, int fd) {
    if (s->depth + 1 == s->cap) {
        size_t ncap = s->cap * 2;
        int *grown = realloc(s->fd, ncap * sizeof *grown);
        if (!grown) return false;
        s->fd = grown;
        s->cap = ncap;
    }
    s->fd[++s->depth] = fd;
    return true;
}

static void stack_pop(walk_stack *s) {
    close(s->fd[s->depth--]);
}

/* Replaces buf with `target` + rest, where rest is what followed the symlink
 * (already starting after its separating slashes) or "/" for a symlink that
 * was the last component with a trailing slash. Returns 0 or a WASI errno. */
static int expand_link(char *buf, const char *target, size_t tlen, const char *rest) {
    if (tlen == 0) return WG_WASI_ENOENT;
    if (target[0] == '/') return WG_WASI_ENOTCAPABLE;
    size_t rlen = strlen(rest);
    if (tlen + 1 + rlen >= PATH_MAX) return WG_WASI_ENAMETOOLONG;
    char tmp[PATH_MAX];
    memcpy(tmp, target, tlen);
    size_t n = tlen;
    if (rlen) {
        if (rest[0] != '/') tmp[n++] = '/';
        memcpy(tmp + n, rest, rlen);
        n += rlen;
    }
    tmp[n] = '\0';
    memcpy(buf, tmp, n + 1);
    return 0;
}

/* The walk. cpath is a checked, NUL-terminated relative path. Returns the fd
 * or -1 with *werr. */
static int walk_open(int dirfd, const char *cpath, int flags, int mode, bool follow_last,
                     int *werr) {
    char buf[PATH_MAX], target[PATH_MAX];
    walk_stack s = {0};
    int result = -1, err = 0, nlinks = 0;
    size_t p = 0;

    strcpy(buf, cpath);
    s.cap = 16;
    s.fd = malloc(s.cap * sizeof *s.fd);
    if (!s.fd) {
        *werr = WG_WASI_ENOMEM;
        return -1;
    }
    s.fd[0] = dirfd;
    s.depth = 0;

    for (;;) {
        while (buf[p] == '/') p++;
        /* The component [start, p) and whether it is the last one. */
        size_t start = p;
        while (buf[p] && buf[p] != '/') p++;
        size_t clen = p - start, q = p;
        while (buf[q] == '/') q++;
        bool last = buf[q] == '\0';
        bool trailing = last && q > p;
        char comp[NAME_MAX + 1];
        int cur = s.fd[s.depth];

        if (clen > NAME_MAX) {
            err = WG_WASI_ENAMETOOLONG;
            goto done;
        }
        memcpy(comp, buf + start, clen);
        comp[clen] = '\0';
        p = q;

        bool dot = clen == 0 || strcmp(comp, ".") == 0; /* empty: after a link to "x/" */
        bool dotdot = strcmp(comp, "..") == 0;
        if (dotdot) {
            if (s.depth == 0) {
                err = WG_WASI_ENOTCAPABLE;
                goto done;
            }
            stack_pop(&s);
            cur = s.fd[s.depth];
        }
        if (dot || dotdot) {
            if (!last) continue;
            /* The directory itself: never a symlink, nothing to follow. */
            int fd = openat(cur, ".", flags | O_CLOEXEC, mode);
            if (fd < 0) {
                err = wg__wasi_errno(errno);
                goto done;
            }
            result = fd;
            goto done;
        }

        const char *link_rest; /* what follows a symlink we have to expand */
        if (!last) {
            int fd = openat(cur, comp, O_PATH | O_NOFOLLOW | O_DIRECTORY | O_CLOEXEC);
            if (fd >= 0) {
                if (!stack_push(&s, fd)) {
                    close(fd);
                    err = WG_WASI_ENOMEM;
                    goto done;
                }
                continue;
            }
            int e = errno;
            ssize_t n = (e == ENOTDIR || e == ELOOP)
                            ? readlinkat(cur, comp, target, sizeof target) : -1;
            if (n < 0) {
                err = wg__wasi_errno(e);
                goto done;
            }
            if ((size_t)n >= sizeof target) {
                err = WG_WASI_ENAMETOOLONG;
                goto done;
            }
            link_rest = buf + p;
            if (++nlinks > MAX_SYMLINKS) {
                err = WG_WASI_ELOOP;
                goto done;
            }
            if ((err = expand_link(buf, target, (size_t)n, link_rest)) != 0) goto done;
            p = 0;
            continue;
        }

        /* The last component. A trailing slash means "a directory", and a
         * symlink there is followed whatever follow_last says (POSIX). */
        bool follow = follow_last || trailing;
        if (trailing && (flags & O_CREAT)) {
            err = WG_WASI_EISDIR;
            goto done;
        }
        int f = flags | O_CLOEXEC | O_NOFOLLOW | (trailing ? O_DIRECTORY : 0);
        int fd = openat(cur, comp, f, mode);
        ssize_t n = -1;
        if (fd >= 0) {
            struct stat st;
            if (!(follow && (flags & O_PATH))) {
                result = fd;
                goto done;
            }
            /* O_PATH|O_NOFOLLOW opens a symlink itself: follow it by hand. */
            if (fstat(fd, &st) != 0 || !S_ISLNK(st.st_mode)) {
                result = fd;
                goto done;
            }
            n = readlinkat(fd, "", target, sizeof target);
            close(fd);
            if (n < 0) {
                err = wg__wasi_errno(errno);
                goto done;
            }
        } else {
            int e = errno;
            if (follow && (e == ELOOP || e == ENOTDIR))
                n = readlinkat(cur, comp, target, sizeof target);
            if (n < 0) {
                err = wg__wasi_errno(e);
                goto done;
            }
        }
        if ((size_t)n >= sizeof target) {
            err = WG_WASI_ENAMETOOLONG;
            goto done;
        }
        if (++nlinks > MAX_SYMLINKS) {
            err = WG_WASI_ELOOP;
            goto done;
        }
        link_rest = trailing ? "/" : "";
        if ((err = expand_link(buf, target, (size_t)n, link_rest)) != 0) goto done;
        p = 0;
    }

done:
    while (s.depth > 0) stack_pop(&s);
    free(s.fd);
    if (result < 0) *werr = err ? err : WG_WASI_EIO;
    return result;
}

/* ---- entry points ------------------------------------------------------------------ */

/* Clears O_NONBLOCK on a file sandbox_open opened with it. WASI errno. */
static int clear_nonblock(int fd) {
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) != 0) return wg__wasi_errno(errno);
    return WG_WASI_ESUCCESS;
}

static int sandbox_open(int dirfd, const char *path, size_t path_len, int flags, int mode,
                        bool follow_last, bool force_walk, int *werr) {
    char cpath[PATH_MAX];
    if (!copy_path(path, path_len, cpath, werr)) return -1;
    /* O_NONBLOCK so that the open itself cannot wait (see the top of the
     * file). O_PATH opens nothing that could block and ignores the flag. */
    bool path_only = (flags & O_PATH) != 0;
    int oflags = path_only ? flags : flags | O_NONBLOCK;
    int fd = -1;
    if (!force_walk) {
        bool unsupported;
        fd = open_beneath(dirfd, cpath, oflags, mode, follow_last, &unsupported);
        if (fd < 0 && !unsupported) {
            *werr = resolve_errno(errno);
            return -1;
        }
    }
    if (fd < 0) fd = walk_open(dirfd, cpath, oflags, mode, follow_last, werr);
    if (fd < 0) return -1;
    if (!path_only && !(flags & O_NONBLOCK)) {
        int err = clear_nonblock(fd);
        if (err) {
            close(fd);
            *werr = err;
            return -1;
        }
    }
    return fd;
}

/* Opens path beneath dirfd (see wasi_int.h and the rules at the top of this
 * file). Returns a new fd (O_CLOEXEC) owned by the caller, or -1 with *werr. */
int wg__sandbox_openat(int dirfd, const char *path, size_t path_len, int flags, int mode,
                       bool follow_last, int *werr) {
    return sandbox_open(dirfd, path, path_len, flags, mode, follow_last, false, werr);
}

/* wg__sandbox_openat forced onto the component walk (the implementation used
 * where openat2 is missing), so that tests exercise it on any kernel. */
int wg__sandbox_openat_walk(int dirfd, const char *path, size_t path_len, int flags, int mode,
                            bool follow_last, int *werr) {
    return sandbox_open(dirfd, path, path_len, flags, mode, follow_last, true, werr);
}

static int sandbox_parent(int dirfd, const char *path, size_t path_len, char *out_name,
                          bool force_walk, int *werr) {
    char cpath[PATH_MAX];
    if (!copy_path(path, path_len, cpath, werr)) return -1;
    size_t end = path_len;
    while (end > 0 && cpath[end - 1] == '/') end--; /* not absolute, so end > 0 */
    size_t slash = end;
    while (slash > 0 && cpath[slash - 1] != '/') slash--;
    const char *name = cpath + slash;
    size_t nlen = end - slash;

    if ((nlen == 1 && name[0] == '.') || (nlen == 2 && name[0] == '.' && name[1] == '.')) {
        /* "x/." and "x/..": the directory they name, acted on as "." (which
         * every *at call refuses or treats as the directory itself), so no
         * caller ever hands ".." to the kernel. */
        int fd = sandbox_open(dirfd, cpath, path_len, O_PATH | O_DIRECTORY, 0, true, force_walk,
                              werr);
        if (fd < 0) return -1;
        strcpy(out_name, ".");
        return fd;
    }
    if (nlen > NAME_MAX) {
        *werr = WG_WASI_ENAMETOOLONG;
        return -1;
    }
    memcpy(out_name, name, nlen);
    out_name[nlen] = '\0';
    if (slash == 0) return sandbox_open(dirfd, ".", 1, O_PATH | O_DIRECTORY, 0, true, force_walk,
                                        werr);
    return sandbox_open(dirfd, cpath, slash, O_PATH | O_DIRECTORY, 0, true, force_walk, werr);
}

/* Resolves the directory part of path beneath dirfd (see wasi_int.h). The last
 * component goes to out_name (NAME_MAX+1 bytes), trailing slashes removed; a
 * last component "." or ".." is resolved with the directory and returned as
 * ".". Returns an O_PATH directory fd owned by the caller, or -1 with *werr. */
int wg__sandbox_parent(int dirfd, const char *path, size_t path_len, char *out_name,
                       int *werr) {
    return sandbox_parent(dirfd, path, path_len, out_name, false, werr);
}

/* wg__sandbox_parent forced onto the component walk (for tests). */
int wg__sandbox_parent_walk(int dirfd, const char *path, size_t path_len, char *out_name,
                            int *werr) {
    return sandbox_parent(dirfd, path, path_len, out_name, true, werr);
}
