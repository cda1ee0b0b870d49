/*
 * The compiler's operand stack, control stack and code emission (see
 * compile_int.h for the virtual stack's locations and invariants, ir.h for
 * the code format).
 *
 * Moves for branches. A branch to a label with arity n copies the top n
 * values into the label's slots canonical(label height + i). Copies go in
 * ascending order; that is safe because a canonical source of value i lives
 * at canonical(h_i) with h_i >= label height + i, and sources that are locals
 * are below every canonical slot. Returns copy into slots [0, n) of the frame:
 * a source that is a local l < i would be overwritten by result l before it is
 * read, so such locals are first copied to their canonical slots
 * (return_prepare), which must happen on every path (before any conditional
 * branch) because it changes the entry's location.
 */
#include "wasm/compile_int.h"

#include <stdio.h>

#include "util/error.h"

static const char *type_name(uint8_t t) {
    switch (t) {
    case WG_I32: return "i32";
    case WG_I64: return "i64";
    case WG_F32: return "f32";
    case WG_F64: return "f64";
    case WG_V128: return "v128";
    case WG_FUNCREF: return "funcref";
    case WG_EXTERNREF: return "externref";
    default: return "unknown";
    }
}

/* Fills c->err ("<msg> (func F, offset 0xO: <op>[: detail])"); returns false. */
bool wg__cc_fail(wg__cc *c, int kind, const char *msg, const char *detail) {
    wg__error(c->err, kind, c->op_pos, "%s (func %u, offset 0x%zx: %s%s%s)", msg, c->func_idx,
              c->op_pos, c->op_name ? c->op_name : "function body", detail ? ": " : "",
              detail ? detail : "");
    return false;
}

/* ---- emission ------------------------------------------------------------ */

uint32_t wg__emit(wg__cc *c, uint32_t op, uint32_t n, const uint32_t *words) {
    if (c->oom || wg__cc_dead(c)) return NONE;
    if (!WG_VEC_RESERVE(c->code, n + 1)) {
        c->oom = true;
        return NONE;
    }
    uint32_t at = c->code.len;
    c->code.data[c->code.len++] = (uint32_t)c->handlers[op];
    for (uint32_t i = 0; i < n; i++) c->code.data[c->code.len++] = words[i];
    return at;
}

/* wg__emit with up to four operands passed by value. */
uint32_t wg__emit4(wg__cc *c, uint32_t op, uint32_t n, uint32_t a, uint32_t b, uint32_t d,
                   uint32_t e) {
    uint32_t w[4] = {a, b, d, e};
    return wg__emit(c, op, n, w);
}

/* Records the last value-producing instruction (NONE start: forget it). */
void wg__cc_set_last(wg__cc *c, uint32_t start, uint32_t op, uint32_t dst_word, uint32_t h) {
    if (start == NONE) {
        c->last_start = NONE;
        return;
    }
    c->last_start = start;
    c->last_end = c->code.len;
    c->last_op = op;
    c->last_dst_word = dst_word;
    c->last_height = h;
}

/* True if the stack top is the canonical result of the last instruction. */
bool wg__cc_top_is_last(const wg__cc *c) {
    if (c->last_start == NONE || c->last_end != c->code.len || c->label_pc == c->code.len) return false;
    if (c->vals.len == 0 || c->vals.len - 1 != c->last_height) return false;
    if (c->vals.len <= c->ctrls.data[c->ctrls.len - 1].height) return false;
    return c->vals.data[c->vals.len - 1].loc == LOC_SLOT && !wg__cc_dead(c);
}

/* Marks a label at the current position: no fusion/retargeting across it. */
void wg__cc_label(wg__cc *c) {
    c->label_pc = c->code.len;
    c->last_start = NONE;
}

/* ---- operand stack ------------------------------------------------------- */

