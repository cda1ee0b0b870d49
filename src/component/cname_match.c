/*
 * Semver-compatible name matching (wasmtime's and Spin's linker rule): an
 * import of an interface `ns:pkg/iface@V` may link against a definition of
 * the same interface at another version W when V and W share their
 * compatibility key: the major version when it is not 0 (1.2.0 ~ 1.9.1),
 * else the minor version when it is not 0 (0.2.3 ~ 0.2.12), else the whole
 * version (0.0.3 only itself). Pre-release versions match only themselves;
 * build metadata is ignored. A name without a version matches only itself.
 */
#include <string.h>

#include "component/cinst.h"

typedef struct semver {
    uint64_t major, minor, patch;
    bool pre;       /* a pre-release */
} semver;

/* Parses "M.m.p[-pre][+build]" (already validated by the validator or a
 * host's own name: anything else does not match). */
static bool parse_semver(const char *s, size_t n, semver *v) {
    uint64_t part[3] = {0};
    size_t i = 0;
    for (int k = 0; k < 3; k++) {
        if (i >= n || s[i] < '0' || s[i] > '9') return false;
        uint64_t x = 0;
        while (i < n && s[i] >= '0' && s[i] <= '9') {
            if (x > (UINT64_MAX - 9) / 10) return false;
            x = x * 10 + (uint64_t)(s[i++] - '0');
        }
        part[k] = x;
        if (k < 2) {
            if (i >= n || s[i] != '.') return false;
            i++;
        }
    }
    if (i < n && s[i] != '-' && s[i] != '+') return false;
    v->major = part[0];
    v->minor = part[1];
    v->patch = part[2];
    v->pre = i < n && s[i] == '-';
    return true;
}

/* The position of the version's '@' in an interface name, or len. */
static size_t at_sign(const char *s, size_t len) {
    const char *at = memchr(s, '@', len);
    return at && memchr(s, ':', (size_t)(at - s)) ? (size_t)(at - s) : len;
}

bool wg__cname_compatible(const char *want, size_t wlen, const char *have, size_t hlen,
                          uint64_t *rank) {
    if (wlen == hlen && memcmp(want, have, wlen) == 0) {
        *rank = UINT64_MAX;
        return true;
    }
    size_t wa = at_sign(want, wlen), ha = at_sign(have, hlen);
    if (wa == wlen || ha == hlen || wa != ha || memcmp(want, have, wa) != 0) return false;
    semver w, h;
    if (!parse_semver(want + wa + 1, wlen - wa - 1, &w) ||
        !parse_semver(have + ha + 1, hlen - ha - 1, &h))
        return false;
    if (w.pre || h.pre) return false;
    bool same;
    if (w.major) same = w.major == h.major;
    else if (w.minor) same = !h.major && w.minor == h.minor;
    else same = !h.major && !h.minor && w.patch == h.patch;
    if (!same) return false;
    /* Newer ranks higher: within one key only minor and patch differ. */
    uint64_t minor = h.minor < 0xfffff ? h.minor : 0xfffff, patch = h.patch < 0xffffffff ? h.patch : 0xffffffff;
    *rank = minor << 32 | patch;
    return true;
}
