/* Unit tests of the binary decoder (src/wasm/decode*.c): every section, every
 * element/data encoding, the name section, each malformed-module error, and
 * a truncation/bit-flip sweep that must never crash. */
#include <stdlib.h>
#include <string.h>

#include "wasm/module.h"
#include "wg_test.h"

/* ---- a tiny module builder ---------------------------------------------- */

typedef struct mbuf {
    uint8_t b[8192];
    size_t n;
} mbuf;

static void put(mbuf *m, const void *p, size_t n) {
    memcpy(m->b + m->n, p, n);
    m->n += n;
}
#define PUT(m, s) put((m), (s), sizeof(s) - 1)

static void put_u32(mbuf *m, uint32_t v) {
    do {
        uint8_t byte = v & 0x7F;
        v >>= 7;
        if (v) byte |= 0x80;
        m->b[m->n++] = byte;
    } while (v);
}

static void section(mbuf *m, uint8_t id, const void *payload, size_t n) {
    m->b[m->n++] = id;
    put_u32(m, (uint32_t)n);
    put(m, payload, n);
}
#define SEC(m, id, s) section((m), (id), (s), sizeof(s) - 1)

static mbuf header(void) {
    mbuf m = {.n = 0};
    PUT(&m, "\x00\x61\x73\x6d\x01\x00\x00\x00");
    return m;
}

static wg_module *dec(const mbuf *m, wg_error *err) {
    return wg__decode(m->b, m->n, err);
}

/* Decoding must fail with kind MALFORMED and a message starting with msg. */
static void expect_malformed(const mbuf *m, const char *msg, int line) {
    wg_error err;
    wg_module *mod = dec(m, &err);
    if (mod) {
        char what[128];
        snprintf(what, sizeof what, "decode should fail with \"%s\"", msg);
        wg_test_fail(__FILE__, line, what);
        wg__module_free(mod);
        return;
    }
    if (err.kind != WG_ERR_MALFORMED || strncmp(err.message, msg, strlen(msg)) != 0) {
        char what[700];
        snprintf(what, sizeof what, "want MALFORMED \"%s\", got kind %d \"%s\"", msg, err.kind,
                 err.message);
        wg_test_fail(__FILE__, line, what);
    }
}
#define EXPECT_MALFORMED(m, msg) expect_malformed((m), (msg), __LINE__)

/* Like CHECK_STR_CONTAINS, with a buffer large enough for a full wg_error
 * message (the harness macro trips -Wformat-truncation on 512-byte messages). */
static void expect_contains(const char *hay, const char *needle, int line) {
    if (strstr(hay, needle)) return;
    char what[1200];
    snprintf(what, sizeof what, "\"%s\" contains \"%s\"", hay, needle);
    wg_test_fail(__FILE__, line, what);
}
#define EXPECT_CONTAINS(hay, needle) expect_contains((hay), (needle), __LINE__)

/* ---- valid modules ----------------------------------------------------------- */

WG_TEST(empty_module) {
    mbuf m = header();
    wg_error err;
    wg_module *mod = dec(&m, &err);
    CHECK(mod != NULL);
    if (!mod) return;
    CHECK_EQ_INT(err.kind, WG_ERR_NONE);
    CHECK_EQ_INT(mod->ntypes, 0);
    CHECK_EQ_INT(mod->nfuncs, 0);
    CHECK_EQ_INT(mod->nbodies, 0);
    CHECK_EQ_INT(mod->ncustoms, 0);
    CHECK(!mod->has_start);
    CHECK(mod->bytes != m.b);
    CHECK_EQ_INT(mod->len, 8);
    wg__module_free(mod);
}

/* A module using every section once. */
static mbuf full_module(void) {
    mbuf m = header();
    /* types: 0 (i32 i64)->(f32), 1 ()->() */
    SEC(&m, 1, "\x02\x60\x02\x7f\x7e\x01\x7d\x60\x00\x00");
    /* imports: "m"."f" func type 1; "m"."t" table externref 1..5; "m"."mem" memory 1;
     * "m"."g" global i32 immutable */
    SEC(&m, 2, "\x04"
               "\x01\x6d\x01\x66\x00\x01"
               "\x01\x6d\x01\x74\x01\x6f\x01\x01\x05"
               "\x01\x6d\x03\x6d\x65\x6d\x02\x00\x01"
               "\x01\x6d\x01\x67\x03\x7f\x00");
    /* functions: type 0, type 1 */
    SEC(&m, 3, "\x02\x00\x01");
    /* table: funcref min 2 */
    SEC(&m, 4, "\x01\x70\x00\x02");
    /* globals: mut i64 = -1; funcref = ref.func 2 */
    SEC(&m, 6, "\x02\x7e\x01\x42\x7f\x0b\x70\x00\xd2\x02\x0b");
    /* exports: "a" func 1, "b" global 1 */
    SEC(&m, 7, "\x02\x01\x61\x00\x01\x01\x62\x03\x01");
    /* start: function 2 */
    SEC(&m, 8, "\x02");
    /* elem: flags 0: offset i32.const 0, funcs [1, 2] */
    SEC(&m, 9, "\x01\x00\x41\x00\x0b\x02\x01\x02");
    /* datacount 2 */
    SEC(&m, 12, "\x02");
    /* code: body 0 with locals 2 x i32 + 1 x f64, body 1 empty */
    SEC(&m, 10, "\x02"
                "\x08\x02\x02\x7f\x01\x7c\x41\x00\x0b"
                "\x02\x00\x0b");
    /* data: active mem 0 offset 16 "hi"; passive "xyz" */
    SEC(&m, 11, "\x02\x00\x41\x10\x0b\x02\x68\x69\x01\x03\x78\x79\x7a");
    /* custom "extra" with 3 bytes */
    SEC(&m, 0, "\x05\x65\x78\x74\x72\x61\x01\x02\x03");
    return m;
}

