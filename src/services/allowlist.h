/*
 * Outbound network grants: a route's `allowed_outbound_hosts`, in Spin's
 * syntax, and the check of a request's target against them.
 *
 *   scheme://host[:port]      scheme: a name or *, host: see below,
 *                             port: a number, a range a..b (b excluded, as
 *                             Spin), or *; omitted: the scheme's well-known
 *                             port (http 80, https 443, redis 6379, ...)
 *   host:  example.com        that name only (case-insensitive; a trailing
 *                             dot is the same name)
 *          *.example.com      any name below example.com (not itself)
 *          *                  any host
 *          127.0.0.1, [::1]   that address; 10.0.0.0/8, fd00::/8 a network
 *          self               the app itself (relative requests)
 *   `self` alone is self with any scheme; `insecure:allow-all` is refused,
 *   as Spin does (scheme, host and port all '*' open everything).
 *
 * Hosts are compared as the resolver will read them: numeric IPv4 forms
 * (2130706433, 0x7f.1, 127.1) are the address they spell, an IPv4-mapped
 * IPv6 address is its IPv4 address. A name never matches an address rule
 * and an address never matches a name rule: "localhost" grants neither
 * 127.0.0.1 nor [::1]. After resolving a name, wg__allow_address says
 * whether the connection may go to one of its addresses: a name that
 * resolves to a loopback, private, link-local or otherwise non-global
 * address is refused unless the name is localhost (or *.localhost) or an
 * address rule grants that address, so that a public name cannot be pointed
 * at the host's internal network.
 */
#ifndef WG_SERVICES_ALLOWLIST_H
#define WG_SERVICES_ALLOWLIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sockaddr;

typedef struct wg_allowlist wg_allowlist;

/* A request's target, parsed once and checked against a list. */
typedef struct wg_outbound_target {
    char scheme[32];   /* lower case */
    char host[256];    /* lower case, without brackets or a trailing dot */
    bool is_addr;      /* the host is an IP address (addr, family) */
    int family;        /* 4 or 6 when is_addr */
    uint8_t addr[16];  /* network order; IPv4 in the first 4 bytes */
    int port;          /* the explicit port, or the scheme's default; -1: none */
} wg_outbound_target;

/* Parses entries[0..n). On an invalid entry: NULL, *bad set to its index
 * and err to a message naming the entry (also NULL with *bad = n when out
 * of memory). n = 0 gives an empty list (everything denied). */
wg_allowlist *wg__allowlist_new(const char *const *entries, size_t n, size_t *bad, char *err,
                                size_t errlen);
void wg__allowlist_free(wg_allowlist *l);
size_t wg__allowlist_count(const wg_allowlist *l);

/* Checks one entry alone (the manifest loader's validation); false with a
 * message in err. */
bool wg__allow_entry_valid(const char *entry, char *err, size_t errlen);

/* Parses a request's scheme and authority ("host", "host:port",
 * "[v6]:port"); userinfo, percent-escapes, spaces and control characters
 * are refused. False with a message in err. */
bool wg__outbound_target_parse(wg_outbound_target *t, const char *scheme, const char *authority,
                               char *err, size_t errlen);

/* Whether some entry grants the target (scheme, host and port). */
bool wg__allowlist_allows(const wg_allowlist *l, const wg_outbound_target *t);

/* Whether requests to the app itself (a relative URL, `self`) are granted
 * for scheme. */
bool wg__allowlist_allows_self(const wg_allowlist *l, const char *scheme);

/* After resolving the target's name: whether the connection may go to sa
 * (AF_INET or AF_INET6). Always true for a target that is an address (the
 * list was checked on it). */
bool wg__allow_address(const wg_allowlist *l, const wg_outbound_target *t,
                       const struct sockaddr *sa);

/* Whether an address (family 4 or 6) is globally routable: false for
 * loopback, private, link-local, shared, unspecified, multicast,
 * documentation and reserved ranges, and for IPv4-mapped or NAT64 forms of
 * those. */
bool wg__addr_is_global(int family, const uint8_t *addr);

#endif
