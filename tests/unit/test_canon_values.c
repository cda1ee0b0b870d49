/*
 * Lifting, lowering, loading and storing values (canon_flat.c,
 * canon_load.c, canon_store.c, canon_check.c): the flat and in-memory cases
 * of the reference's run_tests.py (integers wrapped and sign-extended, bool
 * normalisation, NaN canonicalisation, char validation, unknown flag bits
 * ignored, variant payload coercions, memory layouts with padding),
 * round trips of every type through lower->lift and store->load in every
 * string encoding and both pointer widths, parameter/result spilling past
 * 16 / 1 flat values, and the traps and bad-value errors.
 */
#include <math.h>

#include "canon_test_util.h"

/* A context on memory m with an instance whose resource slot 0 is rt (and
 * slot 1 rt2), in a call scope. */
typedef struct env {
    ct_arena arena;
    ct_mem mem;
    wg_canon_inst inst;
    wg_canon_opts opts;
    wg_canon_call call;
    wg_canon_cx cx;
    wg_trap trap;
    wg_rtype rt, rt2;
    const wg_rtype *rtypes[2];
} env;

static void env_init(env *e, uint64_t memsize, wg_canon_enc enc, bool mem64) {
    memset(e, 0, sizeof *e);
    ct_mem_init(&e->mem, memsize);
    e->rt = wg__rtype_make("R", NULL, (wg_canon_core){0});
    e->rt2 = wg__rtype_make("R2", NULL, (wg_canon_core){0});
    e->rtypes[0] = &e->rt;
    e->rtypes[1] = &e->rt2;
    wg__canon_inst_init(&e->inst, NULL, e->rtypes, 2);
    e->opts = ct_opts(&e->mem, enc, mem64);
    wg__canon_call_init(&e->call);
    wg__canon_cx_init(&e->cx, &e->opts, &e->inst, &e->call, &e->trap);
}

static void env_fini(env *e) {
    wg__canon_call_fini(&e->call);
    wg__canon_inst_fini(&e->inst);
    ct_mem_free(&e->mem);
    ct_arena_free(&e->arena);
}

/* Lifts one value of type ts from the given flat values. */
static bool lift1(env *e, const char *ts, const uint64_t *flat, uint32_t n, wg_cval *out) {
    wg_cfield f = {"v", ct_parse(&e->arena, ts)};
    uint32_t used = 0;
    e->cx.bad_value = false;
    bool ok = wg__canon_lift_values(&e->cx, 16, &f, 1, flat, n, out, &used);
    if (ok) CHECK_EQ_INT(used, n);
    return ok;
}

#define LIFT(e, ts, out, ...)                                                  \
    lift1((e), (ts), (const uint64_t[]){__VA_ARGS__},                          \
          sizeof((const uint64_t[]){__VA_ARGS__}) / sizeof(uint64_t), (out))

static bool lower1(env *e, const char *ts, const wg_cval *v, uint64_t *flat, uint32_t *n) {
    wg_cfield f = {"v", ct_parse(&e->arena, ts)};
    e->cx.bad_value = false;
    return wg__canon_lower_values(&e->cx, 16, &f, 1, v, flat, n, NULL);
}

/* Lifts ts from flat values and checks the unsigned / signed result. */
static void lift_u(env *e, const char *ts, uint64_t in, uint64_t want, int line) {
    wg_cval v;
    if (!LIFT(e, ts, &v, in) || v.of.u != want) {
        char m[200];
        snprintf(m, sizeof m, "%s from %#llx", ts, (unsigned long long)in);
        wg_test_fail(__FILE__, line, m);
    }
}

static void lift_s(env *e, const char *ts, uint64_t in, int64_t want, int line) {
    wg_cval v;
    if (!LIFT(e, ts, &v, in) || v.of.s != want) {
        char m[200];
        snprintf(m, sizeof m, "%s from %#llx: %lld", ts, (unsigned long long)in, (long long)v.of.s);
        wg_test_fail(__FILE__, line, m);
    }
}

WG_TEST(lift_flat_integers_and_bool) {
    env e;
    env_init(&e, 64, WG_CANON_UTF8, false);
    /* run_tests.py test_pairs */
    static const uint64_t bools[][2] = {{0, 0}, {1, 1}, {2, 1}, {4294967295u, 1}};
    for (int i = 0; i < 4; i++) {
        wg_cval v;
        CHECK(LIFT(&e, "bool", &v, bools[i][0]) && v.of.b == (bool)bools[i][1]);
    }
    lift_u(&e, "u8", 127, 127, __LINE__);
    lift_u(&e, "u8", 256, 0, __LINE__);
    lift_u(&e, "u8", 4294967295u, 255, __LINE__);
    lift_u(&e, "u8", 4294967168u, 128, __LINE__);
    lift_u(&e, "u8", 4294967167u, 127, __LINE__);
    lift_s(&e, "s8", 128, -128, __LINE__);
    lift_s(&e, "s8", 255, -1, __LINE__);
    lift_s(&e, "s8", 256, 0, __LINE__);
    lift_s(&e, "s8", 4294967168u, -128, __LINE__);
    lift_s(&e, "s8", 4294967167u, 127, __LINE__);
    lift_u(&e, "u16", 65536, 0, __LINE__);
    lift_u(&e, "u16", 4294934528u, 32768, __LINE__);
    lift_s(&e, "s16", 32768, -32768, __LINE__);
    lift_s(&e, "s16", 4294934527u, 32767, __LINE__);
    lift_u(&e, "u32", 4294967295u, 4294967295u, __LINE__);
    lift_s(&e, "s32", 1u << 31, INT32_MIN, __LINE__);
    lift_s(&e, "s32", 4294967295u, -1, __LINE__);
    lift_u(&e, "u64", UINT64_MAX, UINT64_MAX, __LINE__);
    lift_s(&e, "s64", 1ull << 63, INT64_MIN, __LINE__);
    lift_s(&e, "s64", UINT64_MAX, -1, __LINE__);
    /* An i32 slot's high bits are not part of the value. */
    lift_u(&e, "u32", 0xffffffff00000005ull, 5, __LINE__);
    env_fini(&e);
}

