/*
 * The guest-to-guest fast path (canon_plain.c, the views of canon_load.c /
 * canon_string.c): a UTF-8 string or a list of plain elements moves from one
 * memory to another without a value tree. It must be indistinguishable from
 * lifting into a tree and lowering that: a differential test runs random
 * plain element types over random source bytes both ways and requires the
 * same trap (or none), the same realloc calls and byte-identical destination
 * memories (padding and inactive variant payloads left as they were).
 */
#include "canon_test_util.h"
#include "component/canon_int.h"

static uint32_t rnd(uint32_t *s) {
    *s = *s * 1103515245u + 12345u;
    return *s >> 8;
}

typedef struct outcome {
    bool ok;
    char msg[256];
    ct_mem dst;
    uint64_t flat[2];
} outcome;

/* Lifts (ptr, len) of list type t from src (views or not) and lowers the
 * value into a fresh destination whose bytes start as 0xAB. */
static void transfer(ct_mem *src, const wg_ctype *t, uint64_t ptr, uint64_t len, bool views,
                     wg_canon_enc src_enc, outcome *o) {
    wg_canon_inst a, b;
    wg__canon_inst_init(&a, NULL, NULL, 0);
    wg__canon_inst_init(&b, NULL, NULL, 0);
    ct_mem_init(&o->dst, 4096);
    memset(o->dst.buf, 0xAB, 4096);
    o->dst.last_alloc = 8;
    wg_canon_opts oa = ct_opts(src, src_enc, false), ob = ct_opts(&o->dst, WG_CANON_UTF8, false);
    wg_trap trap = {0};
    wg_canon_cx ca, cb;
    wg__canon_cx_init(&ca, &oa, &a, NULL, &trap);
    wg__canon_cx_init(&cb, &ob, &b, NULL, &trap);
    ca.views = cb.trusted = views;
    wg_cfield f = {"l", t};
    uint64_t in[2] = {ptr, len};
    wg_cval v;
    uint32_t n;
    o->ok = wg__canon_lift_values(&ca, 16, &f, 1, in, 2, &v, NULL);
    if (o->ok) {
        o->ok = wg__canon_lower_values(&cb, 16, &f, 1, &v, o->flat, &n, NULL);
        wg_cval_free(&v);
    }
    snprintf(o->msg, sizeof o->msg, "%s", o->ok ? "" : trap.message);
    wg__canon_inst_fini(&a);
    wg__canon_inst_fini(&b);
}

static bool same(const outcome *x, const outcome *y) {
    if (x->ok != y->ok || strcmp(x->msg, y->msg) != 0) return false;
    if (memcmp(x->dst.buf, y->dst.buf, 4096) != 0 || x->dst.ncalls != y->dst.ncalls) return false;
    for (uint32_t k = 0; k < x->dst.ncalls; k++)
        if (memcmp(&x->dst.calls[k], &y->dst.calls[k], sizeof x->dst.calls[k]) != 0) return false;
    return !x->ok || (x->flat[0] == y->flat[0] && x->flat[1] == y->flat[1]);
}

static const char *const PLAIN[] = {
    "u8", "bool", "s16", "f32", "f64", "char", "flags#3", "flags#8", "flags#17", "enum{a,b,c}",
    "record{a:u8,b:u32}", "record{a:u32,b:u64,c:f32,d:u8}", "record{id:u32,x:f32,y:f32,n:u32,t:u64}",
    "tuple<bool,f64>", "option<u16>", "result<f32,u8>", "result", "variant{a(f64),b,c(tuple<u8,char>)}",
    "list<u16,3>", "record{a:list<f32,2>,b:option<bool>}", "tuple<enum#300,flags#9,s8>",
    "option<option<f32>>", "list<record{a:bool,b:char},2>",
};

/* Source bytes: uniformly random, or drawn from values that make valid
 * discriminants, bools, chars and NaNs likely. */
static void fill(uint8_t *p, size_t n, uint32_t *s, bool biased) {
    static const uint8_t picks[] = {0, 0, 0, 1, 1, 2, 0x7f, 0xff, 0xc0, 0x80, 0x41, 0xd8};
    for (size_t i = 0; i < n; i++)
        p[i] = biased ? picks[rnd(s) % sizeof picks] : (uint8_t)rnd(s);
}

