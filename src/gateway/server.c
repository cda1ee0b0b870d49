/*
 * The HTTP side of the gateway: libmicrohttpd glue (wg__gateway_start,
 * wg__gateway_shutdown) and the per-request state machine.
 *
 * MHD runs in thread-pool mode: opts.threads workers, each with its own epoll
 * loop on the shared listening socket, keep-alive, a connection limit, a
 * slow/idle client timeout. A request goes through the access handler:
 *
 *   connection notify  the connection's head deadline starts (conns.h)
 *   URI log callback   allocates the request state with a copy of the raw URI
 *                      (MHD decodes the path it later passes us; WAGI wants the
 *                      raw one too: X_RAW_PATH_INFO, QUERY_STRING)
 *   1st call           the head is complete (deadline off); framing checks
 *                      (http_head.h: 400/501 and close); 414 past 8 KiB; parse
 *                      and route; built-ins, 404, 400, a Content-Length over
 *                      max_body (413) and a full memory budget (503) are
 *                      answered here
 *   upload calls       the body is accumulated; past max_body: 413
 *   last call          the connection is suspended and the guest runs on the
 *                      executor pool (pool.h, handler.c), which queues the
 *                      response and resumes the connection; the body is sent
 *                      straight from the guest's stdout buffer
 *   completed callback metrics, access-log line, free; the connection waits
 *                      for its next head (deadline on again)
 *
 * Request ids are SALT-COUNTER in hex, sent back as X-Request-Id and used in
 * the access log and the guest's log lines.
 */
#define _GNU_SOURCE
#include "gateway/gateway_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <pthread.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "gateway/http_head.h"
#include "util/error.h"

#define HEALTH_PATH "/.well-known/wasmgate/health"
#define METRICS_PATH "/.well-known/wasmgate/metrics"
/* MHD's per-connection pool: the request line and headers, a record per
 * header, and the response's status line and headers. MHD clears the whole
 * pool on every request (a memset: about 1 us for 64 KiB), so it is no bigger
 * than needed for an 8 KiB request target, a few dozen KiB of request headers
 * and WG_GW_MAX_RESPONSE_HEAD of response headers. (MHD also keeps a record
 * per query argument here: on_uri stops it from parsing them, since we parse
 * the query ourselves; 250 arguments used to exhaust 16 KiB and hang.) */
#define CONN_MEMORY_LIMIT (64 * 1024)
#define LISTEN_BACKLOG 1024
/* Body bytes read and dropped to send a refusal (413, 503) after the body
 * rather than in the middle of it: a server that closes with unread bytes in
 * its socket sends a reset, and the client may never see the answer. */
#define DISCARD_MAX ((uint64_t)1 << 20)

enum { PENDING_NONE = 0, PENDING_HEALTH = 1, PENDING_METRICS = 2 };

/* The state of one request, from its request line to its completion. */
typedef struct req {
    wg_gateway *gw;
    uint64_t t0;            /* monotonic ns at the request line */
    const char *method;     /* MHD's, valid until completion */
    char *raw_path;         /* undecoded path (points into `space`) */
    char *query;            /* raw query after '?', or "" */
    char *path;             /* decoded path */
    wg_gw_route *route;     /* matched route, or NULL */
    wg_router_match match;
    wg_gw_metrics *m;       /* where this request is counted */
    uint8_t *body;          /* upload so far */
    size_t body_len, body_cap;
    uint64_t discarded;     /* upload bytes dropped after passing max_body */
    bool started;           /* the access handler has seen it */
    unsigned refuse;        /* 413 or 503: the body is read and dropped, then this is sent */
    uint64_t charged;       /* bytes of the body buffer charged to gw->budget */
    bool responded;         /* a response is queued */
    unsigned pending;       /* answer decided without a guest: PENDING_* or an error status */
    unsigned status;
    uint64_t bytes;         /* response body bytes */
    char id[32];
    /* for the executor (run_guest -> guest_job) */
    wg_gw_job job;
    struct MHD_Connection *conn;
    wg_wagi_request rq;
    struct header_list *hl;
    char server_name[256];
    char addr[48];
    char version[16];
    size_t uri_len;         /* strlen of the raw URI in `space` */
    char space[];           /* raw URI, then the decoded path */
} req;

/* ---- responses ---------------------------------------------------------------------- */

static void add_common_headers(req *r, struct MHD_Response *resp) {
    MHD_add_response_header(resp, "X-Request-Id", r->id);
    if (atomic_load_explicit(&r->gw->draining, memory_order_relaxed))
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
}

