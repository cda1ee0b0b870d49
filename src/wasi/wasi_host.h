/*
 * Host operations shared by WASI preview1 (src/wasi) and WASI 0.2
 * (src/wasi2): everything that acts on the host (files beneath a preopen,
 * stat, times, clocks, random bytes, I/O that waits interruptibly, stdio
 * buffers), in terms of WASI preview1 errno values. Preview1 hands those
 * errnos to the guest as they are; WASI 0.2 maps them to its error-code
 * enums (wasi2_errors.c). Either way one function decides what an operation
 * does on the host and which error it gives, so the two WASIs cannot drift
 * apart on the sandbox's rules.
 *
 *   wasi_fsops.c    paths beneath a directory fd (through sandbox.c), stat,
 *                   times, sync, advice, directory snapshots, opening
 *   wasi_hostio.c   interruptible reads and writes, stdin buffer, captures,
 *                   clocks, random bytes
 *
 * Paths are guest bytes (not NUL-terminated, len bytes). Every function
 * returns WG_WASI_ESUCCESS (0) or a WASI errno.
 */
#ifndef WG_WASI_HOST_H
#define WG_WASI_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>

#include "wasi/wasi_int.h"

/* ---- stat -------------------------------------------------------------------------- */

/* What both WASIs report of a file. */
typedef struct wg_wasi_filestat {
    uint64_t dev, ino, nlink, size;
    uint64_t atim, mtim, ctim;   /* ns since the epoch */
    uint32_t mode;               /* st_mode & S_IFMT: 0.2 tells FIFOs apart */
    uint8_t filetype;            /* WG_WASI_FILETYPE_* (preview1's view) */
} wg_wasi_filestat;

/* The preview1 filetype of a host mode (FIFOs are UNKNOWN, as in wasmtime). */
uint8_t wg__wasi_filetype_of_mode(uint32_t mode);
void wg__wasi_filestat_of(const struct stat *st, wg_wasi_filestat *out);
uint64_t wg__wasi_ts_ns(struct timespec t);
/* Stores st in preview1's 64-byte filestat layout (wasi_fd.c). */
void wg__wasi_put_filestat(uint8_t *p, const wg_wasi_filestat *st);
/* fstat of a host fd. */
int wg__fs_fstat(int fd, wg_wasi_filestat *out);
/* stat of path beneath dirfd; follow: a final symlink is followed (else the
 * link itself is described). */
int wg__fs_stat_at(int dirfd, const char *path, size_t len, bool follow, wg_wasi_filestat *out);

/* ---- names beneath a directory (each resolved by sandbox.c) ------------------------- */

int wg__fs_mkdir_at(int dirfd, const char *path, size_t len);
int wg__fs_rmdir_at(int dirfd, const char *path, size_t len);
/* Trailing slash: "dir/" is ISDIR, "file/" NOTDIR (Linux's answers). */
int wg__fs_unlink_at(int dirfd, const char *path, size_t len);
int wg__fs_rename_at(int odir, const char *opath, size_t olen, int ndir, const char *npath,
                     size_t nlen);
/* A hard link; follow: link what a final symlink at opath points to. */
int wg__fs_link_at(int odir, const char *opath, size_t olen, bool follow, int ndir,
                   const char *npath, size_t nlen);
/* A symlink at npath holding target[0..tlen) as given; an absolute target
 * is NOTCAPABLE (it could never be followed beneath a preopen), an empty
 * one NOENT. */
int wg__fs_symlink_at(const char *target, size_t tlen, int dirfd, const char *npath, size_t nlen);
/* The contents of the symlink at path into buf[0..PATH_MAX), *n bytes (no
 * NUL). "link/" names what the link points to: INVAL (not a symlink). */
int wg__fs_readlink_at(int dirfd, const char *path, size_t len, char *buf, size_t *n);

/* ---- times, size, sync, advice ----------------------------------------------------- */

/* preview1 fstflags; WASI 0.2's new-timestamp converts to them. */
#define WG_WASI_FST_ATIM 1u
#define WG_WASI_FST_ATIM_NOW 2u
#define WG_WASI_FST_MTIM 4u
#define WG_WASI_FST_MTIM_NOW 8u
/* utimensat times from fstflags; INVAL for unknown bits or a time both
 * given and "now". */
int wg__fs_make_times(uint64_t atim, uint64_t mtim, uint32_t fst, struct timespec ts[2]);
/* Sets the times of path beneath dirfd (of a final symlink itself unless
 * follow). */
int wg__fs_set_times_at(int dirfd, const char *path, size_t len, bool follow,
                        const struct timespec ts[2]);
/* Sets the times of an open fd (an O_PATH preopen included). */
int wg__fs_set_times_fd(int fd, const struct timespec ts[2]);
/* fsync / fdatasync (INVAL from pipes and ttys is success: nothing to sync). */
int wg__fs_sync(int fd, bool data_only);
/* posix_fadvise with advice in WASI's order (normal, sequential, random,
 * will-need, dont-need, no-reuse: the same in both WASIs). */
int wg__fs_advise(int fd, uint64_t offset, uint64_t len, uint32_t advice);
/* ftruncate (INVAL past INT64_MAX). */
int wg__fs_set_size(int fd, uint64_t size);

