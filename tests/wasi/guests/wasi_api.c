/*
 * wasi_api: every wasi_snapshot_preview1 function, called directly through
 * <wasi/api.h>, with its results and errno cases checked by the guest.
 *
 * Expected run (run_guest_tests.sh does this):
 *   FROMHOST=inherited wasmgate run --dir DATA::/data --dir RO::/ro:ro \
 *       --env FOO=bar --env EMPTY= --env ARGV0=<module path> --env FROMHOST \
 *       wasi_api.wasm alpha "with space" ""
 * DATA: an empty writable directory. RO: holds hello.txt ("hello, ro\n") and
 * an empty directory dir/. Exit 0 when every check passed; otherwise the first
 * failure (all of them with WG_KEEP_GOING=1) on stderr and exit 1.
 */
#include "guest.h"

#define R(x) __WASI_RIGHTS_##x
#define E(x) __WASI_ERRNO_##x

static const __wasi_rights_t R_FILE_RW =
    R(FD_READ) | R(FD_WRITE) | R(FD_SEEK) | R(FD_TELL) | R(FD_FDSTAT_SET_FLAGS) | R(FD_SYNC) |
    R(FD_DATASYNC) | R(FD_ADVISE) | R(FD_ALLOCATE) | R(FD_FILESTAT_GET) |
    R(FD_FILESTAT_SET_SIZE) | R(FD_FILESTAT_SET_TIMES) | R(POLL_FD_READWRITE);
static const __wasi_rights_t R_FILE_RO =
    R(FD_READ) | R(FD_SEEK) | R(FD_TELL) | R(FD_FILESTAT_GET) | R(FD_ADVISE) |
    R(POLL_FD_READWRITE);
/* The rights that apply to a directory. */
static const __wasi_rights_t R_DIR =
    R(PATH_CREATE_DIRECTORY) | R(PATH_CREATE_FILE) | R(PATH_LINK_SOURCE) | R(PATH_LINK_TARGET) |
    R(PATH_OPEN) | R(FD_READDIR) | R(PATH_READLINK) | R(PATH_RENAME_SOURCE) |
    R(PATH_RENAME_TARGET) | R(PATH_FILESTAT_GET) | R(PATH_FILESTAT_SET_SIZE) |
    R(PATH_FILESTAT_SET_TIMES) | R(FD_FILESTAT_GET) | R(FD_FILESTAT_SET_TIMES) | R(PATH_SYMLINK) |
    R(PATH_REMOVE_DIRECTORY) | R(PATH_UNLINK_FILE);
static const __wasi_rights_t R_DIR_RO =
    R(PATH_OPEN) | R(FD_READDIR) | R(PATH_READLINK) | R(PATH_FILESTAT_GET) | R(FD_FILESTAT_GET);

static int g_data = -1, g_ro = -1;

/* ---- small helpers --------------------------------------------------------------- */

static __wasi_errno_t open_at(int dirfd, const char *path, __wasi_oflags_t oflags,
                              __wasi_rights_t base, __wasi_fdflags_t fdflags, __wasi_fd_t *fd) {
    return __wasi_path_open((__wasi_fd_t)dirfd, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, path, oflags,
                            base, base, fdflags, fd);
}

static __wasi_fd_t must_open(int dirfd, const char *path, __wasi_oflags_t oflags,
                             __wasi_rights_t base) {
    __wasi_fd_t fd = (__wasi_fd_t)-1;
    __wasi_errno_t e = open_at(dirfd, path, oflags, base, 0, &fd);
    CHECK(e == 0, "path_open(%s): %d (%s)", path, e, errname(e));
    return fd;
}

/* Opens a directory with the directory rights its parent passes on. */
static __wasi_fd_t must_open_dir(int dirfd, const char *path) {
    __wasi_fd_t fd = (__wasi_fd_t)-1;
    __wasi_fdstat_t ds;
    __wasi_errno_t e = __wasi_fd_fdstat_get((__wasi_fd_t)dirfd, &ds);
    CHECK(e == 0, "fd_fdstat_get(%d): %d (%s)", dirfd, e, errname(e));
    e = __wasi_path_open((__wasi_fd_t)dirfd, 0, path, __WASI_OFLAGS_DIRECTORY,
                         ds.fs_rights_inheriting & R_DIR, ds.fs_rights_inheriting, 0, &fd);
    CHECK(e == 0, "path_open(%s, DIRECTORY): %d (%s)", path, e, errname(e));
    return fd;
}

static __wasi_errno_t write_str(__wasi_fd_t fd, const char *s, __wasi_size_t *nw) {
    __wasi_ciovec_t iov = {(const uint8_t *)s, strlen(s)};
    return __wasi_fd_write(fd, &iov, 1, nw);
}

/* Reads up to n bytes at offset off (pread); returns the count, -1 on error. */
static long pread_n(__wasi_fd_t fd, uint64_t off, char *buf, size_t n) {
    __wasi_iovec_t iov = {(uint8_t *)buf, n};
    __wasi_size_t nr = 0;
    __wasi_errno_t e = __wasi_fd_pread(fd, &iov, 1, off, &nr);
    if (e) return -(long)e;
    return (long)nr;
}

static uint64_t fsize(__wasi_fd_t fd) {
    __wasi_filestat_t st;
    memset(&st, 0, sizeof st);
    __wasi_errno_t e = __wasi_fd_filestat_get(fd, &st);
    CHECK(e == 0, "fd_filestat_get: %s", errname(e));
    return st.size;
}

static uint64_t now_ns(__wasi_clockid_t id) {
    __wasi_timestamp_t t = 0;
    __wasi_errno_t e = __wasi_clock_time_get(id, 1, &t);
    CHECK(e == 0, "clock_time_get(%u): %s", (unsigned)id, errname(e));
    return t;
}

/* ---- args and environment ------------------------------------------------------------ */