bool wg__push(wg__cc *c, uint8_t type, uint8_t loc, uint32_t local, uint64_t imm) {
    cval v = {.type = type, .loc = loc, .local = local, .imm = imm};
    if (!WG_VEC_PUSH(c->vals, v)) {
        c->oom = true;
        return wg__cc_fail(c, WG_ERR_RESOURCE, "out of memory", NULL);
    }
    if (c->vals.len > c->max_height) c->max_height = c->vals.len;
    if (loc == LOC_LOCAL && c->vals.len - 1 < c->local_floor) c->local_floor = c->vals.len - 1;
    return true;
}

bool wg__push_slot(wg__cc *c, uint8_t type) { return wg__push(c, type, LOC_SLOT, 0, 0); }

/* Pops a value; T_UNKNOWN from a polymorphic stack; false on underflow. */
bool wg__pop(wg__cc *c, cval *out) {
    const cctrl *t = &c->ctrls.data[c->ctrls.len - 1];
    if (c->vals.len == t->height) {
        if (t->unreachable) {
            *out = (cval){.type = T_UNKNOWN, .loc = LOC_SLOT};
            return true;
        }
        return wg__cc_fail(c, WG_ERR_INVALID, "type mismatch", "operand stack is empty");
    }
    *out = c->vals.data[--c->vals.len];
    return true;
}

/* Pops a value of type t (or unknown); false with "type mismatch" otherwise. */
bool wg__pop_expect(wg__cc *c, uint8_t t, cval *out) {
    if (!wg__pop(c, out)) return false;
    if (out->type != t && out->type != T_UNKNOWN && t != T_UNKNOWN) {
        char d[64];
        snprintf(d, sizeof d, "expected %s, got %s", type_name(t), type_name(out->type));
        return wg__cc_fail(c, WG_ERR_INVALID, "type mismatch", d);
    }
    return true;
}

/* Pops n values of the given types, the last type first. */
bool wg__pop_types(wg__cc *c, uint32_t n, const uint8_t *types) {
    cval v;
    for (uint32_t i = n; i-- > 0;)
        if (!wg__pop_expect(c, types[i], &v)) return false;
    return true;
}

/* ---- locations ----------------------------------------------------------- */

/* Emits copy d s, fused with the copy just before it into copy2 when nothing
 * (no label, no other instruction) lies between them. */
static void emit_copy(wg__cc *c, uint32_t d, uint32_t s) {
    if (c->oom || wg__cc_dead(c)) return;
    uint32_t at = c->last_copy;
    if (at != NONE && at + 3 == c->code.len && c->label_pc != c->code.len &&
        c->code.data[at] == (uint32_t)c->handlers[WG_OP_copy]) {
        if (!WG_VEC_RESERVE(c->code, 2)) {
            c->oom = true;
            return;
        }
        c->code.data[at] = (uint32_t)c->handlers[WG_OP_copy2];
        c->code.data[c->code.len++] = d;
        c->code.data[c->code.len++] = s;
        c->last_copy = NONE;
        return;
    }
    c->last_copy = wg__emit4(c, WG_OP_copy, 2, d, s, 0, 0);
}

void wg__move_to(wg__cc *c, const cval *v, uint32_t h, uint32_t dst) {
    switch (v->loc) {
    case LOC_SLOT:
        if (wg__cc_canon(c, h) != dst) emit_copy(c, dst, wg__cc_canon(c, h));
        break;
    case LOC_LOCAL:
        if (v->local != dst) emit_copy(c, dst, v->local);
        break;
    default:
        if (v->imm <= UINT32_MAX)
            wg__emit4(c, WG_OP_const32, 2, dst, (uint32_t)v->imm, 0, 0);
        else
            wg__emit4(c, WG_OP_const64, 3, dst, (uint32_t)v->imm, (uint32_t)(v->imm >> 32), 0);
        break;
    }
}

