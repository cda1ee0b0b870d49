/*
 * Canonical definitions (CanonicalABI.md "Canonical Definitions"): option
 * validation (`canonopt` Validation), `canon lift` (the core function must
 * have the flattened signature flatten_functype(opts, ft, 'lift')), `canon
 * lower` (produces a core function of flatten_functype(opts, ft, 'lower')),
 * and the built-ins with the core signatures the spec gives them. The flat
 * types come from the wg_ctype layouts (ctype.h).
 */
#include "component/cvalid.h"

#include <stdio.h>
#include <string.h>

#define MAX_FLAT_PARAMS 16
#define MAX_FLAT_ASYNC_PARAMS 4
#define MAX_FLAT_RESULTS 1
#define MAX_SIG 24   /* flat params + a return pointer, bounded */

/* Validated options. */
typedef struct copts {
    bool memory;
    wg_ccoreext mem;
    bool realloc;
    bool post_return;
    uint32_t post_return_idx;
    bool async;
    bool callback;
    uint32_t callback_idx;
    uint8_t ptr;       /* WG_I32 or WG_I64: the memory's address type */
} copts;

static const char *option_name(uint8_t code) {
    switch (code) {
    case 0x00: return "utf8";
    case 0x01: return "utf16";
    case 0x02: return "latin1-utf16";
    case 0x03: return "memory";
    case 0x04: return "realloc";
    case 0x05: return "post-return";
    case 0x06: return "async";
    case 0x07: return "callback";
    default: return "?";
    }
}

static bool check_options(wg_cv *cv, wg_cvscope *s, const wg_copts *o, copts *out) {
    memset(out, 0, sizeof *out);
    out->ptr = WG_I32;
    if (o->conflict) {
        uint8_t first = (o->conflict >> 2) & 3, second = o->conflict & 3;
        return wg__cv_fail(cv, "canonical encoding option `%s` conflicts with option `%s`", option_name(first),
                           option_name(second));
    }
    if (o->dup) return wg__cv_fail(cv, "canonical option `%s` is specified more than once", option_name(o->dup - 1));
    if (o->memory != WG_CNONE) {
        if (!wg__cv_memory_at(cv, s, o->memory, &out->mem)) return false;
        if (out->mem.shared) return wg__cv_fail(cv, "canonical ABI memory may not be shared");
        out->memory = true;
        out->ptr = out->mem.is64 ? WG_I64 : WG_I32;
    }
    out->async = o->async;
    if (o->callback != WG_CNONE) {
        if (!o->async) return wg__cv_fail(cv, "cannot specify callback without async");
        out->callback = true;
        out->callback_idx = o->callback;
    }
    if (o->post_return != WG_CNONE) {
        if (o->async) return wg__cv_fail(cv, "cannot specify post-return function in async");
        out->post_return = true;
        out->post_return_idx = o->post_return;
    }
    if (o->realloc != WG_CNONE) {
        const wg_functype_view *f;
        if (!out->memory)
            return wg__cv_fail(cv, "canonical option `realloc` requires `memory` to also be specified");
        if (!wg__cv_core_func_at(cv, s, o->realloc, &f)) return false;
        uint8_t p = out->ptr;
        if (f->nparams != 4 || f->nresults != 1 || f->params[0] != p || f->params[1] != p ||
            f->params[2] != p || f->params[3] != p || f->results[0] != p)
            return wg__cv_fail(cv, "canonical option `realloc` uses a core function with an incorrect signature");
        out->realloc = true;
    }
    return true;
}

static bool require_memory(wg_cv *cv, const copts *o) {
    return o->memory || wg__cv_fail(cv, "canonical option `memory` is required");
}

static bool require_realloc(wg_cv *cv, const copts *o) {
    return require_memory(cv, o) && (o->realloc || wg__cv_fail(cv, "canonical option `realloc` is required"));
}

/* A core signature under construction. */
typedef struct sig {
    uint8_t params[MAX_SIG], results[MAX_SIG];
    uint32_t np, nr;
} sig;

