/*
 * `wasmgate validate MODULE.wasm`: decode, validate and compile the module;
 * print "valid" (exit 0) or "MODULE.wasm: error: MESSAGE" (exit 1), where the
 * message is the engine's, with its section / function / offset context.
 */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

int cli_cmd_validate(int argc, char **argv) {
    const char *path;
    int rc = cli_one_module_arg(argc, argv, &path);
    if (rc >= 0) return rc;

    wg_module *m = cli_load_module(path, NULL);
    if (!m) return CLI_EXIT_ERROR;
    wg_module_free(m);
    puts("valid");
    return CLI_EXIT_OK;
}
