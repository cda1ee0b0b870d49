/* Unit tests of the TOML parser API (src/toml/toml.h): lookups, positions of
 * keys and values, error positions, limits, hostile input, big documents. */
#include "toml/toml.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "wg_test.h"

static char err[256];

static wg_toml_value *parse(const char *s) {
    return wg_toml_parse(s, strlen(s), err, sizeof err);
}

/* Parses s, which must fail with an error starting with prefix ("L:C: ..."). */
static void expect_error(const char *s, size_t len, const char *prefix, int line) {
    wg_toml_value *v = wg_toml_parse(s, len, err, sizeof err);
    if (v) {
        char m[300];
        snprintf(m, sizeof m, "line %d: accepted, expected error \"%s\"", line, prefix);
        wg_test_fail(__FILE__, line, m);
        wg_toml_free(v);
        return;
    }
    if (strncmp(err, prefix, strlen(prefix)) != 0) {
        char m[600];
        snprintf(m, sizeof m, "error \"%s\" starts with \"%s\"", err, prefix);
        wg_test_fail(__FILE__, line, m);
    }
}
#define EXPECT_ERROR(s, prefix) expect_error((s), strlen(s), (prefix), __LINE__)

/* A malloc'ed string: s repeated n times. */
static char *repeat(const char *s, size_t n) {
    size_t len = strlen(s);
    char *r = malloc(len * n + 1);
    if (!r) abort();
    for (size_t i = 0; i < n; i++) memcpy(r + i * len, s, len);
    r[len * n] = '\0';
    return r;
}

WG_TEST(toml_get_scalars) {
    wg_toml_value *root = parse("s = \"hi\"\ni = -42\nf = 6.5e-1\nb = true\n"
                                "d = 1979-05-27\nt = 07:32:00.999\n"
                                "dt = 1979-05-27 07:32:00z\nl = 1979-05-27t07:32:00\n");
    CHECK(root != NULL);
    if (!root) return;
    CHECK_EQ_INT(root->type, WG_TOML_TABLE);
    CHECK_EQ_INT(root->u.table.n, 8);
    const wg_toml_value *v = wg_toml_get(root, "s", NULL);
    CHECK(v && v->type == WG_TOML_STRING && v->u.str.len == 2 && strcmp(v->u.str.ptr, "hi") == 0);
    v = wg_toml_get(root, "i", NULL);
    CHECK(v && v->type == WG_TOML_INTEGER && v->u.integer == -42);
    v = wg_toml_get(root, "f", NULL);
    CHECK(v && v->type == WG_TOML_FLOAT && v->u.flt == 0.65);
    v = wg_toml_get(root, "b", NULL);
    CHECK(v && v->type == WG_TOML_BOOL && v->u.boolean);
    v = wg_toml_get(root, "d", NULL);
    CHECK(v && v->type == WG_TOML_DATE_LOCAL && strcmp(v->u.datetime, "1979-05-27") == 0);
    v = wg_toml_get(root, "t", NULL);
    CHECK(v && v->type == WG_TOML_TIME_LOCAL && strcmp(v->u.datetime, "07:32:00.999") == 0);
    v = wg_toml_get(root, "dt", NULL);  /* normalised: 'T' and 'Z' */
    CHECK(v && v->type == WG_TOML_DATETIME && strcmp(v->u.datetime, "1979-05-27T07:32:00Z") == 0);
    v = wg_toml_get(root, "l", NULL);
    CHECK(v && v->type == WG_TOML_DATETIME_LOCAL &&
          strcmp(v->u.datetime, "1979-05-27T07:32:00") == 0);
    CHECK(wg_toml_get(root, "missing", NULL) == NULL);
    CHECK(wg_toml_get(wg_toml_get(root, "i", NULL), "x", NULL) == NULL);  /* not a table */
    CHECK(wg_toml_get(NULL, "x", NULL) == NULL);
    wg_toml_free(root);
    wg_toml_free(NULL);
}

WG_TEST(toml_type_names) {
    CHECK(strcmp(wg_toml_type_name(WG_TOML_STRING), "string") == 0);
    CHECK(strcmp(wg_toml_type_name(WG_TOML_DATETIME), "datetime") == 0);
    CHECK(strcmp(wg_toml_type_name(WG_TOML_DATETIME_LOCAL), "datetime-local") == 0);
    CHECK(strcmp(wg_toml_type_name(WG_TOML_DATE_LOCAL), "date-local") == 0);
    CHECK(strcmp(wg_toml_type_name(WG_TOML_TIME_LOCAL), "time-local") == 0);
    CHECK(strcmp(wg_toml_type_name(WG_TOML_TABLE), "table") == 0);
}

