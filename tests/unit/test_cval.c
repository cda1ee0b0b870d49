/*
 * The component value API (include/wasmgate/component.h, src/component/cval.c):
 * constructors, ownership moves, deep copy and equality (NaN rules, str_enc
 * ignored), free, and the out-of-memory marks wg_cval_ok finds.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "wasmgate/component.h"
#include "wg_test.h"

/* record { name: string, tags: list<string>, score: option<f64>, kind: variant } */
static wg_cval sample(void) {
    wg_cval r = wg_cval_seq(WG_CV_RECORD, 4);
    r.of.seq.items[0] = wg_cval_string("ada", 3);
    wg_cval tags = wg_cval_seq(WG_CV_LIST, 2);
    tags.of.seq.items[0] = wg_cval_string("x", 1);
    tags.of.seq.items[1] = wg_cval_string("", 0);
    r.of.seq.items[1] = tags;
    wg_cval f = wg_cval_f64(2.5);
    r.of.seq.items[2] = wg_cval_var(WG_CV_OPTION, 1, &f);
    r.of.seq.items[3] = wg_cval_var(WG_CV_ENUM, 2, NULL);
    return r;
}

WG_TEST(cval_leaves) {
    CHECK(wg_cval_bool(true).kind == WG_CV_BOOL && wg_cval_bool(true).of.b);
    wg_cval v = wg_cval_s(WG_CV_S16, -5);
    CHECK(v.kind == WG_CV_S16 && v.of.s == -5);
    v = wg_cval_u(WG_CV_U64, UINT64_MAX);
    CHECK(v.kind == WG_CV_U64 && v.of.u == UINT64_MAX);
    CHECK(wg_cval_f32(1.5f).of.f32 == 1.5f && wg_cval_f64(-0.25).of.f64 == -0.25);
    CHECK(wg_cval_char(0x2603).of.c == 0x2603);
    wg_cval s = wg_cval_string("h\0i", 3);
    CHECK(s.kind == WG_CV_STRING && s.of.str.len == 3 && memcmp(s.of.str.data, "h\0i", 3) == 0);
    CHECK(s.str_enc == WG_CV_ENC_UTF8 && wg_cval_ok(&s));
    wg_cval_free(&s);
    CHECK(s.kind == WG_CV_BOOL && !s.of.b);
    wg_cval e = wg_cval_string(NULL, 0);
    CHECK(e.of.str.data != NULL && e.of.str.len == 0 && wg_cval_ok(&e));
    wg_cval_free(&e);
    wg_cval_free(NULL);
}

WG_TEST(cval_seq_and_var) {
    wg_cval l = wg_cval_seq(WG_CV_LIST, 3);
    CHECK(l.of.seq.n == 3 && l.of.seq.items);
    for (int i = 0; i < 3; i++) CHECK(l.of.seq.items[i].kind == WG_CV_BOOL && !l.of.seq.items[i].of.b);
    wg_cval_free(&l);
    wg_cval none = wg_cval_seq(WG_CV_TUPLE, 0);
    CHECK(none.of.seq.n == 0 && wg_cval_ok(&none));
    wg_cval_free(&none);
    wg_cval p = wg_cval_string("payload", 7);
    wg_cval v = wg_cval_var(WG_CV_RESULT, 1, &p);
    CHECK(p.kind == WG_CV_BOOL && p.of.str.data == NULL); /* moved out */
    CHECK(v.of.var.disc == 1 && v.of.var.payload && v.of.var.payload->kind == WG_CV_STRING);
    CHECK(wg_cval_ok(&v));
    wg_cval_free(&v);
    wg_cval n = wg_cval_var(WG_CV_OPTION, 0, NULL);
    CHECK(n.of.var.payload == NULL && wg_cval_ok(&n));
}

WG_TEST(cval_copy_and_equal) {
    wg_cval a = sample(), b;
    CHECK(wg_cval_copy(&b, &a));
    CHECK(wg_cval_equal(&a, &b));
    CHECK(a.of.seq.items[0].of.str.data != b.of.seq.items[0].of.str.data); /* deep */
    /* str_enc is where a string came from, not part of the value. */
    b.of.seq.items[0].str_enc = WG_CV_ENC_UTF16;
    CHECK(wg_cval_equal(&a, &b));
    b.of.seq.items[0].of.str.data[0] = 'e';
    CHECK(!wg_cval_equal(&a, &b));
    b.of.seq.items[0].of.str.data[0] = 'a';
    b.of.seq.items[2].of.var.payload->of.f64 = 3;
    CHECK(!wg_cval_equal(&a, &b));
    b.of.seq.items[2].of.var.payload->of.f64 = 2.5;
    b.of.seq.items[3].of.var.disc = 1;
    CHECK(!wg_cval_equal(&a, &b));
    b.of.seq.items[3].of.var.disc = 2;
    CHECK(wg_cval_equal(&a, &b));
    wg_cval_free(&b);
    wg_cval_free(&a);
    /* Kinds, lengths, payload presence. */
    wg_cval x = wg_cval_u(WG_CV_U8, 1), y = wg_cval_u(WG_CV_U16, 1);
    CHECK(!wg_cval_equal(&x, &y));
    wg_cval s1 = wg_cval_string("ab", 2), s2 = wg_cval_string("abc", 3);
    CHECK(!wg_cval_equal(&s1, &s2));
    wg_cval_free(&s1);
    wg_cval_free(&s2);
    wg_cval some = wg_cval_var(WG_CV_OPTION, 1, &x), none = wg_cval_var(WG_CV_OPTION, 1, NULL);
    CHECK(!wg_cval_equal(&some, &none) && !wg_cval_equal(&none, &some));
    wg_cval_free(&some);
}

