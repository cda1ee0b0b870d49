/*
 * Core definitions inside a component: core modules (decoded, validated and
 * compiled by the engine, wg_module_new; their types read back through
 * wg_module_import/export), core instances (instantiation arguments checked
 * against the module's imports by core subtyping; inline exports), and the
 * validity of core extern types written in module types.
 */
#include "component/cvalid.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Pages of a 32-bit memory. */
#define MAX_PAGES 65536u

bool wg__cv_core_ext_valid(wg_cv *cv, const wg_ccoreext *e) {
    if (e->kind != WG_CK_MEMORY && e->kind != WG_CK_TABLE) return true;
    if (e->limits.has_max && e->limits.max < e->limits.min)
        return wg__cv_fail(cv, "size minimum must not be greater than maximum");
    if (e->kind == WG_CK_MEMORY && !e->is64 &&
        (e->limits.min > MAX_PAGES || (e->limits.has_max && e->limits.max > MAX_PAGES)))
        return wg__cv_fail(cv, "memory size must be at most %u pages (4GiB)", MAX_PAGES);
    if (e->kind == WG_CK_MEMORY && e->shared && !e->limits.has_max)
        return wg__cv_fail(cv, "shared memory must have maximum size");
    return true;
}

/* An engine extern description as a core extern type. */
static bool ext_of(wg_cv *cv, const wg_extern_desc *d, wg_ccoreext *out) {
    memset(out, 0, sizeof *out);
    out->kind = (uint8_t)d->kind;
    out->limits = d->limits;
    out->mutable_ = d->mutable_;
    out->valtype = (uint8_t)d->type;
    if (d->kind == WG_EXTERN_FUNC) {
        wg_functype_view *f = wg__arena_dup(cv->arena, &d->func, sizeof d->func);
        if (!f) return wg__cv_oom(cv);
        out->func = f;
    }
    return true;
}

static bool copy_name(wg_cv *cv, const char *s, size_t len, wg_cstr *out) {
    char *c = wg__arena_strndup(cv->arena, s ? s : "", len);
    if (!c) return wg__cv_oom(cv);
    out->s = c;
    out->len = (uint32_t)len;
    return true;
}

/* The module type of a compiled module. Two imports with the same module
 * and field name are rejected: a component's imports are single-level, so
 * the two-level names must stay distinct (they mangle to "module:name"). */
static bool module_type_of(wg_cv *cv, const wg_module *m, const wg_cmodtype **out) {
    uint32_t ni = wg_module_import_count(m), ne = wg_module_export_count(m);
    wg_cmodtype *t = WG_ARENA_NEW(cv->arena, wg_cmodtype);
    wg_ccoreimport *im = WG_ARENA_ARRAY(cv->arena, wg_ccoreimport, ni);
    wg_ccoreexport *ex = WG_ARENA_ARRAY(cv->arena, wg_ccoreexport, ne);
    if (!t || !im || !ex) return wg__cv_oom(cv);
    wg_strset seen = {0};
    bool ok = true;
    for (uint32_t i = 0; ok && i < ni; i++) {
        wg_extern_desc d;
        ok = wg_module_import(m, i, &d) && copy_name(cv, d.module, d.module_len, &im[i].module) &&
             copy_name(cv, d.name, d.name_len, &im[i].name) && ext_of(cv, &d, &im[i].type);
        if (!ok) break;
        size_t klen = (size_t)im[i].module.len + im[i].name.len + 1;
        char *key = WG_ARENA_ARRAY(cv->arena, char, klen);
        const void *prev;
        if (!key) {
            ok = wg__cv_oom(cv);
            break;
        }
        memcpy(key, im[i].module.s, im[i].module.len);
        key[im[i].module.len] = ':';
        memcpy(key + im[i].module.len + 1, im[i].name.s, im[i].name.len);
        if (!wg__strset_insert(&seen, key, klen, key, &prev)) ok = wg__cv_oom(cv);
        else if (prev) ok = wg__cv_fail(cv, "duplicate import name `%s:%s`", im[i].module.s, im[i].name.s);
    }
    for (uint32_t i = 0; ok && i < ne; i++) {
        wg_extern_desc d;
        ok = wg_module_export(m, i, &d) && copy_name(cv, d.name, d.name_len, &ex[i].name) &&
             ext_of(cv, &d, &ex[i].type);
    }
    wg__strset_free(&seen);
    if (!ok) return false;
    t->nimports = ni;
    t->nexports = ne;
    t->imports = im;
    t->exports = ex;
    *out = t;
    return true;
}