/* Appends t's flat types to list (at most max); false on overflow. */
static bool push_flat(const wg_ctype *t, uint8_t ptr, uint8_t *list, uint32_t *n, uint32_t max) {
    const wg_clayout *l = &t->layout[ptr == WG_I64];
    if (l->nflat > WG_CT_FLAT_MAX || *n + l->nflat > max) return false;
    memcpy(list + *n, l->flat, l->nflat);
    *n += l->nflat;
    return true;
}

/* flatten_functype plus the options each direction requires (wasmparser's
 * ComponentFuncType::lower). lift: the core function being lifted; lower:
 * the core function produced. */
static bool flatten(wg_cv *cv, const wg_cfunctype *ft, const copts *o, bool lift, sig *out) {
    memset(out, 0, sizeof *out);
    uint32_t maxp = (!lift && o->async) ? MAX_FLAT_ASYNC_PARAMS : MAX_FLAT_PARAMS;
    for (uint32_t i = 0; i < ft->nparams; i++) {
        const wg_ctype *t = ft->params[i].type;
        if (wg__cval(t)->has_ptr && !(lift ? require_realloc(cv, o) : require_memory(cv, o))) return false;
        if (!push_flat(t, o->ptr, out->params, &out->np, maxp)) {
            /* Too many: one pointer to the arguments in memory. */
            out->np = 1;
            out->params[0] = o->ptr;
            if (!require_memory(cv, o) || (lift && !require_realloc(cv, o))) return false;
            break;
        }
    }
    const wg_ctype *r = ft->result;
    if (r && !lift && wg__cval(r)->has_ptr && !require_realloc(cv, o)) return false;
    if (!o->async) {
        if (r && !push_flat(r, o->ptr, out->results, &out->nr, MAX_FLAT_RESULTS)) {
            out->nr = 0;
            if (!require_memory(cv, o)) return false;
            if (lift) out->results[out->nr++] = o->ptr;
            else out->params[out->np++] = o->ptr;
        }
    } else if (!lift) {
        if (r) {
            if (!require_memory(cv, o)) return false;
            out->params[out->np++] = o->ptr;
        }
        out->results[out->nr++] = WG_I32;
    } else {
        if (r) {
            uint8_t tmp[MAX_SIG];
            uint32_t n = 0;
            bool over = !push_flat(r, o->ptr, tmp, &n, MAX_FLAT_PARAMS);
            if ((over || wg__cval(r)->has_ptr) && !require_memory(cv, o)) return false;
        }
        if (o->callback) out->results[out->nr++] = WG_I32;
    }
    return true;
}

static const wg_functype_view *make_sig(wg_cv *cv, const uint8_t *params, uint32_t np, const uint8_t *results,
                                        uint32_t nr) {
    wg_functype_view *f = WG_ARENA_NEW(cv->arena, wg_functype_view);
    uint8_t *p = wg__arena_alloc(cv->arena, (size_t)np + nr + 1);
    if (!f || !p) {
        wg__cv_oom(cv);
        return NULL;
    }
    if (np) memcpy(p, params, np);
    if (nr) memcpy(p + np, results, nr);
    f->nparams = np;
    f->nresults = nr;
    f->params = p;
    f->results = p + np;
    return f;
}

static void type_list(const uint8_t *t, uint32_t n, char *buf, size_t size) {
    size_t at = (size_t)snprintf(buf, size, "[");
    for (uint32_t i = 0; i < n && at < size; i++) {
        const char *name = t[i] == WG_I32 ? "I32" : t[i] == WG_I64 ? "I64" : t[i] == WG_F32 ? "F32"
                         : t[i] == WG_F64 ? "F64" : "?";
        at += (size_t)snprintf(buf + at, size - at, "%s%s", i ? ", " : "", name);
    }
    if (at < size) snprintf(buf + at, size - at, "]");
}

static bool push_core_func(wg_cv *cv, wg_cvscope *s, wg_citem *it, const wg_functype_view *f) {
    if (!f) return false;
    if (!WG_VEC_PUSH(s->core_funcs, f)) return wg__cv_oom(cv);
    it->sort = WG_CS_CORE_FUNC;
    it->index = s->core_funcs.len - 1;
    it->u.canon.core = f;
    return true;
}

