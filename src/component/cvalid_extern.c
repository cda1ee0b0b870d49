/*
 * Imports, exports and bags of exports (Explainer.md "Import and Export
 * Definitions", wasmparser's add_entity / validate_extern): appending them to
 * the index spaces, resource bookkeeping (imported, defined and explicitly
 * exported resources with their paths), external visibility of the types
 * they use (Explainer.md "External Visibility of Types"), and their names
 * (kebab case, interface names, attributes, [constructor]/[method]/[static],
 * strong uniqueness).
 */
#include "component/cvalid.h"

#include <stdio.h>
#include <string.h>

#include "component/cnames.h"

/* ---- resource bookkeeping ------------------------------------------------------------ */

static bool path_prepend(wg_cv *cv, uint32_t first, const wg_cpath *p, wg_cpath *out) {
    uint32_t *idx = WG_ARENA_ARRAY(cv->arena, uint32_t, (size_t)p->len + 1);
    if (!idx) return wg__cv_oom(cv);
    idx[0] = first;
    if (p->len) memcpy(idx + 1, p->idx, p->len * sizeof *idx);
    out->id = p->id;
    out->len = p->len + 1;
    out->idx = idx;
    return true;
}

bool wg__cv_add_defined_res(wg_cv *cv, wg_cvscope *s, const wg_cvdefres *r) {
    if (!WG_VEC_PUSH(s->defined_res, *r)) return wg__cv_oom(cv);
    if (!wg__hmap_put(&s->defined_index, r->id, s->defined_res.len - 1)) return wg__cv_oom(cv);
    return true;
}

/* explicit_resources is an insertion-ordered map: a later path replaces an
 * earlier one for the same resource. */
static bool add_explicit(wg_cv *cv, wg_cvscope *s, const wg_cpath *p) {
    uint64_t at;
    if (wg__hmap_get(&s->explicit_index, p->id, &at)) {
        s->explicit_res.data[at] = *p;
        return true;
    }
    if (!WG_VEC_PUSH(s->explicit_res, *p)) return wg__cv_oom(cv);
    if (!wg__hmap_put(&s->explicit_index, p->id, s->explicit_res.len - 1)) return wg__cv_oom(cv);
    return true;
}

/* Importing an instance type: the resources it introduces become fresh
 * imported resources of this scope (two imports of one type do not share
 * resources). */
static bool prepare_instance_import(wg_cv *cv, wg_cvscope *s, wg_centity *e) {
    const wg_cinsttype *t = e->of.inst;
    if (t->ndefined == 0) return true;
    wg_cremap m = {0};
    bool ok = true;
    for (uint32_t i = 0; ok && i < t->ndefined; i++) {
        wg_cres fresh = wg__cv_fresh_resource(cv);
        if (!wg__hmap_put(&m.res, t->defined[i], fresh.id)) {
            ok = wg__cv_oom(cv);
            break;
        }
        /* Its path: this import, then where the type exports it. */
        wg_cpath p = {.id = fresh.id};
        for (uint32_t k = 0; k < t->nexplicit; k++)
            if (t->explicit_[k].id == t->defined[i]) p = t->explicit_[k];
        p.id = fresh.id;
        wg_cpath full;
        ok = path_prepend(cv, s->imports.len, &p, &full) && (WG_VEC_PUSH(s->imported_res, full) || wg__cv_oom(cv));
    }
    if (ok) {
        const wg_cinsttype *nt;
        ok = wg__cv_remap_inst(cv, t, &m, &nt);
        if (ok && nt != t) {
            /* The imported instance is concrete: it defines nothing itself. */
            wg_cinsttype *copy = wg__arena_dup(cv->arena, nt, sizeof *nt);
            if (!copy) ok = wg__cv_oom(cv);
            else {
                copy->ndefined = 0;
                copy->defined = NULL;
                e->of.inst = copy;
            }
        }
    }
    wg__cremap_free(&m);
    return ok;
}

/* Exporting an instance: resources of a type-level instance become fresh
 * resources defined by this scope; every resource the instance exports is
 * now explicitly exported here (one more step in its path). */
