/*
 * Decoding of the type and core type sections (Binary.md "Type
 * Definitions"): deftype (defvaltype, functype, componenttype, instancetype,
 * resourcetype), their declarators, core:type (function types, 0x00-prefixed
 * non-final sub types, module types) and core extern types. Syntax only: the
 * validator resolves indices and applies the semantic rules.
 */
#include "component/cdecode.h"

#include <string.h>

/* Labels of flags / enum (labellit*). */
static bool labels(wg_cdec *d, wg_crawtype *t) {
    if (!wg__cdec_count(d, &t->n)) return false;
    wg_crawfield *f = WG_ARENA_ARRAY(d->arena, wg_crawfield, t->n);
    if (!f && t->n) return wg__cdec_oom(d);
    for (uint32_t i = 0; i < t->n; i++) {
        if (!wg__cdec_name(d, &f[i].name)) return false;
        f[i].ty = WG_RAW_NONE;
    }
    t->fields = f;
    return true;
}

/* vec(labelvaltype): record fields, function parameters. */
static bool labelled(wg_cdec *d, wg_crawtype *t) {
    if (!wg__cdec_count(d, &t->n)) return false;
    wg_crawfield *f = WG_ARENA_ARRAY(d->arena, wg_crawfield, t->n);
    if (!f && t->n) return wg__cdec_oom(d);
    for (uint32_t i = 0; i < t->n; i++)
        if (!wg__cdec_name(d, &f[i].name) || !wg__cdec_valtype(d, &f[i].ty)) return false;
    t->fields = f;
    return true;
}

/* vec(case): label valtype? 0x00. */
static bool cases(wg_cdec *d, wg_crawtype *t) {
    if (!wg__cdec_count(d, &t->n)) return false;
    wg_crawfield *f = WG_ARENA_ARRAY(d->arena, wg_crawfield, t->n);
    if (!f && t->n) return wg__cdec_oom(d);
    for (uint32_t i = 0; i < t->n; i++) {
        uint8_t z = 0;
        if (!wg__cdec_name(d, &f[i].name) || !wg__cdec_opt_valtype(d, &f[i].ty)) return false;
        if (!wg__cdec_byte(d, &z)) return false;
        if (z != 0) return wg__cdec_bad_byte(d, z, "zero byte required");
    }
    t->fields = f;
    return true;
}

/* vec(valtype): tuple members. */
static bool valtypes(wg_cdec *d, wg_crawtype *t) {
    if (!wg__cdec_count(d, &t->n)) return false;
    wg_crawfield *f = WG_ARENA_ARRAY(d->arena, wg_crawfield, t->n);
    if (!f && t->n) return wg__cdec_oom(d);
    for (uint32_t i = 0; i < t->n; i++)
        if (!wg__cdec_valtype(d, &f[i].ty)) return false;
    t->fields = f;
    return true;
}

/* resultlist: 0x00 valtype | 0x01 0x00. */
static bool resultlist(wg_cdec *d, uint32_t *out) {
    uint8_t b = 0;
    if (!wg__cdec_byte(d, &b)) return false;
    if (b == 0x00) return wg__cdec_valtype(d, out);
    if (b != 0x01) return wg__cdec_bad_byte(d, b, "component function results");
    if (!wg__cdec_byte(d, &b)) return false;
    if (b != 0x00) return wg__cdec_bad_byte(d, b, "number of results");
    *out = WG_RAW_NONE;
    return true;
}

static bool decl(wg_cdec *d, bool component, wg_crawdecl *out);

/* componenttype / instancetype: vec(decl). */
static bool decls(wg_cdec *d, wg_crawtype *t, bool component) {
    if (d->depth + 1 > WG_CDEC_MAX_DEPTH)
        return wg__cdec_fail_kind(d, WG_ERR_RESOURCE, wg_reader_pos(&d->r),
                                  "component or instance types nested too deeply");
    if (!wg__cdec_count(d, &t->n)) return false;
    wg_crawdecl *ds = WG_ARENA_ARRAY(d->arena, wg_crawdecl, t->n);
    if (!ds && t->n) return wg__cdec_oom(d);
    d->depth++;
    for (uint32_t i = 0; i < t->n; i++) {
        if (!decl(d, component, &ds[i])) {
            d->depth--;
            return false;
        }
    }
    d->depth--;
    t->decls = ds;
    return true;
}

static bool decl(wg_cdec *d, bool component, wg_crawdecl *out) {
    memset(out, 0, sizeof *out);
    out->offset = wg_reader_pos(&d->r);
    uint8_t b = 0;
    if (!wg__cdec_byte(d, &b)) return false;
    out->kind = b;
    switch (b) {
    case WG_RD_CORE_TYPE: return wg__cdec_core_type(d, &out->core_type);
    case WG_RD_TYPE: return wg__cdec_deftype(d, &out->type);
    case WG_RD_ALIAS: return wg__cdec_alias(d, &out->alias);
    case WG_RD_IMPORT:
        if (!component) break;
        return wg__cdec_nameattrs(d, &out->name) && wg__cdec_extern(d, &out->ext);
    case WG_RD_EXPORT:
        return wg__cdec_nameattrs(d, &out->name) && wg__cdec_extern(d, &out->ext);
    default:
        break;
    }
    return wg__cdec_bad_byte(d, b, "component or instance type declaration");
}