/* Pass 1: counts a constant used as an operand. Pass 2: its pool slot or NONE. */
static uint32_t pool_slot(wg__cc *c, uint64_t imm) {
    if (c->pass2) {
        for (uint32_t i = 0; i < c->npool; i++)
            if (c->pool[i] == imm) return c->nlocals + i;
        return NONE;
    }
    if (wg__cc_dead(c)) return NONE;
    uint32_t i = 0;
    while (i < c->ncands && c->cands[i].imm != imm) i++;
    if (i == c->ncands) {
        if (i == WG_CC_MAX_CANDS) return NONE;
        c->cands[c->ncands++] = (cpool){.imm = imm};
    }
    c->cands[i].uses++;
    if (c->nloops) c->cands[i].loop_uses++;
    return NONE;
}

/* Returns the slot an operand can be read from (see compile_int.h). */
uint32_t wg__slot_of(wg__cc *c, cval *v, uint32_t h) {
    if (v->loc == LOC_LOCAL) return v->local;
    if (v->loc == LOC_CONST) {
        uint32_t s = pool_slot(c, v->imm);
        if (s != NONE) return s;
        wg__move_to(c, v, h, wg__cc_canon(c, h));
        v->loc = LOC_SLOT;
    }
    return wg__cc_canon(c, h);
}

/* Puts the entry at height h into its canonical slot. */
void wg__materialize(wg__cc *c, uint32_t h) {
    cval *v = &c->vals.data[h];
    if (v->loc == LOC_SLOT) return;
    wg__move_to(c, v, h, wg__cc_canon(c, h));
    v->loc = LOC_SLOT;
}

/* Materializes local references (and constants if asked) at heights >= from. */
void wg__spill(wg__cc *c, uint32_t from, bool consts) {
    if (!consts && from < c->local_floor) from = c->local_floor;
    for (uint32_t h = from; h < c->vals.len; h++) {
        uint8_t loc = c->vals.data[h].loc;
        if (loc == LOC_LOCAL || (consts && loc == LOC_CONST)) wg__materialize(c, h);
    }
}

/* ---- control stack ------------------------------------------------------- */

bool wg__push_ctrl(wg__cc *c, uint8_t kind, uint32_t np, const uint8_t *p, uint32_t nr,
                   const uint8_t *r) {
    bool dead = c->ctrls.len > 0 && wg__cc_dead(c);
    cctrl t = {.kind = kind, .dead = dead, .nparams = np, .nresults = nr, .params = p,
               .results = r, .height = c->vals.len - np, .start_pc = NONE, .patches = NONE,
               .else_instr = NONE, .else_word = NONE};
    if (!WG_VEC_PUSH(c->ctrls, t)) {
        c->oom = true;
        return wg__cc_fail(c, WG_ERR_RESOURCE, "out of memory", NULL);
    }
    return true;
}

/* The types a branch to label t carries (loop: params, else results). */
void wg__label_types(const cctrl *t, uint32_t *n, const uint8_t **types) {
    if (t->kind == CK_LOOP) {
        *n = t->nparams;
        *types = t->params;
    } else {
        *n = t->nresults;
        *types = t->results;
    }
}

/* Checks the top values against label t's types without popping. */
bool wg__check_label_values(wg__cc *c, const cctrl *t) {
    uint32_t n;
    const uint8_t *types;
    wg__label_types(t, &n, &types);
    const cctrl *top = &c->ctrls.data[c->ctrls.len - 1];
    uint32_t avail = c->vals.len - top->height;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t depth = n - i;   /* 1 = top of stack */
        if (depth > avail) {
            if (top->unreachable) continue;
            return wg__cc_fail(c, WG_ERR_INVALID, "type mismatch", "not enough values for branch");
        }
        uint8_t have = c->vals.data[c->vals.len - depth].type;
        if (have != T_UNKNOWN && have != types[i]) {
            char d[80];
            snprintf(d, sizeof d, "branch value %u: expected %s, got %s", i, type_name(types[i]),
                     type_name(have));
            return wg__cc_fail(c, WG_ERR_INVALID, "type mismatch", d);
        }
    }
    return true;
}

