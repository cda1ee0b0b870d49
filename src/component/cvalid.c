/*
 * The validator's driver: scopes and index spaces, the walk over a
 * component's definitions, imports and exports (names, external visibility
 * of types, resource bookkeeping), aliases, bags of exports, and the type a
 * finished component gets. See cvalid.h for the other parts.
 */
#include "component/cvalid.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "component/cnames.h"

/* ---- errors ------------------------------------------------------------------------ */

bool wg__cv_fail(wg_cv *cv, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cv->msg, sizeof cv->msg, fmt, ap);
    va_end(ap);
    cv->kind = WG_ERR_INVALID;
    return false;
}

bool wg__cv_context(wg_cv *cv, const char *fmt, ...) {
    char ctx[200], old[sizeof cv->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ctx, sizeof ctx, fmt, ap);
    va_end(ap);
    char joined[sizeof ctx + sizeof old + 4];
    memcpy(old, cv->msg, sizeof old);
    snprintf(joined, sizeof joined, "%s: %s", ctx, old);
    memcpy(cv->msg, joined, sizeof cv->msg - 1);
    cv->msg[sizeof cv->msg - 1] = '\0';
    return false;
}

bool wg__cv_exhausted(wg_cv *cv) {
    snprintf(cv->msg, sizeof cv->msg, "the component is too complex to validate (work limit reached)");
    cv->kind = WG_ERR_RESOURCE;
    cv->exhausted = true;
    return false;
}

bool wg__cv_oom(wg_cv *cv) {
    snprintf(cv->msg, sizeof cv->msg, "out of memory");
    cv->kind = WG_ERR_RESOURCE;
    return false;
}

/* ---- identities ------------------------------------------------------------------- */

uint64_t wg__cv_tykey(wg_ctyref t) {
    switch (t.kind) {
    case WG_CTY_RESOURCE: return wg__cv_reskey(t.of.resource);
    case WG_CTY_VALUE: return wg__hmap_ptr(t.of.value);
    case WG_CTY_FUNC: return wg__hmap_ptr(t.of.func);
    case WG_CTY_INSTANCE: return wg__hmap_ptr(t.of.inst);
    default: return wg__hmap_ptr(t.of.comp);
    }
}

bool wg__cv_tyref_same(wg_ctyref a, wg_ctyref b) {
    return a.kind == b.kind && wg__cv_tykey(a) == wg__cv_tykey(b);
}

uint32_t wg__cv_fresh_alias(wg_cv *cv) { return ++cv->next_alias; }

wg_cres wg__cv_fresh_resource(wg_cv *cv) {
    wg_cres r = {cv->comp->nresources++, 0};
    return r;
}

wg_cres wg__cv_handle_res(const wg_ctype *t) {
    wg_cres r = {t->resource, wg__cval(t)->alias};
    return r;
}

bool wg__cv_with_unique(wg_cv *cv, wg_ctyref t, wg_ctyref *out) {
    *out = t;
    if (t.kind == WG_CTY_RESOURCE) {
        out->of.resource.alias = wg__cv_fresh_alias(cv);
    } else if (t.kind == WG_CTY_VALUE) {
        /* A new object with the same structure: identity matters for the
         * external-visibility rules, structure for type checking. */
        wg_cvaltype *v = WG_ARENA_NEW(cv->arena, wg_cvaltype);
        if (!v) return wg__cv_oom(cv);
        *v = *wg__cval(t.of.value);
        v->primitive = wg__cval(t.of.value)->primitive;
        out->of.value = &v->t;
    }
    return true;
}

const char *wg__cv_entity_desc(uint8_t kind) {
    switch (kind) {
    case WG_EXT_MODULE: return "module";
    case WG_EXT_FUNC: return "func";
    case WG_EXT_VALUE: return "value";
    case WG_EXT_TYPE: return "type";
    case WG_EXT_COMPONENT: return "component";
    case WG_EXT_INSTANCE: return "instance";
    default: return "?";
    }
}

const char *wg__cv_sort_desc(uint8_t sort) {
    static const char *const names[WG_CS_COUNT] = {
        "core func", "core table", "core memory", "core global", "core tag", "core type",
        "module", "core instance", "func", "value", "type", "component", "instance",
    };
    return sort < WG_CS_COUNT ? names[sort] : "?";
}

/* ---- scopes ----------------------------------------------------------------------- */

