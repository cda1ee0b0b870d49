/*
 * Tests of the function-body validator + compiler (compile*.c): the emitted
 * internal code for the key patterns (checked through a disassembler built
 * from ir.h's operand strings), validation failures with the spec's messages,
 * and execution of the trickier compilations through the public API.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wasm/ir.h"
#include "wasm/module.h"
#include "wasmgate/wasmgate.h"
#include "wg_test.h"

/* ---- module builder ------------------------------------------------------ */

enum { B_MEMORY = 1, B_DATACOUNT = 2, B_TABLE = 4, B_GLOBAL_CONST = 8, B_GLOBAL_MUT = 16,
       B_DATA = 32, B_SECOND_FUNC = 64, B_ELEM_DECLARE = 128 };

typedef struct buf { uint8_t b[8192]; size_t n; } buf;

static void put(buf *o, uint8_t x) { if (o->n < sizeof o->b) o->b[o->n++] = x; }
static void put_uleb(buf *o, uint32_t v) {
    do { uint8_t x = v & 0x7F; v >>= 7; put(o, x | (v ? 0x80 : 0)); } while (v);
}
static void put_bytes(buf *o, const uint8_t *p, size_t n) { for (size_t i = 0; i < n; i++) put(o, p[i]); }
static void put_section(buf *o, uint8_t id, const buf *s) {
    put(o, id);
    put_uleb(o, (uint32_t)s->n);
    put_bytes(o, s->b, s->n);
}
static uint8_t vt(char c) {
    switch (c) {
    case 'i': return 0x7F;
    case 'I': return 0x7E;
    case 'f': return 0x7D;
    case 'F': return 0x7C;
    case 'r': return 0x70;
    case 'e': return 0x6F;
    default: return 0x7B; /* 'v': v128 */
    }
}
static void put_types(buf *o, const char *t) {
    put_uleb(o, (uint32_t)strlen(t));
    for (; *t; t++) put(o, vt(*t));
}

/* A module with type 0 = (params) -> (results), type 1 = [] -> [i32 i32],
 * type 2 = [i32] -> [i32],
 * function 0 of type 0 exported as "f" with the given locals and body
 * (final `end` included by the caller), plus optional parts (flags). */
static size_t build(buf *o, const char *params, const char *results, const char *locals,
                    const uint8_t *body, size_t nbody, int flags) {
    buf s;
    o->n = 0;
    static const uint8_t hdr[] = {0, 'a', 's', 'm', 1, 0, 0, 0};
    put_bytes(o, hdr, sizeof hdr);
    s.n = 0; /* types */
    put_uleb(&s, 3);
    put(&s, 0x60); put_types(&s, params); put_types(&s, results);
    put(&s, 0x60); put_types(&s, ""); put_types(&s, "ii");
    put(&s, 0x60); put_types(&s, "i"); put_types(&s, "i");
    put_section(o, 1, &s);
    s.n = 0; /* functions */
    put_uleb(&s, (flags & B_SECOND_FUNC) ? 2 : 1);
    put_uleb(&s, 0);
    if (flags & B_SECOND_FUNC) put_uleb(&s, 0);
    put_section(o, 3, &s);
    if (flags & B_TABLE) {
        s.n = 0;
        put_uleb(&s, 1); put(&s, 0x70); put(&s, 0); put_uleb(&s, 4);
        put_section(o, 4, &s);
    }
    if (flags & B_MEMORY) {
        s.n = 0;
        put_uleb(&s, 1); put(&s, 0); put_uleb(&s, 1);
        put_section(o, 5, &s);
    }
    if (flags & (B_GLOBAL_CONST | B_GLOBAL_MUT)) {
        s.n = 0;
        put_uleb(&s, 1); put(&s, 0x7F); put(&s, (flags & B_GLOBAL_MUT) ? 1 : 0);
        put(&s, 0x41); put(&s, 0); put(&s, 0x0B);
        put_section(o, 6, &s);
    }
    s.n = 0; /* export "f" */
    put_uleb(&s, 1); put_uleb(&s, 1); put(&s, 'f'); put(&s, 0); put_uleb(&s, 0);
    put_section(o, 7, &s);
    if (flags & B_ELEM_DECLARE) { /* declarative segment: (elem declare func 0) */
        s.n = 0;
        put_uleb(&s, 1); put(&s, 3); put(&s, 0); put_uleb(&s, 1); put_uleb(&s, 0);
        put_section(o, 9, &s);
    }
    if (flags & B_DATACOUNT) {
        s.n = 0;
        put_uleb(&s, 1);
        put_section(o, 12, &s);
    }
    s.n = 0; /* code */
    buf f;
    f.n = 0;
    size_t nl = strlen(locals);
    put_uleb(&f, (uint32_t)nl);
    for (size_t i = 0; i < nl; i++) { put_uleb(&f, 1); put(&f, vt(locals[i])); }
    put_bytes(&f, body, nbody);
    put_uleb(&s, (flags & B_SECOND_FUNC) ? 2 : 1);
    put_uleb(&s, (uint32_t)f.n);
    put_bytes(&s, f.b, f.n);
    if (flags & B_SECOND_FUNC) { put_uleb(&s, 2); put(&s, 0); put(&s, 0x0B); }
    put_section(o, 10, &s);
    if (flags & B_DATA) { /* one passive segment "x" */
        s.n = 0;
        put_uleb(&s, 1); put(&s, 1); put_uleb(&s, 1); put(&s, 'x');
        put_section(o, 11, &s);
    }
    return o->n;
}

