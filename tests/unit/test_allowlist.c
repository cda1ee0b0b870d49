/* allowed_outbound_hosts (src/services/allowlist.c): Spin's grammar, matching, addresses. */
#include "wg_test.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "services/allowlist.h"

static wg_allowlist *list1(const char *entry) {
    const char *e[] = {entry};
    char err[300];
    size_t bad = 99;
    wg_allowlist *l = wg__allowlist_new(e, 1, &bad, err, sizeof err);
    if (!l) fprintf(stderr, "  unexpected: %s\n", err);
    return l;
}

/* Whether entry grants scheme://authority. */
static bool allows(const char *entry, const char *scheme, const char *authority) {
    wg_allowlist *l = list1(entry);
    if (!l) return false;
    wg_outbound_target t;
    char err[300];
    bool ok = wg__outbound_target_parse(&t, scheme, authority, err, sizeof err) &&
              wg__allowlist_allows(l, &t);
    wg__allowlist_free(l);
    return ok;
}

/* The error for an invalid entry ("" when it is valid). */
static const char *invalid(const char *entry) {
    static char err[300];
    err[0] = '\0';
    if (wg__allow_entry_valid(entry, err, sizeof err)) return "";
    return err;
}

WG_TEST(names_schemes_and_default_ports) {
    CHECK(allows("https://api.example.com", "https", "api.example.com"));
    CHECK(allows("https://api.example.com", "https", "api.example.com:443"));
    CHECK(allows("https://api.example.com", "HTTPS", "API.Example.COM."));
    CHECK(!allows("https://api.example.com", "https", "api.example.com:8443"));
    CHECK(!allows("https://api.example.com", "http", "api.example.com"));
    CHECK(!allows("https://api.example.com", "https", "example.com"));
    CHECK(!allows("https://api.example.com", "https", "x.api.example.com"));
    CHECK(!allows("https://api.example.com", "https", "api.example.com.evil.net"));
    CHECK(allows("http://127.0.0.1:8080", "http", "127.0.0.1:8080"));
    CHECK(!allows("http://127.0.0.1:8080", "http", "127.0.0.1"));
    CHECK(allows("redis://cache", "redis", "cache:6379"));
    CHECK(allows("https://example.com/", "https", "example.com"));
}

WG_TEST(wildcards_for_scheme_host_and_port) {
    CHECK(allows("http://localhost:*", "http", "localhost:1"));
    CHECK(allows("http://localhost:*", "http", "localhost"));
    CHECK(!allows("http://localhost:*", "https", "localhost:443"));
    CHECK(allows("*://*.example.com:443", "https", "a.example.com"));
    CHECK(allows("*://*.example.com:443", "wss", "a.b.example.com:443"));
    CHECK(!allows("*://*.example.com:443", "https", "example.com"));
    CHECK(!allows("*://*.example.com:443", "https", "badexample.com"));
    CHECK(!allows("*://*.example.com:443", "https", "a.example.com:80"));
    CHECK(allows("*://*:*", "gopher", "anything.at.all:7"));
    CHECK(allows("*://*:*", "http", "10.0.0.1"));
    CHECK(allows("https://*", "https", "x.y"));
    CHECK(!allows("https://*", "https", "x.y:444"));
}

WG_TEST(port_ranges_exclude_their_end_as_spin_does) {
    CHECK(allows("http://h:8000..8003", "http", "h:8000"));
    CHECK(allows("http://h:8000..8003", "http", "h:8002"));
    CHECK(!allows("http://h:8000..8003", "http", "h:8003"));
    CHECK(!allows("http://h:8000..8003", "http", "h:7999"));
    CHECK_STR_CONTAINS(invalid("http://h:9..9"), "empty");
    CHECK_STR_CONTAINS(invalid("http://h:70000"), "port");
    CHECK_STR_CONTAINS(invalid("http://h:8x"), "port");
    CHECK_STR_CONTAINS(invalid("http://h:1..2..3"), "port");
}

