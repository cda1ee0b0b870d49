/*
 * What a host sees of a component instance: its exports by path
 * ("iface#name", interface names matched semver-compatibly), calls into
 * them (wg_cfunc_call), and read-only views of the WIT types
 * (wg_ctype_*, wg_cfunctype_*).
 */
#include <stdlib.h>
#include <string.h>

#include "component/canon_int.h"
#include "component/cinst.h"

/* ---- exports by path --------------------------------------------------------------------- */

/* The export at path ("a#b#c"), or NULL; *bag_out (may be NULL) the
 * instance it was found in. An empty path is no export. */
static const ci_named *lookup(const wg_cinstance *inst, const char *path) {
    if (!inst || !path || !*path) return NULL;
    const ci_bag *b = &inst->exports;
    const ci_named *e = NULL;
    for (const char *p = path; *p;) {
        size_t n = strcspn(p, "#");
        if (!n || (e && e->v.sort != WG_CS_INSTANCE)) return NULL;
        if (e) b = e->v.of.inst;
        e = wg__ci_bag_match(b, p, n);
        if (!e) return NULL;
        p += n;
        if (*p == '#') p++;
    }
    return e;
}

const wg_cfunc *wg_cinstance_func(const wg_cinstance *inst, const char *path) {
    const ci_named *e = lookup(inst, path);
    return e && e->v.sort == WG_CS_FUNC ? e->v.of.func : NULL;
}

const wg_rtype *wg_cinstance_resource(const wg_cinstance *inst, const char *path) {
    const ci_named *e = lookup(inst, path);
    return e && e->v.sort == WG_CS_TYPE ? e->v.of.rt : NULL;
}

static const ci_bag *bag_at(const wg_cinstance *inst, const char *path) {
    if (!inst) return NULL;
    if (!path || !*path) return &inst->exports;
    const ci_named *e = lookup(inst, path);
    return e && e->v.sort == WG_CS_INSTANCE ? e->v.of.inst : NULL;
}

uint32_t wg_cinstance_export_count(const wg_cinstance *inst, const char *path) {
    const ci_bag *b = bag_at(inst, path);
    return b ? b->n : 0;
}

bool wg_cinstance_export_at(const wg_cinstance *inst, const char *path, uint32_t i,
                            wg_cexport *out) {
    const ci_bag *b = bag_at(inst, path);
    if (!b || i >= b->n || !out) return false;
    const ci_named *e = &b->items[i];
    *out = (wg_cexport){.name = e->name};
    switch (e->v.sort) {
    case WG_CS_FUNC: out->kind = WG_CEXPORT_FUNC; out->func = e->v.of.func; break;
    case WG_CS_INSTANCE: out->kind = WG_CEXPORT_INSTANCE; break;
    case WG_CS_CORE_MODULE: out->kind = WG_CEXPORT_MODULE; break;
    case WG_CS_COMPONENT: out->kind = WG_CEXPORT_COMPONENT; break;
    default:
        out->kind = e->v.of.rt ? WG_CEXPORT_RESOURCE : WG_CEXPORT_TYPE;
        out->resource = e->v.of.rt;
        break;
    }
    return true;
}

/* ---- functions ------------------------------------------------------------------------------ */

const wg_cfunctype *wg_cfunc_type(const wg_cfunc *f) { return f ? f->ft : NULL; }

const wg_rtype *wg_cfunc_resource(const wg_cfunc *f, const wg_ctype *t) {
    if (!f || !t || (t->kind != WG_CT_OWN && t->kind != WG_CT_BORROW)) return NULL;
    return t->resource < f->di->canon.nrtypes ? f->di->rtypes[t->resource] : NULL;
}

static bool call_trap(wg_trap *trap, const char *msg) {
    return wg__canon_trapf(trap, "%s", msg);
}

/* A host function exported as it was imported: called directly with a copy
 * of the arguments (the host may take them over), both ways checked against
 * the type as the Canonical ABI checks a host's values. */
