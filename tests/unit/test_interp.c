/*
 * Interpreter tests on hand-assembled internal code (ir.h): every trapping op
 * and conversion, float corner cases, memory edges, calls, recursion limits,
 * interrupts, tables, host functions and cross-instance calls.
 *
 * The fixture builds a fake module + instance + exec by hand, so the tests do
 * not depend on the decoder, compiler or instance.c.
 */
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wasm/ir.h"
#include "wasm/numeric.h"
#include "wasm/runtime.h"
#include "wg_test.h"

/* ---- fallbacks for symbols other files provide (weak: the real ones win
 * when their object is linked in) ---- */

__attribute__((weak)) int64_t wg__memory_grow(wg_memory *mem, uint64_t delta) {
    /* Test memories are allocated at their maximum size up front. */
    if (!mem || delta > mem->max_pages - mem->pages) return -1;
    if (mem->cap_bytes && (mem->pages + delta) * WG_PAGE_SIZE > mem->cap_bytes) return -1;
    int64_t old = (int64_t)mem->pages;
    mem->pages += delta;
    mem->size = mem->pages * WG_PAGE_SIZE;
    return old;
}
__attribute__((weak)) int64_t wg__table_grow(wg_table *t, uint64_t delta, void *init) {
    if (!t || delta > (uint64_t)(t->max - t->size)) return -1;
    uint32_t old = t->size, size = old + (uint32_t)delta;
    void **e = realloc(t->elems, (size ? size : 1) * sizeof *e);
    if (!e) return -1;
    for (uint32_t i = old; i < size; i++) e[i] = init;
    t->elems = e;
    t->size = size;
    return old;
}
__attribute__((weak)) bool wg__functype_equal(const wg_functype *a, const wg_functype *b) {
    return a->nparams == b->nparams && a->nresults == b->nresults &&
           !memcmp(a->params, b->params, a->nparams) && !memcmp(a->results, b->results, a->nresults);
}
__attribute__((weak)) const char *wg_module_func_name(const wg_module *m, uint32_t i) {
    (void)m;
    (void)i;
    return NULL;
}

/* ---- an assembler ---- */

#define MAXW 512
typedef struct { uint32_t w[MAXW]; uint32_t n; } code_t;

static uint32_t emitv(code_t *c, wg_ir_op op, uint32_t n, const uint32_t *ops) {
    uint32_t at = c->n;
    if (op != WG_OP_br_table && n != wg__ir_operand_words(op)) {
        char m[128];
        snprintf(m, sizeof m, "operand count of %s: %u != %u", wg__ir_name(op), n,
                 wg__ir_operand_words(op));
        wg_test_fail(__FILE__, __LINE__, m);
    }
    if (c->n + 1 + n > MAXW) { wg_test_fail(__FILE__, __LINE__, "code too long"); return at; }
    c->w[c->n++] = (uint32_t)wg__ir_handlers()[op];
    for (uint32_t i = 0; i < n; i++) c->w[c->n++] = ops[i];
    return at;
}
/* E(code, op, operands...): emits one instruction, returns its position. */
#define E(c, op, ...)                                                                  \
    emitv((c), WG_OP_##op, sizeof((uint32_t[]){__VA_ARGS__}) / sizeof(uint32_t),       \
          (uint32_t[]){__VA_ARGS__})
#define E0(c, op) emitv((c), WG_OP_##op, 0, NULL)
/* Offset from the instruction at `from` to position `to`. */
#define OFF(from, to) ((uint32_t)(int32_t)((int32_t)(to) - (int32_t)(from)))
/* Patches the word at position `word` with the offset from instruction `from` to here. */
static void patch_here(code_t *c, uint32_t word, uint32_t from) { c->w[word] = OFF(from, c->n); }

/* ---- the fixture ---- */

#define NFUNCS 16
#define NSTACK 4096
#define NFRAMES 256

typedef struct fixture {
    wg_module mod;
    wg_instance inst;
    wg_functype types[4];
    uint8_t tparams[4][4], tresults[4][4];
    wg_func funcs[NFUNCS];
    wg_func *funcp[NFUNCS];
    wg_code_func codes[NFUNCS];
    code_t code[NFUNCS];
    wg_memory mem;
    wg_memory *memp;
    wg_global globals[4];
    wg_global *globalp[4];
    wg_table tables[2];
    wg_table *tablep[2];
    wg_elem elems[2];
    wg_constexpr items[4];
    wg_constop item_ops[4];
    bool elem_dropped[2];
    wg_data datas[1];
    bool data_dropped[1];
    wg_cell stack[NSTACK];
    wg_frame frames[NFRAMES];
    wg_trap trap;
} fixture;

/* type 0: (i32 i32) -> i32; type 1: (i32) -> i32; type 2: () -> (); type 3: (i64) -> i64 */
static fixture *fx_new(void) {
    fixture *fx = calloc(1, sizeof *fx);
    if (!fx) abort();
    wg_module *m = &fx->mod;
    static const uint8_t data_bytes[] = "hello, wasm";
    fx->types[0] = (wg_functype){2, 1, fx->tparams[0], fx->tresults[0]};
    fx->tparams[0][0] = fx->tparams[0][1] = WG_I32;
    fx->tresults[0][0] = WG_I32;
    fx->types[1] = (wg_functype){1, 1, fx->tparams[1], fx->tresults[1]};
    fx->tparams[1][0] = WG_I32;
    fx->tresults[1][0] = WG_I32;
    fx->types[2] = (wg_functype){0, 0, fx->tparams[2], fx->tresults[2]};
    fx->types[3] = (wg_functype){1, 1, fx->tparams[3], fx->tresults[3]};
    fx->tparams[3][0] = WG_I64;
    fx->tresults[3][0] = WG_I64;
    m->ntypes = 4;
    m->types = fx->types;
    m->nfuncs = NFUNCS;
    m->nmems = 1;
    m->nglobals = 4;
    m->ntables = 2;
    m->nelems = 2;
    m->elems = fx->elems;
    m->ndatas = 1;
    m->datas = fx->datas;
    fx->datas[0] = (wg_data){.mode = WG_SEG_PASSIVE, .bytes = data_bytes, .len = 11};
    /* elem 0: (ref.func 1) (ref.null) (ref.func 2) ; elem 1: one item via global.get 3 */
    for (int i = 0; i < 4; i++) fx->items[i] = (wg_constexpr){1, &fx->item_ops[i], 0};
    fx->item_ops[0] = (wg_constop){0xD2, 1};
    fx->item_ops[1] = (wg_constop){0xD0, WG_FUNCREF};
    fx->item_ops[2] = (wg_constop){0xD2, 2};
    fx->item_ops[3] = (wg_constop){0x23, 3};
    fx->elems[0] = (wg_elem){.mode = WG_SEG_PASSIVE, .elem_type = WG_FUNCREF, .nitems = 3,
                             .items = &fx->items[0]};
    fx->elems[1] = (wg_elem){.mode = WG_SEG_PASSIVE, .elem_type = WG_FUNCREF, .nitems = 1,
                             .items = &fx->items[3]};

    wg_instance *inst = &fx->inst;
    inst->module = m;
    for (int i = 0; i < NFUNCS; i++) {
        fx->funcs[i].inst = inst;
        fx->funcs[i].index = (uint32_t)i;
        fx->funcs[i].type = &fx->types[0];
        fx->funcp[i] = &fx->funcs[i];
    }
    inst->funcs = fx->funcp;
    inst->own_funcs = fx->funcs;
    /* memory: 1 page, max 4, allocated at max */
    /* page-aligned and fully usable, so memory.c's grow works on it too */
    fx->mem.reserved = 4 * WG_PAGE_SIZE + 4096;
    fx->mem.data = aligned_alloc(4096, fx->mem.reserved);
    if (!fx->mem.data) abort();
    memset(fx->mem.data, 0, fx->mem.reserved);
    fx->mem.pages = 1;
    fx->mem.size = WG_PAGE_SIZE;
    fx->mem.max_pages = 4;
    fx->mem.has_max = true;
    fx->memp = &fx->mem;
    inst->mems = &fx->memp;
    for (int i = 0; i < 4; i++) {
        fx->globals[i].type = WG_I32;
        fx->globals[i].mut = true;
        fx->globalp[i] = &fx->globals[i];
    }
    fx->globals[3].type = WG_FUNCREF;
    fx->globals[3].val.ref = &fx->funcs[3];
    inst->globals = fx->globalp;
    for (int i = 0; i < 2; i++) {
        fx->tables[i].size = 4;
        fx->tables[i].max = 8;
        fx->tables[i].elems = calloc(4, sizeof(void *));
        if (!fx->tables[i].elems) abort();
        fx->tables[i].elem_type = WG_FUNCREF;
        fx->tablep[i] = &fx->tables[i];
    }
    inst->tables = fx->tablep;
    inst->elem_dropped = fx->elem_dropped;
    inst->data_dropped = fx->data_dropped;
    atomic_init(&inst->interrupt, 0);
    wg_exec *ex = &inst->exec;
    ex->stack = fx->stack;
    ex->stack_end = fx->stack + NSTACK;
    ex->sp = fx->stack;
    ex->frames = fx->frames;
    ex->max_frames = NFRAMES;
    ex->interrupt = &inst->interrupt;
    ex->trap = &fx->trap;
    return fx;
}

static void fx_free(fixture *fx) {
    free(fx->mem.data);
    for (int i = 0; i < 2; i++) free(fx->tables[i].elems);
    free(fx);
}

/* Makes function i a wasm function with the code in fx->code[i]. */
static void def(fixture *fx, int i, uint32_t type, uint32_t nparams, uint32_t nresults,
                uint32_t nlocals, uint32_t frame_size) {
    fx->codes[i] = (wg_code_func){fx->code[i].w, fx->code[i].n, nparams, nresults,
                                  nlocals, frame_size, type};
    fx->funcs[i].code = &fx->codes[i];
    fx->funcs[i].type = &fx->types[type];
    fx->funcs[i].host = NULL;
}

static void def_host(fixture *fx, int i, uint32_t type, wg_host_fn fn, void *data) {
    fx->funcs[i].code = NULL;
    fx->funcs[i].inst = NULL;
    fx->funcs[i].host = fn;
    fx->funcs[i].host_data = data;
    fx->funcs[i].host_type = fx->types[type];
    fx->funcs[i].type = &fx->funcs[i].host_type;
}

/* Calls function i with args in stack[0..]; results in stack[0..]. */
static wg_trap_code fx_call(fixture *fx, int i) {
    memset(&fx->trap, 0, sizeof fx->trap);
    wg_trap_code tc = wg__interp_call(&fx->inst.exec, &fx->funcs[i], fx->stack);
    if (fx->inst.exec.nframes != 0) wg_test_fail(__FILE__, __LINE__, "frames left behind");
    if (tc != fx->trap.code) wg_test_fail(__FILE__, __LINE__, "return code != trap code");
    return tc;
}

/* ---- one-op helpers: function 0 = "op 0 0 1; return" ---- */

static wg_trap_code run_bin(wg_ir_op op, uint64_t a, uint64_t b, uint64_t *out) {
    fixture *fx = fx_new();
    code_t *c = &fx->code[0];
    emitv(c, op, 3, (uint32_t[]){2, 0, 1});
    E(c, copy, 0, 2);
    E0(c, return);
    def(fx, 0, 0, 2, 1, 2, 3);
    fx->stack[0].u64 = a;
    fx->stack[1].u64 = b;
    fx->stack[2].u64 = 0xDEADBEEFDEADBEEFull;
    wg_trap_code tc = fx_call(fx, 0);
    *out = fx->stack[0].u64;
    fx_free(fx);
    return tc;
}
static wg_trap_code run_un(wg_ir_op op, uint64_t a, uint64_t *out) {
    fixture *fx = fx_new();
    code_t *c = &fx->code[0];
    emitv(c, op, 2, (uint32_t[]){1, 0});
    E(c, copy, 0, 1);
    E0(c, return);
    def(fx, 0, 1, 1, 1, 1, 2);
    fx->stack[0].u64 = a;
    fx->stack[1].u64 = 0xDEADBEEFDEADBEEFull;
    wg_trap_code tc = fx_call(fx, 0);
    *out = fx->stack[0].u64;
    fx_free(fx);
    return tc;
}
static uint32_t bin32(wg_ir_op op, uint64_t a, uint64_t b) {
    uint64_t r;
    CHECK_EQ_INT(run_bin(op, a, b, &r), WG_TRAP_NONE);
    return (uint32_t)r;
}
static uint64_t bin64(wg_ir_op op, uint64_t a, uint64_t b) {
    uint64_t r;
    CHECK_EQ_INT(run_bin(op, a, b, &r), WG_TRAP_NONE);
    return r;
}
static wg_trap_code trap_bin(wg_ir_op op, uint64_t a, uint64_t b) {
    uint64_t r;
    return run_bin(op, a, b, &r);
}
static uint64_t un64(wg_ir_op op, uint64_t a) {
    uint64_t r;
    CHECK_EQ_INT(run_un(op, a, &r), WG_TRAP_NONE);
    return r;
}
static wg_trap_code trap_un(wg_ir_op op, uint64_t a) {
    uint64_t r;
    return run_un(op, a, &r);
}
/* Register-immediate: "d a I" with a 32-bit immediate. */
static uint64_t ri(wg_ir_op op, uint64_t a, uint32_t imm) {
    fixture *fx = fx_new();
    code_t *c = &fx->code[0];
    emitv(c, op, 3, (uint32_t[]){1, 0, imm});
    E(c, copy, 0, 1);
    E0(c, return);
    def(fx, 0, 1, 1, 1, 1, 2);
    fx->stack[0].u64 = a;
    CHECK_EQ_INT(fx_call(fx, 0), WG_TRAP_NONE);
    uint64_t r = fx->stack[0].u64;
    fx_free(fx);
    return r;
}

