/*
 * Core instances inside a component instance: `(core instance (instantiate
 * $m (with "env" (instance $i)) ...))` resolves each import of the module
 * from the named argument instance (an instantiated core instance, or
 * inline exports) and instantiates it with wg_instance_new_externs (the
 * imports in order: no name map is built); `(alias core export $i "f")`
 * takes an export of one; and the core calls the runtime makes itself
 * (lifted functions, realloc, post-return, destructors) go through
 * wg__ci_core_call.
 *
 * Every core instance gets the wg_cinstance_opts limits, pool, budget and
 * interrupt handle, and host_data = its ci_di (how canon-made functions
 * find the instance they act for: cinst.h).
 */
#include <stdlib.h>
#include <string.h>

#include "component/canon_int.h"
#include "component/cinst.h"
#include "util/error.h"

static wg_extern_kind sort_kind(uint8_t sort) {
    switch (sort) {
    case WG_CS_CORE_TABLE: return WG_EXTERN_TABLE;
    case WG_CS_CORE_MEMORY: return WG_EXTERN_MEMORY;
    case WG_CS_CORE_GLOBAL: return WG_EXTERN_GLOBAL;
    default: return WG_EXTERN_FUNC;
    }
}

static bool kind_sort(wg_extern_kind k, uint8_t *sort) {
    switch (k) {
    case WG_EXTERN_FUNC: *sort = WG_CS_CORE_FUNC; return true;
    case WG_EXTERN_TABLE: *sort = WG_CS_CORE_TABLE; return true;
    case WG_EXTERN_MEMORY: *sort = WG_CS_CORE_MEMORY; return true;
    case WG_EXTERN_GLOBAL: *sort = WG_CS_CORE_GLOBAL; return true;
    default: return false;
    }
}

/* Entry i of a core index space of di as an extern. */
static bool space_extern(const ci_di *di, uint8_t sort, uint32_t i, wg_extern *out) {
    if (sort >= WG_CS_COUNT || i >= di->n[sort]) return false;
    out->kind = sort_kind(sort);
    switch (sort) {
    case WG_CS_CORE_FUNC: out->of.func = di->core_funcs[i]; return true;
    case WG_CS_CORE_TABLE: out->of.table = di->tables[i]; return true;
    case WG_CS_CORE_MEMORY: out->of.memory = di->memories[i]; return true;
    case WG_CS_CORE_GLOBAL: out->of.global = di->globals[i]; return true;
    default: return false;
    }
}

/* Export name[0..len) of kind `kind` of core instance ci. */
static bool core_export(const ci_di *di, const ci_coreinst *ci, const char *name, size_t len,
                        wg_extern_kind kind, wg_extern *out) {
    if (ci->inst) {
        void *p = wg_instance_export(ci->inst, name, len, kind);
        if (!p) return false;
        out->kind = kind;
        switch (kind) {
        case WG_EXTERN_FUNC: out->of.func = p; break;
        case WG_EXTERN_TABLE: out->of.table = p; break;
        case WG_EXTERN_MEMORY: out->of.memory = p; break;
        default: out->of.global = p; break;
        }
        return true;
    }
    const wg_citem *it = ci->item;
    uint8_t sort;
    if (!kind_sort(kind, &sort)) return false;
    for (uint32_t k = 0; k < it->u.exports.n; k++) {
        const wg_carg *e = &it->u.exports.exports[k];
        if (e->name.name.len == len && memcmp(e->name.name.s, name, len) == 0)
            return e->item.sort == sort && space_extern(di, sort, e->item.idx, out);
    }
    return false;
}

/* The extern a planned source names (false: look it up by name). */
static bool planned(const ci_di *di, const ci_coresrc *src, wg_extern *out) {
    if (src->inst == WG_CNONE || src->inst >= di->n[WG_CS_CORE_INSTANCE]) return false;
    if (src->sort != WG_CS_NONE) return space_extern(di, src->sort, src->index, out);
    wg_instance *inst = di->core_insts[src->inst].inst;
    return inst && wg_instance_export_at(inst, src->index, out) && out->kind == src->kind;
}

bool wg__ci_core_instantiate(ci_ctx *cx, ci_di *di, const wg_citem *it) {
    uint32_t mi = it->u.core_instantiate.module;
    if (mi >= di->n[WG_CS_CORE_MODULE]) return wg__ci_fail(cx, WG_ERR_INVALID, "module out of range");
    const wg_module *m = di->modules[mi];
    uint32_t n = wg_module_import_count(m);
    wg_extern small[16], *ex = small;
    if (n > 16 && !(ex = calloc(n, sizeof *ex))) return wg__ci_oom(cx);
    bool ok = true;
    const ci_coresrc *plan = di->plan->core_imports[it - di->def->items];
    for (uint32_t i = 0; ok && i < n; i++) {
        if (plan && planned(di, &plan[i], &ex[i])) continue;
        wg_extern_desc d;
        wg_module_import(m, i, &d);
        const wg_carg *arg = NULL;
        for (uint32_t k = 0; k < it->u.core_instantiate.nargs && !arg; k++) {
            const wg_carg *a = &it->u.core_instantiate.args[k];
            if (a->name.name.len == d.module_len && memcmp(a->name.name.s, d.module, d.module_len) == 0)
                arg = a;
        }
        const ci_coreinst *src = arg && arg->item.idx < di->n[WG_CS_CORE_INSTANCE]
                                     ? &di->core_insts[arg->item.idx]
                                     : NULL;
        if (!src || !core_export(di, src, d.name, d.name_len, d.kind, &ex[i]))
            ok = wg__ci_fail(cx, WG_ERR_UNLINKABLE, "core module import `%.*s::%.*s` not provided",
                             (int)d.module_len, d.module, (int)d.name_len, d.name);
    }
    wg_instance *inst = NULL, *failed = NULL;
    if (ok && !WG_VEC_RESERVE(cx->top->cores, 2)) ok = wg__ci_oom(cx);
    if (ok) {
        const wg_cinstance_opts *o = &cx->top->opts;
        wg_instance_opts io = {
            .max_memory_bytes = o->max_memory_bytes,
            .max_call_depth = o->max_call_depth,
            .stack_cells = o->stack_cells,
            .host_data = di,
            .pool = o->pool,
            .interrupt = o->interrupt,
            .budget = o->budget,
        };
        inst = wg_instance_new_externs(m, ex, n, &io, cx->err, cx->trap, &failed);
        /* A failed instance whose functions escaped into another core
         * instance's table is freed with the others. */
        if (failed) cx->top->cores.data[cx->top->cores.len++] = failed;
        ok = inst != NULL;
    }
    if (ex != small) free(ex);
    if (!ok) return false;
    cx->top->cores.data[cx->top->cores.len++] = inst;
    if (!di->exec) di->exec = inst;
    di->core_insts[it->index] = (ci_coreinst){inst, NULL};
    di->n[WG_CS_CORE_INSTANCE]++;
    return true;
}

