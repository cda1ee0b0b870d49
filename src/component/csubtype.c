/*
 * Type checking between components (Explainer.md "Type Checking"):
 *
 *   remapping    substitution of resource slots (and renaming of type
 *                identities) through a type, creating new type objects only
 *                where something changed, memoised so shared parts stay shared
 *   free vars    the resource slots a type mentions but does not bind
 *   subtyping    a <: b for entities: module, instance and component types
 *                by their imports (contravariant) and exports (covariant),
 *                everything else by structural equality (as wasmparser and
 *                wasmtime do: function and value subtyping is not relaxed)
 *   instantiate  checking `with` arguments against a component type's imports
 *                (open_instance), substituting the supplied resources and
 *                fresh ones for the component's own into its exports
 *
 * Temporary types made while checking are allocated after an arena mark and
 * released with it.
 */
#include "component/cvalid.h"

#include <stdio.h>
#include <string.h>

/* ---- remapping ------------------------------------------------------------------------ */

void wg__cremap_free(wg_cremap *m) {
    wg__hmap_free(&m->res);
    wg__hmap_free(&m->types);
}

static wg_cres decode_res(uint64_t key) {
    wg_cres r = {(uint32_t)key, (uint32_t)(key >> 32) & 0x7fffffffu};
    return r;
}

/* The resource r names after substitution. */
static wg_cres remap_res(const wg_cremap *m, wg_cres r) {
    uint64_t v;
    if (wg__hmap_get(&m->types, wg__cv_reskey(r), &v)) return decode_res(v);
    if (wg__hmap_get(&m->res, r.id, &v)) r.id = (uint32_t)v;
    return r;
}

static bool memo(wg_cv *cv, wg_cremap *m, const void *from, const void *to) {
    return wg__hmap_put(&m->types, wg__hmap_ptr(from), wg__hmap_ptr(to)) || wg__cv_oom(cv);
}

bool wg__cv_remap_val(wg_cv *cv, const wg_ctype *t, wg_cremap *m, const wg_ctype **out) {
    uint64_t v;
    *out = t;
    if (!t || wg__cval(t)->primitive) return true;
    if (!wg__cv_fuel(cv)) return false;
    if (wg__hmap_get(&m->types, wg__hmap_ptr(t), &v)) {
        *out = (const wg_ctype *)(uintptr_t)v;
        return true;
    }
    wg_cvaltype copy = *wg__cval(t);
    bool changed = false;
    switch (t->kind) {
    case WG_CT_RECORD: case WG_CT_TUPLE: case WG_CT_VARIANT: {
        wg_cfield *f = NULL;
        for (uint32_t i = 0; i < t->n; i++) {
            const wg_ctype *nt;
            if (!wg__cv_remap_val(cv, t->fields[i].type, m, &nt)) return false;
            if (nt != t->fields[i].type && !f) {
                f = wg__arena_dup(cv->arena, t->fields, t->n * sizeof *f);
                if (!f) return wg__cv_oom(cv);
            }
            if (f) f[i].type = nt;
        }
        if (f) {
            copy.t.fields = f;
            changed = true;
        }
        break;
    }
    case WG_CT_OWN: case WG_CT_BORROW: {
        wg_cres r = wg__cv_handle_res(t), nr = remap_res(m, r);
        if (nr.id != r.id || nr.alias != r.alias) {
            copy.t.resource = nr.id;
            copy.alias = nr.alias;
            changed = true;
        }
        break;
    }
    default: {
        const wg_ctype *e, *e2;
        if (!wg__cv_remap_val(cv, t->elem, m, &e) || !wg__cv_remap_val(cv, t->elem2, m, &e2)) return false;
        if (e != t->elem || e2 != t->elem2) {
            copy.t.elem = e;
            copy.t.elem2 = e2;
            changed = true;
        }
        break;
    }
    }
    if (changed) {
        /* The layout does not depend on which resources are named. */
        wg_cvaltype *n = wg__arena_dup(cv->arena, &copy, sizeof copy);
        if (!n) return wg__cv_oom(cv);
        *out = &n->t;
    }
    return memo(cv, m, t, *out);
}

static bool remap_func(wg_cv *cv, const wg_cfunctype *f, wg_cremap *m, const wg_cfunctype **out) {
    uint64_t v;
    *out = f;
    if (wg__hmap_get(&m->types, wg__hmap_ptr(f), &v)) {
        *out = (const wg_cfunctype *)(uintptr_t)v;
        return true;
    }
    wg_cfield *p = NULL;
    const wg_ctype *r;
    for (uint32_t i = 0; i < f->nparams; i++) {
        const wg_ctype *nt;
        if (!wg__cv_remap_val(cv, f->params[i].type, m, &nt)) return false;
        if (nt != f->params[i].type && !p) {
            p = wg__arena_dup(cv->arena, f->params, f->nparams * sizeof *p);
            if (!p) return wg__cv_oom(cv);
        }
        if (p) p[i].type = nt;
    }
    if (!wg__cv_remap_val(cv, f->result, m, &r)) return false;
    if (p || r != f->result) {
        wg_cfunctype *n = wg__arena_dup(cv->arena, f, sizeof *f);
        if (!n) return wg__cv_oom(cv);
        if (p) n->params = p;
        n->result = r;
        *out = n;
    }
    return memo(cv, m, f, *out);
}