static uint32_t f32b(float f) { return wg_f32_bits(f); }
static uint64_t f64b(double f) { return wg_f64_bits(f); }

/* ---- tables of the IR ---- */

WG_TEST(ir_names_and_operand_words) {
    CHECK(!strcmp(wg__ir_name(WG_OP_f64_load_ri), "f64_load_ri"));
    CHECK_EQ_INT(wg__ir_operand_words(WG_OP_i64_load32_u_ri), 4);
    CHECK(!strcmp(wg__ir_name(WG_OP_i32_add), "i32_add"));
    CHECK(!strcmp(wg__ir_name(WG_OP_i32_add_ri), "i32_add_ri"));
    CHECK(!strcmp(wg__ir_name(WG_OP_br_i64_ge_u_ri), "br_i64_ge_u_ri"));
    CHECK(!strcmp(wg__ir_name(WG_OP_COUNT_), "?"));
    CHECK_EQ_INT(wg__ir_operand_words(WG_OP_return), 0);
    CHECK_EQ_INT(wg__ir_operand_words(WG_OP_br), 1);
    CHECK_EQ_INT(wg__ir_operand_words(WG_OP_const64), 3);
    CHECK_EQ_INT(wg__ir_operand_words(WG_OP_br_table), 2);
    CHECK_EQ_INT(wg__ir_operand_words(WG_OP_call_indirect), 4);
    CHECK_EQ_INT(wg__ir_operand_words(WG_OP_call_direct), 6);
    CHECK_EQ_INT(wg__ir_operand_words(WG_OP_copy2), 4);
    CHECK_EQ_INT(wg__ir_operand_words(WG_OP_table_copy), 5);
    CHECK_EQ_INT(wg__ir_operand_words(WG_OP_i64_store32), 3);
    CHECK_EQ_INT(wg__ir_operand_words(WG_OP_br_i32_lt_s), 3);
    CHECK_EQ_INT(wg__ir_operand_words(WG_OP_br_i32_lt_s_ri), 3);
    const int32_t *h = wg__ir_handlers();
    CHECK(h != NULL);
    CHECK(h == wg__ir_handlers());
    /* the handlers are distinct enough to be real: most differ from op 0's */
    int differ = 0;
    for (int i = 1; i < WG_OP_COUNT_; i++) differ += h[i] != h[0];
    CHECK(differ > WG_OP_COUNT_ / 2);
}

/* ---- integer arithmetic ---- */

WG_TEST(i32_arith_and_traps) {
    CHECK_EQ_INT(bin32(WG_OP_i32_add, 0xFFFFFFFFu, 2), 1);
    CHECK_EQ_INT(bin32(WG_OP_i32_sub, 0, 1), 0xFFFFFFFFu);
    CHECK_EQ_INT(bin32(WG_OP_i32_mul, 0x10000, 0x10000), 0);
    CHECK_EQ_INT(bin32(WG_OP_i32_div_s, (uint32_t)-7, 2), (uint32_t)-3);
    CHECK_EQ_INT(bin32(WG_OP_i32_div_u, (uint32_t)-7, 2), 0x7FFFFFFCu);
    CHECK_EQ_INT(bin32(WG_OP_i32_rem_s, (uint32_t)-7, 2), (uint32_t)-1);
    CHECK_EQ_INT(bin32(WG_OP_i32_rem_u, 7, 3), 1);
    CHECK_EQ_INT(bin32(WG_OP_i32_rem_s, 0x80000000u, 0xFFFFFFFFu), 0);
    CHECK_EQ_INT(trap_bin(WG_OP_i32_div_s, 1, 0), WG_TRAP_DIV_ZERO);
    CHECK_EQ_INT(trap_bin(WG_OP_i32_div_u, 1, 0), WG_TRAP_DIV_ZERO);
    CHECK_EQ_INT(trap_bin(WG_OP_i32_rem_s, 1, 0), WG_TRAP_DIV_ZERO);
    CHECK_EQ_INT(trap_bin(WG_OP_i32_rem_u, 1, 0), WG_TRAP_DIV_ZERO);
    CHECK_EQ_INT(trap_bin(WG_OP_i32_div_s, 0x80000000u, 0xFFFFFFFFu), WG_TRAP_INT_OVERFLOW);
    /* upper 32 bits of an i32 operand are ignored */
    CHECK_EQ_INT(trap_bin(WG_OP_i32_div_u, 1, 0x100000000ull), WG_TRAP_DIV_ZERO);
    CHECK_EQ_INT(bin32(WG_OP_i32_shl, 1, 33), 2);
    CHECK_EQ_INT(bin32(WG_OP_i32_shr_s, 0x80000000u, 31), 0xFFFFFFFFu);
    CHECK_EQ_INT(bin32(WG_OP_i32_shr_u, 0x80000000u, 63), 1);
    CHECK_EQ_INT(bin32(WG_OP_i32_rotl, 0x80000001u, 1), 3);
    CHECK_EQ_INT(bin32(WG_OP_i32_rotl, 0x12345678u, 32), 0x12345678u);
    CHECK_EQ_INT(bin32(WG_OP_i32_rotr, 1, 1), 0x80000000u);
    CHECK_EQ_INT(bin32(WG_OP_i32_rotr, 0xABCD1234u, 36), 0x4ABCD123u);
    CHECK_EQ_INT(bin32(WG_OP_i32_lt_s, 0xFFFFFFFFu, 0), 1);
    CHECK_EQ_INT(bin32(WG_OP_i32_lt_u, 0xFFFFFFFFu, 0), 0);
    CHECK_EQ_INT(bin32(WG_OP_i32_ge_s, 5, 5), 1);
    CHECK_EQ_INT(bin32(WG_OP_i32_gt_u, 0x80000000u, 1), 1);
    CHECK_EQ_INT(bin32(WG_OP_i32_le_s, 0x80000000u, 1), 1);
    CHECK_EQ_INT(bin32(WG_OP_i32_eq, 0x100000005ull, 5), 1);
    CHECK_EQ_INT(un64(WG_OP_i32_eqz, 0x100000000ull) & 0xFFFFFFFF, 1);
    CHECK_EQ_INT((uint32_t)un64(WG_OP_i32_clz, 0), 32);
    CHECK_EQ_INT((uint32_t)un64(WG_OP_i32_ctz, 0), 32);
    CHECK_EQ_INT((uint32_t)un64(WG_OP_i32_clz, 1), 31);
    CHECK_EQ_INT((uint32_t)un64(WG_OP_i32_ctz, 0x80000000u), 31);
    CHECK_EQ_INT((uint32_t)un64(WG_OP_i32_popcnt, 0xFFFFFFFFu), 32);
    CHECK_EQ_INT((uint32_t)un64(WG_OP_i32_popcnt, 0), 0);
    CHECK_EQ_INT((uint32_t)un64(WG_OP_i32_extend8_s, 0x80), 0xFFFFFF80u);
    CHECK_EQ_INT((uint32_t)un64(WG_OP_i32_extend16_s, 0x7FFF), 0x7FFF);
    CHECK_EQ_INT((uint32_t)un64(WG_OP_i32_extend16_s, 0x18000), 0xFFFF8000u);
}

WG_TEST(i64_arith_and_traps) {
    const uint64_t MIN = 0x8000000000000000ull, M1 = ~0ull;
    CHECK(bin64(WG_OP_i64_add, M1, 2) == 1);
    CHECK(bin64(WG_OP_i64_mul, 0x100000000ull, 0x100000000ull) == 0);
    CHECK(bin64(WG_OP_i64_div_s, (uint64_t)-7, 2) == (uint64_t)-3);
    CHECK(bin64(WG_OP_i64_div_u, (uint64_t)-7, 2) == 0x7FFFFFFFFFFFFFFCull);
    CHECK(bin64(WG_OP_i64_rem_s, MIN, M1) == 0);
    CHECK(bin64(WG_OP_i64_rem_s, (uint64_t)-7, 2) == (uint64_t)-1);
    CHECK(bin64(WG_OP_i64_rem_u, (uint64_t)-1, 10) == 5);
    CHECK_EQ_INT(trap_bin(WG_OP_i64_div_s, MIN, M1), WG_TRAP_INT_OVERFLOW);
    CHECK_EQ_INT(trap_bin(WG_OP_i64_div_s, 1, 0), WG_TRAP_DIV_ZERO);
    CHECK_EQ_INT(trap_bin(WG_OP_i64_div_u, 1, 0), WG_TRAP_DIV_ZERO);
    CHECK_EQ_INT(trap_bin(WG_OP_i64_rem_s, 1, 0), WG_TRAP_DIV_ZERO);
    CHECK_EQ_INT(trap_bin(WG_OP_i64_rem_u, 1, 0), WG_TRAP_DIV_ZERO);
    CHECK(bin64(WG_OP_i64_shl, 1, 65) == 2);
    CHECK(bin64(WG_OP_i64_shr_s, MIN, 63) == M1);
    CHECK(bin64(WG_OP_i64_shr_u, MIN, 127) == 1);
    CHECK(bin64(WG_OP_i64_rotl, 0x8000000000000001ull, 1) == 3);
    CHECK(bin64(WG_OP_i64_rotr, 1, 65) == MIN);
    CHECK(bin64(WG_OP_i64_lt_s, M1, 0) == 1);
    CHECK(bin64(WG_OP_i64_lt_u, M1, 0) == 0);
    CHECK(bin64(WG_OP_i64_ne, 0x100000000ull, 0) == 1);
    CHECK(un64(WG_OP_i64_clz, 0) == 64);
    CHECK(un64(WG_OP_i64_ctz, 0) == 64);
    CHECK(un64(WG_OP_i64_clz, 1) == 63);
    CHECK(un64(WG_OP_i64_popcnt, M1) == 64);
    CHECK(un64(WG_OP_i64_eqz, 0x100000000ull) == 0);
    CHECK(un64(WG_OP_i64_extend8_s, 0xFF) == M1);
    CHECK(un64(WG_OP_i64_extend16_s, 0x8000) == 0xFFFFFFFFFFFF8000ull);
    CHECK(un64(WG_OP_i64_extend32_s, 0x80000000ull) == 0xFFFFFFFF80000000ull);
    CHECK(un64(WG_OP_i64_extend32_s, 0xFFFFFFFF7FFFFFFFull) == 0x7FFFFFFFull);
    CHECK(un64(WG_OP_i64_extend_i32_s, 0x80000000ull) == 0xFFFFFFFF80000000ull);
    /* extend_u must zero-extend even when the upper half holds garbage */
    CHECK(un64(WG_OP_i64_extend_i32_u, 0xABCDEF0080000000ull) == 0x80000000ull);
    CHECK((uint32_t)un64(WG_OP_i32_wrap_i64, 0x123456789ull) == 0x23456789u);
}

WG_TEST(register_immediate_forms) {
    CHECK_EQ_INT((uint32_t)ri(WG_OP_i32_add_ri, 5, (uint32_t)-6), 0xFFFFFFFFu);
    CHECK_EQ_INT((uint32_t)ri(WG_OP_i32_shl_ri, 3, 33), 6);
    CHECK_EQ_INT((uint32_t)ri(WG_OP_i32_lt_s_ri, (uint32_t)-2, (uint32_t)-1), 1);
    CHECK_EQ_INT((uint32_t)ri(WG_OP_i32_lt_u_ri, (uint32_t)-2, (uint32_t)-1), 1);
    CHECK_EQ_INT((uint32_t)ri(WG_OP_i32_gt_u_ri, (uint32_t)-2, 1), 1);
    /* i64 immediates are sign-extended */
    CHECK(ri(WG_OP_i64_add_ri, 10, (uint32_t)-1) == 9);
    CHECK(ri(WG_OP_i64_and_ri, ~0ull, 0x80000000u) == 0xFFFFFFFF80000000ull);
    CHECK(ri(WG_OP_i64_lt_u_ri, 5, (uint32_t)-1) == 1);
    CHECK(ri(WG_OP_i64_lt_s_ri, 5, (uint32_t)-1) == 0);
    CHECK(ri(WG_OP_i64_rotr_ri, 1, 1) == 0x8000000000000000ull);
    CHECK(ri(WG_OP_i64_shr_s_ri, 0x8000000000000000ull, 63) == ~0ull);
}

/* ---- floats ---- */

static float f32r(wg_ir_op op, float a, float b) {
    return wg_bits_f32((uint32_t)bin64(op, f32b(a), f32b(b)));
}
static double f64r(wg_ir_op op, double a, double b) {
    return wg_bits_f64(bin64(op, f64b(a), f64b(b)));
}

