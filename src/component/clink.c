/*
 * Linking the root component's imports (wg_cinstance_new): each import's
 * type is matched against what the linker defines for its name, as
 * wasmtime's linker does (its messages, which the conformance scripts
 * expect, are kept as parts of ours):
 *
 *   function   a host function takes any type (it gets the import's); a
 *              function of another instance must have the same type
 *   instance   every export the import's type lists must be found (by name,
 *              semver-compatibly for interface names) and match, except
 *              value types, which are not checked (they need no definition)
 *   resource   bound in the instance's resource map; a resource the
 *              component declares equal to one bound earlier must be the
 *              same ("mismatched resource types")
 *   module     the module must export what the type declares and import
 *              nothing it does not declare
 *
 * What an import matches against is a linker node or, inside another
 * instance's exports (define_instance), a runtime value. The result is the
 * import's runtime value: instances become bags in the order of the
 * import's type (cinst.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "component/cinst.h"
#include "util/error.h"

typedef struct have {
    const lk_node *node;
    const ci_val *val;
} have;

/* The names leading to what is being matched, for messages: formatted only
 * when something fails (linking is on every instantiation's path). */
#define MAX_PATH 16

typedef struct lctx {
    ci_ctx *cx;
    ci_di *di;
    const char *path[MAX_PATH];   /* the import's name, then exports */
    uint32_t depth;
} lctx;