/* ---- disassembler -------------------------------------------------------- */

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

static int op_of_word(uint32_t w) {
    const int32_t *h = wg__ir_handlers();
    for (int op = 0; op < WG_OP_COUNT_; op++)
        if ((uint32_t)h[op] == w) return op;
    return -1;
}

static void app(char *out, size_t cap, const char *fmt, ...) {
    size_t n = strlen(out);
    if (n >= cap) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out + n, cap - n, fmt, ap);
    va_end(ap);
}

/* Writes "op a b c; op ..." for function `bi`'s code; offsets are printed signed. */
static void disasm(const wg_module *m, uint32_t bi, char *out, size_t cap) {
    out[0] = 0;
    const wg_code_func *cf = &m->code_funcs[bi];
    const uint32_t *c = cf->code;
    uint32_t i = 0;
    while (i < cf->code_len) {
        int op = op_of_word(c[i]);
        if (op < 0) { app(out, cap, "?%u", c[i]); return; }
        app(out, cap, "%s%s", i ? "; " : "", op_names[op]);
        uint32_t at = i++;
        const char *s = op_operands[op];
        uint32_t ntable = 0;
        for (; *s; s++) {
            if (*s == ' ') continue;
            if (s[1] == '.') { /* "O...": br_table offsets */
                for (uint32_t k = 0; k <= ntable && i < cf->code_len; k++) app(out, cap, " %d", (int32_t)c[i++]);
                s += 3;
                continue;
            }
            if (*s == 'L') {
                uint64_t v = c[i] | (uint64_t)c[i + 1] << 32;
                app(out, cap, " %llu", (unsigned long long)v);
                i += 2;
            } else if (*s == 'O') {
                app(out, cap, " %d", (int32_t)c[i++]);
            } else {
                if (op == WG_OP_br_table && *s == 'I') ntable = c[i];
                app(out, cap, " %u", c[i++]);
            }
        }
        (void)at;
    }
}

/* Compiles a one-function module and disassembles function 0. Returns the
 * module (caller frees) or NULL with err filled. */
static wg_module *compile_one(const char *params, const char *results, const char *locals,
                              const uint8_t *body, size_t n, int flags, char *dis, size_t cap,
                              wg_error *err) {
    buf o;
    build(&o, params, results, locals, body, n, flags);
    wg_module *m = wg_module_new(o.b, o.n, err);
    if (m && dis) disasm(m, 0, dis, cap);
    return m;
}

#define DIS_EQ(params, results, locals, flags, expect, ...)                                  \
    do {                                                                                     \
        static const uint8_t body_[] = {__VA_ARGS__};                                        \
        char dis_[2048];                                                                     \
        wg_error err_;                                                                       \
        wg_module *m_ = compile_one(params, results, locals, body_, sizeof body_, flags, dis_, \
                                    sizeof dis_, &err_);                                     \
        CHECK(m_ != NULL);                                                                   \
        if (!m_) { fprintf(stderr, "  error: %s\n", err_.message); break; }                 \
        if (strcmp(dis_, expect) != 0) {                                                     \
            fprintf(stderr, "  got:    %s\n  expect: %s\n", dis_, expect);                  \
            CHECK(!"disassembly differs");                                                   \
        }                                                                                    \
        wg_module_free(m_);                                                                  \
    } while (0)

#define REJECT(params, results, locals, flags, ekind, msg, ...)                              \
    do {                                                                                     \
        static const uint8_t body_[] = {__VA_ARGS__};                                        \
        wg_error err_;                                                                       \
        wg_module *m_ = compile_one(params, results, locals, body_, sizeof body_, flags, NULL, 0, \
                                    &err_);                                                  \
        CHECK(m_ == NULL);                                                                   \
        if (m_) { wg_module_free(m_); break; }                                               \
        CHECK_EQ_INT(err_.kind, ekind);                                                      \
        CHECK(strncmp(err_.message, msg, strlen(msg)) == 0);                                 \
        if (strncmp(err_.message, msg, strlen(msg)) != 0)                                    \
            fprintf(stderr, "  message: %s\n  expected prefix: %s\n", err_.message, msg);   \
    } while (0)