WG_TEST(float_min_max_zeros_nans) {
    CHECK(f32b(f32r(WG_OP_f32_min, 0.0f, -0.0f)) == 0x80000000u);
    CHECK(f32b(f32r(WG_OP_f32_min, -0.0f, 0.0f)) == 0x80000000u);
    CHECK(f32b(f32r(WG_OP_f32_max, -0.0f, 0.0f)) == 0);
    CHECK(f32b(f32r(WG_OP_f32_max, 0.0f, -0.0f)) == 0);
    CHECK(isnan(f32r(WG_OP_f32_min, NAN, 1.0f)));
    CHECK(isnan(f32r(WG_OP_f32_min, 1.0f, NAN)));
    CHECK(isnan(f32r(WG_OP_f32_max, -INFINITY, NAN)));
    CHECK(f32r(WG_OP_f32_min, -INFINITY, 3.0f) == -INFINITY);
    CHECK(f32r(WG_OP_f32_max, -INFINITY, 3.0f) == 3.0f);
    CHECK(f64b(f64r(WG_OP_f64_min, 0.0, -0.0)) == 0x8000000000000000ull);
    CHECK(f64b(f64r(WG_OP_f64_max, -0.0, 0.0)) == 0);
    CHECK(isnan(f64r(WG_OP_f64_max, 1.0, NAN)));
    CHECK(isnan(f64r(WG_OP_f64_min, NAN, NAN)));
    CHECK(f64r(WG_OP_f64_min, 1.5, -2.5) == -2.5);
    CHECK(f64r(WG_OP_f64_max, 1.5, -2.5) == 1.5);
    /* comparisons with NaN */
    CHECK(bin64(WG_OP_f32_eq, f32b(NAN), f32b(NAN)) == 0);
    CHECK(bin64(WG_OP_f32_ne, f32b(NAN), f32b(NAN)) == 1);
    CHECK(bin64(WG_OP_f64_lt, f64b(NAN), f64b(1)) == 0);
    CHECK(bin64(WG_OP_f64_ge, f64b(NAN), f64b(1)) == 0);
    CHECK(bin64(WG_OP_f64_le, f64b(-0.0), f64b(0.0)) == 1);
    CHECK(bin64(WG_OP_f32_gt, f32b(2), f32b(1)) == 1);
}

WG_TEST(float_bit_ops_keep_nan_payload) {
    const uint32_t snan = 0x7FA00001u, nsnan = 0xFFA00001u;
    CHECK((uint32_t)un64(WG_OP_f32_abs, nsnan) == snan);
    CHECK((uint32_t)un64(WG_OP_f32_neg, snan) == nsnan);
    CHECK((uint32_t)un64(WG_OP_f32_neg, 0) == 0x80000000u);
    CHECK((uint32_t)bin64(WG_OP_f32_copysign, snan, f32b(-1.0f)) == nsnan);
    CHECK((uint32_t)bin64(WG_OP_f32_copysign, f32b(2.0f), nsnan) == f32b(-2.0f));
    const uint64_t dsnan = 0x7FF4000000000001ull, dnsnan = 0xFFF4000000000001ull;
    CHECK(un64(WG_OP_f64_abs, dnsnan) == dsnan);
    CHECK(un64(WG_OP_f64_neg, dsnan) == dnsnan);
    CHECK(bin64(WG_OP_f64_copysign, dsnan, f64b(-0.0)) == dnsnan);
    CHECK(bin64(WG_OP_f64_copysign, f64b(-3.0), f64b(0.0)) == f64b(3.0));
}

WG_TEST(float_rounding_ops) {
#define F32U(op, x) wg_bits_f32((uint32_t)un64(WG_OP_##op, f32b(x)))
#define F64U(op, x) wg_bits_f64(un64(WG_OP_##op, f64b(x)))
    CHECK(F32U(f32_nearest, 2.5f) == 2.0f);
    CHECK(F32U(f32_nearest, 3.5f) == 4.0f);
    CHECK(F32U(f32_nearest, -2.5f) == -2.0f);
    CHECK(f32b(F32U(f32_nearest, -0.5f)) == 0x80000000u);
    CHECK(f32b(F32U(f32_nearest, -0.0f)) == 0x80000000u);
    CHECK(F32U(f32_nearest, 8388609.0f) == 8388609.0f);
    CHECK(F64U(f64_nearest, 0.5) == 0.0);
    CHECK(F64U(f64_nearest, 1.5) == 2.0);
    CHECK(F64U(f64_nearest, 4503599627370497.0) == 4503599627370497.0);
    CHECK(f64b(F64U(f64_nearest, -0.25)) == 0x8000000000000000ull);
    CHECK(F32U(f32_ceil, 1.25f) == 2.0f);
    CHECK(f32b(F32U(f32_ceil, -0.5f)) == 0x80000000u);
    CHECK(F32U(f32_floor, -1.25f) == -2.0f);
    CHECK(F32U(f32_trunc, -1.75f) == -1.0f);
    CHECK(F64U(f64_ceil, 1.25) == 2.0);
    CHECK(F64U(f64_floor, -0.5) == -1.0);
    CHECK(f64b(F64U(f64_trunc, -0.5)) == 0x8000000000000000ull);
    CHECK(F32U(f32_sqrt, 16.0f) == 4.0f);
    CHECK(isnan(F32U(f32_sqrt, -1.0f)));
    CHECK(F64U(f64_sqrt, 2.25) == 1.5);
    CHECK(isnan(F64U(f64_nearest, NAN)));
    /* a signaling NaN comes out quiet (an arithmetic NaN), sign and payload kept */
    static const wg_ir_op r32[] = {WG_OP_f32_ceil, WG_OP_f32_floor, WG_OP_f32_trunc,
                                   WG_OP_f32_nearest, WG_OP_f32_sqrt};
    static const wg_ir_op r64[] = {WG_OP_f64_ceil, WG_OP_f64_floor, WG_OP_f64_trunc,
                                   WG_OP_f64_nearest, WG_OP_f64_sqrt};
    for (int i = 0; i < 5; i++) {
        uint32_t r = (uint32_t)un64(r32[i], 0xFFA00000u);
        CHECK((r & 0x7FE00000u) == 0x7FE00000u);
        uint64_t q = un64(r64[i], 0x7FF4000000000000ull);
        CHECK((q & 0x7FFC000000000000ull) == 0x7FFC000000000000ull);
    }
    CHECK(f32r(WG_OP_f32_add, 1.5f, 2.25f) == 3.75f);
    CHECK(f32r(WG_OP_f32_div, 1.0f, 0.0f) == INFINITY);
    CHECK(f64r(WG_OP_f64_mul, 1e300, 1e300) == INFINITY);
    CHECK(f64r(WG_OP_f64_sub, 0.5, 0.25) == 0.25);
}

WG_TEST(float_int_conversions) {
#define T32(op, x) trap_un(WG_OP_##op, f32b(x))
#define T64(op, x) trap_un(WG_OP_##op, f64b(x))
#define V32(op, x) un64(WG_OP_##op, f32b(x))
#define V64(op, x) un64(WG_OP_##op, f64b(x))
    /* i32 <- f32 signed */
    CHECK_EQ_INT((int32_t)V32(i32_trunc_f32_s, -2147483648.0f), INT32_MIN);
    CHECK_EQ_INT((int32_t)V32(i32_trunc_f32_s, 2147483520.0f), 2147483520);
    CHECK_EQ_INT((int32_t)V32(i32_trunc_f32_s, -1.9f), -1);
    CHECK_EQ_INT(T32(i32_trunc_f32_s, 2147483648.0f), WG_TRAP_INT_OVERFLOW);
    CHECK_EQ_INT(T32(i32_trunc_f32_s, -2147483904.0f), WG_TRAP_INT_OVERFLOW);
    CHECK_EQ_INT(T32(i32_trunc_f32_s, NAN), WG_TRAP_INVALID_CONVERSION);
    CHECK_EQ_INT(T32(i32_trunc_f32_s, INFINITY), WG_TRAP_INT_OVERFLOW);
    /* i32 <- f32 unsigned */
    CHECK_EQ_INT((uint32_t)V32(i32_trunc_f32_u, -0.9f), 0);
    CHECK_EQ_INT((uint32_t)V32(i32_trunc_f32_u, 4294967040.0f), 4294967040u);
    CHECK_EQ_INT(T32(i32_trunc_f32_u, -1.0f), WG_TRAP_INT_OVERFLOW);
    CHECK_EQ_INT(T32(i32_trunc_f32_u, 4294967296.0f), WG_TRAP_INT_OVERFLOW);
    CHECK_EQ_INT(T32(i32_trunc_f32_u, -NAN), WG_TRAP_INVALID_CONVERSION);
    /* i32 <- f64 */
    CHECK_EQ_INT((int32_t)V64(i32_trunc_f64_s, -2147483648.9), INT32_MIN);
    CHECK_EQ_INT((int32_t)V64(i32_trunc_f64_s, 2147483647.9), INT32_MAX);
    CHECK_EQ_INT(T64(i32_trunc_f64_s, -2147483649.0), WG_TRAP_INT_OVERFLOW);
    CHECK_EQ_INT(T64(i32_trunc_f64_s, 2147483648.0), WG_TRAP_INT_OVERFLOW);
    CHECK_EQ_INT(T64(i32_trunc_f64_s, NAN), WG_TRAP_INVALID_CONVERSION);
    CHECK_EQ_INT((uint32_t)V64(i32_trunc_f64_u, 4294967295.9), 4294967295u);
    CHECK_EQ_INT((uint32_t)V64(i32_trunc_f64_u, -0.99), 0);
    CHECK_EQ_INT(T64(i32_trunc_f64_u, 4294967296.0), WG_TRAP_INT_OVERFLOW);
    CHECK_EQ_INT(T64(i32_trunc_f64_u, -1.0), WG_TRAP_INT_OVERFLOW);
    /* i64 <- f32 / f64 */
    CHECK(V32(i64_trunc_f32_s, -9223372036854775808.0f) == 0x8000000000000000ull);
    CHECK_EQ_INT(T32(i64_trunc_f32_s, 9223372036854775808.0f), WG_TRAP_INT_OVERFLOW);
    CHECK(V32(i64_trunc_f32_u, 18446742974197923840.0f) == 18446742974197923840ull);
    CHECK_EQ_INT(T32(i64_trunc_f32_u, 18446744073709551616.0f), WG_TRAP_INT_OVERFLOW);
    CHECK_EQ_INT(T32(i64_trunc_f32_u, -1.0f), WG_TRAP_INT_OVERFLOW);
    CHECK(V32(i64_trunc_f32_u, -0.75f) == 0);
    CHECK(V64(i64_trunc_f64_s, -9223372036854775808.0) == 0x8000000000000000ull);
    CHECK(V64(i64_trunc_f64_s, 9223372036854774784.0) == 9223372036854774784ull);
    CHECK_EQ_INT(T64(i64_trunc_f64_s, 9223372036854775808.0), WG_TRAP_INT_OVERFLOW);
    CHECK_EQ_INT(T64(i64_trunc_f64_s, -9223372036854777856.0), WG_TRAP_INT_OVERFLOW);
    CHECK(V64(i64_trunc_f64_u, 18446744073709549568.0) == 18446744073709549568ull);
    CHECK_EQ_INT(T64(i64_trunc_f64_u, 18446744073709551616.0), WG_TRAP_INT_OVERFLOW);
    CHECK_EQ_INT(T64(i64_trunc_f64_u, NAN), WG_TRAP_INVALID_CONVERSION);
    CHECK_EQ_INT(T64(i64_trunc_f64_u, -INFINITY), WG_TRAP_INT_OVERFLOW);
    /* saturating */
    CHECK_EQ_INT((int32_t)V32(i32_trunc_sat_f32_s, NAN), 0);
    CHECK_EQ_INT((int32_t)V32(i32_trunc_sat_f32_s, 3e9f), INT32_MAX);
    CHECK_EQ_INT((int32_t)V32(i32_trunc_sat_f32_s, -3e9f), INT32_MIN);
    CHECK_EQ_INT((uint32_t)V32(i32_trunc_sat_f32_u, -5.0f), 0);
    CHECK_EQ_INT((uint32_t)V32(i32_trunc_sat_f32_u, INFINITY), UINT32_MAX);
    CHECK_EQ_INT((int32_t)V64(i32_trunc_sat_f64_s, -2147483648.9), INT32_MIN);
    CHECK_EQ_INT((int32_t)V64(i32_trunc_sat_f64_s, 1e10), INT32_MAX);
    CHECK_EQ_INT((uint32_t)V64(i32_trunc_sat_f64_u, 4294967295.5), UINT32_MAX);
    CHECK_EQ_INT((uint32_t)V64(i32_trunc_sat_f64_u, 1e10), UINT32_MAX);
    CHECK(V32(i64_trunc_sat_f32_s, -INFINITY) == 0x8000000000000000ull);
    CHECK(V32(i64_trunc_sat_f32_u, 1e30f) == UINT64_MAX);
    CHECK(V64(i64_trunc_sat_f64_s, 1e19) == (uint64_t)INT64_MAX);
    CHECK(V64(i64_trunc_sat_f64_s, NAN) == 0);
    CHECK(V64(i64_trunc_sat_f64_u, -1e19) == 0);
    CHECK(V64(i64_trunc_sat_f64_u, 1e19) == 10000000000000000000ull);
}

