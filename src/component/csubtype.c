/*
 * Type checking between components (Explainer.md "Type Checking"); the
 * substitutions it relies on are in cremap.c.
 *
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
        ok = wg__cv_remap_externs(cv, comp->exports, comp->nexports, &m, &t->exports) &&
             wg__cv_remap_paths(cv, comp->explicit_, comp->nexplicit, &m, &t->explicit_);
        t->nexports = comp->nexports;
        t->nexplicit = comp->nexplicit;
    }
    wg__cremap_free(&m);
    if (!ok) return false;
    *out = t;
    return true;
}
