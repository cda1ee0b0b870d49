/*
 * Request-head deadlines and the connection reserve (conns.h).
 *
 * The waiting list is ordered by deadline because every entry gets the same
 * timeout and is appended when it starts waiting: the first entry is always
 * the next to expire, and the oldest to evict. The thread sleeps until that
 * deadline (or until the list stops being empty).
 */
#define _GNU_SOURCE
#include "gateway/conns.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>

struct wg_gw_conn {
    int fd;
    bool listed;           /* in the waiting list */
    bool dropped;          /* shut down by us: never listed again */
    uint64_t deadline;     /* CLOCK_MONOTONIC ns */
    wg_gw_conn *prev, *next;
};

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void unlist(wg_gw_conns *cs, wg_gw_conn *c) {
    if (!c->listed) return;
    if (c->prev) c->prev->next = c->next; else cs->first = c->next;
    if (c->next) c->next->prev = c->prev; else cs->last = c->prev;
    c->prev = c->next = NULL;
    c->listed = false;
}

static void list_waiting(wg_gw_conns *cs, wg_gw_conn *c) {
    if (c->listed || c->dropped) return;
    c->deadline = now_ns() + cs->head_timeout_ns;
    c->prev = cs->last;
    c->next = NULL;
    if (cs->last) cs->last->next = c; else cs->first = c;
    cs->last = c;
    c->listed = true;
    if (cs->first == c) pthread_cond_signal(&cs->wake);
}

/* Ends c's connection: libmicrohttpd sees end-of-stream and closes it. */
static void drop(wg_gw_conns *cs, wg_gw_conn *c) {
    unlist(cs, c);
    c->dropped = true;
    shutdown(c->fd, SHUT_RDWR);
}

static void *deadline_thread(void *arg) {
    wg_gw_conns *cs = arg;
    pthread_mutex_lock(&cs->lock);
    while (!cs->stopping) {
        if (!cs->first) {
            pthread_cond_wait(&cs->wake, &cs->lock);
            continue;
        }
        uint64_t now = now_ns();
        if (cs->first->deadline <= now) {
            drop(cs, cs->first);
            atomic_fetch_add_explicit(&cs->head_timeouts, 1, memory_order_relaxed);
            continue;
        }
        uint64_t d = cs->first->deadline;
        struct timespec until = {(time_t)(d / 1000000000ull), (long)(d % 1000000000ull)};
        pthread_cond_timedwait(&cs->wake, &cs->lock, &until);
    }
    pthread_mutex_unlock(&cs->lock);
    return NULL;
}

bool wg__conns_start(wg_gw_conns *cs, double head_timeout_s, unsigned evict_above) {
    cs->head_timeout_ns = (uint64_t)(head_timeout_s * 1e9);
    cs->evict_above = evict_above;
    cs->first = cs->last = NULL;
    cs->open = 0;
    cs->stopping = false;
    atomic_init(&cs->head_timeouts, 0);
    atomic_init(&cs->evictions, 0);
    pthread_condattr_t ca;
    if (pthread_condattr_init(&ca) != 0) return false;
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    bool ok = pthread_mutex_init(&cs->lock, NULL) == 0;
    if (ok && pthread_cond_init(&cs->wake, &ca) != 0) {
        pthread_mutex_destroy(&cs->lock);
        ok = false;
    }
    pthread_condattr_destroy(&ca);
    if (!ok) return false;
    if (pthread_create(&cs->thread, NULL, deadline_thread, cs) != 0) {
        pthread_cond_destroy(&cs->wake);
        pthread_mutex_destroy(&cs->lock);
        return false;
    }
    cs->started = true;
    return true;
}

void wg__conns_stop(wg_gw_conns *cs) {
    if (!cs->started) return;
    pthread_mutex_lock(&cs->lock);
    cs->stopping = true;
    pthread_cond_signal(&cs->wake);
    pthread_mutex_unlock(&cs->lock);
    pthread_join(cs->thread, NULL);
    pthread_cond_destroy(&cs->wake);
    pthread_mutex_destroy(&cs->lock);
    cs->started = false;
}

wg_gw_conn *wg__conns_opened(wg_gw_conns *cs, int fd) {
    wg_gw_conn *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->fd = fd;
    pthread_mutex_lock(&cs->lock);
    cs->open++;
    if (cs->open > cs->evict_above && cs->first) {
        drop(cs, cs->first);
        atomic_fetch_add_explicit(&cs->evictions, 1, memory_order_relaxed);
    }
    list_waiting(cs, c);
    pthread_mutex_unlock(&cs->lock);
    return c;
}

void wg__conns_head_done(wg_gw_conns *cs, wg_gw_conn *c) {
    if (!c) return;
    pthread_mutex_lock(&cs->lock);
    unlist(cs, c);
    pthread_mutex_unlock(&cs->lock);
}

void wg__conns_head_again(wg_gw_conns *cs, wg_gw_conn *c) {
    if (!c) return;
    pthread_mutex_lock(&cs->lock);
    list_waiting(cs, c);
    pthread_mutex_unlock(&cs->lock);
}

void wg__conns_closed(wg_gw_conns *cs, wg_gw_conn *c) {
    if (!c) return;
    pthread_mutex_lock(&cs->lock);
    unlist(cs, c);
    cs->open--;
    pthread_mutex_unlock(&cs->lock);
    free(c);
}
