/*
 * `wasmgate`: dispatches to a subcommand (validate.c, inspect.c, run.c) and
 * holds the usage text. `serve` is not linked in: serve_exec.c hands it to the
 * gateway program beside this one, so that the HTTP and TLS libraries are
 * never loaded by the other commands (docs/cli.md, "Start-up").
 */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

static const char usage_text[] =
    "usage: wasmgate COMMAND [OPTIONS] [ARGS]\n"
    "\n"
    "wasmgate " WG_VERSION " - a WebAssembly runtime and microservice gateway\n"
    "\n"
    "commands:\n"
    "  validate MODULE.wasm   decode and validate MODULE (or a component); print\n"
    "                         \"valid\" or the error\n"
    "  inspect MODULE.wasm    print imports, exports, sections and counts (a\n"
    "                         component: its world as WIT, then its modules)\n"
    "  run [OPTIONS] MODULE.wasm [ARG...]\n"
    "                         run a WASI (wasi_snapshot_preview1) command: its _start,\n"
    "                         after _initialize if it exports one; argv is MODULE and\n"
    "                         the ARGs; the exit status is the guest's\n"
    "  run [OPTIONS] --invoke NAME MODULE.wasm [ARG...]\n"
    "                         call the exported function NAME with ARGs (after\n"
    "                         _initialize, if exported); print each result on its\n"
    "                         own line\n"
    "  run [OPTIONS] COMPONENT.wasm [ARG...]\n"
    "                         run a WASI 0.2 command component: its wasi:cli/run;\n"
    "                         exit status 0 / 1 for ok / err, or wasi:cli/exit's\n"
    "  run [OPTIONS] --invoke 'NAME(ARG, ...)' COMPONENT.wasm\n"
    "                         call an exported function (NAME, or IFACE#NAME) with\n"
    "                         arguments in WAVE; print the result in WAVE\n"
    "  serve [OPTIONS] MANIFEST\n"
    "                         serve the WAGI handlers of a modules.toml or spin.toml\n"
    "                         over HTTP, a fresh instance per request\n"
    "                         (`wasmgate serve --help` lists its options)\n"
    "  help                   print this text\n"
    "\n"
    "run options (they come before MODULE: everything after it goes to the guest):\n"
    "  --dir HOST[::GUEST][:ro]\n"
    "                         let the guest use host directory HOST, under the name\n"
    "                         GUEST (default: HOST as written); :ro makes it\n"
    "                         read-only. HOST cannot contain \"::\". Repeatable.\n"
    "  --env NAME=VALUE       set a guest environment variable; --env NAME copies\n"
    "                         the host's value (an error if unset). Repeatable. The\n"
    "                         guest sees no other variable.\n"
    "  --invoke NAME          call export NAME instead of running _start\n"
    "  --max-memory BYTES     cap each memory at BYTES (suffixes K, M, G = KiB, MiB,\n"
    "                         GiB): memory.grow past it returns -1, a larger initial\n"
    "                         memory fails to instantiate\n"
    "  --max-open-files N     let the guest hold at most N files open at once\n"
    "                         (default 256; 0: only the process's own limit); one\n"
    "                         more open fails with EMFILE. --dir directories and\n"
    "                         stdio do not count\n"
    "  --timeout SECONDS      stop the guest after SECONDS (decimal, 0.5 works);\n"
    "                         exit status 124\n"
    "  --OPTION=VALUE works for each. --  ends the options: the next word is MODULE.\n"
    "  stdin, stdout and stderr are wasmgate's own.\n"
    "\n"
    "other options:\n"
    "  -h, --help             print this text (also after a command)\n"
    "  --version              print the version\n"
    "\n"
    "Core modules' --invoke ARGs are read by the function's parameter types:\n"
    "  i32, i64   decimal, signed or unsigned (-1, 4294967295), or hex (0xff, -0x10)\n"
    "  f32, f64   decimal or hex floats (1.5, -2e10, 0x1.8p3), inf, -inf, nan, -nan,\n"
    "             nan:0xPAYLOAD (exact mantissa bits)\n"
    "  funcref, externref   null\n"
    "Results print as signed integers, floats that read back exactly, nan:0x... for\n"
    "non-canonical NaNs, and null or ref for references. A component's call is\n"
    "WAVE, as in wasmtime: greet(\"world\"), add(1, 2), f([1, 2], {a: 1}, some(\"x\")).\n"
    "\n"
    "SIGINT or SIGTERM during run interrupts the guest and prints where it was.\n"
    "\n"
    "exit status: 0 success; for run, the guest's exit status (proc_exit); 1 module\n"
    "unreadable, malformed, invalid or not instantiable, or a --dir that cannot be\n"
    "opened; 2 usage error (also: unknown export, wrong arguments, no _start); 124\n"
    "--timeout expired; 134 trap; 128+N interrupted by signal N\n";

void cli_print_usage(void) {
    fputs(usage_text, stdout);
}

int cli_one_module_arg(int argc, char **argv, const char **path) {
    const char *cmd = argv[0];
    *path = NULL;
    for (int i = 1; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            cli_print_usage();
            return CLI_EXIT_OK;
        }
        if (argv[i][0] == '-' && argv[i][1] && !*path)
            return cli_usage_error("%s: unknown option '%s'", cmd, argv[i]);
        if (*path) return cli_usage_error("%s: one MODULE only (got '%s' after '%s')", cmd, argv[i], *path);
        *path = argv[i];
    }
    if (!*path) return cli_usage_error("%s: missing MODULE", cmd);
    return -1;
}

typedef struct command {
    const char *name;                /* as typed */
    int (*fn)(int argc, char **argv);
} command;

static const command commands[] = {
    {"validate", cli_cmd_validate},
    {"inspect", cli_cmd_inspect},
    {"run", cli_cmd_run},
};

int main(int argc, char **argv) {
    if (argc < 2 || cli_is_help(argv[1]) || strcmp(argv[1], "help") == 0) {
        cli_print_usage();
        return CLI_EXIT_OK;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("wasmgate %s\n", WG_VERSION);
        return CLI_EXIT_OK;
    }
    if (strcmp(argv[1], "serve") == 0) return cli_exec_serve(argc, argv);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        if (strcmp(argv[1], commands[i].name) == 0) return commands[i].fn(argc - 1, argv + 1);
    }
    if (argv[1][0] == '-') return cli_usage_error("unknown option '%s'", argv[1]);
    return cli_usage_error("unknown command '%s'", argv[1]);
}
