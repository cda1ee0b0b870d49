/*
 * Type definitions (Explainer.md "Type Definitions", Binary.md notes):
 * value types become wg_ctype objects (inside wg_cvaltype) laid out with
 * wg__ctype_layout bottom-up; function types become wg_cfunctype; resource
 * definitions get a fresh resource slot; component and instance types are
 * validated as nested scopes of declarators; core function and module types
 * for the core type index space.
 */
#include "component/cvalid.h"

#include <stdio.h>
#include <string.h>

#include "component/cnames.h"

/* ---- value types --------------------------------------------------------------------- */

static uint8_t prim_kind(uint8_t code) {
    switch (code) {
    case WG_PT_BOOL: return WG_CT_BOOL;
    case WG_PT_S8: return WG_CT_S8;
    case WG_PT_U8: return WG_CT_U8;
    case WG_PT_S16: return WG_CT_S16;
    case WG_PT_U16: return WG_CT_U16;
    case WG_PT_S32: return WG_CT_S32;
    case WG_PT_U32: return WG_CT_U32;
    case WG_PT_S64: return WG_CT_S64;
    case WG_PT_U64: return WG_CT_U64;
    case WG_PT_F32: return WG_CT_F32;
    case WG_PT_F64: return WG_CT_F64;
    case WG_PT_CHAR: return WG_CT_CHAR;
    case WG_PT_STRING: return WG_CT_STRING;
    case WG_PT_ERROR_CONTEXT: return WG_CT_ERROR_CONTEXT;
    default: return 0;
    }
}

const wg_ctype *wg__cv_new_val(wg_cv *cv, const wg_cvaltype *proto) {
    wg_cvaltype *v = WG_ARENA_NEW(cv->arena, wg_cvaltype);
    if (!v) {
        wg__cv_oom(cv);
        return NULL;
    }
    *v = *proto;
    if (!wg__ctype_layout(&v->t)) {
        wg__cv_fail(cv, "type exceeds maximum byte size: its canonical ABI size must stay below 2^28 bytes");
        return NULL;
    }
    return &v->t;
}

const wg_ctype *wg__cv_prim(wg_cv *cv, uint8_t code) {
    if (code >= 0x80 || !prim_kind(code)) return NULL;
    if (!cv->prim[code]) {
        wg_cvaltype v;
        memset(&v, 0, sizeof v);
        v.t.kind = prim_kind(code);
        v.size = 1;
        v.depth = 1;
        v.primitive = true;
        v.has_ptr = code == WG_PT_STRING;
        cv->prim[code] = wg__cv_new_val(cv, &v);
    }
    return cv->prim[code];
}

bool wg__cv_add_size(wg_cv *cv, uint32_t *acc, uint32_t n) {
    if ((uint64_t)*acc + n > WG_CV_MAX_TYPE_SIZE)
        return wg__cv_fail(cv, "effective type size exceeds the limit of %u", WG_CV_MAX_TYPE_SIZE);
    *acc += n;
    return true;
}

bool wg__cv_valtype(wg_cv *cv, wg_cvscope *s, uint32_t raw, const wg_ctype **out) {
    if (raw & WG_RAW_PRIM) {
        *out = wg__cv_prim(cv, (uint8_t)raw);
        return *out != NULL || wg__cv_fail(cv, "invalid primitive value type 0x%x", raw & 0xff);
    }
    wg_ctyref t;
    if (!wg__cv_type_at(cv, s, raw, &t)) return false;
    if (t.kind != WG_CTY_VALUE) return wg__cv_fail(cv, "type index %u is not a defined type", raw);
    *out = t.of.value;
    return true;
}

/* Folds a child's size, depth and pointer-ness into v. */
static bool child(wg_cv *cv, wg_cvaltype *v, const wg_ctype *c) {
    if (!c) return true;
    const wg_cvaltype *cc = wg__cval(c);
    if (!wg__cv_add_size(cv, &v->size, cc->size)) return false;
    if (cc->depth + 1 > v->depth) v->depth = (uint8_t)(cc->depth + 1 > 255 ? 255 : cc->depth + 1);
    v->has_ptr |= cc->has_ptr;
    return true;
}

