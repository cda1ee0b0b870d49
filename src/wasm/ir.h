/*
 * The internal code: what compile.c emits while validating a function body and
 * what interp.c executes. This list is the single contract between the two.
 *
 * Code is an array of 32-bit words. An instruction is one handler word followed
 * by its operand words. The handler word holds wg__ir_handlers()[op]: an
 * offset that the interpreter turns into a label address (direct threading with
 * GCC/Clang labels-as-values), so dispatch is one load, one add and one jump.
 *
 * Frames. A function's frame is a window of 8-byte cells (wg_cell) on the value
 * stack, addressed by slot index from the frame pointer fp:
 *     [0, nparams)                    parameters
 *     [nparams, nlocals)              declared locals (zeroed on entry)
 *     [nlocals, nlocals + max_height) the operand stack: the value at height h
 *                                     lives in slot nlocals + h (its "canonical" slot)
 * Results are returned in slots [0, nresults) of the callee's frame. A call
 * places its arguments in the caller's canonical slots base .. base+nparams-1 and
 * the callee's frame starts there (fp' = fp + base): arguments are never copied,
 * and the results appear where the caller expects them on its stack.
 *
 * Cell contents: i32 and f32 in the low 32 bits (upper 32 bits unspecified, so
 * every reader of an i32 reads only .u32/.i32); i64/f64 in all 64; references as
 * a pointer (funcref: const wg_func *, externref: the host's void *), NULL = null.
 *
 * Operand kinds in the list below:
 *   S  slot index (u32), relative to fp
 *   I  32-bit immediate (u32; for *_ri ops on i64, sign-extended to 64 bits)
 *   L  64-bit immediate in two words, low word first
 *   O  branch offset (i32) in words, relative to the first word (the handler
 *      word) of the branching instruction. A negative offset is a loop back-edge:
 *      the interpreter checks the interrupt flag there.
 *
 * Binary numeric ops are "d a b": fp[d] = fp[a] OP fp[b]. Unary: "d a".
 * *_ri ops take the right operand as immediate: "d a I". Loads are
 * "d addr offset": ea = (u64)fp[addr].u32 + offset (a u32 immediate), trap if
 * ea + size > memory size. Stores are "addr value offset". Memory ops use memory 0.
 */
#ifndef WG_WASM_IR_H
#define WG_WASM_IR_H

#include <stdint.h>

/* Binary ops with an i32/i64 register-immediate variant. X(name, type, cop) */
#define WG_IR_RI_I32(X) \
    X(i32_add) X(i32_sub) X(i32_mul) X(i32_and) X(i32_or) X(i32_xor) \
    X(i32_shl) X(i32_shr_s) X(i32_shr_u) X(i32_rotl) X(i32_rotr) \
    X(i32_eq) X(i32_ne) X(i32_lt_s) X(i32_lt_u) X(i32_gt_s) X(i32_gt_u) \
    X(i32_le_s) X(i32_le_u) X(i32_ge_s) X(i32_ge_u)
#define WG_IR_RI_I64(X) \
    X(i64_add) X(i64_sub) X(i64_mul) X(i64_and) X(i64_or) X(i64_xor) \
    X(i64_shl) X(i64_shr_s) X(i64_shr_u) X(i64_rotl) X(i64_rotr) \
    X(i64_eq) X(i64_ne) X(i64_lt_s) X(i64_lt_u) X(i64_gt_s) X(i64_gt_u) \
    X(i64_le_s) X(i64_le_u) X(i64_ge_s) X(i64_ge_u)

/* Loads with a fused base+immediate address form (*_ri). X(name) */
#define WG_IR_LOADS(X) \
    X(i32_load) X(i64_load) X(f32_load) X(f64_load) \
    X(i32_load8_s) X(i32_load8_u) X(i32_load16_s) X(i32_load16_u) \
    X(i64_load8_s) X(i64_load8_u) X(i64_load16_s) X(i64_load16_u) \
    X(i64_load32_s) X(i64_load32_u)

/* Comparisons that fuse with a following br_if / if into one compare-and-branch. */
#define WG_IR_CMP_I32(X) \
    X(i32_eq) X(i32_ne) X(i32_lt_s) X(i32_lt_u) X(i32_gt_s) X(i32_gt_u) \
    X(i32_le_s) X(i32_le_u) X(i32_ge_s) X(i32_ge_u)
