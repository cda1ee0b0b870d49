/*
 * allowed_outbound_hosts (allowlist.h): Spin's grammar, parsed once per
 * route; targets are matched without allocating.
 */
#include "services/allowlist.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

enum { HOST_ANY, HOST_SUBDOMAIN, HOST_SELF, HOST_NAME, HOST_NET };

typedef struct rule {
    bool scheme_any;
    char scheme[32];
    int host;
    char name[256];     /* HOST_NAME: the name; HOST_SUBDOMAIN: ".suffix" */
    int family;         /* HOST_NET: 4 or 6 */
    uint8_t addr[16];   /* HOST_NET: the network, host bits cleared */
    unsigned prefix;    /* HOST_NET */
    bool port_any;
    uint32_t port_lo, port_hi; /* [lo, hi) */
} rule;

struct wg_allowlist {
    size_t n;
    rule rules[];
};

static bool fail(char *err, size_t errlen, const char *fmt, ...) {
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return false;
}

static char lower(char c) { return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c; }
static bool is_digit(char c) { return c >= '0' && c <= '9'; }
static bool is_hex(char c) {
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
static bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

static int well_known_port(const char *scheme) {
    static const struct { const char *scheme; int port; } known[] = {
        {"http", 80}, {"https", 443}, {"redis", 6379}, {"postgres", 5432},
        {"mysql", 3306}, {"mqtt", 1883},
    };
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (strcmp(known[i].scheme, scheme) == 0) return known[i].port;
    return -1;
}

/* ---- IPv4 as the resolver reads it (inet_aton, WHATWG URL host) -------- */

/* One part: decimal, 0x hex, or leading-0 octal. False if not a number. */
static bool ipv4_part(const char *s, size_t n, uint64_t *out) {
    unsigned base = 10;
    if (n >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) base = 16, s += 2, n -= 2;
    else if (n >= 2 && s[0] == '0') base = 8, s++, n--;
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        unsigned d;
        if (is_digit(c)) d = (unsigned)(c - '0');
        else if (base == 16 && is_hex(c)) d = (unsigned)(lower(c) - 'a' + 10);
        else return false;
        if (d >= base) return false;
        v = v * base + d;
        if (v > 0xffffffffu) v = 0x100000000u; /* too big; stays too big */
    }
    *out = v;
    return true;
}

/* Whether the last dot-separated label looks like a number: then the host
 * is an IPv4 address or invalid, never a name (WHATWG "ends in a number"). */
static bool ends_in_number(const char *s, size_t n) {
    if (n && s[n - 1] == '.') n--;
    size_t start = n;
    while (start && s[start - 1] != '.') start--;
    const char *last = s + start;
    size_t len = n - start;
    if (len == 0) return false;
    bool digits = true;
    for (size_t i = 0; i < len; i++) digits &= is_digit(last[i]);
    if (digits) return true;
    if (len >= 2 && last[0] == '0' && (last[1] == 'x' || last[1] == 'X')) {
        for (size_t i = 2; i < len; i++)
            if (!is_hex(last[i])) return false;
        return true;
    }
    return false;
}

/* 1: an IPv4 address (out), 0: not one (a name), -1: numeric but invalid. */
static int parse_ipv4(const char *s, size_t n, uint8_t out[4]) {
    if (!ends_in_number(s, n)) return 0;
    if (n && s[n - 1] == '.') n--;
    uint64_t parts[4];
    size_t np = 0, start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && s[i] != '.') continue;
        if (np == 4 || i == start) return -1;
        if (!ipv4_part(s + start, i - start, &parts[np])) return -1;
        np++;
        start = i + 1;
    }
    for (size_t i = 0; i + 1 < np; i++)
        if (parts[i] > 255) return -1;
    uint64_t last = parts[np - 1];
    if (last >= (1ull << (8 * (5 - np)))) return -1;
    uint32_t v = (uint32_t)last;
    for (size_t i = 0; i + 1 < np; i++) v |= (uint32_t)parts[i] << (8 * (3 - i));
    out[0] = (uint8_t)(v >> 24), out[1] = (uint8_t)(v >> 16);
    out[2] = (uint8_t)(v >> 8), out[3] = (uint8_t)v;
    return 1;
}

static bool parse_ipv6(const char *s, size_t n, uint8_t out[16]) {
    char buf[64];
    if (n == 0 || n >= sizeof buf) return false;
    memcpy(buf, s, n);
    buf[n] = '\0';
    return inet_pton(AF_INET6, buf, out) == 1;
}

