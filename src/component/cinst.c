/*
 * Instantiation (Explainer.md "Instance Definitions", "Alias Definitions",
 * "Import and Export Definitions"): wg_cinstance_new walks the root
 * definition's items in order, appending one runtime value per item to the
 * index space the validator appended its type to (cinst.h), and recursing
 * into nested component instantiations. Core instances (cinst_core.c) and
 * canon definitions (cinst_canon.c) have files of their own; imports of the
 * root are linked in clink.c.
 *
 * Resource types: every slot a definition's types use is bound in its
 * instance's rtypes as its resbinds say (component_int.h): defined ones get
 * a fresh wg_rtype when their `type` item is reached, imported ones when
 * their import is (root imports are bound while linking), and those a
 * nested instance defines when it has been created.
 *
 * Everything an instance allocates comes from its arena (one chunk for a
 * small component), except the core instances and the handle tables.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "component/cinst.h"
#include "util/error.h"

/* Nested instantiations deeper than this fail (the decoder bounds nesting
 * of definitions; components passed around could instantiate deeper). */
#define MAX_DEPTH 100

bool wg__ci_fail(ci_ctx *cx, int kind, const char *fmt, ...) {
    if (!cx->err) return false;
    char m[sizeof cx->err->message];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(m, sizeof m, fmt, ap);
    va_end(ap);
    return wg__error(cx->err, kind, (size_t)-1, "%s", m);
}

bool wg__ci_oom(ci_ctx *cx) { return wg__ci_fail(cx, WG_ERR_RESOURCE, "out of memory"); }

/* ---- values --------------------------------------------------------------------------- */

const wg_rtype *wg__ci_type_rt(const ci_di *di, uint32_t i) {
    const wg_cdef *def = di->def;
    if (i >= def->nspace[WG_CS_TYPE]) return NULL;
    const wg_citem *it = &def->items[def->space[WG_CS_TYPE][i]];
    if (it->t.type.kind != WG_CTY_RESOURCE) return NULL;
    uint32_t slot = it->t.type.of.resource.id;
    return slot < di->canon.nrtypes ? di->rtypes[slot] : NULL;
}

bool wg__ci_sortidx(ci_ctx *cx, ci_di *di, wg_csortidx si, ci_val *out) {
    uint32_t i = si.idx;
    *out = (ci_val){.sort = si.sort};
    if (si.sort < WG_CS_COUNT && si.sort != WG_CS_TYPE && i >= di->n[si.sort])
        return wg__ci_fail(cx, WG_ERR_INVALID, "index %u out of range", i);
    switch (si.sort) {
    case WG_CS_FUNC: out->of.func = di->funcs[i]; return true;
    case WG_CS_TYPE: out->of.rt = wg__ci_type_rt(di, i); return true;
    case WG_CS_INSTANCE: out->of.inst = di->insts[i]; return true;
    case WG_CS_COMPONENT: out->of.comp = di->comps[i]; return true;
    case WG_CS_CORE_MODULE: out->of.module = di->modules[i]; return true;
    default: return wg__ci_fail(cx, WG_ERR_UNLINKABLE, "not supported yet: %s values", "component");
    }
}

const ci_named *wg__ci_bag_find(const ci_bag *b, const char *name, size_t len) {
    for (uint32_t i = 0; i < b->n; i++)
        if (b->items[i].len == len && memcmp(b->items[i].name, name, len) == 0) return &b->items[i];
    return NULL;
}

const ci_named *wg__ci_bag_match(const ci_bag *b, const char *name, size_t len) {
    const ci_named *exact = wg__ci_bag_find(b, name, len);
    if (exact || !memchr(name, '@', len)) return exact;
    const ci_named *best = NULL;
    uint64_t best_rank = 0, rank;
    for (uint32_t i = 0; i < b->n; i++)
        if (wg__cname_compatible(name, len, b->items[i].name, b->items[i].len, &rank) &&
            (!best || rank > best_rank)) {
            best = &b->items[i];
            best_rank = rank;
        }
    return best;
}

static bool same_cstr(const ci_named *e, wg_cstr n) {
    return e->len == n.len && memcmp(e->name, n.s, n.len) == 0;
}