/* A label: kebab case, unique case-insensitively among its siblings. */
static bool label(wg_cv *cv, wg_strset *seen, const wg_cstr *name, const char *desc,
                  const char *what) {
    if (name->len == 0) return wg__cv_fail(cv, "%s name cannot be empty", desc);
    if (!wg__cname_is_label(name->s, name->len))
        return wg__cv_fail(cv, "%s name `%s` is not in kebab case", desc, name->s);
    char *low = wg__arena_strndup(cv->arena, name->s, name->len);
    if (!low) return wg__cv_oom(cv);
    for (uint32_t i = 0; i < name->len; i++)
        if (low[i] >= 'A' && low[i] <= 'Z') low[i] = (char)(low[i] - 'A' + 'a');
    const void *prev;
    if (!wg__strset_insert(seen, low, name->len, name->s, &prev)) return wg__cv_oom(cv);
    if (prev)
        return wg__cv_fail(cv, "%s name `%s` conflicts with previous %s name `%s`", desc, name->s,
                           what, (const char *)prev);
    return true;
}

static bool fields(wg_cv *cv, wg_cvscope *s, const wg_crawtype *raw, wg_cvaltype *v,
                   const char *desc, const char *what, bool named, bool optional) {
    wg_cfield *f = WG_ARENA_ARRAY(cv->arena, wg_cfield, raw->n);
    if (!f) return wg__cv_oom(cv);
    wg_strset seen = {0};
    bool ok = true;
    for (uint32_t i = 0; ok && i < raw->n; i++) {
        const wg_crawfield *rf = &raw->fields[i];
        if (named) {
            ok = label(cv, &seen, &rf->name, desc, what);
            f[i].name = rf->name.s;
        }
        if (ok && !(optional && rf->ty == WG_RAW_NONE))
            ok = wg__cv_valtype(cv, s, rf->ty, &f[i].type) && child(cv, v, f[i].type);
    }
    wg__strset_free(&seen);
    v->t.fields = f;
    v->t.n = raw->n;
    return ok;
}

static bool labels_only(wg_cv *cv, const wg_crawtype *raw, wg_cvaltype *v, const char *desc,
                        const char *what) {
    const char **l = WG_ARENA_ARRAY(cv->arena, const char *, raw->n);
    if (!l) return wg__cv_oom(cv);
    wg_strset seen = {0};
    bool ok = true;
    for (uint32_t i = 0; ok && i < raw->n; i++) {
        ok = label(cv, &seen, &raw->fields[i].name, desc, what);
        l[i] = raw->fields[i].name.s;
    }
    wg__strset_free(&seen);
    v->t.labels = l;
    v->t.n = raw->n;
    return ok;
}

static bool is_key_type(const wg_ctype *t) {
    switch (t->kind) {
    case WG_CT_BOOL: case WG_CT_S8: case WG_CT_U8: case WG_CT_S16: case WG_CT_U16: case WG_CT_S32:
    case WG_CT_U32: case WG_CT_S64: case WG_CT_U64: case WG_CT_CHAR: case WG_CT_STRING:
        return true;
    default:
        return false;
    }
}

