/*
 * Instantiation plans (cinst.h ci_plan): what wg_component_new prepares
 * once for every instance of a component, so that wg_cinstance_new does
 * only per-instance work:
 *
 *   - one engine host function per canon lower / resource.new / .rep /
 *     .drop item, shared by every instance (the ci_di it acts for is the
 *     calling core instance's host_data; see cinst.h);
 *   - the slot of each canon lower in a ci_di's array of wg_canon_lowered;
 *   - for each alias of a component instance's export, the export's index
 *     in that instance's type (runtime bags keep the type's order);
 *   - for each import of a core instantiation, and each core export alias,
 *     where the extern comes from: an export index of an instance of one of
 *     the definition's own modules, or an index space entry named by inline
 *     exports (no name lookups at instantiation);
 *   - the names of defined resources, for messages;
 *   - for each canon item the runtime does not support yet (the async
 *     built-ins, async lifts and lowers), the feature's name. Such an item
 *     still instantiates (a component may define built-ins it never uses:
 *     reference/binary/binary.wast defines all of them), as a function that
 *     traps "not supported yet: <name>" when it is called.
 */
#include <string.h>

#include "component/cinst.h"
#include "util/error.h"

static const char *builtin_name(uint8_t op) {
    switch (op) {
    case WG_CANON_TASK_CANCEL: return "task.cancel";
    case WG_CANON_SUBTASK_CANCEL: return "subtask.cancel";
    case WG_CANON_TASK_RETURN: return "task.return";
    case WG_CANON_CONTEXT_GET: return "context.get";
    case WG_CANON_CONTEXT_SET: return "context.set";
    case WG_CANON_THREAD_YIELD: return "thread.yield";
    case WG_CANON_SUBTASK_DROP: return "subtask.drop";
    case WG_CANON_STREAM_NEW: return "stream.new";
    case WG_CANON_STREAM_READ: return "stream.read";
    case WG_CANON_STREAM_WRITE: return "stream.write";
    case WG_CANON_STREAM_CANCEL_READ: return "stream.cancel-read";
    case WG_CANON_STREAM_CANCEL_WRITE: return "stream.cancel-write";
    case WG_CANON_STREAM_DROP_READABLE: return "stream.drop-readable";
    case WG_CANON_STREAM_DROP_WRITABLE: return "stream.drop-writable";
    case WG_CANON_FUTURE_NEW: return "future.new";
    case WG_CANON_FUTURE_READ: return "future.read";
    case WG_CANON_FUTURE_WRITE: return "future.write";
    case WG_CANON_FUTURE_CANCEL_READ: return "future.cancel-read";
    case WG_CANON_FUTURE_CANCEL_WRITE: return "future.cancel-write";
    case WG_CANON_FUTURE_DROP_READABLE: return "future.drop-readable";
    case WG_CANON_FUTURE_DROP_WRITABLE: return "future.drop-writable";
    case WG_CANON_ERROR_CONTEXT_NEW: return "error-context.new";
    case WG_CANON_ERROR_CONTEXT_DEBUG_MESSAGE: return "error-context.debug-message";
    case WG_CANON_ERROR_CONTEXT_DROP: return "error-context.drop";
    case WG_CANON_WAITABLE_SET_NEW: return "waitable-set.new";
    case WG_CANON_WAITABLE_SET_WAIT: return "waitable-set.wait";
    case WG_CANON_WAITABLE_SET_POLL: return "waitable-set.poll";
    case WG_CANON_WAITABLE_SET_DROP: return "waitable-set.drop";
    case WG_CANON_WAITABLE_JOIN: return "waitable.join";
    case WG_CANON_BACKPRESSURE_INC: return "backpressure.inc";
    case WG_CANON_BACKPRESSURE_DEC: return "backpressure.dec";
    case WG_CANON_THREAD_INDEX: return "thread.index";
    case WG_CANON_THREAD_NEW_INDIRECT: return "thread.new-indirect";
    case WG_CANON_THREAD_RESUME_LATER: return "thread.resume-later";
    case WG_CANON_THREAD_SUSPEND: return "thread.suspend";
    case WG_CANON_THREAD_SUSPEND_THEN_RESUME: return "thread.suspend-then-resume";
    case WG_CANON_THREAD_YIELD_THEN_RESUME: return "thread.yield-then-resume";
    case WG_CANON_THREAD_SUSPEND_THEN_PROMOTE: return "thread.suspend-then-promote";
    case WG_CANON_THREAD_YIELD_THEN_PROMOTE: return "thread.yield-then-promote";
    case WG_CANON_THREAD_SPAWN_REF: return "thread.spawn-ref";
    case WG_CANON_THREAD_SPAWN_INDIRECT: return "thread.spawn-indirect";
    case WG_CANON_THREAD_AVAILABLE_PARALLELISM: return "thread.available-parallelism";
    default: return "an unknown canonical built-in";
    }
}

