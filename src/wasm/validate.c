/*
 * Module-level validation (spec 3.4 "Modules", 2.0): everything except the
 * instruction sequences of function bodies, which the compiler validates
 * while it compiles them (compile.c). Also computes C.refs
 * (m->declared_funcs): the functions that ref.func may name inside bodies.
 *
 * Constant expressions are checked in the context C' of the spec's test
 * suite: global.get may only name an imported, immutable global. The
 * extended-const operators (i32/i64 add, sub, mul) are not part of 2.0 and
 * are rejected with "constant expression required".
 *
 * Errors: kind WG_ERR_INVALID, message in the spec's wording first, then
 * context in parentheses.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/error.h"
#include "wasm/module.h"

/* True if a and b have the same parameter and result types. */
bool wg__functype_equal(const wg_functype *a, const wg_functype *b) {
    return a->nparams == b->nparams && a->nresults == b->nresults &&
           (a->nparams == 0 || memcmp(a->params, b->params, a->nparams) == 0) &&
           (a->nresults == 0 || memcmp(a->results, b->results, a->nresults) == 0);
}

/* Formats "MSG (CONTEXT, offset 0xN)" into err with kind WG_ERR_INVALID. */
static bool invalid(wg_error *err, size_t offset, const char *msg, const char *ctx) {
    if (offset == (size_t)-1) return wg__error(err, WG_ERR_INVALID, offset, "%s (%s)", msg, ctx);
    return wg__error(err, WG_ERR_INVALID, offset, "%s (%s, offset 0x%zx)", msg, ctx, offset);
}

static bool check_table_limits(const wg_limits *l, wg_error *err, const char *ctx) {
    if (l->has_max && l->min > l->max)
        return invalid(err, (size_t)-1, "size minimum must not be greater than maximum", ctx);
    return true;
}

static bool check_mem_limits(const wg_limits *l, wg_error *err, const char *ctx) {
    if (l->min > WG_MAX_PAGES || (l->has_max && l->max > WG_MAX_PAGES))
        return invalid(err, (size_t)-1, "memory size must be at most 65536 pages (4GiB)", ctx);
    if (l->has_max && l->min > l->max)
        return invalid(err, (size_t)-1, "size minimum must not be greater than maximum", ctx);
    return true;
}

/* Type-checks a constant expression that must produce one value of type
 * `want`. ctx names the expression for messages. */
static bool check_const_expr(const wg_module *m, const wg_constexpr *e, uint8_t want,
                             wg_error *err, const char *ctx) {
    uint8_t stack[2];
    uint32_t depth = 0;
    char msg[64];
    for (uint32_t i = 0; i < e->nops; i++) {
        const wg_constop *op = &e->ops[i];
        uint8_t t;
        switch (op->opcode) {
        case 0x41: t = WG_I32; break;
        case 0x42: t = WG_I64; break;
        case 0x43: t = WG_F32; break;
        case 0x44: t = WG_F64; break;
        case 0xD0: t = (uint8_t)op->imm; break;
        case 0xD2:
            if (op->imm >= m->nfuncs) {
                snprintf(msg, sizeof msg, "unknown function %llu", (unsigned long long)op->imm);
                return invalid(err, e->offset, msg, ctx);
            }
            t = WG_FUNCREF;
            break;
        case 0x23:
            if (op->imm >= m->nimported_globals) {
                snprintf(msg, sizeof msg, "unknown global %llu", (unsigned long long)op->imm);
                return invalid(err, e->offset, msg, ctx);
            }
            if (m->global_types[op->imm].mut)
                return invalid(err, e->offset, "constant expression required", ctx);
            t = m->global_types[op->imm].type;
            break;
        default:  /* extended-const arithmetic: not in Wasm 2.0 */
            return invalid(err, e->offset, "constant expression required", ctx);
        }
        /* Every allowed operator pushes one value; more than one value left
         * at the end is a type mismatch, so two slots are enough to know. */
        if (depth == 2) return invalid(err, e->offset, "type mismatch", ctx);
        stack[depth++] = t;
    }
    if (depth != 1 || stack[0] != want) return invalid(err, e->offset, "type mismatch", ctx);
    return true;
}