/* A defvaltype other than a primitive. */
static bool build_val(wg_cv *cv, wg_cvscope *s, const wg_crawtype *raw, const wg_ctype **out) {
    wg_cvaltype v;
    memset(&v, 0, sizeof v);
    v.size = 1;
    v.depth = 1;
    const wg_ctype *e = NULL;
    switch (raw->code) {
    case WG_RT_RECORD:
        v.t.kind = WG_CT_RECORD;
        if (raw->n == 0) return wg__cv_fail(cv, "record type must have at least one field");
        if (!fields(cv, s, raw, &v, "record field", "field", true, false)) return false;
        break;
    case WG_RT_VARIANT:
        v.t.kind = WG_CT_VARIANT;
        if (raw->n == 0) return wg__cv_fail(cv, "variant type must have at least one case");
        if (!fields(cv, s, raw, &v, "variant case", "case", true, true)) return false;
        break;
    case WG_RT_TUPLE:
        v.t.kind = WG_CT_TUPLE;
        if (raw->n == 0) return wg__cv_fail(cv, "tuple type must have at least one type");
        if (!fields(cv, s, raw, &v, NULL, NULL, false, false)) return false;
        break;
    case WG_RT_FLAGS:
        v.t.kind = WG_CT_FLAGS;
        if (raw->n == 0) return wg__cv_fail(cv, "flags must have at least one entry");
        if (raw->n > 32) return wg__cv_fail(cv, "cannot have more than 32 flags");
        if (!labels_only(cv, raw, &v, "flag", "flag")) return false;
        break;
    case WG_RT_ENUM:
        v.t.kind = WG_CT_ENUM;
        if (raw->n == 0) return wg__cv_fail(cv, "enum type must have at least one variant");
        if (!labels_only(cv, raw, &v, "enum tag", "tag")) return false;
        break;
    case WG_RT_LIST:
    case WG_RT_OPTION:
        v.t.kind = raw->code == WG_RT_LIST ? WG_CT_LIST : WG_CT_OPTION;
        if (!wg__cv_valtype(cv, s, raw->a, &e) || !child(cv, &v, e)) return false;
        v.t.elem = e;
        if (raw->code == WG_RT_LIST) v.has_ptr = true;
        break;
    case WG_RT_FIXED_LIST:
        v.t.kind = WG_CT_LIST;
        if (raw->n == 0) return wg__cv_fail(cv, "Fixed-length lists must have more than zero elements");
        if (raw->n > WG_CV_MAX_FIXED_LIST)
            return wg__cv_fail(cv, "fixed-length list element count must be at most %u",
                               WG_CV_MAX_FIXED_LIST);
        if (!wg__cv_valtype(cv, s, raw->a, &e) || !child(cv, &v, e)) return false;
        v.t.elem = e;
        v.t.n = raw->n;
        break;
    case WG_RT_RESULT:
        v.t.kind = WG_CT_RESULT;
        if (raw->a != WG_RAW_NONE &&
            (!wg__cv_valtype(cv, s, raw->a, &v.t.elem) || !child(cv, &v, v.t.elem)))
            return false;
        if (raw->b != WG_RAW_NONE &&
            (!wg__cv_valtype(cv, s, raw->b, &v.t.elem2) || !child(cv, &v, v.t.elem2)))
            return false;
        break;
    case WG_RT_MAP:
        v.t.kind = WG_CT_MAP;
        if (!wg__cv_valtype(cv, s, raw->a, &v.t.elem) || !child(cv, &v, v.t.elem)) return false;
        if (!wg__cv_valtype(cv, s, raw->b, &v.t.elem2) || !child(cv, &v, v.t.elem2)) return false;
        if (!is_key_type(v.t.elem))
            return wg__cv_fail(cv, "map key type must be a boolean, integer, char or string type");
        v.has_ptr = true;
        break;
    case WG_RT_OWN:
    case WG_RT_BORROW: {
        wg_ctyref r;
        v.t.kind = raw->code == WG_RT_OWN ? WG_CT_OWN : WG_CT_BORROW;
        if (!wg__cv_type_at(cv, s, raw->a, &r)) return false;
        if (r.kind != WG_CTY_RESOURCE) return wg__cv_fail(cv, "type index %u is not a resource type", raw->a);
        v.t.resource = r.of.resource.id;
        v.alias = r.of.resource.alias;
        break;
    }
    case WG_RT_STREAM:
    case WG_RT_FUTURE:
        v.t.kind = raw->code == WG_RT_STREAM ? WG_CT_STREAM : WG_CT_FUTURE;
        if (raw->a != WG_RAW_NONE) {
            if (!wg__cv_valtype(cv, s, raw->a, &e) || !child(cv, &v, e)) return false;
            if (raw->code == WG_RT_STREAM && e->kind == WG_CT_CHAR)
                return wg__cv_fail(cv, "`stream<char>` is not valid at this time, use `stream<u8>` "
                                       "with a defined encoding instead for now");
            if (e->has_borrow)
                return wg__cv_fail(cv, "%s element type cannot contain a `borrow` type",
                                   raw->code == WG_RT_STREAM ? "stream" : "future");
            v.t.elem = e;
        }
        /* Handles, not pointers: the payload travels separately. */
        v.has_ptr = false;
        break;
    default:
        return wg__cv_fail(cv, "invalid defined type 0x%x", raw->code);
    }
    if (v.depth > WG_CV_MAX_TYPE_DEPTH) return wg__cv_fail(cv, "type nesting is too deep");
    *out = wg__cv_new_val(cv, &v);
    return *out != NULL;
}

