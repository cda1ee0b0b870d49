/*
 * WIT printing (src/component/wit_print.c): the world of components from
 * the conformance data and of a hand-written one covering named interfaces
 * and packages, resources with constructors, methods and statics, `use`
 * within a package and across packages (with `as`), type aliases, keyword
 * escapes and world-level types; and every conformance binary that
 * validates prints with balanced braces.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cm_handmade.h"
#include "component/component_int.h"
#include "component/wit_print.h"
#include "wasmgate/component.h"
#include "wg_test.h"

#ifndef WG_CONFORMANCE_DIR
#error "WG_CONFORMANCE_DIR must be defined (tests/CMakeLists.txt)"
#endif
#define CM_DIR WG_CONFORMANCE_DIR "/component-model"

static uint8_t *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *b = malloc(n > 0 ? (size_t)n : 1);
    if (b && fread(b, 1, (size_t)n, f) != (size_t)n) {
        free(b);
        b = NULL;
    }
    fclose(f);
    *len = (size_t)n;
    return b;
}

/* The world of bytes[0..len) as WIT, or NULL if it is not a valid component. */
static char *world_of(const uint8_t *bytes, size_t len) {
    wg_error err;
    wg_component *c = wg_component_new(bytes, len, &err);
    if (!c) return NULL;
    wg_strbuf b = {0};
    bool ok = wg__wit_print_world(c->root->type, &b);
    wg_component_free(c);
    char *s = wg__sb_take(&b, NULL);
    if (!ok) {
        free(s);
        return NULL;
    }
    return s;
}

static void prints_at(int line, const char *file, const char *want) {
    char path[512], m[8192];
    snprintf(path, sizeof path, "%s/%s", CM_DIR, file);
    size_t len;
    uint8_t *bytes = read_file(path, &len);
    if (!bytes) {
        snprintf(m, sizeof m, "cannot read %s", path);
        wg_test_fail(__FILE__, line, m);
        return;
    }
    char *got = world_of(bytes, len);
    if (!got || strcmp(got, want) != 0) {
        snprintf(m, sizeof m, "%s printed as:\n%s\nwanted:\n%s", file, got ? got : "(null)", want);
        wg_test_fail(__FILE__, line, m);
    }
    free(got);
    free(bytes);
}
#define PRINTS(file, want) prints_at(__LINE__, (file), (want))

WG_TEST(wit_resources_with_constructors) {
    /* Constructors: the shorthand form (just own<R>) prints no result. */
    PRINTS("reference/validation/annotated-names.0.wasm",
    "package root:component;\n"
    "\n"
    "world root {\n"
    "  resource a {\n"
    "    constructor();\n"
    "  }\n"
    "\n"
    "  resource b {\n"
    "    constructor() -> result<b>;\n"
    "  }\n"
    "\n"
    "  resource c {\n"
    "    constructor() -> result<c, string>;\n"
    "  }\n"
    "\n"
    "  resource d {\n"
    "    constructor(x: u32);\n"
    "  }\n"
    "}\n");
}

WG_TEST(wit_inline_interfaces_and_world_functions) {
    PRINTS("reference/validation/external-visibility.46.wasm",
    "package root:component;\n"
    "\n"
    "world root {\n"
    "  export i: interface {\n"
    "    record t {\n"
    "      x: u32,\n"
    "    }\n"
    "  }\n"
    "  export f: func(r: t);\n"
    "}\n");
    PRINTS("wasmtime/instance.18.wasm",
    "package root:component;\n"
    "\n"
    "world root {\n"
    "  import I1: interface {\n"
    "    resource r;\n"
    "  }\n"
    "  import I2: interface {\n"
    "    use I1.{r};\n"
    "  }\n"
    "}\n");
    /* Interface names, plain-named instances, world-level resources and
     * functions, exports after a blank line, the package block. */
    PRINTS("reference/validation/attributes.1.wasm",
    "package root:component;\n"
    "\n"
    "world root {\n"
    "  import d: interface {\n"
    "  }\n"
    "  import a:b/c;\n"
    "  import store1: interface {\n"
    "  }\n"
    "  import store2: interface {\n"
    "  }\n"
    "\n"
    "  resource c;\n"
    "  import a: func();\n"
    "  import b: func(text: string) -> string;\n"
    "  import uni: func();\n"
    "  import esc: func();\n"
    "  import empty: func();\n"
    "  import dup1: func();\n"
    "  import dup2: func();\n"
    "\n"
    "  export a: interface {\n"
    "  }\n"
    "  export a:b/c;\n"
    "  export c: interface {\n"
    "  }\n"
    "}\n"
    "package a:b {\n"
    "  interface c {\n"
    "  }\n"
    "}\n");
}