static bool prepare_instance_export(wg_cv *cv, wg_cvscope *s, wg_centity *e) {
    const wg_cinsttype *t = e->of.inst;
    bool ok = true;
    if (t->ndefined) {
        wg_cremap m = {0};
        for (uint32_t i = 0; ok && i < t->ndefined; i++) {
            wg_cres fresh = wg__cv_fresh_resource(cv);
            wg_cvdefres r = {.id = fresh.id};
            ok = (wg__hmap_put(&m.res, t->defined[i], fresh.id) || wg__cv_oom(cv)) &&
                 wg__cv_add_defined_res(cv, s, &r);
        }
        const wg_cinsttype *nt = t;
        if (ok) ok = wg__cv_remap_inst(cv, t, &m, &nt);
        if (ok) {
            wg_cinsttype *copy = wg__arena_dup(cv->arena, nt, sizeof *nt);
            if (!copy) ok = wg__cv_oom(cv);
            else {
                copy->ndefined = 0;
                copy->defined = NULL;
                t = copy;
                e->of.inst = copy;
            }
        }
        wg__cremap_free(&m);
    }
    for (uint32_t i = 0; ok && i < t->nexplicit; i++) {
        wg_cpath p;
        ok = path_prepend(cv, s->exports.len, &t->explicit_[i], &p) && add_explicit(cv, s, &p);
    }
    return ok;
}

/* ---- external visibility (validate_and_register_named_types) ----------------------- */

static bool named_val(wg_cv *cv, const wg_ctype *t, const wg_hmap *set);

/* A value type used where the named types are those in set. (An exhausted
 * work budget answers true: the caller reports the error.) */
static bool named_val(wg_cv *cv, const wg_ctype *t, const wg_hmap *set) {
    if (!t || wg__cval(t)->primitive || !wg__cv_fuel(cv)) return true;
    switch (t->kind) {
    case WG_CT_FLAGS: case WG_CT_ENUM: case WG_CT_RECORD: case WG_CT_VARIANT:
        /* Never anonymous: the type itself needs a name. */
        return wg__hmap_get(set, wg__hmap_ptr(t), NULL);
    case WG_CT_OWN: case WG_CT_BORROW:
        return wg__hmap_get(set, wg__cv_reskey(wg__cv_handle_res(t)), NULL);
    case WG_CT_TUPLE:
        for (uint32_t i = 0; i < t->n; i++)
            if (!named_val(cv, t->fields[i].type, set)) return false;
        return true;
    default:
        return named_val(cv, t->elem, set) && named_val(cv, t->elem2, set);
    }
}

/* The parts of a value type being named now must all have names. */
static bool named_in_val(wg_cv *cv, const wg_ctype *t, const wg_hmap *set) {
    if (!t || wg__cval(t)->primitive || !wg__cv_fuel(cv)) return true;
    switch (t->kind) {
    case WG_CT_FLAGS: case WG_CT_ENUM:
        return true;
    case WG_CT_RECORD: case WG_CT_TUPLE: case WG_CT_VARIANT:
        for (uint32_t i = 0; i < t->n; i++)
            if (!named_val(cv, t->fields[i].type, set)) return false;
        return true;
    case WG_CT_OWN: case WG_CT_BORROW:
        return wg__hmap_get(set, wg__cv_reskey(wg__cv_handle_res(t)), NULL);
    default:
        return named_val(cv, t->elem, set) && named_val(cv, t->elem2, set);
    }
}

static bool named_in_func(wg_cv *cv, const wg_cfunctype *f, const wg_hmap *set) {
    for (uint32_t i = 0; i < f->nparams; i++)
        if (!named_val(cv, f->params[i].type, set)) return false;
    return named_val(cv, f->result, set);
}

static bool named_in_tyref(wg_cv *cv, wg_ctyref t, const wg_hmap *set);