/* A built-in's fixed core signature. */
static bool builtin(wg_cv *cv, wg_cvscope *s, wg_citem *it, const char *params, const char *results) {
    uint8_t p[8], r[8];
    uint32_t np = 0, nr = 0;
    for (; *params; params++) p[np++] = *params == 'i' ? WG_I32 : WG_I64;
    for (; *results; results++) r[nr++] = *results == 'i' ? WG_I32 : WG_I64;
    return push_core_func(cv, s, it, make_sig(cv, p, np, r, nr));
}

/* ---- lift and lower ------------------------------------------------------------------ */

static bool lift(wg_cv *cv, wg_cvscope *s, wg_citem *it) {
    wg_ccanon *c = &it->u.canon;
    wg_ctyref t;
    const wg_functype_view *core;
    copts o;
    if (!wg__cv_type_at(cv, s, c->type, &t)) return false;
    if (t.kind != WG_CTY_FUNC) return wg__cv_fail(cv, "type index %u is not a function type", c->type);
    const wg_cfunctype *ft = t.of.func;
    if (!wg__cv_core_func_at(cv, s, c->func, &core) || !check_options(cv, s, &c->opts, &o)) return false;
    if (o.post_return) {
        const wg_functype_view *pr;
        if (!wg__cv_core_func_at(cv, s, o.post_return_idx, &pr)) return false;
        if (pr->nresults != 0 || pr->nparams != core->nresults ||
            (pr->nparams && memcmp(pr->params, core->results, pr->nparams) != 0))
            return wg__cv_fail(cv, "canonical option `post-return` uses a core function with an incorrect signature");
    }
    if (o.callback) {
        const wg_functype_view *cb;
        if (!wg__cv_core_func_at(cv, s, o.callback_idx, &cb)) return false;
        bool p3 = cb->nparams == 3 && cb->params[0] == WG_I32 && cb->params[1] == WG_I32 && cb->params[2] == WG_I32;
        bool p1 = cb->nparams == 1 && cb->params[0] == WG_I32;
        if (!(p3 || p1) || cb->nresults != 1 || cb->results[0] != WG_I32)
            return wg__cv_fail(cv, "canonical option `callback` uses a core function with an incorrect signature");
    }
    if (o.async && !ft->async)
        return wg__cv_fail(cv, "the `async` canonical option requires an async function type");
    sig want;
    if (!flatten(cv, ft, &o, true, &want)) return false;
    char a[200], b[200];
    if (want.np != core->nparams || (want.np && memcmp(want.params, core->params, want.np) != 0)) {
        type_list(want.params, want.np, a, sizeof a);
        type_list(core->params, core->nparams, b, sizeof b);
        return wg__cv_fail(cv, "lowered parameter types `%s` do not match parameter types `%s` of core function %u",
                           a, b, c->func);
    }
    if (want.nr != core->nresults || (want.nr && memcmp(want.results, core->results, want.nr) != 0)) {
        type_list(want.results, want.nr, a, sizeof a);
        type_list(core->results, core->nresults, b, sizeof b);
        return wg__cv_fail(cv, "lowered result types `%s` do not match result types `%s` of core function %u",
                           a, b, c->func);
    }
    if (!WG_VEC_PUSH(s->funcs, ft)) return wg__cv_oom(cv);
    it->sort = WG_CS_FUNC;
    it->index = s->funcs.len - 1;
    c->ftype = ft;
    c->core = core;
    return true;
}

/* The checks `canon lower` and the built-ins that lower share. */
static bool check_lower(wg_cv *cv, const copts *o) {
    if (o->post_return) return wg__cv_fail(cv, "canonical option `post-return` cannot be specified for lowerings");
    if (o->callback) return wg__cv_fail(cv, "canonical option `callback` cannot be specified for lowerings");
    return true;
}

