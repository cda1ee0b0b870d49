/*
 * `wasmgate run --timeout`: a watchdog thread that interrupts the guest when
 * its time is up.
 *
 *   cli_watchdog wd;
 *   cli_watchdog_start(&wd, seconds);   // the clock starts now (CLOCK_MONOTONIC)
 *   inst = wg_instance_new(...);        // may run the start function
 *   cli_watchdog_arm(&wd, inst);        // from now on, time up interrupts inst
 *   ... run the guest ...
 *   bool fired = cli_watchdog_stop(&wd);  // wakes and joins the thread
 *
 * The thread sleeps on a condition variable with a timed wait until the
 * deadline or until cli_watchdog_stop signals it. At the deadline it calls
 * wg_instance_interrupt on the armed instance (one atomic store; the guest
 * stops with the trap "interrupted" at its next call or loop back-edge).
 * A component is armed with its interrupt handle before it is instantiated
 * (cli_watchdog_arm_handle): the handle stops its start functions too.
 * If nothing is armed yet (instantiation, including the start function,
 * is still running) there is nothing to interrupt: the thread prints
 * "error: timed out after S seconds (while instantiating)" and ends the
 * process with status 124 at once.
 */
#ifndef WG_CLI_WATCHDOG_H
#define WG_CLI_WATCHDOG_H

#include <pthread.h>
#include <stdbool.h>
#include <time.h>

#include "wasmgate/wasmgate.h"

enum { CLI_EXIT_TIMEOUT = 124 }; /* as timeout(1) */

typedef struct cli_watchdog {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    struct timespec deadline; /* CLOCK_MONOTONIC */
    double seconds;
    wg_instance *inst;        /* armed instance, under lock */
    wg_interrupt *intr;       /* or armed interrupt handle, under lock */
    bool stopping;            /* under lock */
    bool fired;               /* under lock */
    bool running;             /* the thread exists */
} cli_watchdog;

/* Starts the thread. False (errno-style failure of pthread or clock) if it
 * could not be started; then nothing needs stopping. */
bool cli_watchdog_start(cli_watchdog *wd, double seconds);
/* Gives the watchdog the instance to interrupt. If the time is already up it
 * is interrupted now. */
void cli_watchdog_arm(cli_watchdog *wd, wg_instance *inst);
/* The same with an interrupt handle (a component's wg_cinstance_opts.interrupt). */
void cli_watchdog_arm_handle(cli_watchdog *wd, wg_interrupt *intr);
/* Stops and joins the thread; true if the time ran out (the instance was
 * interrupted). Does nothing for a watchdog that was not started. */
bool cli_watchdog_stop(cli_watchdog *wd);

#endif