/* ---- function types ---------------------------------------------------------------- */

uint32_t wg__cv_func_size(const wg_cfunctype *f) {
    uint64_t n = 1;
    for (uint32_t i = 0; i < f->nparams; i++) n += wg__cval(f->params[i].type)->size;
    if (f->result) n += wg__cval(f->result)->size;
    return n > WG_CV_MAX_TYPE_SIZE ? WG_CV_MAX_TYPE_SIZE : (uint32_t)n;
}

static bool build_func(wg_cv *cv, wg_cvscope *s, const wg_crawtype *raw, const wg_cfunctype **out) {
    wg_cfunctype *f = WG_ARENA_NEW(cv->arena, wg_cfunctype);
    wg_cfield *p = WG_ARENA_ARRAY(cv->arena, wg_cfield, raw->n);
    if (!f || !p) return wg__cv_oom(cv);
    f->async = raw->code == WG_RT_FUNC_ASYNC;
    wg_strset seen = {0};
    uint32_t size = 1;
    bool ok = true;
    for (uint32_t i = 0; ok && i < raw->n; i++) {
        ok = label(cv, &seen, &raw->fields[i].name, "function parameter", "parameter") &&
             wg__cv_valtype(cv, s, raw->fields[i].ty, &p[i].type) &&
             wg__cv_add_size(cv, &size, wg__cval(p[i].type)->size);
        p[i].name = raw->fields[i].name.s;
    }
    wg__strset_free(&seen);
    if (!ok) return false;
    f->nparams = raw->n;
    f->params = p;
    if (raw->a != WG_RAW_NONE) {
        if (!wg__cv_valtype(cv, s, raw->a, &f->result)) return false;
        if (f->result->has_borrow) return wg__cv_fail(cv, "function result cannot contain a `borrow` type");
        if (!wg__cv_add_size(cv, &size, wg__cval(f->result)->size)) return false;
    }
    *out = f;
    return true;
}

/* ---- resource types -------------------------------------------------------------------- */

static bool build_resource(wg_cv *cv, wg_cvscope *s, const wg_crawtype *raw, wg_ctyref *out) {
    if (s->kind != WG_SCOPE_COMPONENT)
        return wg__cv_fail(cv, "resources can only be defined within a concrete component");
    if (raw->rep != WG_I32 && raw->rep != WG_I64)
        return wg__cv_fail(cv, "resources can only be represented by `i32` or `i64`");
    if (raw->dtor != WG_RAW_NONE) {
        const wg_functype_view *f;
        if (!wg__cv_core_func_at(cv, s, raw->dtor, &f)) return false;
        if (f->nparams != 1 || f->params[0] != raw->rep || f->nresults != 0)
            return wg__cv_fail(cv, "core function %u has wrong signature for a destructor", raw->dtor);
    }
    out->kind = WG_CTY_RESOURCE;
    out->of.resource = wg__cv_fresh_resource(cv);
    return true;
}

/* ---- component and instance types ----------------------------------------------------- */

static bool decl(wg_cv *cv, wg_cvscope *s, const wg_crawdecl *d) {
    cv->offset = d->offset;
    switch (d->kind) {
    case WG_RD_CORE_TYPE: {
        wg_ccoretype ct;
        if (!wg__cv_core_type(cv, s, d->core_type, &ct)) return false;
        return WG_VEC_PUSH(s->core_types, ct) || wg__cv_oom(cv);
    }
    case WG_RD_TYPE: {
        wg_ctyref t;
        return wg__cv_deftype(cv, s, d->type, &t) && wg__cv_push_type(cv, s, t, NULL);
    }
    case WG_RD_ALIAS: {
        const wg_crawalias *a = &d->alias;
        bool ok = (a->target == WG_RA_EXPORT && (a->sort == WG_CS_TYPE || a->sort == WG_CS_INSTANCE)) ||
                  (a->target == WG_RA_OUTER && (a->sort == WG_CS_TYPE || a->sort == WG_CS_CORE_TYPE));
        if (!ok) return wg__cv_fail(cv, "aliases in a component or instance type may only refer to types or instances");
        return wg__cv_alias(cv, s, a, NULL, NULL);
    }
    case WG_RD_IMPORT: {
        wg_centity e;
        return wg__cv_extern_type(cv, s, &d->ext, &e) && wg__cv_add_import(cv, s, &d->name, &e, NULL, NULL);
    }
    case WG_RD_EXPORT: {
        wg_centity e;
        return wg__cv_extern_type(cv, s, &d->ext, &e) && wg__cv_add_export(cv, s, &d->name, &e, NULL, NULL);
    }
    default:
        return wg__cv_fail(cv, "invalid declarator 0x%x", d->kind);
    }
}