WG_TEST(plain_lists_match_the_tree_path) {
    ct_arena a = {0};
    uint32_t seed = 12345;
    int ok_runs = 0, trap_runs = 0;
    for (size_t i = 0; i < sizeof PLAIN / sizeof PLAIN[0]; i++) {
        char ts[128];
        snprintf(ts, sizeof ts, "list<%s>", PLAIN[i]);
        const wg_ctype *t = ct_parse(&a, ts);
        CHECK(wg__canon_is_plain(t->elem));
        for (int round = 0; round < 60; round++) {
            ct_mem src;
            ct_mem_init(&src, 2048);
            fill(src.buf, 2048, &seed, round % 3 != 0);
            uint32_t align = t->elem->layout[0].align;
            uint64_t ptr = 64 + align * (rnd(&seed) % 16), len = rnd(&seed) % 9;
            if (round % 10 == 9) ptr += 1; /* misaligned sometimes */
            outcome tree, view;
            transfer(&src, t, ptr, len, false, WG_CANON_UTF8, &tree);
            transfer(&src, t, ptr, len, true, WG_CANON_UTF8, &view);
            if (!same(&tree, &view)) {
                char m[1200];
                snprintf(m, sizeof m, "%s ptr %llu len %llu: tree %s \"%s\", view %s \"%s\"", ts,
                         (unsigned long long)ptr, (unsigned long long)len, tree.ok ? "ok" : "trap",
                         tree.msg, view.ok ? "ok" : "trap", view.msg);
                wg_test_fail(__FILE__, __LINE__, m);
            }
            tree.ok ? ok_runs++ : trap_runs++;
            ct_mem_free(&tree.dst);
            ct_mem_free(&view.dst);
            ct_mem_free(&src);
        }
    }
    /* Both outcomes were exercised. */
    CHECK(ok_runs > 300 && trap_runs > 100);
    ct_arena_free(&a);
}

WG_TEST(strings_match_the_tree_path) {
    ct_arena a = {0};
    const wg_ctype *t = ct_parse(&a, "string");
    uint32_t seed = 99;
    for (int round = 0; round < 400; round++) {
        ct_mem src;
        ct_mem_init(&src, 256);
        fill(src.buf, 256, &seed, round % 2 == 0);
        if (round % 4 == 1) memcpy(src.buf + 16, "plain ascii, then \xe2\x98\x83 and \xf0\x9f\x8d\xb0", 28);
        uint64_t ptr = 16 + rnd(&seed) % 8, len = rnd(&seed) % 40;
        outcome tree, view;
        transfer(&src, t, ptr, len, false, WG_CANON_UTF8, &tree);
        transfer(&src, t, ptr, len, true, WG_CANON_UTF8, &view);
        if (!same(&tree, &view)) {
            char m[1200];
            snprintf(m, sizeof m, "string at %llu len %llu: tree \"%s\", view \"%s\"",
                     (unsigned long long)ptr, (unsigned long long)len, tree.msg, view.msg);
            wg_test_fail(__FILE__, __LINE__, m);
        }
        ct_mem_free(&tree.dst);
        ct_mem_free(&view.dst);
        ct_mem_free(&src);
    }
    ct_arena_free(&a);
}

WG_TEST(views_only_for_plain_types) {
    ct_arena a = {0};
    static const char *const not_plain[] = {"string", "list<u8>", "own<0>", "borrow<0>",
                                            "record{a:u8,b:string}", "option<list<u8>>",
                                            "map<u8,u8>", "stream<u8>", "list<string,2>"};
    for (size_t i = 0; i < sizeof not_plain / sizeof not_plain[0]; i++)
        CHECK(!wg__canon_is_plain(ct_parse(&a, not_plain[i])));
    /* A list of lists: the outer one is a tree, the inner ones views. */
    ct_mem src;
    ct_mem_init(&src, 256);
    uint32_t hdr[4] = {64, 3, 80, 2};
    memcpy(src.buf + 32, hdr, 16);
    memcpy(src.buf + 64, "\x01\x00\x02\x00\x03\x00", 6);
    memcpy(src.buf + 80, "\x04\x00\x05\x00", 4);
    const wg_ctype *t = ct_parse(&a, "list<list<u16>>");
    outcome tree, view;
    transfer(&src, t, 32, 2, false, WG_CANON_UTF8, &tree);
    transfer(&src, t, 32, 2, true, WG_CANON_UTF8, &view);
    CHECK(tree.ok && same(&tree, &view));
    ct_mem_free(&tree.dst);
    ct_mem_free(&view.dst);
    /* A string from a UTF-16 memory is transcoded through a tree even when
     * views are allowed. */
    memcpy(src.buf + 128, "h\0i\0", 4);
    t = ct_parse(&a, "string");
    transfer(&src, t, 128, 2, false, WG_CANON_UTF16, &tree);
    transfer(&src, t, 128, 2, true, WG_CANON_UTF16, &view);
    CHECK(tree.ok && same(&tree, &view) && memcmp(view.dst.buf + view.flat[0], "hi", 2) == 0);
    ct_mem_free(&tree.dst);
    ct_mem_free(&view.dst);
    ct_mem_free(&src);
    ct_arena_free(&a);
}

WG_TEST(views_check_before_the_destination_allocates) {
    /* An invalid char in the last element traps at the lift, before the
     * destination's realloc runs (the reference lifts everything first). */
    ct_arena a = {0};
    ct_mem src;
    ct_mem_init(&src, 64);
    uint32_t chars[3] = {'a', 'b', 0xD800};
    memcpy(src.buf, chars, 12);
    outcome view;
    transfer(&src, ct_parse(&a, "list<char>"), 0, 3, true, WG_CANON_UTF8, &view);
    CHECK(!view.ok && strstr(view.msg, "invalid `char` bit pattern") && view.dst.ncalls == 0);
    ct_mem_free(&view.dst);
    ct_mem_free(&src);
    ct_arena_free(&a);
}

WG_TEST_MAIN()