static bool run_i32(const char *params, const char *results, const char *locals, int flags,
                    const uint8_t *body, size_t n, const int32_t *args, uint32_t nargs,
                    int32_t *out, uint32_t nout);

/* ---- emitted code -------------------------------------------------------- */

WG_TEST(local_get_and_const_fold_into_ri) {
    /* (param i32) (result i32): local.get 0; i32.const 5; i32.add */
    DIS_EQ("i", "i", "", 0, "i32_add_ri 0 0 5; return", 0x20, 0, 0x41, 5, 0x6A, 0x0B);
    /* constant on the left of a commutative op / comparison is swapped */
    DIS_EQ("i", "i", "", 0, "i32_mul_ri 0 0 3; return", 0x41, 3, 0x20, 0, 0x6C, 0x0B);
    DIS_EQ("i", "i", "", 0, "i32_gt_s_ri 0 0 7; return", 0x41, 7, 0x20, 0, 0x48, 0x0B);
    /* non-commutative with constant left: the constant is materialized */
    DIS_EQ("i", "i", "", 0, "const32 1 7; i32_sub 0 1 0; return", 0x41, 7, 0x20, 0, 0x6B, 0x0B);
    /* i64: only immediates that fit in 32 signed bits fold */
    DIS_EQ("I", "I", "", 0, "i64_add_ri 0 0 4294967295; return", 0x20, 0, 0x42, 0x7F, 0x7C, 0x0B);
    DIS_EQ("I", "I", "", 0, "const64 2 4294967296; i64_add 0 0 2; return",
           0x20, 0, 0x42, 0x80, 0x80, 0x80, 0x80, 0x10, 0x7C, 0x0B);
    /* division has no _ri form */
    DIS_EQ("i", "i", "", 0, "const32 2 3; i32_div_s 0 0 2; return", 0x20, 0, 0x41, 3, 0x6D, 0x0B);
}

WG_TEST(local_set_retargets_last_instruction) {
    /* (param i32 i32): local.get 0; local.get 1; i32.add; local.set 1 */
    DIS_EQ("ii", "", "", 0, "i32_add 1 0 1; return", 0x20, 0, 0x20, 1, 0x6A, 0x21, 1, 0x0B);
    /* local.tee then use: the add writes local 1 directly, the result reads it */
    DIS_EQ("ii", "i", "", 0, "i32_add 1 0 1; i32_mul 0 1 1; return",
           0x20, 0, 0x20, 1, 0x6A, 0x22, 1, 0x20, 1, 0x6C, 0x0B);
    /* constants and locals are copied directly */
    DIS_EQ("ii", "", "", 0, "const32 1 9; copy 0 1; return", 0x41, 9, 0x21, 1, 0x20, 1, 0x21, 0, 0x0B);
    /* an older local.get of the same local is saved before the set; the save
     * goes before the producing instruction, which still writes the local */
    DIS_EQ("ii", "i", "", 0, "copy 2 1; i32_add 1 0 0; i32_add_ri 0 2 1; return",
           0x20, 1,                    /* [l1] */
           0x20, 0, 0x20, 0, 0x6A,     /* [l1, l0+l0] */
           0x21, 1,                    /* l1 = l0+l0 ; the deferred l1 below is saved */
           0x41, 1, 0x6A, 0x0B);       /* old l1 + 1 */
}

WG_TEST(compare_branch_fusion) {
    /* (param i32) (local i32): loop: l1 += 1; br_if (l1 < l0) */
    DIS_EQ("i", "", "i", 0, "i32_add_ri 1 1 1; br_i32_lt_s 1 0 -4; return",
           0x03, 0x40, 0x20, 1, 0x41, 1, 0x6A, 0x21, 1,
           0x20, 1, 0x20, 0, 0x48, 0x0D, 0, 0x0B, 0x0B);
    /* ri compare + br_if */
    DIS_EQ("i", "", "", 0, "br_i32_ne_ri 0 3 4; return",
           0x02, 0x40, 0x20, 0, 0x41, 3, 0x47, 0x0D, 0, 0x0B, 0x0B);
    /* if uses the negated comparison to jump to the else/end */
    DIS_EQ("i", "i", "", 0, "br_i32_ge_s_ri 0 10 9; const32 1 1; br 5; const32 1 2; copy 0 1; return",
           0x20, 0, 0x41, 10, 0x48, 0x04, 0x7F, 0x41, 1, 0x05, 0x41, 2, 0x0B, 0x0B);
    /* eqz + br_if -> br_unless; eqz + if -> br_if; i64.eqz + br_if -> br_if_i64_eqz */
    DIS_EQ("i", "", "", 0, "br_unless 0 3; return", 0x02, 0x40, 0x20, 0, 0x45, 0x0D, 0, 0x0B, 0x0B);
    DIS_EQ("i", "", "", 0, "br_if 0 4; unreachable; return",
           0x20, 0, 0x45, 0x04, 0x40, 0x00, 0x0B, 0x0B);
    DIS_EQ("I", "", "", 0, "br_if_i64_eqz 0 3; return", 0x02, 0x40, 0x20, 0, 0x50, 0x0D, 0, 0x0B, 0x0B);
    /* a loop whose first instruction is the back-edge gets a no-op so the offset is negative */
    DIS_EQ("i", "", "", 0, "br 2; br_if 0 -2; return", 0x03, 0x40, 0x20, 0, 0x0D, 0, 0x0B, 0x0B);
}