/* Queues a short text response; the text is static. With `close` the
 * connection ends after it (MHD honours the response's Connection: close). */
static enum MHD_Result respond_text(struct MHD_Connection *c, req *r, unsigned status,
                                    const char *text, bool close) {
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(strlen(text), (void *)text, MHD_RESPMEM_PERSISTENT);
    if (!resp) return MHD_NO;
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain; charset=utf-8");
    add_common_headers(r, resp);
    if (close && !atomic_load_explicit(&r->gw->draining, memory_order_relaxed))
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
    enum MHD_Result ok = MHD_queue_response(c, status, resp);
    MHD_destroy_response(resp);
    if (ok == MHD_YES) {
        r->responded = true;
        r->status = status;
        r->bytes = strlen(text);
    }
    return ok;
}

static const char *status_text(unsigned status) {
    switch (status) {
    case 400: return "Bad Request\n";
    case 404: return "Not Found\n";
    case 413: return "Payload Too Large\n";
    case 414: return "URI Too Long\n";
    case 431: return "Request Header Fields Too Large\n";
    case 501: return "Not Implemented\n";
    case 502: return "Bad Gateway\n";
    case 503: return "Service Unavailable\n";
    case 504: return "Gateway Timeout\n";
    default: return "Internal Server Error\n";
    }
}

static enum MHD_Result respond_error(struct MHD_Connection *c, req *r, unsigned status) {
    return respond_text(c, r, status, status_text(status), false);
}

/* An answer to a request whose framing we do not trust: the connection
 * closes after it, so nothing the client sent after the head is read as a
 * next request. */
static enum MHD_Result respond_and_close(struct MHD_Connection *c, req *r, unsigned status) {
    return respond_text(c, r, status, status_text(status), true);
}

static enum MHD_Result respond_metrics(struct MHD_Connection *c, req *r) {
    size_t len = 0;
    char *text = wg__gateway_metrics_text(r->gw, &len);
    if (!text) return respond_error(c, r, 500);
    struct MHD_Response *resp =
        MHD_create_response_from_buffer_with_free_callback(len, text, free);
    if (!resp) {
        free(text);
        return MHD_NO;
    }
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
                            "text/plain; version=0.0.4; charset=utf-8");
    add_common_headers(r, resp);
    enum MHD_Result ok = MHD_queue_response(c, MHD_HTTP_OK, resp);
    MHD_destroy_response(resp);
    if (ok == MHD_YES) {
        r->responded = true;
        r->status = 200;
        r->bytes = len;
    }
    return ok;
}

static enum MHD_Result respond_health(struct MHD_Connection *c, req *r) {
    if (atomic_load_explicit(&r->gw->draining, memory_order_relaxed))
        return respond_text(c, r, 200, "OK", false);
    enum MHD_Result ok = MHD_queue_response(c, MHD_HTTP_OK, r->gw->health);
    if (ok == MHD_YES) {
        r->responded = true;
        r->status = 200;
        r->bytes = 2;
    }
    return ok;
}

static void free_wasi(void *cls) {
    wg_wasi_free(cls);
}

/* Queues the guest's response; the body stays in the guest's stdout buffer
 * until MHD is done with it. */
static enum MHD_Result respond_guest(struct MHD_Connection *c, req *r, wg_gw_call *call) {
    struct MHD_Response *resp;
    bool keep = false;
    if (call->out_len) {
        resp = MHD_create_response_from_buffer_with_free_callback_cls(
            call->out_len, (void *)call->out, free_wasi, call->wasi);
        keep = resp != NULL;
    } else {
        resp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    }
    if (!resp) {
        wg__gw_call_release(call, false);
        return MHD_NO;
    }
    for (size_t i = 0; i < call->resp.nheaders; i++) {
        const wg_wagi_header *h = &call->resp.headers[i];
        if (MHD_add_response_header(resp, h->name, h->value) != MHD_YES)
            wg__gw_logf(&r->gw->log, WG_GW_LOG_WARN, "[%s %s] header '%s' refused by the server",
                        call->route->app->route, r->id, h->name);
    }
    add_common_headers(r, resp);
    unsigned status = call->status;
    size_t len = call->out_len;
    wg__gw_call_release(call, keep);
    enum MHD_Result ok = MHD_queue_response(c, status, resp);
    MHD_destroy_response(resp);
    if (ok == MHD_YES) {
        r->responded = true;
        r->status = status;
        r->bytes = len;
    }
    return ok;
}

/* ---- running the guest ----------------------------------------------------------------- */

