/*
 * The guest executor thread pool (pool.h).
 *
 * A worker's life: run its job; lock; take the next queued job if any
 * (unlock, run, repeat); else push itself on the idle stack, unlock and wait
 * on its own semaphore. Whoever assigns a job to an idle worker (submit, or
 * the overseer) pops it under the lock, stores the job in it, and posts: the
 * woken worker never waits for the pool's lock to learn what to do. An idle
 * worker whose wait times out (IDLE_EXIT) exits if it is still on the stack
 * and more than `keep` threads live; if it was popped meanwhile, the post is
 * on its way and it runs the job.
 *
 * nrunning counts jobs being run. submit starts a job at once only while
 * nrunning < keep; otherwise it queues it (FIFO) and the first worker to
 * finish takes it. The overseer releases a queued job that waited STALL_NS
 * to another thread regardless of the cap, so guests looping until their
 * timeout never hold up the others for more than a few milliseconds.
 */
#include "gateway/pool.h"

#include <errno.h>
#include <semaphore.h>
#include <stdlib.h>
#include <time.h>

#define IDLE_EXIT 30                   /* seconds */
#define STALL_NS 2000000ull            /* a queued job waiting this long gets its own thread */
#define OVERSEER_TICK_NS 1000000L      /* how often the overseer looks while jobs are queued */

struct wg_gw_worker {
    wg_gw_pool *pool;
    wg_gw_worker *next;  /* idle stack link */
    wg_gw_job *job;      /* set by the assigner (under the lock) before the post; NULL: exit */
    sem_t wake;
};

static uint64_t now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

/* Under the lock: removes w from the idle stack if it is there. */
static bool unlink_idle(wg_gw_pool *p, wg_gw_worker *w) {
    for (wg_gw_worker **pp = &p->idle; *pp; pp = &(*pp)->next) {
        if (*pp != w) continue;
        *pp = w->next;
        w->next = NULL;
        p->nidle--;
        return true;
    }
    return false;
}

static void *pool_main(void *arg) {
    wg_gw_worker *w = arg;
    wg_gw_pool *p = w->pool;
    wg_gw_job *job = w->job;
    for (;;) {
        if (job) job->fn(job);
        pthread_mutex_lock(&p->lock);
        if (p->head) {
            /* Straight on to the next queued job: nrunning stays as it is
             * (a timed-out idle worker that took one now counts). */
            if (!job) p->nrunning++;
            job = p->head;
            p->head = job->next;
            if (!p->head) p->tail = NULL;
            p->nqueued--;
            pthread_mutex_unlock(&p->lock);
            continue;
        }
        if (job) p->nrunning--;
        job = NULL;
        if (p->stopping) break;
        w->job = NULL;
        w->next = p->idle;
        p->idle = w;
        p->nidle++;
        pthread_mutex_unlock(&p->lock);

        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += IDLE_EXIT;
        int rc;
        while ((rc = sem_timedwait(&w->wake, &until)) != 0 && errno == EINTR) {}
        pthread_mutex_lock(&p->lock);
        if (rc != 0) {
            /* Timed out. Still idle: exit, or wait again. Popped meanwhile:
             * the assigner's post is on its way. */
            if (unlink_idle(p, w)) {
                if (p->nthreads > p->keep || p->stopping) break;
                pthread_mutex_unlock(&p->lock);
                continue;
            }
            pthread_mutex_unlock(&p->lock);
            while (sem_wait(&w->wake) != 0) {}
            pthread_mutex_lock(&p->lock);
        }
        job = w->job; /* the assigner counted it in nrunning */
        if (!job) break; /* told to exit by wg__pool_stop */
        pthread_mutex_unlock(&p->lock);
    }
    /* Locked here. */
    p->nthreads--;
    pthread_cond_broadcast(&p->gone);
    pthread_mutex_unlock(&p->lock);
    sem_destroy(&w->wake);
    free(w);
    return NULL;
}

/* Under the lock: starts a thread whose first job is `job`. */
static bool start_worker(wg_gw_pool *p, wg_gw_job *job) {
    wg_gw_worker *w = calloc(1, sizeof *w);
    if (!w) return false;
    w->pool = p;
    w->job = job;
    if (sem_init(&w->wake, 0, 0) != 0) {
        free(w);
        return false;
    }
    pthread_t t;
    pthread_attr_t attr;
    bool started = false;
    if (pthread_attr_init(&attr) == 0) {
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        started = pthread_create(&t, &attr, pool_main, w) == 0;
        pthread_attr_destroy(&attr);
    }
    if (!started) {
        sem_destroy(&w->wake);
        free(w);
        return false;
    }
    p->nthreads++;
    return true;
}