static bool call_host_direct(wg_cinstance *inst, const wg_cfunc *f, const wg_cval *args,
                             uint32_t nargs, wg_cval *result, wg_trap *trap) {
    static const wg_canon_opts no_opts;
    wg_canon_cx cx;
    wg__canon_cx_init(&cx, &no_opts, &f->di->canon, NULL, trap);
    for (uint32_t i = 0; i < nargs; i++)
        if (!wg__canon_check(&cx, &args[i], f->ft->params[i].type)) return false;
    wg_cval *copy = nargs ? calloc(nargs, sizeof *copy) : NULL;
    if (nargs && !copy) return wg__canon_oom(trap);
    bool ok = true;
    for (uint32_t i = 0; ok && i < nargs; i++) ok = wg_cval_copy(&copy[i], &args[i]);
    wg_ccall call = {.top = inst, .ft = f->ft, .rtypes = f->di->rtypes,
                     .nrtypes = f->di->canon.nrtypes, .trap = trap};
    if (!ok) wg__canon_oom(trap);
    else if (!f->host->fn(&call, copy, nargs, result, f->host->data)) {
        ok = false;
        wg_cval_free(result);
        if (trap->code == WG_TRAP_NONE) call_trap(trap, "host function failed");
    }
    if (ok && f->ft->result && !wg__canon_check(&cx, result, f->ft->result)) {
        ok = false;
        wg_cval_free(result);
    }
    for (uint32_t i = 0; i < nargs; i++) wg_cval_free(&copy[i]);
    free(copy);
    return ok;
}

bool wg_cfunc_call(wg_cinstance *inst, const wg_cfunc *f, const wg_cval *args, uint32_t nargs,
                   wg_cval *result, wg_trap *trap) {
    wg_trap local;
    if (!trap) trap = &local;
    trap->code = WG_TRAP_NONE;
    trap->exit_code = 0;
    trap->message[0] = '\0';
    trap->nframes = 0;
    wg_cval none = {.kind = WG_CV_BOOL};
    if (!result) result = &none;
    *result = none;
    if (!inst || !f) return call_trap(trap, "call: no instance or no function");
    if (f->di->top != inst) return call_trap(trap, "call: the function is not the instance's");
    if (inst->poisoned) return call_trap(trap, "cannot enter component instance");
    if (f->unsupported) return wg__canon_trapf(trap, "not supported yet: %s", f->unsupported);
    if (nargs != f->ft->nparams || (nargs && !args))
        return wg__canon_trapf(trap, "invalid value: %u arguments given to a function of %u parameters",
                               nargs, f->ft->nparams);
    bool ok;
    if (f->kind == CF_HOST) {
        ok = call_host_direct(inst, f, args, nargs, result, trap);
    } else {
        wg_canon_inst *callee = f->lifted.inst;
        bool enterable = callee->may_enter;
        ok = wg__canon_call_export(&f->lifted, args, nargs, result, trap);
        /* A trap that left the instance entered poisons it; a host's bad
         * argument is refused before anything happens and does not. */
        if (!ok && enterable && !callee->may_enter) inst->poisoned = true;
    }
    if (result == &none) wg_cval_free(&none);
    return ok;
}

/* ---- types ----------------------------------------------------------------------------------- */

uint32_t wg_ctype_kind_of(const wg_ctype *t) { return t ? (uint32_t)t->kind : 0; }

uint32_t wg_ctype_count(const wg_ctype *t) { return t ? t->n : 0; }

const char *wg_ctype_name_at(const wg_ctype *t, uint32_t i) {
    if (!t || i >= t->n) return NULL;
    switch (t->kind) {
    case WG_CT_RECORD: case WG_CT_VARIANT: return t->fields[i].name;
    case WG_CT_ENUM: case WG_CT_FLAGS: return t->labels[i];
    default: return NULL;
    }
}

const wg_ctype *wg_ctype_type_at(const wg_ctype *t, uint32_t i) {
    if (!t || i >= t->n) return NULL;
    switch (t->kind) {
    case WG_CT_RECORD: case WG_CT_TUPLE: case WG_CT_VARIANT: return t->fields[i].type;
    default: return NULL;
    }
}

const wg_ctype *wg_ctype_elem(const wg_ctype *t) { return t ? t->elem : NULL; }

const wg_ctype *wg_ctype_elem2(const wg_ctype *t) { return t ? t->elem2 : NULL; }

uint32_t wg_cfunctype_param_count(const wg_cfunctype *ft) { return ft ? ft->nparams : 0; }

const char *wg_cfunctype_param_name(const wg_cfunctype *ft, uint32_t i) {
    return ft && i < ft->nparams ? ft->params[i].name : NULL;
}

const wg_ctype *wg_cfunctype_param_type(const wg_cfunctype *ft, uint32_t i) {
    return ft && i < ft->nparams ? ft->params[i].type : NULL;
}

const wg_ctype *wg_cfunctype_result(const wg_cfunctype *ft) { return ft ? ft->result : NULL; }
