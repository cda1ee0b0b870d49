/*
 * wasmgate — WASI preview1 (wasi_snapshot_preview1) for embedders.
 *
 * Three objects:
 *   wg_wasi_config  what a guest may see: args, environment, preopened
 *                   directories (with read-only variants), stdio. Built once,
 *                   read-only afterwards, shareable by threads (a server builds
 *                   one per route and derives a per-request wg_wasi from it).
 *   wg_wasi         the per-instance state: fd table, stdio buffers, exit code.
 *                   Give it to the instance as wg_instance_opts.host_data.
 *   imports         wg_wasi_add_to_imports registers the host functions once
 *                   in a wg_imports; they find their wg_wasi through
 *                   wg_instance_host_data of the calling instance.
 *
 *   wg_wasi_config *cfg = wg_wasi_config_new();
 *   wg_wasi_config_add_arg(cfg, "app.wasm");
 *   wg_wasi_config_add_env(cfg, "HOME", "/");
 *   wg_wasi_config_preopen(cfg, "./data", "/data", false, &err);
 *   wg_imports *im = wg_imports_new();
 *   wg_wasi_add_to_imports(im);
 *   wg_wasi *w = wg_wasi_new(cfg, &err);
 *   wg_instance_opts o = { .host_data = w };
 *   wg_instance *inst = wg_instance_new(module, im, &o, &err, &trap);
 *   int status = wg_wasi_run_start(inst, &trap);    // _initialize/_start, proc_exit
 *
 * Sandbox: a guest reaches only its preopened directories, and never leaves
 * them: paths are resolved beneath the preopen (openat2 RESOLVE_BENEATH, or a
 * component-by-component walk where the kernel lacks it), so `..`, absolute
 * paths and symlinks pointing outside fail with ENOTCAPABLE/EPERM-style errors.
 * Rights are enforced per fd; a read-only preopen (and everything opened
 * through it) never gets write rights.
 */
#ifndef WASMGATE_WASI_H
#define WASMGATE_WASI_H

#include "wasmgate/wasmgate.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct wg_wasi_config wg_wasi_config;
typedef struct wg_wasi wg_wasi;

/* ---- configuration ------------------------------------------------------------- */

/* An empty configuration: no args, no environment, no preopens, stdio inherited
 * from the host process. Free with wg_wasi_config_free. NULL when out of memory. */
wg_wasi_config *wg_wasi_config_new(void);
void wg_wasi_config_free(wg_wasi_config *cfg);

/* Appends an argument (copied); the first is the guest's argv[0]. */
bool wg_wasi_config_add_arg(wg_wasi_config *cfg, const char *arg);
/* Adds NAME=VALUE to the guest's environment (copied). Nothing else is visible. */
bool wg_wasi_config_add_env(wg_wasi_config *cfg, const char *name, const char *value);
/* Preopens host directory host_path under guest name guest_path (e.g. "/data").
 * The directory is opened now (O_PATH|O_DIRECTORY) and held by the config.
 * read_only removes every write right from it and from what is opened under it.
 * Fails (false, err filled with the path and errno text) if it cannot be opened. */
bool wg_wasi_config_preopen(wg_wasi_config *cfg, const char *host_path, const char *guest_path,
                            bool read_only, wg_error *err);

/* Where a standard stream goes. */
typedef enum wg_wasi_stdio_kind {
    WG_WASI_STDIO_INHERIT = 0, /* the host process's own fd 0/1/2 (default) */
    WG_WASI_STDIO_BUFFER,      /* stdin: read from a byte buffer; stdout/stderr: captured */
    WG_WASI_STDIO_NULL,        /* stdin: empty; stdout/stderr: discarded */
    WG_WASI_STDIO_FD,          /* a host fd, borrowed (not closed) */
} wg_wasi_stdio_kind;

/* stdin from a buffer (borrowed: it must outlive every wg_wasi made from cfg;
 * wg_wasi_set_stdin overrides it per instance). */
void wg_wasi_config_stdin_buffer(wg_wasi_config *cfg, const uint8_t *data, size_t len);
/* stdout / stderr captured into a buffer of at most cap bytes; a write past the
 * cap writes what fits and the wg_wasi records that output was truncated. */
void wg_wasi_config_stdout_capture(wg_wasi_config *cfg, size_t cap);
void wg_wasi_config_stderr_capture(wg_wasi_config *cfg, size_t cap);
/* With on == true, a captured STDOUT write that would pass the cap stores
 * what fits, marks stdout truncated and then STOPS the guest with a host trap
 * (WG_TRAP_HOST, message "stdout exceeded its 64 MiB limit"), so a guest
 * printing forever ends at once instead of running until its timeout.
 * stderr never traps, whatever `on` says: it is diagnostics for the
 * embedder's log, and a guest that logs too much must not fail a response
 * whose stdout is fine. A stderr write past its cap (and, with on == false, a
 * stdout one) keeps the first cap bytes, marks the stream truncated and is
 * reported to the guest as fully written; only wg_wasi_output's *truncated
 * tells. Default: false. */