static bool named_in_inst(wg_cv *cv, const wg_cinsttype *t, const wg_hmap *set) {
    for (uint32_t i = 0; i < t->nexports; i++) {
        const wg_centity *e = &t->exports[i].type;
        bool ok = true;
        switch (e->kind) {
        case WG_EXT_FUNC: ok = named_in_func(cv, e->of.func, set); break;
        case WG_EXT_TYPE: ok = named_in_tyref(cv, e->of.type.created, set); break;
        case WG_EXT_VALUE: ok = named_in_val(cv, e->of.value, set); break;
        case WG_EXT_INSTANCE: ok = named_in_inst(cv, e->of.inst, set); break;
        default: break;
        }
        if (!ok) return false;
    }
    return true;
}

static bool named_in_tyref(wg_cv *cv, wg_ctyref t, const wg_hmap *set) {
    switch (t.kind) {
    case WG_CTY_VALUE: return named_in_val(cv, t.of.value, set);
    case WG_CTY_FUNC: return named_in_func(cv, t.of.func, set);
    case WG_CTY_INSTANCE: return named_in_inst(cv, t.of.inst, set);
    default: return true;   /* resources, component types (checked when built) */
    }
}

static bool namectx_register(wg_cv *cv, wg_cvnamectx *c, const wg_cstr *name, wg_cres r) {
    if (!wg__hmap_put(&c->by_res, wg__cv_reskey(r), c->names.len)) return wg__cv_oom(cv);
    if (!WG_VEC_PUSH(c->names, *name)) return wg__cv_oom(cv);
    const void *prev;
    if (!wg__strset_insert(&c->all, name->s, name->len, name->s, &prev)) return wg__cv_oom(cv);
    return true;
}

/* Validates that an import/export refers to named types only and records
 * the names it introduces. *ok receives the verdict; false means OOM. */
static bool register_named(wg_cv *cv, wg_cvscope *s, const wg_cstr *toplevel, int kind,
                           const wg_centity *e, bool *ok) {
    *ok = true;
    if (e->kind == WG_EXT_TYPE && toplevel && e->of.type.created.kind == WG_CTY_RESOURCE) {
        wg_cvnamectx *c = kind == WG_XK_IMPORT ? &s->names_imported : &s->names_exported;
        if (!namectx_register(cv, c, toplevel, e->of.type.created.of.resource)) return false;
    }
    if (s->kind == WG_SCOPE_INSTANCE_TYPE) return true;
    wg_hmap *set = kind == WG_XK_IMPORT ? &s->imported_types : &s->exported_types;
    switch (e->kind) {
    case WG_EXT_TYPE: {
        if (!named_in_tyref(cv, e->of.type.referenced, set)) {
            *ok = false;
            return true;
        }
        if (cv->exhausted) return false;
        uint64_t key = wg__cv_tykey(e->of.type.created);
        /* Imported types may be used by exports too. */
        if (kind == WG_XK_IMPORT && !wg__hmap_put(&s->imported_types, key, 1)) return wg__cv_oom(cv);
        if (!wg__hmap_put(&s->exported_types, key, 1)) return wg__cv_oom(cv);
        return true;
    }
    case WG_EXT_INSTANCE:
        for (uint32_t i = 0; i < e->of.inst->nexports && *ok; i++)
            if (!register_named(cv, s, NULL, kind, &e->of.inst->exports[i].type, ok)) return false;
        return true;
    case WG_EXT_FUNC:
        *ok = named_in_func(cv, e->of.func, set);
        return !cv->exhausted;
    case WG_EXT_VALUE:
        *ok = named_val(cv, e->of.value, set);
        return !cv->exhausted;
    default:
        return true;
    }
}

/* ---- names of imports and exports (validate_extern) -------------------------------- */

static bool resource_name(wg_cv *cv, const wg_cvnamectx *c, wg_cres r, const char *label, size_t len) {
    uint64_t at;
    if (!wg__hmap_get(&c->by_res, wg__cv_reskey(r), &at))
        return wg__cv_fail(cv, "resource used in function does not have a name in this context");
    const wg_cstr *expected = &c->names.data[at];
    if (expected->len != len || memcmp(expected->s, label, len) != 0)
        return wg__cv_fail(cv, "function does not match expected resource name `%s`", expected->s);
    return true;
}

