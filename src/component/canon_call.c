/*
 * Synchronous calls across the Canonical ABI (definitions.py Store.lift's
 * func_inst with canon_lift, canon_lower with its on_start / on_resolve, and
 * post-return), for functions that are not async. The order of every step
 * is the reference's: it decides which trap a faulty guest sees.
 *
 *   canon lower (caller side): may the instance leave? call the callee.
 *   canon lift (callee side): may the instance be entered? enter it; take
 *   the arguments (on_start: lifted from the caller's memory, its borrowed
 *   handles lent for the call) and lower them into the callee (a realloc'ed
 *   block past 16 flat values; borrows of foreign resources become handles
 *   the callee must drop before the call ends); call the core function;
 *   lift its result; Task.return_ (no borrow left); hand the result back
 *   (on_resolve: lowered into the caller, through its return pointer past
 *   one flat value); post-return (may not leave); leave.
 *   canon lower again: give the lent handles back.
 *
 * A trap leaves the instances as they were when it happened (entered, with
 * handles taken): the reference's traps poison them, and a later call into
 * one traps "cannot enter component instance". A host's argument that does
 * not match its type fails before anything happens, and the instance is
 * left as it was.
 */
#include <stdlib.h>

#include "component/canon_int.h"

bool wg__canon_post_return(wg_canon_inst *inst, const wg_canon_opts *opts,
                           const uint64_t *flat, uint32_t nflat, wg_trap *trap) {
    if (!opts->post_return.fn) return true;
    uint64_t slots[WG_CANON_MAX_FLAT_RESULTS + 1] = {0};
    if (nflat > WG_CANON_MAX_FLAT_RESULTS) nflat = WG_CANON_MAX_FLAT_RESULTS;
    memcpy(slots, flat, nflat * sizeof *flat);
    inst->may_leave = false;
    bool ok = opts->post_return.fn(opts->post_return.data, slots, nflat, 0, trap);
    inst->may_leave = true;
    return ok;
}

/* The number of flat core results of ft (the pointer when spilled). */
static uint32_t flat_results(const wg_cfunctype *ft, bool mem64) {
    if (!ft->result) return 0;
    uint32_t n = ft->result->layout[mem64].nflat;
    return n > WG_CANON_MAX_FLAT_RESULTS ? 1 : n;
}

static bool results_spill(const wg_cfunctype *ft, bool mem64) {
    return ft->result && ft->result->layout[mem64].nflat > WG_CANON_MAX_FLAT_RESULTS;
}

/* ---- the caller's side (on_start / on_resolve) ------------------------------------ */

bool wg__canon_io_start(wg_canon_io *io, const wg_cval **args, uint32_t *nargs) {
    if (io->started) return wg__canon_trapf(io->trap, "call arguments taken twice");
    io->started = true;
    if (!io->lowered) {
        *args = io->host_args;
        *nargs = io->host_nargs;
        return true;
    }
    const wg_canon_lowered *f = io->lowered;
    const wg_cfunctype *ft = f->ft;
    uint32_t n = ft->nparams, used = 0;
    io->args = io->small;
    if (n > sizeof io->small / sizeof io->small[0] && !(io->args = calloc(n, sizeof *io->args))) {
        io->args = io->small;
        return wg__canon_oom(io->trap);
    }
    io->cx.views = io->guest_to_guest;
    wg__canon_reload(&io->cx);
    if (!wg__canon_lift_values(&io->cx, WG_CANON_MAX_FLAT_PARAMS, ft->params, n, io->slots,
                               io->nargs, io->args, &used)) {
        if (io->args != io->small) free(io->args);
        io->args = NULL;
        return false;
    }
    /* The return pointer follows the arguments; read it before the result
     * overwrites the slots. */
    if (results_spill(ft, f->opts.mem64)) {
        if (used >= io->nargs) return wg__canon_trapf(io->trap, "too few core values for the function type");
        io->retptr = io->slots[used];
    }
    *args = io->args;
    *nargs = n;
    return true;
}

bool wg__canon_io_resolve(wg_canon_io *io, wg_cval *result) {
    wg_cval none = {.kind = WG_CV_BOOL};
    if (!result) result = &none;
    if (!io->started || io->resolved) {
        wg_cval_free(result);
        return wg__canon_trapf(io->trap, io->resolved ? "call result given twice"
                                                      : "call result given before its arguments were taken");
    }
    io->resolved = true;
    if (!io->lowered) {
        *io->host_result = *result;
        *result = none;
        return true;
    }
    const wg_canon_lowered *f = io->lowered;
    wg_cfield rf = {NULL, f->ft->result};
    uint64_t flat[WG_CANON_MAX_FLAT_RESULTS];
    uint32_t nflat = 0;
    io->cx.trusted = io->guest_to_guest;
    wg__canon_reload(&io->cx);
    bool ok = wg__canon_lower_values(&io->cx, WG_CANON_MAX_FLAT_RESULTS, &rf, f->ft->result ? 1 : 0,
                                     result, flat, &nflat,
                                     results_spill(f->ft, f->opts.mem64) ? &io->retptr : NULL);
    wg_cval_free(result);
    if (!ok) return false;
    if (nflat > io->nresults)
        return wg__canon_trapf(io->trap, "core function type has %u results, the function type %u",
                               io->nresults, nflat);
    memcpy(io->slots, flat, nflat * sizeof *flat);
    return true;
}

