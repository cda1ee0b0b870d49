/*
 * `wasmgate validate FILE.wasm`: decode and validate a core module (and
 * compile it) or a component, told apart by the preamble (version 1 layer 0
 * is a module, version 0x0d layer 1 a component); print "valid" (exit 0) or
 * "FILE.wasm: error: MESSAGE" (exit 1), where the message is the engine's,
 * with its section / function / offset context.
 */
#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wasmgate/component.h"

static int validate_component(const char *path, const uint8_t *bytes, size_t len) {
    wg_error err;
    memset(&err, 0, sizeof err);
    wg_component *c = wg_component_new(bytes, len, &err);
    if (!c) {
        fprintf(stderr, "%s: error: %s\n", path, err.message[0] ? err.message : "invalid component");
        return CLI_EXIT_ERROR;
    }
    wg_component_free(c);
    return CLI_EXIT_OK;
}

int cli_cmd_validate(int argc, char **argv) {
    const char *path;
    int rc = cli_one_module_arg(argc, argv, &path);
    if (rc >= 0) return rc;

    cli_file f;
    if (!cli_file_load(path, &f)) return CLI_EXIT_ERROR;
    if (wg_binary_kind_of(f.data, f.len) == WG_BINARY_COMPONENT) {
        rc = validate_component(path, f.data, f.len);
    } else {
        /* A core module, or neither: the core decoder says what is wrong. */
        wg_error err;
        memset(&err, 0, sizeof err);
        wg_module *m = wg_module_new(f.data, f.len, &err);
        rc = m ? CLI_EXIT_OK : CLI_EXIT_ERROR;
        if (!m) fprintf(stderr, "%s: error: %s\n", path, err.message[0] ? err.message : "cannot load module");
        wg_module_free(m);
    }
    cli_file_release(&f);
    if (rc == CLI_EXIT_OK) puts("valid");
    return rc;
}
