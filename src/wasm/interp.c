/*
 * The interpreter: executes the internal code of ir.h.
 *
 * Dispatch is direct threading with labels-as-values. Every handler of
 * WG_IR_LIST is a label L_<name> inside run(); the handler word of an
 * instruction is the label's offset from L_base (a static const table built
 * from label differences, which GCC documents for exactly this use), so the
 * next instruction is reached with one load, one add and one indirect jump:
 *     goto *(void *)((char *)&&L_base + (int32_t)*ip)
 * The table is exported by calling run() in a special mode (ex == NULL), so no
 * mutable global state exists. run() is never inlined or cloned, so there is
 * exactly one copy of its labels.
 *
 * State kept in locals while running: ip, fp, the current instance and
 * memory 0's base and size (the "cache"). The cache is reloaded (RELOAD)
 * whenever the instance can change or memory can move or grow: after a
 * call/return that switches instance, after memory.grow, after host calls
 * (which can grow memory or re-enter the interpreter). The instance's
 * globals/funcs arrays and ex's frame array are read through their owners:
 * keeping them in locals too made gcc spill the memory base instead.
 *
 * Compilers: gcc duplicates the dispatch jump into every handler (one indirect
 * branch per handler, which predicts well). clang >= 18 merges all of them into
 * one jump unless built with -mllvm -tail-dup-pred-size=1000
 * -mllvm -tail-dup-succ-size=1000 (measured: 1.5-2x slower without).
 *
 * Calls never recurse on the C stack: a wasm->wasm call pushes a wg_frame
 * {ret_ip, caller fp, callee} on ex->frames and jumps. A call that switches
 * instances stores ret_ip with bit 0 set (code words are 4-byte aligned), so
 * `return` reloads the caller's instance and memory only then. Host functions are
 * called from here (they may re-enter wg__interp_call; each activation returns
 * when its own entry frame is popped). A trap fills ex->trap (with the
 * backtrace from the frame stack, before anything is popped), restores
 * ex->nframes to its value on entry and returns the code.
 *
 * Interrupts: the flag is loaded (relaxed) at every call and at every branch
 * with a negative or zero offset (loop back-edges; zero is `loop br 0 end`, a
 * branch to itself), including fused compare-branches and br_table entries.
 */
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "wasm/ir.h"
#include "wasm/numeric.h"
#include "wasm/runtime.h"

#define LIKELY(x) __builtin_expect(!!(x), 1)
#define UNLIKELY(x) __builtin_expect(!!(x), 0)

/* The label offsets are only meaningful for one copy of run(). */
#if defined(__clang__)
#define WG_ONE_COPY __attribute__((noinline))
#else
#define WG_ONE_COPY __attribute__((noinline, noclone))
#endif

/* ---- names and operand sizes ---- */

static const char *const op_names[] = {
#define X(name, operands) #name,
    WG_IR_LIST(X)
#undef X
};

static const char *const op_operands[] = {
#define X(name, operands) operands,
    WG_IR_LIST(X)
#undef X
};

/* Returns the op's name from WG_IR_LIST, or "?" for an unknown op. Static string. */
const char *wg__ir_name(wg_ir_op op) {
    if ((unsigned)op >= WG_OP_COUNT_) return "?";
    return op_names[op];
}

/* Counts the operand words in the operand string: S, I and O are one word, L
 * is two, and a variadic "O..." (br_table's offsets) is not counted. Returns 0
 * for an unknown op. */
uint32_t wg__ir_operand_words(wg_ir_op op) {
    if ((unsigned)op >= WG_OP_COUNT_) return 0;
    uint32_t n = 0;
    for (const char *s = op_operands[op]; *s;) {
        if (*s == ' ') { s++; continue; }
        const char *tok = s;
        while (*s && *s != ' ') s++;
        size_t len = (size_t)(s - tok);
        if (len > 1 && tok[len - 1] == '.') continue;  /* "O...": variadic */
        n += tok[0] == 'L' ? 2u : 1u;
    }
    return n;
}

/* ---- constant expressions ---- */

/* Evaluates one constant expression (a small stack machine) against inst.
 * Writes the value to *out (i32/f32 zero-extended to 64 bits). Returns false
 * for a malformed expression: unknown opcode, stack underflow, an index out of
 * range, a result count other than one, or out of memory for a very deep one. */
bool wg__constexpr_eval(const wg_instance *inst, const wg_constexpr *e, wg_cell *out) {
    wg_cell small[16];
    wg_cell *st = small;
    if (!e || !out || (e->nops && !e->ops)) return false;
    if (e->nops > 16) {
        st = malloc(sizeof *st * e->nops);
        if (!st) return false;
    }
    const wg_module *m = inst ? inst->module : NULL;
    uint32_t h = 0;
    bool ok = true;
    for (uint32_t i = 0; ok && i < e->nops; i++) {
        const wg_constop *op = &e->ops[i];
        switch (op->opcode) {
        case 0x41: /* i32.const */
        case 0x43: /* f32.const */
            st[h++].u64 = (uint32_t)op->imm;
            break;
        case 0x42: /* i64.const */
        case 0x44: /* f64.const */
            st[h++].u64 = op->imm;
            break;
        case 0xD0: /* ref.null */
            st[h++].ref = NULL;
            break;
        case 0xD2: /* ref.func */
            if (!m || op->imm >= m->nfuncs || !inst->funcs) { ok = false; break; }
            st[h++].ref = inst->funcs[op->imm];
            break;
        case 0x23: /* global.get */
            if (!m || op->imm >= m->nglobals || !inst->globals || !inst->globals[op->imm]) {
                ok = false;
                break;
            }
            st[h++] = inst->globals[op->imm]->val;
            break;
        case 0x6A: case 0x6B: case 0x6C: { /* i32.add/sub/mul */
            if (h < 2) { ok = false; break; }
            uint32_t a = st[h - 2].u32, b = st[h - 1].u32;
            uint32_t r = op->opcode == 0x6A ? a + b : op->opcode == 0x6B ? a - b : a * b;
            st[h - 2].u64 = r;
            h--;
            break;
        }
        case 0x7C: case 0x7D: case 0x7E: { /* i64.add/sub/mul */
            if (h < 2) { ok = false; break; }
            uint64_t a = st[h - 2].u64, b = st[h - 1].u64;
            st[h - 2].u64 = op->opcode == 0x7C ? a + b : op->opcode == 0x7D ? a - b : a * b;
            h--;
            break;
        }
        default:
            ok = false;
            break;
        }
    }
    if (ok && h == 1) *out = st[0];
    else ok = false;
    if (st != small) free(st);
    return ok;
}

