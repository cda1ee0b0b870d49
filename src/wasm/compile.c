/*
 * Function-body validation and compilation to internal code, in one pass
 * (WebAssembly 2.0: MVP, sign extension, non-trapping float-to-int,
 * multi-value, bulk memory, reference types; SIMD is rejected).
 *
 * Validation follows the spec's appendix algorithm (operand stack of types,
 * control stack of labels, polymorphic stack after br/br_table/return/
 * unreachable). While validating, every value gets a frame slot and the code
 * described in ir.h is emitted; see compile_int.h for the virtual stack and
 * compile_emit.c for branches. All functions' code goes into one allocation,
 * m->code; m->code_funcs[i].code points into it.
 *
 * What the code generation does to keep instruction counts low:
 *   - local.get and constants emit nothing; consumers read the local's slot,
 *     fold the constant into a *_ri op, or read it from the constant pool;
 *   - local.set/tee rewrites the producing instruction's dst to the local;
 *   - comparisons (and eqz) followed by br_if/if become one compare-and-branch;
 *   - a constant load/store address moves into the offset immediate;
 *   - an address computed by i32.add/sub of a constant right before a load
 *     fuses into the load (*_ri: the add's 32-bit wrap is kept);
 *   - i32.wrap_i64 and the reinterpret ops emit nothing (same cell bits);
 *   - drop, nop and unreachable code emit nothing.
 */
#include "wasm/compile_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/error.h"

/* Static storage for single-value block types: a pointer into this array
 * serves as the one-element type list. */
static const uint8_t single_types[] = {WG_I32, WG_I64, WG_F32, WG_F64, WG_FUNCREF, WG_EXTERNREF};

static const uint8_t *single_type(uint8_t t) {
    for (unsigned i = 0; i < sizeof single_types; i++)
        if (single_types[i] == t) return &single_types[i];
    return NULL;
}

static bool is_ref(uint8_t t) { return t == WG_FUNCREF || t == WG_EXTERNREF; }

static bool rfail(wg__cc *c) {
    c->op_pos = c->r.err_pos;
    return wg__cc_fail(c, WG_ERR_MALFORMED, c->r.err ? c->r.err : "unexpected end", NULL);
}

static bool invalid(wg__cc *c, const char *msg) { return wg__cc_fail(c, WG_ERR_INVALID, msg, NULL); }

/* "unknown table 3 (func ...)": the spec tests name the index right after the message. */
static bool invalid_idx(wg__cc *c, const char *msg, uint32_t idx) {
    char m[64];
    snprintf(m, sizeof m, "%s %u", msg, idx);
    return wg__cc_fail(c, WG_ERR_INVALID, m, NULL);
}

static bool read_u32(wg__cc *c, uint32_t *out) { return wg_read_u32(&c->r, out) || rfail(c); }

static bool read_zero(wg__cc *c) {
    uint8_t b;
    if (!wg_read_u8(&c->r, &b)) return rfail(c);
    if (b != 0) return wg__cc_fail(c, WG_ERR_MALFORMED, "zero byte expected", NULL);
    return true;
}

static bool need_memory(wg__cc *c) {
    if (c->m->nmems == 0) return invalid_idx(c, "unknown memory", 0);
    return true;
}

/* Block type: 0x40 (empty), a value type, or a type index as s33. */
static bool read_blocktype(wg__cc *c, uint32_t *np, const uint8_t **p, uint32_t *nr,
                           const uint8_t **r) {
    if (c->r.p >= c->r.end) {
        wg_reader_fail(&c->r, "unexpected end");
        return rfail(c);
    }
    uint8_t b = *c->r.p;
    *np = 0;
    *p = NULL;
    if (b == 0x40) {
        c->r.p++;
        *nr = 0;
        *r = NULL;
        return true;
    }
    if (b == WG_V128) return invalid(c, "SIMD not yet implemented");
    const uint8_t *st = single_type(b);
    if (st) {
        c->r.p++;
        *nr = 1;
        *r = st;
        return true;
    }
    int64_t idx;
    if (!wg_read_s33(&c->r, &idx)) return rfail(c);
    if (idx < 0) return wg__cc_fail(c, WG_ERR_MALFORMED, "malformed value type", "block type");
    if ((uint64_t)idx >= c->m->ntypes) return invalid_idx(c, "unknown type", (uint32_t)idx);
    const wg_functype *ft = &c->m->types[idx];
    *np = ft->nparams;
    *p = ft->params;
    *nr = ft->nresults;
    *r = ft->results;
    return true;
}

/* Pops n values of the given types and pushes them back with those types,
 * keeping their locations (block params, br_if values). */
static bool pop_push_types(wg__cc *c, uint32_t n, const uint8_t *types) {
    uint32_t len = c->vals.len;
    if (!wg__pop_types(c, n, types)) return false;
    if (len - c->vals.len == n) {
        c->vals.len = len;
        for (uint32_t i = 0; i < n; i++) c->vals.data[len - n + i].type = types[i];
        return true;
    }
    /* some came from the polymorphic stack (unreachable code: locations do not matter) */
    for (uint32_t i = 0; i < n; i++)
        if (!wg__push_slot(c, types[i])) return false;
    return true;
}

/* Block, loop and if entry: the params are popped/pushed, the label pushed,
 * locals spilled (and for loop/if, params made canonical). */
static bool enter_block(wg__cc *c, uint8_t kind, uint32_t np, const uint8_t *p, uint32_t nr,
                        const uint8_t *r) {
    uint32_t parent_height = c->ctrls.data[c->ctrls.len - 1].height;
    if (!pop_push_types(c, np, p)) return false;
    if (!wg__push_ctrl(c, kind, np, p, nr, r)) return false;
    if (wg__cc_dead(c)) return true;
    wg__spill(c, parent_height, false);
    if (kind != CK_BLOCK) wg__spill(c, c->vals.len - np, true);
    c->local_floor = c->vals.len;
    return true;
}

