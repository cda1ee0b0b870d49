/*
 * Outbound HTTP (src/services/outbound_http.c) against a small HTTP/1.1
 * server in this process, on 127.0.0.1: bodies both ways, headers, status
 * codes, streaming, interim responses, redirects not followed, the
 * allow-list (a denied request opens no connection), timeouts, cut and
 * oversized responses. Timeouts are provoked by a server that never answers
 * (it waits for the client to go), never by sleeping.
 */
#define _GNU_SOURCE
#include "wg_test.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "services/outbound_http.h"

/* ---- the server ----------------------------------------------------------- */

#define MAX_CONNS 64

static int listen_fd = -1;
static int port;
static atomic_int accepted;
static pthread_t acceptor;
static pthread_t conn_threads[MAX_CONNS];
static int conn_fds[MAX_CONNS];
static atomic_int nconns;

static bool send_all(int fd, const void *p, size_t n) {
    const char *c = p;
    while (n) {
        ssize_t w = send(fd, c, n, MSG_NOSIGNAL);
        if (w <= 0) return false;
        c += w, n -= (size_t)w;
    }
    return true;
}

typedef struct buf {
    char *p;
    size_t n, cap;
} buf;

static bool buf_add(buf *b, const void *p, size_t n) {
    if (b->n + n + 1 > b->cap) {
        size_t cap = (b->n + n + 1) * 2;
        char *q = realloc(b->p, cap);
        if (!q) return false;
        b->p = q, b->cap = cap;
    }
    memcpy(b->p + b->n, p, n);
    b->n += n;
    b->p[b->n] = '\0';
    return true;
}

static void buf_drop(buf *b, size_t n) {
    memmove(b->p, b->p + n, b->n - n);
    b->n -= n;
    b->p[b->n] = '\0';
}

/* Reads until in holds at least want bytes (or a "\r\n\r\n" when want is 0). */
static bool fill(int fd, buf *in, size_t want) {
    for (;;) {
        if (want ? in->n >= want : (in->p && strstr(in->p, "\r\n\r\n") != NULL)) return true;
        char tmp[65536];
        ssize_t r = recv(fd, tmp, sizeof tmp, 0);
        if (r <= 0) return false;
        if (!buf_add(in, tmp, (size_t)r)) return false;
    }
}

static const char *header_of(const char *head, const char *name, char *out, size_t cap) {
    size_t n = strlen(name);
    for (const char *p = strstr(head, "\r\n"); p && p[2] != '\r'; p = strstr(p + 2, "\r\n")) {
        if (strncasecmp(p + 2, name, n) == 0 && p[2 + n] == ':') {
            const char *v = p + 3 + n;
            while (*v == ' ') v++;
            const char *e = strstr(v, "\r\n");
            snprintf(out, cap, "%.*s", (int)(e - v), v);
            return out;
        }
    }
    return NULL;
}

/* Reads a request's body (Content-Length or chunked) into body. */
static bool read_body(int fd, buf *in, const char *head, buf *body) {
    char v[64];
    if (header_of(head, "content-length", v, sizeof v)) {
        size_t n = strtoul(v, NULL, 10);
        if (n && !fill(fd, in, n)) return false;
        buf_add(body, in->p, n);
        buf_drop(in, n);
        return true;
    }
    if (header_of(head, "transfer-encoding", v, sizeof v)) {
        for (;;) {
            while (!in->p || !strstr(in->p, "\r\n"))
                if (!fill(fd, in, in->n + 1)) return false;
            size_t size = strtoul(in->p, NULL, 16);
            buf_drop(in, (size_t)(strstr(in->p, "\r\n") - in->p) + 2);
            if (!fill(fd, in, size + 2)) return false;
            if (size == 0) {
                buf_drop(in, 2);
                return true;
            }
            buf_add(body, in->p, size);
            buf_drop(in, size + 2);
        }
    }
    return true;
}

static bool head_method; /* the request being answered is a HEAD: no body */

