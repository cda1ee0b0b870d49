/*
 * WASI preview1: the embedding API (include/wasmgate/wasi.h) and the helpers
 * shared by the other src/wasi files (wasi_int.h).
 *
 *   wg_wasi_config  args, env, preopened directories (opened once, O_PATH),
 *                   stdio kinds. Read-only after setup: many wg_wasi share it.
 *   wg_wasi         the per-instance fd table and stdio buffers. Making one
 *                   costs allocations only, no syscalls besides fstat of
 *                   inherited stdio: preopens are borrowed from the config.
 *
 * Fd table layout after wg_wasi_new: 0, 1, 2 are stdio per the config, then
 * every preopen in config order (3, 4, ...). Freed slots are reused lowest
 * first, like POSIX.
 *
 * Captured output (WG_WASI_STDIO_BUFFER on stdout/stderr) keeps at most `cap`
 * bytes. A write past the cap stores what fits, sets `truncated`, and still
 * reports the whole length as written to the guest: a guest that saw a short
 * write would retry the rest forever, and the embedder learns of the loss
 * through wg_wasi_output's *truncated.
 *
 * Open-file limits (wasi.h): every descriptor the guest creates is charged
 * before its host resource exists (wg__wasi_fd_charge: the instance's count
 * against max_open_files, then the shared wg_wasi_fd_budget) and marked
 * `charged` in the table; wg__wasi_fd_release gives the place back, and
 * wg_wasi_free releases every entry, so a wg_wasi never leaves anything
 * charged behind. The budget is one atomic counter raised by compare-and-swap
 * (it never passes its limit, even for an instant) and lowered by
 * fetch-sub; it guards no other data, so relaxed ordering is enough.
 */
#define _GNU_SOURCE
#include "wasi/wasi_int.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/error.h"

#define DEFAULT_CAPTURE_CAP ((size_t)1 << 20)
#define ENV_RESERVE 48u /* per-instance environment slots reserved by wg_wasi_new */

static char *dup_str(const char *s) {
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p) memcpy(p, s, n);
    return p;
}

/* Appends a copy of s to a string vector; false when out of memory. */
static bool strvec_push(char ***vec, size_t *n, const char *s) {
    char *copy = dup_str(s);
    if (!copy) return false;
    char **grown = realloc(*vec, (*n + 1) * sizeof **vec);
    if (!grown) {
        free(copy);
        return false;
    }
    grown[(*n)++] = copy;
    *vec = grown;
    return true;
}

static char *env_pair(const char *name, const char *value) {
    size_t ln = strlen(name), lv = strlen(value);
    char *p = malloc(ln + lv + 2);
    if (!p) return NULL;
    memcpy(p, name, ln);
    p[ln] = '=';
    memcpy(p + ln + 1, value, lv + 1);
    return p;
}

/* A descriptor budget shared by many wg_wasi (see wasi.h). */
struct wg_wasi_fd_budget {
    atomic_size_t used; /* descriptors charged now; never above limit */
    size_t limit;       /* the n given to wg_wasi_fd_budget_new */
};

/* ---- configuration ---------------------------------------------------------------- */

/* An empty configuration (stdio inherited). The caller frees it with
 * wg_wasi_config_free. NULL when out of memory. */
wg_wasi_config *wg_wasi_config_new(void) {
    wg_wasi_config *cfg = calloc(1, sizeof *cfg);
    if (!cfg) return NULL;
    for (int i = 0; i < 3; i++) {
        cfg->stdio[i].kind = WG_WASI_STDIO_INHERIT;
        cfg->stdio[i].hostfd = -1;
        cfg->stdio[i].cap = DEFAULT_CAPTURE_CAP;
    }
    return cfg;
}

/* Frees cfg, its strings, and closes the preopened directories. NULL is a no-op. */
void wg_wasi_config_free(wg_wasi_config *cfg) {
    if (!cfg) return;
    for (size_t i = 0; i < cfg->nargs; i++) free(cfg->args[i]);
    free(cfg->args);
    for (size_t i = 0; i < cfg->nenv; i++) free(cfg->env[i]);
    free(cfg->env);
    for (size_t i = 0; i < cfg->npreopens; i++) {
        if (cfg->preopens[i].dirfd >= 0) close(cfg->preopens[i].dirfd);
        free(cfg->preopens[i].host_path);
        free(cfg->preopens[i].guest_path);
    }
    free(cfg->preopens);
    free(cfg);
}

