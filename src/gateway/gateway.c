/*
 * Building and tearing down a gateway (gateway.h): options, compiling every
 * route's module once, per-route WASI templates and limits, metrics text.
 * The HTTP side is in server.c, the per-request guest run in handler.c.
 */
#define _GNU_SOURCE
#include "gateway/gateway_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "gateway/http_head.h"
#include "util/error.h"

#define MiB ((uint64_t)1 << 20)

/* Fills the defaults documented in gateway.h. */
void wg__gw_opts_default(wg_gw_opts *o) {
    memset(o, 0, sizeof *o);
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    o->listen_addr = "127.0.0.1";
    o->port = 3000;
    o->threads = ncpu > 0 ? (unsigned)ncpu : 1;
    o->timeout_s = 30;
    o->max_memory = 128 * MiB;
    o->max_concurrency = 64 * o->threads;
    o->max_body = 10 * MiB;
    o->max_output = 64 * MiB;
    o->max_stderr = 64 * 1024;
    o->max_open_files = 256;
    o->max_connections = 4096;
    o->max_connections_per_ip = 256;
    o->head_timeout_s = 10;
    o->conn_timeout_s = 30;
    long pages = sysconf(_SC_PHYS_PAGES), psize = sysconf(_SC_PAGESIZE);
    o->max_total_memory = pages > 0 && psize > 0 ? (uint64_t)pages * (uint64_t)psize / 2
                                                 : (uint64_t)4 << 30;
    o->drain_s = 10;
}

/* Monotonic nanoseconds. */
uint64_t wg__gw_now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static char *dup_or_null(const char *s) {
    return s ? strdup(s) : NULL;
}

/* Reads a whole file; malloc'd (caller frees), NULL with errno set. */
static uint8_t *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    uint8_t *buf = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 65536;
            uint8_t *grown = realloc(buf, ncap);
            if (!grown) {
                free(buf);
                fclose(f);
                errno = ENOMEM;
                return NULL;
            }
            buf = grown;
            cap = ncap;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0) break;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        errno = EIO;
        return NULL;
    }
    *len = n;
    return buf;
}

/* Checks that `name` is an exported function taking and returning nothing. */
static bool check_entry(const wg_module *m, const char *name, char *why, size_t size) {
    uint32_t n = wg_module_export_count(m);
    for (uint32_t i = 0; i < n; i++) {
        wg_extern_desc d;
        if (!wg_module_export(m, i, &d) || d.name_len != strlen(name) ||
            memcmp(d.name, name, d.name_len) != 0)
            continue;
        if (d.kind != WG_EXTERN_FUNC) {
            snprintf(why, size, "export '%s' is not a function", name);
            return false;
        }
        if (d.func.nparams || d.func.nresults) {
            snprintf(why, size, "export '%s' must take and return nothing", name);
            return false;
        }
        return true;
    }
    snprintf(why, size, "no exported function '%s' (the route's entry point)", name);
    return false;
}

static bool route_error(const wg_gateway *gw, const wg_app_route *r, wg_error *err,
                        const char *msg) {
    return wg__error(err, WG_ERR_INVALID, (size_t)-1, "%s:%u: module %s: %s",
                     gw->app->manifest_path ? gw->app->manifest_path : "manifest", r->line,
                     r->module_path, msg);
}

