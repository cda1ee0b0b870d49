/*
 * The WAGI protocol: request -> environment and argv, stdout -> response.
 * See wagi.h for the exact rules. No I/O, no global state.
 */
#include "gateway/wagi.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "wasmgate/wasmgate.h"

/* ---- string lists ---------------------------------------------------------------- */

/* Appends src[0..len) + NUL. */
bool wg__wagi_strs_push(wg_wagi_strs *s, const char *src, size_t len) {
    if (s->len + len + 1 > s->cap) {
        size_t ncap = s->cap ? s->cap : 1024;
        while (ncap < s->len + len + 1) ncap *= 2;
        char *grown = realloc(s->buf, ncap);
        if (!grown) return false;
        s->buf = grown;
        s->cap = ncap;
    }
    if (s->n == s->ncap) {
        size_t ncap = s->ncap ? s->ncap * 2 : 64;
        size_t *grown = realloc(s->offs, ncap * sizeof *grown);
        if (!grown) return false;
        s->offs = grown;
        s->ncap = ncap;
    }
    s->offs[s->n++] = s->len;
    if (len) memcpy(s->buf + s->len, src, len);
    s->buf[s->len + len] = '\0';
    s->len += len + 1;
    return true;
}

/* String i; valid until the next push. */
const char *wg__wagi_strs_at(const wg_wagi_strs *s, size_t i) {
    return i < s->n ? s->buf + s->offs[i] : NULL;
}

/* Empties the list, keeping its memory. */
void wg__wagi_strs_reset(wg_wagi_strs *s) {
    s->len = 0;
    s->n = 0;
}

/* Frees the list's memory (the struct itself is the caller's). */
void wg__wagi_strs_free(wg_wagi_strs *s) {
    free(s->buf);
    free(s->offs);
    memset(s, 0, sizeof *s);
}

/* Value of name in a pair list, or NULL. */
const char *wg__wagi_env_get(const wg_wagi_strs *env, const char *name) {
    for (size_t i = 0; i + 1 < env->n; i += 2)
        if (strcmp(wg__wagi_strs_at(env, i), name) == 0) return wg__wagi_strs_at(env, i + 1);
    return NULL;
}

static bool put(wg_wagi_strs *env, const char *name, const char *value) {
    if (!value) value = "";
    return wg__wagi_strs_push(env, name, strlen(name)) &&
           wg__wagi_strs_push(env, value, strlen(value));
}

/* ---- decoding ------------------------------------------------------------------------ */

static int hexval(int c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Percent-decodes (see wagi.h). */
size_t wg__wagi_url_decode(const char *src, size_t len, char *dst) {
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        int hi, lo;
        if (src[i] == '%' && i + 2 < len &&
            (hi = hexval((unsigned char)src[i + 1])) >= 0 &&
            (lo = hexval((unsigned char)src[i + 2])) >= 0) {
            dst[o++] = (char)(hi << 4 | lo);
            i += 2;
        } else {
            dst[o++] = src[i];
        }
    }
    dst[o] = '\0';
    return o;
}

/* The raw suffix after decoded_len decoded bytes. */
const char *wg__wagi_raw_suffix(const char *raw_path, size_t decoded_len) {
    const char *p = raw_path;
    size_t n = 0;
    while (*p && n < decoded_len) {
        if (p[0] == '%' && hexval((unsigned char)p[1]) >= 0 && hexval((unsigned char)p[2]) >= 0)
            p += 3;
        else
            p++;
        n++;
    }
    return p;
}

static const uint8_t b64_table[256] = {
#define B(c, v) [c] = v + 1
    B('A', 0), B('B', 1), B('C', 2), B('D', 3), B('E', 4), B('F', 5), B('G', 6), B('H', 7),
    B('I', 8), B('J', 9), B('K', 10), B('L', 11), B('M', 12), B('N', 13), B('O', 14),
    B('P', 15), B('Q', 16), B('R', 17), B('S', 18), B('T', 19), B('U', 20), B('V', 21),
    B('W', 22), B('X', 23), B('Y', 24), B('Z', 25), B('a', 26), B('b', 27), B('c', 28),
    B('d', 29), B('e', 30), B('f', 31), B('g', 32), B('h', 33), B('i', 34), B('j', 35),
    B('k', 36), B('l', 37), B('m', 38), B('n', 39), B('o', 40), B('p', 41), B('q', 42),
    B('r', 43), B('s', 44), B('t', 45), B('u', 46), B('v', 47), B('w', 48), B('x', 49),
    B('y', 50), B('z', 51), B('0', 52), B('1', 53), B('2', 54), B('3', 55), B('4', 56),
    B('5', 57), B('6', 58), B('7', 59), B('8', 60), B('9', 61), B('+', 62), B('/', 63),
#undef B
};