/* Appends a copy of arg to the guest's argv. False when out of memory. */
bool wg_wasi_config_add_arg(wg_wasi_config *cfg, const char *arg) {
    if (!cfg || !arg) return false;
    return strvec_push(&cfg->args, &cfg->nargs, arg);
}

/* Adds NAME=VALUE (copied) to the guest environment. False when out of memory. */
bool wg_wasi_config_add_env(wg_wasi_config *cfg, const char *name, const char *value) {
    if (!cfg || !name || !value) return false;
    char *pair = env_pair(name, value);
    if (!pair) return false;
    char **grown = realloc(cfg->env, (cfg->nenv + 1) * sizeof *grown);
    if (!grown) {
        free(pair);
        return false;
    }
    grown[cfg->nenv++] = pair;
    cfg->env = grown;
    return true;
}

/* Opens host_path as a directory (O_PATH) and records it under guest_path.
 * False with err naming the path and the reason when it cannot be opened. */
bool wg_wasi_config_preopen(wg_wasi_config *cfg, const char *host_path, const char *guest_path,
                            bool read_only, wg_error *err) {
    if (!cfg || !host_path || !guest_path)
        return wg__error(err, WG_ERR_RESOURCE, (size_t)-1, "preopen: missing argument");
    int fd = open(host_path, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return wg__error(err, WG_ERR_RESOURCE, (size_t)-1, "cannot preopen directory '%s': %s",
                         host_path, strerror(errno));
    wg_wasi_preopen p = {.dirfd = fd, .read_only = read_only};
    p.host_path = dup_str(host_path);
    p.guest_path = dup_str(guest_path);
    wg_wasi_preopen *grown = NULL;
    if (p.host_path && p.guest_path)
        grown = realloc(cfg->preopens, (cfg->npreopens + 1) * sizeof *grown);
    if (!grown) {
        close(fd);
        free(p.host_path);
        free(p.guest_path);
        return wg__error(err, WG_ERR_RESOURCE, (size_t)-1, "preopen '%s': out of memory",
                         host_path);
    }
    grown[cfg->npreopens++] = p;
    cfg->preopens = grown;
    return true;
}

/* stdin from a borrowed buffer. */
void wg_wasi_config_stdin_buffer(wg_wasi_config *cfg, const uint8_t *data, size_t len) {
    if (!cfg) return;
    cfg->stdio[0].kind = WG_WASI_STDIO_BUFFER;
    cfg->stdio[0].data = data;
    cfg->stdio[0].len = data ? len : 0;
}

/* stdout captured, at most cap bytes. */
void wg_wasi_config_stdout_capture(wg_wasi_config *cfg, size_t cap) {
    if (!cfg) return;
    cfg->stdio[1].kind = WG_WASI_STDIO_BUFFER;
    cfg->stdio[1].cap = cap;
}

/* Whether a capture write past its cap traps (see wasi.h). */
void wg_wasi_config_output_limit_traps(wg_wasi_config *cfg, bool on) {
    if (cfg) cfg->output_limit_traps = on;
}

/* stderr captured, at most cap bytes. */
void wg_wasi_config_stderr_capture(wg_wasi_config *cfg, size_t cap) {
    if (!cfg) return;
    cfg->stdio[2].kind = WG_WASI_STDIO_BUFFER;
    cfg->stdio[2].cap = cap;
}

/* The per-instance cap on guest-created descriptors (0: none). */
void wg_wasi_config_max_open_files(wg_wasi_config *cfg, size_t n) {
    if (cfg) cfg->max_open_files = n;
}

/* A budget of n descriptors, none used. Free with wg_wasi_fd_budget_free.
 * NULL when out of memory. */
wg_wasi_fd_budget *wg_wasi_fd_budget_new(size_t n) {
    wg_wasi_fd_budget *b = malloc(sizeof *b);
    if (!b) return NULL;
    atomic_init(&b->used, 0);
    b->limit = n;
    return b;
}

/* Frees a budget (every wg_wasi using it must be freed first). NULL is a no-op. */
void wg_wasi_fd_budget_free(wg_wasi_fd_budget *budget) {
    free(budget);
}

/* Descriptors charged to the budget now; 0 for NULL. */
size_t wg_wasi_fd_budget_used(const wg_wasi_fd_budget *budget) {
    if (!budget) return 0;
    return atomic_load_explicit(&((wg_wasi_fd_budget *)budget)->used, memory_order_relaxed);
}

/* Attaches budget (borrowed) to the wg_wasi made from cfg from now on. */
void wg_wasi_config_fd_budget(wg_wasi_config *cfg, wg_wasi_fd_budget *budget) {
    if (cfg) cfg->fd_budget = budget;
}

/* Any stdio kind for stream 0..2 (other streams are ignored). */
void wg_wasi_config_stdio(wg_wasi_config *cfg, int stream, wg_wasi_stdio_kind kind, int hostfd) {
    if (!cfg || stream < 0 || stream > 2) return;
    cfg->stdio[stream].kind = kind;
    cfg->stdio[stream].hostfd = hostfd;
}

/* ---- per-instance state -------------------------------------------------------------- */

/* Rights a descriptor of this filetype can use at all; the caller masks
 * them with the direction (read/write) it is open for. */
static uint64_t rights_for_filetype(uint8_t ft) {
    const uint64_t common = WG_WASI_RIGHT_FD_FDSTAT_SET_FLAGS | WG_WASI_RIGHT_FD_FILESTAT_GET |
                            WG_WASI_RIGHT_POLL_FD_READWRITE;
    switch (ft) {
    case WG_WASI_FILETYPE_REGULAR_FILE:
    case WG_WASI_FILETYPE_BLOCK_DEVICE:
        return common | WG_WASI_RIGHT_FD_DATASYNC | WG_WASI_RIGHT_FD_READ |
               WG_WASI_RIGHT_FD_SEEK | WG_WASI_RIGHT_FD_SYNC | WG_WASI_RIGHT_FD_TELL |
               WG_WASI_RIGHT_FD_WRITE | WG_WASI_RIGHT_FD_ADVISE | WG_WASI_RIGHT_FD_ALLOCATE |
               WG_WASI_RIGHT_FD_FILESTAT_SET_SIZE | WG_WASI_RIGHT_FD_FILESTAT_SET_TIMES;
    case WG_WASI_FILETYPE_SOCKET_STREAM:
    case WG_WASI_FILETYPE_SOCKET_DGRAM:
        return common | WG_WASI_RIGHT_FD_READ | WG_WASI_RIGHT_FD_WRITE |
               WG_WASI_RIGHT_SOCK_SHUTDOWN | WG_WASI_RIGHT_SOCK_ACCEPT;
    default: /* ttys, pipes, other character devices */
        return common | WG_WASI_RIGHT_FD_READ | WG_WASI_RIGHT_FD_WRITE |
               WG_WASI_RIGHT_FD_DATASYNC | WG_WASI_RIGHT_FD_SYNC;
    }
}

/* The WASI filetype of a host fd (UNKNOWN for pipes, as wasmtime reports). */
static uint8_t host_filetype(int fd) {
    struct stat st;
    if (fstat(fd, &st) != 0) return WG_WASI_FILETYPE_UNKNOWN;
    switch (st.st_mode & S_IFMT) {
    case S_IFREG: return WG_WASI_FILETYPE_REGULAR_FILE;
    case S_IFDIR: return WG_WASI_FILETYPE_DIRECTORY;
    case S_IFCHR: return WG_WASI_FILETYPE_CHARACTER_DEVICE;
    case S_IFBLK: return WG_WASI_FILETYPE_BLOCK_DEVICE;
    case S_IFLNK: return WG_WASI_FILETYPE_SYMBOLIC_LINK;
    case S_IFSOCK: {
        int type = 0;
        socklen_t len = sizeof type;
        if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) == 0 && type == SOCK_DGRAM)
            return WG_WASI_FILETYPE_SOCKET_DGRAM;
        return WG_WASI_FILETYPE_SOCKET_STREAM;
    }
    default: return WG_WASI_FILETYPE_UNKNOWN;
    }
}