static uint32_t f32_bits(float f) {
    uint32_t b;
    memcpy(&b, &f, 4);
    return b;
}

static uint64_t f64_bits(double f) {
    uint64_t b;
    memcpy(&b, &f, 8);
    return b;
}

WG_TEST(floats_canonicalise_nan) {
    env e;
    env_init(&e, 64, WG_CANON_UTF8, false);
    /* run_tests.py test_nan32 / test_nan64: flat and from memory. */
    static const uint32_t n32[][2] = {
        {0x7fc00000, 0x7fc00000}, {0x7fc00001, 0x7fc00000}, {0x7fe00000, 0x7fc00000},
        {0x7fffffff, 0x7fc00000}, {0xffffffff, 0x7fc00000}, {0x7f800000, 0x7f800000},
        {0x3fc00000, 0x3fc00000},
    };
    for (int i = 0; i < 7; i++) {
        wg_cval v;
        CHECK(LIFT(&e, "f32", &v, n32[i][0]) && f32_bits(v.of.f32) == n32[i][1]);
        memcpy(e.mem.buf, &n32[i][0], 4);
        CHECK(wg__canon_load(&e.cx, 0, ct_parse(&e.arena, "f32"), &v) && f32_bits(v.of.f32) == n32[i][1]);
    }
    static const uint64_t n64[][2] = {
        {0x7ff8000000000000, 0x7ff8000000000000}, {0x7ff8000000000001, 0x7ff8000000000000},
        {0x7ffc000000000000, 0x7ff8000000000000}, {0x7fffffffffffffff, 0x7ff8000000000000},
        {0xffffffffffffffff, 0x7ff8000000000000}, {0x7ff0000000000000, 0x7ff0000000000000},
        {0x3ff0000000000000, 0x3ff0000000000000},
    };
    for (int i = 0; i < 7; i++) {
        wg_cval v;
        CHECK(LIFT(&e, "f64", &v, n64[i][0]) && f64_bits(v.of.f64) == n64[i][1]);
        memcpy(e.mem.buf, &n64[i][0], 8);
        CHECK(wg__canon_load(&e.cx, 0, ct_parse(&e.arena, "f64"), &v) && f64_bits(v.of.f64) == n64[i][1]);
    }
    /* Lowering writes the canonical NaN too (the deterministic profile). */
    uint32_t odd = 0x7fa00001;
    float f;
    memcpy(&f, &odd, 4);
    wg_cval v = wg_cval_f32(f);
    uint64_t flat[1];
    uint32_t n;
    CHECK(lower1(&e, "f32", &v, flat, &n) && n == 1 && flat[0] == 0x7fc00000);
    v = wg_cval_f32(-1.5f);
    CHECK(lower1(&e, "f32", &v, flat, &n) && flat[0] == f32_bits(-1.5f));
    env_fini(&e);
}

WG_TEST(chars_are_validated) {
    env e;
    env_init(&e, 64, WG_CANON_UTF8, false);
    static const uint32_t good[] = {0, 65, 0xD7FF, 0xE000, 0x10FFFF};
    for (int i = 0; i < 5; i++) {
        wg_cval v;
        CHECK(LIFT(&e, "char", &v, good[i]) && v.of.c == good[i]);
    }
    static const uint32_t bad[] = {0xD800, 0xDFFF, 0x110000, 0xFFFFFFFF};
    for (int i = 0; i < 4; i++) {
        wg_cval v;
        CHECK_TRAP(LIFT(&e, "char", &v, bad[i]), e.trap, "invalid `char` bit pattern");
        memcpy(e.mem.buf, &bad[i], 4);
        CHECK_TRAP(wg__canon_load(&e.cx, 0, ct_parse(&e.arena, "char"), &v), e.trap,
                   "invalid `char` bit pattern");
    }
    wg_cval c = wg_cval_char(0xD800);
    uint64_t flat[1];
    uint32_t n;
    CHECK_TRAP(lower1(&e, "char", &c, flat, &n), e.trap, "invalid value: char 0xd800");
    CHECK(e.cx.bad_value);
    env_fini(&e);
}