struct header_list {
    wg_wagi_header *h;
    size_t n, cap;
    bool oom;
};
typedef struct header_list header_list;

static enum MHD_Result collect_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                      const char *value) {
    (void)kind;
    header_list *l = cls;
    if (l->n == l->cap) {
        size_t ncap = l->cap ? l->cap * 2 : 32;
        wg_wagi_header *grown = realloc(l->h, ncap * sizeof *grown);
        if (!grown) {
            l->oom = true;
            return MHD_NO;
        }
        l->h = grown;
        l->cap = ncap;
    }
    l->h[l->n].name = key;
    l->h[l->n].value = value ? value : "";
    l->n++;
    return MHD_YES;
}

/* SERVER_NAME from the Host header ("[v6]:port", "name:port", "name"). */
static void host_name(const char *host, const char *fallback, char *out, size_t size) {
    if (!host || !*host) {
        snprintf(out, size, "%s", fallback);
        return;
    }
    size_t n;
    if (host[0] == '[') {
        const char *close = strchr(host, ']');
        n = close ? (size_t)(close - host - 1) : strlen(host + 1);
        host++;
    } else {
        n = strcspn(host, ":");
    }
    if (n >= size) n = size - 1;
    memcpy(out, host, n);
    out[n] = '\0';
}

static void remote_addr(struct MHD_Connection *c, char *out, size_t size) {
    snprintf(out, size, "unknown");
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (!ci || !ci->client_addr) return;
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, out, (socklen_t)size);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, out, (socklen_t)size);
}

/* On the executor: runs the guest, queues the response, resumes the
 * connection (MHD allows queueing on a suspended connection). */
static void guest_job(wg_gw_job *job) {
    req *r = (req *)((char *)job - offsetof(req, job));
    struct MHD_Connection *c = r->conn;
    wg_gw_call call = {
        .route = r->route,
        .rq = &r->rq,
        .body = r->body,
        .body_len = r->body_len,
        .req_id = r->id,
    };
    wg__gw_run(r->gw, &call);
    if (call.from_guest) {
        respond_guest(c, r, &call);
    } else {
        wg__gw_call_release(&call, false);
        respond_error(c, r, call.status);
    }
    MHD_resume_connection(c);
}

/* Collects what the guest needs from the connection (on the MHD worker),
 * suspends the connection and hands the run to the executor. */
static enum MHD_Result run_guest(struct MHD_Connection *c, req *r, const char *version) {
    wg_gateway *gw = r->gw;
    if (atomic_load_explicit(&gw->refusing, memory_order_relaxed))
        return respond_error(c, r, 503);
    r->hl = calloc(1, sizeof *r->hl);
    if (!r->hl) return respond_error(c, r, 500);
    MHD_get_connection_values(c, MHD_HEADER_KIND, collect_header, r->hl);
    if (r->hl->oom) return respond_error(c, r, 500);
    host_name(MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST),
              gw->listen_addr, r->server_name, sizeof r->server_name);
    remote_addr(c, r->addr, sizeof r->addr);
    snprintf(r->version, sizeof r->version, "%s", version && *version ? version : "HTTP/1.1");
    r->rq = (wg_wagi_request){
        .method = r->method,
        .protocol = r->version,
        .raw_path = r->raw_path,
        .path = r->path,
        .query = r->query,
        .route = r->route->app,
        .prefix_len = r->match.prefix_len,
        .scheme = gw->tls_cert ? "https" : "http",
        .server_name = r->server_name,
        .server_port = gw->port_str,
        .remote_addr = r->addr,
        .content_length = r->body_len,
        .content_type = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
                                                    MHD_HTTP_HEADER_CONTENT_TYPE),
        .authorization = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
                                                     MHD_HTTP_HEADER_AUTHORIZATION),
        .headers = r->hl->h,
        .nheaders = r->hl->n,
    };
    r->conn = c;
    r->job.fn = guest_job;
    MHD_suspend_connection(c);
    if (!wg__pool_submit(&gw->pool, &r->job)) {
        MHD_resume_connection(c);
        wg__gw_logf(&gw->log, WG_GW_LOG_ERROR, "[%s %s] cannot start a guest thread",
                    r->route->app->route, r->id);
        return respond_error(c, r, 503);
    }
    return MHD_YES;
}

/* ---- the access handler ------------------------------------------------------------------- */

/* Sends an answer decided without a guest. */
static enum MHD_Result respond_pending(struct MHD_Connection *c, req *r) {
    if (r->pending == PENDING_HEALTH) return respond_health(c, r);
    if (r->pending == PENDING_METRICS) return respond_metrics(c, r);
    return respond_error(c, r, r->pending);
}