static bool lower(wg_cv *cv, wg_cvscope *s, wg_citem *it) {
    wg_ccanon *c = &it->u.canon;
    copts o;
    if (c->func >= s->funcs.len) return wg__cv_fail(cv, "unknown function %u: function index out of bounds", c->func);
    const wg_cfunctype *ft = s->funcs.data[c->func];
    if (!check_options(cv, s, &c->opts, &o) || !check_lower(cv, &o)) return false;
    if (o.async && !ft->async)
        return wg__cv_fail(cv, "the `async` canonical option requires an async function type");
    sig got;
    if (!flatten(cv, ft, &o, false, &got)) return false;
    c->ftype = ft;
    return push_core_func(cv, s, it, make_sig(cv, got.params, got.np, got.results, got.nr));
}

/* ---- resources -------------------------------------------------------------------- */

static bool resource_at(wg_cv *cv, wg_cvscope *s, uint32_t idx, wg_cres *out) {
    wg_ctyref t;
    if (!wg__cv_type_at(cv, s, idx, &t)) return false;
    if (t.kind != WG_CTY_RESOURCE) return wg__cv_fail(cv, "type index %u is not a resource type", idx);
    *out = t.of.resource;
    return true;
}

static bool resource_builtin(wg_cv *cv, wg_cvscope *s, wg_citem *it) {
    wg_ccanon *c = &it->u.canon;
    wg_cres r = {0, 0};
    if (!resource_at(cv, s, c->type, &r)) return false;
    c->resource = r.id;
    if (c->op == WG_CANON_RESOURCE_DROP) return builtin(cv, s, it, "i", "");
    uint64_t at;
    if (!wg__hmap_get(&s->defined_index, r.id, &at) || !s->defined_res.data[at].local)
        return wg__cv_fail(cv, "type %u is not a local resource", c->type);
    uint8_t rep = s->defined_res.data[at].rep, i32 = WG_I32;
    if (c->op == WG_CANON_RESOURCE_NEW) return push_core_func(cv, s, it, make_sig(cv, &rep, 1, &i32, 1));
    return push_core_func(cv, s, it, make_sig(cv, &i32, 1, &rep, 1));
}

/* ---- async built-ins ------------------------------------------------------------------ */

/* The stream / future type a built-in names. */
static bool stream_type(wg_cv *cv, wg_cvscope *s, wg_citem *it, bool stream, const char *name) {
    wg_ctyref t;
    if (!wg__cv_type_at(cv, s, it->u.canon.type, &t)) return false;
    if (t.kind != WG_CTY_VALUE) return wg__cv_fail(cv, "type index %u is not a defined type", it->u.canon.type);
    if (t.of.value->kind != (stream ? WG_CT_STREAM : WG_CT_FUTURE))
        return wg__cv_fail(cv, "`%s` requires a %s type", name, stream ? "stream" : "future");
    it->u.canon.payload = t.of.value->elem;
    return true;
}

static bool copy_builtin(wg_cv *cv, wg_cvscope *s, wg_citem *it, bool stream, bool read, const char *name) {
    copts o;
    if (!stream_type(cv, s, it, stream, name) || !check_options(cv, s, &it->u.canon.opts, &o)) return false;
    const wg_ctype *e = it->u.canon.payload;
    if (e && !require_memory(cv, &o)) return false;
    if (read && e && wg__cval(e)->has_ptr && !require_realloc(cv, &o)) return false;
    if (!check_lower(cv, &o)) return false;
    uint8_t p[3] = {WG_I32, o.ptr, o.ptr}, r = stream ? o.ptr : WG_I32;
    return push_core_func(cv, s, it, make_sig(cv, p, stream ? 3 : 2, &r, 1));
}

static bool task_return(wg_cv *cv, wg_cvscope *s, wg_citem *it) {
    wg_ccanon *c = &it->u.canon;
    copts o;
    wg_cfunctype *ft = WG_ARENA_NEW(cv->arena, wg_cfunctype);
    if (!ft) return wg__cv_oom(cv);
    if (c->result != WG_RAW_NONE) {
        wg_cfield *p = WG_ARENA_NEW(cv->arena, wg_cfield);
        if (!p) return wg__cv_oom(cv);
        p->name = "v";
        if (!wg__cv_valtype(cv, s, c->result, &p->type)) return false;
        ft->nparams = 1;
        ft->params = p;
    }
    if (!check_options(cv, s, &c->opts, &o)) return false;
    if (o.realloc) return wg__cv_fail(cv, "cannot specify `realloc` option on `task.return`");
    if (o.post_return) return wg__cv_fail(cv, "cannot specify `post-return` option on `task.return`");
    if (!check_lower(cv, &o)) return false;
    if (o.async) return wg__cv_fail(cv, "cannot specify `async` option on `task.return`");
    sig got;
    if (!flatten(cv, ft, &o, false, &got)) return false;
    c->ftype = ft;
    return push_core_func(cv, s, it, make_sig(cv, got.params, got.np, got.results, got.nr));
}

