/*
 * Canon definitions in a component instance, and the calls that cross them:
 *
 *   canon lift      a wg_cfunc (CF_LIFTED) around a wg_canon_lifted whose
 *                   options are resolved to this instance's memory and core
 *                   functions
 *   canon lower     the shared engine function the plan made (cinst.h) and
 *                   this instance's wg_canon_lowered, whose callee is the
 *                   wg_cfunc lowered: a lifted function of this or another
 *                   instance (component to component: lift there, lower
 *                   here), or a host function
 *   resource.*      the plan's shared engine functions; the resource type is
 *                   the slot's in the calling instance
 *   (type (resource))  a fresh wg_rtype per instance, with its destructor
 *
 * What is not supported yet (the async built-ins, async lifts and lowers)
 * instantiates as functions that trap "not supported yet: <feature>".
 *
 * A component calling its own lifted export traps "cannot enter component
 * instance", as wasmtime does (the reference would let it in: its entering
 * set is empty). Calls of another instance that trap poison it.
 *
 * The host functions of a linker are called here (call_host), with the
 * arguments lifted by the caller's canon lower and the result lowered back.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "component/canon_int.h"
#include "component/cinst.h"

/* ---- options ---------------------------------------------------------------------------- */

static uint8_t *memory_view(void *data, uint64_t *size) {
    wg_memory *m = data;
    *size = wg_memory_size(m);
    return wg_memory_data(m);
}

static bool resolve_opts(ci_ctx *cx, ci_di *di, const wg_copts *o, wg_canon_opts *out) {
    *out = (wg_canon_opts){0};
    out->enc = o->encoding == WG_ENC_UTF16         ? WG_CANON_UTF16
               : o->encoding == WG_ENC_LATIN1_UTF16 ? WG_CANON_LATIN1_UTF16
                                                   : WG_CANON_UTF8;
    if (o->memory != WG_CNONE) {
        if (o->memory >= di->n[WG_CS_CORE_MEMORY])
            return wg__ci_fail(cx, WG_ERR_INVALID, "memory %u out of range", o->memory);
        out->memory = memory_view;
        out->memory_data = di->memories[o->memory];
    }
    if (o->realloc != WG_CNONE) {
        ci_corefn *f = wg__ci_corefn(cx, di, o->realloc);
        if (!f) return false;
        out->realloc = (wg_canon_core){wg__ci_core_call, f};
    }
    if (o->post_return != WG_CNONE) {
        ci_corefn *f = wg__ci_corefn(cx, di, o->post_return);
        if (!f) return false;
        out->post_return = (wg_canon_core){wg__ci_core_call, f};
    }
    return true;
}

/* ---- definitions ------------------------------------------------------------------------- */

bool wg__ci_canon(ci_ctx *cx, ci_di *di, const wg_citem *it, uint32_t item_index) {
    const ci_plan *p = di->plan;
    const wg_ccanon *c = &it->u.canon;
    const char *unsupported = p->unsupported[item_index];
    uint32_t i = it->index;
    if (i != di->n[it->sort] || i >= di->def->nspace[it->sort])
        return wg__ci_fail(cx, WG_ERR_INVALID, "index space out of order");
    switch (c->op) {
    case WG_CANON_LIFT: {
        wg_cfunc *f = WG_ARENA_NEW(&cx->top->arena, wg_cfunc);
        if (!f) return wg__ci_oom(cx);
        ci_corefn *callee = wg__ci_corefn(cx, di, c->func);
        if (!callee) return false;
        f->kind = CF_LIFTED;
        f->ft = c->ftype;
        f->di = di;
        f->unsupported = unsupported;
        f->lifted.ft = c->ftype;
        f->lifted.inst = &di->canon;
        f->lifted.callee = (wg_canon_core){wg__ci_core_call, callee};
        if (!unsupported && !resolve_opts(cx, di, &c->opts, &f->lifted.opts)) return false;
        di->funcs[i] = f;
        break;
    }
    case WG_CANON_LOWER: {
        const ci_canonfn *cf = p->canon[item_index];
        if (unsupported) {
            di->core_funcs[i] = p->canon_funcs[item_index];
            break;
        }
        if (!cf || c->func >= di->n[WG_CS_FUNC])
            return wg__ci_fail(cx, WG_ERR_INVALID, "canon lower of an unknown function");
        wg_canon_lowered *l = &di->lowered[cf->lower];
        l->ft = c->ftype;
        l->inst = &di->canon;
        l->callee = wg__ci_call_func;
        l->callee_data = (void *)di->funcs[c->func];
        if (!resolve_opts(cx, di, &c->opts, &l->opts)) return false;
        di->core_funcs[i] = p->canon_funcs[item_index];
        break;
    }
    case WG_CANON_RESOURCE_NEW: case WG_CANON_RESOURCE_REP: case WG_CANON_RESOURCE_DROP:
        if (!p->canon_funcs[item_index]) return wg__ci_fail(cx, WG_ERR_INVALID, "resource built-in without a plan");
        di->core_funcs[i] = p->canon_funcs[item_index];
        break;
    default:
        /* The async built-ins: their function traps when called. */
        if (!p->canon_funcs[item_index]) return wg__ci_fail(cx, WG_ERR_INVALID, "built-in without a plan");
        di->core_funcs[i] = p->canon_funcs[item_index];
        break;
    }
    di->n[it->sort]++;
    return true;
}