/* Answers without a guest. A response queued before MHD has read the whole
 * request makes it close the connection, so: at once only when a body is
 * coming (never read a body nobody wants), else on the last call (keep-alive). */
static enum MHD_Result decide(struct MHD_Connection *c, req *r, unsigned pending) {
    r->pending = pending;
    const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
                                                 MHD_HTTP_HEADER_CONTENT_LENGTH);
    bool body = (cl && strcmp(cl, "0") != 0) ||
                MHD_lookup_connection_value(c, MHD_HEADER_KIND,
                                            MHD_HTTP_HEADER_TRANSFER_ENCODING) != NULL;
    return body ? respond_pending(c, r) : MHD_YES;
}

/* Refuses a request without buffering its body: with no body the answer
 * waits for the last call (the connection stays open); a body of at most
 * DISCARD_MAX bytes is read and dropped first (upload) so that the answer
 * arrives before any close; a longer one is answered at once and the
 * connection closes (a client that wants to know before sending a large body
 * asks with Expect: 100-continue, and MHD then never asks it to send). */
static enum MHD_Result refuse(struct MHD_Connection *c, req *r, unsigned status, bool cl_known,
                              uint64_t cl) {
    bool chunked = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
                                               MHD_HTTP_HEADER_TRANSFER_ENCODING) != NULL;
    const char *expect = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_EXPECT);
    if (!chunked && (!cl_known || cl == 0)) return decide(c, r, status);
    /* A client waiting for 100 Continue has not sent its body: answer now
     * (MHD then never sends the 100). */
    if ((expect && strcasecmp(expect, "100-continue") == 0) || (!chunked && cl > DISCARD_MAX))
        return respond_error(c, r, status);
    r->refuse = status;
    return MHD_YES;
}

/* RFC 9110 5.6.2: a method is a token (1*tchar). MHD passes any bytes up to
 * the first space, control characters included. */