static void test_args_env(void) {
    __wasi_size_t argc = 0, argbuf = 0;
    EXPECT_OK(__wasi_args_sizes_get(&argc, &argbuf));
    CHECK(argc == 4, "argc = %u, expected 4 (MODULE alpha \"with space\" \"\")", (unsigned)argc);
    if (argc == 0 || argc > 64 || argbuf > 65536) return;
    uint8_t **argv = calloc(argc + 1, sizeof *argv);
    uint8_t *buf = malloc(argbuf + 1);
    memset(buf, 0xAA, argbuf + 1);
    EXPECT_OK(__wasi_args_get(argv, buf));
    CHECK(buf[argbuf] == 0xAA, "args_get wrote past args_sizes_get's buffer size");
    size_t total = 0;
    for (size_t i = 0; i < argc; i++) total += strlen((char *)argv[i]) + 1;
    CHECK(total == argbuf, "args sizes: strings take %zu bytes, args_sizes_get said %u", total,
          (unsigned)argbuf);
    const char *argv0 = getenv("ARGV0");
    CHECK(argv0 != NULL, "ARGV0 not in the environment");
    if (argv0) CHECK(strcmp((char *)argv[0], argv0) == 0, "argv[0] = '%s', expected '%s'",
                     (char *)argv[0], argv0);
    if (argc == 4) {
        CHECK(strcmp((char *)argv[1], "alpha") == 0, "argv[1] = '%s'", (char *)argv[1]);
        CHECK(strcmp((char *)argv[2], "with space") == 0, "argv[2] = '%s'", (char *)argv[2]);
        CHECK(strcmp((char *)argv[3], "") == 0, "argv[3] = '%s', expected empty", (char *)argv[3]);
    }
    free(argv);
    free(buf);

    __wasi_size_t envc = 0, envbuf = 0;
    EXPECT_OK(__wasi_environ_sizes_get(&envc, &envbuf));
    if (envc > 256 || envbuf > 1 << 20) {
        FAILF("environ_sizes_get: absurd sizes %u %u", (unsigned)envc, (unsigned)envbuf);
        return;
    }
    uint8_t **env = calloc(envc + 1, sizeof *env);
    uint8_t *ebuf = malloc(envbuf + 1);
    EXPECT_OK(__wasi_environ_get(env, ebuf));
    int seen_foo = 0, seen_empty = 0, seen_argv0 = 0, seen_fromhost = 0;
    total = 0;
    for (size_t i = 0; i < envc; i++) {
        const char *s = (const char *)env[i];
        total += strlen(s) + 1;
        if (strcmp(s, "FOO=bar") == 0) seen_foo++;
        else if (strcmp(s, "EMPTY=") == 0) seen_empty++;
        else if (strncmp(s, "ARGV0=", 6) == 0) seen_argv0++;
        else if (strcmp(s, "FROMHOST=inherited") == 0) seen_fromhost++;
        else if (strncmp(s, "WG_KEEP_GOING=", 14) == 0 || strncmp(s, "WG_VERBOSE=", 11) == 0) {
        } else FAILF("unexpected environment variable '%s' (host environment leaked?)", s);
    }
    CHECK(total == envbuf, "environ sizes: strings take %zu bytes, environ_sizes_get said %u",
          total, (unsigned)envbuf);
    CHECK(seen_foo == 1, "FOO=bar seen %d times", seen_foo);
    CHECK(seen_empty == 1, "EMPTY= seen %d times", seen_empty);
    CHECK(seen_argv0 == 1, "ARGV0 seen %d times", seen_argv0);
    CHECK(seen_fromhost == 1, "FROMHOST=inherited (--env NAME takes the host's value) seen %d times",
          seen_fromhost);
    free(env);
    free(ebuf);

    /* a result pointer outside memory is EFAULT, not a host crash */
    EXPECT_ERR(wg_raw_args_sizes_get(WG_BAD_PTR, WG_BAD_PTR), E(FAULT));
}

/* ---- clocks, random, sched, proc_raise ----------------------------------------------- */

static void test_clocks(void) {
    static const __wasi_clockid_t ids[4] = {
        __WASI_CLOCKID_REALTIME, __WASI_CLOCKID_MONOTONIC, __WASI_CLOCKID_PROCESS_CPUTIME_ID,
        __WASI_CLOCKID_THREAD_CPUTIME_ID};
    uint64_t t0[4];
    for (int i = 0; i < 4; i++) {
        __wasi_timestamp_t res = 0;
        EXPECT_OK(__wasi_clock_res_get(ids[i], &res));
        CHECK(res > 0 && res <= 1000000000ull, "clock %d resolution %llu ns", i,
              (unsigned long long)res);
        t0[i] = now_ns(ids[i]);
    }
    /* realtime: after 2020-01-01 and before 2100 */
    CHECK(t0[0] > 1577836800ull * 1000000000ull && t0[0] < 4102444800ull * 1000000000ull,
          "realtime clock %llu ns is not a date between 2020 and 2100",
          (unsigned long long)t0[0]);
    /* A fixed amount of CPU work (a few ms when the machine is idle), then
     * every clock must have moved forward. Only "forward": how far depends on
     * how much CPU this process got meanwhile (on a busy machine the
     * CPU-time clocks can advance far less than the wall clocks). */
    volatile uint64_t sink = 0;
    for (int k = 0; k < 1000000; k++) sink += (uint64_t)k * 2654435761u;
    for (int i = 0; i < 4; i++) {
        uint64_t t1 = now_ns(ids[i]);
        CHECK(t1 > t0[i], "clock %d did not advance during 10^6 iterations of CPU work (%llu -> %llu)",
              i, (unsigned long long)t0[i], (unsigned long long)t1);
    }
    /* monotonic never goes back */
    uint64_t prev = now_ns(__WASI_CLOCKID_MONOTONIC);
    for (int k = 0; k < 1000; k++) {
        uint64_t t = now_ns(__WASI_CLOCKID_MONOTONIC);
        if (t < prev) {
            FAILF("monotonic clock went back: %llu -> %llu", (unsigned long long)prev,
                  (unsigned long long)t);
            break;
        }
        prev = t;
    }
    __wasi_timestamp_t x;
    EXPECT_ERR(__wasi_clock_res_get(99, &x), E(INVAL));
    EXPECT_ERR(__wasi_clock_time_get(99, 1, &x), E(INVAL));
    EXPECT_ERR(wg_raw_clock_time_get(__WASI_CLOCKID_MONOTONIC, 1, WG_BAD_PTR), E(FAULT));
}

static void test_random_sched_proc(void) {
    uint8_t a[64], b[64];
    memset(a, 0, sizeof a);
    memset(b, 0, sizeof b);
    EXPECT_OK(__wasi_random_get(a, sizeof a));
    EXPECT_OK(__wasi_random_get(b, sizeof b));
    CHECK(memcmp(a, b, sizeof a) != 0, "random_get returned the same 64 bytes twice");
    int distinct = 0;
    for (size_t i = 1; i < sizeof a; i++) distinct += a[i] != a[0];
    CHECK(distinct > 0, "random_get returned 64 identical bytes");
    EXPECT_OK(__wasi_random_get(a, 0));
    /* a large request: 1 MiB */
    uint8_t *big = calloc(1, 1 << 20);
    EXPECT_OK(__wasi_random_get(big, 1 << 20));
    size_t zeros = 0;
    for (size_t i = 0; i < (1 << 20); i++) zeros += big[i] == 0;
    CHECK(zeros < 8192, "random_get 1 MiB: %zu zero bytes (expected ~4096)", zeros);
    free(big);
    EXPECT_ERR(wg_raw_random_get(WG_BAD_PTR, 64), E(FAULT));
    /* a range that starts inside memory and ends past it */
    EXPECT_ERR(wg_raw_random_get((int32_t)(__builtin_wasm_memory_size(0) * 65536 - 8), 64),
               E(FAULT));
    EXPECT_ERR(wg_raw_random_get((int32_t)0xFFFFFFF0u, 64), E(FAULT)); /* wraps around 4 GiB */

    EXPECT_OK(__wasi_sched_yield());
    /* raising signal 0 (NONE) does nothing; ENOSYS/NOTSUP are acceptable */
    __wasi_errno_t e = (__wasi_errno_t)wg_raw_proc_raise(0 /* SIGNAL_NONE */);
    CHECK(e == 0 || e == E(NOSYS) || e == E(NOTSUP), "proc_raise(NONE): %d (%s)", e, errname(e));
}

/* ---- stdio and preopens --------------------------------------------------------------- */