bool wg__cdec_deftype(wg_cdec *d, const wg_crawtype **out) {
    wg_crawtype *t = WG_ARENA_NEW(d->arena, wg_crawtype);
    if (!t) return wg__cdec_oom(d);
    t->offset = wg_reader_pos(&d->r);
    t->a = t->b = WG_RAW_NONE;
    t->dtor = WG_RAW_NONE;
    uint8_t b = 0;
    if (!wg__cdec_byte(d, &b)) return false;
    t->code = b;
    *out = t;
    if ((b >= WG_PT_STRING && b <= WG_PT_BOOL) || b == WG_PT_ERROR_CONTEXT) return true;
    switch (b) {
    case WG_RT_RECORD: return labelled(d, t);
    case WG_RT_VARIANT: return cases(d, t);
    case WG_RT_LIST: case WG_RT_OPTION: return wg__cdec_valtype(d, &t->a);
    case WG_RT_FIXED_LIST: return wg__cdec_valtype(d, &t->a) && wg__cdec_u32(d, &t->n);
    case WG_RT_TUPLE: return valtypes(d, t);
    case WG_RT_FLAGS: case WG_RT_ENUM: return labels(d, t);
    case WG_RT_RESULT: return wg__cdec_opt_valtype(d, &t->a) && wg__cdec_opt_valtype(d, &t->b);
    case WG_RT_OWN: case WG_RT_BORROW: return wg__cdec_u32(d, &t->a);
    case WG_RT_STREAM: case WG_RT_FUTURE: return wg__cdec_opt_valtype(d, &t->a);
    case WG_RT_MAP: return wg__cdec_valtype(d, &t->a) && wg__cdec_valtype(d, &t->b);
    case WG_RT_FUNC: case WG_RT_FUNC_ASYNC: return labelled(d, t) && resultlist(d, &t->a);
    case WG_RT_COMPONENT: return decls(d, t, true);
    case WG_RT_INSTANCE: return decls(d, t, false);
    case WG_RT_RESOURCE: {
        uint8_t has = 0;
        if (!wg__cdec_core_valtype(d, &t->rep)) return false;
        if (!wg__cdec_byte(d, &has)) return false;
        if (has > 1) return wg__cdec_bad_byte(d, has, "optional destructor");
        return !has || wg__cdec_u32(d, &t->dtor);
    }
    default:
        return wg__cdec_bad_byte(d, b, "component defined type");
    }
}

/* ---- core types ------------------------------------------------------------------ */

static bool limits(wg_cdec *d, bool memory, wg_crawcoreext *out) {
    uint8_t flags = 0;
    if (!wg__cdec_byte(d, &flags)) return false;
    if (flags > (memory ? 7 : 5) || (!memory && (flags & 2)))
        return wg__cdec_bad_byte(d, flags, memory ? "memory limits" : "table limits");
    out->shared = flags & 2;
    out->is64 = flags & 4;
    uint64_t v;
    if (!wg_read_uleb(&d->r, out->is64 ? 64 : 32, &v)) return wg__cdec_reader_fail(d);
    out->limits.min = v;
    if (flags & 1) {
        if (!wg_read_uleb(&d->r, out->is64 ? 64 : 32, &v)) return wg__cdec_reader_fail(d);
        out->limits.max = v;
        out->limits.has_max = true;
    }
    return true;
}

bool wg__cdec_core_ext(wg_cdec *d, uint8_t kind, wg_crawcoreext *out) {
    memset(out, 0, sizeof *out);
    out->kind = kind;
    switch (kind) {
    case WG_CK_FUNC:
        return wg__cdec_u32(d, &out->type);
    case WG_CK_TABLE:
        if (!wg__cdec_core_valtype(d, &out->valtype)) return false;
        if (out->valtype != WG_FUNCREF && out->valtype != WG_EXTERNREF)
            return wg__cdec_fail_at(d, wg_reader_pos(&d->r) - 1, "malformed reference type");
        return limits(d, false, out);
    case WG_CK_MEMORY:
        return limits(d, true, out);
    case WG_CK_GLOBAL: {
        uint8_t m = 0;
        if (!wg__cdec_core_valtype(d, &out->valtype) || !wg__cdec_byte(d, &m)) return false;
        if (m > 1) return wg__cdec_bad_byte(d, m, "global mutability");
        out->mutable_ = m;
        return true;
    }
    case WG_CK_TAG: {
        uint8_t attr = 0;
        if (!wg__cdec_byte(d, &attr)) return false;
        if (attr != 0) return wg__cdec_bad_byte(d, attr, "tag attribute");
        return wg__cdec_u32(d, &out->type);
    }
    default:
        return wg__cdec_bad_byte(d, kind, "external kind");
    }
}

