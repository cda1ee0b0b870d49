/*
 * The HTTP gateway: what the `wasmgate serve` command (src/cli/serve.c) uses.
 *
 *   wg_gw_opts o;  wg__gw_opts_default(&o);   // then override fields
 *   wg_gateway *gw = wg__gateway_new(app, &o, &err);  // compiles every module
 *   if (!gw || !wg__gateway_start(gw, &err)) ...       // binds, starts MHD
 *   ... wait for SIGINT/SIGTERM ...
 *   wg__gateway_shutdown(gw);   // stop accepting, drain in-flight, stop
 *   wg__gateway_free(gw);
 *
 * The library never prints: every line (errors, guest stderr, access log)
 * goes to opts.log, which the embedder provides (wg__gw_log_fd_sink writes to
 * file descriptors with one write(2) per line).
 */
#ifndef WG_GATEWAY_GATEWAY_H
#define WG_GATEWAY_GATEWAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gateway/app.h"
#include "wasmgate/wasmgate.h"

/* What a log line is. */
typedef enum wg_gw_log_kind {
    WG_GW_LOG_ERROR = 0, /* a request or the server failed */
    WG_GW_LOG_WARN,      /* a guest misbehaved but a response was sent */
    WG_GW_LOG_INFO,      /* start-up, shutdown */
    WG_GW_LOG_GUEST,     /* one line of a guest's stderr */
    WG_GW_LOG_ACCESS,    /* one access-log line */
} wg_gw_log_kind;

/* A log sink: receives one line (no trailing newline, len bytes, NUL-terminated
 * too). Called from any server thread at any time: it must be thread-safe. */
typedef void (*wg_gw_log_fn)(void *ud, wg_gw_log_kind kind, const char *line, size_t len);

/* Server options; wg__gw_opts_default fills the defaults listed. Strings are
 * borrowed for the duration of wg__gateway_new (which copies them). */
typedef struct wg_gw_opts {
    const char *listen_addr;   /* IPv4/IPv6 literal, "127.0.0.1" */
    uint16_t port;             /* 3000; 0 picks a free port (see wg__gateway_port) */
    unsigned threads;          /* MHD worker threads: the number of cores */
    double timeout_s;          /* per request guest run time: 30 */
    uint64_t max_memory;       /* bytes per guest memory: 128 MiB */
    uint32_t max_concurrency;  /* in-flight guests per route: 64 * threads */
    uint64_t max_body;         /* request body bytes: 10 MiB */
    uint64_t max_output;       /* guest stdout bytes: 64 MiB */
    size_t max_stderr;         /* guest stderr bytes logged per request (the rest is cut,
                                * with a note; never a trap): 64 KiB */
    uint32_t max_open_files;   /* files one guest may hold open: 256 */
    uint64_t guest_files;      /* files all guests together may hold open (the
                                * descriptors left after connections and a reserve);
                                * 0: no shared limit */
    unsigned max_connections;  /* open connections: 4096 (fewer if RLIMIT_NOFILE is low) */
    unsigned max_connections_per_ip; /* open connections from one client address: 256 */
    double head_timeout_s;     /* a request head must be complete this long after the
                                * connection opens or the previous response ends: 10 */
    unsigned conn_timeout_s;   /* idle timeout while a request body or a response is on
                                * the way: 30 */
    uint64_t max_total_memory; /* guest memories + buffered request bodies, all routes
                                * together: half of physical memory */
    double drain_s;            /* graceful shutdown: wait at most this long: 10 */
    const char *tls_cert_pem;  /* PEM text (not a path), or NULL for plain HTTP */
    const char *tls_key_pem;
    wg_gw_log_fn log;          /* NULL: lines are dropped */
    void *log_ud;
} wg_gw_opts;

typedef struct wg_gateway wg_gateway;

/* Fills o with the defaults above (threads from the online CPU count). */
void wg__gw_opts_default(wg_gw_opts *o);

/* Builds a server for app (borrowed: it must outlive the gateway): loads,
 * validates and compiles every route's module once, checks its entry point,
 * builds each route's WASI configuration (volumes opened now). On failure
 * returns NULL with err->message "MANIFEST:LINE: module PATH: reason".
 * Free with wg__gateway_free. */
wg_gateway *wg__gateway_new(const wg_app *app, const wg_gw_opts *opts, wg_error *err);

/* Binds the listening socket and starts the worker threads. False with err
 * filled (address in use, bad TLS key, ...). */
bool wg__gateway_start(wg_gateway *gw, wg_error *err);

/* The port actually bound (useful when opts.port was 0); 0 before start. */
uint16_t wg__gateway_port(const wg_gateway *gw);

/* Graceful stop: stops accepting, lets in-flight requests finish for up to
 * opts.drain_s seconds (then interrupts the guests still running), closes
 * every connection and joins the threads. Idempotent. */
void wg__gateway_shutdown(wg_gateway *gw);

/* Shuts down if needed and frees everything. NULL is a no-op. */
void wg__gateway_free(wg_gateway *gw);

/* Renders the Prometheus text exposition of gw's metrics into a malloc'd,
 * NUL-terminated buffer (the caller frees it); *len gets its length. NULL
 * when out of memory. */
char *wg__gateway_metrics_text(wg_gateway *gw, size_t *len);

/* A ready-made sink: ud points to a wg_gw_fd_sink. Access lines go to
 * access_fd, everything else to error_fd (guest lines and errors prefixed
 * with the time), each with one write(2). */
typedef struct wg_gw_fd_sink {
    int access_fd;
    int error_fd;
} wg_gw_fd_sink;
void wg__gw_log_fd_sink(void *ud, wg_gw_log_kind kind, const char *line, size_t len);

#endif