/* Decodes base64 src into dst (room for 3/4 of strlen(src) + 1); stops at
 * '=' or the first non-alphabet byte. Returns the decoded length. */
static size_t b64_decode(const char *src, char *dst) {
    uint32_t acc = 0;
    int bits = 0;
    size_t o = 0;
    for (; *src; src++) {
        uint8_t v = b64_table[(unsigned char)*src];
        if (!v) break;
        acc = acc << 6 | (uint32_t)(v - 1);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            dst[o++] = (char)(acc >> bits & 0xFF);
        }
    }
    dst[o] = '\0';
    return o;
}

/* ---- environment --------------------------------------------------------------------- */

/* Authentication schemes AUTH_TYPE may name: the IANA HTTP Authentication
 * Scheme Registry, plus NTLM and AWS4-HMAC-SHA256, which are common. Only these
 * exact names reach the guest, spelled as here: the first word of an
 * Authorization header is client text, and a client that sends a bare token
 * ("Authorization: sk_live_...") would otherwise put its credential into
 * AUTH_TYPE, which CGI treats as public (logged, echoed in error pages). */
static const char *const auth_schemes[] = {
    "Basic", "Bearer", "Concealed", "Digest", "DPoP", "GNAP", "HOBA", "Mutual",
    "Negotiate", "OAuth", "PrivateToken", "SCRAM-SHA-1", "SCRAM-SHA-256", "vapid",
    "NTLM", "AWS4-HMAC-SHA256",
};

/* The registered spelling of the scheme auth[0..len), or NULL. */
static const char *known_scheme(const char *auth, size_t len) {
    for (size_t i = 0; i < sizeof auth_schemes / sizeof *auth_schemes; i++)
        if (strlen(auth_schemes[i]) == len && strncasecmp(auth, auth_schemes[i], len) == 0)
            return auth_schemes[i];
    return NULL;
}

/* AUTH_TYPE and REMOTE_USER from an Authorization header. */
static bool put_auth(wg_wagi_strs *env, const char *auth) {
    if (!auth) return put(env, "AUTH_TYPE", "") && put(env, "REMOTE_USER", "");
    while (*auth == ' ' || *auth == '\t') auth++;
    size_t slen = strcspn(auth, " \t");
    const char *scheme = known_scheme(auth, slen);
    if (!put(env, "AUTH_TYPE", scheme ? scheme : "")) return false;
    if (scheme && strcmp(scheme, "Basic") == 0) {
        const char *cred = auth + slen;
        while (*cred == ' ' || *cred == '\t') cred++;
        size_t clen = strlen(cred);
        char *dec = malloc(clen / 4 * 3 + 4);
        if (!dec) return false;
        size_t dlen = b64_decode(cred, dec);
        const char *colon = memchr(dec, ':', dlen);
        size_t ulen = colon ? (size_t)(colon - dec) : dlen;
        size_t nul = strnlen(dec, ulen); /* a NUL would cut the variable anyway */
        bool ok = wg__wagi_strs_push(env, "REMOTE_USER", 11) && wg__wagi_strs_push(env, dec, nul);
        free(dec);
        return ok;
    }
    return put(env, "REMOTE_USER", "");
}

static bool skip_header(const char *name) {
    return strcasecmp(name, "authorization") == 0 || strcasecmp(name, "connection") == 0 ||
           strcasecmp(name, "proxy") == 0;
}

