/*
 * One watchdog thread for the whole server: a list of in-flight deadlines
 * sorted by time (requests of one route share a timeout, so new deadlines
 * almost always go at the tail: insertion scans from there). The thread
 * sleeps on a condition variable until the earliest deadline and sets the
 * interrupt handle of each expired entry (wg_interrupt_set: the guest stops
 * at its next call or back-edge). The handle exists before the instance (it
 * is given to wg_instance_new in wg_instance_opts.interrupt), so a start
 * function that never returns is stopped too.
 *
 * Adding an entry wakes the thread only if the new deadline is earlier than
 * the time it sleeps until. With an empty list it sleeps for `min_timeout`
 * (the shortest timeout any entry can have), so an entry added later always
 * expires after that wake-up and needs no signal: on the hot path a request
 * costs two uncontended lock round trips and no context switch.
 *
 * An entry is caller-owned (on the request's stack) and lives between
 * wg__watchdog_add and wg__watchdog_remove:
 *
 *   wg_interrupt *intr = wg_interrupt_new();
 *   wg_gw_deadline d;
 *   wg__watchdog_add(wd, &d, seconds, intr); // the clock starts
 *   inst = wg_instance_new(..., {.interrupt = intr}, ...);  // start function included
 *   ... run ...
 *   bool timed_out = wg__watchdog_remove(wd, &d);   // before freeing intr
 */
#ifndef WG_GATEWAY_WATCHDOG_H
#define WG_GATEWAY_WATCHDOG_H

#include <pthread.h>
#include <stdbool.h>
#include <time.h>

#include "wasmgate/wasmgate.h"

typedef struct wg_gw_deadline {
    struct wg_gw_deadline *prev, *next; /* list links, under the watchdog's lock */
    struct timespec at;                 /* CLOCK_MONOTONIC expiry */
    wg_interrupt *intr;                 /* set on expiry (may be NULL) */
    bool fired;                         /* expired (or interrupted by shutdown) */
    bool linked;                        /* in the list */
} wg_gw_deadline;

typedef struct wg_gw_watchdog {
    pthread_mutex_t lock;
    pthread_cond_t wake;       /* CLOCK_MONOTONIC condition */
    wg_gw_deadline *head, *tail;
    pthread_t thread;
    struct timespec sleep_until; /* when the sleeping thread wakes up anyway; under lock */
    double min_timeout;        /* the shortest timeout wg__watchdog_add is given */
    bool running;              /* the thread exists */
    bool stopping;             /* under lock */
} wg_gw_watchdog;

/* Initialises wd and starts its thread; min_timeout is a lower bound of every
 * `seconds` later given to wg__watchdog_add. False if a pthread call failed. */
bool wg__watchdog_start(wg_gw_watchdog *wd, double min_timeout);
/* Stops and joins the thread, destroys the lock. Entries still listed are
 * left alone. Safe on a watchdog whose start failed or that was zeroed. */
void wg__watchdog_stop(wg_gw_watchdog *wd);

/* Lists d with an expiry `seconds` from now; expiry sets intr. */
void wg__watchdog_add(wg_gw_watchdog *wd, wg_gw_deadline *d, double seconds, wg_interrupt *intr);
/* Unlists d (if still listed). Returns true if it expired. After this the
 * watchdog no longer touches d or its handle. */
bool wg__watchdog_remove(wg_gw_watchdog *wd, wg_gw_deadline *d);
/* Expires every listed entry now (graceful shutdown's last resort). */
void wg__watchdog_expire_all(wg_gw_watchdog *wd);

#endif
