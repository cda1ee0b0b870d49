/*
 * Gateway internals shared by gateway.c (building the server), server.c (the
 * libmicrohttpd glue) and handler.c (running one guest for one request).
 *
 * Threads: MHD's worker threads parse requests and answer built-ins; guests
 * run on the executor pool (pool.h) while their connection is suspended, so a
 * slow guest never blocks a worker's other connections (ARCHITECTURE.md §4
 * had the handler run on its worker: measured, one looping guest then froze
 * half the connections of a 2-thread server for its whole timeout). One
 * watchdog thread enforces timeouts. Everything here is read-only after
 * wg__gateway_new except the atomics and the watchdog list.
 */
#ifndef WG_GATEWAY_GATEWAY_INT_H
#define WG_GATEWAY_GATEWAY_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "gateway/app.h"
#include "gateway/conns.h"
#include "gateway/gateway.h"
#include "gateway/log.h"
#include "gateway/metrics.h"
#include "gateway/pool.h"
#include "gateway/router.h"
#include "gateway/wagi.h"
#include "gateway/watchdog.h"
#include "wasmgate/wasi.h"
#include "wasmgate/wasmgate.h"

struct MHD_Daemon;
struct MHD_Response;

/* Guest response headers larger than this (status line, headers, CRLFs) are
 * answered 502 with a log line: libmicrohttpd builds the response head in the
 * connection's memory pool (64 KiB, shared with the request) and would send
 * nothing at all if it did not fit (server.c CONN_MEMORY_LIMIT). */
#define WG_GW_MAX_RESPONSE_HEAD (24 * 1024)

/* One libmicrohttpd message format and when it was last logged (server.c
 * mhd_log limits each to one line a second). */
#define WG_GW_LOG_SITES 16
typedef struct wg_gw_log_site {
    const char *fmt;
    uint64_t last_ns;
    uint64_t suppressed;
} wg_gw_log_site;

/* A route ready to serve: compiled module, WASI template, effective limits. */
typedef struct wg_gw_route {
    const wg_app_route *app;   /* the manifest's route (borrowed from the wg_app) */
    wg_module *module;         /* compiled once; shared by every request */
    wg_wasi_config *wasi;      /* volumes (opened once), manifest env, stdio capture */
    const char *entry;         /* export to call */
    bool entry_is_start;       /* "_start": run it like wg_wasi_run_start */
    double timeout_s;          /* effective limits: the route's, else the server's */
    uint64_t max_memory;
    uint32_t max_concurrency;
    uint64_t max_body;
    uint32_t max_open_files;
    wg_gw_metrics metrics;     /* in_flight doubles as the concurrency counter */
} wg_gw_route;

struct wg_gateway {
    const wg_app *app;          /* borrowed */
    wg_gw_opts opts;            /* copy; its strings point to the owned copies below */
    char *listen_addr;
    char *tls_cert, *tls_key;
    wg_gw_log log;
    wg_imports *imports;        /* WASI, shared by every instance, read-only after setup */
    wg_pool *instance_pool;     /* memories and exec stacks reused across requests (thread-safe) */
    wg_budget *budget;          /* max_total_memory: guest memories + buffered bodies */
    wg_wasi_fd_budget *files;   /* opts.guest_files, shared by every guest (or NULL) */
    wg_gw_conns conns;          /* request-head deadlines and the connection reserve */
    bool head_layout_checks;    /* http_head.h: this libmicrohttpd's layout is known */
    pthread_mutex_t mhd_log_lock;
    wg_gw_log_site mhd_log_sites[WG_GW_LOG_SITES];
    wg_gw_route *routes;
    size_t nroutes;
    wg_router *router;
    wg_gw_watchdog watchdog;
    bool watchdog_started;
    wg_gw_pool pool;            /* guest executor */
    wg_gw_metrics m_health, m_metrics, m_other; /* built-ins and unmatched/bad requests */
    struct MHD_Daemon *daemon;
    struct MHD_Response *health;/* shared "OK" response */
    int quiesced_fd;            /* listening socket after MHD_quiesce_daemon, or -1 */
    uint16_t port;              /* bound port */
    char port_str[8];
    uint32_t id_salt;           /* random per server: request ids differ across restarts */
    _Atomic uint64_t next_id;
    _Atomic int64_t active;     /* requests between their first handler call and completion */
    _Atomic bool draining;      /* shutdown began: answer with Connection: close */
    _Atomic bool refusing;      /* drain time is over: no new guest runs (503) */
    bool stopped;
};

/* One guest run for one request (handler.c). */
typedef struct wg_gw_call {
    /* in */
    wg_gw_route *route;
    const wg_wagi_request *rq;
    const uint8_t *body;
    size_t body_len;
    const char *req_id;
    /* out */
    unsigned status;           /* HTTP status to send */
    wg_wagi_response resp;     /* parsed headers when status came from the guest */
    bool from_guest;           /* resp is valid (headers to send) */
    bool close;                /* send Connection: close (a framing error) */
    const uint8_t *out;        /* response body (inside wasi's stdout buffer) or NULL */
    size_t out_len;
    wg_wasi *wasi;             /* owns `out`: free with wg__gw_call_release */
} wg_gw_call;

/* Runs call->route's guest for the request and fills the out fields. Never
 * fails: errors become a status (500, 503, 504) with a log line. */
void wg__gw_run(wg_gateway *gw, wg_gw_call *call);

/* Frees what a call owns except `wasi` when keep_wasi (the response body then
 * lives until the caller frees wasi with wg_wasi_free). */
void wg__gw_call_release(wg_gw_call *call, bool keep_wasi);

/* Nanoseconds on the monotonic clock. */
uint64_t wg__gw_now_ns(void);

#endif
