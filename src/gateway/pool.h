/*
 * The guest executor: a thread pool that grows on demand. MHD's worker
 * threads must never run guests themselves (a guest looping until its
 * timeout would freeze every other connection of that worker), so each guest
 * run is handed to this pool while its connection is suspended.
 *
 * Concurrency is soft-capped at `keep` running jobs (the number of MHD
 * worker threads, i.e. cores): more jobs wait in a FIFO queue and the thread
 * that finishes a job takes the next one at once. Measured on the hello
 * route (2 cores, 32 connections): handing every job to its own thread (up to
 * 32 runnable threads) gave 25k req/s and p99 3.5 ms; 2 running gave 34k and
 * p99 2.1 ms (fewer context switches, warm caches). A job must still never
 * wait behind guests that loop until their timeout: an overseer thread looks
 * at the queue every millisecond while it is not empty, and when its head has
 * waited STALL_MS it hands that job to another thread (idle or new, up to
 * max_threads; the per-route concurrency caps bound how many jobs can exist
 * at all). Threads idle for IDLE_EXIT seconds exit, down to `keep`.
 *
 * Hand-off is direct: idle threads wait on their own semaphore in a LIFO
 * stack; submit pops the most recently idle one (its cache and stack are
 * warm), stores the job in it and posts its semaphore after unlocking, so
 * the woken thread runs the job without touching the pool's lock. (Measured:
 * with one condition variable shared by all idle threads, every woken thread
 * first fought the submitters for the mutex inside pthread_cond_wait, ~10% of
 * the server's CPU on the hello route at 32 connections.)
 */
#ifndef WG_GATEWAY_POOL_H
#define WG_GATEWAY_POOL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct wg_gw_job {
    struct wg_gw_job *next;  /* queue link (pool's) */
    uint64_t queued_ns;      /* CLOCK_MONOTONIC when queued (pool's) */
    void (*fn)(struct wg_gw_job *job);
} wg_gw_job;

typedef struct wg_gw_worker wg_gw_worker; /* one executor thread (pool.c) */

typedef struct wg_gw_pool {
    pthread_mutex_t lock;
    pthread_cond_t gone;     /* a thread exited */
    wg_gw_job *head, *tail;  /* jobs no thread could take yet */
    unsigned nqueued;
    wg_gw_worker *idle;      /* LIFO stack of idle threads, under lock */
    unsigned nthreads;       /* live threads */
    unsigned nidle;          /* threads on the idle stack */
    unsigned nrunning;       /* jobs being run */
    unsigned keep;           /* threads that never exit for idleness; the soft cap on nrunning */
    unsigned max_threads;
    pthread_cond_t work;     /* wakes the overseer: the queue became non-empty, or stopping */
    pthread_t overseer;
    bool overseer_waiting;   /* in an untimed wait on `work` */
    bool overseer_running;
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