static bool op_block(wg__cc *c, uint8_t kind) {
    uint32_t np = 0, nr = 0;
    const uint8_t *p = NULL, *r = NULL;
    if (!read_blocktype(c, &np, &p, &nr, &r)) return false;
    if (kind == CK_IF) {
        ccond cond;
        if (!wg__get_cond(c, &cond)) return false;
        if (!enter_block(c, CK_IF, np, p, nr, r)) return false;
        cctrl *t = &c->ctrls.data[c->ctrls.len - 1];
        uint32_t w[3];
        for (uint32_t i = 0; i < cond.n; i++) w[i] = cond.w[i];
        t->else_instr = wg__emit_fwd(c, cond.op_false, cond.n + 1, w);
        t->else_word = t->else_instr + cond.n + 1;
        return true;
    }
    if (!enter_block(c, kind, np, p, nr, r)) return false;
    if (kind == CK_LOOP) {
        cctrl *t = &c->ctrls.data[c->ctrls.len - 1];
        c->nloops++;
        t->start_pc = c->code.len;
        wg__cc_label(c);
    }
    return true;
}

/* Checks the results at a block's end/else and writes them to their
 * canonical slots. */
static bool close_results(wg__cc *c, cctrl *t) {
    if (!wg__pop_types(c, t->nresults, t->results)) return false;
    if (c->vals.len != t->height)
        return wg__cc_fail(c, WG_ERR_INVALID, "type mismatch", "values remain on the stack at end of block");
    if (!t->unreachable && !t->dead) {
        c->vals.len = t->height + t->nresults;
        for (uint32_t i = 0; i < t->nresults; i++) wg__materialize(c, t->height + i);
        c->vals.len = t->height;
    }
    return true;
}

static bool op_else(wg__cc *c) {
    cctrl *t = &c->ctrls.data[c->ctrls.len - 1];
    if (t->kind != CK_IF) return wg__cc_fail(c, WG_ERR_MALFORMED, "END opcode expected", "else without if");
    if (!close_results(c, t)) return false;
    if (!t->unreachable && !t->dead) {
        uint32_t w[1];
        wg__emit_branch_op(c, WG_OP_br, 1, w, t);   /* to the end */
    }
    wg__patch_here(c, t->else_instr, t->else_word);
    t->else_instr = NONE;
    t->kind = CK_ELSE;
    t->unreachable = false;
    wg__cc_label(c);
    c->vals.len = t->height;
    for (uint32_t i = 0; i < t->nparams; i++)
        if (!wg__push_slot(c, t->params[i])) return false;
    return true;
}

static bool op_end(wg__cc *c) {
    cctrl *t = &c->ctrls.data[c->ctrls.len - 1];
    if (t->kind == CK_IF &&
        (t->nparams != t->nresults ||
         (t->nresults && memcmp(t->params, t->results, t->nresults) != 0)))
        return wg__cc_fail(c, WG_ERR_INVALID, "type mismatch", "if without else must not change the stack type");
    if (t->kind == CK_FUNC) {
        bool live = !t->unreachable;
        uint32_t len = c->vals.len;
        if (!wg__pop_types(c, t->nresults, t->results)) return false;
        if (c->vals.len != t->height)
            return wg__cc_fail(c, WG_ERR_INVALID, "type mismatch", "values remain on the stack at end of function");
        if (live) {
            c->vals.len = len;
            wg__emit_return(c);
        } else if (!c->oom) {
            /* the code must end with a return even when the end is unreachable */
            if (!WG_VEC_PUSH(c->code, (uint32_t)c->handlers[WG_OP_return])) c->oom = true;
        }
        c->vals.len = 0;
        c->ctrls.len--;
        return true;
    }
    if (!close_results(c, t)) return false;
    bool label = t->patches != NONE || t->else_instr != NONE;
    wg__patch_here(c, t->else_instr, t->else_word);
    wg__resolve_patches(c, t);
    if (label) wg__cc_label(c);
    uint32_t nr = t->nresults;
    const uint8_t *r = t->results;
    if (t->kind == CK_LOOP) c->nloops--;
    c->ctrls.len--;
    for (uint32_t i = 0; i < nr; i++)
        if (!wg__push_slot(c, r[i])) return false;
    return true;
}

static bool read_depth(wg__cc *c, uint32_t *depth) {
    if (!read_u32(c, depth)) return false;
    if (*depth >= c->ctrls.len) return invalid_idx(c, "unknown label", *depth);
    return true;
}

static bool op_br(wg__cc *c) {
    uint32_t depth;
    if (!read_depth(c, &depth)) return false;
    cctrl *t = &c->ctrls.data[c->ctrls.len - 1 - depth];
    if (!wg__check_label_values(c, t)) return false;
    if (!wg__cc_dead(c)) wg__branch_to(c, depth);
    wg__set_unreachable(c);
    return true;
}

static bool op_br_if(wg__cc *c) {
    uint32_t depth;
    if (!read_depth(c, &depth)) return false;
    ccond cond;
    if (!wg__get_cond(c, &cond)) return false;
    cctrl *t = &c->ctrls.data[c->ctrls.len - 1 - depth];
    uint32_t n;
    const uint8_t *types;
    wg__label_types(t, &n, &types);
    if (!pop_push_types(c, n, types)) return false;
    wg__cond_branch(c, &cond, true, depth);
    return true;
}

static bool op_br_table(wg__cc *c) {
    uint32_t n;
    if (!read_u32(c, &n)) return false;
    /* each label takes at least one byte: bound n by the bytes left before allocating */
    if (n > (size_t)(c->r.end - c->r.p)) {
        wg_reader_fail(&c->r, "unexpected end");
        return rfail(c);
    }
    c->scratch.len = 0;
    if (!WG_VEC_RESERVE(c->scratch, n + 1)) {
        c->oom = true;
        return wg__cc_fail(c, WG_ERR_RESOURCE, "out of memory", NULL);
    }
    for (uint32_t i = 0; i <= n; i++) {
        uint32_t d;
        if (!read_depth(c, &d)) return false;
        c->scratch.data[c->scratch.len++] = d;
    }
    cval cv;
    if (!wg__pop_expect(c, WG_I32, &cv)) return false;
    uint32_t cond_h = c->vals.len;
    const uint32_t *depths = c->scratch.data;
    uint32_t arity, k;
    const uint8_t *types;
    wg__label_types(&c->ctrls.data[c->ctrls.len - 1 - depths[n]], &arity, &types);
    for (uint32_t i = 0; i <= n; i++) {
        const cctrl *t = &c->ctrls.data[c->ctrls.len - 1 - depths[i]];
        wg__label_types(t, &k, &types);
        if (k != arity) return wg__cc_fail(c, WG_ERR_INVALID, "type mismatch", "br_table labels have different arity");
        if (!wg__check_label_values(c, t)) return false;
    }
    if (!wg__cc_dead(c)) {
        uint32_t slot = wg__slot_of(c, &cv, cond_h);
        wg__emit_br_table(c, slot, n, depths);
    }
    wg__set_unreachable(c);
    return true;
}

