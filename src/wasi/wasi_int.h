/*
 * WASI preview1 internals shared by the src/wasi files: the function list, errno and
 * rights constants, the per-instance state and its fd table, and helpers to
 * reach guest memory safely.
 *
 * Layout of the layer:
 *   wasi.c        config, wg_wasi life cycle, registration, run_start, memory helpers
 *   wasi_fd.c     fd_* functions on open descriptors, stdio buffers
 *   wasi_path.c   path_* functions and fd_readdir (through sandbox.c)
 *   sandbox.c     resolving a guest path beneath a directory fd (openat2 or a walk)
 *   wasi_misc.c   args, environ, clocks, random, proc, sched, poll_oneoff, sock_*
 *   wasi_fsops.c  } what acts on the host, shared with WASI 0.2 (src/wasi2):
 *   wasi_hostio.c } file operations, interruptible I/O, clocks, random
 *                 (wasi_host.h)
 *
 * Every host function has the engine's host signature (wg_host_fn): arguments
 * in slots[] (i32 in the low 32 bits), the errno result written to slots[0].
 * Guest pointers are checked against memory 0 before every access
 * (wg__wasi_mem); a bad pointer is WG_WASI_EFAULT, never a host crash.
 */
#ifndef WG_WASI_INT_H
#define WG_WASI_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wasmgate/wasi.h"
#include "wasmgate/wasmgate.h"

/* X(name, params, results): params/results as letters i (i32) and I (i64).
 * Each is implemented by `int wg__wasi_<name>(wg_ctx *, uint64_t *slots, void *)`. */
#define WG_WASI_FUNCS(X)                                    \
    X(args_get, "ii", "i")                                  \
    X(args_sizes_get, "ii", "i")                            \
    X(environ_get, "ii", "i")                               \
    X(environ_sizes_get, "ii", "i")                         \
    X(clock_res_get, "ii", "i")                             \
    X(clock_time_get, "iIi", "i")                           \
    X(fd_advise, "iIIi", "i")                               \
    X(fd_allocate, "iII", "i")                              \
    X(fd_close, "i", "i")                                   \
    X(fd_datasync, "i", "i")                                \
    X(fd_fdstat_get, "ii", "i")                             \
    X(fd_fdstat_set_flags, "ii", "i")                       \
    X(fd_fdstat_set_rights, "iII", "i")                     \
    X(fd_filestat_get, "ii", "i")                           \
    X(fd_filestat_set_size, "iI", "i")                      \
    X(fd_filestat_set_times, "iIIi", "i")                   \
    X(fd_pread, "iiiIi", "i")                               \
    X(fd_prestat_get, "ii", "i")                            \
    X(fd_prestat_dir_name, "iii", "i")                      \
    X(fd_pwrite, "iiiIi", "i")                              \
    X(fd_read, "iiii", "i")                                 \
    X(fd_readdir, "iiiIi", "i")                             \
    X(fd_renumber, "ii", "i")                               \
    X(fd_seek, "iIii", "i")                                 \
    X(fd_sync, "i", "i")                                    \
    X(fd_tell, "ii", "i")                                   \
    X(fd_write, "iiii", "i")                                \
    X(path_create_directory, "iii", "i")                    \
    X(path_filestat_get, "iiiii", "i")                      \
    X(path_filestat_set_times, "iiiiIIi", "i")              \
    X(path_link, "iiiiiii", "i")                            \
    X(path_open, "iiiiiIIii", "i")                          \
    X(path_readlink, "iiiiii", "i")                         \
    X(path_remove_directory, "iii", "i")                    \
    X(path_rename, "iiiiii", "i")                           \
    X(path_symlink, "iiiii", "i")                           \
    X(path_unlink_file, "iii", "i")                         \
    X(poll_oneoff, "iiii", "i")                             \
    X(proc_exit, "i", "")                                   \
    X(proc_raise, "i", "i")                                 \
    X(sched_yield, "", "i")                                 \
    X(random_get, "ii", "i")                                \
    X(sock_accept, "iii", "i")                              \
    X(sock_recv, "iiiiii", "i")                             \
    X(sock_send, "iiiii", "i")                              \
    X(sock_shutdown, "ii", "i")

