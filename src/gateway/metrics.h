/*
 * Per-route counters for the Prometheus endpoint. Lock-free: relaxed atomic
 * adds on the hot path; rendering reads them without stopping anybody (a
 * scrape may see one request counted in `requests_total` but not yet in the
 * histogram, which Prometheus tolerates).
 *
 * Exposed (text format 0.0.4), each with a route="..." label:
 *   wasmgate_requests_total{route,status}           counter
 *   wasmgate_request_duration_seconds{route}        histogram, buckets
 *                                                   0.0005 ... 10 s
 *   wasmgate_traps_total{route}                     counter
 *   wasmgate_timeouts_total{route}                  counter
 *   wasmgate_instances_in_flight{route}             gauge
 *   wasmgate_rejected_total{route,reason}           counter, reason
 *                                                   "concurrency", "body" or
 *                                                   "memory" (--max-total-memory)
 */
#ifndef WG_GATEWAY_METRICS_H
#define WG_GATEWAY_METRICS_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#define WG_GW_NBUCKETS 14
#define WG_GW_STATUS_MIN 100
#define WG_GW_STATUS_MAX 599

typedef struct wg_gw_metrics {
    const char *label;                                        /* route label (borrowed) */
    _Atomic uint64_t status[WG_GW_STATUS_MAX - WG_GW_STATUS_MIN + 1]; /* by status code */
    _Atomic uint64_t bucket[WG_GW_NBUCKETS + 1];              /* per bucket, last = +Inf; not cumulative */
    _Atomic uint64_t sum_ns;                                  /* total duration */
    _Atomic uint64_t traps;
    _Atomic uint64_t timeouts;
    _Atomic int64_t in_flight;                                /* running instances */
    _Atomic uint64_t rejected_concurrency;
    _Atomic uint64_t rejected_body;
    _Atomic uint64_t rejected_memory;
} wg_gw_metrics;

/* Counts one finished request with its status and duration. */
void wg__metrics_observe(wg_gw_metrics *m, unsigned status, uint64_t duration_ns);

/* Renders the metrics of ms[0..n) as Prometheus text into a malloc'd,
 * NUL-terminated buffer (the caller frees it); *len gets its length. NULL when
 * out of memory. */
char *wg__metrics_render(wg_gw_metrics *const *ms, size_t n, size_t *len);

#endif
