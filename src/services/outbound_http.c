/*
 * Outbound HTTP on libcurl (outbound_http.h). Each request is one easy
 * handle on one thread; the guest side talks to that thread through two
 * socket pairs (request body in, response body out: flow control for free,
 * and send(MSG_NOSIGNAL) instead of SIGPIPE when the other side is gone),
 * and a mutex/condition plus a socket pair for the head.
 */
#define _GNU_SOURCE
#include "services/outbound_http.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_CONNECT_NS (10ull * 1000000000ull)
#define DEFAULT_FIRST_BYTE_NS (60ull * 1000000000ull)
#define DEFAULT_BETWEEN_BYTES_NS (60ull * 1000000000ull)
#define DEFAULT_MAX_HEAD (64u * 1024u)
#define MAX_HEADERS 256

static const char *const err_names[] = {
    "DNS-timeout", "DNS-error", "destination-not-found", "destination-unavailable",
    "destination-IP-prohibited", "destination-IP-unroutable", "connection-refused",
    "connection-terminated", "connection-timeout", "connection-read-timeout",
    "connection-write-timeout", "connection-limit-reached", "TLS-protocol-error",
    "TLS-certificate-error", "TLS-alert-received", "HTTP-request-denied",
    "HTTP-request-length-required", "HTTP-request-body-size", "HTTP-request-method-invalid",
    "HTTP-request-URI-invalid", "HTTP-request-URI-too-long", "HTTP-request-header-section-size",
    "HTTP-request-header-size", "HTTP-request-trailer-section-size", "HTTP-request-trailer-size",
    "HTTP-response-incomplete", "HTTP-response-header-section-size", "HTTP-response-header-size",
    "HTTP-response-body-size", "HTTP-response-trailer-section-size", "HTTP-response-trailer-size",
    "HTTP-response-transfer-coding", "HTTP-response-content-coding", "HTTP-response-timeout",
    "HTTP-upgrade-failed", "HTTP-protocol-error", "loop-detected", "configuration-error",
    "internal-error",
};

const char *wg__outbound_err_name(wg_outbound_err e) {
    if (e == WG_OUT_OK) return "ok";
    if ((int)e < 0 || (size_t)e >= sizeof err_names / sizeof err_names[0]) return "internal-error";
    return err_names[e];
}

/* ---- the client ----------------------------------------------------------- */

struct wg_outbound_client {
    CURLSH *share;
    pthread_mutex_t locks[CURL_LOCK_DATA_LAST];
    wg_outbound_done_fn done;
    void *done_data;
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_result = CURLE_FAILED_INIT;
static void curl_init(void) { curl_init_result = curl_global_init(CURL_GLOBAL_ALL); }

static void share_lock(CURL *h, curl_lock_data d, curl_lock_access a, void *data) {
    (void)h, (void)a;
    wg_outbound_client *c = data;
    if ((int)d >= 0 && d < CURL_LOCK_DATA_LAST) pthread_mutex_lock(&c->locks[d]);
}

static void share_unlock(CURL *h, curl_lock_data d, void *data) {
    (void)h;
    wg_outbound_client *c = data;
    if ((int)d >= 0 && d < CURL_LOCK_DATA_LAST) pthread_mutex_unlock(&c->locks[d]);
}

wg_outbound_client *wg__outbound_client_new(wg_outbound_done_fn done, void *data, char *errbuf,
                                            size_t errlen) {
    pthread_once(&curl_once, curl_init);
    if (curl_init_result != CURLE_OK) {
        snprintf(errbuf, errlen, "libcurl: %s", curl_easy_strerror(curl_init_result));
        return NULL;
    }
    wg_outbound_client *c = calloc(1, sizeof *c);
    if (!c) {
        snprintf(errbuf, errlen, "out of memory");
        return NULL;
    }
    for (int i = 0; i < CURL_LOCK_DATA_LAST; i++) pthread_mutex_init(&c->locks[i], NULL);
    c->done = done, c->done_data = data;
    c->share = curl_share_init();
    if (!c->share ||
        curl_share_setopt(c->share, CURLSHOPT_LOCKFUNC, share_lock) != CURLSHE_OK ||
        curl_share_setopt(c->share, CURLSHOPT_UNLOCKFUNC, share_unlock) != CURLSHE_OK ||
        curl_share_setopt(c->share, CURLSHOPT_USERDATA, c) != CURLSHE_OK ||
        curl_share_setopt(c->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT) != CURLSHE_OK ||
        curl_share_setopt(c->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION) != CURLSHE_OK) {
        snprintf(errbuf, errlen, "libcurl: cannot set up a shared connection cache");
        wg__outbound_client_free(c);
        return NULL;
    }
    return c;
}

void wg__outbound_client_free(wg_outbound_client *c) {
    if (!c) return;
    if (c->share) curl_share_cleanup(c->share);
    for (int i = 0; i < CURL_LOCK_DATA_LAST; i++) pthread_mutex_destroy(&c->locks[i]);
    free(c);
}

/* ---- one request ---------------------------------------------------------- */

typedef struct header {
    char *name, *value;
} header;

struct wg_outbound {
    wg_outbound_client *c;
    const wg_allowlist *allow;
    wg_outbound_target target;
    wg_outbound_opts opts;
    char *url, *method;
    bool has_body, head_request;
    int64_t content_length;
    struct curl_slist *req_headers, *resolve;
    pthread_t thread;
    bool thread_started;