static bool keep_module(wg_cv *cv, wg_module *m) {
    struct wg_component *c = cv->comp;
    wg_module **mods = realloc(c->modules, ((size_t)c->nmodules + 1) * sizeof *mods);
    if (!mods) return wg__cv_oom(cv);
    c->modules = mods;
    mods[c->nmodules++] = m;
    return true;
}

bool wg__cv_core_module(wg_cv *cv, wg_cvscope *s, wg_citem *it) {
    wg_error merr;
    memset(&merr, 0, sizeof merr);
    wg_module *m = wg_module_new(it->u.core_module.bytes, it->u.core_module.len, &merr);
    if (!m) {
        /* The engine's offsets are within the module: say where it starts. */
        wg__cv_fail(cv, "invalid core module (its bytes start at 0x%zx): %s", it->offset,
                    merr.message[0] ? merr.message : "cannot load");
        cv->kind = merr.kind ? merr.kind : WG_ERR_INVALID;
        if (merr.offset != (size_t)-1) cv->offset = it->offset + merr.offset;
        return false;
    }
    if (!keep_module(cv, m)) {
        wg_module_free(m);
        return false;
    }
    it->u.core_module.module = m;
    const wg_cmodtype *t = NULL;
    if (!module_type_of(cv, m, &t)) return false;
    if (!WG_VEC_PUSH(s->core_modules, t)) return wg__cv_oom(cv);
    it->sort = WG_CS_CORE_MODULE;
    it->index = s->core_modules.len - 1;
    return true;
}

static bool same(wg_cstr a, wg_cstr b) { return a.len == b.len && memcmp(a.s, b.s, a.len) == 0; }

bool wg__cv_core_instantiate(wg_cv *cv, wg_cvscope *s, wg_citem *it) {
    uint32_t mi = it->u.core_instantiate.module, n = it->u.core_instantiate.nargs;
    const wg_carg *args = it->u.core_instantiate.args;
    if (mi >= s->core_modules.len) return wg__cv_fail(cv, "unknown module %u: module index out of bounds", mi);
    const wg_cmodtype *mt = s->core_modules.data[mi];
    wg_strset names = {0};
    bool ok = true;
    for (uint32_t i = 0; ok && i < n; i++) {
        const void *prev;
        if (args[i].item.idx >= s->core_instances.len) {
            ok = wg__cv_fail(cv, "unknown core instance %u: instance index out of bounds", args[i].item.idx);
        } else if (!wg__strset_insert(&names, args[i].name.name.s, args[i].name.name.len, args[i].name.name.s,
                                      &prev)) {
            ok = wg__cv_oom(cv);
        } else if (prev) {
            ok = wg__cv_fail(cv, "duplicate module instantiation argument named `%s`", args[i].name.name.s);
        }
    }
    wg__strset_free(&names);
    for (uint32_t i = 0; ok && i < mt->nimports; i++) {
        const wg_ccoreimport *im = &mt->imports[i];
        const wg_carg *arg = NULL;
        for (uint32_t k = 0; k < n && !arg; k++)
            if (same(args[k].name.name, im->module)) arg = &args[k];
        if (!arg) {
            ok = wg__cv_fail(cv, "missing module instantiation argument named `%s`", im->module.s);
            break;
        }
        const wg_ccoreinst *ci = s->core_instances.data[arg->item.idx];
        const wg_ccoreexport *x = NULL;
        for (uint32_t k = 0; k < ci->nexports && !x; k++)
            if (same(ci->exports[k].name, im->name)) x = &ci->exports[k];
        if (!x) {
            ok = wg__cv_fail(cv, "module instantiation argument `%s` does not export an item named `%s`",
                             im->module.s, im->name.s);
            break;
        }
        if (!wg__cv_sub_core_ext(cv, &x->type, &im->type))
            ok = wg__cv_context(cv, "type mismatch for export `%s` of module instantiation argument `%s`",
                                im->name.s, im->module.s);
    }
    if (!ok) return false;
    wg_ccoreinst *ci = WG_ARENA_NEW(cv->arena, wg_ccoreinst);
    if (!ci) return wg__cv_oom(cv);
    ci->nexports = mt->nexports;
    ci->exports = mt->exports;
    if (!WG_VEC_PUSH(s->core_instances, ci)) return wg__cv_oom(cv);
    it->sort = WG_CS_CORE_INSTANCE;
    it->index = s->core_instances.len - 1;
    return true;
}