static void respond(int fd, const char *status, const char *extra, const char *body, size_t n) {
    size_t cap = 256 + strlen(status) + (extra ? strlen(extra) : 0);
    char *head = malloc(cap);
    if (!head) return;
    int h = snprintf(head, cap, "HTTP/1.1 %s\r\nContent-Length: %zu\r\n%s\r\n", status, n,
                     extra ? extra : "");
    send_all(fd, head, (size_t)h);
    free(head);
    if (n && !head_method) send_all(fd, body, n);
}

/* Waits until the client goes away. */
static void hold(int fd) {
    char c;
    while (recv(fd, &c, 1, 0) > 0) {}
}

static void *serve_conn(void *arg) {
    int fd = (int)(intptr_t)arg;
    buf in = {0};
    for (;;) {
        if (!fill(fd, &in, 0)) break;
        size_t hlen = (size_t)(strstr(in.p, "\r\n\r\n") - in.p) + 4;
        char *head = strndup(in.p, hlen);
        buf_drop(&in, hlen);
        char method[16] = "", path[256] = "";
        sscanf(head, "%15s %255s", method, path);
        head_method = strcmp(method, "HEAD") == 0;
        buf body = {0};
        bool ok = read_body(fd, &in, head, &body);
        char v[256];
        if (!ok) {
            free(head), free(body.p);
            break;
        }
        if (strcmp(path, "/echo") == 0 || strncmp(path, "/echo?", 6) == 0) {
            char extra[1024];
            snprintf(extra, sizeof extra,
                     "X-Method: %s\r\nX-Path: %s\r\nX-Got: %s\r\nX-Te: %s\r\nX-Empty: %s\r\n"
                     "Set-Cookie: a=1\r\nSet-Cookie: b=2\r\n",
                     method, path, header_of(head, "x-test", v, sizeof v) ? v : "-",
                     header_of(head, "transfer-encoding", v, sizeof v) ? v : "-",
                     header_of(head, "x-empty", v, sizeof v) ? "present" : "absent");
            respond(fd, "200 OK", extra, body.p, body.n);
        } else if (strcmp(path, "/status/418") == 0) {
            respond(fd, "418 I'm a teapot", NULL, "short and stout", 15);
        } else if (strcmp(path, "/redirect") == 0) {
            respond(fd, "302 Found", "Location: http://198.51.100.7/elsewhere\r\n", NULL, 0);
        } else if (strcmp(path, "/interim") == 0) {
            send_all(fd, "HTTP/1.1 103 Early Hints\r\nLink: </x>\r\n\r\n", 40);
            respond(fd, "200 OK", "X-Final: yes\r\n", "done", 4);
        } else if (strcmp(path, "/stream") == 0) {
            const char *h = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
            send_all(fd, h, strlen(h));
            for (int i = 0; i < 100; i++) {
                char chunk[64];
                int n = snprintf(chunk, sizeof chunk, "a\r\nline %03d\n\r\n", i);
                send_all(fd, chunk, (size_t)n);
            }
            send_all(fd, "0\r\n\r\n", 5);
        } else if (strcmp(path, "/cut") == 0) {
            const char *h = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten b";
            send_all(fd, h, strlen(h));
            free(head), free(body.p);
            break;
        } else if (strncmp(path, "/bighead/", 9) == 0) { /* /bighead/KiB */
            size_t kib = strtoul(path + 9, NULL, 10);
            char *big = malloc(kib * 1024);
            memset(big, 'x', kib * 1024 - 1);
            big[kib * 1024 - 1] = '\0';
            char *extra = malloc(kib * 1024 + 32);
            snprintf(extra, kib * 1024 + 32, "X-Big: %s\r\n", big);
            respond(fd, "200 OK", extra, NULL, 0);
            free(big), free(extra);
        } else if (strcmp(path, "/silent") == 0) {
            hold(fd); /* never answers */
            free(head), free(body.p);
            break;
        } else if (strcmp(path, "/stall") == 0) {
            const char *h = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nfirst";
            send_all(fd, h, strlen(h));
            hold(fd);
            free(head), free(body.p);
            break;
        } else {
            respond(fd, "404 Not Found", NULL, NULL, 0);
        }
        free(head), free(body.p);
    }
    free(in.p);
    shutdown(fd, SHUT_RDWR); /* closed by server_stop */
    return NULL;
}

