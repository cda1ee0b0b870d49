/*
 * The validator's driver: errors, identities, scopes and index spaces,
 * extern types, the walk over a component's definitions, the type a
 * finished component gets and its resource bindings. Imports and exports
 * are in cvalid_extern.c, aliases in cvalid_alias.c; see cvalid.h.
 */
#include "component/cvalid.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>


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
bool wg__cv_sortidx_entity(wg_cv *cv, wg_cvscope *s, wg_csortidx si, wg_centity *out) {
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

/* The bag of exports (instance from inline exports). */static bool item_instantiate(wg_cv *cv, wg_cvscope *s, wg_citem *it) {
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
        ok = wg__cv_sortidx_entity(cv, s, a->item, &args[i].type);
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
    if (!wg__cv_sortidx_entity(cv, s, it->u.export_.item, &actual)) return false;
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
    case WG_CD_EXPORTS: return wg__cv_item_exports(cv, s, it);
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