WG_TEST(full_module_fields) {
    mbuf m = full_module();
    wg_error err;
    wg_module *mod = dec(&m, &err);
    CHECK(mod != NULL);
    if (!mod) {
        printf("  error: %s\n", err.message);
        return;
    }
    CHECK_EQ_INT(mod->ntypes, 2);
    CHECK_EQ_INT(mod->types[0].nparams, 2);
    CHECK_EQ_INT(mod->types[0].params[0], WG_I32);
    CHECK_EQ_INT(mod->types[0].params[1], WG_I64);
    CHECK_EQ_INT(mod->types[0].nresults, 1);
    CHECK_EQ_INT(mod->types[0].results[0], WG_F32);
    CHECK_EQ_INT(mod->types[1].nparams + mod->types[1].nresults, 0);

    CHECK_EQ_INT(mod->nimports, 4);
    CHECK_EQ_INT(mod->nimported_funcs, 1);
    CHECK_EQ_INT(mod->nimported_tables, 1);
    CHECK_EQ_INT(mod->nimported_mems, 1);
    CHECK_EQ_INT(mod->nimported_globals, 1);
    CHECK(mod->imports[2].module_len == 1 && mod->imports[2].module[0] == 'm');
    CHECK(mod->imports[2].name_len == 3 && memcmp(mod->imports[2].name, "mem", 3) == 0);
    CHECK(mod->imports[2].name >= (const char *)mod->bytes &&
          mod->imports[2].name < (const char *)mod->bytes + mod->len);
    CHECK_EQ_INT(mod->imports[1].table.elem_type, WG_EXTERNREF);
    CHECK(mod->imports[1].table.limits.has_max);
    CHECK_EQ_INT(mod->imports[1].table.limits.min, 1);
    CHECK_EQ_INT(mod->imports[1].table.limits.max, 5);

    CHECK_EQ_INT(mod->nfuncs, 3);
    CHECK_EQ_INT(mod->func_types[0], 1);
    CHECK_EQ_INT(mod->func_types[1], 0);
    CHECK_EQ_INT(mod->func_types[2], 1);
    CHECK_EQ_INT(mod->ntables, 2);
    CHECK_EQ_INT(mod->tables[0].elem_type, WG_EXTERNREF);
    CHECK_EQ_INT(mod->tables[1].elem_type, WG_FUNCREF);
    CHECK_EQ_INT(mod->tables[1].limits.min, 2);
    CHECK(!mod->tables[1].limits.has_max);
    CHECK_EQ_INT(mod->nmems, 1);
    CHECK_EQ_INT(mod->mems[0].min, 1);
    CHECK_EQ_INT(mod->nglobals, 3);
    CHECK_EQ_INT(mod->global_types[0].type, WG_I32);
    CHECK(!mod->global_types[0].mut);
    CHECK_EQ_INT(mod->global_types[1].type, WG_I64);
    CHECK(mod->global_types[1].mut);
    CHECK_EQ_INT(mod->globals[0].init.nops, 1);
    CHECK_EQ_INT(mod->globals[0].init.ops[0].opcode, 0x42);
    CHECK(mod->globals[0].init.ops[0].imm == UINT64_MAX);
    CHECK_EQ_INT(mod->globals[1].init.ops[0].opcode, 0xD2);
    CHECK_EQ_INT(mod->globals[1].init.ops[0].imm, 2);

    CHECK_EQ_INT(mod->nexports, 2);
    CHECK_EQ_INT(mod->exports[1].kind, WG_EXTERN_GLOBAL);
    CHECK_EQ_INT(mod->exports[1].index, 1);
    CHECK(mod->has_start);
    CHECK_EQ_INT(mod->start, 2);

    CHECK_EQ_INT(mod->nelems, 1);
    CHECK_EQ_INT(mod->elems[0].mode, WG_SEG_ACTIVE);
    CHECK_EQ_INT(mod->elems[0].elem_type, WG_FUNCREF);
    CHECK_EQ_INT(mod->elems[0].table_idx, 0);
    CHECK_EQ_INT(mod->elems[0].offset.nops, 1);
    CHECK_EQ_INT(mod->elems[0].nitems, 2);
    CHECK_EQ_INT(mod->elems[0].items[1].ops[0].opcode, 0xD2);
    CHECK_EQ_INT(mod->elems[0].items[1].ops[0].imm, 2);

    CHECK(mod->has_datacount);
    CHECK_EQ_INT(mod->datacount, 2);
    CHECK_EQ_INT(mod->nbodies, 2);
    CHECK_EQ_INT(mod->bodies[0].nruns, 2);
    CHECK_EQ_INT(mod->bodies[0].nlocals, 3);
    CHECK_EQ_INT(mod->bodies[0].runs[1].type, WG_F64);
    CHECK_EQ_INT(mod->bodies[0].code_len, 3);
    CHECK_EQ_INT(mod->bodies[0].code[0], 0x41);
    CHECK_EQ_INT(mod->bodies[0].code[2], 0x0B);
    CHECK(mod->bodies[0].offset == (size_t)(mod->bodies[0].code - mod->bytes));
    CHECK_EQ_INT(mod->bodies[1].code_len, 1);

    CHECK_EQ_INT(mod->ndatas, 2);
    CHECK_EQ_INT(mod->datas[0].mode, WG_SEG_ACTIVE);
    CHECK_EQ_INT(mod->datas[0].offset.ops[0].imm, 16);
    CHECK(mod->datas[0].len == 2 && memcmp(mod->datas[0].bytes, "hi", 2) == 0);
    CHECK_EQ_INT(mod->datas[1].mode, WG_SEG_PASSIVE);
    CHECK(mod->datas[1].len == 3 && memcmp(mod->datas[1].bytes, "xyz", 3) == 0);

    CHECK_EQ_INT(mod->ncustoms, 1);
    CHECK(mod->customs[0].name_len == 5 && memcmp(mod->customs[0].name, "extra", 5) == 0);
    CHECK_EQ_INT(mod->customs[0].len, 3);
    CHECK(mod->module_name == NULL && mod->func_names == NULL);
    wg__module_free(mod);
}