/* ---- opening -------------------------------------------------------------------------- */

typedef struct wg_fs_open {
    bool read, write;         /* the access wanted (neither: read-only) */
    bool create, directory, exclusive, truncate;
    bool follow;              /* a final symlink is followed */
    uint16_t fdflags;         /* WG_WASI_FDFLAG_* */
} wg_fs_open;

/* Opens path beneath dirfd for w's guest. dir_read_only: the directory is
 * beneath a read-only preopen, where write access, create and truncate are
 * NOTCAPABLE. The new descriptor is charged to w's open-file limits first
 * (MFILE, NFILE: wg__wasi_fd_charge), so a guest at its cap never reaches
 * the file system. On success *fd is the host fd (the caller owns it and its
 * charge) and *st its stat; on failure nothing is left open or charged. */
int wg__fs_open_at(wg_wasi *w, int dirfd, bool dir_read_only, const char *path, size_t len,
                   const wg_fs_open *o, int *fd, struct stat *st);

/* ---- directory snapshots ------------------------------------------------------------------ */

/* A directory's entries read at once ("." and ".." included, in readdir
 * order): one heap block, freed with free(). */
typedef struct wg_dir_ent {
    uint64_t ino;
    uint32_t name_off;        /* from wg__fs_snap_names */
    uint32_t namlen;
    uint8_t filetype;         /* WG_WASI_FILETYPE_* */
    uint8_t dtype;            /* DT_* as readdir gave it (after a stat for DT_UNKNOWN) */
} wg_dir_ent;
typedef struct wg_dir_snap {
    uint64_t n;
    wg_dir_ent ent[];         /* n entries, then the names */
} wg_dir_snap;

wg_dir_snap *wg__fs_dir_snapshot(int hostfd, int *err);
static inline const char *wg__fs_snap_names(const wg_dir_snap *s) {
    return (const char *)(s->ent + s->n);
}

/* ---- interruptible host I/O (wasi_hostio.c) ------------------------------------------------ */

/* Who decides that a wait must end: preview1 asks the core instance, WASI
 * 0.2 the component call. */
typedef struct wg_wasi_intr {
    bool (*interrupted)(const void *arg);
    const void *arg;
} wg_wasi_intr;

/* Waits are cut into slices this long; the interrupt is checked between. */
#define WG_WASI_WAIT_SLICE_MS 10

/* Waits until hostfd is ready for events (POLLIN / POLLOUT), slice by
 * slice: SUCCESS when ready (or when poll fails: the call will tell), INTR
 * when interrupted. */
int wg__wasi_wait_fd(int hostfd, short events, const wg_wasi_intr *intr);

/* Whether hostfd is ready for events now (a poll with no wait). */
bool wg__wasi_fd_ready(int hostfd, short events);

/* One readv (write false) or writev of v[0..n) on hostfd, waiting for the
 * other end the way preview1 does (wasi_hostio.c): may_wait false (regular
 * files, directories, fds the guest made non-blocking) never waits; an
 * owned fd is made non-blocking around each call and polled between; a
 * borrowed one is polled until ready, then called once. *out = bytes moved. */
int wg__wasi_host_rw(int hostfd, bool owned, bool may_wait, const struct iovec *v, int n,
                     bool write, const wg_wasi_intr *intr, size_t *out);

/* One readv/writev of v[0..n) on hostfd that never waits: AGAIN when the
 * fd is not ready (an owned fd is made non-blocking around the call; a
 * borrowed one is polled first). *out = bytes moved. */
int wg__wasi_host_try_rw(int hostfd, bool owned, const struct iovec *v, int n, bool write,
                         size_t *out);

/* Reads up to len bytes of the stdin buffer (w->stdin_data at
 * w->stdin_pos); returns how many (0 at its end). */
size_t wg__wasi_stdin_read(wg_wasi *w, void *buf, size_t len);

/* For a captured stdout with output_limit_traps: true if writing len more
 * bytes to stream passes its cap (never for stderr, nor without trapping).
 * The caller then stores what fits (wg__wasi_outbuf_write) and traps with
 * wg__wasi_capture_trap_message's text. */
bool wg__wasi_capture_traps(const wg_wasi *w, int stream, size_t len);
/* Marks stdout truncated and writes "stdout exceeded its 64 MiB limit" into
 * msg (size >= 96). */
void wg__wasi_capture_trap_message(wg_wasi *w, char *msg, size_t msg_size);

/* Bytes readable on a host fd now, best effort (0 if unknown). */
uint64_t wg__wasi_readable_bytes(int fd);

/* ---- clocks and random bytes ------------------------------------------------------------- */

/* preview1 clock ids 0..3 (realtime, monotonic, process, thread). */
bool wg__wasi_clock_id(uint32_t id, clockid_t *out);
/* The clock's time / resolution in ns (a resolution is never 0). */
int wg__wasi_clock_now(clockid_t c, uint64_t *ns);
int wg__wasi_clock_res(clockid_t c, uint64_t *ns);
/* CLOCK_MONOTONIC now, 0 if it cannot be read (it always can on Linux). */
uint64_t wg__wasi_monotonic_ns(void);
/* Fills buf with len bytes from getrandom(2). */
int wg__wasi_random_fill(void *buf, size_t len);

#endif