/* The [constructor]/[method]/[static] rules for a name with type e. */
static bool annotated(wg_cv *cv, const wg_cvnamectx *c, const wg_cname *n, const wg_centity *e) {
    if (n->kind == WG_CN_LABEL || n->kind == WG_CN_INTERFACE) return true;
    if (e->kind != WG_EXT_FUNC) return wg__cv_fail(cv, "item is not a func");
    const wg_cfunctype *f = e->of.func;
    switch (n->kind) {
    case WG_CN_CONSTRUCTOR: {
        if (f->async) return wg__cv_fail(cv, "constructor function cannot be async");
        const wg_ctype *r = f->result;
        if (!r) return wg__cv_fail(cv, "function should return one value");
        if (r->kind == WG_CT_RESULT && r->elem && r->elem->kind == WG_CT_OWN) r = r->elem;
        if (r->kind != WG_CT_OWN || wg__cval(r)->primitive)
            return wg__cv_fail(cv, "function should return `(own $T)` or `(result (own $T))`");
        return resource_name(cv, c, wg__cv_handle_res(r), n->res, n->res_len);
    }
    case WG_CN_METHOD: {
        if (f->nparams == 0) return wg__cv_fail(cv, "function should have at least one argument");
        if (strcmp(f->params[0].name, "self") != 0)
            return wg__cv_fail(cv, "function should have a first argument called `self`");
        const wg_ctype *p = f->params[0].type;
        if (p->kind != WG_CT_BORROW)
            return wg__cv_fail(cv, "function should take a first argument of `(borrow $T)`");
        return resource_name(cv, c, wg__cv_handle_res(p), n->res, n->res_len);
    }
    default:  /* static */
        if (!wg__strset_find(&c->all, n->res, n->res_len))
            return wg__cv_fail(cv, "static resource name is not known in this context");
        return true;
    }
}

/* Checks the name of an import / export / bag export and records it in
 * names (strong uniqueness). */
static bool extern_name(wg_cv *cv, const wg_cvnamectx *c, int kind, const wg_crawname *name,
                        const wg_centity *e, wg_strset *names) {
    const char *desc = kind == WG_XK_IMPORT ? "import" : "export";
    char detail[256];
    wg_cname n;
    if (!wg__cname_parse(name->name.s, name->name.len, &n, detail, sizeof detail))
        return wg__cv_fail(cv, "%s name `%s` is not a valid extern name: %s", desc, name->name.s, detail);
    if (name->implements.s) {
        wg_cname in;
        if (n.kind != WG_CN_LABEL) return wg__cv_fail(cv, "name `%s` is not valid with `implements`", name->name.s);
        if (e->kind != WG_EXT_INSTANCE) return wg__cv_fail(cv, "only instances can have an `implements`");
        if (!wg__cname_parse(name->implements.s, name->implements.len, &in, detail, sizeof detail))
            return wg__cv_fail(cv, "`%s` is not a valid name: %s", name->implements.s, detail);
        if (in.kind != WG_CN_INTERFACE)
            return wg__cv_fail(cv, "name `%s` must be an interface", name->implements.s);
        if (!wg__cname_check_version(&in, NULL, 0, detail, sizeof detail))
            return wg__cv_fail(cv, "`%s` is not a valid name: %s", name->implements.s, detail);
    }
    if (name->version.s && e->kind != WG_EXT_INSTANCE)
        return wg__cv_fail(cv, "only instances can have an `versionsuffix`");
    if (!wg__cname_check_version(&n, name->version.s, name->version.len, detail, sizeof detail))
        return wg__cv_fail(cv, "%s name `%s` is not valid: invalid interface version: %s", desc,
                           name->name.s, detail);
    if (!annotated(cv, c, &n, e))
        return wg__cv_context(cv, "%s name `%s` is not valid", desc, name->name.s);
    char *canon = WG_ARENA_ARRAY(cv->arena, char, (size_t)name->name.len + 16);
    if (!canon) return wg__cv_oom(cv);
    size_t clen = wg__cname_canonical(name->name.s, name->name.len, &n, canon);
    const void *prev;
    if (!wg__strset_insert(names, canon, clen, name->name.s, &prev)) return wg__cv_oom(cv);
    if (prev)
        return wg__cv_fail(cv, "%s name `%s` conflicts with previous name `%s`", desc, name->name.s,
                           (const char *)prev);
    return true;
}