WG_TEST(toml_tables_nested_and_in_order) {
    wg_toml_value *root = parse("z = 1\n[server]\nport = 8080\nhost.name = \"x\"\n"
                                "[[route]]\npath = \"/a\"\n[[route]]\npath = \"/b\"\n"
                                "[route.opts]\nk = {a = [1, 2], b.c = 3}\n");
    CHECK(root != NULL);
    if (!root) return;
    CHECK(strcmp(root->u.table.kvs[0].key, "z") == 0);
    CHECK(strcmp(root->u.table.kvs[1].key, "server") == 0);
    CHECK(strcmp(root->u.table.kvs[2].key, "route") == 0);
    const wg_toml_value *server = wg_toml_get(root, "server", NULL);
    const wg_toml_value *host = wg_toml_get(server, "host", NULL);
    const wg_toml_value *name = wg_toml_get(host, "name", NULL);
    CHECK(name && strcmp(name->u.str.ptr, "x") == 0);
    const wg_toml_value *route = wg_toml_get(root, "route", NULL);
    CHECK(route && route->type == WG_TOML_ARRAY && route->u.array.n == 2);
    if (!route || route->u.array.n != 2) goto out;
    const wg_toml_value *r1 = route->u.array.items[1];
    CHECK(strcmp(wg_toml_get(r1, "path", NULL)->u.str.ptr, "/b") == 0);
    const wg_toml_value *k = wg_toml_get(wg_toml_get(r1, "opts", NULL), "k", NULL);
    CHECK(k && k->type == WG_TOML_TABLE);
    const wg_toml_value *a = wg_toml_get(k, "a", NULL);
    CHECK(a && a->type == WG_TOML_ARRAY && a->u.array.n == 2 && a->u.array.items[1]->u.integer == 2);
    const wg_toml_value *c = wg_toml_get(wg_toml_get(k, "b", NULL), "c", NULL);
    CHECK(c && c->u.integer == 3);
    CHECK(wg_toml_get(route->u.array.items[0], "opts", NULL) == NULL);
out:
    wg_toml_free(root);
}

WG_TEST(toml_positions_of_keys_and_values) {
    /* CRLF line ends; columns count bytes from 1. */
    wg_toml_value *root = parse("# c\r\n  port =  80\r\n[srv]\r\n\"q k\" = [\r\n  1,\r\n   2]\r\n"
                                "[a.b]\n  x.y = 'v'\n");
    CHECK(root != NULL);
    if (!root) return;
    const wg_toml_kv *kv;
    const wg_toml_value *v = wg_toml_get(root, "port", &kv);
    CHECK(v && kv && kv->value == v);
    if (!v || !kv) goto out;
    CHECK_EQ_INT(kv->line, 2);
    CHECK_EQ_INT(kv->col, 3);
    CHECK_EQ_INT(v->line, 2);
    CHECK_EQ_INT(v->col, 11);
    const wg_toml_value *srv = wg_toml_get(root, "srv", &kv);
    CHECK_EQ_INT(srv->line, 3);   /* a table: where its header starts */
    CHECK_EQ_INT(srv->col, 1);
    CHECK_EQ_INT(kv->line, 3);
    CHECK_EQ_INT(kv->col, 2);
    v = wg_toml_get(srv, "q k", &kv);
    CHECK(v && v->type == WG_TOML_ARRAY);
    if (!v) goto out;
    CHECK_EQ_INT(kv->line, 4);
    CHECK_EQ_INT(kv->col, 1);
    CHECK_EQ_INT(v->line, 4);
    CHECK_EQ_INT(v->col, 9);
    CHECK_EQ_INT(v->u.array.items[0]->line, 5);
    CHECK_EQ_INT(v->u.array.items[0]->col, 3);
    CHECK_EQ_INT(v->u.array.items[1]->line, 6);
    CHECK_EQ_INT(v->u.array.items[1]->col, 4);
    const wg_toml_value *b = wg_toml_get(wg_toml_get(root, "a", NULL), "b", NULL);
    v = wg_toml_get(wg_toml_get(b, "x", NULL), "y", &kv);
    CHECK(v != NULL);
    if (!v) goto out;
    CHECK_EQ_INT(kv->line, 8);
    CHECK_EQ_INT(kv->col, 5);
    CHECK_EQ_INT(v->line, 8);
    CHECK_EQ_INT(v->col, 9);
out:
    wg_toml_free(root);
}

