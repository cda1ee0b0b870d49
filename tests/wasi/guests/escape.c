/*
 * escape: sandbox escape attempts, each of which must fail, plus positive
 * controls (the same operations on paths that stay inside must work).
 *
 * Host layout made by run_guest_tests.sh (S = its scratch directory, given to
 * the guest as the environment variable SCRATCH):
 *   S/secret                 "TOPSECRET\n"       (outside every preopen)
 *   S/outside/secret2        "TOPSECRET2\n"
 *   S/box     -> /data       (writable preopen)
 *     file_in_box "inside\n", sub/inner.txt "inner\n",
 *     link_abs -> S/secret, link_abs_dir -> S/outside, link_rel -> ../secret,
 *     link_rel_dir -> ../outside, link_up -> .., sub/link_upup -> ../..,
 *     link_etc -> /etc, loop1 -> loop2, loop2 -> loop1, self -> self,
 *     link_dangling_abs -> S/outside/created_abs,
 *     link_dangling_rel -> ../outside/created_rel,
 *     link_inside -> sub/inner.txt, sub/link_inside_up -> ../file_in_box
 *   S/robox   -> /ro       (read-only preopen): ro_file "readonly\n", rosub/
 * The script checks afterwards that nothing outside S/box and S/robox changed.
 */
#include "guest.h"

#define R(x) __WASI_RIGHTS_##x
#define E(x) __WASI_ERRNO_##x
#define FOLLOW __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW

static const __wasi_rights_t R_RD = R(FD_READ) | R(FD_SEEK) | R(FD_TELL) | R(FD_FILESTAT_GET);
static const __wasi_rights_t R_RW = R(FD_READ) | R(FD_WRITE) | R(FD_SEEK) | R(FD_TELL) |
                                    R(FD_FILESTAT_GET) | R(FD_FILESTAT_SET_SIZE);
static const __wasi_rights_t R_DIRS =
    R(PATH_OPEN) | R(FD_READDIR) | R(PATH_READLINK) | R(PATH_FILESTAT_GET) | R(FD_FILESTAT_GET) |
    R(PATH_CREATE_FILE) | R(PATH_CREATE_DIRECTORY) | R(PATH_UNLINK_FILE) |
    R(PATH_REMOVE_DIRECTORY) | R(PATH_RENAME_SOURCE) | R(PATH_RENAME_TARGET) |
    R(PATH_LINK_SOURCE) | R(PATH_LINK_TARGET) | R(PATH_SYMLINK);

static __wasi_fd_t g_box, g_ro;
static int g_blocked;

/* An escape attempt returned e: it must be an error. */
static void blocked(const char *what, __wasi_errno_t e) {
    g_checks++;
    if (e == 0) {
        FAILF("ESCAPE: %s succeeded", what);
        return;
    }
    g_blocked++;
    if (g_verbose) printf("blocked %-58s %s\n", what, errname(e));
}

/* Like blocked, but the error must be exactly `want`. */
static void blocked_with(const char *what, __wasi_errno_t e, __wasi_errno_t want) {
    blocked(what, e);
    if (e != 0 && e != want) FAILF("%s: got %s, expected %s", what, errname(e), errname(want));
}

/* Opening `path` under dir (for reading, or creating when oflags says so)
 * must fail; if it wrongly succeeds, show what leaked and close. */
static void no_open(__wasi_fd_t dir, __wasi_lookupflags_t lf, const char *path,
                    __wasi_oflags_t oflags, __wasi_rights_t rights) {
    char what[200];
    snprintf(what, sizeof what, "path_open(%s, \"%s\"%s%s)", dir == g_ro ? "/ro" : "/data", path,
             oflags & __WASI_OFLAGS_CREAT ? ", CREAT" : "",
             oflags & __WASI_OFLAGS_DIRECTORY ? ", DIRECTORY" : "");
    __wasi_fd_t fd = (__wasi_fd_t)-1;
    __wasi_errno_t e = __wasi_path_open(dir, lf, path, oflags, rights, rights, 0, &fd);
    if (e == 0) {
        char buf[64] = {0};
        __wasi_iovec_t iov = {(uint8_t *)buf, sizeof buf - 1};
        __wasi_size_t n = 0;
        if (__wasi_fd_read(fd, &iov, 1, &n) == 0) fprintf(stderr, "leaked content: '%s'\n", buf);
        (void)__wasi_fd_close(fd);
    }
    blocked(what, e);
}

