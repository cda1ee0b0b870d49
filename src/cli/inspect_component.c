/*
 * `wasmgate inspect COMPONENT.wasm` (inspect.h). Output (stable: tests and
 * scripts may rely on the line forms):
 *
 *   component: PATH (N bytes)
 *   world:
 *   package root:component;          the world as WIT (wit_print.h), as
 *   ...                              `wasm-tools component wit` prints it
 *   core modules: N
 *     module I: N bytes at offset 0x..           I: core module index
 *       imports: N
 *         func    MODULE::NAME (i32) -> (i32)    as for a core module
 *       exports: N
 *         memory  memory pages: min 1, no max
 *   components: N
 *     component I: N bytes at offset 0x..        I: component index
 *       imports: N
 *         instance  wasi:io/error@0.2.6         kind and name
 *       exports: N
 *         func      run
 *       core modules: N                          and so on, one level in
 *       components: N
 *
 * Offsets are in the file. The component was validated (wg_component_new)
 * before anything is printed; the printer reads its representation
 * (component_int.h), which embedders never see.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/inspect.h"
#include "cli/values.h"
#include "component/component_int.h"
#include "component/wit_print.h"
#include "wasmgate/component.h"

static const char *extern_kind(uint8_t kind) {
    switch (kind) {
    case WG_EXT_MODULE: return "module";
    case WG_EXT_FUNC: return "func";
    case WG_EXT_VALUE: return "value";
    case WG_EXT_TYPE: return "type";
    case WG_EXT_COMPONENT: return "component";
    case WG_EXT_INSTANCE: return "instance";
    default: return "?";
    }
}

static void print_names(const char *what, const wg_cextern *xs, uint32_t n, int indent) {
    char name[256];
    printf("%*s%s: %u\n", indent, "", what, n);
    for (uint32_t i = 0; i < n; i++)
        printf("%*s%-9s %s\n", indent + 2, "", extern_kind(xs[i].type.kind),
               cli_format_name(xs[i].name.name.s, xs[i].name.name.len, name, sizeof name));
}

static void print_core_module(const wg_citem *it, int indent) {
    const wg_module *m = it->u.core_module.module;
    wg_extern_desc d;
    printf("%*smodule %u: %zu bytes at offset 0x%zx\n", indent, "", it->index, it->u.core_module.len, it->offset);
    uint32_t n = wg_module_import_count(m);
    printf("%*simports: %u\n", indent + 2, "", n);
    for (uint32_t i = 0; i < n; i++)
        if (wg_module_import(m, i, &d)) cli_print_extern(&d, true, indent + 4);
    n = wg_module_export_count(m);
    printf("%*sexports: %u\n", indent + 2, "", n);
    for (uint32_t i = 0; i < n; i++)
        if (wg_module_export(m, i, &d)) cli_print_extern(&d, false, indent + 4);
}

/* The core modules and nested components a definition holds, indent in. */
static void print_contents(const wg_cdef *def, int indent) {
    uint32_t nmodules = 0, ncomponents = 0;
    for (uint32_t i = 0; i < def->nitems; i++) {
        nmodules += def->items[i].kind == WG_CD_CORE_MODULE;
        ncomponents += def->items[i].kind == WG_CD_COMPONENT;
    }
    printf("%*score modules: %u\n", indent, "", nmodules);
    for (uint32_t i = 0; i < def->nitems; i++)
        if (def->items[i].kind == WG_CD_CORE_MODULE) print_core_module(&def->items[i], indent + 2);
    printf("%*scomponents: %u\n", indent, "", ncomponents);
    for (uint32_t i = 0; i < def->nitems; i++) {
        const wg_citem *it = &def->items[i];
        if (it->kind != WG_CD_COMPONENT) continue;
        const wg_cdef *child = it->u.component;
        printf("%*scomponent %u: %zu bytes at offset 0x%zx\n", indent + 2, "", it->index,
               child->end - child->offset, child->offset);
        print_names("imports", child->type->imports, child->type->nimports, indent + 4);
        print_names("exports", child->type->exports, child->type->nexports, indent + 4);
        print_contents(child, indent + 4);
    }
}

int cli_inspect_component(const char *path, const uint8_t *bytes, size_t len) {
    wg_error err;
    memset(&err, 0, sizeof err);
    wg_component *c = wg_component_new(bytes, len, &err);
    if (!c) {
        fprintf(stderr, "%s: error: %s\n", path, err.message[0] ? err.message : "invalid component");
        return CLI_EXIT_ERROR;
    }
    wg_strbuf wit = {0};
    wg__wit_print_world(c->root->type, &wit);
    size_t wit_len;
    char *text = wg__sb_take(&wit, &wit_len);
    if (!text) {
        fprintf(stderr, "%s: error: out of memory printing the world\n", path);
        wg_component_free(c);
        return CLI_EXIT_ERROR;
    }
    printf("component: %s (%zu bytes)\n", path, len);
    printf("world:\n");
    fwrite(text, 1, wit_len, stdout);
    free(text);
    print_contents(c->root, 0);
    wg_component_free(c);
    return CLI_EXIT_OK;
}
