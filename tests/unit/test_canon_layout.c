/*
 * Canonical ABI layout (src/component/ctype.c: wg__ctype_layout) and function
 * type flattening (wg__canon_flatten_functype) against the numbers the
 * executable reference computes (canon_vectors.h, generated from
 * definitions.py by gen_canon_vectors.py): elem_size, alignment and
 * flatten_type for 32- and 64-bit memories, flatten_functype for both sides.
 * Also structural type equality.
 */
#include "canon_test_util.h"
#include "canon_vectors.h"
#include "component/canon_int.h"

static char flat_letter(uint8_t t) {
    switch (t) {
    case WG_I32: return 'i';
    case WG_I64: return 'I';
    case WG_F32: return 'f';
    case WG_F64: return 'F';
    default: return '?';
    }
}

static void flat_string(const uint8_t *flat, uint32_t n, char *out) {
    for (uint32_t i = 0; i < n; i++) out[i] = flat_letter(flat[i]);
    out[n] = '\0';
}

WG_TEST(layout_matches_reference) {
    ct_arena a = {0};
    for (size_t i = 0; i < sizeof LAYOUT_VECS / sizeof LAYOUT_VECS[0]; i++) {
        const struct layout_vec *v = &LAYOUT_VECS[i];
        const wg_ctype *t = ct_parse(&a, v->type);
        for (int p = 0; p < 2; p++) {
            const wg_clayout *l = &t->layout[p];
            char got[WG_CT_FLAT_MAX + 1] = "";
            if (l->nflat <= WG_CT_FLAT_MAX) flat_string(l->flat, l->nflat, got);
            if (l->size != v->size[p] || l->align != v->align[p] || l->nflat != v->nflat[p] ||
                strcmp(got, v->flat[p]) != 0) {
                char m[512];
                snprintf(m, sizeof m,
                         "%s (%s): size %u align %u nflat %u flat \"%s\"; reference %u %u %u \"%s\"",
                         v->type, p ? "i64" : "i32", l->size, l->align, l->nflat, got,
                         v->size[p], v->align[p], v->nflat[p], v->flat[p]);
                wg_test_fail(__FILE__, __LINE__, m);
            }
        }
    }
    ct_arena_free(&a);
}

WG_TEST(flatten_functype_matches_reference) {
    ct_arena a = {0};
    for (size_t i = 0; i < sizeof FUNCTYPE_VECS / sizeof FUNCTYPE_VECS[0]; i++) {
        const struct functype_vec *v = &FUNCTYPE_VECS[i];
        wg_cfunctype ft = ct_functype(&a, v->params, v->result);
        for (int side = 0; side < 2; side++) {
            wg_canon_flat_sig sig;
            wg__canon_flatten_functype(&ft, v->mem64, side ? WG_CANON_SIDE_LOWER : WG_CANON_SIDE_LIFT, &sig);
            char ps[32], rs[8];
            flat_string(sig.params, sig.nparams, ps);
            flat_string(sig.results, sig.nresults, rs);
            const char *wp = side ? v->lower_params : v->lift_params;
            const char *wr = side ? v->lower_results : v->lift_results;
            if (strcmp(ps, wp) != 0 || strcmp(rs, wr) != 0) {
                char m[512];
                snprintf(m, sizeof m, "(%s) -> %s, %s, %s: got (%s) -> (%s), reference (%s) -> (%s)",
                         v->params, v->result, v->mem64 ? "i64" : "i32",
                         side ? "lower" : "lift", ps, rs, wp, wr);
                wg_test_fail(__FILE__, __LINE__, m);
            }
            /* The spill flags agree with the signatures. */
            CHECK(sig.params_in_memory == (wg__canon_flat_count(ft.params, ft.nparams, v->mem64) > 16));
            CHECK(sig.results_in_memory == (ft.result && ft.result->layout[v->mem64].nflat > 1));
        }
    }
    ct_arena_free(&a);
}

WG_TEST(layout_flags_and_limits) {
    ct_arena a = {0};
    const wg_ctype *t = ct_parse(&a, "record{a:borrow<1>,b:list<stream<u8>>}");
    CHECK(t->has_borrow && t->has_resource && t->has_async);
    t = ct_parse(&a, "option<own<0>>");
    CHECK(!t->has_borrow && t->has_resource && !t->has_async);
    t = ct_parse(&a, "map<string,result<_,borrow<2>>>");
    CHECK(t->has_borrow);
    /* elem_size must stay below 2^28 (Binary.md): 2^25 u64s is 2^28 bytes. */
    wg_ctype big = {.kind = WG_CT_LIST, .n = 1u << 25, .elem = ct_parse(&a, "u64")};
    CHECK(!wg__ctype_layout(&big));
    big.n = (1u << 25) - 1;
    CHECK(wg__ctype_layout(&big));
    CHECK_EQ_INT(big.layout[0].size, (1u << 28) - 8);
    CHECK_EQ_INT(big.layout[0].nflat, WG_CT_FLAT_MAX + 1);
    CHECK_EQ_INT(wg__ctype_disc_size(1), 1);
    CHECK_EQ_INT(wg__ctype_disc_size(256), 1);
    CHECK_EQ_INT(wg__ctype_disc_size(257), 2);
    CHECK_EQ_INT(wg__ctype_disc_size(65536), 2);
    CHECK_EQ_INT(wg__ctype_disc_size(65537), 4);
    ct_arena_free(&a);
}

WG_TEST(type_equality_is_structural) {
    ct_arena a = {0};
    static const char *const same[] = {
        "u8", "string", "list<u8>", "list<u8,4>", "record{a:u8,b:string}", "tuple<u8,u16>",
        "variant{a(u8),b}", "enum{x,y}", "flags{r,w}", "option<u8>", "result<u8,_>",
        "result", "own<3>", "borrow<3>", "map<u8,string>", "stream<u8>", "future",
    };
    for (size_t i = 0; i < sizeof same / sizeof same[0]; i++) {
        const wg_ctype *x = ct_parse(&a, same[i]), *y = ct_parse(&a, same[i]);
        CHECK(x != y && wg__ctype_equal(x, y));
    }
    static const char *const differ[][2] = {
        {"u8", "s8"}, {"list<u8>", "list<u8,4>"}, {"list<u8,3>", "list<u8,4>"},
        {"record{a:u8}", "record{b:u8}"}, {"record{a:u8}", "record{a:u16}"},
        {"record{a:u8}", "tuple<u8>"}, {"tuple<u8,u16>", "tuple<u16,u8>"},
        {"variant{a(u8),b}", "variant{a(u8),c}"}, {"variant{a(u8),b}", "variant{a,b}"},
        {"enum{x,y}", "enum{x,z}"}, {"enum{x,y}", "enum{x,y,z}"}, {"flags{r,w}", "flags{w,r}"},
        {"option<u8>", "option<u16>"}, {"result<u8,_>", "result<_,u8>"}, {"own<3>", "own<4>"},
        {"own<3>", "borrow<3>"}, {"map<u8,string>", "map<string,u8>"},
        {"stream<u8>", "stream"}, {"future<u8>", "stream<u8>"},
    };
    for (size_t i = 0; i < sizeof differ / sizeof differ[0]; i++)
        CHECK(!wg__ctype_equal(ct_parse(&a, differ[i][0]), ct_parse(&a, differ[i][1])));
    CHECK(!wg__ctype_equal(ct_parse(&a, "u8"), NULL));
    CHECK(wg__ctype_equal(NULL, NULL));
    ct_arena_free(&a);
}

WG_TEST_MAIN()
