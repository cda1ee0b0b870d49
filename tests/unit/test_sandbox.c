/*
 * Tests of src/wasi/sandbox.c: resolving guest paths beneath a directory fd.
 *
 * Every case runs twice, once through wg__sandbox_openat (openat2 with
 * RESOLVE_BENEATH on this kernel) and once through wg__sandbox_openat_walk
 * (the component-by-component fallback), and both must give the same answer.
 *
 * The scratch tree (under $TMPDIR or /tmp):
 *
 *   T/outside/secret, T/outside/file      what no guest may ever open
 *   T/box/                                the sandbox root (the "preopen")
 *     file                                a regular file
 *     sub/inner, sub/deeper/              a subdirectory
 *     link_in       -> sub/inner          symlinks that stay inside: allowed
 *     link_sub      -> sub
 *     link_up_in    -> sub/../file
 *     sub/link_back -> ../file
 *     link_abs      -> T/outside/secret   symlinks that leave: refused
 *     link_abs_dir  -> T/outside
 *     link_root     -> /
 *     link_rel_out  -> ../outside/secret
 *     link_rel_dir  -> ../outside
 *     sub/link_esc  -> ../../outside
 *     loop          -> loop               loops: LOOP
 *     loop_a -> loop_b, loop_b -> loop_a
 *     dangling      -> nowhere            a dangling link
 *     race/file, race_abs -> T/outside, race_rel -> ../outside   (the race test)
 */
#define _GNU_SOURCE
#include "wg_test.h"

#include "wasi/wasi_int.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>


typedef int (*open_fn)(int, const char *, size_t, int, int, bool, int *);
typedef int (*parent_fn)(int, const char *, size_t, char *, int *);

static const struct impl {
    const char *name;
    open_fn open;
    parent_fn parent;
} IMPLS[] = {
    {"openat2", wg__sandbox_openat, wg__sandbox_parent},
    {"walk", wg__sandbox_openat_walk, wg__sandbox_parent_walk},
};
#define NIMPLS (sizeof IMPLS / sizeof IMPLS[0])

/* ---- the scratch tree --------------------------------------------------------------- */

typedef struct tree {
    char root[1024];       /* T */
    int box;               /* O_PATH fd of T/box, the sandbox start */
    struct stat file, inner, sub, deeper, secret, outside_file, race_file, box_st;
} tree;

static void mkpath(const tree *t, char *out, const char *rel) {
    snprintf(out, PATH_MAX, "%s/%s", t->root, rel);
}