/* call / call_indirect: args must be in canonical slots; results replace them. */
static bool do_call(wg__cc *c, const wg_functype *ft, uint32_t op, uint32_t a, uint32_t b,
                    uint32_t idx_slot_h, cval *idx) {
    if (!wg__pop_types(c, ft->nparams, ft->params)) return false;
    uint32_t base_h = c->vals.len;
    if (!wg__cc_dead(c)) {
        uint32_t idx_slot = 0;
        if (idx) idx_slot = wg__slot_of(c, idx, idx_slot_h);
        for (uint32_t i = 0; i < ft->nparams; i++) wg__materialize(c, base_h + i);
        uint32_t base = wg__cc_canon(c, base_h);
        if (op == WG_OP_call_indirect) {
            wg__emit4(c, op, 4, a, b, idx_slot, base);
        } else if (op == WG_OP_call_direct) {
            /* off, frame, z and n are filled in by patch_calls */
            uint32_t w[6] = {a, base, 0, 0, 0, 0};
            uint32_t at = wg__emit(c, op, 6, w);
            if (at != NONE && (!WG_VEC_PUSH(c->calls, at) || !WG_VEC_PUSH(c->calls, a)))
                c->oom = true;
        } else
            wg__emit4(c, op, 2, a, base, 0, 0);
    }
    for (uint32_t i = 0; i < ft->nresults; i++)
        if (!wg__push_slot(c, ft->results[i])) return false;
    return true;
}

static bool op_call(wg__cc *c) {
    uint32_t f;
    if (!read_u32(c, &f)) return false;
    if (f >= c->m->nfuncs) return invalid_idx(c, "unknown function", f);
    const wg_functype *ft = &c->m->types[c->m->func_types[f]];
    if (f < c->m->nimported_funcs) return do_call(c, ft, WG_OP_call_import, f, 0, 0, NULL);
    return do_call(c, ft, WG_OP_call_direct, f - c->m->nimported_funcs, 0, 0, NULL);
}

static bool op_call_indirect(wg__cc *c) {
    uint32_t ti, tab;
    if (!read_u32(c, &ti) || !read_u32(c, &tab)) return false;
    if (ti >= c->m->ntypes) return invalid_idx(c, "unknown type", ti);
    if (tab >= c->m->ntables) return invalid_idx(c, "unknown table", tab);
    if (c->m->tables[tab].elem_type != WG_FUNCREF)
        return wg__cc_fail(c, WG_ERR_INVALID, "type mismatch", "call_indirect table must be funcref");
    cval idx;
    if (!wg__pop_expect(c, WG_I32, &idx)) return false;
    uint32_t idx_h = c->vals.len;
    return do_call(c, &c->m->types[ti], WG_OP_call_indirect, ti, tab, idx_h, &idx);
}

static bool op_select(wg__cc *c, bool typed) {
    uint8_t want = T_UNKNOWN;
    if (typed) {
        uint32_t n;
        if (!read_u32(c, &n)) return false;
        if (n != 1) return invalid(c, "invalid result arity");
        uint8_t t;
        if (!wg_read_u8(&c->r, &t)) return rfail(c);
        if (t == WG_V128) return invalid(c, "SIMD not yet implemented");
        if (!single_type(t)) return wg__cc_fail(c, WG_ERR_MALFORMED, "malformed value type", NULL);
        want = t;
    }
    cval cv, b, a;
    if (!wg__pop_expect(c, WG_I32, &cv)) return false;
    if (!wg__pop_expect(c, want, &b) || !wg__pop_expect(c, want, &a)) return false;
    uint8_t t = want;
    if (!typed) {
        if (is_ref(a.type) || is_ref(b.type))
            return wg__cc_fail(c, WG_ERR_INVALID, "type mismatch", "select without type needs numeric operands");
        if (a.type != b.type && a.type != T_UNKNOWN && b.type != T_UNKNOWN)
            return wg__cc_fail(c, WG_ERR_INVALID, "type mismatch", "select operands differ");
        t = a.type == T_UNKNOWN ? b.type : a.type;
    }
    uint32_t h = c->vals.len;
    if (!wg__cc_dead(c)) {
        uint32_t sa = wg__slot_of(c, &a, h), sb = wg__slot_of(c, &b, h + 1);
        uint32_t sc = wg__slot_of(c, &cv, h + 2);
        uint32_t at = wg__emit4(c, WG_OP_select, 4, wg__cc_canon(c, h), sa, sb, sc);
        wg__cc_set_last(c, at, WG_OP_select, at + 1, h);
    }
    return wg__push_slot(c, t);
}

static bool read_local(wg__cc *c, uint32_t *x) {
    if (!read_u32(c, x)) return false;
    if (*x >= c->nlocals) return invalid_idx(c, "unknown local", *x);
    return true;
}

/* local.set / local.tee */
static bool op_local_set(wg__cc *c, bool tee) {
    uint32_t x;
    if (!read_local(c, &x)) return false;
    bool retarget = wg__cc_top_is_last(c) && c->last_dst_word != NONE;
    cval v;
    if (!wg__pop_expect(c, c->local_types[x], &v)) return false;
    uint32_t h = c->vals.len;
    if (wg__cc_dead(c)) return tee ? wg__push_slot(c, c->local_types[x]) : true;
    if (v.loc == LOC_LOCAL && v.local == x) return tee ? wg__push(c, v.type, v.loc, v.local, 0) : true;
    /* entries that still read local x must take its old value first; a long
     * scan spills every local reference so the next scan starts above them */
    uint32_t from = c->ctrls.data[c->ctrls.len - 1].height;
    if (from < c->local_floor) from = c->local_floor;
    bool all = h - from > 64;
    bool saves = false;
    for (uint32_t i = from; i < h && !saves; i++) {
        const cval *e = &c->vals.data[i];
        saves = e->loc == LOC_LOCAL && (all || e->local == x);
    }
    if (saves) {
        /* The saves (copies canonical(i) <- local, i < h) commute with the
         * last instruction: it reads only slots of heights >= h, locals and
         * pooled constants, and writes only canonical(h). So they go before
         * it, and it can still be retargeted to write x directly. */
        uint32_t held[8], nheld = 0, old_start = c->last_start;
        if (retarget && c->last_end - c->last_start <= 8) {
            nheld = c->last_end - c->last_start;
            memcpy(held, &c->code.data[c->last_start], nheld * sizeof held[0]);
            c->code.len = c->last_start;
        } else {
            retarget = false;
        }
        for (uint32_t i = from; i < h; i++) {
            const cval *e = &c->vals.data[i];
            if (e->loc == LOC_LOCAL && (all || e->local == x)) wg__materialize(c, i);
        }
        if (retarget) {
            if (c->oom) return true;
            if (!WG_VEC_RESERVE(c->code, nheld)) {
                c->oom = true;
                return wg__cc_fail(c, WG_ERR_RESOURCE, "out of memory", NULL);
            }
            uint32_t at = c->code.len;
            memcpy(&c->code.data[at], held, nheld * sizeof held[0]);
            c->code.len += nheld;
            c->last_dst_word = c->last_dst_word - old_start + at;
        }
    }
    if (all) c->local_floor = h;
    if (retarget) {
        c->code.data[c->last_dst_word] = x;
        c->last_start = NONE;
        return tee ? wg__push(c, c->local_types[x], LOC_LOCAL, x, 0) : true;
    }
    wg__move_to(c, &v, h, x);
    if (!tee) return true;
    if (v.loc == LOC_CONST) return wg__push(c, v.type, LOC_CONST, 0, v.imm);
    return wg__push(c, c->local_types[x], LOC_LOCAL, x, 0);
}