/* Drops the block's values and makes its stack polymorphic. */
void wg__set_unreachable(wg__cc *c) {
    cctrl *t = &c->ctrls.data[c->ctrls.len - 1];
    c->vals.len = t->height;
    t->unreachable = true;
    c->last_start = NONE;
}

/* ---- branches ------------------------------------------------------------ */

/* Copies the top n values into slots dst .. dst+n-1 (ascending; see file top). */
static void moves(wg__cc *c, uint32_t n, uint32_t dst) {
    uint32_t first = c->vals.len - n;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t h = first + i;
        const cval *v = &c->vals.data[h];
        if (v->loc == LOC_SLOT && wg__cc_canon(c, h) != dst + i) {
            uint32_t k = 1;
            while (i + k < n && c->vals.data[h + k].loc == LOC_SLOT) k++;
            if (k >= 2) {
                wg__emit4(c, WG_OP_copy_n, 3, dst + i, wg__cc_canon(c, h), k, 0);
                i += k - 1;
                continue;
            }
        }
        wg__move_to(c, v, h, dst + i);
    }
}

/* True if a branch to t must move values into the label's slots. */
bool wg__branch_needs_moves(wg__cc *c, const cctrl *t) {
    uint32_t n;
    const uint8_t *types;
    wg__label_types(t, &n, &types);
    uint32_t first = c->vals.len - n;
    for (uint32_t i = 0; i < n; i++) {
        const cval *v = &c->vals.data[first + i];
        if (v->loc != LOC_SLOT || first + i != t->height + i) return true;
    }
    return false;
}

/* Emits the moves of a branch to t (ascending; see file top). */
void wg__branch_moves(wg__cc *c, const cctrl *t) {
    uint32_t n;
    const uint8_t *types;
    wg__label_types(t, &n, &types);
    moves(c, n, wg__cc_canon(c, t->height));
}

/* Makes the result sources of a return safe for ascending copies into [0, n). */
void wg__return_prepare(wg__cc *c) {
    uint32_t n = c->ft->nresults;
    uint32_t first = c->vals.len - n;
    for (uint32_t i = 0; i < n; i++) {
        const cval *v = &c->vals.data[first + i];
        if (v->loc == LOC_LOCAL && v->local < i) wg__materialize(c, first + i);
    }
}

/* True if the function's results are not already in slots [0, n). */
static bool return_needs_moves(wg__cc *c) {
    uint32_t n = c->ft->nresults;
    uint32_t first = c->vals.len - n;
    for (uint32_t i = 0; i < n; i++) {
        const cval *v = &c->vals.data[first + i];
        if (v->loc == LOC_CONST) return true;
        if (v->loc == LOC_LOCAL && v->local != i) return true;
        if (v->loc == LOC_SLOT && wg__cc_canon(c, first + i) != i) return true;
    }
    return false;
}

/* Emits result moves + return; requires wg__return_prepare on all paths first. */
static void return_moves(wg__cc *c) {
    if (return_needs_moves(c)) moves(c, c->ft->nresults, 0);
    wg__emit(c, WG_OP_return, 0, NULL);
}

/* If the single value a branch carries was produced by the last instruction,
 * makes that instruction write it straight into dst. Only for one value: with
 * more, an earlier value's source could be that slot. Unconditional branches only. */
static bool retarget_single(wg__cc *c, uint32_t n, uint32_t dst) {
    if (n != 1 || !wg__cc_top_is_last(c) || c->last_dst_word == NONE) return false;
    c->code.data[c->last_dst_word] = dst;
    c->last_start = NONE;
    return true;
}

/* Emits the return sequence of the current function. */
void wg__emit_return(wg__cc *c) {
    if (retarget_single(c, c->ft->nresults, 0)) {
        wg__emit(c, WG_OP_return, 0, NULL);
        return;
    }
    wg__return_prepare(c);
    return_moves(c);
}

static void add_patch(wg__cc *c, cctrl *t, uint32_t instr, uint32_t word) {
    cpatch p = {.instr = instr, .word = word, .next = t->patches};
    if (!WG_VEC_PUSH(c->patches, p)) {
        c->oom = true;
        return;
    }
    t->patches = c->patches.len - 1;
}

