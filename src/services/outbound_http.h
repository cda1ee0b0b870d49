/*
 * Outbound HTTP for guests (wasi:http/outgoing-handler's transport), on
 * libcurl: HTTP/1.1 and HTTPS through OpenSSL, connections reused across
 * requests and threads, nothing sent where the route's allow-list
 * (allowlist.h) does not reach.
 *
 * One request is a wg_outbound, run by a thread of its own so that the guest
 * never blocks inside libcurl: the guest's thread only waits on pipes and a
 * condition, which its interrupt check can cut short.
 *
 *   o = wg__outbound_start(client, &req, &opts, ...)   allow-list checked here:
 *                                                      a denied target opens nothing
 *   wg__outbound_body_write(o, ...)  the request body, flow-controlled by
 *                             the server; wg__outbound_body_done ends it
 *   wg__outbound_wait_head(o, ...) the response's status and headers, or its
 *                             error (wg_outbound_err: wasi:http's error-code)
 *   wg__outbound_resp_fd(o)   read end of the response body (EOF at its
 *                             end; wg__outbound_result tells a clean end
 *                             from a cut one)
 *   wg__outbound_free(o)      aborts what is still running, joins the thread
 *
 * Policy: the target is checked against the allow-list before anything else;
 * a name is resolved by us, every address checked (wg__allow_address), and
 * libcurl pinned to the checked addresses (CURLOPT_RESOLVE), so that it
 * cannot resolve the name again to somewhere else. Redirects are never
 * followed (the guest gets the 3xx and must ask again, checked again);
 * proxies from the environment are ignored; only http and https.
 */
#ifndef WG_SERVICES_OUTBOUND_HTTP_H
#define WG_SERVICES_OUTBOUND_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "services/allowlist.h"

/* wasi:http/types error-code cases (the ones a transport produces), in the
 * WIT's order of the variant so the host can map them one to one. */
typedef enum wg_outbound_err {
    WG_OUT_OK = -1,
    WG_OUT_DNS_TIMEOUT = 0,
    WG_OUT_DNS_ERROR = 1,
    WG_OUT_DESTINATION_NOT_FOUND = 2,
    WG_OUT_DESTINATION_UNAVAILABLE = 3,
    WG_OUT_DESTINATION_IP_PROHIBITED = 4,
    WG_OUT_DESTINATION_IP_UNROUTABLE = 5,
    WG_OUT_CONNECTION_REFUSED = 6,
    WG_OUT_CONNECTION_TERMINATED = 7,
    WG_OUT_CONNECTION_TIMEOUT = 8,
    WG_OUT_CONNECTION_READ_TIMEOUT = 9,
    WG_OUT_CONNECTION_WRITE_TIMEOUT = 10,
    WG_OUT_CONNECTION_LIMIT_REACHED = 11,
    WG_OUT_TLS_PROTOCOL_ERROR = 12,
    WG_OUT_TLS_CERTIFICATE_ERROR = 13,
    WG_OUT_TLS_ALERT_RECEIVED = 14,
    WG_OUT_HTTP_REQUEST_DENIED = 15,
    WG_OUT_HTTP_REQUEST_LENGTH_REQUIRED = 16,
    WG_OUT_HTTP_REQUEST_BODY_SIZE = 17,
    WG_OUT_HTTP_REQUEST_METHOD_INVALID = 18,
    WG_OUT_HTTP_REQUEST_URI_INVALID = 19,
    WG_OUT_HTTP_REQUEST_URI_TOO_LONG = 20,
    WG_OUT_HTTP_REQUEST_HEADER_SECTION_SIZE = 21,
    WG_OUT_HTTP_REQUEST_HEADER_SIZE = 22,
    WG_OUT_HTTP_REQUEST_TRAILER_SECTION_SIZE = 23,
    WG_OUT_HTTP_REQUEST_TRAILER_SIZE = 24,
    WG_OUT_HTTP_RESPONSE_INCOMPLETE = 25,
    WG_OUT_HTTP_RESPONSE_HEADER_SECTION_SIZE = 26,
    WG_OUT_HTTP_RESPONSE_HEADER_SIZE = 27,
    WG_OUT_HTTP_RESPONSE_BODY_SIZE = 28,
    WG_OUT_HTTP_RESPONSE_TRAILER_SECTION_SIZE = 29,
    WG_OUT_HTTP_RESPONSE_TRAILER_SIZE = 30,
    WG_OUT_HTTP_RESPONSE_TRANSFER_CODING = 31,
    WG_OUT_HTTP_RESPONSE_CONTENT_CODING = 32,
    WG_OUT_HTTP_RESPONSE_TIMEOUT = 33,
    WG_OUT_HTTP_UPGRADE_FAILED = 34,
    WG_OUT_HTTP_PROTOCOL_ERROR = 35,
    WG_OUT_LOOP_DETECTED = 36,
    WG_OUT_CONFIGURATION_ERROR = 37,
    WG_OUT_INTERNAL_ERROR = 38,
} wg_outbound_err;

