/*
 * Unit tests of `wasmgate run`'s option parsers (src/cli/run_opts.c):
 * --max-memory sizes and suffixes, --timeout seconds, --max-open-files
 * counts, --dir specs (guest names, the :ro suffix and its corner cases),
 * --env specs.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli/run_opts.h"
#include "wg_test.h"

static uint64_t size_ok(const char *text) {
    uint64_t v = 0;
    const char *why = cli_parse_size(text, &v);
    if (why) {
        char m[256];
        snprintf(m, sizeof m, "size '%s' failed: %s", text, why);
        wg_test_fail(__FILE__, __LINE__, m);
    }
    return v;
}

static void size_fails(const char *text, const char *phrase) {
    uint64_t v = 0;
    const char *why = cli_parse_size(text, &v);
    if (!why) {
        char m[256];
        snprintf(m, sizeof m, "size '%s' succeeded (%llu)", text, (unsigned long long)v);
        wg_test_fail(__FILE__, __LINE__, m);
        return;
    }
    CHECK_STR_CONTAINS(why, phrase);
}

WG_TEST(sizes) {
    CHECK(size_ok("1") == 1);
    CHECK(size_ok("65536") == 65536);
    CHECK(size_ok("64K") == 65536);
    CHECK(size_ok("64k") == 65536);
    CHECK(size_ok("64KiB") == 65536);
    CHECK(size_ok("64kib") == 65536);
    CHECK(size_ok("1M") == 1048576);
    CHECK(size_ok("3MiB") == 3 * 1048576ULL);
    CHECK(size_ok("4G") == 4ULL << 30);
    CHECK(size_ok("4GiB") == 4ULL << 30);
    CHECK(size_ok("18446744073709551615") == UINT64_MAX);
    CHECK(size_ok("17179869183G") == 17179869183ULL << 30);
    size_fails("", "expected a number");
    size_fails("-1", "expected a number");
    size_fails("0", "at least 1 byte");
    size_fails("0M", "at least 1 byte");
    size_fails("18446744073709551616", "too large");
    size_fails("17179869184G", "too large");
    size_fails("1.5M", "unknown suffix");
    size_fails("1MB", "unknown suffix");
    size_fails("1 M", "unknown suffix");
    size_fails("10T", "unknown suffix");
}

static double seconds_ok(const char *text) {
    double v = -1;
    const char *why = cli_parse_seconds(text, &v);
    if (why) {
        char m[256];
        snprintf(m, sizeof m, "seconds '%s' failed: %s", text, why);
        wg_test_fail(__FILE__, __LINE__, m);
    }
    return v;
}

static void seconds_fail(const char *text, const char *phrase) {
    double v = -1;
    const char *why = cli_parse_seconds(text, &v);
    if (!why) {
        char m[256];
        snprintf(m, sizeof m, "seconds '%s' succeeded (%g)", text, v);
        wg_test_fail(__FILE__, __LINE__, m);
        return;
    }
    CHECK_STR_CONTAINS(why, phrase);
}

WG_TEST(seconds) {
    CHECK(seconds_ok("10") == 10.0);
    CHECK(seconds_ok("0.5") == 0.5);
    CHECK(seconds_ok(".25") == 0.25);
    CHECK(seconds_ok("3.") == 3.0);
    CHECK(seconds_ok("1000000000") == 1e9);
    seconds_fail("0", "more than 0");
    seconds_fail("0.000", "more than 0");
    seconds_fail("", "decimal number");
    seconds_fail(".", "decimal number");
    seconds_fail("-1", "decimal number");
    seconds_fail("1e3", "decimal number");
    seconds_fail("0x10", "decimal number");
    seconds_fail("inf", "decimal number");
    seconds_fail("5s", "decimal number");
    seconds_fail("1000000001", "too large");
}

/* --max-open-files N: the value, or fails with a phrase. */
static void open_files_is(const char *text, uint64_t want) {
    uint64_t v = 12345;
    const char *why = cli_parse_open_files(text, &v);
    if (why || v != want) {
        char m[256];
        snprintf(m, sizeof m, "open files '%s': %s (got %llu, want %llu)", text, why ? why : "ok",
                 (unsigned long long)v, (unsigned long long)want);
        wg_test_fail(__FILE__, __LINE__, m);
    }
}

static void open_files_fail(const char *text, const char *phrase) {
    uint64_t v = 12345;
    const char *why = cli_parse_open_files(text, &v);
    if (!why) {
        char m[256];
        snprintf(m, sizeof m, "open files '%s' succeeded (%llu)", text, (unsigned long long)v);
        wg_test_fail(__FILE__, __LINE__, m);
        return;
    }
    CHECK_STR_CONTAINS(why, phrase);
    CHECK(v == 12345); /* untouched on failure */
}