void wg__cv_scope_init(wg_cvscope *s, uint8_t kind, wg_cvscope *outer, wg_cdef *def) {
    memset(s, 0, sizeof *s);
    s->kind = kind;
    s->outer = outer;
    s->def = def;
}

static void namectx_free(wg_cvnamectx *c) {
    wg__hmap_free(&c->by_res);
    WG_VEC_FREE(c->names);
    wg__strset_free(&c->all);
}

void wg__cv_scope_free(wg_cvscope *s) {
    WG_VEC_FREE(s->types);
    WG_VEC_FREE(s->core_types);
    WG_VEC_FREE(s->core_funcs);
    WG_VEC_FREE(s->core_tags);
    WG_VEC_FREE(s->core_tables);
    WG_VEC_FREE(s->core_memories);
    WG_VEC_FREE(s->core_globals);
    WG_VEC_FREE(s->core_modules);
    WG_VEC_FREE(s->core_instances);
    WG_VEC_FREE(s->funcs);
    WG_VEC_FREE(s->instances);
    WG_VEC_FREE(s->components);
    WG_VEC_FREE(s->imports);
    WG_VEC_FREE(s->exports);
    wg__strset_free(&s->import_names);
    wg__strset_free(&s->export_names);
    WG_VEC_FREE(s->imported_res);
    WG_VEC_FREE(s->defined_res);
    wg__hmap_free(&s->defined_index);
    WG_VEC_FREE(s->explicit_res);
    wg__hmap_free(&s->explicit_index);
    wg__hmap_free(&s->imported_types);
    wg__hmap_free(&s->exported_types);
    namectx_free(&s->names_imported);
    namectx_free(&s->names_exported);
}

bool wg__cv_outer(wg_cv *cv, uint32_t count, wg_cvscope **out) {
    wg_cvscope *s = cv->scope;
    for (uint32_t i = 0; i < count && s; i++) s = s->outer;
    if (!s) return wg__cv_fail(cv, "invalid outer alias count of %u", count);
    *out = s;
    return true;
}

/* ---- lookups ------------------------------------------------------------------------ */

bool wg__cv_type_at(wg_cv *cv, wg_cvscope *s, uint32_t idx, wg_ctyref *out) {
    if (idx >= s->types.len) return wg__cv_fail(cv, "unknown type %u: type index out of bounds", idx);
    *out = s->types.data[idx];
    return true;
}

bool wg__cv_core_type_at(wg_cv *cv, wg_cvscope *s, uint32_t idx, wg_ccoretype *out) {
    if (idx >= s->core_types.len) return wg__cv_fail(cv, "unknown core type %u: type index out of bounds", idx);
    *out = s->core_types.data[idx];
    return true;
}

bool wg__cv_core_func_at(wg_cv *cv, wg_cvscope *s, uint32_t idx, const wg_functype_view **out) {
    if (idx >= s->core_funcs.len)
        return wg__cv_fail(cv, "unknown core function %u: function index out of bounds", idx);
    *out = s->core_funcs.data[idx];
    return true;
}

bool wg__cv_memory_at(wg_cv *cv, wg_cvscope *s, uint32_t idx, wg_ccoreext *out) {
    if (idx >= s->core_memories.len) return wg__cv_fail(cv, "unknown memory %u: memory index out of bounds", idx);
    *out = s->core_memories.data[idx];
    return true;
}

bool wg__cv_table_at(wg_cv *cv, wg_cvscope *s, uint32_t idx, wg_ccoreext *out) {
    if (idx >= s->core_tables.len) return wg__cv_fail(cv, "unknown table %u: table index out of bounds", idx);
    *out = s->core_tables.data[idx];
    return true;
}

bool wg__cv_push_type(wg_cv *cv, wg_cvscope *s, wg_ctyref t, uint32_t *index) {
    if (!WG_VEC_PUSH(s->types, t)) return wg__cv_oom(cv);
    if (index) *index = s->types.len - 1;
    return true;
}