    int body[2]; /* [0] the thread reads the request body, [1] the guest writes */
    int resp[2]; /* [0] the guest reads the response body, [1] the thread writes */
    int note[2]; /* [0] readable once the head or an error is there */
    atomic_bool abort;

    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool head_ready, finished;
    int status;          /* of the head being read; the final one once head_ready */
    header headers[MAX_HEADERS];
    wg_outbound_header views[MAX_HEADERS];
    size_t nheaders, head_bytes;
    wg_outbound_err err;    /* before the head: why there is none */
    wg_outbound_err result; /* the transfer's outcome */
    wg_outbound_err cb_err; /* set by a callback that aborted the transfer */
    char msg[256];

    /* The thread's own clock for the timeouts. */
    uint64_t sent_at, last_byte_at;
    bool upload_done, got_byte;
};

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void set_msg(wg_outbound *o, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(o->msg, sizeof o->msg, fmt, ap);
    va_end(ap);
}

static void close_fd(int *fd) {
    if (*fd >= 0) close(*fd);
    *fd = -1;
}

static void free_headers(wg_outbound *o) {
    for (size_t i = 0; i < o->nheaders; i++) free(o->headers[i].name), free(o->headers[i].value);
    o->nheaders = 0;
}

/* The head is there (or never will be): wake every waiter. */
static void publish_head(wg_outbound *o, wg_outbound_err err) {
    pthread_mutex_lock(&o->mu);
    if (!o->head_ready) {
        o->head_ready = true;
        o->err = err;
        for (size_t i = 0; i < o->nheaders; i++)
            o->views[i] = (wg_outbound_header){o->headers[i].name, o->headers[i].value,
                                               strlen(o->headers[i].name),
                                               strlen(o->headers[i].value)};
        pthread_cond_broadcast(&o->cv);
        char b = 1;
        if (send(o->note[1], &b, 1, MSG_NOSIGNAL | MSG_DONTWAIT) < 0) { /* a byte is enough */ }
    }
    pthread_mutex_unlock(&o->mu);
}

static bool is_tchar(unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* Header lines of the response (status lines too, for every response of a
 * 1xx sequence). Runs on the request's thread. */
static size_t on_header(char *p, size_t size, size_t n, void *data) {
    wg_outbound *o = data;
    size_t len = size * n;
    if (o->head_ready) return len; /* trailers: not passed on */
    o->head_bytes += len;
    if (o->head_bytes > o->opts.max_response_head) {
        o->cb_err = WG_OUT_HTTP_RESPONSE_HEADER_SECTION_SIZE;
        set_msg(o, "the response head is larger than %zu bytes", o->opts.max_response_head);
        return 0;
    }
    size_t l = len;
    while (l && (p[l - 1] == '\n' || p[l - 1] == '\r')) l--;
    if (l == 0) { /* the end of one head */
        if (o->status >= 200 || o->status == 101) publish_head(o, WG_OUT_OK);
        else free_headers(o), o->head_bytes = 0; /* an interim response */
        return len;
    }
    if (l >= 5 && memcmp(p, "HTTP/", 5) == 0) {
        free_headers(o);
        const char *sp = memchr(p, ' ', l);
        int st = 0;
        if (sp && sp + 4 <= p + l) {
            for (int i = 1; i <= 3; i++) {
                if (sp[i] < '0' || sp[i] > '9') { st = -1; break; }
                st = st * 10 + (sp[i] - '0');
            }
        }
        if (!sp || st < 100 || st > 999) {
            o->cb_err = WG_OUT_HTTP_PROTOCOL_ERROR;
            set_msg(o, "bad status line");
            return 0;
        }
        o->status = st;
        return len;
    }
    if (p[0] == ' ' || p[0] == '\t') {
        o->cb_err = WG_OUT_HTTP_PROTOCOL_ERROR;
        set_msg(o, "a folded header line in the response");
        return 0;
    }
    const char *colon = memchr(p, ':', l);
    if (!colon || colon == p) {
        o->cb_err = WG_OUT_HTTP_PROTOCOL_ERROR;
        set_msg(o, "a response header line without a name");
        return 0;
    }
    for (const char *q = p; q < colon; q++)
        if (!is_tchar((unsigned char)*q)) {
            o->cb_err = WG_OUT_HTTP_PROTOCOL_ERROR;
            set_msg(o, "a response header name with a character that is not a token's");
            return 0;
        }
    if (o->nheaders == MAX_HEADERS) {
        o->cb_err = WG_OUT_HTTP_RESPONSE_HEADER_SECTION_SIZE;
        set_msg(o, "more than %d response headers", MAX_HEADERS);
        return 0;
    }
    const char *v = colon + 1, *e = p + l;
    while (v < e && (*v == ' ' || *v == '\t')) v++;
    while (e > v && (e[-1] == ' ' || e[-1] == '\t')) e--;
    header *h = &o->headers[o->nheaders];
    h->name = strndup(p, (size_t)(colon - p));
    h->value = strndup(v, (size_t)(e - v));
    if (!h->name || !h->value) {
        free(h->name), free(h->value);
        o->cb_err = WG_OUT_INTERNAL_ERROR;
        set_msg(o, "out of memory");
        return 0;
    }
    for (char *q = h->name; *q; q++)
        if (*q >= 'A' && *q <= 'Z') *q = (char)(*q - 'A' + 'a');
    o->nheaders++;
    return len;
}

/* Waits until fd is ready for events or the request is aborted. */
static bool wait_fd(wg_outbound *o, int fd, short events) {
    while (!atomic_load(&o->abort)) {
        struct pollfd pfd = {fd, events, 0};
        int r = poll(&pfd, 1, 100);
        if (r > 0) return true;
        if (r < 0 && errno != EINTR) return false;
    }
    return false;
}

/* Response body bytes: into the socket pair, blocking while the guest has
 * not read what came before (the server is flow-controlled by TCP). */
static size_t on_body(char *p, size_t size, size_t n, void *data) {
    wg_outbound *o = data;
    size_t len = size * n, done = 0;
    o->got_byte = true;
    if (!o->head_ready) publish_head(o, WG_OUT_OK); /* a body without a blank line first */
    while (done < len) {
        ssize_t w = send(o->resp[1], p + done, len - done, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (w > 0) {
            done += (size_t)w;
            continue;
        }
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            if (wait_fd(o, o->resp[1], POLLOUT)) continue;
        }
        if (w < 0 && errno == EINTR) continue;
        /* The guest dropped the body, or the request is being freed. */
        if (!o->cb_err) o->cb_err = WG_OUT_INTERNAL_ERROR, set_msg(o, "response body dropped");
        return CURL_WRITEFUNC_ERROR;
    }
    o->last_byte_at = now_ns();
    return len;
}

/* Request body bytes, from the guest through the socket pair. */
static size_t on_read(char *buf, size_t size, size_t n, void *data) {
    wg_outbound *o = data;
    size_t cap = size * n;
    for (;;) {
        ssize_t r = recv(o->body[0], buf, cap, MSG_DONTWAIT);
        if (r > 0) return (size_t)r;
        if (r == 0) {
            o->upload_done = true;
            o->sent_at = now_ns();
            return 0;
        }
        if (errno == EINTR) continue;
        if ((errno == EAGAIN || errno == EWOULDBLOCK) && wait_fd(o, o->body[0], POLLIN)) continue;
        return CURL_READFUNC_ABORT;
    }
}

static int on_progress(void *data, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow) {
    (void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
    wg_outbound *o = data;
    if (atomic_load(&o->abort)) return 1;
    uint64_t t = now_ns();
    if (!o->head_ready && o->upload_done && o->sent_at &&
        t - o->sent_at > o->opts.first_byte_timeout_ns) {
        o->cb_err = WG_OUT_CONNECTION_READ_TIMEOUT;
        set_msg(o, "no response within the first-byte timeout (%llu ms)",
                (unsigned long long)(o->opts.first_byte_timeout_ns / 1000000));
        return 1;
    }
    if (o->head_ready && o->last_byte_at && t - o->last_byte_at > o->opts.between_bytes_timeout_ns) {
        o->cb_err = WG_OUT_CONNECTION_READ_TIMEOUT;
        set_msg(o, "no response bytes within the between-bytes timeout (%llu ms)",
                (unsigned long long)(o->opts.between_bytes_timeout_ns / 1000000));
        return 1;
    }
    return 0;
}

/* Called by libcurl once the connection is up: for a request without a
 * body, this is when it is sent. */
static int on_prereq(void *data, char *conn_primary_ip, char *conn_local_ip, int conn_primary_port,
                     int conn_local_port) {
    (void)conn_primary_ip, (void)conn_local_ip, (void)conn_primary_port, (void)conn_local_port;
    wg_outbound *o = data;
    if (!o->has_body) {
        o->upload_done = true;
        o->sent_at = now_ns();
    }
    return CURL_PREREQFUNC_OK;
}

static wg_outbound_err map_curl(wg_outbound *o, CURL *h, CURLcode rc) {
    long os_errno = 0;
    curl_easy_getinfo(h, CURLINFO_OS_ERRNO, &os_errno);
    switch (rc) {
    case CURLE_COULDNT_RESOLVE_HOST: return WG_OUT_DNS_ERROR;
    case CURLE_COULDNT_CONNECT:
        if (os_errno == ENETUNREACH || os_errno == EHOSTUNREACH)
            return WG_OUT_DESTINATION_UNAVAILABLE;
        if (os_errno == ETIMEDOUT) return WG_OUT_CONNECTION_TIMEOUT;
        return WG_OUT_CONNECTION_REFUSED;
    case CURLE_OPERATION_TIMEDOUT: {
        curl_off_t connect_us = 0;
        curl_easy_getinfo(h, CURLINFO_CONNECT_TIME_T, &connect_us);
        return connect_us ? WG_OUT_CONNECTION_READ_TIMEOUT : WG_OUT_CONNECTION_TIMEOUT;
    }
    case CURLE_SSL_CONNECT_ERROR: return WG_OUT_TLS_PROTOCOL_ERROR;
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
        return WG_OUT_TLS_CERTIFICATE_ERROR;
    case CURLE_GOT_NOTHING:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
        return o->head_ready ? WG_OUT_HTTP_RESPONSE_INCOMPLETE : WG_OUT_CONNECTION_TERMINATED;
    case CURLE_PARTIAL_FILE: return WG_OUT_HTTP_RESPONSE_INCOMPLETE;
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_UNSUPPORTED_PROTOCOL: /* an HTTP/0.9 answer */
    case CURLE_HTTP2:
    case CURLE_HTTP3:
        return WG_OUT_HTTP_PROTOCOL_ERROR;
    case CURLE_BAD_CONTENT_ENCODING: return WG_OUT_HTTP_RESPONSE_CONTENT_CODING;
    case CURLE_URL_MALFORMAT: return WG_OUT_HTTP_REQUEST_URI_INVALID;
    case CURLE_FILESIZE_EXCEEDED: return WG_OUT_HTTP_RESPONSE_BODY_SIZE;
    default: return WG_OUT_INTERNAL_ERROR;
    }
}

/* Resolves a name target, keeps the addresses the allow-list lets it reach,
 * and pins libcurl to them. */
static wg_outbound_err resolve_and_pin(wg_outbound *o) {
    if (o->target.is_addr) return WG_OUT_OK;
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    int rc = getaddrinfo(o->target.host, NULL, &hints, &res);
    if (rc != 0) {
        set_msg(o, "cannot resolve %s: %s", o->target.host, gai_strerror(rc));
        return rc == EAI_NONAME ? WG_OUT_DESTINATION_NOT_FOUND : WG_OUT_DNS_ERROR;
    }
    char entry[1024];
    int len = snprintf(entry, sizeof entry, "%s:%d:", o->target.host, o->target.port);
    size_t kept = 0, seen = 0;
    char last_refused[64] = "";
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        if (ai->ai_family != AF_INET && ai->ai_family != AF_INET6) continue;
        seen++;
        char ip[64];
        const void *a = ai->ai_family == AF_INET
                            ? (const void *)&((struct sockaddr_in *)(void *)ai->ai_addr)->sin_addr
                            : (const void *)&((struct sockaddr_in6 *)(void *)ai->ai_addr)->sin6_addr;
        if (!inet_ntop(ai->ai_family, a, ip, sizeof ip)) continue;
        if (!wg__allow_address(o->allow, &o->target, ai->ai_addr)) {
            snprintf(last_refused, sizeof last_refused, "%s", ip);
            continue;
        }
        int w = snprintf(entry + len, sizeof entry - (size_t)len,
                         ai->ai_family == AF_INET6 ? "%s[%s]" : "%s%s", kept ? "," : "", ip);
        if (w < 0 || (size_t)w >= sizeof entry - (size_t)len) break;
        len += w;
        kept++;
    }
    freeaddrinfo(res);
    if (kept == 0) {
        if (seen && last_refused[0]) {
            set_msg(o, "%s resolves to %s, an internal address the allow-list does not grant",
                    o->target.host, last_refused);
            return WG_OUT_DESTINATION_IP_PROHIBITED;
        }
        set_msg(o, "%s has no address", o->target.host);
        return WG_OUT_DESTINATION_NOT_FOUND;
    }
    o->resolve = curl_slist_append(NULL, entry);
    if (!o->resolve) {
        set_msg(o, "out of memory");
        return WG_OUT_INTERNAL_ERROR;
    }
    return WG_OUT_OK;
}

static void *run(void *arg) {
    wg_outbound *o = arg;
    wg_outbound_err err = resolve_and_pin(o);
    CURL *h = NULL;
    CURLcode rc = CURLE_OK;
    char curl_err[CURL_ERROR_SIZE] = "";
    if (err == WG_OUT_OK && !(h = curl_easy_init())) {
        err = WG_OUT_INTERNAL_ERROR;
        set_msg(o, "libcurl: cannot make a handle");
    }
    if (err == WG_OUT_OK) {
        curl_easy_setopt(h, CURLOPT_URL, o->url);
        curl_easy_setopt(h, CURLOPT_ERRORBUFFER, curl_err);
        curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
        curl_easy_setopt(h, CURLOPT_PROXY, "");
        curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
        curl_easy_setopt(h, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
        curl_easy_setopt(h, CURLOPT_SHARE, o->c->share);
        if (o->resolve) curl_easy_setopt(h, CURLOPT_RESOLVE, o->resolve);
        curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                         (long)(o->opts.connect_timeout_ns / 1000000 ? o->opts.connect_timeout_ns / 1000000 : 1));
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, o->method);
        if (o->head_request) curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
        if (o->has_body) {
            curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
            curl_easy_setopt(h, CURLOPT_READFUNCTION, on_read);
            curl_easy_setopt(h, CURLOPT_READDATA, o);
            curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)o->content_length);
        }
        curl_easy_setopt(h, CURLOPT_HTTPHEADER, o->req_headers);
        curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
        curl_easy_setopt(h, CURLOPT_HEADERDATA, o);
        curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
        curl_easy_setopt(h, CURLOPT_WRITEDATA, o);
        curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
        curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
        curl_easy_setopt(h, CURLOPT_XFERINFODATA, o);
        curl_easy_setopt(h, CURLOPT_PREREQFUNCTION, on_prereq);
        curl_easy_setopt(h, CURLOPT_PREREQDATA, o);
        if (o->opts.ca_file) curl_easy_setopt(h, CURLOPT_CAINFO, o->opts.ca_file);
        rc = curl_easy_perform(h);
        if (rc != CURLE_OK) {
            if (o->cb_err != WG_OUT_OK) err = o->cb_err;
            else if (atomic_load(&o->abort)) err = WG_OUT_INTERNAL_ERROR, set_msg(o, "aborted");
            else {
                err = map_curl(o, h, rc);
                /* A header line past libcurl's own limit (100 KiB) ends
                 * the transfer before on_header sees it ("out of memory"
                 * after the status line). */
                if (rc == CURLE_OUT_OF_MEMORY && !o->head_ready && o->status) {
                    err = WG_OUT_HTTP_RESPONSE_HEADER_SIZE;
                    set_msg(o, "a response header line longer than libcurl accepts (100 KiB)");
                }
                if (!o->msg[0]) set_msg(o, "%s", curl_err[0] ? curl_err : curl_easy_strerror(rc));
            }
        }
    }
    /* The end of the body for the guest, then the head (if it never came). */
    close_fd(&o->resp[1]);
    close_fd(&o->body[0]);
    publish_head(o, err);
    pthread_mutex_lock(&o->mu);
    o->result = err;
    o->finished = true;
    int status = o->err == WG_OUT_OK ? o->status : 0;
    pthread_cond_broadcast(&o->cv);
    pthread_mutex_unlock(&o->mu);
    if (o->c->done) o->c->done(o->c->done_data, o->target.host, status, err);
    if (h) curl_easy_cleanup(h);
    return NULL;
}