static void *accept_loop(void *arg) {
    (void)arg;
    for (;;) {
        int fd = accept(listen_fd, NULL, NULL);
        if (fd < 0) {
            if (errno == EINTR) continue;
            return NULL;
        }
        atomic_fetch_add(&accepted, 1);
        int i = atomic_fetch_add(&nconns, 1);
        if (i >= MAX_CONNS) {
            close(fd);
            continue;
        }
        conn_fds[i] = fd;
        pthread_create(&conn_threads[i], NULL, serve_conn, (void *)(intptr_t)fd);
    }
}

static void server_start(void) {
    listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(listen_fd, (struct sockaddr *)&a, sizeof a);
    listen(listen_fd, 64);
    socklen_t len = sizeof a;
    getsockname(listen_fd, (struct sockaddr *)&a, &len);
    port = ntohs(a.sin_port);
    pthread_create(&acceptor, NULL, accept_loop, NULL);
}

static void server_stop(void) {
    shutdown(listen_fd, SHUT_RDWR);
    pthread_join(acceptor, NULL);
    close(listen_fd);
    int n = atomic_load(&nconns);
    for (int i = 0; i < n && i < MAX_CONNS; i++) {
        shutdown(conn_fds[i], SHUT_RDWR);
        pthread_join(conn_threads[i], NULL);
        close(conn_fds[i]);
    }
}

/* ---- the client side ---------------------------------------------------- */

static wg_outbound_client *client;
static atomic_int done_calls, last_done_status;

static void on_done(void *data, const char *host, int status, wg_outbound_err err) {
    (void)data, (void)host, (void)err;
    atomic_fetch_add(&done_calls, 1);
    atomic_store(&last_done_status, status);
}

static wg_allowlist *allow_local(void) {
    char entry[64];
    snprintf(entry, sizeof entry, "http://127.0.0.1:%d", port);
    const char *e[] = {entry, "http://localhost:*"};
    char err[200];
    return wg__allowlist_new(e, 2, NULL, err, sizeof err);
}

/* Reads the whole response body (polling its fd). */
static size_t read_all(wg_outbound *o, buf *out) {
    for (;;) {
        char tmp[4096];
        long r = wg__outbound_resp_read(o, tmp, sizeof tmp);
        if (r > 0) {
            buf_add(out, tmp, (size_t)r);
            continue;
        }
        if (r == 0) return out->n;
        struct pollfd p = {wg__outbound_resp_fd(o), POLLIN, 0};
        poll(&p, 1, -1);
    }
}

static const char *get_header(wg_outbound *o, size_t n, const char *name, size_t nth) {
    for (size_t i = 0; i < n; i++) {
        const wg_outbound_header *h = wg__outbound_header(o, i);
        if (strcmp(h->name, name) == 0 && nth-- == 0) return h->value;
    }
    return NULL;
}

static wg_outbound *start(const wg_allowlist *allow, const char *method, const char *authority,
                          const char *path, const wg_outbound_header *hs, size_t nh, bool body,
                          int64_t len, wg_outbound_err *err, char *msg, size_t msglen) {
    wg_outbound_req req = {method, "http", authority, path, hs, nh, body, len};
    wg_outbound_opts opts = {0};
    opts.allow = allow;
    return wg__outbound_start(client, &req, &opts, err, msg, msglen);
}

static char authority[64];

