/*
 * Tests for the manifest loader (src/gateway/manifest.c): manifests are
 * written into a fresh mkdtemp directory (/tmp/manifest-XXXXXX) with the
 * .wasm files and folders they name, then loaded with wg__app_load. Every
 * error is checked with its "FILE:LINE:" position.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gateway/app.h"
#include "wg_test.h"

/* ---- scratch directories --------------------------------------------------- */

typedef struct scratch {
    char dir[64];            /* the mkdtemp directory, realpath'd */
    char path[256];          /* the last manifest written */
    wg_error err;
} scratch;

static void scratch_open(scratch *s) {
    char tmpl[] = "/tmp/manifest-XXXXXX";
    char *d = mkdtemp(tmpl);
    CHECK(d != NULL);
    char *real = d ? realpath(d, NULL) : NULL;
    CHECK(real != NULL);
    snprintf(s->dir, sizeof s->dir, "%s", real ? real : "/nonexistent");
    free(real);
    memset(&s->err, 0, sizeof s->err);
}

static int rm_entry(const char *p, const struct stat *st, int flag, struct FTW *ftw) {
    (void)st; (void)flag; (void)ftw;
    return remove(p);
}

static void scratch_close(scratch *s) {
    nftw(s->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Writes text to DIR/name, creating parent folders. */
static void put(scratch *s, const char *name, const char *text) {
    char p[PATH_MAX];
    snprintf(p, sizeof p, "%s/%s", s->dir, name);
    for (char *q = p + strlen(s->dir) + 1; (q = strchr(q, '/')); q++) {
        *q = '\0';
        mkdir(p, 0755);
        *q = '/';
    }
    FILE *f = fopen(p, "wb");
    CHECK(f != NULL);
    if (!f) return;
    fputs(text, f);
    fclose(f);
}

static void mkdir_in(scratch *s, const char *name) {
    char p[PATH_MAX];
    snprintf(p, sizeof p, "%s/%s", s->dir, name);
    CHECK(mkdir(p, 0755) == 0 || errno == EEXIST);
}

/* "DIR/name" in a static buffer of the caller. */
static const char *in(scratch *s, const char *name, char *buf, size_t size) {
    snprintf(buf, size, "%s/%s", s->dir, name);
    return buf;
}

/* Writes the manifest `name` and loads it. */
static wg_app *load(scratch *s, const char *name, const char *text) {
    put(s, name, text);
    snprintf(s->path, sizeof s->path, "%s/%s", s->dir, name);
    return wg__app_load(s->path, &s->err);
}

/* Loading text must fail at LINE with a message containing want. */
#define EXPECT_ERR(s, text, line, want)                                            \
    do {                                                                           \
        wg_app *a_ = load((s), "app.toml", (text));                               \
        CHECK(a_ == NULL);                                                         \
        wg__app_free(a_);                                                          \
        char pre_[300];                                                  \
        snprintf(pre_, sizeof pre_, "%s:%d:", (s)->path, (line));                  \
        CHECK_STR_CONTAINS((s)->err.message, pre_);                                \
        CHECK(strncmp((s)->err.message, pre_, strlen(pre_)) == 0);                 \
        CHECK_STR_CONTAINS((s)->err.message, (want));                              \
    } while (0)

static const char WASM[] = "\0asm\1\0\0\0";

/* ---- WAGI ----------------------------------------------------------------- */

WG_TEST(wagi_every_key) {
    scratch s;
    scratch_open(&s);
    put(&s, "mods/hello.wasm", WASM);
    put(&s, "other.wasm", WASM);
    mkdir_in(&s, "data");
    mkdir_in(&s, "cache");
    wg_app *app = load(&s, "modules.toml",
        "# a WAGI manifest\n"
        "[[module]]\n"
        "route = \"/hello\"\n"
        "module = \"mods/hello.wasm\"\n"
        "entrypoint = \"main\"\n"
        "volumes = { \"/data\" = \"data\", \"/cache/\" = \"./cache\" }\n"
        "environment = { GREETING = \"hi there\", EMPTY = \"\" }\n"
        "argv = \"  ${SCRIPT_NAME}  -v\t${ARGS} \"\n"
        "allowed_hosts = [\"https://api.example.com\", \"http://localhost:8080\"]\n"
        "http_max_concurrency = 4\n"
        "timeout = 2.5\n"
        "max_memory = \"64MiB\"\n"
        "max_body = 1048576\n"
        "\n"
        "[[module]]\n"
        "route = \"/static/...\"\n"
        "module = \"other.wasm\"\n"
        "timeout = 3\n"
        "max_memory = 131072\n"
        "max_concurrency = 7\n"
        "max_body = \"2K\"\n");
    CHECK(app != NULL);
    if (!app) { fprintf(stderr, "%s\n", s.err.message); scratch_close(&s); return; }
    char buf[256];
    CHECK(app->format == WG_APP_WAGI);
    CHECK(app->name == NULL);
    CHECK_STR_CONTAINS(app->manifest_path, in(&s, "modules.toml", buf, sizeof buf));
    CHECK(strcmp(app->base_dir, s.dir) == 0);
    CHECK_EQ_INT(app->nroutes, 2);

    const wg_app_route *r = &app->routes[0];
    CHECK(strcmp(r->route, "/hello") == 0);
    CHECK(strcmp(r->prefix, "/hello") == 0);
    CHECK(!r->wildcard);
    CHECK(strcmp(r->module_path, in(&s, "mods/hello.wasm", buf, sizeof buf)) == 0);
    CHECK(strcmp(r->entrypoint, "main") == 0);
    CHECK_EQ_INT(r->nargv, 3);
    CHECK(r->argv && strcmp(r->argv[0], "${SCRIPT_NAME}") == 0);
    CHECK(r->argv && strcmp(r->argv[1], "-v") == 0);
    CHECK(r->argv && strcmp(r->argv[2], "${ARGS}") == 0);
    CHECK(r->argv && r->argv[3] == NULL);
    CHECK_EQ_INT(r->nvolumes, 2);
    CHECK(strcmp(r->volumes[0].guest, "/data") == 0);
    CHECK(strcmp(r->volumes[0].host, in(&s, "data", buf, sizeof buf)) == 0);
    CHECK(!r->volumes[0].read_only);
    CHECK(strcmp(r->volumes[1].guest, "/cache") == 0);
    CHECK(strcmp(r->volumes[1].host, in(&s, "cache", buf, sizeof buf)) == 0);
    CHECK_EQ_INT(r->nenv, 2);
    CHECK(strcmp(r->env[0].name, "GREETING") == 0 && strcmp(r->env[0].value, "hi there") == 0);
    CHECK(strcmp(r->env[1].name, "EMPTY") == 0 && strcmp(r->env[1].value, "") == 0);
    CHECK_EQ_INT(r->nallowed_hosts, 2);
    CHECK(strcmp(r->allowed_hosts[1], "http://localhost:8080") == 0);
    CHECK_EQ_INT(r->max_concurrency, 4);
    CHECK(r->timeout_s == 2.5);
    CHECK_EQ_INT(r->max_memory, 64u << 20);
    CHECK_EQ_INT(r->max_body, 1048576);
    CHECK(r->component == NULL);
    CHECK_EQ_INT(r->line, 3);

    r = &app->routes[1];
    CHECK(strcmp(r->route, "/static/...") == 0);
    CHECK(strcmp(r->prefix, "/static") == 0);
    CHECK(r->wildcard);
    CHECK(strcmp(r->module_path, in(&s, "other.wasm", buf, sizeof buf)) == 0);
    CHECK(r->timeout_s == 3.0);
    CHECK_EQ_INT(r->max_memory, 131072);
    CHECK_EQ_INT(r->max_concurrency, 7);
    CHECK_EQ_INT(r->max_body, 2048);
    CHECK_EQ_INT(r->line, 16);
    wg__app_free(app);
    scratch_close(&s);
}

WG_TEST(wagi_defaults_and_route_shapes) {
    scratch s;
    scratch_open(&s);
    put(&s, "a.wasm", WASM);
    wg_app *app = load(&s, "modules.toml",
        "[[module]]\nroute = \"/\"\nmodule = \"a.wasm\"\n"
        "[[module]]\nroute = \"/...\"\nmodule = \"a.wasm\"\n"
        "[[module]]\nroute = \"/a/b/...\"\nmodule = \"a.wasm\"\n"
        "[[module]]\nroute = \"/a/b\"\nmodule = \"a.wasm\"\n"
        "[[module]]\nroute = \"/a/b/\"\nmodule = \"a.wasm\"\n"
        "[[module]]\nroute = \"/x/:id/y\"\nmodule = \"a.wasm\"\n");
    CHECK(app != NULL);
    if (!app) { fprintf(stderr, "%s\n", s.err.message); scratch_close(&s); return; }
    CHECK_EQ_INT(app->nroutes, 6);
    const wg_app_route *r = &app->routes[0];
    CHECK(strcmp(r->route, "/") == 0 && strcmp(r->prefix, "/") == 0 && !r->wildcard);
    CHECK(strcmp(r->entrypoint, "_start") == 0);
    CHECK(r->argv == NULL && r->nargv == 0);
    CHECK(r->nvolumes == 0 && r->nenv == 0 && r->nallowed_hosts == 0);
    CHECK(r->timeout_s == 0 && r->max_memory == 0 && r->max_concurrency == 0 && r->max_body == 0);
    r = &app->routes[1];
    CHECK(strcmp(r->prefix, "") == 0 && r->wildcard);
    r = &app->routes[2];
    CHECK(strcmp(r->prefix, "/a/b") == 0 && r->wildcard);
    r = &app->routes[3];
    CHECK(strcmp(r->prefix, "/a/b") == 0 && !r->wildcard);
    CHECK(strcmp(app->routes[4].prefix, "/a/b/") == 0 && !app->routes[4].wildcard);
    CHECK(strcmp(app->routes[5].route, "/x/:id/y") == 0);
    wg__app_free(app);
    scratch_close(&s);
}

WG_TEST(wagi_empty_argv_is_not_default) {
    scratch s;
    scratch_open(&s);
    put(&s, "a.wasm", WASM);
    wg_app *app = load(&s, "m.toml", "[[module]]\nroute = \"/\"\nmodule = \"a.wasm\"\nargv = \"\"\n");
    CHECK(app != NULL);
    if (app) {
        CHECK(app->routes[0].argv != NULL);
        CHECK_EQ_INT(app->routes[0].nargv, 0);
    }
    wg__app_free(app);
    scratch_close(&s);
}

WG_TEST(wagi_absolute_and_relative_manifest_paths) {
    scratch s;
    scratch_open(&s);
    put(&s, "sub/a.wasm", WASM);
    put(&s, "sub/m.toml", "[[module]]\nroute = \"/\"\nmodule = \"a.wasm\"\n");
    char buf[256], abs[PATH_MAX + 16];
    /* An absolute module path is used as is. */
    snprintf(abs, sizeof abs, "[[module]]\nroute = \"/\"\nmodule = \"%s/sub/a.wasm\"\n", s.dir);
    wg_app *app = load(&s, "abs.toml", abs);
    CHECK(app != NULL);
    if (app) CHECK(strcmp(app->routes[0].module_path, in(&s, "sub/a.wasm", buf, sizeof buf)) == 0);
    wg__app_free(app);

    /* A relative manifest path: the base is its folder, not the cwd. */
    char cwd[PATH_MAX];
    CHECK(getcwd(cwd, sizeof cwd) != NULL);
    CHECK(chdir(s.dir) == 0);
    app = wg__app_load("sub/m.toml", &s.err);
    CHECK(chdir(cwd) == 0);
    CHECK(app != NULL);
    if (app) {
        CHECK(strcmp(app->base_dir, in(&s, "sub", buf, sizeof buf)) == 0);
        CHECK(strcmp(app->manifest_path, "sub/m.toml") == 0); /* as the caller spelled it */
        CHECK(strcmp(app->routes[0].module_path, in(&s, "sub/a.wasm", buf, sizeof buf)) == 0);
    }
    wg__app_free(app);

    /* Errors name the manifest as the caller spelled it. */
    put(&s, "sub/bad.toml", "[[module]]\nroute = \"/\"\nmodule = \"nope.wasm\"\n");
    CHECK(chdir(s.dir) == 0);
    app = wg__app_load("sub/bad.toml", &s.err);
    CHECK(chdir(cwd) == 0);
    CHECK(app == NULL);
    CHECK(strncmp(s.err.message, "sub/bad.toml:3:10: module 'nope.wasm' not found (resolved to ",
                  strlen("sub/bad.toml:3:10: module 'nope.wasm' not found (resolved to ")) == 0);
    CHECK_STR_CONTAINS(s.err.message, in(&s, "sub/nope.wasm", buf, sizeof buf));
    scratch_close(&s);
}

WG_TEST(wagi_errors) {
    scratch s;
    scratch_open(&s);
    put(&s, "a.wasm", WASM);
    mkdir_in(&s, "dir.wasm");
    mkdir_in(&s, "data");
    put(&s, "file.txt", "x");
    const char *M = "[[module]]\nroute = \"/\"\nmodule = \"a.wasm\"\n";
    char text[1024];

    /* TOML syntax: the parser's LINE:COL after the file name. */
    EXPECT_ERR(&s, "[[module]]\nroute = \"/\"\nmodule = \n", 3, "");
    CHECK(s.err.kind == WG_ERR_INVALID);
    snprintf(text, sizeof text, "wagi = 1\n%s", M);
    EXPECT_ERR(&s, text, 1, "unknown key 'wagi' in a WAGI modules.toml");
    snprintf(text, sizeof text, "%s\nwagi = 1\n", M);
    EXPECT_ERR(&s, text, 5, "unknown key 'wagi' in [[module]]");
    EXPECT_ERR(&s, "[[module]]\nroute = \"/\"\nmodule = \"a.wasm\"\nbindle = \"x\"\n", 4,
               "unknown key 'bindle' in [[module]]");
    EXPECT_ERR(&s, "[[module]]\nroute = 1\nmodule = \"a.wasm\"\n", 2,
               "'route' must be a string, not an integer");
    EXPECT_ERR(&s, "\n[[module]]\nmodule = \"a.wasm\"\n", 2, "missing required key 'route' in [[module]]");
    EXPECT_ERR(&s, "[[module]]\nroute = \"/\"\n", 1, "missing required key 'module'");
    EXPECT_ERR(&s, "[[module]]\nroute = \"/\"\nmodule = \"b.wasm\"\n", 3, "module 'b.wasm' not found (resolved to ");
    char want[300];
    snprintf(want, sizeof want, "(resolved to %s/b.wasm)", s.dir);
    CHECK_STR_CONTAINS(s.err.message, want);
    EXPECT_ERR(&s, "[[module]]\nroute = \"/\"\nmodule = \"dir.wasm\"\n", 3,
               "module 'dir.wasm' is not a regular file");
    EXPECT_ERR(&s, "[[module]]\nroute = \"/\"\nmodule = \"oci://x/y\"\n", 3, "looks like a URL");
    EXPECT_ERR(&s, "[[module]]\nroute = \"/\"\nmodule = \"a.wasm\"\nvolumes = { \"/d\" = \"nodir\" }\n",
               4, "volume host directory 'nodir' not found (resolved to ");
    EXPECT_ERR(&s, "[[module]]\nroute = \"/\"\nmodule = \"a.wasm\"\nvolumes = { \"/d\" = \"file.txt\" }\n",
               4, "volume host directory 'file.txt' is not a directory");
    EXPECT_ERR(&s, "[[module]]\nroute = \"/\"\nmodule = \"a.wasm\"\nvolumes = { \"d\" = \"data\" }\n",
               4, "must be an absolute path");
    EXPECT_ERR(&s, "[[module]]\nroute = \"/\"\nmodule = \"a.wasm\"\n"
               "volumes = { \"/d\" = \"data\", \"/d/\" = \"data\" }\n", 4, "mapped twice");
    EXPECT_ERR(&s, "[[module]]\nroute = \"/\"\nmodule = \"a.wasm\"\nvolumes = [\"data\"]\n",
               4, "'volumes' must be a table, not an array");
    EXPECT_ERR(&s, "[[module]]\nroute = \"/\"\nmodule = \"a.wasm\"\nenvironment = { A = 1 }\n",
               4, "environment variable 'A' must be a string");
    EXPECT_ERR(&s, "[[module]]\nroute = \"/\"\nmodule = \"a.wasm\"\nallowed_hosts = [\"a\", 2]\n",
               4, "'allowed_hosts' must be an array of strings");
    EXPECT_ERR(&s, "[[module]]\nroute = \"/\"\nmodule = \"a.wasm\"\nentrypoint = \"\"\n",
               4, "'entrypoint' must not be empty");
    EXPECT_ERR(&s, "[[module]]\nroute = \"/\"\nmodule = \"a.wasm\"\nargv = [\"a\"]\n",
               4, "'argv' must be a string");

    /* Duplicate and invalid routes. */
    snprintf(text, sizeof text, "%s\n[[module]]\nroute = \"/\"\nmodule = \"a.wasm\"\n", M);
    EXPECT_ERR(&s, text, 6, "duplicate route '/' (first defined at line 2)");
    EXPECT_ERR(&s, "[[module]]\nroute = \"hello\"\nmodule = \"a.wasm\"\n", 2,
               "route 'hello' must start with '/'");
    EXPECT_ERR(&s, "[[module]]\nroute = \"/a/.../b\"\nmodule = \"a.wasm\"\n", 2,
               "wildcard may only be the last segment");
    EXPECT_ERR(&s, "[[module]]\nroute = \"/a?x=1\"\nmodule = \"a.wasm\"\n", 2, "query string");
    EXPECT_ERR(&s, "[[module]]\nroute = \"/a#b\"\nmodule = \"a.wasm\"\n", 2, "query string");
    EXPECT_ERR(&s, "[[module]]\nroute = \"/a//b\"\nmodule = \"a.wasm\"\n", 2, "empty segment");
    EXPECT_ERR(&s, "[[module]]\nroute = \"/a/../b\"\nmodule = \"a.wasm\"\n", 2, "'..' segments");
    EXPECT_ERR(&s, "[[module]]\nroute = \"/a b\"\nmodule = \"a.wasm\"\n", 2, "spaces");
    EXPECT_ERR(&s, "[[module]]\nroute = \"/foo...\"\nmodule = \"a.wasm\"\n", 2, "segment of its own");
    EXPECT_ERR(&s, "[[module]]\nroute = \"\"\nmodule = \"a.wasm\"\n", 2, "must start with '/'");

    /* Limits. */
    EXPECT_ERR(&s, "[[module]]\nroute = \"/\"\nmodule = \"a.wasm\"\ntimeout = 0\n", 4,
               "'timeout' must be more than 0");
    EXPECT_ERR(&s, "[[module]]\nroute = \"/\"\nmodule = \"a.wasm\"\ntimeout = -1.5\n", 4,
               "'timeout' must be more than 0");
    EXPECT_ERR(&s, "[[module]]\nroute = \"/\"\nmodule = \"a.wasm\"\ntimeout = nan\n", 4,
               "'timeout' must be more than 0");
    EXPECT_ERR(&s, "[[module]]\nroute = \"/\"\nmodule = \"a.wasm\"\ntimeout = \"5s\"\n", 4,
               "'timeout' must be a number of seconds, not a string");
    EXPECT_ERR(&s, "[[module]]\nroute = \"/\"\nmodule = \"a.wasm\"\nmax_memory = \"64X\"\n", 4,
               "'max_memory' must be a positive byte count");
    EXPECT_ERR(&s, "[[module]]\nroute = \"/\"\nmodule = \"a.wasm\"\nmax_memory = 0\n", 4,
               "'max_memory' must be a positive number of bytes");
    EXPECT_ERR(&s, "[[module]]\nroute = \"/\"\nmodule = \"a.wasm\"\nmax_body = 1.5\n", 4,
               "'max_body' must be an integer or a string");
    EXPECT_ERR(&s, "[[module]]\nroute = \"/\"\nmodule = \"a.wasm\"\nmax_body = \"99999999999G\"\n", 4,
               "'max_body' must be a positive byte count");
    EXPECT_ERR(&s, "[[module]]\nroute = \"/\"\nmodule = \"a.wasm\"\nmax_concurrency = 0\n", 4,
               "'max_concurrency' must be between 1 and");
    EXPECT_ERR(&s, "[[module]]\nroute = \"/\"\nmodule = \"a.wasm\"\nhttp_max_concurrency = \"4\"\n", 4,
               "'http_max_concurrency' must be an integer");
    EXPECT_ERR(&s, "[[module]]\nroute = \"/\"\nmodule = \"a.wasm\"\nmax_concurrency = 1\n"
               "http_max_concurrency = 2\n", 5, "the same setting");

    /* Shape of the document. */
    EXPECT_ERR(&s, "module = \"a.wasm\"\n", 1, "'module' must be an array of tables");
    EXPECT_ERR(&s, "module = []\n", 1, "no [[module]] defined");
    scratch_close(&s);
}

WG_TEST(size_suffixes) {
    static const struct { const char *text; uint64_t want; } cases[] = {
        { "1", 1 }, { "512K", 512u << 10 }, { "512k", 512u << 10 }, { "3 KiB", 3072 },
        { "2m", 2u << 20 }, { "2MiB", 2u << 20 }, { "1G", 1ull << 30 }, { "4gib", 4ull << 30 },
        { "100B", 100 },
    };
    scratch s;
    scratch_open(&s);
    put(&s, "a.wasm", WASM);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[256];
        snprintf(text, sizeof text, "[[module]]\nroute = \"/\"\nmodule = \"a.wasm\"\n"
                 "max_memory = \"%s\"\n", cases[i].text);
        wg_app *app = load(&s, "m.toml", text);
        CHECK(app != NULL);
        if (app) CHECK_EQ_INT(app->routes[0].max_memory, cases[i].want);
        wg__app_free(app);
    }
    static const char *const bad[] = { "", "K", "1KB", "1 K B", "-1", "1.5M", "0", "0K",
                                       "20000000000G", "1Ki", "1 Mi B" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char text[256];
        snprintf(text, sizeof text, "[[module]]\nroute = \"/\"\nmodule = \"a.wasm\"\n"
                 "max_body = \"%s\"\n", bad[i]);
        EXPECT_ERR(&s, text, 4, "'max_body' must be a positive byte count");
    }
    scratch_close(&s);
}

/* ---- format detection ------------------------------------------------------ */

WG_TEST(format_detection) {
    scratch s;
    scratch_open(&s);
    put(&s, "a.wasm", WASM);
    EXPECT_ERR(&s, "", 1, "expected [[module]] tables (WAGI modules.toml) or spin_manifest_version = 2");
    EXPECT_ERR(&s, "# nothing\nname = \"x\"\n", 1, "not a manifest wasmgate understands");
    EXPECT_ERR(&s, "[application]\nname = \"x\"\n", 1, "has no spin_manifest_version = 2");
    EXPECT_ERR(&s, "\nspin_version = \"1\"\nname = \"x\"\n", 2, "Spin manifest version 1");
    EXPECT_ERR(&s, "spin_manifest_version = 3\n", 1, "only the integer 2 is supported");
    EXPECT_ERR(&s, "spin_manifest_version = \"2\"\n", 1, "only the integer 2 is supported");
    /* Both: it is a spin.toml, in which `module` is unknown. */
    EXPECT_ERR(&s, "spin_manifest_version = 2\n[application]\nname = \"x\"\n"
               "[[module]]\nroute = \"/\"\nmodule = \"a.wasm\"\n", 4, "unknown key 'module' in a spin.toml");
    /* The file itself. */
    wg_error err;
    char p[PATH_MAX];
    snprintf(p, sizeof p, "%s/missing.toml", s.dir);
    CHECK(wg__app_load(p, &err) == NULL);
    CHECK_STR_CONTAINS(err.message, "missing.toml: cannot read manifest: No such file");
    scratch_close(&s);
}

/* ---- Spin ----------------------------------------------------------------- */

WG_TEST(spin_every_key) {
    scratch s;
    scratch_open(&s);
    put(&s, "target/hello.wasm", WASM);
    put(&s, "static/index.html", "<p>hi</p>");
    put(&s, "assets/logo.png", "png");
    put(&s, "config.json", "{}");
    mkdir_in(&s, "shared");
    wg_app *app = load(&s, "spin.toml",
        "spin_manifest_version = 2\n"
        "\n"
        "[application]\n"
        "name = \"shop\"\n"
        "version = \"1.2.0\"\n"
        "description = \"a shop\"\n"
        "authors = [\"Ann <ann@example.com>\"]\n"
        "[application.trigger.http]\n"
        "base = \"/api/\"\n"
        "\n"
        "[[trigger.http]]\n"
        "route = \"/hello\"\n"
        "component = \"hello\"\n"
        "executor = { type = \"wagi\", argv = \"${SCRIPT_NAME} x ${ARGS}\", entrypoint = \"run\" }\n"
        "\n"
        "[[trigger.http]]\n"
        "route = \"/...\"\n"
        "component = \"hello\"\n"
        "executor = { type = \"wagi\" }\n"
        "\n"
        "[component.hello]\n"
        "source = \"target/hello.wasm\"\n"
        "description = \"says hello\"\n"
        "files = [\"static/**\", \"config.json\", \"./assets\", { source = \"shared\", destination = \"/x/y\" }]\n"
        "environment = { MODE = \"test\" }\n"
        "allowed_outbound_hosts = [\"https://example.com\"]\n"
        "timeout = 1\n"
        "max_memory = \"1 MiB\"\n"
        "max_concurrency = 2\n"
        "max_body = \"16k\"\n"
        "[component.hello.build]\n"
        "command = \"cargo build --release\"\n");
    CHECK(app != NULL);
    if (!app) { fprintf(stderr, "%s\n", s.err.message); scratch_close(&s); return; }
    char buf[256];
    CHECK(app->format == WG_APP_SPIN);
    CHECK(app->name && strcmp(app->name, "shop") == 0);
    CHECK_EQ_INT(app->nroutes, 2);
    const wg_app_route *r = &app->routes[0];
    CHECK(strcmp(r->route, "/api/hello") == 0);
    CHECK(strcmp(r->prefix, "/api/hello") == 0 && !r->wildcard);
    CHECK(strcmp(r->component, "hello") == 0);
    CHECK(strcmp(r->module_path, in(&s, "target/hello.wasm", buf, sizeof buf)) == 0);
    CHECK(strcmp(r->entrypoint, "run") == 0);
    CHECK_EQ_INT(r->nargv, 3);
    CHECK(r->argv && strcmp(r->argv[1], "x") == 0);
    CHECK_EQ_INT(r->nvolumes, 4);
    CHECK(strcmp(r->volumes[0].guest, "/static") == 0);
    CHECK(strcmp(r->volumes[0].host, in(&s, "static", buf, sizeof buf)) == 0);
    CHECK(strcmp(r->volumes[1].guest, "/config.json") == 0);
    CHECK(strcmp(r->volumes[1].host, in(&s, "config.json", buf, sizeof buf)) == 0);
    CHECK(strcmp(r->volumes[2].guest, "/assets") == 0);
    CHECK(strcmp(r->volumes[2].host, in(&s, "assets", buf, sizeof buf)) == 0);
    CHECK(strcmp(r->volumes[3].guest, "/x/y") == 0);
    CHECK(strcmp(r->volumes[3].host, in(&s, "shared", buf, sizeof buf)) == 0);
    for (size_t i = 0; i < r->nvolumes; i++) CHECK(r->volumes[i].read_only);
    CHECK_EQ_INT(r->nenv, 1);
    CHECK(strcmp(r->env[0].name, "MODE") == 0 && strcmp(r->env[0].value, "test") == 0);
    CHECK_EQ_INT(r->nallowed_hosts, 1);
    CHECK(strcmp(r->allowed_hosts[0], "https://example.com") == 0);
    CHECK(r->timeout_s == 1.0);
    CHECK_EQ_INT(r->max_memory, 1u << 20);
    CHECK_EQ_INT(r->max_concurrency, 2);
    CHECK_EQ_INT(r->max_body, 16384);
    CHECK_EQ_INT(r->line, 12);

    r = &app->routes[1];
    CHECK(strcmp(r->route, "/api/...") == 0);
    CHECK(strcmp(r->prefix, "/api") == 0 && r->wildcard);
    CHECK(strcmp(r->entrypoint, "_start") == 0);
    CHECK(r->argv == NULL);
    CHECK_EQ_INT(r->nvolumes, 4);         /* the component's settings, again */
    CHECK_EQ_INT(r->line, 17);
    wg__app_free(app);
    scratch_close(&s);
}

WG_TEST(spin_defaults) {
    scratch s;
    scratch_open(&s);
    put(&s, "a.wasm", WASM);
    wg_app *app = load(&s, "spin.toml",
        "spin_manifest_version = 2\n"
        "[application]\nname = \"x\"\n"
        "[[trigger.http]]\nroute = \"/\"\ncomponent = \"a\"\nexecutor = { type = \"wagi\" }\n"
        "[[trigger.http]]\nroute = \"/b/...\"\ncomponent = \"a\"\nexecutor = { type = \"wagi\" }\n"
        "[component.a]\nsource = \"a.wasm\"\n"
        "[component.unused]\nsource = \"a.wasm\"\n");
    CHECK(app != NULL);
    if (!app) { fprintf(stderr, "%s\n", s.err.message); scratch_close(&s); return; }
    CHECK_EQ_INT(app->nroutes, 2);
    const wg_app_route *r = &app->routes[0];
    CHECK(strcmp(r->route, "/") == 0 && !r->wildcard);
    CHECK(strcmp(r->entrypoint, "_start") == 0 && r->argv == NULL);
    CHECK(r->nvolumes == 0 && r->nenv == 0 && r->nallowed_hosts == 0);
    CHECK(r->timeout_s == 0 && r->max_memory == 0 && r->max_concurrency == 0 && r->max_body == 0);
    CHECK(strcmp(app->routes[1].prefix, "/b") == 0 && app->routes[1].wildcard);
    wg__app_free(app);
    wg__app_free(NULL);  /* a no-op */

    /* base "/api" (no trailing slash) joins the same way as "/api/". */
    app = load(&s, "spin.toml",
        "spin_manifest_version = 2\n"
        "[application]\nname = \"x\"\ntrigger.http.base = \"/api\"\n"
        "[[trigger.http]]\nroute = \"/\"\ncomponent = \"a\"\nexecutor = { type = \"wagi\" }\n"
        "[component.a]\nsource = \"a.wasm\"\n");
    CHECK(app != NULL);
    if (app) CHECK(strcmp(app->routes[0].route, "/api/") == 0);
    wg__app_free(app);
    scratch_close(&s);
}

#define SPIN_HEAD "spin_manifest_version = 2\n[application]\nname = \"x\"\n"  /* 3 lines */
#define SPIN_TRIG "[[trigger.http]]\nroute = \"/\"\ncomponent = \"a\"\nexecutor = { type = \"wagi\" }\n"

WG_TEST(spin_errors) {
    scratch s;
    scratch_open(&s);
    put(&s, "a.wasm", WASM);
    mkdir_in(&s, "static");
    EXPECT_ERR(&s, "spin_manifest_version = 2\n[application]\nversion = \"1\"\n", 2,
               "missing required key 'name' in [application]");
    EXPECT_ERR(&s, "spin_manifest_version = 2\n", 1, "missing required table [application]");
    EXPECT_ERR(&s, SPIN_HEAD "colour = \"red\"\n", 4, "unknown key 'colour' in [application]");
    EXPECT_ERR(&s, SPIN_HEAD "[application.trigger.redis]\naddress = \"x\"\n", 4,
               "unknown key 'redis' in [application.trigger]");
    EXPECT_ERR(&s, SPIN_HEAD "[application.trigger.http]\nbase = \"api\"\n", 5, "must start with '/'");
    EXPECT_ERR(&s, SPIN_HEAD "[component.a]\nsource = \"a.wasm\"\n", 1, "no [[trigger.http]] defined");
    EXPECT_ERR(&s, SPIN_HEAD "[variables]\nx = { default = \"1\" }\n", 4,
               "'variables' in a spin.toml is not supported yet");
    EXPECT_ERR(&s, SPIN_HEAD "[[trigger.redis]]\ncomponent = \"a\"\n", 4,
               "unknown key 'redis' in [trigger] (only HTTP triggers are supported)");
    /* Triggers. */
    EXPECT_ERR(&s, SPIN_HEAD "[[trigger.http]]\nroute = \"/\"\ncomponent = { source = \"a.wasm\" }\n"
               "executor = { type = \"wagi\" }\n", 6, "inline components are not supported");
    EXPECT_ERR(&s, SPIN_HEAD "[[trigger.http]]\nroute = \"/\"\ncomponent = \"b\"\n"
               "executor = { type = \"wagi\" }\n", 6, "component 'b' is not defined (no [component.b])");
    EXPECT_ERR(&s, SPIN_HEAD "[[trigger.http]]\nroute = \"/\"\ncomponent = \"a\"\n"
               "[component.a]\nsource = \"a.wasm\"\n", 4,
               "only the WAGI executor is supported (executor = { type = \"wagi\" }); "
               "the Spin HTTP executor (wasi-http) is not yet");
    EXPECT_ERR(&s, SPIN_HEAD "[[trigger.http]]\nroute = \"/\"\ncomponent = \"a\"\n"
               "executor = { type = \"spin\" }\n[component.a]\nsource = \"a.wasm\"\n", 7,
               "executor type 'spin': only the WAGI executor is supported");
    EXPECT_ERR(&s, SPIN_HEAD "[[trigger.http]]\nroute = \"/\"\ncomponent = \"a\"\n"
               "executor = { argv = \"x\" }\n[component.a]\nsource = \"a.wasm\"\n", 7,
               "only the WAGI executor is supported");
    EXPECT_ERR(&s, SPIN_HEAD "[[trigger.http]]\nroute = \"/\"\ncomponent = \"a\"\n"
               "executor = { type = \"wagi\", env = 1 }\n[component.a]\nsource = \"a.wasm\"\n", 7,
               "unknown key 'env' in executor");
    EXPECT_ERR(&s, SPIN_HEAD "[[trigger.http]]\nroute = \"/\"\ncomponent = \"a\"\n"
               "executor = { type = \"wagi\" }\nfoo = 1\n[component.a]\nsource = \"a.wasm\"\n", 8,
               "unknown key 'foo' in [[trigger.http]]");
    EXPECT_ERR(&s, SPIN_HEAD "[[trigger.http]]\ncomponent = \"a\"\n", 4,
               "missing required key 'route' in [[trigger.http]]");
    EXPECT_ERR(&s, SPIN_HEAD SPIN_TRIG SPIN_TRIG "[component.a]\nsource = \"a.wasm\"\n", 9,
               "duplicate route '/' (first defined at line 5)");
    EXPECT_ERR(&s, SPIN_HEAD "[application.trigger.http]\nbase = \"/api\"\n"
               "[[trigger.http]]\nroute = \"x\"\ncomponent = \"a\"\nexecutor = { type = \"wagi\" }\n"
               "[component.a]\nsource = \"a.wasm\"\n", 7, "route 'x' must start with '/'");
    EXPECT_ERR(&s, SPIN_HEAD "[application.trigger.http]\nbase = \"/api\"\n"
               "[[trigger.http]]\nroute = \"/.../x\"\ncomponent = \"a\"\nexecutor = { type = \"wagi\" }\n"
               "[component.a]\nsource = \"a.wasm\"\n", 7, "route '/api/.../x': the '/...' wildcard");
    /* Components (checked even when no trigger uses them). */
    EXPECT_ERR(&s, SPIN_HEAD SPIN_TRIG "[component.a]\nsource = { url = \"https://x/a.wasm\", digest = \"sha256:0\" }\n",
               9, "component sources from URLs are not supported");
    EXPECT_ERR(&s, SPIN_HEAD SPIN_TRIG "[component.a]\nsource = \"missing.wasm\"\n", 9,
               "source 'missing.wasm' not found (resolved to ");
    EXPECT_ERR(&s, SPIN_HEAD SPIN_TRIG "[component.a]\ndescription = \"x\"\n", 8,
               "missing required key 'source' in [component.a]");
    EXPECT_ERR(&s, SPIN_HEAD SPIN_TRIG "[component.a]\nsource = \"a.wasm\"\nkey_value_stores = [\"default\"]\n",
               10, "'key_value_stores' in [component.a] is not supported yet");
    EXPECT_ERR(&s, SPIN_HEAD SPIN_TRIG "[component.a]\nsource = \"a.wasm\"\n[component.a.variables]\nx = \"y\"\n",
               10, "'variables' in [component.a] is not supported yet");
    EXPECT_ERR(&s, SPIN_HEAD SPIN_TRIG "[component.a]\nsource = \"a.wasm\"\nallowed_http_hosts = []\n",
               10, "'allowed_http_hosts' in [component.a] is not supported yet");
    EXPECT_ERR(&s, SPIN_HEAD SPIN_TRIG "[component.a]\nsource = \"a.wasm\"\nwat = 1\n", 10,
               "unknown key 'wat' in [component.a]");
    EXPECT_ERR(&s, SPIN_HEAD SPIN_TRIG "[component.a]\nsource = \"a.wasm\"\n[component.b]\nsource = \"a.wasm\"\ntimeout = \"1\"\n",
               12, "'timeout' must be a number of seconds");
    EXPECT_ERR(&s, SPIN_HEAD SPIN_TRIG "[component.a]\nsource = \"a.wasm\"\nfiles = [\"static/*.html\"]\n",
               10, "glob patterns are not supported except 'DIR/**'");
    EXPECT_ERR(&s, SPIN_HEAD SPIN_TRIG "[component.a]\nsource = \"a.wasm\"\nfiles = [\"**/*\"]\n",
               10, "glob patterns are not supported");
    EXPECT_ERR(&s, SPIN_HEAD SPIN_TRIG "[component.a]\nsource = \"a.wasm\"\nfiles = [\"nope\"]\n",
               10, "files entry 'nope': file or directory not found (resolved to ");
    EXPECT_ERR(&s, SPIN_HEAD SPIN_TRIG "[component.a]\nsource = \"a.wasm\"\nfiles = [\"a.wasm/**\"]\n",
               10, "files entry 'a.wasm/**': not a directory");
    EXPECT_ERR(&s, SPIN_HEAD SPIN_TRIG "[component.a]\nsource = \"a.wasm\"\nfiles = [\"../etc\"]\n",
               10, "must be a relative path inside the app folder");
    EXPECT_ERR(&s, SPIN_HEAD SPIN_TRIG "[component.a]\nsource = \"a.wasm\"\nfiles = [\"/etc\"]\n",
               10, "must be a relative path inside the app folder");
    EXPECT_ERR(&s, SPIN_HEAD SPIN_TRIG "[component.a]\nsource = \"a.wasm\"\nfiles = [{ source = \"static\" }]\n",
               10, "missing required key 'destination' in a files entry");
    EXPECT_ERR(&s, SPIN_HEAD SPIN_TRIG "[component.a]\nsource = \"a.wasm\"\n"
               "files = [{ source = \"static\", destination = \"rel\" }]\n",
               10, "files destination 'rel' must be an absolute path");
    EXPECT_ERR(&s, SPIN_HEAD SPIN_TRIG "[component.a]\nsource = \"a.wasm\"\n"
               "files = [{ source = \"nodir\", destination = \"/x\" }]\n",
               10, "files entry source 'nodir' not found");
    EXPECT_ERR(&s, SPIN_HEAD SPIN_TRIG "[component.a]\nsource = \"a.wasm\"\n"
               "files = [{ source = \"static\", destination = \"/x\", mode = \"ro\" }]\n",
               10, "unknown key 'mode' in a files entry");
    EXPECT_ERR(&s, SPIN_HEAD SPIN_TRIG "[component.a]\nsource = \"a.wasm\"\n"
               "files = [\"static\", { source = \"static\", destination = \"/static\" }]\n",
               10, "guest path '/static' is mapped twice");
    EXPECT_ERR(&s, SPIN_HEAD SPIN_TRIG "[component.a]\nsource = \"a.wasm\"\nfiles = [1]\n",
               10, "'files' entries must be strings or");
    EXPECT_ERR(&s, SPIN_HEAD SPIN_TRIG "[component.a]\nsource = \"a.wasm\"\n"
               "allowed_outbound_hosts = \"x\"\n", 10, "'allowed_outbound_hosts' must be an array, not a string");
    EXPECT_ERR(&s, SPIN_HEAD SPIN_TRIG "[component.a]\nsource = \"a.wasm\"\n"
               "allowed_outbound_hosts = [\"https://ok.example.com\", \"api.example.com\"]\n", 10,
               "'allowed_outbound_hosts' entry \"api.example.com\": no scheme");
    EXPECT_ERR(&s, SPIN_HEAD SPIN_TRIG "[component.a]\nsource = \"a.wasm\"\n"
               "allowed_outbound_hosts = [\"*://x.example.com\"]\n", 10,
               "no port given, and scheme '*' has no default port");
    scratch_close(&s);
}

WG_TEST_MAIN()