/* Whether b already lists t's exports in t's order (recursively). */
static bool conforms(const ci_bag *b, const wg_cinsttype *t) {
    if (b->n != t->nexports) return false;
    for (uint32_t i = 0; i < b->n; i++) {
        if (!same_cstr(&b->items[i], t->exports[i].name.name)) return false;
        if (b->items[i].v.sort == WG_CS_INSTANCE && t->exports[i].type.kind == WG_EXT_INSTANCE &&
            !conforms(b->items[i].v.of.inst, t->exports[i].type.of.inst))
            return false;
    }
    return true;
}

const ci_bag *wg__ci_project(ci_ctx *cx, const ci_bag *b, const wg_cinsttype *t) {
    if (!t || conforms(b, t)) return b;
    ci_bag *nb = WG_ARENA_NEW(&cx->top->arena, ci_bag);
    ci_named *items = WG_ARENA_ARRAY(&cx->top->arena, ci_named, t->nexports);
    if (!nb || (t->nexports && !items)) {
        wg__ci_oom(cx);
        return NULL;
    }
    for (uint32_t i = 0; i < t->nexports; i++) {
        const wg_cextern *e = &t->exports[i];
        const ci_named *have = wg__ci_bag_find(b, e->name.name.s, e->name.name.len);
        items[i].name = e->name.name.s;
        items[i].len = e->name.name.len;
        if (!have) {
            /* Validation guarantees every export but a type that needs no
             * runtime value. */
            items[i].v = (ci_val){.sort = WG_CS_TYPE};
            continue;
        }
        items[i].v = have->v;
        if (have->v.sort == WG_CS_INSTANCE && e->type.kind == WG_EXT_INSTANCE) {
            items[i].v.of.inst = wg__ci_project(cx, have->v.of.inst, e->type.of.inst);
            if (!items[i].v.of.inst) return NULL;
        }
    }
    nb->n = t->nexports;
    nb->items = items;
    return nb;
}

/* ---- index spaces ---------------------------------------------------------------------- */

/* Appends v as entry (it->sort, it->index). */
static bool push(ci_ctx *cx, ci_di *di, const wg_citem *it, const ci_val *v) {
    uint8_t sort = it->sort;
    uint32_t i = it->index;
    if (sort >= WG_CS_COUNT) return true;
    if (i != di->n[sort] || i >= di->def->nspace[sort])
        return wg__ci_fail(cx, WG_ERR_INVALID, "index space %u out of order", sort);
    switch (sort) {
    case WG_CS_FUNC: di->funcs[i] = v->of.func; break;
    case WG_CS_INSTANCE: di->insts[i] = v->of.inst; break;
    case WG_CS_COMPONENT: di->comps[i] = v->of.comp; break;
    case WG_CS_CORE_MODULE: di->modules[i] = v->of.module; break;
    case WG_CS_TYPE: case WG_CS_CORE_TYPE: break;
    default: return wg__ci_fail(cx, WG_ERR_INVALID, "unexpected sort %u", sort);
    }
    di->n[sort]++;
    return true;
}

/* Follows a resource path (export indices) through bags. */
static const wg_rtype *follow(const ci_val *v, const uint32_t *path, uint32_t len) {
    for (uint32_t k = 0; k < len; k++) {
        if (v->sort != WG_CS_INSTANCE || path[k] >= v->of.inst->n) return NULL;
        v = &v->of.inst->items[path[k]].v;
    }
    return v->sort == WG_CS_TYPE ? v->of.rt : NULL;
}

/* Binds the resources that import or instance `index` (how) provides. */
static bool bind(ci_ctx *cx, ci_di *di, uint8_t how, uint32_t index, const ci_val *v) {
    const wg_cdef *def = di->def;
    for (uint32_t k = 0; k < def->nresbinds; k++) {
        const wg_cresbind *rb = &def->resbinds[k];
        if (rb->how != how || rb->index != index) continue;
        const wg_rtype *rt = follow(v, rb->path, rb->len);
        if (!rt || rb->id >= di->canon.nrtypes)
            return wg__ci_fail(cx, WG_ERR_UNLINKABLE, "resource type (slot %u) not provided", rb->id);
        di->rtypes[rb->id] = rt;
    }
    return true;
}

/* ---- items ------------------------------------------------------------------------------- */