static bool method_is_token(const char *m) {
    if (!*m) return false;
    for (; *m; m++) {
        unsigned char ch = (unsigned char)*m;
        if ((ch >= '0' && ch <= '9') || (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z'))
            continue;
        if (!strchr("!#$%&'*+-.^_`|~", ch)) return false;
    }
    return true;
}

/* The connection's record in gw->conns (conns.h), or NULL. */
static wg_gw_conn *conn_record(struct MHD_Connection *c) {
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return ci ? ci->socket_context : NULL;
}

/* Refuses a request whose head is malformed: counted, logged (rate-limited by
 * the caller's volume: one line per request is fine, a flood is counted in
 * the metrics under route "-") and answered with the connection closed. */
static enum MHD_Result refuse_head(struct MHD_Connection *c, req *r, unsigned status,
                                   const char *why) {
    char ip[48];
    remote_addr(c, ip, sizeof ip);
    wg__gw_logf(&r->gw->log, WG_GW_LOG_WARN, "[- %s] %u from %s: %s", r->id, status, ip, why);
    return respond_and_close(c, r, status);
}

/* True if the raw query holds "%00": decoded, it would cut an argument (the
 * path is refused for the same reason). */
static bool query_has_nul(const char *q) {
    for (; (q = strchr(q, '%')) != NULL; q++)
        if (q[1] == '0' && q[2] == '0') return true;
    return false;
}

/* First call: the head is complete. Check its framing, parse the URI, route,
 * decide what needs no guest. */
static enum MHD_Result first_call(struct MHD_Connection *c, req *r, const char *method,
                                  const char *version) {
    wg_gateway *gw = r->gw;
    r->started = true;
    wg__conns_head_done(&gw->conns, conn_record(c));
    atomic_fetch_add_explicit(&gw->active, 1, memory_order_relaxed);
    r->method = method;
    uint64_t id = atomic_fetch_add_explicit(&gw->next_id, 1, memory_order_relaxed) + 1;
    snprintf(r->id, sizeof r->id, "%08x-%llx", gw->id_salt, (unsigned long long)id);
    r->m = &gw->m_other;
    if (!method_is_token(method)) return refuse_head(c, r, 400, "method is not a token");
    if (r->uri_len > WG_HTTP_MAX_TARGET) return refuse_head(c, r, 414, "request target over 8 KiB");
    wg_head_verdict v =
        wg__http_head_check(c, method, r->raw_path, version, gw->head_layout_checks);
    if (v.status) return refuse_head(c, r, v.status, v.why);

    /* Absolute form (RFC 9112 3.2.2, "GET http://host/path"): keep the path. */
    if (strncasecmp(r->raw_path, "http://", 7) == 0 || strncasecmp(r->raw_path, "https://", 8) == 0) {
        char *slash = strchr(strstr(r->raw_path, "//") + 2, '/');
        r->raw_path = slash ? slash : (char *)"/";
    }
    char *q = strchr(r->raw_path, '?');
    r->query = q ? q + 1 : (char *)"";
    if (q) *q = '\0';
    size_t rlen = strlen(r->raw_path);
    r->path = r->space + r->uri_len + 1;
    size_t plen = wg__wagi_url_decode(r->raw_path, rlen, r->path);
    if (r->raw_path[0] != '/' || strlen(r->path) != plen || query_has_nul(r->query))
        return decide(c, r, 400);

    if (strcmp(r->path, HEALTH_PATH) == 0) {
        r->m = &gw->m_health;
        return decide(c, r, PENDING_HEALTH);
    }
    if (strcmp(r->path, METRICS_PATH) == 0) {
        r->m = &gw->m_metrics;
        return decide(c, r, PENDING_METRICS);
    }
    if (!wg__router_match(gw->router, r->path, &r->match)) return decide(c, r, 404);
    r->route = &gw->routes[r->match.index];
    r->m = &r->route->metrics;

    const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
                                                 MHD_HTTP_HEADER_CONTENT_LENGTH);
    unsigned long long n = cl ? strtoull(cl, NULL, 10) : 0; /* http_head.c checked it */
    /* Over the memory budget already: refuse before buffering any body. */
    if (wg_budget_used(gw->budget) >= wg_budget_limit(gw->budget)) {
        atomic_fetch_add_explicit(&r->m->rejected_memory, 1, memory_order_relaxed);
        return refuse(c, r, 503, cl != NULL, n);
    }
    if (cl) {
        if (n > r->route->max_body) {
            atomic_fetch_add_explicit(&r->m->rejected_body, 1, memory_order_relaxed);
            return respond_error(c, r, 413);
        }
        if (n) {
            if (!wg_budget_charge(gw->budget, n)) {
                atomic_fetch_add_explicit(&r->m->rejected_memory, 1, memory_order_relaxed);
                return refuse(c, r, 503, true, n);
            }
            r->charged = n;
            r->body = malloc((size_t)n);
            if (!r->body) return respond_error(c, r, 500);
            r->body_cap = (size_t)n;
        }
    }
    return MHD_YES;
}

/* Appends upload data. Past max_body the rest is read and dropped (up to
 * DISCARD_MAX more bytes) so that the client still gets its 413 on the last
 * call: MHD cannot answer in the middle of an upload. A client that keeps
 * sending after that loses the connection. */
static enum MHD_Result upload(req *r, const char *data, size_t len) {
    if (r->responded || !r->route) return MHD_YES;
    if (r->refuse) {
        r->discarded += len;
        return r->discarded > DISCARD_MAX ? MHD_NO : MHD_YES;
    }
    if (r->body_len + len > r->route->max_body) {
        r->refuse = 413;
        r->discarded = len;
        atomic_fetch_add_explicit(&r->m->rejected_body, 1, memory_order_relaxed);
        free(r->body);
        r->body = NULL;
        r->body_len = r->body_cap = 0;
        wg_budget_release(r->gw->budget, r->charged);
        r->charged = 0;
        return MHD_YES;
    }
    if (r->body_len + len > r->body_cap) {
        size_t ncap = r->body_cap ? r->body_cap : 16384;
        while (ncap < r->body_len + len) ncap *= 2;
        if (ncap > r->route->max_body) ncap = (size_t)r->route->max_body;
        /* A chunked body is charged to the budget as its buffer grows; past
         * it, the rest is dropped like a body over max_body, and the answer
         * is 503 (the server is full, the request is fine). */
        if (ncap > r->charged) {
            if (!wg_budget_charge(r->gw->budget, ncap - r->charged)) {
                r->refuse = 503;
                r->discarded = len;
                atomic_fetch_add_explicit(&r->m->rejected_memory, 1, memory_order_relaxed);
                free(r->body);
                r->body = NULL;
                r->body_len = r->body_cap = 0;
                wg_budget_release(r->gw->budget, r->charged);
                r->charged = 0;
                return MHD_YES;
            }
            r->charged = ncap;
        }
        uint8_t *grown = realloc(r->body, ncap);
        if (!grown) return MHD_NO;
        r->body = grown;
        r->body_cap = ncap;
    }
    memcpy(r->body + r->body_len, data, len);
    r->body_len += len;
    return MHD_YES;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size,
                                  void **req_cls) {
    (void)cls;
    (void)url;
    req *r = *req_cls;
    if (!r) return MHD_NO; /* the URI log callback failed to allocate */
    if (!r->started) return first_call(c, r, method, version);
    if (*upload_data_size) {
        enum MHD_Result ok = upload(r, upload_data, *upload_data_size);
        *upload_data_size = 0;
        return ok;
    }
    if (r->responded) return MHD_YES;
    if (r->pending) return respond_pending(c, r);
    if (r->refuse) return respond_error(c, r, r->refuse);
    return run_guest(c, r, version);
}

/* Allocates the request state with a copy of the raw URI (path?query); the
 * result becomes MHD's per-request context. NULL (then the handler refuses
 * the request) when out of memory. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c) {
    (void)c;
    wg_gateway *gw = cls;
    size_t len = strlen(uri);
    req *r = malloc(sizeof *r + 2 * (len + 1) + 1);
    if (!r) return NULL;
    memset(r, 0, sizeof *r);
    r->gw = gw;
    r->t0 = wg__gw_now_ns();
    memcpy(r->space, uri, len + 1);
    r->uri_len = len;
    r->raw_path = r->space;
    /* MHD parses the query after this callback, from this very buffer, into
     * one pool record per argument: a 2 KB query of 250 arguments filled the
     * 16 KiB pool, and the 431 MHD then wanted to send found no room, so the
     * client waited 30 s for nothing. We read the query from our copy and
     * never ask MHD for arguments, so end its view of them right after the
     * '?'. This writes into MHD's request-line buffer, which it owns and we
     * only borrow: done only on a version whose parser we have read (the same
     * gate as http_head.h's layout check). */
    char *q = strchr(uri, '?');
    if (q && gw->head_layout_checks) q[1] = '\0';
    return r;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **req_cls,
                         enum MHD_RequestTerminationCode toe) {
    wg_gateway *gw = cls;
    req *r = *req_cls;
    *req_cls = NULL;
    /* On a kept-alive connection the next request head is due now. */
    wg__conns_head_again(&gw->conns, conn_record(c));
    if (!r) return;
    if (r->charged) wg_budget_release(gw->budget, r->charged);
    if (r->started) {
        uint64_t dur = wg__gw_now_ns() - r->t0;
        if (r->status) wg__metrics_observe(r->m, r->status, dur);
        if (gw->log.fn) {
            char now[40], path[1024];
            wg__gw_rfc3339_now(now, sizeof now);
            wg__gw_escape(path, sizeof path, r->raw_path, strlen(r->raw_path));
            wg__gw_logf(&gw->log, WG_GW_LOG_ACCESS, "%s %s %s %s %u %llu %llu %s%s", now,
                        r->method, path, r->route ? r->route->app->route : "-", r->status,
                        (unsigned long long)r->bytes, (unsigned long long)(dur / 1000), r->id,
                        toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " incomplete");
        }
        atomic_fetch_sub_explicit(&gw->active, 1, memory_order_relaxed);
    }
    if (r->hl) free(r->hl->h);
    free(r->hl);
    free(r->body);
    free(r);
}