WG_TEST(toml_error_positions) {
    EXPECT_ERROR("a = 1\nb = \n", "2:5: missing value");
    EXPECT_ERROR("a = 1\na = 2\n", "2:1: key 'a' is already defined");
    EXPECT_ERROR("[t]\nx = 1\n[t]\n", "3:2: table 't' is already defined");
    EXPECT_ERROR("x = \"ab\\qc\"\n", "1:8: invalid escape");
    EXPECT_ERROR("x = \"\\uD800\"\n", "1:6: \\uD800 is not a Unicode scalar value");
    EXPECT_ERROR("x = 1 2\n", "1:7: expected end of line");
    EXPECT_ERROR("x = [1 2]\n", "1:8: expected ',' or ']'");
    EXPECT_ERROR("x = \"abc\n", "1:9: newline in a single-line string");
    EXPECT_ERROR("\n\nx = \"\"\"abc\n", "3:5: unterminated string");
    EXPECT_ERROR("x = 2021-02-29\n", "1:5: invalid date: day 29 of month 2");
    EXPECT_ERROR("x = {a = 1,}\n", "1:12: trailing comma");
    EXPECT_ERROR("x = {a = 1\n}\n", "1:11: expected ',' or '}'");
    EXPECT_ERROR("a = {b = 1}\n[a.c]\n", "2:2: key 'a' is already defined as an inline table");
    EXPECT_ERROR("[a]\nb.c = 1\n[a.b]\n", "3:4: table 'b' is already defined");
    EXPECT_ERROR("a = []\n[[a]]\n", "2:3: cannot define 'a' as an array of tables");
    EXPECT_ERROR("[a.b]\nx = 1\n[a]\nb.y = 2\n", "4:1: cannot add keys to already defined table 'b'");
    EXPECT_ERROR("a = 1\nb = 0x8000000000000000\n", "2:5: integer does not fit in 64 bits");
    EXPECT_ERROR("  = 1\n", "1:3: expected a key");
}

WG_TEST(toml_empty_and_bom) {
    wg_toml_value *v = wg_toml_parse("", 0, err, sizeof err);
    CHECK(v && v->type == WG_TOML_TABLE && v->u.table.n == 0);
    wg_toml_free(v);
    v = wg_toml_parse(NULL, 0, err, sizeof err);
    CHECK(v && v->u.table.n == 0);
    wg_toml_free(v);
    v = parse("\xEF\xBB\xBFk = 1\n");
    CHECK(v && wg_toml_get(v, "k", NULL) && wg_toml_get(v, "k", NULL)->u.integer == 1);
    wg_toml_free(v);
    EXPECT_ERROR("k = 1\n\xEF\xBB\xBF", "2:1: ");   /* a BOM only at the start */
}

WG_TEST(toml_nul_in_strings) {
    wg_toml_value *root = parse("s = \"a\\u0000b\"\n\"k\\u0000\" = 1\n");
    CHECK(root != NULL);
    if (!root) return;
    const wg_toml_value *s = wg_toml_get(root, "s", NULL);
    CHECK(s && s->u.str.len == 3 && memcmp(s->u.str.ptr, "a\0b", 4) == 0);
    CHECK_EQ_INT(root->u.table.kvs[1].key_len, 2);
    CHECK(memcmp(root->u.table.kvs[1].key, "k\0", 3) == 0);
    CHECK(wg_toml_get(root, "k", NULL) == NULL);   /* not the same key */
    wg_toml_free(root);
    /* raw NUL bytes are rejected, with their position */
    expect_error("a = 1\nb = \"x\0\"\n", 14, "2:7: control character U+0000", __LINE__);
    expect_error("a = 1\0", 6, "1:6: control character U+0000", __LINE__);
}