WG_TEST(addresses_networks_and_their_spellings) {
    CHECK(allows("http://10.0.0.0/8:*", "http", "10.1.2.3:80"));
    CHECK(!allows("http://10.0.0.0/8:*", "http", "11.1.2.3:80"));
    CHECK(allows("http://10.1.2.3/8:*", "http", "10.200.0.1")); /* host bits cleared */
    /* The resolver's numeric forms of 127.0.0.1 are 127.0.0.1. */
    CHECK(allows("http://127.0.0.1:*", "http", "2130706433:80"));
    CHECK(allows("http://127.0.0.1:*", "http", "0x7f.1"));
    CHECK(allows("http://127.0.0.1:*", "http", "127.1"));
    CHECK(allows("http://127.0.0.1:*", "http", "0177.0.0.1"));
    CHECK(allows("http://127.0.0.1:*", "http", "[::ffff:127.0.0.1]"));
    CHECK(allows("http://[::1]:*", "http", "[::1]:9"));
    CHECK(allows("http://[::ffff:10.0.0.1]", "http", "10.0.0.1"));
    CHECK(allows("http://fd00::/8", "http", "[fd12::1]"));
    CHECK(allows("http://[fd00::]/8:81", "http", "[fd12::1]:81"));
    CHECK(!allows("http://[fd00::]/8:81", "http", "[fe12::1]:81"));
    /* A name is not an address and an address is not a name. */
    CHECK(!allows("http://localhost:*", "http", "127.0.0.1"));
    CHECK(!allows("http://localhost:*", "http", "[::1]"));
    CHECK(!allows("http://127.0.0.1:*", "http", "localhost"));
    CHECK(!allows("http://*.example.com:*", "http", "1.2.3.4"));
    CHECK(!allows("http://10.0.0.0/8:*", "http", "10.example.com"));
}

WG_TEST(targets_with_hidden_hosts_are_refused) {
    wg_outbound_target t;
    char err[300];
    CHECK(!wg__outbound_target_parse(&t, "http", "user@evil.com", err, sizeof err));
    CHECK(!wg__outbound_target_parse(&t, "http", "good.com@evil.com", err, sizeof err));
    CHECK(!wg__outbound_target_parse(&t, "http", "evil%2ecom", err, sizeof err));
    CHECK(!wg__outbound_target_parse(&t, "http", "evil.com/x", err, sizeof err));
    CHECK(!wg__outbound_target_parse(&t, "http", "evil.com\\good.com", err, sizeof err));
    CHECK(!wg__outbound_target_parse(&t, "http", "a b", err, sizeof err));
    CHECK(!wg__outbound_target_parse(&t, "http", "", err, sizeof err));
    CHECK(!wg__outbound_target_parse(&t, "http", "::1", err, sizeof err));
    CHECK(!wg__outbound_target_parse(&t, "http", "h:99999", err, sizeof err));
    CHECK(!wg__outbound_target_parse(&t, "http", "h:8o", err, sizeof err));
    CHECK(!wg__outbound_target_parse(&t, "http", "1.2.3.256", err, sizeof err));
    CHECK(!wg__outbound_target_parse(&t, "http", "caf\xc3\xa9.com", err, sizeof err));
    CHECK_STR_CONTAINS(err, "IDNA");
    CHECK(!wg__outbound_target_parse(&t, "1http", "h", err, sizeof err));
    CHECK(wg__outbound_target_parse(&t, "http", "0x7F.1:8080", err, sizeof err));
    CHECK(t.is_addr && t.family == 4 && t.port == 8080);
    CHECK(strcmp(t.host, "127.0.0.1") == 0);
    CHECK(wg__outbound_target_parse(&t, "gopher", "h", err, sizeof err));
    CHECK_EQ_INT(t.port, -1);
    CHECK(!allows("gopher://h:70", "gopher", "h")); /* no default port: only :* grants it */
    CHECK(allows("gopher://h:*", "gopher", "h"));
}