/* libmicrohttpd's messages, at most one per second for each of its message
 * formats (a format is a call site in MHD): when it cannot accept (EMFILE) it
 * retries in a loop and used to log 20,000 lines a second. A line that
 * follows suppressed ones says how many there were. */
static void mhd_log(void *cls, const char *fmt, va_list ap) {
    wg_gateway *gw = cls;
    uint64_t now = wg__gw_now_ns(), suppressed = 0;
    bool emit = true;
    pthread_mutex_lock(&gw->mhd_log_lock);
    wg_gw_log_site *site = NULL;
    for (size_t i = 0; i < WG_GW_LOG_SITES && !site; i++)
        if (gw->mhd_log_sites[i].fmt == fmt || !gw->mhd_log_sites[i].fmt) site = &gw->mhd_log_sites[i];
    if (!site) site = &gw->mhd_log_sites[(now >> 10) % WG_GW_LOG_SITES]; /* table full: reuse one */
    if (site->fmt == fmt && now - site->last_ns < 1000000000ull) {
        site->suppressed++;
        emit = false;
    } else {
        suppressed = site->fmt == fmt ? site->suppressed : 0;
        site->fmt = fmt;
        site->last_ns = now;
        site->suppressed = 0;
    }
    pthread_mutex_unlock(&gw->mhd_log_lock);
    if (!emit) return;
    char line[1024];
    int n = vsnprintf(line, sizeof line, fmt, ap);
    if (n < 0) return;
    size_t len = strlen(line);
    while (len && (line[len - 1] == '\n' || line[len - 1] == '\r')) line[--len] = '\0';
    if (suppressed)
        wg__gw_logf(&gw->log, WG_GW_LOG_WARN, "libmicrohttpd: %s (and %llu more like it)", line,
                    (unsigned long long)suppressed);
    else
        wg__gw_logf(&gw->log, WG_GW_LOG_WARN, "libmicrohttpd: %s", line);
}