bool wg__ci_resource(ci_ctx *cx, ci_di *di, const wg_citem *it, uint32_t item_index) {
    uint32_t slot = it->u.type.resource;
    if (slot >= di->canon.nrtypes) return wg__ci_fail(cx, WG_ERR_INVALID, "resource slot out of range");
    const wg_cresbind *rb = NULL;
    for (uint32_t k = 0; k < di->def->nresbinds && !rb; k++)
        if (di->def->resbinds[k].id == slot && di->def->resbinds[k].how == WG_RB_DEFINED)
            rb = &di->def->resbinds[k];
    wg_rtype *rt = WG_ARENA_NEW(&cx->top->arena, wg_rtype);
    if (!rt) return wg__ci_oom(cx);
    wg_canon_core dtor = {NULL, NULL};
    if (rb && rb->dtor != WG_CNONE) {
        ci_corefn *f = wg__ci_corefn(cx, di, rb->dtor);
        if (!f) return false;
        dtor = (wg_canon_core){wg__ci_core_call, f};
    }
    *rt = wg__rtype_make(di->plan->res_name[item_index], &di->canon, dtor);
    di->rtypes[slot] = rt;
    return true;
}

/* ---- canon-made core functions ------------------------------------------------------------- */

bool wg__ci_canon_run(ci_di *di, const ci_canonfn *cf, uint64_t *slots, wg_trap *trap) {
    if (cf->unsupported) return wg__canon_trapf(trap, "not supported yet: %s", cf->unsupported);
    if (cf->op == WG_CANON_LOWER)
        return wg__canon_call_lowered(&di->lowered[cf->lower], slots, cf->nparams, cf->nresults, trap);
    const wg_rtype *rt = cf->resource < di->canon.nrtypes ? di->rtypes[cf->resource] : NULL;
    if (!rt) return wg__canon_trapf(trap, "resource type (slot %u) is not bound", cf->resource);
    uint32_t v;
    switch (cf->op) {
    case WG_CANON_RESOURCE_NEW:
        if (!wg__canon_resource_new(&di->canon, rt, (uint32_t)slots[0], &v, trap)) return false;
        slots[0] = v;
        return true;
    case WG_CANON_RESOURCE_REP:
        if (!wg__canon_resource_rep(&di->canon, rt, (uint32_t)slots[0], &v, trap)) return false;
        slots[0] = v;
        return true;
    default:
        return wg__canon_resource_drop(&di->canon, rt, (uint32_t)slots[0], trap);
    }
}

int wg__ci_canon_entry(wg_ctx *ctx, uint64_t *slots, void *data) {
    const ci_canonfn *cf = data;
    ci_di *di = wg_instance_host_data(wg_ctx_instance(ctx));
    if (!di || di->def != cf->def)
        return wg_ctx_trap(ctx, "canonical built-in called from outside its component instance");
    wg_trap trap;
    trap.code = WG_TRAP_NONE;
    trap.nframes = 0;
    if (wg__ci_canon_run(di, cf, slots, &trap)) return 0;
    return wg_ctx_raise(ctx, &trap);
}

