/*
 * The server's single watchdog thread (watchdog.h). Two lock round trips per
 * request (add, remove); the thread is woken only when a new entry expires
 * before the time it sleeps until (see watchdog.h), which with equal
 * timeouts does not happen.
 */
#include "gateway/watchdog.h"

#include <errno.h>
#include <string.h>

static bool before(const struct timespec *a, const struct timespec *b) {
    return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

/* t + seconds (seconds in [0, 1e9]). */
static struct timespec add_seconds(struct timespec t, double seconds) {
    if (seconds < 0) seconds = 0;
    if (seconds > 1e9) seconds = 1e9;
    time_t whole = (time_t)seconds;
    t.tv_sec += whole;
    t.tv_nsec += (long)((seconds - (double)whole) * 1e9);
    if (t.tv_nsec >= 1000000000L) {
        t.tv_sec++;
        t.tv_nsec -= 1000000000L;
    }
    return t;
}

static void unlink_entry(wg_gw_watchdog *wd, wg_gw_deadline *d) {
    if (d->prev) d->prev->next = d->next; else wd->head = d->next;
    if (d->next) d->next->prev = d->prev; else wd->tail = d->prev;
    d->prev = d->next = NULL;
    d->linked = false;
}

/* Under the lock: marks d expired, sets its interrupt handle, unlinks it. */
static void expire(wg_gw_watchdog *wd, wg_gw_deadline *d) {
    d->fired = true;
    if (d->intr) wg_interrupt_set(d->intr);
    unlink_entry(wd, d);
}

static void *watchdog_main(void *arg) {
    wg_gw_watchdog *wd = arg;
    pthread_mutex_lock(&wd->lock);
    while (!wd->stopping) {
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        while (wd->head && !before(&now, &wd->head->at)) expire(wd, wd->head);
        /* Entries added from now on expire after now + min_timeout. */
        wd->sleep_until = add_seconds(now, wd->min_timeout);
        if (wd->head && before(&wd->head->at, &wd->sleep_until)) wd->sleep_until = wd->head->at;
        struct timespec at = wd->sleep_until;
        pthread_cond_timedwait(&wd->wake, &wd->lock, &at);
    }
    pthread_mutex_unlock(&wd->lock);
    return NULL;
}

/* Initialises the lock and monotonic condition, starts the thread. */
bool wg__watchdog_start(wg_gw_watchdog *wd, double min_timeout) {
    memset(wd, 0, sizeof *wd);
    wd->min_timeout = min_timeout > 0 ? min_timeout : 0.001;
    pthread_condattr_t ca;
    if (pthread_condattr_init(&ca) != 0) return false;
    bool ok = pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) == 0 &&
              pthread_cond_init(&wd->wake, &ca) == 0;
    pthread_condattr_destroy(&ca);
    if (!ok) return false;
    if (pthread_mutex_init(&wd->lock, NULL) != 0) {
        pthread_cond_destroy(&wd->wake);
        return false;
    }
    if (pthread_create(&wd->thread, NULL, watchdog_main, wd) != 0) {
        pthread_cond_destroy(&wd->wake);
        pthread_mutex_destroy(&wd->lock);
        return false;
    }
    wd->running = true;
    return true;
}

/* Stops and joins the thread. */
void wg__watchdog_stop(wg_gw_watchdog *wd) {
    if (!wd->running) return;
    pthread_mutex_lock(&wd->lock);
    wd->stopping = true;
    pthread_cond_signal(&wd->wake);
    pthread_mutex_unlock(&wd->lock);
    pthread_join(wd->thread, NULL);
    pthread_cond_destroy(&wd->wake);
    pthread_mutex_destroy(&wd->lock);
    wd->running = false;
}

/* Inserts d sorted by expiry, scanning from the tail. */
void wg__watchdog_add(wg_gw_watchdog *wd, wg_gw_deadline *d, double seconds, wg_interrupt *intr) {
    memset(d, 0, sizeof *d);
    d->intr = intr;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    d->at = add_seconds(now, seconds);
    pthread_mutex_lock(&wd->lock);
    wg_gw_deadline *after = wd->tail;
    while (after && before(&d->at, &after->at)) after = after->prev;
    d->prev = after;
    d->next = after ? after->next : wd->head;
    if (d->next) d->next->prev = d; else wd->tail = d;
    if (after) after->next = d; else wd->head = d;
    d->linked = true;
    if (before(&d->at, &wd->sleep_until)) {
        wd->sleep_until = d->at;
        pthread_cond_signal(&wd->wake);
    }
    pthread_mutex_unlock(&wd->lock);
}

/* Unlists d; true if it expired. */
bool wg__watchdog_remove(wg_gw_watchdog *wd, wg_gw_deadline *d) {
    pthread_mutex_lock(&wd->lock);
    if (d->linked) unlink_entry(wd, d);
    d->intr = NULL;
    bool fired = d->fired;
    pthread_mutex_unlock(&wd->lock);
    return fired;
}

/* Expires everything listed. */
void wg__watchdog_expire_all(wg_gw_watchdog *wd) {
    if (!wd->running) return;
    pthread_mutex_lock(&wd->lock);
    while (wd->head) expire(wd, wd->head);
    pthread_mutex_unlock(&wd->lock);
}
