/*
 * Private header of the function-body validator + compiler (compile*.c).
 *
 * compile.c        driver: one pass over each body, validating every opcode
 *                  (WebAssembly 2.0, spec appendix "validation algorithm")
 *                  and emitting internal code (ir.h) at the same time;
 * compile_emit.c   the virtual operand stack, the control stack, emission,
 *                  materialization of deferred operands, branches;
 * compile_tables.c the opcode table (names, operand/result types, IR ops).
 *
 * The virtual operand stack. Entry h (height h) of the wasm operand stack has a
 * type and a location: LOC_SLOT means the value is in its canonical slot
 * stack_base + h (stack_base = nlocals + constant pool size); LOC_LOCAL means
 * it is still in a local's slot (a local.get that emitted nothing); LOC_CONST
 * means it is a constant that was not written anywhere yet (i32/i64/f32/f64
 * .const, ref.null). Invariants:
 *   - entries below the innermost block's height are never LOC_LOCAL (every
 *     block/loop/if entry spills them), so every label merge point sees the
 *     same locations on all incoming paths; constants never change, so they
 *     may stay deferred across labels (except loop/if params, which are made
 *     canonical because a back-edge or the else branch needs them in slots);
 *   - at a label (block end, loop start, else) the label's values are
 *     LOC_SLOT;
 *   - an entry's location changes only by being written to its canonical
 *     slot, on every path (never inside a conditionally executed sequence).
 *
 * Peephole state: the last value-producing instruction is remembered so that
 * local.set/local.tee (and unconditional single-value branches/returns) can
 * rewrite its dst operand instead of emitting a copy, and br_if/if can replace
 * a just-emitted comparison by a compare-and-branch.
 */
#ifndef WG_WASM_COMPILE_INT_H
#define WG_WASM_COMPILE_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "util/vec.h"
#include "wasm/ir.h"
#include "wasm/module.h"
#include "wasm/reader.h"
#include "wasmgate/wasmgate.h"

#define T_UNKNOWN 0u        /* type of a value popped from a polymorphic stack */
#define NONE UINT32_MAX

enum { LOC_SLOT, LOC_LOCAL, LOC_CONST };

/* One virtual operand-stack entry. */
typedef struct cval {
    uint8_t type;           /* wg_valtype or T_UNKNOWN */
    uint8_t loc;            /* LOC_* */
    uint32_t local;         /* LOC_LOCAL: the local's slot */
    uint64_t imm;           /* LOC_CONST: the value's bits */
} cval;

enum { CK_BLOCK, CK_LOOP, CK_IF, CK_ELSE, CK_FUNC };

/* One control-stack entry (a label). */
typedef struct cctrl {
    uint8_t kind;           /* CK_* */
    bool unreachable;       /* the rest of this block is unreachable (polymorphic stack) */
    bool dead;              /* entered in unreachable code: nothing is emitted inside */
    uint32_t nparams, nresults;
    const uint8_t *params;  /* block type's parameter types (static or in m->types) */
    const uint8_t *results;
    uint32_t height;        /* operand stack height at entry, params excluded */
    uint32_t start_pc;      /* CK_LOOP: code index of the loop start */
    uint32_t patches;       /* head of this label's forward-branch patch list, or NONE */
    uint32_t else_instr;    /* CK_IF: the branch to the else/end, or NONE */
    uint32_t else_word;
} cctrl;

/* A forward branch offset waiting for its label's position. */
typedef struct cpatch {
    uint32_t instr;         /* code index of the branching instruction's first word */
    uint32_t word;          /* code index of the offset word */
    uint32_t next;          /* next patch of the same label, or NONE */
} cpatch;

/* Constant pool. A function whose constants are materialized into slots
 * often (in loops, or several times) is compiled twice: the first pass counts
 * those constants; the second gives the chosen ones frame slots
 * [nlocals, nlocals + npool), written once by const32/const64 at function
 * entry, and operands then read them in place. The operand stack starts
 * after the pool. */
#define WG_CC_MAX_CANDS 256u
#define WG_CC_MAX_POOL 32u

typedef struct cpool {
    uint64_t imm;           /* the cell's bits (i32/f32 zero-extended) */
    uint32_t uses;          /* pass 1: materializations as an operand */
    uint32_t loop_uses;     /* pass 1: of which inside a loop */
} cpool;