WG_TEST(get_with_headers_and_multi_valued_response_headers) {
    wg_allowlist *allow = allow_local();
    wg_outbound_header hs[] = {{"X-Test", "hello there", 6, 11}, {"x-empty", "", 7, 0},
                               {"Host", "evil.example", 4, 12}};
    wg_outbound_err err;
    char msg[300];
    wg_outbound *o = start(allow, "GET", authority, "/echo?q=1&r=%20", hs, 3, false, -1, &err, msg,
                           sizeof msg);
    CHECK(o != NULL);
    int status = 0;
    size_t n = 0;
    CHECK_EQ_INT(wg__outbound_wait_head(o, &status, &n, NULL, NULL, NULL), WG_OUT_OK);
    CHECK_EQ_INT(status, 200);
    CHECK(wg__outbound_ready(o));
    const char *v = get_header(o, n, "x-method", 0);
    CHECK(v && strcmp(v, "GET") == 0);
    v = get_header(o, n, "x-path", 0);
    CHECK(v && strcmp(v, "/echo?q=1&r=%20") == 0);
    v = get_header(o, n, "x-got", 0);
    CHECK(v && strcmp(v, "hello there") == 0);
    v = get_header(o, n, "x-empty", 0);
    CHECK(v && strcmp(v, "present") == 0);
    v = get_header(o, n, "set-cookie", 1);
    CHECK(v && strcmp(v, "b=2") == 0);
    buf body = {0};
    CHECK_EQ_INT(read_all(o, &body), 0);
    CHECK_EQ_INT(wg__outbound_result(o), WG_OUT_OK);
    free(body.p);
    wg__outbound_free(o);
    wg__allowlist_free(allow);
}

/* Writes body (len bytes of a pattern) through the request body, polling. */
static void write_body(wg_outbound *o, size_t len) {
    char chunk[8192];
    size_t sent = 0;
    while (sent < len) {
        size_t n = len - sent < sizeof chunk ? len - sent : sizeof chunk;
        for (size_t i = 0; i < n; i++) chunk[i] = (char)('a' + (sent + i) % 23);
        long w = wg__outbound_body_write(o, chunk, n);
        if (w < 0) break;
        if (w == 0) {
            struct pollfd p = {wg__outbound_body_fd(o), POLLOUT, 0};
            poll(&p, 1, -1);
            continue;
        }
        sent += (size_t)w;
    }
    wg__outbound_body_done(o);
}

static void post_and_check(int64_t declared, size_t len) {
    wg_allowlist *allow = allow_local();
    wg_outbound_err err;
    char msg[300];
    wg_outbound *o = start(allow, "POST", authority, "/echo", NULL, 0, true, declared, &err, msg,
                           sizeof msg);
    CHECK(o != NULL);
    if (!o) return;
    write_body(o, len);
    int status = 0;
    size_t n = 0;
    CHECK_EQ_INT(wg__outbound_wait_head(o, &status, &n, NULL, NULL, NULL), WG_OUT_OK);
    CHECK_EQ_INT(status, 200);
    const char *te = get_header(o, n, "x-te", 0);
    CHECK(te && strcmp(te, declared < 0 ? "chunked" : "-") == 0);
    buf body = {0};
    CHECK_EQ_INT(read_all(o, &body), len);
    bool same = body.n == len;
    for (size_t i = 0; same && i < len; i++) same = body.p[i] == (char)('a' + i % 23);
    CHECK(same);
    CHECK_EQ_INT(wg__outbound_result(o), WG_OUT_OK);
    free(body.p);
    wg__outbound_free(o);
    wg__allowlist_free(allow);
}

WG_TEST(post_bodies_stream_both_ways_byte_exact) {
    post_and_check(3 * 1024 * 1024, 3 * 1024 * 1024); /* declared length */
    post_and_check(-1, 1024 * 1024 + 7);              /* chunked */
    post_and_check(0, 0);
}