static void setup_stdio(wg_wasi *w, int stream) {
    const wg_wasi_stdio_cfg *sc = &w->cfg->stdio[stream];
    wg_wasi_fd *e = &w->fds[stream];
    const uint64_t dir_right = stream == 0 ? WG_WASI_RIGHT_FD_READ : WG_WASI_RIGHT_FD_WRITE;
    const uint64_t not_dir = stream == 0 ? WG_WASI_RIGHT_FD_WRITE : WG_WASI_RIGHT_FD_READ;
    memset(e, 0, sizeof *e);
    e->stream = stream;
    e->hostfd = -1;
    switch (sc->kind) {
    case WG_WASI_STDIO_BUFFER:
        e->kind = stream == 0 ? WG_WASI_FD_STDIN_BUF : WG_WASI_FD_OUT_BUF;
        break;
    case WG_WASI_STDIO_NULL:
        e->kind = WG_WASI_FD_NULL;
        break;
    case WG_WASI_STDIO_FD:
    case WG_WASI_STDIO_INHERIT:
    default:
        e->kind = WG_WASI_FD_HOST;
        e->hostfd = sc->kind == WG_WASI_STDIO_FD ? sc->hostfd : stream;
        e->owned = false;
        e->filetype = host_filetype(e->hostfd);
        break;
    }
    if (e->kind == WG_WASI_FD_HOST) {
        e->rights_base = rights_for_filetype(e->filetype) & ~not_dir;
        if (stream == 0)
            e->rights_base &= ~(WG_WASI_RIGHT_FD_ALLOCATE | WG_WASI_RIGHT_FD_FILESTAT_SET_SIZE);
    } else {
        e->filetype = WG_WASI_FILETYPE_UNKNOWN;
        e->rights_base = dir_right | WG_WASI_RIGHT_FD_FDSTAT_SET_FLAGS |
                         WG_WASI_RIGHT_FD_FILESTAT_GET | WG_WASI_RIGHT_POLL_FD_READWRITE |
                         (stream == 0 ? 0 : WG_WASI_RIGHT_FD_SYNC | WG_WASI_RIGHT_FD_DATASYNC);
    }
    e->rights_inheriting = 0;
}

