/*
 * Alias definitions and declarators (Binary.md "Alias Definitions"): export
 * aliases of component and core instances, and outer aliases, which count
 * outwards through the enclosing scopes and may not carry resources across a
 * component boundary.
 */
#include "component/cvalid.h"

#include <string.h>

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
    return wg__cv_add_entity(cv, s, NULL, WG_XK_NONE, &e, sort, index);
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