WG_TEST(lift_flat_aggregates) {
    env e;
    env_init(&e, 64, WG_CANON_UTF8, false);
    wg_cval v;
    CHECK(LIFT(&e, "record{x:u8,y:u16,z:u32}", &v, 1, 2, 3));
    CHECK(v.kind == WG_CV_RECORD && v.of.seq.n == 3 && v.of.seq.items[2].of.u == 3);
    wg_cval_free(&v);
    CHECK(LIFT(&e, "tuple<tuple<u8,u8>,u8>", &v, 1, 2, 3));
    CHECK(v.of.seq.items[0].kind == WG_CV_TUPLE && v.of.seq.items[0].of.seq.items[1].of.u == 2);
    wg_cval_free(&v);
    CHECK(LIFT(&e, "list<list<u8,2>,3>", &v, 1, 2, 3, 4, 5, 6));
    CHECK(v.kind == WG_CV_LIST && v.of.seq.n == 3 && v.of.seq.items[2].of.seq.items[1].of.u == 6);
    wg_cval_free(&v);
    /* Flags: unknown bits are ignored. */
    CHECK(LIFT(&e, "flags{a,b}", &v, 4) && v.of.flags == 0);
    CHECK(LIFT(&e, "flags{a,b}", &v, 7) && v.of.flags == 3);
    CHECK(LIFT(&e, "flags#32", &v, 0xffffffff) && v.of.flags == 0xffffffff);
    /* Variants: the payload is coerced from the joined flat type. */
    const char *vt = "variant{x(u8),y(f32),z}";
    CHECK(LIFT(&e, vt, &v, 0, 42) && v.of.var.disc == 0 && v.of.var.payload->of.u == 42);
    wg_cval_free(&v);
    CHECK(LIFT(&e, vt, &v, 0, 256) && v.of.var.payload->of.u == 0);
    wg_cval_free(&v);
    CHECK(LIFT(&e, vt, &v, 1, 0x4048f5c3) && v.of.var.payload->of.f32 == 3.14f);
    wg_cval_free(&v);
    CHECK(LIFT(&e, vt, &v, 2, 0xffffffff) && v.of.var.disc == 2 && !v.of.var.payload);
    CHECK(LIFT(&e, "option<f32>", &v, 0, f32_bits(3.14f)) && v.of.var.disc == 0 && !v.of.var.payload);
    CHECK(LIFT(&e, "option<f32>", &v, 1, f32_bits(3.14f)) && v.of.var.payload->of.f32 == 3.14f);
    wg_cval_free(&v);
    CHECK(LIFT(&e, "result<u8,u32>", &v, 1, 1000) && v.of.var.disc == 1 && v.of.var.payload->of.u == 1000);
    wg_cval_free(&v);
    /* i64 slots: an f32 case wraps to 32 bits and reinterprets; f64 reinterprets. */
    CHECK(LIFT(&e, "result<f32,f64>", &v, 0, 0xdead00000000ull | f32_bits(2.5f)));
    CHECK(v.of.var.payload->of.f32 == 2.5f);
    wg_cval_free(&v);
    CHECK(LIFT(&e, "result<f32,f64>", &v, 1, f64_bits(-0.5)) && v.of.var.payload->of.f64 == -0.5);
    wg_cval_free(&v);
    CHECK(LIFT(&e, "variant{a(f32),b(s64)}", &v, 0, 0x7fc00001) &&
          f32_bits(v.of.var.payload->of.f32) == 0x7fc00000);
    wg_cval_free(&v);
    /* Invalid discriminants (types.wast: "discriminant 2 out of range [0..2)"). */
    CHECK_TRAP(LIFT(&e, "enum{a,b}", &v, 2), e.trap, "invalid variant discriminant");
    CHECK_STR_CONTAINS(e.trap.message, "discriminant 2 out of range [0..2)");
    CHECK_TRAP(LIFT(&e, "option<u8>", &v, 2, 0), e.trap, "out of range [0..2)");
    CHECK_TRAP(LIFT(&e, "variant#3<u8>", &v, 0xffffffff, 0), e.trap, "discriminant 4294967295");
    /* Too few core values is reported, never read past. */
    CHECK_TRAP(LIFT(&e, "record{x:u8,y:u16,z:u32}", &v, 1, 2), e.trap, "too few core values");
    env_fini(&e);
}

/* Loads ts at ptr from bytes placed at 0 in memory. */
static bool load_bytes(env *e, const char *ts, const uint8_t *bytes, size_t n, uint64_t ptr,
                       uint64_t len, wg_cval *out) {
    memcpy(e->mem.buf, bytes, n);
    const wg_ctype *t = ct_parse(&e->arena, ts);
    wg_cfield f = {"l", t};
    uint64_t flat[2] = {ptr, len};
    return wg__canon_lift_values(&e->cx, 16, &f, 1, flat, 2, out, NULL);
}