static bool remap_comp(wg_cv *cv, const wg_ccomptype *c, wg_cremap *m, const wg_ccomptype **out);

static bool remap_tyref(wg_cv *cv, wg_ctyref *t, wg_cremap *m) {
    switch (t->kind) {
    case WG_CTY_VALUE: return wg__cv_remap_val(cv, t->of.value, m, &t->of.value);
    case WG_CTY_FUNC: return remap_func(cv, t->of.func, m, &t->of.func);
    case WG_CTY_RESOURCE: t->of.resource = remap_res(m, t->of.resource); return true;
    case WG_CTY_INSTANCE: return wg__cv_remap_inst(cv, t->of.inst, m, &t->of.inst);
    default: return remap_comp(cv, t->of.comp, m, &t->of.comp);
    }
}

bool wg__cv_remap_entity(wg_cv *cv, wg_centity *e, wg_cremap *m) {
    switch (e->kind) {
    case WG_EXT_FUNC: return remap_func(cv, e->of.func, m, &e->of.func);
    case WG_EXT_VALUE: return wg__cv_remap_val(cv, e->of.value, m, &e->of.value);
    case WG_EXT_INSTANCE: return wg__cv_remap_inst(cv, e->of.inst, m, &e->of.inst);
    case WG_EXT_COMPONENT: return remap_comp(cv, e->of.comp, m, &e->of.comp);
    case WG_EXT_TYPE: {
        bool same = wg__cv_tyref_same(e->of.type.referenced, e->of.type.created);
        if (!remap_tyref(cv, &e->of.type.referenced, m)) return false;
        if (same) {
            e->of.type.created = e->of.type.referenced;
            return true;
        }
        return remap_tyref(cv, &e->of.type.created, m);
    }
    default:
        return true;  /* core modules cannot mention resources */
    }
}

/* Remaps a list of externs; *out is the same array when nothing changed. */
static bool remap_externs(wg_cv *cv, const wg_cextern *xs, uint32_t n, wg_cremap *m, const wg_cextern **out) {
    wg_cextern *copy = NULL;
    *out = xs;
    for (uint32_t i = 0; i < n; i++) {
        wg_centity e = xs[i].type;
        if (!wg__cv_remap_entity(cv, &e, m)) return false;
        if (memcmp(&e, &xs[i].type, sizeof e) != 0 && !copy) {
            copy = wg__arena_dup(cv->arena, xs, n * sizeof *xs);
            if (!copy) return wg__cv_oom(cv);
        }
        if (copy) copy[i].type = e;
    }
    if (copy) *out = copy;
    return true;
}

/* Remaps the ids of a path list; *out is the same when nothing changed. */
static bool remap_paths(wg_cv *cv, const wg_cpath *ps, uint32_t n, const wg_cremap *m, const wg_cpath **out) {
    wg_cpath *copy = NULL;
    *out = ps;
    for (uint32_t i = 0; i < n; i++) {
        uint64_t v;
        if (!wg__hmap_get(&m->res, ps[i].id, &v)) continue;
        if (!copy) {
            copy = wg__arena_dup(cv->arena, ps, n * sizeof *ps);
            if (!copy) return wg__cv_oom(cv);
        }
        copy[i].id = (uint32_t)v;
    }
    if (copy) *out = copy;
    return true;
}

static bool remap_ids(wg_cv *cv, const uint32_t *ids, uint32_t n, const wg_cremap *m, const uint32_t **out) {
    uint32_t *copy = NULL;
    *out = ids;
    for (uint32_t i = 0; i < n; i++) {
        uint64_t v;
        if (!wg__hmap_get(&m->res, ids[i], &v)) continue;
        if (!copy) {
            copy = wg__arena_dup(cv->arena, ids, n * sizeof *ids);
            if (!copy) return wg__cv_oom(cv);
        }
        copy[i] = (uint32_t)v;
    }
    if (copy) *out = copy;
    return true;
}

bool wg__cv_remap_inst(wg_cv *cv, const wg_cinsttype *t, wg_cremap *m, const wg_cinsttype **out) {
    uint64_t v;
    *out = t;
    if (wg__hmap_get(&m->types, wg__hmap_ptr(t), &v)) {
        *out = (const wg_cinsttype *)(uintptr_t)v;
        return true;
    }
    wg_cinsttype n = *t;
    if (!remap_externs(cv, t->exports, t->nexports, m, &n.exports)) return false;
    if (!remap_ids(cv, t->defined, t->ndefined, m, &n.defined)) return false;
    if (!remap_paths(cv, t->explicit_, t->nexplicit, m, &n.explicit_)) return false;
    if (n.exports != t->exports || n.defined != t->defined || n.explicit_ != t->explicit_) {
        wg_cinsttype *p = wg__arena_dup(cv->arena, &n, sizeof n);
        if (!p) return wg__cv_oom(cv);
        *out = p;
    }
    return memo(cv, m, t, *out);
}