void wg_wasi_config_output_limit_traps(wg_wasi_config *cfg, bool on);
/* Any kind for stream fd 0, 1 or 2; `hostfd` is used with WG_WASI_STDIO_FD. */
void wg_wasi_config_stdio(wg_wasi_config *cfg, int stream, wg_wasi_stdio_kind kind, int hostfd);

/* ---- open-file limits --------------------------------------------------------------- */

/* Two limits on the host descriptors guests hold, so that one guest cannot
 * take the whole process's RLIMIT_NOFILE (and with it every other guest's
 * files and a server's ability to accept connections).
 *
 * What counts: every descriptor the guest itself creates and has not closed:
 * path_open (files, directories, FIFOs...) and sock_accept. Preopened
 * directories and stdio are granted by the host and never count, so a guest
 * can always open n files whatever its preopens. fd_renumber moves a
 * descriptor without creating one; fd_close (and wg_wasi_free, for whatever
 * is still open) gives its place back. The check comes before the host open:
 * a guest at its limit does not even reach the file system (as open(2) at
 * RLIMIT_NOFILE answers EMFILE whatever the path). */

/* At most n guest-created descriptors open at once in each wg_wasi made from
 * cfg; one more answers MFILE (errno 33, "file descriptor value too large",
 * preview1's EMFILE). 0 (the default) means no cap of its own (the budget
 * below and the host's RLIMIT_NOFILE, reported as MFILE/NFILE too, still
 * apply). */
void wg_wasi_config_max_open_files(wg_wasi_config *cfg, size_t n);

/* A number of guest-created descriptors shared by every wg_wasi whose config
 * has it attached: a server running hundreds of guests gives them one budget
 * below its RLIMIT_NOFILE, so that together they always leave it descriptors
 * for its own sockets. An open that would pass it answers NFILE (errno 41,
 * "too many files open in system", preview1's ENFILE). Thread-safe (one
 * atomic counter, no lock): wg_wasi on any threads may share it. */
typedef struct wg_wasi_fd_budget wg_wasi_fd_budget;

/* A budget of n descriptors, none in use. n == 0 lets guests open nothing
 * (attach no budget for "no limit"). NULL when out of memory. Free it with
 * wg_wasi_fd_budget_free after every wg_wasi and config using it. */
wg_wasi_fd_budget *wg_wasi_fd_budget_new(size_t n);
void wg_wasi_fd_budget_free(wg_wasi_fd_budget *budget); /* NULL is a no-op */
/* Descriptors currently charged to the budget (for metrics). */
size_t wg_wasi_fd_budget_used(const wg_wasi_fd_budget *budget);
/* Makes every wg_wasi created from cfg from now on draw on budget (borrowed:
 * it must outlive them; NULL detaches). A wg_wasi keeps the budget it was
 * made with. */
void wg_wasi_config_fd_budget(wg_wasi_config *cfg, wg_wasi_fd_budget *budget);

/* ---- per-instance state ---------------------------------------------------------- */

/* State for one instance, made from cfg (which must outlive it). NULL with err
 * filled on failure. Free with wg_wasi_free after the instance. */
wg_wasi *wg_wasi_new(const wg_wasi_config *cfg, wg_error *err);
void wg_wasi_free(wg_wasi *w);

/* Per-instance stdin buffer (borrowed), overriding the config's. */
void wg_wasi_set_stdin(wg_wasi *w, const uint8_t *data, size_t len);
/* Per-instance extra environment variable (copied), after the config's ones. */
bool wg_wasi_add_env(wg_wasi *w, const char *name, const char *value);
/* Per-instance arguments replacing the config's (copied). */
bool wg_wasi_set_args(wg_wasi *w, const char *const *argv, size_t argc);

/* Captured output (WG_WASI_STDIO_BUFFER): the bytes, owned by w; *truncated set
 * if the guest wrote more than the cap. stream is 1 or 2. */
const uint8_t *wg_wasi_output(const wg_wasi *w, int stream, size_t *len, bool *truncated);

/* Registers every wasi_snapshot_preview1 function in im. The functions use
 * wg_instance_host_data(calling instance) as their wg_wasi; a call from an
 * instance without one traps with "WASI is not configured for this instance". */
bool wg_wasi_add_to_imports(wg_imports *im);

/* Runs a command or reactor module's entry: calls `_initialize` if exported,
 * then `_start` if exported. Returns the exit status: proc_exit's value, 0 when
 * _start returns; -1 if it trapped (then *trap describes it; trap must be
 * non-NULL) or if neither export exists (trap->message says so). */
int wg_wasi_run_start(wg_instance *inst, wg_trap *trap);

#ifdef __cplusplus
}
#endif
#endif