WG_TEST(status_codes_interim_responses_and_streams) {
    wg_allowlist *allow = allow_local();
    wg_outbound_err err;
    char msg[300];
    int status;
    size_t n;
    wg_outbound *o = start(allow, "GET", authority, "/status/418", NULL, 0, false, -1, &err, msg,
                           sizeof msg);
    CHECK(o && wg__outbound_wait_head(o, &status, &n, NULL, NULL, NULL) == WG_OUT_OK);
    CHECK_EQ_INT(status, 418);
    wg__outbound_free(o);

    o = start(allow, "GET", authority, "/interim", NULL, 0, false, -1, &err, msg, sizeof msg);
    CHECK(o && wg__outbound_wait_head(o, &status, &n, NULL, NULL, NULL) == WG_OUT_OK);
    CHECK_EQ_INT(status, 200);
    CHECK(get_header(o, n, "x-final", 0) != NULL);
    CHECK(get_header(o, n, "link", 0) == NULL); /* the 103's headers are not the response's */
    wg__outbound_free(o);

    o = start(allow, "GET", authority, "/stream", NULL, 0, false, -1, &err, msg, sizeof msg);
    CHECK(o && wg__outbound_wait_head(o, &status, &n, NULL, NULL, NULL) == WG_OUT_OK);
    buf body = {0};
    CHECK_EQ_INT(read_all(o, &body), 1000);
    CHECK(body.p && strncmp(body.p + 990, "line 099\n", 9) == 0);
    CHECK_EQ_INT(wg__outbound_result(o), WG_OUT_OK);
    free(body.p);
    wg__outbound_free(o);

    /* HEAD: a head without a body. */
    o = start(allow, "HEAD", authority, "/status/418", NULL, 0, false, -1, &err, msg, sizeof msg);
    CHECK(o && wg__outbound_wait_head(o, &status, &n, NULL, NULL, NULL) == WG_OUT_OK);
    CHECK_EQ_INT(status, 418);
    memset(&body, 0, sizeof body);
    CHECK_EQ_INT(read_all(o, &body), 0);
    free(body.p);
    wg__outbound_free(o);
    wg__allowlist_free(allow);
}

WG_TEST(redirects_are_returned_not_followed) {
    wg_allowlist *allow = allow_local();
    wg_outbound_err err;
    char msg[300];
    int status;
    size_t n;
    wg_outbound *o = start(allow, "GET", authority, "/redirect", NULL, 0, false, -1, &err, msg,
                           sizeof msg);
    CHECK(o && wg__outbound_wait_head(o, &status, &n, NULL, NULL, NULL) == WG_OUT_OK);
    CHECK_EQ_INT(status, 302);
    const char *loc = get_header(o, n, "location", 0);
    CHECK(loc && strcmp(loc, "http://198.51.100.7/elsewhere") == 0);
    CHECK_EQ_INT(wg__outbound_result(o), WG_OUT_OK);
    wg__outbound_free(o);
    wg__allowlist_free(allow);
}

WG_TEST(denied_targets_open_no_connection) {
    const char *only[] = {"https://api.example.com"};
    char err_s[200];
    wg_allowlist *allow = wg__allowlist_new(only, 1, NULL, err_s, sizeof err_s);
    int before = atomic_load(&accepted);
    wg_outbound_err err = WG_OUT_OK;
    char msg[300] = "";
    char alias[64];
    const char *targets[] = {authority, "localhost", alias};
    snprintf(alias, sizeof alias, "2130706433:%d", port);
    for (size_t i = 0; i < 3; i++) {
        wg_outbound *o = start(allow, "GET", targets[i], "/echo", NULL, 0, false, -1, &err, msg,
                               sizeof msg);
        CHECK(o == NULL);
        CHECK_EQ_INT(err, WG_OUT_HTTP_REQUEST_DENIED);
        CHECK_STR_CONTAINS(msg, "allowed_outbound_hosts");
    }
    CHECK(strcmp(wg__outbound_err_name(err), "HTTP-request-denied") == 0);
    /* No list at all: everything denied. */
    wg_outbound *o = start(NULL, "GET", authority, "/echo", NULL, 0, false, -1, &err, msg,
                           sizeof msg);
    CHECK(o == NULL && err == WG_OUT_HTTP_REQUEST_DENIED);
    CHECK_EQ_INT(atomic_load(&accepted), before);
    wg__allowlist_free(allow);

    /* The numeric alias of an allowed address is that address. */
    allow = allow_local();
    o = start(allow, "GET", alias, "/status/418", NULL, 0, false, -1, &err, msg, sizeof msg);
    int status = 0;
    CHECK(o && wg__outbound_wait_head(o, &status, NULL, NULL, NULL, NULL) == WG_OUT_OK);
    CHECK_EQ_INT(status, 418);
    wg__outbound_free(o);
    wg__allowlist_free(allow);
}