static bool build_instance_type(wg_cv *cv, wg_cvscope *s, const wg_cinsttype **out) {
    wg_cinsttype *t = WG_ARENA_NEW(cv->arena, wg_cinsttype);
    if (!t) return wg__cv_oom(cv);
    t->nexports = s->exports.len;
    t->exports = wg__arena_dup(cv->arena, s->exports.data, s->exports.len * sizeof *s->exports.data);
    t->ndefined = s->defined_res.len;
    uint32_t *def = WG_ARENA_ARRAY(cv->arena, uint32_t, s->defined_res.len);
    t->nexplicit = s->explicit_res.len;
    t->explicit_ = wg__arena_dup(cv->arena, s->explicit_res.data,
                                 s->explicit_res.len * sizeof *s->explicit_res.data);
    if ((!t->exports && t->nexports) || !def || (!t->explicit_ && t->nexplicit)) return wg__cv_oom(cv);
    for (uint32_t i = 0; i < s->defined_res.len; i++) def[i] = s->defined_res.data[i].id;
    t->defined = def;
    uint32_t size = 1, nest = 1;
    for (uint32_t i = 0; i < t->nexports; i++)
        if (!wg__cv_add_entity_info(cv, &size, &nest, &t->exports[i].type)) return false;
    t->size = size;
    t->nest = nest;
    *out = t;
    return true;
}

static bool build_decls(wg_cv *cv, wg_cvscope *s, const wg_crawtype *raw, wg_ctyref *out) {
    bool component = raw->code == WG_RT_COMPONENT;
    wg_cvscope inner;
    wg__cv_scope_init(&inner, component ? WG_SCOPE_COMPONENT_TYPE : WG_SCOPE_INSTANCE_TYPE, s, NULL);
    cv->scope = &inner;
    bool ok = true;
    for (uint32_t i = 0; ok && i < raw->n; i++) ok = decl(cv, &inner, &raw->decls[i]);
    if (ok) {
        cv->offset = raw->offset;
        if (component) {
            out->kind = WG_CTY_COMPONENT;
            ok = wg__cv_finish(cv, &inner, &out->of.comp);
        } else {
            out->kind = WG_CTY_INSTANCE;
            ok = build_instance_type(cv, &inner, &out->of.inst);
        }
    }
    cv->scope = s;
    wg__cv_scope_free(&inner);
    return ok;
}

bool wg__cv_deftype(wg_cv *cv, wg_cvscope *s, const wg_crawtype *raw, wg_ctyref *out) {
    memset(out, 0, sizeof *out);
    if (prim_kind(raw->code)) {
        const wg_ctype *p = wg__cv_prim(cv, raw->code);
        if (!p) return false;
        wg_cvaltype v = *wg__cval(p);
        v.prim_defined = true;
        out->kind = WG_CTY_VALUE;
        out->of.value = wg__cv_new_val(cv, &v);
        return out->of.value != NULL;
    }
    switch (raw->code) {
    case WG_RT_FUNC:
    case WG_RT_FUNC_ASYNC:
        out->kind = WG_CTY_FUNC;
        return build_func(cv, s, raw, &out->of.func);
    case WG_RT_COMPONENT:
    case WG_RT_INSTANCE:
        return build_decls(cv, s, raw, out);
    case WG_RT_RESOURCE:
        return build_resource(cv, s, raw, out);
    default:
        out->kind = WG_CTY_VALUE;
        return build_val(cv, s, raw, &out->of.value);
    }
}

/* ---- core types -------------------------------------------------------------------------- */

static bool core_functype(wg_cv *cv, const wg_functype_view *raw, const wg_functype_view **out) {
    for (uint32_t i = 0; i < raw->nparams + raw->nresults; i++) {
        uint8_t t = i < raw->nparams ? raw->params[i] : raw->results[i - raw->nparams];
        if (t == WG_V128) return wg__cv_fail(cv, "SIMD (v128) is not supported");
    }
    wg_functype_view *f = wg__arena_dup(cv->arena, raw, sizeof *raw);
    if (!f) return wg__cv_oom(cv);
    *out = f;
    return true;
}

