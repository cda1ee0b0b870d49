/*
 * Parsers for the text of `wasmgate run`'s options (see run_opts.h for the
 * syntax). No I/O, no engine.
 */
#include "cli/run_opts.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *cli_parse_size(const char *text, uint64_t *out) {
    const char *p = text;
    uint64_t n = 0;
    if (!isdigit((unsigned char)*p)) return "expected a number of bytes (digits, then K, M or G)";
    for (; isdigit((unsigned char)*p); p++) {
        unsigned d = (unsigned)(*p - '0');
        if (n > (UINT64_MAX - d) / 10) return "too large";
        n = n * 10 + d;
    }
    static const struct {
        const char *name;
        unsigned shift;
    } suffixes[] = {{"", 0}, {"K", 10}, {"KiB", 10}, {"M", 20}, {"MiB", 20}, {"G", 30}, {"GiB", 30}};
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        if (strcasecmp(p, suffixes[i].name) != 0) continue;
        unsigned s = suffixes[i].shift;
        if (s && n > (UINT64_MAX >> s)) return "too large";
        n <<= s;
        if (n == 0) return "must be at least 1 byte";
        *out = n;
        return NULL;
    }
    return "unknown suffix (use K, M or G, or KiB, MiB, GiB: powers of 1024)";
}

const char *cli_parse_seconds(const char *text, double *out) {
    const char *p = text;
    size_t int_digits = 0, frac_digits = 0;
    while (isdigit((unsigned char)*p)) p++, int_digits++;
    if (*p == '.') {
        p++;
        while (isdigit((unsigned char)*p)) p++, frac_digits++;
    }
    if (*p || int_digits + frac_digits == 0)
        return "expected a decimal number of seconds (like 10 or 0.5)";
    double v = strtod(text, NULL);
    if (!(v > 0)) return "must be more than 0";
    if (v > 1e9) return "too large (at most 1000000000 seconds)";
    *out = v;
    return NULL;
}

const char *cli_parse_open_files(const char *text, uint64_t *out) {
    const char *p = text;
    uint64_t n = 0;
    if (!isdigit((unsigned char)*p)) return "expected a number of files (digits; 0 for no cap)";
    for (; isdigit((unsigned char)*p); p++) {
        n = n * 10 + (unsigned)(*p - '0');
        if (n > CLI_MAX_OPEN_FILES_LIMIT) return "too large (at most 1048576)";
    }
    if (*p) return "expected a number of files (digits; 0 for no cap)";
    *out = n;
    return NULL;
}

/* Copies s into buf (of size n); false if it does not fit. */
static bool copy_in(char *buf, size_t n, const char *s) {
    size_t len = strlen(s);
    if (len >= n) return false;
    memcpy(buf, s, len + 1);
    return true;
}

const char *cli_parse_dir(const char *spec, cli_dir_spec *out) {
    if (!copy_in(out->buf, sizeof out->buf, spec)) return "too long";
    char *s = out->buf;
    size_t len = strlen(s);
    out->read_only = false;
    if (len >= 4 && strcmp(s + len - 3, ":ro") == 0 && s[len - 4] != ':') {
        out->read_only = true;
        s[len - 3] = '\0';
    }
    char *sep = strstr(s, "::");
    out->host = s;
    if (sep) {
        *sep = '\0';
        out->guest = sep + 2;
        if (!*out->guest) return "empty GUEST name after '::'";
    } else {
        out->guest = s;
    }
    if (!*out->host) return "empty HOST directory";
    return NULL;
}

const char *cli_parse_env(const char *spec, cli_env_spec *out) {
    const char *eq = strchr(spec, '=');
    size_t name_len = eq ? (size_t)(eq - spec) : strlen(spec);
    out->name = NULL;
    out->value = eq ? eq + 1 : NULL;
    if (name_len == 0) return "empty variable NAME";
    out->name = malloc(name_len + 1);
    if (!out->name) return "out of memory";
    memcpy(out->name, spec, name_len);
    out->name[name_len] = '\0';
    return NULL;
}
