/*
 * Extern name grammar (Explainer.md lexical rules):
 *
 *   externname    ::= plainname | interfacename
 *   plainname     ::= label | '[constructor]' label | '[method]' label '.' label
 *                   | '[static]' label '.' label
 *   label         ::= first-fragment ( '-' fragment )*
 *   first-fragment::= [a-z] [0-9a-z]* | [A-Z] [0-9A-Z]*
 *   fragment      ::= [0-9a-z]+ | [0-9A-Z]+
 *   interfacename ::= words ':' words '/' label ( '@' version )?
 *   words         ::= [a-z] [0-9a-z]* ( '-' [0-9a-z]+ )*
 *
 * Nested namespaces and projections (🪺) are not enabled.
 */
#include "component/cnames.h"

#include <stdio.h>
#include <string.h>

static bool lower(char c) { return c >= 'a' && c <= 'z'; }
static bool upper(char c) { return c >= 'A' && c <= 'Z'; }
static bool digit(char c) { return c >= '0' && c <= '9'; }

bool wg__cname_is_label(const char *s, size_t len) {
    /* Each fragment is all lower case or all upper case (digits anywhere but
     * at the very start of the label). */
    bool lo = false, up = false, first = true, dig = false;
    if (len == 0 || s[len - 1] == '-') return false;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (lower(c) && !up) lo = true;
        else if (upper(c) && !lo) up = true;
        else if (digit(c) && (lo || up || !first)) dig = true;
        else if (c == '-' && (lo || up || dig)) {
            lo = up = dig = false;
            first = false;
        } else
            return false;
    }
    return true;
}

/* words: lower-case kebab (namespace and package names). */
static bool is_words(const char *s, size_t len) {
    if (!wg__cname_is_label(s, len)) return false;
    for (size_t i = 0; i < len; i++)
        if (upper(s[i])) return false;
    return true;
}

static const char *find(const char *s, size_t len, char c) {
    return memchr(s, c, len);
}

static bool bad_label(const char *s, size_t len, char *msg, size_t msgsize) {
    snprintf(msg, msgsize, "`%.*s` is not in kebab case", (int)(len > 200 ? 200 : len), s);
    return false;
}

/* res '.' func after an annotation. */
static bool resource_func(const char *s, size_t len, wg_cname *out, char *msg, size_t msgsize) {
    const char *dot = find(s, len, '.');
    if (!dot) {
        snprintf(msg, msgsize, "failed to find `.` character");
        return false;
    }
    out->res = s;
    out->res_len = (size_t)(dot - s);
    out->func = dot + 1;
    out->func_len = len - out->res_len - 1;
    if (!wg__cname_is_label(out->res, out->res_len)) return bad_label(out->res, out->res_len, msg, msgsize);
    if (!wg__cname_is_label(out->func, out->func_len))
        return bad_label(out->func, out->func_len, msg, msgsize);
    return true;
}

static bool prefix(const char *s, size_t len, const char *p) {
    size_t n = strlen(p);
    return len >= n && memcmp(s, p, n) == 0;
}

static bool interface_name(const char *s, size_t len, wg_cname *out, char *msg, size_t msgsize) {
    const char *colon = find(s, len, ':');
    size_t nslen = (size_t)(colon - s);
    if (!wg__cname_is_label(s, nslen)) return bad_label(s, nslen, msg, msgsize);
    if (!is_words(s, nslen)) {
        snprintf(msg, msgsize, "`%.*s` is not a valid namespace (lower case only)", (int)nslen, s);
        return false;
    }
    const char *pkg = colon + 1;
    size_t rest = len - nslen - 1;
    /* The package runs up to the first character that cannot be in a label. */
    size_t plen = 0;
    while (plen < rest && (lower(pkg[plen]) || upper(pkg[plen]) || digit(pkg[plen]) ||
                           pkg[plen] == '-'))
        plen++;
    if (!wg__cname_is_label(pkg, plen)) return bad_label(pkg, plen, msg, msgsize);
    if (!is_words(pkg, plen)) {
        snprintf(msg, msgsize, "`%.*s` is not a valid package name (lower case only)", (int)plen, pkg);
        return false;
    }
    const char *p = pkg + plen;
    const char *end = s + len;
    if (p == end || *p != '/') {
        snprintf(msg, msgsize, "expected `/` after package name");
        return false;
    }
    p++;
    const char *iface = p;
    while (p < end && *p != '@' && *p != '/') p++;
    if (!wg__cname_is_label(iface, (size_t)(p - iface)))
        return bad_label(iface, (size_t)(p - iface), msg, msgsize);
    if (p < end && *p == '/') {
        snprintf(msg, msgsize, "trailing characters found: `%.*s`", (int)(end - p), p);
        return false;
    }
    out->version = NULL;
    if (p < end) {  /* '@' */
        out->version = p + 1;
        out->version_len = (size_t)(end - p - 1);
    }
    return true;
}