static bool remap_comp(wg_cv *cv, const wg_ccomptype *c, wg_cremap *m, const wg_ccomptype **out) {
    uint64_t v;
    *out = c;
    if (wg__hmap_get(&m->types, wg__hmap_ptr(c), &v)) {
        *out = (const wg_ccomptype *)(uintptr_t)v;
        return true;
    }
    wg_ccomptype n = *c;
    if (!remap_externs(cv, c->imports, c->nimports, m, &n.imports) ||
        !remap_externs(cv, c->exports, c->nexports, m, &n.exports) ||
        !remap_paths(cv, c->imported_res, c->nimported_res, m, &n.imported_res) ||
        !remap_paths(cv, c->defined_res, c->ndefined_res, m, &n.defined_res) ||
        !remap_paths(cv, c->explicit_, c->nexplicit, m, &n.explicit_))
        return false;
    if (memcmp(&n, c, sizeof n) != 0) {
        wg_ccomptype *p = wg__arena_dup(cv->arena, &n, sizeof n);
        if (!p) return wg__cv_oom(cv);
        *out = p;
    }
    return memo(cv, m, c, *out);
}

/* ---- free resource variables ------------------------------------------------------------ */

static bool free_val(wg_cv *cv, const wg_ctype *t, wg_hmap *set) {
    if (!t || wg__cval(t)->primitive || !t->has_resource) return true;
    if (!wg__cv_fuel(cv)) return false;
    switch (t->kind) {
    case WG_CT_OWN: case WG_CT_BORROW:
        return wg__hmap_put(set, t->resource, 1) || wg__cv_oom(cv);
    case WG_CT_RECORD: case WG_CT_TUPLE: case WG_CT_VARIANT:
        for (uint32_t i = 0; i < t->n; i++)
            if (!free_val(cv, t->fields[i].type, set)) return false;
        return true;
    default:
        return free_val(cv, t->elem, set) && free_val(cv, t->elem2, set);
    }
}

static bool free_func(wg_cv *cv, const wg_cfunctype *f, wg_hmap *set) {
    for (uint32_t i = 0; i < f->nparams; i++)
        if (!free_val(cv, f->params[i].type, set)) return false;
    return free_val(cv, f->result, set);
}

/* The free variables of externs, minus the bound ids, into set. */
static bool free_bound(wg_cv *cv, const wg_cextern *a, uint32_t na, const wg_cextern *b, uint32_t nb,
                       const uint32_t *ids, uint32_t nids, const wg_cpath *p1, uint32_t n1,
                       const wg_cpath *p2, uint32_t n2, wg_hmap *set) {
    wg_hmap inner = {0}, bound = {0};
    bool ok = true;
    for (uint32_t i = 0; ok && i < na; i++) ok = wg__cv_free_entity(cv, &a[i].type, &inner);
    for (uint32_t i = 0; ok && i < nb; i++) ok = wg__cv_free_entity(cv, &b[i].type, &inner);
    for (uint32_t i = 0; ok && i < nids; i++) ok = wg__hmap_put(&bound, ids[i], 1) || wg__cv_oom(cv);
    for (uint32_t i = 0; ok && i < n1; i++) ok = wg__hmap_put(&bound, p1[i].id, 1) || wg__cv_oom(cv);
    for (uint32_t i = 0; ok && i < n2; i++) ok = wg__hmap_put(&bound, p2[i].id, 1) || wg__cv_oom(cv);
    for (uint32_t i = 0; ok && i < inner.cap; i++) {
        uint64_t k = inner.slots[i].key;
        if (k != WG_HMAP_EMPTY && !wg__hmap_get(&bound, k, NULL))
            ok = wg__hmap_put(set, k, 1) || wg__cv_oom(cv);
    }
    wg__hmap_free(&inner);
    wg__hmap_free(&bound);
    return ok;
}

bool wg__cv_free_tyref(wg_cv *cv, wg_ctyref t, wg_hmap *set) {
    switch (t.kind) {
    case WG_CTY_RESOURCE: return wg__hmap_put(set, t.of.resource.id, 1) || wg__cv_oom(cv);
    case WG_CTY_VALUE: return free_val(cv, t.of.value, set);
    case WG_CTY_FUNC: return free_func(cv, t.of.func, set);
    case WG_CTY_INSTANCE: {
        const wg_cinsttype *i = t.of.inst;
        return free_bound(cv, i->exports, i->nexports, NULL, 0, i->defined, i->ndefined, NULL, 0, NULL, 0, set);
    }
    default: {
        const wg_ccomptype *c = t.of.comp;
        return free_bound(cv, c->imports, c->nimports, c->exports, c->nexports, NULL, 0, c->imported_res,
                          c->nimported_res, c->defined_res, c->ndefined_res, set);
    }
    }
}