bool wg__cv_core_exports(wg_cv *cv, wg_cvscope *s, wg_citem *it) {
    uint32_t n = it->u.exports.n;
    wg_ccoreexport *ex = WG_ARENA_ARRAY(cv->arena, wg_ccoreexport, n);
    if (!ex && n) return wg__cv_oom(cv);
    wg_strset names = {0};
    bool ok = true;
    for (uint32_t i = 0; ok && i < n; i++) {
        const wg_carg *a = &it->u.exports.exports[i];
        uint32_t x = a->item.idx;
        ex[i].name = a->name.name;
        memset(&ex[i].type, 0, sizeof ex[i].type);
        switch (a->item.sort) {
        case WG_CS_CORE_FUNC:
        case WG_CS_CORE_TAG: {
            bool tag = a->item.sort == WG_CS_CORE_TAG;
            const wg_functype_view *f = NULL;
            if (tag) {
                if (x >= s->core_tags.len) ok = wg__cv_fail(cv, "unknown tag %u: tag index out of bounds", x);
                else f = s->core_tags.data[x];
            } else {
                ok = wg__cv_core_func_at(cv, s, x, &f);
            }
            if (ok) {
                ex[i].type.kind = tag ? WG_CK_TAG : WG_CK_FUNC;
                ex[i].type.func = f;
            }
            break;
        }
        case WG_CS_CORE_TABLE: ok = wg__cv_table_at(cv, s, x, &ex[i].type); break;
        case WG_CS_CORE_MEMORY: ok = wg__cv_memory_at(cv, s, x, &ex[i].type); break;
        case WG_CS_CORE_GLOBAL:
            if (x >= s->core_globals.len) ok = wg__cv_fail(cv, "unknown global %u: global index out of bounds", x);
            else ex[i].type = s->core_globals.data[x];
            break;
        default:
            ok = wg__cv_fail(cv, "invalid core export kind: %s", wg__cv_sort_desc(a->item.sort));
        }
        const void *prev;
        if (!ok) break;
        if (!wg__strset_insert(&names, a->name.name.s, a->name.name.len, a->name.name.s, &prev)) ok = wg__cv_oom(cv);
        else if (prev) ok = wg__cv_fail(cv, "duplicate instantiation export name `%s` already defined", a->name.name.s);
    }
    wg__strset_free(&names);
    if (!ok) return false;
    wg_ccoreinst *ci = WG_ARENA_NEW(cv->arena, wg_ccoreinst);
    if (!ci) return wg__cv_oom(cv);
    ci->nexports = n;
    ci->exports = ex;
    if (!WG_VEC_PUSH(s->core_instances, ci)) return wg__cv_oom(cv);
    it->sort = WG_CS_CORE_INSTANCE;
    it->index = s->core_instances.len - 1;
    return true;
}