#define X(name, params, results) int wg__wasi_##name(wg_ctx *ctx, uint64_t *slots, void *ud);
WG_WASI_FUNCS(X)
#undef X

/* WASI errno values (wasi_snapshot_preview1 `errno`). */
#define WG_WASI_ERRNO(X)                                                        \
    X(SUCCESS, 0) X(2BIG, 1) X(ACCES, 2) X(ADDRINUSE, 3) X(ADDRNOTAVAIL, 4)     \
    X(AFNOSUPPORT, 5) X(AGAIN, 6) X(ALREADY, 7) X(BADF, 8) X(BADMSG, 9)         \
    X(BUSY, 10) X(CANCELED, 11) X(CHILD, 12) X(CONNABORTED, 13)                 \
    X(CONNREFUSED, 14) X(CONNRESET, 15) X(DEADLK, 16) X(DESTADDRREQ, 17)        \
    X(DOM, 18) X(DQUOT, 19) X(EXIST, 20) X(FAULT, 21) X(FBIG, 22)               \
    X(HOSTUNREACH, 23) X(IDRM, 24) X(ILSEQ, 25) X(INPROGRESS, 26) X(INTR, 27)   \
    X(INVAL, 28) X(IO, 29) X(ISCONN, 30) X(ISDIR, 31) X(LOOP, 32) X(MFILE, 33)  \
    X(MLINK, 34) X(MSGSIZE, 35) X(MULTIHOP, 36) X(NAMETOOLONG, 37)              \
    X(NETDOWN, 38) X(NETRESET, 39) X(NETUNREACH, 40) X(NFILE, 41)               \
    X(NOBUFS, 42) X(NODEV, 43) X(NOENT, 44) X(NOEXEC, 45) X(NOLCK, 46)          \
    X(NOLINK, 47) X(NOMEM, 48) X(NOMSG, 49) X(NOPROTOOPT, 50) X(NOSPC, 51)      \
    X(NOSYS, 52) X(NOTCONN, 53) X(NOTDIR, 54) X(NOTEMPTY, 55)                   \
    X(NOTRECOVERABLE, 56) X(NOTSOCK, 57) X(NOTSUP, 58) X(NOTTY, 59) X(NXIO, 60) \
    X(OVERFLOW, 61) X(OWNERDEAD, 62) X(PERM, 63) X(PIPE, 64) X(PROTO, 65)       \
    X(PROTONOSUPPORT, 66) X(PROTOTYPE, 67) X(RANGE, 68) X(ROFS, 69)             \
    X(SPIPE, 70) X(SRCH, 71) X(STALE, 72) X(TIMEDOUT, 73) X(TXTBSY, 74)         \
    X(XDEV, 75) X(NOTCAPABLE, 76)

enum {
#define X(name, value) WG_WASI_E##name = value,
    WG_WASI_ERRNO(X)
#undef X
};

/* Maps a host errno value to the WASI errno (EIO for anything unknown). */
int wg__wasi_errno(int host_errno);