static bool op_global(wg__cc *c, bool set) {
    uint32_t g;
    if (!read_u32(c, &g)) return false;
    if (g >= c->m->nglobals) return invalid_idx(c, "unknown global", g);
    const wg_globaltype *gt = &c->m->global_types[g];
    if (!set) {
        uint32_t h = c->vals.len;
        uint32_t at = wg__emit4(c, WG_OP_global_get, 2, wg__cc_canon(c, h), g, 0, 0);
        wg__cc_set_last(c, at, WG_OP_global_get, at + 1, h);
        return wg__push_slot(c, gt->type);
    }
    if (!gt->mut) return invalid(c, "global is immutable");
    cval v;
    if (!wg__pop_expect(c, gt->type, &v)) return false;
    if (!wg__cc_dead(c)) wg__emit4(c, WG_OP_global_set, 2, g, wg__slot_of(c, &v, c->vals.len), 0, 0);
    return true;
}

/* Unary op (also conversions, eqz, trunc_sat). */
static bool op_unary(wg__cc *c, const wg__opinfo *oi) {
    cval v;
    if (!wg__pop_expect(c, oi->a, &v)) return false;
    uint32_t h = c->vals.len;
    if (!wg__cc_dead(c)) {
        uint32_t s = wg__slot_of(c, &v, h);
        uint32_t at = wg__emit4(c, oi->irop, 2, wg__cc_canon(c, h), s, 0, 0);
        wg__cc_set_last(c, at, oi->irop, at + 1, h);
    }
    return wg__push_slot(c, oi->r);
}

/* i32.wrap_i64: retypes the entry (a constant keeps only its low 32 bits). */
static bool op_wrap(wg__cc *c) {
    cval v;
    uint32_t len = c->vals.len;
    if (!wg__pop_expect(c, WG_I64, &v)) return false;
    if (c->vals.len < len) {
        cval *e = &c->vals.data[c->vals.len++];
        e->type = WG_I32;
        if (e->loc == LOC_CONST) e->imm = (uint32_t)e->imm;
        return true;
    }
    return wg__push_slot(c, WG_I32);
}

static bool fits_ri(const cval *v, uint8_t type) {
    if (v->loc != LOC_CONST) return false;
    if (type == WG_I32) return true;
    int64_t x = (int64_t)v->imm;
    return x >= INT32_MIN && x <= INT32_MAX;
}

static bool op_binary(wg__cc *c, const wg__opinfo *oi) {
    cval b, a;
    if (!wg__pop_expect(c, oi->b, &b) || !wg__pop_expect(c, oi->a, &a)) return false;
    uint32_t h = c->vals.len;
    if (!wg__cc_dead(c)) {
        uint32_t op = oi->irop, d = wg__cc_canon(c, h), at;
        uint32_t ri = wg__cc_ri_form(op);
        uint32_t sw = wg__cc_swap_operands(op);
        if (ri != NONE && fits_ri(&b, oi->a)) {
            op = ri;
            at = wg__emit4(c, op, 3, d, wg__slot_of(c, &a, h), (uint32_t)b.imm, 0);
        } else if (sw != NONE && a.loc == LOC_CONST && b.loc != LOC_CONST && fits_ri(&a, oi->a) &&
                   wg__cc_ri_form(sw) != NONE) {
            op = wg__cc_ri_form(sw);
            at = wg__emit4(c, op, 3, d, wg__slot_of(c, &b, h + 1), (uint32_t)a.imm, 0);
        } else {
            uint32_t sa = wg__slot_of(c, &a, h), sb = wg__slot_of(c, &b, h + 1);
            at = wg__emit4(c, op, 3, d, sa, sb, 0);
        }
        wg__cc_set_last(c, at, op, at + 1, h);
    }
    return wg__push_slot(c, oi->r);
}

static bool read_memarg(wg__cc *c, const wg__opinfo *oi, uint32_t *offset) {
    uint32_t align;
    if (!read_u32(c, &align)) return false;
    if (align >= 32) return wg__cc_fail(c, WG_ERR_MALFORMED, "malformed memop flags", NULL);
    if (!read_u32(c, offset)) return false;
    if (!need_memory(c)) return false;
    if (align > oi->align) return invalid(c, "alignment must not be larger than natural");
    return true;
}

/* The address operand of a load/store: a constant address c with offset o
 * becomes address 0 (a pooled zero, or 0 in the canonical slot) with offset
 * c + o when that fits in 32 bits: same effective address, no wrap. */
static uint32_t addr_slot(wg__cc *c, cval *a, uint32_t h, uint32_t *offset) {
    if (a->loc == LOC_CONST && (uint64_t)(uint32_t)a->imm + *offset <= UINT32_MAX) {
        *offset += (uint32_t)a->imm;
        a->imm = 0;
    }
    return wg__slot_of(c, a, h);
}