bool wg__cv_free_entity(wg_cv *cv, const wg_centity *e, wg_hmap *set) {
    wg_ctyref t;
    switch (e->kind) {
    case WG_EXT_FUNC: return free_func(cv, e->of.func, set);
    case WG_EXT_VALUE: return free_val(cv, e->of.value, set);
    case WG_EXT_TYPE: return wg__cv_free_tyref(cv, e->of.type.created, set);
    case WG_EXT_INSTANCE:
        t.kind = WG_CTY_INSTANCE;
        t.of.inst = e->of.inst;
        return wg__cv_free_tyref(cv, t, set);
    case WG_EXT_COMPONENT:
        t.kind = WG_CTY_COMPONENT;
        t.of.comp = e->of.comp;
        return wg__cv_free_tyref(cv, t, set);
    default:
        return true;
    }
}

/* ---- value types ------------------------------------------------------------------------ */

static const char *prim_name(uint32_t kind) {
    static const char *const n[] = {
        "?", "bool", "s8", "u8", "s16", "u16", "s32", "u32", "s64", "u64", "f32", "f64", "char",
        "string", "error-context",
    };
    return kind <= WG_CT_ERROR_CONTEXT ? n[kind] : "?";
}

static const char *val_desc(const wg_ctype *t) {
    if (wg__cval(t)->primitive) return prim_name(t->kind);
    switch (t->kind) {
    case WG_CT_LIST: return t->n ? "fixed-length list" : "list";
    case WG_CT_RECORD: return "record";
    case WG_CT_TUPLE: return "tuple";
    case WG_CT_VARIANT: return "variant";
    case WG_CT_ENUM: return "enum";
    case WG_CT_OPTION: return "option";
    case WG_CT_RESULT: return "result";
    case WG_CT_FLAGS: return "flags";
    case WG_CT_OWN: return "own";
    case WG_CT_BORROW: return "borrow";
    case WG_CT_STREAM: return "stream";
    case WG_CT_FUTURE: return "future";
    case WG_CT_MAP: return "map";
    default: return "?";
    }
}

static bool same_labels(const wg_ctype *a, const wg_ctype *b) {
    if (a->n != b->n) return false;
    for (uint32_t i = 0; i < a->n; i++)
        if (strcmp(a->labels[i], b->labels[i]) != 0) return false;
    return true;
}

static bool sub_opt(wg_cv *cv, const wg_ctype *a, const wg_ctype *b, const char *what) {
    if (!a && !b) return true;
    if (!a) return wg__cv_fail(cv, "expected %s type, but found none", what);
    if (!b) return wg__cv_fail(cv, "expected %s type to not be present", what);
    if (!wg__cv_sub_val(cv, a, b)) return wg__cv_context(cv, "type mismatch in %s variant", what);
    return true;
}

bool wg__cv_sub_val(wg_cv *cv, const wg_ctype *a, const wg_ctype *b) {
    if (a == b) return true;
    if (!wg__cv_fuel(cv)) return false;
    bool ap = wg__cval(a)->primitive, bp = wg__cval(b)->primitive;
    if (ap && bp) {
        if (a->kind != b->kind)
            return wg__cv_fail(cv, "expected primitive `%s` found primitive `%s`", prim_name(b->kind),
                               prim_name(a->kind));
        return true;
    }
    if (ap || bp || a->kind != b->kind || (a->kind == WG_CT_LIST && (a->n == 0) != (b->n == 0))) {
        if (bp && wg__cval(b)->prim_defined) return wg__cv_fail(cv, "expected primitive, found %s", val_desc(a));
        if (bp) return wg__cv_fail(cv, "expected %s, found %s", prim_name(b->kind), val_desc(a));
        return wg__cv_fail(cv, "expected %s, found %s", val_desc(b), val_desc(a));
    }
    switch (a->kind) {
    case WG_CT_RECORD:
        if (a->n != b->n) return wg__cv_fail(cv, "expected %u fields, found %u", b->n, a->n);
        for (uint32_t i = 0; i < a->n; i++) {
            if (strcmp(a->fields[i].name, b->fields[i].name) != 0)
                return wg__cv_fail(cv, "expected field name `%s`, found `%s`", b->fields[i].name, a->fields[i].name);
            if (!wg__cv_sub_val(cv, a->fields[i].type, b->fields[i].type))
                return wg__cv_context(cv, "type mismatch in record field `%s`", a->fields[i].name);
        }
        return true;
    case WG_CT_VARIANT:
        if (a->n != b->n) return wg__cv_fail(cv, "expected %u cases, found %u", b->n, a->n);
        for (uint32_t i = 0; i < a->n; i++) {
            const wg_cfield *x = &a->fields[i], *y = &b->fields[i];
            if (strcmp(x->name, y->name) != 0)
                return wg__cv_fail(cv, "expected case named `%s`, found `%s`", y->name, x->name);
            if (!x->type && y->type) return wg__cv_fail(cv, "expected case `%s` to have a type, found none", x->name);
            if (x->type && !y->type) return wg__cv_fail(cv, "expected case `%s` to have no type", x->name);
            if (x->type && !wg__cv_sub_val(cv, x->type, y->type))
                return wg__cv_context(cv, "type mismatch in variant case `%s`", x->name);
        }
        return true;
    case WG_CT_TUPLE:
        if (a->n != b->n) return wg__cv_fail(cv, "expected %u types, found %u", b->n, a->n);
        for (uint32_t i = 0; i < a->n; i++)
            if (!wg__cv_sub_val(cv, a->fields[i].type, b->fields[i].type))
                return wg__cv_context(cv, "type mismatch in tuple field %u", i);
        return true;
    case WG_CT_FLAGS:
    case WG_CT_ENUM:
        if (!same_labels(a, b)) return wg__cv_fail(cv, "mismatch in %s elements", a->kind == WG_CT_FLAGS ? "flags" : "enum");
        return true;
    case WG_CT_LIST:
        if (a->n != b->n) return wg__cv_fail(cv, "expected fixed-length %u, found size %u", b->n, a->n);
        return wg__cv_sub_val(cv, a->elem, b->elem);
    case WG_CT_OPTION:
        return wg__cv_sub_val(cv, a->elem, b->elem);
    case WG_CT_RESULT:
        return sub_opt(cv, a->elem, b->elem, "ok") && sub_opt(cv, a->elem2, b->elem2, "err");
    case WG_CT_MAP:
        if (!wg__cv_sub_val(cv, a->elem, b->elem)) return wg__cv_context(cv, "type mismatch in map key");
        if (!wg__cv_sub_val(cv, a->elem2, b->elem2)) return wg__cv_context(cv, "type mismatch in map value");
        return true;
    case WG_CT_OWN:
    case WG_CT_BORROW:
        if (a->resource != b->resource) return wg__cv_fail(cv, "resource types are not the same");
        return true;
    case WG_CT_STREAM:
    case WG_CT_FUTURE: {
        const char *w = a->kind == WG_CT_STREAM ? "stream" : "future";
        if (!a->elem && !b->elem) return true;
        if (!a->elem) return wg__cv_fail(cv, "expected %s type, but found none", w);
        if (!b->elem) return wg__cv_fail(cv, "expected %s type to not be present", w);
        if (!wg__cv_sub_val(cv, a->elem, b->elem)) return wg__cv_context(cv, "type mismatch in %s", w);
        return true;
    }
    default:
        return true;
    }
}