static bool check_imports(const wg_module *m, wg_error *err) {
    char ctx[48];
    for (uint32_t i = 0; i < m->nimports; i++) {
        const wg_import *im = &m->imports[i];
        snprintf(ctx, sizeof ctx, "import %u", i);
        switch (im->kind) {
        case WG_EXTERN_FUNC:
            if (im->type_idx >= m->ntypes) {
                char msg[48];
                snprintf(msg, sizeof msg, "unknown type %u", im->type_idx);
                return invalid(err, (size_t)-1, msg, ctx);
            }
            break;
        case WG_EXTERN_TABLE:
            if (!check_table_limits(&im->table.limits, err, ctx)) return false;
            break;
        case WG_EXTERN_MEMORY:
            if (!check_mem_limits(&im->mem, err, ctx)) return false;
            break;
        default:
            break;
        }
    }
    return true;
}

static bool check_definitions(const wg_module *m, wg_error *err) {
    char ctx[48], msg[48];
    for (uint32_t i = m->nimported_funcs; i < m->nfuncs; i++) {
        if (m->func_types[i] >= m->ntypes) {
            snprintf(ctx, sizeof ctx, "function %u", i);
            snprintf(msg, sizeof msg, "unknown type %u", m->func_types[i]);
            return invalid(err, (size_t)-1, msg, ctx);
        }
    }
    for (uint32_t i = m->nimported_tables; i < m->ntables; i++) {
        snprintf(ctx, sizeof ctx, "table %u", i);
        if (!check_table_limits(&m->tables[i].limits, err, ctx)) return false;
    }
    if (m->nmems > 1) return invalid(err, (size_t)-1, "multiple memories", "memory 1");
    for (uint32_t i = m->nimported_mems; i < m->nmems; i++) {
        snprintf(ctx, sizeof ctx, "memory %u", i);
        if (!check_mem_limits(&m->mems[i], err, ctx)) return false;
    }
    for (uint32_t i = m->nimported_globals; i < m->nglobals; i++) {
        const wg_global_def *g = &m->globals[i - m->nimported_globals];
        snprintf(ctx, sizeof ctx, "global %u initializer", i);
        if (!check_const_expr(m, &g->init, g->type.type, err, ctx)) return false;
    }
    return true;
}

/* Orders exports by name (length, then bytes) to find duplicates. */
static int cmp_export_name(const void *a, const void *b) {
    const wg_export *x = *(const wg_export *const *)a, *y = *(const wg_export *const *)b;
    if (x->name_len != y->name_len) return x->name_len < y->name_len ? -1 : 1;
    return x->name_len ? memcmp(x->name, y->name, x->name_len) : 0;
}

static bool check_exports(const wg_module *m, wg_error *err) {
    static const char *const kind_names[] = {"function", "table", "memory", "global"};
    char ctx[48], msg[48];
    for (uint32_t i = 0; i < m->nexports; i++) {
        const wg_export *ex = &m->exports[i];
        uint32_t limit = ex->kind == WG_EXTERN_FUNC    ? m->nfuncs
                         : ex->kind == WG_EXTERN_TABLE ? m->ntables
                         : ex->kind == WG_EXTERN_MEMORY ? m->nmems
                                                         : m->nglobals;
        if (ex->index >= limit) {
            snprintf(ctx, sizeof ctx, "export %u", i);
            snprintf(msg, sizeof msg, "unknown %s %u", kind_names[ex->kind & 3], ex->index);
            return invalid(err, (size_t)-1, msg, ctx);
        }
    }
    if (m->nexports < 2) return true;
    const wg_export **sorted = malloc(m->nexports * sizeof *sorted);
    if (!sorted) return wg__error(err, WG_ERR_RESOURCE, (size_t)-1, "out of memory");
    for (uint32_t i = 0; i < m->nexports; i++) sorted[i] = &m->exports[i];
    qsort(sorted, m->nexports, sizeof *sorted, cmp_export_name);
    bool ok = true;
    for (uint32_t i = 1; i < m->nexports && ok; i++) {
        if (cmp_export_name(&sorted[i - 1], &sorted[i]) == 0) {
            snprintf(ctx, sizeof ctx, "export %u", (uint32_t)(sorted[i] - m->exports));
            ok = invalid(err, (size_t)-1, "duplicate export name", ctx);
        }
    }
    free(sorted);
    return ok;
}

static bool check_start(const wg_module *m, wg_error *err) {
    if (!m->has_start) return true;
    if (m->start >= m->nfuncs) {
        char msg[48];
        snprintf(msg, sizeof msg, "unknown function %u", m->start);
        return invalid(err, (size_t)-1, msg, "start section");
    }
    const wg_functype *t = &m->types[m->func_types[m->start]];
    if (t->nparams || t->nresults)
        return invalid(err, (size_t)-1, "start function", "start section: type must be [] -> []");
    return true;
}