/* Builds per-instance state from cfg (borrowed: it must outlive the result).
 * Free with wg_wasi_free. NULL with err filled when out of memory. */
wg_wasi *wg_wasi_new(const wg_wasi_config *cfg, wg_error *err) {
    if (!cfg) {
        wg__error(err, WG_ERR_RESOURCE, (size_t)-1, "wasi: no configuration");
        return NULL;
    }
    wg_wasi *w = calloc(1, sizeof *w);
    if (!w) goto oom;
    w->cfg = cfg;
    /* Copied, not read through cfg later: a place taken from a budget must
     * go back to that same budget even if the config is changed meanwhile. */
    w->max_open = cfg->max_open_files;
    w->budget = cfg->fd_budget;
    w->cap = 3 + (uint32_t)cfg->npreopens + 8;
    w->fds = calloc(w->cap, sizeof *w->fds);
    if (!w->fds) goto oom;
    w->args = cfg->args;
    w->nargs = cfg->nargs;
    w->args_owned = false;
    /* Room for the config's variables plus ENV_RESERVE per-instance ones (a
     * gateway request adds about 30 CGI variables) in one allocation. */
    w->env_cap = cfg->nenv + ENV_RESERVE;
    w->env = malloc(w->env_cap * sizeof *w->env);
    if (!w->env) goto oom;
    if (cfg->nenv) memcpy(w->env, cfg->env, cfg->nenv * sizeof *w->env);
    w->nenv = w->nenv_cfg = cfg->nenv;
    w->stdin_data = cfg->stdio[0].data;
    w->stdin_len = cfg->stdio[0].len;
    for (int i = 1; i < 3; i++) w->out[i].limit = cfg->stdio[i].cap;
    for (int i = 0; i < 3; i++) setup_stdio(w, i);
    w->nfds = 3;
    for (size_t i = 0; i < cfg->npreopens; i++) {
        const wg_wasi_preopen *p = &cfg->preopens[i];
        wg_wasi_fd *e = &w->fds[w->nfds++];
        memset(e, 0, sizeof *e);
        e->kind = WG_WASI_FD_HOST;
        e->filetype = WG_WASI_FILETYPE_DIRECTORY;
        e->hostfd = p->dirfd;
        e->owned = false;
        e->preopen = true;
        e->read_only = p->read_only;
        e->guest_path = p->guest_path;
        e->rights_base = WG_WASI_RIGHTS_DIR;
        e->rights_inheriting = WG_WASI_RIGHTS_ALL;
        if (p->read_only) {
            e->rights_base &= ~WG_WASI_RIGHTS_WRITE;
            e->rights_inheriting &= ~WG_WASI_RIGHTS_WRITE;
        }
    }
    return w;
oom:
    wg__error(err, WG_ERR_RESOURCE, (size_t)-1, "wasi: out of memory");
    wg_wasi_free(w);
    return NULL;
}

