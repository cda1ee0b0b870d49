/*
 * The WAGI protocol (https://github.com/deislabs/wagi/blob/main/docs/architecture.md),
 * as pure functions with no I/O, so tests/unit/test_wagi.c can check them:
 *
 *   request  -> CGI/1.1 environment (wg__wagi_build_env) and argv
 *               (wg__wagi_build_argv)
 *   stdout   -> status, headers and body (wg__wagi_parse_output)
 *
 * Environment (RFC 3875 plus WAGI's X_* names):
 *   REQUEST_METHOD QUERY_STRING (raw) CONTENT_LENGTH (body bytes) CONTENT_TYPE
 *   PATH_INFO (decoded rest of the path after a wildcard route's prefix, ""
 *   for exact routes) X_RAW_PATH_INFO (the same, undecoded) SCRIPT_NAME and
 *   X_COMPONENT_ROUTE (route without "/...") PATH_TRANSLATED (= PATH_INFO)
 *   SERVER_NAME SERVER_PORT SERVER_PROTOCOL SERVER_SOFTWARE (wasmgate/VERSION)
 *   GATEWAY_INTERFACE (CGI/1.1) REMOTE_ADDR REMOTE_HOST (= REMOTE_ADDR)
 *   AUTH_TYPE (the registered scheme named by Authorization, else "": never
 *   the credential) REMOTE_USER (Basic user, or "")
 *   X_MATCHED_ROUTE (route as written) X_FULL_URL (scheme://host:port/path?query)
 *   X_BASE_PATH ("/"), and HTTP_<NAME> for every header but Authorization,
 *   Connection and Proxy (httpoxy): NAME uppercased, every byte that is not a
 *   letter or digit turned into '_'; repeated headers joined with ", ".
 *
 * argv: the route's template (NULL: "${SCRIPT_NAME} ${ARGS}"; an empty,
 * non-NULL template gives an empty argv): a word
 * "${ARGS}" becomes one argument per '&'-separated, percent-decoded query
 * item (empty items skipped); inside a longer word the items are joined with
 * spaces; ${SCRIPT_NAME} is replaced anywhere.
 *
 * stdout: header lines up to the first empty line (LF or CRLF); names are
 * tokens, compared case-insensitively; values lose surrounding spaces/tabs
 * and may not hold control characters (a lone CR inside a value is an error,
 * so a guest cannot smuggle a header break past us). `status` gives the code
 * ("404" or "404 Not Found"; 200-599); `location` without a status means 302;
 * at least one of content-type, status, location is required. Framing and
 * hop-by-hop headers (content-length, transfer-encoding, connection,
 * keep-alive, upgrade, te, trailer, proxy-connection) are dropped: the server
 * frames the body itself. Limits: WG_WAGI_MAX_HEADERS lines,
 * WG_WAGI_MAX_HEADER_BYTES bytes before the blank line.
 */
#ifndef WG_GATEWAY_WAGI_H
#define WG_GATEWAY_WAGI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gateway/app.h"

#define WG_WAGI_MAX_HEADERS 100
#define WG_WAGI_MAX_HEADER_BYTES 65536

typedef struct wg_wagi_header {
    const char *name;
    const char *value;
} wg_wagi_header;

/* One request as the server saw it. All strings NUL-terminated, borrowed. */
typedef struct wg_wagi_request {
    const char *method;       /* "GET" */
    const char *protocol;     /* "HTTP/1.1" (NULL: "HTTP/1.1") */
    const char *raw_path;     /* path as received, undecoded, without the query */
    const char *path;         /* raw_path percent-decoded */
    const char *query;        /* raw query without '?' ("" if none) */
    const wg_app_route *route;/* the matched route */
    size_t prefix_len;        /* bytes of `path` the route consumed (router.h) */
    const char *scheme;       /* "http" or "https" */
    const char *server_name;  /* host without port (Host header, else listen address) */
    const char *server_port;  /* "3000" */
    const char *remote_addr;  /* "127.0.0.1" */
    uint64_t content_length;  /* body bytes received */
    const char *content_type; /* Content-Type header, or NULL */
    const char *authorization;/* Authorization header, or NULL */
    const wg_wagi_header *headers; size_t nheaders; /* every request header */
} wg_wagi_request;

/* A list of NUL-terminated strings in one growable block. Zero-initialise;
 * free with wg__wagi_strs_free. For an environment, entries go in pairs:
 * name at 2i, value at 2i+1. */
typedef struct wg_wagi_strs {
    char *buf;
    size_t len, cap;    /* bytes used / allocated in buf */
    size_t *offs;       /* offset of each string in buf */
    size_t n, ncap;     /* strings / room in offs */
} wg_wagi_strs;

/* Appends src[0..len) as a new string. False when out of memory. */
bool wg__wagi_strs_push(wg_wagi_strs *s, const char *src, size_t len);
/* String i (valid until the next push). */
const char *wg__wagi_strs_at(const wg_wagi_strs *s, size_t i);
void wg__wagi_strs_reset(wg_wagi_strs *s);
void wg__wagi_strs_free(wg_wagi_strs *s);
/* For an environment list: the value of name, or NULL. */
const char *wg__wagi_env_get(const wg_wagi_strs *env, const char *name);

/* Appends the CGI/WAGI variables of rq to env (pairs). False when out of memory. */
bool wg__wagi_build_env(const wg_wagi_request *rq, wg_wagi_strs *env);

/* Appends the guest's argv for this route and raw query to argv. False when
 * out of memory. */
bool wg__wagi_build_argv(const wg_app_route *route, const char *query, wg_wagi_strs *argv);

/* Percent-decodes src[0..len) into dst (room for len + 1 bytes; "%zz" and a
 * trailing "%" are kept as they are; '+' is kept). Returns the decoded
 * length; dst is NUL-terminated and may contain NULs from "%00". */
size_t wg__wagi_url_decode(const char *src, size_t len, char *dst);

/* The part of raw_path after its first `decoded_len` decoded bytes. */
const char *wg__wagi_raw_suffix(const char *raw_path, size_t decoded_len);

/* A parsed guest response. */
typedef struct wg_wagi_response {
    unsigned status;                              /* 200..599 */
    wg_wagi_header headers[WG_WAGI_MAX_HEADERS];  /* to send, in order (not status) */
    size_t nheaders;
    size_t body_off, body_len;                    /* the body within the output */
    size_t ndropped;                              /* framing/hop-by-hop headers dropped */
    char *hbuf;                                   /* owns the header strings */
    char error[200];                              /* why parsing failed */
} wg_wagi_response;

/* Parses a guest's stdout. True with resp filled; false with resp->error
 * saying why (the caller answers 500). Either way free resp with
 * wg__wagi_response_free. */
bool wg__wagi_parse_output(const uint8_t *out, size_t len, wg_wagi_response *resp);
void wg__wagi_response_free(wg_wagi_response *resp);

#endif
