/*
 * One request's guest run (gateway_int.h wg__gw_run):
 *
 *   concurrency slot (atomic in-flight counter; over the cap -> 503 at once)
 *   wg_wasi from the route's template + stdin = body, env, argv
 *   interrupt handle made and listed with the watchdog (deadline), then
 *   wg_instance_new with that handle (so a start function that loops is
 *   stopped too) and the server's wg_pool (memories and exec stacks reused:
 *   no mmap/munmap per request; every memory is zeroed before reuse)
 *   _initialize (if exported) then the entry point
 *   deadline removed; instance freed (back to the pool); stdout parsed (wagi.c)
 *
 * Outcomes:
 *   returned / exit(0)          the guest's response
 *   exit(N), N != 0             the guest's response if its headers parse (as
 *                               WAGI does), with a warning naming the status;
 *                               else 500
 *   interrupted at the deadline 504 (timeouts_total)
 *   any other trap              500 (traps_total), message and backtrace logged;
 *                               stdout past max_output is one (the write that
 *                               passes it traps: wg_wasi_config_output_limit_traps)
 *   stdout over max_output      500
 *   bad or missing headers      500
 *   memory budget used up       503 (instantiation refused: --max-total-memory)
 *   response head too large     502 (more than WG_GW_MAX_RESPONSE_HEAD: the
 *                               server could not send it; the log says so)
 * Guest stderr is logged line by line (at most max_stderr bytes), tagged
 * "[ROUTE ID]", after the run, whatever the outcome.
 */
#include "gateway/gateway_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_STDERR_LINES 1000

/* True if the manifest sets `name` for this route (it then overrides WAGI's). */
static bool manifest_sets(const wg_app_route *r, const char *name) {
    for (size_t i = 0; i < r->nenv; i++)
        if (strcmp(r->env[i].name, name) == 0) return true;
    return false;
}

/* Environment and argv of the request into w. False when out of memory. */
static bool setup_wasi(wg_gw_call *call, wg_wasi *w) {
    const wg_app_route *r = call->route->app;
    wg_wagi_strs env = {0}, argv = {0};
    const char **ptrs = NULL;
    bool ok = wg__wagi_build_env(call->rq, &env) &&
              wg__wagi_build_argv(r, call->rq->query, &argv);
    for (size_t i = 0; ok && i + 1 < env.n; i += 2) {
        const char *name = wg__wagi_strs_at(&env, i);
        if (r->nenv && manifest_sets(r, name)) continue;
        ok = wg_wasi_add_env(w, name, wg__wagi_strs_at(&env, i + 1));
    }
    if (ok) {
        ptrs = malloc((argv.n ? argv.n : 1) * sizeof *ptrs);
        ok = ptrs != NULL;
    }
    if (ok) {
        for (size_t i = 0; i < argv.n; i++) ptrs[i] = wg__wagi_strs_at(&argv, i);
        ok = wg_wasi_set_args(w, ptrs, argv.n);
    }
    free(ptrs);
    wg__wagi_strs_free(&env);
    wg__wagi_strs_free(&argv);
    wg_wasi_set_stdin(w, call->body, call->body_len);
    return ok;
}

/* Calls _initialize (if exported and not the entry itself) then the entry.
 * Returns the exit status (0 when the entry returns), or -1 on a trap. */
static int run_entry(wg_instance *inst, const wg_gw_route *rt, wg_trap *trap) {
    if (rt->entry_is_start) return wg_wasi_run_start(inst, trap);
    memset(trap, 0, sizeof *trap);
    wg_func *init = strcmp(rt->entry, "_initialize") != 0
                        ? wg_instance_export_func(inst, "_initialize") : NULL;
    wg_func *entry = wg_instance_export_func(inst, rt->entry);
    if (!entry) {
        trap->code = WG_TRAP_HOST;
        snprintf(trap->message, sizeof trap->message, "no exported function '%s'", rt->entry);
        return -1;
    }
    wg_func *seq[2] = {init, entry};
    for (int i = 0; i < 2; i++) {
        if (!seq[i]) continue;
        if (!wg_func_call(inst, seq[i], NULL, 0, NULL, 0, trap))
            return trap->code == WG_TRAP_EXIT ? trap->exit_code : -1;
    }
    memset(trap, 0, sizeof *trap);
    return 0;
}

