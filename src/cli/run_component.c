/*
 * `wasmgate run` for components (run.h): a command component's wasi:cli/run
 * export, or one exported function called with --invoke.
 *
 *   wasmgate run [OPTIONS] app.component.wasm [ARGS...]
 *       links WASI 0.2 (include/wasmgate/wasi2.h) made from the same options
 *       as a core module's WASI (--dir, --env, --max-open-files; argv[0] is
 *       the path as typed, then ARGS), instantiates, and calls `run` of
 *       wasi:cli/run@0.2.x. Exit status: 0 when run returns ok, 1 when it
 *       returns err; wasi:cli/exit's status (exit(ok) 0, exit(err) 1,
 *       exit-with-code its code).
 *   wasmgate run [OPTIONS] --invoke 'greet("world")' app.wasm
 *       calls a function exported at the top level (`greet`) or by an
 *       exported instance (`iface#name`, `ns:pkg/iface@1.0.0#name`,
 *       `ns:pkg/iface.name`) with WAVE arguments, and prints its result in
 *       WAVE (nothing for a function without one). The call is parsed
 *       against the component's types before anything is instantiated: an
 *       error prints the message, the call and a caret under the column at
 *       fault, and exits 2. The guest's argv is the path alone; ARGS after
 *       the component are refused (they belong inside the call).
 *
 * --max-memory caps each core memory of the component, --timeout and
 * SIGINT / SIGTERM set the instance's interrupt handle (also while it is
 * instantiated: start functions stop too): a guest stopped by them exits
 * 124 / 128+N with the backtrace of where it was, a trap 134, as for core
 * modules.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/run.h"
#include "cli/watchdog.h"
#include "component/component_int.h"
#include "component/wave.h"
#include "util/strbuf.h"
#include "wasmgate/component.h"
#include "wasmgate/wasi2.h"

/* Lists the functions a component exports, for an unknown --invoke name:
 * "(exported functions: greet, wasi:cli/run@0.2.6#run)". */
static void list_exported_funcs(const wg_ccomptype *ct) {
    uint32_t n = 0;
    for (uint32_t i = 0; i < ct->nexports; i++) {
        const wg_cextern *x = &ct->exports[i];
        if (x->type.kind == WG_EXT_FUNC) {
            fprintf(stderr, "%s%s", n++ ? ", " : "(exported functions: ", x->name.name.s);
        } else if (x->type.kind == WG_EXT_INSTANCE) {
            const wg_cinsttype *it = x->type.of.inst;
            for (uint32_t k = 0; k < it->nexports; k++) {
                if (it->exports[k].type.kind != WG_EXT_FUNC) continue;
                fprintf(stderr, "%s%s#%s", n++ ? ", " : "(exported functions: ", x->name.name.s,
                        it->exports[k].name.name.s);
            }
        }
    }
    fputs(n ? ")\n" : "(the component exports no functions)\n", stderr);
}

/* Parses the --invoke call against the component's exports. CLI_EXIT_OK,
 * or CLI_EXIT_USAGE after printing the error under the call. */
static int parse_invoke(const run_opts *o, const wg_ccomptype *ct, wg_wave_call *call) {
    wg_wave_error err;
    if (o->nrest > 0)
        return cli_usage_error("run: with --invoke on a component, the arguments go inside the "
                               "call (--invoke 'f(1, \"x\")'), not after it: '%s'", o->rest[0]);
    if (wg__wave_parse_call(o->invoke, strlen(o->invoke), wg__wave_lookup_export, (void *)ct, call,
                            &err))
        return CLI_EXIT_OK;
    fprintf(stderr, "wasmgate: error: --invoke: %s (column %zu)\n  %s\n  %*s^\n", err.message,
            err.column + 1, o->invoke, (int)err.column, "");
    if (strstr(err.message, "unknown function")) list_exported_funcs(ct);
    return CLI_EXIT_USAGE;
}

/* Whether the component exports wasi:cli/run@0.2.x with a `run` function. */
static bool exports_run(const wg_ccomptype *ct) {
    const char *iface = wg__wave_export_instance(ct, "wasi:cli/run");
    return iface && strncmp(iface, "wasi:cli/run@0.2.", 17) == 0 &&
           wg__wave_lookup_export((void *)ct, iface, "run") != NULL;
}

/* Prints v (of the function's result type) in WAVE on stdout. */
static int print_result(const run_opts *o, const wg_cval *v, const wg_ctype *t) {
    wg_strbuf b = {0};
    if (!wg__wave_print(&b, v, t)) {
        wg__sb_free(&b);
        fprintf(stderr, "%s: error: cannot print the result\n", o->path);
        return CLI_EXIT_ERROR;
    }
    char *text = wg__sb_take(&b, NULL);
    if (!text) {
        fprintf(stderr, "%s: error: out of memory\n", o->path);
        return CLI_EXIT_ERROR;
    }
    puts(text);
    free(text);
    return CLI_EXIT_OK;
}

/* What a run holds, freed in one place. */
typedef struct crun {
    wg_component *comp;
    wg_clinker *linker;
    wg_wasi_config *cfg;
    wg_wasi *wasi;
    wg_interrupt *intr;
    wg_cinstance *inst;
    wg_wave_call call;
    bool have_call;
    cli_watchdog wd;
    bool watching;
} crun;

static void crun_free(crun *r) {
    if (r->watching) cli_watchdog_stop(&r->wd);
    wg_cinstance_free(r->inst);
    wg_wasi_free(r->wasi);
    wg_clinker_free(r->linker);
    wg_wasi_config_free(r->cfg);
    wg_interrupt_free(r->intr);
    if (r->have_call) wg__wave_call_free(&r->call);
    wg_component_free(r->comp);
}