/* An item of an index space as an entity (instantiation args, exports). */
static bool sortidx_entity(wg_cv *cv, wg_cvscope *s, wg_csortidx si, wg_centity *out) {
    memset(out, 0, sizeof *out);
    uint32_t i = si.idx;
    switch (si.sort) {
    case WG_CS_CORE_MODULE:
        if (i >= s->core_modules.len) return wg__cv_fail(cv, "unknown module %u: module index out of bounds", i);
        out->kind = WG_EXT_MODULE;
        out->of.module = s->core_modules.data[i];
        return true;
    case WG_CS_FUNC:
        if (i >= s->funcs.len) return wg__cv_fail(cv, "unknown function %u: function index out of bounds", i);
        out->kind = WG_EXT_FUNC;
        out->of.func = s->funcs.data[i];
        return true;
    case WG_CS_VALUE:
        return wg__cv_fail(cv, "component values (🪙) are not supported");
    case WG_CS_TYPE: {
        wg_ctyref t;
        if (!wg__cv_type_at(cv, s, i, &t)) return false;
        out->kind = WG_EXT_TYPE;
        out->of.type.referenced = out->of.type.created = t;
        return true;
    }
    case WG_CS_COMPONENT:
        if (i >= s->components.len) return wg__cv_fail(cv, "unknown component %u: component index out of bounds", i);
        out->kind = WG_EXT_COMPONENT;
        out->of.comp = s->components.data[i];
        return true;
    case WG_CS_INSTANCE:
        if (i >= s->instances.len) return wg__cv_fail(cv, "unknown instance %u: instance index out of bounds", i);
        out->kind = WG_EXT_INSTANCE;
        out->of.inst = s->instances.data[i];
        return true;
    default:
        return wg__cv_fail(cv, "%s is not a valid component-level sort here", wg__cv_sort_desc(si.sort));
    }
}

/* ---- extern types (check_type_ref) -------------------------------------------------- */

bool wg__cv_extern_type(wg_cv *cv, wg_cvscope *s, const wg_crawextern *ext, wg_centity *out) {
    memset(out, 0, sizeof *out);
    out->kind = ext->kind;
    wg_ctyref t;
    switch (ext->kind) {
    case WG_EXT_MODULE: {
        wg_ccoretype ct = {0};
        if (!wg__cv_core_type_at(cv, s, ext->idx, &ct)) return false;
        if (ct.kind != WG_CCT_MODULE) return wg__cv_fail(cv, "core type index %u is not a module type", ext->idx);
        out->of.module = ct.of.module;
        return true;
    }
    case WG_EXT_FUNC:
        if (!wg__cv_type_at(cv, s, ext->idx, &t)) return false;
        if (t.kind != WG_CTY_FUNC) return wg__cv_fail(cv, "type index %u is not a function type", ext->idx);
        out->of.func = t.of.func;
        return true;
    case WG_EXT_VALUE:
        return wg__cv_fail(cv, "component values (🪙) are not supported");
    case WG_EXT_TYPE:
        if (ext->sub_resource) {
            t.kind = WG_CTY_RESOURCE;
            t.of.resource = wg__cv_fresh_resource(cv);
            out->of.type.referenced = out->of.type.created = t;
            return true;
        }
        if (!wg__cv_type_at(cv, s, ext->idx, &t)) return false;
        out->of.type.referenced = t;
        return wg__cv_with_unique(cv, t, &out->of.type.created);
    case WG_EXT_COMPONENT:
        if (!wg__cv_type_at(cv, s, ext->idx, &t)) return false;
        if (t.kind != WG_CTY_COMPONENT) return wg__cv_fail(cv, "type index %u is not a component type", ext->idx);
        out->of.comp = t.of.comp;
        return true;
    case WG_EXT_INSTANCE:
        if (!wg__cv_type_at(cv, s, ext->idx, &t)) return false;
        if (t.kind != WG_CTY_INSTANCE) return wg__cv_fail(cv, "type index %u is not an instance type", ext->idx);
        out->of.inst = t.of.inst;
        return true;
    default:
        return wg__cv_fail(cv, "invalid extern kind 0x%x", ext->kind);
    }
}

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

static bool add_entity(wg_cv *cv, wg_cvscope *s, const wg_crawname *name, int kind, wg_centity *e,
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
    if (!add_entity(cv, s, name, WG_XK_IMPORT, ty, sort, index)) return false;
    if (!extern_name(cv, &s->names_imported, WG_XK_IMPORT, name, ty, &s->import_names)) return false;
    return record_extern(cv, &s->imports, name, ty);
}

bool wg__cv_add_export(wg_cv *cv, wg_cvscope *s, const wg_crawname *name, wg_centity *ty,
                       uint8_t *sort, uint32_t *index) {
    if (!add_entity(cv, s, name, WG_XK_EXPORT, ty, sort, index)) return false;
    if (!extern_name(cv, &s->names_exported, WG_XK_EXPORT, name, ty, &s->export_names)) return false;
    return record_extern(cv, &s->exports, name, ty);
}

