/*
 * `wasmgate run`: what its two halves share. run.c parses the options and
 * runs core modules (WASI preview1); run_component.c runs components (WASI
 * 0.2, wasi:cli/run or --invoke with WAVE). Both build the guest's WASI
 * from the same options (one wg_wasi_config), stop on the same signals and
 * --timeout, and report a stop the same way.
 */
#ifndef WG_CLI_RUN_H
#define WG_CLI_RUN_H

#include <stdbool.h>
#include <stdint.h>

#include "cli/cli.h"
#include "wasmgate/wasi.h"

/* Everything the command line says. */
typedef struct run_opts {
    const char *invoke;
    const char **dirs;       /* --dir SPECs, in order */
    int ndirs;
    const char **envs;       /* --env SPECs, in order */
    int nenvs;
    uint64_t max_memory;     /* 0: no cap */
    uint64_t max_open_files; /* guest-created fds at once; 0: no cap */
    double timeout;          /* 0: none */
    const char *path;
    char **rest;             /* after MODULE */
    int nrest;
} run_opts;

/* The guest's WASI view from the options: argv is MODULE as typed, then
 * ARGS (without them when with_args is false), --env, --dir,
 * --max-open-files. NULL (after printing why, with *rc set) on failure. */
wg_wasi_config *cli_run_wasi_config(const run_opts *o, bool with_args, int *rc);

/* SIGINT and SIGTERM interrupt the guest until cli_run_signals_off: a core
 * instance (inst) or an interrupt handle (intr, for a component); the
 * second signal kills. */
void cli_run_signals_on(wg_instance *inst, wg_interrupt *intr);
void cli_run_signals_off(void);

/* Reports a call that did not return and gives the exit status: the
 * guest's own for an exit, 124 for a --timeout (timed_out: the watchdog
 * fired), 128 + N for an interrupt by signal N, CLI_EXIT_TRAP for any
 * other trap (printed with its backtrace). */
int cli_run_report_stop(const wg_trap *trap, const run_opts *o, bool timed_out);

/* Runs the component in file (run_component.c): wasi:cli/run, or the
 * --invoke call. Returns the exit status. */
int cli_run_component(const run_opts *o, const cli_file *file);

#endif