static bool op_load(wg__cc *c, const wg__opinfo *oi) {
    uint32_t offset;
    if (!read_memarg(c, oi, &offset)) return false;
    /* address = i32.add/i32.sub of a constant just emitted into the canonical
     * slot: fuse into the load's *_ri form (the add keeps its 32-bit wrap) */
    bool fuse = wg__cc_top_is_last(c) && c->last_dst_word == c->last_start + 1 &&
                (c->last_op == WG_OP_i32_add_ri || c->last_op == WG_OP_i32_sub_ri) &&
                c->code.data[c->last_dst_word] == wg__cc_canon(c, c->last_height);
    cval a;
    if (!wg__pop_expect(c, WG_I32, &a)) return false;
    uint32_t h = c->vals.len;
    if (fuse && !wg__cc_dead(c)) {
        const uint32_t *w = &c->code.data[c->last_start];
        uint32_t base = w[2], imm = c->last_op == WG_OP_i32_sub_ri ? 0u - w[3] : w[3];
        uint32_t op = wg__cc_load_ri_form(oi->irop);
        c->code.len = c->last_start;
        c->last_start = NONE;
        uint32_t at = wg__emit4(c, op, 4, wg__cc_canon(c, h), base, imm, offset);
        wg__cc_set_last(c, at, op, at + 1, h);
    } else if (!wg__cc_dead(c)) {
        uint32_t s = addr_slot(c, &a, h, &offset);
        uint32_t at = wg__emit4(c, oi->irop, 3, wg__cc_canon(c, h), s, offset, 0);
        wg__cc_set_last(c, at, oi->irop, at + 1, h);
    }
    return wg__push_slot(c, oi->r);
}

static bool op_store(wg__cc *c, const wg__opinfo *oi) {
    uint32_t offset;
    if (!read_memarg(c, oi, &offset)) return false;
    cval v, a;
    if (!wg__pop_expect(c, oi->b, &v) || !wg__pop_expect(c, WG_I32, &a)) return false;
    uint32_t h = c->vals.len;
    if (!wg__cc_dead(c)) {
        uint32_t sa = addr_slot(c, &a, h, &offset), sv = wg__slot_of(c, &v, h + 1);
        wg__emit4(c, oi->irop, 3, sa, sv, offset, 0);
    }
    return true;
}

/* Pops three i32 operands (bulk memory/table ops); slots in s[0..2] (deepest first). */
static bool pop3(wg__cc *c, const uint8_t types[3], uint32_t s[3]) {
    cval v[3];
    for (int i = 2; i >= 0; i--)
        if (!wg__pop_expect(c, types[i], &v[i])) return false;
    uint32_t h = c->vals.len;
    if (!wg__cc_dead(c))
        for (int i = 0; i < 3; i++) s[i] = wg__slot_of(c, &v[i], h + (uint32_t)i);
    return true;
}

static const uint8_t i32x3[3] = {WG_I32, WG_I32, WG_I32};

static bool read_table(wg__cc *c, uint32_t *t) {
    if (!read_u32(c, t)) return false;
    if (*t >= c->m->ntables) return invalid_idx(c, "unknown table", *t);
    return true;
}

/* memory.init / data.drop need the data count section (a binary-format rule).
 * A module without any data segment is reported as "unknown data segment", as
 * the text-format tests expect (their binaries have no data count section). */
static bool need_datacount(wg__cc *c, uint32_t seg) {
    if (!c->m->has_datacount && c->m->ndatas == 0) return invalid_idx(c, "unknown data segment", seg);
    if (!c->m->has_datacount) return wg__cc_fail(c, WG_ERR_MALFORMED, "data count section required", NULL);
    if (seg >= c->m->datacount) return invalid_idx(c, "unknown data segment", seg);
    return true;
}

static bool op_prefixed(wg__cc *c) {
    uint32_t sub;
    if (!read_u32(c, &sub)) return false;
    if (sub >= 18) {
        char d[32];
        snprintf(d, sizeof d, "0xfc %u", sub);
        return wg__cc_fail(c, WG_ERR_MALFORMED, "illegal opcode", d);
    }
    const wg__opinfo *oi = &wg__opinfo_fc[sub];
    c->op_name = oi->name;
    if (oi->kind == K_UN) return op_unary(c, oi);
    uint32_t s[3] = {0, 0, 0}, a, b, h;
    switch (sub) {
    case 8: /* memory.init */
        if (!read_u32(c, &a) || !read_zero(c)) return false;
        if (!need_memory(c) || !need_datacount(c, a) || !pop3(c, i32x3, s)) return false;
        if (!wg__cc_dead(c)) {
            uint32_t w[4] = {a, s[0], s[1], s[2]};
            wg__emit(c, WG_OP_memory_init, 4, w);
        }
        return true;
    case 9: /* data.drop */
        if (!read_u32(c, &a)) return false;
        if (!need_datacount(c, a)) return false;
        wg__emit4(c, WG_OP_data_drop, 1, a, 0, 0, 0);
        return true;
    case 10: /* memory.copy */
        if (!read_zero(c) || !read_zero(c) || !need_memory(c) || !pop3(c, i32x3, s)) return false;
        wg__emit4(c, WG_OP_memory_copy, 3, s[0], s[1], s[2], 0);
        return true;
    case 11: /* memory.fill */
        if (!read_zero(c) || !need_memory(c) || !pop3(c, i32x3, s)) return false;
        wg__emit4(c, WG_OP_memory_fill, 3, s[0], s[1], s[2], 0);
        return true;
    case 12: /* table.init elem table */
        if (!read_u32(c, &a) || !read_table(c, &b)) return false;
        if (a >= c->m->nelems) return invalid_idx(c, "unknown elem segment", a);
        if (c->m->elems[a].elem_type != c->m->tables[b].elem_type)
            return wg__cc_fail(c, WG_ERR_INVALID, "type mismatch", "element segment and table types differ");
        if (!pop3(c, i32x3, s)) return false;
        if (!wg__cc_dead(c)) {
            uint32_t w[5] = {a, b, s[0], s[1], s[2]};
            wg__emit(c, WG_OP_table_init, 5, w);
        }
        return true;
    case 13: /* elem.drop */
        if (!read_u32(c, &a)) return false;
        if (a >= c->m->nelems) return invalid_idx(c, "unknown elem segment", a);
        wg__emit4(c, WG_OP_elem_drop, 1, a, 0, 0, 0);
        return true;
    case 14: /* table.copy dst src */
        if (!read_table(c, &a) || !read_table(c, &b)) return false;
        if (c->m->tables[a].elem_type != c->m->tables[b].elem_type)
            return wg__cc_fail(c, WG_ERR_INVALID, "type mismatch", "table types differ");
        if (!pop3(c, i32x3, s)) return false;
        if (!wg__cc_dead(c)) {
            uint32_t w[5] = {a, b, s[0], s[1], s[2]};
            wg__emit(c, WG_OP_table_copy, 5, w);
        }
        return true;
    case 15: { /* table.grow: init n -> old size */
        if (!read_table(c, &a)) return false;
        cval init, n;
        if (!wg__pop_expect(c, WG_I32, &n) || !wg__pop_expect(c, c->m->tables[a].elem_type, &init))
            return false;
        h = c->vals.len;
        if (!wg__cc_dead(c)) {
            uint32_t si = wg__slot_of(c, &init, h), sn = wg__slot_of(c, &n, h + 1);
            wg__emit4(c, WG_OP_table_grow, 4, wg__cc_canon(c, h), a, si, sn);
        }
        return wg__push_slot(c, WG_I32);
    }
    case 16: /* table.size */
        if (!read_table(c, &a)) return false;
        h = c->vals.len;
        wg__emit4(c, WG_OP_table_size, 2, wg__cc_canon(c, h), a, 0, 0);
        return wg__push_slot(c, WG_I32);
    default: { /* 17 table.fill: i val n */
        if (!read_table(c, &a)) return false;
        uint8_t types[3] = {WG_I32, c->m->tables[a].elem_type, WG_I32};
        if (!pop3(c, types, s)) return false;
        wg__emit4(c, WG_OP_table_fill, 4, a, s[0], s[1], s[2]);
        return true;
    }
    }
}