/* ---- calls ----------------------------------------------------------------------------------- */

static bool call_host(const wg_cfunc *f, wg_canon_inst *caller, wg_canon_io *io, wg_trap *trap) {
    const wg_cval *args;
    uint32_t n;
    if (!wg__canon_io_start(io, &args, &n)) return false;
    wg_ccall call = {.ft = io->lowered ? io->lowered->ft : f->ft, .trap = trap};
    const ci_di *di = caller ? ci_di_of(caller) : f->di;
    call.top = di->top;
    call.rtypes = caller ? caller->rtypes : f->di->rtypes;
    call.nrtypes = caller ? caller->nrtypes : f->di->canon.nrtypes;
    wg_cval result = {.kind = WG_CV_BOOL};
    trap->code = WG_TRAP_NONE;
    if (!f->host->fn(&call, (wg_cval *)args, n, &result, f->host->data)) {
        wg_cval_free(&result);
        if (trap->code == WG_TRAP_NONE) wg__canon_trapf(trap, "host function failed");
        return false;
    }
    return wg__canon_io_resolve(io, &result);
}

bool wg__ci_call_func(void *data, wg_canon_inst *caller, wg_canon_io *io, wg_trap *trap) {
    const wg_cfunc *f = data;
    if (f->unsupported) return wg__canon_trapf(trap, "not supported yet: %s", f->unsupported);
    if (f->kind == CF_HOST) return call_host(f, caller, io, trap);
    wg_canon_inst *callee = f->lifted.inst;
    /* wasmtime's rule (file comment). */
    if (caller == callee || f->di->top->poisoned) return wg__canon_trapf(trap, "cannot enter component instance");
    bool enterable = callee->may_enter;
    if (wg__canon_call_lifted(&f->lifted, caller, io, trap)) return true;
    if (enterable && !callee->may_enter && f->di->top != ci_di_of(caller)->top) f->di->top->poisoned = true;
    return false;
}

/* ---- wg_ccall ---------------------------------------------------------------------------------- */

const wg_cfunctype *wg_ccall_type(const wg_ccall *call) { return call ? call->ft : NULL; }

wg_cinstance *wg_ccall_instance(const wg_ccall *call) { return call ? call->top : NULL; }

void *wg_ccall_host_data(const wg_ccall *call) {
    return call && call->top ? call->top->opts.host_data : NULL;
}

const wg_rtype *wg_ccall_resource(const wg_ccall *call, const wg_ctype *t) {
    if (!call || !t || (t->kind != WG_CT_OWN && t->kind != WG_CT_BORROW)) return NULL;
    return t->resource < call->nrtypes ? call->rtypes[t->resource] : NULL;
}

bool wg_ccall_interrupted(const wg_ccall *call) {
    return call && call->top && wg_interrupt_is_set(call->top->opts.interrupt);
}

bool wg_ccall_trap(wg_ccall *call, const char *fmt, ...) {
    if (!call || !call->trap) return false;
    wg_trap *t = call->trap;
    t->code = WG_TRAP_HOST;
    t->exit_code = 0;
    t->nframes = 0;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(t->message, sizeof t->message, fmt ? fmt : "host function trapped", ap);
    va_end(ap);
    return false;
}

bool wg_ccall_exit(wg_ccall *call, int status) {
    if (!call || !call->trap) return false;
    wg_trap *t = call->trap;
    t->code = WG_TRAP_EXIT;
    t->exit_code = status;
    t->nframes = 0;
    snprintf(t->message, sizeof t->message, "exit with status %d", status);
    return false;
}

bool wg_ccall_raise(wg_ccall *call, const wg_trap *trap) {
    if (!call || !call->trap) return false;
    if (!trap) return wg_ccall_trap(call, "host function trapped");
    if (call->trap != trap) *call->trap = *trap;
    if (call->trap->code == WG_TRAP_NONE) call->trap->code = WG_TRAP_HOST;
    return false;
}