/* Before a backward branch placed exactly at the loop start, which would have
 * offset 0 (not a back-edge for the interrupt check), emits a `br +2` no-op. */
static void pad_loop_start(wg__cc *c, const cctrl *t) {
    if (t->kind == CK_LOOP && c->code.len == t->start_pc) wg__emit4(c, WG_OP_br, 1, 2, 0, 0, 0);
}

/* Emits a branch op to label t: backward now, forward via a patch. */
void wg__emit_branch_op(wg__cc *c, uint32_t op, uint32_t n, uint32_t *words, cctrl *t) {
    if (wg__cc_dead(c) || c->oom) return;
    if (t->kind == CK_LOOP) {
        pad_loop_start(c, t);
        words[n - 1] = (uint32_t)((int64_t)t->start_pc - (int64_t)c->code.len);
        wg__emit(c, op, n, words);
    } else {
        words[n - 1] = 0;
        uint32_t at = wg__emit(c, op, n, words);
        if (at != NONE) add_patch(c, t, at, at + n);
    }
}

/* Emits a forward branch to be patched with wg__patch_here. */
uint32_t wg__emit_fwd(wg__cc *c, uint32_t op, uint32_t n, uint32_t *words) {
    words[n - 1] = 0;
    return wg__emit(c, op, n, words);
}

/* Points the forward branch at instr to the current position. */
void wg__patch_here(wg__cc *c, uint32_t instr, uint32_t word) {
    if (instr == NONE || c->oom) return;
    c->code.data[word] = c->code.len - instr;
}

/* Points every pending branch to label t at the current position. */
void wg__resolve_patches(wg__cc *c, cctrl *t) {
    for (uint32_t p = t->patches; p != NONE && !c->oom; p = c->patches.data[p].next)
        c->code.data[c->patches.data[p].word] = c->code.len - c->patches.data[p].instr;
    t->patches = NONE;
}

/* Emits an unconditional branch to the label at depth. */
void wg__branch_to(wg__cc *c, uint32_t depth) {
    cctrl *t = &c->ctrls.data[c->ctrls.len - 1 - depth];
    if (t->kind == CK_FUNC) {
        wg__emit_return(c);
        return;
    }
    uint32_t n;
    const uint8_t *types;
    wg__label_types(t, &n, &types);
    if (!retarget_single(c, n, wg__cc_canon(c, t->height))) wg__branch_moves(c, t);
    uint32_t w[1];
    wg__emit_branch_op(c, WG_OP_br, 1, w, t);
}

/* ---- conditional branches ----------------------------------------------- */

bool wg__get_cond(wg__cc *c, ccond *out) {
    bool fuse = wg__cc_top_is_last(c);
    cval v;
    if (!wg__pop_expect(c, WG_I32, &v)) return false;
    out->n = 1;
    out->w[0] = 0;
    out->op_true = WG_OP_br_if;
    out->op_false = WG_OP_br_unless;
    if (wg__cc_dead(c)) return true;
    if (fuse) {
        uint32_t op = c->last_op, at = c->last_start;
        const uint32_t *w = &c->code.data[at];
        uint32_t t = NONE, f = NONE;
        if (op == WG_OP_i32_eqz) {
            t = WG_OP_br_unless;
            f = WG_OP_br_if;
        } else if (op == WG_OP_i64_eqz) {
            t = WG_OP_br_if_i64_eqz;
            f = WG_OP_br_if_i64_nez;
        } else if (wg__cc_br_form(op) != NONE) {
            t = wg__cc_br_form(op);
            f = wg__cc_br_form(wg__cc_cmp_negate(op));
        } else if (wg__cc_br_ri_form(op) != NONE) {
            t = wg__cc_br_ri_form(op);
            f = wg__cc_br_ri_form(wg__cc_cmp_negate(op));
        }
        if (t != NONE) {
            /* "d a" or "d a b": drop the compare, branch on its operands */
            uint32_t nops = (op == WG_OP_i32_eqz || op == WG_OP_i64_eqz) ? 1 : 2;
            out->n = nops;
            out->w[0] = w[2];
            if (nops == 2) out->w[1] = w[3];
            out->op_true = t;
            out->op_false = f;
            c->code.len = at;
            c->last_start = NONE;
            return true;
        }
    }
    out->w[0] = wg__slot_of(c, &v, c->vals.len);
    return true;
}