/* One element of an element segment: the fast path is the usual single ref.func. */
static inline bool elem_item(const wg_instance *inst, const wg_constexpr *e, void **out) {
    if (e->nops == 1 && e->ops[0].opcode == 0xD2 && e->ops[0].imm < inst->module->nfuncs) {
        *out = inst->funcs[e->ops[0].imm];
        return true;
    }
    wg_cell c;
    if (!wg__constexpr_eval(inst, e, &c)) return false;
    *out = c.ref;
    return true;
}

/* ---- integer op semantics on unsigned bit patterns, for the generated handlers ---- */

#define I32_i32_add(x, y) ((x) + (y))
#define I32_i32_sub(x, y) ((x) - (y))
#define I32_i32_mul(x, y) ((x) * (y))
#define I32_i32_and(x, y) ((x) & (y))
#define I32_i32_or(x, y) ((x) | (y))
#define I32_i32_xor(x, y) ((x) ^ (y))
#define I32_i32_shl(x, y) ((x) << ((y) & 31))
#define I32_i32_shr_s(x, y) wg_i32_shr_s((x), (y))
#define I32_i32_shr_u(x, y) ((x) >> ((y) & 31))
#define I32_i32_rotl(x, y) wg_i32_rotl((x), (y))
#define I32_i32_rotr(x, y) wg_i32_rotr((x), (y))
#define I32_i32_eq(x, y) ((x) == (y))
#define I32_i32_ne(x, y) ((x) != (y))
#define I32_i32_lt_s(x, y) ((int32_t)(x) < (int32_t)(y))
#define I32_i32_lt_u(x, y) ((x) < (y))
#define I32_i32_gt_s(x, y) ((int32_t)(x) > (int32_t)(y))
#define I32_i32_gt_u(x, y) ((x) > (y))
#define I32_i32_le_s(x, y) ((int32_t)(x) <= (int32_t)(y))
#define I32_i32_le_u(x, y) ((x) <= (y))
#define I32_i32_ge_s(x, y) ((int32_t)(x) >= (int32_t)(y))
#define I32_i32_ge_u(x, y) ((x) >= (y))

#define I64_i64_add(x, y) ((x) + (y))
#define I64_i64_sub(x, y) ((x) - (y))
#define I64_i64_mul(x, y) ((x) * (y))
#define I64_i64_and(x, y) ((x) & (y))
#define I64_i64_or(x, y) ((x) | (y))
#define I64_i64_xor(x, y) ((x) ^ (y))
#define I64_i64_shl(x, y) ((x) << ((y) & 63))
#define I64_i64_shr_s(x, y) wg_i64_shr_s((x), (y))
#define I64_i64_shr_u(x, y) ((x) >> ((y) & 63))
#define I64_i64_rotl(x, y) wg_i64_rotl((x), (y))
#define I64_i64_rotr(x, y) wg_i64_rotr((x), (y))
#define I64_i64_eq(x, y) ((x) == (y))
#define I64_i64_ne(x, y) ((x) != (y))
#define I64_i64_lt_s(x, y) ((int64_t)(x) < (int64_t)(y))
#define I64_i64_lt_u(x, y) ((x) < (y))
#define I64_i64_gt_s(x, y) ((int64_t)(x) > (int64_t)(y))
#define I64_i64_gt_u(x, y) ((x) > (y))
#define I64_i64_le_s(x, y) ((int64_t)(x) <= (int64_t)(y))
#define I64_i64_le_u(x, y) ((x) <= (y))
#define I64_i64_ge_s(x, y) ((int64_t)(x) >= (int64_t)(y))
#define I64_i64_ge_u(x, y) ((x) >= (y))

/* The 32-bit immediate of an i64 *_ri op, sign-extended. */
#define IMM64(w) ((uint64_t)(int64_t)(int32_t)(w))

/* ---- the loop ---- */

/* Runs f (see wg__interp_call). With ex == NULL, only stores the handler
 * offset table in *handlers_out and returns WG_TRAP_NONE. */
