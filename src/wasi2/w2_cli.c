/*
 * wasi:cli: environment, exit, stdin / stdout / stderr, terminals.
 *
 * Everything comes from the instance's wg_wasi, as preview1's args_get,
 * environ_get and fds 0-2 do: the arguments and environment (the config's,
 * or the per-instance ones), and stdio as its first three fd table entries
 * say (inherited or embedder fds, the stdin buffer, captures, null), so
 * wg_wasi_set_stdin and the captures work for components too. Each
 * get-stdin / get-stdout / get-stderr makes a new stream over the same
 * source (the stdin buffer's position is the wg_wasi's, shared by them).
 *
 *   initial-cwd            none (a guest has no working directory)
 *   exit(ok / err)         ends the run with status 0 / 1 (wg_ccall_exit)
 *   exit-with-code(n)      status n
 *   get-terminal-*         a terminal resource when the stream is a host fd
 *                          that is a tty (isatty), else none
 */
#include <string.h>
#include <unistd.h>

#include "wasi2/wasi2_int.h"

/* list<string> of a string vector, or list<tuple<string, string>> of
 * "NAME=VALUE" pairs (split at the first '='). Bytes that are not UTF-8
 * become U+FFFD: a WIT string cannot hold them. */
static wg_cval strings(char *const *v, size_t n, bool pairs) {
    wg_cval list = wg_cval_seq(WG_CV_LIST, n);
    if (n && !list.of.seq.items) return list;
    for (size_t i = 0; i < n; i++) {
        const char *s = v[i];
        if (!pairs) {
            list.of.seq.items[i] = w2_string_lossy(s, strlen(s));
            continue;
        }
        const char *eq = strchr(s, '=');
        size_t nl = eq ? (size_t)(eq - s) : strlen(s);
        wg_cval t = wg_cval_seq(WG_CV_TUPLE, 2);
        if (t.of.seq.items) {
            t.of.seq.items[0] = w2_string_lossy(s, nl);
            t.of.seq.items[1] = eq ? w2_string_lossy(eq + 1, strlen(eq + 1)) : wg_cval_string("", 0);
        }
        list.of.seq.items[i] = t;
    }
    return list;
}

static bool get_environment(wg_ccall *call, wg_cval *args, uint32_t nargs, wg_cval *r, void *data) {
    (void)args;
    w2_cx cx;
    if (!w2_enter(&cx, call, data) || !w2_nargs(call, nargs, 0, "get-environment")) return false;
    return w2_set(call, r, strings(cx.w->env, cx.w->nenv, true));
}

static bool get_arguments(wg_ccall *call, wg_cval *args, uint32_t nargs, wg_cval *r, void *data) {
    (void)args;
    w2_cx cx;
    if (!w2_enter(&cx, call, data) || !w2_nargs(call, nargs, 0, "get-arguments")) return false;
    return w2_set(call, r, strings(cx.w->args, cx.w->nargs, false));
}

static bool initial_cwd(wg_ccall *call, wg_cval *args, uint32_t nargs, wg_cval *r, void *data) {
    (void)args;
    w2_cx cx;
    if (!w2_enter(&cx, call, data) || !w2_nargs(call, nargs, 0, "initial-cwd")) return false;
    return w2_set(call, r, wg_cval_var(WG_CV_OPTION, 0, NULL));
}

static bool exit_fn(wg_ccall *call, wg_cval *args, uint32_t nargs, wg_cval *r, void *data) {
    (void)r;
    w2_cx cx;
    uint32_t disc;
    if (!w2_enter(&cx, call, data) || !w2_nargs(call, nargs, 1, "exit") ||
        !w2_arg_case(call, &args[0], &disc, NULL))
        return false;
    return wg_ccall_exit(call, disc == 0 ? 0 : 1);
}

static bool exit_with_code(wg_ccall *call, wg_cval *args, uint32_t nargs, wg_cval *r, void *data) {
    (void)r;
    w2_cx cx;
    uint64_t code;
    if (!w2_enter(&cx, call, data) || !w2_nargs(call, nargs, 1, "exit-with-code") ||
        !w2_arg_u64(call, &args[0], &code))
        return false;
    return wg_ccall_exit(call, (int)(code & 0xff));
}

/* ---- stdio ---------------------------------------------------------------------------------- */

/* A stream over stdio `stream` (0, 1, 2) as the wg_wasi's fd table entry
 * for it says. */