/* The path wg_cinstance_func takes for the parsed call: "func", or the
 * exported instance's full name, '#', func. NULL when out of memory. */
static char *call_path(const wg_ccomptype *ct, const wg_wave_call *c) {
    const char *iface = c->iface ? wg__wave_export_instance(ct, c->iface) : NULL;
    size_t n = (iface ? strlen(iface) + 1 : 0) + strlen(c->func) + 1;
    char *p = malloc(n);
    if (p) snprintf(p, n, "%s%s%s", iface ? iface : "", iface ? "#" : "", c->func);
    return p;
}

/* Instantiates and runs (or invokes) with everything prepared in r. */
static int instantiate_and_run(const run_opts *o, crun *r) {
    wg_error err;
    wg_trap trap;
    memset(&err, 0, sizeof err);
    memset(&trap, 0, sizeof trap);
    bool fired = false;
    const wg_ccomptype *ct = r->comp->root->type;

    if (o->timeout > 0) {
        if (!cli_watchdog_start(&r->wd, o->timeout)) {
            fprintf(stderr, "%s: error: cannot start the --timeout watchdog thread\n", o->path);
            return CLI_EXIT_ERROR;
        }
        r->watching = true;
        /* Armed now: the handle stops start functions as well. */
        cli_watchdog_arm_handle(&r->wd, r->intr);
    }
    cli_run_signals_on(NULL, r->intr);
    wg_cinstance_opts opts = {.host_data = r->wasi, .max_memory_bytes = o->max_memory,
                              .interrupt = r->intr};
    fflush(stdout);
    r->inst = wg_cinstance_new(r->comp, r->linker, &opts, &err, &trap);
    bool returned = false;
    wg_cval res = {.kind = WG_CV_BOOL};
    if (r->inst && !o->invoke) {
        int status = wg_wasi2_run(r->inst, &trap);
        if (status >= 0 && trap.code != WG_TRAP_EXIT) {
            trap.code = WG_TRAP_EXIT;
            trap.exit_code = status;
        }
    } else if (r->inst) {
        char *path = call_path(ct, &r->call);
        const wg_cfunc *f = path ? wg_cinstance_func(r->inst, path) : NULL;
        free(path);
        if (!f) {
            cli_run_signals_off();
            fprintf(stderr, "%s: error: the exported function '%s' is not in the instance\n",
                    o->path, r->call.func);
            return CLI_EXIT_ERROR;
        }
        returned = wg_cfunc_call(r->inst, f, r->call.args, (uint32_t)r->call.nargs, &res, &trap);
    }
    cli_run_signals_off();
    if (r->watching) fired = cli_watchdog_stop(&r->wd);
    r->watching = false;
    if (!r->inst) {
        if (err.kind == WG_ERR_TRAP && trap.code != WG_TRAP_NONE) return cli_run_report_stop(&trap, o, fired);
        fprintf(stderr, "%s: error: %s", o->path, err.message[0] ? err.message : "cannot instantiate");
        if (o->max_memory && err.kind == WG_ERR_RESOURCE)
            fprintf(stderr, " (--max-memory is %llu bytes)", (unsigned long long)o->max_memory);
        fputc('\n', stderr);
        return CLI_EXIT_ERROR;
    }
    if (!returned) return cli_run_report_stop(&trap, o, fired);
    int rc = CLI_EXIT_OK;
    if (r->call.type->result) rc = print_result(o, &res, r->call.type->result);
    wg_cval_free(&res);
    return rc;
}

int cli_run_component(const run_opts *o, const cli_file *file) {
    crun r;
    memset(&r, 0, sizeof r);
    int rc = CLI_EXIT_ERROR;
    wg_error err;
    memset(&err, 0, sizeof err);
    r.comp = wg_component_new(file->data, file->len, &err);
    if (!r.comp) {
        fprintf(stderr, "%s: error: %s\n", o->path, err.message[0] ? err.message : "invalid component");
        return CLI_EXIT_ERROR;
    }
    const wg_ccomptype *ct = r.comp->root->type;
    /* Everything about the command line is checked before instantiating. */
    if (o->invoke) {
        rc = parse_invoke(o, ct, &r.call);
        r.have_call = rc == CLI_EXIT_OK;
    } else if (!exports_run(ct)) {
        fprintf(stderr, "%s: error: the component exports no wasi:cli/run@0.2.x; use --invoke "
                        "'NAME(ARGS)' to call a function ", o->path);
        list_exported_funcs(ct);
        rc = CLI_EXIT_USAGE;
    } else {
        rc = CLI_EXIT_OK;
    }
    if (rc != CLI_EXIT_OK) goto done;
    rc = CLI_EXIT_ERROR;
    r.cfg = cli_run_wasi_config(o, !o->invoke, &rc);
    if (!r.cfg) goto done;
    r.linker = wg_clinker_new();
    r.intr = wg_interrupt_new();
    if (!r.linker || !r.intr || !wg_wasi2_add_to_linker(r.linker, NULL)) {
        fprintf(stderr, "%s: error: out of memory\n", o->path);
        rc = CLI_EXIT_ERROR;
        goto done;
    }
    r.wasi = wg_wasi_new(r.cfg, &err);
    if (!r.wasi) {
        fprintf(stderr, "%s: error: WASI: %s\n", o->path, err.message[0] ? err.message : "cannot set up");
        rc = CLI_EXIT_ERROR;
        goto done;
    }
    rc = instantiate_and_run(o, &r);
done:
    fflush(stdout);
    cli_exit_fast(rc); /* the run is over: the kernel tears down faster (cli.h) */
    crun_free(&r);
    return rc;
}