/* ---- adding entities (add_entity) ------------------------------------------------------ */

/* Pushes e onto its index space; reports the space and index. */
static bool push_entity(wg_cv *cv, wg_cvscope *s, const wg_centity *e, uint8_t *sort, uint32_t *index) {
    uint8_t so;
    uint32_t ix;
    bool ok;
    switch (e->kind) {
    case WG_EXT_MODULE:
        so = WG_CS_CORE_MODULE;
        ok = WG_VEC_PUSH(s->core_modules, e->of.module);
        ix = s->core_modules.len - 1;
        break;
    case WG_EXT_COMPONENT:
        so = WG_CS_COMPONENT;
        ok = WG_VEC_PUSH(s->components, e->of.comp);
        ix = s->components.len - 1;
        break;
    case WG_EXT_INSTANCE:
        so = WG_CS_INSTANCE;
        ok = WG_VEC_PUSH(s->instances, e->of.inst);
        ix = s->instances.len - 1;
        break;
    case WG_EXT_FUNC:
        so = WG_CS_FUNC;
        ok = WG_VEC_PUSH(s->funcs, e->of.func);
        ix = s->funcs.len - 1;
        break;
    case WG_EXT_TYPE:
        so = WG_CS_TYPE;
        ok = WG_VEC_PUSH(s->types, e->of.type.created);
        ix = s->types.len - 1;
        break;
    default:
        return wg__cv_fail(cv, "component values (🪙) are not supported");
    }
    if (!ok) return wg__cv_oom(cv);
    if (sort) *sort = so;
    if (index) *index = ix;
    return true;
}

bool wg__cv_add_entity(wg_cv *cv, wg_cvscope *s, const wg_crawname *name, int kind, wg_centity *e,
                       uint8_t *sort, uint32_t *index) {
    if (e->kind == WG_EXT_INSTANCE) {
        if (kind == WG_XK_IMPORT && !prepare_instance_import(cv, s, e)) return false;
        if (kind == WG_XK_EXPORT && !prepare_instance_export(cv, s, e)) return false;
    }
    if (!push_entity(cv, s, e, sort, index)) return false;
    if (e->kind == WG_EXT_TYPE && e->of.type.created.kind == WG_CTY_RESOURCE) {
        wg_cres r = e->of.type.created.of.resource;
        bool introduced = wg__cv_tyref_same(e->of.type.created, e->of.type.referenced);
        if (kind == WG_XK_IMPORT && introduced) {
            uint32_t *idx = WG_ARENA_NEW(cv->arena, uint32_t);
            if (!idx) return wg__cv_oom(cv);
            *idx = s->imports.len;
            wg_cpath p = {r.id, 1, idx};
            if (!WG_VEC_PUSH(s->imported_res, p)) return wg__cv_oom(cv);
        } else if (kind == WG_XK_EXPORT) {
            if (introduced) {
                wg_cvdefres d = {.id = r.id};
                if (!wg__cv_add_defined_res(cv, s, &d)) return false;
            }
            uint32_t *idx = WG_ARENA_NEW(cv->arena, uint32_t);
            if (!idx) return wg__cv_oom(cv);
            *idx = s->exports.len;
            wg_cpath p = {r.id, 1, idx};
            if (!add_explicit(cv, s, &p)) return false;
        }
    }
    if (name) {
        bool ok;
        if (!register_named(cv, s, &name->name, kind, e, &ok)) return false;
        if (!ok)
            return wg__cv_fail(cv, "%s not valid to be used as %s", wg__cv_entity_desc(e->kind),
                               kind == WG_XK_IMPORT ? "import" : "export");
    }
    return true;
}