WG_TEST(toml_strings_and_escapes) {
    wg_toml_value *root = parse("a = \"\\b\\t\\n\\f\\r\\\"\\\\\\u00e9\\U0001F600\"\n"
                                "b = \"\"\"\nl1\\\n    l2 \\  \n\n  l3\"\"\"\"\"\n"
                                "c = '''\r\nx\r\ny'''\nd = 'C:\\path'\n");
    CHECK(root != NULL);
    if (!root) return;
    const wg_toml_value *v = wg_toml_get(root, "a", NULL);
    CHECK(v && v->u.str.len == 7 + 2 + 4 && memcmp(v->u.str.ptr, "\b\t\n\f\r\"\\\xC3\xA9\xF0\x9F\x98\x80", 13) == 0);
    v = wg_toml_get(root, "b", NULL);
    CHECK(v && strcmp(v->u.str.ptr, "l1l2 l3\"\"") == 0);
    v = wg_toml_get(root, "c", NULL);
    CHECK(v && strcmp(v->u.str.ptr, "x\ny") == 0);
    v = wg_toml_get(root, "d", NULL);
    CHECK(v && strcmp(v->u.str.ptr, "C:\\path") == 0);
    wg_toml_free(root);
    EXPECT_ERROR("a = \"\\UFFFFFFFF\"", "1:6: \\UFFFFFFFF is not a Unicode scalar value");
    EXPECT_ERROR("a = \"\\u12\"", "1:6: \\u needs 4 hexadecimal digits");
    EXPECT_ERROR("a = \"\"\"x\"\"\"\"\"\"", "1:");
    EXPECT_ERROR("a = \"\\e\"", "1:6: invalid escape");  /* TOML 1.1, not 1.0 */
}

WG_TEST(toml_numbers) {
    wg_toml_value *root = parse("a = 9223372036854775807\nb = -9223372036854775808\n"
                                "c = 0x7FFF_FFFF_FFFF_FFFF\nd = 0o17\ne = 0b1010\nf = 1_000\n"
                                "g = -inf\nh = nan\ni = 1e308\nj = -0.0\nk = 5e-324\n");
    CHECK(root != NULL);
    if (!root) return;
    CHECK(wg_toml_get(root, "a", NULL)->u.integer == INT64_MAX);
    CHECK(wg_toml_get(root, "b", NULL)->u.integer == INT64_MIN);
    CHECK(wg_toml_get(root, "c", NULL)->u.integer == INT64_MAX);
    CHECK(wg_toml_get(root, "d", NULL)->u.integer == 15);
    CHECK(wg_toml_get(root, "e", NULL)->u.integer == 10);
    CHECK(wg_toml_get(root, "f", NULL)->u.integer == 1000);
    CHECK(isinf(wg_toml_get(root, "g", NULL)->u.flt) && wg_toml_get(root, "g", NULL)->u.flt < 0);
    CHECK(isnan(wg_toml_get(root, "h", NULL)->u.flt));
    CHECK(wg_toml_get(root, "i", NULL)->u.flt == 1e308);
    CHECK(signbit(wg_toml_get(root, "j", NULL)->u.flt));
    CHECK(wg_toml_get(root, "k", NULL)->u.flt > 0);
    wg_toml_free(root);
    EXPECT_ERROR("a = 9223372036854775808", "1:5: integer does not fit in 64 bits");
    EXPECT_ERROR("a = -9223372036854775809", "1:5: integer does not fit in 64 bits");
    EXPECT_ERROR("a = 99999999999999999999999999999999999999", "1:5: integer does not fit");
    EXPECT_ERROR("a = 0b1111111111111111111111111111111111111111111111111111111111111111",
                 "1:5: integer does not fit");
    EXPECT_ERROR("a = 1e400", "1:5: float out of range");
    EXPECT_ERROR("a = 01", "1:5: leading zeros");
    EXPECT_ERROR("a = 1__0", "1:5: invalid number");
    EXPECT_ERROR("a = .5", "1:5: expected a value");
    EXPECT_ERROR("a = 5.", "1:5: a decimal point must be followed by digits");
    EXPECT_ERROR("a = +0x1", "1:5: a hexadecimal integer cannot have a sign");
}

WG_TEST(toml_dates) {
    wg_toml_value *root = parse("a = 2000-02-29\nb = 1990-12-31T23:59:60Z\n"
                                "c = 1979-05-27T00:32:00.999999-07:00\n");
    CHECK(root != NULL);
    if (root) {
        CHECK(strcmp(wg_toml_get(root, "c", NULL)->u.datetime, "1979-05-27T00:32:00.999999-07:00") == 0);
    }
    wg_toml_free(root);
    EXPECT_ERROR("a = 1900-02-29", "1:5: invalid date: day 29 of month 2");
    EXPECT_ERROR("a = 2000-13-01", "1:5: invalid date: month 13");
    EXPECT_ERROR("a = 24:00:00", "1:5: invalid time: hour 24");
    EXPECT_ERROR("a = 23:00:61", "1:5: invalid time: second 61");
    EXPECT_ERROR("a = 23:00", "1:5: invalid time: seconds are required");
    EXPECT_ERROR("a = 2000-01-01T00:00:00+24:00", "1:5: invalid time offset");
    EXPECT_ERROR("a = 00:00:00Z", "1:13: expected end of line");
}

