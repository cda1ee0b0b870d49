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

/*
 * A hand-written component (assembled by wasm-tools' WAT parser, as `jco
 * parse` runs it):
 *
 * (component $c
 *   (import "wasi:demo/base@1.0.0" (instance $base
 *     (export "r" (type $r (sub resource)))
 *     (type $rec' (record (field "a" u32) (field "type" string)))
 *     (export "rec" (type $rec (eq $rec')))
 *     (type $kind' (enum "ok" "list"))
 *     (export "kind" (type $kind (eq $kind')))
 *     (type $size' u64)
 *     (export "size" (type $size (eq $size')))
 *     (export "alias" (type $alias (eq $rec)))
 *     (type $own (own $r))
 *     (type $borrow (borrow $r))
 *     (export "[constructor]r" (func (param "x" u32) (result $own)))
 *     (export "[method]r.get" (func (param "self" $borrow) (param "k" $kind) (result (option $rec))))
 *     (export "[static]r.make" (func (result (result $own (error string)))))
 *     (export "total" (func (param "items" (list $alias)) (result $size)))
 *   ))
 *   (alias export $base "r" (type $r))
 *   (alias export $base "rec" (type $rec))
 *   (import "wasi:demo/user@1.0.0" (instance $user
 *     (alias outer $c $r (type $r_o))
 *     (alias outer $c $rec (type $rec_o))
 *     (export "r" (type $r2 (eq $r_o)))
 *     (export "record" (type $rec2 (eq $rec_o)))
 *     (export "use-it" (func (param "x" (borrow $r2)) (param "y" $rec2) (result (tuple u8 string))))
 *   ))
 *   (import "other:pkg/thing" (instance
 *     (alias outer $c $r (type $r_o))
 *     (export "r" (type (eq $r_o)))
 *     (export "f" (func))
 *   ))
 *   (type $fl' (flags "read" "write"))
 *   (import "perm" (type $fl (eq $fl')))
 *   (import "check" (func (param "p" $fl) (param "when" (option u64))))
 *   (export "wasi:demo/base@1.0.0" (instance $base))
 * )
 */