static WG_ONE_COPY wg_trap_code run(wg_exec *ex, const wg_func *f, wg_cell *fp,
                                    const int32_t **handlers_out) {
    static const int32_t handlers[] = {
#define X(name, operands) &&L_##name - &&L_base,
        WG_IR_LIST(X)
#undef X
    };
    _Static_assert(sizeof handlers / sizeof handlers[0] == WG_OP_COUNT_, "one handler per op");

    if (UNLIKELY(!ex)) {
        if (handlers_out) *handlers_out = handlers;
        return WG_TRAP_NONE;
    }

    const uint32_t entry_n = ex->nframes;
    /* Read through their owners where used (calls), so that the registers go
     * to ip, fp, the instance and memory 0's base and size. */
#define frames (ex->frames)
#define globals (inst->globals)
#define funcs (inst->funcs)
#define max_frames (ex->max_frames)
#define stack_end (ex->stack_end)
    atomic_uint no_interrupt;
    atomic_init(&no_interrupt, 0);
    atomic_uint *const intr = ex->interrupt ? ex->interrupt : &no_interrupt;

    const uint32_t *ip = NULL;
    wg_instance *inst = NULL;
    uint8_t *mem_base = NULL;
    uint64_t mem_size = 0;
    wg_trap_code tc = WG_TRAP_NONE;

    /* Used by the call paths. */
    const wg_func *callee;
    wg_cell *nfp;
    const uint32_t *ret_ip;

#define RELOAD()                                                               \
    do {                                                                       \
        if (inst->module->nmems && inst->mems && inst->mems[0]) {              \
            mem_base = inst->mems[0]->data;                                    \
            mem_size = inst->mems[0]->size;                                    \
        } else {                                                               \
            mem_base = NULL;                                                   \
            mem_size = 0;                                                      \
        }                                                                      \
    } while (0)
#define NEXT goto *(void *)((char *)&&L_base + (int32_t)*ip)
#define TRAP(code)                                                             \
    do {                                                                       \
        tc = (code);                                                           \
        goto trap;                                                             \
    } while (0)
#define CHECK_INTERRUPT()                                                      \
    do {                                                                       \
        if (UNLIKELY(atomic_load_explicit(intr, memory_order_relaxed)))        \
            TRAP(WG_TRAP_INTERRUPTED);                                         \
    } while (0)
    /* Branch by the offset in word w (relative to the handler word). Offset 0
     * (a branch to itself, as in `loop br 0 end`) is a back-edge too. */
#define BRANCH(w)                                                              \
    do {                                                                       \
        int32_t off_ = (int32_t)(w);                                           \
        if (UNLIKELY(off_ <= 0)) CHECK_INTERRUPT();                            \
        ip += off_;                                                            \
        NEXT;                                                                  \
    } while (0)
#define S(k) fp[ip[k]]

    /* ---- entry ---- */
    if (UNLIKELY(entry_n >= max_frames || !frames)) TRAP(WG_TRAP_STACK_EXHAUSTED);
    if (UNLIKELY(atomic_load_explicit(intr, memory_order_relaxed))) TRAP(WG_TRAP_INTERRUPTED);
    callee = f;
    nfp = fp;
    ret_ip = NULL;
    if (!f->code) goto call_host;
    inst = f->inst;
    RELOAD();
    goto enter_wasm;

    /* ---- control ---- */
L_base:
L_unreachable:
    TRAP(WG_TRAP_UNREACHABLE);
L_br:
    BRANCH(ip[1]);
L_br_if:
    if (S(1).u32 != 0) BRANCH(ip[2]);
    ip += 3;
    NEXT;
L_br_unless:
    if (S(1).u32 == 0) BRANCH(ip[2]);
    ip += 3;
    NEXT;
L_br_if_i64_nez:
    if (S(1).u64 != 0) BRANCH(ip[2]);
    ip += 3;
    NEXT;
L_br_if_i64_eqz:
    if (S(1).u64 == 0) BRANCH(ip[2]);
    ip += 3;
    NEXT;
L_br_table: {
    uint32_t n = ip[2], k = S(1).u32;
    BRANCH(ip[3 + (k < n ? k : n)]);
}
L_copy:
    S(1) = S(2);
    ip += 3;
    NEXT;
L_copy2:
    S(1) = S(2);
    S(3) = S(4);
    ip += 5;
    NEXT;
L_copy_n: {
    wg_cell *d = &S(1);
    const wg_cell *s = &S(2);
    for (uint32_t i = 0, n = ip[3]; i < n; i++) d[i] = s[i];
    ip += 4;
    NEXT;
}
L_const32:
    S(1).u64 = ip[2];
    ip += 3;
    NEXT;
L_const64:
    S(1).u64 = (uint64_t)ip[2] | (uint64_t)ip[3] << 32;
    ip += 4;
    NEXT;
L_return: {
    uint32_t n = ex->nframes - 1;
    if (UNLIKELY(n == entry_n)) {
        ex->nframes = entry_n;
        return WG_TRAP_NONE;
    }
    ex->nframes = n;
    const wg_frame *fr = &frames[n];
    ip = fr->ret_ip;
    fp = fr->fp;
    if (UNLIKELY((uintptr_t)ip & 1)) {
        /* back to another instance (see the file comment) */
        ip = (const uint32_t *)((uintptr_t)ip & ~(uintptr_t)1);
        inst = fr[-1].func->inst;
        RELOAD();
    }
    NEXT;
}
L_call:
    callee = funcs[ip[1]];
    nfp = fp + ip[2];
    ret_ip = ip + 3;
enter_wasm: {
    const wg_code_func *c = callee->code;
    uint32_t n = ex->nframes;
    if (UNLIKELY(n >= max_frames || (size_t)(stack_end - nfp) < c->frame_size))
        TRAP(WG_TRAP_STACK_EXHAUSTED);
    CHECK_INTERRUPT();
    wg_frame *fr = &frames[n];
    fr->ret_ip = ret_ip;
    fr->fp = fp;
    fr->func = callee;
    ex->nframes = n + 1;
    /* Zero the declared locals. The empty asm keeps compilers from turning
     * this (usually very short) loop into a memset call, which costs more
     * than the loop and makes the call path spill registers. */
    for (wg_cell *p = nfp + c->nparams, *e = nfp + c->nlocals; p < e; p++) {
        __asm__("" : "+r"(p));
        p->u64 = 0;
    }
    fp = nfp;
    ip = c->code;
    NEXT;
}
L_call_direct: {
    /* Everything entry needs is in the operands: no lookups through the
     * callee's wg_code_func (same instance, so no RELOAD either). */
    nfp = fp + ip[2];
    uint32_t n = ex->nframes;
    if (UNLIKELY(n >= max_frames || (size_t)(stack_end - nfp) < ip[4]))
        TRAP(WG_TRAP_STACK_EXHAUSTED);
    CHECK_INTERRUPT();
    wg_frame *fr = &frames[n];
    fr->ret_ip = ip + 7;
    fr->fp = fp;
    fr->func = &inst->own_funcs[ip[1]];
    ex->nframes = n + 1;
    uint32_t nz = ip[6];
    if (nz) {
        wg_cell *p = nfp + ip[5], *e = p + nz;
        do {
            __asm__("" : "+r"(p));
            p->u64 = 0;
        } while (++p < e);
    }
    fp = nfp;
    ip += (int32_t)ip[3];
    NEXT;
}
L_call_import:
    callee = funcs[ip[1]];
    nfp = fp + ip[2];
    ret_ip = ip + 3;
    goto call_any;
L_call_indirect: {
    const wg_table *t = inst->tables[ip[2]];
    uint32_t i = S(3).u32;
    if (UNLIKELY(i >= t->size)) TRAP(WG_TRAP_UNDEFINED_ELEMENT);
    callee = (const wg_func *)t->elems[i];
    if (UNLIKELY(!callee)) TRAP(WG_TRAP_UNINITIALIZED_ELEMENT);
    const wg_functype *want = &inst->module->types[ip[1]];
    if (UNLIKELY(callee->type != want && !wg__functype_equal(callee->type, want)))
        TRAP(WG_TRAP_INDIRECT_TYPE);
    nfp = fp + ip[4];
    ret_ip = ip + 5;
}
call_any:
    if (LIKELY(callee->code != NULL)) {
        if (UNLIKELY(callee->inst != inst)) {
            /* Check before switching so a trap leaves a consistent state. */
            if (UNLIKELY(ex->nframes >= max_frames ||
                         (size_t)(stack_end - nfp) < callee->code->frame_size))
                TRAP(WG_TRAP_STACK_EXHAUSTED);
            inst = callee->inst;
            RELOAD();
            ret_ip = (const uint32_t *)((uintptr_t)ret_ip | 1);
        }
        goto enter_wasm;
    }
call_host: {
    /* A host function, called from wasm (ret_ip != NULL) or as the entry
     * function. It gets a frame for the depth limit and the backtrace. */
    uint32_t n = ex->nframes;
    if (UNLIKELY(n >= max_frames)) TRAP(WG_TRAP_STACK_EXHAUSTED);
    CHECK_INTERRUPT();
    wg_cell *saved_sp = ex->sp;
    wg_trap *saved_trap = ex->trap;
    struct wg_ctx ctx;
    ctx.exec = ex;
    ctx.func = callee;
    if (ret_ip) {
        ctx.inst = inst;
        ex->sp = fp + frames[n - 1].func->code->frame_size;
    } else {
        /* Entry: the exec belongs to the instance whose wg_func_call started it. */
        ctx.inst = (wg_instance *)((char *)ex - offsetof(wg_instance, exec));
        uint32_t np = callee->type->nparams, nr = callee->type->nresults;
        uint32_t w = np > nr ? np : nr;
        if (UNLIKELY((size_t)(stack_end - nfp) < w)) TRAP(WG_TRAP_STACK_EXHAUSTED);
        ex->sp = nfp + w;
    }
    wg_frame *fr = &frames[n];
    fr->ret_ip = ret_ip;
    fr->fp = fp;
    fr->func = callee;
    ex->nframes = n + 1;
    int hr = callee->host(&ctx, (uint64_t *)(void *)nfp, callee->host_data);
    ex->sp = saved_sp;
    ex->trap = saved_trap;
    if (UNLIKELY(hr != 0)) {
        /* The host filled ex->trap through wg_ctx_trap / wg_ctx_exit. */
        tc = ex->trap ? ex->trap->code : WG_TRAP_HOST;
        if (tc == WG_TRAP_NONE) {
            wg__trap_fill(ex, WG_TRAP_HOST, "host function failed");
            tc = WG_TRAP_HOST;
        }
        ex->nframes = entry_n;
        return tc;
    }
    ex->nframes = n;
    if (!ret_ip) return WG_TRAP_NONE;
    RELOAD();
    ip = ret_ip;
    NEXT;
}
L_select:
    S(1) = S(4).u32 ? S(2) : S(3);
    ip += 5;
    NEXT;
L_global_get:
    S(1) = globals[ip[2]]->val;
    ip += 3;
    NEXT;
L_global_set:
    globals[ip[1]]->val = S(2);
    ip += 3;
    NEXT;

    /* ---- memory ---- */
    /* The one bounds check: ea + size must not pass the memory size. */
#define MEM_EA(ea, addr_slot, off_word, size)                                  \
    uint64_t ea = (uint64_t)S(addr_slot).u32 + (off_word);                     \
    if (UNLIKELY(ea + (size) > mem_size)) TRAP(WG_TRAP_MEMORY_OOB)
#define LOAD(name, CT, field, conv)                                            \
    L_##name: {                                                                \
        MEM_EA(ea, 2, ip[3], sizeof(CT));                                      \
        CT v_;                                                                 \
        memcpy(&v_, mem_base + ea, sizeof v_);                                 \
        S(1).field = conv v_;                                                  \
        ip += 4;                                                               \
        NEXT;                                                                  \
    }