WG_TEST(lists_in_memory) {
    env e;
    env_init(&e, 64, WG_CANON_UTF8, false);
    wg_cval v;
    /* run_tests.py test_heap */
    static const uint8_t bools[] = {1, 0, 2};
    CHECK(load_bytes(&e, "list<bool>", bools, 3, 0, 3, &v) && v.of.seq.n == 3 &&
          v.of.seq.items[2].of.b);
    wg_cval_free(&v);
    static const uint8_t s16[] = {0xff, 0xff, 0xfe, 0xff, 0xfd, 0xff};
    CHECK(load_bytes(&e, "list<s16>", s16, 6, 0, 3, &v) && v.of.seq.items[2].of.s == -3);
    wg_cval_free(&v);
    static const uint8_t odd[] = {0, 1, 0, 2, 0};
    CHECK_TRAP(load_bytes(&e, "list<u16>", odd, 5, 1, 2, &v), e.trap, "unaligned pointer");
    static const uint8_t strs[] = {16, 0, 0, 0, 2, 0, 0, 0, 21, 0, 0, 0, 3, 0, 0, 0,
                                   'h', 'i', 0xf, 0xf, 0xf, 'w', 'a', 't'};
    CHECK(load_bytes(&e, "list<string>", strs, sizeof strs, 0, 2, &v));
    CHECK(v.of.seq.items[1].of.str.len == 3 && memcmp(v.of.seq.items[1].of.str.data, "wat", 3) == 0);
    wg_cval_free(&v);
    static const uint8_t tup[] = {6, 0xff, 7, 0, 8, 0xff, 0xff, 0xff, 9, 0, 0, 0,
                                  4, 0xff, 5, 0, 6, 0xff, 0xff, 0xff, 7, 0, 0, 0};
    CHECK(load_bytes(&e, "list<tuple<u8,u16,u8,u32>>", tup, sizeof tup, 0, 2, &v));
    CHECK(v.of.seq.items[1].of.seq.items[3].of.u == 7 && v.of.seq.items[0].of.seq.items[2].of.u == 8);
    wg_cval_free(&v);
    static const uint8_t fl[] = {0xff, 0xff, 0x3, 0, 0, 0, 0, 0};
    CHECK(load_bytes(&e, "list<flags#17>", fl, sizeof fl, 0, 2, &v));
    CHECK(v.of.seq.items[0].of.flags == 0x1ffff && v.of.seq.items[1].of.flags == 0);
    wg_cval_free(&v);
    static const uint8_t mp[] = {42, 0xff, 83, 0, 43, 0xff, 84, 0};
    CHECK(load_bytes(&e, "map<u8,u16>", mp, sizeof mp, 0, 2, &v));
    CHECK(v.kind == WG_CV_MAP && v.of.seq.items[1].kind == WG_CV_TUPLE &&
          v.of.seq.items[1].of.seq.items[0].of.u == 43 && v.of.seq.items[1].of.seq.items[1].of.u == 84);
    wg_cval_free(&v);
    static const uint8_t nested[] = {9, 0, 0, 0, 2, 0, 0, 0, 0, 5, 0, 6, 0};
    CHECK_TRAP(load_bytes(&e, "list<list<u16>>", nested, sizeof nested, 0, 1, &v), e.trap,
               "unaligned pointer");
    /* Bounds and length: reported before any item is read or allocated. */
    CHECK_TRAP(load_bytes(&e, "list<u32>", fl, 0, 60, 2, &v), e.trap, "list content out-of-bounds");
    CHECK_TRAP(load_bytes(&e, "list<u64>", fl, 0, 0, 1u << 25, &v), e.trap, "list content out-of-bounds");
    CHECK_STR_CONTAINS(e.trap.message, "maximum");
    CHECK_TRAP(load_bytes(&e, "list<u8>", fl, 0, 0, (1u << 28) - 1, &v), e.trap,
               "list pointer/length out of bounds");
    env_fini(&e);
}

/* ---- round trips --------------------------------------------------------------- */

static uint32_t rnd(uint32_t *s) {
    *s = *s * 1103515245u + 12345u;
    return *s >> 8;
}

static const struct { const char *s; size_t n; } SAMPLE_STRINGS[] = {
    {"", 0}, {"a", 1}, {"hello", 5}, {"h\xc3\xb6", 3}, {"\xe2\x98\x83!", 4},
    {"\xf0\x9f\x8d\xb0x", 5}, {"\xc3\xbf\xc3\xa0", 4}, {"\0z", 2},
};

/* A valid value of type t (depth-limited sizes). */
static wg_cval sample(const wg_ctype *t, uint32_t *s, const wg_rtype *const *rts) {
    wg_cval v = {.kind = t->kind};
    switch (t->kind) {
    case WG_CT_BOOL: v.of.b = rnd(s) & 1; break;
    case WG_CT_S8: v.of.s = (int8_t)rnd(s); break;
    case WG_CT_S16: v.of.s = (int16_t)rnd(s); break;
    case WG_CT_S32: v.of.s = (int32_t)(rnd(s) << 8); break;
    case WG_CT_S64: v.of.s = (int64_t)((uint64_t)rnd(s) << 40 | rnd(s)); break;
    case WG_CT_U8: v.of.u = (uint8_t)rnd(s); break;
    case WG_CT_U16: v.of.u = (uint16_t)rnd(s); break;
    case WG_CT_U32: v.of.u = (uint32_t)(rnd(s) << 8); break;
    case WG_CT_U64: v.of.u = (uint64_t)rnd(s) << 40 | rnd(s); break;
    case WG_CT_F32: { float f[] = {0.0f, -0.0f, 1.5f, INFINITY, NAN}; v.of.f32 = f[rnd(s) % 5]; break; }
    case WG_CT_F64: { double f[] = {0.0, -2.25, 1e300, -INFINITY, NAN}; v.of.f64 = f[rnd(s) % 5]; break; }
    case WG_CT_CHAR: { uint32_t c[] = {0, 'A', 0xe9, 0xD7FF, 0xE000, 0x2603, 0x10FFFF}; v.of.c = c[rnd(s) % 7]; break; }
    case WG_CT_STRING: {
        uint32_t k = rnd(s) % 8;
        v = wg_cval_string(SAMPLE_STRINGS[k].s, SAMPLE_STRINGS[k].n);
        break;
    }
    case WG_CT_LIST: case WG_CT_MAP: case WG_CT_RECORD: case WG_CT_TUPLE: {
        size_t n = t->kind == WG_CT_RECORD || t->kind == WG_CT_TUPLE ? t->n
                 : t->kind == WG_CT_LIST && t->n ? t->n : rnd(s) % 4;
        v = wg_cval_seq(t->kind, n);
        for (size_t i = 0; i < n; i++) {
            if (t->kind == WG_CT_MAP) {
                wg_cval kv = wg_cval_seq(WG_CV_TUPLE, 2);
                kv.of.seq.items[0] = sample(t->elem, s, rts);
                kv.of.seq.items[1] = sample(t->elem2, s, rts);
                v.of.seq.items[i] = kv;
            } else {
                v.of.seq.items[i] = sample(t->kind == WG_CT_LIST ? t->elem : t->fields[i].type, s, rts);
            }
        }
        break;
    }
    case WG_CT_VARIANT: case WG_CT_ENUM: case WG_CT_OPTION: case WG_CT_RESULT: {
        uint32_t nc = t->kind == WG_CT_OPTION || t->kind == WG_CT_RESULT ? 2 : t->n;
        uint32_t d = rnd(s) % nc;
        const wg_ctype *ct = t->kind == WG_CT_OPTION ? (d ? t->elem : NULL)
                           : t->kind == WG_CT_RESULT ? (d ? t->elem2 : t->elem)
                           : t->kind == WG_CT_VARIANT ? t->fields[d].type : NULL;
        wg_cval p;
        if (ct) p = sample(ct, s, rts);
        v = wg_cval_var(t->kind, d, ct ? &p : NULL);
        break;
    }
    case WG_CT_FLAGS: v.of.flags = rnd(s) & (t->n < 32 ? (1u << t->n) - 1 : ~0u); break;
    case WG_CT_OWN: case WG_CT_BORROW:
        v.of.handle.rep = rnd(s);
        v.of.handle.type = rts[t->resource];
        break;
    default: break;
    }
    return v;
}