static void test_stdio_prestat(void) {
    for (__wasi_fd_t fd = 0; fd < 3; fd++) {
        __wasi_fdstat_t st;
        EXPECT_OK(__wasi_fd_fdstat_get(fd, &st));
        __wasi_rights_t need = fd == 0 ? R(FD_READ) : R(FD_WRITE);
        CHECK((st.fs_rights_base & need) == need, "stdio fd %u lacks its %s right", (unsigned)fd,
              fd == 0 ? "FD_READ" : "FD_WRITE");
        __wasi_prestat_t ps;
        EXPECT_ERR2(__wasi_fd_prestat_get(fd, &ps), E(BADF), E(INVAL));
    }
    __wasi_size_t nw = 99;
    __wasi_ciovec_t none = {(const uint8_t *)"", 0};
    EXPECT_OK(__wasi_fd_write(1, &none, 1, &nw));
    CHECK(nw == 0, "fd_write of 0 bytes reported %u", (unsigned)nw);
    EXPECT_OK(__wasi_fd_write(2, &none, 0, &nw));

    g_data = find_preopen("/data");
    g_ro = find_preopen("/ro");
    CHECK(g_data >= 3, "no preopen named /data");
    CHECK(g_ro >= 3, "no preopen named /ro");
    if (g_data < 0 || g_ro < 0) exit(1);
    __wasi_prestat_t ps;
    EXPECT_OK(__wasi_fd_prestat_get((__wasi_fd_t)g_data, &ps));
    CHECK(ps.tag == __WASI_PREOPENTYPE_DIR && ps.u.dir.pr_name_len == 5,
          "prestat of /data: tag %u len %u", ps.tag, (unsigned)ps.u.dir.pr_name_len);
    char name[16] = {0};
    EXPECT_OK(__wasi_fd_prestat_dir_name((__wasi_fd_t)g_data, (uint8_t *)name, 5));
    CHECK(memcmp(name, "/data", 5) == 0, "prestat_dir_name = '%.5s'", name);
    EXPECT_ERR(__wasi_fd_prestat_get(1000, &ps), E(BADF));

    __wasi_fdstat_t st;
    EXPECT_OK(__wasi_fd_fdstat_get((__wasi_fd_t)g_data, &st));
    CHECK(st.fs_filetype == __WASI_FILETYPE_DIRECTORY, "/data filetype %u", st.fs_filetype);
    CHECK(st.fs_rights_base & R(PATH_CREATE_FILE), "/data lacks PATH_CREATE_FILE");
    EXPECT_OK(__wasi_fd_fdstat_get((__wasi_fd_t)g_ro, &st));
    CHECK(st.fs_filetype == __WASI_FILETYPE_DIRECTORY, "/ro filetype %u", st.fs_filetype);
    static const __wasi_rights_t writes =
        R(FD_WRITE) | R(PATH_CREATE_FILE) | R(PATH_CREATE_DIRECTORY) | R(PATH_UNLINK_FILE) |
        R(PATH_REMOVE_DIRECTORY) | R(PATH_RENAME_TARGET) | R(PATH_SYMLINK) | R(PATH_LINK_TARGET);
    CHECK((st.fs_rights_base & writes) == 0, "read-only /ro has write rights 0x%llx",
          (unsigned long long)(st.fs_rights_base & writes));
    CHECK((st.fs_rights_inheriting & R(FD_WRITE)) == 0, "read-only /ro passes on FD_WRITE");
    CHECK(st.fs_rights_base & R(PATH_OPEN), "/ro lacks PATH_OPEN");
}

/* ---- files ------------------------------------------------------------------------------ */

