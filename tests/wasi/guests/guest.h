/*
 * Shared helpers for the WASI test guests (compiled to wasm32-wasi only).
 *
 * A guest checks its own results: the first failed check prints
 * "FAIL file:line: what" on stderr and exits with status 1, so the test is the
 * exit status. With the environment variable WG_KEEP_GOING=1 a guest reports
 * every failed check instead (for diagnosis) and exits 1 at the end.
 *
 * Raw imports (wg_raw_*) call wasi_snapshot_preview1 functions with plain i32
 * arguments, so a test can hand the host an out-of-bounds pointer.
 */
#ifndef WG_GUEST_H
#define WG_GUEST_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wasi/api.h>

static int g_keep_going;
static int g_failures;
static int g_checks;
static int g_verbose;

static const char *const g_errnames[] = {
    "SUCCESS", "2BIG", "ACCES", "ADDRINUSE", "ADDRNOTAVAIL", "AFNOSUPPORT", "AGAIN", "ALREADY",
    "BADF", "BADMSG", "BUSY", "CANCELED", "CHILD", "CONNABORTED", "CONNREFUSED", "CONNRESET",
    "DEADLK", "DESTADDRREQ", "DOM", "DQUOT", "EXIST", "FAULT", "FBIG", "HOSTUNREACH", "IDRM",
    "ILSEQ", "INPROGRESS", "INTR", "INVAL", "IO", "ISCONN", "ISDIR", "LOOP", "MFILE", "MLINK",
    "MSGSIZE", "MULTIHOP", "NAMETOOLONG", "NETDOWN", "NETRESET", "NETUNREACH", "NFILE", "NOBUFS",
    "NODEV", "NOENT", "NOEXEC", "NOLCK", "NOLINK", "NOMEM", "NOMSG", "NOPROTOOPT", "NOSPC",
    "NOSYS", "NOTCONN", "NOTDIR", "NOTEMPTY", "NOTRECOVERABLE", "NOTSOCK", "NOTSUP", "NOTTY",
    "NXIO", "OVERFLOW", "OWNERDEAD", "PERM", "PIPE", "PROTO", "PROTONOSUPPORT", "PROTOTYPE",
    "RANGE", "ROFS", "SPIPE", "SRCH", "STALE", "TIMEDOUT", "TXTBSY", "XDEV", "NOTCAPABLE",
};

static inline const char *errname(int e) {
    if (e >= 0 && e < (int)(sizeof g_errnames / sizeof g_errnames[0])) return g_errnames[e];
    return "?";
}

static inline void guest_init(void) {
    const char *k = getenv("WG_KEEP_GOING");
    g_keep_going = k && *k && strcmp(k, "0") != 0;
    const char *v = getenv("WG_VERBOSE");
    g_verbose = v && *v && strcmp(v, "0") != 0;
}

/* Ends the guest: 0 if every check passed. */
static inline int guest_finish(const char *name) {
    if (g_failures) {
        fprintf(stderr, "%s: %d of %d checks failed\n", name, g_failures, g_checks);
        return 1;
    }
    printf("%s: all %d checks passed\n", name, g_checks);
    return 0;
}

#define FAILF(...)                                                  \
    do {                                                            \
        fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);        \
        fprintf(stderr, __VA_ARGS__);                               \
        fputc('\n', stderr);                                        \
        g_failures++;                                               \
        if (!g_keep_going) exit(1);                                 \
    } while (0)

#define CHECK(cond, ...)                                            \
    do {                                                            \
        g_checks++;                                                 \
        if (!(cond)) FAILF(__VA_ARGS__);                            \
    } while (0)

/* `call` must return the errno `want`. */
#define EXPECT_ERR(call, want)                                                          \
    do {                                                                                \
        int e_ = (int)(call);                                                           \
        int w_ = (int)(want);                                                           \
        g_checks++;                                                                     \
        if (e_ != w_)                                                                   \
            FAILF("%s: got %d (%s), expected %d (%s)", #call, e_, errname(e_), w_,      \
                  errname(w_));                                                         \
    } while (0)

#define EXPECT_OK(call) EXPECT_ERR(call, 0)

/* `call` must return one of two errnos. */
#define EXPECT_ERR2(call, w1, w2)                                                       \
    do {                                                                                \
        int e_ = (int)(call);                                                           \
        g_checks++;                                                                     \
        if (e_ != (int)(w1) && e_ != (int)(w2))                                         \
            FAILF("%s: got %d (%s), expected %s or %s", #call, e_, errname(e_),         \
                  errname((int)(w1)), errname((int)(w2)));                              \
    } while (0)

/* ---- raw imports: i32 pointers, so tests can pass out-of-bounds ones ---- */
#define WG_RAW_IMPORT(name) \
    __attribute__((import_module("wasi_snapshot_preview1"), import_name(#name)))

WG_RAW_IMPORT(random_get) int32_t wg_raw_random_get(int32_t buf, int32_t len);
WG_RAW_IMPORT(fd_write) int32_t wg_raw_fd_write(int32_t fd, int32_t iovs, int32_t n, int32_t nw);
WG_RAW_IMPORT(fd_read) int32_t wg_raw_fd_read(int32_t fd, int32_t iovs, int32_t n, int32_t nr);
WG_RAW_IMPORT(clock_time_get)
int32_t wg_raw_clock_time_get(int32_t id, int64_t precision, int32_t out);
WG_RAW_IMPORT(path_open)
int32_t wg_raw_path_open(int32_t fd, int32_t dirflags, int32_t path, int32_t path_len,
                         int32_t oflags, int64_t base, int64_t inheriting, int32_t fdflags,
                         int32_t out);
WG_RAW_IMPORT(args_sizes_get) int32_t wg_raw_args_sizes_get(int32_t argc, int32_t bufsize);
/* proc_raise is no longer declared by <wasi/api.h> but is still part of preview1 */
WG_RAW_IMPORT(proc_raise) int32_t wg_raw_proc_raise(int32_t sig);

/* An address past the end of guest memory (2 GiB - 256: beyond what these
 * guests use, and ptr + len does not wrap around 32 bits). */
#define WG_BAD_PTR ((int32_t)0x7FFFFF00u)

/* Finds a preopened directory by its guest name; -1 if there is none. */
static inline int find_preopen(const char *name) {
    for (__wasi_fd_t fd = 3; fd < 256; fd++) {
        __wasi_prestat_t ps;
        __wasi_errno_t e = __wasi_fd_prestat_get(fd, &ps);
        if (e == __WASI_ERRNO_BADF) break;
        if (e != 0 || ps.tag != __WASI_PREOPENTYPE_DIR) continue;
        char buf[512];
        size_t len = ps.u.dir.pr_name_len;
        if (len >= sizeof buf) continue;
        if (__wasi_fd_prestat_dir_name(fd, (uint8_t *)buf, len) != 0) continue;
        buf[len] = 0;
        if (strcmp(buf, name) == 0) return (int)fd;
    }
    return -1;
}

#endif