WG_TEST(cval_float_equality) {
    /* Floats compare by bits (so 0.0 and -0.0 differ), but every NaN
     * equals every NaN. */
    wg_cval z = wg_cval_f64(0.0), nz = wg_cval_f64(-0.0);
    CHECK(!wg_cval_equal(&z, &nz));
    uint32_t bits = 0x7fc00001;
    float nan1;
    memcpy(&nan1, &bits, 4);
    wg_cval n1 = wg_cval_f32(nan1), n2 = wg_cval_f32(NAN), one = wg_cval_f32(1);
    CHECK(wg_cval_equal(&n1, &n2) && !wg_cval_equal(&n1, &one));
    wg_cval d1 = wg_cval_f64(NAN), d2 = wg_cval_f64(-NAN);
    CHECK(wg_cval_equal(&d1, &d2));
}

WG_TEST(cval_handles) {
    /* The type is only compared by identity here (wg_rtype is opaque). */
    const wg_rtype *t1 = (const wg_rtype *)&t1, *t2 = (const wg_rtype *)&t2;
    wg_cval a = {.kind = WG_CV_OWN, .of.handle = {7, t1}}, b = a, c = a;
    c.of.handle.type = t2;
    CHECK(wg_cval_equal(&a, &b) && !wg_cval_equal(&a, &c));
    b.kind = WG_CV_BORROW;
    CHECK(!wg_cval_equal(&a, &b));
    wg_cval_free(&a); /* owns nothing */
}

WG_TEST(cval_ok_finds_missing_memory) {
    /* The marks the constructors leave when malloc fails, built by hand. */
    wg_cval s = {.kind = WG_CV_STRING}; /* data NULL */
    CHECK(!wg_cval_ok(&s));
    wg_cval l = {.kind = WG_CV_LIST};
    l.of.seq.n = 2; /* items NULL */
    CHECK(!wg_cval_ok(&l));
    wg_cval_free(&l);
    wg_cval r = wg_cval_seq(WG_CV_RECORD, 1);
    r.of.seq.items[0] = s;
    CHECK(!wg_cval_ok(&r));
    wg_cval_free(&r);
    wg_cval p = {.kind = WG_CV_STRING};
    wg_cval v = wg_cval_var(WG_CV_VARIANT, 0, &p);
    CHECK(!wg_cval_ok(&v));
    wg_cval_free(&v);
}

WG_TEST(cval_bytes_and_handles) {
    wg_cval b = wg_cval_bytes("\x00\x01\xff", 3);
    CHECK(b.kind == WG_CV_BYTES && b.of.bytes.len == 3 && b.of.bytes.data[2] == 0xff && wg_cval_ok(&b));
    wg_cval c;
    CHECK(wg_cval_copy(&c, &b) && c.of.bytes.data != b.of.bytes.data && wg_cval_equal(&b, &c));
    c.of.bytes.data[0] = 9;
    CHECK(!wg_cval_equal(&b, &c));
    wg_cval_free(&c);
    CHECK(c.kind == WG_CV_BOOL);
    wg_cval e = wg_cval_bytes(NULL, 0);
    CHECK(e.of.bytes.len == 0 && wg_cval_ok(&e) && wg_cval_copy(&c, &e) && wg_cval_equal(&c, &e));
    wg_cval empty_list = wg_cval_seq(WG_CV_LIST, 0);
    CHECK(wg_cval_equal(&e, &empty_list));
    wg_cval bad = {.kind = WG_CV_BYTES, .of.bytes = {NULL, 4}};
    CHECK(!wg_cval_ok(&bad));
    wg_cval_free(&b);
    wg_cval_free(&e);
    wg_cval_free(&c);
    int x;
    const wg_rtype *rt = (const wg_rtype *)&x;
    wg_cval o = wg_cval_own(7, rt), br = wg_cval_borrow(7, rt);
    CHECK(o.kind == WG_CV_OWN && o.of.handle.rep == 7 && o.of.handle.type == rt);
    CHECK(br.kind == WG_CV_BORROW && !wg_cval_equal(&o, &br));
}

WG_TEST_MAIN()