static void test_file_io(void) {
    EXPECT_OK(__wasi_path_create_directory((__wasi_fd_t)g_data, "api"));
    EXPECT_ERR(__wasi_path_create_directory((__wasi_fd_t)g_data, "api"), E(EXIST));
    __wasi_fd_t fd = (__wasi_fd_t)-1, fd2;
    EXPECT_OK(open_at(g_data, "api/f.txt", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_EXCL, R_FILE_RW, 0,
                      &fd));
    EXPECT_ERR(open_at(g_data, "api/f.txt", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_EXCL, R_FILE_RW, 0,
                       &fd2),
               E(EXIST));

    __wasi_ciovec_t iov[2] = {{(const uint8_t *)"hello ", 6}, {(const uint8_t *)"world\n", 6}};
    __wasi_size_t n = 0;
    EXPECT_OK(__wasi_fd_write(fd, iov, 2, &n));
    CHECK(n == 12, "fd_write of 2 iovecs wrote %u", (unsigned)n);
    __wasi_filesize_t pos = 0;
    EXPECT_OK(__wasi_fd_tell(fd, &pos));
    CHECK(pos == 12, "fd_tell = %llu, expected 12", (unsigned long long)pos);

    /* seek + read */
    EXPECT_OK(__wasi_fd_seek(fd, 0, __WASI_WHENCE_SET, &pos));
    CHECK(pos == 0, "fd_seek SET 0 -> %llu", (unsigned long long)pos);
    char buf[256] = {0};
    __wasi_iovec_t riov[2] = {{(uint8_t *)buf, 3}, {(uint8_t *)buf + 3, 2}};
    EXPECT_OK(__wasi_fd_read(fd, riov, 2, &n));
    CHECK(n == 5 && memcmp(buf, "hello", 5) == 0, "fd_read: %u '%.5s'", (unsigned)n, buf);
    EXPECT_OK(__wasi_fd_seek(fd, -1, __WASI_WHENCE_CUR, &pos));
    CHECK(pos == 4, "fd_seek CUR -1 -> %llu", (unsigned long long)pos);
    EXPECT_OK(__wasi_fd_seek(fd, 0, __WASI_WHENCE_END, &pos));
    CHECK(pos == 12, "fd_seek END 0 -> %llu", (unsigned long long)pos);
    EXPECT_OK(__wasi_fd_seek(fd, -2, __WASI_WHENCE_END, &pos));
    CHECK(pos == 10, "fd_seek END -2 -> %llu", (unsigned long long)pos);
    EXPECT_ERR(__wasi_fd_seek(fd, -100, __WASI_WHENCE_CUR, &pos), E(INVAL));
    EXPECT_ERR(__wasi_fd_seek(fd, 0, 7, &pos), E(INVAL));
    EXPECT_OK(__wasi_fd_seek(fd, 12, __WASI_WHENCE_SET, &pos));

    /* pread / pwrite leave the offset alone */
    memset(buf, 0, sizeof buf);
    CHECK(pread_n(fd, 6, buf, 5) == 5 && memcmp(buf, "world", 5) == 0, "pread at 6: '%s'", buf);
    __wasi_ciovec_t pw = {(const uint8_t *)"WORLD", 5};
    EXPECT_OK(__wasi_fd_pwrite(fd, &pw, 1, 6, &n));
    CHECK(n == 5, "fd_pwrite wrote %u", (unsigned)n);
    EXPECT_OK(__wasi_fd_tell(fd, &pos));
    CHECK(pos == 12, "pread/pwrite moved the offset to %llu", (unsigned long long)pos);
    memset(buf, 0, sizeof buf);
    CHECK(pread_n(fd, 0, buf, sizeof buf) == 12 && memcmp(buf, "hello WORLD\n", 12) == 0,
          "after pwrite: '%s'", buf);
    CHECK(pread_n(fd, 1000, buf, 10) == 0, "pread past EOF should read 0 bytes");

    /* fd_filestat_get */
    __wasi_filestat_t st;
    EXPECT_OK(__wasi_fd_filestat_get(fd, &st));
    CHECK(st.size == 12 && st.filetype == __WASI_FILETYPE_REGULAR_FILE && st.nlink == 1,
          "filestat: size %llu type %u nlink %llu", (unsigned long long)st.size, st.filetype,
          (unsigned long long)st.nlink);
    __wasi_filestat_t pst;
    EXPECT_OK(__wasi_path_filestat_get((__wasi_fd_t)g_data, 0, "api/f.txt", &pst));
    CHECK(pst.ino == st.ino && pst.dev == st.dev && pst.size == 12,
          "path_filestat_get disagrees with fd_filestat_get");

    /* truncate and extend */
    EXPECT_OK(__wasi_fd_filestat_set_size(fd, 5));
    CHECK(fsize(fd) == 5, "set_size 5 -> %llu", (unsigned long long)fsize(fd));
    EXPECT_OK(__wasi_fd_seek(fd, 0, __WASI_WHENCE_SET, &pos));
    __wasi_iovec_t r1 = {(uint8_t *)buf, sizeof buf};
    EXPECT_OK(__wasi_fd_read(fd, &r1, 1, &n));
    CHECK(n == 5 && memcmp(buf, "hello", 5) == 0, "read after truncate: %u", (unsigned)n);
    EXPECT_OK(__wasi_fd_read(fd, &r1, 1, &n));
    CHECK(n == 0, "read at EOF returned %u bytes", (unsigned)n);
    EXPECT_OK(__wasi_fd_filestat_set_size(fd, 100));
    CHECK(fsize(fd) == 100, "set_size 100 -> %llu", (unsigned long long)fsize(fd));
    memset(buf, 0x55, sizeof buf);
    CHECK(pread_n(fd, 0, buf, 100) == 100, "pread 100");
    int zero_tail = 1;
    for (int i = 5; i < 100; i++) zero_tail &= buf[i] == 0;
    CHECK(zero_tail, "extended bytes are not zero");

    /* fd_allocate extends the file, fd_advise, syncs */
    EXPECT_OK(__wasi_fd_allocate(fd, 0, 200));
    CHECK(fsize(fd) == 200, "fd_allocate(0,200): size %llu", (unsigned long long)fsize(fd));
    EXPECT_OK(__wasi_fd_allocate(fd, 10, 20));
    CHECK(fsize(fd) == 200, "fd_allocate inside the file changed its size");
    EXPECT_OK(__wasi_fd_advise(fd, 0, 100, __WASI_ADVICE_SEQUENTIAL));
    EXPECT_OK(__wasi_fd_advise(fd, 0, 0, __WASI_ADVICE_DONTNEED));
    EXPECT_ERR(__wasi_fd_advise(fd, 0, 100, 99), E(INVAL));
    EXPECT_OK(__wasi_fd_datasync(fd));
    EXPECT_OK(__wasi_fd_sync(fd));

    /* times */
    const uint64_t T1 = 1600000000ull * 1000000000ull, T2 = 1600000123ull * 1000000000ull;
    EXPECT_OK(__wasi_fd_filestat_set_times(fd, T1, T2,
                                           __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM));
    EXPECT_OK(__wasi_fd_filestat_get(fd, &st));
    CHECK(st.atim == T1 && st.mtim == T2, "set_times: atim %llu mtim %llu",
          (unsigned long long)st.atim, (unsigned long long)st.mtim);
    /* MTIM_NOW stamps a time between the realtime clock read before the call
     * and the one read after, give or take 1 s (file times come from a coarser
     * clock than clock_time_get). An order, not a distance: a delay between
     * the calls only widens the window. */
    uint64_t rt_before = now_ns(__WASI_CLOCKID_REALTIME);
    EXPECT_OK(__wasi_fd_filestat_set_times(fd, 0, 0, __WASI_FSTFLAGS_MTIM_NOW));
    EXPECT_OK(__wasi_fd_filestat_get(fd, &st));
    uint64_t rt_after = now_ns(__WASI_CLOCKID_REALTIME);
    CHECK(st.mtim + 1000000000ull >= rt_before && st.mtim <= rt_after + 1000000000ull &&
              st.atim == T1,
          "MTIM_NOW: mtim %llu not within realtime [%llu, %llu] +- 1 s, atim %llu",
          (unsigned long long)st.mtim, (unsigned long long)rt_before,
          (unsigned long long)rt_after, (unsigned long long)st.atim);
    EXPECT_ERR(__wasi_fd_filestat_set_times(fd, T1, T1,
                                            __WASI_FSTFLAGS_MTIM | __WASI_FSTFLAGS_MTIM_NOW),
               E(INVAL));
    EXPECT_OK(__wasi_path_filestat_set_times((__wasi_fd_t)g_data, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW,
                                             "api/f.txt", T2, T1,
                                             __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM));
    EXPECT_OK(__wasi_path_filestat_get((__wasi_fd_t)g_data, 0, "api/f.txt", &pst));
    CHECK(pst.atim == T2 && pst.mtim == T1, "path_filestat_set_times: atim %llu mtim %llu",
          (unsigned long long)pst.atim, (unsigned long long)pst.mtim);

    /* fdstat, flags, rights */
    __wasi_fdstat_t fs;
    EXPECT_OK(__wasi_fd_fdstat_get(fd, &fs));
    CHECK(fs.fs_filetype == __WASI_FILETYPE_REGULAR_FILE, "fdstat filetype %u", fs.fs_filetype);
    CHECK(fs.fs_flags == 0, "fdstat flags 0x%x", fs.fs_flags);
    CHECK((fs.fs_rights_base & (R(FD_READ) | R(FD_WRITE))) == (R(FD_READ) | R(FD_WRITE)),
          "file opened read-write lacks FD_READ|FD_WRITE: 0x%llx",
          (unsigned long long)fs.fs_rights_base);
    EXPECT_OK(__wasi_fd_fdstat_set_flags(fd, __WASI_FDFLAGS_APPEND));
    EXPECT_OK(__wasi_fd_fdstat_get(fd, &fs));
    CHECK(fs.fs_flags & __WASI_FDFLAGS_APPEND, "APPEND not reported after set_flags");
    EXPECT_OK(__wasi_fd_seek(fd, 0, __WASI_WHENCE_SET, &pos));
    EXPECT_OK(write_str(fd, "Z", &n));
    CHECK(fsize(fd) == 201, "append write: size %llu", (unsigned long long)fsize(fd));
    CHECK(pread_n(fd, 200, buf, 1) == 1 && buf[0] == 'Z', "append wrote elsewhere");
    EXPECT_OK(__wasi_fd_fdstat_set_flags(fd, 0));

    __wasi_rights_t without_write = fs.fs_rights_base & ~R(FD_WRITE);
    EXPECT_OK(__wasi_fd_fdstat_set_rights(fd, without_write, fs.fs_rights_inheriting));
    EXPECT_OK(__wasi_fd_fdstat_get(fd, &fs));
    CHECK(!(fs.fs_rights_base & R(FD_WRITE)), "FD_WRITE still there after set_rights");
    EXPECT_ERR(write_str(fd, "no", &n), E(NOTCAPABLE));
    EXPECT_ERR(__wasi_fd_pwrite(fd, &pw, 1, 0, &n), E(NOTCAPABLE));
    EXPECT_ERR(__wasi_fd_fdstat_set_rights(fd, without_write | R(FD_WRITE), fs.fs_rights_inheriting),
               E(NOTCAPABLE));
    CHECK(pread_n(fd, 0, buf, 5) == 5, "pread after dropping FD_WRITE");
    /* dropping FD_READ too */
    EXPECT_OK(__wasi_fd_fdstat_set_rights(fd, without_write & ~(R(FD_READ)), 0));
    EXPECT_ERR(__wasi_fd_read(fd, &r1, 1, &n), E(NOTCAPABLE));

    /* renumber: fd2 becomes fd's file, fd is closed */
    EXPECT_OK(open_at(g_data, "api/g.txt", __WASI_OFLAGS_CREAT, R_FILE_RW, 0, &fd2));
    EXPECT_OK(write_str(fd2, "gg", &n));
    EXPECT_OK(__wasi_fd_renumber(fd, fd2));
    CHECK(fsize(fd2) == 201, "after renumber fd %u is not f.txt (size %llu)", (unsigned)fd2,
          (unsigned long long)fsize(fd2));
    EXPECT_ERR(__wasi_fd_close(fd), E(BADF));
    EXPECT_ERR(__wasi_fd_renumber(fd, fd2), E(BADF));
    EXPECT_ERR(__wasi_fd_renumber(fd2, 999), E(BADF));
    EXPECT_OK(__wasi_fd_close(fd2));
    EXPECT_ERR(__wasi_fd_close(fd2), E(BADF));
    EXPECT_ERR(write_str(fd2, "x", &n), E(BADF));
    EXPECT_ERR(__wasi_fd_read(999, &r1, 1, &n), E(BADF));
    EXPECT_ERR(__wasi_fd_filestat_get(999, &st), E(BADF));
    EXPECT_ERR(__wasi_fd_seek(999, 0, __WASI_WHENCE_SET, &pos), E(BADF));
    /* g.txt is still there and holds "gg" */
    fd2 = must_open(g_data, "api/g.txt", 0, R_FILE_RO);
    CHECK(pread_n(fd2, 0, buf, 10) == 2 && memcmp(buf, "gg", 2) == 0, "g.txt content");
    EXPECT_OK(__wasi_fd_close(fd2));

    /* O_TRUNC */
    fd = must_open(g_data, "api/g.txt", __WASI_OFLAGS_TRUNC, R_FILE_RW);
    CHECK(fsize(fd) == 0, "O_TRUNC left %llu bytes", (unsigned long long)fsize(fd));
    EXPECT_OK(__wasi_fd_close(fd));

    /* EFAULT: bad iovec array, bad buffer, bad path */
    fd = must_open(g_data, "api/g.txt", 0, R_FILE_RW);
    EXPECT_ERR(wg_raw_fd_write((int32_t)fd, WG_BAD_PTR, 1, (int32_t)(uintptr_t)&n), E(FAULT));
    static __wasi_ciovec_t badbuf;
    badbuf.buf = (const uint8_t *)(uintptr_t)(uint32_t)WG_BAD_PTR;
    badbuf.buf_len = 64;
    EXPECT_ERR(wg_raw_fd_write((int32_t)fd, (int32_t)(uintptr_t)&badbuf, 1, (int32_t)(uintptr_t)&n),
               E(FAULT));
    EXPECT_ERR(wg_raw_fd_read((int32_t)fd, (int32_t)(uintptr_t)&badbuf, 1, (int32_t)(uintptr_t)&n),
               E(FAULT));
    __wasi_fd_t out;
    EXPECT_ERR(wg_raw_path_open(g_data, 0, WG_BAD_PTR, 10, 0, (int64_t)R_FILE_RO,
                                (int64_t)R_FILE_RO, 0, (int32_t)(uintptr_t)&out),
               E(FAULT));
    EXPECT_OK(__wasi_fd_close(fd));
}