/* An IPv4-mapped IPv6 address (::ffff:a.b.c.d) becomes the IPv4 address;
 * prefix (when not NULL) follows. */
static void unmap(int *family, uint8_t addr[16], unsigned *prefix) {
    static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (*family != 6 || memcmp(addr, mapped, 12) != 0) return;
    if (prefix && *prefix < 96) return;
    memmove(addr, addr + 12, 4);
    memset(addr + 4, 0, 12);
    *family = 4;
    if (prefix) *prefix -= 96;
}

/* Lower-cases and checks a DNS name (ASCII letters, digits, '-', '_',
 * dots between non-empty labels; one trailing dot dropped). */
static bool parse_name(const char *s, size_t n, char *out, size_t outcap, char *err,
                       size_t errlen) {
    if (n && s[n - 1] == '.') n--;
    if (n == 0) return fail(err, errlen, "empty host name");
    if (n > 253 || n >= outcap) return fail(err, errlen, "host name longer than 253 characters");
    size_t label = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if ((unsigned char)c >= 0x80)
            return fail(err, errlen,
                        "non-ASCII host name (write the IDNA form, xn--...)");
        if (c == '.') {
            if (label == 0) return fail(err, errlen, "empty label in host name");
            label = 0;
        } else if (is_alpha(c) || is_digit(c) || c == '-' || c == '_') {
            if (++label > 63) return fail(err, errlen, "host name label longer than 63 characters");
        } else {
            return fail(err, errlen, "character '%c' is not allowed in a host name", c);
        }
        out[i] = lower(c);
    }
    if (label == 0) return fail(err, errlen, "empty label in host name");
    out[n] = '\0';
    return true;
}

static bool prefix_match(const uint8_t *a, const uint8_t *net, unsigned prefix) {
    unsigned bytes = prefix / 8, bits = prefix % 8;
    if (memcmp(a, net, bytes) != 0) return false;
    if (bits == 0) return true;
    uint8_t mask = (uint8_t)(0xff << (8 - bits));
    return (a[bytes] & mask) == (net[bytes] & mask);
}

/* ---- entries ------------------------------------------------------------ */

static bool parse_port(rule *r, const char *s, size_t n, char *err, size_t errlen) {
    if (n == 0) {
        if (r->scheme_any)
            return fail(err, errlen, "no port given, and scheme '*' has no default port "
                                     "(write :* for any port, or a number)");
        int p = well_known_port(r->scheme);
        if (p < 0)
            return fail(err, errlen, "no port given, and scheme '%s' has no well-known port",
                        r->scheme);
        r->port_lo = (uint32_t)p, r->port_hi = (uint32_t)p + 1;
        return true;
    }
    if (n == 1 && s[0] == '*') {
        r->port_any = true;
        return true;
    }
    uint32_t v[2] = {0, 0};
    size_t nv = 0, i = 0;
    for (;;) {
        size_t start = i;
        uint32_t x = 0;
        while (i < n && is_digit(s[i]) && x <= 65535) x = x * 10 + (uint32_t)(s[i++] - '0');
        if (i == start || x > 65535 || nv == 2)
            return fail(err, errlen, "port '%.*s' is not a number from 0 to 65535 or a range a..b",
                        (int)n, s);
        v[nv++] = x;
        if (i == n) break;
        if (nv == 1 && n - i > 2 && s[i] == '.' && s[i + 1] == '.') {
            i += 2;
            continue;
        }
        return fail(err, errlen, "port '%.*s' is not a number from 0 to 65535 or a range a..b",
                    (int)n, s);
    }
    if (nv == 1) {
        r->port_lo = v[0], r->port_hi = v[0] + 1;
    } else {
        if (v[0] >= v[1])
            return fail(err, errlen, "port range '%.*s' is empty (the end is excluded)", (int)n,
                        s);
        r->port_lo = v[0], r->port_hi = v[1];
    }
    return true;
}

