/*
 * `wasmgate serve` (serve.h): options, manifest, gateway, signals.
 *
 * Signals: SIGINT and SIGTERM are blocked in every thread before any is
 * created (the gateway's threads inherit the mask) and the main thread waits
 * for them with sigwait, so no handler and no global flag are needed.
 */
#define _GNU_SOURCE
#include "cli/serve.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/run_opts.h"
#include "gateway/app.h"
#include "gateway/gateway.h"

typedef struct serve_args {
    wg_gw_opts gw;
    char addr[128];
    const char *access_log;
    const char *tls_cert;
    const char *tls_key;
    const char *manifest;
} serve_args;

static const char serve_usage[] =
    "usage: wasmgate serve [OPTIONS] MANIFEST\n"
    "\n"
    "Serve the routes of MANIFEST (WAGI modules.toml or spin.toml) over HTTP;\n"
    "every request runs in a fresh instance of its route's module.\n"
    "\n"
    "  --listen ADDR:PORT       address to listen on (default 127.0.0.1:3000;\n"
    "                           [::1]:PORT for IPv6; port 0 picks a free one)\n"
    "  --threads N              worker threads (default: number of cores)\n"
    "  --timeout SECONDS        per request guest time limit, then 504 (default 30)\n"
    "  --max-memory BYTES       cap on each guest memory (default 128MiB)\n"
    "  --max-concurrency N      guests running at once per route, then 503\n"
    "                           (default 64 x threads)\n"
    "  --max-body BYTES         request body limit, then 413 (default 10MiB)\n"
    "  --max-output BYTES       guest stdout limit, then 500 (default 64MiB)\n"
    "  --max-open-files N       files one guest may hold open; then EMFILE\n"
    "                           (default 256)\n"
    "  --max-log-bytes BYTES    guest stderr logged per request; the rest is cut\n"
    "                           with a note (default 64KiB)\n"
    "  --max-total-memory BYTES guest memories and buffered request bodies of all\n"
    "                           requests together; past it 503 (default: half of RAM)\n"
    "  --max-connections N      open connections (default 4096)\n"
    "  --max-connections-per-ip N\n"
    "                           open connections from one client address (default\n"
    "                           256; 0: no limit)\n"
    "  --drain-timeout SECONDS  on SIGINT/SIGTERM, wait this long for requests in\n"
    "                           flight before interrupting them (default 10)\n"
    "  --header-timeout SECONDS a request head must arrive complete within this\n"
    "                           time of the connection opening or of the previous\n"
    "                           response; idle keep-alive connections close after\n"
    "                           it too (default 10)\n"
    "  --access-log FILE        append access-log lines to FILE (default stderr)\n"
    "  --tls-cert FILE          serve HTTPS with this PEM certificate ...\n"
    "  --tls-key FILE           ... and this PEM private key\n"
    "BYTES take K, M, G (or KiB, MiB, GiB): powers of 1024. Route limits in the\n"
    "manifest take precedence. SIGINT or SIGTERM stops gracefully (exit 0).\n";

static int bad_value(const char *opt, const char *val, const char *why) {
    return cli_usage_error("%s '%s': %s", opt, val, why);
}

/* Parses an integer in [lo, hi]. */
static const char *parse_uint(const char *text, unsigned long lo, unsigned long hi,
                              unsigned long *out) {
    if (*text < '0' || *text > '9') return "expected a whole number";
    errno = 0;
    char *end;
    unsigned long v = strtoul(text, &end, 10);
    if (errno || *end) return "expected a whole number";
    if (v < lo || v > hi) return "out of range";
    *out = v;
    return NULL;
}