WG_TEST(branches_with_values) {
    /* (result i32): block (result i32): i32.const 1; i32.const 2; br 0; end */
    DIS_EQ("", "i", "", 0, "const32 0 2; br 2; return",
           0x02, 0x7F, 0x41, 1, 0x41, 2, 0x0C, 0, 0x0B, 0x0B);
    /* br_if with a value that must move: skip branch, copy, br */
    DIS_EQ("i", "i", "", 0,
           "br_unless 0 8; const32 1 7; br 5; const32 1 8; copy 0 1; return",
           0x02, 0x7F, 0x41, 7, 0x20, 0, 0x0D, 0, 0x1A, 0x41, 8, 0x0B, 0x0B);
    /* br_if whose value is already in place: a single br_if */
    DIS_EQ("i", "i", "", 0, "i32_add_ri 1 0 1; br_if 0 3; copy 0 1; return",
           0x02, 0x7F, 0x20, 0, 0x41, 1, 0x6A, 0x20, 0, 0x0D, 0, 0x0B, 0x0B);
    /* br to the function label is a return; br_if to it returns conditionally */
    DIS_EQ("i", "i", "", 0, "br_unless 0 7; const32 0 4; return; const32 0 5; return",
           0x41, 4, 0x20, 0, 0x0D, 0, 0x1A, 0x41, 5, 0x0B);
}

WG_TEST(br_table_stubs) {
    /* (param i32) (result i32): block (result i32) block (result i32)
     *   i32.const 5; local.get 0; br_table 0 1 0  end  i32.const 1; i32.add  end */
    DIS_EQ("i", "i", "", 0,
           "br_table 0 2 6 11 6; const32 1 5; br 7; const32 1 5; br 6; "
           "i32_add_ri 1 1 1; copy 0 1; return",
           0x02, 0x7F, 0x02, 0x7F, 0x41, 5, 0x20, 0, 0x0E, 2, 0, 1, 0, 0x0B,
           0x41, 1, 0x6A, 0x0B, 0x0B);
    /* values already canonical: offsets go straight to the labels */
    DIS_EQ("i", "i", "", 0, "i32_add_ri 1 0 1; br_table 0 1 5 5; copy 0 1; return",
           0x02, 0x7F, 0x20, 0, 0x41, 1, 0x6A, 0x20, 0, 0x0E, 1, 0, 0, 0x0B, 0x0B);
    /* a br_table to the function label returns from a stub */
    DIS_EQ("i", "", "", 0, "br_table 0 0 4; return; return", 0x20, 0, 0x0E, 0, 0, 0x0B);
}

WG_TEST(multi_value_blocks_and_returns) {
    /* (param i32) (result i32 i32): block (type 1) i32.const 1; i32.const 2 end */
    DIS_EQ("i", "ii", "", 0, "const32 1 1; const32 2 2; copy_n 0 1 2; return",
           0x02, 0x01, 0x41, 1, 0x41, 2, 0x0B, 0x0B);
    /* local.get 0; block (type 2 = [i32] -> [i32]) i32.const 3; i32.add end:
     * the param is spilled at entry, the result is written straight to slot 0 */
    DIS_EQ("i", "i", "", 0, "copy 1 0; i32_add_ri 0 1 3; return",
           0x20, 0, 0x02, 0x02, 0x41, 3, 0x6A, 0x0B, 0x0B);
    /* returning two locals in swapped order must not clobber one with the other */
    DIS_EQ("ii", "ii", "", 0, "copy2 3 0 0 1; copy 1 3; return", 0x20, 1, 0x20, 0, 0x0B);
    /* loop with a param: the back-edge moves the new value into the loop's slot */
    DIS_EQ("i", "i", "", 0,
           "copy 1 0; i32_add_ri 0 1 4294967295; br_unless 0 8; copy 1 0; br -10; copy2 1 0 0 1; return",
           0x20, 0, 0x03, 0x02, 0x41, 0x7F, 0x6A, 0x22, 0, 0x20, 0, 0x0D, 0, 0x0B, 0x0B);
}