WG_TEST(self_grants_relative_requests_only) {
    wg_allowlist *l = list1("http://self");
    CHECK(l && wg__allowlist_allows_self(l, "http"));
    CHECK(l && !wg__allowlist_allows_self(l, "https"));
    wg_outbound_target t;
    char err[100];
    CHECK(wg__outbound_target_parse(&t, "http", "self", err, sizeof err));
    CHECK(l && !wg__allowlist_allows(l, &t));
    wg__allowlist_free(l);
    l = list1("self");
    CHECK(l && wg__allowlist_allows_self(l, "http") && wg__allowlist_allows_self(l, "HTTPS"));
    wg__allowlist_free(l);
    l = list1("*://*:*");
    CHECK(l && wg__allowlist_allows_self(l, "http"));
    wg__allowlist_free(l);
    l = list1("https://example.com");
    CHECK(l && !wg__allowlist_allows_self(l, "https"));
    wg__allowlist_free(l);
    CHECK(!wg__allowlist_allows_self(NULL, "http"));
}

WG_TEST(invalid_entries_say_why) {
    CHECK_STR_CONTAINS(invalid("example.com"), "no scheme");
    CHECK_STR_CONTAINS(invalid("*"), "no scheme");
    CHECK_STR_CONTAINS(invalid("insecure:allow-all"), "*://*:*");
    CHECK_STR_CONTAINS(invalid("*://example.com"), "no port");
    CHECK_STR_CONTAINS(invalid("gopher://example.com"), "well-known");
    CHECK_STR_CONTAINS(invalid("ht1p://example.com"), "letters");
    CHECK_STR_CONTAINS(invalid("https://"), "no host");
    CHECK_STR_CONTAINS(invalid("https://example.com/api"), "path");
    CHECK_STR_CONTAINS(invalid("https://example.com:443/api"), "path");
    CHECK_STR_CONTAINS(invalid("https://ex*ample.com"), "wildcards");
    CHECK_STR_CONTAINS(invalid("https://*.ex*.com"), "wildcards");
    CHECK_STR_CONTAINS(invalid("https://*.10.0.0.1"), "domain");
    CHECK_STR_CONTAINS(invalid("https://a..b"), "empty label");
    CHECK_STR_CONTAINS(invalid("https://a_b!c"), "'!'");
    CHECK_STR_CONTAINS(invalid("https://1.2.3.300"), "IPv4");
    CHECK_STR_CONTAINS(invalid("https://[::1"), "']'");
    CHECK_STR_CONTAINS(invalid("https://[::g]"), "IPv6");
    CHECK_STR_CONTAINS(invalid("https://10.0.0.0/33"), "/33");
    CHECK_STR_CONTAINS(invalid("https://caf\xc3\xa9.com"), "IDNA");
    CHECK(strcmp(invalid(" https://example.com "), "") == 0);
    CHECK(strcmp(invalid("mqtt://broker"), "") == 0);

    const char *entries[] = {"https://ok.example.com", "nope"};
    char err[300];
    size_t bad = 0;
    CHECK(wg__allowlist_new(entries, 2, &bad, err, sizeof err) == NULL);
    CHECK_EQ_INT(bad, 1);
    CHECK_STR_CONTAINS(err, "\"nope\"");
    wg_allowlist *empty = wg__allowlist_new(NULL, 0, &bad, err, sizeof err);
    CHECK(empty && wg__allowlist_count(empty) == 0);
    wg_outbound_target t;
    CHECK(wg__outbound_target_parse(&t, "https", "example.com", err, sizeof err));
    CHECK(!wg__allowlist_allows(empty, &t));
    wg__allowlist_free(empty);
}

static struct sockaddr_storage sa_of(const char *ip) {
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    if (strchr(ip, ':')) {
        struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
        s6->sin6_family = AF_INET6;
        inet_pton(AF_INET6, ip, &s6->sin6_addr);
    } else {
        struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
        s4->sin_family = AF_INET;
        inet_pton(AF_INET, ip, &s4->sin_addr);
    }
    return ss;
}

/* Whether a request to scheme://authority under entries may connect to ip. */
static bool may_connect(const char *const *entries, size_t n, const char *scheme,
                        const char *authority, const char *ip) {
    char err[300];
    wg_allowlist *l = wg__allowlist_new(entries, n, NULL, err, sizeof err);
    wg_outbound_target t;
    bool ok = l && wg__outbound_target_parse(&t, scheme, authority, err, sizeof err) &&
              wg__allowlist_allows(l, &t);
    if (ok) {
        struct sockaddr_storage ss = sa_of(ip);
        ok = wg__allow_address(l, &t, (struct sockaddr *)&ss);
    }
    wg__allowlist_free(l);
    return ok;
}