/* Closes every fd the guest opened, frees buffers and w. NULL is a no-op. */
void wg_wasi_free(wg_wasi *w) {
    if (!w) return;
    /* First: WASI 0.2's descriptors give their places under the open-file
     * limits back through w. */
    if (w->p2_free) w->p2_free(w, w->p2);
    for (uint32_t i = 0; i < w->nfds; i++) wg__wasi_fd_release(w, &w->fds[i]);
    free(w->fds);
    if (w->args_owned) {
        for (size_t i = 0; i < w->nargs; i++) free(w->args[i]);
        free(w->args);
    }
    for (size_t i = w->nenv_cfg; i < w->nenv; i++) free(w->env[i]);
    free(w->env);
    for (int i = 0; i < 3; i++) free(w->out[i].data);
    free(w);
}

/* Replaces stdin's bytes for this instance (borrowed); stdin reads from the
 * buffer from its start even if the config inherited stdin, as long as the
 * guest has not closed or renumbered fd 0. */
void wg_wasi_set_stdin(wg_wasi *w, const uint8_t *data, size_t len) {
    if (!w) return;
    w->stdin_data = data;
    w->stdin_len = data ? len : 0;
    w->stdin_pos = 0;
    if (w->nfds > 0 && w->fds[0].stream == 0 &&
        (w->fds[0].kind == WG_WASI_FD_HOST || w->fds[0].kind == WG_WASI_FD_NULL) &&
        !w->fds[0].owned && !w->fds[0].preopen) {
        wg_wasi_fd *e = &w->fds[0];
        e->kind = WG_WASI_FD_STDIN_BUF;
        e->hostfd = -1;
        e->filetype = WG_WASI_FILETYPE_UNKNOWN;
        e->rights_base = WG_WASI_RIGHT_FD_READ | WG_WASI_RIGHT_FD_FDSTAT_SET_FLAGS |
                         WG_WASI_RIGHT_FD_FILESTAT_GET | WG_WASI_RIGHT_POLL_FD_READWRITE;
    }
}

/* Adds NAME=VALUE (copied) after the config's environment. False when out of memory. */
bool wg_wasi_add_env(wg_wasi *w, const char *name, const char *value) {
    if (!w || !name || !value) return false;
    char *pair = env_pair(name, value);
    if (!pair) return false;
    if (w->nenv == w->env_cap) {
        /* Geometric growth: amortised O(1) per variable. */
        size_t ncap = w->env_cap ? w->env_cap * 2 : ENV_RESERVE;
        char **grown = realloc(w->env, ncap * sizeof *grown);
        if (!grown) {
            free(pair);
            return false;
        }
        w->env = grown;
        w->env_cap = ncap;
    }
    w->env[w->nenv++] = pair;
    return true;
}

/* Replaces the guest's argv for this instance (strings copied). False when out
 * of memory (the previous arguments stay). */
bool wg_wasi_set_args(wg_wasi *w, const char *const *argv, size_t argc) {
    if (!w || (argc && !argv)) return false;
    char **copy = calloc(argc ? argc : 1, sizeof *copy);
    if (!copy) return false;
    for (size_t i = 0; i < argc; i++) {
        copy[i] = dup_str(argv[i] ? argv[i] : "");
        if (!copy[i]) {
            for (size_t j = 0; j < i; j++) free(copy[j]);
            free(copy);
            return false;
        }
    }
    if (w->args_owned) {
        for (size_t i = 0; i < w->nargs; i++) free(w->args[i]);
        free(w->args);
    }
    w->args = copy;
    w->nargs = argc;
    w->args_owned = true;
    return true;
}

/* The captured bytes of stream 1 or 2 (owned by w; NULL with *len 0 if none). */
const uint8_t *wg_wasi_output(const wg_wasi *w, int stream, size_t *len, bool *truncated) {
    if (len) *len = 0;
    if (truncated) *truncated = false;
    if (!w || stream < 1 || stream > 2) return NULL;
    if (len) *len = w->out[stream].len;
    if (truncated) *truncated = w->out[stream].truncated;
    return w->out[stream].data;
}

/* ---- registration and running ----------------------------------------------------- */

static uint32_t sig_types(const char *s, uint8_t *out) {
    uint32_t n = 0;
    for (; *s; s++) out[n++] = *s == 'I' ? WG_I64 : WG_I32;
    return n;
}