/* ---- core types -------------------------------------------------------------------------- */

static const char *core_valtype_name(uint8_t t) {
    switch (t) {
    case WG_I32: return "i32";
    case WG_I64: return "i64";
    case WG_F32: return "f32";
    case WG_F64: return "f64";
    case WG_V128: return "v128";
    case WG_FUNCREF: return "funcref";
    case WG_EXTERNREF: return "externref";
    default: return "?";
    }
}

void wg__cv_print_core_func(const wg_functype_view *f, char *buf, size_t size) {
    size_t n = (size_t)snprintf(buf, size, "(func");
    if (f->nparams && n < size) {
        n += (size_t)snprintf(buf + n, size - n, " (param");
        for (uint32_t i = 0; i < f->nparams && n < size; i++)
            n += (size_t)snprintf(buf + n, size - n, " %s", core_valtype_name(f->params[i]));
        if (n < size) n += (size_t)snprintf(buf + n, size - n, ")");
    }
    if (f->nresults && n < size) {
        n += (size_t)snprintf(buf + n, size - n, " (result");
        for (uint32_t i = 0; i < f->nresults && n < size; i++)
            n += (size_t)snprintf(buf + n, size - n, " %s", core_valtype_name(f->results[i]));
        if (n < size) n += (size_t)snprintf(buf + n, size - n, ")");
    }
    if (n < size) snprintf(buf + n, size - n, ")");
}

bool wg__cv_same_core_func(const wg_functype_view *a, const wg_functype_view *b) {
    return a->nparams == b->nparams && a->nresults == b->nresults &&
           (a->nparams == 0 || memcmp(a->params, b->params, a->nparams) == 0) &&
           (a->nresults == 0 || memcmp(a->results, b->results, a->nresults) == 0);
}

static const char *core_kind_name(uint8_t k) {
    static const char *const d[] = {"func", "table", "memory", "global", "tag"};
    return k <= WG_CK_TAG ? d[k] : "?";
}

/* limits a within b: at least b's minimum, a maximum no larger than b's. */
static bool limits_match(const wg_limits *a, const wg_limits *b) {
    if (a->min < b->min) return false;
    if (!b->has_max) return true;
    return a->has_max && a->max <= b->max;
}