/* HTTP_<NAME> for every header; repeated names joined with ", ". */
static bool put_headers(wg_wagi_strs *env, const wg_wagi_header *h, size_t n) {
    char name[256];
    for (size_t i = 0; i < n; i++) {
        if (!h[i].name || !h[i].value || skip_header(h[i].name)) continue;
        size_t len = strlen(h[i].name);
        if (len == 0 || len + 5 >= sizeof name) continue;
        memcpy(name, "HTTP_", 5);
        for (size_t j = 0; j < len; j++) {
            unsigned char c = (unsigned char)h[i].name[j];
            name[5 + j] = isalnum(c) ? (char)toupper(c) : '_';
        }
        name[5 + len] = '\0';
        /* Repeated header: join with the earlier value (rare; a linear scan). */
        size_t found = (size_t)-1;
        for (size_t k = 0; k + 1 < env->n; k += 2)
            if (strcmp(wg__wagi_strs_at(env, k), name) == 0) found = k + 1;
        if (found == (size_t)-1) {
            if (!put(env, name, h[i].value)) return false;
            continue;
        }
        /* Rebuild the value at the end and point the pair's value at it. */
        const char *old = wg__wagi_strs_at(env, found);
        size_t olen = strlen(old), vlen = strlen(h[i].value);
        char *joined = malloc(olen + vlen + 3);
        if (!joined) return false;
        memcpy(joined, old, olen);
        memcpy(joined + olen, ", ", 2);
        memcpy(joined + olen + 2, h[i].value, vlen + 1);
        bool ok = wg__wagi_strs_push(env, joined, olen + vlen + 2);
        free(joined);
        if (!ok) return false;
        env->offs[found] = env->offs[--env->n];
    }
    return true;
}

/* Builds the CGI/WAGI environment (see wagi.h). */
bool wg__wagi_build_env(const wg_wagi_request *rq, wg_wagi_strs *env) {
    const wg_app_route *r = rq->route;
    const char *query = rq->query ? rq->query : "";
    const char *script = r->wildcard ? (r->prefix ? r->prefix : "") : r->route;
    const char *path_info = r->wildcard ? rq->path + rq->prefix_len : "";
    const char *raw_info = r->wildcard ? wg__wagi_raw_suffix(rq->raw_path, rq->prefix_len) : "";
    char num[32];
    snprintf(num, sizeof num, "%llu", (unsigned long long)rq->content_length);

    /* X_FULL_URL: scheme://host:port/raw_path?query */
    size_t ulen = strlen(rq->scheme) + strlen(rq->server_name) + strlen(rq->server_port) +
                  strlen(rq->raw_path) + strlen(query) + 16;
    char *url = malloc(ulen);
    if (!url) return false;
    bool v6 = strchr(rq->server_name, ':') != NULL;
    snprintf(url, ulen, "%s://%s%s%s:%s%s%s%s", rq->scheme, v6 ? "[" : "", rq->server_name,
             v6 ? "]" : "", rq->server_port, rq->raw_path, *query ? "?" : "", query);

    bool ok = put(env, "REQUEST_METHOD", rq->method) && put(env, "QUERY_STRING", query) &&
              put(env, "CONTENT_LENGTH", num) && put(env, "CONTENT_TYPE", rq->content_type) &&
              put(env, "PATH_INFO", path_info) && put(env, "X_RAW_PATH_INFO", raw_info) &&
              put(env, "SCRIPT_NAME", script) && put(env, "PATH_TRANSLATED", path_info) &&
              put(env, "SERVER_NAME", rq->server_name) &&
              put(env, "SERVER_PORT", rq->server_port) &&
              put(env, "SERVER_PROTOCOL", rq->protocol ? rq->protocol : "HTTP/1.1") &&
              put(env, "SERVER_SOFTWARE", "wasmgate/" WG_VERSION) &&
              put(env, "GATEWAY_INTERFACE", "CGI/1.1") &&
              put(env, "REMOTE_ADDR", rq->remote_addr) &&
              put(env, "REMOTE_HOST", rq->remote_addr) && put_auth(env, rq->authorization) &&
              put(env, "X_MATCHED_ROUTE", r->route) && put(env, "X_FULL_URL", url) &&
              put(env, "X_COMPONENT_ROUTE", script) && put(env, "X_BASE_PATH", "/") &&
              put_headers(env, rq->headers, rq->nheaders);
    free(url);
    return ok;
}

/* ---- argv -------------------------------------------------------------------------- */