/* Compiler state for one module; the per-function parts are reset per body. */
typedef struct wg__cc {
    wg_module *m;
    wg_error *err;
    const int32_t *handlers;   /* wg__ir_handlers() */
    bool oom;                  /* an allocation failed: stop at the next check */

    /* current function */
    uint32_t func_idx;         /* module-wide function index */
    uint32_t body_idx;
    wg_reader r;
    size_t op_pos;             /* module offset of the current opcode (errors) */
    const char *op_name;       /* name of the current opcode (errors) */
    uint8_t *local_types;      /* [nlocals] */
    uint32_t local_cap;
    uint32_t nlocals;
    const wg_functype *ft;
    uint32_t max_height;
    uint32_t stack_base;       /* canonical slot of height 0: nlocals + npool */
    uint32_t local_floor;      /* no LOC_LOCAL entry below this height (a lower bound
                                  that keeps spill scans amortized O(1)) */
    uint32_t nloops;           /* loops on the control stack */
    bool pass2;                /* compiling with the constant pool */
    uint32_t ncands;
    cpool cands[WG_CC_MAX_CANDS];  /* pass 1: constants seen */
    uint32_t npool;
    uint64_t pool[WG_CC_MAX_POOL]; /* pass 2: pooled constants; slot nlocals + index */

    WG_VEC(cval) vals;
    WG_VEC(cctrl) ctrls;
    WG_VEC(cpatch) patches;
    WG_VEC(uint32_t) code;     /* all functions' code, module-wide */
    WG_VEC(uint32_t) scratch;  /* br_table depths */
    WG_VEC(uint32_t) stubs;    /* br_table: per depth, stub index or NONE */
    WG_VEC(uint32_t) calls;    /* call_direct sites: code index of the handler word, then
                                  the callee's defined-function index (patched at the end) */

    /* The last value-producing instruction, for local.set retargeting and
     * compare-branch fusion: valid while code.len == last_end and no label was
     * placed at last_end. */
    uint32_t last_start;
    uint32_t last_end;
    uint32_t last_dst_word;    /* code index of its dst operand, or NONE if not retargetable */
    uint32_t last_height;      /* stack height of its result */
    uint32_t last_op;          /* wg_ir_op */
    uint32_t label_pc;         /* code index of the most recent label */
    uint32_t last_copy;        /* code index of the last copy from wg__move_to: a copy
                                  emitted right after it (no label between) fuses into copy2 */
} wg__cc;

/* ---- opcode table (compile_tables.c) ---- */

enum { K_ILLEGAL = 0, K_SPECIAL, K_UN, K_BIN, K_REINTERP, K_LOAD, K_STORE };

typedef struct wg__opinfo {
    const char *name;       /* text-format name, e.g. "i32.add" */
    uint8_t kind;           /* K_*; K_ILLEGAL (0) for unassigned opcodes */
    uint8_t a, b;           /* operand types (unary: a; store: a = address, b = value) */
    uint8_t r;              /* result type (0 if none) */
    uint8_t align;          /* loads/stores: log2 of natural alignment */
    uint16_t irop;          /* wg_ir_op for K_UN/K_BIN/K_LOAD/K_STORE */
} wg__opinfo;

/* Indexed by the opcode byte. */
extern const wg__opinfo wg__opinfo_table[256];
/* Indexed by the 0xFC sub-opcode (0..17). */
extern const wg__opinfo wg__opinfo_fc[18];

/* The *_ri form of a binary op, or NONE if there is none. */
uint32_t wg__cc_ri_form(uint32_t op);
/* The compare-and-branch form (br_<cmp>) of a comparison, or NONE. */
uint32_t wg__cc_br_form(uint32_t op);
/* The *_ri (base + immediate address) form of a load, or NONE. */
uint32_t wg__cc_load_ri_form(uint32_t op);
/* The br_<cmp>_ri form of a comparison's *_ri op, or NONE. */
uint32_t wg__cc_br_ri_form(uint32_t op_ri);
/* The negated comparison (lt_s -> ge_s), for plain or *_ri comparisons, or NONE. */
uint32_t wg__cc_cmp_negate(uint32_t op);
/* The comparison with its operands swapped (lt_s -> gt_s; eq -> eq;
 * add -> add for commutative ops), or NONE. Plain (non-ri) ops only. */
uint32_t wg__cc_swap_operands(uint32_t op);

/* ---- compile_emit.c ---- */

/* Fails the compilation with err filled: "<msg> (func F, offset 0xO, <op>[: detail])".
 * Always returns false. */
bool wg__cc_fail(wg__cc *c, int kind, const char *msg, const char *detail);

/* True if nothing must be emitted at this point (unreachable code). */
static inline bool wg__cc_dead(const wg__cc *c) {
    const cctrl *t = &c->ctrls.data[c->ctrls.len - 1];
    return t->unreachable || t->dead;
}

/* Canonical slot of height h. */
static inline uint32_t wg__cc_canon(const wg__cc *c, uint32_t h) { return c->stack_base + h; }

/* Emits op with n operand words; returns the code index of its handler word,
 * or NONE if in dead code or out of memory. */
uint32_t wg__emit(wg__cc *c, uint32_t op, uint32_t n, const uint32_t *words);
/* Emits op followed by up to 4 operands (convenience). */
uint32_t wg__emit4(wg__cc *c, uint32_t op, uint32_t n, uint32_t a, uint32_t b, uint32_t d, uint32_t e);
/* Records that the instruction at start (just emitted) produced the value at
 * stack height h; dst_word is its dst operand's code index (NONE if it must not
 * be retargeted). */