/* "ADDR:PORT" or "[V6]:PORT" into addr (brackets removed) and port. */
static const char *parse_listen(const char *text, char *addr, size_t size, uint16_t *port) {
    const char *colon = strrchr(text, ':');
    if (!colon) return "expected ADDR:PORT";
    const char *a = text;
    size_t alen = (size_t)(colon - text);
    if (alen >= 2 && a[0] == '[' && a[alen - 1] == ']') {
        a++;
        alen -= 2;
    } else if (memchr(a, ':', alen)) {
        return "write IPv6 addresses in brackets: [::1]:3000";
    }
    if (alen == 0 || alen >= size) return "expected ADDR:PORT";
    memcpy(addr, a, alen);
    addr[alen] = '\0';
    unsigned long p;
    if (parse_uint(colon + 1, 0, 65535, &p)) return "bad port";
    *port = (uint16_t)p;
    return NULL;
}

/* Fills *a from argv. Returns -1 on success, else an exit status. */
static int parse_args(int argc, char **argv, serve_args *a) {
    bool concurrency_set = false;
    for (int i = 1; i < argc; i++) {
        char *arg = argv[i];
        if (cli_is_help(arg)) {
            fputs(serve_usage, stdout);
            return CLI_EXIT_OK;
        }
        if (strcmp(arg, "--") == 0) {
            if (i + 1 < argc && !a->manifest) a->manifest = argv[++i];
            if (i + 1 < argc) return cli_usage_error("serve: unexpected argument '%s'", argv[i + 1]);
            break;
        }
        if (strncmp(arg, "--", 2) != 0) {
            if (a->manifest) return cli_usage_error("serve: unexpected argument '%s'", arg);
            a->manifest = arg;
            continue;
        }
        char name[64];
        const char *val;
        const char *eq = strchr(arg, '=');
        if (eq) {
            size_t n = (size_t)(eq - arg);
            if (n >= sizeof name) return cli_usage_error("serve: unknown option '%s'", arg);
            memcpy(name, arg, n);
            name[n] = '\0';
            val = eq + 1;
        } else {
            snprintf(name, sizeof name, "%s", arg);
            val = NULL;
        }
        static const char *const known[] = {
            "--listen", "--threads", "--timeout", "--max-memory", "--max-concurrency",
            "--max-body", "--max-output", "--access-log", "--tls-cert", "--tls-key",
            "--max-total-memory", "--max-connections", "--max-connections-per-ip",
            "--header-timeout", "--max-open-files", "--max-log-bytes", "--drain-timeout"};
        bool ok = false;
        for (size_t k = 0; k < sizeof known / sizeof *known; k++) ok |= strcmp(name, known[k]) == 0;
        if (!ok) return cli_usage_error("serve: unknown option '%s'", name);
        if (!val) {
            if (i + 1 >= argc) return cli_usage_error("serve: %s needs a value", name);
            val = argv[++i];
        }
        const char *why = NULL;
        unsigned long u;
        uint64_t size;
        if (strcmp(name, "--listen") == 0) {
            why = parse_listen(val, a->addr, sizeof a->addr, &a->gw.port);
            a->gw.listen_addr = a->addr;
        } else if (strcmp(name, "--threads") == 0) {
            if (!(why = parse_uint(val, 1, 1024, &u))) a->gw.threads = (unsigned)u;
        } else if (strcmp(name, "--timeout") == 0) {
            why = cli_parse_seconds(val, &a->gw.timeout_s);
        } else if (strcmp(name, "--max-concurrency") == 0) {
            if (!(why = parse_uint(val, 1, UINT32_MAX, &u))) {
                a->gw.max_concurrency = (uint32_t)u;
                concurrency_set = true;
            }
        } else if (strcmp(name, "--max-memory") == 0) {
            if (!(why = cli_parse_size(val, &size))) a->gw.max_memory = size;
        } else if (strcmp(name, "--max-body") == 0) {
            if (!(why = cli_parse_size(val, &size))) a->gw.max_body = size;
        } else if (strcmp(name, "--max-output") == 0) {
            if (!(why = cli_parse_size(val, &size))) {
                if (size > SIZE_MAX / 2) why = "too large";
                a->gw.max_output = size;
            }
        } else if (strcmp(name, "--max-total-memory") == 0) {
            if (!(why = cli_parse_size(val, &size))) {
                if (size == 0) why = "must be more than 0";
                a->gw.max_total_memory = size;
            }
        } else if (strcmp(name, "--max-connections") == 0) {
            if (!(why = parse_uint(val, 1, 1000000, &u))) a->gw.max_connections = (unsigned)u;
        } else if (strcmp(name, "--max-connections-per-ip") == 0) {
            if (!(why = parse_uint(val, 0, 1000000, &u))) a->gw.max_connections_per_ip = (unsigned)u;
        } else if (strcmp(name, "--max-open-files") == 0) {
            if (!(why = parse_uint(val, 1, 1u << 20, &u))) a->gw.max_open_files = (uint32_t)u;
        } else if (strcmp(name, "--max-log-bytes") == 0) {
            if (!(why = cli_parse_size(val, &size))) {
                if (size > (uint64_t)1 << 30) why = "at most 1GiB";
                a->gw.max_stderr = (size_t)size;
            }
        } else if (strcmp(name, "--drain-timeout") == 0) {
            why = cli_parse_seconds(val, &a->gw.drain_s);
        } else if (strcmp(name, "--header-timeout") == 0) {
            why = cli_parse_seconds(val, &a->gw.head_timeout_s);
        } else if (strcmp(name, "--access-log") == 0) {
            a->access_log = val;
        } else if (strcmp(name, "--tls-cert") == 0) {
            a->tls_cert = val;
        } else if (strcmp(name, "--tls-key") == 0) {
            a->tls_key = val;
        }
        if (why) return bad_value(name, val, why);
    }
    if (!a->manifest) return cli_usage_error("serve: missing MANIFEST");
    if (!a->tls_cert != !a->tls_key)
        return cli_usage_error("serve: --tls-cert and --tls-key go together");
    if (!concurrency_set) a->gw.max_concurrency = 64 * a->gw.threads;
    return -1;
}