/* Appends each '&'-separated, percent-decoded query item (empty ones skipped). */
static bool push_args(wg_wagi_strs *argv, const char *query) {
    size_t qlen = strlen(query);
    char *dec = malloc(qlen + 1);
    if (!dec) return false;
    const char *p = query;
    bool ok = true;
    while (ok && *p) {
        size_t n = strcspn(p, "&");
        if (n) {
            size_t dlen = wg__wagi_url_decode(p, n, dec);
            ok = wg__wagi_strs_push(argv, dec, strnlen(dec, dlen));
        }
        p += n;
        if (*p == '&') p++;
    }
    free(dec);
    return ok;
}

/* Expands one template word (see wagi.h) into argv. */
static bool expand_word(wg_wagi_strs *argv, const char *word, const char *script,
                        const char *query) {
    if (strcmp(word, "${ARGS}") == 0) return push_args(argv, query);
    /* Build the substituted word in a scratch list (joined args computed once). */
    wg_wagi_strs items = {0};
    char *joined = NULL;
    char *out = NULL;
    bool ok = false;
    size_t jlen = 0;
    if (strstr(word, "${ARGS}")) {
        if (!push_args(&items, query)) goto done;
        for (size_t i = 0; i < items.n; i++) jlen += strlen(wg__wagi_strs_at(&items, i)) + 1;
        joined = calloc(1, jlen + 1);
        if (!joined) goto done;
        for (size_t i = 0; i < items.n; i++) {
            if (i) strcat(joined, " ");
            strcat(joined, wg__wagi_strs_at(&items, i));
        }
        jlen = strlen(joined);
    }
    size_t slen = strlen(script), wlen = strlen(word);
    size_t cap = wlen + 1, len = 0;
    /* Each ${...} (at least 7 bytes) expands to at most max(slen, jlen) bytes. */
    cap += (wlen / 7 + 1) * (slen > jlen ? slen : jlen);
    out = malloc(cap);
    if (!out) goto done;
    for (const char *p = word; *p;) {
        if (strncmp(p, "${SCRIPT_NAME}", 14) == 0) {
            memcpy(out + len, script, slen);
            len += slen;
            p += 14;
        } else if (strncmp(p, "${ARGS}", 7) == 0) {
            if (jlen) memcpy(out + len, joined, jlen);
            len += jlen;
            p += 7;
        } else {
            out[len++] = *p++;
        }
    }
    ok = wg__wagi_strs_push(argv, out, len);
done:
    free(out);
    free(joined);
    wg__wagi_strs_free(&items);
    return ok;
}

/* Builds the guest's argv (see wagi.h). */
bool wg__wagi_build_argv(const wg_app_route *route, const char *query, wg_wagi_strs *argv) {
    const char *script = route->wildcard ? (route->prefix ? route->prefix : "") : route->route;
    if (!query) query = "";
    if (!route->argv)
        return wg__wagi_strs_push(argv, script, strlen(script)) && push_args(argv, query);
    for (size_t i = 0; i < route->nargv; i++)
        if (!expand_word(argv, route->argv[i], script, query)) return false;
    return true;
}

/* ---- stdout -------------------------------------------------------------------------- */

static bool is_tchar(unsigned char c) {
    return isalnum(c) || (c && strchr("!#$%&'*+-.^_`|~", c));
}

