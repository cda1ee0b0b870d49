/*
 * WASI 0.2 internals shared by the src/wasi2 files.
 *
 * Layout of the layer:
 *   wasi2.c          registration (the tables of interfaces, functions and
 *                    resources), wg_wasi2_run
 *   w2_table.c       per-instance state: the resource table, its objects,
 *                    files shared by descriptors and their streams
 *   w2_values.c      building and reading wg_cval results and arguments,
 *                    error-code mapping (WASI errno -> 0.2 enums)
 *   w2_cli.c         wasi:cli (environment, exit, stdio, terminals)
 *   w2_clocks.c      wasi:clocks and wasi:random
 *   w2_streams.c     wasi:io/streams and wasi:io/error
 *   w2_poll.c        wasi:io/poll, pollables
 *   w2_fs.c          wasi:filesystem descriptor methods that take a path,
 *                    preopens
 *   w2_fs_io.c       descriptor methods on the descriptor itself (streams,
 *                    read/write, stat, times, size, sync...), directory
 *                    entry streams, filesystem-error-code
 *   w2_sockets.c     wasi:sockets: every operation access-denied
 *
 * What acts on the host is shared with preview1 (src/wasi/wasi_host.h):
 * paths through the same sandbox, the same open-file caps, stat, times,
 * interruptible waits, stdio captures, clocks, random bytes. WASI errnos
 * from there become 0.2 error codes here (w2_fs_code).
 *
 * Per-instance state lives in the instance's wg_wasi (wg_wasi.p2, made on
 * the first call): one table of objects, each a resource the guest holds a
 * handle to; a handle's rep is the object's index + 1. Host resource types
 * are the linker's (w2_host.rt), so a handle's type says which kind of
 * object its rep names; every access still checks the kind.
 */
#ifndef WG_WASI2_INT_H
#define WG_WASI2_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wasi/wasi_host.h"
#include "wasmgate/component.h"
#include "wasmgate/wasi2.h"

/* The version every interface is registered under. */
#define W2_VERSION "@0.2.6"

/* The host resource types, one per resource the interfaces define. */
typedef enum w2_rt {
    W2_RT_DESCRIPTOR = 0,
    W2_RT_DIR_STREAM,
    W2_RT_INPUT,
    W2_RT_OUTPUT,
    W2_RT_POLLABLE,
    W2_RT_ERROR,
    W2_RT_TERM_IN,
    W2_RT_TERM_OUT,
    W2_RT_NETWORK,
    W2_RT_TCP,
    W2_RT_UDP,
    W2_RT_IN_DGRAM,
    W2_RT_OUT_DGRAM,
    W2_RT_RESOLVE,
    W2_RT_COUNT
} w2_rt;

/* What the functions of one linker share (their `data`; owned by the
 * linker through wg_clinker_adopt). */
typedef struct w2_host {
    wg_wasi2_state_fn get;
    const wg_rtype *rt[W2_RT_COUNT];
} w2_host;

/* ---- objects ------------------------------------------------------------------------- */

/* A host file held by a descriptor and the streams made from it: closed
 * (and its place under the open-file limits given back) when the last of
 * them is dropped, so a stream outlives the descriptor it came from, as in
 * wasmtime. */
typedef struct w2_file {
    int fd;
    uint32_t refs;
    bool owned;       /* close fd at the end (preopens are the config's) */
    bool charged;     /* holds a place under the open-file limits */
} w2_file;

/* descriptor-type (wasi:filesystem/types), in the enum's order. */
enum {
    W2_DT_UNKNOWN = 0, W2_DT_BLOCK, W2_DT_CHAR, W2_DT_DIRECTORY, W2_DT_FIFO, W2_DT_SYMLINK,
    W2_DT_REGULAR, W2_DT_SOCKET,
};
/* descriptor-flags bits. */
#define W2_DF_READ 1u
#define W2_DF_WRITE 2u
#define W2_DF_FILE_SYNC 4u
#define W2_DF_DATA_SYNC 8u
#define W2_DF_REQ_SYNC 16u
#define W2_DF_MUTATE 32u

typedef struct w2_desc {
    w2_file *file;
    uint8_t type;       /* W2_DT_* */
    bool read, write;   /* files: opened for */
    bool mutate;        /* directories: may change what is beneath (not :ro) */
    bool read_only;     /* beneath a read-only preopen */
    uint32_t flags;     /* W2_DF_* as get-flags reports them */
} w2_desc;

/* Where a stream's bytes come from or go. */
typedef enum w2_io {
    W2_IO_NULL = 0,   /* reads: closed at once; writes: discarded */
    W2_IO_FILE,       /* a regular file, at `pos` (pread/pwrite) */
    W2_IO_FD,         /* a stream fd: stdio, a FIFO or device opened by the guest */
    W2_IO_STDIN_BUF,  /* the wg_wasi's stdin buffer */
    W2_IO_CAPTURE,    /* the wg_wasi's stdout / stderr capture */
} w2_io;