static bool mk_file(const tree *t, const char *rel, struct stat *st) {
    char p[PATH_MAX];
    mkpath(t, p, rel);
    int fd = open(p, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
    if (fd < 0) return false;
    bool ok = write(fd, rel, strlen(rel)) == (ssize_t)strlen(rel);
    close(fd);
    return ok && (!st || stat(p, st) == 0);
}

static bool mk_dir(const tree *t, const char *rel, struct stat *st) {
    char p[PATH_MAX];
    mkpath(t, p, rel);
    return mkdir(p, 0755) == 0 && (!st || stat(p, st) == 0);
}

static bool mk_link(const tree *t, const char *target, const char *rel) {
    char p[PATH_MAX];
    mkpath(t, p, rel);
    return symlink(target, p) == 0;
}

static bool tree_setup(tree *t) {
    const char *tmp = getenv("TMPDIR");
    char abs_out[PATH_MAX];
    memset(t, 0, sizeof *t);
    t->box = -1;
    if (!tmp || !*tmp || strlen(tmp) > 512) tmp = "/tmp";
    snprintf(t->root, sizeof t->root, "%s/wg_test_sandbox.XXXXXX", tmp);
    if (!mkdtemp(t->root)) return false;
    snprintf(abs_out, sizeof abs_out, "%s/outside", t->root);
    char abs_secret[PATH_MAX + 16];
    snprintf(abs_secret, sizeof abs_secret, "%s/secret", abs_out);
    bool ok = mk_dir(t, "outside", NULL) && mk_file(t, "outside/secret", &t->secret) &&
              mk_file(t, "outside/file", &t->outside_file) && mk_dir(t, "box", &t->box_st) &&
              mk_file(t, "box/file", &t->file) && mk_dir(t, "box/sub", &t->sub) &&
              mk_file(t, "box/sub/inner", &t->inner) &&
              mk_dir(t, "box/sub/deeper", &t->deeper) &&
              mk_link(t, "sub/inner", "box/link_in") && mk_link(t, "sub", "box/link_sub") &&
              mk_link(t, "sub/../file", "box/link_up_in") &&
              mk_link(t, "../file", "box/sub/link_back") &&
              mk_link(t, abs_secret, "box/link_abs") && mk_link(t, abs_out, "box/link_abs_dir") &&
              mk_link(t, "/", "box/link_root") &&
              mk_link(t, "../outside/secret", "box/link_rel_out") &&
              mk_link(t, "../outside", "box/link_rel_dir") &&
              mk_link(t, "../../outside", "box/sub/link_esc") && mk_link(t, "loop", "box/loop") &&
              mk_link(t, "loop_b", "box/loop_a") && mk_link(t, "loop_a", "box/loop_b") &&
              mk_link(t, "nowhere", "box/dangling") && mk_dir(t, "box/race", NULL) &&
              mk_file(t, "box/race/file", &t->race_file) &&
              mk_link(t, abs_out, "box/race_abs") && mk_link(t, "../outside", "box/race_rel");
    if (!ok) return false;
    char p[PATH_MAX];
    mkpath(t, p, "box");
    t->box = open(p, O_PATH | O_DIRECTORY | O_CLOEXEC);
    return t->box >= 0;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

static void tree_teardown(tree *t) {
    if (t->box >= 0) close(t->box);
    if (t->root[0]) nftw(t->root, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static bool same(int fd, const struct stat *want) {
    struct stat st;
    return fd >= 0 && fstat(fd, &st) == 0 && st.st_dev == want->st_dev && st.st_ino == want->st_ino;
}

/* ---- helpers that report which implementation failed -------------------------------- */

static void report(const struct impl *im, const char *path, const char *what, int got, int want) {
    char m[600];
    snprintf(m, sizeof m, "[%s] \"%s\": %s (got %d, want %d)", im->name, path, what, got, want);
    wg_test_fail(__FILE__, __LINE__, m);
}

/* Opens path (O_RDONLY unless flags says more) and expects the file `want`. */
static void expect_opens(const tree *t, const struct impl *im, const char *path, int flags,
                         bool follow, const struct stat *want) {
    int werr = -1;
    int fd = im->open(t->box, path, strlen(path), flags, 0644, follow, &werr);
    if (fd < 0) report(im, path, "should open", werr, 0);
    else if (!same(fd, want)) report(im, path, "opened the wrong file", fd, -1);
    if (fd >= 0) close(fd);
}

/* Expects open to fail with the WASI errno `want`, and never to return an fd. */
static void expect_err_len(const tree *t, const struct impl *im, const char *path, size_t len,
                           int flags, bool follow, int want) {
    int werr = -1;
    int fd = im->open(t->box, path, len, flags, 0644, follow, &werr);
    if (fd >= 0) {
        report(im, path, "should fail but opened", -1, want);
        close(fd);
    } else if (werr != want) {
        report(im, path, "wrong errno", werr, want);
    }
}

static void expect_err(const tree *t, const struct impl *im, const char *path, int flags,
                       bool follow, int want) {
    expect_err_len(t, im, path, strlen(path), flags, follow, want);
}

#define FOR_EACH_IMPL(t)                                              \
    tree t;                                                           \
    if (!tree_setup(&t)) {                                            \
        CHECK(!"scratch tree setup");                                 \
        tree_teardown(&t);                                            \
        return;                                                       \
    }                                                                 \
    for (const struct impl *im = IMPLS; im < IMPLS + NIMPLS; im++)

/* ---- plain resolution ---------------------------------------------------------------- */

WG_TEST(sandbox_opens_paths_inside) {
    FOR_EACH_IMPL(t) {
        expect_opens(&t, im, "file", O_RDONLY, false, &t.file);
        expect_opens(&t, im, "sub/inner", O_RDONLY, false, &t.inner);
        expect_opens(&t, im, "./sub/./inner", O_RDONLY, false, &t.inner);
        expect_opens(&t, im, "sub//inner", O_RDONLY, false, &t.inner);
        expect_opens(&t, im, "sub/../file", O_RDONLY, false, &t.file);
        expect_opens(&t, im, "sub/deeper/../../file", O_RDONLY, false, &t.file);
        expect_opens(&t, im, "sub/deeper/../../sub/deeper/../inner", O_RDONLY, false, &t.inner);
        expect_opens(&t, im, ".", O_RDONLY | O_DIRECTORY, false, &t.box_st);
        expect_opens(&t, im, "sub/..", O_RDONLY, false, &t.box_st);
        expect_opens(&t, im, "sub/deeper", O_PATH, false, &t.deeper);
    }
    tree_teardown(&t);
}

WG_TEST(sandbox_missing_and_malformed_paths) {
    FOR_EACH_IMPL(t) {
        expect_err(&t, im, "", O_RDONLY, true, WG_WASI_ENOENT);
        expect_err(&t, im, "nope", O_RDONLY, true, WG_WASI_ENOENT);
        expect_err(&t, im, "sub/nope/file", O_RDONLY, true, WG_WASI_ENOENT);
        expect_err(&t, im, "file/inner", O_RDONLY, true, WG_WASI_ENOTDIR);
        /* Embedded NUL bytes: the guest's length counts, not C's strlen. */
        expect_err_len(&t, im, "file\0", 5, O_RDONLY, true, WG_WASI_EINVAL);
        expect_err_len(&t, im, "fi\0le", 5, O_RDONLY, true, WG_WASI_EINVAL);
        expect_err_len(&t, im, "\0", 1, O_RDONLY, true, WG_WASI_EINVAL);
        /* Too long: a component over NAME_MAX, a path of PATH_MAX. */
        char name[NAME_MAX + 10];
        memset(name, 'a', sizeof name - 1);
        name[sizeof name - 1] = '\0';
        expect_err(&t, im, name, O_RDONLY, true, WG_WASI_ENAMETOOLONG);
        static char longp[PATH_MAX + 2];
        for (size_t i = 0; i < PATH_MAX + 1; i++) longp[i] = i % 2 ? '/' : 'x';
        longp[PATH_MAX + 1] = '\0';
        expect_err(&t, im, longp, O_RDONLY, true, WG_WASI_ENAMETOOLONG);
    }
    tree_teardown(&t);
}

WG_TEST(sandbox_trailing_slash_means_directory) {
    FOR_EACH_IMPL(t) {
        expect_err(&t, im, "file/", O_RDONLY, false, WG_WASI_ENOTDIR);
        expect_err(&t, im, "file///", O_RDONLY, false, WG_WASI_ENOTDIR);
        expect_err(&t, im, "sub/inner/", O_RDONLY, true, WG_WASI_ENOTDIR);
        expect_opens(&t, im, "sub/", O_RDONLY, false, &t.sub);
        expect_opens(&t, im, "sub///", O_RDONLY, false, &t.sub);
        /* A trailing slash follows a final symlink even without follow_last. */
        expect_opens(&t, im, "link_sub/", O_RDONLY, false, &t.sub);
        expect_err(&t, im, "link_in/", O_RDONLY, false, WG_WASI_ENOTDIR);
        expect_err(&t, im, "newdir/", O_RDONLY | O_CREAT, false, WG_WASI_EISDIR);
    }
    tree_teardown(&t);
}

/* ---- escapes ------------------------------------------------------------------------- */

WG_TEST(sandbox_refuses_dotdot_escapes) {
    FOR_EACH_IMPL(t) {
        expect_err(&t, im, "..", O_RDONLY, false, WG_WASI_ENOTCAPABLE);
        expect_err(&t, im, "../", O_RDONLY, false, WG_WASI_ENOTCAPABLE);
        expect_err(&t, im, "../outside/secret", O_RDONLY, false, WG_WASI_ENOTCAPABLE);
        expect_err(&t, im, "./../outside/secret", O_RDONLY, false, WG_WASI_ENOTCAPABLE);
        expect_err(&t, im, "sub/../../outside/secret", O_RDONLY, false, WG_WASI_ENOTCAPABLE);
        expect_err(&t, im, "sub/../../x", O_RDONLY, false, WG_WASI_ENOTCAPABLE);
        expect_err(&t, im, "sub/deeper/../../../outside/secret", O_RDONLY, false,
                   WG_WASI_ENOTCAPABLE);
        /* Going out and back in by name is still going out. */
        expect_err(&t, im, "../box/file", O_RDONLY, false, WG_WASI_ENOTCAPABLE);
        expect_err(&t, im, "sub/../../box/file", O_RDONLY, false, WG_WASI_ENOTCAPABLE);
        /* Creating outside is refused too, and leaves nothing behind. */
        expect_err(&t, im, "../created", O_RDWR | O_CREAT, false, WG_WASI_ENOTCAPABLE);
        char p[PATH_MAX];
        mkpath(&t, p, "created");
        CHECK(access(p, F_OK) != 0);
    }
    tree_teardown(&t);
}

WG_TEST(sandbox_refuses_absolute_paths) {
    FOR_EACH_IMPL(t) {
        char abs_file[PATH_MAX];
        mkpath(&t, abs_file, "box/file"); /* even the sandbox's own file, by absolute name */
        expect_err(&t, im, "/", O_RDONLY, false, WG_WASI_ENOTCAPABLE);
        expect_err(&t, im, "/etc/passwd", O_RDONLY, true, WG_WASI_ENOTCAPABLE);
        expect_err(&t, im, abs_file, O_RDONLY, true, WG_WASI_ENOTCAPABLE);
        expect_err(&t, im, "//file", O_RDONLY, true, WG_WASI_ENOTCAPABLE);
    }
    tree_teardown(&t);
}

WG_TEST(sandbox_refuses_symlink_escape_as_last_component) {
    FOR_EACH_IMPL(t) {
        expect_err(&t, im, "link_abs", O_RDONLY, true, WG_WASI_ENOTCAPABLE);
        expect_err(&t, im, "link_rel_out", O_RDONLY, true, WG_WASI_ENOTCAPABLE);
        expect_err(&t, im, "link_root", O_RDONLY, true, WG_WASI_ENOTCAPABLE);
        expect_err(&t, im, "link_abs_dir", O_RDONLY | O_DIRECTORY, true, WG_WASI_ENOTCAPABLE);
        expect_err(&t, im, "sub/link_esc", O_PATH, true, WG_WASI_ENOTCAPABLE);
        /* A trailing slash follows the link, so it is refused even without follow. */
        expect_err(&t, im, "link_rel_dir/", O_RDONLY, false, WG_WASI_ENOTCAPABLE);
        expect_err(&t, im, "link_abs_dir/", O_RDONLY, false, WG_WASI_ENOTCAPABLE);
        /* Not followed: a plain open of a symlink is LOOP, O_PATH gets the link itself. */
        expect_err(&t, im, "link_abs", O_RDONLY, false, WG_WASI_ELOOP);
        int werr = -1;
        int fd = im->open(t.box, "link_abs", 8, O_PATH, 0, false, &werr);
        struct stat st;
        CHECK(fd >= 0 && fstat(fd, &st) == 0 && S_ISLNK(st.st_mode));
        if (fd >= 0) close(fd);
        /* O_CREAT through an escaping symlink creates nothing outside. */
        expect_err(&t, im, "link_rel_out", O_RDWR | O_CREAT, true, WG_WASI_ENOTCAPABLE);
    }
    tree_teardown(&t);
}

WG_TEST(sandbox_refuses_symlink_escape_as_intermediate_component) {
    FOR_EACH_IMPL(t) {
        for (int follow = 0; follow < 2; follow++) {
            expect_err(&t, im, "link_abs_dir/secret", O_RDONLY, follow, WG_WASI_ENOTCAPABLE);
            expect_err(&t, im, "link_rel_dir/secret", O_RDONLY, follow, WG_WASI_ENOTCAPABLE);
            expect_err(&t, im, "link_root/etc/passwd", O_RDONLY, follow, WG_WASI_ENOTCAPABLE);
            expect_err(&t, im, "sub/link_esc/secret", O_RDONLY, follow, WG_WASI_ENOTCAPABLE);
            expect_err(&t, im, "link_sub/link_esc/secret", O_RDONLY, follow,
                       WG_WASI_ENOTCAPABLE);
            expect_err(&t, im, "link_rel_dir/../box/file", O_RDONLY, follow,
                       WG_WASI_ENOTCAPABLE);
            expect_err(&t, im, "link_abs_dir/new", O_RDWR | O_CREAT, follow,
                       WG_WASI_ENOTCAPABLE);
        }
        char p[PATH_MAX];
        mkpath(&t, p, "outside/new");
        CHECK(access(p, F_OK) != 0);
    }
    tree_teardown(&t);
}

WG_TEST(sandbox_follows_symlinks_that_stay_inside) {
    FOR_EACH_IMPL(t) {
        expect_opens(&t, im, "link_in", O_RDONLY, true, &t.inner);
        expect_opens(&t, im, "link_up_in", O_RDONLY, true, &t.file);
        expect_opens(&t, im, "link_sub/inner", O_RDONLY, false, &t.inner);
        expect_opens(&t, im, "link_sub/link_back", O_RDONLY, true, &t.file);
        expect_opens(&t, im, "sub/link_back", O_PATH, true, &t.file);
        expect_opens(&t, im, "link_sub/deeper/../inner", O_RDONLY, false, &t.inner);
        expect_opens(&t, im, "link_sub", O_RDONLY | O_DIRECTORY, true, &t.sub);
        expect_opens(&t, im, "link_sub/", O_PATH, false, &t.sub);
        /* `..` after a symlinked directory is the link target's parent (POSIX). */
        expect_opens(&t, im, "link_sub/../file", O_RDONLY, false, &t.file);
    }
    tree_teardown(&t);
}

WG_TEST(sandbox_symlink_loops_and_dangling_links) {
    FOR_EACH_IMPL(t) {
        expect_err(&t, im, "loop", O_RDONLY, true, WG_WASI_ELOOP);
        expect_err(&t, im, "loop", O_RDONLY, false, WG_WASI_ELOOP);
        expect_err(&t, im, "loop_a", O_RDONLY, true, WG_WASI_ELOOP);
        expect_err(&t, im, "loop_a/x", O_RDONLY, false, WG_WASI_ELOOP);
        expect_err(&t, im, "loop/", O_RDONLY, false, WG_WASI_ELOOP);
        expect_err(&t, im, "dangling", O_RDONLY, true, WG_WASI_ENOENT);
        expect_err(&t, im, "dangling", O_RDONLY, false, WG_WASI_ELOOP);
        /* With O_DIRECTORY and no follow, the kernel answers NOTDIR first. */
        expect_err(&t, im, "dangling", O_RDONLY | O_DIRECTORY, false, WG_WASI_ENOTDIR);
        /* O_CREAT|O_EXCL never follows; plain O_CREAT creates the target inside. */
        expect_err(&t, im, "dangling", O_RDWR | O_CREAT | O_EXCL, true, WG_WASI_EEXIST);
        int werr = -1;
        int fd = im->open(t.box, "dangling", 8, O_RDWR | O_CREAT, 0644, true, &werr);
        CHECK(fd >= 0);
        char p[PATH_MAX];
        mkpath(&t, p, "box/nowhere");
        struct stat st;
        CHECK(stat(p, &st) == 0 && same(fd, &st));
        if (fd >= 0) close(fd);
        unlink(p);
    }
    tree_teardown(&t);
}

WG_TEST(sandbox_creates_files_inside) {
    FOR_EACH_IMPL(t) {
        int werr = -1;
        int fd = im->open(t.box, "sub/made", 8, O_RDWR | O_CREAT | O_EXCL, 0600, false, &werr);
        CHECK(fd >= 0);
        char p[PATH_MAX];
        mkpath(&t, p, "box/sub/made");
        struct stat st;
        CHECK(stat(p, &st) == 0 && same(fd, &st) && (st.st_mode & 0777) == 0600);
        CHECK((fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0);
        if (fd >= 0) close(fd);
        expect_err(&t, im, "sub/made", O_RDWR | O_CREAT | O_EXCL, false, WG_WASI_EEXIST);
        unlink(p);
    }
    tree_teardown(&t);
}

/* ---- opening never blocks -------------------------------------------------------------- */

/* The O_NONBLOCK bit of an open fd: 1 set, 0 clear, -1 fcntl failed. */
static int nonblock_of(int fd) {
    int fl = fcntl(fd, F_GETFL);
    return fl < 0 ? -1 : (fl & O_NONBLOCK) != 0;
}

/* A FIFO nobody has opened: read-only and read-write opens return at once
 * (without O_NONBLOCK, open(2) would wait in the kernel for a writer, where
 * nothing could stop it) and leave the fd blocking unless O_NONBLOCK was
 * asked for; a read then sees EOF (no writer); write-only fails with NXIO (no
 * reader). The same through a directory and through a symlink (the walk
 * opens the FIFO only after expanding it). If an open did block, SIGALRM
 * ends this test program instead of letting it hang until ctest's timeout. */
WG_TEST(sandbox_fifo_opens_without_blocking) {
    FOR_EACH_IMPL(t) {
        char p[PATH_MAX];
        mkpath(&t, p, "box/sub/fifo");
        if (access(p, F_OK) != 0) {
            CHECK(mkfifo(p, 0600) == 0);
            CHECK(mk_link(&t, "sub/fifo", "box/link_fifo"));
        }
        alarm(60);
        static const char *const paths[] = {"sub/fifo", "link_fifo", "sub/../sub/fifo"};
        for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
            const char *path = paths[i];
            int werr = -1;
            int fd = im->open(t.box, path, strlen(path), O_RDONLY, 0, true, &werr);
            if (fd < 0) {
                report(im, path, "read-only open of a FIFO without a writer", werr, 0);
                continue;
            }
            if (nonblock_of(fd) != 0) report(im, path, "O_NONBLOCK left set", nonblock_of(fd), 0);
            char c;
            ssize_t n = read(fd, &c, 1);
            if (n != 0) report(im, path, "read without a writer is not EOF", (int)n, 0);
            close(fd);
            expect_err(&t, im, path, O_WRONLY, true, WG_WASI_ENXIO);
            fd = im->open(t.box, path, strlen(path), O_RDONLY | O_NONBLOCK, 0, true, &werr);
            if (fd < 0 || nonblock_of(fd) != 1) report(im, path, "O_NONBLOCK asked, not set", fd, 1);
            if (fd >= 0) close(fd);
            fd = im->open(t.box, path, strlen(path), O_RDWR, 0, true, &werr);
            if (fd < 0 || nonblock_of(fd) != 0) report(im, path, "read-write open", werr, 0);
            if (fd >= 0) close(fd);
        }
        alarm(0);
        /* O_PATH lookups (stat and friends) are left as they were. */
        int werr = -1;
        int fd = im->open(t.box, "sub/fifo", 8, O_PATH, 0, true, &werr);
        CHECK(fd >= 0);
        if (fd >= 0) close(fd);
    }
    tree_teardown(&t);
}

/* The host out of descriptors (RLIMIT_NOFILE reached): MFILE, from openat2
 * and from every step of the walk, never a misleading NOENT or IO. */
WG_TEST(sandbox_host_emfile_is_mfile) {
    FOR_EACH_IMPL(t) {
        struct rlimit old;
        CHECK(getrlimit(RLIMIT_NOFILE, &old) == 0);
        int probe = dup(0);
        CHECK(probe >= 0);
        /* Every descriptor below the probe's is in use; allow no more. */
        struct rlimit low = {(rlim_t)probe, old.rlim_max};
        close(probe);
        CHECK(setrlimit(RLIMIT_NOFILE, &low) == 0);
        expect_err(&t, im, "file", O_RDONLY, true, WG_WASI_EMFILE);
        expect_err(&t, im, "sub/inner", O_RDONLY, true, WG_WASI_EMFILE);
        expect_err(&t, im, "link_in", O_RDONLY, true, WG_WASI_EMFILE);
        CHECK(setrlimit(RLIMIT_NOFILE, &old) == 0);
        expect_opens(&t, im, "sub/inner", O_RDONLY, true, &t.inner);
    }
    tree_teardown(&t);
}

/* ---- wg__sandbox_parent -------------------------------------------------------------- */

static void expect_parent(const tree *t, const struct impl *im, const char *path,
                          const struct stat *want_dir, const char *want_name) {
    char name[NAME_MAX + 1] = "";
    int werr = -1;
    int fd = im->parent(t->box, path, strlen(path), name, &werr);
    if (fd < 0) report(im, path, "parent should resolve", werr, 0);
    else if (!same(fd, want_dir)) report(im, path, "wrong parent directory", fd, -1);
    else if (strcmp(name, want_name) != 0) report(im, path, name, 0, 0);
    if (fd >= 0) close(fd);
}

static void expect_parent_err(const tree *t, const struct impl *im, const char *path, int want) {
    char name[NAME_MAX + 1];
    int werr = -1;
    int fd = im->parent(t->box, path, strlen(path), name, &werr);
    if (fd >= 0) {
        report(im, path, "parent should fail", -1, want);
        close(fd);
    } else if (werr != want) {
        report(im, path, "parent: wrong errno", werr, want);
    }
}

WG_TEST(sandbox_parent_splits_paths) {
    FOR_EACH_IMPL(t) {
        expect_parent(&t, im, "file", &t.box_st, "file");
        expect_parent(&t, im, "new", &t.box_st, "new");
        expect_parent(&t, im, "sub/inner", &t.sub, "inner");
        expect_parent(&t, im, "sub//inner//", &t.sub, "inner");
        expect_parent(&t, im, "sub/", &t.box_st, "sub");
        expect_parent(&t, im, "link_sub/x", &t.sub, "x");        /* intermediate links followed */
        expect_parent(&t, im, "link_in", &t.box_st, "link_in");  /* the last one is not */
        expect_parent(&t, im, "link_abs", &t.box_st, "link_abs");
        expect_parent(&t, im, "sub/deeper/..", &t.sub, ".");
        expect_parent(&t, im, "sub/.", &t.sub, ".");
        expect_parent(&t, im, ".", &t.box_st, ".");
        expect_parent(&t, im, "sub/deeper/../../sub/x", &t.sub, "x");
        expect_parent_err(&t, im, "..", WG_WASI_ENOTCAPABLE);
        expect_parent_err(&t, im, "sub/../..", WG_WASI_ENOTCAPABLE);
        expect_parent_err(&t, im, "../x", WG_WASI_ENOTCAPABLE);
        expect_parent_err(&t, im, "/x", WG_WASI_ENOTCAPABLE);
        expect_parent_err(&t, im, "link_abs_dir/secret", WG_WASI_ENOTCAPABLE);
        expect_parent_err(&t, im, "link_rel_dir/secret", WG_WASI_ENOTCAPABLE);
        expect_parent_err(&t, im, "file/x", WG_WASI_ENOTDIR);
        expect_parent_err(&t, im, "nope/x", WG_WASI_ENOENT);
        expect_parent_err(&t, im, "", WG_WASI_ENOENT);
        expect_parent_err(&t, im, "loop/x", WG_WASI_ELOOP);
        char name[NAME_MAX + 1];
        int werr = -1;
        CHECK(im->parent(t.box, "a\0b", 3, name, &werr) < 0 && werr == WG_WASI_EINVAL);
    }
    tree_teardown(&t);
}

/* ---- the race -------------------------------------------------------------------------- */

/* One thread keeps exchanging box/race (a real directory holding `file`)
 * with a symlink to the outside (absolute, then relative), while the test
 * opens "race/file" as fast as it can. Every successful open must be the
 * inside file: the swap may make opens fail, never land outside.
 *
 * The race runs for a number of attempts and swaps (RACE_ROUNDS rounds of
 * 64 opens, at least RACE_SWAPS swaps meanwhile), not for a time: on a busy
 * machine a fixed time may hold only a few attempts, or none from the
 * swapper. RACE_GUARD_NS only ends a run that cannot get there (a hang). */
#define RACE_ROUNDS 512
#define RACE_SWAPS 1000
#define RACE_GUARD_NS 120000000000LL
typedef struct race {
    const tree *t;
    int boxfd;               /* a real directory fd for renameat2 */
    atomic_bool stop;
    atomic_long swaps;
} race;

static void *swapper(void *arg) {
    race *r = arg;
    const char *other[2] = {"race_abs", "race_rel"};
    for (long i = 0; !atomic_load(&r->stop); i++) {
        const char *o = other[(i / 2) % 2];
        /* Two exchanges: out to the link and back, so `race` is a directory
         * half of the time. */
        if (renameat2(r->boxfd, "race", r->boxfd, o, RENAME_EXCHANGE) == 0)
            atomic_fetch_add(&r->swaps, 1);
    }
    return NULL;
}

WG_TEST(sandbox_symlink_swap_race_never_escapes) {
    FOR_EACH_IMPL(t) {
        char p[PATH_MAX];
        mkpath(&t, p, "box");
        race r = {.t = &t, .boxfd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
        CHECK(r.boxfd >= 0);
        atomic_init(&r.stop, false);
        atomic_init(&r.swaps, 0);
        pthread_t th;
        CHECK(pthread_create(&th, NULL, swapper, &r) == 0);
        long inside = 0, refused = 0, outside = 0, other = 0, rounds = 0;
        struct timespec t0, now;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        do {
            rounds++;
            for (int k = 0; k < 64; k++) {
                int werr = -1;
                /* Alternate follow_last and the parent API too. */
                int fd = im->open(t.box, "race/file", 9, O_RDONLY, 0, k & 1, &werr);
                if (fd >= 0) {
                    if (same(fd, &t.race_file)) inside++;
                    else if (same(fd, &t.outside_file)) outside++;
                    else other++;
                    close(fd);
                } else {
                    refused++;
                }
                char name[NAME_MAX + 1];
                int dfd = im->parent(t.box, "race/file", 9, name, &werr);
                if (dfd >= 0) {
                    struct stat st;
                    if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
                        st.st_ino == t.outside_file.st_ino && st.st_dev == t.outside_file.st_dev)
                        outside++;
                    close(dfd);
                }
            }
            clock_gettime(CLOCK_MONOTONIC, &now);
        } while ((rounds < RACE_ROUNDS || atomic_load(&r.swaps) < RACE_SWAPS) &&
                 (now.tv_sec - t0.tv_sec) * 1000000000LL + (now.tv_nsec - t0.tv_nsec) <
                     RACE_GUARD_NS);
        atomic_store(&r.stop, true);
        pthread_join(th, NULL);
        /* Put the directory back where the next implementation expects it. */
        struct stat st;
        if (fstatat(r.boxfd, "race", &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode)) {
            const char *o = fstatat(r.boxfd, "race_abs", &st, AT_SYMLINK_NOFOLLOW) == 0 &&
                                    S_ISDIR(st.st_mode) ? "race_abs" : "race_rel";
            renameat2(r.boxfd, "race", r.boxfd, o, RENAME_EXCHANGE);
        }
        close(r.boxfd);
        if (getenv("WG_TEST_VERBOSE"))
            printf("race [%s]: %ld rounds, %ld swaps, %ld inside, %ld refused, %ld outside\n",
                   im->name, rounds, (long)atomic_load(&r.swaps), inside, refused, outside);
        CHECK_EQ_INT(outside, 0);
        CHECK_EQ_INT(other, 0);
        CHECK(inside > 0);
        CHECK(atomic_load(&r.swaps) >= RACE_SWAPS);
    }
    tree_teardown(&t);
}

WG_TEST_MAIN()