static bool bad_uri_char(unsigned char c) { return c <= 0x20 || c >= 0x7f || c == '#'; }

static wg_outbound *fail_start(wg_outbound *o, wg_outbound_err *err, wg_outbound_err code,
                               char *msg, size_t msglen, const char *fmt, ...) {
    if (msg && msglen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, msglen, fmt, ap);
        va_end(ap);
    }
    *err = code;
    wg__outbound_free(o);
    return NULL;
}

/* Headers libcurl sets itself from the request (or must not be sent). */
static bool managed_header(const char *name, size_t n) {
    static const char *const managed[] = {"host", "content-length", "transfer-encoding",
                                          "connection", "keep-alive", "te", "upgrade",
                                          "expect", "proxy-connection", NULL};
    for (size_t i = 0; managed[i]; i++)
        if (strlen(managed[i]) == n && strncasecmp(managed[i], name, n) == 0) return true;
    return false;
}

wg_outbound *wg__outbound_start(wg_outbound_client *c, const wg_outbound_req *req,
                                const wg_outbound_opts *opts, wg_outbound_err *err, char *msg,
                                size_t msglen) {
    wg_outbound *o = calloc(1, sizeof *o);
    if (!o) {
        *err = WG_OUT_INTERNAL_ERROR;
        snprintf(msg, msglen, "out of memory");
        return NULL;
    }
    o->body[0] = o->body[1] = o->resp[0] = o->resp[1] = o->note[0] = o->note[1] = -1;
    pthread_mutex_init(&o->mu, NULL);
    pthread_cond_init(&o->cv, NULL);
    o->c = c;
    o->err = o->result = o->cb_err = WG_OUT_OK;
    o->opts = *opts;
    if (!o->opts.connect_timeout_ns) o->opts.connect_timeout_ns = DEFAULT_CONNECT_NS;
    if (!o->opts.first_byte_timeout_ns) o->opts.first_byte_timeout_ns = DEFAULT_FIRST_BYTE_NS;
    if (!o->opts.between_bytes_timeout_ns) o->opts.between_bytes_timeout_ns = DEFAULT_BETWEEN_BYTES_NS;
    if (!o->opts.max_response_head) o->opts.max_response_head = DEFAULT_MAX_HEAD;
    o->allow = opts->allow;

    const char *method = req->method ? req->method : "GET";
    if (!*method) return fail_start(o, err, WG_OUT_HTTP_REQUEST_METHOD_INVALID, msg, msglen,
                                    "empty method");
    for (const char *p = method; *p; p++)
        if (!is_tchar((unsigned char)*p))
            return fail_start(o, err, WG_OUT_HTTP_REQUEST_METHOD_INVALID, msg, msglen,
                              "method '%s' is not a token", method);
    const char *scheme = req->scheme ? req->scheme : "https";
    if (strcasecmp(scheme, "http") != 0 && strcasecmp(scheme, "https") != 0)
        return fail_start(o, err, WG_OUT_HTTP_REQUEST_URI_INVALID, msg, msglen,
                          "scheme '%s': only http and https are supported", scheme);
    char why[300];
    if (!req->authority || !wg__outbound_target_parse(&o->target, scheme, req->authority, why,
                                                      sizeof why))
        return fail_start(o, err, WG_OUT_HTTP_REQUEST_URI_INVALID, msg, msglen, "%s",
                          req->authority ? why : "no authority");
    if (!wg__allowlist_allows(o->allow, &o->target))
        return fail_start(o, err, WG_OUT_HTTP_REQUEST_DENIED, msg, msglen,
                          "%s://%s is not in allowed_outbound_hosts", o->target.scheme,
                          req->authority);
    const char *path = req->path_with_query && *req->path_with_query ? req->path_with_query : "/";
    if (path[0] != '/')
        return fail_start(o, err, WG_OUT_HTTP_REQUEST_URI_INVALID, msg, msglen,
                          "the path must start with '/'");
    size_t plen = strlen(path);
    if (plen > 64 * 1024)
        return fail_start(o, err, WG_OUT_HTTP_REQUEST_URI_TOO_LONG, msg, msglen,
                          "the path is longer than 64 KiB");
    for (size_t i = 0; i < plen; i++)
        if (bad_uri_char((unsigned char)path[i]))
            return fail_start(o, err, WG_OUT_HTTP_REQUEST_URI_INVALID, msg, msglen,
                              "the path has a byte (0x%02x) a URI may not have",
                              (unsigned char)path[i]);
    size_t ulen = strlen(o->target.scheme) + strlen(o->target.host) + plen + 16;
    o->url = malloc(ulen);
    o->method = strdup(method);
    if (!o->url || !o->method)
        return fail_start(o, err, WG_OUT_INTERNAL_ERROR, msg, msglen, "out of memory");
    bool v6 = o->target.is_addr && o->target.family == 6;
    snprintf(o->url, ulen, v6 ? "%s://[%s]:%d%s" : "%s://%s:%d%s", o->target.scheme,
             o->target.host, o->target.port, path);
    o->head_request = strcmp(method, "HEAD") == 0;
    o->has_body = req->has_body;
    o->content_length = req->content_length;

    size_t total = 0;
    for (size_t i = 0; i < req->nheaders; i++) {
        const wg_outbound_header *hd = &req->headers[i];
        if (hd->name_len == 0)
            return fail_start(o, err, WG_OUT_HTTP_REQUEST_HEADER_SIZE, msg, msglen,
                              "an empty header name");
        for (size_t k = 0; k < hd->name_len; k++)
            if (!is_tchar((unsigned char)hd->name[k]))
                return fail_start(o, err, WG_OUT_HTTP_REQUEST_HEADER_SIZE, msg, msglen,
                                  "header name '%.*s' is not a token", (int)hd->name_len, hd->name);
        for (size_t k = 0; k < hd->value_len; k++) {
            unsigned char ch = (unsigned char)hd->value[k];
            if (ch == '\r' || ch == '\n' || ch == '\0')
                return fail_start(o, err, WG_OUT_HTTP_REQUEST_HEADER_SIZE, msg, msglen,
                                  "header '%.*s' has CR, LF or NUL in its value",
                                  (int)hd->name_len, hd->name);
        }
        if (managed_header(hd->name, hd->name_len)) continue;
        total += hd->name_len + hd->value_len + 4;
        if (total > 64 * 1024)
            return fail_start(o, err, WG_OUT_HTTP_REQUEST_HEADER_SECTION_SIZE, msg, msglen,
                              "request headers larger than 64 KiB");
        /* "Name;" is libcurl's way to send an empty value ("Name:" removes it). */
        char *line = malloc(hd->name_len + hd->value_len + 3);
        if (!line) return fail_start(o, err, WG_OUT_INTERNAL_ERROR, msg, msglen, "out of memory");
        if (hd->value_len)
            snprintf(line, hd->name_len + hd->value_len + 3, "%.*s: %.*s", (int)hd->name_len,
                     hd->name, (int)hd->value_len, hd->value);
        else
            snprintf(line, hd->name_len + 2, "%.*s;", (int)hd->name_len, hd->name);
        struct curl_slist *l = curl_slist_append(o->req_headers, line);
        free(line);
        if (!l) return fail_start(o, err, WG_OUT_INTERNAL_ERROR, msg, msglen, "out of memory");
        o->req_headers = l;
    }
    /* No Expect: 100-continue round trip, no Accept header the guest did not ask for. */
    struct curl_slist *l = curl_slist_append(o->req_headers, "Expect:");
    if (l) o->req_headers = l, l = curl_slist_append(o->req_headers, "Accept:");
    if (!l) return fail_start(o, err, WG_OUT_INTERNAL_ERROR, msg, msglen, "out of memory");
    o->req_headers = l;

    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, o->resp) != 0 ||
        socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, o->note) != 0 ||
        (o->has_body && socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, o->body) != 0))
        return fail_start(o, err, WG_OUT_INTERNAL_ERROR, msg, msglen,
                          "cannot make a socket pair: %s", strerror(errno));
    fcntl(o->resp[0], F_SETFL, O_NONBLOCK);
    if (o->has_body) fcntl(o->body[1], F_SETFL, O_NONBLOCK);
    if (pthread_create(&o->thread, NULL, run, o) != 0)
        return fail_start(o, err, WG_OUT_INTERNAL_ERROR, msg, msglen, "cannot start a thread");
    o->thread_started = true;
    *err = WG_OUT_OK;
    return o;
}