/* Rights (wasi_snapshot_preview1 `rights`). */
#define WG_WASI_RIGHT_FD_DATASYNC (1ull << 0)
#define WG_WASI_RIGHT_FD_READ (1ull << 1)
#define WG_WASI_RIGHT_FD_SEEK (1ull << 2)
#define WG_WASI_RIGHT_FD_FDSTAT_SET_FLAGS (1ull << 3)
#define WG_WASI_RIGHT_FD_SYNC (1ull << 4)
#define WG_WASI_RIGHT_FD_TELL (1ull << 5)
#define WG_WASI_RIGHT_FD_WRITE (1ull << 6)
#define WG_WASI_RIGHT_FD_ADVISE (1ull << 7)
#define WG_WASI_RIGHT_FD_ALLOCATE (1ull << 8)
#define WG_WASI_RIGHT_PATH_CREATE_DIRECTORY (1ull << 9)
#define WG_WASI_RIGHT_PATH_CREATE_FILE (1ull << 10)
#define WG_WASI_RIGHT_PATH_LINK_SOURCE (1ull << 11)
#define WG_WASI_RIGHT_PATH_LINK_TARGET (1ull << 12)
#define WG_WASI_RIGHT_PATH_OPEN (1ull << 13)
#define WG_WASI_RIGHT_FD_READDIR (1ull << 14)
#define WG_WASI_RIGHT_PATH_READLINK (1ull << 15)
#define WG_WASI_RIGHT_PATH_RENAME_SOURCE (1ull << 16)
#define WG_WASI_RIGHT_PATH_RENAME_TARGET (1ull << 17)
#define WG_WASI_RIGHT_PATH_FILESTAT_GET (1ull << 18)
#define WG_WASI_RIGHT_PATH_FILESTAT_SET_SIZE (1ull << 19)
#define WG_WASI_RIGHT_PATH_FILESTAT_SET_TIMES (1ull << 20)
#define WG_WASI_RIGHT_FD_FILESTAT_GET (1ull << 21)
#define WG_WASI_RIGHT_FD_FILESTAT_SET_SIZE (1ull << 22)
#define WG_WASI_RIGHT_FD_FILESTAT_SET_TIMES (1ull << 23)
#define WG_WASI_RIGHT_PATH_SYMLINK (1ull << 24)
#define WG_WASI_RIGHT_PATH_REMOVE_DIRECTORY (1ull << 25)
#define WG_WASI_RIGHT_PATH_UNLINK_FILE (1ull << 26)
#define WG_WASI_RIGHT_POLL_FD_READWRITE (1ull << 27)
#define WG_WASI_RIGHT_SOCK_SHUTDOWN (1ull << 28)
#define WG_WASI_RIGHT_SOCK_ACCEPT (1ull << 29)
#define WG_WASI_RIGHTS_ALL ((1ull << 30) - 1)
/* Rights that can modify anything: removed on read-only preopens. */
#define WG_WASI_RIGHTS_WRITE                                                          \
    (WG_WASI_RIGHT_FD_DATASYNC | WG_WASI_RIGHT_FD_WRITE | WG_WASI_RIGHT_FD_ALLOCATE | \
     WG_WASI_RIGHT_PATH_CREATE_DIRECTORY | WG_WASI_RIGHT_PATH_CREATE_FILE |           \
     WG_WASI_RIGHT_PATH_LINK_SOURCE | WG_WASI_RIGHT_PATH_LINK_TARGET |                \
     WG_WASI_RIGHT_PATH_RENAME_SOURCE | WG_WASI_RIGHT_PATH_RENAME_TARGET |            \
     WG_WASI_RIGHT_PATH_FILESTAT_SET_SIZE | WG_WASI_RIGHT_PATH_FILESTAT_SET_TIMES |   \
     WG_WASI_RIGHT_FD_FILESTAT_SET_SIZE | WG_WASI_RIGHT_FD_FILESTAT_SET_TIMES |       \
     WG_WASI_RIGHT_PATH_SYMLINK | WG_WASI_RIGHT_PATH_REMOVE_DIRECTORY |               \
     WG_WASI_RIGHT_PATH_UNLINK_FILE | WG_WASI_RIGHT_FD_SYNC)

/* Rights a directory fd can use: everything acting on the directory or on
 * paths beneath it, none of the byte-stream ones (read, write, seek...). */
