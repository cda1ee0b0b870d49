/* Unit tests of module-level validation (src/wasm/validate.c): index checks,
 * limits, exports, start, constant expressions, segments, C.refs, and that
 * the compiler is called only for valid modules. The compiler is replaced by
 * a local fake that records its calls. */
#include <stdlib.h>
#include <string.h>

#include "wasm/module.h"
#include "wg_test.h"

/* ---- fake compiler -------------------------------------------------------- */

static int compile_calls;
static bool compile_result = true;
static bool declared_seen[16];

bool wg__compile_functions(wg_module *m, wg_error *err) {
    (void)err;
    compile_calls++;
    memset(declared_seen, 0, sizeof declared_seen);
    for (uint32_t i = 0; i < m->nfuncs && i < 16; i++) declared_seen[i] = m->declared_funcs[i];
    return compile_result;
}

/* ---- module builder ----------------------------------------------------------- */

typedef struct mbuf {
    uint8_t b[4096];
    size_t n;
} mbuf;

static void put(mbuf *m, const void *p, size_t n) {
    memcpy(m->b + m->n, p, n);
    m->n += n;
}

static void section(mbuf *m, uint8_t id, const void *payload, size_t n) {
    m->b[m->n++] = id;
    m->b[m->n++] = (uint8_t)n;  /* test payloads stay below 128 bytes */
    put(m, payload, n);
}
#define SEC(m, id, s) section((m), (id), (s), sizeof(s) - 1)

static mbuf header(void) {
    mbuf m = {.n = 0};
    put(&m, "\x00\x61\x73\x6d\x01\x00\x00\x00", 8);
    return m;
}

/* Types 0: ()->(), 1: (i32)->(i32); functions 0 and 1 of type 0, 2 of type 1. */
static void add_funcs(mbuf *m) {
    SEC(m, 1, "\x02\x60\x00\x00\x60\x01\x7f\x01\x7f");
    SEC(m, 3, "\x03\x00\x00\x01");
}
static void add_code(mbuf *m) { SEC(m, 10, "\x03\x02\x00\x0b\x02\x00\x0b\x04\x00\x20\x00\x0b"); }

/* Decodes and validates; returns the result, err filled. */
static bool run(const mbuf *m, wg_error *err) {
    wg_module *mod = wg__decode(m->b, m->n, err);
    if (!mod) {
        char what[700];
        snprintf(what, sizeof what, "decode failed: %s", err->message);
        wg_test_fail(__FILE__, __LINE__, what);
        return false;
    }
    bool ok = wg__validate_and_compile(mod, err);
    wg__module_free(mod);
    return ok;
}

static void expect_invalid(const mbuf *m, const char *msg, int line) {
    wg_error err;
    int calls = compile_calls;
    if (run(m, &err)) {
        char what[128];
        snprintf(what, sizeof what, "validation should fail with \"%s\"", msg);
        wg_test_fail(__FILE__, line, what);
        return;
    }
    if (err.kind != WG_ERR_INVALID || strncmp(err.message, msg, strlen(msg)) != 0) {
        char what[700];
        snprintf(what, sizeof what, "want INVALID \"%s\", got kind %d \"%s\"", msg, err.kind,
                 err.message);
        wg_test_fail(__FILE__, line, what);
    }
    if (compile_calls != calls) wg_test_fail(__FILE__, line, "compiler called for an invalid module");
}
#define EXPECT_INVALID(m, msg) expect_invalid((m), (msg), __LINE__)

static void expect_valid(const mbuf *m, int line) {
    wg_error err;
    if (!run(m, &err)) {
        char what[700];
        snprintf(what, sizeof what, "should validate, got \"%s\"", err.message);
        wg_test_fail(__FILE__, line, what);
    }
}
#define EXPECT_VALID(m) expect_valid((m), __LINE__)

/* ---- tests --------------------------------------------------------------------------- */

WG_TEST(functype_equal) {
    uint8_t a[] = {WG_I32, WG_I64, WG_F32}, b[] = {WG_I32, WG_I64, WG_F64};
    wg_functype x = {2, 1, a, a + 2}, y = {2, 1, b, b + 2}, z = {2, 1, b, a + 2};
    wg_functype e1 = {0, 0, NULL, NULL}, e2 = {0, 0, a, a};
    CHECK(wg__functype_equal(&x, &x));
    CHECK(!wg__functype_equal(&x, &y));  /* results differ */
    CHECK(wg__functype_equal(&x, &z));
    CHECK(wg__functype_equal(&e1, &e2));
    wg_functype p = {1, 2, a, a + 1};
    CHECK(!wg__functype_equal(&x, &p));
}