static const char *const ROUND_TRIP_TYPES[] = {
    "bool", "s8", "u8", "s16", "u16", "s32", "u32", "s64", "u64", "f32", "f64", "char",
    "string", "list<u8>", "list<string>", "list<u16,3>", "list<list<string,2>>",
    "record{a:u8,b:string,c:f64,d:char}", "tuple<u8,u64,u8>", "variant{a(u8),b(f32),c,d(string)}",
    "enum#300", "option<option<u8>>", "result<string,u64>", "result<f32,f64>", "result<_,u8>",
    "result", "flags{a,b,c}", "flags#20", "flags#32", "own<0>", "borrow<1>",
    "map<string,list<u8>>", "option<map<u8,u8>>", "list<result<own<0>,string>>",
    "record{a:list<u32,3>,b:option<string>,c:map<char,borrow<0>>}",
    "variant#300<list<string>>", "tuple#20<u8>", "list<tuple#20<string>>",
    "variant{a(tuple<f32,u64>),b(tuple<f64,u32,string>),c(s8)}",
};

static void round_trip(const char *ts, wg_canon_enc enc, bool mem64, uint32_t seed) {
    env e;
    env_init(&e, 1 << 16, enc, mem64);
    const wg_ctype *t = ct_parse(&e.arena, ts);
    wg_cfield f = {"v", t};
    uint32_t s = seed;
    for (int k = 0; k < 8; k++) {
        wg_cval v = sample(t, &s, e.rtypes), back;
        CHECK(wg_cval_ok(&v));
        /* lower -> lift */
        uint64_t flat[16];
        uint32_t n = 0;
        bool ok = wg__canon_lower_values(&e.cx, 16, &f, 1, &v, flat, &n, NULL) &&
                  wg__canon_lift_values(&e.cx, 16, &f, 1, flat, n, &back, NULL);
        if (!ok || !wg_cval_equal(&v, &back)) {
            char m[600];
            snprintf(m, sizeof m, "lower/lift %s (%s, %s): %s", ts,
                     enc == WG_CANON_UTF8 ? "utf8" : enc == WG_CANON_UTF16 ? "utf16" : "latin1+utf16",
                     mem64 ? "i64" : "i32", ok ? "differs" : e.trap.message);
            wg_test_fail(__FILE__, __LINE__, m);
        }
        if (ok) wg_cval_free(&back);
        /* store -> load, at an aligned spot past what realloc handed out */
        const wg_clayout *l = &t->layout[mem64];
        uint64_t at = (e.mem.last_alloc + 64 + l->align - 1) / l->align * l->align;
        e.mem.last_alloc = at + l->size;
        ok = wg__canon_store(&e.cx, &v, t, at) && wg__canon_load(&e.cx, at, t, &back);
        if (!ok || !wg_cval_equal(&v, &back)) {
            char m[600];
            snprintf(m, sizeof m, "store/load %s (%s): %s", ts, mem64 ? "i64" : "i32",
                     ok ? "differs" : e.trap.message);
            wg_test_fail(__FILE__, __LINE__, m);
        }
        if (ok) wg_cval_free(&back);
        wg_cval_free(&v);
        e.call.nlenders = 0;
    }
    env_fini(&e);
}

WG_TEST(round_trips_every_type) {
    for (size_t i = 0; i < sizeof ROUND_TRIP_TYPES / sizeof ROUND_TRIP_TYPES[0]; i++)
        for (int enc = 0; enc < 3; enc++)
            for (int mem64 = 0; mem64 < 2; mem64++)
                round_trip(ROUND_TRIP_TYPES[i], (wg_canon_enc)enc, mem64, (uint32_t)(i * 7 + 1));
}