bool wg__cv_sub_core_ext(wg_cv *cv, const wg_ccoreext *a, const wg_ccoreext *b) {
    if (a->kind != b->kind)
        return wg__cv_fail(cv, "expected %s, found %s", core_kind_name(b->kind), core_kind_name(a->kind));
    switch (a->kind) {
    case WG_CK_FUNC:
    case WG_CK_TAG:
        if (!wg__cv_same_core_func(a->func, b->func)) {
            char x[200], y[200];
            wg__cv_print_core_func(b->func, x, sizeof x);
            wg__cv_print_core_func(a->func, y, sizeof y);
            return wg__cv_fail(cv, "expected: %s, found: %s", x, y);
        }
        return true;
    case WG_CK_TABLE:
        if (a->valtype != b->valtype)
            return wg__cv_fail(cv, "expected table element type %s, found %s", core_valtype_name(b->valtype),
                               core_valtype_name(a->valtype));
        if (a->shared != b->shared) return wg__cv_fail(cv, "mismatch in the shared flag for tables");
        if (!limits_match(&a->limits, &b->limits)) return wg__cv_fail(cv, "mismatch in table limits");
        return true;
    case WG_CK_MEMORY:
        if (a->shared != b->shared) return wg__cv_fail(cv, "mismatch in the shared flag for memories");
        if (a->is64 != b->is64) return wg__cv_fail(cv, "mismatch in index type used for memories");
        if (!limits_match(&a->limits, &b->limits)) return wg__cv_fail(cv, "mismatch in memory limits");
        return true;
    default: /* global */
        if (a->mutable_ != b->mutable_) return wg__cv_fail(cv, "global types differ in mutability");
        if (a->valtype != b->valtype)
            return wg__cv_fail(cv, "expected global type %s, found %s", core_valtype_name(b->valtype),
                               core_valtype_name(a->valtype));
        return true;
    }
}

static bool same_str(wg_cstr a, wg_cstr b) { return a.len == b.len && memcmp(a.s, b.s, a.len) == 0; }

bool wg__cv_sub_module(wg_cv *cv, const wg_cmodtype *a, const wg_cmodtype *b) {
    /* a may import less (each of its imports must be one of b's, checked
     * contravariantly) and export more. */
    for (uint32_t i = 0; i < a->nimports; i++) {
        const wg_ccoreimport *x = &a->imports[i], *y = NULL;
        for (uint32_t k = 0; k < b->nimports && !y; k++)
            if (same_str(b->imports[k].module, x->module) && same_str(b->imports[k].name, x->name))
                y = &b->imports[k];
        if (!y) return wg__cv_fail(cv, "missing expected import `%s::%s`", x->module.s, x->name.s);
        if (!wg__cv_sub_core_ext(cv, &y->type, &x->type))
            return wg__cv_context(cv, "type mismatch in import `%s::%s`", x->module.s, x->name.s);
    }
    for (uint32_t i = 0; i < b->nexports; i++) {
        const wg_ccoreexport *y = &b->exports[i], *x = NULL;
        for (uint32_t k = 0; k < a->nexports && !x; k++)
            if (same_str(a->exports[k].name, y->name)) x = &a->exports[k];
        if (!x) return wg__cv_fail(cv, "missing expected export `%s`", y->name.s);
        if (!wg__cv_sub_core_ext(cv, &x->type, &y->type))
            return wg__cv_context(cv, "type mismatch in export `%s`", y->name.s);
    }
    return true;
}

/* ---- component-level entities --------------------------------------------------------- */

static const wg_cextern *find_extern(const wg_cextern *xs, uint32_t n, wg_cstr name) {
    for (uint32_t i = 0; i < n; i++)
        if (same_str(xs[i].name.name, name)) return &xs[i];
    return NULL;
}

static const wg_cvarg *find_arg(const wg_cvarg *args, uint32_t n, wg_cstr name) {
    for (uint32_t i = 0; i < n; i++)
        if (same_str(args[i].name, name)) return &args[i];
    return NULL;
}

static bool sub_func(wg_cv *cv, const wg_cfunctype *a, const wg_cfunctype *b) {
    if (a == b) return true;
    if (a->async != b->async)
        return wg__cv_fail(cv, "expected %s function, found %s function", b->async ? "async" : "sync",
                           a->async ? "async" : "sync");
    if (a->nparams != b->nparams)
        return wg__cv_fail(cv, "expected %u parameters, found %u", b->nparams, a->nparams);
    for (uint32_t i = 0; i < a->nparams; i++) {
        if (strcmp(a->params[i].name, b->params[i].name) != 0)
            return wg__cv_fail(cv, "expected parameter named `%s`, found `%s`", b->params[i].name, a->params[i].name);
        if (!wg__cv_sub_val(cv, a->params[i].type, b->params[i].type))
            return wg__cv_context(cv, "type mismatch in function parameter `%s`", a->params[i].name);
    }
    if (a->result && b->result) {
        if (!wg__cv_sub_val(cv, a->result, b->result)) return wg__cv_context(cv, "type mismatch with result type");
    } else if (a->result) {
        /* wasmparser's wording, which the conformance scripts expect. */
        return wg__cv_fail(cv, "expected a result, found none");
    } else if (b->result) {
        return wg__cv_fail(cv, "expected no result, found one");
    }
    return true;
}

static bool sub_inst(wg_cv *cv, const wg_cinsttype *a, const wg_cinsttype *b) {
    if (a == b) return true;
    for (uint32_t i = 0; i < b->nexports; i++) {
        const wg_cextern *y = &b->exports[i], *x = find_extern(a->exports, a->nexports, y->name.name);
        if (!x) return wg__cv_fail(cv, "missing expected export `%s`", y->name.name.s);
        if (!wg__cv_sub_entity(cv, &x->type, &y->type))
            return wg__cv_context(cv, "type mismatch in instance export `%s`", y->name.name.s);
    }
    return true;
}