/* A connection opens (its head deadline starts) or closes. */
static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                          enum MHD_ConnectionNotificationCode toe) {
    wg_gateway *gw = cls;
    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
        *socket_context = ci ? wg__conns_opened(&gw->conns, ci->connect_fd) : NULL;
    } else if (toe == MHD_CONNECTION_NOTIFY_CLOSED) {
        wg__conns_closed(&gw->conns, *socket_context);
        *socket_context = NULL;
    }
}

/* ---- start and stop ------------------------------------------------------------------------ */

/* Binds and listens on addr:port (non-blocking, close-on-exec). -1 with err. */
static int open_listener(wg_gateway *gw, bool *v6, wg_error *err) {
    struct sockaddr_storage ss;
    socklen_t sl;
    memset(&ss, 0, sizeof ss);
    struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
    if (inet_pton(AF_INET, gw->listen_addr, &s4->sin_addr) == 1) {
        s4->sin_family = AF_INET;
        s4->sin_port = htons(gw->opts.port);
        sl = sizeof *s4;
        *v6 = false;
    } else if (inet_pton(AF_INET6, gw->listen_addr, &s6->sin6_addr) == 1) {
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons(gw->opts.port);
        sl = sizeof *s6;
        *v6 = true;
    } else {
        wg__error(err, WG_ERR_RESOURCE, (size_t)-1, "bad listen address '%s' (an IP literal)",
                  gw->listen_addr);
        return -1;
    }
    int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        wg__error(err, WG_ERR_RESOURCE, (size_t)-1, "socket: %s", strerror(errno));
        return -1;
    }
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (*v6) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    if (bind(fd, (struct sockaddr *)&ss, sl) != 0 || listen(fd, LISTEN_BACKLOG) != 0) {
        wg__error(err, WG_ERR_RESOURCE, (size_t)-1, "cannot listen on %s%s%s:%u: %s",
                  *v6 ? "[" : "", gw->listen_addr, *v6 ? "]" : "", gw->opts.port,
                  strerror(errno));
        close(fd);
        return -1;
    }
    struct sockaddr_storage bound;
    socklen_t bl = sizeof bound;
    if (getsockname(fd, (struct sockaddr *)&bound, &bl) == 0)
        gw->port = ntohs(bound.ss_family == AF_INET6
                             ? ((struct sockaddr_in6 *)&bound)->sin6_port
                             : ((struct sockaddr_in *)&bound)->sin_port);
    snprintf(gw->port_str, sizeof gw->port_str, "%u", gw->port);
    return fd;
}