/* Compiles one route's module, checks it links, and builds its WASI template. */
static bool setup_route(wg_gateway *gw, wg_gw_route *rt, const wg_app_route *r, wg_error *err) {
    char why[600];
    rt->app = r;
    rt->metrics.label = r->route;
    rt->timeout_s = r->timeout_s > 0 ? r->timeout_s : gw->opts.timeout_s;
    rt->max_memory = r->max_memory ? r->max_memory : gw->opts.max_memory;
    rt->max_concurrency = r->max_concurrency ? r->max_concurrency : gw->opts.max_concurrency;
    rt->max_body = r->max_body ? r->max_body : gw->opts.max_body;
    rt->max_open_files = r->max_open_files ? r->max_open_files : gw->opts.max_open_files;
    rt->entry = r->entrypoint && *r->entrypoint ? r->entrypoint : "_start";
    rt->entry_is_start = strcmp(rt->entry, "_start") == 0;

    size_t len = 0;
    uint8_t *bytes = read_file(r->module_path, &len);
    if (!bytes) {
        snprintf(why, sizeof why, "cannot read: %s", strerror(errno));
        return route_error(gw, r, err, why);
    }
    wg_error e = {0};
    rt->module = wg_module_new(bytes, len, &e);
    free(bytes);
    if (!rt->module) return route_error(gw, r, err, e.message);
    if (!check_entry(rt->module, rt->entry, why, sizeof why)) return route_error(gw, r, err, why);

    rt->wasi = wg_wasi_config_new();
    if (!rt->wasi) return route_error(gw, r, err, "out of memory");
    for (size_t i = 0; i < r->nvolumes; i++)
        if (!wg_wasi_config_preopen(rt->wasi, r->volumes[i].host, r->volumes[i].guest,
                                    r->volumes[i].read_only, &e))
            return route_error(gw, r, err, e.message);
    for (size_t i = 0; i < r->nenv; i++)
        if (!wg_wasi_config_add_env(rt->wasi, r->env[i].name, r->env[i].value))
            return route_error(gw, r, err, "out of memory");
    wg_wasi_config_stdin_buffer(rt->wasi, NULL, 0);
    /* A guest that opens files in a loop stops at its own cap (EMFILE), and
     * all guests together at what the server left for them (ENFILE), so the
     * listener always has descriptors to accept with. */
    wg_wasi_config_max_open_files(rt->wasi, rt->max_open_files);
    if (gw->files) wg_wasi_config_fd_budget(rt->wasi, gw->files);
    wg_wasi_config_stdout_capture(rt->wasi, (size_t)gw->opts.max_output);
    wg_wasi_config_stderr_capture(rt->wasi, gw->opts.max_stderr);
    /* A guest printing past max_output is stopped at once (500), not left to
     * run until its timeout; stderr is only cut (it is just for the log:
     * wasi.h, output_limit_traps applies to stdout only). */
    wg_wasi_config_output_limit_traps(rt->wasi, true);

    /* A trial instance (start function skipped): import and memory errors
     * show up now, with the manifest line, rather than on every request. */
    wg_wasi *w = wg_wasi_new(rt->wasi, &e);
    if (!w) return route_error(gw, r, err, e.message);
    wg_instance_opts io = {.max_memory_bytes = rt->max_memory, .host_data = w, .skip_start = true,
                           .pool = gw->instance_pool, .budget = gw->budget};
    wg_trap trap;
    wg_instance *inst = wg_instance_new(rt->module, gw->imports, &io, &e, &trap);
    wg_instance_free(inst);
    wg_wasi_free(w);
    if (!inst) return route_error(gw, r, err, e.message);
    return true;
}

/* Builds the gateway (see gateway.h). */
wg_gateway *wg__gateway_new(const wg_app *app, const wg_gw_opts *opts, wg_error *err) {
    wg_gateway *gw = calloc(1, sizeof *gw);
    if (!gw) {
        wg__error(err, WG_ERR_RESOURCE, (size_t)-1, "out of memory");
        return NULL;
    }
    gw->app = app;
    gw->opts = *opts;
    pthread_mutex_init(&gw->mhd_log_lock, NULL);
    gw->head_layout_checks = wg__http_head_layout_known();
    gw->quiesced_fd = -1;
    gw->log.fn = opts->log;
    gw->log.ud = opts->log_ud;
    gw->m_health.label = "/.well-known/wasmgate/health";
    gw->m_metrics.label = "/.well-known/wasmgate/metrics";
    gw->m_other.label = "-";
    if (gw->opts.threads == 0) gw->opts.threads = 1;
    if (gw->opts.max_concurrency == 0) gw->opts.max_concurrency = 64 * gw->opts.threads;
    gw->listen_addr = strdup(opts->listen_addr ? opts->listen_addr : "127.0.0.1");
    gw->tls_cert = dup_or_null(opts->tls_cert_pem);
    gw->tls_key = dup_or_null(opts->tls_key_pem);
    gw->imports = wg_imports_new();
    gw->instance_pool = wg_pool_new(NULL);
    gw->budget = wg_budget_new(gw->opts.max_total_memory ? gw->opts.max_total_memory : UINT64_MAX);
    if (gw->opts.guest_files) gw->files = wg_wasi_fd_budget_new((size_t)gw->opts.guest_files);
    gw->routes = calloc(app->nroutes ? app->nroutes : 1, sizeof *gw->routes);
    gw->router = wg__router_new(app->routes, app->nroutes);
    if (!gw->listen_addr || (opts->tls_cert_pem && !gw->tls_cert) ||
        (opts->tls_key_pem && !gw->tls_key) || !gw->imports || !gw->instance_pool || !gw->budget ||
        (gw->opts.guest_files && !gw->files) ||
        !gw->routes || !gw->router ||
        !wg_wasi_add_to_imports(gw->imports)) {
        wg__error(err, WG_ERR_RESOURCE, (size_t)-1, "out of memory");
        goto fail;
    }
    gw->opts.listen_addr = gw->listen_addr;
    gw->opts.tls_cert_pem = gw->tls_cert;
    gw->opts.tls_key_pem = gw->tls_key;
    for (size_t i = 0; i < app->nroutes; i++) {
        gw->nroutes = i + 1;
        if (!setup_route(gw, &gw->routes[i], &app->routes[i], err)) goto fail;
    }
    gw->nroutes = app->nroutes;
    if (getrandom(&gw->id_salt, sizeof gw->id_salt, GRND_NONBLOCK) != sizeof gw->id_salt)
        gw->id_salt = (uint32_t)wg__gw_now_ns() ^ (uint32_t)getpid();
    double min_timeout = gw->opts.timeout_s;
    for (size_t i = 0; i < gw->nroutes; i++)
        if (gw->routes[i].timeout_s < min_timeout) min_timeout = gw->routes[i].timeout_s;
    if (!wg__watchdog_start(&gw->watchdog, min_timeout)) {
        wg__error(err, WG_ERR_RESOURCE, (size_t)-1, "cannot start the watchdog thread");
        goto fail;
    }
    gw->watchdog_started = true;
    uint64_t max_threads = 0;
    for (size_t i = 0; i < gw->nroutes; i++) max_threads += gw->routes[i].max_concurrency;
    if (max_threads > 1024) max_threads = 1024;
    if (!wg__pool_init(&gw->pool, gw->opts.threads, (unsigned)max_threads)) {
        wg__error(err, WG_ERR_RESOURCE, (size_t)-1, "cannot set up the guest thread pool");
        goto fail;
    }
    return gw;
fail:
    wg__gateway_free(gw);
    return NULL;
}