WG_TEST(store_layout_has_the_references_offsets) {
    env e;
    env_init(&e, 256, WG_CANON_UTF8, false);
    const wg_ctype *t = ct_parse(&e.arena, "record{a:u8,b:u16,c:u8,d:u32,e:option<u64>}");
    wg_cval v = wg_cval_seq(WG_CV_RECORD, 5);
    v.of.seq.items[0] = wg_cval_u(WG_CV_U8, 6);
    v.of.seq.items[1] = wg_cval_u(WG_CV_U16, 7);
    v.of.seq.items[2] = wg_cval_u(WG_CV_U8, 8);
    v.of.seq.items[3] = wg_cval_u(WG_CV_U32, 9);
    wg_cval x = wg_cval_u(WG_CV_U64, 0x1122334455667788ull);
    v.of.seq.items[4] = wg_cval_var(WG_CV_OPTION, 1, &x);
    memset(e.mem.buf, 0xee, 256);
    CHECK(wg__canon_store(&e.cx, &v, t, 0));
    static const uint8_t want[32] = {6, 0xee, 7, 0, 8, 0xee, 0xee, 0xee, 9, 0, 0, 0, 0xee, 0xee, 0xee,
                                     0xee, 1, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee,
                                     0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11};
    CHECK(t->layout[0].size == 32 && memcmp(e.mem.buf, want, 32) == 0);
    wg_cval_free(&v);
    /* Entry checks of load/store. */
    wg_cval back;
    CHECK_TRAP(wg__canon_load(&e.cx, 4, t, &back), e.trap, "unaligned pointer");
    CHECK_TRAP(wg__canon_load(&e.cx, 232, t, &back), e.trap, "out of bounds");
    env_fini(&e);
}

/* ---- spilling past MAX_FLAT_PARAMS / MAX_FLAT_RESULTS ----------------------------- */

WG_TEST(values_spill_to_memory) {
    env e;
    env_init(&e, 1024, WG_CANON_UTF8, false);
    wg_cfunctype ft = ct_functype(&e.arena, "u8;u8;u8;u8;u8;u8;u8;u8;u8;u8;u8;u8;u8;u8;u8;u8;u64", "");
    wg_cval args[17];
    for (int i = 0; i < 16; i++) args[i] = wg_cval_u(WG_CV_U8, (uint64_t)i + 1);
    args[16] = wg_cval_u(WG_CV_U64, 99);
    uint64_t flat[16];
    uint32_t n;
    /* canon lift's side: the tuple is allocated through realloc. */
    CHECK(wg__canon_lower_values(&e.cx, 16, ft.params, 17, args, flat, &n, NULL));
    CHECK(n == 1 && e.mem.ncalls == 1 && e.mem.calls[0].align == 8 && e.mem.calls[0].new_size == 24);
    uint64_t p = flat[0];
    CHECK(e.mem.buf[p] == 1 && e.mem.buf[p + 15] == 16 && e.mem.buf[p + 16] == 99);
    wg_cval back[17];
    uint32_t used;
    CHECK(wg__canon_lift_values(&e.cx, 16, ft.params, 17, flat, 1, back, &used) && used == 1);
    for (int i = 0; i < 17; i++) CHECK(wg_cval_equal(&args[i], &back[i]));
    /* canon lower's side: the caller's return pointer. */
    const wg_ctype *rt = ct_parse(&e.arena, "tuple<u32,string>");
    wg_cfield rf = {NULL, rt};
    wg_cval r = wg_cval_seq(WG_CV_TUPLE, 2);
    r.of.seq.items[0] = wg_cval_u(WG_CV_U32, 5);
    r.of.seq.items[1] = wg_cval_string("yo", 2);
    uint64_t retptr = 512;
    CHECK(wg__canon_lower_values(&e.cx, 1, &rf, 1, &r, flat, &n, &retptr) && n == 0);
    uint32_t w[3];
    memcpy(w, e.mem.buf + 512, 12);
    CHECK(w[0] == 5 && w[2] == 2 && memcmp(e.mem.buf + w[1], "yo", 2) == 0);
    /* alignment.wast: a misaligned return or argument pointer. */
    retptr = 513;
    CHECK_TRAP(wg__canon_lower_values(&e.cx, 1, &rf, 1, &r, flat, &n, &retptr), e.trap, "unaligned pointer");
    retptr = 1020;
    CHECK_TRAP(wg__canon_lower_values(&e.cx, 1, &rf, 1, &r, flat, &n, &retptr), e.trap, "out of bounds");
    uint64_t bad = 4;
    CHECK_TRAP(wg__canon_lift_values(&e.cx, 16, ft.params, 17, &bad, 1, back, NULL), e.trap, "unaligned pointer");
    bad = 1016;
    CHECK_TRAP(wg__canon_lift_values(&e.cx, 16, ft.params, 17, &bad, 1, back, NULL), e.trap, "out of bounds");
    e.mem.use_fixed = true, e.mem.fixed = 1;
    CHECK_TRAP(wg__canon_lower_values(&e.cx, 16, ft.params, 17, args, flat, &n, NULL), e.trap,
               "unaligned pointer");
    wg_cval_free(&r);
    env_fini(&e);
}

/* ---- lists through realloc ------------------------------------------------------------ */