/* Reads a PEM file into a NUL-terminated string (caller frees); NULL after
 * printing why. */
static char *read_text(const char *path) {
    size_t len = 0;
    uint8_t *bytes = cli_read_file(path, &len);
    if (!bytes) return NULL;
    char *text = malloc(len + 1);
    if (!text) {
        fprintf(stderr, "%s: error: out of memory\n", path);
    } else {
        memcpy(text, bytes, len);
        text[len] = '\0';
    }
    free(bytes);
    return text;
}

/* Descriptors kept out of the connection count: the listener, epoll and
 * signalling fds of MHD's threads, the log, TLS files, preopened volumes. */
#define FD_RESERVE 256

/* Raises the descriptor limit to its hard maximum, makes max_connections fit
 * under it with FD_RESERVE to spare, and gives guests together what is left
 * (opts->guest_files): a server that runs out of descriptors cannot even
 * accept the connection that would say so, and one guest used to open every
 * descriptor the process had. */
static void fit_fd_limit(wg_gw_opts *o) {
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return;
    if (rl.rlim_cur < rl.rlim_max) {
        rlim_t want = rl.rlim_max;
        if (want == RLIM_INFINITY || want > 1u << 20) want = 1u << 20;
        struct rlimit up = {want, rl.rlim_max};
        if (setrlimit(RLIMIT_NOFILE, &up) == 0) rl.rlim_cur = want;
    }
    if (rl.rlim_cur == RLIM_INFINITY) return;
    uint64_t room = rl.rlim_cur > 2 * FD_RESERVE ? rl.rlim_cur - FD_RESERVE : rl.rlim_cur / 2;
    if (o->max_connections > room) {
        fprintf(stderr,
                "wasmgate: warning: the descriptor limit (ulimit -n) is %llu: serving at most "
                "%llu connections instead of %u\n",
                (unsigned long long)rl.rlim_cur, (unsigned long long)room, o->max_connections);
        o->max_connections = (unsigned)room;
    }
    o->guest_files = room - o->max_connections;
    if (o->guest_files < o->max_open_files) {
        fprintf(stderr,
                "wasmgate: warning: only %llu descriptors are left for guests' files: raise "
                "ulimit -n or lower --max-connections\n",
                (unsigned long long)o->guest_files);
        if (o->guest_files == 0) o->guest_files = 1; /* 0 would mean "no limit" */
    }
}