static const char *unsupported(const wg_ccanon *c) {
    switch (c->op) {
    case WG_CANON_LIFT:
        if (c->opts.async || c->opts.callback != WG_CNONE) return "async lift (canon lift async)";
        if (c->ftype && c->ftype->async) return "async functions (func async)";
        return NULL;
    case WG_CANON_LOWER:
        if (c->opts.async) return "async lower (canon lower async)";
        if (c->ftype && c->ftype->async) return "async functions (func async)";
        return NULL;
    case WG_CANON_RESOURCE_NEW: case WG_CANON_RESOURCE_REP: case WG_CANON_RESOURCE_DROP:
        return NULL;
    default:
        return builtin_name(c->op);
    }
}

/* The name of the resource a `(type (resource ...))` item defines: the
 * export that names it, else the name section's, else "resource". */
static const char *resource_name(const wg_cdef *def, const wg_citem *it) {
    for (uint32_t k = 0; k < def->nexports; k++) {
        const wg_citem *e = &def->items[def->exports[k]];
        if (e->u.export_.item.sort == WG_CS_TYPE && e->u.export_.item.idx == it->index)
            return e->u.export_.name.name.s;
    }
    for (uint32_t k = 0; k < def->nnames; k++)
        if (def->names[k].sort == WG_CS_TYPE && def->names[k].idx == it->index)
            return def->names[k].name.s;
    return "resource";
}

/* The index of export `name` in the type of instance index `inst`. */
static uint32_t alias_index(const wg_cdef *def, uint32_t inst, wg_cstr name) {
    if (inst >= def->nspace[WG_CS_INSTANCE]) return WG_CNONE;
    const wg_cinsttype *t = def->items[def->space[WG_CS_INSTANCE][inst]].t.inst;
    for (uint32_t k = 0; t && k < t->nexports; k++) {
        wg_cstr n = t->exports[k].name.name;
        if (n.len == name.len && memcmp(n.s, name.s, name.len) == 0) return k;
    }
    return WG_CNONE;
}

static bool same_name(wg_cstr a, const char *b, size_t blen) {
    return a.len == blen && memcmp(a.s, b, blen) == 0;
}

static uint8_t kind_sort(wg_extern_kind k) {
    switch (k) {
    case WG_EXTERN_TABLE: return WG_CS_CORE_TABLE;
    case WG_EXTERN_MEMORY: return WG_CS_CORE_MEMORY;
    case WG_EXTERN_GLOBAL: return WG_CS_CORE_GLOBAL;
    default: return WG_CS_CORE_FUNC;
    }
}

/* The compiled module a `core module` index names, if it is one of this
 * definition's own (not imported or aliased). */
static const wg_module *static_module(const wg_cdef *def, uint32_t mi) {
    if (mi >= def->nspace[WG_CS_CORE_MODULE]) return NULL;
    const wg_citem *it = &def->items[def->space[WG_CS_CORE_MODULE][mi]];
    return it->kind == WG_CD_CORE_MODULE ? it->u.core_module.module : NULL;
}

/* Where export name[0..len) of kind k of core instance ci comes from. */
static ci_coresrc core_source(const wg_cdef *def, uint32_t ci, const char *name, size_t len,
                              wg_extern_kind k) {
    ci_coresrc src = {.inst = WG_CNONE, .sort = WG_CS_NONE, .kind = (uint8_t)k};
    if (ci >= def->nspace[WG_CS_CORE_INSTANCE]) return src;
    const wg_citem *it = &def->items[def->space[WG_CS_CORE_INSTANCE][ci]];
    if (it->kind == WG_CD_CORE_EXPORTS) {
        for (uint32_t i = 0; i < it->u.exports.n; i++) {
            const wg_carg *e = &it->u.exports.exports[i];
            if (!same_name(e->name.name, name, len)) continue;
            if (e->item.sort == kind_sort(k)) src = (ci_coresrc){ci, e->item.idx, e->item.sort, (uint8_t)k};
            return src;
        }
        return src;
    }
    const wg_module *m = it->kind == WG_CD_CORE_INSTANTIATE ? static_module(def, it->u.core_instantiate.module) : NULL;
    wg_extern_desc d;
    for (uint32_t i = 0; m && wg_module_export(m, i, &d); i++)
        if (d.name_len == len && memcmp(d.name, name, len) == 0) {
            if (d.kind == k) src = (ci_coresrc){ci, i, WG_CS_NONE, (uint8_t)k};
            return src;
        }
    return src;
}

/* The source of every import of a core instantiation of a module item. */
static const ci_coresrc *plan_core_imports(wg_arena *a, const wg_cdef *def, const wg_citem *it,
                                           bool *oom) {
    const wg_module *m = static_module(def, it->u.core_instantiate.module);
    if (!m) return NULL;
    uint32_t n = wg_module_import_count(m);
    ci_coresrc *srcs = WG_ARENA_ARRAY(a, ci_coresrc, n);
    if (!srcs) {
        *oom = true;
        return NULL;
    }
    for (uint32_t i = 0; i < n; i++) {
        wg_extern_desc d;
        wg_module_import(m, i, &d);
        srcs[i] = (ci_coresrc){.inst = WG_CNONE, .sort = WG_CS_NONE, .kind = (uint8_t)d.kind};
        for (uint32_t k = 0; k < it->u.core_instantiate.nargs; k++) {
            const wg_carg *arg = &it->u.core_instantiate.args[k];
            if (!same_name(arg->name.name, d.module, d.module_len)) continue;
            srcs[i] = core_source(def, arg->item.idx, d.name, d.name_len, d.kind);
            break;
        }
    }
    return srcs;
}