static bool check_elems(const wg_module *m, wg_error *err) {
    char ctx[64], msg[48];
    for (uint32_t i = 0; i < m->nelems; i++) {
        const wg_elem *e = &m->elems[i];
        if (e->mode == WG_SEG_ACTIVE) {
            snprintf(ctx, sizeof ctx, "element segment %u", i);
            if (e->table_idx >= m->ntables) {
                snprintf(msg, sizeof msg, "unknown table %u", e->table_idx);
                return invalid(err, e->pos, msg, ctx);
            }
            snprintf(ctx, sizeof ctx, "element segment %u offset", i);
            if (!check_const_expr(m, &e->offset, WG_I32, err, ctx)) return false;
            if (m->tables[e->table_idx].elem_type != e->elem_type) {
                snprintf(ctx, sizeof ctx, "element segment %u: table element type", i);
                return invalid(err, e->pos, "type mismatch", ctx);
            }
        }
        for (uint32_t k = 0; k < e->nitems; k++) {
            snprintf(ctx, sizeof ctx, "element segment %u item %u", i, k);
            if (!check_const_expr(m, &e->items[k], e->elem_type, err, ctx)) return false;
        }
    }
    return true;
}

static bool check_datas(const wg_module *m, wg_error *err) {
    char ctx[48], msg[48];
    for (uint32_t i = 0; i < m->ndatas; i++) {
        const wg_data *s = &m->datas[i];
        if (s->mode != WG_SEG_ACTIVE) continue;
        snprintf(ctx, sizeof ctx, "data segment %u", i);
        if (s->mem_idx >= m->nmems) {
            snprintf(msg, sizeof msg, "unknown memory %u", s->mem_idx);
            return invalid(err, s->pos, msg, ctx);
        }
        snprintf(ctx, sizeof ctx, "data segment %u offset", i);
        if (!check_const_expr(m, &s->offset, WG_I32, err, ctx)) return false;
    }
    return true;
}

static void mark_refs(const wg_constexpr *e, const wg_module *m, bool *declared) {
    for (uint32_t i = 0; i < e->nops; i++)
        if (e->ops[i].opcode == 0xD2 && e->ops[i].imm < m->nfuncs) declared[e->ops[i].imm] = true;
}

/* Fills m->declared_funcs (C.refs): ref.func operands in the module's
 * constant expressions and the exported functions. */
static bool compute_refs(wg_module *m, wg_error *err) {
    free(m->declared_funcs);
    m->declared_funcs = calloc(m->nfuncs ? m->nfuncs : 1, sizeof *m->declared_funcs);
    if (!m->declared_funcs) return wg__error(err, WG_ERR_RESOURCE, (size_t)-1, "out of memory");
    bool *declared = m->declared_funcs;
    for (uint32_t i = 0; i < m->nglobals - m->nimported_globals; i++)
        mark_refs(&m->globals[i].init, m, declared);
    for (uint32_t i = 0; i < m->nelems; i++) {
        mark_refs(&m->elems[i].offset, m, declared);
        for (uint32_t k = 0; k < m->elems[i].nitems; k++)
            mark_refs(&m->elems[i].items[k], m, declared);
    }
    for (uint32_t i = 0; i < m->ndatas; i++) mark_refs(&m->datas[i].offset, m, declared);
    for (uint32_t i = 0; i < m->nexports; i++)
        if (m->exports[i].kind == WG_EXTERN_FUNC && m->exports[i].index < m->nfuncs)
            declared[m->exports[i].index] = true;
    return true;
}

/* Validates m at module level, fills m->declared_funcs (owned by m), then
 * has compile.c validate and compile every body. False with err filled on
 * the first error. */
bool wg__validate_and_compile(wg_module *m, wg_error *err) {
    if (m->nbodies != m->nfuncs - m->nimported_funcs)
        return wg__error(err, WG_ERR_MALFORMED, (size_t)-1,
                         "function and code section have inconsistent lengths");
    if (!check_imports(m, err) || !check_definitions(m, err) || !check_exports(m, err) ||
        !check_start(m, err) || !check_elems(m, err) || !check_datas(m, err))
        return false;
    if (!compute_refs(m, err)) return false;
    return wg__compile_functions(m, err);
}