bool wg__cname_parse(const char *s, size_t len, wg_cname *out, char *msg, size_t msgsize) {
    memset(out, 0, sizeof *out);
    if (prefix(s, len, "[constructor]")) {
        out->kind = WG_CN_CONSTRUCTOR;
        out->res = s + 13;
        out->res_len = len - 13;
        if (!wg__cname_is_label(out->res, out->res_len)) return bad_label(out->res, out->res_len, msg, msgsize);
        return true;
    }
    if (prefix(s, len, "[method]")) {
        out->kind = WG_CN_METHOD;
        return resource_func(s + 8, len - 8, out, msg, msgsize);
    }
    if (prefix(s, len, "[static]")) {
        out->kind = WG_CN_STATIC;
        return resource_func(s + 8, len - 8, out, msg, msgsize);
    }
    if (find(s, len, ':')) {
        out->kind = WG_CN_INTERFACE;
        return interface_name(s, len, out, msg, msgsize);
    }
    out->kind = WG_CN_LABEL;
    if (!wg__cname_is_label(s, len)) return bad_label(s, len, msg, msgsize);
    return true;
}

/* ---- semver ----------------------------------------------------------------------- */

static bool fail(char *msg, size_t msgsize, const char *what) {
    snprintf(msg, msgsize, "%s", what);
    return false;
}

/* A numeric identifier: digits, no leading zero. */
static bool numeric(const char **p, const char *end, char *msg, size_t msgsize) {
    const char *s = *p;
    if (s == end) return fail(msg, msgsize, "unexpected end of input while parsing a version number");
    if (!digit(*s)) {
        snprintf(msg, msgsize, "unexpected character '%c' while parsing a version number", *s);
        return false;
    }
    if (*s == '0' && s + 1 < end && digit(s[1]))
        return fail(msg, msgsize, "invalid leading zero in a version number");
    while (s < end && digit(*s)) s++;
    *p = s;
    return true;
}

/* Dot-separated identifiers of [0-9A-Za-z-]; numeric ones of a pre-release
 * have no leading zero. */
static bool identifiers(const char *s, const char *end, bool pre, char *msg, size_t msgsize) {
    while (1) {
        const char *id = s;
        bool all_digits = true;
        while (s < end && *s != '.') {
            char c = *s;
            if (!(lower(c) || upper(c) || digit(c) || c == '-')) {
                snprintf(msg, msgsize, "unexpected character '%c' in a version identifier", c);
                return false;
            }
            if (!digit(c)) all_digits = false;
            s++;
        }
        if (s == id) return fail(msg, msgsize, "empty identifier segment");
        if (pre && all_digits && *id == '0' && s - id > 1)
            return fail(msg, msgsize, "invalid leading zero in pre-release identifier");
        if (s == end) return true;
        s++; /* '.' */
    }
}