static bool stdio_stream(wg_ccall *call, uint32_t nargs, wg_cval *r, void *data, int stream,
                         const char *name) {
    w2_cx cx;
    if (!w2_enter(&cx, call, data) || !w2_nargs(call, nargs, 0, name)) return false;
    w2_stream *s;
    w2_rt rt = stream == 0 ? W2_RT_INPUT : W2_RT_OUTPUT;
    uint32_t rep = w2_stream_new(&cx, rt, &s);
    if (!rep) return false;
    const wg_wasi_fd *e = cx.w->nfds > (uint32_t)stream ? &cx.w->fds[stream] : NULL;
    switch (e ? e->kind : WG_WASI_FD_NULL) {
    case WG_WASI_FD_STDIN_BUF: s->io = stream == 0 ? W2_IO_STDIN_BUF : W2_IO_NULL; break;
    case WG_WASI_FD_OUT_BUF:
        s->io = stream == 0 ? W2_IO_NULL : W2_IO_CAPTURE;
        s->stream = stream;
        break;
    case WG_WASI_FD_HOST:
        s->io = W2_IO_FD;
        s->fd = e->hostfd;
        s->owned = false;
        s->may_wait = e->filetype != WG_WASI_FILETYPE_REGULAR_FILE &&
                      e->filetype != WG_WASI_FILETYPE_DIRECTORY;
        break;
    default: s->io = W2_IO_NULL; break;
    }
    return w2_set(call, r, w2_own(&cx, rt, rep));
}

static bool get_stdin(wg_ccall *call, wg_cval *args, uint32_t nargs, wg_cval *r, void *data) {
    (void)args;
    return stdio_stream(call, nargs, r, data, 0, "get-stdin");
}

static bool get_stdout(wg_ccall *call, wg_cval *args, uint32_t nargs, wg_cval *r, void *data) {
    (void)args;
    return stdio_stream(call, nargs, r, data, 1, "get-stdout");
}

static bool get_stderr(wg_ccall *call, wg_cval *args, uint32_t nargs, wg_cval *r, void *data) {
    (void)args;
    return stdio_stream(call, nargs, r, data, 2, "get-stderr");
}

/* ---- terminals ------------------------------------------------------------------------------ */

static bool terminal(wg_ccall *call, uint32_t nargs, wg_cval *r, void *data, int stream,
                     const char *name) {
    w2_cx cx;
    if (!w2_enter(&cx, call, data) || !w2_nargs(call, nargs, 0, name)) return false;
    const wg_wasi_fd *e = cx.w->nfds > (uint32_t)stream ? &cx.w->fds[stream] : NULL;
    if (!e || e->kind != WG_WASI_FD_HOST || !isatty(e->hostfd))
        return w2_set(call, r, wg_cval_var(WG_CV_OPTION, 0, NULL));
    w2_obj *o;
    w2_rt rt = stream == 0 ? W2_RT_TERM_IN : W2_RT_TERM_OUT;
    uint32_t rep = w2_new(&cx, rt, &o);
    if (!rep) return false;
    wg_cval h = w2_own(&cx, rt, rep);
    return w2_set(call, r, wg_cval_var(WG_CV_OPTION, 1, &h));
}

static bool term_stdin(wg_ccall *call, wg_cval *args, uint32_t nargs, wg_cval *r, void *data) {
    (void)args;
    return terminal(call, nargs, r, data, 0, "get-terminal-stdin");
}

static bool term_stdout(wg_ccall *call, wg_cval *args, uint32_t nargs, wg_cval *r, void *data) {
    (void)args;
    return terminal(call, nargs, r, data, 1, "get-terminal-stdout");
}

static bool term_stderr(wg_ccall *call, wg_cval *args, uint32_t nargs, wg_cval *r, void *data) {
    (void)args;
    return terminal(call, nargs, r, data, 2, "get-terminal-stderr");
}

const w2_fn w2_cli_fns[] = {
    {"wasi:cli/environment", "get-environment", get_environment},
    {"wasi:cli/environment", "get-arguments", get_arguments},
    {"wasi:cli/environment", "initial-cwd", initial_cwd},
    {"wasi:cli/exit", "exit", exit_fn},
    {"wasi:cli/exit", "exit-with-code", exit_with_code},
    {"wasi:cli/stdin", "get-stdin", get_stdin},
    {"wasi:cli/stdout", "get-stdout", get_stdout},
    {"wasi:cli/stderr", "get-stderr", get_stderr},
    {"wasi:cli/terminal-stdin", "get-terminal-stdin", term_stdin},
    {"wasi:cli/terminal-stdout", "get-terminal-stdout", term_stdout},
    {"wasi:cli/terminal-stderr", "get-terminal-stderr", term_stderr},
    {NULL, NULL, NULL},
};