static bool op_ref(wg__cc *c, uint8_t op) {
    if (op == 0xD0) { /* ref.null t */
        uint8_t t;
        if (!wg_read_u8(&c->r, &t)) return rfail(c);
        if (!is_ref(t)) return wg__cc_fail(c, WG_ERR_MALFORMED, "malformed reference type", NULL);
        return wg__push(c, t, LOC_CONST, 0, 0);
    }
    if (op == 0xD1) { /* ref.is_null */
        cval v;
        if (!wg__pop(c, &v)) return false;
        if (v.type != T_UNKNOWN && !is_ref(v.type))
            return wg__cc_fail(c, WG_ERR_INVALID, "type mismatch", "ref.is_null expects a reference");
        uint32_t h = c->vals.len;
        if (!wg__cc_dead(c)) {
            uint32_t s = wg__slot_of(c, &v, h);
            uint32_t at = wg__emit4(c, WG_OP_ref_is_null, 2, wg__cc_canon(c, h), s, 0, 0);
            wg__cc_set_last(c, at, WG_OP_ref_is_null, at + 1, h);
        }
        return wg__push_slot(c, WG_I32);
    }
    uint32_t f; /* ref.func */
    if (!read_u32(c, &f)) return false;
    if (f >= c->m->nfuncs) return invalid_idx(c, "unknown function", f);
    if (!c->m->declared_funcs || !c->m->declared_funcs[f])
        return invalid(c, "undeclared function reference");
    uint32_t h = c->vals.len;
    uint32_t at = wg__emit4(c, WG_OP_ref_func, 2, wg__cc_canon(c, h), f, 0, 0);
    wg__cc_set_last(c, at, WG_OP_ref_func, at + 1, h);
    return wg__push_slot(c, WG_FUNCREF);
}

static bool op_const(wg__cc *c, uint8_t op) {
    switch (op) {
    case 0x41: {
        int32_t v;
        if (!wg_read_s32(&c->r, &v)) return rfail(c);
        return wg__push(c, WG_I32, LOC_CONST, 0, (uint32_t)v);
    }
    case 0x42: {
        int64_t v;
        if (!wg_read_s64(&c->r, &v)) return rfail(c);
        return wg__push(c, WG_I64, LOC_CONST, 0, (uint64_t)v);
    }
    case 0x43: {
        uint32_t v;
        if (!wg_read_f32_bits(&c->r, &v)) return rfail(c);
        return wg__push(c, WG_F32, LOC_CONST, 0, v);
    }
    default: {
        uint64_t v;
        if (!wg_read_f64_bits(&c->r, &v)) return rfail(c);
        return wg__push(c, WG_F64, LOC_CONST, 0, v);
    }
    }
}

static bool op_memory_size_grow(wg__cc *c, bool grow) {
    if (!read_zero(c) || !need_memory(c)) return false;
    cval v;
    if (grow && !wg__pop_expect(c, WG_I32, &v)) return false;
    uint32_t h = c->vals.len;
    if (!wg__cc_dead(c)) {
        if (grow) {
            uint32_t s = wg__slot_of(c, &v, h);
            wg__emit4(c, WG_OP_memory_grow, 2, wg__cc_canon(c, h), s, 0, 0);
        } else {
            uint32_t at = wg__emit4(c, WG_OP_memory_size, 1, wg__cc_canon(c, h), 0, 0, 0);
            wg__cc_set_last(c, at, WG_OP_memory_size, at + 1, h);
        }
    }
    return wg__push_slot(c, WG_I32);
}

static bool op_table_get_set(wg__cc *c, bool set) {
    uint32_t t;
    if (!read_table(c, &t)) return false;
    uint8_t et = c->m->tables[t].elem_type;
    cval v, i;
    if (set && !wg__pop_expect(c, et, &v)) return false;
    if (!wg__pop_expect(c, WG_I32, &i)) return false;
    uint32_t h = c->vals.len;
    if (!wg__cc_dead(c)) {
        uint32_t si = wg__slot_of(c, &i, h);
        if (set)
            wg__emit4(c, WG_OP_table_set, 3, t, si, wg__slot_of(c, &v, h + 1), 0);
        else
            wg__emit4(c, WG_OP_table_get, 3, wg__cc_canon(c, h), t, si, 0);
    }
    return set ? true : wg__push_slot(c, et);
}