WG_TEST(toml_invalid_utf8) {
    EXPECT_ERROR("a = \"\xC0\xAF\"", "1:6: invalid UTF-8");               /* overlong */
    EXPECT_ERROR("# \xED\xA0\x80\n", "1:3: invalid UTF-8");                 /* surrogate */
    EXPECT_ERROR("a = 1\n# \xF4\x90\x80\x80", "2:3: invalid UTF-8");       /* > U+10FFFF */
    EXPECT_ERROR("a = 'x\xE2\x82", "1:7: invalid UTF-8 (truncated");
    EXPECT_ERROR("a = 1\rb = 2", "1:6: carriage return");
    EXPECT_ERROR("a = \"\x7F\"", "1:6: control character U+007F");
    wg_toml_value *v = parse("\"\xE2\x82\xAC\" = '\xF0\x9F\x98\x80'\n");
    CHECK(v && wg_toml_get(v, "\xE2\x82\xAC", NULL) != NULL);
    wg_toml_free(v);
}

WG_TEST(toml_nesting_limit) {
    char *open = repeat("[", WG_TOML_MAX_DEPTH + 1), *close = repeat("]", WG_TOML_MAX_DEPTH + 1);
    size_t n = strlen(open) * 2 + 16;
    char *doc = malloc(n);
    if (!doc) abort();
    /* a = [[...]] with MAX_DEPTH brackets: a is at depth 1, the innermost
     * array at depth MAX_DEPTH: accepted */
    snprintf(doc, n, "a = %s%s", open + 1, close + 1);
    wg_toml_value *v = parse(doc);
    CHECK(v != NULL);
    wg_toml_free(v);
    /* one more level: rejected */
    snprintf(doc, n, "a = %s%s", open, close);
    v = parse(doc);
    CHECK(v == NULL);
    CHECK_STR_CONTAINS(err, "nesting deeper than 128 levels");
    wg_toml_free(v);
    free(doc);
    free(open);
    free(close);

    /* a million '[' or '{': an error, not a stack overflow */
    char *deep = repeat("[", 1000000);
    memcpy(deep, "a =", 3);
    v = parse(deep);
    CHECK(v == NULL);
    CHECK_STR_CONTAINS(err, "nesting deeper");
    free(deep);
    deep = repeat("{b=", 300000);
    memcpy(deep, "a =", 3);
    v = parse(deep);
    CHECK(v == NULL);
    CHECK_STR_CONTAINS(err, "nesting deeper");
    free(deep);

    /* long dotted keys and headers count as nesting too */
    char *keys = repeat("k.", 100000);
    size_t klen = strlen(keys);
    doc = malloc(klen + 16);
    if (!doc) abort();
    snprintf(doc, klen + 16, "%sz = 1", keys);
    v = parse(doc);
    CHECK(v == NULL);
    CHECK_STR_CONTAINS(err, "nesting deeper");
    snprintf(doc, klen + 16, "[%sz]", keys);
    v = parse(doc);
    CHECK(v == NULL);
    CHECK_STR_CONTAINS(err, "nesting deeper");
    snprintf(doc, klen + 16, "[[%sz]]", keys);
    v = parse(doc);
    CHECK(v == NULL);
    CHECK_STR_CONTAINS(err, "nesting deeper");
    free(doc);
    free(keys);
}