#define WG_IR_CMP_I64(X) \
    X(i64_eq) X(i64_ne) X(i64_lt_s) X(i64_lt_u) X(i64_gt_s) X(i64_gt_u) \
    X(i64_le_s) X(i64_le_u) X(i64_ge_s) X(i64_ge_u)

/*
 * The instruction list. X(name, operands) — one line each: operands, then meaning.
 */
#define WG_IR_LIST(X)                                                                 \
    /* --- control --- */                                                             \
    X(unreachable, "")           /* trap "unreachable" */                             \
    X(br, "O")                   /* ip += O */                                        \
    X(br_if, "S O")              /* if fp[S].u32 != 0: ip += O */                     \
    X(br_unless, "S O")          /* if fp[S].u32 == 0: ip += O */                     \
    X(br_if_i64_nez, "S O")      /* if fp[S].u64 != 0: ip += O */                     \
    X(br_if_i64_eqz, "S O")      /* if fp[S].u64 == 0: ip += O */                     \
    X(br_table, "S I O...")      /* n = I; k = fp[S].u32; ip += O[k < n ? k : n]: n+1 offsets follow */ \
    X(copy, "S S")               /* d s: fp[d] = fp[s] */                             \
    X(copy2, "S S S S")          /* d1 s1 d2 s2: fp[d1] = fp[s1]; then fp[d2] = fp[s2] (two adjacent copies) */ \
    X(copy_n, "S S I")           /* d s n: copy n cells fp[s..] to fp[d..], ascending (d <= s) */ \
    X(const32, "S I")            /* d imm: fp[d].u64 = imm */                         \
    X(const64, "S L")            /* d imm: fp[d].u64 = imm */                         \
    X(return, "")                /* results are already in slots [0, nresults) */     \
    X(call, "I S")               /* f base: call defined function f (module-wide function index) with fp' = fp + base \
                                    (the compiler emits call_direct instead) */ \
    X(call_direct, "I S I I I I") /* f base off frame z n: call inst->own_funcs[f] (f: defined-function index) \
                                    with fp' = fp + base; trap "call stack exhausted" if the frame stack is full or \
                                    fewer than frame cells remain from fp'; zero fp'[z .. z+n); ip += off (the \
                                    callee's code, relative to this handler word). Patched once all bodies are compiled */ \
    X(call_import, "I S")        /* f base: call inst->funcs[f] (imported: host or another instance) */ \
    X(call_indirect, "I I S S")  /* type table idx base: f = table[fp[idx].u32]; trap "undefined element" if out of range, \
                                    "uninitialized element" if null, "indirect call type mismatch" if f's type != module type */ \
    X(select, "S S S S")         /* d a b c: fp[d] = fp[c].u32 ? fp[a] : fp[b] */     \
    X(global_get, "S I")         /* d g: fp[d] = inst->globals[g]->val */             \
    X(global_set, "I S")         /* g s: inst->globals[g]->val = fp[s] */             \
    /* --- memory (memory 0) --- */                                                   \
    X(i32_load, "S S I") X(i64_load, "S S I") X(f32_load, "S S I") X(f64_load, "S S I") \
    X(i32_load8_s, "S S I") X(i32_load8_u, "S S I") X(i32_load16_s, "S S I") X(i32_load16_u, "S S I") \
    X(i64_load8_s, "S S I") X(i64_load8_u, "S S I") X(i64_load16_s, "S S I") X(i64_load16_u, "S S I") \
    X(i64_load32_s, "S S I") X(i64_load32_u, "S S I")                                 \
    X(i32_store, "S S I") X(i64_store, "S S I") X(f32_store, "S S I") X(f64_store, "S S I") \
    X(i32_store8, "S S I") X(i32_store16, "S S I")                                    \
    X(i64_store8, "S S I") X(i64_store16, "S S I") X(i64_store32, "S S I")           \
    X(memory_size, "S")          /* d: pages */                                       \
    X(memory_grow, "S S")        /* d delta: old pages, or -1 (also past max_memory_bytes) */ \
    X(memory_fill, "S S S")      /* dst val n */                                      \
    X(memory_copy, "S S S")      /* dst src n (overlap-safe) */                       \
    X(memory_init, "I S S S")    /* seg dst src n (a dropped segment has length 0) */ \
    X(data_drop, "I")            /* seg */                                            \
    /* --- tables and references --- */                                               \
    X(table_get, "S I S")        /* d table idx */                                    \
    X(table_set, "I S S")        /* table idx val */                                  \
    X(table_size, "S I")         /* d table */                                        \
    X(table_grow, "S I S S")     /* d table init n: old size or -1 */                 \
    X(table_fill, "I S S S")     /* table i val n */                                  \
    X(table_copy, "I I S S S")   /* dst_table src_table d s n */                      \
    X(table_init, "I I S S S")   /* seg table d s n */                                \
    X(elem_drop, "I")            /* seg */                                            \
    X(ref_is_null, "S S")        /* d a */                                            \
    X(ref_func, "S I")           /* d f: fp[d].ref = inst->funcs[f] */                \
    /* --- i32 --- */                                                                 \
    X(i32_eqz, "S S")                                                                 \
    X(i32_eq, "S S S") X(i32_ne, "S S S") X(i32_lt_s, "S S S") X(i32_lt_u, "S S S")   \
    X(i32_gt_s, "S S S") X(i32_gt_u, "S S S") X(i32_le_s, "S S S") X(i32_le_u, "S S S") \
    X(i32_ge_s, "S S S") X(i32_ge_u, "S S S")                                         \
    X(i32_clz, "S S") X(i32_ctz, "S S") X(i32_popcnt, "S S")                          \
    X(i32_add, "S S S") X(i32_sub, "S S S") X(i32_mul, "S S S")                       \
    X(i32_div_s, "S S S") X(i32_div_u, "S S S") X(i32_rem_s, "S S S") X(i32_rem_u, "S S S") \
    X(i32_and, "S S S") X(i32_or, "S S S") X(i32_xor, "S S S")                        \
    X(i32_shl, "S S S") X(i32_shr_s, "S S S") X(i32_shr_u, "S S S")                   \
    X(i32_rotl, "S S S") X(i32_rotr, "S S S")                                         \
    /* --- i64 --- */                                                                 \
    X(i64_eqz, "S S")                                                                 \
    X(i64_eq, "S S S") X(i64_ne, "S S S") X(i64_lt_s, "S S S") X(i64_lt_u, "S S S")   \
    X(i64_gt_s, "S S S") X(i64_gt_u, "S S S") X(i64_le_s, "S S S") X(i64_le_u, "S S S") \
    X(i64_ge_s, "S S S") X(i64_ge_u, "S S S")                                         \
    X(i64_clz, "S S") X(i64_ctz, "S S") X(i64_popcnt, "S S")                          \
    X(i64_add, "S S S") X(i64_sub, "S S S") X(i64_mul, "S S S")                       \
    X(i64_div_s, "S S S") X(i64_div_u, "S S S") X(i64_rem_s, "S S S") X(i64_rem_u, "S S S") \
    X(i64_and, "S S S") X(i64_or, "S S S") X(i64_xor, "S S S")                        \
    X(i64_shl, "S S S") X(i64_shr_s, "S S S") X(i64_shr_u, "S S S")                   \
    X(i64_rotl, "S S S") X(i64_rotr, "S S S")                                         \
    /* --- f32 / f64 --- */                                                           \
    X(f32_eq, "S S S") X(f32_ne, "S S S") X(f32_lt, "S S S") X(f32_gt, "S S S")       \
    X(f32_le, "S S S") X(f32_ge, "S S S")                                             \
    X(f64_eq, "S S S") X(f64_ne, "S S S") X(f64_lt, "S S S") X(f64_gt, "S S S")       \
    X(f64_le, "S S S") X(f64_ge, "S S S")                                             \
    X(f32_abs, "S S") X(f32_neg, "S S") X(f32_ceil, "S S") X(f32_floor, "S S")        \
    X(f32_trunc, "S S") X(f32_nearest, "S S") X(f32_sqrt, "S S")                      \
    X(f32_add, "S S S") X(f32_sub, "S S S") X(f32_mul, "S S S") X(f32_div, "S S S")   \
    X(f32_min, "S S S") X(f32_max, "S S S") X(f32_copysign, "S S S")                  \
    X(f64_abs, "S S") X(f64_neg, "S S") X(f64_ceil, "S S") X(f64_floor, "S S")        \
    X(f64_trunc, "S S") X(f64_nearest, "S S") X(f64_sqrt, "S S")                      \
    X(f64_add, "S S S") X(f64_sub, "S S S") X(f64_mul, "S S S") X(f64_div, "S S S")   \
    X(f64_min, "S S S") X(f64_max, "S S S") X(f64_copysign, "S S S")                  \
    /* --- conversions (all "d a") --- */                                             \
    X(i32_wrap_i64, "S S")                                                            \
    X(i32_trunc_f32_s, "S S") X(i32_trunc_f32_u, "S S")                               \
    X(i32_trunc_f64_s, "S S") X(i32_trunc_f64_u, "S S")                               \
    X(i64_extend_i32_s, "S S") X(i64_extend_i32_u, "S S")                             \
    X(i64_trunc_f32_s, "S S") X(i64_trunc_f32_u, "S S")                               \
    X(i64_trunc_f64_s, "S S") X(i64_trunc_f64_u, "S S")                               \
    X(f32_convert_i32_s, "S S") X(f32_convert_i32_u, "S S")                           \
    X(f32_convert_i64_s, "S S") X(f32_convert_i64_u, "S S")                           \
    X(f32_demote_f64, "S S")                                                          \
    X(f64_convert_i32_s, "S S") X(f64_convert_i32_u, "S S")                           \
    X(f64_convert_i64_s, "S S") X(f64_convert_i64_u, "S S")                           \
    X(f64_promote_f32, "S S")                                                         \
    X(i32_extend8_s, "S S") X(i32_extend16_s, "S S")                                  \
    X(i64_extend8_s, "S S") X(i64_extend16_s, "S S") X(i64_extend32_s, "S S")         \
    X(i32_trunc_sat_f32_s, "S S") X(i32_trunc_sat_f32_u, "S S")                       \
    X(i32_trunc_sat_f64_s, "S S") X(i32_trunc_sat_f64_u, "S S")                       \
    X(i64_trunc_sat_f32_s, "S S") X(i64_trunc_sat_f32_u, "S S")                       \
    X(i64_trunc_sat_f64_s, "S S") X(i64_trunc_sat_f64_u, "S S")                       \
    /* (reinterpret ops compile to `copy`; drop and nop emit nothing) */              \
    /* --- fused register-immediate forms: "d a I" --- */                             \
    WG_IR_RI_I32(WG_IR_RI_) WG_IR_RI_I64(WG_IR_RI_)                                   \
    /* --- fused compare-and-branch: "a b O" and "a I O": if (fp[a] CMP b) ip += O --- */ \
    WG_IR_CMP_I32(WG_IR_BR_) WG_IR_CMP_I64(WG_IR_BR_)                                 \
    WG_IR_CMP_I32(WG_IR_BR_RI_) WG_IR_CMP_I64(WG_IR_BR_RI_)                          \
    /* --- fused address loads (i32.add/sub of a constant, then the load): "d a I off": */ \
    /*     ea = (u64)(u32)(fp[a].u32 + I) + off (the add wraps at 32 bits, then the      */ \
    /*     offset is added without wrap); trap if ea + size > memory size              */ \
    WG_IR_LOADS(WG_IR_LOAD_RI_)