/* host[/prefix], without brackets. */
static bool parse_host(rule *r, const char *s, size_t n, bool bracketed, char *err,
                       size_t errlen) {
    const char *slash = memchr(s, '/', n);
    size_t hn = slash ? (size_t)(slash - s) : n;
    long prefix = -1;
    if (slash) {
        const char *p = slash + 1, *end = s + n;
        if (p == end) return fail(err, errlen, "empty network prefix after '/'");
        prefix = 0;
        for (; p < end; p++) {
            if (!is_digit(*p) || prefix > 128)
                return fail(err, errlen, "'%.*s' has a path, which is not allowed", (int)n, s);
            prefix = prefix * 10 + (*p - '0');
        }
    }
    if (!bracketed && hn == 1 && s[0] == '*' && prefix < 0) {
        r->host = HOST_ANY;
        return true;
    }
    if (!bracketed && prefix < 0 &&
        ((hn == 4 && memcmp(s, "self", 4) == 0) || (hn == 8 && memcmp(s, "self.alt", 8) == 0))) {
        r->host = HOST_SELF;
        return true;
    }
    if (!bracketed && hn >= 2 && s[0] == '*' && s[1] == '.') {
        if (prefix >= 0)
            return fail(err, errlen, "'%.*s' has a path, which is not allowed", (int)n, s);
        if (memchr(s + 2, '*', hn - 2))
            return fail(err, errlen, "wildcards are allowed only as the first label (*.example.com)");
        r->name[0] = '.';
        if (!parse_name(s + 2, hn - 2, r->name + 1, sizeof r->name - 1, err, errlen)) return false;
        uint8_t ignored[4];
        if (parse_ipv4(r->name + 1, strlen(r->name + 1), ignored) != 0)
            return fail(err, errlen, "a wildcard must be followed by a domain name, not an address");
        r->host = HOST_SUBDOMAIN;
        return true;
    }
    if (bracketed || memchr(s, ':', hn)) {
        if (!parse_ipv6(s, hn, r->addr))
            return fail(err, errlen, "'%.*s' is not an IPv6 address", (int)hn, s);
        r->family = 6;
    } else {
        int v4 = parse_ipv4(s, hn, r->addr);
        if (v4 < 0) return fail(err, errlen, "'%.*s' is not a valid IPv4 address", (int)hn, s);
        if (v4 == 1) r->family = 4;
    }
    if (r->family) {
        unsigned max = r->family == 4 ? 32 : 128;
        if (prefix > (long)max)
            return fail(err, errlen, "network prefix /%ld is longer than %u bits", prefix, max);
        r->prefix = prefix < 0 ? max : (unsigned)prefix;
        unmap(&r->family, r->addr, &r->prefix);
        /* Clear the host bits, as Spin does (10.1.2.3/8 is 10.0.0.0/8). */
        unsigned bytes = r->prefix / 8, bits = r->prefix % 8;
        if (bytes < 16) {
            if (bits) r->addr[bytes++] &= (uint8_t)(0xff << (8 - bits));
            memset(r->addr + bytes, 0, 16 - bytes);
        }
        r->host = HOST_NET;
        return true;
    }
    if (prefix >= 0) return fail(err, errlen, "'%.*s' has a path, which is not allowed", (int)n, s);
    if (memchr(s, '*', hn))
        return fail(err, errlen, "wildcards are allowed only as the first label (*.example.com) "
                                 "or as the whole host (*)");
    if (!parse_name(s, hn, r->name, sizeof r->name, err, errlen)) return false;
    r->host = HOST_NAME;
    return true;
}

