/*
 * wasmgate — WASI 0.2 (the component-model WASI) for embedders.
 *
 * One configuration for both WASIs: a WASI 0.2 component sees exactly what
 * a preview1 module made from the same wg_wasi_config sees (arguments,
 * environment, preopened directories with their read-only variants, stdio
 * kinds and captures, open-file caps), through the same capability sandbox
 * and the same per-instance state, wg_wasi (include/wasmgate/wasi.h):
 *
 *   wg_wasi_config *cfg = wg_wasi_config_new();      // as for preview1
 *   wg_wasi_config_add_arg(cfg, "app.wasm");
 *   wg_wasi_config_preopen(cfg, "./data", "/data", false, &err);
 *   wg_clinker *l = wg_clinker_new();
 *   wg_wasi2_add_to_linker(l, NULL);                  // every interface, once per linker
 *   wg_wasi *w = wg_wasi_new(cfg, &err);              // per instance
 *   wg_cinstance_opts o = { .host_data = w, .interrupt = intr };
 *   wg_cinstance *inst = wg_cinstance_new(component, l, &o, &err, &trap);
 *   int status = wg_wasi2_run(inst, &trap);           // wasi:cli/run, wasi:cli/exit
 *   ... wg_cinstance_free(inst); wg_wasi_free(w);
 *
 * Interfaces (registered as @0.2.6; an import of any 0.2.x links by the
 * linker's semver matching, 0.2.0, 0.2.3 and newer 0.2.x alike):
 *   wasi:cli/{environment, exit, stdin, stdout, stderr, terminal-input,
 *            terminal-output, terminal-stdin, terminal-stdout, terminal-stderr}
 *   wasi:io/{error, poll, streams}
 *   wasi:clocks/{monotonic-clock, wall-clock}
 *   wasi:random/{random, insecure, insecure-seed}
 *   wasi:filesystem/{types, preopens}
 *   wasi:sockets/{network, instance-network, tcp, tcp-create-socket, udp,
 *                 udp-create-socket, ip-name-lookup}: linked so that
 *                 components built with the standard adapters instantiate;
 *                 every operation answers error-code access-denied (docs/wasi2.md)
 * docs/wasi2.md says what each function does, where it differs from
 * wasmtime, and what is not provided (the unstable timezone interface).
 *
 * Blocking calls (a blocking read of a pipe, poll, a write to a slow
 * reader) wait in short slices and give up when the instance's wg_interrupt
 * (wg_cinstance_opts.interrupt) is set: the call then traps with
 * WG_TRAP_INTERRUPTED, as a core instance does. Without an interrupt handle
 * they cannot be interrupted.
 */
#ifndef WASMGATE_WASI2_H
#define WASMGATE_WASI2_H

#include "wasmgate/component.h"
#include "wasmgate/wasi.h"

#ifdef __cplusplus
extern "C" {
#endif

/* How the host functions find the calling instance's wg_wasi from its
 * wg_cinstance_opts.host_data: NULL means host_data is the wg_wasi itself;
 * an embedder keeping more per-instance state (a request, say) gives a
 * function returning the wg_wasi inside it. A call whose instance has no
 * wg_wasi traps "WASI is not configured for this instance". */
typedef wg_wasi *(*wg_wasi2_state_fn)(void *host_data);

/* Defines every WASI 0.2 function and resource type in l (host functions
 * and host resources, under the interface names above at @0.2.6). The
 * linker keeps what they share and frees it with itself. False when out of
 * memory (l may then hold part of them: free it). Call it once per linker,
 * before instantiating; the linker may then be shared by threads. */
bool wg_wasi2_add_to_linker(wg_clinker *l, wg_wasi2_state_fn get);

/* Runs a command component: calls the `run` function of its wasi:cli/run
 * export (any 0.2.x). Returns the exit status: 0 when run returns ok, 1
 * when it returns err, the status given to wasi:cli/exit (exit(ok) 0,
 * exit(err) 1, exit-with-code its code); -1 if it trapped (*trap says how;
 * trap must be non-NULL) or if the component exports no wasi:cli/run
 * (trap->message says so). */
int wg_wasi2_run(wg_cinstance *inst, wg_trap *trap);

#ifdef __cplusplus
}
#endif
#endif