WG_TEST(int_float_conversions) {
    /* u64 -> f32 must round once: via double this gives 2^53, which is wrong */
    CHECK(wg_bits_f32((uint32_t)un64(WG_OP_f32_convert_i64_u, 0x0020000020000001ull)) ==
          9007200328482816.0f);
    CHECK(wg_bits_f32((uint32_t)un64(WG_OP_f32_convert_i64_u, ~0ull)) == 18446744073709551616.0f);
    CHECK((uint32_t)un64(WG_OP_f32_convert_i64_u, 0x7FFFFF4000000001ull) == 0x5EFFFFFFu);
    CHECK((uint32_t)un64(WG_OP_f32_convert_i64_s, 0x8000004000000001ull) == 0xDEFFFFFFu);
    CHECK((uint32_t)un64(WG_OP_f32_convert_i64_s, (uint64_t)-1) == f32b(-1.0f));
    CHECK((uint32_t)un64(WG_OP_f32_convert_i32_u, 0xFFFFFFFFu) == f32b(4294967296.0f));
    CHECK((uint32_t)un64(WG_OP_f32_convert_i32_s, 0xFFFFFFFFu) == f32b(-1.0f));
    /* 16777217 rounds to even */
    CHECK((uint32_t)un64(WG_OP_f32_convert_i32_s, 16777217) == f32b(16777216.0f));
    CHECK(un64(WG_OP_f64_convert_i32_u, 0xFFFFFFFFu) == f64b(4294967295.0));
    CHECK(un64(WG_OP_f64_convert_i32_s, 0x1FFFFFFFFull) == f64b(-1.0));
    CHECK(un64(WG_OP_f64_convert_i64_u, ~0ull) == f64b(18446744073709551616.0));
    CHECK(un64(WG_OP_f64_convert_i64_u, 0x8000000000000401ull) == 0x43E0000000000001ull);
    CHECK(un64(WG_OP_f64_convert_i64_s, 0x8000000000000000ull) == f64b(-9223372036854775808.0));
    /* demote / promote */
    CHECK((uint32_t)un64(WG_OP_f32_demote_f64, f64b(1e300)) == f32b(INFINITY));
    CHECK((uint32_t)un64(WG_OP_f32_demote_f64, f64b(-0.0)) == 0x80000000u);
    CHECK(isnan(wg_bits_f32((uint32_t)un64(WG_OP_f32_demote_f64, f64b(NAN)))));
    CHECK(un64(WG_OP_f64_promote_f32, f32b(1.5f)) == f64b(1.5));
    CHECK(isnan(wg_bits_f64(un64(WG_OP_f64_promote_f32, 0x7FC00000u))));
}

/* ---- memory ---- */

/* func 0 (addr) -> value: op 1 0 offset; copy 0 1; return */
static wg_trap_code load_at(wg_ir_op op, fixture *fx, uint32_t addr, uint32_t offset, uint64_t *out) {
    memset(&fx->code[0], 0, sizeof fx->code[0]);
    emitv(&fx->code[0], op, 3, (uint32_t[]){1, 0, offset});
    E(&fx->code[0], copy, 0, 1);
    E0(&fx->code[0], return);
    def(fx, 0, 1, 1, 1, 1, 2);
    fx->stack[0].u64 = addr;
    wg_trap_code tc = fx_call(fx, 0);
    *out = fx->stack[0].u64;
    return tc;
}
/* func 1 (addr value): op 0 1 offset; return */
static wg_trap_code store_at(wg_ir_op op, fixture *fx, uint32_t addr, uint32_t offset, uint64_t v) {
    memset(&fx->code[1], 0, sizeof fx->code[1]);
    emitv(&fx->code[1], op, 3, (uint32_t[]){0, 1, offset});
    E0(&fx->code[1], return);
    def(fx, 1, 0, 2, 0, 2, 2);
    fx->stack[0].u64 = addr;
    fx->stack[1].u64 = v;
    return fx_call(fx, 1);
}

WG_TEST(loads_and_stores_at_the_edge) {
    fixture *fx = fx_new();
    uint64_t r;
    CHECK_EQ_INT(store_at(WG_OP_i32_store, fx, 65532, 0, 0x11223344u), WG_TRAP_NONE);
    CHECK_EQ_INT(load_at(WG_OP_i32_load, fx, 65532, 0, &r), WG_TRAP_NONE);
    CHECK_EQ_INT((uint32_t)r, 0x11223344u);
    CHECK_EQ_INT(load_at(WG_OP_i32_load, fx, 65530, 2, &r), WG_TRAP_NONE);
    CHECK_EQ_INT(load_at(WG_OP_i32_load, fx, 65533, 0, &r), WG_TRAP_MEMORY_OOB);
    CHECK_EQ_INT(load_at(WG_OP_i32_load, fx, 65532, 1, &r), WG_TRAP_MEMORY_OOB);
    CHECK_EQ_INT(load_at(WG_OP_i64_load, fx, 65529, 0, &r), WG_TRAP_MEMORY_OOB);
    CHECK_EQ_INT(load_at(WG_OP_i64_load, fx, 65528, 0, &r), WG_TRAP_NONE);
    CHECK_EQ_INT(load_at(WG_OP_i32_load8_u, fx, 65535, 0, &r), WG_TRAP_NONE);
    CHECK_EQ_INT(load_at(WG_OP_i32_load8_u, fx, 65536, 0, &r), WG_TRAP_MEMORY_OOB);
    /* address + offset does not wrap at 2^32 */
    CHECK_EQ_INT(load_at(WG_OP_i32_load8_u, fx, 1, 0xFFFFFFFFu, &r), WG_TRAP_MEMORY_OOB);
    CHECK_EQ_INT(load_at(WG_OP_i64_load, fx, 0xFFFFFFFFu, 0xFFFFFFFFu, &r), WG_TRAP_MEMORY_OOB);
    CHECK_EQ_INT(store_at(WG_OP_i64_store, fx, 65530, 0, 1), WG_TRAP_MEMORY_OOB);
    CHECK_EQ_INT(store_at(WG_OP_i32_store16, fx, 65535, 0, 1), WG_TRAP_MEMORY_OOB);
    CHECK_EQ_INT(store_at(WG_OP_i64_store8, fx, 0, 65535, 0xAB), WG_TRAP_NONE);
    CHECK_EQ_INT(fx->mem.data[65535], 0xAB);
    /* a failed store writes nothing */
    CHECK_EQ_INT(store_at(WG_OP_i64_store, fx, 65529, 0, ~0ull), WG_TRAP_MEMORY_OOB);
    CHECK_EQ_INT(fx->mem.data[65529], 0);
    /* sign and zero extension, unaligned */
    CHECK_EQ_INT(store_at(WG_OP_i64_store, fx, 3, 4, 0x8081828384858687ull), WG_TRAP_NONE);
    load_at(WG_OP_i64_load, fx, 7, 0, &r);
    CHECK(r == 0x8081828384858687ull);
    load_at(WG_OP_i32_load8_s, fx, 7, 0, &r);
    CHECK_EQ_INT((uint32_t)r, 0xFFFFFF87u);
    load_at(WG_OP_i32_load16_u, fx, 7, 0, &r);
    CHECK_EQ_INT((uint32_t)r, 0x8687);
    load_at(WG_OP_i32_load16_s, fx, 7, 0, &r);
    CHECK_EQ_INT((uint32_t)r, 0xFFFF8687u);
    load_at(WG_OP_i64_load8_s, fx, 7, 0, &r);
    CHECK(r == 0xFFFFFFFFFFFFFF87ull);
    load_at(WG_OP_i64_load8_u, fx, 7, 0, &r);
    CHECK(r == 0x87);
    load_at(WG_OP_i64_load16_s, fx, 7, 0, &r);
    CHECK(r == 0xFFFFFFFFFFFF8687ull);
    load_at(WG_OP_i64_load16_u, fx, 7, 0, &r);
    CHECK(r == 0x8687);
    load_at(WG_OP_i64_load32_s, fx, 7, 0, &r);
    CHECK(r == 0xFFFFFFFF84858687ull);
    load_at(WG_OP_i64_load32_u, fx, 7, 0, &r);
    CHECK(r == 0x84858687ull);
    /* f32 stores keep signaling-NaN bits */
    CHECK_EQ_INT(store_at(WG_OP_f32_store, fx, 100, 0, 0x7FA00001u), WG_TRAP_NONE);
    load_at(WG_OP_f32_load, fx, 100, 0, &r);
    CHECK_EQ_INT((uint32_t)r, 0x7FA00001u);
    CHECK_EQ_INT(store_at(WG_OP_f64_store, fx, 200, 0, 0x7FF4000000000001ull), WG_TRAP_NONE);
    load_at(WG_OP_f64_load, fx, 200, 0, &r);
    CHECK(r == 0x7FF4000000000001ull);
    CHECK_EQ_INT(store_at(WG_OP_i64_store16, fx, 300, 0, 0x12345678), WG_TRAP_NONE);
    CHECK_EQ_INT(store_at(WG_OP_i64_store32, fx, 302, 0, 0xAABBCCDDEEull), WG_TRAP_NONE);
    CHECK_EQ_INT(store_at(WG_OP_i32_store8, fx, 306, 0, 0x1FF), WG_TRAP_NONE);
    load_at(WG_OP_i64_load, fx, 300, 0, &r);
    CHECK(r == 0x00FFBBCCDDEE5678ull);
    fx_free(fx);
}

/* func 0 (addr): op 1 0 imm offset; copy 0 1; return (a fused-address load) */
static wg_trap_code load_ri_at(wg_ir_op op, fixture *fx, uint32_t addr, uint32_t imm, uint32_t offset,
                               uint64_t *out) {
    memset(&fx->code[0], 0, sizeof fx->code[0]);
    emitv(&fx->code[0], op, 4, (uint32_t[]){1, 0, imm, offset});
    E(&fx->code[0], copy, 0, 1);
    E0(&fx->code[0], return);
    def(fx, 0, 1, 1, 1, 1, 2);
    fx->stack[0].u64 = addr;
    fx->stack[1].u64 = 0xDEADBEEFDEADBEEFull;
    wg_trap_code tc = fx_call(fx, 0);
    *out = fx->stack[0].u64;
    return tc;
}

WG_TEST(fused_address_loads) {
    fixture *fx = fx_new();
    uint64_t r;
    CHECK_EQ_INT(store_at(WG_OP_i64_store, fx, 16, 0, 0x8081828384858687ull), WG_TRAP_NONE);
    /* ea = (u32)(addr + imm) + offset */
    CHECK_EQ_INT(load_ri_at(WG_OP_i64_load_ri, fx, 10, 4, 2, &r), WG_TRAP_NONE);
    CHECK(r == 0x8081828384858687ull);
    CHECK_EQ_INT(load_ri_at(WG_OP_f64_load_ri, fx, 10, 6, 0, &r), WG_TRAP_NONE);
    CHECK(r == 0x8081828384858687ull);
    CHECK_EQ_INT(load_ri_at(WG_OP_i32_load_ri, fx, 0, 16, 0, &r), WG_TRAP_NONE);
    CHECK_EQ_INT((uint32_t)r, 0x84858687u);
    CHECK_EQ_INT(load_ri_at(WG_OP_f32_load_ri, fx, 20, 0, 0, &r), WG_TRAP_NONE);
    CHECK_EQ_INT((uint32_t)r, 0x80818283u);
    /* the add wraps at 32 bits: 0xFFFFFFF0 + 0x20 = 0x10 (a negative base, as clang emits) */
    CHECK_EQ_INT(load_ri_at(WG_OP_i64_load_ri, fx, 0xFFFFFFF0u, 0x20, 0, &r), WG_TRAP_NONE);
    CHECK(r == 0x8081828384858687ull);
    CHECK_EQ_INT(load_ri_at(WG_OP_i32_load8_u_ri, fx, 0xFFFFFFFFu, 17, 0, &r), WG_TRAP_NONE);
    CHECK_EQ_INT((uint32_t)r, 0x87);
    /* ... but the offset does not: (u32)(8 + 0) + 0xFFFFFFFF is out of bounds */
    CHECK_EQ_INT(load_ri_at(WG_OP_i32_load8_u_ri, fx, 8, 0, 0xFFFFFFFFu, &r), WG_TRAP_MEMORY_OOB);
    CHECK_EQ_INT(load_ri_at(WG_OP_i32_load8_u_ri, fx, 0xFFFFFFFFu, 0, 1, &r), WG_TRAP_MEMORY_OOB);
    CHECK_EQ_INT(load_ri_at(WG_OP_i32_load8_u_ri, fx, 0xFFFFFFFFu, 1, 1, &r), WG_TRAP_NONE);
    /* the edge of memory */
    CHECK_EQ_INT(load_ri_at(WG_OP_i32_load_ri, fx, 65530, 2, 0, &r), WG_TRAP_NONE);
    CHECK_EQ_INT(load_ri_at(WG_OP_i32_load_ri, fx, 65530, 2, 1, &r), WG_TRAP_MEMORY_OOB);
    CHECK_EQ_INT(load_ri_at(WG_OP_i32_load_ri, fx, 65530, 3, 0, &r), WG_TRAP_MEMORY_OOB);
    CHECK_EQ_INT(load_ri_at(WG_OP_i64_load_ri, fx, 65520, 8, 0, &r), WG_TRAP_NONE);
    CHECK_EQ_INT(load_ri_at(WG_OP_i64_load_ri, fx, 65520, 9, 0, &r), WG_TRAP_MEMORY_OOB);
    CHECK_EQ_INT(load_ri_at(WG_OP_i64_load_ri, fx, 0xFFFFFFFFu, 0xFFFFFFFFu, 0xFFFFFFFFu, &r),
                 WG_TRAP_MEMORY_OOB);
    CHECK_EQ_INT(fx->trap.code, WG_TRAP_MEMORY_OOB);
    CHECK_STR_CONTAINS(fx->trap.message, "out of bounds memory access");
    /* sign and zero extension */
    uint32_t a = 0xFFFFFFFFu; /* base -1, imm 24: address 23 = byte 0x80 at 16 + 7 */
    load_ri_at(WG_OP_i32_load8_s_ri, fx, a, 24, 0, &r);
    CHECK_EQ_INT((uint32_t)r, 0xFFFFFF80u);
    load_ri_at(WG_OP_i32_load16_u_ri, fx, a, 23, 0, &r);
    CHECK_EQ_INT((uint32_t)r, 0x8081);
    load_ri_at(WG_OP_i32_load16_s_ri, fx, a, 23, 0, &r);
    CHECK_EQ_INT((uint32_t)r, 0xFFFF8081u);
    load_ri_at(WG_OP_i64_load8_s_ri, fx, a, 24, 0, &r);
    CHECK(r == 0xFFFFFFFFFFFFFF80ull);
    load_ri_at(WG_OP_i64_load8_u_ri, fx, a, 24, 0, &r);
    CHECK(r == 0x80);
    load_ri_at(WG_OP_i64_load16_s_ri, fx, a, 23, 0, &r);
    CHECK(r == 0xFFFFFFFFFFFF8081ull);
    load_ri_at(WG_OP_i64_load16_u_ri, fx, a, 23, 0, &r);
    CHECK(r == 0x8081);
    load_ri_at(WG_OP_i64_load32_s_ri, fx, a, 21, 0, &r);
    CHECK(r == 0xFFFFFFFF80818283ull);
    load_ri_at(WG_OP_i64_load32_u_ri, fx, a, 21, 0, &r);
    CHECK(r == 0x80818283ull);
    fx_free(fx);
}