static void must_read(__wasi_fd_t dir, const char *path, const char *want) {
    __wasi_fd_t fd;
    __wasi_errno_t e = __wasi_path_open(dir, FOLLOW, path, 0, R_RD, R_RD, 0, &fd);
    CHECK(e == 0, "control: path_open(\"%s\") inside the sandbox failed: %s", path, errname(e));
    if (e) return;
    char buf[64] = {0};
    __wasi_iovec_t iov = {(uint8_t *)buf, sizeof buf - 1};
    __wasi_size_t n = 0;
    EXPECT_OK(__wasi_fd_read(fd, &iov, 1, &n));
    CHECK(strcmp(buf, want) == 0, "control: \"%s\" holds '%s', expected '%s'", path, buf, want);
    EXPECT_OK(__wasi_fd_close(fd));
}

static void test_dotdot_and_absolute(const char *scratch) {
    no_open(g_box, FOLLOW, "../secret", 0, R_RD);
    no_open(g_box, 0, "../secret", 0, R_RD);
    no_open(g_box, FOLLOW, "sub/../../secret", 0, R_RD);
    no_open(g_box, FOLLOW, "sub/../sub/../../secret", 0, R_RD);
    no_open(g_box, FOLLOW, "./../secret", 0, R_RD);
    no_open(g_box, FOLLOW, "..", __WASI_OFLAGS_DIRECTORY, R_DIRS);
    no_open(g_box, FOLLOW, "../outside/secret2", 0, R_RD);
    no_open(g_box, FOLLOW, "/etc/passwd", 0, R_RD);
    no_open(g_box, FOLLOW, "/data/file_in_box", 0, R_RD); /* absolute even when it names the preopen */
    no_open(g_box, FOLLOW, "/", __WASI_OFLAGS_DIRECTORY, R_DIRS);
    char abs[600];
    snprintf(abs, sizeof abs, "%s/secret", scratch);
    no_open(g_box, FOLLOW, abs, 0, R_RD);
    no_open(g_ro, FOLLOW, "../secret", 0, R_RD);
    no_open(g_ro, FOLLOW, "../box/file_in_box", 0, R_RD);

    /* from a directory opened inside the box, ".." of the box is still out */
    __wasi_fd_t sub;
    EXPECT_OK(__wasi_path_open(g_box, FOLLOW, "sub", __WASI_OFLAGS_DIRECTORY, R_DIRS, R_DIRS | R_RW,
                               0, &sub));
    no_open(sub, FOLLOW, "../../secret", 0, R_RD);
    no_open(sub, FOLLOW, "../..", __WASI_OFLAGS_DIRECTORY, R_DIRS);
    /* the box's directory opened as "." does not widen anything */
    __wasi_fd_t dot;
    EXPECT_OK(__wasi_path_open(g_box, FOLLOW, ".", __WASI_OFLAGS_DIRECTORY, R_DIRS, R_DIRS | R_RW, 0,
                               &dot));
    no_open(dot, FOLLOW, "../secret", 0, R_RD);
    (void)__wasi_fd_close(dot);

    /* stat, set_times, unlink, rmdir, readlink on outside paths */
    __wasi_filestat_t st;
    blocked("path_filestat_get(\"../secret\")", __wasi_path_filestat_get(g_box, FOLLOW, "../secret", &st));
    blocked("path_filestat_get(\"../secret\") nofollow",
            __wasi_path_filestat_get(g_box, 0, "../secret", &st));
    blocked("path_filestat_get(\"/etc/passwd\")",
            __wasi_path_filestat_get(g_box, FOLLOW, "/etc/passwd", &st));
    blocked("path_filestat_set_times(\"../secret\")",
            __wasi_path_filestat_set_times(g_box, FOLLOW, "../secret", 0, 0,
                                           __WASI_FSTFLAGS_MTIM | __WASI_FSTFLAGS_ATIM));
    blocked("path_unlink_file(\"../secret\")", __wasi_path_unlink_file(g_box, "../secret"));
    blocked("path_unlink_file(\"sub/../../secret\")",
            __wasi_path_unlink_file(g_box, "sub/../../secret"));
    blocked("path_remove_directory(\"../outside\")",
            __wasi_path_remove_directory(g_box, "../outside"));
    blocked("path_create_directory(\"../newdir\")", __wasi_path_create_directory(g_box, "../newdir"));
    blocked("path_create_directory(\"sub/../../newdir\")",
            __wasi_path_create_directory(sub, "../../newdir"));
    no_open(g_box, FOLLOW, "../created", __WASI_OFLAGS_CREAT, R_RW);
    no_open(sub, FOLLOW, "../../created", __WASI_OFLAGS_CREAT, R_RW);
    char lb[256];
    __wasi_size_t ln;
    blocked("path_readlink(\"../box/link_abs\")",
            __wasi_path_readlink(g_box, "../box/link_abs", (uint8_t *)lb, sizeof lb, &ln));

    /* rename / link a file to outside, or from outside in */
    blocked("path_rename(\"file_in_box\" -> \"../moved\")",
            __wasi_path_rename(g_box, "file_in_box", g_box, "../moved"));
    blocked("path_rename(\"../secret\" -> \"stolen\")",
            __wasi_path_rename(g_box, "../secret", g_box, "stolen"));
    blocked("path_link(\"file_in_box\" -> \"../linked\")",
            __wasi_path_link(g_box, 0, "file_in_box", g_box, "../linked"));
    blocked("path_link(\"../secret\" -> \"stolen\")",
            __wasi_path_link(g_box, 0, "../secret", g_box, "stolen"));
    blocked("path_symlink(\"x\" -> \"../newlink\")", __wasi_path_symlink("x", g_box, "../newlink"));
    (void)__wasi_fd_close(sub);
}