#define STORE(name, CT, field)                                                 \
    L_##name: {                                                                \
        MEM_EA(ea, 1, ip[3], sizeof(CT));                                      \
        CT v_ = (CT)S(2).field;                                                \
        memcpy(mem_base + ea, &v_, sizeof v_);                                 \
        ip += 4;                                                               \
        NEXT;                                                                  \
    }
    LOAD(i32_load, uint32_t, u32, )
    LOAD(i64_load, uint64_t, u64, )
    LOAD(f32_load, uint32_t, u32, )
    LOAD(f64_load, uint64_t, u64, )
    LOAD(i32_load8_s, int8_t, i32, (int32_t))
    LOAD(i32_load8_u, uint8_t, u32, (uint32_t))
    LOAD(i32_load16_s, int16_t, i32, (int32_t))
    LOAD(i32_load16_u, uint16_t, u32, (uint32_t))
    LOAD(i64_load8_s, int8_t, i64, (int64_t))
    LOAD(i64_load8_u, uint8_t, u64, (uint64_t))
    LOAD(i64_load16_s, int16_t, i64, (int64_t))
    LOAD(i64_load16_u, uint16_t, u64, (uint64_t))
    LOAD(i64_load32_s, int32_t, i64, (int64_t))
    LOAD(i64_load32_u, uint32_t, u64, (uint64_t))
    STORE(i32_store, uint32_t, u32)
    STORE(i64_store, uint64_t, u64)
    STORE(f32_store, uint32_t, u32)
    STORE(f64_store, uint64_t, u64)
    STORE(i32_store8, uint8_t, u32)
    STORE(i32_store16, uint16_t, u32)
    STORE(i64_store8, uint8_t, u64)
    STORE(i64_store16, uint16_t, u64)
    STORE(i64_store32, uint32_t, u64)
    /* Fused address: the i32 add wraps at 32 bits, the offset does not. */