/* Under the lock: runs job on the most recently idle thread, else on a new
 * one. The idle thread is posted after the lock is released when *post is
 * given (submit), else at once (overseer). False if neither was possible. */
static bool assign(wg_gw_pool *p, wg_gw_job *job, wg_gw_worker **post) {
    wg_gw_worker *w = p->idle;
    if (w) {
        p->idle = w->next;
        w->next = NULL;
        p->nidle--;
        w->job = job;
        p->nrunning++;
        if (post) *post = w; else sem_post(&w->wake);
        return true;
    }
    if (p->nthreads < p->max_threads && start_worker(p, job)) {
        p->nrunning++;
        return true;
    }
    return false;
}

/* The overseer: while jobs are queued, every OVERSEER_TICK_NS, hands each job
 * that has waited STALL_NS to a thread of its own. */
static void *overseer_main(void *arg) {
    wg_gw_pool *p = arg;
    pthread_mutex_lock(&p->lock);
    while (!p->stopping) {
        if (!p->head) {
            p->overseer_waiting = true;
            pthread_cond_wait(&p->work, &p->lock);
            p->overseer_waiting = false;
            continue;
        }
        uint64_t now = now_ns();
        while (p->head && now - p->head->queued_ns >= STALL_NS) {
            wg_gw_job *job = p->head;
            if (!assign(p, job, NULL)) break; /* at max_threads: it waits for a worker */
            p->head = job->next;
            if (!p->head) p->tail = NULL;
            p->nqueued--;
        }
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_nsec += OVERSEER_TICK_NS;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&p->work, &p->lock, &until);
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

/* Sets up the lock and conditions and starts the overseer. */
bool wg__pool_init(wg_gw_pool *p, unsigned keep, unsigned max_threads) {
    *p = (wg_gw_pool){0};
    p->keep = keep;
    p->max_threads = max_threads ? max_threads : 1;
    pthread_condattr_t ca;
    if (pthread_condattr_init(&ca) != 0) return false;
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    bool lock = pthread_mutex_init(&p->lock, NULL) == 0;
    bool gone = lock && pthread_cond_init(&p->gone, NULL) == 0;
    bool work = gone && pthread_cond_init(&p->work, &ca) == 0;
    pthread_condattr_destroy(&ca);
    p->overseer_running = work && pthread_create(&p->overseer, NULL, overseer_main, p) == 0;
    if (!p->overseer_running) {
        if (work) pthread_cond_destroy(&p->work);
        if (gone) pthread_cond_destroy(&p->gone);
        if (lock) pthread_mutex_destroy(&p->lock);
        return false;
    }
    p->inited = true;
    return true;
}

/* Starts job now while fewer than `keep` jobs run, else queues it (see the
 * file comment). */
bool wg__pool_submit(wg_gw_pool *p, wg_gw_job *job) {
    job->next = NULL;
    wg_gw_worker *post = NULL;
    pthread_mutex_lock(&p->lock);
    if (p->stopping) {
        pthread_mutex_unlock(&p->lock);
        return false;
    }
    if ((p->keep == 0 || p->nrunning < p->keep) && assign(p, job, &post)) {
        pthread_mutex_unlock(&p->lock);
        if (post) sem_post(&post->wake);
        return true;
    }
    if (p->nthreads == 0) {
        pthread_mutex_unlock(&p->lock);
        return false;
    }
    job->queued_ns = now_ns();
    bool was_empty = !p->head;
    if (p->tail) p->tail->next = job; else p->head = job;
    p->tail = job;
    p->nqueued++;
    if (was_empty && p->overseer_waiting) pthread_cond_signal(&p->work);
    pthread_mutex_unlock(&p->lock);
    return true;
}

/* Drains and joins (threads are detached: wait for the count to reach 0). */
void wg__pool_stop(wg_gw_pool *p) {
    if (!p->inited) return;
    pthread_mutex_lock(&p->lock);
    bool was_stopping = p->stopping;
    p->stopping = true;
    pthread_cond_signal(&p->work);
    /* Running threads finish the queue, then see `stopping`; idle ones are told to go. */
    while (p->idle) {
        wg_gw_worker *w = p->idle;
        p->idle = w->next;
        w->next = NULL;
        p->nidle--;
        w->job = NULL;
        sem_post(&w->wake);
    }
    while (p->nthreads > 0) pthread_cond_wait(&p->gone, &p->lock);
    pthread_mutex_unlock(&p->lock);
    if (!was_stopping && p->overseer_running) {
        pthread_join(p->overseer, NULL);
        p->overseer_running = false;
    }
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