typedef struct w2_stream {
    uint8_t io;         /* w2_io */
    bool closed;        /* end of input, or a failed operation: closed from now on */
    bool append;        /* FILE output from append-via-stream */
    bool owned;         /* FD: opened by the guest (made non-blocking around calls) */
    bool may_wait;      /* FD: not a regular file, not made non-blocking */
    int stream;         /* CAPTURE: 1 or 2 */
    int fd;             /* FILE, FD: the host fd (file->fd, or a borrowed stdio fd) */
    w2_file *file;      /* FILE, FD from a descriptor: the shared file */
    uint64_t pos;       /* FILE: the next offset */
    uint32_t children;  /* live pollables made by subscribe */
} w2_stream;

/* Pollables. */
typedef enum w2_pwhat {
    W2_P_READY = 0,     /* always ready */
    W2_P_TIME,          /* ready at a monotonic deadline */
    W2_P_STREAM,        /* ready when its stream is */
} w2_pwhat;

typedef struct w2_poll {
    uint8_t what;       /* w2_pwhat */
    uint64_t deadline;  /* TIME: CLOCK_MONOTONIC ns */
    uint32_t parent;    /* STREAM: the stream's rep (it cannot be dropped first) */
} w2_poll;

typedef struct w2_err {
    int werr;           /* a WASI errno */
    bool fs;            /* from a file: filesystem-error-code knows it */
} w2_err;

typedef struct w2_dirs {
    wg_dir_snap *snap;  /* entries read when the stream was made */
    uint64_t next;
} w2_dirs;

/* One object of the table; kind is its w2_rt + 1 (0: a free slot). */
typedef struct w2_obj {
    uint8_t kind;
    uint32_t next_free;  /* free slots: the next free index + 1 (0: none) */
    union {
        w2_desc d;
        w2_stream s;
        w2_poll p;
        w2_err e;
        w2_dirs ds;
    } u;
} w2_obj;

/* At most this many live objects per instance: a guest that makes handles
 * in a loop traps instead of taking the host's memory. */
#define W2_MAX_OBJECTS (1u << 20)

typedef struct w2_state {
    w2_obj *objs;
    uint32_t n, cap;     /* slots used below n; allocated cap */
    uint32_t free_head;  /* first free index + 1, 0: none */
} w2_state;

/* ---- calls ----------------------------------------------------------------------------- */

/* The context of one host function call: the host, the instance's wg_wasi
 * and its WASI 0.2 state. */
typedef struct w2_cx {
    wg_ccall *call;
    const w2_host *host;
    wg_wasi *w;
    w2_state *st;
} w2_cx;

/* Fills cx for a call; false after trapping (no wg_wasi, out of memory). */
bool w2_enter(w2_cx *cx, wg_ccall *call, void *data);

/* A new object of kind rt: its rep (index + 1) and a pointer to it (valid
 * until the next w2_new), zeroed but for its kind. 0 after trapping (out of
 * memory, too many objects). */
uint32_t w2_new(w2_cx *cx, w2_rt rt, w2_obj **out);
/* The object of kind rt with rep, or NULL. */
w2_obj *w2_get(w2_state *st, uint32_t rep, w2_rt rt);
/* Frees the object's slot (its resources already released). */
void w2_free_slot(w2_state *st, uint32_t rep);

/* Files. */
w2_file *w2_file_new(int fd, bool owned, bool charged);
static inline w2_file *w2_file_ref(w2_file *f) {
    if (f) f->refs++;
    return f;
}
/* Drops one reference: the last closes an owned fd and gives back a
 * charged place under w's open-file limits. */
void w2_file_unref(wg_wasi *w, w2_file *f);

/* Releases what an object holds (files, snapshots), then its slot. */
void w2_release(wg_wasi *w, w2_state *st, uint32_t rep);

/* The host resource destructor of every WASI 0.2 type (data: the w2_host):
 * traps "resource has children" for a stream with live pollables, as
 * wasmtime does. */
bool w2_dtor(wg_ccall *call, uint32_t rep, void *data);

/* Makes the call trap with WG_TRAP_INTERRUPTED ("interrupted"), as a core
 * instance stopped by its interrupt flag. Returns false. */
bool w2_trap_interrupted(wg_ccall *call);
/* Whether the call's instance is interrupted (a wg_wasi_intr callback). */
bool w2_intr_check(const void *call);

/* ---- values (w2_values.c) ------------------------------------------------------------------ */

/* Checks that the call has n arguments; traps "wasi: NAME: ..." otherwise. */
bool w2_nargs(wg_ccall *call, uint32_t nargs, uint32_t want, const char *name);
/* The rep of handle argument a (own or borrow), or traps. */
bool w2_arg_handle(wg_ccall *call, const wg_cval *a, uint32_t *rep);
/* Argument a as an unsigned integer / string / bool / flags / enum or
 * variant case, or traps. */