WG_TEST(names_may_not_resolve_into_the_internal_network) {
    const char *pub[] = {"https://*.example.com"};
    CHECK(may_connect(pub, 1, "https", "api.example.com", "93.184.216.34"));
    CHECK(may_connect(pub, 1, "https", "api.example.com", "2606:2800:220:1::1"));
    CHECK(!may_connect(pub, 1, "https", "api.example.com", "127.0.0.1"));
    CHECK(!may_connect(pub, 1, "https", "api.example.com", "10.1.1.1"));
    CHECK(!may_connect(pub, 1, "https", "api.example.com", "169.254.169.254"));
    CHECK(!may_connect(pub, 1, "https", "api.example.com", "::1"));
    CHECK(!may_connect(pub, 1, "https", "api.example.com", "::ffff:127.0.0.1"));
    CHECK(!may_connect(pub, 1, "https", "api.example.com", "fd00::5"));
    CHECK(!may_connect(pub, 1, "https", "api.example.com", "fe80::1"));
    CHECK(!may_connect(pub, 1, "https", "api.example.com", "0.0.0.0"));
    CHECK(!may_connect(pub, 1, "https", "api.example.com", "::"));
    CHECK(!may_connect(pub, 1, "https", "api.example.com", "64:ff9b::a00:1"));
    CHECK(!may_connect(pub, 1, "https", "api.example.com", "2002:7f00:1::"));
    /* localhost names may reach loopback; other internal addresses need an address rule. */
    const char *local[] = {"http://localhost:*"};
    CHECK(may_connect(local, 1, "http", "localhost:8080", "127.0.0.1"));
    CHECK(may_connect(local, 1, "http", "localhost:8080", "::1"));
    CHECK(!may_connect(local, 1, "http", "localhost:8080", "10.0.0.1"));
    const char *granted[] = {"http://*.corp.internal:*", "http://10.0.0.0/8:*"};
    CHECK(may_connect(granted, 2, "http", "db.corp.internal:5000", "10.2.3.4"));
    CHECK(!may_connect(granted, 2, "http", "db.corp.internal:5000", "192.168.1.1"));
    /* An address target was checked as an address: no second look. */
    const char *addr[] = {"http://127.0.0.1:*"};
    CHECK(may_connect(addr, 1, "http", "127.0.0.1:9", "127.0.0.1"));
}

WG_TEST(global_address_classification) {
    uint8_t a[16];
    CHECK(inet_pton(AF_INET, "8.8.8.8", a) == 1 && wg__addr_is_global(4, a));
    CHECK(inet_pton(AF_INET, "100.64.0.1", a) == 1 && !wg__addr_is_global(4, a));
    CHECK(inet_pton(AF_INET, "172.31.255.255", a) == 1 && !wg__addr_is_global(4, a));
    CHECK(inet_pton(AF_INET, "172.32.0.1", a) == 1 && wg__addr_is_global(4, a));
    CHECK(inet_pton(AF_INET, "255.255.255.255", a) == 1 && !wg__addr_is_global(4, a));
    CHECK(inet_pton(AF_INET, "224.0.0.1", a) == 1 && !wg__addr_is_global(4, a));
    CHECK(inet_pton(AF_INET6, "2001:4860:4860::8888", a) == 1 && wg__addr_is_global(6, a));
    CHECK(inet_pton(AF_INET6, "2001:db8::1", a) == 1 && !wg__addr_is_global(6, a));
    CHECK(inet_pton(AF_INET6, "ff02::1", a) == 1 && !wg__addr_is_global(6, a));
    CHECK(inet_pton(AF_INET6, "::ffff:8.8.8.8", a) == 1 && wg__addr_is_global(6, a));
    CHECK(!wg__addr_is_global(5, a));
}

WG_TEST_MAIN()