#define LOAD_RI(name, CT, field, conv)                                         \
    L_##name##_ri: {                                                           \
        uint64_t ea = (uint64_t)(uint32_t)(S(2).u32 + ip[3]) + ip[4];          \
        if (UNLIKELY(ea + sizeof(CT) > mem_size)) TRAP(WG_TRAP_MEMORY_OOB);    \
        CT v_;                                                                 \
        memcpy(&v_, mem_base + ea, sizeof v_);                                 \
        S(1).field = conv v_;                                                  \
        ip += 5;                                                               \
        NEXT;                                                                  \
    }
    LOAD_RI(i32_load, uint32_t, u32, )
    LOAD_RI(i64_load, uint64_t, u64, )
    LOAD_RI(f32_load, uint32_t, u32, )
    LOAD_RI(f64_load, uint64_t, u64, )
    LOAD_RI(i32_load8_s, int8_t, i32, (int32_t))
    LOAD_RI(i32_load8_u, uint8_t, u32, (uint32_t))
    LOAD_RI(i32_load16_s, int16_t, i32, (int32_t))
    LOAD_RI(i32_load16_u, uint16_t, u32, (uint32_t))
    LOAD_RI(i64_load8_s, int8_t, i64, (int64_t))
    LOAD_RI(i64_load8_u, uint8_t, u64, (uint64_t))
    LOAD_RI(i64_load16_s, int16_t, i64, (int64_t))
    LOAD_RI(i64_load16_u, uint16_t, u64, (uint64_t))
    LOAD_RI(i64_load32_s, int32_t, i64, (int64_t))
    LOAD_RI(i64_load32_u, uint32_t, u64, (uint64_t))
#undef LOAD_RI
#undef LOAD
#undef STORE
L_memory_size:
    S(1).u64 = (uint32_t)(mem_size / WG_PAGE_SIZE);
    ip += 2;
    NEXT;
L_memory_grow: {
    int64_t r = wg__memory_grow(inst->mems[0], S(2).u32);
    RELOAD();
    S(1).u64 = (uint32_t)(int32_t)r;
    ip += 3;
    NEXT;
}
L_memory_fill: {
    uint64_t d = S(1).u32, n = S(3).u32;
    if (UNLIKELY(d + n > mem_size)) TRAP(WG_TRAP_MEMORY_OOB);
    if (n) memset(mem_base + d, (int)(uint8_t)S(2).u32, n);
    ip += 4;
    NEXT;
}
L_memory_copy: {
    uint64_t d = S(1).u32, s = S(2).u32, n = S(3).u32;
    if (UNLIKELY(d + n > mem_size || s + n > mem_size)) TRAP(WG_TRAP_MEMORY_OOB);
    if (n) memmove(mem_base + d, mem_base + s, n);
    ip += 4;
    NEXT;
}
L_memory_init: {
    const wg_data *seg = &inst->module->datas[ip[1]];
    uint64_t len = inst->data_dropped[ip[1]] ? 0 : seg->len;
    uint64_t d = S(2).u32, s = S(3).u32, n = S(4).u32;
    if (UNLIKELY(s + n > len || d + n > mem_size)) TRAP(WG_TRAP_MEMORY_OOB);
    if (n) memcpy(mem_base + d, seg->bytes + s, n);
    ip += 5;
    NEXT;
}
L_data_drop:
    inst->data_dropped[ip[1]] = true;
    ip += 2;
    NEXT;

    /* ---- tables and references ---- */
