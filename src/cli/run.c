/*
 * `wasmgate run [OPTIONS] MODULE [ARGS...]`: run a WASI command (or reactor),
 * or call one exported function with --invoke.
 *
 *   --dir HOST[::GUEST][:ro]   preopen a host directory (run_opts.h: syntax)
 *   --env NAME[=VALUE]         a guest environment variable; NAME alone
 *                              copies the host's value (unset: usage error)
 *   --invoke NAME              call export NAME with ARGS read by its types
 *   --max-memory BYTES         cap on each memory (wg_instance_opts)
 *   --max-open-files N         files the guest may hold open at once
 *                              (wg_wasi_config_max_open_files; default 256,
 *                              0: no cap of ours): a guest cannot take the
 *                              whole RLIMIT_NOFILE of the process
 *   --timeout SECONDS          interrupt the guest after that long (exit 124)
 *
 * WASI (wasi_snapshot_preview1) is always linked. The guest's argv is MODULE
 * as typed, then ARGS (with --invoke ARGS are the function's arguments and
 * argv is just MODULE). Its environment holds only the --env variables; it
 * sees only the --dir directories; stdin, stdout and stderr are the
 * process's own.
 *
 * Without --invoke the module must export _start or _initialize:
 * wg_wasi_run_start calls _initialize then _start, and the exit status is the
 * guest's (proc_exit's value, 0 when _start returns). With --invoke on a
 * reactor (a module exporting _initialize) _initialize runs first.
 *
 * Everything about an --invoke call is checked before instantiating (the
 * export, its types, the argument count and every argument), so a mistyped
 * command line runs no guest code, not even the start function.
 *
 * While the guest runs, SIGINT and SIGTERM interrupt it (the engine's
 * interrupt flag), which stops with the trap "interrupted" and a backtrace
 * that shows where it was; the exit status is then 128 + the signal, as if
 * the signal had killed the process. A second signal does kill it. The
 * --timeout watchdog (watchdog.c) uses the same flag; a run stopped by it
 * prints "error: timed out after S seconds" and the backtrace, exit 124.
 */
#define _GNU_SOURCE /* O_PATH */
#include "cli/cli.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/run.h"
#include "cli/run_opts.h"
#include "cli/values.h"
#include "cli/watchdog.h"
#include "wasmgate/component.h"
#include "wasmgate/wasi.h"

/* The instance (or, for a component, the interrupt handle) that SIGINT and
 * SIGTERM interrupt while a call runs, and the signal that did.
 * (Process-wide state of the command, not of the engine.) */
static wg_instance *volatile interruptible;
static wg_interrupt *volatile interruptible_handle;
static volatile sig_atomic_t caught_signal;

/* Signal handler: wg_instance_interrupt and wg_interrupt_set are one
 * atomic store each. */
static void on_signal(int sig) {
    wg_instance *inst = interruptible;
    wg_interrupt *intr = interruptible_handle;
    caught_signal = sig;
    if (inst) wg_instance_interrupt(inst);
    if (intr) wg_interrupt_set(intr);
}

/* Routes SIGINT and SIGTERM to inst or intr until the next signal
 * (SA_RESETHAND). */
void cli_run_signals_on(wg_instance *inst, wg_interrupt *intr) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_RESETHAND;
    sigemptyset(&sa.sa_mask);
    interruptible = inst;
    interruptible_handle = intr;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