static bool record_extern(wg_cv *cv, wg_cextern_vec *list, const wg_crawname *name,
                          const wg_centity *e) {
    wg_cextern x = {*name, *e};
    return WG_VEC_PUSH(*list, x) || wg__cv_oom(cv);
}

bool wg__cv_add_import(wg_cv *cv, wg_cvscope *s, const wg_crawname *name, wg_centity *ty,
                       uint8_t *sort, uint32_t *index) {
    if (!wg__cv_add_entity(cv, s, name, WG_XK_IMPORT, ty, sort, index)) return false;
    if (!extern_name(cv, &s->names_imported, WG_XK_IMPORT, name, ty, &s->import_names)) return false;
    return record_extern(cv, &s->imports, name, ty);
}

bool wg__cv_add_export(wg_cv *cv, wg_cvscope *s, const wg_crawname *name, wg_centity *ty,
                       uint8_t *sort, uint32_t *index) {
    if (!wg__cv_add_entity(cv, s, name, WG_XK_EXPORT, ty, sort, index)) return false;
    if (!extern_name(cv, &s->names_exported, WG_XK_EXPORT, name, ty, &s->export_names)) return false;
    return record_extern(cv, &s->exports, name, ty);
}

/* ---- bags of exports -------------------------------------------------------------- */

bool wg__cv_item_exports(wg_cv *cv, wg_cvscope *s, wg_citem *it) {
    uint32_t n = it->u.exports.n;
    wg_cextern *xs = WG_ARENA_ARRAY(cv->arena, wg_cextern, n);
    if (!xs && n) return wg__cv_oom(cv);
    WG_VEC(wg_cpath) explicit_ = {0};
    wg_strset names = {0};
    wg_cvnamectx empty = {0};   /* no names: a bag declares no resources by name */
    bool ok = true;
    uint32_t size = 1, nest = 1;
    for (uint32_t i = 0; ok && i < n; i++) {
        const wg_carg *a = &it->u.exports.exports[i];
        wg_centity e;
        ok = wg__cv_sortidx_entity(cv, s, a->item, &e);
        if (!ok) break;
        if (e.kind == WG_EXT_INSTANCE) {
            for (uint32_t k = 0; ok && k < e.of.inst->nexplicit; k++) {
                wg_cpath p;
                ok = path_prepend(cv, i, &e.of.inst->explicit_[k], &p) && (WG_VEC_PUSH(explicit_, p) || wg__cv_oom(cv));
            }
        } else if (e.kind == WG_EXT_TYPE && e.of.type.created.kind == WG_CTY_RESOURCE) {
            uint32_t *idx = WG_ARENA_NEW(cv->arena, uint32_t);
            wg_cpath p = {e.of.type.created.of.resource.id, 1, idx};
            if (!idx) ok = wg__cv_oom(cv);
            else {
                *idx = i;
                ok = WG_VEC_PUSH(explicit_, p) || wg__cv_oom(cv);
            }
        }
        ok = ok && extern_name(cv, &empty, WG_XK_EXPORT, &a->name, &e, &names) &&
             wg__cv_add_entity_info(cv, &size, &nest, &e);
        xs[i].name = a->name;
        xs[i].type = e;
    }
    wg_cinsttype *t = NULL;
    if (ok) {
        t = WG_ARENA_NEW(cv->arena, wg_cinsttype);
        if (!t) ok = wg__cv_oom(cv);
    }
    if (ok) {
        t->nexports = n;
        t->exports = xs;
        t->nexplicit = explicit_.len;
        t->explicit_ = wg__arena_dup(cv->arena, explicit_.data, explicit_.len * sizeof *explicit_.data);
        t->size = size;
        t->nest = nest;
        if (explicit_.len && !t->explicit_) ok = wg__cv_oom(cv);
    }
    WG_VEC_FREE(explicit_);
    wg__strset_free(&names);
    if (!ok) return false;
    if (!WG_VEC_PUSH(s->instances, t)) return wg__cv_oom(cv);
    it->sort = WG_CS_INSTANCE;
    it->index = s->instances.len - 1;
    it->t.inst = t;
    return true;
}