static bool plan_def(struct wg_component *c, wg_cdef *def, wg_error *err) {
    wg_arena *a = &c->arena;
    ci_plan *p = WG_ARENA_NEW(a, ci_plan);
    uint32_t n = def->nitems;
    if (!p) goto oom;
    p->def = def;
    const ci_canonfn **canon = WG_ARENA_ARRAY(a, const ci_canonfn *, n);
    wg_func **funcs = WG_ARENA_ARRAY(a, wg_func *, n);
    uint32_t *alias = WG_ARENA_ARRAY(a, uint32_t, n);
    const char **res = WG_ARENA_ARRAY(a, const char *, n);
    const char **unsup = WG_ARENA_ARRAY(a, const char *, n);
    const ci_coresrc **cimp = WG_ARENA_ARRAY(a, const ci_coresrc *, n);
    ci_coresrc *calias = WG_ARENA_ARRAY(a, ci_coresrc, n);
    if (n && (!canon || !funcs || !alias || !res || !unsup || !cimp || !calias)) goto oom;
    p->core_imports = cimp;
    p->core_alias = calias;
    p->canon = canon;
    p->canon_funcs = funcs;
    p->alias_index = alias;
    p->res_name = res;
    p->unsupported = unsup;
    /* Published before the functions are made: wg__ciplan_free finds them. */
    def->plan = p;
    for (uint32_t i = 0; i < n; i++) {
        wg_citem *it = &def->items[i];
        alias[i] = WG_CNONE;
        calias[i] = (ci_coresrc){.inst = WG_CNONE, .sort = WG_CS_NONE};
        switch (it->kind) {
        case WG_CD_COMPONENT:
            if (!plan_def(c, it->u.component, err)) return false;
            break;
        case WG_CD_CORE_INSTANTIATE: {
            bool oom = false;
            cimp[i] = plan_core_imports(a, def, it, &oom);
            if (oom) goto oom;
            break;
        }
        case WG_CD_ALIAS:
            if (it->u.alias.target == WG_RA_EXPORT)
                alias[i] = alias_index(def, it->u.alias.instance, it->u.alias.name);
            if (it->u.alias.target == WG_RA_CORE_EXPORT && it->sort != WG_CS_CORE_TAG)
                calias[i] = core_source(def, it->u.alias.instance, it->u.alias.name.s, it->u.alias.name.len,
                                        it->sort == WG_CS_CORE_TABLE    ? WG_EXTERN_TABLE
                                        : it->sort == WG_CS_CORE_MEMORY ? WG_EXTERN_MEMORY
                                        : it->sort == WG_CS_CORE_GLOBAL ? WG_EXTERN_GLOBAL
                                                                        : WG_EXTERN_FUNC);
            break;
        case WG_CD_TYPE:
            if (it->u.type.resource != WG_CNONE) res[i] = resource_name(def, it);
            break;
        case WG_CD_CANON: {
            const wg_ccanon *cn = &it->u.canon;
            unsup[i] = unsupported(cn);
            if (cn->op == WG_CANON_LIFT) break;
            ci_canonfn *cf = WG_ARENA_NEW(a, ci_canonfn);
            if (!cf || !cn->core) goto oom;
            cf->op = cn->op;
            cf->unsupported = unsup[i];
            cf->def = def;
            cf->lower = cn->op == WG_CANON_LOWER && !cf->unsupported ? p->nlowered++ : WG_CNONE;
            cf->resource = cn->resource;
            cf->nparams = cn->core->nparams;
            cf->nresults = cn->core->nresults;
            funcs[i] = wg_func_new_host(cn->core->params, cn->core->nparams, cn->core->results,
                                        cn->core->nresults, wg__ci_canon_entry, cf);
            if (!funcs[i]) goto oom;
            canon[i] = cf;
            break;
        }
        default:
            break;
        }
    }
    return true;
oom:
    return wg__error(err, WG_ERR_RESOURCE, (size_t)-1, "out of memory");
}

bool wg__ciplan_build(struct wg_component *c, wg_error *err) {
    return plan_def(c, c->root, err);
}

static void free_def(wg_cdef *def) {
    const ci_plan *p = def->plan;
    for (uint32_t i = 0; i < def->nitems; i++) {
        if (def->items[i].kind == WG_CD_COMPONENT) free_def(def->items[i].u.component);
        if (p) wg_func_free(p->canon_funcs[i]);
    }
}

void wg__ciplan_free(struct wg_component *c) {
    if (c->root) free_def(c->root);
}