static bool lfail(lctx *lc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool lfail(lctx *lc, const char *fmt, ...) {
    char m[400], where[300];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(m, sizeof m, fmt, ap);
    va_end(ap);
    size_t n = 0;
    uint32_t d = lc->depth < MAX_PATH ? lc->depth : MAX_PATH;
    for (uint32_t i = 0; i < d && n < sizeof where; i++)
        n += (size_t)snprintf(where + n, sizeof where - n, i ? ", export `%s`" : "import `%s`", lc->path[i]);
    if (!d) where[0] = '\0';
    return wg__ci_fail(lc->cx, WG_ERR_UNLINKABLE, "%s: %s", where, m);
}

static const char *have_desc(have h) {
    if (h.node) {
        switch (h.node->kind) {
        case LK_FUNC: return "func";
        case LK_RESOURCE: return "resource";
        case LK_MODULE: return "module";
        default: return "instance";
        }
    }
    switch (h.val->sort) {
    case WG_CS_FUNC: return "func";
    case WG_CS_TYPE: return h.val->of.rt ? "resource" : "type";
    case WG_CS_CORE_MODULE: return "module";
    case WG_CS_COMPONENT: return "component";
    default: return "instance";
    }
}

static const char *want_desc(const wg_centity *e) {
    switch (e->kind) {
    case WG_EXT_MODULE: return "module";
    case WG_EXT_FUNC: return "function";
    case WG_EXT_VALUE: return "value";
    case WG_EXT_TYPE: return e->of.type.created.kind == WG_CTY_RESOURCE ? "resource" : "type";
    case WG_EXT_COMPONENT: return "component";
    default: return "instance";
    }
}

static bool is_resource(const wg_centity *e) {
    return e->kind == WG_EXT_TYPE && e->of.type.created.kind == WG_CTY_RESOURCE;
}

/* Whether an import of type e needs a definition: value types do not, nor
 * instances of only such exports (recursively), nor a resource declared
 * equal to one bound already (wasmtime's rules). */
static bool needs_def(const ci_di *di, const wg_centity *e) {
    if (e->kind == WG_EXT_TYPE) {
        if (!is_resource(e)) return false;
        uint32_t slot = e->of.type.created.of.resource.id;
        return !(slot < di->canon.nrtypes && di->rtypes[slot]);
    }
    if (e->kind != WG_EXT_INSTANCE) return true;
    for (uint32_t i = 0; i < e->of.inst->nexports; i++)
        if (needs_def(di, &e->of.inst->exports[i].type)) return true;
    return false;
}

/* The value of an import satisfied without a definition (needs_def false):
 * types resolve to what is bound, instances to bags of those. */
static bool undefined_value(lctx *lc, const wg_centity *e, ci_val *out) {
    if (e->kind == WG_EXT_TYPE) {
        const ci_di *di = lc->di;
        uint32_t slot = is_resource(e) ? e->of.type.created.of.resource.id : WG_CNONE;
        *out = (ci_val){.sort = WG_CS_TYPE, .of.rt = slot < di->canon.nrtypes ? di->rtypes[slot] : NULL};
        return true;
    }
    const wg_cinsttype *t = e->of.inst;
    ci_named *items = WG_ARENA_ARRAY(&lc->di->top->arena, ci_named, t->nexports);
    ci_bag *bag = WG_ARENA_NEW(&lc->di->top->arena, ci_bag);
    if (!bag || (t->nexports && !items)) return wg__ci_oom(lc->cx);
    for (uint32_t i = 0; i < t->nexports; i++) {
        items[i].name = t->exports[i].name.name.s;
        items[i].len = t->exports[i].name.name.len;
        if (!undefined_value(lc, &t->exports[i].type, &items[i].v)) return false;
    }
    bag->n = t->nexports;
    bag->items = items;
    *out = (ci_val){.sort = WG_CS_INSTANCE, .of.inst = bag};
    return true;
}

/* The part of h named name, if any. */
static bool find(have h, const char *name, size_t len, have *out) {
    *out = (have){0};
    if (h.node && h.node->kind == LK_INSTANCE) {
        out->node = wg__lk_find(h.node, name, len);
        return out->node != NULL;
    }
    const ci_bag *b = h.node ? (h.node->kind == LK_EXTERN ? h.node->bag : NULL)
                             : (h.val->sort == WG_CS_INSTANCE ? h.val->of.inst : NULL);
    const ci_named *e = b ? wg__ci_bag_match(b, name, len) : NULL;
    if (e) out->val = &e->v;
    return e != NULL;
}

static bool is_instance(have h) {
    return h.node ? h.node->kind == LK_INSTANCE || h.node->kind == LK_EXTERN
                  : h.val->sort == WG_CS_INSTANCE;
}

/* ---- function types across instances -------------------------------------------------- */

typedef struct tside {
    const wg_rtype *const *rt;
    uint32_t nrt;
} tside;

static const wg_rtype *slot_rt(tside s, uint32_t slot) {
    return slot < s.nrt ? s.rt[slot] : NULL;
}

static bool same_name(const char *a, const char *b) {
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* Structural equality of a (in sa's resources) and b (in sb's). */
static bool same_type(const wg_ctype *a, tside sa, const wg_ctype *b, tside sb) {
    if (a == b && sa.rt == sb.rt) return true;
    if (!a || !b) return !a && !b;
    if (a->kind != b->kind || a->n != b->n) return false;
    switch (a->kind) {
    case WG_CT_RECORD: case WG_CT_TUPLE: case WG_CT_VARIANT:
        for (uint32_t i = 0; i < a->n; i++)
            if (!same_name(a->fields[i].name, b->fields[i].name) ||
                !same_type(a->fields[i].type, sa, b->fields[i].type, sb))
                return false;
        return true;
    case WG_CT_ENUM: case WG_CT_FLAGS:
        for (uint32_t i = 0; i < a->n; i++)
            if (!same_name(a->labels[i], b->labels[i])) return false;
        return true;
    case WG_CT_OWN: case WG_CT_BORROW: {
        const wg_rtype *x = slot_rt(sa, a->resource), *y = slot_rt(sb, b->resource);
        return x && x == y;
    }
    default:
        return same_type(a->elem, sa, b->elem, sb) && same_type(a->elem2, sa, b->elem2, sb);
    }
}

static bool same_functype(const wg_cfunctype *a, tside sa, const wg_cfunctype *b, tside sb,
                          char *why, size_t size) {
    if (a->async != b->async) {
        snprintf(why, size, "expected %s function, found %s function", a->async ? "async" : "sync",
                 b->async ? "async" : "sync");
        return false;
    }
    if (a->nparams != b->nparams) {
        snprintf(why, size, "expected %u parameters, found %u", a->nparams, b->nparams);
        return false;
    }
    for (uint32_t i = 0; i < a->nparams; i++) {
        if (!same_name(a->params[i].name, b->params[i].name)) {
            snprintf(why, size, "expected parameter named `%s`, found `%s`", a->params[i].name,
                     b->params[i].name);
            return false;
        }
        if (!same_type(a->params[i].type, sa, b->params[i].type, sb)) {
            snprintf(why, size, "type mismatch in function parameter `%s`", a->params[i].name);
            return false;
        }
    }
    if (!a->result != !b->result) {
        snprintf(why, size, a->result ? "expected a result, found none" : "expected no result, found one");
        return false;
    }
    if (!same_type(a->result, sa, b->result, sb)) {
        snprintf(why, size, "type mismatch with result type");
        return false;
    }
    return true;
}

/* ---- core modules ---------------------------------------------------------------------- */

static const char *core_kind(unsigned k) {
    static const char *const d[] = {"func", "table", "memory", "global", "tag"};
    return k <= 4 ? d[k] : "?";
}

static void print_func(const wg_functype_view *f, char *buf, size_t size) {
    static const struct { uint8_t t; const char *n; } names[] = {
        {WG_I32, "i32"}, {WG_I64, "i64"}, {WG_F32, "f32"}, {WG_F64, "f64"}, {WG_V128, "v128"},
        {WG_FUNCREF, "funcref"}, {WG_EXTERNREF, "externref"},
    };
    size_t n = (size_t)snprintf(buf, size, "(func");
    for (int part = 0; part < 2 && n < size; part++) {
        uint32_t cnt = part ? f->nresults : f->nparams;
        const uint8_t *ts = part ? f->results : f->params;
        if (!cnt) continue;
        n += (size_t)snprintf(buf + n, size - n, part ? " (result" : " (param");
        for (uint32_t i = 0; i < cnt && n < size; i++) {
            const char *tn = "?";
            for (size_t k = 0; k < sizeof names / sizeof names[0]; k++)
                if (names[k].t == ts[i]) tn = names[k].n;
            n += (size_t)snprintf(buf + n, size - n, " %s", tn);
        }
        if (n < size) n += (size_t)snprintf(buf + n, size - n, ")");
    }
    if (n < size) snprintf(buf + n, size - n, ")");
}

static bool same_func(const wg_functype_view *a, const wg_functype_view *b) {
    return a->nparams == b->nparams && a->nresults == b->nresults &&
           (!a->nparams || memcmp(a->params, b->params, a->nparams) == 0) &&
           (!a->nresults || memcmp(a->results, b->results, a->nresults) == 0);
}

static bool limits_within(const wg_limits *have, const wg_limits *want) {
    if (have->min < want->min) return false;
    return !want->has_max || (have->has_max && have->max <= want->max);
}

/* Whether the extern `have` (a module's) is a subtype of `want` (a declared
 * type); else a reason. */
static bool core_sub(const wg_extern_desc *have, const wg_ccoreext *want, char *why, size_t size) {
    if ((unsigned)have->kind != want->kind) {
        snprintf(why, size, "expected %s found %s", core_kind(want->kind), core_kind(have->kind));
        return false;
    }
    switch (want->kind) {
    case WG_CK_FUNC:
        if (!want->func || !same_func(&have->func, want->func)) {
            char x[160], y[160];
            if (want->func) print_func(want->func, x, sizeof x);
            else snprintf(x, sizeof x, "?");
            print_func(&have->func, y, sizeof y);
            snprintf(why, size, "expected type `%s`, found type `%s`", x, y);
            return false;
        }
        return true;
    case WG_CK_TABLE:
        if ((uint8_t)have->type != want->valtype || !limits_within(&have->limits, &want->limits)) {
            snprintf(why, size, "table types differ (element type or limits)");
            return false;
        }
        return true;
    case WG_CK_MEMORY:
        if (!limits_within(&have->limits, &want->limits)) {
            snprintf(why, size, "memory limits differ");
            return false;
        }
        return true;
    case WG_CK_GLOBAL:
        if ((uint8_t)have->type != want->valtype || have->mutable_ != want->mutable_) {
            snprintf(why, size, "global types differ (value type or mutability)");
            return false;
        }
        return true;
    default:
        snprintf(why, size, "tags are not supported");
        return false;
    }
}

/* The reverse, for imports: the declared import `have` must be a subtype
 * of what the module imports (`want`, as a descriptor). */
static bool core_sub_import(const wg_ccoreext *have, const wg_extern_desc *want, char *why,
                            size_t size) {
    if (have->kind != (unsigned)want->kind) {
        snprintf(why, size, "expected %s found %s", core_kind(want->kind), core_kind(have->kind));
        return false;
    }
    switch (have->kind) {
    case WG_CK_FUNC:
        if (!have->func || !same_func(have->func, &want->func)) {
            snprintf(why, size, "function types differ");
            return false;
        }
        return true;
    case WG_CK_TABLE:
        if (have->valtype != (uint8_t)want->type || !limits_within(&have->limits, &want->limits)) {
            snprintf(why, size, "table types differ (element type or limits)");
            return false;
        }
        return true;
    case WG_CK_MEMORY:
        if (!limits_within(&have->limits, &want->limits)) {
            snprintf(why, size, "memory limits differ");
            return false;
        }
        return true;
    case WG_CK_GLOBAL:
        if (have->valtype != (uint8_t)want->type || have->mutable_ != want->mutable_) {
            snprintf(why, size, "global types differ (value type or mutability)");
            return false;
        }
        return true;
    default:
        snprintf(why, size, "tags are not supported");
        return false;
    }
}

static bool match_module(lctx *lc, const wg_cmodtype *want, const wg_module *m) {
    char why[400];
    wg_extern_desc d;
    for (uint32_t i = 0; i < want->nexports; i++) {
        const wg_ccoreexport *e = &want->exports[i];
        bool found = false;
        for (uint32_t k = 0; !found && wg_module_export(m, k, &d); k++) {
            if (d.name_len != e->name.len || memcmp(d.name, e->name.s, d.name_len) != 0) continue;
            found = true;
            if (!core_sub(&d, &e->type, why, sizeof why))
                return lfail(lc, "module export `%s` has the wrong type: %s", e->name.s, why);
        }
        if (!found) return lfail(lc, "module export `%s` not defined", e->name.s);
    }
    for (uint32_t k = 0; wg_module_import(m, k, &d); k++) {
        const wg_ccoreimport *x = NULL;
        for (uint32_t i = 0; i < want->nimports && !x; i++) {
            const wg_ccoreimport *y = &want->imports[i];
            if (y->module.len == d.module_len && y->name.len == d.name_len &&
                memcmp(y->module.s, d.module, d.module_len) == 0 &&
                memcmp(y->name.s, d.name, d.name_len) == 0)
                x = y;
        }
        if (!x)
            return lfail(lc, "module import `%.*s::%.*s` not defined", (int)d.module_len, d.module,
                         (int)d.name_len, d.name);
        if (!core_sub_import(&x->type, &d, why, sizeof why))
            return lfail(lc, "module import `%s::%s` has the wrong type: %s", x->module.s, x->name.s,
                         why);
    }
    return true;
}

/* ---- matching ----------------------------------------------------------------------------- */

static bool match(lctx *lc, const wg_centity *want, have h, ci_val *out);

static bool match_func(lctx *lc, const wg_cfunctype *ft, have h, ci_val *out) {
    ci_di *di = lc->di;
    if (h.node && h.node->kind == LK_FUNC) {
        wg_cfunc *f = WG_ARENA_NEW(&di->top->arena, wg_cfunc);
        if (!f) return wg__ci_oom(lc->cx);
        f->kind = CF_HOST;
        f->ft = ft;
        f->di = di;
        f->host = &h.node->fn;
        *out = (ci_val){.sort = WG_CS_FUNC, .of.func = f};
        return true;
    }
    if (h.val && h.val->sort == WG_CS_FUNC) {
        const wg_cfunc *f = h.val->of.func;
        char why[300];
        tside a = {di->rtypes, di->canon.nrtypes};
        tside b = {f->di->rtypes, f->di->canon.nrtypes};
        if (!same_functype(ft, a, f->ft, b, why, sizeof why))
            return lfail(lc, "function has the wrong type: %s", why);
        *out = *h.val;
        return true;
    }
    return lfail(lc, "expected function found %s", have_desc(h));
}

static bool match_resource(lctx *lc, const wg_centity *want, have h, ci_val *out) {
    const wg_rtype *rt = NULL;
    if (h.node && h.node->kind == LK_RESOURCE) rt = h.node->rt;
    else if (h.val && h.val->sort == WG_CS_TYPE) rt = h.val->of.rt;
    if (!rt) return lfail(lc, "expected resource found %s", have_desc(h));
    uint32_t slot = want->of.type.created.of.resource.id;
    ci_di *di = lc->di;
    if (slot >= di->canon.nrtypes) return lfail(lc, "resource slot %u out of range", slot);
    if (di->rtypes[slot] && di->rtypes[slot] != rt) return lfail(lc, "mismatched resource types");
    di->rtypes[slot] = rt;
    *out = (ci_val){.sort = WG_CS_TYPE, .of.rt = rt};
    return true;
}

static bool match_instance(lctx *lc, const wg_cinsttype *t, have h, ci_val *out) {
    if (!is_instance(h)) return lfail(lc, "expected instance found %s", have_desc(h));
    ci_named *items = WG_ARENA_ARRAY(&lc->di->top->arena, ci_named, t->nexports);
    ci_bag *bag = WG_ARENA_NEW(&lc->di->top->arena, ci_bag);
    if (!bag || (t->nexports && !items)) return wg__ci_oom(lc->cx);
    uint32_t depth = lc->depth;
    for (uint32_t i = 0; i < t->nexports; i++) {
        const wg_cextern *e = &t->exports[i];
        items[i].name = e->name.name.s;
        items[i].len = e->name.name.len;
        have sub;
        if (!find(h, e->name.name.s, e->name.name.len, &sub)) {
            if (!needs_def(lc->di, &e->type)) {
                if (!undefined_value(lc, &e->type, &items[i].v)) return false;
                continue;
            }
            return lfail(lc, "instance export `%s` (%s) was not found", e->name.name.s,
                         want_desc(&e->type));
        }
        if (depth < MAX_PATH) lc->path[depth] = e->name.name.s;
        lc->depth = depth + 1;
        bool ok = match(lc, &e->type, sub, &items[i].v);
        lc->depth = depth;
        if (!ok) return false;
    }
    bag->n = t->nexports;
    bag->items = items;
    *out = (ci_val){.sort = WG_CS_INSTANCE, .of.inst = bag};
    return true;
}

static bool match(lctx *lc, const wg_centity *want, have h, ci_val *out) {
    switch (want->kind) {
    case WG_EXT_FUNC:
        return match_func(lc, want->of.func, h, out);
    case WG_EXT_INSTANCE:
        return match_instance(lc, want->of.inst, h, out);
    case WG_EXT_TYPE:
        if (is_resource(want)) return match_resource(lc, want, h, out);
        *out = (ci_val){.sort = WG_CS_TYPE};
        return true;
    case WG_EXT_MODULE: {
        const wg_module *m = h.node && h.node->kind == LK_MODULE ? h.node->module
                             : h.val && h.val->sort == WG_CS_CORE_MODULE ? h.val->of.module
                                                                        : NULL;
        if (!m) return lfail(lc, "expected module found %s", have_desc(h));
        if (!match_module(lc, want->of.module, m)) return false;
        *out = (ci_val){.sort = WG_CS_CORE_MODULE, .of.module = m};
        return true;
    }
    case WG_EXT_COMPONENT:
        if (h.val && h.val->sort == WG_CS_COMPONENT)
            return lfail(lc, "not supported yet: importing a component from another instance");
        return lfail(lc, "expected component found %s", have_desc(h));
    default:
        return lfail(lc, "not supported yet: value imports");
    }
}

bool wg__ci_link_import(ci_ctx *cx, ci_di *di, const wg_citem *it, ci_val *out) {
    const wg_cstr *name = &it->u.import.name.name;
    lctx lc = {.cx = cx, .di = di, .path = {name->s}, .depth = 1};
    const lk_node *root = wg__lk_root(cx->linker);
    const lk_node *n = root ? wg__lk_find(root, name->s, name->len) : NULL;
    if (!n) {
        if (!needs_def(di, &it->entity)) return undefined_value(&lc, &it->entity, out);
        return wg__ci_fail(cx, WG_ERR_UNLINKABLE,
                           "component imports %s `%s`, but a matching implementation was not "
                           "found in the linker",
                           want_desc(&it->entity), name->s);
    }
    return match(&lc, &it->entity, (have){.node = n}, out);
}