WG_TEST(open_files) {
    open_files_is("0", 0);
    open_files_is("10", 10);
    open_files_is("256", 256);
    open_files_is("007", 7);
    open_files_is("1048576", 1048576);
    open_files_fail("1048577", "too large");
    open_files_fail("99999999999999999999999", "too large");
    open_files_fail("", "expected a number");
    open_files_fail("-1", "expected a number");
    open_files_fail("+5", "expected a number");
    open_files_fail("1.5", "expected a number");
    open_files_fail("10k", "expected a number");
    open_files_fail("0x10", "expected a number");
    open_files_fail(" 5", "expected a number");
}

/* Parses spec; checks host, guest and read_only. */
static void dir_is(const char *spec, const char *host, const char *guest, bool ro) {
    cli_dir_spec d;
    const char *why = cli_parse_dir(spec, &d);
    char m[512];
    if (why) {
        snprintf(m, sizeof m, "dir '%s' failed: %s", spec, why);
        wg_test_fail(__FILE__, __LINE__, m);
        return;
    }
    if (strcmp(d.host, host) != 0 || strcmp(d.guest, guest) != 0 || d.read_only != ro) {
        snprintf(m, sizeof m, "dir '%s' gave host '%s' guest '%s' ro %d, wanted '%s' '%s' %d", spec,
                 d.host, d.guest, d.read_only, host, guest, ro);
        wg_test_fail(__FILE__, __LINE__, m);
    }
}

static void dir_fails(const char *spec, const char *phrase) {
    cli_dir_spec d;
    const char *why = cli_parse_dir(spec, &d);
    if (!why) {
        char m[256];
        snprintf(m, sizeof m, "dir '%s' succeeded", spec);
        wg_test_fail(__FILE__, __LINE__, m);
        return;
    }
    CHECK_STR_CONTAINS(why, phrase);
}

WG_TEST(dirs) {
    dir_is("data", "data", "data", false);
    dir_is("./data", "./data", "./data", false);
    dir_is("/srv/data::/data", "/srv/data", "/data", false);
    dir_is("/srv/data::/", "/srv/data", "/", false);
    dir_is("data:ro", "data", "data", true);
    dir_is("/srv/data::/data:ro", "/srv/data", "/data", true);
    dir_is("a:b", "a:b", "a:b", false);          /* a single ':' is part of the path */
    dir_is("a:b::c:d", "a:b", "c:d", false);
    dir_is("data::ro", "data", "ro", false);     /* "::ro" is the guest name ro */
    dir_is("data::ro:ro", "data", "ro", true);
    dir_is("x::y::z", "x", "y::z", false);       /* HOST ends at the first "::" */
    dir_is("x:ro::x", "x:ro", "x", false);       /* a HOST ending in :ro needs ::GUEST */
    dir_fails("", "empty HOST");
    dir_fails("::/data", "empty HOST");
    dir_fails("data::", "empty GUEST");
    dir_is("data:::ro", "data", ":ro", false); /* no :ro suffix after a ":" */
    char big[5000];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    dir_fails(big, "too long");
}

WG_TEST(envs) {
    cli_env_spec e;
    CHECK(cli_parse_env("A=1", &e) == NULL);
    CHECK(strcmp(e.name, "A") == 0 && e.value && strcmp(e.value, "1") == 0);
    free(e.name);
    CHECK(cli_parse_env("EMPTY=", &e) == NULL);
    CHECK(strcmp(e.name, "EMPTY") == 0 && e.value && *e.value == '\0');
    free(e.name);
    CHECK(cli_parse_env("EQ=a=b", &e) == NULL);
    CHECK(strcmp(e.name, "EQ") == 0 && strcmp(e.value, "a=b") == 0);
    free(e.name);
    CHECK(cli_parse_env("HOME", &e) == NULL);
    CHECK(strcmp(e.name, "HOME") == 0 && e.value == NULL);
    free(e.name);
    CHECK(cli_parse_env("NL=two\nlines", &e) == NULL);
    CHECK(strcmp(e.value, "two\nlines") == 0);
    free(e.name);
    const char *why = cli_parse_env("=x", &e);
    CHECK(why && strstr(why, "empty variable NAME"));
    CHECK(e.name == NULL);
    why = cli_parse_env("", &e);
    CHECK(why && strstr(why, "empty variable NAME"));
}

WG_TEST_MAIN()