bool wg__ci_core_alias(ci_ctx *cx, ci_di *di, const wg_citem *it) {
    const wg_crawalias *a = &it->u.alias;
    if (a->instance >= di->n[WG_CS_CORE_INSTANCE])
        return wg__ci_fail(cx, WG_ERR_INVALID, "core instance %u out of range", a->instance);
    if (it->sort == WG_CS_CORE_TAG)
        return wg__ci_fail(cx, WG_ERR_UNLINKABLE, "not supported yet: core tags (exceptions)");
    wg_extern e;
    if (!planned(di, &di->plan->core_alias[it - di->def->items], &e) &&
        !core_export(di, &di->core_insts[a->instance], a->name.s, a->name.len, sort_kind(it->sort), &e))
        return wg__ci_fail(cx, WG_ERR_UNLINKABLE, "core instance has no %s export `%s`",
                           it->sort == WG_CS_CORE_FUNC ? "func" : "matching", a->name.s);
    uint32_t i = it->index;
    if (i != di->n[it->sort]) return wg__ci_fail(cx, WG_ERR_INVALID, "index space out of order");
    switch (it->sort) {
    case WG_CS_CORE_FUNC: di->core_funcs[i] = e.of.func; break;
    case WG_CS_CORE_TABLE: di->tables[i] = e.of.table; break;
    case WG_CS_CORE_MEMORY: di->memories[i] = e.of.memory; break;
    case WG_CS_CORE_GLOBAL: di->globals[i] = e.of.global; break;
    default: return wg__ci_fail(cx, WG_ERR_INVALID, "unexpected core sort");
    }
    di->n[it->sort]++;
    return true;
}

ci_corefn *wg__ci_corefn(ci_ctx *cx, ci_di *di, uint32_t index) {
    if (index >= di->n[WG_CS_CORE_FUNC]) {
        wg__ci_fail(cx, WG_ERR_INVALID, "core function %u out of range", index);
        return NULL;
    }
    ci_corefn *c = WG_ARENA_NEW(&cx->top->arena, ci_corefn);
    if (!c) {
        wg__ci_oom(cx);
        return NULL;
    }
    c->di = di;
    c->index = index;
    uint32_t item = di->def->space[WG_CS_CORE_FUNC][index];
    if (di->def->items[item].kind == WG_CD_CANON) c->canon = di->plan->canon[item];
    return c;
}

bool wg__ci_core_call(void *data, uint64_t *slots, uint32_t nargs, uint32_t nresults,
                      wg_trap *trap) {
    const ci_corefn *c = data;
    if (c->canon) return wg__ci_canon_run(c->di, c->canon, slots, trap);
    wg_func *f = c->di->core_funcs[c->index];
    wg_functype_view t = wg_func_type(f);
    wg_val args[WG_CANON_FLAT_MAX_PARAMS + 4], res[WG_CANON_MAX_FLAT_RESULTS + 1];
    if (t.nparams != nargs || t.nresults != nresults || nargs > sizeof args / sizeof args[0] ||
        nresults > sizeof res / sizeof res[0] || !c->di->exec)
        return wg__canon_trapf(trap, "core function type does not match its use");
    for (uint32_t i = 0; i < nargs; i++) {
        args[i].type = (wg_valtype)t.params[i];
        switch (t.params[i]) {
        case WG_I32: args[i].of.i32 = (int32_t)(uint32_t)slots[i]; break;
        case WG_F32: args[i].of.f32_bits = (uint32_t)slots[i]; break;
        case WG_F64: args[i].of.f64_bits = slots[i]; break;
        default: args[i].of.i64 = (int64_t)slots[i]; break;
        }
    }
    if (!wg_func_call(c->di->exec, f, args, nargs, res, nresults, trap)) return false;
    for (uint32_t i = 0; i < nresults; i++) {
        switch (t.results[i]) {
        case WG_I32: slots[i] = (uint32_t)res[i].of.i32; break;
        case WG_F32: slots[i] = res[i].of.f32_bits; break;
        case WG_F64: slots[i] = res[i].of.f64_bits; break;
        default: slots[i] = (uint64_t)res[i].of.i64; break;
        }
    }
    return true;
}
