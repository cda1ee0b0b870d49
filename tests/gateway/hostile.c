/*
 * A hostile HTTP client for the gateway tests (run_hostile_tests.sh): raw
 * sockets on loopback, so it can send what curl never would.
 *
 *   hostile shapes PORT
 *       Each malformed or ambiguous request head (request smuggling shapes,
 *       NUL bytes, obs-fold, bad targets), each followed on the same
 *       connection by a pipelined "GET /hello": the server must answer the
 *       expected status and then close, never serve the pipelined request.
 *       Also URLs up to 8 KiB (served) and longer (414, sent).
 *   hostile perip PORT LIMIT
 *       LIMIT + 10 connections from 127.0.0.5 held open, then a request on
 *       each: exactly LIMIT are answered, the others were closed unanswered.
 *   hostile reserve PORT N
 *       N connections that never finish their request head, spread over
 *       source addresses 127.0.1.x (250 each); then a client from 127.0.0.1
 *       must still get its /hello answered while they are held.
 *   hostile deadline PORT N
 *       N connections that trickle their request head one byte at a time
 *       (every 200 ms: the idle timeout never fires); every one of them must
 *       be closed by the server, unanswered (the head deadline).
 *
 * Prints "ok NAME" / "FAIL NAME: why" per check and exits 1 if anything
 * failed. Every wait is bounded (a hung server fails the test instead of
 * hanging it), but no check depends on how long anything took.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int g_port;
static int g_fails, g_oks;

static void ok(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    printf("ok ");
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
    g_oks++;
    fflush(stdout);
}

static void fail(const char *name, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    printf("FAIL %s: ", name);
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
    g_fails++;
    fflush(stdout);
}

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A blocking TCP connection to 127.0.0.1:g_port from source address src
 * (NULL: any). -1 on failure (errno set). */
