/*
 * `wasmgate run --invoke NAME MODULE.wasm [ARG...]`: instantiate the module
 * with no imports, call its exported function NAME with the ARGs read by the
 * function's parameter types (values.h), print each result on its own line.
 *
 * Everything about the call is checked before instantiating (the export, its
 * types, the argument count and every argument), so a mistyped command line
 * runs no guest code, not even the start function.
 *
 * While the call runs, SIGINT and SIGTERM interrupt the guest (the engine's
 * interrupt flag), which stops with the trap "interrupted" and a backtrace
 * that shows where it was; the exit status is then 128 + the signal, as if
 * the signal had killed the process. A second signal does kill it.
 *
 * Without --invoke, `run` is to start a WASI command's _start; WASI is not
 * there yet, so that is a usage error for now.
 */
#include "cli/cli.h"

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/values.h"

/* The instance that SIGINT/SIGTERM interrupt while a call runs, and the
 * signal that did. (Process-wide state of the command, not of the engine.) */
static wg_instance *volatile interruptible;
static volatile sig_atomic_t caught_signal;

/* Signal handler: wg_instance_interrupt is one atomic store. */
static void on_signal(int sig) {
    wg_instance *inst = interruptible;
    caught_signal = sig;
    if (inst) wg_instance_interrupt(inst);
}

/* Routes SIGINT and SIGTERM to inst until the next signal (SA_RESETHAND). */
static void interrupt_on_signals(wg_instance *inst) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_RESETHAND;
    sigemptyset(&sa.sa_mask);
    interruptible = inst;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

/* Prints a trap and its backtrace ("error: wasm trap: MESSAGE", "  #0 name
 * (func N)", ...) to stderr. */
static void print_trap(const wg_trap *trap) {
    char small[4096];
    size_t want = wg_trap_format(trap, small, sizeof small);
    if (want < sizeof small) {
        fputs(small, stderr);
        return;
    }
    char *big = malloc(want + 1);
    if (big) {
        wg_trap_format(trap, big, want + 1);
        fputs(big, stderr);
        free(big);
    } else {
        fputs(small, stderr); /* truncated, better than nothing */
    }
}

/* What an instance's failure means for the exit status: a trap (start
 * function) or an exit prints as a call's would; anything else is an error
 * in the module or its linking. */
static int report_call_stop(const wg_trap *trap) {
    if (trap->code == WG_TRAP_EXIT) return trap->exit_code;
    print_trap(trap);
    if (trap->code == WG_TRAP_INTERRUPTED && caught_signal) return 128 + caught_signal;
    return CLI_EXIT_TRAP;
}

static const char *kind_name(wg_extern_kind kind) {
    switch (kind) {
    case WG_EXTERN_FUNC: return "function";
    case WG_EXTERN_TABLE: return "table";
    case WG_EXTERN_MEMORY: return "memory";
    case WG_EXTERN_GLOBAL: return "global";
    }
    return "?";
}

/* Prints "  (exported functions: a, b)" to stderr, or says there are none. */
static void list_exported_funcs(const wg_module *m) {
    uint32_t n = wg_module_export_count(m), nfuncs = 0;
    char name[256];
    for (uint32_t i = 0; i < n; i++) {
        wg_extern_desc d;
        if (!wg_module_export(m, i, &d) || d.kind != WG_EXTERN_FUNC) continue;
        fprintf(stderr, "%s%s", nfuncs++ ? ", " : "(exported functions: ",
                cli_format_name(d.name, d.name_len, name, sizeof name));
    }
    fputs(nfuncs ? ")\n" : "(the module exports no functions)\n", stderr);
}

/* Finds export `name` in m. Returns true and fills *out if there is one. */
static bool find_export(const wg_module *m, const char *name, wg_extern_desc *out) {
    size_t len = strlen(name);
    uint32_t n = wg_module_export_count(m);
    for (uint32_t i = 0; i < n; i++) {
        if (wg_module_export(m, i, out) && out->name_len == len && memcmp(out->name, name, len) == 0)
            return true;
    }
    return false;
}

/* Checks the export and parses the ARGs into args[]. Returns CLI_EXIT_OK or
 * the exit status after printing why not. */