static bool dropped_header(const char *name) {
    static const char *const names[] = {"content-length", "transfer-encoding", "connection",
                                        "keep-alive",     "upgrade",           "te",
                                        "trailer",        "proxy-connection"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (strcasecmp(name, names[i]) == 0) return true;
    return false;
}

static bool fail(wg_wagi_response *resp, const char *fmt, const char *arg) {
    snprintf(resp->error, sizeof resp->error, fmt, arg);
    resp->status = 500;
    return false;
}

/* Parses "404" or "404 Reason" into 200..599; 0 if malformed. */
static unsigned parse_status(const char *v) {
    if (!isdigit((unsigned char)v[0]) || !isdigit((unsigned char)v[1]) ||
        !isdigit((unsigned char)v[2]))
        return 0;
    if (v[3] != '\0' && v[3] != ' ' && v[3] != '\t') return 0;
    unsigned code = (unsigned)((v[0] - '0') * 100 + (v[1] - '0') * 10 + (v[2] - '0'));
    return code >= 200 && code <= 599 ? code : 0;
}

/* Parses a guest's stdout (see wagi.h). */
bool wg__wagi_parse_output(const uint8_t *out, size_t len, wg_wagi_response *resp) {
    memset(resp, 0, sizeof *resp);
    if (!out || len == 0) return fail(resp, "guest printed nothing%s", "");
    /* Find the blank line: "\n\n", "\n\r\n", or output starting with one. */
    size_t hend = (size_t)-1, body = 0;
    size_t scan = len < WG_WAGI_MAX_HEADER_BYTES + 2 ? len : WG_WAGI_MAX_HEADER_BYTES + 2;
    for (size_t pos = 0; pos < scan;) {
        const uint8_t *nl = memchr(out + pos, '\n', scan - pos);
        if (!nl) break;
        size_t eol = (size_t)(nl - out);
        size_t llen = eol - pos;
        if (llen == 0 || (llen == 1 && out[pos] == '\r')) {
            hend = pos;
            body = eol + 1;
            break;
        }
        pos = eol + 1;
    }
    if (hend == (size_t)-1) {
        if (len > WG_WAGI_MAX_HEADER_BYTES)
            return fail(resp, "guest headers exceed %s bytes (or no blank line ends them)",
                        "65536");
        return fail(resp, "guest output has no blank line after the headers%s", "");
    }
    resp->hbuf = malloc(hend + 1);
    if (!resp->hbuf) return fail(resp, "out of memory%s", "");
    memcpy(resp->hbuf, out, hend);
    resp->hbuf[hend] = '\0';

    bool have_ct = false, have_loc = false;
    unsigned status = 0;
    char *p = resp->hbuf, *end = resp->hbuf + hend;
    while (p < end) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        char *eol = nl ? nl : end;
        if (eol > p && eol[-1] == '\r') eol--;
        *eol = '\0';
        char *line = p;
        p = nl ? nl + 1 : end;
        if (strlen(line) != (size_t)(eol - line))
            return fail(resp, "guest header line holds a NUL byte: \"%.60s\"", line);
        if (*line == ' ' || *line == '\t')
            return fail(resp, "guest header line starts with whitespace (folding): \"%.60s\"", line);
        char *colon = strchr(line, ':');
        if (!colon || colon == line)
            return fail(resp, "guest header line without a name: \"%.60s\"", line);
        *colon = '\0';
        for (char *c = line; *c; c++)
            if (!is_tchar((unsigned char)*c))
                return fail(resp, "guest header name is not a token: \"%.60s\"", line);
        char *v = colon + 1;
        while (*v == ' ' || *v == '\t') v++;
        size_t vlen = strlen(v);
        while (vlen && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t')) v[--vlen] = '\0';
        for (size_t i = 0; i < vlen; i++) {
            unsigned char c = (unsigned char)v[i];
            if ((c < 0x20 && c != '\t') || c == 0x7F)
                return fail(resp, "guest header \"%.60s\" holds a control character", line);
        }
        if (strcasecmp(line, "status") == 0) {
            status = parse_status(v);
            if (!status) return fail(resp, "guest printed a bad status: \"%.60s\"", v);
            continue;
        }
        if (dropped_header(line)) {
            resp->ndropped++;
            continue;
        }
        if (strcasecmp(line, "content-type") == 0) have_ct = true;
        if (strcasecmp(line, "location") == 0) have_loc = true;
        if (resp->nheaders == WG_WAGI_MAX_HEADERS)
            return fail(resp, "guest printed more than %s headers", "100");
        resp->headers[resp->nheaders].name = line;
        resp->headers[resp->nheaders].value = v;
        resp->nheaders++;
    }
    if (!have_ct && !have_loc && !status)
        return fail(resp, "guest printed neither content-type, status nor location%s", "");
    resp->status = status ? status : have_loc ? 302 : 200;
    resp->body_off = body;
    resp->body_len = len - body;
    return true;
}

/* Frees what the response owns; the struct is the caller's. */
void wg__wagi_response_free(wg_wagi_response *resp) {
    if (!resp) return;
    free(resp->hbuf);
    resp->hbuf = NULL;
    resp->nheaders = 0;
}