WG_TEST(toml_big_documents) {
    enum { N = 200000 };
    size_t cap = (size_t)N * 32;
    char *doc = malloc(cap);
    if (!doc) abort();
    size_t len = 0;
    for (int i = 0; i < N; i++) len += (size_t)snprintf(doc + len, cap - len, "key%d = %d\n", i, i);
    wg_toml_value *v = wg_toml_parse(doc, len, err, sizeof err);
    CHECK(v && v->u.table.n == N);
    if (v) {
        const wg_toml_kv *kv;
        const wg_toml_value *x = wg_toml_get(v, "key123456", &kv);
        CHECK(x && x->u.integer == 123456 && kv->line == 123457);
        CHECK(wg_toml_get(v, "key200000", NULL) == NULL);
    }
    wg_toml_free(v);
    /* a duplicate at the very end is still found (through the hash index) */
    len += (size_t)snprintf(doc + len, cap - len, "key7 = 1\n");
    v = wg_toml_parse(doc, len, err, sizeof err);
    CHECK(v == NULL);
    CHECK_STR_CONTAINS(err, "200001:1: key 'key7' is already defined");

    /* a long array and many [[tables]] */
    len = (size_t)snprintf(doc, cap, "a = [");
    for (int i = 0; i < N; i++) len += (size_t)snprintf(doc + len, cap - len, "%d,", i);
    len += (size_t)snprintf(doc + len, cap - len, "]\n");
    for (int i = 0; i < N / 4; i++) len += (size_t)snprintf(doc + len, cap - len, "[[t]]\nx = %d\n", i);
    v = wg_toml_parse(doc, len, err, sizeof err);
    CHECK(v != NULL);
    if (v) {
        const wg_toml_value *a = wg_toml_get(v, "a", NULL), *t = wg_toml_get(v, "t", NULL);
        CHECK(a && a->u.array.n == N && a->u.array.items[N - 1]->u.integer == N - 1);
        CHECK(t && t->u.array.n == N / 4);
    }
    wg_toml_free(v);
    free(doc);
}

WG_TEST(toml_every_prefix_and_small_err_buffers) {
    /* Every prefix of a document parses or fails cleanly (ASan watches),
     * and a tiny or absent error buffer is fine. */
    const char *doc = "# manifest\n[server]\nport = 8080\nname = \"gw \\u00e9\"\n"
                      "tags = ['a', \"\"\"b\n\"\"\", 1.5e3, 1979-05-27T07:32:00Z]\n"
                      "[[route]]\npath = '/x'\nlimits = { rps = 10, burst.max = 0x20 }\n";
    size_t n = strlen(doc);
    int ok = 0;
    for (size_t i = 0; i <= n; i++) {
        char *copy = malloc(i ? i : 1);   /* exact size: ASan catches over-reads */
        if (!copy) abort();
        memcpy(copy, doc, i);
        char small[4];
        wg_toml_value *v = wg_toml_parse(copy, i, small, sizeof small);
        if (v) ok++;
        else CHECK(memchr(small, '\0', sizeof small) != NULL);
        wg_toml_free(v);
        v = wg_toml_parse(copy, i, NULL, 0);
        wg_toml_free(v);
        free(copy);
    }
    CHECK(ok > 0);
    wg_toml_value *v = parse(doc);
    CHECK(v != NULL);
    wg_toml_free(v);
}

WG_TEST(toml_redefinitions) {
    const char *bad[] = {
        "a = 1\na = 2",
        "a = 1\na.b = 2",
        "a.b = 1\na = 2",
        "[a]\n[a]",
        "a = {}\n[a]",
        "a = {b = 1}\na.c = 2",
        "a = {b = {c = 1}}\n[a.b.d]",
        "[[a]]\n[a]",
        "[a]\n[[a]]",
        "a = [1]\n[[a]]",
        "a = [{}]\n[a.b]",
        "a.b = 1\n[a]",
        "[a.b.c]\nz = 1\n[a]\nb.c.t = 1",
        "[[a.b]]\n[a]\nb.y = 2",
        "a = {b.c = 1, b.c = 2}",
        "a = {b = 1, b.c = 2}",
        "[t]\n\"t\" = 1\n[t.t]",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        wg_toml_value *v = parse(bad[i]);
        if (v) {
            char m[200];
            snprintf(m, sizeof m, "accepted: %s", bad[i]);
            wg_test_fail(__FILE__, __LINE__, m);
        }
        wg_toml_free(v);
    }
    const char *good[] = {
        "[a.b]\n[a]",
        "[a]\nb.c = 1\nb.d = 2\n[a.b.e]",
        "[[a]]\n[a.b]\n[[a]]\n[a.b]",
        "a = {b.c = 1, b.d = 2}",
        "[a.b.c]\n[a]\nd = 1",
        "[fruit]\napple.color = 'red'\n[[fruit.apple.seeds]]\nsize = 2",
    };
    for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
        wg_toml_value *v = parse(good[i]);
        if (!v) {
            char m[400];
            snprintf(m, sizeof m, "rejected: %s (%s)", good[i], err);
            wg_test_fail(__FILE__, __LINE__, m);
        }
        wg_toml_free(v);
    }
}

WG_TEST_MAIN()