static void test_symlinks(const char *scratch) {
    (void)scratch;
    /* last component, absolute and relative targets */
    no_open(g_box, FOLLOW, "link_abs", 0, R_RD);
    no_open(g_box, FOLLOW, "link_rel", 0, R_RD);
    no_open(g_box, FOLLOW, "link_etc/passwd", 0, R_RD);
    no_open(g_box, FOLLOW, "link_abs_dir", __WASI_OFLAGS_DIRECTORY, R_DIRS);
    no_open(g_box, FOLLOW, "link_up", __WASI_OFLAGS_DIRECTORY, R_DIRS);
    /* intermediate components */
    no_open(g_box, FOLLOW, "link_abs_dir/secret2", 0, R_RD);
    no_open(g_box, 0, "link_abs_dir/secret2", 0, R_RD);
    no_open(g_box, FOLLOW, "link_rel_dir/secret2", 0, R_RD);
    no_open(g_box, 0, "link_rel_dir/secret2", 0, R_RD);
    no_open(g_box, FOLLOW, "link_up/secret", 0, R_RD);
    no_open(g_box, FOLLOW, "link_up/box/file_in_box", 0, R_RD); /* out and back in */
    no_open(g_box, FOLLOW, "sub/link_upup/secret", 0, R_RD);
    no_open(g_box, FOLLOW, "sub/../link_up/secret", 0, R_RD);
    __wasi_filestat_t st;
    blocked("path_filestat_get(\"link_abs\", FOLLOW)",
            __wasi_path_filestat_get(g_box, FOLLOW, "link_abs", &st));
    blocked("path_filestat_get(\"link_rel\", FOLLOW)",
            __wasi_path_filestat_get(g_box, FOLLOW, "link_rel", &st));
    blocked("path_filestat_get(\"link_abs_dir/secret2\")",
            __wasi_path_filestat_get(g_box, 0, "link_abs_dir/secret2", &st));
    blocked("path_filestat_set_times(\"link_abs\", FOLLOW)",
            __wasi_path_filestat_set_times(g_box, FOLLOW, "link_abs", 0, 0, __WASI_FSTFLAGS_MTIM_NOW));
    /* lstat of the link itself, and readlink, are fine */
    EXPECT_OK(__wasi_path_filestat_get(g_box, 0, "link_abs", &st));
    CHECK(st.filetype == __WASI_FILETYPE_SYMBOLIC_LINK, "lstat link_abs: filetype %u", st.filetype);
    char lb[600] = {0}, want[600];
    __wasi_size_t ln = 0;
    EXPECT_OK(__wasi_path_readlink(g_box, "link_abs", (uint8_t *)lb, sizeof lb - 1, &ln));
    snprintf(want, sizeof want, "%s/secret", scratch);
    CHECK(ln == strlen(want) && memcmp(lb, want, ln) == 0, "readlink link_abs: '%.*s'", (int)ln, lb);
    EXPECT_OK(__wasi_path_readlink(g_box, "link_rel", (uint8_t *)lb, sizeof lb - 1, &ln));
    CHECK(ln == 9 && memcmp(lb, "../secret", 9) == 0, "readlink link_rel: '%.*s'", (int)ln, lb);

    /* creating through a symlink that points outside */
    no_open(g_box, FOLLOW, "link_dangling_abs", __WASI_OFLAGS_CREAT, R_RW);
    no_open(g_box, FOLLOW, "link_dangling_rel", __WASI_OFLAGS_CREAT, R_RW);
    no_open(g_box, FOLLOW, "link_abs_dir/created_in_dir", __WASI_OFLAGS_CREAT, R_RW);
    no_open(g_box, FOLLOW, "link_rel_dir/created_in_dir", __WASI_OFLAGS_CREAT, R_RW);
    no_open(g_box, FOLLOW, "link_abs", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC, R_RW);
    no_open(g_box, FOLLOW, "link_rel", __WASI_OFLAGS_TRUNC, R_RW);
    blocked("path_create_directory(\"link_abs_dir/newdir\")",
            __wasi_path_create_directory(g_box, "link_abs_dir/newdir"));
    blocked("path_create_directory(\"link_rel_dir/newdir\")",
            __wasi_path_create_directory(g_box, "link_rel_dir/newdir"));
    blocked("path_unlink_file(\"link_abs_dir/secret2\")",
            __wasi_path_unlink_file(g_box, "link_abs_dir/secret2"));
    blocked("path_symlink(\"x\" -> \"link_abs_dir/newlink\")",
            __wasi_path_symlink("x", g_box, "link_abs_dir/newlink"));
    /* rename / link through outside-pointing links */
    blocked("path_rename(\"file_in_box\" -> \"link_abs_dir/moved\")",
            __wasi_path_rename(g_box, "file_in_box", g_box, "link_abs_dir/moved"));
    blocked("path_rename(\"file_in_box\" -> \"link_rel_dir/moved\")",
            __wasi_path_rename(g_box, "file_in_box", g_box, "link_rel_dir/moved"));
    blocked("path_rename(\"link_abs_dir/secret2\" -> \"stolen\")",
            __wasi_path_rename(g_box, "link_abs_dir/secret2", g_box, "stolen"));
    blocked("path_link(\"file_in_box\" -> \"link_up/linked\")",
            __wasi_path_link(g_box, 0, "file_in_box", g_box, "link_up/linked"));
    /* a hard link to what link_abs points at (the secret), made inside */
    blocked("path_link(\"link_abs\", FOLLOW -> \"hardsecret\")",
            __wasi_path_link(g_box, FOLLOW, "link_abs", g_box, "hardsecret"));
    blocked("path_link(\"link_abs_dir/secret2\" -> \"hardsecret2\")",
            __wasi_path_link(g_box, 0, "link_abs_dir/secret2", g_box, "hardsecret2"));
    no_open(g_box, FOLLOW, "hardsecret", 0, R_RD);

    /* a symlink the guest makes may exist, but must not lead out */
    __wasi_errno_t e = __wasi_path_symlink("../secret", g_box, "made_rel");
    if (g_verbose) printf("path_symlink(\"../secret\" -> made_rel): %s\n", errname(e));
    no_open(g_box, FOLLOW, "made_rel", 0, R_RD);
    char abs[600];
    snprintf(abs, sizeof abs, "%s/secret", scratch);
    e = __wasi_path_symlink(abs, g_box, "made_abs");
    if (g_verbose) printf("path_symlink(\"%s\" -> made_abs): %s\n", abs, errname(e));
    no_open(g_box, FOLLOW, "made_abs", 0, R_RD);
    e = __wasi_path_symlink("/etc", g_box, "made_etc");
    no_open(g_box, FOLLOW, "made_etc/passwd", 0, R_RD);
    e = __wasi_path_symlink("sub/../..", g_box, "made_up");
    no_open(g_box, FOLLOW, "made_up/secret", 0, R_RD);
    no_open(g_box, FOLLOW, "made_up/outside/created_via_made", __WASI_OFLAGS_CREAT, R_RW);

    /* loops */
    __wasi_fd_t fd;
    blocked_with("path_open(\"loop1\")",
                 __wasi_path_open(g_box, FOLLOW, "loop1", 0, R_RD, R_RD, 0, &fd), E(LOOP));
    blocked_with("path_open(\"loop1/x\")",
                 __wasi_path_open(g_box, FOLLOW, "loop1/x", 0, R_RD, R_RD, 0, &fd), E(LOOP));
    blocked_with("path_open(\"self\")",
                 __wasi_path_open(g_box, FOLLOW, "self", 0, R_RD, R_RD, 0, &fd), E(LOOP));
    blocked_with("path_open(\"self\", CREAT)",
                 __wasi_path_open(g_box, FOLLOW, "self", __WASI_OFLAGS_CREAT, R_RW, R_RW, 0, &fd),
                 E(LOOP));
    blocked_with("path_filestat_get(\"loop1\", FOLLOW)",
                 __wasi_path_filestat_get(g_box, FOLLOW, "loop1", &st), E(LOOP));

    /* controls: symlinks that stay inside work */
    must_read(g_box, "file_in_box", "inside\n");
    must_read(g_box, "sub/../file_in_box", "inside\n");
    must_read(g_box, "./sub/./inner.txt", "inner\n");
    must_read(g_box, "link_inside", "inner\n");
    must_read(g_box, "sub/link_inside_up", "inside\n");
    must_read(g_ro, "ro_file", "readonly\n");
    EXPECT_OK(__wasi_path_filestat_get(g_box, FOLLOW, "link_inside", &st));
    CHECK(st.filetype == __WASI_FILETYPE_REGULAR_FILE && st.size == 6,
          "stat through link_inside: type %u size %llu", st.filetype, (unsigned long long)st.size);
}