WG_TEST(valid_module_and_declared_funcs) {
    mbuf m = header();
    add_funcs(&m);
    SEC(&m, 4, "\x01\x70\x00\x0a");                            /* table funcref 10 */
    SEC(&m, 5, "\x01\x01\x01\x02");                            /* memory 1..2 */
    SEC(&m, 6, "\x01\x70\x00\xd2\x00\x0b");                    /* global funcref = ref.func 0 */
    SEC(&m, 7, "\x01\x01\x66\x00\x02");                        /* export "f" = func 2 */
    SEC(&m, 8, "\x01");                                        /* start: func 1 */
    SEC(&m, 9, "\x01\x00\x41\x00\x0b\x00");                    /* active, no items */
    add_code(&m);
    SEC(&m, 11, "\x01\x00\x41\x00\x0b\x01\x61");
    int calls = compile_calls;
    EXPECT_VALID(&m);
    CHECK_EQ_INT(compile_calls, calls + 1);
    CHECK(declared_seen[0]);   /* ref.func in a global */
    CHECK(!declared_seen[1]);  /* only the start function */
    CHECK(declared_seen[2]);   /* exported */

    /* ref.func in an element segment item */
    m = header();
    add_funcs(&m);
    SEC(&m, 9, "\x01\x03\x00\x01\x01");  /* declarative [1] */
    add_code(&m);
    EXPECT_VALID(&m);
    CHECK(!declared_seen[0] && declared_seen[1] && !declared_seen[2]);
}

WG_TEST(compiler_failure_is_returned) {
    mbuf m = header();
    add_funcs(&m);
    add_code(&m);
    compile_result = false;
    wg_error err;
    CHECK(!run(&m, &err));
    compile_result = true;
    CHECK(run(&m, &err));
}

WG_TEST(unknown_type) {
    mbuf m = header();
    SEC(&m, 1, "\x01\x60\x00\x00");
    SEC(&m, 3, "\x01\x01");
    SEC(&m, 10, "\x01\x02\x00\x0b");
    EXPECT_INVALID(&m, "unknown type");
    m = header();
    SEC(&m, 2, "\x01\x01\x61\x01\x62\x00\x00");  /* import func type 0, no types */
    EXPECT_INVALID(&m, "unknown type");
}

WG_TEST(export_indices_and_names) {
    mbuf m = header();
    add_funcs(&m);
    SEC(&m, 7, "\x01\x01\x66\x00\x03");
    add_code(&m);
    EXPECT_INVALID(&m, "unknown function");
    m = header();
    SEC(&m, 7, "\x01\x01\x74\x01\x00");
    EXPECT_INVALID(&m, "unknown table");
    m = header();
    SEC(&m, 7, "\x01\x01\x6d\x02\x00");
    EXPECT_INVALID(&m, "unknown memory");
    m = header();
    SEC(&m, 7, "\x01\x01\x67\x03\x00");
    EXPECT_INVALID(&m, "unknown global");
    m = header();
    add_funcs(&m);
    SEC(&m, 7, "\x03\x01\x61\x00\x00\x01\x62\x00\x01\x01\x61\x00\x02");
    add_code(&m);
    EXPECT_INVALID(&m, "duplicate export name");
    /* same function twice under different names is fine; so are "a" and "ab" */
    m = header();
    add_funcs(&m);
    SEC(&m, 7, "\x03\x01\x61\x00\x00\x02\x61\x62\x00\x00\x00\x00\x01");
    add_code(&m);
    EXPECT_VALID(&m);
}

WG_TEST(start_function) {
    mbuf m = header();
    add_funcs(&m);
    SEC(&m, 8, "\x03");
    add_code(&m);
    EXPECT_INVALID(&m, "unknown function");
    m = header();
    add_funcs(&m);
    SEC(&m, 8, "\x02");  /* (i32)->(i32) */
    add_code(&m);
    EXPECT_INVALID(&m, "start function");
}