static const char *tyref_desc(uint8_t k) {
    switch (k) {
    case WG_CTY_RESOURCE: return "resource";
    case WG_CTY_VALUE: return "defined type";
    case WG_CTY_FUNC: return "func type";
    case WG_CTY_INSTANCE: return "instance type";
    default: return "component type";
    }
}

static bool sub_comp(wg_cv *cv, const wg_ccomptype *a, const wg_ccomptype *b);

static bool sub_tyref(wg_cv *cv, wg_ctyref a, wg_ctyref b) {
    if (a.kind != b.kind) return wg__cv_fail(cv, "expected %s, found %s", tyref_desc(b.kind), tyref_desc(a.kind));
    switch (a.kind) {
    case WG_CTY_RESOURCE:
        if (a.of.resource.id != b.of.resource.id) return wg__cv_fail(cv, "resource types are not the same");
        return true;
    case WG_CTY_VALUE: return wg__cv_sub_val(cv, a.of.value, b.of.value);
    case WG_CTY_FUNC: return sub_func(cv, a.of.func, b.of.func);
    case WG_CTY_INSTANCE: return sub_inst(cv, a.of.inst, b.of.inst);
    default: return sub_comp(cv, a.of.comp, b.of.comp);
    }
}

bool wg__cv_sub_entity(wg_cv *cv, const wg_centity *a, const wg_centity *b) {
    if (a->kind != b->kind)
        return wg__cv_fail(cv, "expected %s, found %s", wg__cv_entity_desc(b->kind), wg__cv_entity_desc(a->kind));
    switch (a->kind) {
    case WG_EXT_MODULE: return wg__cv_sub_module(cv, a->of.module, b->of.module);
    case WG_EXT_FUNC: return sub_func(cv, a->of.func, b->of.func);
    case WG_EXT_VALUE: return wg__cv_sub_val(cv, a->of.value, b->of.value);
    case WG_EXT_TYPE: return sub_tyref(cv, a->of.type.referenced, b->of.type.referenced);
    case WG_EXT_INSTANCE: return sub_inst(cv, a->of.inst, b->of.inst);
    default: return sub_comp(cv, a->of.comp, b->of.comp);
    }
}

/* Records, for each type import satisfied, which identity now stands for
 * the expected one (so the instance's exports refer to the arguments). */
static bool renamings(wg_cv *cv, const wg_centity *actual, const wg_centity *expected, wg_hmap *map) {
    if (expected->kind == WG_EXT_TYPE && actual->kind == WG_EXT_TYPE)
        return wg__hmap_put(map, wg__cv_tykey(expected->of.type.created), wg__cv_tykey(actual->of.type.created)) ||
               wg__cv_oom(cv);
    if (expected->kind == WG_EXT_INSTANCE && actual->kind == WG_EXT_INSTANCE) {
        const wg_cinsttype *e = expected->of.inst, *a = actual->of.inst;
        for (uint32_t i = 0; i < e->nexports; i++) {
            const wg_cextern *x = find_extern(a->exports, a->nexports, e->exports[i].name.name);
            if (x && !renamings(cv, &x->type, &e->exports[i].type, map)) return false;
        }
    }
    return true;
}

/* Whether args (actual items) satisfy b's imports (kind IMPORT) or exports
 * (kind EXPORT); *out maps b's imported (or defined) resources to the
 * supplied ones, and b's type imports to the supplied types. */