WG_TEST(memory_grow_size_fill_copy_init) {
    fixture *fx = fx_new();
    code_t *c = &fx->code[0];
    /* (delta) -> old pages; then store at the new last byte and return size */
    E(c, memory_grow, 1, 0);
    E(c, const32, 2, 2 * 65536 - 1);
    E(c, const32, 3, 0x5A);
    E(c, i32_store8, 2, 3, 0);
    E(c, memory_size, 0);
    E(c, copy, 2, 1);
    E(c, copy, 1, 0);
    E(c, copy, 0, 2);
    E0(c, return);
    def(fx, 0, 1, 1, 2, 1, 4);
    fx->stack[0].u64 = 1;
    CHECK_EQ_INT(fx_call(fx, 0), WG_TRAP_NONE);
    CHECK_EQ_INT(fx->stack[0].i32, 1);
    CHECK_EQ_INT(fx->stack[1].u32, 2);
    CHECK_EQ_INT(fx->mem.data[2 * 65536 - 1], 0x5A);
    /* growing past the max gives -1 (then the store traps: the size is unchanged) */
    fx->stack[0].u64 = 3;
    CHECK_EQ_INT(fx_call(fx, 0), WG_TRAP_NONE);
    fx->stack[0].u64 = 10;
    CHECK_EQ_INT(fx_call(fx, 0), WG_TRAP_NONE);
    CHECK_EQ_INT(fx->stack[0].i32, -1);

    /* fill dst val n ; copy dst src n ; init seg dst src n */
    fixture *g = fx_new();
    c = &g->code[0];
    E(c, memory_fill, 0, 1, 2);
    E0(c, return);
    def(g, 0, 0, 3, 0, 3, 3);
    c = &g->code[1];
    E(c, memory_copy, 0, 1, 2);
    E0(c, return);
    def(g, 1, 0, 3, 0, 3, 3);
    c = &g->code[2];
    E(c, memory_init, 0, 0, 1, 2);
    E0(c, return);
    def(g, 2, 0, 3, 0, 3, 3);
    c = &g->code[3];
    E(c, data_drop, 0);
    E0(c, return);
    def(g, 3, 2, 0, 0, 0, 0);
#define CALL3(i, a, b, n) (g->stack[0].u64 = (a), g->stack[1].u64 = (b), g->stack[2].u64 = (n), fx_call(g, i))
    CHECK_EQ_INT(CALL3(0, 10, 0x1CC, 5), WG_TRAP_NONE);
    CHECK(g->mem.data[9] == 0 && g->mem.data[10] == 0xCC && g->mem.data[14] == 0xCC && g->mem.data[15] == 0);
    CHECK_EQ_INT(CALL3(0, 65536, 1, 0), WG_TRAP_NONE);            /* n = 0 at the end: fine */
    CHECK_EQ_INT(CALL3(0, 65537, 1, 0), WG_TRAP_MEMORY_OOB);      /* n = 0 past the end */
    CHECK_EQ_INT(CALL3(0, 65530, 7, 7), WG_TRAP_MEMORY_OOB);
    CHECK(g->mem.data[65530] == 0);                                /* nothing written */
    CHECK_EQ_INT(CALL3(1, 12, 10, 5), WG_TRAP_NONE);              /* overlapping copy */
    CHECK(g->mem.data[9] == 0 && g->mem.data[10] == 0xCC && g->mem.data[16] == 0xCC && g->mem.data[17] == 0);
    CHECK_EQ_INT(CALL3(1, 0, 65535, 2), WG_TRAP_MEMORY_OOB);
    CHECK_EQ_INT(CALL3(1, 65535, 0, 2), WG_TRAP_MEMORY_OOB);
    CHECK_EQ_INT(CALL3(1, 65536, 65536, 0), WG_TRAP_NONE);
    CHECK_EQ_INT(CALL3(2, 100, 7, 4), WG_TRAP_NONE);
    CHECK(!memcmp(g->mem.data + 100, "wasm", 4));
    CHECK_EQ_INT(CALL3(2, 100, 8, 4), WG_TRAP_MEMORY_OOB);
    CHECK_EQ_INT(CALL3(2, 65535, 0, 2), WG_TRAP_MEMORY_OOB);
    CHECK_EQ_INT(CALL3(2, 0, 11, 0), WG_TRAP_NONE);
    CHECK_EQ_INT(fx_call(g, 3), WG_TRAP_NONE);                      /* drop: length 0 */
    CHECK_EQ_INT(CALL3(2, 0, 0, 1), WG_TRAP_MEMORY_OOB);
    CHECK_EQ_INT(CALL3(2, 0, 0, 0), WG_TRAP_NONE);
    CHECK_EQ_INT(CALL3(2, 0, 1, 0), WG_TRAP_MEMORY_OOB);
#undef CALL3
    fx_free(g);
    fx_free(fx);
}

/* ---- control ---- */

WG_TEST(loop_with_fused_branches_and_select) {
    fixture *fx = fx_new();
    code_t *c = &fx->code[0];
    /* sum 0..n-1 with br_i32_lt_u back-edge: (n) -> sum; locals: 1 i, 2 sum */
    E(c, br_i32_eq_ri, 0, 0, 0);          /* n == 0 -> done (patched) */
    uint32_t skip = c->n - 4;
    uint32_t loop = E(c, i32_add, 2, 2, 1);
    E(c, i32_add_ri, 1, 1, 1);
    E(c, br_i32_lt_u, 1, 0, OFF(c->n, loop));
    patch_here(c, skip + 3, skip);
    E(c, copy, 0, 2);
    E0(c, return);
    def(fx, 0, 1, 1, 1, 3, 4);
    fx->stack[0].u64 = 1000;
    fx->stack[1].u64 = 77;                 /* locals must be zeroed on entry */
    fx->stack[2].u64 = 77;
    CHECK_EQ_INT(fx_call(fx, 0), WG_TRAP_NONE);
    CHECK_EQ_INT(fx->stack[0].u32, 499500);
    fx->stack[0].u64 = 0;
    CHECK_EQ_INT(fx_call(fx, 0), WG_TRAP_NONE);
    CHECK_EQ_INT(fx->stack[0].u32, 0);

    /* select d a b c, with garbage in c's upper half */
    c = &fx->code[1];
    E(c, select, 3, 0, 1, 2);
    E(c, copy, 0, 3);
    E0(c, return);
    def(fx, 1, 0, 3, 1, 3, 4);
    fx->stack[0].u64 = 11;
    fx->stack[1].u64 = 22;
    fx->stack[2].u64 = 0x100000000ull;
    CHECK_EQ_INT(fx_call(fx, 1), WG_TRAP_NONE);
    CHECK_EQ_INT(fx->stack[0].u32, 22);
    fx->stack[0].u64 = 11;
    fx->stack[1].u64 = 22;
    fx->stack[2].u64 = 0x80000000ull;
    CHECK_EQ_INT(fx_call(fx, 1), WG_TRAP_NONE);
    CHECK_EQ_INT(fx->stack[0].u32, 11);

    /* i64 fused branch with immediate (sign-extended) + br_if_i64 forms */
    c = &fx->code[2];
    uint32_t b1 = E(c, br_i64_lt_s_ri, 0, (uint32_t)-5, 0);
    uint32_t b2 = E(c, br_if_i64_eqz, 0, 0);
    uint32_t b3 = E(c, br_if_i64_nez, 0, 0);
    E0(c, unreachable);
    patch_here(c, b1 + 3, b1);
    E(c, const32, 0, 1);
    E0(c, return);
    patch_here(c, b2 + 2, b2);
    E(c, const32, 0, 2);
    E0(c, return);
    patch_here(c, b3 + 2, b3);
    E(c, const32, 0, 3);
    E0(c, return);
    def(fx, 2, 3, 1, 1, 1, 1);
    fx->stack[0].i64 = -6;
    CHECK_EQ_INT(fx_call(fx, 2), WG_TRAP_NONE);
    CHECK_EQ_INT(fx->stack[0].u64, 1);
    fx->stack[0].i64 = -5;
    CHECK_EQ_INT(fx_call(fx, 2), WG_TRAP_NONE);
    CHECK_EQ_INT(fx->stack[0].u64, 3);
    fx->stack[0].u64 = 0;
    CHECK_EQ_INT(fx_call(fx, 2), WG_TRAP_NONE);
    CHECK_EQ_INT(fx->stack[0].u64, 2);
    fx->stack[0].u64 = 0x100000000ull;     /* i64: upper half counts */
    CHECK_EQ_INT(fx_call(fx, 2), WG_TRAP_NONE);
    CHECK_EQ_INT(fx->stack[0].u64, 3);

    /* br_if / br_unless read only the low 32 bits; const64; copy_n */
    c = &fx->code[3];
    uint32_t p = E(c, br_if, 0, 0);
    E(c, const64, 0, 0x89ABCDEFu, 0x01234567u);
    E0(c, return);
    patch_here(c, p + 2, p);
    p = E(c, br_unless, 1, 0);             /* slot 1: a local, zeroed on entry */
    E0(c, unreachable);
    patch_here(c, p + 2, p);
    E(c, const32, 1, 5);
    E(c, const32, 2, 6);
    E(c, copy_n, 0, 1, 2);
    E0(c, return);
    def(fx, 3, 1, 1, 2, 2, 3);
    fx->stack[0].u64 = 0x100000000ull;
    CHECK_EQ_INT(fx_call(fx, 3), WG_TRAP_NONE);
    CHECK(fx->stack[0].u64 == 0x0123456789ABCDEFull);
    fx->stack[0].u64 = 1;
    fx->stack[1].u64 = 9;
    CHECK_EQ_INT(fx_call(fx, 3), WG_TRAP_NONE);
    CHECK(fx->stack[0].u64 == 5 && fx->stack[1].u64 == 6);
    fx_free(fx);
}

WG_TEST(br_table_picks_targets_and_default) {
    fixture *fx = fx_new();
    code_t *c = &fx->code[0];
    uint32_t bt = E(c, br_table, 0, 3);
    uint32_t offs = c->n;
    c->n += 4;
    uint32_t targets[4];
    for (int i = 0; i < 4; i++) {
        targets[i] = c->n;
        E(c, const32, 0, 100 + (uint32_t)i);
        E0(c, return);
    }
    for (int i = 0; i < 4; i++) c->w[offs + i] = OFF(bt, targets[i]);
    def(fx, 0, 1, 1, 1, 1, 1);
    uint32_t ks[] = {0, 1, 2, 3, 4, 0xFFFFFFFFu};
    uint32_t want[] = {100, 101, 102, 103, 103, 103};
    for (int i = 0; i < 6; i++) {
        fx->stack[0].u64 = ks[i];
        CHECK_EQ_INT(fx_call(fx, 0), WG_TRAP_NONE);
        CHECK_EQ_INT(fx->stack[0].u32, want[i]);
    }
    fx_free(fx);
}