/* Runs the server until SIGINT/SIGTERM. */
int cli_cmd_serve(int argc, char **argv) {
    serve_args a;
    memset(&a, 0, sizeof a);
    wg__gw_opts_default(&a.gw);
    int rc = parse_args(argc, argv, &a);
    if (rc >= 0) return rc;

    wg_gw_fd_sink sink = {.access_fd = STDERR_FILENO, .error_fd = STDERR_FILENO};
    char *cert = NULL, *key = NULL;
    wg_app *app = NULL;
    wg_gateway *gw = NULL;
    rc = CLI_EXIT_ERROR;

    sigset_t stop, old;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, &old);
    struct sigaction ign = {.sa_handler = SIG_IGN}, old_pipe;
    sigaction(SIGPIPE, &ign, &old_pipe);

    if (a.access_log) {
        sink.access_fd = open(a.access_log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (sink.access_fd < 0) {
            fprintf(stderr, "%s: error: cannot open access log: %s\n", a.access_log,
                    strerror(errno));
            goto out;
        }
    }
    if (a.tls_cert) {
        cert = read_text(a.tls_cert);
        key = cert ? read_text(a.tls_key) : NULL;
        if (!cert || !key) goto out;
        a.gw.tls_cert_pem = cert;
        a.gw.tls_key_pem = key;
    }
    a.gw.log = wg__gw_log_fd_sink;
    a.gw.log_ud = &sink;
    fit_fd_limit(&a.gw);

    wg_error err = {0};
    app = wg__app_load(a.manifest, &err);
    if (!app) {
        fprintf(stderr, "%s\n", err.message);
        goto out;
    }
    gw = wg__gateway_new(app, &a.gw, &err);
    if (!gw || !wg__gateway_start(gw, &err)) {
        fprintf(stderr, "%s\n", err.message);
        goto out;
    }
    bool v6 = strchr(a.gw.listen_addr, ':') != NULL;
    fprintf(stderr, "wasmgate: serving %zu route%s on %s://%s%s%s:%u\n", app->nroutes,
            app->nroutes == 1 ? "" : "s", a.tls_cert ? "https" : "http", v6 ? "[" : "",
            a.gw.listen_addr, v6 ? "]" : "", wg__gateway_port(gw));
    for (size_t i = 0; i < app->nroutes; i++)
        fprintf(stderr, "  %s -> %s\n", app->routes[i].route, app->routes[i].module_path);
    fflush(stderr);

    int sig = 0;
    while (sigwait(&stop, &sig) != 0) {
    }
    fprintf(stderr, "wasmgate: %s received, shutting down\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
    wg__gateway_shutdown(gw);
    fprintf(stderr, "wasmgate: stopped\n");
    rc = CLI_EXIT_OK;
out:
    wg__gateway_free(gw);
    wg__app_free(app);
    if (key) explicit_bzero(key, strlen(key)); /* do not leave the private key in freed memory */
    free(cert);
    free(key);
    if (sink.access_fd >= 0 && sink.access_fd != STDERR_FILENO) close(sink.access_fd);
    sigaction(SIGPIPE, &old_pipe, NULL);
    /* After a graceful stop, SIGINT/SIGTERM stay blocked: a second signal sent
     * during the drain is pending, and unblocking it here would kill the
     * process (status 143) instead of letting it exit 0. */
    if (rc != CLI_EXIT_OK) pthread_sigmask(SIG_SETMASK, &old, NULL);
    return rc;
}