bool w2_arg_u64(wg_ccall *call, const wg_cval *a, uint64_t *v);
bool w2_arg_str(wg_ccall *call, const wg_cval *a, const char **s, size_t *len);
bool w2_arg_flags(wg_ccall *call, const wg_cval *a, uint32_t *v);
bool w2_arg_case(wg_ccall *call, const wg_cval *a, uint32_t *disc, const wg_cval **payload);
/* Argument a as bytes (a list<u8> in either form, WG_CV_BYTES or a list of
 * u8 values, converted then). *data points into a, or into *tmp (malloc'd:
 * free it). */
bool w2_arg_bytes(wg_ccall *call, const wg_cval *a, const uint8_t **data, size_t *len,
                  uint8_t **tmp);

/* Results: each sets *r and returns true, or traps (out of memory). */
bool w2_ok(wg_ccall *call, wg_cval *r, wg_cval *payload);           /* result ok(payload) */
bool w2_err_enum(wg_ccall *call, wg_cval *r, uint32_t code);        /* result err(enum code) */
bool w2_set(wg_ccall *call, wg_cval *r, wg_cval v);                 /* r = v (checks it) */
wg_cval w2_own(const w2_cx *cx, w2_rt rt, uint32_t rep);

/* filesystem error-code (wasi:filesystem/types) of a WASI errno. */
uint32_t w2_fs_code(int werr);
/* Its name ("no-entry"), for messages. */
const char *w2_fs_code_name(uint32_t code);
/* result<_, error-code> / result<T, error-code> for a WASI errno: ok when 0. */
bool w2_fs_result(wg_ccall *call, wg_cval *r, int werr, wg_cval *payload);
/* A string value of s[0..n), invalid UTF-8 sequences replaced by U+FFFD
 * (arguments, environment, preopen names come from the host as bytes). */
wg_cval w2_string_lossy(const char *s, size_t n);
/* Whether s[0..n) is valid UTF-8 (a file name that is not cannot be a WIT
 * string: illegal-byte-sequence). */
bool w2_utf8_ok(const char *s, size_t n);
/* A datetime record from ns since the epoch. */
wg_cval w2_datetime(uint64_t ns);

/* ---- filesystem helpers (w2_fs_io.c) ---------------------------------------------------------- */

/* descriptor-type of a host mode (S_IFMT bits). */
uint8_t w2_dtype_of_mode(uint32_t mode);
/* A descriptor-stat record. */
wg_cval w2_desc_stat(const wg_wasi_filestat *st);
/* A metadata-hash-value record: a hash of the device and inode, the same
 * for every descriptor of one file. */
wg_cval w2_meta_hash(const wg_wasi_filestat *st);
/* A new-timestamp value (no-change, now, timestamp(datetime)) as preview1
 * fstflags: `set` and *ns for a time, `now` for now, nothing for
 * no-change. INVAL for a datetime that does not fit 64-bit ns. */
int w2_new_timestamp(const wg_cval *v, uint32_t set, uint32_t now, uint32_t *fst, uint64_t *ns);
/* The descriptor self (argument 0, after checking that the call has want
 * arguments); NULL after trapping (an unknown handle). */
w2_desc *w2_self_desc(w2_cx *cx, wg_cval *args, uint32_t nargs, uint32_t want, const char *name);

/* ---- the interfaces ------------------------------------------------------------------------- */

/* One host function of the registration tables. */
typedef struct w2_fn {
    const char *iface;  /* "wasi:cli/environment" (W2_VERSION is appended) */
    const char *name;   /* "get-environment", "[method]descriptor.stat" */
    wg_chost_fn fn;
} w2_fn;

/* The functions of each file, for wasi2.c; each table ends with a NULL name. */
extern const w2_fn w2_cli_fns[];
extern const w2_fn w2_clock_fns[];
extern const w2_fn w2_stream_fns[];
extern const w2_fn w2_poll_fns[];
extern const w2_fn w2_fs_fns[];
extern const w2_fn w2_fs_io_fns[];
extern const w2_fn w2_socket_fns[];

/* Streams for the other files: a new input/output stream object (the
 * caller fills it). */
uint32_t w2_stream_new(w2_cx *cx, w2_rt rt, w2_stream **out);
/* A stream-error for a failed operation: last-operation-failed(error(werr))
 * (the stream is closed from then on), or closed for EPIPE / at the end. */
bool w2_stream_fail(w2_cx *cx, w2_stream *s, wg_cval *r, int werr, bool fs);
bool w2_stream_closed(wg_ccall *call, wg_cval *r);
/* Whether a stream (input or output) is ready now, for pollables. */
bool w2_stream_ready(const w2_stream *s, bool output);
/* A pollable: ready at once, at a deadline, or when stream rep is. */
uint32_t w2_pollable_new(w2_cx *cx, w2_pwhat what, uint64_t deadline, uint32_t parent);

#endif