WG_TEST(constant_pool_and_constant_addresses) {
    /* (param i32): loop { l0 = l0 / 7; br_if l0 } : the divisor gets a pool slot
     * (slot 1, written once at entry) instead of a const32 per iteration */
    DIS_EQ("i", "", "", 0, "const32 1 7; i32_div_s 0 0 1; br_if 0 -4; return",
           0x03, 0x40, 0x20, 0, 0x41, 7, 0x6D, 0x21, 0, 0x20, 0, 0x0D, 0, 0x0B, 0x0B);
    /* a constant address moves into the offset: address slot holds 0, offset 100 + 4 */
    DIS_EQ("", "", "", B_MEMORY, "const32 0 0; const32 1 5; i32_store 0 1 104; return",
           0x41, 0xE4, 0x00, 0x41, 5, 0x36, 2, 4, 0x0B);
    /* i32.wrap_i64 emits nothing: i32 readers use the low 32 bits of the cell */
    DIS_EQ("I", "i", "", 0, "i32_add_ri 0 0 1; return", 0x20, 0, 0xA7, 0x41, 1, 0x6A, 0x0B);
    /* reinterpret also only retypes; the result register is written directly */
    DIS_EQ("f", "i", "", 0, "f32_neg 0 0; return", 0x20, 0, 0x8C, 0xBC, 0x0B);
}

WG_TEST(fused_address_loads) {
    /* (param i32) (result i64): local.get 0; i32.const 8; i32.add; i64.load offset=4 */
    DIS_EQ("i", "I", "", B_MEMORY, "i64_load_ri 0 0 8 4; return",
           0x20, 0, 0x41, 8, 0x6A, 0x29, 3, 4, 0x0B);
    /* i32.sub of a constant becomes an add of its negation */
    DIS_EQ("i", "i", "", B_MEMORY, "i32_load8_u_ri 0 0 4294967294 0; return",
           0x20, 0, 0x41, 2, 0x6B, 0x2D, 0, 0, 0x0B);
    /* the load result can still be retargeted into a local */
    DIS_EQ("i", "", "F", B_MEMORY, "f64_load_ri 1 0 16 0; return",
           0x20, 0, 0x41, 16, 0x6A, 0x2B, 3, 0, 0x21, 1, 0x0B);
    /* not fused: the sum also went to a local (local.tee), or is not the last instruction */
    DIS_EQ("i", "i", "i", B_MEMORY, "i32_add_ri 1 0 8; i32_load 0 1 0; return",
           0x20, 0, 0x41, 8, 0x6A, 0x22, 1, 0x28, 2, 0, 0x0B);
    DIS_EQ("i", "i", "", B_MEMORY, "i32_add 1 0 0; i32_load 0 1 0; return",
           0x20, 0, 0x20, 0, 0x6A, 0x28, 2, 0, 0x0B);
    /* executes with the 32-bit wrap of the add: (-8 + 8) + 0 reads address 0 */
    static const uint8_t body[] = {0x20, 0, 0x41, 8, 0x6A, 0x28, 2, 0, 0x0B};
    const int32_t arg = -8;
    int32_t out = 1;
    CHECK(run_i32("i", "i", "", B_MEMORY, body, sizeof body, &arg, 1, &out, 1));
    CHECK_EQ_INT(out, 0);
}

WG_TEST(constant_pool_frame_layout) {
    static const uint8_t body[] = {0x03, 0x40, 0x20, 0, 0x41, 7, 0x6D, 0x21, 0, 0x20, 0, 0x0D, 0, 0x0B, 0x0B};
    wg_error err;
    wg_module *m = compile_one("i", "", "", body, sizeof body, 0, NULL, 0, &err);
    CHECK(m != NULL);
    if (!m) return;
    CHECK_EQ_INT(m->code_funcs[0].nlocals, 1);      /* the pool is not zeroed: not a local */
    CHECK(m->code_funcs[0].frame_size >= 1 + 1 + 2); /* locals + pool + stack */
    wg_module_free(m);
    int32_t out;
    const int32_t arg = 1000;
    CHECK(run_i32("i", "", "", 0, body, sizeof body, &arg, 1, &out, 0));
}

/* ---- validation failures ----------------------------------------------- */