static void test_readonly(void) {
    __wasi_fd_t fd;
    no_open(g_ro, FOLLOW, "new_file", __WASI_OFLAGS_CREAT, R_RW);
    no_open(g_ro, FOLLOW, "new_file", __WASI_OFLAGS_CREAT, R_RD);
    no_open(g_ro, FOLLOW, "ro_file", __WASI_OFLAGS_TRUNC, R_RW);
    no_open(g_ro, FOLLOW, "rosub/new_file", __WASI_OFLAGS_CREAT, R_RW);
    /* opening with FD_WRITE either fails or yields an fd that cannot write */
    __wasi_errno_t e = __wasi_path_open(g_ro, FOLLOW, "ro_file", 0, R_RW, R_RW, 0, &fd);
    if (e == 0) {
        __wasi_ciovec_t iov = {(const uint8_t *)"PWNED", 5};
        __wasi_size_t n;
        blocked("fd_write on /ro/ro_file opened with FD_WRITE", __wasi_fd_write(fd, &iov, 1, &n));
        blocked("fd_filestat_set_size on /ro/ro_file", __wasi_fd_filestat_set_size(fd, 0));
        (void)__wasi_fd_close(fd);
    } else {
        blocked("path_open(/ro, \"ro_file\", FD_WRITE)", e);
    }
    EXPECT_OK(__wasi_path_open(g_ro, FOLLOW, "ro_file", 0, R_RD, R_RD, 0, &fd));
    __wasi_ciovec_t iov = {(const uint8_t *)"PWNED", 5};
    __wasi_size_t n;
    blocked("fd_write on /ro/ro_file opened read-only", __wasi_fd_write(fd, &iov, 1, &n));
    blocked("fd_pwrite on /ro/ro_file", __wasi_fd_pwrite(fd, &iov, 1, 0, &n));
    blocked("fd_fdstat_set_rights(+FD_WRITE) on /ro/ro_file",
            __wasi_fd_fdstat_set_rights(fd, R_RD | R(FD_WRITE), 0));
    (void)__wasi_fd_close(fd);
    blocked("fd_fdstat_set_rights(+PATH_CREATE_FILE) on /ro",
            __wasi_fd_fdstat_set_rights(g_ro, R_DIRS, R_DIRS | R_RW));
    blocked("path_create_directory(/ro, \"newdir\")", __wasi_path_create_directory(g_ro, "newdir"));
    blocked("path_unlink_file(/ro, \"ro_file\")", __wasi_path_unlink_file(g_ro, "ro_file"));
    blocked("path_remove_directory(/ro, \"rosub\")", __wasi_path_remove_directory(g_ro, "rosub"));
    blocked("path_rename(/ro, \"ro_file\" -> \"renamed\")",
            __wasi_path_rename(g_ro, "ro_file", g_ro, "renamed"));
    blocked("path_rename(/ro \"ro_file\" -> /data \"taken\")",
            __wasi_path_rename(g_ro, "ro_file", g_box, "taken"));
    blocked("path_rename(/data \"file_in_box\" -> /ro \"put\")",
            __wasi_path_rename(g_box, "file_in_box", g_ro, "put"));
    blocked("path_symlink(/ro, \"lnk\")", __wasi_path_symlink("ro_file", g_ro, "lnk"));
    blocked("path_link(/ro \"ro_file\" -> /ro \"hard\")",
            __wasi_path_link(g_ro, 0, "ro_file", g_ro, "hard"));
    blocked("path_filestat_set_times(/ro, \"ro_file\")",
            __wasi_path_filestat_set_times(g_ro, 0, "ro_file", 0, 0, __WASI_FSTFLAGS_MTIM_NOW));
    /* a directory opened under /ro stays read-only, whatever rights are asked */
    e = __wasi_path_open(g_ro, FOLLOW, "rosub", __WASI_OFLAGS_DIRECTORY, R_DIRS, R_DIRS | R_RW, 0, &fd);
    if (e == 0) {
        no_open(fd, FOLLOW, "new_file", __WASI_OFLAGS_CREAT, R_RW);
        blocked("path_create_directory(/ro/rosub, \"d\")", __wasi_path_create_directory(fd, "d"));
        (void)__wasi_fd_close(fd);
    } else {
        CHECK(e == E(NOTCAPABLE), "open /ro/rosub asking for write rights: %s", errname(e));
    }
    /* writing to the preopen fd itself */
    blocked("fd_write on the /ro directory fd", __wasi_fd_write(g_ro, &iov, 1, &n));
}

int main(void) {
    guest_init();
    const char *scratch = getenv("SCRATCH");
    if (!scratch || scratch[0] != '/') {
        fprintf(stderr, "escape: set SCRATCH to the host scratch directory (absolute)\n");
        return 2;
    }
    int box = find_preopen("/data"), ro = find_preopen("/ro");
    if (box < 0 || ro < 0) {
        fprintf(stderr, "escape: needs preopens /data and /ro\n");
        return 1;
    }
    g_box = (__wasi_fd_t)box;
    g_ro = (__wasi_fd_t)ro;
    test_dotdot_and_absolute(scratch);
    test_symlinks(scratch);
    test_readonly();
    printf("escape: %d escape attempts blocked\n", g_blocked);
    return guest_finish("escape");
}