static bool item_import(ci_ctx *cx, ci_di *di, const wg_citem *it, const ci_args *args) {
    ci_val v;
    const wg_cstr *name = &it->u.import.name.name;
    if (!args) {
        if (!wg__ci_link_import(cx, di, it, &v)) return false;
    } else {
        const ci_named *a = NULL;
        for (uint32_t k = 0; k < args->n && !a; k++)
            if (same_cstr(&args->items[k], *name)) a = &args->items[k];
        if (!a)
            return wg__ci_fail(cx, WG_ERR_UNLINKABLE, "instantiation argument `%s` missing", name->s);
        v = a->v;
        if (v.sort == WG_CS_INSTANCE && it->entity.kind == WG_EXT_INSTANCE &&
            !(v.of.inst = wg__ci_project(cx, v.of.inst, it->entity.of.inst)))
            return false;
    }
    return bind(cx, di, WG_RB_IMPORT, it->u.import.index, &v) && push(cx, di, it, &v);
}

static bool item_export(ci_ctx *cx, ci_di *di, const wg_citem *it) {
    ci_val v;
    if (!wg__ci_sortidx(cx, di, it->u.export_.item, &v)) return false;
    if (v.sort == WG_CS_INSTANCE && it->entity.kind == WG_EXT_INSTANCE &&
        !(v.of.inst = wg__ci_project(cx, v.of.inst, it->entity.of.inst)))
        return false;
    uint32_t k = it->u.export_.index;
    if (k >= di->def->nexports) return wg__ci_fail(cx, WG_ERR_INVALID, "export out of range");
    di->exports[k] = (ci_named){it->u.export_.name.name.s, it->u.export_.name.name.len, v};
    if (k + 1 > di->nexports) di->nexports = k + 1;
    return push(cx, di, it, &v);
}

/* A bag of named values from (name, sortidx) pairs. */
static const ci_bag *make_bag(ci_ctx *cx, ci_di *di, const wg_carg *xs, uint32_t n) {
    ci_bag *b = WG_ARENA_NEW(&cx->top->arena, ci_bag);
    ci_named *items = WG_ARENA_ARRAY(&cx->top->arena, ci_named, n);
    if (!b || (n && !items)) {
        wg__ci_oom(cx);
        return NULL;
    }
    for (uint32_t k = 0; k < n; k++) {
        items[k].name = xs[k].name.name.s;
        items[k].len = xs[k].name.name.len;
        if (!wg__ci_sortidx(cx, di, xs[k].item, &items[k].v)) return NULL;
    }
    b->n = n;
    b->items = items;
    return b;
}

static bool item_instantiate(ci_ctx *cx, ci_di *di, const wg_citem *it) {
    uint32_t ci = it->u.instantiate.component;
    if (ci >= di->n[WG_CS_COMPONENT]) return wg__ci_fail(cx, WG_ERR_INVALID, "component out of range");
    const ci_comp *comp = di->comps[ci];
    const ci_bag *ab = make_bag(cx, di, it->u.instantiate.args, it->u.instantiate.nargs);
    if (!ab) return false;
    ci_args args = {ab->n, ab->items};
    ci_di *child = wg__ci_instantiate(cx, comp->def, comp->lexical, di, &args);
    if (!child) return false;
    ci_bag *b = WG_ARENA_NEW(&cx->top->arena, ci_bag);
    if (!b) return wg__ci_oom(cx);
    b->n = child->nexports;
    b->items = child->exports;
    ci_val v = {.sort = WG_CS_INSTANCE, .of.inst = wg__ci_project(cx, b, it->t.inst)};
    if (!v.of.inst) return false;
    return push(cx, di, it, &v) && bind(cx, di, WG_RB_INSTANCE, it->index, &v);
}