WG_TEST(input_is_copied) {
    mbuf m = full_module();
    wg_error err;
    wg_module *mod = dec(&m, &err);
    CHECK(mod != NULL);
    if (!mod) return;
    memset(m.b, 0xAA, m.n);  /* the module must not depend on the caller's buffer */
    CHECK(memcmp(mod->datas[0].bytes, "hi", 2) == 0);
    CHECK(memcmp(mod->exports[0].name, "a", 1) == 0);
    wg__module_free(mod);
}

WG_TEST(const_expr_immediates) {
    mbuf m = header();
    /* globals: i32 -2 ; f32 1.0 ; f64 bits ; externref null ; i32 (extended) 1 2 add */
    SEC(&m, 6, "\x05"
               "\x7f\x00\x41\x7e\x0b"
               "\x7d\x00\x43\x00\x00\x80\x3f\x0b"
               "\x7c\x00\x44\x01\x02\x03\x04\x05\x06\x07\x08\x0b"
               "\x6f\x00\xd0\x6f\x0b"
               "\x7f\x00\x41\x01\x41\x02\x6a\x0b");
    wg_error err;
    wg_module *mod = dec(&m, &err);
    CHECK(mod != NULL);
    if (!mod) return;
    CHECK_EQ_INT(mod->globals[0].init.ops[0].imm, 0xFFFFFFFEu);
    CHECK_EQ_INT(mod->globals[1].init.ops[0].imm, 0x3F800000u);
    CHECK(mod->globals[2].init.ops[0].imm == 0x0807060504030201ull);
    CHECK_EQ_INT(mod->globals[3].init.ops[0].opcode, 0xD0);
    CHECK_EQ_INT(mod->globals[3].init.ops[0].imm, WG_EXTERNREF);
    CHECK_EQ_INT(mod->globals[4].init.nops, 3);
    CHECK_EQ_INT(mod->globals[4].init.ops[2].opcode, 0x6A);
    wg__module_free(mod);
}

/* ---- element and data encodings --------------------------------------------- */