WG_TEST(rejects_type_errors) {
    REJECT("", "i", "", 0, WG_ERR_INVALID, "type mismatch", 0x42, 0, 0x0B);
    REJECT("", "", "", 0, WG_ERR_INVALID, "type mismatch",
           0x43, 0, 0, 0, 0, 0x41, 0, 0x6A, 0x1A, 0x0B);
    REJECT("", "", "", 0, WG_ERR_INVALID, "type mismatch", 0x6A, 0x1A, 0x0B);
    REJECT("", "", "", 0, WG_ERR_INVALID, "type mismatch", 0x41, 0, 0x0B);  /* value left over */
    /* if without else must have matching param and result types */
    REJECT("", "i", "", 0, WG_ERR_INVALID, "type mismatch",
           0x41, 1, 0x04, 0x7F, 0x41, 1, 0x0B, 0x0B);
    /* br_table labels of different arity */
    REJECT("", "", "", 0, WG_ERR_INVALID, "type mismatch",
           0x02, 0x40, 0x02, 0x7F, 0x41, 0, 0x41, 0, 0x0E, 1, 0, 1, 0x0B, 0x0B, 0x0B);
    /* polymorphic stack: any operand after unreachable, but types still checked */
    DIS_EQ("", "", "", 0, "unreachable; return", 0x00, 0x6A, 0x1A, 0x0B);
    REJECT("", "", "", 0, WG_ERR_INVALID, "type mismatch", 0x00, 0x42, 0, 0x6A, 0x1A, 0x0B);
    /* br_if retypes its values to the label's types */
    REJECT("", "", "", 0, WG_ERR_INVALID, "type mismatch",
           0x02, 0x7F, 0x00, 0x0D, 0, 0x8C /* f32.neg */, 0x1A, 0x41, 0, 0x0B, 0x1A, 0x0B);
    /* untyped select on references; typed select with two types */
    REJECT("", "", "", 0, WG_ERR_INVALID, "type mismatch",
           0xD0, 0x70, 0xD0, 0x70, 0x41, 0, 0x1B, 0x1A, 0x0B);
    REJECT("", "", "", 0, WG_ERR_INVALID, "invalid result arity",
           0x41, 0, 0x41, 0, 0x41, 0, 0x1C, 2, 0x7F, 0x7F, 0x1A, 0x0B);
}

WG_TEST(rejects_bad_indices) {
    REJECT("", "", "", 0, WG_ERR_INVALID, "unknown local 5", 0x20, 5, 0x1A, 0x0B);
    REJECT("", "", "", 0, WG_ERR_INVALID, "unknown label", 0x0C, 1, 0x0B);
    REJECT("", "", "", 0, WG_ERR_INVALID, "unknown function 9", 0x10, 9, 0x0B);
    REJECT("", "", "", 0, WG_ERR_INVALID, "unknown global 0", 0x23, 0, 0x1A, 0x0B);
    REJECT("", "", "", B_GLOBAL_CONST, WG_ERR_INVALID, "global is immutable", 0x41, 0, 0x24, 0, 0x0B);
    REJECT("", "", "", 0, WG_ERR_INVALID, "unknown memory", 0x3F, 0, 0x1A, 0x0B);
    REJECT("", "", "", 0, WG_ERR_INVALID, "unknown table", 0x41, 0, 0x11, 0, 0, 0x0B);
    REJECT("", "", "", 0, WG_ERR_INVALID, "unknown type", 0x02, 0x09, 0x0B, 0x0B);
    REJECT("", "", "", 0, WG_ERR_INVALID, "unknown elem segment 0", 0xFC, 13, 0, 0x0B);
    REJECT("", "", "", B_MEMORY | B_DATA | B_DATACOUNT, WG_ERR_INVALID, "unknown data segment 1",
           0xFC, 9, 1, 0x0B);
    REJECT("", "", "", B_MEMORY | B_DATA, WG_ERR_MALFORMED, "data count section required",
           0xFC, 9, 0, 0x0B);
    /* function 0 is exported, which declares it; function 1 is not */
    REJECT("", "", "", B_SECOND_FUNC, WG_ERR_INVALID, "undeclared function reference",
           0xD2, 1, 0x1A, 0x0B);
    DIS_EQ("", "", "", B_ELEM_DECLARE, "ref_func 0 0; return", 0xD2, 0, 0x1A, 0x0B);
}

WG_TEST(rejects_memory_and_encoding_errors) {
    REJECT("", "", "", B_MEMORY, WG_ERR_INVALID, "alignment must not be larger than natural",
           0x41, 0, 0x28, 3, 0, 0x1A, 0x0B);
    REJECT("", "", "", B_MEMORY, WG_ERR_MALFORMED, "malformed memop flags",
           0x41, 0, 0x28, 0x20, 0, 0x1A, 0x0B);
    REJECT("", "", "", B_MEMORY, WG_ERR_MALFORMED, "zero byte expected", 0x3F, 1, 0x1A, 0x0B);
    REJECT("", "", "", B_MEMORY, WG_ERR_MALFORMED, "zero byte expected",
           0x41, 0, 0x40, 0x80, 0x00, 0x1A, 0x0B);
    REJECT("", "", "", 0, WG_ERR_INVALID, "SIMD not yet implemented", 0xFD, 0x0F, 0x0B);
    REJECT("", "", "v", 0, WG_ERR_INVALID, "SIMD not yet implemented", 0x0B);
    REJECT("", "", "", 0, WG_ERR_MALFORMED, "illegal opcode", 0xFF, 0x0B);
    REJECT("", "", "", 0, WG_ERR_MALFORMED, "illegal opcode", 0xFC, 18, 0x0B);
    REJECT("", "", "", 0, WG_ERR_MALFORMED, "unexpected end", 0x41, 0, 0x1A);
    REJECT("", "", "", 0, WG_ERR_MALFORMED, "unexpected end", 0x41);
    REJECT("", "", "", 0, WG_ERR_MALFORMED, "section size mismatch", 0x0B, 0x01);
    REJECT("", "", "", 0, WG_ERR_MALFORMED, "END opcode expected", 0x05, 0x0B);
    REJECT("", "", "", 0, WG_ERR_MALFORMED, "malformed reference type", 0xD0, 0x7F, 0x1A, 0x0B);
}