static bool item_alias(ci_ctx *cx, ci_di *di, const wg_citem *it, uint32_t item_index) {
    const wg_crawalias *a = &it->u.alias;
    ci_val v = {.sort = it->sort};
    switch (a->target) {
    case WG_RA_EXPORT: {
        if (a->instance >= di->n[WG_CS_INSTANCE])
            return wg__ci_fail(cx, WG_ERR_INVALID, "instance %u out of range", a->instance);
        const ci_bag *b = di->insts[a->instance];
        uint32_t k = di->plan->alias_index[item_index];
        const ci_named *e = k < b->n && same_cstr(&b->items[k], a->name) ? &b->items[k]
                                                                          : wg__ci_bag_find(b, a->name.s, a->name.len);
        if (!e) return wg__ci_fail(cx, WG_ERR_UNLINKABLE, "instance has no export `%s`", a->name.s);
        v = e->v;
        if (v.sort != it->sort)
            return wg__ci_fail(cx, WG_ERR_UNLINKABLE, "export `%s` is not of the sort aliased", a->name.s);
        return push(cx, di, it, &v);
    }
    case WG_RA_CORE_EXPORT:
        return wg__ci_core_alias(cx, di, it);
    default: {
        ci_di *o = di;
        for (uint32_t c = 0; c < a->count && o; c++) o = o->lexical;
        if (!o) return wg__ci_fail(cx, WG_ERR_INVALID, "outer alias beyond the root");
        uint32_t i = a->index;
        switch (it->sort) {
        case WG_CS_CORE_MODULE:
            if (i >= o->n[WG_CS_CORE_MODULE]) return wg__ci_fail(cx, WG_ERR_INVALID, "module out of range");
            v.of.module = o->modules[i];
            break;
        case WG_CS_COMPONENT:
            if (i >= o->n[WG_CS_COMPONENT]) return wg__ci_fail(cx, WG_ERR_INVALID, "component out of range");
            v.of.comp = o->comps[i];
            break;
        default:
            break; /* types: resolved statically */
        }
        return push(cx, di, it, &v);
    }
    }
}

static bool item(ci_ctx *cx, ci_di *di, const wg_citem *it, uint32_t i, const ci_args *args) {
    ci_val v = {.sort = it->sort};
    switch (it->kind) {
    case WG_CD_CORE_MODULE:
        di->modules[it->index] = it->u.core_module.module;
        di->n[WG_CS_CORE_MODULE]++;
        return true;
    case WG_CD_CORE_INSTANTIATE:
        return wg__ci_core_instantiate(cx, di, it);
    case WG_CD_CORE_EXPORTS:
        di->core_insts[it->index] = (ci_coreinst){NULL, it};
        di->n[WG_CS_CORE_INSTANCE]++;
        return true;
    case WG_CD_CORE_TYPE:
    case WG_CD_TYPE:
        if (it->kind == WG_CD_TYPE && it->u.type.resource != WG_CNONE &&
            !wg__ci_resource(cx, di, it, i))
            return false;
        return push(cx, di, it, &v);
    case WG_CD_COMPONENT: {
        ci_comp *c = WG_ARENA_NEW(&cx->top->arena, ci_comp);
        if (!c) return wg__ci_oom(cx);
        c->def = it->u.component;
        c->lexical = di;
        v.of.comp = c;
        return push(cx, di, it, &v);
    }
    case WG_CD_INSTANTIATE:
        return item_instantiate(cx, di, it);
    case WG_CD_EXPORTS:
        if (!(v.of.inst = make_bag(cx, di, it->u.exports.exports, it->u.exports.n))) return false;
        if (!(v.of.inst = wg__ci_project(cx, v.of.inst, it->t.inst))) return false;
        return push(cx, di, it, &v);
    case WG_CD_ALIAS:
        return item_alias(cx, di, it, i);
    case WG_CD_CANON:
        return wg__ci_canon(cx, di, it, i);
    case WG_CD_IMPORT:
        return item_import(cx, di, it, args);
    case WG_CD_EXPORT:
        return item_export(cx, di, it);
    default:
        return wg__ci_fail(cx, WG_ERR_UNLINKABLE, "not supported yet: component start functions");
    }
}