/* ---- paths ------------------------------------------------------------------------------- */

static void test_paths(void) {
    __wasi_fd_t fd;
    __wasi_filestat_t st, st2;
    /* errno cases on open */
    EXPECT_ERR(open_at(g_data, "api/nope", 0, R_FILE_RO, 0, &fd), E(NOENT));
    EXPECT_ERR(open_at(g_data, "api/nodir/x", __WASI_OFLAGS_CREAT, R_FILE_RW, 0, &fd), E(NOENT));
    EXPECT_ERR(open_at(g_data, "api/f.txt", __WASI_OFLAGS_DIRECTORY, R_DIR_RO, 0, &fd), E(NOTDIR));
    EXPECT_ERR(open_at(g_data, "api/f.txt/x", 0, R_FILE_RO, 0, &fd), E(NOTDIR));
    EXPECT_ERR(open_at(g_data, "api", 0, R_FILE_RW, 0, &fd), E(ISDIR));
    EXPECT_ERR(__wasi_path_filestat_get((__wasi_fd_t)g_data, 0, "api/nope", &st), E(NOENT));
    EXPECT_ERR(__wasi_path_filestat_get((__wasi_fd_t)g_data, 0, "api/f.txt/", &st), E(NOTDIR));

    /* a directory fd as the base of relative paths */
    EXPECT_OK(__wasi_path_create_directory((__wasi_fd_t)g_data, "api/sub"));
    __wasi_fd_t sub = must_open_dir(g_data, "api/sub");
    __wasi_fdstat_t fs;
    EXPECT_OK(__wasi_fd_fdstat_get(sub, &fs));
    CHECK(fs.fs_filetype == __WASI_FILETYPE_DIRECTORY, "sub filetype %u", fs.fs_filetype);
    fd = must_open(sub, "in_sub.txt", __WASI_OFLAGS_CREAT, R_FILE_RW);
    __wasi_size_t n;
    EXPECT_OK(write_str(fd, "in sub\n", &n));
    EXPECT_OK(__wasi_fd_close(fd));
    EXPECT_OK(__wasi_path_filestat_get((__wasi_fd_t)g_data, 0, "api/sub/in_sub.txt", &st));
    CHECK(st.size == 7, "api/sub/in_sub.txt size %llu", (unsigned long long)st.size);
    /* a file fd is no directory */
    fd = must_open(g_data, "api/f.txt", 0, R_FILE_RO);
    __wasi_fd_t fd3;
    EXPECT_ERR2(open_at((int)fd, "x", 0, R_FILE_RO, 0, &fd3), E(NOTDIR), E(NOTCAPABLE));
    EXPECT_ERR2(__wasi_path_create_directory(fd, "x"), E(NOTDIR), E(NOTCAPABLE));
    EXPECT_OK(__wasi_fd_close(fd));

    /* hard link */
    EXPECT_OK(__wasi_path_link((__wasi_fd_t)g_data, 0, "api/f.txt", sub, "hard.txt"));
    EXPECT_OK(__wasi_path_filestat_get((__wasi_fd_t)g_data, 0, "api/f.txt", &st));
    EXPECT_OK(__wasi_path_filestat_get(sub, 0, "hard.txt", &st2));
    CHECK(st.ino == st2.ino && st.nlink == 2 && st2.nlink == 2, "link: ino %llu/%llu nlink %llu",
          (unsigned long long)st.ino, (unsigned long long)st2.ino, (unsigned long long)st.nlink);
    EXPECT_ERR(__wasi_path_link((__wasi_fd_t)g_data, 0, "api/f.txt", sub, "hard.txt"), E(EXIST));
    EXPECT_ERR(__wasi_path_link((__wasi_fd_t)g_data, 0, "api/nope", sub, "h2.txt"), E(NOENT));

    /* symlinks */
    EXPECT_OK(__wasi_path_symlink("f.txt", (__wasi_fd_t)g_data, "api/sym"));
    EXPECT_ERR(__wasi_path_symlink("f.txt", (__wasi_fd_t)g_data, "api/sym"), E(EXIST));
    char lb[64] = {0};
    __wasi_size_t ln = 0;
    EXPECT_OK(__wasi_path_readlink((__wasi_fd_t)g_data, "api/sym", (uint8_t *)lb, sizeof lb, &ln));
    CHECK(ln == 5 && memcmp(lb, "f.txt", 5) == 0, "readlink: %u '%.*s'", (unsigned)ln, (int)ln, lb);
    EXPECT_ERR(__wasi_path_readlink((__wasi_fd_t)g_data, "api/f.txt", (uint8_t *)lb, sizeof lb, &ln),
               E(INVAL));
    EXPECT_ERR(__wasi_path_readlink((__wasi_fd_t)g_data, "api/none", (uint8_t *)lb, sizeof lb, &ln),
               E(NOENT));
    EXPECT_OK(__wasi_path_filestat_get((__wasi_fd_t)g_data, 0, "api/sym", &st2));
    CHECK(st2.filetype == __WASI_FILETYPE_SYMBOLIC_LINK, "lstat of symlink: filetype %u",
          st2.filetype);
    EXPECT_OK(__wasi_path_filestat_get((__wasi_fd_t)g_data, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW,
                                       "api/sym", &st2));
    CHECK(st2.filetype == __WASI_FILETYPE_REGULAR_FILE && st2.ino == st.ino,
          "stat through symlink: filetype %u", st2.filetype);
    EXPECT_OK(open_at(g_data, "api/sym", 0, R_FILE_RO, 0, &fd));
    EXPECT_OK(__wasi_fd_filestat_get(fd, &st2));
    CHECK(st2.ino == st.ino, "open through symlink opened another file");
    EXPECT_OK(__wasi_fd_close(fd));
    /* without SYMLINK_FOLLOW a final symlink is not followed */
    EXPECT_ERR(__wasi_path_open((__wasi_fd_t)g_data, 0, "api/sym", 0, R_FILE_RO, 0, 0, &fd),
               E(LOOP));
    /* a dangling symlink */
    EXPECT_OK(__wasi_path_symlink("missing", (__wasi_fd_t)g_data, "api/dangling"));
    EXPECT_ERR(open_at(g_data, "api/dangling", 0, R_FILE_RO, 0, &fd), E(NOENT));

    /* rename */
    EXPECT_OK(__wasi_path_rename(sub, "hard.txt", (__wasi_fd_t)g_data, "api/renamed.txt"));
    EXPECT_ERR(__wasi_path_filestat_get(sub, 0, "hard.txt", &st2), E(NOENT));
    EXPECT_OK(__wasi_path_filestat_get((__wasi_fd_t)g_data, 0, "api/renamed.txt", &st2));
    CHECK(st2.ino == st.ino, "renamed file changed inode");
    EXPECT_ERR(__wasi_path_rename((__wasi_fd_t)g_data, "api/nope", (__wasi_fd_t)g_data, "api/x"),
               E(NOENT));
    EXPECT_OK(__wasi_path_create_directory((__wasi_fd_t)g_data, "api/d1"));
    EXPECT_OK(__wasi_path_create_directory((__wasi_fd_t)g_data, "api/d2"));
    EXPECT_OK(__wasi_path_create_directory((__wasi_fd_t)g_data, "api/d2/inner"));
    EXPECT_ERR(__wasi_path_rename((__wasi_fd_t)g_data, "api/d1", (__wasi_fd_t)g_data, "api/d2"),
               E(NOTEMPTY));
    EXPECT_ERR(__wasi_path_rename((__wasi_fd_t)g_data, "api/renamed.txt", (__wasi_fd_t)g_data,
                                  "api/d1"),
               E(ISDIR));
    EXPECT_ERR(__wasi_path_rename((__wasi_fd_t)g_data, "api/d1", (__wasi_fd_t)g_data,
                                  "api/renamed.txt"),
               E(NOTDIR));
    /* rename over an existing file replaces it */
    EXPECT_OK(__wasi_path_rename((__wasi_fd_t)g_data, "api/renamed.txt", (__wasi_fd_t)g_data,
                                 "api/g.txt"));
    EXPECT_OK(__wasi_path_filestat_get((__wasi_fd_t)g_data, 0, "api/g.txt", &st2));
    CHECK(st2.ino == st.ino, "rename over an existing file did not replace it");

    /* unlink and rmdir */
    EXPECT_OK(__wasi_path_unlink_file((__wasi_fd_t)g_data, "api/g.txt"));
    EXPECT_ERR(__wasi_path_unlink_file((__wasi_fd_t)g_data, "api/g.txt"), E(NOENT));
    EXPECT_ERR(__wasi_path_unlink_file((__wasi_fd_t)g_data, "api/d1"), E(ISDIR));
    EXPECT_OK(__wasi_path_unlink_file((__wasi_fd_t)g_data, "api/sym"));
    EXPECT_OK(__wasi_path_filestat_get((__wasi_fd_t)g_data, 0, "api/f.txt", &st2));
    EXPECT_ERR(__wasi_path_remove_directory((__wasi_fd_t)g_data, "api/d2"), E(NOTEMPTY));
    EXPECT_ERR(__wasi_path_remove_directory((__wasi_fd_t)g_data, "api/f.txt"), E(NOTDIR));
    EXPECT_OK(__wasi_path_remove_directory((__wasi_fd_t)g_data, "api/d2/inner"));
    EXPECT_OK(__wasi_path_remove_directory((__wasi_fd_t)g_data, "api/d2"));
    EXPECT_ERR(__wasi_path_remove_directory((__wasi_fd_t)g_data, "api/d2"), E(NOENT));
    EXPECT_ERR(__wasi_path_create_directory((__wasi_fd_t)g_data, "api/f.txt"), E(EXIST));
    EXPECT_OK(__wasi_fd_close(sub));
}