static bool context(wg_cv *cv, wg_cvscope *s, wg_citem *it, bool get) {
    wg_ccanon *c = &it->u.canon;
    const char *name = get ? "context.get" : "context.set";
    if (c->valtype != WG_I32 && c->valtype != WG_I64)
        return wg__cv_fail(cv, "`%s` only supports `i32` or `i64`", name);
    if (s->has_context_type && s->context_type != c->valtype)
        return wg__cv_fail(cv, "`%s` type must match previous context type", name);
    s->has_context_type = true;
    s->context_type = c->valtype;
    if (c->slot > 1) return wg__cv_fail(cv, "`%s` immediate must be zero or one: %u", name, c->slot);
    return get ? push_core_func(cv, s, it, make_sig(cv, NULL, 0, &c->valtype, 1))
               : push_core_func(cv, s, it, make_sig(cv, &c->valtype, 1, NULL, 0));
}

static bool waitable_set(wg_cv *cv, wg_cvscope *s, wg_citem *it) {
    wg_ccoreext mem;
    if (!wg__cv_memory_at(cv, s, it->u.canon.opts.memory, &mem)) return false;
    if (mem.shared) return wg__cv_fail(cv, "canonical ABI memory may not be shared");
    uint8_t p[2] = {WG_I32, mem.is64 ? WG_I64 : WG_I32}, r = WG_I32;
    return push_core_func(cv, s, it, make_sig(cv, p, 2, &r, 1));
}

static bool error_context(wg_cv *cv, wg_cvscope *s, wg_citem *it, bool debug) {
    copts o;
    if (!check_options(cv, s, &it->u.canon.opts, &o) || !require_memory(cv, &o)) return false;
    if (debug && !require_realloc(cv, &o)) return false;
    if (o.async)
        return wg__cv_fail(cv, "cannot specify `async` option on `%s`",
                           debug ? "error-context.debug-message" : "error-context.new");
    if (!check_lower(cv, &o)) return false;
    uint8_t p[2] = {debug ? WG_I32 : o.ptr, o.ptr}, r = WG_I32;
    return push_core_func(cv, s, it, make_sig(cv, p, 2, &r, debug ? 0 : 1));
}

static bool thread_new_indirect(wg_cv *cv, wg_cvscope *s, wg_citem *it) {
    wg_ccoretype ct;
    wg_ccoreext tbl;
    if (!wg__cv_core_type_at(cv, s, it->u.canon.type, &ct)) return false;
    if (ct.kind != WG_CCT_FUNC) return wg__cv_fail(cv, "expected a core function type");
    if (ct.of.func->nparams != 1 || ct.of.func->params[0] != WG_I32)
        return wg__cv_fail(cv, "start function must take a single `i32` argument (currently)");
    if (ct.of.func->nresults != 0) return wg__cv_fail(cv, "start function must not return any values");
    if (!wg__cv_table_at(cv, s, it->u.canon.table, &tbl)) return false;
    if (tbl.valtype != WG_FUNCREF || tbl.is64 || tbl.shared)
        return wg__cv_fail(cv, "table is not a 32-bit table of (ref null (func))");
    return builtin(cv, s, it, "ii", "i");
}