/* Emits a conditional branch to the label at depth (moves included). */
void wg__cond_branch(wg__cc *c, const ccond *cond, bool when, uint32_t depth) {
    if (wg__cc_dead(c) || c->oom) return;
    cctrl *t = &c->ctrls.data[c->ctrls.len - 1 - depth];
    uint32_t w[4];
    for (uint32_t i = 0; i < cond->n; i++) w[i] = cond->w[i];
    if (t->kind == CK_FUNC) {
        wg__return_prepare(c);
    } else if (!wg__branch_needs_moves(c, t)) {
        wg__emit_branch_op(c, when ? cond->op_true : cond->op_false, cond->n + 1, w, t);
        return;
    }
    /* skip over the moves unless the condition holds */
    uint32_t skip = wg__emit_fwd(c, when ? cond->op_false : cond->op_true, cond->n + 1, w);
    if (t->kind == CK_FUNC) {
        return_moves(c);
    } else {
        wg__branch_moves(c, t);
        wg__emit_branch_op(c, WG_OP_br, 1, w, t);
    }
    wg__patch_here(c, skip, skip + cond->n + 1);
    wg__cc_label(c);
}

/* ---- br_table ------------------------------------------------------------ */

void wg__emit_br_table(wg__cc *c, uint32_t cond_slot, uint32_t n, const uint32_t *depths) {
    if (wg__cc_dead(c) || c->oom) return;
    bool any_func = false;
    for (uint32_t i = 0; i <= n; i++) {
        cctrl *t = &c->ctrls.data[c->ctrls.len - 1 - depths[i]];
        if (t->kind == CK_FUNC) any_func = true;
        pad_loop_start(c, t);
    }
    if (any_func) wg__return_prepare(c);
    if (!WG_VEC_RESERVE(c->code, n + 4)) {
        c->oom = true;
        return;
    }
    uint32_t at = wg__emit4(c, WG_OP_br_table, 2, cond_slot, n, 0, 0);
    if (at == NONE) return;
    for (uint32_t i = 0; i <= n; i++) c->code.data[c->code.len++] = 0;
    /* stubs[depth] = code index of the stub for that label, NONE if none yet
     * (only the entries this br_table uses are initialized) */
    c->stubs.len = 0;
    if (!WG_VEC_RESERVE(c->stubs, c->ctrls.len)) {
        c->oom = true;
        return;
    }
    for (uint32_t i = 0; i <= n; i++) c->stubs.data[depths[i]] = NONE;
    c->stubs.len = c->ctrls.len;
    for (uint32_t i = 0; i <= n && !c->oom; i++) {
        uint32_t word = at + 3 + i;
        cctrl *t = &c->ctrls.data[c->ctrls.len - 1 - depths[i]];
        if (t->kind != CK_FUNC && !wg__branch_needs_moves(c, t)) {
            if (t->kind == CK_LOOP)
                c->code.data[word] = (uint32_t)((int64_t)t->start_pc - (int64_t)at);
            else
                add_patch(c, t, at, word);
            continue;
        }
        if (c->stubs.data[depths[i]] == NONE) {
            c->stubs.data[depths[i]] = c->code.len;
            if (t->kind == CK_FUNC) {
                return_moves(c);
            } else {
                uint32_t w[1];
                wg__branch_moves(c, t);
                wg__emit_branch_op(c, WG_OP_br, 1, w, t);
            }
        }
        if (!c->oom) c->code.data[word] = c->stubs.data[depths[i]] - at;
    }
}