static bool parse_entry(rule *r, const char *entry, char *err, size_t errlen) {
    memset(r, 0, sizeof *r);
    const char *s = entry, *e = entry + strlen(entry);
    while (s < e && (*s == ' ' || *s == '\t')) s++;
    while (e > s && (e[-1] == ' ' || e[-1] == '\t')) e--;
    size_t n = (size_t)(e - s);
    if (n == 18 && memcmp(s, "insecure:allow-all", 18) == 0)
        return fail(err, errlen, "'insecure:allow-all' is not allowed; write '*://*:*' to allow "
                                 "all outbound traffic");
    if (n == 4 && memcmp(s, "self", 4) == 0) {
        r->scheme_any = true;
        r->host = HOST_SELF;
        r->port_any = true;
        return true;
    }
    const char *sep = NULL;
    for (const char *p = s; p + 3 <= e; p++)
        if (memcmp(p, "://", 3) == 0) { sep = p; break; }
    if (!sep)
        return fail(err, errlen, "no scheme: write scheme://host[:port] (e.g. "
                                 "https://api.example.com or *://*.example.com:443)");
    size_t sn = (size_t)(sep - s);
    if (sn == 1 && s[0] == '*') {
        r->scheme_any = true;
    } else {
        if (sn == 0 || sn >= sizeof r->scheme)
            return fail(err, errlen, "the scheme must be a name or *");
        for (size_t i = 0; i < sn; i++) {
            if (!is_alpha(s[i]))
                return fail(err, errlen, "the scheme '%.*s' may contain only letters", (int)sn, s);
            r->scheme[i] = lower(s[i]);
        }
    }
    const char *h = sep + 3;
    if (h < e && e[-1] == '/') e--; /* one trailing slash, as in a URL's root */
    if (h == e) return fail(err, errlen, "no host after '://'");
    const char *host = h, *host_end, *port = e;
    if (*h == '[') {
        const char *close = memchr(h, ']', (size_t)(e - h));
        if (!close) return fail(err, errlen, "'[' without a closing ']'");
        host = h + 1;
        const char *p = close + 1;
        if (p < e && *p == '/') {           /* [v6]/prefix */
            while (p < e && *p != ':') p++;
        }
        /* host is "v6" or "v6]/prefix": join the prefix after the address. */
        host_end = p;
        if (p < e) {
            if (*p != ':') return fail(err, errlen, "unexpected '%c' after ']'", *p);
            port = p + 1;
        }
        char buf[128];
        size_t an = (size_t)(close - host), pn = (size_t)(host_end - close - 1);
        if (an + pn >= sizeof buf) return fail(err, errlen, "IPv6 address too long");
        memcpy(buf, host, an);
        memcpy(buf + an, close + 1, pn);
        if (!parse_host(r, buf, an + pn, true, err, errlen)) return false;
    } else {
        size_t colons = 0;
        const char *last = NULL;
        for (const char *p = h; p < e; p++)
            if (*p == ':') colons++, last = p;
        if (colons >= 2) {                  /* a bare IPv6 address or network */
            host_end = e;
        } else if (colons == 1) {
            host_end = last, port = last + 1;
        } else {
            host_end = e;
        }
        if (!parse_host(r, host, (size_t)(host_end - host), false, err, errlen)) return false;
    }
    const char *port_end = e;
    if (port < e) {
        const char *slash = memchr(port, '/', (size_t)(e - port));
        if (slash) return fail(err, errlen, "has a path, which is not allowed");
    }
    return parse_port(r, port, (size_t)(port_end - port), err, errlen);
}

bool wg__allow_entry_valid(const char *entry, char *err, size_t errlen) {
    rule r;
    return parse_entry(&r, entry, err, errlen);
}

wg_allowlist *wg__allowlist_new(const char *const *entries, size_t n, size_t *bad, char *err,
                                size_t errlen) {
    wg_allowlist *l = calloc(1, sizeof *l + n * sizeof(rule));
    if (!l) {
        if (bad) *bad = n;
        fail(err, errlen, "out of memory");
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        char why[200];
        if (!parse_entry(&l->rules[i], entries[i], why, sizeof why)) {
            if (bad) *bad = i;
            fail(err, errlen, "allowed outbound host \"%s\": %s", entries[i], why);
            free(l);
            return NULL;
        }
    }
    l->n = n;
    return l;
}

void wg__allowlist_free(wg_allowlist *l) { free(l); }

size_t wg__allowlist_count(const wg_allowlist *l) { return l ? l->n : 0; }

/* ---- targets ------------------------------------------------------------ */