bool wg__cv_canon(wg_cv *cv, wg_cvscope *s, wg_citem *it) {
    wg_ccanon *c = &it->u.canon;
    switch (c->op) {
    case WG_CANON_LIFT: return lift(cv, s, it);
    case WG_CANON_LOWER: return lower(cv, s, it);
    case WG_CANON_RESOURCE_NEW: case WG_CANON_RESOURCE_DROP: case WG_CANON_RESOURCE_REP:
        return resource_builtin(cv, s, it);
    case WG_CANON_BACKPRESSURE_INC: case WG_CANON_BACKPRESSURE_DEC: case WG_CANON_TASK_CANCEL:
        return builtin(cv, s, it, "", "");
    case WG_CANON_TASK_RETURN: return task_return(cv, s, it);
    case WG_CANON_CONTEXT_GET: return context(cv, s, it, true);
    case WG_CANON_CONTEXT_SET: return context(cv, s, it, false);
    case WG_CANON_SUBTASK_CANCEL: return builtin(cv, s, it, "i", "i");
    case WG_CANON_SUBTASK_DROP: return builtin(cv, s, it, "i", "");
    case WG_CANON_STREAM_NEW: case WG_CANON_FUTURE_NEW: {
        bool st = c->op == WG_CANON_STREAM_NEW;
        return stream_type(cv, s, it, st, st ? "stream.new" : "future.new") && builtin(cv, s, it, "", "I");
    }
    case WG_CANON_STREAM_READ: return copy_builtin(cv, s, it, true, true, "stream.read");
    case WG_CANON_STREAM_WRITE: return copy_builtin(cv, s, it, true, false, "stream.write");
    case WG_CANON_FUTURE_READ: return copy_builtin(cv, s, it, false, true, "future.read");
    case WG_CANON_FUTURE_WRITE: return copy_builtin(cv, s, it, false, false, "future.write");
    case WG_CANON_STREAM_CANCEL_READ: case WG_CANON_STREAM_CANCEL_WRITE:
    case WG_CANON_FUTURE_CANCEL_READ: case WG_CANON_FUTURE_CANCEL_WRITE: {
        bool st = c->op == WG_CANON_STREAM_CANCEL_READ || c->op == WG_CANON_STREAM_CANCEL_WRITE;
        return stream_type(cv, s, it, st, "cancel") && builtin(cv, s, it, "i", "i");
    }
    case WG_CANON_STREAM_DROP_READABLE: case WG_CANON_STREAM_DROP_WRITABLE:
    case WG_CANON_FUTURE_DROP_READABLE: case WG_CANON_FUTURE_DROP_WRITABLE: {
        bool st = c->op == WG_CANON_STREAM_DROP_READABLE || c->op == WG_CANON_STREAM_DROP_WRITABLE;
        return stream_type(cv, s, it, st, "drop") && builtin(cv, s, it, "i", "");
    }
    case WG_CANON_ERROR_CONTEXT_NEW: return error_context(cv, s, it, false);
    case WG_CANON_ERROR_CONTEXT_DEBUG_MESSAGE: return error_context(cv, s, it, true);
    case WG_CANON_ERROR_CONTEXT_DROP: case WG_CANON_WAITABLE_SET_DROP: case WG_CANON_THREAD_RESUME_LATER:
        return builtin(cv, s, it, "i", "");
    case WG_CANON_WAITABLE_SET_NEW: case WG_CANON_THREAD_INDEX:
        return builtin(cv, s, it, "", "i");
    case WG_CANON_WAITABLE_SET_WAIT: case WG_CANON_WAITABLE_SET_POLL: return waitable_set(cv, s, it);
    case WG_CANON_WAITABLE_JOIN: return builtin(cv, s, it, "ii", "");
    case WG_CANON_THREAD_NEW_INDIRECT: return thread_new_indirect(cv, s, it);
    case WG_CANON_THREAD_SUSPEND: case WG_CANON_THREAD_YIELD:
        return builtin(cv, s, it, "", "i");
    case WG_CANON_THREAD_SUSPEND_THEN_RESUME: case WG_CANON_THREAD_YIELD_THEN_RESUME:
    case WG_CANON_THREAD_SUSPEND_THEN_PROMOTE: case WG_CANON_THREAD_YIELD_THEN_PROMOTE:
        return builtin(cv, s, it, "i", "i");
    default:
        /* thread.spawn-ref / spawn-indirect / available-parallelism need
         * shared-everything threads (shared function types, GC references). */
        return wg__cv_fail(cv, "canonical built-in 0x%x (🧵②, shared-everything threads) is not supported", c->op);
    }
}
