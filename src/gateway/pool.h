/*
 * The guest executor: a thread pool that grows on demand. MHD's worker
 * threads must never run guests themselves (a guest looping until its
 * timeout would freeze every other connection of that worker), so each guest
 * run is handed to this pool while its connection is suspended.
 *
 * A job never waits for another: if no thread is idle, a new one is started
 * (up to max_threads; the per-route concurrency caps bound how many jobs can
 * exist at all). Threads idle for IDLE_EXIT seconds exit, down to `keep`.
 */
#ifndef WG_GATEWAY_POOL_H
#define WG_GATEWAY_POOL_H

#include <pthread.h>
#include <stdbool.h>

typedef struct wg_gw_job {
    struct wg_gw_job *next;  /* queue link (pool's) */
    void (*fn)(struct wg_gw_job *job);
} wg_gw_job;

typedef struct wg_gw_pool {
    pthread_mutex_t lock;
    pthread_cond_t work;     /* a job is queued, or stopping */
    pthread_cond_t gone;     /* a thread exited */
    wg_gw_job *head, *tail;
    unsigned nqueued;        /* jobs not yet taken */
    unsigned nthreads;       /* live threads */
    unsigned nidle;          /* threads waiting for work */
    unsigned keep;           /* threads that never exit for idleness */
    unsigned max_threads;
    bool stopping;
    bool inited;
} wg_gw_pool;

/* Initialises the pool (no thread yet). False if a pthread call failed. */
bool wg__pool_init(wg_gw_pool *p, unsigned keep, unsigned max_threads);
/* Queues job; starts a thread when none is idle. Returns false (the job is
 * then not queued) when the pool is stopping, or when no thread exists and
 * none could be started. */
bool wg__pool_submit(wg_gw_pool *p, wg_gw_job *job);
/* Lets the threads finish the queued jobs, then waits for all to exit; later
 * submissions fail. Idempotent. */
void wg__pool_stop(wg_gw_pool *p);
/* Stops the pool if needed and frees its lock and conditions. */
void wg__pool_destroy(wg_gw_pool *p);

#endif