WG_TEST(copy2_moves_in_order) {
    fixture *fx = fx_new();
    code_t *c = &fx->code[0];   /* (a b) -> a rotated through slot 2: the second copy sees the first */
    E(c, copy2, 2, 0, 0, 1);
    E(c, copy2, 1, 2, 3, 0);
    E(c, i32_mul_ri, 0, 0, 100);
    E(c, i32_add, 0, 0, 1);
    E(c, i32_mul_ri, 3, 3, 10000);
    E(c, i32_add, 0, 0, 3);
    E0(c, return);
    def(fx, 0, 0, 2, 1, 2, 4);
    fx->stack[0].u64 = 7;
    fx->stack[1].u64 = 9;
    CHECK_EQ_INT(fx_call(fx, 0), WG_TRAP_NONE);
    /* slot 0 = 9, slot 1 = 7, slot 3 = 9 */
    CHECK_EQ_INT(fx->stack[0].u32, 9 * 100 + 7 + 9 * 10000);
    fx_free(fx);
}

/* ---- calls ---- */

static int host_set_interrupt_c(wg_ctx *ctx, uint64_t *slots, void *data) {
    (void)slots;
    (void)data;
    atomic_store(ctx->exec->interrupt, 1);
    return 0;
}

/* fib(n) = n < 2 ? n : fib(n-1) + fib(n-2); frame: 0 n, 1 tmp, 2 arg/result, 3 saved */
static void build_fib(fixture *fx, int i) {
    code_t *c = &fx->code[i];
    uint32_t b = E(c, br_i32_lt_u_ri, 0, 2, 0);
    E(c, i32_sub_ri, 2, 0, 1);
    E(c, call, (uint32_t)i, 2);
    E(c, copy, 1, 2);
    E(c, i32_sub_ri, 2, 0, 2);
    E(c, call, (uint32_t)i, 2);
    E(c, i32_add, 0, 1, 2);
    patch_here(c, b + 3, b);
    E0(c, return);
    def(fx, i, 1, 1, 1, 1, 4);
}

WG_TEST(calls_return_results) {
    fixture *fx = fx_new();
    build_fib(fx, 5);
    fx->stack[0].u64 = 20;
    CHECK_EQ_INT(fx_call(fx, 5), WG_TRAP_NONE);
    CHECK_EQ_INT(fx->stack[0].u32, 6765);
    /* a caller with two results from a callee with two results */
    code_t *c = &fx->code[1];        /* (a b) -> (b, a) */
    E(c, copy, 2, 0);
    E(c, copy, 0, 1);
    E(c, copy, 1, 2);
    E0(c, return);
    def(fx, 1, 0, 2, 2, 2, 3);
    c = &fx->code[0];               /* (a b) -> a*10+b of swap, with locals live across the call */
    E(c, const32, 2, 7);
    E(c, copy, 3, 0);
    E(c, copy, 4, 1);
    E(c, call, 1, 3);
    E(c, i32_mul_ri, 3, 3, 10);
    E(c, i32_add, 0, 3, 4);
    E(c, i32_add, 0, 0, 2);
    E0(c, return);
    def(fx, 0, 0, 2, 1, 3, 5);
    fx->stack[0].u64 = 1;
    fx->stack[1].u64 = 2;
    CHECK_EQ_INT(fx_call(fx, 0), WG_TRAP_NONE);
    CHECK_EQ_INT(fx->stack[0].u32, 2 * 10 + 1 + 7);
    fx_free(fx);
}

/* The operand of call_direct that reaches function `to` from the call at
 * position `at` of function `from` (code arrays all live in the fixture). */
static uint32_t dir_off(fixture *fx, int from, uint32_t at, int to) {
    return (uint32_t)(int32_t)(fx->code[to].w - &fx->code[from].w[at]);
}

WG_TEST(call_direct_enters_zeroes_and_traps) {
    fixture *fx = fx_new();
    /* fib through call_direct: f base off frame z n */
    code_t *c = &fx->code[5];
    uint32_t b = E(c, br_i32_lt_u_ri, 0, 2, 0);
    E(c, i32_sub_ri, 2, 0, 1);
    uint32_t k1 = E(c, call_direct, 5, 2, 0, 4, 1, 0);
    E(c, copy, 1, 2);
    E(c, i32_sub_ri, 2, 0, 2);
    uint32_t k2 = E(c, call_direct, 5, 2, 0, 4, 1, 0);
    E(c, i32_add, 0, 1, 2);
    patch_here(c, b + 3, b);
    E0(c, return);
    c->w[k1 + 3] = dir_off(fx, 5, k1, 5);
    c->w[k2 + 3] = dir_off(fx, 5, k2, 5);
    def(fx, 5, 1, 1, 1, 1, 4);
    fx->stack[0].u64 = 20;
    CHECK_EQ_INT(fx_call(fx, 5), WG_TRAP_NONE);
    CHECK_EQ_INT(fx->stack[0].u32, 6765);

    /* callee 6: (p; locals 1, 2) returns p + l1 + l2; the caller leaves garbage
     * where the callee's locals go: call_direct zeroes exactly n cells from z */
    c = &fx->code[6];
    E(c, i32_add, 0, 0, 1);
    E(c, i32_add, 0, 0, 2);
    E0(c, return);
    def(fx, 6, 1, 1, 1, 3, 3);
    for (uint32_t nz = 0; nz <= 2; nz++) {
        memset(&fx->code[4], 0, sizeof fx->code[4]);
        c = &fx->code[4];
        E(c, const32, 3, 100);
        E(c, const32, 4, 20000);
        E(c, i32_add_ri, 2, 0, 1);
        uint32_t k = E(c, call_direct, 6, 2, 0, 3, 1, nz);
        E(c, copy, 0, 2);
        E0(c, return);
        c->w[k + 3] = dir_off(fx, 4, k, 6);
        def(fx, 4, 1, 1, 1, 1, 5);
        fx->stack[0].u64 = 7;
        CHECK_EQ_INT(fx_call(fx, 4), WG_TRAP_NONE);
        CHECK_EQ_INT(fx->stack[0].u32, 8 + (nz < 1 ? 100 : 0) + (nz < 2 ? 20000 : 0));
    }

    /* f(n) = f(n+1), counting entries in global 0: the frame limit, then the
     * value stack limit from the frame operand; backtraces name the callee */
    c = &fx->code[2];
    memset(c, 0, sizeof *c);
    E(c, global_get, 2, 0);
    E(c, i32_add_ri, 2, 2, 1);
    E(c, global_set, 0, 2);
    uint32_t a = E(c, i32_add_ri, 1, 0, 1);
    uint32_t k = E(c, call_direct, 2, 1, 0, 3, 1, 0);
    E0(c, return);
    c->w[k + 3] = dir_off(fx, 2, k, 2);
    def(fx, 2, 1, 1, 1, 1, 3);
    fx->globals[0].val.u64 = 0;
    CHECK_EQ_INT(fx_call(fx, 2), WG_TRAP_STACK_EXHAUSTED);
    CHECK_STR_CONTAINS(fx->trap.message, "call stack exhausted");
    CHECK_EQ_INT(fx->trap.nframes, WG_BACKTRACE_MAX);
    CHECK_EQ_INT(fx->trap.frames[0].func_index, 2);
    CHECK_EQ_INT(fx->trap.frames[1].func_index, 2);
    CHECK_EQ_INT(fx->globals[0].val.u32, NFRAMES);
    c->w[k + 2] = 50;   /* base 50 with frame 100: the value stack runs out first */
    c->w[k + 4] = 100;
    c->w[a + 1] = 50;  /* i32_add_ri 50 0 1 */
    def(fx, 2, 1, 1, 1, 1, 100);
    fx->globals[0].val.u64 = 0;
    CHECK_EQ_INT(fx_call(fx, 2), WG_TRAP_STACK_EXHAUSTED);
    CHECK_EQ_INT(fx->globals[0].val.u32, (NSTACK - 100) / 50 + 1);
    CHECK_EQ_INT(fx->inst.exec.nframes, 0);

    /* the interrupt flag is checked at call_direct: a host call sets it */
    def_host(fx, 1, 2, host_set_interrupt_c, NULL);
    c = &fx->code[3];
    E(c, call_import, 1, 3);
    k = E(c, call_direct, 6, 0, 0, 3, 1, 2);
    E0(c, return);
    c->w[k + 3] = dir_off(fx, 3, k, 6);
    def(fx, 3, 1, 1, 1, 1, 4);
    fx->stack[0].u64 = 1;
    CHECK_EQ_INT(fx_call(fx, 3), WG_TRAP_INTERRUPTED);
    CHECK_EQ_INT(fx->stack[0].u32, 1);     /* the callee did not run */
    atomic_store(&fx->inst.interrupt, 0);
    fx_free(fx);
}

WG_TEST(deep_recursion_is_stack_exhausted) {
    fixture *fx = fx_new();
    code_t *c = &fx->code[2];  /* f(n) = f(n+1), counting entries in global 0 */
    E(c, global_get, 2, 0);
    E(c, i32_add_ri, 2, 2, 1);
    E(c, global_set, 0, 2);
    E(c, i32_add_ri, 1, 0, 1);
    E(c, call, 2, 1);
    E0(c, return);
    def(fx, 2, 1, 1, 1, 1, 3);
    CHECK_EQ_INT(fx_call(fx, 2), WG_TRAP_STACK_EXHAUSTED);
    CHECK_STR_CONTAINS(fx->trap.message, "call stack exhausted");
    CHECK_EQ_INT(fx->trap.nframes, WG_BACKTRACE_MAX);
    CHECK_EQ_INT(fx->trap.frames[0].func_index, 2);
    CHECK_EQ_INT(fx->globals[0].val.u32, NFRAMES);    /* the frame limit */
    /* the value stack runs out before the frame stack: big frames */
    memset(c, 0, sizeof *c);
    E(c, global_get, 2, 0);
    E(c, i32_add_ri, 2, 2, 1);
    E(c, global_set, 0, 2);
    E(c, i32_add_ri, 50, 0, 1);
    E(c, call, 2, 50);
    E0(c, return);
    def(fx, 2, 1, 1, 1, 1, 100);
    fx->globals[0].val.u64 = 0;
    CHECK_EQ_INT(fx_call(fx, 2), WG_TRAP_STACK_EXHAUSTED);
    CHECK_EQ_INT(fx->globals[0].val.u32, (NSTACK - 100) / 50 + 1);
    /* the entry function's frame must fit too */
    fx->globals[0].val.u64 = 0;
    def(fx, 2, 1, 1, 1, 1, NSTACK + 1);
    CHECK_EQ_INT(fx_call(fx, 2), WG_TRAP_STACK_EXHAUSTED);
    CHECK_EQ_INT(fx->globals[0].val.u32, 0);
    fx_free(fx);
}

WG_TEST(trap_backtrace_and_frames_restored) {
    fixture *fx = fx_new();
    code_t *c = &fx->code[7];
    E(c, i32_div_s, 0, 0, 1);
    E0(c, return);
    def(fx, 7, 0, 2, 1, 2, 2);
    c = &fx->code[8];
    E(c, call, 7, 0);
    E0(c, return);
    def(fx, 8, 0, 2, 1, 2, 2);
    fx->stack[0].u64 = 5;
    fx->stack[1].u64 = 0;
    CHECK_EQ_INT(fx_call(fx, 8), WG_TRAP_DIV_ZERO);
    CHECK_STR_CONTAINS(fx->trap.message, "integer divide by zero");
    CHECK_EQ_INT(fx->trap.nframes, 2);
    CHECK_EQ_INT(fx->trap.frames[0].func_index, 7);
    CHECK_EQ_INT(fx->trap.frames[1].func_index, 8);
    CHECK(fx->trap.frames[0].module == &fx->mod);
    /* unreachable */
    c = &fx->code[9];
    E0(c, unreachable);
    def(fx, 9, 2, 0, 0, 0, 0);
    CHECK_EQ_INT(fx_call(fx, 9), WG_TRAP_UNREACHABLE);
    CHECK_STR_CONTAINS(fx->trap.message, "unreachable");
    /* bad entry arguments are refused, not run */
    wg_exec *ex = &fx->inst.exec;
    CHECK_EQ_INT(wg__interp_call(ex, NULL, fx->stack), WG_TRAP_HOST);
    CHECK_EQ_INT(wg__interp_call(ex, &fx->funcs[9], fx->stack + NSTACK + 1), WG_TRAP_STACK_EXHAUSTED);
    ex->stack = fx->stack + 1;           /* fp below the stack */
    CHECK_EQ_INT(wg__interp_call(ex, &fx->funcs[9], fx->stack), WG_TRAP_STACK_EXHAUSTED);
    ex->stack = fx->stack;
    CHECK_EQ_INT(wg__interp_call(NULL, &fx->funcs[9], fx->stack), WG_TRAP_HOST);
    wg_func empty = {0};
    CHECK_EQ_INT(wg__interp_call(ex, &empty, fx->stack), WG_TRAP_HOST);
    CHECK_EQ_INT(ex->nframes, 0);
    /* a frame stack already full at entry */
    ex->nframes = NFRAMES;
    CHECK_EQ_INT(wg__interp_call(ex, &fx->funcs[9], fx->stack), WG_TRAP_STACK_EXHAUSTED);
    CHECK_EQ_INT(ex->nframes, NFRAMES);
    ex->nframes = 0;
    fx_free(fx);
}