/* A core extern type of a module type, resolved against its type space. */
static bool module_ext(wg_cv *cv, const wg_ccoretype *types, uint32_t ntypes,
                       const wg_crawcoreext *raw, wg_ccoreext *out) {
    memset(out, 0, sizeof *out);
    out->kind = raw->kind;
    out->valtype = raw->valtype;
    out->mutable_ = raw->mutable_;
    out->shared = raw->shared;
    out->is64 = raw->is64;
    out->limits = raw->limits;
    if (raw->kind == WG_CK_FUNC || raw->kind == WG_CK_TAG) {
        if (raw->type >= ntypes)
            return wg__cv_fail(cv, "unknown type %u: type index out of bounds", raw->type);
        if (types[raw->type].kind != WG_CCT_FUNC)
            return wg__cv_fail(cv, "type index %u is not a function type", raw->type);
        out->func = types[raw->type].of.func;
        if (raw->kind == WG_CK_TAG && out->func->nresults != 0)
            return wg__cv_fail(cv, "invalid exception type: non-empty tag result type");
    }
    return wg__cv_core_ext_valid(cv, out);
}

static bool module_type(wg_cv *cv, wg_cvscope *s, const wg_crawcoretype *raw, const wg_cmodtype **out) {
    (void)s; /* outer aliases count from cv->scope, which is s */
    WG_VEC(wg_ccoretype) types = {0};
    WG_VEC(wg_ccoreimport) imports = {0};
    WG_VEC(wg_ccoreexport) exports = {0};
    wg_strset import_names = {0}, export_names = {0};
    bool ok = true;
    for (uint32_t i = 0; ok && i < raw->n; i++) {
        const wg_crawcoredecl *d = &raw->decls[i];
        cv->offset = d->offset;
        switch (d->kind) {
        case WG_RMD_TYPE: {
            wg_ccoretype ct;
            if (d->type->kind == WG_RCT_MODULE) {
                ok = wg__cv_fail(cv, "invalid leading byte: module types cannot define module types");
                break;
            }
            ct.kind = WG_CCT_FUNC;
            ok = core_functype(cv, &d->type->func, &ct.of.func) && (WG_VEC_PUSH(types, ct) || wg__cv_oom(cv));
            break;
        }
        case WG_RMD_ALIAS: {
            wg_ccoretype ct;
            if (d->count == 0) {
                if (d->index >= types.len) {
                    ok = wg__cv_fail(cv, "unknown type %u: type index out of bounds", d->index);
                    break;
                }
                ct = types.data[d->index];
            } else {
                wg_cvscope *target;
                ok = wg__cv_outer(cv, d->count - 1, &target) &&
                     wg__cv_core_type_at(cv, target, d->index, &ct);
                if (!ok) break;
            }
            if (ct.kind != WG_CCT_FUNC) {
                ok = wg__cv_fail(cv, "not implemented: aliasing core module types into a core module's types index space");
                break;
            }
            ok = WG_VEC_PUSH(types, ct) || wg__cv_oom(cv);
            break;
        }
        case WG_RMD_IMPORT: {
            wg_ccoreimport im = {.module = d->module, .name = d->name};
            ok = module_ext(cv, types.data, types.len, &d->ext, &im.type);
            if (!ok) break;
            /* Two-level names mangle to "module:name"; duplicates collide. */
            char *key = WG_ARENA_ARRAY(cv->arena, char, (size_t)d->module.len + d->name.len + 1);
            if (!key) {
                ok = wg__cv_oom(cv);
                break;
            }
            memcpy(key, d->module.s, d->module.len);
            key[d->module.len] = ':';
            memcpy(key + d->module.len + 1, d->name.s, d->name.len);
            const void *prev;
            if (!wg__strset_insert(&import_names, key, (size_t)d->module.len + d->name.len + 1, key, &prev))
                ok = wg__cv_oom(cv);
            else if (prev)
                ok = wg__cv_fail(cv, "duplicate import name `%s:%s`", d->module.s, d->name.s);
            else
                ok = WG_VEC_PUSH(imports, im) || wg__cv_oom(cv);
            break;
        }
        case WG_RMD_EXPORT: {
            wg_ccoreexport ex = {.name = d->name};
            const void *prev;
            ok = module_ext(cv, types.data, types.len, &d->ext, &ex.type);
            if (!ok) break;
            if (!wg__strset_insert(&export_names, d->name.s, d->name.len, d->name.s, &prev))
                ok = wg__cv_oom(cv);
            else if (prev)
                ok = wg__cv_fail(cv, "export name `%s` already defined", d->name.s);
            else
                ok = WG_VEC_PUSH(exports, ex) || wg__cv_oom(cv);
            break;
        }
        default:
            ok = wg__cv_fail(cv, "invalid module type declarator 0x%x", d->kind);
        }
    }
    if (ok) {
        wg_cmodtype *m = WG_ARENA_NEW(cv->arena, wg_cmodtype);
        if (!m) {
            ok = wg__cv_oom(cv);
        } else {
            m->nimports = imports.len;
            m->nexports = exports.len;
            m->imports = wg__arena_dup(cv->arena, imports.data, imports.len * sizeof *imports.data);
            m->exports = wg__arena_dup(cv->arena, exports.data, exports.len * sizeof *exports.data);
            if ((imports.len && !m->imports) || (exports.len && !m->exports)) ok = wg__cv_oom(cv);
            *out = m;
        }
    }
    WG_VEC_FREE(types);
    WG_VEC_FREE(imports);
    WG_VEC_FREE(exports);
    wg__strset_free(&import_names);
    wg__strset_free(&export_names);
    return ok;
}

