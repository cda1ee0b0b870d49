/*
 * `wasmgate-serve` (WG_SERVE_PROGRAM): the gateway program behind
 * `wasmgate serve`, and the only program of the command that links the HTTP
 * server and its TLS libraries (serve_exec.c says why). `wasmgate serve`
 * execs it with its own command line unchanged, so it is run as
 * `PROGRAM serve [OPTIONS] MANIFEST`; the options are serve.c's.
 */
#include "cli/cli.h"
#include "cli/serve.h"

#include <string.h>

int main(int argc, char **argv) {
    if (argc < 2 || strcmp(argv[1], "serve") != 0)
        return cli_usage_error("%s is the gateway program of 'wasmgate serve': run that, or "
                               "'%s serve [OPTIONS] MANIFEST'", WG_SERVE_PROGRAM, WG_SERVE_PROGRAM);
    return cli_cmd_serve(argc - 1, argv + 1);
}