WG_TEST(elem_all_encodings) {
    mbuf m = header();
    SEC(&m, 1, "\x01\x60\x00\x00");
    SEC(&m, 3, "\x02\x00\x00");
    SEC(&m, 4, "\x02\x70\x00\x01\x6f\x00\x01");
    SEC(&m, 9, "\x08"
               "\x00\x41\x00\x0b\x01\x01"                 /* 0: active t0, funcs [1] */
               "\x01\x00\x02\x00\x01"                     /* 1: passive, elemkind, [0 1] */
               "\x02\x01\x41\x03\x0b\x00\x01\x00"         /* 2: active t1, elemkind, [0] */
               "\x03\x00\x01\x01"                         /* 3: declarative, [1] */
               "\x04\x41\x00\x0b\x02\xd2\x00\x0b\xd0\x70\x0b" /* 4: active t0, exprs */
               "\x05\x6f\x01\xd0\x6f\x0b"                 /* 5: passive externref */
               "\x06\x01\x41\x00\x0b\x70\x00"             /* 6: active t1, funcref, [] */
               "\x07\x70\x01\xd2\x01\x0b");               /* 7: declarative exprs */
    SEC(&m, 10, "\x02\x02\x00\x0b\x02\x00\x0b");
    wg_error err;
    wg_module *mod = dec(&m, &err);
    CHECK(mod != NULL);
    if (!mod) {
        printf("  error: %s\n", err.message);
        return;
    }
    CHECK_EQ_INT(mod->nelems, 8);
    const wg_elem *e = mod->elems;
    CHECK(e[0].mode == WG_SEG_ACTIVE && e[0].table_idx == 0 && e[0].elem_type == WG_FUNCREF);
    CHECK(e[0].nitems == 1 && e[0].items[0].ops[0].opcode == 0xD2 && e[0].items[0].ops[0].imm == 1);
    CHECK(e[1].mode == WG_SEG_PASSIVE && e[1].nitems == 2 && e[1].items[1].ops[0].imm == 1);
    CHECK(e[2].mode == WG_SEG_ACTIVE && e[2].table_idx == 1 && e[2].offset.ops[0].imm == 3);
    CHECK(e[3].mode == WG_SEG_DECLARATIVE && e[3].nitems == 1);
    CHECK(e[4].mode == WG_SEG_ACTIVE && e[4].table_idx == 0 && e[4].nitems == 2);
    CHECK(e[4].items[1].ops[0].opcode == 0xD0 && e[4].items[1].ops[0].imm == WG_FUNCREF);
    CHECK(e[5].mode == WG_SEG_PASSIVE && e[5].elem_type == WG_EXTERNREF && e[5].nitems == 1);
    CHECK(e[6].mode == WG_SEG_ACTIVE && e[6].table_idx == 1 && e[6].nitems == 0);
    CHECK(e[7].mode == WG_SEG_DECLARATIVE && e[7].elem_type == WG_FUNCREF &&
          e[7].items[0].ops[0].imm == 1);
    wg__module_free(mod);
}

WG_TEST(elem_malformed) {
    mbuf m = header();
    SEC(&m, 9, "\x01\x08\x00");
    EXPECT_MALFORMED(&m, "malformed elements segment kind");
    m = header();
    SEC(&m, 9, "\x01\x01\x01\x00");  /* elemkind must be 0x00 */
    EXPECT_MALFORMED(&m, "malformed element kind");
    m = header();
    SEC(&m, 9, "\x01\x05\x7f\x00");  /* reftype i32 */
    EXPECT_MALFORMED(&m, "malformed reference type");
    m = header();
    SEC(&m, 9, "\x01\x05\x70\x01\xf3\x00\x0b");  /* bad opcode in an item */
    EXPECT_MALFORMED(&m, "illegal opcode");
}

WG_TEST(data_encodings) {
    mbuf m = header();
    SEC(&m, 5, "\x01\x00\x01");
    SEC(&m, 11, "\x03"
                "\x00\x41\x01\x0b\x01\x61"
                "\x01\x00"
                "\x02\x00\x41\x02\x0b\x02\x62\x63");
    wg_error err;
    wg_module *mod = dec(&m, &err);
    CHECK(mod != NULL);
    if (!mod) return;
    CHECK_EQ_INT(mod->ndatas, 3);
    CHECK(mod->datas[0].mode == WG_SEG_ACTIVE && mod->datas[0].mem_idx == 0 && mod->datas[0].len == 1);
    CHECK(mod->datas[1].mode == WG_SEG_PASSIVE && mod->datas[1].len == 0);
    CHECK(mod->datas[2].mode == WG_SEG_ACTIVE && mod->datas[2].offset.ops[0].imm == 2 &&
          mod->datas[2].len == 2 && mod->datas[2].bytes[1] == 'c');
    CHECK(!mod->has_datacount);
    wg__module_free(mod);

    m = header();
    SEC(&m, 11, "\x01\x03\x00");
    EXPECT_MALFORMED(&m, "malformed data segment kind");
    m = header();
    SEC(&m, 11, "\x01\x01\x05\x61\x62");  /* 5 bytes declared, 2 given */
    EXPECT_MALFORMED(&m, "unexpected end");
}

/* ---- custom and name sections ------------------------------------------------ */

static mbuf names_module(const char *names, size_t n, bool names_first) {
    mbuf m = header();
    mbuf payload = {.n = 0};
    PUT(&payload, "\x04\x6e\x61\x6d\x65");  /* "name" */
    put(&payload, names, n);
    if (names_first) section(&m, 0, payload.b, payload.n);
    SEC(&m, 1, "\x01\x60\x00\x00");
    SEC(&m, 2, "\x01\x01\x65\x01\x66\x00\x00");  /* import "e"."f" */
    SEC(&m, 3, "\x02\x00\x00");
    SEC(&m, 10, "\x02\x02\x00\x0b\x02\x00\x0b");
    if (!names_first) section(&m, 0, payload.b, payload.n);
    return m;
}