/* Registers all wasi_snapshot_preview1 functions in im. False when out of memory. */
bool wg_wasi_add_to_imports(wg_imports *im) {
    if (!im) return false;
    uint8_t params[16], results[4];
#define X(name, p, r)                                                                   \
    {                                                                                   \
        uint32_t np = sig_types(p, params), nr = sig_types(r, results);                 \
        if (!wg_imports_add_host(im, "wasi_snapshot_preview1", #name, params, np,      \
                                 results, nr, wg__wasi_##name, NULL))                   \
            return false;                                                               \
    }
    WG_WASI_FUNCS(X)
#undef X
    return true;
}

/* Runs _initialize then _start (each if exported). Returns the exit status, or
 * -1 with *trap filled on a trap or when the module has neither export. */
int wg_wasi_run_start(wg_instance *inst, wg_trap *trap) {
    wg_trap local;
    if (!trap) trap = &local;
    memset(trap, 0, sizeof *trap);
    if (!inst) {
        trap->code = WG_TRAP_HOST;
        strcpy(trap->message, "run: no instance");
        return -1;
    }
    wg_func *init = wg_instance_export_func(inst, "_initialize");
    wg_func *start = wg_instance_export_func(inst, "_start");
    if (!init && !start) {
        trap->code = WG_TRAP_HOST;
        strcpy(trap->message, "module exports neither _start nor _initialize");
        return -1;
    }
    wg_func *entries[2] = {init, start};
    for (int i = 0; i < 2; i++) {
        if (!entries[i]) continue;
        if (!wg_func_call(inst, entries[i], NULL, 0, NULL, 0, trap))
            return trap->code == WG_TRAP_EXIT ? trap->exit_code : -1;
    }
    memset(trap, 0, sizeof *trap);
    return 0;
}

/* ---- helpers for the host functions ------------------------------------------------ */

/* The wg_wasi of the calling instance (its host_data), or NULL. */
wg_wasi *wg__wasi_of(wg_ctx *ctx) {
    wg_instance *inst = wg_ctx_instance(ctx);
    return inst ? (wg_wasi *)wg_instance_host_data(inst) : NULL;
}

/* Guest memory [ptr, ptr+len) or NULL when it is not inside memory 0. */
uint8_t *wg__wasi_mem(wg_ctx *ctx, uint32_t ptr, uint64_t len) {
    wg_memory *mem = wg_ctx_memory(ctx);
    if (!mem) return NULL;
    size_t size = wg_memory_size(mem);
    if ((uint64_t)ptr > size || len > (uint64_t)size - ptr) return NULL;
    uint8_t *data = wg_memory_data(mem);
    return data ? data + ptr : NULL;
}

/* The entry for guest fd `fd` holding every right in `rights`, or NULL with
 * *err = BADF (no such fd) / NOTCAPABLE (a right is missing). */
wg_wasi_fd *wg__wasi_fd_get(wg_wasi *w, uint32_t fd, uint64_t rights, int *err) {
    if (!w || fd >= w->nfds || w->fds[fd].kind == WG_WASI_FD_FREE) {
        if (err) *err = WG_WASI_EBADF;
        return NULL;
    }
    wg_wasi_fd *e = &w->fds[fd];
    if ((e->rights_base & rights) != rights) {
        if (err) *err = WG_WASI_ENOTCAPABLE;
        return NULL;
    }
    return e;
}

/* One place for a guest-created descriptor: MFILE past w's own cap, NFILE
 * past the shared budget, else SUCCESS with the place taken (see wasi_int.h). */
int wg__wasi_fd_charge(wg_wasi *w) {
    if (w->max_open && w->nopen >= w->max_open) return WG_WASI_EMFILE;
    wg_wasi_fd_budget *b = w->budget;
    if (b) {
        size_t used = atomic_load_explicit(&b->used, memory_order_relaxed);
        do {
            if (used >= b->limit) return WG_WASI_ENFILE;
        } while (!atomic_compare_exchange_weak_explicit(&b->used, &used, used + 1,
                                                        memory_order_relaxed,
                                                        memory_order_relaxed));
    }
    w->nopen++;
    return WG_WASI_ESUCCESS;
}

/* Gives back a place taken by wg__wasi_fd_charge. */
void wg__wasi_fd_uncharge(wg_wasi *w) {
    /* Every charged entry was counted once; never let a bug wrap the
     * counters around to "nothing may ever be opened again". */
    assert(w->nopen > 0);
    if (w->nopen == 0) return;
    w->nopen--;
    if (w->budget) atomic_fetch_sub_explicit(&w->budget->used, 1, memory_order_relaxed);
}

/* Copies *e into the lowest free slot (growing the table). Returns the guest
 * fd, or -1 with *err = NOMEM, or MFILE at WG_WASI_MAX_FDS (the table's hard limit,
 * whatever max_open_files says). The table owns e's resources (and its
 * charge) from then on. */
int64_t wg__wasi_fd_insert(wg_wasi *w, const wg_wasi_fd *e, int *err) {
    uint32_t i = 0;
    while (i < w->nfds && w->fds[i].kind != WG_WASI_FD_FREE) i++;
    if (i == w->nfds) {
        if (w->nfds >= WG_WASI_MAX_FDS) {
            *err = WG_WASI_EMFILE;
            return -1;
        }
        if (w->nfds == w->cap) {
            uint32_t ncap = w->cap ? w->cap * 2 : 8;
            if (ncap > WG_WASI_MAX_FDS) ncap = WG_WASI_MAX_FDS;
            wg_wasi_fd *grown = realloc(w->fds, (size_t)ncap * sizeof *grown);
            if (!grown) {
                *err = WG_WASI_ENOMEM;
                return -1;
            }
            memset(grown + w->cap, 0, (size_t)(ncap - w->cap) * sizeof *grown);
            w->fds = grown;
            w->cap = ncap;
        }
        w->nfds++;
    }
    w->fds[i] = *e;
    return i;
}

/* Closes an owned host fd, frees readdir state, gives back the entry's place
 * under the open-file limits, and marks the slot free. The readdir state is
 * one heap block (wasi_path.c), released with free(). */
void wg__wasi_fd_release(wg_wasi *w, wg_wasi_fd *e) {
    if (!e || e->kind == WG_WASI_FD_FREE) return;
    if (e->kind == WG_WASI_FD_HOST && e->owned && e->hostfd >= 0) close(e->hostfd);
    free(e->dir);
    if (e->charged) wg__wasi_fd_uncharge(w);
    memset(e, 0, sizeof *e);
    e->kind = WG_WASI_FD_FREE;
    e->hostfd = -1;
}

/* Appends to a capture buffer, keeping at most b->limit bytes in total and
 * setting b->truncated when something had to be dropped (also when growing
 * the buffer fails). */
void wg__wasi_outbuf_write(wg_wasi_outbuf *b, const uint8_t *data, size_t len) {
    if (!b || !len) return;
    size_t room = b->limit > b->len ? b->limit - b->len : 0;
    size_t n = len < room ? len : room;
    if (n < len) b->truncated = true;
    if (!n) return;
    if (b->len + n > b->cap_alloc) {
        size_t ncap = b->cap_alloc ? b->cap_alloc : 256;
        while (ncap < b->len + n) ncap = ncap > SIZE_MAX / 2 ? b->len + n : ncap * 2;
        if (ncap > b->limit) ncap = b->limit;
        uint8_t *grown = realloc(b->data, ncap);
        if (!grown) {
            b->truncated = true;
            return;
        }
        b->data = grown;
        b->cap_alloc = ncap;
    }
    memcpy(b->data + b->len, data, n);
    b->len += n;
}

/* ---- errno mapping ----------------------------------------------------------------- */

/* Host errno → WASI errno (EIO for anything without a WASI equivalent). */
int wg__wasi_errno(int host_errno) {
    switch (host_errno) {
    case 0: return WG_WASI_ESUCCESS;
    case E2BIG: return WG_WASI_E2BIG;
    case EACCES: return WG_WASI_EACCES;
    case EADDRINUSE: return WG_WASI_EADDRINUSE;
    case EADDRNOTAVAIL: return WG_WASI_EADDRNOTAVAIL;
    case EAFNOSUPPORT: return WG_WASI_EAFNOSUPPORT;
    case EAGAIN: return WG_WASI_EAGAIN;
    case EALREADY: return WG_WASI_EALREADY;
    case EBADF: return WG_WASI_EBADF;
    case EBADMSG: return WG_WASI_EBADMSG;
    case EBUSY: return WG_WASI_EBUSY;
    case ECANCELED: return WG_WASI_ECANCELED;
    case ECHILD: return WG_WASI_ECHILD;
    case ECONNABORTED: return WG_WASI_ECONNABORTED;
    case ECONNREFUSED: return WG_WASI_ECONNREFUSED;
    case ECONNRESET: return WG_WASI_ECONNRESET;
    case EDEADLK: return WG_WASI_EDEADLK;
    case EDESTADDRREQ: return WG_WASI_EDESTADDRREQ;
    case EDOM: return WG_WASI_EDOM;
    case EDQUOT: return WG_WASI_EDQUOT;
    case EEXIST: return WG_WASI_EEXIST;
    case EFAULT: return WG_WASI_EFAULT;
    case EFBIG: return WG_WASI_EFBIG;
    case EHOSTUNREACH: return WG_WASI_EHOSTUNREACH;
    case EIDRM: return WG_WASI_EIDRM;
    case EILSEQ: return WG_WASI_EILSEQ;
    case EINPROGRESS: return WG_WASI_EINPROGRESS;
    case EINTR: return WG_WASI_EINTR;
    case EINVAL: return WG_WASI_EINVAL;
    case EIO: return WG_WASI_EIO;
    case EISCONN: return WG_WASI_EISCONN;
    case EISDIR: return WG_WASI_EISDIR;
    case ELOOP: return WG_WASI_ELOOP;
    case EMFILE: return WG_WASI_EMFILE;
    case EMLINK: return WG_WASI_EMLINK;
    case EMSGSIZE: return WG_WASI_EMSGSIZE;
    case EMULTIHOP: return WG_WASI_EMULTIHOP;
    case ENAMETOOLONG: return WG_WASI_ENAMETOOLONG;
    case ENETDOWN: return WG_WASI_ENETDOWN;
    case ENETRESET: return WG_WASI_ENETRESET;
    case ENETUNREACH: return WG_WASI_ENETUNREACH;
    case ENFILE: return WG_WASI_ENFILE;
    case ENOBUFS: return WG_WASI_ENOBUFS;
    case ENODEV: return WG_WASI_ENODEV;
    case ENOENT: return WG_WASI_ENOENT;
    case ENOEXEC: return WG_WASI_ENOEXEC;
    case ENOLCK: return WG_WASI_ENOLCK;
    case ENOLINK: return WG_WASI_ENOLINK;
    case ENOMEM: return WG_WASI_ENOMEM;
    case ENOMSG: return WG_WASI_ENOMSG;
    case ENOPROTOOPT: return WG_WASI_ENOPROTOOPT;
    case ENOSPC: return WG_WASI_ENOSPC;
    case ENOSYS: return WG_WASI_ENOSYS;
    case ENOTCONN: return WG_WASI_ENOTCONN;
    case ENOTDIR: return WG_WASI_ENOTDIR;
    case ENOTEMPTY: return WG_WASI_ENOTEMPTY;
    case ENOTRECOVERABLE: return WG_WASI_ENOTRECOVERABLE;
    case ENOTSOCK: return WG_WASI_ENOTSOCK;
    case ENOTSUP: return WG_WASI_ENOTSUP; /* == EOPNOTSUPP on Linux */
    case ENOTTY: return WG_WASI_ENOTTY;
    case ENXIO: return WG_WASI_ENXIO;
    case EOVERFLOW: return WG_WASI_EOVERFLOW;
    case EOWNERDEAD: return WG_WASI_EOWNERDEAD;
    case EPERM: return WG_WASI_EPERM;
    case EPIPE: return WG_WASI_EPIPE;
    case EPROTO: return WG_WASI_EPROTO;
    case EPROTONOSUPPORT: return WG_WASI_EPROTONOSUPPORT;
    case EPROTOTYPE: return WG_WASI_EPROTOTYPE;
    case ERANGE: return WG_WASI_ERANGE;
    case EROFS: return WG_WASI_EROFS;
    case ESPIPE: return WG_WASI_ESPIPE;
    case ESRCH: return WG_WASI_ESRCH;
    case ESTALE: return WG_WASI_ESTALE;
    case ETIMEDOUT: return WG_WASI_ETIMEDOUT;
    case ETXTBSY: return WG_WASI_ETXTBSY;
    case EXDEV: return WG_WASI_EXDEV;
#if EOPNOTSUPP != ENOTSUP
    case EOPNOTSUPP: return WG_WASI_ENOTSUP;
#endif
#if EWOULDBLOCK != EAGAIN
    case EWOULDBLOCK: return WG_WASI_EAGAIN;
#endif
#if EDEADLOCK != EDEADLK
    case EDEADLOCK: return WG_WASI_EDEADLK;
#endif
    default: return WG_WASI_EIO;
    }
}
