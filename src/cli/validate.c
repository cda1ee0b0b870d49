/*
 * `wasmgate validate MODULE.wasm`: decode, validate and compile the module;
 * print "valid" (exit 0) or "MODULE.wasm: error: MESSAGE" (exit 1), where the
 * message is the engine's, with its section / function / offset context.
 */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

int cli_cmd_validate(int argc, char **argv) {
    const char *path = NULL;
    for (int i = 1; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            cli_print_usage();
            return CLI_EXIT_OK;
        }
        if (argv[i][0] == '-' && argv[i][1] && !path)
            return cli_usage_error("validate: unknown option '%s'", argv[i]);
        if (path) return cli_usage_error("validate: one MODULE only (got '%s' after '%s')", argv[i], path);
        path = argv[i];
    }
    if (!path) return cli_usage_error("validate: missing MODULE");

    wg_module *m = cli_load_module(path, NULL, NULL);
    if (!m) return CLI_EXIT_ERROR;
    wg_module_free(m);
    puts("valid");
    return CLI_EXIT_OK;
}