void wg__cc_set_last(wg__cc *c, uint32_t start, uint32_t op, uint32_t dst_word, uint32_t h);
/* True if the value at the top of the stack was produced by the last emitted
 * instruction and is still in its canonical slot. */
bool wg__cc_top_is_last(const wg__cc *c);
/* Marks the current code position as a label (invalidates "last"). */
void wg__cc_label(wg__cc *c);

/* Pushes a value; false when out of memory. */
bool wg__push(wg__cc *c, uint8_t type, uint8_t loc, uint32_t local, uint64_t imm);
/* Pushes a value of type t in its canonical slot. */
bool wg__push_slot(wg__cc *c, uint8_t type);
/* Pops one value of any type (T_UNKNOWN from a polymorphic stack). */
bool wg__pop(wg__cc *c, cval *out);
/* Pops one value that must have type t (or be unknown). */
bool wg__pop_expect(wg__cc *c, uint8_t t, cval *out);
/* Pops the given types (last one first) checking each. */
bool wg__pop_types(wg__cc *c, uint32_t n, const uint8_t *types);

/* Slot holding v, the value popped from height h: a pooled constant's slot,
 * or constants are written into canonical slot h first. */
uint32_t wg__slot_of(wg__cc *c, cval *v, uint32_t h);
/* Writes the stack entry at height h into its canonical slot if it is not there. */
void wg__materialize(wg__cc *c, uint32_t h);
/* Materializes entries [from, len) that are LOC_LOCAL (and, if consts, LOC_CONST). */
void wg__spill(wg__cc *c, uint32_t from, bool consts);
/* Emits the code that puts value v (located as the entry of height h) into slot dst. */
void wg__move_to(wg__cc *c, const cval *v, uint32_t h, uint32_t dst);

/* Control stack. */
bool wg__push_ctrl(wg__cc *c, uint8_t kind, uint32_t np, const uint8_t *p, uint32_t nr, const uint8_t *r);
/* The types a branch to label depth d carries. */
void wg__label_types(const cctrl *t, uint32_t *n, const uint8_t **types);
/* Checks that the top of the stack matches label depth d's types (without popping). */
bool wg__check_label_values(wg__cc *c, const cctrl *t);
/* Marks the rest of the current block unreachable (after br, return, ...). */
void wg__set_unreachable(wg__cc *c);

/* True if a branch to label t needs value moves from the current stack. */
bool wg__branch_needs_moves(wg__cc *c, const cctrl *t);
/* Emits the value moves for a branch to label t (not the branch itself). */
void wg__branch_moves(wg__cc *c, const cctrl *t);
/* Emits an unconditional branch to label `depth` (moves + br, or the return sequence). */
void wg__branch_to(wg__cc *c, uint32_t depth);
/* Emits a branching instruction with n operand words whose last one is the
 * offset to label t: resolved now for loops, patched at the label's end for
 * blocks. words[n-1] is overwritten. */
void wg__emit_branch_op(wg__cc *c, uint32_t op, uint32_t n, uint32_t *words, cctrl *t);
/* Emits a forward branch (offset patched later by wg__patch_here); returns
 * its code index, or NONE in dead code. words[n-1] is overwritten. */
uint32_t wg__emit_fwd(wg__cc *c, uint32_t op, uint32_t n, uint32_t *words);
/* Sets the offset word of the forward branch at instr to the current position. */
void wg__patch_here(wg__cc *c, uint32_t instr, uint32_t word);
/* Resolves every patch of label t to the current position. */
void wg__resolve_patches(wg__cc *c, cctrl *t);
/* Copies local-sourced results that a return's ascending copies would clobber
 * into their canonical slots (emit on every path, before conditional branches). */
void wg__return_prepare(wg__cc *c);
/* Emits the function's return sequence (result moves into [0,n), return). */
void wg__emit_return(wg__cc *c);

/* A branch condition: either a slot (br_if/br_unless) or a fused comparison
 * whose compare instruction was removed from the code. */
typedef struct ccond {
    uint32_t op_true;       /* branch op taken when the wasm condition is true */
    uint32_t op_false;      /* branch op taken when it is false */
    uint32_t n;             /* operand words before the offset */
    uint32_t w[2];
} ccond;

/* Pops the i32 condition of br_if/if; fuses it with the instruction that
 * produced it when that was a comparison or eqz just emitted. */
bool wg__get_cond(wg__cc *c, ccond *out);
/* Emits a branch to label `depth` taken when cond == when (moves included). */
void wg__cond_branch(wg__cc *c, const ccond *cond, bool when, uint32_t depth);
/* Emits br_table (cond in cond_slot, n+1 label depths) and its move stubs. */
void wg__emit_br_table(wg__cc *c, uint32_t cond_slot, uint32_t n, const uint32_t *depths);

#endif
