/*
 * Resolving `--invoke` names against a component's exports (wave.h,
 * wg__wave_lookup_export): the lookup callback wg__wave_parse_call takes,
 * for callers that hold a component type. It reads only the type, so it
 * works before (and without) instantiation.
 */
#include <string.h>

#include "component/component_int.h"
#include "component/wave.h"

/* Whether export name x names the instance `want`: the same name, or want
 * without the @version (ns:pkg/iface) or with only the interface's own name
 * (iface); unique is checked by the caller. */
static bool names_instance(const char *x, const char *want, bool exact) {
    if (strcmp(x, want) == 0) return true;
    if (exact) return false;
    const char *at = strchr(x, '@');
    size_t base = at ? (size_t)(at - x) : strlen(x);
    if (strlen(want) == base && strncmp(x, want, base) == 0) return true;   /* no version */
    const char *slash = memchr(x, '/', base);
    if (!slash) return false;
    size_t ilen = base - (size_t)(slash + 1 - x);
    return strlen(want) == ilen && strncmp(slash + 1, want, ilen) == 0;     /* iface only */
}

static const wg_cfunctype *func_in(const wg_cinsttype *it, const char *func) {
    for (uint32_t i = 0; i < it->nexports; i++)
        if (it->exports[i].type.kind == WG_EXT_FUNC && strcmp(it->exports[i].name.name.s, func) == 0)
            return it->exports[i].type.of.func;
    return NULL;
}

/* The exported instance iface names (see names_instance), or NULL. */
static const wg_cextern *find_instance(const wg_ccomptype *ct, const char *iface) {
    /* The exact instance name first; else a shorter form that names one
     * exported instance only. */
    for (int exact = 1; exact >= 0; exact--) {
        const wg_cextern *found = NULL;
        int matches = 0;
        for (uint32_t i = 0; i < ct->nexports; i++) {
            const wg_cextern *x = &ct->exports[i];
            if (x->type.kind != WG_EXT_INSTANCE || !names_instance(x->name.name.s, iface, exact)) continue;
            found = x;
            matches++;
        }
        if (matches == 1) return found;
        if (matches > 1) return NULL;
    }
    return NULL;
}

const wg_cfunctype *wg__wave_lookup_export(void *ctx, const char *iface, const char *func) {
    const wg_ccomptype *ct = ctx;
    if (!iface) {
        for (uint32_t i = 0; i < ct->nexports; i++)
            if (ct->exports[i].type.kind == WG_EXT_FUNC && strcmp(ct->exports[i].name.name.s, func) == 0)
                return ct->exports[i].type.of.func;
        return NULL;
    }
    const wg_cextern *x = find_instance(ct, iface);
    return x ? func_in(x->type.of.inst, func) : NULL;
}

const char *wg__wave_export_instance(const void *ctx, const char *iface) {
    const wg_cextern *x = iface ? find_instance(ctx, iface) : NULL;
    return x ? x->name.name.s : NULL;
}