L_table_get: {
    const wg_table *t = inst->tables[ip[2]];
    uint32_t i = S(3).u32;
    if (UNLIKELY(i >= t->size)) TRAP(WG_TRAP_TABLE_OOB);
    S(1).ref = t->elems[i];
    ip += 4;
    NEXT;
}
L_table_set: {
    wg_table *t = inst->tables[ip[1]];
    uint32_t i = S(2).u32;
    if (UNLIKELY(i >= t->size)) TRAP(WG_TRAP_TABLE_OOB);
    t->elems[i] = S(3).ref;
    ip += 4;
    NEXT;
}
L_table_size:
    S(1).u64 = inst->tables[ip[2]]->size;
    ip += 3;
    NEXT;
L_table_grow: {
    int64_t r = wg__table_grow(inst->tables[ip[2]], S(4).u32, S(3).ref);
    S(1).u64 = (uint32_t)(int32_t)r;
    ip += 5;
    NEXT;
}
L_table_fill: {
    wg_table *t = inst->tables[ip[1]];
    uint64_t i = S(2).u32, n = S(4).u32;
    void *v = S(3).ref;
    if (UNLIKELY(i + n > t->size)) TRAP(WG_TRAP_TABLE_OOB);
    for (uint64_t k = 0; k < n; k++) t->elems[i + k] = v;
    ip += 5;
    NEXT;
}
L_table_copy: {
    wg_table *td = inst->tables[ip[1]];
    const wg_table *ts = inst->tables[ip[2]];
    uint64_t d = S(3).u32, s = S(4).u32, n = S(5).u32;
    if (UNLIKELY(d + n > td->size || s + n > ts->size)) TRAP(WG_TRAP_TABLE_OOB);
    if (n) memmove(td->elems + d, ts->elems + s, n * sizeof *td->elems);
    ip += 6;
    NEXT;
}
L_table_init: {
    const wg_elem *seg = &inst->module->elems[ip[1]];
    wg_table *t = inst->tables[ip[2]];
    uint64_t len = inst->elem_dropped[ip[1]] ? 0 : seg->nitems;
    uint64_t d = S(3).u32, s = S(4).u32, n = S(5).u32;
    if (UNLIKELY(s + n > len || d + n > t->size)) TRAP(WG_TRAP_TABLE_OOB);
    for (uint64_t k = 0; k < n; k++) {
        void *r;
        if (UNLIKELY(!elem_item(inst, &seg->items[s + k], &r))) TRAP(WG_TRAP_TABLE_OOB);
        t->elems[d + k] = r;
    }
    ip += 6;
    NEXT;
}
L_elem_drop:
    inst->elem_dropped[ip[1]] = true;
    ip += 2;
    NEXT;
L_ref_is_null:
    S(1).u64 = S(2).ref == NULL;
    ip += 3;
    NEXT;
L_ref_func:
    S(1).ref = funcs[ip[2]];
    ip += 3;
    NEXT;

    /* ---- generated binary ops: register and register-immediate forms ---- */
#define BIN32(n)                                                               \
    L_##n:                                                                     \
        S(1).u32 = I32_##n(S(2).u32, S(3).u32);                                \
        ip += 4;                                                               \
        NEXT;                                                                  \
    L_##n##_ri:                                                                \
        S(1).u32 = I32_##n(S(2).u32, ip[3]);                                   \
        ip += 4;                                                               \
        NEXT;
#define BIN64(n)                                                               \
    L_##n:                                                                     \
        S(1).u64 = I64_##n(S(2).u64, S(3).u64);                                \
        ip += 4;                                                               \
        NEXT;                                                                  \
    L_##n##_ri:                                                                \
        S(1).u64 = I64_##n(S(2).u64, IMM64(ip[3]));                            \
        ip += 4;                                                               \
        NEXT;
    WG_IR_RI_I32(BIN32)
    WG_IR_RI_I64(BIN64)
#undef BIN32
#undef BIN64

    /* ---- fused compare-and-branch ---- */