static int prepare_call(const wg_module *m, const char *path, const char *invoke,
                        char **argv, int argc, wg_val *args, wg_functype_view *ft) {
    wg_extern_desc d;
    char sig[512];
    if (!find_export(m, invoke, &d)) {
        fprintf(stderr, "%s: error: no export named '%s' ", path, invoke);
        list_exported_funcs(m);
        return CLI_EXIT_USAGE;
    }
    if (d.kind != WG_EXTERN_FUNC) {
        fprintf(stderr, "%s: error: export '%s' is a %s, not a function ", path, invoke,
                kind_name(d.kind));
        list_exported_funcs(m);
        return CLI_EXIT_USAGE;
    }
    *ft = d.func;
    cli_format_functype(ft, sig, sizeof sig);
    for (uint32_t i = 0; i < ft->nparams + ft->nresults; i++) {
        uint8_t t = i < ft->nparams ? ft->params[i] : ft->results[i - ft->nparams];
        if (t == WG_V128) {
            fprintf(stderr, "%s: error: '%s' %s uses v128, which the command line cannot pass or print\n",
                    path, invoke, sig);
            return CLI_EXIT_USAGE;
        }
    }
    if ((uint32_t)argc != ft->nparams) {
        return cli_usage_error("'%s' %s takes %u argument%s, got %d", invoke, sig, ft->nparams,
                               ft->nparams == 1 ? "" : "s", argc);
    }
    for (int i = 0; i < argc; i++) {
        wg_valtype t = (wg_valtype)ft->params[i];
        const char *why = cli_parse_value(t, argv[i], &args[i]);
        if (why) {
            return cli_usage_error("argument %d of '%s' ('%s') is not a valid %s: %s", i + 1, invoke,
                                   argv[i], cli_valtype_name(t), why);
        }
    }
    return CLI_EXIT_OK;
}

/* Instantiates m with no imports and calls `invoke`; prints the results. */
static int instantiate_and_call(const wg_module *m, const char *path, const char *invoke,
                                const wg_val *args, const wg_functype_view *ft) {
    int rc = CLI_EXIT_ERROR;
    wg_error err;
    wg_trap trap;
    wg_instance *inst = NULL;
    wg_func *f;
    wg_val *results = NULL;
    wg_imports *imports = wg_imports_new();
    memset(&err, 0, sizeof err);
    memset(&trap, 0, sizeof trap);
    if (!imports) {
        fprintf(stderr, "%s: error: out of memory\n", path);
        goto done;
    }
    inst = wg_instance_new(m, imports, NULL, &err, &trap);
    if (!inst) {
        if (err.kind == WG_ERR_TRAP && trap.code != WG_TRAP_NONE) {
            rc = report_call_stop(&trap);
        } else {
            fprintf(stderr, "%s: error: %s\n", path, err.message[0] ? err.message : "cannot instantiate");
        }
        goto done;
    }
    f = wg_instance_export_func(inst, invoke);
    if (!f) { /* prepare_call found it in the module: cannot happen */
        fprintf(stderr, "%s: error: instance has no function '%s'\n", path, invoke);
        goto done;
    }
    results = calloc(ft->nresults ? ft->nresults : 1, sizeof *results);
    if (!results) {
        fprintf(stderr, "%s: error: out of memory\n", path);
        goto done;
    }
    interrupt_on_signals(inst);
    bool returned = wg_func_call(inst, f, args, ft->nparams, results, ft->nresults, &trap);
    interruptible = NULL;
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    if (!returned) {
        fflush(stdout);
        rc = report_call_stop(&trap);
        goto done;
    }
    for (uint32_t i = 0; i < ft->nresults; i++) {
        char text[CLI_VALUE_MAX];
        puts(cli_format_value(&results[i], text, sizeof text));
    }
    rc = CLI_EXIT_OK;
done:
    free(results);
    wg_instance_free(inst);
    wg_imports_free(imports);
    return rc;
}

int cli_cmd_run(int argc, char **argv) {
    const char *invoke = NULL;
    int i = 1;
    for (; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--") == 0) {
            i++;
            break;
        }
        if (cli_is_help(a)) {
            cli_print_usage();
            return CLI_EXIT_OK;
        }
        if (strcmp(a, "--invoke") == 0) {
            if (i + 1 >= argc) return cli_usage_error("run: --invoke needs a NAME");
            invoke = argv[++i];
        } else if (strncmp(a, "--invoke=", 9) == 0) {
            invoke = a + 9;
        } else if (a[0] == '-' && a[1]) {
            return cli_usage_error("run: unknown option '%s'", a);
        } else {
            break;
        }
    }
    if (i >= argc) return cli_usage_error("run: missing MODULE");
    const char *path = argv[i++];
    char **rest = argv + i;
    int nrest = argc - i;
    if (invoke && !*invoke) return cli_usage_error("run: --invoke needs a NAME");
    if (!invoke) {
        for (int k = 0; k < nrest; k++) {
            if (strncmp(rest[k], "--invoke", 8) == 0)
                return cli_usage_error("run: --invoke must come before MODULE (everything after MODULE is an argument)");
        }
        return cli_usage_error("WASI is not supported yet: use --invoke NAME");
    }

    wg_module *m = cli_load_module(path, NULL, NULL);
    if (!m) return CLI_EXIT_ERROR;
    wg_functype_view ft;
    wg_val *args = calloc(nrest ? (size_t)nrest : 1, sizeof *args);
    int rc = CLI_EXIT_ERROR;
    if (!args) {
        fprintf(stderr, "%s: error: out of memory\n", path);
    } else {
        rc = prepare_call(m, path, invoke, rest, nrest, args, &ft);
        if (rc == CLI_EXIT_OK) rc = instantiate_and_call(m, path, invoke, args, &ft);
    }
    free(args);
    wg_module_free(m);
    return rc;
}
