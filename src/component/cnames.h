/*
 * Import and export names (Explainer.md "Import and Export Definitions",
 * "Name Uniqueness", "Canonical Interface Name"): kebab-case labels, plain
 * names with [constructor]/[method]/[static] annotations, interface names
 * with semver versions, and the strong-uniqueness canonical form.
 */
#ifndef WG_COMPONENT_CNAMES_H
#define WG_COMPONENT_CNAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
    WG_CN_LABEL = 1,        /* a-b-c */
    WG_CN_CONSTRUCTOR,      /* [constructor]r */
    WG_CN_METHOD,           /* [method]r.f */
    WG_CN_STATIC,           /* [static]r.f */
    WG_CN_INTERFACE,        /* ns:pkg/iface@version */
};

typedef struct wg_cname {
    uint8_t kind;
    const char *res;        /* constructor, method, static: the resource label */
    size_t res_len;
    const char *func;       /* method, static: the function label */
    size_t func_len;
    const char *version;    /* interface: what follows '@' (NULL: none) */
    size_t version_len;
} wg_cname;

/* True if s[0..len) is a kebab-case label. */
bool wg__cname_is_label(const char *s, size_t len);

/* Parses an extern name. False with a message in msg when it is not one. */
bool wg__cname_parse(const char *s, size_t len, wg_cname *out, char *msg, size_t msgsize);

/* Checks an interface name's version, with the versionsuffix attribute (or
 * NULL). False with a message when invalid. */
bool wg__cname_check_version(const wg_cname *n, const char *suffix, size_t suffix_len, char *msg,
                             size_t msgsize);

/* True if s[0..len) is a valid semver (semver.org 2.0.0); else a message. */
bool wg__csemver_valid(const char *s, size_t len, char *msg, size_t msgsize);

/* The strong-uniqueness canonical form of a parsed name (acronyms
 * lowercased, `[method]l.l` and `[static]l.l` as `l`, `[method]` and
 * `[static]` alike) into buf (len + 16 bytes suffice). Returns its length. */
size_t wg__cname_canonical(const char *s, size_t len, const wg_cname *n, char *buf);

#endif