#define BRCMP32(n)                                                             \
    L_br_##n:                                                                  \
        if (I32_##n(S(1).u32, S(2).u32)) BRANCH(ip[3]);                        \
        ip += 4;                                                               \
        NEXT;                                                                  \
    L_br_##n##_ri:                                                             \
        if (I32_##n(S(1).u32, ip[2])) BRANCH(ip[3]);                           \
        ip += 4;                                                               \
        NEXT;
#define BRCMP64(n)                                                             \
    L_br_##n:                                                                  \
        if (I64_##n(S(1).u64, S(2).u64)) BRANCH(ip[3]);                        \
        ip += 4;                                                               \
        NEXT;                                                                  \
    L_br_##n##_ri:                                                             \
        if (I64_##n(S(1).u64, IMM64(ip[2]))) BRANCH(ip[3]);                    \
        ip += 4;                                                               \
        NEXT;
    WG_IR_CMP_I32(BRCMP32)
    WG_IR_CMP_I64(BRCMP64)
#undef BRCMP32
#undef BRCMP64

    /* ---- unary ops: "d a" ---- */
#define UN(name, dst, expr)                                                    \
    L_##name: {                                                                \
        const wg_cell a = S(2);                                                \
        S(1).dst = (expr);                                                     \
        ip += 3;                                                               \
        NEXT;                                                                  \
    }
    UN(i32_eqz, u64, a.u32 == 0)
    UN(i64_eqz, u64, a.u64 == 0)
    UN(i32_clz, u32, wg_i32_clz(a.u32))
    UN(i32_ctz, u32, wg_i32_ctz(a.u32))
    UN(i32_popcnt, u32, wg_i32_popcnt(a.u32))
    UN(i64_clz, u64, wg_i64_clz(a.u64))
    UN(i64_ctz, u64, wg_i64_ctz(a.u64))
    UN(i64_popcnt, u64, wg_i64_popcnt(a.u64))

    /* ---- integer division ---- */
L_i32_div_s: {
    int32_t a = S(2).i32, b = S(3).i32;
    if (UNLIKELY(b == 0)) TRAP(WG_TRAP_DIV_ZERO);
    if (UNLIKELY(a == INT32_MIN && b == -1)) TRAP(WG_TRAP_INT_OVERFLOW);
    S(1).i32 = a / b;
    ip += 4;
    NEXT;
}
L_i32_div_u: {
    uint32_t a = S(2).u32, b = S(3).u32;
    if (UNLIKELY(b == 0)) TRAP(WG_TRAP_DIV_ZERO);
    S(1).u32 = a / b;
    ip += 4;
    NEXT;
}
L_i32_rem_s: {
    int32_t a = S(2).i32, b = S(3).i32;
    if (UNLIKELY(b == 0)) TRAP(WG_TRAP_DIV_ZERO);
    S(1).i32 = UNLIKELY(b == -1) ? 0 : a % b;
    ip += 4;
    NEXT;
}
L_i32_rem_u: {
    uint32_t a = S(2).u32, b = S(3).u32;
    if (UNLIKELY(b == 0)) TRAP(WG_TRAP_DIV_ZERO);
    S(1).u32 = a % b;
    ip += 4;
    NEXT;
}
L_i64_div_s: {
    int64_t a = S(2).i64, b = S(3).i64;
    if (UNLIKELY(b == 0)) TRAP(WG_TRAP_DIV_ZERO);
    if (UNLIKELY(a == INT64_MIN && b == -1)) TRAP(WG_TRAP_INT_OVERFLOW);
    S(1).i64 = a / b;
    ip += 4;
    NEXT;
}
L_i64_div_u: {
    uint64_t a = S(2).u64, b = S(3).u64;
    if (UNLIKELY(b == 0)) TRAP(WG_TRAP_DIV_ZERO);
    S(1).u64 = a / b;
    ip += 4;
    NEXT;
}
L_i64_rem_s: {
    int64_t a = S(2).i64, b = S(3).i64;
    if (UNLIKELY(b == 0)) TRAP(WG_TRAP_DIV_ZERO);
    S(1).i64 = UNLIKELY(b == -1) ? 0 : a % b;
    ip += 4;
    NEXT;
}
L_i64_rem_u: {
    uint64_t a = S(2).u64, b = S(3).u64;
    if (UNLIKELY(b == 0)) TRAP(WG_TRAP_DIV_ZERO);
    S(1).u64 = a % b;
    ip += 4;
    NEXT;
}

    /* ---- floats ---- */
#define FBIN(name, field, expr)                                                \
    L_##name: {                                                                \
        const wg_cell a = S(2), b = S(3);                                      \
        S(1).field = (expr);                                                   \
        ip += 4;                                                               \
        NEXT;                                                                  \
    }
    FBIN(f32_eq, u64, a.f32 == b.f32)
    FBIN(f32_ne, u64, a.f32 != b.f32)
    FBIN(f32_lt, u64, a.f32 < b.f32)
    FBIN(f32_gt, u64, a.f32 > b.f32)
    FBIN(f32_le, u64, a.f32 <= b.f32)
    FBIN(f32_ge, u64, a.f32 >= b.f32)
    FBIN(f64_eq, u64, a.f64 == b.f64)
    FBIN(f64_ne, u64, a.f64 != b.f64)
    FBIN(f64_lt, u64, a.f64 < b.f64)
    FBIN(f64_gt, u64, a.f64 > b.f64)
    FBIN(f64_le, u64, a.f64 <= b.f64)
    FBIN(f64_ge, u64, a.f64 >= b.f64)
    FBIN(f32_add, f32, a.f32 + b.f32)
    FBIN(f32_sub, f32, a.f32 - b.f32)
    FBIN(f32_mul, f32, a.f32 * b.f32)
    FBIN(f32_div, f32, a.f32 / b.f32)
    FBIN(f32_min, f32, wg_f32_min(a.f32, b.f32))
    FBIN(f32_max, f32, wg_f32_max(a.f32, b.f32))
    FBIN(f32_copysign, u32, (a.u32 & 0x7fffffffu) | (b.u32 & 0x80000000u))
    FBIN(f64_add, f64, a.f64 + b.f64)
    FBIN(f64_sub, f64, a.f64 - b.f64)
    FBIN(f64_mul, f64, a.f64 * b.f64)
    FBIN(f64_div, f64, a.f64 / b.f64)
    FBIN(f64_min, f64, wg_f64_min(a.f64, b.f64))
    FBIN(f64_max, f64, wg_f64_max(a.f64, b.f64))
    FBIN(f64_copysign, u64,
         (a.u64 & 0x7fffffffffffffffull) | (b.u64 & 0x8000000000000000ull))
#undef FBIN
    UN(f32_abs, u32, a.u32 & 0x7fffffffu)
    UN(f32_neg, u32, a.u32 ^ 0x80000000u)
    UN(f32_ceil, f32, wg_f32_ceil(a.f32))
    UN(f32_floor, f32, wg_f32_floor(a.f32))
    UN(f32_trunc, f32, wg_f32_trunc(a.f32))
    UN(f32_nearest, f32, wg_f32_nearest(a.f32))
    UN(f32_sqrt, f32, sqrtf(a.f32))
    UN(f64_abs, u64, a.u64 & 0x7fffffffffffffffull)
    UN(f64_neg, u64, a.u64 ^ 0x8000000000000000ull)
    UN(f64_ceil, f64, wg_f64_ceil(a.f64))
    UN(f64_floor, f64, wg_f64_floor(a.f64))
    UN(f64_trunc, f64, wg_f64_trunc(a.f64))
    UN(f64_nearest, f64, wg_f64_nearest(a.f64))
    UN(f64_sqrt, f64, sqrt(a.f64))

    /* ---- conversions ---- */
    UN(i32_wrap_i64, u32, (uint32_t)a.u64)
    UN(i64_extend_i32_s, i64, (int64_t)a.i32)
    UN(i64_extend_i32_u, u64, (uint64_t)a.u32)
    UN(f32_convert_i32_s, f32, (float)a.i32)
    UN(f32_convert_i32_u, f32, (float)a.u32)
    UN(f32_convert_i64_s, f32, (float)a.i64)
    UN(f32_convert_i64_u, f32, wg_f32_convert_u64(a.u64))
    UN(f32_demote_f64, f32, (float)a.f64)
    UN(f64_convert_i32_s, f64, (double)a.i32)
    UN(f64_convert_i32_u, f64, (double)a.u32)
    UN(f64_convert_i64_s, f64, (double)a.i64)
    UN(f64_convert_i64_u, f64, wg_f64_convert_u64(a.u64))
    UN(f64_promote_f32, f64, (double)a.f32)
    UN(i32_extend8_s, i32, (int32_t)(int8_t)a.u32)
    UN(i32_extend16_s, i32, (int32_t)(int16_t)a.u32)
    UN(i64_extend8_s, i64, (int64_t)(int8_t)a.u64)
    UN(i64_extend16_s, i64, (int64_t)(int16_t)a.u64)
    UN(i64_extend32_s, i64, (int64_t)(int32_t)a.u64)
    UN(i32_trunc_sat_f32_s, i32, wg_trunc_sat_f32_s32(a.f32))
    UN(i32_trunc_sat_f32_u, u32, wg_trunc_sat_f32_u32(a.f32))
    UN(i32_trunc_sat_f64_s, i32, wg_trunc_sat_f64_s32(a.f64))
    UN(i32_trunc_sat_f64_u, u32, wg_trunc_sat_f64_u32(a.f64))
    UN(i64_trunc_sat_f32_s, i64, wg_trunc_sat_f32_s64(a.f32))
    UN(i64_trunc_sat_f32_u, u64, wg_trunc_sat_f32_u64(a.f32))
    UN(i64_trunc_sat_f64_s, i64, wg_trunc_sat_f64_s64(a.f64))
    UN(i64_trunc_sat_f64_u, u64, wg_trunc_sat_f64_u64(a.f64))
#undef UN

    /* Trapping truncation: NaN -> "invalid conversion to integer",
     * out of range -> "integer overflow". */
#define TRUNC(name, fn, src, IT, dst)                                          \
    L_##name: {                                                                \
        IT r_;                                                                 \
        wg_cvt_status st_ = fn(S(2).src, &r_);                                 \
        if (UNLIKELY(st_ != WG_CVT_OK))                                        \
            TRAP(st_ == WG_CVT_NAN ? WG_TRAP_INVALID_CONVERSION : WG_TRAP_INT_OVERFLOW); \
        S(1).dst = r_;                                                         \
        ip += 3;                                                               \
        NEXT;                                                                  \
    }
    TRUNC(i32_trunc_f32_s, wg_trunc_f32_s32, f32, int32_t, i32)
    TRUNC(i32_trunc_f32_u, wg_trunc_f32_u32, f32, uint32_t, u32)
    TRUNC(i32_trunc_f64_s, wg_trunc_f64_s32, f64, int32_t, i32)
    TRUNC(i32_trunc_f64_u, wg_trunc_f64_u32, f64, uint32_t, u32)
    TRUNC(i64_trunc_f32_s, wg_trunc_f32_s64, f32, int64_t, i64)
    TRUNC(i64_trunc_f32_u, wg_trunc_f32_u64, f32, uint64_t, u64)
    TRUNC(i64_trunc_f64_s, wg_trunc_f64_s64, f64, int64_t, i64)
    TRUNC(i64_trunc_f64_u, wg_trunc_f64_u64, f64, uint64_t, u64)
#undef TRUNC

    /* ---- leaving ---- */
trap:
    /* Fill first, so the backtrace still has every frame. */
    wg__trap_fill(ex, tc, NULL);
    ex->nframes = entry_n;
    return tc;

#undef RELOAD
#undef frames
#undef globals
#undef funcs
#undef max_frames
#undef stack_end
#undef NEXT
#undef TRAP
#undef CHECK_INTERRUPT
#undef BRANCH
#undef S
#undef MEM_EA
}

/* Returns the handler offset table, indexed by wg_ir_op; static storage. */
const int32_t *wg__ir_handlers(void) {
    const int32_t *h = NULL;
    run(NULL, NULL, NULL, &h);
    return h;
}

/* Runs f with its arguments in fp[0..nparams) on ex; results end up in
 * fp[0..nresults). Returns WG_TRAP_NONE or the trap code (ex->trap filled).
 * A host entry function's wg_ctx names the instance that owns ex. */
wg_trap_code wg__interp_call(wg_exec *ex, const wg_func *f, wg_cell *fp) {
    if (!ex) return WG_TRAP_HOST;
    if (!f || !fp || (!f->code && !f->host) || (f->code && !f->inst)) {
        wg__trap_fill(ex, WG_TRAP_HOST, "invalid function");
        return WG_TRAP_HOST;
    }
    if (fp < ex->stack || fp > ex->stack_end) {
        wg__trap_fill(ex, WG_TRAP_STACK_EXHAUSTED, NULL);
        return WG_TRAP_STACK_EXHAUSTED;
    }
    return run(ex, f, fp, NULL);
}