bool wg__csemver_valid(const char *s, size_t len, char *msg, size_t msgsize) {
    const char *p = s, *end = s + len;
    if (len == 0) return fail(msg, msgsize, "empty string, expected a semver version");
    for (int i = 0; i < 3; i++) {
        if (i > 0) {
            if (p == end) return fail(msg, msgsize, "unexpected end of input while parsing a version");
            if (*p != '.') {
                snprintf(msg, msgsize, "unexpected character '%c' after a version number", *p);
                return false;
            }
            p++;
        }
        if (!numeric(&p, end, msg, msgsize)) return false;
    }
    if (p < end && *p == '-') {
        const char *q = p + 1;
        while (q < end && *q != '+') q++;
        if (!identifiers(p + 1, q, true, msg, msgsize)) return false;
        p = q;
    }
    if (p < end && *p == '+') {
        if (!identifiers(p + 1, end, false, msg, msgsize)) return false;
        p = end;
    }
    if (p != end) {
        snprintf(msg, msgsize, "unexpected character '%c' after the version", *p);
        return false;
    }
    return true;
}

/* canonversion ::= [1-9][0-9]* | '0.' [1-9][0-9]* | '0.0.' [1-9][0-9]* | '0.0.0' (🔗) */
static bool canonversion(const char *s, size_t len) {
    if (len == 5 && memcmp(s, "0.0.0", 5) == 0) return true;
    size_t skip = prefix(s, len, "0.0.") ? 4 : prefix(s, len, "0.") ? 2 : 0;
    s += skip;
    len -= skip;
    if (len == 0 || s[0] < '1' || s[0] > '9') return false;
    for (size_t i = 1; i < len; i++)
        if (!digit(s[i])) return false;
    return true;
}

bool wg__cname_check_version(const wg_cname *n, const char *suffix, size_t suffix_len, char *msg,
                             size_t msgsize) {
    if (n->kind != WG_CN_INTERFACE) {
        if (suffix) return fail(msg, msgsize, "a versionsuffix needs an interface name with a version");
        return true;
    }
    if (!n->version) {
        if (suffix) return fail(msg, msgsize, "a versionsuffix needs an interface name with a version");
        return true;
    }
    if (suffix) {
        char buf[512];
        if (!canonversion(n->version, n->version_len))
            return fail(msg, msgsize, "a versionsuffix needs a canonical interface version");
        if (n->version_len + suffix_len > sizeof buf)
            return fail(msg, msgsize, "version too long");
        memcpy(buf, n->version, n->version_len);
        memcpy(buf + n->version_len, suffix, suffix_len);
        return wg__csemver_valid(buf, n->version_len + suffix_len, msg, msgsize);
    }
    if (canonversion(n->version, n->version_len)) return true;
    return wg__csemver_valid(n->version, n->version_len, msg, msgsize);
}

static size_t put_lower(char *buf, size_t at, const char *s, size_t len) {
    for (size_t i = 0; i < len; i++) buf[at + i] = upper(s[i]) ? (char)(s[i] - 'A' + 'a') : s[i];
    return at + len;
}

static bool same_label(const char *a, size_t alen, const char *b, size_t blen) {
    if (alen != blen) return false;
    for (size_t i = 0; i < alen; i++) {
        char x = upper(a[i]) ? (char)(a[i] - 'A' + 'a') : a[i];
        char y = upper(b[i]) ? (char)(b[i] - 'A' + 'a') : b[i];
        if (x != y) return false;
    }
    return true;
}

size_t wg__cname_canonical(const char *s, size_t len, const wg_cname *n, char *buf) {
    size_t at = 0;
    switch (n->kind) {
    case WG_CN_CONSTRUCTOR:
        memcpy(buf, "[constructor]", 13);
        return put_lower(buf, 13, n->res, n->res_len);
    case WG_CN_METHOD:
    case WG_CN_STATIC:
        if (same_label(n->res, n->res_len, n->func, n->func_len)) return put_lower(buf, 0, n->res, n->res_len);
        memcpy(buf, "[method]", 8);
        at = put_lower(buf, 8, n->res, n->res_len);
        buf[at++] = '.';
        return put_lower(buf, at, n->func, n->func_len);
    case WG_CN_INTERFACE: {
        size_t head = n->version ? (size_t)(n->version - 1 - s) : len;
        at = put_lower(buf, 0, s, head);
        memcpy(buf + at, s + head, len - head);
        return len;
    }
    default:
        return put_lower(buf, 0, s, len);
    }
}