WG_TEST(name_section) {
    /* module name "mod"; function names 0 "imp", 2 "two" */
    static const char names[] = "\x00\x04\x03\x6d\x6f\x64"
                                "\x01\x0b\x02\x00\x03\x69\x6d\x70\x02\x03\x74\x77\x6f"
                                "\x02\x01\x00";  /* local names subsection: skipped */
    for (int first = 0; first < 2; first++) {
        mbuf m = names_module(names, sizeof names - 1, first);
        wg_error err;
        wg_module *mod = dec(&m, &err);
        CHECK(mod != NULL);
        if (!mod) {
            printf("  error: %s\n", err.message);
            continue;
        }
        CHECK(mod->module_name && strcmp(mod->module_name, "mod") == 0);
        CHECK(mod->func_names != NULL);
        if (mod->func_names) {
            CHECK(mod->func_names[0] && strcmp(mod->func_names[0], "imp") == 0);
            CHECK(mod->func_names[1] == NULL);
            CHECK(mod->func_names[2] && strcmp(mod->func_names[2], "two") == 0);
        }
        CHECK_EQ_INT(mod->ncustoms, 1);
        wg__module_free(mod);
    }
}

WG_TEST(malformed_name_section_is_ignored) {
    static const struct { const char *bytes; size_t n; } bad[] = {
        {"\x01\x04\x01\x09\x01\x61", 6},                    /* function index out of range */
        {"\x01\x07\x02\x02\x01\x61\x01\x01\x62", 9},        /* indices not increasing */
        {"\x00\x02\x01\x61\x01\x04\x01\x09\x01\x61", 10},   /* good module name, bad list */
        {"\x00\x02\x01\xff", 4},                            /* module name not UTF-8 */
        {"\x01\x03\x01\x00\x05", 5},                        /* name runs past subsection */
        {"\x01\x01\x00\x00\x02\x01\x61", 7},                /* subsections out of order */
        {"\x00\x09", 2},                                    /* subsection larger than section */
        {"\x00\x03\x01\x61\x00", 5},                        /* trailing byte in subsection */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        mbuf m = names_module(bad[i].bytes, bad[i].n, false);
        wg_error err;
        wg_module *mod = dec(&m, &err);
        CHECK(mod != NULL);
        if (!mod) continue;
        CHECK(mod->module_name == NULL);
        CHECK(mod->func_names == NULL);
        wg__module_free(mod);
    }
}

WG_TEST(custom_sections_anywhere) {
    mbuf m = header();
    SEC(&m, 0, "\x01\x61");
    SEC(&m, 1, "\x00");
    SEC(&m, 0, "\x00\x01\x02");  /* empty name */
    SEC(&m, 3, "\x00");
    SEC(&m, 0, "\x02\xc3\xa9");  /* U+00E9 */
    SEC(&m, 0, "\x01\x62");
    SEC(&m, 0, "\x01\x63");
    wg_error err;
    wg_module *mod = dec(&m, &err);
    CHECK(mod != NULL);
    if (!mod) return;
    CHECK_EQ_INT(mod->ncustoms, 5);
    CHECK_EQ_INT(mod->customs[1].name_len, 0);
    CHECK_EQ_INT(mod->customs[1].len, 2);
    CHECK_EQ_INT(mod->customs[4].name[0], 'c');
    wg__module_free(mod);
}

WG_TEST(utf8_rules) {
    static const struct { const char *s; size_t n; bool ok; } cases[] = {
        {"", 0, true},
        {"abc", 3, true},
        {"\xc2\x80", 2, true},
        {"\xdf\xbf", 2, true},
        {"\xe0\xa0\x80", 3, true},
        {"\xed\x9f\xbf", 3, true},           /* U+D7FF */
        {"\xee\x80\x80", 3, true},           /* U+E000 */
        {"\xf0\x90\x80\x80", 4, true},
        {"\xf4\x8f\xbf\xbf", 4, true},       /* U+10FFFF */
        {"\x80", 1, false},                  /* lone continuation */
        {"\xc0\x80", 2, false},              /* overlong NUL */
        {"\xc1\xbf", 2, false},
        {"\xe0\x9f\xbf", 3, false},          /* overlong 3-byte */
        {"\xed\xa0\x80", 3, false},          /* surrogate U+D800 */
        {"\xed\xbf\xbf", 3, false},          /* surrogate U+DFFF */
        {"\xf0\x8f\xbf\xbf", 4, false},      /* overlong 4-byte */
        {"\xf4\x90\x80\x80", 4, false},      /* U+110000 */
        {"\xf5\x80\x80\x80", 4, false},
        {"\xff", 1, false},
        {"\xc2", 1, false},                  /* truncated */
        {"\xe0\xa0", 2, false},
        {"\xc2\x41", 2, false},              /* bad continuation */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        mbuf m = header();
        mbuf p = {.n = 0};
        put_u32(&p, (uint32_t)cases[i].n);
        put(&p, cases[i].s, cases[i].n);
        section(&m, 0, p.b, p.n);
        wg_error err;
        wg_module *mod = dec(&m, &err);
        if (cases[i].ok) {
            CHECK(mod != NULL);
        } else {
            CHECK(mod == NULL);
            if (!mod) EXPECT_CONTAINS(err.message, "malformed UTF-8 encoding");
        }
        wg__module_free(mod);
    }
}