long wg__outbound_body_write(wg_outbound *o, const void *p, size_t n) {
    if (o->body[1] < 0) return -1;
    for (;;) {
        ssize_t w = send(o->body[1], p, n, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (w >= 0) return (long)w;
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) return 0;
        return -1;
    }
}

int wg__outbound_body_fd(const wg_outbound *o) { return o->body[1]; }

void wg__outbound_body_done(wg_outbound *o) {
    if (o->body[1] >= 0) shutdown(o->body[1], SHUT_WR);
}

int wg__outbound_head_fd(const wg_outbound *o) { return o->note[0]; }

bool wg__outbound_ready(const wg_outbound *o) {
    wg_outbound *m = (wg_outbound *)o;
    pthread_mutex_lock(&m->mu);
    bool r = m->head_ready;
    pthread_mutex_unlock(&m->mu);
    return r;
}

wg_outbound_err wg__outbound_wait_head(wg_outbound *o, int *status, size_t *nheaders,
                                       bool (*interrupted)(void *data), void *data,
                                       bool *was_interrupted) {
    if (was_interrupted) *was_interrupted = false;
    pthread_mutex_lock(&o->mu);
    while (!o->head_ready) {
        if (interrupted && interrupted(data)) {
            pthread_mutex_unlock(&o->mu);
            if (was_interrupted) *was_interrupted = true;
            return WG_OUT_INTERNAL_ERROR;
        }
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 50 * 1000000;
        if (ts.tv_nsec >= 1000000000) ts.tv_sec++, ts.tv_nsec -= 1000000000;
        pthread_cond_timedwait(&o->cv, &o->mu, &ts);
    }
    wg_outbound_err e = o->err;
    if (status) *status = e == WG_OUT_OK ? o->status : 0;
    if (nheaders) *nheaders = e == WG_OUT_OK ? o->nheaders : 0;
    pthread_mutex_unlock(&o->mu);
    return e;
}