/* vec(core valtype). */
static bool core_types_vec(wg_cdec *d, uint32_t *n, const uint8_t **out) {
    if (!wg__cdec_count(d, n)) return false;
    uint8_t *v = wg__arena_alloc(d->arena, *n ? *n : 1);
    if (!v) return wg__cdec_oom(d);
    for (uint32_t i = 0; i < *n; i++)
        if (!wg__cdec_core_valtype(d, &v[i])) return false;
    *out = v;
    return true;
}

/* 0x60 vec(valtype) vec(valtype), after the 0x60. */
static bool core_functype(wg_cdec *d, wg_functype_view *f) {
    return core_types_vec(d, &f->nparams, &f->params) &&
           core_types_vec(d, &f->nresults, &f->results);
}

static bool module_decls(wg_cdec *d, wg_crawcoretype *t) {
    if (d->depth + 1 > WG_CDEC_MAX_DEPTH)
        return wg__cdec_fail_kind(d, WG_ERR_RESOURCE, wg_reader_pos(&d->r),
                                  "core module types nested too deeply");
    if (!wg__cdec_count(d, &t->n)) return false;
    wg_crawcoredecl *ds = WG_ARENA_ARRAY(d->arena, wg_crawcoredecl, t->n);
    if (!ds && t->n) return wg__cdec_oom(d);
    t->decls = ds;
    for (uint32_t i = 0; i < t->n; i++) {
        wg_crawcoredecl *x = &ds[i];
        x->offset = wg_reader_pos(&d->r);
        uint8_t b = 0;
        if (!wg__cdec_byte(d, &b)) return false;
        x->kind = b;
        switch (b) {
        case WG_RMD_IMPORT: {
            uint8_t k = 0;
            if (!wg__cdec_name(d, &x->module) || !wg__cdec_name(d, &x->name)) return false;
            if (!wg__cdec_byte(d, &k) || !wg__cdec_core_ext(d, k, &x->ext)) return false;
            break;
        }
        case WG_RMD_TYPE: {
            bool ok;
            d->depth++;
            ok = wg__cdec_core_type(d, &x->type);
            d->depth--;
            if (!ok) return false;
            break;
        }
        case WG_RMD_ALIAS: {
            uint8_t s = 0, tgt = 0;
            if (!wg__cdec_byte(d, &s)) return false;
            if (s != 0x10) return wg__cdec_bad_byte(d, s, "outer alias kind");
            if (!wg__cdec_byte(d, &tgt)) return false;
            if (tgt != 0x01) return wg__cdec_bad_byte(d, tgt, "outer alias target");
            if (!wg__cdec_u32(d, &x->count) || !wg__cdec_u32(d, &x->index)) return false;
            break;
        }
        case WG_RMD_EXPORT: {
            uint8_t k = 0;
            if (!wg__cdec_name(d, &x->name)) return false;
            if (!wg__cdec_byte(d, &k) || !wg__cdec_core_ext(d, k, &x->ext)) return false;
            break;
        }
        default:
            return wg__cdec_bad_byte(d, b, "type definition");
        }
    }
    return true;
}

bool wg__cdec_core_type(wg_cdec *d, const wg_crawcoretype **out) {
    wg_crawcoretype *t = WG_ARENA_NEW(d->arena, wg_crawcoretype);
    if (!t) return wg__cdec_oom(d);
    t->offset = wg_reader_pos(&d->r);
    *out = t;
    uint8_t b = 0;
    if (!wg__cdec_byte(d, &b)) return false;
    switch (b) {
    case 0x60:
        t->kind = WG_RCT_FUNC;
        return core_functype(d, &t->func);
    case 0x50:
        t->kind = WG_RCT_MODULE;
        return module_decls(d, t);
    case 0x00: {
        /* A non-final sub type, 0x00-prefixed in this position (Binary.md):
         * supported for function types without supertypes. */
        uint8_t c = 0, f = 0;
        uint32_t nsup;
        if (!wg__cdec_byte(d, &c)) return false;
        if (c != 0x50) return wg__cdec_bad_byte(d, c, "core type");
        if (!wg__cdec_count(d, &nsup)) return false;
        if (nsup != 0)
            return wg__cdec_fail_kind(d, WG_ERR_INVALID, wg_reader_pos(&d->r),
                                      "core sub types with supertypes are not supported (GC)");
        if (!wg__cdec_byte(d, &f)) return false;
        if (f != 0x60)
            return wg__cdec_fail_kind(d, WG_ERR_INVALID, wg_reader_pos(&d->r) - 1,
                                      "core composite type 0x%x is not supported (GC)", f);
        t->kind = WG_RCT_FUNC;
        return core_functype(d, &t->func);
    }
    case 0x4e: case 0x4f: case 0x5e: case 0x5f:
        return wg__cdec_fail_kind(d, WG_ERR_INVALID, wg_reader_pos(&d->r) - 1,
                                  "core type 0x%x is not supported (GC types)", b);
    default:
        return wg__cdec_bad_byte(d, b, "core type");
    }
}