/* ---- malformed modules --------------------------------------------------------- */

WG_TEST(header_errors) {
    static const struct { const char *b; size_t n; const char *msg; } cases[] = {
        {"", 0, "unexpected end"},
        {"\x01", 1, "unexpected end"},
        {"\x00\x61\x73", 3, "unexpected end"},
        {"\x61\x73\x6d\x00", 4, "magic header not detected"},
        {"\x00\x61\x73\x6d\x01", 5, "unexpected end"},
        {"\x00\x61\x73\x6d\x01\x00\x00", 7, "unexpected end"},
        {"\x00\x61\x73\x6d\x00\x00\x00\x00", 8, "unknown binary version"},
        {"\x00\x61\x73\x6d\x02\x00\x00\x00", 8, "unknown binary version"},
        {"\x00\x41\x53\x4d\x01\x00\x00\x00", 8, "magic header not detected"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        mbuf m = {.n = 0};
        put(&m, cases[i].b, cases[i].n);
        expect_malformed(&m, cases[i].msg, __LINE__);
    }
}

WG_TEST(section_framing_errors) {
    mbuf m = header();
    PUT(&m, "\x0d\x01\x00");
    EXPECT_MALFORMED(&m, "malformed section id");
    m = header();
    PUT(&m, "\x80\x01\x00");
    EXPECT_MALFORMED(&m, "malformed section id");
    m = header();
    PUT(&m, "\x01\x05\x00");  /* size 5, nothing follows */
    EXPECT_MALFORMED(&m, "length out of bounds");
    m = header();
    PUT(&m, "\x01\x02\x00\x00");  /* 0 types, then one extra byte */
    EXPECT_MALFORMED(&m, "section size mismatch");
    m = header();
    PUT(&m, "\x01");  /* section id without size */
    EXPECT_MALFORMED(&m, "unexpected end");
    m = header();
    PUT(&m, "\x01\x80\x80\x80\x80\x10");  /* size with unused bits set */
    EXPECT_MALFORMED(&m, "integer too large");
    m = header();
    PUT(&m, "\x01\x80\x80\x80\x80\x80\x00");
    EXPECT_MALFORMED(&m, "integer representation too long");
    m = header();
    SEC(&m, 1, "\x02\x60\x00\x00");  /* 2 types declared, 1 given */
    EXPECT_MALFORMED(&m, "unexpected end");
}

WG_TEST(section_order) {
    mbuf m = header();
    SEC(&m, 3, "\x00");
    SEC(&m, 1, "\x00");
    EXPECT_MALFORMED(&m, "unexpected content after last section");
    m = header();
    SEC(&m, 6, "\x00");
    SEC(&m, 6, "\x00");
    EXPECT_MALFORMED(&m, "unexpected content after last section");
    m = header();
    SEC(&m, 10, "\x00");
    SEC(&m, 12, "\x00");  /* datacount must come before code */
    EXPECT_MALFORMED(&m, "unexpected content after last section");
    m = header();
    SEC(&m, 12, "\x00");  /* and after element */
    SEC(&m, 9, "\x00");
    EXPECT_MALFORMED(&m, "unexpected content after last section");
    m = header();
    SEC(&m, 9, "\x00");
    SEC(&m, 12, "\x00");
    SEC(&m, 10, "\x00");
    SEC(&m, 11, "\x00");
    wg_error err;
    wg_module *mod = dec(&m, &err);
    CHECK(mod != NULL);
    wg__module_free(mod);
}

WG_TEST(type_and_import_errors) {
    mbuf m = header();
    SEC(&m, 1, "\x01\x61\x00\x00");
    EXPECT_MALFORMED(&m, "malformed function type");
    m = header();
    SEC(&m, 1, "\x01\xe0\x7f\x00\x00");
    EXPECT_MALFORMED(&m, "integer representation too long");
    m = header();
    SEC(&m, 1, "\x01\x60\x01\x40\x00");
    EXPECT_MALFORMED(&m, "malformed value type");
    m = header();
    SEC(&m, 2, "\x01\x00\x00\x04\x00");
    EXPECT_MALFORMED(&m, "malformed import kind");
    m = header();
    SEC(&m, 2, "\x01\x00\x00\x03\x7f\x02");
    EXPECT_MALFORMED(&m, "malformed mutability");
    m = header();
    SEC(&m, 2, "\x01\x00\x00\x01\x7f\x00\x00");
    EXPECT_MALFORMED(&m, "malformed reference type");
    m = header();
    SEC(&m, 2, "\x01\x01\xff\x00\x00\x00");  /* module name not UTF-8 */
    EXPECT_MALFORMED(&m, "malformed UTF-8 encoding");
    m = header();
    SEC(&m, 2, "\x01\x00\x09\x61");  /* name longer than the section */
    EXPECT_MALFORMED(&m, "length out of bounds");
    m = header();
    SEC(&m, 7, "\x01\x00\x04\x00");
    EXPECT_MALFORMED(&m, "malformed export kind");
}

WG_TEST(limits_errors) {
    mbuf m = header();
    SEC(&m, 4, "\x01\x70\x02\x00");
    EXPECT_MALFORMED(&m, "integer too large");
    m = header();
    SEC(&m, 5, "\x01\x10\x00");
    EXPECT_MALFORMED(&m, "integer too large");
    m = header();
    SEC(&m, 5, "\x01\x81\x00\x00");
    EXPECT_MALFORMED(&m, "integer representation too long");
    m = header();
    SEC(&m, 5, "\x01\x00\x80\x80\x80\x80\x10");
    EXPECT_MALFORMED(&m, "integer too large");
    m = header();
    SEC(&m, 5, "\x01\x01\x00");  /* max missing */
    EXPECT_MALFORMED(&m, "unexpected end");
}

WG_TEST(code_section_errors) {
    mbuf m = header();
    SEC(&m, 1, "\x01\x60\x00\x00");
    SEC(&m, 3, "\x02\x00\x00");
    SEC(&m, 10, "\x01\x02\x00\x0b");
    EXPECT_MALFORMED(&m, "function and code section have inconsistent lengths");
    m = header();
    SEC(&m, 1, "\x01\x60\x00\x00");
    SEC(&m, 3, "\x01\x00");
    EXPECT_MALFORMED(&m, "function and code section have inconsistent lengths");
    m = header();
    SEC(&m, 10, "\x01\x02\x00\x0b");
    EXPECT_MALFORMED(&m, "function and code section have inconsistent lengths");
    /* too many locals: 0xFFFFFFFF i32 + 2 i64 */
    m = header();
    SEC(&m, 1, "\x01\x60\x00\x00");
    SEC(&m, 3, "\x01\x00");
    SEC(&m, 10, "\x01\x0a\x02\xff\xff\xff\xff\x0f\x7f\x02\x7e\x0b");
    EXPECT_MALFORMED(&m, "too many locals");
    /* params count too: 2 params + 49999 locals > 50000 */
    m = header();
    SEC(&m, 1, "\x01\x60\x02\x7f\x7f\x00");
    SEC(&m, 3, "\x01\x00");
    SEC(&m, 10, "\x01\x06\x01\xcf\x86\x03\x7f\x0b");
    EXPECT_MALFORMED(&m, "too many locals");
    /* exactly at the limit is fine: 2 params + 49998 locals */
    m = header();
    SEC(&m, 1, "\x01\x60\x02\x7f\x7f\x00");
    SEC(&m, 3, "\x01\x00");
    SEC(&m, 10, "\x01\x06\x01\xce\x86\x03\x7f\x0b");
    wg_error err;
    wg_module *mod = dec(&m, &err);
    CHECK(mod != NULL);
    if (mod) CHECK_EQ_INT(mod->bodies[0].nlocals, 49998);
    wg__module_free(mod);
    /* body larger than the section */
    m = header();
    SEC(&m, 1, "\x01\x60\x00\x00");
    SEC(&m, 3, "\x01\x00");
    SEC(&m, 10, "\x01\x09\x00\x0b");
    EXPECT_MALFORMED(&m, "unexpected end");
    /* bad local type */
    m = header();
    SEC(&m, 1, "\x01\x60\x00\x00");
    SEC(&m, 3, "\x01\x00");
    SEC(&m, 10, "\x01\x04\x01\x01\x40\x0b");
    EXPECT_MALFORMED(&m, "malformed value type");
    /* error context names the section, the function and the offset */
    m = header();
    SEC(&m, 1, "\x01\x60\x00\x00");
    SEC(&m, 3, "\x02\x00\x00");
    SEC(&m, 10, "\x02\x02\x00\x0b\x04\x01\x01\x40\x0b");
    mod = dec(&m, &err);
    CHECK(mod == NULL);
    EXPECT_CONTAINS(err.message, "section 10 'code', function 1, offset 0x");
    CHECK(err.offset != (size_t)-1 && err.offset < m.n && m.b[err.offset] == 0x40);
    wg__module_free(mod);
}

WG_TEST(datacount_errors) {
    mbuf m = header();
    SEC(&m, 12, "\x01");
    EXPECT_MALFORMED(&m, "data count and data section have inconsistent lengths");
    m = header();
    SEC(&m, 12, "\x02");
    SEC(&m, 11, "\x01\x01\x00");
    EXPECT_MALFORMED(&m, "data count and data section have inconsistent lengths");
    m = header();
    SEC(&m, 12, "\x00");
    wg_error err;
    wg_module *mod = dec(&m, &err);
    CHECK(mod != NULL);
    wg__module_free(mod);
}

WG_TEST(const_expr_errors) {
    mbuf m = header();
    SEC(&m, 6, "\x01\x7f\x00\x41\x00");  /* missing end */
    EXPECT_MALFORMED(&m, "unexpected end");
    m = header();
    SEC(&m, 6, "\x01\x7f\x00\x06\x0b");  /* 0x06 is not an opcode */
    EXPECT_MALFORMED(&m, "illegal opcode");
    m = header();
    SEC(&m, 6, "\x01\x7f\x00\xd0\x7f\x0b");
    EXPECT_MALFORMED(&m, "malformed reference type");
    m = header();
    SEC(&m, 6, "\x01\x7f\x00\x41\x80\x80\x80\x80\x10\x0b");
    EXPECT_MALFORMED(&m, "integer too large");
    /* a real but non-constant instruction: a validation error */
    m = header();
    SEC(&m, 6, "\x01\x7f\x00\x41\x00\x45\x0b");  /* i32.eqz */
    wg_error err;
    wg_module *mod = dec(&m, &err);
    CHECK(mod == NULL);
    CHECK_EQ_INT(err.kind, WG_ERR_INVALID);
    EXPECT_CONTAINS(err.message, "constant expression required");
    wg__module_free(mod);
}

/* ---- robustness ------------------------------------------------------------------ */

bool wg__compile_functions(wg_module *m, wg_error *err) {
    (void)m;
    (void)err;
    return true;
}

static void decode_any(const uint8_t *b, size_t n) {
    wg_error err;
    wg_module *mod = wg__decode(b, n, &err);
    if (!mod) {
        CHECK(err.kind == WG_ERR_MALFORMED || err.kind == WG_ERR_INVALID);
        CHECK(err.message[0] != '\0');
        CHECK(err.offset == (size_t)-1 || err.offset <= n);
        return;
    }
    if (!wg__validate_and_compile(mod, &err)) {
        CHECK(err.kind == WG_ERR_INVALID || err.kind == WG_ERR_MALFORMED);
        CHECK(err.message[0] != '\0');
    }
    wg__module_free(mod);
}

WG_TEST(truncation_and_bit_flips_never_crash) {
    static const char names[] = "\x00\x02\x01\x6d\x01\x07\x02\x00\x01\x61\x02\x01\x62";
    mbuf sources[2] = {full_module(), names_module(names, sizeof names - 1, true)};
    for (int s = 0; s < 2; s++) {
        const mbuf *m = &sources[s];
        /* each prefix decodes on its own heap copy, so ASan sees any overread */
        for (size_t len = 0; len <= m->n; len++) {
            uint8_t *copy = malloc(len ? len : 1);
            memcpy(copy, m->b, len);
            decode_any(copy, len);
            free(copy);
        }
        static const uint8_t flips[] = {0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80, 0xFF, 0x7F};
        uint8_t *copy = malloc(m->n);
        for (size_t i = 0; i < m->n; i++) {
            for (size_t f = 0; f < sizeof flips; f++) {
                memcpy(copy, m->b, m->n);
                copy[i] ^= flips[f];
                decode_any(copy, m->n);
            }
        }
        /* a deterministic pseudo-random sweep of multi-byte damage */
        uint32_t seed = 12345;
        for (int iter = 0; iter < 20000; iter++) {
            memcpy(copy, m->b, m->n);
            for (int k = 0; k < 3; k++) {
                seed = seed * 1103515245u + 12345u;
                size_t pos = (seed >> 8) % m->n;
                seed = seed * 1103515245u + 12345u;
                copy[pos] = (uint8_t)(seed >> 16);
            }
            decode_any(copy, m->n);
        }
        free(copy);
    }
}

WG_TEST(huge_counts_do_not_allocate) {
    /* counts of 2^32-1 with almost no bytes behind them */
    static const uint8_t secs[] = {1, 2, 3, 4, 5, 6, 7, 9, 10, 11};
    for (size_t i = 0; i < sizeof secs; i++) {
        mbuf m = header();
        SEC(&m, secs[i], "\xff\xff\xff\xff\x0f\x00");
        wg_error err;
        wg_module *mod = dec(&m, &err);
        CHECK(mod == NULL);
        CHECK_EQ_INT(err.kind, WG_ERR_MALFORMED);
        wg__module_free(mod);
    }
}

WG_TEST(free_null) { wg__module_free(NULL); }

WG_TEST_MAIN()