WG_TEST(error_message_has_context) {
    static const uint8_t body[] = {0x43, 0, 0, 0, 0, 0x41, 0, 0x6A, 0x1A, 0x0B};
    wg_error err;
    CHECK(compile_one("", "", "", body, sizeof body, 0, NULL, 0, &err) == NULL);
    CHECK_STR_CONTAINS(err.message, "type mismatch (func 0, offset 0x");
    CHECK_STR_CONTAINS(err.message, "i32.add: expected i32, got f32");
    CHECK(err.offset != (size_t)-1);
}

/* ---- execution of the trickier compilations ----------------------------- */

static bool run_i32(const char *params, const char *results, const char *locals, int flags,
                    const uint8_t *body, size_t n, const int32_t *args, uint32_t nargs,
                    int32_t *out, uint32_t nout) {
    wg_error err;
    wg_module *m = compile_one(params, results, locals, body, n, flags, NULL, 0, &err);
    if (!m) {
        fprintf(stderr, "  compile: %s\n", err.message);
        return false;
    }
    wg_instance *inst = wg_instance_new(m, NULL, NULL, &err, NULL);
    bool ok = inst != NULL;
    if (inst) {
        wg_val a[8], r[8];
        for (uint32_t i = 0; i < nargs; i++) a[i] = (wg_val){.type = WG_I32, .of.i32 = args[i]};
        wg_trap trap;
        memset(&trap, 0, sizeof trap);
        ok = wg_instance_call(inst, "f", a, nargs, r, nout, &trap);
        for (uint32_t i = 0; ok && i < nout; i++) out[i] = r[i].of.i32;
        wg_instance_free(inst);
    }
    wg_module_free(m);
    return ok;
}

#define RUN(params, results, locals, args, expect, ...)                                     \
    do {                                                                                    \
        static const uint8_t body_[] = {__VA_ARGS__};                                       \
        const int32_t args_[] = {0, args}, expect_[] = {expect};                            \
        int32_t out_[8] = {0};                                                              \
        uint32_t nexp_ = sizeof expect_ / sizeof expect_[0];                                \
        CHECK(run_i32(params, results, locals, 0, body_, sizeof body_, args_ + 1,           \
                      sizeof args_ / sizeof args_[0] - 1, out_, nexp_));                    \
        for (uint32_t i_ = 0; i_ < nexp_; i_++) CHECK_EQ_INT(out_[i_], expect_[i_]);        \
    } while (0)
#define A(...) __VA_ARGS__

