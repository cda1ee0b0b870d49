/*
 * Prometheus metrics (metrics.h): recording and the text exposition.
 */
#include "gateway/metrics.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Bucket upper bounds in nanoseconds, and as printed. */
static const uint64_t bucket_ns[WG_GW_NBUCKETS] = {
    500000,    1000000,   2500000,    5000000,    10000000,   25000000,   50000000,
    100000000, 250000000, 500000000, 1000000000, 2500000000, 5000000000, 10000000000ull};
static const char *const bucket_le[WG_GW_NBUCKETS] = {
    "0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05",
    "0.1",    "0.25",  "0.5",    "1",     "2.5",  "5",     "10"};

/* Counts one request. */
void wg__metrics_observe(wg_gw_metrics *m, unsigned status, uint64_t duration_ns) {
    if (status >= WG_GW_STATUS_MIN && status <= WG_GW_STATUS_MAX)
        atomic_fetch_add_explicit(&m->status[status - WG_GW_STATUS_MIN], 1, memory_order_relaxed);
    size_t b = 0;
    while (b < WG_GW_NBUCKETS && duration_ns > bucket_ns[b]) b++;
    atomic_fetch_add_explicit(&m->bucket[b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&m->sum_ns, duration_ns, memory_order_relaxed);
}

typedef struct out {
    char *buf;
    size_t len, cap;
    bool oom;
} out;

static void emit(out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void emit(out *o, const char *fmt, ...) {
    if (o->oom) return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(o->buf + o->len, o->cap - o->len, fmt, ap);
        va_end(ap);
        if (n < 0) {
            o->oom = true;
            return;
        }
        if ((size_t)n < o->cap - o->len) {
            o->len += (size_t)n;
            return;
        }
        size_t ncap = o->cap * 2 + (size_t)n;
        char *grown = realloc(o->buf, ncap);
        if (!grown) {
            o->oom = true;
            return;
        }
        o->buf = grown;
        o->cap = ncap;
    }
}

/* A label value with \, " and newline escaped (the format's rules), cut at 400 bytes. */
static void escape_label(const char *s, char *dst, size_t size) {
    size_t o = 0;
    for (; s && *s && o + 3 < size; s++) {
        if (*s == '\\' || *s == '"') {
            dst[o++] = '\\';
            dst[o++] = *s;
        } else if (*s == '\n') {
            dst[o++] = '\\';
            dst[o++] = 'n';
        } else {
            dst[o++] = *s;
        }
    }
    dst[o] = '\0';
}

static uint64_t ld(_Atomic uint64_t *p) { return atomic_load_explicit(p, memory_order_relaxed); }

/* Renders everything (see metrics.h). */
char *wg__metrics_render(wg_gw_metrics *const *ms, size_t n, size_t *len) {
    out o = {.cap = 4096};
    o.buf = malloc(o.cap);
    if (!o.buf) return NULL;
    o.buf[0] = '\0';
    char lab[400];

    emit(&o, "# HELP wasmgate_requests_total Requests answered, by route and status.\n"
             "# TYPE wasmgate_requests_total counter\n");
    for (size_t i = 0; i < n; i++) {
        escape_label(ms[i]->label, lab, sizeof lab);
        for (unsigned s = WG_GW_STATUS_MIN; s <= WG_GW_STATUS_MAX; s++) {
            uint64_t v = ld(&ms[i]->status[s - WG_GW_STATUS_MIN]);
            if (v) emit(&o, "wasmgate_requests_total{route=\"%s\",status=\"%u\"} %llu\n", lab, s,
                        (unsigned long long)v);
        }
    }
    emit(&o, "# HELP wasmgate_request_duration_seconds Time from request to response.\n"
             "# TYPE wasmgate_request_duration_seconds histogram\n");
    for (size_t i = 0; i < n; i++) {
        escape_label(ms[i]->label, lab, sizeof lab);
        uint64_t cum = 0;
        for (size_t b = 0; b < WG_GW_NBUCKETS; b++) {
            cum += ld(&ms[i]->bucket[b]);
            emit(&o, "wasmgate_request_duration_seconds_bucket{route=\"%s\",le=\"%s\"} %llu\n", lab,
                 bucket_le[b], (unsigned long long)cum);
        }
        cum += ld(&ms[i]->bucket[WG_GW_NBUCKETS]);
        emit(&o, "wasmgate_request_duration_seconds_bucket{route=\"%s\",le=\"+Inf\"} %llu\n", lab,
             (unsigned long long)cum);
        emit(&o, "wasmgate_request_duration_seconds_sum{route=\"%s\"} %.9f\n", lab,
             (double)ld(&ms[i]->sum_ns) / 1e9);
        emit(&o, "wasmgate_request_duration_seconds_count{route=\"%s\"} %llu\n", lab,
             (unsigned long long)cum);
    }
    static const struct {
        const char *name, *help, *type;
        size_t off;
    } simple[] = {
        {"wasmgate_traps_total", "Guests that trapped.", "counter",
         offsetof(wg_gw_metrics, traps)},
        {"wasmgate_timeouts_total", "Guests interrupted at their timeout.", "counter",
         offsetof(wg_gw_metrics, timeouts)},
    };
    for (size_t k = 0; k < sizeof simple / sizeof *simple; k++) {
        emit(&o, "# HELP %s %s\n# TYPE %s %s\n", simple[k].name, simple[k].help, simple[k].name,
             simple[k].type);
        for (size_t i = 0; i < n; i++) {
            escape_label(ms[i]->label, lab, sizeof lab);
            _Atomic uint64_t *p = (_Atomic uint64_t *)((char *)ms[i] + simple[k].off);
            emit(&o, "%s{route=\"%s\"} %llu\n", simple[k].name, lab, (unsigned long long)ld(p));
        }
    }
    emit(&o, "# HELP wasmgate_instances_in_flight Guest instances running now.\n"
             "# TYPE wasmgate_instances_in_flight gauge\n");
    for (size_t i = 0; i < n; i++) {
        escape_label(ms[i]->label, lab, sizeof lab);
        emit(&o, "wasmgate_instances_in_flight{route=\"%s\"} %lld\n", lab,
             (long long)atomic_load_explicit(&ms[i]->in_flight, memory_order_relaxed));
    }
    emit(&o, "# HELP wasmgate_rejected_total Requests refused before running a guest.\n"
             "# TYPE wasmgate_rejected_total counter\n");
    for (size_t i = 0; i < n; i++) {
        escape_label(ms[i]->label, lab, sizeof lab);
        emit(&o, "wasmgate_rejected_total{route=\"%s\",reason=\"concurrency\"} %llu\n", lab,
             (unsigned long long)ld(&ms[i]->rejected_concurrency));
        emit(&o, "wasmgate_rejected_total{route=\"%s\",reason=\"body\"} %llu\n", lab,
             (unsigned long long)ld(&ms[i]->rejected_body));
        emit(&o, "wasmgate_rejected_total{route=\"%s\",reason=\"memory\"} %llu\n", lab,
             (unsigned long long)ld(&ms[i]->rejected_memory));
    }
    if (o.oom) {
        free(o.buf);
        return NULL;
    }
    if (len) *len = o.len;
    return o.buf;
}