/* ---- interrupts ---- */

/* Set by host_loop_starts, the call just before the endless loop. */
static atomic_int loop_started;

static int host_loop_starts(wg_ctx *ctx, uint64_t *slots, void *data) {
    (void)ctx;
    (void)slots;
    (void)data;
    atomic_store(&loop_started, 1);
    return 0;
}

/* Sets the interrupt flag once the guest has reached its loop: an event, not
 * a delay (a flag set before the call would stop it at its entry, and the
 * loop's back-edge check would go untested). */
static void *set_flag_when_looping(void *arg) {
    while (!atomic_load(&loop_started)) sched_yield();
    atomic_store((atomic_uint *)arg, 1);
    return NULL;
}

static int host_set_interrupt(wg_ctx *ctx, uint64_t *slots, void *data) {
    (void)slots;
    (void)data;
    atomic_store(ctx->exec->interrupt, 1);
    return 0;
}

static void on_alarm(int sig) {
    (void)sig;
    static const char msg[] = "interrupt_stops_loops: timed out (a back-edge missed the flag)\n";
    if (write(2, msg, sizeof msg - 1) < 0) _exit(2);
    _exit(1);
}

WG_TEST(interrupt_stops_loops) {
    signal(SIGALRM, on_alarm);
    alarm(120);
    fixture *fx = fx_new();
    /* an infinite loop stopped from another thread: it calls a host function
     * that says it is about to loop, which lets the other thread set the flag */
    code_t *c = &fx->code[0];
    def_host(fx, 1, 2, host_loop_starts, NULL);
    E(c, call_import, 1, 3);
    uint32_t l = E(c, i32_add_ri, 0, 0, 1);
    E(c, br, OFF(c->n, l));
    def(fx, 0, 1, 1, 1, 1, 4);
    atomic_store(&loop_started, 0);
    pthread_t th;
    CHECK(pthread_create(&th, NULL, set_flag_when_looping, &fx->inst.interrupt) == 0);
    fx->stack[0].u64 = 0;
    CHECK_EQ_INT(fx_call(fx, 0), WG_TRAP_INTERRUPTED);
    pthread_join(th, NULL);
    CHECK_STR_CONTAINS(fx->trap.message, "interrupted");
    /* set: even the entry stops */
    CHECK_EQ_INT(fx_call(fx, 0), WG_TRAP_INTERRUPTED);
    atomic_store(&fx->inst.interrupt, 0);

    /* each kind of back-edge checks the flag: a host call sets it, then the
     * loop runs its body once more and stops at the back-edge */
    def_host(fx, 1, 2, host_set_interrupt, NULL);
    for (int kind = 0; kind < 5; kind++) {
        memset(&fx->code[2], 0, sizeof fx->code[2]);
        c = &fx->code[2];
        E(c, call_import, 1, 3);
        uint32_t top = E(c, i32_add_ri, 0, 0, 1);
        E(c, const32, 1, 0);
        switch (kind) {
        case 0: E(c, br_if, 0, OFF(c->n, top)); break;
        case 1: E(c, br_i32_ne, 0, 1, OFF(c->n, top)); break;
        case 2: E(c, br_i64_ge_u_ri, 0, 0, OFF(c->n, top)); break;
        case 3: {
            uint32_t bt = E(c, br_table, 1, 1);
            c->w[c->n++] = OFF(bt, top);
            c->w[c->n++] = OFF(bt, top);
            break;
        }
        case 4: {
            /* `loop br 0 end`: a branch to itself */
            E(c, br, 0);
            break;
        }
        }
        E0(c, return);
        def(fx, 2, 1, 1, 1, 1, 4);
        fx->stack[0].u64 = 0;
        CHECK_EQ_INT(fx_call(fx, 2), WG_TRAP_INTERRUPTED);
        CHECK_EQ_INT(fx->stack[0].u64, 1);   /* the body ran once */
        atomic_store(&fx->inst.interrupt, 0);
    }
    /* a NULL interrupt pointer is allowed */
    fx->inst.exec.interrupt = NULL;
    build_fib(fx, 3);
    fx->stack[0].u64 = 10;
    CHECK_EQ_INT(fx_call(fx, 3), WG_TRAP_NONE);
    CHECK_EQ_INT(fx->stack[0].u32, 55);
    fx_free(fx);
    alarm(0);
}

/* ---- host functions ---- */

static int host_add(wg_ctx *ctx, uint64_t *slots, void *data) {
    CHECK(ctx->func->host == host_add);
    CHECK(data == (void *)0x1234);
    slots[0] = (uint32_t)((uint32_t)slots[0] + (uint32_t)slots[1]);
    return 0;
}

static int host_fail(wg_ctx *ctx, uint64_t *slots, void *data) {
    (void)slots;
    (void)data;
    wg__trap_fill(ctx->exec, WG_TRAP_HOST, "boom from host");
    return 1;
}

static int host_exit(wg_ctx *ctx, uint64_t *slots, void *data) {
    (void)data;
    wg__trap_fill(ctx->exec, WG_TRAP_EXIT, NULL);
    ctx->exec->trap->exit_code = (int)slots[0];
    return 1;
}

static int host_grows_memory(wg_ctx *ctx, uint64_t *slots, void *data) {
    (void)data;
    slots[0] = (uint64_t)(uint32_t)wg__memory_grow(ctx->inst->mems[0], 1);
    return 0;
}

/* Re-enters the interpreter: calls function (int)data with slots[0] on the
 * exec's stack above the caller's frame. */
static int host_reenter(wg_ctx *ctx, uint64_t *slots, void *data) {
    wg_exec *ex = ctx->exec;
    fixture *fx = (fixture *)((char *)ctx->inst - offsetof(fixture, inst));
    CHECK(ex->sp > (wg_cell *)slots);
    /* the nested frame starts above the whole calling frame (func 7 at stack[0]) */
    CHECK(ex->sp == fx->stack + fx->codes[7].frame_size);
    wg_cell *fp = ex->sp;
    fp[0].u64 = slots[0];
    uint32_t before = ex->nframes;
    wg_trap_code tc = wg__interp_call(ex, &fx->funcs[(intptr_t)data], fp);
    CHECK_EQ_INT(ex->nframes, before);
    if (tc != WG_TRAP_NONE) return 1;
    slots[0] = fp[0].u32 + 1000;
    return 0;
}

WG_TEST(host_calls_and_traps) {
    fixture *fx = fx_new();
    def_host(fx, 1, 0, host_add, (void *)0x1234);
    code_t *c = &fx->code[0];
    E(c, i32_mul_ri, 3, 0, 3);
    E(c, copy, 4, 1);
    E(c, call_import, 1, 3);
    E(c, i32_add_ri, 0, 3, 1);
    E0(c, return);
    def(fx, 0, 0, 2, 1, 3, 5);
    fx->stack[0].u64 = 4;
    fx->stack[1].u64 = 5;
    CHECK_EQ_INT(fx_call(fx, 0), WG_TRAP_NONE);
    CHECK_EQ_INT(fx->stack[0].u32, 4 * 3 + 5 + 1);
    /* a host function as the entry function */
    fx->stack[0].u64 = 40;
    fx->stack[1].u64 = 2;
    CHECK_EQ_INT(fx_call(fx, 1), WG_TRAP_NONE);
    CHECK_EQ_INT(fx->stack[0].u32, 42);

    /* a host trap: the backtrace holds the host frame and both wasm frames */
    def_host(fx, 1, 0, host_fail, NULL);
    c = &fx->code[2];
    E(c, call, 0, 0);
    E0(c, return);
    def(fx, 2, 0, 2, 1, 2, 2);
    CHECK_EQ_INT(fx_call(fx, 2), WG_TRAP_HOST);
    CHECK_STR_CONTAINS(fx->trap.message, "boom from host");
    CHECK_EQ_INT(fx->trap.nframes, 3);
    CHECK(fx->trap.frames[0].module == NULL);
    CHECK_EQ_INT(fx->trap.frames[1].func_index, 0);
    CHECK_EQ_INT(fx->trap.frames[2].func_index, 2);
    /* exit */
    def_host(fx, 1, 0, host_exit, NULL);
    fx->stack[0].u64 = 1;
    fx->stack[1].u64 = 0;
    CHECK_EQ_INT(fx_call(fx, 0), WG_TRAP_EXIT);
    CHECK_EQ_INT(fx->trap.exit_code, 3);

    /* a host function that grows memory: the cached size is reloaded */
    def_host(fx, 4, 1, host_grows_memory, NULL);
    c = &fx->code[3];
    E(c, const32, 1, 65536);
    E(c, call_import, 4, 2);
    E(c, i32_load8_u, 0, 1, 0);       /* in the new page: traps unless reloaded */
    E0(c, return);
    def(fx, 3, 1, 1, 1, 1, 3);
    CHECK_EQ_INT(fx_call(fx, 3), WG_TRAP_NONE);
    CHECK_EQ_INT(fx->mem.pages, 2);

    /* re-entry: host 6 calls wasm fib (func 5) recursively through the interpreter */
    build_fib(fx, 5);
    def_host(fx, 6, 1, host_reenter, (void *)5);
    c = &fx->code[7];
    E(c, copy, 2, 0);
    E(c, call_import, 6, 2);
    E(c, i32_add_ri, 0, 2, 1);
    E0(c, return);
    def(fx, 7, 1, 1, 1, 1, 6);
    fx->stack[0].u64 = 10;
    CHECK_EQ_INT(fx_call(fx, 7), WG_TRAP_NONE);
    CHECK_EQ_INT(fx->stack[0].u32, 55 + 1000 + 1);
    /* a trap inside the re-entered code propagates */
    c = &fx->code[8];
    E0(c, unreachable);
    def(fx, 8, 1, 1, 1, 1, 1);
    def_host(fx, 6, 1, host_reenter, (void *)8);
    CHECK_EQ_INT(fx_call(fx, 7), WG_TRAP_UNREACHABLE);
    fx_free(fx);
}

/* ---- call_indirect, tables, globals, references ---- */

WG_TEST(call_indirect_checks) {
    fixture *fx = fx_new();
    build_fib(fx, 5);                 /* type 1 */
    def_host(fx, 6, 1, host_grows_memory, NULL);  /* type 1, host, separate signature copy */
    code_t *c = &fx->code[0];
    /* (x, idx) -> call_indirect type 1 table 0 idx */
    E(c, copy, 2, 0);
    E(c, call_indirect, 1, 0, 1, 2);
    E(c, copy, 0, 2);
    E0(c, return);
    def(fx, 0, 0, 2, 1, 2, 3);
    fx->tables[0].elems[0] = &fx->funcs[5];
    fx->tables[0].elems[1] = &fx->funcs[0];   /* type 0: mismatch */
    fx->tables[0].elems[3] = &fx->funcs[6];
#define CI(x, i) (fx->stack[0].u64 = (x), fx->stack[1].u64 = (i), fx_call(fx, 0))
    CHECK_EQ_INT(CI(12, 0), WG_TRAP_NONE);
    CHECK_EQ_INT(fx->stack[0].u32, 144);
    CHECK_EQ_INT(CI(12, 1), WG_TRAP_INDIRECT_TYPE);
    CHECK_STR_CONTAINS(fx->trap.message, "indirect call type mismatch");
    CHECK_EQ_INT(CI(12, 2), WG_TRAP_UNINITIALIZED_ELEMENT);
    CHECK_STR_CONTAINS(fx->trap.message, "uninitialized element");
    CHECK_EQ_INT(CI(12, 4), WG_TRAP_UNDEFINED_ELEMENT);
    CHECK_STR_CONTAINS(fx->trap.message, "undefined element");
    CHECK_EQ_INT(CI(12, 0xFFFFFFFFu), WG_TRAP_UNDEFINED_ELEMENT);
    CHECK_EQ_INT(CI(0, 3), WG_TRAP_NONE);      /* host, structurally equal type */
    CHECK_EQ_INT(fx->stack[0].u32, 1);
#undef CI
    fx_free(fx);
}