/* Allocates a definition instance and its index spaces. */
static ci_di *new_di(ci_ctx *cx, const wg_cdef *def, ci_di *lexical, ci_di *parent) {
    wg_arena *a = &cx->top->arena;
    const uint32_t *n = def->nspace;
    uint32_t nres = cx->top->comp->nresources;
    ci_di *di = WG_ARENA_NEW(a, ci_di);
    if (!di || !WG_VEC_RESERVE(cx->top->dis, 1)) return NULL;
    di->def = def;
    di->plan = def->plan;
    di->top = cx->top;
    di->lexical = lexical;
    di->rtypes = WG_ARENA_ARRAY(a, const wg_rtype *, nres);
    di->core_funcs = WG_ARENA_ARRAY(a, wg_func *, n[WG_CS_CORE_FUNC]);
    di->tables = WG_ARENA_ARRAY(a, wg_table *, n[WG_CS_CORE_TABLE]);
    di->memories = WG_ARENA_ARRAY(a, wg_memory *, n[WG_CS_CORE_MEMORY]);
    di->globals = WG_ARENA_ARRAY(a, wg_global *, n[WG_CS_CORE_GLOBAL]);
    di->modules = WG_ARENA_ARRAY(a, const wg_module *, n[WG_CS_CORE_MODULE]);
    di->core_insts = WG_ARENA_ARRAY(a, ci_coreinst, n[WG_CS_CORE_INSTANCE]);
    di->funcs = WG_ARENA_ARRAY(a, const wg_cfunc *, n[WG_CS_FUNC]);
    di->comps = WG_ARENA_ARRAY(a, const ci_comp *, n[WG_CS_COMPONENT]);
    di->insts = WG_ARENA_ARRAY(a, const ci_bag *, n[WG_CS_INSTANCE]);
    di->lowered = WG_ARENA_ARRAY(a, wg_canon_lowered, di->plan ? di->plan->nlowered : 0);
    di->exports = WG_ARENA_ARRAY(a, ci_named, def->nexports);
    if (!di->rtypes || !di->core_funcs || !di->tables || !di->memories || !di->globals ||
        !di->modules || !di->core_insts || !di->funcs || !di->comps || !di->insts ||
        !di->lowered || !di->exports)
        return NULL;
    wg__canon_inst_init(&di->canon, parent ? &parent->canon : NULL, di->rtypes, nres);
    di->canon_ready = true;
    cx->top->dis.data[cx->top->dis.len++] = di;
    return di;
}

ci_di *wg__ci_instantiate(ci_ctx *cx, const wg_cdef *def, ci_di *lexical, ci_di *parent,
                          const ci_args *args) {
    if (!def->plan) {
        wg__ci_fail(cx, WG_ERR_INVALID, "component definition without an instantiation plan");
        return NULL;
    }
    if (cx->depth >= MAX_DEPTH) {
        wg__ci_fail(cx, WG_ERR_RESOURCE, "component instances nested more than %d deep", MAX_DEPTH);
        return NULL;
    }
    ci_di *di = new_di(cx, def, lexical, parent);
    if (!di) {
        wg__ci_oom(cx);
        return NULL;
    }
    cx->depth++;
    bool ok = true;
    for (uint32_t i = 0; ok && i < def->nitems; i++) ok = item(cx, di, &def->items[i], i, args);
    cx->depth--;
    return ok ? di : NULL;
}

/* ---- the public entry points ------------------------------------------------------------- */

wg_cinstance *wg_cinstance_new(const wg_component *c, const wg_clinker *l,
                               const wg_cinstance_opts *opts, wg_error *err, wg_trap *trap) {
    wg__error_clear(err);
    if (trap) memset(trap, 0, sizeof *trap);
    if (!c) {
        wg__error(err, WG_ERR_INVALID, (size_t)-1, "no component");
        return NULL;
    }
    wg_cinstance *top = calloc(1, sizeof *top);
    if (!top) {
        wg__error(err, WG_ERR_RESOURCE, (size_t)-1, "out of memory");
        return NULL;
    }
    top->comp = c;
    if (opts) top->opts = *opts;
    wg_trap local;
    ci_ctx cx = {.top = top, .linker = l, .err = err, .trap = trap ? trap : &local};
    top->root = wg__ci_instantiate(&cx, c->root, NULL, NULL, NULL);
    if (!top->root) {
        if (err && err->kind == WG_ERR_NONE) wg__error(err, WG_ERR_RESOURCE, (size_t)-1, "out of memory");
        wg_cinstance_free(top);
        return NULL;
    }
    top->exports = (ci_bag){top->root->nexports, top->root->exports};
    return top;
}

void wg_cinstance_free(wg_cinstance *inst) {
    if (!inst) return;
    for (uint32_t i = inst->cores.len; i > 0; i--) wg_instance_free(inst->cores.data[i - 1]);
    WG_VEC_FREE(inst->cores);
    for (uint32_t i = 0; i < inst->dis.len; i++)
        if (inst->dis.data[i]->canon_ready) wg__canon_inst_fini(&inst->dis.data[i]->canon);
    WG_VEC_FREE(inst->dis);
    wg__arena_free(&inst->arena);
    free(inst);
}

void *wg_cinstance_host_data(const wg_cinstance *inst) { return inst ? inst->opts.host_data : NULL; }

bool wg_cinstance_poisoned(const wg_cinstance *inst) { return inst && inst->poisoned; }