/* ---- fd_readdir ------------------------------------------------------------------------------ */

#define NFILES 40
struct ent {
    char name[64];
    uint64_t next, ino;
    uint8_t type;
};

/* Reads the whole directory with a buf_len-byte buffer, starting at cookie.
 * Returns the number of entries (without . and ..), -1 on error. */
static int list_dir(__wasi_fd_t dir, size_t buf_len, uint64_t cookie, struct ent *out, int max) {
    uint8_t *buf = malloc(buf_len);
    int count = 0;
    for (int rounds = 0; rounds < 10000; rounds++) {
        __wasi_size_t used = 0;
        __wasi_errno_t e = __wasi_fd_readdir(dir, buf, buf_len, cookie, &used);
        if (e) {
            FAILF("fd_readdir(cookie %llu): %d (%s)", (unsigned long long)cookie, e, errname(e));
            free(buf);
            return -1;
        }
        if (used > buf_len) {
            FAILF("fd_readdir reported %u bytes used of a %zu-byte buffer", (unsigned)used,
                  buf_len);
            free(buf);
            return -1;
        }
        size_t off = 0;
        int progressed = 0;
        while (off + sizeof(__wasi_dirent_t) <= used) {
            __wasi_dirent_t d;
            memcpy(&d, buf + off, sizeof d);
            if (off + sizeof d + d.d_namlen > used) break; /* cut off: resume at its cookie */
            char name[256];
            size_t nl = d.d_namlen < 255 ? d.d_namlen : 255;
            memcpy(name, buf + off + sizeof d, nl);
            name[nl] = 0;
            off += sizeof d + d.d_namlen;
            cookie = d.d_next;
            progressed = 1;
            if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0) continue;
            if (count < max) {
                snprintf(out[count].name, sizeof out[count].name, "%s", name);
                out[count].next = d.d_next;
                out[count].ino = d.d_ino;
                out[count].type = d.d_type;
            }
            count++;
        }
        if (used < buf_len) break; /* end of directory */
        if (!progressed) {
            FAILF("fd_readdir: a %zu-byte buffer holds no whole entry", buf_len);
            break;
        }
    }
    free(buf);
    return count;
}