bool wg__outbound_target_parse(wg_outbound_target *t, const char *scheme, const char *authority,
                               char *err, size_t errlen) {
    memset(t, 0, sizeof *t);
    t->port = -1;
    size_t sn = scheme ? strlen(scheme) : 0;
    if (sn == 0 || sn >= sizeof t->scheme) return fail(err, errlen, "missing or overlong scheme");
    for (size_t i = 0; i < sn; i++) {
        char c = scheme[i];
        if (!is_alpha(c) && !(i && (is_digit(c) || c == '+' || c == '-' || c == '.')))
            return fail(err, errlen, "invalid scheme '%s'", scheme);
        t->scheme[i] = lower(c);
    }
    const char *a = authority ? authority : "";
    size_t n = strlen(a);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)a[i];
        if (c <= 0x20 || c == 0x7f || c == '@' || c == '%' || c == '/' || c == '\\' ||
            c == '?' || c == '#')
            return fail(err, errlen, "authority '%s' contains a character a host may not have "
                                     "(userinfo, escapes, paths and spaces are refused)", a);
    }
    const char *host = a, *host_end, *port = NULL;
    if (*a == '[') {
        const char *close = strchr(a, ']');
        if (!close) return fail(err, errlen, "authority '%s': '[' without ']'", a);
        host = a + 1, host_end = close;
        if (close[1] == ':') port = close + 2;
        else if (close[1]) return fail(err, errlen, "authority '%s': junk after ']'", a);
        if (!parse_ipv6(host, (size_t)(host_end - host), t->addr))
            return fail(err, errlen, "authority '%s': not an IPv6 address", a);
        t->is_addr = true, t->family = 6;
        unmap(&t->family, t->addr, NULL);
    } else {
        const char *colon = strchr(a, ':');
        if (colon && strchr(colon + 1, ':'))
            return fail(err, errlen, "authority '%s': an IPv6 address needs brackets", a);
        host_end = colon ? colon : a + n;
        if (colon) port = colon + 1;
        size_t hn = (size_t)(host_end - host);
        int v4 = parse_ipv4(host, hn, t->addr);
        if (v4 < 0) return fail(err, errlen, "authority '%s': invalid IPv4 address", a);
        if (v4 == 1) {
            t->is_addr = true, t->family = 4;
        } else {
            char why[160];
            if (!parse_name(host, hn, t->host, sizeof t->host, why, sizeof why))
                return fail(err, errlen, "authority '%s': %s", a, why);
        }
    }
    if (t->is_addr) {
        if (t->family == 4)
            snprintf(t->host, sizeof t->host, "%u.%u.%u.%u", t->addr[0], t->addr[1], t->addr[2],
                     t->addr[3]);
        else
            inet_ntop(AF_INET6, t->addr, t->host, sizeof t->host);
    }
    if (port && *port) {
        long v = 0;
        for (const char *p = port; *p; p++) {
            if (!is_digit(*p) || v > 65535)
                return fail(err, errlen, "authority '%s': invalid port", a);
            v = v * 10 + (*p - '0');
        }
        if (v > 65535) return fail(err, errlen, "authority '%s': invalid port", a);
        t->port = (int)v;
    } else {
        t->port = well_known_port(t->scheme);
    }
    return true;
}

static bool scheme_ok(const rule *r, const char *scheme) {
    return r->scheme_any || strcmp(r->scheme, scheme) == 0;
}

static bool port_ok(const rule *r, int port) {
    return r->port_any || (port >= 0 && (uint32_t)port >= r->port_lo && (uint32_t)port < r->port_hi);
}

static bool host_ok(const rule *r, const wg_outbound_target *t) {
    switch (r->host) {
    case HOST_ANY: return true;
    case HOST_SELF: return false; /* only relative requests: wg__allowlist_allows_self */
    case HOST_NAME: return !t->is_addr && strcmp(r->name, t->host) == 0;
    case HOST_SUBDOMAIN: {
        if (t->is_addr) return false;
        size_t hn = strlen(t->host), sn = strlen(r->name);
        return hn > sn && strcmp(t->host + hn - sn, r->name) == 0;
    }
    case HOST_NET:
        return t->is_addr && t->family == r->family && prefix_match(t->addr, r->addr, r->prefix);
    }
    return false;
}

bool wg__allowlist_allows(const wg_allowlist *l, const wg_outbound_target *t) {
    if (!l) return false;
    for (size_t i = 0; i < l->n; i++) {
        const rule *r = &l->rules[i];
        if (scheme_ok(r, t->scheme) && host_ok(r, t) && port_ok(r, t->port)) return true;
    }
    return false;
}

bool wg__allowlist_allows_self(const wg_allowlist *l, const char *scheme) {
    if (!l || !scheme) return false;
    char s[32];
    size_t n = strlen(scheme);
    if (n >= sizeof s) return false;
    for (size_t i = 0; i <= n; i++) s[i] = lower(scheme[i]);
    for (size_t i = 0; i < l->n; i++) {
        const rule *r = &l->rules[i];
        if (scheme_ok(r, s) && (r->host == HOST_ANY || r->host == HOST_SELF)) return true;
    }
    return false;
}

/* ---- addresses ---------------------------------------------------------- */

static bool v4_in(const uint8_t *a, uint8_t b0, uint8_t b1, uint8_t b2, uint8_t b3,
                  unsigned prefix) {
    const uint8_t net[4] = {b0, b1, b2, b3};
    return prefix_match(a, net, prefix);
}

