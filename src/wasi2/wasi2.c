/*
 * WASI 0.2 for embedders (include/wasmgate/wasi2.h): registration of every
 * interface in a wg_clinker, and running a command component.
 *
 * Everything is registered under @0.2.6 (W2_VERSION): the linker's semver
 * matching links an import of any 0.2.x against it (0.2.0, 0.2.3, and the
 * 0.2.12 that jco's preview1 adapter imports alike). Each resource type is
 * defined once, in the interface that declares it, and again (the same
 * wg_rtype) in every interface that `use`s it, as the linker requires
 * (component.h, wg_clinker_define_resource_type).
 *
 * What the functions share, the w2_host (the resource types and how to find
 * an instance's wg_wasi), is handed to the linker (wg_clinker_adopt): it
 * lives as long as the functions can be called.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wasi2/wasi2_int.h"

/* The resource types, by the interface that declares them. */
static const struct {
    const char *iface, *name;
    w2_rt rt;
} resources[] = {
    {"wasi:io/error", "error", W2_RT_ERROR},
    {"wasi:io/poll", "pollable", W2_RT_POLLABLE},
    {"wasi:io/streams", "input-stream", W2_RT_INPUT},
    {"wasi:io/streams", "output-stream", W2_RT_OUTPUT},
    {"wasi:filesystem/types", "descriptor", W2_RT_DESCRIPTOR},
    {"wasi:filesystem/types", "directory-entry-stream", W2_RT_DIR_STREAM},
    {"wasi:cli/terminal-input", "terminal-input", W2_RT_TERM_IN},
    {"wasi:cli/terminal-output", "terminal-output", W2_RT_TERM_OUT},
    {"wasi:sockets/network", "network", W2_RT_NETWORK},
    {"wasi:sockets/tcp", "tcp-socket", W2_RT_TCP},
    {"wasi:sockets/udp", "udp-socket", W2_RT_UDP},
    {"wasi:sockets/udp", "incoming-datagram-stream", W2_RT_IN_DGRAM},
    {"wasi:sockets/udp", "outgoing-datagram-stream", W2_RT_OUT_DGRAM},
    {"wasi:sockets/ip-name-lookup", "resolve-address-stream", W2_RT_RESOLVE},
};

/* The resource types each interface `use`s from another (WIT `use`). */
static const struct {
    const char *iface, *name;
    w2_rt rt;
} uses[] = {
    {"wasi:io/streams", "error", W2_RT_ERROR},
    {"wasi:io/streams", "pollable", W2_RT_POLLABLE},
    {"wasi:clocks/monotonic-clock", "pollable", W2_RT_POLLABLE},
    {"wasi:filesystem/types", "error", W2_RT_ERROR},
    {"wasi:filesystem/types", "input-stream", W2_RT_INPUT},
    {"wasi:filesystem/types", "output-stream", W2_RT_OUTPUT},
    {"wasi:filesystem/preopens", "descriptor", W2_RT_DESCRIPTOR},
    {"wasi:cli/stdin", "input-stream", W2_RT_INPUT},
    {"wasi:cli/stdout", "output-stream", W2_RT_OUTPUT},
    {"wasi:cli/stderr", "output-stream", W2_RT_OUTPUT},
    {"wasi:cli/terminal-stdin", "terminal-input", W2_RT_TERM_IN},
    {"wasi:cli/terminal-stdout", "terminal-output", W2_RT_TERM_OUT},
    {"wasi:cli/terminal-stderr", "terminal-output", W2_RT_TERM_OUT},
    {"wasi:sockets/network", "error", W2_RT_ERROR},
    {"wasi:sockets/instance-network", "network", W2_RT_NETWORK},
    {"wasi:sockets/ip-name-lookup", "network", W2_RT_NETWORK},
    {"wasi:sockets/ip-name-lookup", "pollable", W2_RT_POLLABLE},
    {"wasi:sockets/tcp", "input-stream", W2_RT_INPUT},
    {"wasi:sockets/tcp", "output-stream", W2_RT_OUTPUT},
    {"wasi:sockets/tcp", "network", W2_RT_NETWORK},
    {"wasi:sockets/tcp", "pollable", W2_RT_POLLABLE},
    {"wasi:sockets/tcp-create-socket", "network", W2_RT_NETWORK},
    {"wasi:sockets/tcp-create-socket", "tcp-socket", W2_RT_TCP},
    {"wasi:sockets/udp", "network", W2_RT_NETWORK},
    {"wasi:sockets/udp", "pollable", W2_RT_POLLABLE},
    {"wasi:sockets/udp-create-socket", "network", W2_RT_NETWORK},
    {"wasi:sockets/udp-create-socket", "udp-socket", W2_RT_UDP},
};

static const w2_fn *const fn_tables[] = {
    w2_cli_fns, w2_clock_fns, w2_stream_fns, w2_poll_fns, w2_fs_fns, w2_fs_io_fns, w2_socket_fns,
};

/* iface + W2_VERSION into buf. */
static const char *versioned(char *buf, size_t size, const char *iface) {
    snprintf(buf, size, "%s%s", iface, W2_VERSION);
    return buf;
}

bool wg_wasi2_add_to_linker(wg_clinker *l, wg_wasi2_state_fn get) {
    if (!l) return false;
    w2_host *h = calloc(1, sizeof *h);
    if (!h) return false;
    if (!wg_clinker_adopt(l, h, free)) {
        free(h);
        return false;
    }
    h->get = get;
    char name[96];
    for (size_t i = 0; i < sizeof resources / sizeof resources[0]; i++) {
        h->rt[resources[i].rt] = wg_clinker_define_resource(
            l, versioned(name, sizeof name, resources[i].iface), resources[i].name, w2_dtor, h);
        if (!h->rt[resources[i].rt]) return false;
    }
    for (size_t i = 0; i < sizeof uses / sizeof uses[0]; i++) {
        if (!wg_clinker_define_resource_type(l, versioned(name, sizeof name, uses[i].iface),
                                             uses[i].name, h->rt[uses[i].rt]))
            return false;
    }
    for (size_t t = 0; t < sizeof fn_tables / sizeof fn_tables[0]; t++) {
        for (const w2_fn *f = fn_tables[t]; f->name; f++) {
            if (!wg_clinker_define_func(l, versioned(name, sizeof name, f->iface), f->name, f->fn, h))
                return false;
        }
    }
    return true;
}

int wg_wasi2_run(wg_cinstance *inst, wg_trap *trap) {
    wg_trap local;
    if (!trap) trap = &local;
    memset(trap, 0, sizeof *trap);
    const wg_cfunc *run = inst ? wg_cinstance_func(inst, "wasi:cli/run" W2_VERSION "#run") : NULL;
    if (!run) {
        trap->code = WG_TRAP_HOST;
        snprintf(trap->message, sizeof trap->message,
                 "the component exports no wasi:cli/run@0.2.x with a `run` function");
        return -1;
    }
    wg_cval res = {.kind = WG_CV_BOOL};
    if (!wg_cfunc_call(inst, run, NULL, 0, &res, trap))
        return trap->code == WG_TRAP_EXIT ? trap->exit_code : -1;
    int status = res.kind == WG_CV_RESULT && res.of.var.disc == 0 ? 0 : 1;
    wg_cval_free(&res);
    memset(trap, 0, sizeof *trap);
    return status;
}