/* Validates and compiles one instruction. */
static bool instruction(wg__cc *c) {
    uint8_t op;
    c->op_pos = wg_reader_pos(&c->r);
    if (!wg_read_u8(&c->r, &op)) return rfail(c);
    const wg__opinfo *oi = &wg__opinfo_table[op];
    c->op_name = oi->name;
    switch (oi->kind) {
    case K_UN:
        /* i32.wrap_i64 is free: i32 readers read only the cell's low 32 bits */
        if (op == 0xA7) return op_wrap(c);
        return op_unary(c, oi);
    case K_BIN: return op_binary(c, oi);
    case K_LOAD: return op_load(c, oi);
    case K_STORE: return op_store(c, oi);
    case K_REINTERP: {
        cval v;
        uint32_t len = c->vals.len;
        if (!wg__pop_expect(c, oi->a, &v)) return false;
        if (c->vals.len < len) {
            c->vals.len = len;
            c->vals.data[len - 1].type = oi->r;   /* same bits, same location */
            return true;
        }
        return wg__push_slot(c, oi->r);
    }
    case K_SPECIAL: break;
    default: {
        char d[16];
        snprintf(d, sizeof d, "0x%02x", op);
        c->op_name = "opcode";
        return wg__cc_fail(c, WG_ERR_MALFORMED, "illegal opcode", d);
    }
    }
    switch (op) {
    case 0x00:
        wg__emit(c, WG_OP_unreachable, 0, NULL);
        wg__set_unreachable(c);
        return true;
    case 0x01: return true;
    case 0x02: return op_block(c, CK_BLOCK);
    case 0x03: return op_block(c, CK_LOOP);
    case 0x04: return op_block(c, CK_IF);
    case 0x05: return op_else(c);
    case 0x0B: return op_end(c);
    case 0x0C: return op_br(c);
    case 0x0D: return op_br_if(c);
    case 0x0E: return op_br_table(c);
    case 0x0F: {
        const cctrl *f = &c->ctrls.data[0];
        if (!wg__check_label_values(c, f)) return false;
        if (!wg__cc_dead(c)) wg__emit_return(c);
        wg__set_unreachable(c);
        return true;
    }
    case 0x10: return op_call(c);
    case 0x11: return op_call_indirect(c);
    case 0x1A: {
        cval v;
        return wg__pop(c, &v);
    }
    case 0x1B: return op_select(c, false);
    case 0x1C: return op_select(c, true);
    case 0x20: {
        uint32_t x;
        if (!read_local(c, &x)) return false;
        return wg__push(c, c->local_types[x], LOC_LOCAL, x, 0);
    }
    case 0x21: return op_local_set(c, false);
    case 0x22: return op_local_set(c, true);
    case 0x23: return op_global(c, false);
    case 0x24: return op_global(c, true);
    case 0x25: return op_table_get_set(c, false);
    case 0x26: return op_table_get_set(c, true);
    case 0x3F: return op_memory_size_grow(c, false);
    case 0x40: return op_memory_size_grow(c, true);
    case 0x41: case 0x42: case 0x43: case 0x44: return op_const(c, op);
    case 0xD0: case 0xD1: case 0xD2: return op_ref(c, op);
    case 0xFC: return op_prefixed(c);
    default: /* 0xFD */
        return wg__cc_fail(c, WG_ERR_INVALID, "SIMD not yet implemented", NULL);
    }
}

/* Fills c->local_types for body bi; fails on too many locals or v128. */
static bool setup_locals(wg__cc *c, const wg_body *body) {
    uint64_t n = c->ft->nparams;
    for (uint32_t i = 0; i < body->nruns; i++) n += body->runs[i].count;
    if (n > WG_MAX_LOCALS) return wg__cc_fail(c, WG_ERR_MALFORMED, "too many locals", NULL);
    if (n > c->local_cap) {
        uint8_t *p = realloc(c->local_types, (size_t)n);
        if (!p) {
            c->oom = true;
            return wg__cc_fail(c, WG_ERR_RESOURCE, "out of memory", NULL);
        }
        c->local_types = p;
        c->local_cap = (uint32_t)n;
    }
    uint32_t k = 0;
    for (uint32_t i = 0; i < c->ft->nparams; i++) c->local_types[k++] = c->ft->params[i];
    for (uint32_t i = 0; i < body->nruns; i++)
        for (uint32_t j = 0; j < body->runs[i].count; j++) c->local_types[k++] = body->runs[i].type;
    c->nlocals = k;
    for (uint32_t i = 0; i < k; i++)
        if (c->local_types[i] == WG_V128) return invalid(c, "SIMD not yet implemented");
    for (uint32_t i = 0; i < c->ft->nresults; i++)
        if (c->ft->results[i] == WG_V128) return invalid(c, "SIMD not yet implemented");
    return true;
}

/* The message when a body's bytes end before its final `end`. The spec's
 * reference decoder reads on into whatever follows the body, so what it
 * reports depends on those bytes; we mimic its two common outcomes. */
static bool body_ended(wg__cc *c, const wg_body *body) {
    c->op_pos = wg_reader_pos(&c->r);
    c->op_name = NULL;
    const uint8_t *after = body->code + body->code_len;
    const char *msg = "unexpected end of section or function";
    if (c->body_idx + 1 < c->m->nbodies)
        msg = "END opcode expected";
    else if (after < c->m->bytes + c->m->len && *after == 0x0B)
        msg = "section size mismatch";
    return wg__cc_fail(c, WG_ERR_MALFORMED, msg, "function body has no final end");
}

/* One compilation of body bi (validation included), appending to c->code. */
static bool compile_pass(wg__cc *c, const wg_body *body) {
    c->r = (wg_reader){.p = body->code, .end = body->code + body->code_len, .base = c->m->bytes};
    c->vals.len = 0;
    c->ctrls.len = 0;
    c->patches.len = 0;
    c->max_height = 0;
    c->nloops = 0;
    c->local_floor = 0;
    c->last_start = NONE;
    c->stack_base = c->nlocals + (c->pass2 ? c->npool : 0);
    c->label_pc = c->code.len;
    c->last_copy = NONE;
    if (!wg__push_ctrl(c, CK_FUNC, 0, NULL, c->ft->nresults, c->ft->results)) return false;
    if (c->pass2)
        for (uint32_t i = 0; i < c->npool; i++) {
            cval k = {.type = WG_I64, .loc = LOC_CONST, .imm = c->pool[i]};
            wg__move_to(c, &k, 0, c->nlocals + i);
        }
    while (c->ctrls.len > 0) {
        if (c->r.p >= c->r.end) return body_ended(c, body);
        if (!instruction(c)) return false;
        if (c->oom) return wg__cc_fail(c, WG_ERR_RESOURCE, "out of memory", NULL);
    }
    if (c->r.p != c->r.end) {
        c->op_pos = wg_reader_pos(&c->r);
        c->op_name = NULL;
        return wg__cc_fail(c, WG_ERR_MALFORMED, "section size mismatch", "bytes after the function's final end");
    }
    return true;
}

