/*
 * Open connections and their request-head deadlines: the defence against
 * slow clients (slowloris) that libmicrohttpd lacks. Its own timeout is an
 * idle timeout, reset by every byte, so a client sending one header byte per
 * second holds its slot forever; 4,200 of them fill every slot.
 *
 * A connection is "waiting for a head" from the moment it is accepted, and
 * again from the end of each response on it (keep-alive), until its next
 * request head (request line and headers) is complete. The head must be
 * complete within head_timeout; else the connection is shut down (shutdown(2)
 * on its socket: libmicrohttpd then sees the end of the stream and closes it
 * as usual). An idle keep-alive connection is therefore closed after
 * head_timeout too.
 *
 * Reserve: while more than evict_above connections are open, every new
 * connection makes the one that has waited longest for its head go at once,
 * so that slow clients can never take the last slots a real client needs.
 *
 * Thread-safe: libmicrohttpd's workers call in; one thread of our own
 * enforces deadlines. A connection is only shut down while it is listed here,
 * and it is unlisted (under the same lock) before libmicrohttpd closes its
 * descriptor, so a descriptor number reused by a new connection is never hit.
 */
#ifndef WG_GATEWAY_CONNS_H
#define WG_GATEWAY_CONNS_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct wg_gw_conn wg_gw_conn;

typedef struct wg_gw_conns {
    pthread_mutex_t lock;
    pthread_cond_t wake;
    pthread_t thread;
    bool started, stopping;
    uint64_t head_timeout_ns;
    unsigned evict_above;
    unsigned open;                  /* connections between opened and closed */
    wg_gw_conn *first, *last;       /* waiting for a head, oldest first */
    _Atomic uint64_t head_timeouts; /* shut down for a late head */
    _Atomic uint64_t evictions;     /* shut down to keep the reserve */
} wg_gw_conns;

/* Starts the deadline thread. False if it cannot be created. */
bool wg__conns_start(wg_gw_conns *cs, double head_timeout_s, unsigned evict_above);
/* Stops the thread (every connection must be closed by then or left alone). */
void wg__conns_stop(wg_gw_conns *cs);

/* A connection was accepted: a record (NULL when out of memory; the
 * connection then has no deadline) waiting for its first head. */
wg_gw_conn *wg__conns_opened(wg_gw_conns *cs, int fd);
/* Its request head is complete. */
void wg__conns_head_done(wg_gw_conns *cs, wg_gw_conn *c);
/* A response on it is complete: now it waits for the next head. */
void wg__conns_head_again(wg_gw_conns *cs, wg_gw_conn *c);
/* It is about to be closed: unlists and frees the record. */
void wg__conns_closed(wg_gw_conns *cs, wg_gw_conn *c);

#endif