#define WG_WASI_RIGHTS_DIR                                                                       \
    (WG_WASI_RIGHT_FD_FDSTAT_SET_FLAGS | WG_WASI_RIGHT_FD_SYNC | WG_WASI_RIGHT_FD_DATASYNC |     \
     WG_WASI_RIGHT_PATH_CREATE_DIRECTORY | WG_WASI_RIGHT_PATH_CREATE_FILE |                     \
     WG_WASI_RIGHT_PATH_LINK_SOURCE | WG_WASI_RIGHT_PATH_LINK_TARGET | WG_WASI_RIGHT_PATH_OPEN | \
     WG_WASI_RIGHT_FD_READDIR | WG_WASI_RIGHT_PATH_READLINK | WG_WASI_RIGHT_PATH_RENAME_SOURCE | \
     WG_WASI_RIGHT_PATH_RENAME_TARGET | WG_WASI_RIGHT_PATH_FILESTAT_GET |                       \
     WG_WASI_RIGHT_PATH_FILESTAT_SET_SIZE | WG_WASI_RIGHT_PATH_FILESTAT_SET_TIMES |             \
     WG_WASI_RIGHT_FD_FILESTAT_GET | WG_WASI_RIGHT_FD_FILESTAT_SET_TIMES |                      \
     WG_WASI_RIGHT_PATH_SYMLINK | WG_WASI_RIGHT_PATH_REMOVE_DIRECTORY |                         \
     WG_WASI_RIGHT_PATH_UNLINK_FILE | WG_WASI_RIGHT_POLL_FD_READWRITE)

/* filetype */
enum {
    WG_WASI_FILETYPE_UNKNOWN = 0, WG_WASI_FILETYPE_BLOCK_DEVICE = 1,
    WG_WASI_FILETYPE_CHARACTER_DEVICE = 2, WG_WASI_FILETYPE_DIRECTORY = 3,
    WG_WASI_FILETYPE_REGULAR_FILE = 4, WG_WASI_FILETYPE_SOCKET_DGRAM = 5,
    WG_WASI_FILETYPE_SOCKET_STREAM = 6, WG_WASI_FILETYPE_SYMBOLIC_LINK = 7,
};

/* fdflags */
#define WG_WASI_FDFLAG_APPEND 1u
#define WG_WASI_FDFLAG_DSYNC 2u
#define WG_WASI_FDFLAG_NONBLOCK 4u
#define WG_WASI_FDFLAG_RSYNC 8u
#define WG_WASI_FDFLAG_SYNC 16u

/* ---- configuration and state ---- */

/* A growable byte buffer for captured output. */
typedef struct wg_wasi_outbuf {
    uint8_t *data;
    size_t len, cap_alloc;
    size_t limit;             /* the capture cap */
    bool truncated;           /* the guest wrote past limit */
} wg_wasi_outbuf;

typedef struct wg_wasi_stdio_cfg {
    wg_wasi_stdio_kind kind;
    int hostfd;               /* WG_WASI_STDIO_FD */
    const uint8_t *data;      /* stdin buffer (borrowed) */
    size_t len;
    size_t cap;               /* stdout/stderr capture cap */
} wg_wasi_stdio_cfg;

typedef struct wg_wasi_preopen {
    int dirfd;                /* O_PATH|O_DIRECTORY, owned by the config */
    char *host_path;
    char *guest_path;
    bool read_only;
} wg_wasi_preopen;

struct wg_wasi_config {
    char **args; size_t nargs;
    char **env; size_t nenv;        /* "NAME=VALUE" strings */
    wg_wasi_preopen *preopens; size_t npreopens;
    wg_wasi_stdio_cfg stdio[3];
    bool output_limit_traps;        /* a stdout capture write past its cap traps (never stderr) */
    size_t max_open_files;          /* per-instance cap on guest-created fds; 0: none */
    wg_wasi_fd_budget *fd_budget;   /* shared cap on guest-created fds (borrowed), or NULL */
};