static int find_ent(const struct ent *e, int n, const char *name) {
    for (int i = 0; i < n; i++)
        if (strcmp(e[i].name, name) == 0) return i;
    return -1;
}

static void test_readdir(void) {
    EXPECT_OK(__wasi_path_create_directory((__wasi_fd_t)g_data, "api/many"));
    __wasi_fd_t dir = must_open_dir(g_data, "api/many");
    char name[64];
    for (int i = 0; i < NFILES; i++) {
        snprintf(name, sizeof name, "file-with-a-longish-name-%03d.txt", i);
        __wasi_fd_t fd = must_open(dir, name, __WASI_OFLAGS_CREAT, R_FILE_RW);
        EXPECT_OK(__wasi_fd_close(fd));
    }
    EXPECT_OK(__wasi_path_create_directory(dir, "subdir"));
    EXPECT_OK(__wasi_path_symlink("subdir", dir, "link"));

    static struct ent a[NFILES + 8], b[NFILES + 8], c[NFILES + 8];
    int na = list_dir(dir, 4096, 0, a, NFILES + 8);
    CHECK(na == NFILES + 2, "readdir (4 KiB buffer) found %d entries, expected %d", na, NFILES + 2);
    /* small buffer: many calls, entries cut off in the middle */
    int nb = list_dir(dir, 100, 0, b, NFILES + 8);
    CHECK(nb == na, "readdir with a 100-byte buffer found %d entries, 4 KiB buffer %d", nb, na);
    if (na != NFILES + 2 || nb != na) return;
    for (int i = 0; i < NFILES; i++) {
        snprintf(name, sizeof name, "file-with-a-longish-name-%03d.txt", i);
        int k = find_ent(a, na, name);
        CHECK(k >= 0, "readdir did not list %s", name);
        CHECK(find_ent(b, nb, name) >= 0, "small-buffer readdir did not list %s", name);
        if (k < 0) continue;
        CHECK(a[k].type == __WASI_FILETYPE_REGULAR_FILE, "%s: d_type %u", name, a[k].type);
        if (i == 0) {
            __wasi_filestat_t st;
            EXPECT_OK(__wasi_path_filestat_get(dir, 0, name, &st));
            CHECK(a[k].ino == st.ino, "d_ino %llu != filestat ino %llu",
                  (unsigned long long)a[k].ino, (unsigned long long)st.ino);
        }
    }
    int ks = find_ent(a, na, "subdir"), kl = find_ent(a, na, "link");
    CHECK(ks >= 0 && a[ks].type == __WASI_FILETYPE_DIRECTORY, "subdir missing or wrong d_type");
    CHECK(kl >= 0 && a[kl].type == __WASI_FILETYPE_SYMBOLIC_LINK, "link missing or wrong d_type");
    /* listing twice gives the same order and cookies */
    int same = 1;
    for (int i = 0; i < na; i++)
        same &= strcmp(a[i].name, b[i].name) == 0 && a[i].next == b[i].next;
    CHECK(same, "two listings of an unchanged directory differ (order or cookies)");
    /* resuming from the cookie of entry k lists exactly the entries after it */
    int k = na / 2;
    int nc = list_dir(dir, 4096, a[k].next, c, NFILES + 8);
    CHECK(nc == na - k - 1, "resume from cookie of entry %d: %d entries, expected %d", k, nc,
          na - k - 1);
    if (nc == na - k - 1)
        for (int i = 0; i < nc; i++)
            CHECK(strcmp(c[i].name, a[k + 1 + i].name) == 0, "resume: entry %d is %s, expected %s",
                  i, c[i].name, a[k + 1 + i].name);
    /* the cookie after the last entry lists nothing */
    nc = list_dir(dir, 4096, a[na - 1].next, c, NFILES + 8);
    CHECK(nc == 0, "readdir after the last cookie listed %d entries", nc);
    /* readdir on a file is an error */
    __wasi_fd_t fd = must_open(g_data, "api/f.txt", 0, R_FILE_RO);
    uint8_t buf[256];
    __wasi_size_t used;
    __wasi_errno_t e = __wasi_fd_readdir(fd, buf, sizeof buf, 0, &used);
    CHECK(e == E(NOTDIR) || e == E(NOTCAPABLE) || e == E(BADF),
          "fd_readdir on a file: %d (%s)", e, errname(e));
    EXPECT_OK(__wasi_fd_close(fd));
    EXPECT_ERR(__wasi_fd_readdir(999, buf, sizeof buf, 0, &used), E(BADF));
    EXPECT_OK(__wasi_fd_close(dir));
}

/* ---- the read-only preopen ---------------------------------------------------------------- */