/* Starts MHD (see gateway.h). */
bool wg__gateway_start(wg_gateway *gw, wg_error *err) {
    if (gw->daemon) return true;
    bool tls = gw->tls_cert || gw->tls_key;
    if (tls && (!gw->tls_cert || !gw->tls_key))
        return wg__error(err, WG_ERR_RESOURCE, (size_t)-1, "TLS needs both a certificate and a key");
    if (tls && MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES)
        return wg__error(err, WG_ERR_RESOURCE, (size_t)-1, "libmicrohttpd was built without TLS");
    if (!gw->health) {
        gw->health = MHD_create_response_from_buffer(2, (void *)"OK", MHD_RESPMEM_PERSISTENT);
        if (!gw->health ||
            MHD_add_response_header(gw->health, MHD_HTTP_HEADER_CONTENT_TYPE,
                                    "text/plain; charset=utf-8") != MHD_YES)
            return wg__error(err, WG_ERR_RESOURCE, (size_t)-1, "out of memory");
    }
    bool v6 = false;
    int fd = open_listener(gw, &v6, err);
    if (fd < 0) return false;
    /* Keep a reserve of slots for new clients: past this many open
     * connections, each new one pushes out the one that has waited longest
     * for its request head (conns.h). */
    unsigned maxc = gw->opts.max_connections ? gw->opts.max_connections : 4096;
    unsigned reserve = maxc / 16 > 16 ? maxc / 16 : (maxc > 32 ? 16 : maxc / 2);
    if (!wg__conns_start(&gw->conns, gw->opts.head_timeout_s > 0 ? gw->opts.head_timeout_s : 10,
                         maxc - reserve)) {
        close(fd);
        return wg__error(err, WG_ERR_RESOURCE, (size_t)-1, "cannot start the connection thread");
    }
    if (!gw->head_layout_checks)
        wg__gw_logf(&gw->log, WG_GW_LOG_WARN,
                    "libmicrohttpd %s: its header parsing was not checked with this build; "
                    "NUL bytes in header values and obs-folded headers are not detected",
                    MHD_get_version());

    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC |
                     MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
    if (v6) flags |= MHD_USE_IPv6;
    if (tls) flags |= MHD_USE_TLS;
    struct MHD_OptionItem tls_opts[] = {
        {tls ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, 0, gw->tls_cert},
        {tls ? MHD_OPTION_HTTPS_MEM_KEY : MHD_OPTION_END, 0, gw->tls_key},
        {MHD_OPTION_END, 0, NULL},
    };
    gw->daemon = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, gw,
        MHD_OPTION_EXTERNAL_LOGGER, mhd_log, gw,
        MHD_OPTION_LISTEN_SOCKET, fd,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)gw->opts.threads,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned int)maxc,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned int)gw->opts.max_connections_per_ip,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)gw->opts.conn_timeout_s,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONN_MEMORY_LIMIT,
        /* 0, not 1: MHD 0.9.75's strict mode drops a request line with a
         * space in its target without any answer; http_head.c refuses it
         * with a 400, and checks Host itself (strict mode's other job). */
        MHD_OPTION_STRICT_FOR_CLIENT, (int)0,
        MHD_OPTION_URI_LOG_CALLBACK, on_uri, gw,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, gw,
        MHD_OPTION_NOTIFY_CONNECTION, on_connection, gw,
        MHD_OPTION_ARRAY, tls_opts,
        MHD_OPTION_END);
    if (!gw->daemon) {
        close(fd);
        wg__conns_stop(&gw->conns);
        return wg__error(err, WG_ERR_RESOURCE, (size_t)-1,
                         "cannot start the HTTP server on %s:%u%s", gw->listen_addr, gw->port,
                         tls ? " (check the TLS certificate and key)" : "");
    }
    gw->stopped = false;
    return true;
}

/* Graceful stop (see gateway.h). */
void wg__gateway_shutdown(wg_gateway *gw) {
    if (!gw || !gw->daemon) {
        if (gw && gw->health) {
            MHD_destroy_response(gw->health);
            gw->health = NULL;
        }
        return;
    }
    atomic_store(&gw->draining, true);
    MHD_socket fd = MHD_quiesce_daemon(gw->daemon);
    /* Close the listening socket now: a client connecting during the drain is
     * refused at once rather than left waiting in the kernel's queue for a
     * server that will never accept it. */
    if (fd != MHD_INVALID_SOCKET) close(fd);
    gw->quiesced_fd = -1;
    wg__gw_logf(&gw->log, WG_GW_LOG_INFO, "draining: %lld request(s) in flight, waiting at most %g s",
                (long long)atomic_load(&gw->active), gw->opts.drain_s);
    uint64_t start = wg__gw_now_ns();
    uint64_t limit = (uint64_t)(gw->opts.drain_s * 1e9);
    struct timespec tick = {0, 10 * 1000 * 1000};
    while (atomic_load(&gw->active) > 0 && wg__gw_now_ns() - start < limit)
        nanosleep(&tick, NULL);
    int64_t left = atomic_load(&gw->active);
    if (left > 0) {
        wg__gw_logf(&gw->log, WG_GW_LOG_WARN,
                    "shutdown: %lld request(s) still running after %g s; interrupting them",
                    (long long)left, gw->opts.drain_s);
    }
    /* No new guest runs; interrupt the ones left; let the executor finish
     * (its jobs queue responses on the daemon, which must still exist). */
    atomic_store(&gw->refusing, true);
    wg__watchdog_expire_all(&gw->watchdog);
    wg__pool_stop(&gw->pool);
    MHD_stop_daemon(gw->daemon);
    gw->daemon = NULL;
    wg__conns_stop(&gw->conns); /* every connection is closed: no record is left */
    MHD_destroy_response(gw->health);
    gw->health = NULL;
    gw->stopped = true;
}