/* Port bound by wg__gateway_start. */
uint16_t wg__gateway_port(const wg_gateway *gw) {
    return gw ? gw->port : 0;
}

/* Frees everything (after a shutdown). */
void wg__gateway_free(wg_gateway *gw) {
    if (!gw) return;
    wg__gateway_shutdown(gw);
    wg__pool_destroy(&gw->pool);
    if (gw->watchdog_started) wg__watchdog_stop(&gw->watchdog);
    /* imports may own failed instances of our modules: free it first. */
    wg_imports_free(gw->imports);
    wg_pool_free(gw->instance_pool); /* after every instance, adopted ones included */
    wg_budget_free(gw->budget);
    for (size_t i = 0; gw->routes && i < gw->nroutes; i++) {
        wg_module_free(gw->routes[i].module);
        wg_wasi_config_free(gw->routes[i].wasi);
    }
    wg_wasi_fd_budget_free(gw->files); /* after every route's config */
    free(gw->routes);
    wg__router_free(gw->router);
    free(gw->listen_addr);
    free(gw->tls_cert);
    free(gw->tls_key);
    pthread_mutex_destroy(&gw->mhd_log_lock);
    free(gw);
}

/* Prometheus text of every route and the built-in endpoints. */
char *wg__gateway_metrics_text(wg_gateway *gw, size_t *len) {
    size_t n = gw->nroutes + 3;
    wg_gw_metrics **ms = malloc(n * sizeof *ms);
    if (!ms) return NULL;
    for (size_t i = 0; i < gw->nroutes; i++) ms[i] = &gw->routes[i].metrics;
    ms[gw->nroutes] = &gw->m_health;
    ms[gw->nroutes + 1] = &gw->m_metrics;
    ms[gw->nroutes + 2] = &gw->m_other;
    char *text = wg__metrics_render(ms, n, len);
    free(ms);
    if (!text) return NULL;
    /* Server-wide figures after the per-route ones. */
    char tail[1024];
    int t = snprintf(
        tail, sizeof tail,
        "# HELP wasmgate_memory_budget_bytes Guest memories and buffered request bodies "
        "(used) against --max-total-memory (limit).\n"
        "# TYPE wasmgate_memory_budget_bytes gauge\n"
        "wasmgate_memory_budget_bytes{kind=\"used\"} %llu\n"
        "wasmgate_memory_budget_bytes{kind=\"limit\"} %llu\n"
        "# HELP wasmgate_connections_dropped_total Connections shut down by the server: "
        "request head not complete in time, or dropped to keep slots free for new clients.\n"
        "# TYPE wasmgate_connections_dropped_total counter\n"
        "wasmgate_connections_dropped_total{reason=\"head_timeout\"} %llu\n"
        "wasmgate_connections_dropped_total{reason=\"reserve\"} %llu\n"
        "# HELP wasmgate_guest_files_open Files all guests hold open now.\n"
        "# TYPE wasmgate_guest_files_open gauge\n"
        "wasmgate_guest_files_open %llu\n",
        (unsigned long long)wg_budget_used(gw->budget),
        (unsigned long long)wg_budget_limit(gw->budget),
        (unsigned long long)atomic_load(&gw->conns.head_timeouts),
        (unsigned long long)atomic_load(&gw->conns.evictions),
        (unsigned long long)(gw->files ? wg_wasi_fd_budget_used(gw->files) : 0));
    if (t < 0 || (size_t)t >= sizeof tail) return text;
    char *grown = realloc(text, *len + (size_t)t + 1);
    if (!grown) {
        free(text);
        return NULL;
    }
    memcpy(grown + *len, tail, (size_t)t + 1);
    *len += (size_t)t;
    return grown;
}