void cli_run_signals_off(void) {
    interruptible = NULL;
    interruptible_handle = NULL;
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
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

static const char *kind_name(wg_extern_kind kind) {
    switch (kind) {
    case WG_EXTERN_FUNC: return "function";
    case WG_EXTERN_TABLE: return "table";
    case WG_EXTERN_MEMORY: return "memory";
    case WG_EXTERN_GLOBAL: return "global";
    }
    return "?";
}

/* Ends an error line on stderr with "(exported functions: a, b)", or says
 * there are none. */
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

/* Set when the --timeout watchdog stopped the guest. */
static bool timed_out;

/* Prints a trap's backtrace lines (everything after its first line). */
static void print_trap_frames(const wg_trap *trap) {
    char buf[8192];
    wg_trap_format(trap, buf, sizeof buf);
    const char *nl = strchr(buf, '\n');
    if (nl) fputs(nl + 1, stderr);
}

/* Reports a call (entry, start function or --invoke) that did not return;
 * returns the exit status: the guest's own for an exit, 124 for a timeout,
 * 128 + N for an interrupt by signal N, CLI_EXIT_TRAP for any other trap. */
int cli_run_report_stop(const wg_trap *trap, const run_opts *o, bool fired) {
    fflush(stdout);
    if (trap->code == WG_TRAP_EXIT) return trap->exit_code;
    if (trap->code == WG_TRAP_INTERRUPTED && fired && !caught_signal) {
        fprintf(stderr, "error: timed out after %g seconds\n", o->timeout);
        print_trap_frames(trap);
        return CLI_EXIT_TIMEOUT;
    }
    print_trap(trap);
    if (trap->code == WG_TRAP_INTERRUPTED && caught_signal) return 128 + caught_signal;
    return CLI_EXIT_TRAP;
}

/* True if m exports a function called name. */
static bool exports_func(const wg_module *m, const char *name) {
    wg_extern_desc d;
    return find_export(m, name, &d) && d.kind == WG_EXTERN_FUNC;
}

/* Builds the guest's WASI view from the options (run.h). */
wg_wasi_config *cli_run_wasi_config(const run_opts *o, bool with_args, int *rc) {
    wg_wasi_config *cfg = wg_wasi_config_new();
    if (!cfg) goto oom;
    wg_wasi_config_max_open_files(cfg, (size_t)o->max_open_files);
    if (!wg_wasi_config_add_arg(cfg, o->path)) goto oom;
    for (int i = 0; with_args && i < o->nrest; i++) {
        if (!wg_wasi_config_add_arg(cfg, o->rest[i])) goto oom;
    }
    for (int i = 0; i < o->nenvs; i++) {
        cli_env_spec e;
        const char *why = cli_parse_env(o->envs[i], &e); /* checked while parsing: cannot fail but for memory */
        if (why) goto oom;
        /* A later --env of the same NAME wins: skip this one. */
        bool overridden = false;
        size_t len = strlen(e.name);
        for (int k = i + 1; k < o->nenvs && !overridden; k++)
            overridden = strncmp(o->envs[k], e.name, len) == 0 &&
                         (o->envs[k][len] == '=' || o->envs[k][len] == '\0');
        const char *value = e.value ? e.value : getenv(e.name);
        bool ok = overridden || (value && wg_wasi_config_add_env(cfg, e.name, value));
        free(e.name);
        if (!ok) goto oom;
    }
    for (int i = 0; i < o->ndirs; i++) {
        cli_dir_spec d;
        wg_error err;
        memset(&err, 0, sizeof err);
        if (cli_parse_dir(o->dirs[i], &d)) goto oom; /* checked while parsing */
        /* Open it here first for the plain errno reason ("No such file or
         * directory", "Not a directory"); the library's message adds context. */
        int fd = open(d.host, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0) {
            fprintf(stderr, "error: --dir %s: %s\n", d.host, strerror(errno));
            *rc = CLI_EXIT_ERROR;
            wg_wasi_config_free(cfg);
            return NULL;
        }
        close(fd);
        if (!wg_wasi_config_preopen(cfg, d.host, d.guest, d.read_only, &err)) {
            fprintf(stderr, "error: --dir %s: %s\n", d.host, err.message[0] ? err.message : "cannot preopen");
            *rc = CLI_EXIT_ERROR;
            wg_wasi_config_free(cfg);
            return NULL;
        }
    }
    return cfg;
oom:
    fprintf(stderr, "%s: error: out of memory\n", o->path);
    wg_wasi_config_free(cfg);
    *rc = CLI_EXIT_ERROR;
    return NULL;
}

/* Instantiates m with WASI and runs it: the WASI entry (_initialize,
 * _start), or with --invoke, _initialize if exported and then the function,
 * whose results are printed. */
static int instantiate_and_run(const wg_module *m, const run_opts *o, const wg_val *args,
                               const wg_functype_view *ft) {
    int rc = CLI_EXIT_ERROR;
    wg_error err;
    wg_trap trap;
    wg_instance *inst = NULL;
    wg_wasi *wasi = NULL;
    wg_val *results = NULL;
    wg_imports *imports = NULL;
    cli_watchdog wd;
    bool watching = false;
    memset(&err, 0, sizeof err);
    memset(&trap, 0, sizeof trap);
    memset(&wd, 0, sizeof wd);

    wg_wasi_config *cfg = cli_run_wasi_config(o, !o->invoke, &rc);
    if (!cfg) return rc;
    imports = wg_imports_new();
    if (!imports || !wg_wasi_add_to_imports(imports)) {
        fprintf(stderr, "%s: error: out of memory\n", o->path);
        goto done;
    }
    wasi = wg_wasi_new(cfg, &err);
    if (!wasi) {
        fprintf(stderr, "%s: error: WASI: %s\n", o->path, err.message[0] ? err.message : "cannot set up");
        goto done;
    }
    if (o->invoke) {
        results = calloc(ft->nresults ? ft->nresults : 1, sizeof *results);
        if (!results) {
            fprintf(stderr, "%s: error: out of memory\n", o->path);
            goto done;
        }
    }

    if (o->timeout > 0) {
        if (!cli_watchdog_start(&wd, o->timeout)) {
            fprintf(stderr, "%s: error: cannot start the --timeout watchdog thread\n", o->path);
            goto done;
        }
        watching = true;
    }
    wg_instance_opts iopts = {.max_memory_bytes = o->max_memory, .host_data = wasi};
    fflush(stdout);
    inst = wg_instance_new(m, imports, &iopts, &err, &trap);
    if (!inst) {
        if (watching) timed_out = cli_watchdog_stop(&wd);
        watching = false;
        if (err.kind == WG_ERR_TRAP && trap.code != WG_TRAP_NONE) {
            rc = cli_run_report_stop(&trap, o, timed_out);
        } else {
            fprintf(stderr, "%s: error: %s", o->path, err.message[0] ? err.message : "cannot instantiate");
            if (o->max_memory && err.kind == WG_ERR_RESOURCE)
                fprintf(stderr, " (--max-memory is %llu bytes)", (unsigned long long)o->max_memory);
            fputc('\n', stderr);
        }
        goto done;
    }
    if (watching) cli_watchdog_arm(&wd, inst);

    cli_run_signals_on(inst, NULL);
    bool returned;
    if (!o->invoke) {
        /* Every end of a command is reported as a stop: an exit with the
         * guest's status, or the trap. */
        int status = wg_wasi_run_start(inst, &trap);
        if (status >= 0 && trap.code != WG_TRAP_EXIT) {
            trap.code = WG_TRAP_EXIT;
            trap.exit_code = status;
        }
        returned = false;
    } else {
        wg_func *init = wg_instance_export_func(inst, "_initialize");
        wg_func *f = wg_instance_export_func(inst, o->invoke); /* prepare_call found it */
        returned = !init || wg_func_call(inst, init, NULL, 0, NULL, 0, &trap);
        if (returned) returned = wg_func_call(inst, f, args, ft->nparams, results, ft->nresults, &trap);
    }
    cli_run_signals_off();
    if (watching) timed_out = cli_watchdog_stop(&wd);
    watching = false;
    if (!returned) {
        rc = cli_run_report_stop(&trap, o, timed_out);
        goto done;
    }
    for (uint32_t i = 0; i < ft->nresults; i++) {
        char text[CLI_VALUE_MAX];
        puts(cli_format_value(&results[i], text, sizeof text));
    }
    rc = CLI_EXIT_OK;
done:
    if (watching) cli_watchdog_stop(&wd);
    cli_exit_fast(rc); /* the run is over: the kernel tears down faster (cli.h) */
    free(results);
    wg_instance_free(inst);
    wg_wasi_free(wasi);
    wg_imports_free(imports);
    wg_wasi_config_free(cfg);
    return rc;
}

/* Reads OPTION VALUE or OPTION=VALUE at argv[*i]. Returns 1 and sets *value
 * (advancing *i past a separate VALUE) when argv[*i] is that option, 0 when
 * it is not, -1 after a usage error for a missing value. */
static int option_value(char **argv, int argc, int *i, const char *name, const char *what,
                        const char **value) {
    const char *a = argv[*i];
    size_t n = strlen(name);
    if (strncmp(a, name, n) != 0) return 0;
    if (a[n] == '=') {
        *value = a + n + 1;
    } else if (a[n] == '\0') {
        if (*i + 1 >= argc) {
            cli_usage_error("run: %s needs %s", name, what);
            return -1;
        }
        *value = argv[++*i];
    } else {
        return 0;
    }
    if (!**value) {
        cli_usage_error("run: %s needs %s", name, what);
        return -1;
    }
    return 1;
}

/* Parses the options; returns CLI_EXIT_OK, or the status after printing why
 * not (help is printed here too: *done is set then). */
static int parse_run_args(int argc, char **argv, run_opts *o, bool *done) {
    int i = 1;
    *done = false;
    o->dirs = calloc((size_t)argc, sizeof *o->dirs);
    o->envs = calloc((size_t)argc, sizeof *o->envs);
    if (!o->dirs || !o->envs) {
        fputs("wasmgate: error: out of memory\n", stderr);
        return CLI_EXIT_ERROR;
    }
    for (; i < argc; i++) {
        const char *a = argv[i], *v = NULL;
        int r;
        if (strcmp(a, "--") == 0) {
            i++;
            break;
        }
        if (cli_is_help(a)) {
            cli_print_usage();
            *done = true;
            return CLI_EXIT_OK;
        }
        if ((r = option_value(argv, argc, &i, "--invoke", "a NAME", &v)) != 0) {
            if (r < 0) return CLI_EXIT_USAGE;
            o->invoke = v;
        } else if ((r = option_value(argv, argc, &i, "--dir", "HOST[::GUEST][:ro]", &v)) != 0) {
            if (r < 0) return CLI_EXIT_USAGE;
            cli_dir_spec d;
            const char *why = cli_parse_dir(v, &d);
            if (why) return cli_usage_error("run: --dir '%s': %s", v, why);
            o->dirs[o->ndirs++] = v;
        } else if ((r = option_value(argv, argc, &i, "--env", "NAME[=VALUE]", &v)) != 0) {
            if (r < 0) return CLI_EXIT_USAGE;
            cli_env_spec e;
            const char *why = cli_parse_env(v, &e);
            if (why) return cli_usage_error("run: --env '%s': %s", v, why);
            bool unset = !e.value && !getenv(e.name);
            free(e.name);
            if (unset)
                return cli_usage_error("run: --env %s: %s is not set in the environment "
                                       "(use --env %s=VALUE)", v, v, v);
            o->envs[o->nenvs++] = v;
        } else if ((r = option_value(argv, argc, &i, "--max-memory", "BYTES", &v)) != 0) {
            if (r < 0) return CLI_EXIT_USAGE;
            const char *why = cli_parse_size(v, &o->max_memory);
            if (why) return cli_usage_error("run: --max-memory '%s': %s", v, why);
        } else if ((r = option_value(argv, argc, &i, "--max-open-files", "N", &v)) != 0) {
            if (r < 0) return CLI_EXIT_USAGE;
            const char *why = cli_parse_open_files(v, &o->max_open_files);
            if (why) return cli_usage_error("run: --max-open-files '%s': %s", v, why);
        } else if ((r = option_value(argv, argc, &i, "--timeout", "SECONDS", &v)) != 0) {
            if (r < 0) return CLI_EXIT_USAGE;
            const char *why = cli_parse_seconds(v, &o->timeout);
            if (why) return cli_usage_error("run: --timeout '%s': %s", v, why);
        } else if (a[0] == '-' && a[1]) {
            return cli_usage_error("run: unknown option '%s'", a);
        } else {
            break;
        }
    }
    if (i >= argc) return cli_usage_error("run: missing MODULE");
    o->path = argv[i++];
    o->rest = argv + i;
    o->nrest = argc - i;
    return CLI_EXIT_OK;
}

int cli_cmd_run(int argc, char **argv) {
    run_opts o;
    bool done;
    memset(&o, 0, sizeof o);
    o.max_open_files = CLI_MAX_OPEN_FILES_DEFAULT;
    int rc = parse_run_args(argc, argv, &o, &done);
    if (rc != CLI_EXIT_OK || done) goto out;

    /* The file stays mapped until the end: unmapping it now would cost what
     * cli_exit_fast saves at the end. */
    cli_file file;
    if (!cli_file_load(o.path, &file)) {
        rc = CLI_EXIT_ERROR;
        goto out;
    }
    if (wg_binary_kind_of(file.data, file.len) == WG_BINARY_COMPONENT) {
        rc = cli_run_component(&o, &file);
        cli_file_release(&file);
        goto out;
    }
    wg_module *m = cli_module_of_file(o.path, &file);
    if (!m) {
        cli_file_release(&file);
        rc = CLI_EXIT_ERROR;
        goto out;
    }
    wg_functype_view ft;
    memset(&ft, 0, sizeof ft);
    wg_val *args = calloc(o.nrest ? (size_t)o.nrest : 1, sizeof *args);
    if (!args) {
        fprintf(stderr, "%s: error: out of memory\n", o.path);
        rc = CLI_EXIT_ERROR;
    } else if (o.invoke) {
        rc = prepare_call(m, o.path, o.invoke, o.rest, o.nrest, args, &ft);
    } else if (!exports_func(m, "_start") && !exports_func(m, "_initialize")) {
        fprintf(stderr, "%s: error: the module exports neither _start nor _initialize; "
                        "use --invoke NAME to call a function ", o.path);
        list_exported_funcs(m);
        rc = CLI_EXIT_USAGE;
    }
    if (rc == CLI_EXIT_OK) rc = instantiate_and_run(m, &o, args, &ft);
    free(args);
    wg_module_free(m);
    cli_file_release(&file);
out:
    free(o.dirs);
    free(o.envs);
    return rc;
}