static int dial(const char *src) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    if (src) {
        struct sockaddr_in sa = {.sin_family = AF_INET};
        inet_pton(AF_INET, src, &sa.sin_addr);
        if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
            close(fd);
            return -1;
        }
    }
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons((uint16_t)g_port)};
    inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
    if (connect(fd, (struct sockaddr *)&to, sizeof to) != 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

static bool send_all(int fd, const char *data, size_t len) {
    while (len) {
        ssize_t n = send(fd, data, len, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        data += n;
        len -= (size_t)n;
    }
    return true;
}

/* Reads until the peer closes or `secs` pass without any byte. Returns the
 * bytes read (NUL-terminated, malloc'd) and sets *closed if the peer closed
 * (EOF or reset). */
static char *read_until_close(int fd, double secs, size_t *len, bool *closed) {
    size_t cap = 65536, n = 0;
    char *buf = malloc(cap + 1);
    *closed = false;
    if (!buf) return NULL;
    for (;;) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int r = poll(&p, 1, (int)(secs * 1000));
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break; /* quiet for `secs`: still open */
        if (n == cap) {
            char *g = realloc(buf, cap * 2 + 1);
            if (!g) break;
            buf = g;
            cap *= 2;
        }
        ssize_t got = recv(fd, buf + n, cap - n, 0);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) {
            *closed = true;
            break;
        }
        n += (size_t)got;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

/* Number of HTTP responses (status lines) in a reply stream. */
static int count_responses(const char *buf, size_t len) {
    int k = 0;
    for (size_t i = 0; i + 9 <= len; i++)
        if ((i == 0 || buf[i - 1] == '\n') && memcmp(buf + i, "HTTP/1.", 7) == 0) k++;
    return k;
}

static int status_of(const char *buf) {
    if (strncmp(buf, "HTTP/1.", 7) != 0 || strlen(buf) < 12) return 0;
    return atoi(buf + 9);
}

static const char pipelined[] = "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n";

/* Sends head (len bytes) + a pipelined GET /hello; expects one response
 * with status `want` (or `want2` if non-zero) and then the connection
 * closed without a second response. */
static void shape(const char *name, const char *head, size_t len, int want, int want2) {
    int fd = dial(NULL);
    if (fd < 0) {
        fail(name, "connect: %s", strerror(errno));
        return;
    }
    char *req = malloc(len + sizeof pipelined);
    memcpy(req, head, len);
    memcpy(req + len, pipelined, sizeof pipelined);
    bool sent = send_all(fd, req, len + sizeof pipelined - 1);
    free(req);
    size_t n;
    bool closed;
    /* 60 s of silence: the server neither answered nor closed (a hang guard,
     * never reached when the server works, however loaded the machine). */
    char *reply = read_until_close(fd, 60, &n, &closed);
    close(fd);
    if (!reply) {
        fail(name, "out of memory");
        return;
    }
    int st = status_of(reply), nresp = count_responses(reply, n);
    /* The pipelined /hello, if served, answers "Hello, world!". (MHD 0.9.75
     * sends its own 400s, e.g. for "Content-Length: +5", with the status
     * line twice: counted, not a failure.) */
    bool served = strstr(reply, "Hello, world!") != NULL;
    if (st != want && !(want2 && st == want2))
        fail(name, "status %d (expected %d%s), %d response(s), %s%s", st, want,
             want2 ? " or the alternative" : "", nresp, closed ? "closed" : "still open",
             sent ? "" : " (send failed)");
    else if (served)
        fail(name, "%d responses: the pipelined request after the bad head was served", nresp);
    else if (!closed)
        fail(name, "status %d but the connection stayed open", st);
    else
        ok("%s -> %d and closed", name, st);
    free(reply);
}

/* Sends a request and expects a response with status `want` (keep-alive
 * allowed: reads one response only, by Content-Length). */
static void simple(const char *name, const char *req, size_t len, int want) {
    int fd = dial(NULL);
    if (fd < 0) {
        fail(name, "connect: %s", strerror(errno));
        return;
    }
    send_all(fd, req, len);
    shutdown(fd, SHUT_WR);
    size_t n;
    bool closed;
    char *reply = read_until_close(fd, 60, &n, &closed);
    close(fd);
    int st = reply ? status_of(reply) : 0;
    if (st == want)
        ok("%s -> %d", name, st);
    else
        fail(name, "status %d (expected %d), %zu bytes%s", st, want, n,
             closed ? "" : ", no close in 60 s");
    free(reply);
}

#define S(lit) lit, sizeof lit - 1

static int cmd_shapes(void) {
    shape("CL and TE: chunked together",
          S("POST /echo/x HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
            "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n"), 400, 0);
    shape("two different Content-Lengths",
          S("POST /echo/x HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 10\r\n\r\n"
            "hello"), 400, 0);
    shape("space before the colon",
          S("POST /echo/x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding : chunked\r\n\r\n0\r\n\r\n"), 400,
          0);
    shape("obs-fold of Transfer-Encoding",
          S("POST /echo/x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding:\r\n chunked\r\n\r\n0\r\n\r\n"),
          400, 0);
    shape("obs-fold of another header",
          S("GET /hello HTTP/1.1\r\nHost: x\r\nX-Long: a\r\n\tb\r\n\r\n"), 400, 0);
    shape("Transfer-Encoding: gzip, chunked",
          S("POST /echo/x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"
            "0\r\n\r\n"), 501, 0);
    shape("Transfer-Encoding: identity with Content-Length",
          S("POST /echo/x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: identity\r\n"
            "Content-Length: 5\r\n\r\nhello"), 501, 400);
    shape("Transfer-Encoding: chunked, chunked",
          S("POST /echo/x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, chunked\r\n\r\n"
            "0\r\n\r\n"), 400, 0);
    shape("Transfer-Encoding twice",
          S("POST /echo/x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
            "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n"), 400, 0);
    shape("Transfer-Encoding in HTTP/1.0",
          S("POST /echo/x HTTP/1.0\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"), 400,
          0);
    shape("NUL byte in a header value",
          S("GET /hello HTTP/1.1\r\nHost: x\r\nX-A: ab\0cd\r\n\r\n"), 400, 0);
    shape("NUL byte in the last header value",
          S("GET /hello HTTP/1.1\r\nX-A: ab\0\0cd\r\nHost: x\r\nX-B: y\0z\r\n\r\n"), 400, 0);
    shape("bare CR in a header value", S("GET /hello HTTP/1.1\r\nHost: x\r\nX-A: a\rb\r\n\r\n"),
          400, 0);
    shape("space inside the request target", S("GET /hel lo HTTP/1.1\r\nHost: x\r\n\r\n"), 400, 0);
    shape("control byte in the request target", S("GET /hel\x01lo HTTP/1.1\r\nHost: x\r\n\r\n"),
          400, 0);
    shape("two Host headers", S("GET /hello HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"), 400, 0);
    shape("bad Host", S("GET /hello HTTP/1.1\r\nHost: a b/c\r\n\r\n"), 400, 0);
    shape("Content-Length with a sign", S("POST /echo/x HTTP/1.1\r\nHost: x\r\nContent-Length: +5\r\n\r\nhello"),
          400, 0);
    simple("identical duplicate Content-Lengths are merged",
           S("POST /echo/x HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 5\r\n"
             "Connection: close\r\n\r\nhello"), 200);
    simple("%00 in the query", S("GET /hello?a%00b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
           400);
    simple("%00 in the path", S("GET /hel%00lo HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
           400);

    /* Long URLs: any target up to 8 KiB is served; longer gets 414. */
    char *req = malloc(200000);
    static const struct {
        const char *name;
        size_t target;  /* length of the request target */
        int params;     /* "pN=N&" items, or 0 for "a&a&..." filling */
        int want;
    } urls[] = {
        {"250 query parameters (2 KB URL)", 0, 250, 200},
        {"8 KiB target of 4,000 query items", 8192, 0, 200},
        {"8 KiB + 1 target", 8193, 0, 414},
        {"100 KB target", 100000, 0, 414},
    };
    for (size_t u = 0; u < sizeof urls / sizeof *urls; u++) {
        char *p = req;
        p += sprintf(p, "GET ");
        char *t = p;
        p += sprintf(p, "/hello?");
        if (urls[u].params) {
            for (int i = 0; i < urls[u].params; i++) p += sprintf(p, "%sp%d=%d", i ? "&" : "", i, i);
        } else {
            for (size_t i = 0; (size_t)(p - t) < urls[u].target; i++) *p++ = i % 2 ? '&' : 'a';
            if (p[-1] == '&') p[-1] = 'a';
        }
        size_t tlen = (size_t)(p - t);
        p += sprintf(p, " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        char name[160];
        snprintf(name, sizeof name, "%s (%zu bytes)", urls[u].name, tlen);
        simple(name, req, (size_t)(p - req), urls[u].want);
    }
    free(req);
    return g_fails ? 1 : 0;
}

/* Raises the descriptor limit for n connections. */
static bool fd_room(size_t n) {
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return false;
    if (rl.rlim_cur >= n + 64) return true;
    if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < n + 64) return false;
    rl.rlim_cur = n + 64;
    return setrlimit(RLIMIT_NOFILE, &rl) == 0;
}

static int cmd_perip(int limit) {
    int n = limit + 10;
    if (!fd_room((size_t)n)) {
        fail("per-ip limit", "cannot raise the descriptor limit to %d", n + 64);
        return 1;
    }
    int *fds = calloc((size_t)n, sizeof *fds);
    int opened = 0;
    for (int i = 0; i < n; i++) {
        fds[i] = dial("127.0.0.5");
        if (fds[i] >= 0) opened++;
    }
    /* Every connection is open (the kernel completed each handshake); the
     * server closes those over the limit when it accepts them. Now a
     * request on each: the ones the server kept answer it. */
    int answered = 0, closed_unanswered = 0, other = 0;
    for (int i = 0; i < n; i++) {
        if (fds[i] < 0) continue;
        send_all(fds[i], S("GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
    }
    for (int i = 0; i < n; i++) {
        if (fds[i] < 0) continue;
        size_t len;
        bool closed;
        char *reply = read_until_close(fds[i], 60, &len, &closed);
        if (reply && status_of(reply) == 200) answered++;
        else if (reply && len == 0 && closed) closed_unanswered++;
        else other++;
        free(reply);
        close(fds[i]);
    }
    free(fds);
    if (opened == n && answered == limit && closed_unanswered == n - limit && other == 0)
        ok("per-ip limit %d: %d of %d connections from one address served, %d closed unanswered",
           limit, answered, n, closed_unanswered);
    else
        fail("per-ip limit", "limit %d, %d opened: %d answered, %d closed unanswered, %d other",
             limit, opened, answered, closed_unanswered, other);
    return g_fails ? 1 : 0;
}

/* Opens n connections from 127.0.1.1, 127.0.1.2, ... (per_ip each) and sends
 * a request line and the start of a header, never the end of the head. */
static int *open_slow(int n, int per_ip, int *opened) {
    int *fds = calloc((size_t)n, sizeof *fds);
    *opened = 0;
    for (int i = 0; i < n; i++) {
        char src[32];
        snprintf(src, sizeof src, "127.0.1.%d", 1 + i / per_ip);
        fds[i] = dial(src);
        if (fds[i] < 0) continue;
        (*opened)++;
        send_all(fds[i], S("GET /hello HTTP/1.1\r\nHost: x\r\nX-Slow: "));
    }
    return fds;
}

/* One full request from 127.0.0.1; its status (0: no answer). */
static int legit_request(const char *path, char **body) {
    int fd = dial("127.0.0.1");
    if (fd < 0) return 0;
    char req[256];
    int len = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                       path);
    send_all(fd, req, (size_t)len);
    size_t n;
    bool closed;
    char *reply = read_until_close(fd, 60, &n, &closed);
    close(fd);
    int st = reply ? status_of(reply) : 0;
    if (body) *body = reply; else free(reply);
    return st;
}

/* The value of metric line NAME in a metrics reply, or -1. */
static long long metric(const char *reply, const char *name) {
    const char *p = reply ? strstr(reply, name) : NULL;
    return p ? atoll(p + strlen(name)) : -1;
}

static int cmd_reserve(int n) {
    if (!fd_room((size_t)n)) {
        fail("reserve", "cannot raise the descriptor limit to %d (ulimit -Hn)", n + 64);
        return 1;
    }
    int opened;
    int *fds = open_slow(n, 250, &opened);
    /* The slow connections are all held (none sent a complete head); the
     * server has at most 4096 slots. A real client must still be served. */
    char *body = NULL;
    int st = legit_request("/hello", &body);
    if (st == 200 && body && strstr(body, "Hello, world!"))
        ok("reserve: /hello answered 200 while %d slow connections were held", opened);
    else
        fail("reserve", "/hello got status %d while %d slow connections were held", st, opened);
    free(body);
    st = legit_request("/.well-known/wasmgate/metrics", &body);
    long long evicted = metric(body, "wasmgate_connections_dropped_total{reason=\"reserve\"} ");
    if (st == 200 && evicted > 0)
        ok("reserve: the server pushed out %lld slow connections to keep slots free", evicted);
    else if (opened < 4000)
        fail("reserve", "only %d slow connections opened: the server was never full", opened);
    else
        fail("reserve", "metrics status %d, dropped{reserve} = %lld (expected > 0)", st, evicted);
    free(body);
    int still = 0;
    for (int i = 0; i < n; i++) {
        if (fds[i] < 0) continue;
        struct pollfd p = {.fd = fds[i], .events = POLLIN};
        if (poll(&p, 1, 0) == 0) still++;
        close(fds[i]);
    }
    printf("# %d slow connections opened, %d still open at the end\n", opened, still);
    free(fds);
    return g_fails ? 1 : 0;
}

static int cmd_deadline(int n) {
    if (!fd_room((size_t)n)) {
        fail("deadline", "cannot raise the descriptor limit to %d", n + 64);
        return 1;
    }
    int opened;
    int *fds = open_slow(n, 250, &opened);
    bool *done = calloc((size_t)n, sizeof *done);
    int closed = 0, answered = 0, left = opened;
    double guard = now_s() + 120; /* a hang guard, not a timing check */
    struct pollfd *ps = calloc((size_t)n, sizeof *ps);
    while (left > 0 && now_s() < guard) {
        /* One more header byte on every open connection: they are never
         * idle, so only a deadline on the whole head can end them. */
        int k = 0;
        for (int i = 0; i < n; i++) {
            if (fds[i] < 0 || done[i]) continue;
            send(fds[i], "x", 1, MSG_NOSIGNAL);
            ps[k].fd = fds[i];
            ps[k].events = POLLIN;
            ps[k].revents = 0;
            k++;
        }
        poll(ps, (nfds_t)k, 200);
        for (int j = 0; j < k; j++) {
            if (!(ps[j].revents & (POLLIN | POLLHUP | POLLERR))) continue;
            int i = 0;
            while (fds[i] != ps[j].fd) i++;
            char b[512];
            ssize_t got = recv(fds[i], b, sizeof b, MSG_DONTWAIT);
            if (got > 0) answered++;
            if (got > 0 || got == 0 || (got < 0 && errno != EAGAIN)) {
                done[i] = true;
                closed++;
                left--;
            }
        }
    }
    for (int i = 0; i < n; i++)
        if (fds[i] >= 0) close(fds[i]);
    free(ps);
    free(done);
    free(fds);
    if (opened == n && closed == n && answered == 0)
        ok("head deadline: all %d trickling connections closed by the server, unanswered", n);
    else
        fail("head deadline", "%d opened, %d closed by the server (%d with an answer), %d still "
             "open after the 120 s guard", opened, closed, answered, left);
    char *body = NULL;
    int st = legit_request("/.well-known/wasmgate/metrics", &body);
    long long dropped = metric(body, "wasmgate_connections_dropped_total{reason=\"head_timeout\"} ");
    if (st == 200 && dropped >= n)
        ok("head deadline: metrics count %lld connections dropped for a late head", dropped);
    else
        fail("head deadline metrics", "status %d, dropped{head_timeout} = %lld (expected >= %d)", st,
             dropped, n);
    free(body);
    return g_fails ? 1 : 0;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: hostile shapes|perip|reserve|deadline PORT [N]\n");
        return 2;
    }
    g_port = atoi(argv[2]);
    int n = argc > 3 ? atoi(argv[3]) : 0;
    if (strcmp(argv[1], "shapes") == 0) return cmd_shapes();
    if (strcmp(argv[1], "perip") == 0 && n > 0) return cmd_perip(n);
    if (strcmp(argv[1], "reserve") == 0 && n > 0) return cmd_reserve(n);
    if (strcmp(argv[1], "deadline") == 0 && n > 0) return cmd_deadline(n);
    fprintf(stderr, "hostile: bad arguments\n");
    return 2;
}