/* The bytes of the response head the server will send for resp: status
 * line, the guest's headers, and what the server adds (Date, Content-Length
 * or chunking, X-Request-Id, Connection): 256 bytes is more than those take. */
static size_t response_head_bytes(const wg_wagi_response *resp) {
    size_t n = 256;
    for (size_t i = 0; i < resp->nheaders; i++)
        n += strlen(resp->headers[i].name) + strlen(resp->headers[i].value) + 4;
    return n;
}

static void log_trap(wg_gateway *gw, const char *tag, const wg_trap *trap) {
    char text[4096];
    wg_trap_format(trap, text, sizeof text);
    wg__gw_log_lines(&gw->log, WG_GW_LOG_ERROR, tag, (const uint8_t *)text, strlen(text), 64);
}

/* Runs the guest (see the file comment). */
void wg__gw_run(wg_gateway *gw, wg_gw_call *call) {
    wg_gw_route *rt = call->route;
    const char *route = rt->app->route;
    char tag[512];
    snprintf(tag, sizeof tag, "[%s %s] ", route, call->req_id);
    call->status = 500;

    int64_t prev = atomic_fetch_add_explicit(&rt->metrics.in_flight, 1, memory_order_acq_rel);
    if (prev >= (int64_t)rt->max_concurrency) {
        atomic_fetch_sub_explicit(&rt->metrics.in_flight, 1, memory_order_acq_rel);
        atomic_fetch_add_explicit(&rt->metrics.rejected_concurrency, 1, memory_order_relaxed);
        call->status = 503;
        return;
    }

    wg_error err = {0};
    wg_trap trap;
    memset(&trap, 0, sizeof trap);
    wg_wasi *w = wg_wasi_new(rt->wasi, &err);
    if (!w || !setup_wasi(call, w)) {
        wg__gw_logf(&gw->log, WG_GW_LOG_ERROR, "%scannot prepare WASI: %s", tag,
                    w ? "out of memory" : err.message);
        wg_wasi_free(w);
        atomic_fetch_sub_explicit(&rt->metrics.in_flight, 1, memory_order_acq_rel);
        return;
    }

    wg_interrupt *intr = wg_interrupt_new();
    if (!intr) {
        wg__gw_logf(&gw->log, WG_GW_LOG_ERROR, "%scannot prepare the guest: out of memory", tag);
        wg_wasi_free(w);
        atomic_fetch_sub_explicit(&rt->metrics.in_flight, 1, memory_order_acq_rel);
        return;
    }
    wg_gw_deadline dl;
    wg__watchdog_add(&gw->watchdog, &dl, rt->timeout_s, intr);
    wg_instance_opts io = {.max_memory_bytes = rt->max_memory, .host_data = w,
                           .pool = gw->instance_pool, .interrupt = intr, .budget = gw->budget};
    wg_instance *inst = wg_instance_new(rt->module, gw->imports, &io, &err, &trap);
    int status = -1;
    if (inst) status = run_entry(inst, rt, &trap);
    bool timed_out = wg__watchdog_remove(&gw->watchdog, &dl);
    wg_instance_free(inst);
    /* No instance refers to intr any more: gw->imports holds host functions
     * only, so a failed instantiation is never adopted by it (instance.c). */
    wg_interrupt_free(intr);
    atomic_fetch_sub_explicit(&rt->metrics.in_flight, 1, memory_order_acq_rel);

    size_t elen = 0, olen = 0;
    bool etrunc = false, otrunc = false;
    const uint8_t *errout = wg_wasi_output(w, 2, &elen, &etrunc);
    if (elen) wg__gw_log_lines(&gw->log, WG_GW_LOG_GUEST, tag, errout, elen, MAX_STDERR_LINES);
    if (etrunc)
        wg__gw_logf(&gw->log, WG_GW_LOG_WARN, "%sguest stderr cut at %zu bytes", tag,
                    gw->opts.max_stderr);
    const uint8_t *out = wg_wasi_output(w, 1, &olen, &otrunc);

    if (!inst) {
        if (timed_out || trap.code == WG_TRAP_INTERRUPTED) {
            atomic_fetch_add_explicit(&rt->metrics.timeouts, 1, memory_order_relaxed);
            wg__gw_logf(&gw->log, WG_GW_LOG_ERROR, "%stimed out after %g s (instantiating)", tag,
                        rt->timeout_s);
            call->status = 504;
        } else if (err.kind == WG_ERR_BUDGET) {
            /* The server is full (--max-total-memory), not the guest wrong. */
            atomic_fetch_add_explicit(&rt->metrics.rejected_memory, 1, memory_order_relaxed);
            wg__gw_logf(&gw->log, WG_GW_LOG_WARN, "%s503: %s", tag, err.message);
            call->status = 503;
        } else {
            if (err.kind == WG_ERR_TRAP)
                atomic_fetch_add_explicit(&rt->metrics.traps, 1, memory_order_relaxed);
            wg__gw_logf(&gw->log, WG_GW_LOG_ERROR, "%scannot instantiate: %s", tag, err.message);
        }
        goto done;
    }
    if (status < 0) {
        if (timed_out && trap.code == WG_TRAP_INTERRUPTED) {
            atomic_fetch_add_explicit(&rt->metrics.timeouts, 1, memory_order_relaxed);
            wg__gw_logf(&gw->log, WG_GW_LOG_ERROR, "%stimed out after %g s: guest interrupted",
                        tag, rt->timeout_s);
            call->status = 504;
        } else {
            atomic_fetch_add_explicit(&rt->metrics.traps, 1, memory_order_relaxed);
            log_trap(gw, tag, &trap);
        }
        goto done;
    }
    if (otrunc) {
        wg__gw_logf(&gw->log, WG_GW_LOG_ERROR, "%sguest stdout exceeds %llu bytes", tag,
                    (unsigned long long)gw->opts.max_output);
        goto done;
    }
    if (!wg__wagi_parse_output(out, olen, &call->resp)) {
        wg__gw_logf(&gw->log, WG_GW_LOG_ERROR, "%sbad response: %s%s", tag, call->resp.error,
                    status ? " (and the guest exited with a non-zero status)" : "");
        wg__wagi_response_free(&call->resp);
        goto done;
    }
    size_t head = response_head_bytes(&call->resp);
    if (head > WG_GW_MAX_RESPONSE_HEAD) {
        wg__gw_logf(&gw->log, WG_GW_LOG_ERROR,
                    "%s502: the guest's response headers take %zu bytes, more than the %u "
                    "the server can send",
                    tag, head, (unsigned)WG_GW_MAX_RESPONSE_HEAD);
        wg__wagi_response_free(&call->resp);
        call->status = 502;
        goto done;
    }
    if (status != 0)
        wg__gw_logf(&gw->log, WG_GW_LOG_WARN, "%sguest exited with status %d; sending its response",
                    tag, status);
    if (call->resp.ndropped)
        wg__gw_logf(&gw->log, WG_GW_LOG_WARN,
                    "%sdropped %zu framing/hop-by-hop header(s) the guest printed", tag,
                    call->resp.ndropped);
    call->from_guest = true;
    call->status = call->resp.status;
    call->out = out + call->resp.body_off;
    call->out_len = call->resp.body_len;
    call->wasi = w;
    return;
done:
    wg_wasi_free(w);
}

/* Frees the parsed headers, and the WASI state unless the caller keeps it. */
void wg__gw_call_release(wg_gw_call *call, bool keep_wasi) {
    wg__wagi_response_free(&call->resp);
    if (!keep_wasi) wg_wasi_free(call->wasi);
    call->wasi = NULL;
}