static void io_fini(wg_canon_io *io) {
    if (io->args) {
        for (uint32_t i = 0; i < io->lowered->ft->nparams; i++) wg_cval_free(&io->args[i]);
        if (io->args != io->small) free(io->args);
        io->args = NULL;
    }
    wg__canon_call_fini(&io->sub);
}

/* ---- canon lift ---------------------------------------------------------------------- */

/* A call from another guest whose values may skip the value tree: a
 * different instance with a different memory, so a view into the source
 * memory stays put while the destination's realloc runs. */
static bool guest_to_guest(const wg_canon_lifted *f, const wg_canon_io *io) {
    const wg_canon_lowered *l = io->lowered;
    return l && l->inst != f->inst && l->opts.memory && f->opts.memory &&
           (l->opts.memory != f->opts.memory || l->opts.memory_data != f->opts.memory_data);
}

bool wg__canon_call_lifted(const wg_canon_lifted *f, wg_canon_inst *caller, wg_canon_io *io,
                           wg_trap *trap) {
    const wg_cfunctype *ft = f->ft;
    if (!f->callee.fn) return wg__canon_trapf(trap, "canon lift without a core function");
    if (!wg__canon_enter(f->inst, caller, trap)) return false;
    wg_canon_call task;
    wg__canon_call_init(&task);
    wg_canon_cx cx;
    wg__canon_cx_init(&cx, &f->opts, f->inst, &task, trap);
    uint64_t slots[WG_CANON_MAX_FLAT_PARAMS];
    uint32_t nargs, nres = flat_results(ft, f->opts.mem64), n;
    wg_cfield rf = {NULL, ft->result};
    wg_cval result = {.kind = WG_CV_BOOL};
    const wg_cval *args;
    bool ok = false;
    io->guest_to_guest = cx.views = cx.trusted = guest_to_guest(f, io);
    if (!wg__canon_io_start(io, &args, &n)) goto out;
    if (n != ft->nparams) {
        wg__canon_trapf(trap, "%u arguments for a function of %u parameters", n, ft->nparams);
        goto out;
    }
    wg__canon_reload(&cx);
    if (!wg__canon_lower_values(&cx, WG_CANON_MAX_FLAT_PARAMS, ft->params, n, args, slots, &nargs,
                                NULL)) {
        /* A host's bad argument is caught before anything changed. */
        if (cx.bad_value && !io->lowered) wg__canon_leave(f->inst, caller);
        goto out;
    }
    if (!f->callee.fn(f->callee.data, slots, nargs, nres, trap)) goto out;
    wg__canon_reload(&cx);
    if (!wg__canon_lift_values(&cx, WG_CANON_MAX_FLAT_RESULTS, &rf, ft->result ? 1 : 0, slots, nres,
                               &result, NULL))
        goto out;
    if (!wg__canon_call_end(&task, f->inst, trap) || !wg__canon_io_resolve(io, &result) ||
        !wg__canon_post_return(f->inst, &f->opts, slots, nres, trap))
        goto out;
    wg__canon_leave(f->inst, caller);
    ok = true;
out:
    wg_cval_free(&result);
    if (!ok) wg__canon_call_detach(&task, f->inst);
    wg__canon_call_fini(&task);
    return ok;
}

bool wg__canon_func_lifted(void *lifted, wg_canon_inst *caller, wg_canon_io *io, wg_trap *trap) {
    return wg__canon_call_lifted(lifted, caller, io, trap);
}

bool wg__canon_call_export(const wg_canon_lifted *f, const wg_cval *args, uint32_t nargs,
                           wg_cval *result, wg_trap *trap) {
    *result = (wg_cval){.kind = WG_CV_BOOL};
    wg_canon_io io = {.trap = trap, .host_args = args, .host_nargs = nargs, .host_result = result};
    if (wg__canon_call_lifted(f, NULL, &io, trap)) return true;
    wg_cval_free(result);
    return false;
}

/* ---- canon lower -------------------------------------------------------------------- */

bool wg__canon_call_lowered(const wg_canon_lowered *f, uint64_t *slots, uint32_t nargs,
                            uint32_t nresults, wg_trap *trap) {
    if (!wg__canon_check_leave(f->inst, trap)) return false;
    wg_canon_io io = {.trap = trap, .lowered = f, .slots = slots, .nargs = nargs,
                      .nresults = nresults};
    wg__canon_call_init(&io.sub);
    wg__canon_cx_init(&io.cx, &f->opts, f->inst, &io.sub, trap);
    bool ok = f->callee(f->callee_data, f->inst, &io, trap);
    if (ok && !io.started) {
        const wg_cval *a;
        uint32_t n;
        ok = wg__canon_io_start(&io, &a, &n);
    }
    if (ok && !io.resolved) {
        if (f->ft->result) ok = wg__canon_trapf(trap, "the callee returned no result");
        else ok = wg__canon_io_resolve(&io, NULL);
    }
    /* Subtask.deliver_resolve: the lent handles are the caller's again. */
    if (ok) wg__canon_call_release(&io.sub);
    io_fini(&io);
    return ok;
}