static const uint8_t handmade[] = {
    0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00, 0x07, 0xc5, 0x01, 0x01, 0x42, 0x15, 0x04, 0x00,
    0x01, 0x72, 0x03, 0x01, 0x01, 0x72, 0x02, 0x01, 0x61, 0x79, 0x04, 0x74, 0x79, 0x70, 0x65, 0x73,
    0x04, 0x00, 0x03, 0x72, 0x65, 0x63, 0x03, 0x00, 0x01, 0x01, 0x6d, 0x02, 0x02, 0x6f, 0x6b, 0x04,
    0x6c, 0x69, 0x73, 0x74, 0x04, 0x00, 0x04, 0x6b, 0x69, 0x6e, 0x64, 0x03, 0x00, 0x03, 0x01, 0x77,
    0x04, 0x00, 0x04, 0x73, 0x69, 0x7a, 0x65, 0x03, 0x00, 0x05, 0x04, 0x00, 0x05, 0x61, 0x6c, 0x69,
    0x61, 0x73, 0x03, 0x00, 0x02, 0x01, 0x69, 0x00, 0x01, 0x68, 0x00, 0x01, 0x40, 0x01, 0x01, 0x78,
    0x79, 0x00, 0x08, 0x04, 0x00, 0x0e, 0x5b, 0x63, 0x6f, 0x6e, 0x73, 0x74, 0x72, 0x75, 0x63, 0x74,
    0x6f, 0x72, 0x5d, 0x72, 0x01, 0x0a, 0x01, 0x6b, 0x02, 0x01, 0x40, 0x02, 0x04, 0x73, 0x65, 0x6c,
    0x66, 0x09, 0x01, 0x6b, 0x04, 0x00, 0x0b, 0x04, 0x00, 0x0d, 0x5b, 0x6d, 0x65, 0x74, 0x68, 0x6f,
    0x64, 0x5d, 0x72, 0x2e, 0x67, 0x65, 0x74, 0x01, 0x0c, 0x01, 0x6a, 0x01, 0x08, 0x01, 0x73, 0x01,
    0x40, 0x00, 0x00, 0x0d, 0x04, 0x00, 0x0e, 0x5b, 0x73, 0x74, 0x61, 0x74, 0x69, 0x63, 0x5d, 0x72,
    0x2e, 0x6d, 0x61, 0x6b, 0x65, 0x01, 0x0e, 0x01, 0x70, 0x07, 0x01, 0x40, 0x01, 0x05, 0x69, 0x74,
    0x65, 0x6d, 0x73, 0x0f, 0x00, 0x06, 0x04, 0x00, 0x05, 0x74, 0x6f, 0x74, 0x61, 0x6c, 0x01, 0x10,
    0x0a, 0x19, 0x01, 0x00, 0x14, 0x77, 0x61, 0x73, 0x69, 0x3a, 0x64, 0x65, 0x6d, 0x6f, 0x2f, 0x62,
    0x61, 0x73, 0x65, 0x40, 0x31, 0x2e, 0x30, 0x2e, 0x30, 0x05, 0x00, 0x06, 0x0d, 0x02, 0x03, 0x00,
    0x00, 0x01, 0x72, 0x03, 0x00, 0x00, 0x03, 0x72, 0x65, 0x63, 0x07, 0x3e, 0x01, 0x42, 0x08, 0x02,
    0x03, 0x02, 0x01, 0x01, 0x02, 0x03, 0x02, 0x01, 0x02, 0x04, 0x00, 0x01, 0x72, 0x03, 0x00, 0x00,
    0x04, 0x00, 0x06, 0x72, 0x65, 0x63, 0x6f, 0x72, 0x64, 0x03, 0x00, 0x01, 0x01, 0x68, 0x02, 0x01,
    0x6f, 0x02, 0x7d, 0x73, 0x01, 0x40, 0x02, 0x01, 0x78, 0x04, 0x01, 0x79, 0x03, 0x00, 0x05, 0x04,
    0x00, 0x06, 0x75, 0x73, 0x65, 0x2d, 0x69, 0x74, 0x01, 0x06, 0x0a, 0x19, 0x01, 0x00, 0x14, 0x77,
    0x61, 0x73, 0x69, 0x3a, 0x64, 0x65, 0x6d, 0x6f, 0x2f, 0x75, 0x73, 0x65, 0x72, 0x40, 0x31, 0x2e,
    0x30, 0x2e, 0x30, 0x05, 0x03, 0x07, 0x1a, 0x01, 0x42, 0x04, 0x02, 0x03, 0x02, 0x01, 0x01, 0x04,
    0x00, 0x01, 0x72, 0x03, 0x00, 0x00, 0x01, 0x40, 0x00, 0x01, 0x00, 0x04, 0x00, 0x01, 0x66, 0x01,
    0x02, 0x0a, 0x14, 0x01, 0x00, 0x0f, 0x6f, 0x74, 0x68, 0x65, 0x72, 0x3a, 0x70, 0x6b, 0x67, 0x2f,
    0x74, 0x68, 0x69, 0x6e, 0x67, 0x05, 0x04, 0x07, 0x0e, 0x01, 0x6e, 0x02, 0x04, 0x72, 0x65, 0x61,
    0x64, 0x05, 0x77, 0x72, 0x69, 0x74, 0x65, 0x0a, 0x0a, 0x01, 0x00, 0x04, 0x70, 0x65, 0x72, 0x6d,
    0x03, 0x00, 0x05, 0x07, 0x10, 0x02, 0x6b, 0x77, 0x40, 0x02, 0x01, 0x70, 0x06, 0x04, 0x77, 0x68,
    0x65, 0x6e, 0x07, 0x01, 0x00, 0x0a, 0x0a, 0x01, 0x00, 0x05, 0x63, 0x68, 0x65, 0x63, 0x6b, 0x01,
    0x08, 0x0b, 0x1a, 0x01, 0x00, 0x14, 0x77, 0x61, 0x73, 0x69, 0x3a, 0x64, 0x65, 0x6d, 0x6f, 0x2f,
    0x62, 0x61, 0x73, 0x65, 0x40, 0x31, 0x2e, 0x30, 0x2e, 0x30, 0x05, 0x00, 0x00, 0x00, 0x38, 0x0e,
    0x63, 0x6f, 0x6d, 0x70, 0x6f, 0x6e, 0x65, 0x6e, 0x74, 0x2d, 0x6e, 0x61, 0x6d, 0x65, 0x00, 0x02,
    0x01, 0x63, 0x01, 0x13, 0x03, 0x04, 0x01, 0x01, 0x72, 0x02, 0x03, 0x72, 0x65, 0x63, 0x05, 0x03,
    0x66, 0x6c, 0x27, 0x06, 0x02, 0x66, 0x6c, 0x01, 0x0e, 0x05, 0x02, 0x00, 0x04, 0x62, 0x61, 0x73,
    0x65, 0x01, 0x04, 0x75, 0x73, 0x65, 0x72,
};

WG_TEST(wit_named_interfaces_resources_and_uses) {
    char *got = world_of(handmade, sizeof handmade);
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