WG_TEST(tables_globals_refs) {
    fixture *fx = fx_new();
    code_t *c;
    /* 0: table_get d t idx (table 1) */
    c = &fx->code[0];
    E(c, table_get, 1, 1, 0);
    E(c, copy, 0, 1);
    E0(c, return);
    def(fx, 0, 1, 1, 1, 1, 2);
    /* 1: table_set t idx val: (idx) sets ref.func 5 */
    c = &fx->code[1];
    E(c, ref_func, 1, 5);
    E(c, table_set, 1, 0, 1);
    E(c, ref_is_null, 0, 1);
    E0(c, return);
    def(fx, 1, 1, 1, 1, 1, 2);
    fx->stack[0].u64 = 2;
    CHECK_EQ_INT(fx_call(fx, 1), WG_TRAP_NONE);
    CHECK_EQ_INT(fx->stack[0].u32, 0);
    CHECK(fx->tables[1].elems[2] == &fx->funcs[5]);
    fx->stack[0].u64 = 4;
    CHECK_EQ_INT(fx_call(fx, 1), WG_TRAP_TABLE_OOB);
    CHECK_STR_CONTAINS(fx->trap.message, "out of bounds table access");
    fx->stack[0].u64 = 2;
    CHECK_EQ_INT(fx_call(fx, 0), WG_TRAP_NONE);
    CHECK(fx->stack[0].ref == &fx->funcs[5]);
    fx->stack[0].u64 = 4;
    CHECK_EQ_INT(fx_call(fx, 0), WG_TRAP_TABLE_OOB);

    /* 2: table_grow d t init n; table_size */
    c = &fx->code[2];
    E(c, ref_func, 2, 3);
    E(c, table_grow, 1, 1, 2, 0);
    E(c, table_size, 0, 1);
    E(c, copy, 2, 0);
    E(c, copy, 0, 1);
    E(c, copy, 1, 2);
    E0(c, return);
    def(fx, 2, 1, 1, 2, 1, 3);
    fx->stack[0].u64 = 2;
    CHECK_EQ_INT(fx_call(fx, 2), WG_TRAP_NONE);
    CHECK_EQ_INT(fx->stack[0].i32, 4);
    CHECK_EQ_INT(fx->stack[1].u32, 6);
    CHECK(fx->tables[1].elems[5] == &fx->funcs[3]);
    fx->stack[0].u64 = 3;               /* past max 8 */
    CHECK_EQ_INT(fx_call(fx, 2), WG_TRAP_NONE);
    CHECK_EQ_INT(fx->stack[0].i32, -1);
    CHECK_EQ_INT(fx->stack[1].u32, 6);

    /* 3: table_fill t i val n (table 0); 4: table_copy 0 <- 1 d s n */
    c = &fx->code[3];
    E(c, ref_func, 3, 4);
    E(c, table_fill, 0, 0, 3, 1);
    E0(c, return);
    def(fx, 3, 0, 2, 0, 2, 4);
    c = &fx->code[4];
    E(c, table_copy, 0, 1, 0, 1, 2);
    E0(c, return);
    def(fx, 4, 0, 3, 0, 3, 3);
#define CALL(i, a, b, n) (fx->stack[0].u64 = (a), fx->stack[1].u64 = (b), fx->stack[2].u64 = (n), fx_call(fx, i))
    CHECK_EQ_INT(CALL(3, 1, 3, 0), WG_TRAP_NONE);
    CHECK(fx->tables[0].elems[0] == NULL && fx->tables[0].elems[1] == &fx->funcs[4] &&
          fx->tables[0].elems[3] == &fx->funcs[4]);
    CHECK_EQ_INT(CALL(3, 2, 3, 0), WG_TRAP_TABLE_OOB);
    CHECK(fx->tables[0].elems[2] == &fx->funcs[4]);
    CHECK_EQ_INT(CALL(3, 4, 0, 0), WG_TRAP_NONE);
    CHECK_EQ_INT(CALL(3, 5, 0, 0), WG_TRAP_TABLE_OOB);
    CHECK_EQ_INT(CALL(4, 0, 4, 2), WG_TRAP_NONE);    /* table1[4..6) -> table0[0..2) */
    CHECK(fx->tables[0].elems[0] == &fx->funcs[3] && fx->tables[0].elems[1] == &fx->funcs[3]);
    CHECK_EQ_INT(CALL(4, 3, 0, 2), WG_TRAP_TABLE_OOB);
    CHECK_EQ_INT(CALL(4, 0, 5, 2), WG_TRAP_TABLE_OOB);
    CHECK_EQ_INT(CALL(4, 4, 6, 0), WG_TRAP_NONE);

    /* 5: table_init seg t d s n into table 0; 6: elem_drop 0 */
    c = &fx->code[5];
    E(c, table_init, 0, 0, 0, 1, 2);
    E0(c, return);
    def(fx, 5, 0, 3, 0, 3, 3);
    c = &fx->code[6];
    E(c, elem_drop, 0);
    E0(c, return);
    def(fx, 6, 2, 0, 0, 0, 0);
    c = &fx->code[7];
    E(c, table_init, 1, 0, 0, 1, 2);
    E0(c, return);
    def(fx, 7, 0, 3, 0, 3, 3);
    CHECK_EQ_INT(CALL(5, 1, 0, 3), WG_TRAP_NONE);
    CHECK(fx->tables[0].elems[1] == &fx->funcs[1] && fx->tables[0].elems[2] == NULL &&
          fx->tables[0].elems[3] == &fx->funcs[2]);
    CHECK_EQ_INT(CALL(5, 2, 0, 3), WG_TRAP_TABLE_OOB);
    CHECK_EQ_INT(CALL(5, 0, 1, 3), WG_TRAP_TABLE_OOB);
    CHECK_EQ_INT(CALL(5, 0, 3, 0), WG_TRAP_NONE);
    CHECK_EQ_INT(CALL(7, 0, 0, 1), WG_TRAP_NONE);    /* global.get item */
    CHECK(fx->tables[0].elems[0] == &fx->funcs[3]);
    CHECK_EQ_INT(fx_call(fx, 6), WG_TRAP_NONE);
    CHECK_EQ_INT(CALL(5, 0, 0, 1), WG_TRAP_TABLE_OOB);
    CHECK_EQ_INT(CALL(5, 0, 0, 0), WG_TRAP_NONE);
#undef CALL

    /* 8: globals: g1 = g0 + x; return g1 */
    c = &fx->code[8];
    E(c, global_get, 1, 0);
    E(c, i32_add, 1, 1, 0);
    E(c, global_set, 1, 1);
    E(c, global_get, 0, 1);
    E0(c, return);
    def(fx, 8, 1, 1, 1, 1, 2);
    fx->globals[0].val.u64 = 40;
    fx->stack[0].u64 = 2;
    CHECK_EQ_INT(fx_call(fx, 8), WG_TRAP_NONE);
    CHECK_EQ_INT(fx->stack[0].u32, 42);
    CHECK_EQ_INT(fx->globals[1].val.u32, 42);
    fx_free(fx);
}

WG_TEST(constexpr_eval) {
    fixture *fx = fx_new();
    wg_cell out;
    wg_constop ops[8];
    wg_constexpr e = {0, ops, 0};
    ops[0] = (wg_constop){0x41, 0xFFFFFFFFull};
    e.nops = 1;
    CHECK(wg__constexpr_eval(&fx->inst, &e, &out) && out.u64 == 0xFFFFFFFFull);
    ops[0] = (wg_constop){0x44, f64b(2.5)};
    CHECK(wg__constexpr_eval(&fx->inst, &e, &out) && out.f64 == 2.5);
    ops[0] = (wg_constop){0xD2, 3};
    CHECK(wg__constexpr_eval(&fx->inst, &e, &out) && out.ref == &fx->funcs[3]);
    ops[0] = (wg_constop){0xD2, NFUNCS};
    CHECK(!wg__constexpr_eval(&fx->inst, &e, &out));
    fx->globals[2].val.u64 = 7;
    ops[0] = (wg_constop){0x23, 2};
    ops[1] = (wg_constop){0x41, 5};
    ops[2] = (wg_constop){0x6C, 0};     /* i32.mul */
    ops[3] = (wg_constop){0x41, 1};
    ops[4] = (wg_constop){0x6B, 0};     /* i32.sub */
    e.nops = 5;
    CHECK(wg__constexpr_eval(&fx->inst, &e, &out) && out.u32 == 34);
    ops[0] = (wg_constop){0x42, 1};
    ops[1] = (wg_constop){0x42, ~0ull};
    ops[2] = (wg_constop){0x7C, 0};
    e.nops = 3;
    CHECK(wg__constexpr_eval(&fx->inst, &e, &out) && out.u64 == 0);
    e.nops = 2;                          /* two values left: malformed */
    CHECK(!wg__constexpr_eval(&fx->inst, &e, &out));
    ops[0] = (wg_constop){0x6A, 0};      /* underflow */
    e.nops = 1;
    CHECK(!wg__constexpr_eval(&fx->inst, &e, &out));
    ops[0] = (wg_constop){0x99, 0};
    CHECK(!wg__constexpr_eval(&fx->inst, &e, &out));
    e.nops = 0;
    CHECK(!wg__constexpr_eval(&fx->inst, &e, &out));
    /* a deep one (heap stack): 40 consts then 39 adds */
    wg_constop big[79];
    for (int i = 0; i < 40; i++) big[i] = (wg_constop){0x41, 1};
    for (int i = 40; i < 79; i++) big[i] = (wg_constop){0x6A, 0};
    wg_constexpr be = {79, big, 0};
    CHECK(wg__constexpr_eval(&fx->inst, &be, &out) && out.u32 == 40);
    fx_free(fx);
}

/* ---- cross-instance calls ---- */

/* Returns 1 if the calling instance (ctx->inst) is the one in data. */
static int host_which_inst(wg_ctx *ctx, uint64_t *slots, void *data) {
    slots[0] = ctx->inst == (wg_instance *)data;
    return 0;
}

WG_TEST(cross_instance_calls_switch_context) {
    fixture *a = fx_new(), *b = fx_new();
    /* b.func 0 (x) -> mem_b[x] + global_b[0]; b's memory and globals differ */
    b->mem.data[8] = 50;
    b->globals[0].val.u64 = 5;
    code_t *c = &b->code[0];
    E(c, i32_load8_u, 1, 0, 0);
    E(c, global_get, 2, 0);
    E(c, i32_add, 0, 1, 2);
    E0(c, return);
    def(b, 0, 1, 1, 1, 1, 3);
    /* a.func 1 imports b.func 0 */
    a->funcp[1] = &b->funcs[0];
    a->mem.data[8] = 1;
    a->globals[0].val.u64 = 100;
    c = &a->code[0];
    E(c, copy, 2, 0);
    E(c, call_import, 1, 2);                /* 55 */
    E(c, i32_load8_u, 3, 0, 0);             /* a's memory again: 1 */
    E(c, global_get, 4, 0);                 /* a's global: 100 */
    E(c, i32_add, 0, 2, 3);
    E(c, i32_add, 0, 0, 4);
    E0(c, return);
    def(a, 0, 1, 1, 1, 1, 5);
    a->stack[0].u64 = 8;
    CHECK_EQ_INT(fx_call(a, 0), WG_TRAP_NONE);
    CHECK_EQ_INT(a->stack[0].u32, 156);
    /* the same through call_indirect, and a trap inside b names b's function */
    a->tables[0].elems[0] = &b->funcs[0];
    c = &a->code[2];
    E(c, copy, 1, 0);
    E(c, const32, 2, 0);
    E(c, call_indirect, 1, 0, 2, 1);
    E(c, global_get, 0, 0);
    E(c, i32_add, 0, 0, 1);
    E0(c, return);
    def(a, 2, 1, 1, 1, 1, 3);
    a->stack[0].u64 = 8;
    CHECK_EQ_INT(fx_call(a, 2), WG_TRAP_NONE);
    CHECK_EQ_INT(a->stack[0].u32, 155);
    a->stack[0].u64 = 70000;                /* out of b's 1-page memory */
    CHECK_EQ_INT(fx_call(a, 2), WG_TRAP_MEMORY_OOB);
    CHECK_EQ_INT(a->trap.nframes, 2);
    CHECK(a->trap.frames[0].module == &b->mod && a->trap.frames[1].module == &a->mod);
    /* a host function called by b's code (running on a's exec) sees b as the caller */
    def_host(b, 3, 1, host_which_inst, &b->inst);
    c = &b->code[4];
    E(c, call_import, 3, 0);
    E0(c, return);
    def(b, 4, 1, 1, 1, 1, 1);
    a->funcp[5] = &b->funcs[4];
    c = &a->code[6];
    E(c, call_import, 5, 0);
    E0(c, return);
    def(a, 6, 1, 1, 1, 1, 1);
    CHECK_EQ_INT(fx_call(a, 6), WG_TRAP_NONE);
    CHECK_EQ_INT(a->stack[0].u64, 1);
    /* b's function 9 call_directs b's function 0 (same instance) and returns
     * to a: each return restores its caller's context */
    c = &b->code[9];
    uint32_t k = E(c, call_direct, 0, 0, 0, 3, 1, 0);
    E(c, i32_add_ri, 0, 0, 2);
    E0(c, return);
    c->w[k + 3] = dir_off(b, 9, k, 0);
    def(b, 9, 1, 1, 1, 1, 3);
    a->funcp[9] = &b->funcs[9];
    c = &a->code[8];
    E(c, copy, 2, 0);
    E(c, call_import, 9, 2);                /* 57 */
    E(c, i32_load8_u, 3, 0, 0);             /* 1 */
    E(c, global_get, 4, 0);                 /* 100 */
    E(c, i32_add, 0, 2, 3);
    E(c, i32_add, 0, 0, 4);
    E0(c, return);
    def(a, 8, 1, 1, 1, 1, 5);
    a->stack[0].u64 = 8;
    CHECK_EQ_INT(fx_call(a, 8), WG_TRAP_NONE);
    CHECK_EQ_INT(a->stack[0].u32, 158);
    fx_free(a);
    fx_free(b);
}

WG_TEST_MAIN()