static void test_readonly(void) {
    __wasi_fd_t fd;
    /* reading works */
    EXPECT_OK(open_at(g_ro, "hello.txt", 0, R_FILE_RO, 0, &fd));
    char buf[64] = {0};
    CHECK(pread_n(fd, 0, buf, sizeof buf) == 10 && memcmp(buf, "hello, ro\n", 10) == 0,
          "/ro/hello.txt content '%s'", buf);
    __wasi_fdstat_t fs;
    EXPECT_OK(__wasi_fd_fdstat_get(fd, &fs));
    CHECK(!(fs.fs_rights_base & R(FD_WRITE)), "file opened read-only under /ro has FD_WRITE");
    __wasi_size_t n;
    EXPECT_ERR2(write_str(fd, "x", &n), E(NOTCAPABLE), E(BADF));
    EXPECT_ERR2(__wasi_fd_filestat_set_size(fd, 0), E(NOTCAPABLE), E(BADF));
    EXPECT_ERR2(__wasi_fd_allocate(fd, 0, 100), E(NOTCAPABLE), E(BADF));
    EXPECT_ERR(__wasi_fd_fdstat_set_rights(fd, fs.fs_rights_base | R(FD_WRITE), 0), E(NOTCAPABLE));
    EXPECT_OK(__wasi_fd_close(fd));
    /* opening for writing: refused, or opened without the write right */
    __wasi_errno_t e = open_at(g_ro, "hello.txt", 0, R_FILE_RW, 0, &fd);
    if (e == 0) {
        EXPECT_OK(__wasi_fd_fdstat_get(fd, &fs));
        CHECK(!(fs.fs_rights_base & R(FD_WRITE)), "/ro/hello.txt opened with FD_WRITE");
        EXPECT_ERR2(write_str(fd, "x", &n), E(NOTCAPABLE), E(BADF));
        EXPECT_OK(__wasi_fd_close(fd));
    } else {
        CHECK(e == E(NOTCAPABLE), "open /ro/hello.txt for writing: %d (%s), expected NOTCAPABLE", e,
              errname(e));
    }
    EXPECT_ERR(open_at(g_ro, "hello.txt", __WASI_OFLAGS_TRUNC, R_FILE_RW, 0, &fd), E(NOTCAPABLE));
    EXPECT_ERR(open_at(g_ro, "new.txt", __WASI_OFLAGS_CREAT, R_FILE_RW, 0, &fd), E(NOTCAPABLE));
    EXPECT_ERR(open_at(g_ro, "new.txt", __WASI_OFLAGS_CREAT, R_FILE_RO, 0, &fd), E(NOTCAPABLE));
    EXPECT_ERR(__wasi_path_create_directory((__wasi_fd_t)g_ro, "newdir"), E(NOTCAPABLE));
    EXPECT_ERR(__wasi_path_unlink_file((__wasi_fd_t)g_ro, "hello.txt"), E(NOTCAPABLE));
    EXPECT_ERR(__wasi_path_remove_directory((__wasi_fd_t)g_ro, "dir"), E(NOTCAPABLE));
    EXPECT_ERR(__wasi_path_rename((__wasi_fd_t)g_ro, "hello.txt", (__wasi_fd_t)g_ro, "moved.txt"),
               E(NOTCAPABLE));
    EXPECT_ERR(__wasi_path_symlink("hello.txt", (__wasi_fd_t)g_ro, "sl"), E(NOTCAPABLE));
    EXPECT_ERR(__wasi_path_link((__wasi_fd_t)g_ro, 0, "hello.txt", (__wasi_fd_t)g_ro, "hl"),
               E(NOTCAPABLE));
    EXPECT_ERR(__wasi_path_filestat_set_times((__wasi_fd_t)g_ro, 0, "hello.txt", 0, 0,
                                              __WASI_FSTFLAGS_MTIM_NOW),
               E(NOTCAPABLE));
    /* a directory opened under /ro inherits the restriction */
    EXPECT_OK(__wasi_path_open((__wasi_fd_t)g_ro, 0, "dir", __WASI_OFLAGS_DIRECTORY, R_DIR_RO,
                               R_FILE_RO | R_DIR_RO, 0, &fd));
    __wasi_fd_t fd2;
    EXPECT_ERR(open_at((int)fd, "new.txt", __WASI_OFLAGS_CREAT, R_FILE_RO, 0, &fd2), E(NOTCAPABLE));
    EXPECT_ERR(__wasi_path_create_directory(fd, "x"), E(NOTCAPABLE));
    EXPECT_OK(__wasi_fd_close(fd));
    /* moving a file from /data into /ro, or linking it there */
    EXPECT_ERR(__wasi_path_rename((__wasi_fd_t)g_data, "api/f.txt", (__wasi_fd_t)g_ro, "f.txt"),
               E(NOTCAPABLE));
    EXPECT_ERR(__wasi_path_link((__wasi_fd_t)g_data, 0, "api/f.txt", (__wasi_fd_t)g_ro, "f.txt"),
               E(NOTCAPABLE));
    __wasi_filestat_t st;
    EXPECT_ERR(__wasi_path_filestat_get((__wasi_fd_t)g_ro, 0, "f.txt", &st), E(NOENT));
    EXPECT_ERR(__wasi_path_filestat_get((__wasi_fd_t)g_ro, 0, "new.txt", &st), E(NOENT));
    EXPECT_ERR(__wasi_path_filestat_get((__wasi_fd_t)g_ro, 0, "newdir", &st), E(NOENT));
    EXPECT_OK(__wasi_path_filestat_get((__wasi_fd_t)g_ro, 0, "hello.txt", &st));
    CHECK(st.size == 10, "/ro/hello.txt size changed to %llu", (unsigned long long)st.size);
}

/* ---- poll_oneoff, sockets ------------------------------------------------------------------ */

static void test_poll_sock(void) {
    __wasi_subscription_t sub[2];
    __wasi_event_t ev[2];
    __wasi_size_t nev = 0;
    memset(sub, 0, sizeof sub);
    memset(ev, 0, sizeof ev);
    sub[0].userdata = 42;
    sub[0].u.tag = __WASI_EVENTTYPE_CLOCK;
    sub[0].u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
    sub[0].u.u.clock.timeout = 1000000; /* 1 ms */
    EXPECT_OK(__wasi_poll_oneoff(sub, ev, 1, &nev));
    CHECK(nev == 1 && ev[0].userdata == 42 && ev[0].type == __WASI_EVENTTYPE_CLOCK &&
              ev[0].error == 0,
          "poll clock: nev %u userdata %llu type %u error %u", (unsigned)nev,
          (unsigned long long)ev[0].userdata, ev[0].type, ev[0].error);
    /* a regular file is always readable */
    __wasi_fd_t fd = must_open(g_data, "api/f.txt", 0, R_FILE_RO);
    sub[0].userdata = 7;
    sub[0].u.tag = __WASI_EVENTTYPE_FD_READ;
    sub[0].u.u.fd_read.file_descriptor = fd;
    sub[1].userdata = 8;
    sub[1].u.tag = __WASI_EVENTTYPE_CLOCK;
    sub[1].u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
    sub[1].u.u.clock.timeout = 5000000000ull;
    EXPECT_OK(__wasi_poll_oneoff(sub, ev, 2, &nev));
    CHECK(nev >= 1 && ev[0].userdata == 7 && ev[0].type == __WASI_EVENTTYPE_FD_READ &&
              ev[0].error == 0,
          "poll fd_read on a file: nev %u userdata %llu type %u error %u", (unsigned)nev,
          (unsigned long long)ev[0].userdata, ev[0].type, ev[0].error);
    EXPECT_ERR(__wasi_poll_oneoff(sub, ev, 0, &nev), E(INVAL));

    /* sockets: a file is no socket, 999 is no fd */
    __wasi_fd_t nfd;
    uint8_t b[8];
    __wasi_iovec_t iov = {b, sizeof b};
    __wasi_ciovec_t ciov = {b, sizeof b};
    __wasi_size_t nr;
    __wasi_roflags_t rof;
    EXPECT_ERR2(__wasi_sock_accept(fd, 0, &nfd), E(NOTSOCK), E(BADF));
    EXPECT_ERR2(__wasi_sock_recv(fd, &iov, 1, 0, &nr, &rof), E(NOTSOCK), E(BADF));
    EXPECT_ERR2(__wasi_sock_send(fd, &ciov, 1, 0, &nr), E(NOTSOCK), E(BADF));
    EXPECT_ERR2(__wasi_sock_shutdown(fd, __WASI_SDFLAGS_RD | __WASI_SDFLAGS_WR), E(NOTSOCK),
                E(BADF));
    EXPECT_ERR(__wasi_sock_accept(999, 0, &nfd), E(BADF));
    EXPECT_ERR(__wasi_sock_recv(999, &iov, 1, 0, &nr, &rof), E(BADF));
    EXPECT_ERR(__wasi_sock_send(999, &ciov, 1, 0, &nr), E(BADF));
    EXPECT_ERR(__wasi_sock_shutdown(999, __WASI_SDFLAGS_WR), E(BADF));
    EXPECT_OK(__wasi_fd_close(fd));
}

int main(void) {
    guest_init();
    test_args_env();
    test_clocks();
    test_random_sched_proc();
    test_stdio_prestat();
    test_file_io();
    test_paths();
    test_readdir();
    test_readonly();
    test_poll_sock();
    return guest_finish("wasi_api");
}