const wg_outbound_header *wg__outbound_header(const wg_outbound *o, size_t i) {
    return &o->views[i];
}

const char *wg__outbound_message(const wg_outbound *o) { return o->msg; }

long wg__outbound_resp_read(wg_outbound *o, void *buf, size_t cap) {
    for (;;) {
        ssize_t r = recv(o->resp[0], buf, cap, MSG_DONTWAIT);
        if (r >= 0) return (long)r;
        if (errno == EINTR) continue;
        return -1;
    }
}

int wg__outbound_resp_fd(const wg_outbound *o) { return o->resp[0]; }

wg_outbound_err wg__outbound_result(wg_outbound *o) {
    pthread_mutex_lock(&o->mu);
    while (!o->finished) pthread_cond_wait(&o->cv, &o->mu);
    wg_outbound_err e = o->result;
    pthread_mutex_unlock(&o->mu);
    return e;
}

void wg__outbound_free(wg_outbound *o) {
    if (!o) return;
    if (o->thread_started) {
        atomic_store(&o->abort, true);
        /* Wake a thread blocked on either body: its peer is going away. */
        if (o->resp[0] >= 0) shutdown(o->resp[0], SHUT_RDWR);
        if (o->body[1] >= 0) shutdown(o->body[1], SHUT_RDWR);
        pthread_join(o->thread, NULL);
    }
    close_fd(&o->body[0]), close_fd(&o->body[1]);
    close_fd(&o->resp[0]), close_fd(&o->resp[1]);
    close_fd(&o->note[0]), close_fd(&o->note[1]);
    free_headers(o);
    curl_slist_free_all(o->req_headers);
    curl_slist_free_all(o->resolve);
    free(o->url);
    free(o->method);
    pthread_cond_destroy(&o->cv);
    pthread_mutex_destroy(&o->mu);
    free(o);
}