WG_TEST(executes_compiled_patterns) {
    /* swapped multi-value return of two params */
    RUN("ii", "ii", "", A(3, 4), A(4, 3), 0x20, 1, 0x20, 0, 0x0B);
    /* local.set of a computed value while an older local.get of it is on the
     * stack (the save is hoisted above the producer, which reads the local) */
    RUN("ii", "i", "", A(3, 4), A(27), 0x20, 1, 0x20, 1, 0x20, 0, 0x6A, 0x21, 1, 0x20, 1, 0x6B,
        0x41, 30, 0x6A, 0x0B);
    /* local.set while an older local.get of it is on the stack */
    RUN("i", "i", "", A(5), A(15), 0x20, 0, 0x41, 10, 0x21, 0, 0x20, 0, 0x6A, 0x0B);
    /* deferred local below a block whose one path changes the local */
    RUN("ii", "i", "", A(7, 1), A(7), 0x20, 0, 0x02, 0x40, 0x20, 1, 0x0D, 0, 0x41, 0xE3, 0x00,
        0x21, 0, 0x0B, 0x0B);
    RUN("ii", "i", "", A(7, 0), A(7), 0x20, 0, 0x02, 0x40, 0x20, 1, 0x0D, 0, 0x41, 0xE3, 0x00,
        0x21, 0, 0x0B, 0x0B);
    /* br_table with stubs */
    for (int32_t k = 0; k < 4; k++) {
        static const uint8_t body[] = {0x02, 0x7F, 0x02, 0x7F, 0x41, 5, 0x20, 0, 0x0E, 2, 0, 1, 0,
                                       0x0B, 0x41, 1, 0x6A, 0x0B, 0x0B};
        int32_t out = 0;
        CHECK(run_i32("i", "i", "", 0, body, sizeof body, &k, 1, &out, 1));
        CHECK_EQ_INT(out, k == 1 ? 5 : 6);
    }
    /* fused compare in if/else */
    RUN("i", "i", "", A(3), A(1), 0x20, 0, 0x41, 10, 0x48, 0x04, 0x7F, 0x41, 1, 0x05, 0x41, 2,
        0x0B, 0x0B);
    RUN("i", "i", "", A(20), A(2), 0x20, 0, 0x41, 10, 0x48, 0x04, 0x7F, 0x41, 1, 0x05, 0x41, 2,
        0x0B, 0x0B);
    /* loop with a param counting down to zero */
    RUN("i", "i", "", A(5), A(0), 0x20, 0, 0x03, 0x02, 0x41, 0x7F, 0x6A, 0x22, 0, 0x20, 0, 0x0D,
        0, 0x0B, 0x0B);
    /* sum 1..n: loop { i += 1; s += i; br_if (i < n) } */
    RUN("i", "i", "ii", A(10), A(55), 0x03, 0x40, 0x20, 1, 0x41, 1, 0x6A, 0x21, 1, 0x20, 2, 0x20,
        1, 0x6A, 0x21, 2, 0x20, 1, 0x20, 0, 0x48, 0x0D, 0, 0x0B, 0x20, 2, 0x0B);
    /* multi-value block result returned through a param-shifted frame */
    RUN("i", "ii", "", A(9), A(1, 2), 0x02, 0x01, 0x41, 1, 0x41, 2, 0x0B, 0x0B);
    /* br_if to the function label with a value, then fallthrough value */
    RUN("i", "i", "", A(1), A(4), 0x41, 4, 0x20, 0, 0x0D, 0, 0x1A, 0x41, 5, 0x0B);
    RUN("i", "i", "", A(0), A(5), 0x41, 4, 0x20, 0, 0x0D, 0, 0x1A, 0x41, 5, 0x0B);
}

WG_TEST(calls_are_direct_and_patched) {
    /* () -> () with locals i i: call 1 (forward, compiled later); call 0 (itself).
     * call_direct f base off frame z n: off is relative to the call's handler
     * word; function 1 (empty, 0 locals) starts right after function 0 */
    DIS_EQ("", "", "ii", B_SECOND_FUNC,
           "call_direct 1 2 15 0 0 0; call_direct 0 2 4294967289 2 0 2; return",
           0x10, 1, 0x10, 0, 0x0B);
    /* recursion through call_direct: fib with a declared local that each
     * activation dirties after its calls, so a missed zeroing shows:
     * (param i32) (result i32) (local i32)
     *   if (n < 2) n else f(n-1) + f(n-2) + l1 end; l1 = 1000 */
    RUN("i", "i", "i", A(10), A(55), 0x20, 0, 0x41, 2, 0x49, 0x04, 0x7F, 0x20, 0, 0x05,
        0x20, 0, 0x41, 1, 0x6B, 0x10, 0, 0x20, 0, 0x41, 2, 0x6B, 0x10, 0, 0x6A,
        0x20, 1, 0x6A, 0x41, 0xE8, 0x07, 0x21, 1, 0x0B, 0x0B);
}

WG_TEST(adjacent_copies_fuse_into_copy2) {
    /* (param i32 i32 i32) (result i32 i32 i32): return l2 l0 l1 */
    DIS_EQ("iii", "iii", "", 0, "copy2 4 0 5 1; copy 0 2; copy_n 1 4 2; return",
           0x20, 2, 0x20, 0, 0x20, 1, 0x0B);
    RUN("iii", "iii", "", A(1, 2, 3), A(3, 1, 2), 0x20, 2, 0x20, 0, 0x20, 1, 0x0B);
    /* a loop label between two copies keeps them apart: the second one is a
     * branch target. (param i32) (local i32): l1 = l0; loop l0 = l1 ... */
    DIS_EQ("i", "", "i", 0, "copy 1 0; copy 0 1; br_if 0 -3; return",
           0x20, 0, 0x21, 1, 0x03, 0x40, 0x20, 1, 0x21, 0, 0x20, 0, 0x0D, 0, 0x0B, 0x0B);
}

WG_TEST(frame_size_covers_locals_and_stack) {
    static const uint8_t body[] = {0x41, 1, 0x41, 2, 0x41, 3, 0x6A, 0x6A, 0x1A, 0x0B};
    wg_error err;
    wg_module *m = compile_one("i", "", "II", body, sizeof body, 0, NULL, 0, &err);
    CHECK(m != NULL);
    if (!m) return;
    CHECK_EQ_INT(m->code_funcs[0].nparams, 1);
    CHECK_EQ_INT(m->code_funcs[0].nlocals, 3);
    CHECK(m->code_funcs[0].frame_size >= 3 + 3);
    CHECK(m->code_funcs[0].code == m->code);
    wg_module_free(m);
}

WG_TEST_MAIN()