/* What an fd table slot holds. */
typedef enum wg_wasi_fd_kind {
    WG_WASI_FD_FREE = 0,
    WG_WASI_FD_HOST,          /* a host file descriptor (file, directory, socket, tty...) */
    WG_WASI_FD_STDIN_BUF,     /* stdin from a byte buffer */
    WG_WASI_FD_OUT_BUF,       /* captured stdout/stderr */
    WG_WASI_FD_NULL,          /* reads EOF, writes discarded */
} wg_wasi_fd_kind;

typedef struct wg_wasi_fd {
    wg_wasi_fd_kind kind;
    uint8_t filetype;         /* WG_WASI_FILETYPE_* */
    int hostfd;               /* WG_WASI_FD_HOST: the descriptor */
    bool owned;               /* close hostfd when the guest closes this fd */
    bool preopen;             /* a preopened directory (fd_prestat_*) */
    bool read_only;           /* beneath a read-only preopen */
    const char *guest_path;   /* preopen name (owned by the config) */
    uint64_t rights_base;
    uint64_t rights_inheriting;
    uint16_t fdflags;         /* WG_WASI_FDFLAG_* as the guest set them */
    int stream;               /* 0/1/2 for the buffer kinds */
    void *dir;                /* readdir state (wasi_path.c owns its format), or NULL */
    bool charged;             /* created by the guest: holds a place under the open-file
                                 limits (wg__wasi_fd_charge), given back on release */
} wg_wasi_fd;

/* The fd table's hard size: guest fds are below it (fd_insert answers MFILE
 * past it, whatever max_open_files says). */
#define WG_WASI_MAX_FDS 65536u

struct wg_wasi {
    const wg_wasi_config *cfg;
    wg_wasi_fd *fds;          /* the fd table, indexed by guest fd */
    uint32_t nfds;            /* slots in use or free below this */
    uint32_t cap;
    char **args; size_t nargs;      /* effective args (config's or per-instance, owned if args_owned) */
    bool args_owned;
    char **env; size_t nenv;        /* effective env: config's followed by per-instance extras */
    size_t env_cap;                 /* slots allocated at env (grows geometrically) */
    size_t nenv_cfg;                /* how many of env come from the config (borrowed) */
    const uint8_t *stdin_data; size_t stdin_len, stdin_pos;
    wg_wasi_outbuf out[3];          /* [1] stdout, [2] stderr captures */
    size_t max_open;                /* the config's max_open_files when w was made; 0: none */
    wg_wasi_fd_budget *budget;      /* the config's fd budget when w was made, or NULL */
    size_t nopen;                   /* charged (guest-created) fds now in the table */
    /* WASI 0.2's resources (src/wasi2), made on its first call, and how to
     * free them: a pointer, so that preview1 needs nothing of WASI 0.2. */
    void *p2;
    void (*p2_free)(wg_wasi *w, void *p2);
};

/* The calling instance's wg_wasi, or NULL (the caller then traps). */
wg_wasi *wg__wasi_of(wg_ctx *ctx);

/* In a host function (wg_ctx *ctx, uint64_t *slots): `GET_WASI(w);` declares
 * the instance's wg_wasi or traps; ARG32/ARG64 read argument i. */
#define NO_WASI "WASI is not configured for this instance"
#define GET_WASI(w)                                   \
    wg_wasi *w = wg__wasi_of(ctx);                    \
    if (!w) return wg_ctx_trap(ctx, NO_WASI)
#define ARG32(i) ((uint32_t)slots[i])
#define ARG64(i) (slots[i])

/* Guest memory [ptr, ptr+len) as a host pointer, or NULL if out of bounds
 * (then the function returns WG_WASI_EFAULT). Valid until the guest runs again
 * or memory grows. */
uint8_t *wg__wasi_mem(wg_ctx *ctx, uint32_t ptr, uint64_t len);

/* The fd table entry for a guest fd that holds at least `rights`, or NULL with
 * *err set to BADF (no such fd) or NOTCAPABLE (missing rights). */
wg_wasi_fd *wg__wasi_fd_get(wg_wasi *w, uint32_t fd, uint64_t rights, int *err);