WG_TEST(wit_named_interfaces_resources_and_uses) {
    char *got = world_of(wg_cm_handmade, sizeof wg_cm_handmade);
    const char *want =
    "package root:component;\n"
    "\n"
    "world root {\n"
    "  import wasi:demo/base@1.0.0;\n"
    "  import wasi:demo/user@1.0.0;\n"
    "  import other:pkg/thing;\n"
    "\n"
    "  flags perm {\n"
    "    read,\n"
    "    write,\n"
    "  }\n"
    "  import check: func(p: perm, when: option<u64>);\n"
    "\n"
    "  export wasi:demo/base@1.0.0;\n"
    "}\n"
    "package wasi:demo@1.0.0 {\n"
    "  interface base {\n"
    "    resource r {\n"
    "      constructor(x: u32);\n"
    "      get: func(k: kind) -> option<rec>;\n"
    "      make: static func() -> result<r, string>;\n"
    "    }\n"
    "\n"
    "    record rec {\n"
    "      a: u32,\n"
    "      %type: string,\n"
    "    }\n"
    "\n"
    "    enum kind {\n"
    "      ok,\n"
    "      %list,\n"
    "    }\n"
    "\n"
    "    type size = u64;\n"
    "\n"
    "    type alias = rec;\n"
    "\n"
    "    total: func(items: list<alias>) -> size;\n"
    "  }\n"
    "  interface user {\n"
    "    use base.{r, rec as %record};\n"
    "\n"
    "    use-it: func(x: borrow<r>, y: %record) -> tuple<u8, string>;\n"
    "  }\n"
    "}\n"
    "\n"
    "\n"
    "package other:pkg {\n"
    "  interface thing {\n"
    "    use wasi:demo/base@1.0.0.{r};\n"
    "\n"
    "    f: func();\n"
    "  }\n"
    "}\n";
    CHECK(got != NULL);
    if (got && strcmp(got, want) != 0) {
        char m[8192];
        snprintf(m, sizeof m, "printed as:\n%s\nwanted:\n%s", got, want);
        wg_test_fail(__FILE__, __LINE__, m);
    }
    free(got);
}

/* Every conformance binary that validates prints, braces balanced, ending
 * with a closed block (and, under the sanitizers, cleanly). */
static int sweep(const char *dir, int *printed) {
    DIR *d = opendir(dir);
    if (!d) return 0;
    int bad = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        struct stat st;
        if (stat(path, &st) != 0) continue;
        if (S_ISDIR(st.st_mode)) {
            bad += sweep(path, printed);
            continue;
        }
        size_t n = strlen(e->d_name);
        if (n < 5 || strcmp(e->d_name + n - 5, ".wasm") != 0) continue;
        size_t len;
        uint8_t *bytes = read_file(path, &len);
        if (!bytes) continue;
        if (wg_binary_kind_of(bytes, len) == WG_BINARY_COMPONENT) {
            wg_error err;
            wg_component *c = wg_component_new(bytes, len, &err);
            if (c) {
                wg_strbuf b = {0};
                bool ok = wg__wit_print_world(c->root->type, &b);
                char *s = wg__sb_take(&b, NULL);
                const char *prefix = "package root:component;\n\nworld root {\n";
                long depth = 0;
                for (const char *p = s; p && *p; p++) depth += (*p == '{') - (*p == '}');
                if (!ok || !s || depth != 0 || strncmp(s, prefix, strlen(prefix)) != 0 ||
                    s[strlen(s) - 1] != '\n') {
                    fprintf(stderr, "%s: bad WIT:\n%s\n", path, s ? s : "(null)");
                    bad++;
                }
                (*printed)++;
                free(s);
                wg_component_free(c);
            }
        }
        free(bytes);
    }
    closedir(d);
    return bad;
}

WG_TEST(wit_prints_every_conformance_component) {
    int printed = 0;
    CHECK(sweep(CM_DIR "/reference", &printed) == 0);
    CHECK(sweep(CM_DIR "/wasmtime", &printed) == 0);
    CHECK(printed > 300);
}

WG_TEST_MAIN()