/* ---- aliases -------------------------------------------------------------------------- */

static const char *core_kind_desc(uint8_t k) {
    static const char *const d[] = {"function", "table", "memory", "global", "tag"};
    return k <= WG_CK_TAG ? d[k] : "?";
}

static bool alias_core_export(wg_cv *cv, wg_cvscope *s, const wg_crawalias *a, uint8_t *sort,
                              uint32_t *index) {
    if (a->instance >= s->core_instances.len)
        return wg__cv_fail(cv, "unknown core instance %u: instance index out of bounds", a->instance);
    const wg_ccoreinst *ci = s->core_instances.data[a->instance];
    const wg_ccoreexport *x = NULL;
    for (uint32_t i = 0; i < ci->nexports && !x; i++)
        if (ci->exports[i].name.len == a->name.len && memcmp(ci->exports[i].name.s, a->name.s, a->name.len) == 0)
            x = &ci->exports[i];
    if (!x) return wg__cv_fail(cv, "core instance %u has no export named `%s`", a->instance, a->name.s);
    uint8_t want = (uint8_t)(a->sort - WG_CS_CORE_FUNC);
    if (x->type.kind != want)
        return wg__cv_fail(cv, "export `%s` for core instance %u is not a %s", a->name.s, a->instance,
                           core_kind_desc(want));
    bool ok;
    uint32_t ix;
    switch (a->sort) {
    case WG_CS_CORE_FUNC: ok = WG_VEC_PUSH(s->core_funcs, x->type.func); ix = s->core_funcs.len; break;
    case WG_CS_CORE_TABLE: ok = WG_VEC_PUSH(s->core_tables, x->type); ix = s->core_tables.len; break;
    case WG_CS_CORE_MEMORY: ok = WG_VEC_PUSH(s->core_memories, x->type); ix = s->core_memories.len; break;
    case WG_CS_CORE_GLOBAL: ok = WG_VEC_PUSH(s->core_globals, x->type); ix = s->core_globals.len; break;
    default: ok = WG_VEC_PUSH(s->core_tags, x->type.func); ix = s->core_tags.len; break;
    }
    if (!ok) return wg__cv_oom(cv);
    if (sort) *sort = a->sort;
    if (index) *index = ix - 1;
    return true;
}

static bool alias_export(wg_cv *cv, wg_cvscope *s, const wg_crawalias *a, uint8_t *sort, uint32_t *index) {
    if (a->sort == WG_CS_VALUE) return wg__cv_fail(cv, "component values (🪙) are not supported");
    if (a->instance >= s->instances.len)
        return wg__cv_fail(cv, "unknown instance %u: instance index out of bounds", a->instance);
    const wg_cinsttype *it = s->instances.data[a->instance];
    const wg_cextern *x = NULL;
    for (uint32_t i = 0; i < it->nexports && !x; i++)
        if (it->exports[i].name.name.len == a->name.len &&
            memcmp(it->exports[i].name.name.s, a->name.s, a->name.len) == 0)
            x = &it->exports[i];
    if (!x) return wg__cv_fail(cv, "instance %u has no export named `%s`", a->instance, a->name.s);
    static const uint8_t sort_of[] = {
        [WG_EXT_MODULE] = WG_CS_CORE_MODULE, [WG_EXT_FUNC] = WG_CS_FUNC, [WG_EXT_VALUE] = WG_CS_VALUE,
        [WG_EXT_TYPE] = WG_CS_TYPE, [WG_EXT_COMPONENT] = WG_CS_COMPONENT, [WG_EXT_INSTANCE] = WG_CS_INSTANCE,
    };
    if (x->type.kind > WG_EXT_INSTANCE || sort_of[x->type.kind] != a->sort)
        return wg__cv_fail(cv, "export `%s` for instance %u is not a %s", a->name.s, a->instance,
                           wg__cv_sort_desc(a->sort));
    wg_centity e = x->type;
    return add_entity(cv, s, NULL, WG_XK_NONE, &e, sort, index);
}