WG_TEST(memories_and_limits) {
    mbuf m = header();
    SEC(&m, 5, "\x02\x00\x01\x00\x01");
    EXPECT_INVALID(&m, "multiple memories");
    m = header();
    SEC(&m, 2, "\x01\x01\x61\x01\x62\x02\x00\x01");
    SEC(&m, 5, "\x01\x00\x01");
    EXPECT_INVALID(&m, "multiple memories");
    m = header();
    SEC(&m, 5, "\x01\x00\x81\x80\x04");  /* min 65537 */
    EXPECT_INVALID(&m, "memory size must be at most 65536 pages (4GiB)");
    m = header();
    SEC(&m, 5, "\x01\x01\x00\x81\x80\x04");  /* max 65537 */
    EXPECT_INVALID(&m, "memory size must be at most 65536 pages (4GiB)");
    m = header();
    SEC(&m, 5, "\x01\x01\x80\x80\x04\x80\x80\x04");  /* 65536..65536 */
    EXPECT_VALID(&m);
    m = header();
    SEC(&m, 5, "\x01\x01\x02\x01");
    EXPECT_INVALID(&m, "size minimum must not be greater than maximum");
    m = header();
    SEC(&m, 2, "\x01\x01\x61\x01\x62\x02\x01\x03\x02");  /* imported memory 3..2 */
    EXPECT_INVALID(&m, "size minimum must not be greater than maximum");
    m = header();
    SEC(&m, 4, "\x01\x70\x01\x03\x02");
    EXPECT_INVALID(&m, "size minimum must not be greater than maximum");
    m = header();
    SEC(&m, 2, "\x01\x01\x61\x01\x62\x01\x6f\x01\x03\x02");
    EXPECT_INVALID(&m, "size minimum must not be greater than maximum");
    m = header();
    SEC(&m, 4, "\x01\x70\x01\xff\xff\xff\xff\x0f\xff\xff\xff\xff\x0f");  /* table up to 2^32-1 */
    EXPECT_VALID(&m);
}

WG_TEST(global_initializers) {
    mbuf m = header();
    SEC(&m, 6, "\x01\x7f\x00\x42\x00\x0b");  /* i32 = i64.const */
    EXPECT_INVALID(&m, "type mismatch");
    m = header();
    SEC(&m, 6, "\x01\x7f\x00\x0b");  /* empty */
    EXPECT_INVALID(&m, "type mismatch");
    m = header();
    SEC(&m, 6, "\x01\x7f\x00\x41\x00\x41\x00\x0b");  /* two values */
    EXPECT_INVALID(&m, "type mismatch");
    m = header();
    SEC(&m, 6, "\x01\x7f\x00\x41\x00\x41\x00\x41\x00\x0b");  /* three values */
    EXPECT_INVALID(&m, "type mismatch");
    m = header();
    SEC(&m, 6, "\x02\x7f\x00\x41\x00\x0b\x7f\x00\x23\x00\x0b");  /* global.get of a defined global */
    EXPECT_INVALID(&m, "unknown global");
    m = header();
    SEC(&m, 6, "\x01\x7f\x00\x23\x00\x0b");  /* of itself */
    EXPECT_INVALID(&m, "unknown global");
    m = header();
    SEC(&m, 2, "\x01\x01\x61\x01\x62\x03\x7f\x01");  /* mutable import */
    SEC(&m, 6, "\x01\x7f\x00\x23\x00\x0b");
    EXPECT_INVALID(&m, "constant expression required");
    m = header();
    SEC(&m, 2, "\x01\x01\x61\x01\x62\x03\x7e\x00");  /* immutable i64 import */
    SEC(&m, 6, "\x01\x7e\x00\x23\x00\x0b");
    EXPECT_VALID(&m);
    m = header();
    SEC(&m, 2, "\x01\x01\x61\x01\x62\x03\x7e\x00");
    SEC(&m, 6, "\x01\x7f\x00\x23\x00\x0b");  /* wrong type */
    EXPECT_INVALID(&m, "type mismatch");
    m = header();
    SEC(&m, 6, "\x01\x7f\x00\x41\x01\x41\x02\x6a\x0b");  /* extended-const i32.add */
    EXPECT_INVALID(&m, "constant expression required");
    m = header();
    SEC(&m, 6, "\x01\x7e\x00\x42\x01\x42\x02\x7e\x0b");  /* i64.mul */
    EXPECT_INVALID(&m, "constant expression required");
    m = header();
    SEC(&m, 6, "\x01\x70\x00\xd2\x00\x0b");  /* ref.func with no functions */
    EXPECT_INVALID(&m, "unknown function");
    m = header();
    SEC(&m, 6, "\x01\x70\x00\xd0\x6f\x0b");  /* funcref = ref.null extern */
    EXPECT_INVALID(&m, "type mismatch");
    m = header();
    SEC(&m, 6, "\x04\x7d\x00\x43\x00\x00\x00\x00\x0b\x7c\x01\x44\x00\x00\x00\x00\x00\x00\x00\x00"
               "\x0b\x6f\x00\xd0\x6f\x0b\x70\x01\xd0\x70\x0b");
    EXPECT_VALID(&m);
}