/* The wasi:http name of an error code ("HTTP-request-denied"). */
const char *wg__outbound_err_name(wg_outbound_err e);

/* Shared by every request of a server: the connection cache, DNS cache and
 * TLS sessions, and counters. Thread-safe. */
typedef struct wg_outbound_client wg_outbound_client;

/* Called when a request ends (any thread): its host and status (0 when it
 * failed, with err). For metrics. */
typedef void (*wg_outbound_done_fn)(void *data, const char *host, int status,
                                    wg_outbound_err err);

wg_outbound_client *wg__outbound_client_new(wg_outbound_done_fn done, void *data, char *errbuf,
                                            size_t errlen);
void wg__outbound_client_free(wg_outbound_client *c);

typedef struct wg_outbound_header {
    const char *name, *value;
    size_t name_len, value_len;
} wg_outbound_header;

typedef struct wg_outbound_req {
    const char *method;          /* "GET", "POST", ... or an extension token */
    const char *scheme;          /* "http" / "https" */
    const char *authority;       /* "host[:port]" */
    const char *path_with_query; /* "/x?y"; NULL or "" is "/" */
    const wg_outbound_header *headers;
    size_t nheaders;
    bool has_body;               /* a body follows through wg__outbound_body_fd */
    int64_t content_length;      /* of that body; -1 unknown (sent chunked) */
} wg_outbound_req;

typedef struct wg_outbound_opts {
    const wg_allowlist *allow;      /* required; NULL denies everything */
    uint64_t connect_timeout_ns;    /* 0: 10 s */
    uint64_t first_byte_timeout_ns; /* from the request's end to the response head; 0: 60 s */
    uint64_t between_bytes_timeout_ns; /* 0: 60 s */
    size_t max_response_head;       /* 0: 64 KiB */
    const char *ca_file;            /* NULL: the system's */
} wg_outbound_opts;

typedef struct wg_outbound wg_outbound;

/* Starts a request. Returns NULL with *err set when it cannot start (the
 * target is not granted: WG_OUT_HTTP_REQUEST_DENIED; an invalid method,
 * scheme or authority: the matching request error; out of resources:
 * internal error), with a message in msg. Otherwise the request runs. */
wg_outbound *wg__outbound_start(wg_outbound_client *c, const wg_outbound_req *req,
                                const wg_outbound_opts *opts, wg_outbound_err *err, char *msg,
                                size_t msglen);

/* The request body. wg__outbound_body_write sends what the server side can
 * take now (never blocks): bytes written, 0 when it would block (then poll
 * wg__outbound_body_fd for POLLOUT), -1 when the request no longer reads
 * its body (it failed or ended). wg__outbound_body_done ends the body
 * (idempotent). The fd is -1 for a request without a body. */
long wg__outbound_body_write(wg_outbound *o, const void *p, size_t n);
int wg__outbound_body_fd(const wg_outbound *o);
void wg__outbound_body_done(wg_outbound *o);

/* A descriptor that becomes readable once the response head (or an error)
 * is there; for poll(2) with other pollables. */
int wg__outbound_head_fd(const wg_outbound *o);

/* Waits for the response head. interrupted (may be NULL) is asked every
 * 50 ms; when it says true the wait ends with WG_OUT_INTERNAL_ERROR and
 * *was_interrupted. On success *status is the final status (1xx skipped)
 * and the headers are wg__outbound_header(o, i) for i < *nheaders. */
wg_outbound_err wg__outbound_wait_head(wg_outbound *o, int *status, size_t *nheaders,
                                       bool (*interrupted)(void *data), void *data,
                                       bool *was_interrupted);
bool wg__outbound_ready(const wg_outbound *o); /* the head or an error is there */
const wg_outbound_header *wg__outbound_header(const wg_outbound *o, size_t i);
const char *wg__outbound_message(const wg_outbound *o); /* the error's detail, or "" */

/* The response body: wg__outbound_resp_read gives what has arrived (never
 * blocks): bytes read, 0 at the end of the body, -1 with errno EAGAIN when
 * nothing is there yet (poll wg__outbound_resp_fd for POLLIN). */
long wg__outbound_resp_read(wg_outbound *o, void *buf, size_t cap);
int wg__outbound_resp_fd(const wg_outbound *o);

/* After EOF on the response body: WG_OUT_OK when the body was complete,
 * otherwise why it ended early. Waits for the transfer to end. */
wg_outbound_err wg__outbound_result(wg_outbound *o);

void wg__outbound_free(wg_outbound *o);

#endif