static bool alias_outer(wg_cv *cv, wg_cvscope *s, const wg_crawalias *a, uint8_t *sort, uint32_t *index) {
    wg_cvscope *target = NULL;
    if (!wg__cv_outer(cv, a->count, &target)) return false;
    bool ok;
    uint32_t ix;
    switch (a->sort) {
    case WG_CS_CORE_MODULE:
        if (a->index >= target->core_modules.len)
            return wg__cv_fail(cv, "unknown module %u: module index out of bounds", a->index);
        ok = WG_VEC_PUSH(s->core_modules, target->core_modules.data[a->index]);
        ix = s->core_modules.len;
        break;
    case WG_CS_COMPONENT:
        if (a->index >= target->components.len)
            return wg__cv_fail(cv, "unknown component %u: component index out of bounds", a->index);
        ok = WG_VEC_PUSH(s->components, target->components.data[a->index]);
        ix = s->components.len;
        break;
    case WG_CS_CORE_TYPE: {
        wg_ccoretype ct;
        if (!wg__cv_core_type_at(cv, target, a->index, &ct)) return false;
        ok = WG_VEC_PUSH(s->core_types, ct);
        ix = s->core_types.len;
        break;
    }
    case WG_CS_TYPE: {
        wg_ctyref t;
        if (!wg__cv_type_at(cv, target, a->index, &t)) return false;
        /* Crossing a component boundary (the scope just inside the target
         * is a component): the type may not mention resources of the
         * outer component (Binary.md, outer aliases). */
        if (a->count > 0) {
            wg_cvscope *inner = NULL;
            if (!wg__cv_outer(cv, a->count - 1, &inner)) return false;
            if (inner->kind == WG_SCOPE_COMPONENT) {
                wg_hmap free_set = {0};
                bool okf = wg__cv_free_tyref(cv, t, &free_set);
                bool any = free_set.len > 0;
                wg__hmap_free(&free_set);
                if (!okf) return false;
                if (any)
                    return wg__cv_fail(cv, "cannot alias outer type which transitively refers to "
                                           "resources not defined in the current component");
            }
        }
        ok = WG_VEC_PUSH(s->types, t);
        ix = s->types.len;
        break;
    }
    default:
        return wg__cv_fail(cv, "invalid outer alias sort");
    }
    if (!ok) return wg__cv_oom(cv);
    if (sort) *sort = a->sort;
    if (index) *index = ix - 1;
    return true;
}

bool wg__cv_alias(wg_cv *cv, wg_cvscope *s, const wg_crawalias *a, uint8_t *sort, uint32_t *index) {
    switch (a->target) {
    case WG_RA_EXPORT: return alias_export(cv, s, a, sort, index);
    case WG_RA_CORE_EXPORT: return alias_core_export(cv, s, a, sort, index);
    default: return alias_outer(cv, s, a, sort, index);
    }
}

/* ---- a finished component's type ---------------------------------------------------- */

bool wg__cv_finish(wg_cv *cv, wg_cvscope *s, const wg_ccomptype **out) {
    wg_ccomptype *t = WG_ARENA_NEW(cv->arena, wg_ccomptype);
    if (!t) return wg__cv_oom(cv);
    t->nimports = s->imports.len;
    t->nexports = s->exports.len;
    t->imports = wg__arena_dup(cv->arena, s->imports.data, s->imports.len * sizeof *s->imports.data);
    t->exports = wg__arena_dup(cv->arena, s->exports.data, s->exports.len * sizeof *s->exports.data);
    t->nimported_res = s->imported_res.len;
    t->imported_res = wg__arena_dup(cv->arena, s->imported_res.data,
                                    s->imported_res.len * sizeof *s->imported_res.data);
    t->nexplicit = s->explicit_res.len;
    t->explicit_ = wg__arena_dup(cv->arena, s->explicit_res.data,
                                 s->explicit_res.len * sizeof *s->explicit_res.data);
    if ((t->nimports && !t->imports) || (t->nexports && !t->exports) ||
        (t->nimported_res && !t->imported_res) || (t->nexplicit && !t->explicit_))
        return wg__cv_oom(cv);

    /* No resource defined inside may appear in the imports. */
    wg_hmap free_set = {0};
    bool ok = true;
    for (uint32_t i = 0; ok && i < t->nimports; i++) ok = wg__cv_free_entity(cv, &t->imports[i].type, &free_set);
    for (uint32_t i = 0; ok && i < s->defined_res.len; i++)
        if (wg__hmap_get(&free_set, s->defined_res.data[i].id, NULL))
            ok = wg__cv_fail(cv, "local resource type found in imports");
    /* The defined resources the exports use are the type's, at the path
     * that exports them. */
    wg__hmap_clear(&free_set);
    for (uint32_t i = 0; ok && i < t->nexports; i++) ok = wg__cv_free_entity(cv, &t->exports[i].type, &free_set);
    wg_cpath *def = WG_ARENA_ARRAY(cv->arena, wg_cpath, s->defined_res.len);
    if (ok && !def) ok = wg__cv_oom(cv);
    uint32_t ndef = 0;
    for (uint32_t i = 0; ok && i < s->defined_res.len; i++) {
        uint32_t id = s->defined_res.data[i].id;
        uint64_t at;
        if (!wg__hmap_get(&free_set, id, NULL)) continue;
        if (!wg__hmap_get(&s->explicit_index, id, &at)) {
            ok = wg__cv_fail(cv, "local resource type found in export but not exported itself");
            break;
        }
        def[ndef++] = s->explicit_res.data[at];
    }
    wg__hmap_free(&free_set);
    if (!ok) return false;
    t->ndefined_res = ndef;
    t->defined_res = def;
    uint32_t size = 1, nest = 1;
    for (uint32_t i = 0; i < t->nimports; i++)
        if (!wg__cv_add_entity_info(cv, &size, &nest, &t->imports[i].type)) return false;
    for (uint32_t i = 0; i < t->nexports; i++)
        if (!wg__cv_add_entity_info(cv, &size, &nest, &t->exports[i].type)) return false;
    t->size = size;
    t->nest = nest;
    *out = t;
    return true;
}