/* Takes one place under the open-file limits for a descriptor the guest is
 * about to create, before the host resource exists. WASI errno: SUCCESS, MFILE
 * (w's max_open_files reached), NFILE (the shared budget is spent). After a
 * success the caller either installs an entry with `charged` set (the table
 * then owns the place) or gives it back with wg__wasi_fd_uncharge. */
int wg__wasi_fd_charge(wg_wasi *w);
void wg__wasi_fd_uncharge(wg_wasi *w);

/* Installs e in the lowest free slot; returns the guest fd, or -1 with *err =
 * NOMEM or MFILE (the table is at its hard maximum). On failure nothing of e
 * is kept: the caller still owns its host fd and its charge. */
int64_t wg__wasi_fd_insert(wg_wasi *w, const wg_wasi_fd *e, int *err);

/* Closes an entry's host resources (if owned), gives back its place under the
 * open-file limits (if charged) and marks the slot free. */
void wg__wasi_fd_release(wg_wasi *w, wg_wasi_fd *e);

/* Writes captured output (stream 1 or 2), honouring the cap. */
void wg__wasi_outbuf_write(wg_wasi_outbuf *b, const uint8_t *data, size_t len);

/* Little-endian stores into guest memory (already bounds-checked pointer). */
static inline void wg__wasi_put_u16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static inline void wg__wasi_put_u32(uint8_t *p, uint32_t v) {
    for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}
static inline void wg__wasi_put_u64(uint8_t *p, uint64_t v) {
    for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i));
}
static inline uint32_t wg__wasi_get_u32(const uint8_t *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline uint64_t wg__wasi_get_u64(const uint8_t *p) {
    return (uint64_t)wg__wasi_get_u32(p) | (uint64_t)wg__wasi_get_u32(p + 4) << 32;
}

/* Sets the errno result and returns 0 (continue the guest). */
static inline int wg__wasi_ret(uint64_t *slots, int err) {
    slots[0] = (uint32_t)err;
    return 0;
}

/* ---- sandbox.c ---- */

/* Opens `path` (guest bytes, not NUL-terminated) beneath directory fd dirfd,
 * never escaping it: no absolute paths, no `..` above dirfd, no symlink (in any
 * component, or the last one if follow_last) leading outside. flags/mode as for
 * openat(2) (O_NOFOLLOW honoured for the last component when !follow_last).
 * The open never blocks (it is made with O_NONBLOCK, cleared afterwards unless
 * flags has it): a FIFO without a writer opens at once read-only, and
 * write-only fails with NXIO.
 * Returns the new fd, or -1 with *werr set to a WASI errno (NOTCAPABLE/PERM for
 * escapes, NOENT, NAMETOOLONG, INVAL for an embedded NUL, MFILE/NFILE when the
 * host is out of descriptors, ...). */
int wg__sandbox_openat(int dirfd, const char *path, size_t path_len, int flags, int mode,
                       bool follow_last, int *werr);

/* Resolves all but the last component of `path` beneath dirfd: returns an fd of
 * the parent directory (the caller closes it) and the last component
 * (NUL-terminated, in out_name of size NAME_MAX+1), for *at() calls that act on
 * a name (mkdirat, unlinkat, renameat, linkat, symlinkat, readlinkat, utimensat
 * with AT_SYMLINK_NOFOLLOW, fstatat). A last component of "." or ".." is
 * resolved together with its directory and returned as "." (so `..` never
 * reaches the kernel). -1 with *werr on failure. */
int wg__sandbox_parent(int dirfd, const char *path, size_t path_len, char *out_name,
                       int *werr);

/* The same two without openat2: the component-by-component walk used where the
 * kernel lacks it. Exported so the tests exercise it on every kernel. */
int wg__sandbox_openat_walk(int dirfd, const char *path, size_t path_len, int flags, int mode,
                            bool follow_last, int *werr);
int wg__sandbox_parent_walk(int dirfd, const char *path, size_t path_len, char *out_name,
                            int *werr);

#endif
