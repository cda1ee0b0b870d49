/*
 * Resource substitution through types (wg_cremap): replacing resource slots
 * (and, after an instantiation, the identities of satisfied type imports)
 * everywhere in a type, creating new type objects only where something
 * changed and memoising every node so that shared parts stay shared; and
 * the free resource variables of a type (the slots it mentions but does not
 * bind itself).
 */
#include "component/cvalid.h"

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
bool wg__cv_remap_externs(wg_cv *cv, const wg_cextern *xs, uint32_t n, wg_cremap *m, const wg_cextern **out) {
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
bool wg__cv_remap_paths(wg_cv *cv, const wg_cpath *ps, uint32_t n, const wg_cremap *m, const wg_cpath **out) {
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
    if (!wg__cv_remap_externs(cv, t->exports, t->nexports, m, &n.exports)) return false;
    if (!remap_ids(cv, t->defined, t->ndefined, m, &n.defined)) return false;
    if (!wg__cv_remap_paths(cv, t->explicit_, t->nexplicit, m, &n.explicit_)) return false;
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
    if (!wg__cv_remap_externs(cv, c->imports, c->nimports, m, &n.imports) ||
        !wg__cv_remap_externs(cv, c->exports, c->nexports, m, &n.exports) ||
        !wg__cv_remap_paths(cv, c->imported_res, c->nimported_res, m, &n.imported_res) ||
        !wg__cv_remap_paths(cv, c->defined_res, c->ndefined_res, m, &n.defined_res) ||
        !wg__cv_remap_paths(cv, c->explicit_, c->nexplicit, m, &n.explicit_))
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