static bool open_instance(wg_cv *cv, const wg_cvarg *args, uint32_t nargs, const wg_ccomptype *b, int kind,
                          wg_cremap *out) {
    const wg_cextern *ents = kind == WG_XK_IMPORT ? b->imports : b->exports;
    uint32_t nents = kind == WG_XK_IMPORT ? b->nimports : b->nexports;
    const wg_cpath *res = kind == WG_XK_IMPORT ? b->imported_res : b->defined_res;
    uint32_t nres = kind == WG_XK_IMPORT ? b->nimported_res : b->ndefined_res;
    const char *desc = kind == WG_XK_IMPORT ? "import" : "export";
    memset(out, 0, sizeof *out);

    /* The resource each of b's resources is bound to, following its path
     * through b's types and, by name, through the arguments. */
    for (uint32_t r = 0; r < nres; r++) {
        const wg_cpath *p = &res[r];
        if (p->len == 0 || p->idx[0] >= nents) continue;
        const wg_cextern *x = &ents[p->idx[0]];
        const wg_cvarg *arg = find_arg(args, nargs, x->name.name);
        const wg_centity *a = arg ? &arg->type : NULL;
        const wg_centity *ty = &x->type;
        for (uint32_t k = 1; k < p->len && a; k++) {
            if (ty->kind != WG_EXT_INSTANCE || p->idx[k] >= ty->of.inst->nexports) {
                a = NULL;
                break;
            }
            x = &ty->of.inst->exports[p->idx[k]];
            ty = &x->type;
            if (a->kind != WG_EXT_INSTANCE) {
                a = NULL;
                break;
            }
            const wg_cextern *ax = find_extern(a->of.inst->exports, a->of.inst->nexports, x->name.name);
            a = ax ? &ax->type : NULL;
        }
        if (a && a->kind == WG_EXT_TYPE && a->of.type.created.kind == WG_CTY_RESOURCE &&
            !wg__hmap_put(&out->res, p->id, a->of.type.created.of.resource.id)) {
            wg__cremap_free(out);
            return wg__cv_oom(cv);
        }
    }

    for (uint32_t i = 0; i < nents; i++)
        if (!find_arg(args, nargs, ents[i].name.name)) {
            wg__cremap_free(out);
            return wg__cv_fail(cv, "missing %s named `%s`", desc, ents[i].name.name.s);
        }

    wg_hmap type_map = {0};
    bool ok = true;
    for (uint32_t i = 0; ok && i < nents; i++) {
        const wg_cvarg *arg = find_arg(args, nargs, ents[i].name.name);
        wg_centity expected = ents[i].type;
        wg_arena_mark mark = wg__arena_mark(cv->arena);
        /* Substitute the resources found so far (not the type renamings). */
        wg_cremap tmp = {.res = out->res};
        ok = wg__cv_remap_entity(cv, &expected, &tmp);
        wg__hmap_free(&tmp.types);
        if (ok && !wg__cv_sub_entity(cv, &arg->type, &expected)) {
            wg__cv_context(cv, "type mismatch for %s `%s`", desc, ents[i].name.name.s);
            ok = false;
        }
        wg__arena_reset(cv->arena, mark);
        if (ok) ok = renamings(cv, &arg->type, &ents[i].type, &type_map);
    }
    if (!ok) {
        wg__hmap_free(&type_map);
        wg__cremap_free(out);
        return false;
    }
    out->types = type_map;
    return true;
}

static bool sub_comp(wg_cv *cv, const wg_ccomptype *a, const wg_ccomptype *b) {
    if (a == b) return true;
    /* b's imports, given to a, must satisfy a's imports ... */
    wg_cvarg *bi = WG_ARENA_ARRAY(cv->arena, wg_cvarg, b->nimports);
    if (!bi && b->nimports) return wg__cv_oom(cv);
    for (uint32_t i = 0; i < b->nimports; i++) {
        bi[i].name = b->imports[i].name.name;
        bi[i].type = b->imports[i].type;
    }
    wg_cremap m;
    if (!open_instance(cv, bi, b->nimports, a, WG_XK_IMPORT, &m)) return false;
    /* ... and a's exports, in terms of b's imports, satisfy b's exports. */
    wg_arena_mark mark = wg__arena_mark(cv->arena);
    wg_cvarg *ae = WG_ARENA_ARRAY(cv->arena, wg_cvarg, a->nexports);
    bool ok = ae || !a->nexports || wg__cv_oom(cv);
    for (uint32_t i = 0; ok && i < a->nexports; i++) {
        ae[i].name = a->exports[i].name.name;
        ae[i].type = a->exports[i].type;
        ok = wg__cv_remap_entity(cv, &ae[i].type, &m);
    }
    wg_cremap m2;
    if (ok) {
        ok = open_instance(cv, ae, a->nexports, b, WG_XK_EXPORT, &m2);
        if (ok) wg__cremap_free(&m2);
    }
    wg__arena_reset(cv->arena, mark);
    wg__cremap_free(&m);
    return ok;
}

/* ---- instantiation --------------------------------------------------------------------- */

bool wg__cv_instantiate(wg_cv *cv, wg_cvscope *s, const wg_ccomptype *comp, const wg_cvarg *args,
                        uint32_t nargs, uint32_t inst_index, const wg_cinsttype **out) {
    wg_cremap m;
    if (!open_instance(cv, args, nargs, comp, WG_XK_IMPORT, &m)) return false;
    bool ok = true;
    /* Each instantiation defines fresh resources for those the component
     * defines and exports. */
    for (uint32_t i = 0; ok && i < comp->ndefined_res; i++) {
        const wg_cpath *p = &comp->defined_res[i];
        wg_cres fresh = wg__cv_fresh_resource(cv);
        wg_cvdefres d = {.id = fresh.id, .how = WG_RB_INSTANCE, .index = inst_index, .len = p->len,
                         .path = p->idx, .dtor = WG_CNONE};
        ok = (wg__hmap_put(&m.res, p->id, fresh.id) || wg__cv_oom(cv)) && wg__cv_add_defined_res(cv, s, &d);
    }
    wg_cinsttype *t = NULL;
    if (ok) {
        t = WG_ARENA_NEW(cv->arena, wg_cinsttype);
        if (!t) ok = wg__cv_oom(cv);
    }
    if (ok) {
        t->size = comp->size;
        t->nest = comp->nest;
        ok = remap_externs(cv, comp->exports, comp->nexports, &m, &t->exports) &&
             remap_paths(cv, comp->explicit_, comp->nexplicit, &m, &t->explicit_);
        t->nexports = comp->nexports;
        t->nexplicit = comp->nexplicit;
    }
    wg__cremap_free(&m);
    if (!ok) return false;
    *out = t;
    return true;
}
