/*
 * Request-head checks (http_head.h): what libmicrohttpd 0.9.75 accepts but a
 * server behind a proxy must refuse.
 */
#include "gateway/http_head.h"

#include <microhttpd.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>


typedef struct field {
    const char *name, *value;
    size_t nlen, vlen;
} field;

typedef struct fields {
    field f[WG_HTTP_MAX_FIELDS];
    size_t n;
    bool overflow;
} fields;

static enum MHD_Result collect(void *cls, enum MHD_ValueKind kind, const char *key,
                               size_t key_size, const char *value, size_t value_size) {
    (void)kind;
    fields *fs = cls;
    if (fs->n == WG_HTTP_MAX_FIELDS) {
        fs->overflow = true;
        return MHD_NO;
    }
    fs->f[fs->n++] = (field){key, value ? value : "", key_size, value ? value_size : 0};
    return MHD_YES;
}

bool wg__http_is_tchar(unsigned char ch) {
    if ((ch >= '0' && ch <= '9') || (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z'))
        return true;
    return ch && strchr("!#$%&'*+-.^_`|~", ch) != NULL;
}

static bool is_token(const char *s, size_t n) {
    if (n == 0) return false;
    for (size_t i = 0; i < n; i++)
        if (!wg__http_is_tchar((unsigned char)s[i])) return false;
    return true;
}

/* RFC 9110 5.5: field-content is VCHAR, SP, HTAB and obs-text. */
static bool value_ok(const char *s, size_t n) {
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if ((ch < 0x20 && ch != '\t') || ch == 0x7F) return false;
    }
    return true;
}

/* uri-host [ ":" port ]: reg-name, IPv4 or a bracketed IP literal. */
static bool host_ok(const char *s, size_t n) {
    if (n == 0) return true; /* RFC 9112 3.2: empty when the target has no authority */
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if ((ch >= '0' && ch <= '9') || (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z'))
            continue;
        if (!strchr("-._~%!$&'()*+,;=:[]", ch)) return false;
    }
    return true;
}

static bool name_is(const field *f, const char *name) {
    return f->nlen == strlen(name) && strncasecmp(f->name, name, f->nlen) == 0;
}

static bool all_digits(const char *s, size_t n) {
    if (n == 0 || n > 19) return false; /* 19 digits always fit in 64 bits */
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9') return false;
    return true;
}

/* Transfer-Encoding's value: 0 when it is exactly "chunked" (what MHD then
 * decodes), 400 for "chunked" listed twice or an empty list member, 501 for
 * any other coding. */
static unsigned te_status(const char *v, size_t n) {
    if (n == 7 && strncasecmp(v, "chunked", 7) == 0) return 0;
    size_t i = 0;
    while (i <= n) {
        size_t start = i;
        while (i < n && v[i] != ',') i++;
        size_t a = start, b = i;
        while (a < b && (v[a] == ' ' || v[a] == '\t')) a++;
        while (b > a && (v[b - 1] == ' ' || v[b - 1] == '\t')) b--;
        if (b > a && !(b - a == 7 && strncasecmp(v + a, "chunked", 7) == 0)) return 501;
        i++;
    }
    /* Only "chunked" members, but not exactly one bare "chunked": MHD compares
     * the whole value with "chunked" and would not decode it. */
    return 400;
}

/*
 * The in-place layout of MHD 0.9.75 (connection.c: get_next_header_line,
 * process_header_line, process_broken_line). The head [method, method +
 * header_size) is the request line and the header lines as received, with
 * each line end (CRLF or a bare LF) overwritten by NULs, each header's colon
 * by a NUL, and the value starting after the whitespace that follows the
 * colon; a value is stored as a pointer into the line and strlen of it. So
 * for header i:
 *     name_i[nlen_i] == 0, then only SP/HTAB up to value_i,
 *     value_i[vlen_i] == 0, then 1 or 2 NULs (its line end), then name_i+1;
 * after the last value come its line end and the empty line: 2 to 4 NULs up
 * to the end of the head. A NUL inside a value leaves the rest of the line
 * (non-NUL bytes) between the stored value and the next line; an obs-fold
 * moves the name (MHD reallocates it to glue the continuation onto it) out
 * of place.
 */
static bool layout_ok(struct MHD_Connection *c, const char *method, const fields *fs) {
    if (fs->n == 0) return true;
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_REQUEST_HEADER_SIZE);
    if (!ci) return false;
    const char *head = method, *end = method + ci->header_size;
    for (size_t i = 0; i < fs->n; i++) {
        const field *f = &fs->f[i];
        if (f->name <= head || f->name + f->nlen >= end || f->name[f->nlen] != '\0') return false;
        const char *p = f->name + f->nlen + 1;
        if (f->value < p || f->value + f->vlen >= end) return false;
        for (; p < f->value; p++)
            if (*p != ' ' && *p != '\t') return false;
        p = f->value + f->vlen;
        const char *next = i + 1 < fs->n ? fs->f[i + 1].name : end;
        if (next < p) return false;
        size_t nuls = (size_t)(next - p);
        if (i + 1 < fs->n ? (nuls < 1 || nuls > 2) : (nuls < 2 || nuls > 4)) return false;
        for (; p < next; p++)
            if (*p != '\0') return false;
    }
    return true;
}

bool wg__http_head_layout_known(void) {
    const char *v = MHD_get_version();
    return v && strcmp(v, "0.9.75") == 0;
}

static wg_head_verdict verdict(unsigned status, const char *why) {
    return (wg_head_verdict){status, why};
}

wg_head_verdict wg__http_head_check(struct MHD_Connection *c, const char *method,
                                    const char *raw_target, const char *version, bool layout) {
    for (const unsigned char *t = (const unsigned char *)raw_target; *t; t++)
        if (*t <= 0x20 || *t == 0x7F) return verdict(400, "space or control byte in the request target");

    const union MHD_ConnectionInfo *hs =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_REQUEST_HEADER_SIZE);
    if (hs && hs->header_size > WG_HTTP_MAX_HEAD) return verdict(431, "request head over 24 KiB");
    fields fs; /* 4 KiB on an MHD worker's stack (8 MiB by default) */
    fs.n = 0;
    fs.overflow = false;
    MHD_get_connection_values_n(c, MHD_HEADER_KIND, collect, &fs);
    if (fs.overflow) return verdict(431, "more than 128 header fields");

    const field *cl = NULL, *te = NULL, *host = NULL;
    size_t nte = 0, nhost = 0;
    for (size_t i = 0; i < fs.n; i++) {
        const field *f = &fs.f[i];
        if (!is_token(f->name, f->nlen)) return verdict(400, "header name is not a token");
        if (!value_ok(f->value, f->vlen)) return verdict(400, "control byte in a header value");
        if (name_is(f, "content-length")) {
            if (!all_digits(f->value, f->vlen)) return verdict(400, "bad Content-Length");
            if (cl && (cl->vlen != f->vlen || memcmp(cl->value, f->value, f->vlen) != 0))
                return verdict(400, "Content-Length given twice with different values");
            cl = f;
        } else if (name_is(f, "transfer-encoding")) {
            te = f;
            nte++;
        } else if (name_is(f, "host")) {
            host = f;
            nhost++;
        }
    }
    if (layout && !layout_ok(c, method, &fs))
        return verdict(400, "malformed header line (NUL byte or obs-fold)");
    bool http11 = version && strcmp(version, "HTTP/1.1") == 0;
    if (nhost > 1) return verdict(400, "more than one Host");
    if (http11 && nhost == 0) return verdict(400, "HTTP/1.1 request without Host");
    if (host && !host_ok(host->value, host->vlen)) return verdict(400, "bad Host");
    if (te) {
        if (cl) return verdict(400, "both Transfer-Encoding and Content-Length");
        if (!http11) return verdict(400, "Transfer-Encoding in an HTTP/1.0 request");
        if (nte > 1) return verdict(400, "Transfer-Encoding given twice");
        unsigned st = te_status(te->value, te->vlen);
        if (st == 501) return verdict(501, "unsupported transfer coding");
        if (st) return verdict(400, "bad Transfer-Encoding");
    }
    return verdict(0, NULL);
}
