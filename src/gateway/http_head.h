/*
 * Request-head checks made before a request reaches a route: what RFC 9112
 * requires of a server behind a proxy (no request smuggling) and what
 * libmicrohttpd 0.9.75, Debian 12's version, lets through.
 *
 * Answered 400 (and the connection closed):
 *   - a request target with a space or a control byte (MHD, not strict,
 *     passes "/a b"; strict, it drops the connection without any answer);
 *   - a header name that is not a token ("Transfer-Encoding : chunked": MHD
 *     keeps "Transfer-Encoding " as the name, so a proxy that reads the
 *     header as chunked and we disagree on where the request ends);
 *   - a header value with a control byte other than HTAB (a NUL, a lone CR);
 *   - an obs-folded header (RFC 9112 5.2: MHD 0.9.75 glues the continuation
 *     line onto the header *name*, so the value is lost);
 *   - Content-Length that is not 1*DIGIT, or several that differ;
 *   - Transfer-Encoding with Content-Length (6.3: the pair is how smuggling
 *     starts), in HTTP/1.0, twice, or "chunked" more than once;
 *   - no Host in HTTP/1.1, or more than one Host, or one with bytes a host
 *     cannot have.
 * Answered 501: a transfer coding other than "chunked" (gzip, identity...):
 * MHD would wait for the connection to close to find the end of the body.
 *
 * The NUL and obs-fold cases cannot be seen through MHD's API: it parses the
 * head in place and stores the strings with strlen, so "a\0b" reads "a" and a
 * folded line vanishes into the name. wg__http_head_layout_ok looks at that
 * in-place layout instead: every header must occupy exactly one line of the
 * head (name, colon, optional whitespace, value, line end, next header) and
 * nothing may hide between a value's end and the next line. The layout is
 * libmicrohttpd's internal business, so the check runs only on a version whose
 * parser we have read (0.9.75; wg__http_head_layout_known); with any other
 * version the server says at start-up that these two checks are off.
 */
#ifndef WG_GATEWAY_HTTP_HEAD_H
#define WG_GATEWAY_HTTP_HEAD_H

#include <stdbool.h>
#include <stddef.h>

struct MHD_Connection;

/* Request targets longer than this get 414 (RFC 9112 3: 8000 octets is the
 * recommended minimum a server supports). */
#define WG_HTTP_MAX_TARGET 8192
/* A request head (request line and headers) larger than this, or with more
 * header fields, gets 431: what is left of the connection's 64 KiB pool must
 * hold the response head (server.c). */
#define WG_HTTP_MAX_HEAD (24 * 1024)
#define WG_HTTP_MAX_FIELDS 128

/* What is wrong with a request head: status 0 (fine), 400, 431 or 501, and a short
 * reason for the log. */
typedef struct wg_head_verdict {
    unsigned status;
    const char *why;
} wg_head_verdict;

/* Checks the head of the request on c: raw_target is the request target as
 * received, version MHD's "HTTP/1.1", method MHD's method pointer (the start
 * of the head in MHD's buffer); layout says whether the in-place layout check
 * may run (wg__http_head_layout_known). */
wg_head_verdict wg__http_head_check(struct MHD_Connection *c, const char *method,
                                    const char *raw_target, const char *version, bool layout);

/* True if the running libmicrohttpd is a version whose in-place head layout
 * wg__http_head_check knows. */
bool wg__http_head_layout_known(void);

/* RFC 9110 5.6.2 tchar. */
bool wg__http_is_tchar(unsigned char ch);

#endif