WG_TEST(bad_requests_are_refused_before_connecting) {
    wg_allowlist *allow = allow_local();
    wg_outbound_err err;
    char msg[300];
    int before = atomic_load(&accepted);
    CHECK(!start(allow, "GE T", authority, "/", NULL, 0, false, -1, &err, msg, sizeof msg));
    CHECK_EQ_INT(err, WG_OUT_HTTP_REQUEST_METHOD_INVALID);
    CHECK(!start(allow, "GET", authority, "/a b", NULL, 0, false, -1, &err, msg, sizeof msg));
    CHECK_EQ_INT(err, WG_OUT_HTTP_REQUEST_URI_INVALID);
    CHECK(!start(allow, "GET", authority, "nopath", NULL, 0, false, -1, &err, msg, sizeof msg));
    CHECK_EQ_INT(err, WG_OUT_HTTP_REQUEST_URI_INVALID);
    CHECK(!start(allow, "GET", "user@127.0.0.1", "/", NULL, 0, false, -1, &err, msg, sizeof msg));
    CHECK_EQ_INT(err, WG_OUT_HTTP_REQUEST_URI_INVALID);
    wg_outbound_header crlf[] = {{"X-A", "1\r\nX-Injected: 2", 3, 17}};
    CHECK(!start(allow, "GET", authority, "/", crlf, 1, false, -1, &err, msg, sizeof msg));
    CHECK_EQ_INT(err, WG_OUT_HTTP_REQUEST_HEADER_SIZE);
    wg_outbound_header badname[] = {{"X A", "1", 3, 1}};
    CHECK(!start(allow, "GET", authority, "/", badname, 1, false, -1, &err, msg, sizeof msg));
    wg_outbound_req req = {"GET", "ftp", authority, "/", NULL, 0, false, -1};
    wg_outbound_opts opts = {0};
    opts.allow = allow;
    CHECK(!wg__outbound_start(client, &req, &opts, &err, msg, sizeof msg));
    CHECK_EQ_INT(err, WG_OUT_HTTP_REQUEST_URI_INVALID);
    CHECK_EQ_INT(atomic_load(&accepted), before);
    wg__allowlist_free(allow);
}

WG_TEST(timeouts_cut_and_oversized_responses) {
    wg_allowlist *allow = allow_local();
    wg_outbound_err err;
    char msg[300];
    wg_outbound_req req = {"GET", "http", authority, "/silent", NULL, 0, false, -1};
    wg_outbound_opts opts = {0};
    opts.allow = allow;
    opts.first_byte_timeout_ns = 200 * 1000000ull;
    wg_outbound *o = wg__outbound_start(client, &req, &opts, &err, msg, sizeof msg);
    CHECK(o != NULL);
    CHECK_EQ_INT(wg__outbound_wait_head(o, NULL, NULL, NULL, NULL, NULL),
                 WG_OUT_CONNECTION_READ_TIMEOUT);
    CHECK_STR_CONTAINS(wg__outbound_message(o), "first-byte");
    wg__outbound_free(o);

    req.path_with_query = "/stall";
    opts.first_byte_timeout_ns = 0;
    opts.between_bytes_timeout_ns = 200 * 1000000ull;
    o = wg__outbound_start(client, &req, &opts, &err, msg, sizeof msg);
    int status;
    CHECK(o && wg__outbound_wait_head(o, &status, NULL, NULL, NULL, NULL) == WG_OUT_OK);
    buf body = {0};
    read_all(o, &body);
    CHECK(body.n == 5 && memcmp(body.p, "first", 5) == 0);
    CHECK_EQ_INT(wg__outbound_result(o), WG_OUT_CONNECTION_READ_TIMEOUT);
    free(body.p);
    wg__outbound_free(o);

    req.path_with_query = "/cut";
    opts.between_bytes_timeout_ns = 0;
    o = wg__outbound_start(client, &req, &opts, &err, msg, sizeof msg);
    CHECK(o && wg__outbound_wait_head(o, &status, NULL, NULL, NULL, NULL) == WG_OUT_OK);
    memset(&body, 0, sizeof body);
    read_all(o, &body);
    CHECK_EQ_INT(body.n, 10);
    CHECK_EQ_INT(wg__outbound_result(o), WG_OUT_HTTP_RESPONSE_INCOMPLETE);
    free(body.p);
    wg__outbound_free(o);

    req.path_with_query = "/bighead/70"; /* past our 64 KiB head */
    o = wg__outbound_start(client, &req, &opts, &err, msg, sizeof msg);
    CHECK(o != NULL);
    CHECK_EQ_INT(wg__outbound_wait_head(o, NULL, NULL, NULL, NULL, NULL),
                 WG_OUT_HTTP_RESPONSE_HEADER_SECTION_SIZE);
    wg__outbound_free(o);
    req.path_with_query = "/bighead/120"; /* one line past libcurl's 100 KiB */
    o = wg__outbound_start(client, &req, &opts, &err, msg, sizeof msg);
    CHECK(o != NULL);
    CHECK_EQ_INT(wg__outbound_wait_head(o, NULL, NULL, NULL, NULL, NULL),
                 WG_OUT_HTTP_RESPONSE_HEADER_SIZE);
    CHECK_STR_CONTAINS(wg__outbound_message(o), "100 KiB");
    wg__outbound_free(o);

    /* Nothing listens on port 1 of 127.0.0.1. */
    const char *e[] = {"http://127.0.0.1:1"};
    wg_allowlist *one = wg__allowlist_new(e, 1, NULL, msg, sizeof msg);
    wg_outbound_req refused = {"GET", "http", "127.0.0.1:1", "/", NULL, 0, false, -1};
    opts.allow = one;
    o = wg__outbound_start(client, &refused, &opts, &err, msg, sizeof msg);
    CHECK(o && wg__outbound_wait_head(o, NULL, NULL, NULL, NULL, NULL) ==
                   WG_OUT_CONNECTION_REFUSED);
    wg__outbound_free(o);
    wg__allowlist_free(one);
    wg__allowlist_free(allow);
}