bool wg__cv_core_type(wg_cv *cv, wg_cvscope *s, const wg_crawcoretype *raw, wg_ccoretype *out) {
    cv->offset = raw->offset;
    if (raw->kind == WG_RCT_FUNC) {
        out->kind = WG_CCT_FUNC;
        return core_functype(cv, &raw->func, &out->of.func);
    }
    out->kind = WG_CCT_MODULE;
    return module_type(cv, s, raw, &out->of.module);
}

/* ---- sizes ------------------------------------------------------------------------------ */

static uint32_t tyref_size(wg_ctyref t) {
    switch (t.kind) {
    case WG_CTY_VALUE: return wg__cval(t.of.value)->size;
    case WG_CTY_FUNC: return wg__cv_func_size(t.of.func);
    case WG_CTY_INSTANCE: return t.of.inst->size;
    case WG_CTY_COMPONENT: return t.of.comp->size;
    default: return 1;
    }
}

uint32_t wg__cv_entity_size(const wg_centity *e) {
    switch (e->kind) {
    case WG_EXT_MODULE: {
        uint64_t n = 1 + (uint64_t)e->of.module->nimports + e->of.module->nexports;
        return n > WG_CV_MAX_TYPE_SIZE ? WG_CV_MAX_TYPE_SIZE : (uint32_t)n;
    }
    case WG_EXT_FUNC: return wg__cv_func_size(e->of.func);
    case WG_EXT_VALUE: return wg__cval(e->of.value)->size;
    case WG_EXT_TYPE: return tyref_size(e->of.type.created);
    case WG_EXT_INSTANCE: return e->of.inst->size;
    default: return e->of.comp->size;
    }
}

static uint32_t entity_nest(const wg_centity *e) {
    wg_ctyref t = e->of.type.created;
    switch (e->kind) {
    case WG_EXT_INSTANCE: return e->of.inst->nest;
    case WG_EXT_COMPONENT: return e->of.comp->nest;
    case WG_EXT_TYPE:
        if (t.kind == WG_CTY_INSTANCE) return t.of.inst->nest;
        if (t.kind == WG_CTY_COMPONENT) return t.of.comp->nest;
        return 0;
    default: return 0;
    }
}

bool wg__cv_add_entity_info(wg_cv *cv, uint32_t *size, uint32_t *nest, const wg_centity *e) {
    uint32_t n = entity_nest(e) + 1;
    if (n > *nest) *nest = n;
    if (*nest > WG_CV_MAX_NEST) return wg__cv_fail(cv, "instance or component types nested too deeply");
    return wg__cv_add_size(cv, size, wg__cv_entity_size(e));
}