/* Helpers that give the generated names: i32_add_ri, br_i32_lt_s, br_i32_lt_s_ri,
 * f64_load_ri.
 * They expand to a macro literally named X, so WG_IR_LIST must always be expanded
 * with a macro named X: `#define X(name, operands) ...  WG_IR_LIST(X)  #undef X`. */
#define WG_IR_RI_(n) X(n##_ri, "S S I")
#define WG_IR_BR_(n) X(br_##n, "S S O")
#define WG_IR_BR_RI_(n) X(br_##n##_ri, "S I O")
#define WG_IR_LOAD_RI_(n) X(n##_ri, "S S I I")

typedef enum wg_ir_op {
#define X(name, operands) WG_OP_##name,
    WG_IR_LIST(X)
#undef X
    WG_OP_COUNT_
} wg_ir_op;

/* Handler offsets indexed by wg_ir_op, from the interpreter (interp.c).
 * The compiler stores handlers[op] as the first word of each instruction. */
const int32_t *wg__ir_handlers(void);

/* Number of operand words of op, with the handler word excluded, for fixed-size
 * ops; br_table returns 2 (S and I: n+1 offsets follow). From the operand strings. */
uint32_t wg__ir_operand_words(wg_ir_op op);

/* The op's name ("i32_add_ri"), for disassembly and tests. */
const char *wg__ir_name(wg_ir_op op);

#endif