WG_TEST(lists_realloc_calls_and_checks) {
    env e;
    env_init(&e, 64, WG_CANON_UTF8, false);
    uint64_t flat[2];
    uint32_t n;
    /* realloc.wast: an empty list still calls realloc(0, 0, align, 0). */
    wg_cval empty = wg_cval_seq(WG_CV_LIST, 0);
    CHECK(lower1(&e, "list<u8>", &empty, flat, &n) && e.mem.ncalls == 1);
    CHECK(e.mem.calls[0].old == 0 && e.mem.calls[0].old_size == 0 && e.mem.calls[0].align == 1 &&
          e.mem.calls[0].new_size == 0 && flat[1] == 0);
    /* ... and its result is bounds-checked even so (adapter.wast, realloc.wast). */
    e.mem.use_fixed = true, e.mem.fixed = 65;
    CHECK_TRAP(lower1(&e, "list<result>", &empty, flat, &n), e.trap, "realloc return: beyond end of memory");
    CHECK_STR_CONTAINS(e.trap.message, "list content out-of-bounds");
    wg_cval two = wg_cval_seq(WG_CV_LIST, 2);
    two.of.seq.items[0] = wg_cval_u(WG_CV_U32, 1);
    two.of.seq.items[1] = wg_cval_u(WG_CV_U32, 2);
    e.mem.fixed = 60; /* 4-aligned: the bounds check trips */
    CHECK_TRAP(lower1(&e, "list<u32>", &two, flat, &n), e.trap, "realloc return: beyond end of memory");
    e.mem.fixed = 2;
    CHECK_TRAP(lower1(&e, "list<u32>", &two, flat, &n), e.trap, "realloc return: result not aligned");
    CHECK_STR_CONTAINS(e.trap.message, "unaligned pointer");
    e.mem.fixed = 0xffffffff; /* -1: alignment fails before bounds */
    CHECK_TRAP(lower1(&e, "list<u32>", &two, flat, &n), e.trap, "result not aligned");
    wg_cval_free(&two);
    env_fini(&e);
}

/* ---- list<u8> as one buffer (WG_CV_BYTES) ---------------------------------------------- */

WG_TEST(byte_lists_lift_as_one_buffer_and_lower_from_either_form) {
    env e;
    env_init(&e, 256, WG_CANON_UTF8, false);
    static const uint8_t bytes[] = {0, 1, 0xff, 'x', 0x80};
    wg_cval v;
    CHECK(load_bytes(&e, "list<u8>", bytes, sizeof bytes, 0, 5, &v));
    CHECK(v.kind == WG_CV_BYTES && v.of.bytes.len == 5 && memcmp(v.of.bytes.data, bytes, 5) == 0);
    /* Equal to the same list spelt item by item. */
    wg_cval list = wg_cval_seq(WG_CV_LIST, 5);
    for (int i = 0; i < 5; i++) list.of.seq.items[i] = wg_cval_u(WG_CV_U8, bytes[i]);
    CHECK(wg_cval_equal(&v, &list) && wg_cval_equal(&list, &v));
    list.of.seq.items[4].of.u = 0x81;
    CHECK(!wg_cval_equal(&v, &list));
    /* Lowered back: one realloc of 5 bytes, the same bytes. */
    uint64_t flat[2];
    uint32_t n;
    e.mem.last_alloc = 64;
    CHECK(lower1(&e, "list<u8>", &v, flat, &n) && n == 2 && flat[1] == 5);
    CHECK(memcmp(e.mem.buf + flat[0], bytes, 5) == 0);
    /* The item form still lowers; fixed-length lists and list<s8> keep items. */
    CHECK(lower1(&e, "list<u8>", &list, flat, &n) && e.mem.buf[flat[0] + 4] == 0x81);
    wg_cval_free(&list);
    CHECK(load_bytes(&e, "list<s8>", bytes, sizeof bytes, 0, 5, &list) && list.kind == WG_CV_LIST);
    wg_cval_free(&list);
    CHECK(LIFT(&e, "list<u8,2>", &list, 7, 8) && list.kind == WG_CV_LIST);
    wg_cval_free(&list);
    /* An empty one, and a buffer where another type is wanted. */
    wg_cval_free(&v);
    CHECK(load_bytes(&e, "list<u8>", bytes, 0, 0, 0, &v) && v.kind == WG_CV_BYTES && v.of.bytes.len == 0);
    CHECK(lower1(&e, "list<u8>", &v, flat, &n) && flat[1] == 0);
    wg_cval b = wg_cval_bytes("ab", 2);
    CHECK(!lower1(&e, "list<u16>", &b, flat, &n) && e.cx.bad_value);
    CHECK(!lower1(&e, "list<u8,2>", &b, flat, &n) && e.cx.bad_value);
    b.of.bytes.len = 3;
    free(b.of.bytes.data);
    b.of.bytes.data = NULL;
    CHECK(!lower1(&e, "list<u8>", &b, flat, &n) && e.cx.bad_value);
    CHECK_STR_CONTAINS(e.trap.message, "has no data");
    env_fini(&e);
}

/* ---- bad host values ---------------------------------------------------------------- */

static void bad_value(env *e, const char *ts, wg_cval *v, const char *want, int line) {
    uint64_t flat[16];
    uint32_t n;
    uint32_t calls = e->mem.ncalls;
    bool ok = lower1(e, ts, v, flat, &n);
    if (ok || !e->cx.bad_value || !strstr(e->trap.message, want) || e->mem.ncalls != calls ||
        e->inst.handles.len > 1) {
        char m[600];
        snprintf(m, sizeof m, "%s: %s, want \"%s\"", ts, ok ? "accepted" : e->trap.message, want);
        wg_test_fail(__FILE__, line, m);
    }
    wg_cval_free(v);
}

