/*
 * The guest executor thread pool (pool.h).
 */
#include "gateway/pool.h"

#include <time.h>

#define IDLE_EXIT 30 /* seconds */

static void *pool_main(void *arg) {
    wg_gw_pool *p = arg;
    pthread_mutex_lock(&p->lock);
    for (;;) {
        if (p->head) {
            wg_gw_job *job = p->head;
            p->head = job->next;
            if (!p->head) p->tail = NULL;
            p->nqueued--;
            pthread_mutex_unlock(&p->lock);
            job->fn(job);
            pthread_mutex_lock(&p->lock);
            continue;
        }
        if (p->stopping) break;
        p->nidle++;
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_sec += IDLE_EXIT;
        int rc = pthread_cond_timedwait(&p->work, &p->lock, &until);
        p->nidle--;
        if (rc != 0 && !p->head && p->nthreads > p->keep && !p->stopping) break;
    }
    p->nthreads--;
    pthread_cond_broadcast(&p->gone);
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

/* Sets up the lock and conditions. */
bool wg__pool_init(wg_gw_pool *p, unsigned keep, unsigned max_threads) {
    *p = (wg_gw_pool){0};
    p->keep = keep;
    p->max_threads = max_threads ? max_threads : 1;
    pthread_condattr_t ca;
    if (pthread_condattr_init(&ca) != 0) return false;
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    bool ok = pthread_mutex_init(&p->lock, NULL) == 0;
    ok = ok && pthread_cond_init(&p->work, &ca) == 0;
    ok = ok && pthread_cond_init(&p->gone, NULL) == 0;
    pthread_condattr_destroy(&ca);
    p->inited = ok;
    return ok;
}

/* Queues job; starts a thread if every live one is busy. */
bool wg__pool_submit(wg_gw_pool *p, wg_gw_job *job) {
    job->next = NULL;
    pthread_mutex_lock(&p->lock);
    if (p->stopping) {
        pthread_mutex_unlock(&p->lock);
        return false;
    }
    if (p->nidle <= p->nqueued && p->nthreads < p->max_threads) {
        pthread_t t;
        pthread_attr_t attr;
        bool started = false;
        if (pthread_attr_init(&attr) == 0) {
            pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
            started = pthread_create(&t, &attr, pool_main, p) == 0;
            pthread_attr_destroy(&attr);
        }
        if (started) p->nthreads++;
    }
    if (p->nthreads == 0) {
        pthread_mutex_unlock(&p->lock);
        return false;
    }
    if (p->tail) p->tail->next = job; else p->head = job;
    p->tail = job;
    p->nqueued++;
    if (p->nidle) pthread_cond_signal(&p->work);
    pthread_mutex_unlock(&p->lock);
    return true;
}

/* Drains and joins (threads are detached: wait for the count to reach 0). */
void wg__pool_stop(wg_gw_pool *p) {
    if (!p->inited) return;
    pthread_mutex_lock(&p->lock);
    p->stopping = true;
    pthread_cond_broadcast(&p->work);
    while (p->nthreads > 0) pthread_cond_wait(&p->gone, &p->lock);
    pthread_mutex_unlock(&p->lock);
}

/* Frees the lock and conditions (after wg__pool_stop). */
void wg__pool_destroy(wg_gw_pool *p) {
    if (!p->inited) return;
    wg__pool_stop(p);
    pthread_cond_destroy(&p->work);
    pthread_cond_destroy(&p->gone);
    pthread_mutex_destroy(&p->lock);
    p->inited = false;
}