/* Chooses the pooled constants from pass 1's counts: used in a loop, or at
 * least 3 times; the most used first. Returns the pool size. */
static uint32_t choose_pool(wg__cc *c) {
    c->npool = 0;
    while (c->npool < WG_CC_MAX_POOL) {
        uint32_t best = NONE;
        uint64_t best_score = 0;
        for (uint32_t i = 0; i < c->ncands; i++) {
            const cpool *k = &c->cands[i];
            if (k->loop_uses == 0 && k->uses < 3) continue;
            uint64_t score = (uint64_t)k->loop_uses * 16 + k->uses;
            if (score > best_score) {
                best_score = score;
                best = i;
            }
        }
        if (best == NONE) break;
        c->pool[c->npool++] = c->cands[best].imm;
        c->cands[best].uses = c->cands[best].loop_uses = 0;
    }
    return c->npool;
}

static bool compile_body(wg__cc *c, uint32_t bi) {
    wg_module *m = c->m;
    const wg_body *body = &m->bodies[bi];
    c->body_idx = bi;
    c->func_idx = m->nimported_funcs + bi;
    c->op_name = NULL;
    c->op_pos = body->offset;
    uint32_t type_idx = m->func_types[c->func_idx];
    c->ft = &m->types[type_idx];
    if (!setup_locals(c, body)) return false;

    uint32_t start = c->code.len, calls_start = c->calls.len;
    c->pass2 = false;
    c->ncands = 0;
    c->npool = 0;
    if (!compile_pass(c, body)) return false;
    if (choose_pool(c) > 0) {
        c->code.len = start;
        c->calls.len = calls_start;
        c->pass2 = true;
        if (!compile_pass(c, body)) return false;
    }
    wg_code_func *cf = &m->code_funcs[bi];
    cf->code = NULL;
    cf->code_len = c->code.len - start;
    cf->nparams = c->ft->nparams;
    cf->nresults = c->ft->nresults;
    cf->nlocals = c->nlocals;
    uint64_t frame = (uint64_t)c->stack_base + c->max_height;
    if (frame < c->ft->nresults) frame = c->ft->nresults;
    if (frame > UINT32_MAX) return wg__cc_fail(c, WG_ERR_RESOURCE, "function frame too large", NULL);
    cf->frame_size = (uint32_t)frame;
    cf->type_idx = type_idx;
    return true;
}

/* Fills in the callee operands of every call_direct (all bodies compiled,
 * m->code_funcs[*].code_len set; code not yet split into functions). */
static bool patch_calls(wg__cc *c) {
    wg_module *m = c->m;
    uint32_t ndefined = m->nfuncs - m->nimported_funcs;
    uint32_t *starts = malloc((ndefined ? ndefined : 1) * sizeof *starts);
    if (!starts) return wg__error(c->err, WG_ERR_RESOURCE, (size_t)-1, "out of memory");
    uint32_t at = 0;
    for (uint32_t i = 0; i < ndefined; i++) {
        starts[i] = at;
        at += m->code_funcs[i].code_len;
    }
    bool ok = true;
    for (uint32_t k = 0; k + 1 < c->calls.len && ok; k += 2) {
        uint32_t site = c->calls.data[k], f = c->calls.data[k + 1];
        uint32_t *w = &c->code.data[site];
        if (f >= ndefined || w[0] != (uint32_t)c->handlers[WG_OP_call_direct] || w[1] != f) {
            ok = wg__error(c->err, WG_ERR_INVALID, (size_t)-1, "internal error: lost a call site");
            break;
        }
        const wg_code_func *cf = &m->code_funcs[f];
        w[3] = (uint32_t)((int64_t)starts[f] - (int64_t)site);
        w[4] = cf->frame_size;
        w[5] = cf->nparams;
        w[6] = cf->nlocals - cf->nparams;
    }
    free(starts);
    return ok;
}

/* Validates and compiles every defined function of m (module-level validation
 * done, m->declared_funcs filled). On success m->code (one allocation),
 * m->code_words and m->code_funcs are set, owned by m (wg__module_free frees
 * them). On failure returns false with err filled and leaves m->code and
 * m->code_funcs NULL. */
bool wg__compile_functions(wg_module *m, wg_error *err) {
    uint32_t ndefined = m->nfuncs - m->nimported_funcs;
    if (m->nbodies != ndefined)
        return wg__error(err, WG_ERR_MALFORMED, (size_t)-1,
                         "function and code section have inconsistent lengths (%u functions, %u bodies)",
                         ndefined, m->nbodies);
    free(m->code);
    free(m->code_funcs);
    m->code = NULL;
    m->code_words = 0;
    m->code_funcs = calloc(ndefined ? ndefined : 1, sizeof *m->code_funcs);
    if (!m->code_funcs) return wg__error(err, WG_ERR_RESOURCE, (size_t)-1, "out of memory");

    wg__cc c = {.m = m, .err = err, .handlers = wg__ir_handlers()};
    bool ok = true;
    for (uint32_t i = 0; i < ndefined && ok; i++) ok = compile_body(&c, i);
    if (ok && c.oom) ok = wg__error(err, WG_ERR_RESOURCE, (size_t)-1, "out of memory");
    if (ok) ok = patch_calls(&c);
    if (ok && c.code.len == 0 && !WG_VEC_RESERVE(c.code, 1)) {
        ok = wg__error(err, WG_ERR_RESOURCE, (size_t)-1, "out of memory");
    }
    if (ok) {
        uint32_t *code = c.code.data;
        if (c.code.len > 0 && c.code.len < c.code.cap) {
            uint32_t *p = realloc(code, (size_t)c.code.len * sizeof *code);
            if (p) code = p;
        }
        c.code.data = NULL;
        m->code = code;
        m->code_words = c.code.len;
        size_t at = 0;
        for (uint32_t i = 0; i < ndefined; i++) {
            m->code_funcs[i].code = code + at;
            at += m->code_funcs[i].code_len;
        }
    } else {
        free(m->code_funcs);
        m->code_funcs = NULL;
    }
    WG_VEC_FREE(c.code);
    WG_VEC_FREE(c.vals);
    WG_VEC_FREE(c.ctrls);
    WG_VEC_FREE(c.patches);
    WG_VEC_FREE(c.scratch);
    WG_VEC_FREE(c.stubs);
    WG_VEC_FREE(c.calls);
    free(c.local_types);
    return ok;
}