static bool v4_is_global(const uint8_t *a) {
    return !(v4_in(a, 0, 0, 0, 0, 8) ||        /* "this network" */
             v4_in(a, 10, 0, 0, 0, 8) ||       /* private */
             v4_in(a, 100, 64, 0, 0, 10) ||    /* shared (CGNAT) */
             v4_in(a, 127, 0, 0, 0, 8) ||      /* loopback */
             v4_in(a, 169, 254, 0, 0, 16) ||   /* link-local */
             v4_in(a, 172, 16, 0, 0, 12) ||    /* private */
             v4_in(a, 192, 0, 0, 0, 24) ||     /* IETF protocol assignments */
             v4_in(a, 192, 0, 2, 0, 24) ||     /* documentation */
             v4_in(a, 192, 168, 0, 0, 16) ||   /* private */
             v4_in(a, 198, 18, 0, 0, 15) ||    /* benchmarking */
             v4_in(a, 198, 51, 100, 0, 24) ||  /* documentation */
             v4_in(a, 203, 0, 113, 0, 24) ||   /* documentation */
             v4_in(a, 224, 0, 0, 0, 4) ||      /* multicast */
             v4_in(a, 240, 0, 0, 0, 4));       /* reserved, broadcast */
}

bool wg__addr_is_global(int family, const uint8_t *addr) {
    if (family == 4) return v4_is_global(addr);
    if (family != 6) return false;
    static const uint8_t zero12[12] = {0};
    static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    static const uint8_t nat64[12] = {0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};
    /* Forms that carry an IPv4 address: judged by it. ::/96 (the old
     * IPv4-compatible form) includes :: and ::1, which the v4 test refuses
     * (0.0.0.0/8). */
    if (memcmp(addr, zero12, 12) == 0 || memcmp(addr, mapped, 12) == 0 ||
        memcmp(addr, nat64, 12) == 0)
        return v4_is_global(addr + 12);
    if (addr[0] == 0x20 && addr[1] == 0x02) return v4_is_global(addr + 2); /* 6to4 */
    if ((addr[0] & 0xfe) == 0xfc) return false;                            /* unique local */
    if (addr[0] == 0xfe && (addr[1] & 0xc0) == 0x80) return false;         /* link-local */
    if (addr[0] == 0xfe && (addr[1] & 0xc0) == 0xc0) return false;         /* site-local */
    if (addr[0] == 0xff) return false;                                     /* multicast */
    if (addr[0] == 0x20 && addr[1] == 0x01 && addr[2] == 0x0d && addr[3] == 0xb8)
        return false;                                                      /* documentation */
    if (addr[0] == 0x01 && addr[1] == 0 && addr[2] == 0 && addr[3] == 0 && addr[4] == 0 &&
        addr[5] == 0 && addr[6] == 0 && addr[7] == 0)
        return false;                                                      /* discard 100::/64 */
    if (addr[0] == 0 && addr[1] == 0x64 && addr[2] == 0xff && addr[3] == 0x9b && addr[4] == 0 &&
        addr[5] == 1)
        return false;                                                      /* local NAT64 */
    return true;
}

static bool is_localhost_name(const char *h) {
    size_t n = strlen(h);
    return strcmp(h, "localhost") == 0 || (n > 10 && strcmp(h + n - 10, ".localhost") == 0);
}

static bool is_loopback(int family, const uint8_t *a) {
    static const uint8_t one[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    return family == 4 ? a[0] == 127 : memcmp(a, one, 16) == 0;
}

bool wg__allow_address(const wg_allowlist *l, const wg_outbound_target *t,
                       const struct sockaddr *sa) {
    if (t->is_addr) return true;
    if (!sa) return false;
    int family;
    uint8_t a[16] = {0};
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)sa;
        memcpy(a, &in->sin_addr, 4);
        family = 4;
    } else if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)(const void *)sa;
        memcpy(a, &in6->sin6_addr, 16);
        family = 6;
        unmap(&family, a, NULL);
    } else {
        return false;
    }
    if (wg__addr_is_global(family, a)) return true;
    if (is_localhost_name(t->host) && is_loopback(family, a)) return true;
    /* An internal address is reachable by name only where an address rule
     * grants it (with the request's scheme and port). */
    wg_outbound_target as_addr = *t;
    as_addr.is_addr = true, as_addr.family = family;
    memcpy(as_addr.addr, a, 16);
    for (size_t i = 0; l && i < l->n; i++) {
        const rule *r = &l->rules[i];
        if (r->host == HOST_NET && scheme_ok(r, t->scheme) && port_ok(r, t->port) &&
            host_ok(r, &as_addr))
            return true;
    }
    return false;
}