WG_TEST(element_segments) {
    mbuf m = header();
    add_funcs(&m);
    SEC(&m, 9, "\x01\x00\x41\x00\x0b\x00");  /* no table */
    add_code(&m);
    EXPECT_INVALID(&m, "unknown table");
    m = header();
    add_funcs(&m);
    SEC(&m, 4, "\x01\x70\x00\x01");
    SEC(&m, 9, "\x01\x00\x42\x00\x0b\x00");  /* i64 offset */
    add_code(&m);
    EXPECT_INVALID(&m, "type mismatch");
    m = header();
    add_funcs(&m);
    SEC(&m, 4, "\x01\x6f\x00\x01");          /* externref table */
    SEC(&m, 9, "\x01\x00\x41\x00\x0b\x01\x00");  /* funcref segment */
    add_code(&m);
    EXPECT_INVALID(&m, "type mismatch");
    m = header();
    add_funcs(&m);
    SEC(&m, 9, "\x01\x05\x70\x01\xd0\x6f\x0b");  /* passive funcref, item ref.null extern */
    add_code(&m);
    EXPECT_INVALID(&m, "type mismatch");
    m = header();
    add_funcs(&m);
    SEC(&m, 9, "\x01\x01\x00\x01\x07");  /* passive, function 7 */
    add_code(&m);
    EXPECT_INVALID(&m, "unknown function");
    m = header();
    add_funcs(&m);
    SEC(&m, 9, "\x01\x05\x70\x01\x41\x00\x0b");  /* item is an i32 */
    add_code(&m);
    EXPECT_INVALID(&m, "type mismatch");
    m = header();
    add_funcs(&m);
    SEC(&m, 4, "\x01\x70\x00\x01");
    SEC(&m, 9, "\x01\x00\x23\x00\x0b\x00");  /* offset global.get 0: no globals */
    add_code(&m);
    EXPECT_INVALID(&m, "unknown global");
    /* table 1 of externref, segment 6 with externref items: valid */
    m = header();
    add_funcs(&m);
    SEC(&m, 4, "\x02\x70\x00\x01\x6f\x00\x01");
    SEC(&m, 9, "\x02\x06\x01\x41\x00\x0b\x6f\x01\xd0\x6f\x0b\x02\x00\x41\x00\x0b\x00\x01\x02");
    add_code(&m);
    EXPECT_VALID(&m);
    CHECK(declared_seen[2]);
    /* imported immutable funcref global as an item */
    m = header();
    SEC(&m, 1, "\x01\x60\x00\x00");
    SEC(&m, 2, "\x01\x01\x61\x01\x62\x03\x70\x00");
    SEC(&m, 4, "\x01\x70\x00\x01");
    SEC(&m, 9, "\x01\x04\x41\x00\x0b\x01\x23\x00\x0b");
    EXPECT_VALID(&m);
}

WG_TEST(data_segments) {
    mbuf m = header();
    SEC(&m, 11, "\x01\x00\x41\x00\x0b\x00");
    EXPECT_INVALID(&m, "unknown memory");
    m = header();
    SEC(&m, 5, "\x01\x00\x01");
    SEC(&m, 11, "\x01\x02\x01\x41\x00\x0b\x00");  /* memory 1 */
    EXPECT_INVALID(&m, "unknown memory");
    m = header();
    SEC(&m, 5, "\x01\x00\x01");
    SEC(&m, 11, "\x01\x00\x43\x00\x00\x00\x00\x0b\x00");  /* f32 offset */
    EXPECT_INVALID(&m, "type mismatch");
    m = header();
    SEC(&m, 2, "\x01\x01\x61\x01\x62\x03\x7f\x01");  /* mutable global as offset */
    SEC(&m, 5, "\x01\x00\x01");
    SEC(&m, 11, "\x01\x00\x23\x00\x0b\x00");
    EXPECT_INVALID(&m, "constant expression required");
    m = header();
    SEC(&m, 11, "\x01\x01\x01\x61");  /* passive needs no memory */
    EXPECT_VALID(&m);
}

WG_TEST(error_has_context) {
    mbuf m = header();
    SEC(&m, 6, "\x02\x7f\x00\x41\x00\x0b\x7e\x00\x41\x00\x0b");
    wg_error err;
    CHECK(!run(&m, &err));
    CHECK_EQ_INT(err.kind, WG_ERR_INVALID);
    static const char want[] = "type mismatch (global 1 initializer, offset 0x";
    CHECK(strncmp(err.message, want, sizeof want - 1) == 0);
    CHECK(err.offset < m.n && m.b[err.offset] == 0x41);
}

WG_TEST_MAIN()