/* ---- definitions ------------------------------------------------------------------------ */

/* The bag of exports (instance from inline exports). */
static bool item_exports(wg_cv *cv, wg_cvscope *s, wg_citem *it) {
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
        ok = sortidx_entity(cv, s, a->item, &e);
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

static bool item_instantiate(wg_cv *cv, wg_cvscope *s, wg_citem *it) {
    uint32_t ci = it->u.instantiate.component, n = it->u.instantiate.nargs;
    if (ci >= s->components.len)
        return wg__cv_fail(cv, "unknown component %u: component index out of bounds", ci);
    wg_cvarg *args = WG_ARENA_ARRAY(cv->arena, wg_cvarg, n);
    if (!args && n) return wg__cv_oom(cv);
    wg_strset seen = {0};
    bool ok = true;
    for (uint32_t i = 0; ok && i < n; i++) {
        const wg_carg *a = &it->u.instantiate.args[i];
        const void *prev;
        args[i].name = a->name.name;
        ok = sortidx_entity(cv, s, a->item, &args[i].type);
        if (!ok) break;
        if (!wg__strset_insert(&seen, a->name.name.s, a->name.name.len, a->name.name.s, &prev))
            ok = wg__cv_oom(cv);
        else if (prev)
            ok = wg__cv_fail(cv, "instantiation argument `%s` conflicts with previous argument `%s`",
                             a->name.name.s, (const char *)prev);
    }
    wg__strset_free(&seen);
    const wg_cinsttype *t;
    if (!ok || !wg__cv_instantiate(cv, s, s->components.data[ci], args, n, s->instances.len, &t))
        return false;
    if (!WG_VEC_PUSH(s->instances, t)) return wg__cv_oom(cv);
    it->sort = WG_CS_INSTANCE;
    it->index = s->instances.len - 1;
    it->t.inst = t;
    return true;
}

/* Records what an appended entry's type is, from the scope's spaces. */
static void note_type(wg_cvscope *s, wg_citem *it) {
    uint32_t i = it->index;
    switch (it->sort) {
    case WG_CS_CORE_FUNC: it->t.core_func = s->core_funcs.data[i]; break;
    case WG_CS_CORE_TABLE: it->t.core_ext = s->core_tables.data[i]; break;
    case WG_CS_CORE_MEMORY: it->t.core_ext = s->core_memories.data[i]; break;
    case WG_CS_CORE_GLOBAL: it->t.core_ext = s->core_globals.data[i]; break;
    case WG_CS_CORE_TAG: it->t.core_func = s->core_tags.data[i]; break;
    case WG_CS_CORE_TYPE: it->t.core_type = s->core_types.data[i]; break;
    case WG_CS_CORE_MODULE: it->t.module = s->core_modules.data[i]; break;
    case WG_CS_CORE_INSTANCE: it->t.core_inst = s->core_instances.data[i]; break;
    case WG_CS_FUNC: it->t.func = s->funcs.data[i]; break;
    case WG_CS_TYPE: it->t.type = s->types.data[i]; break;
    case WG_CS_COMPONENT: it->t.comp = s->components.data[i]; break;
    case WG_CS_INSTANCE: it->t.inst = s->instances.data[i]; break;
    default: break;
    }
}

static bool item_type(wg_cv *cv, wg_cvscope *s, wg_citem *it, uint32_t item_index) {
    wg_ctyref t;
    if (!wg__cv_deftype(cv, s, it->u.type.raw, &t)) return false;
    if (t.kind == WG_CTY_RESOURCE) {
        const wg_crawtype *raw = it->u.type.raw;
        wg_cvdefres d = {.id = t.of.resource.id, .local = true, .rep = raw->rep, .how = WG_RB_DEFINED,
                         .index = item_index, .dtor = raw->dtor == WG_RAW_NONE ? WG_CNONE : raw->dtor};
        if (!wg__cv_add_defined_res(cv, s, &d)) return false;
        it->u.type.resource = t.of.resource.id;
    }
    it->sort = WG_CS_TYPE;
    return wg__cv_push_type(cv, s, t, &it->index);
}

static bool item_component(wg_cv *cv, wg_cvscope *s, wg_citem *it) {
    int sec = cv->sec;
    if (!wg__cv_component(cv, it->u.component)) return false;
    cv->sec = sec;
    cv->offset = it->offset;
    if (!WG_VEC_PUSH(s->components, it->u.component->type)) return wg__cv_oom(cv);
    it->sort = WG_CS_COMPONENT;
    it->index = s->components.len - 1;
    return true;
}

static bool item_import(wg_cv *cv, wg_cvscope *s, wg_citem *it) {
    wg_centity e;
    it->u.import.index = s->imports.len;
    if (!wg__cv_extern_type(cv, s, &it->u.import.ext, &e)) return false;
    if (!wg__cv_add_import(cv, s, &it->u.import.name, &e, &it->sort, &it->index)) return false;
    it->entity = e;
    return true;
}

static bool item_export(wg_cv *cv, wg_cvscope *s, wg_citem *it) {
    wg_centity actual, e;
    it->u.export_.index = s->exports.len;
    if (it->u.export_.item.sort < WG_CS_FUNC && it->u.export_.item.sort != WG_CS_CORE_MODULE)
        return wg__cv_fail(cv, "%s cannot be exported (only core modules among core sorts)",
                           wg__cv_sort_desc(it->u.export_.item.sort));
    if (!sortidx_entity(cv, s, it->u.export_.item, &actual)) return false;
    if (actual.kind == WG_EXT_TYPE &&
        !wg__cv_with_unique(cv, actual.of.type.referenced, &actual.of.type.created))
        return false;
    e = actual;
    if (it->u.export_.has_ext) {
        wg_arena_mark mark;
        if (!wg__cv_extern_type(cv, s, &it->u.export_.ext, &e)) return false;
        mark = wg__arena_mark(cv->arena);
        bool ok = wg__cv_sub_entity(cv, &actual, &e);
        wg__arena_reset(cv->arena, mark);
        if (!ok) return wg__cv_context(cv, "ascribed type of export is not compatible with item's type");
    }
    if (!wg__cv_add_export(cv, s, &it->u.export_.name, &e, &it->sort, &it->index)) return false;
    it->entity = e;
    return true;
}

static bool item(wg_cv *cv, wg_cvscope *s, wg_citem *it, uint32_t index) {
    cv->sec = it->section;
    cv->offset = it->offset;
    switch (it->kind) {
    case WG_CD_CORE_MODULE: return wg__cv_core_module(cv, s, it);
    case WG_CD_CORE_INSTANTIATE: return wg__cv_core_instantiate(cv, s, it);
    case WG_CD_CORE_EXPORTS: return wg__cv_core_exports(cv, s, it);
    case WG_CD_CORE_TYPE: {
        wg_ccoretype ct;
        if (!wg__cv_core_type(cv, s, it->u.core_type, &ct)) return false;
        if (!WG_VEC_PUSH(s->core_types, ct)) return wg__cv_oom(cv);
        it->sort = WG_CS_CORE_TYPE;
        it->index = s->core_types.len - 1;
        return true;
    }
    case WG_CD_COMPONENT: return item_component(cv, s, it);
    case WG_CD_INSTANTIATE: return item_instantiate(cv, s, it);
    case WG_CD_EXPORTS: return item_exports(cv, s, it);
    case WG_CD_ALIAS: return wg__cv_alias(cv, s, &it->u.alias, &it->sort, &it->index);
    case WG_CD_TYPE: return item_type(cv, s, it, index);
    case WG_CD_CANON: return wg__cv_canon(cv, s, it);
    case WG_CD_START: return wg__cv_fail(cv, "component start functions (🪙) are not supported");
    case WG_CD_IMPORT: return item_import(cv, s, it);
    case WG_CD_EXPORT: return item_export(cv, s, it);
    default: return wg__cv_fail(cv, "invalid definition");
    }
}

/* The index spaces as item indices, and the import/export lists. */
static bool record_spaces(wg_cv *cv, wg_cdef *def) {
    uint32_t count[WG_CS_COUNT] = {0};
    uint32_t nimports = 0, nexports = 0;
    for (uint32_t i = 0; i < def->nitems; i++) {
        if (def->items[i].sort < WG_CS_COUNT) count[def->items[i].sort]++;
        nimports += def->items[i].kind == WG_CD_IMPORT;
        nexports += def->items[i].kind == WG_CD_EXPORT;
    }
    uint32_t *space[WG_CS_COUNT];
    for (int k = 0; k < WG_CS_COUNT; k++) {
        space[k] = WG_ARENA_ARRAY(cv->arena, uint32_t, count[k]);
        if (!space[k]) return wg__cv_oom(cv);
        def->space[k] = space[k];
        def->nspace[k] = count[k];
    }
    uint32_t *imports = WG_ARENA_ARRAY(cv->arena, uint32_t, nimports);
    uint32_t *exports = WG_ARENA_ARRAY(cv->arena, uint32_t, nexports);
    if (!imports || !exports) return wg__cv_oom(cv);
    nimports = nexports = 0;
    for (uint32_t i = 0; i < def->nitems; i++) {
        const wg_citem *it = &def->items[i];
        if (it->sort < WG_CS_COUNT) space[it->sort][it->index] = i;
        if (it->kind == WG_CD_IMPORT) imports[nimports++] = i;
        if (it->kind == WG_CD_EXPORT) exports[nexports++] = i;
    }
    def->imports = imports;
    def->exports = exports;
    def->nimports = nimports;
    def->nexports = nexports;
    return true;
}

/* How each resource slot the definition uses is bound at instantiation. */
static bool record_resbinds(wg_cv *cv, wg_cvscope *s, wg_cdef *def) {
    uint32_t n = s->imported_res.len + s->defined_res.len;
    wg_cresbind *rb = WG_ARENA_ARRAY(cv->arena, wg_cresbind, n);
    if (!rb && n) return wg__cv_oom(cv);
    uint32_t k = 0;
    for (uint32_t i = 0; i < s->imported_res.len; i++) {
        const wg_cpath *p = &s->imported_res.data[i];
        rb[k++] = (wg_cresbind){.id = p->id, .how = WG_RB_IMPORT, .index = p->idx[0], .len = p->len - 1,
                                .path = p->idx + 1, .dtor = WG_CNONE};
    }
    for (uint32_t i = 0; i < s->defined_res.len; i++) {
        const wg_cvdefres *d = &s->defined_res.data[i];
        if (!d->how) continue;
        rb[k++] = (wg_cresbind){.id = d->id, .how = d->how, .index = d->index, .len = d->len,
                                .path = d->path, .rep = d->rep, .dtor = d->dtor};
    }
    def->resbinds = rb;
    def->nresbinds = k;
    return true;
}

bool wg__cv_component(wg_cv *cv, wg_cdef *def) {
    wg_cvscope s;
    wg__cv_scope_init(&s, WG_SCOPE_COMPONENT, cv->scope, def);
    wg_cvscope *saved = cv->scope;
    cv->scope = &s;
    bool ok = true;
    for (uint32_t i = 0; ok && i < def->nitems; i++) {
        ok = item(cv, &s, &def->items[i], i);
        if (ok) note_type(&s, &def->items[i]);
    }
    if (ok) {
        cv->offset = def->end;
        cv->sec = -1;
        ok = wg__cv_finish(cv, &s, &def->type) && record_spaces(cv, def) && record_resbinds(cv, &s, def);
    }
    cv->scope = saved;
    wg__cv_scope_free(&s);
    return ok;
}