WG_TEST(bad_host_values_are_errors) {
    env e;
    env_init(&e, 256, WG_CANON_UTF8, false);
    wg_cval v;
    v = wg_cval_string("x", 1);
    bad_value(&e, "u32", &v, "expected u32, found string", __LINE__);
    v = wg_cval_u(WG_CV_U8, 256);
    bad_value(&e, "u8", &v, "256 out of range for u8", __LINE__);
    v = wg_cval_s(WG_CV_S16, -32769);
    bad_value(&e, "s16", &v, "out of range for s16", __LINE__);
    v = wg_cval_u(WG_CV_U32, 1ull << 32);
    bad_value(&e, "u32", &v, "out of range", __LINE__);
    v = wg_cval_var(WG_CV_ENUM, 3, NULL);
    bad_value(&e, "enum{a,b,c}", &v, "enum case 3 out of range [0..3)", __LINE__);
    v = wg_cval_var(WG_CV_OPTION, 1, NULL);
    bad_value(&e, "option<u8>", &v, "needs a payload", __LINE__);
    wg_cval p = wg_cval_u(WG_CV_U8, 1);
    v = wg_cval_var(WG_CV_RESULT, 0, &p);
    bad_value(&e, "result<_,u8>", &v, "has no payload", __LINE__);
    p = wg_cval_u(WG_CV_U16, 1);
    v = wg_cval_var(WG_CV_OPTION, 1, &p);
    bad_value(&e, "option<u8>", &v, "expected u8, found u16", __LINE__);
    v = wg_cval_seq(WG_CV_RECORD, 1);
    v.of.seq.items[0] = wg_cval_u(WG_CV_U8, 1);
    bad_value(&e, "record{a:u8,b:u8}", &v, "record of 2 fields given 1", __LINE__);
    v = wg_cval_seq(WG_CV_LIST, 2);
    v.of.seq.items[0] = wg_cval_u(WG_CV_U8, 1);
    v.of.seq.items[1] = wg_cval_u(WG_CV_U8, 1);
    bad_value(&e, "list<u8,3>", &v, "fixed-length list of 3 items given 2", __LINE__);
    /* A list whose bad item is the last: nothing is allocated before the check. */
    v = wg_cval_seq(WG_CV_LIST, 2);
    v.of.seq.items[0] = wg_cval_string("ok", 2);
    v.of.seq.items[1] = wg_cval_string("\xc3", 1);
    bad_value(&e, "list<string>", &v, "not UTF-8", __LINE__);
    v = (wg_cval){.kind = WG_CV_FLAGS, .of.flags = 8};
    bad_value(&e, "flags{a,b,c}", &v, "past the 3 labels", __LINE__);
    v = wg_cval_seq(WG_CV_MAP, 1);
    v.of.seq.items[0] = wg_cval_u(WG_CV_U8, 1);
    bad_value(&e, "map<u8,u8>", &v, "not a tuple of key and value", __LINE__);
    v = (wg_cval){.kind = WG_CV_OWN, .of.handle = {1, &e.rt2}};
    bad_value(&e, "own<0>", &v, "own of resource type `R2` where `R` is expected", __LINE__);
    v = (wg_cval){.kind = WG_CV_BORROW, .of.handle = {1, NULL}};
    bad_value(&e, "borrow<1>", &v, "where `R2` is expected", __LINE__);
    v = (wg_cval){.kind = WG_CV_LIST};
    v.of.seq.n = 3;
    bad_value(&e, "list<u8>", &v, "has no items", __LINE__);
    env_fini(&e);
}

WG_TEST(async_values_are_not_supported_yet) {
    env e;
    env_init(&e, 64, WG_CANON_UTF8, false);
    static const char *const types[] = {"stream<u8>", "future", "error-context",
                                        "option<stream<u8>>"};
    for (int i = 0; i < 4; i++) {
        wg_cval v;
        CHECK_TRAP(LIFT(&e, types[i], &v, 1, 1), e.trap, "not supported yet");
        memset(e.mem.buf, 1, 8);
        CHECK_TRAP(wg__canon_load(&e.cx, 0, ct_parse(&e.arena, types[i]), &v), e.trap, "not supported yet");
    }
    wg_cval s = {.kind = WG_CV_STREAM};
    uint64_t flat[2];
    uint32_t n;
    CHECK_TRAP(lower1(&e, "stream<u8>", &s, flat, &n), e.trap, "not supported yet: stream values");
    env_fini(&e);
}

WG_TEST(nothing_leaks_when_lifting_fails_midway) {
    env e;
    env_init(&e, 256, WG_CANON_UTF8, false);
    /* list<string> whose second string is invalid: the first is freed. */
    uint8_t bytes[] = {16, 0, 0, 0, 2, 0, 0, 0, 18, 0, 0, 0, 1, 0, 0, 0, 'o', 'k', 0xff};
    wg_cval v;
    CHECK_TRAP(load_bytes(&e, "list<string>", bytes, sizeof bytes, 0, 2, &v), e.trap, "invalid utf-8");
    /* Several params, the last invalid: the earlier ones are freed. */
    wg_cfunctype ft = ct_functype(&e.arena, "string;list<u8>;char", "");
    uint64_t flat[5] = {16, 2, 16, 2, 0xD800};
    wg_cval out[3];
    CHECK_TRAP(wg__canon_lift_values(&e.cx, 16, ft.params, 3, flat, 5, out, NULL), e.trap, "char");
    for (int i = 0; i < 3; i++) CHECK(out[i].kind == WG_CV_BOOL);
    /* A variant whose payload fails. */
    CHECK_TRAP(LIFT(&e, "option<string>", &v, 1, 18, 1), e.trap, "invalid utf-8");
    env_fini(&e);
}

WG_TEST_MAIN()