static bool always(void *data) {
    (void)data;
    return true;
}

WG_TEST(waits_can_be_interrupted_and_requests_freed_mid_flight) {
    wg_allowlist *allow = allow_local();
    wg_outbound_err err;
    char msg[300];
    wg_outbound *o = start(allow, "GET", authority, "/silent", NULL, 0, false, -1, &err, msg,
                           sizeof msg);
    CHECK(o != NULL);
    bool intr = false;
    CHECK_EQ_INT(wg__outbound_wait_head(o, NULL, NULL, always, NULL, &intr),
                 WG_OUT_INTERNAL_ERROR);
    CHECK(intr);
    wg__outbound_free(o); /* the thread is blocked on the server: free must still return */

    /* A response body nobody reads, then freed. */
    o = start(allow, "POST", authority, "/echo", NULL, 0, true, -1, &err, msg, sizeof msg);
    CHECK(o != NULL);
    write_body(o, 2 * 1024 * 1024);
    CHECK(wg__outbound_wait_head(o, NULL, NULL, NULL, NULL, NULL) == WG_OUT_OK);
    wg__outbound_free(o);
    wg__allowlist_free(allow);
}

WG_TEST(connections_are_reused_and_done_is_reported) {
    wg_allowlist *allow = allow_local();
    wg_outbound_err err;
    char msg[300];
    int before = atomic_load(&accepted), calls = atomic_load(&done_calls);
    for (int i = 0; i < 5; i++) {
        wg_outbound *o = start(allow, "GET", authority, "/status/418", NULL, 0, false, -1, &err,
                               msg, sizeof msg);
        CHECK(o != NULL);
        buf body = {0};
        read_all(o, &body);
        CHECK_EQ_INT(wg__outbound_result(o), WG_OUT_OK);
        free(body.p);
        wg__outbound_free(o);
    }
    CHECK(atomic_load(&accepted) - before <= 1);
    CHECK_EQ_INT(atomic_load(&done_calls) - calls, 5);
    CHECK_EQ_INT(atomic_load(&last_done_status), 418);
    wg__allowlist_free(allow);
}

int main(int argc, char **argv) {
    server_start();
    snprintf(authority, sizeof authority, "127.0.0.1:%d", port);
    char err[200];
    client = wg__outbound_client_new(on_done, NULL, err, sizeof err);
    if (!client) {
        fprintf(stderr, "outbound client: %s\n", err);
        return 1;
    }
    int rc = wg_test_run_all(argc, argv);
    wg__outbound_client_free(client);
    server_stop();
    return rc;
}
