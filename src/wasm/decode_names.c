/*
 * Decoder, part 3: custom sections, the `name` custom section (spec
 * appendix 7.4) and UTF-8 checking of names (spec 5.2.4).
 *
 * Custom section payload: name:vec(byte) then arbitrary bytes to the end.
 *
 * Name section payload: subsections in increasing id order, each
 *   id:byte size:u32 payload[size]
 *   id 0  module name   name
 *   id 1  function names vec(funcidx name), indices strictly increasing
 *   other ids (local names, ...) are skipped.
 * A malformed name section is ignored as a whole (the spec makes it a custom
 * section whose errors must not fail the module).
 */
#include "wasm/decode_int.h"

#include <stdlib.h>
#include <string.h>

#include "util/error.h"

/* Checks UTF-8 per the spec: shortest form, no surrogates, <= U+10FFFF. */
bool wg__utf8_valid(const uint8_t *s, size_t len) {
    size_t i = 0;
    while (i < len) {
        uint8_t c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t n;
        uint32_t cp, min;
        if (c >= 0xC2 && c <= 0xDF) { n = 1; cp = c & 0x1F; min = 0x80; }
        else if (c >= 0xE0 && c <= 0xEF) { n = 2; cp = c & 0x0F; min = 0x800; }
        else if (c >= 0xF0 && c <= 0xF4) { n = 3; cp = c & 0x07; min = 0x10000; }
        else return false;  /* continuation byte, overlong lead C0/C1, or F5..FF */
        if (len - i - 1 < n) return false;
        for (size_t k = 1; k <= n; k++) {
            uint8_t cc = s[i + k];
            if ((cc & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (cc & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
        i += n + 1;
    }
    return true;
}

/* Decodes a custom section into m->customs; remembers the first `name` one. */
bool wg__dec_custom_section(wg_dec *d) {
    wg_module *m = d->m;
    wg_custom c;
    if (!wg__dec_name(d, &c.name, &c.name_len)) return false;
    c.data = d->r.p;
    c.len = (uint32_t)(d->r.end - d->r.p);
    d->r.p = d->r.end;
    /* Grow by doubling: the capacity is the next power of two >= ncustoms. */
    uint32_t n = m->ncustoms;
    if ((n & (n - 1)) == 0) {
        uint64_t cap = n ? (uint64_t)n * 2 : 4;
        if (n == 0 || n >= 4) {
            wg_custom *p = realloc(m->customs, (size_t)cap * sizeof *p);
            if (!p) return wg__dec_oom(d);
            m->customs = p;
        }
    }
    m->customs[m->ncustoms++] = c;
    if (!d->names && c.name_len == 4 && memcmp(c.name, "name", 4) == 0) {
        d->names = c.data;
        d->names_len = c.len;
    }
    return true;
}

/* A NUL-terminated copy of p[0..len). */
static char *dup_name(const uint8_t *p, uint32_t len) {
    char *s = malloc((size_t)len + 1);
    if (s) {
        memcpy(s, p, len);
        s[len] = '\0';
    }
    return s;
}

/* Reads a name without any error reporting (the name section is best effort). */
static bool read_name(wg_reader *r, const uint8_t **p, uint32_t *len) {
    if (!wg_read_u32(r, len)) return false;
    if (!wg_read_bytes(r, *len, p)) return false;
    return wg__utf8_valid(*p, *len);
}

/* Parses the function-names subsection. Returns 1 on success, 0 if malformed,
 * -1 when out of memory. */
static int parse_func_names(wg_reader *r, wg_module *m) {
    uint32_t n;
    if (!wg_read_u32(r, &n)) return 0;
    if (n > (size_t)(r->end - r->p)) return 0;
    if (n && !m->func_names) {
        if (!m->nfuncs) return 0;
        if (!(m->func_names = calloc(m->nfuncs, sizeof *m->func_names))) return -1;
    }
    uint64_t next = 0;  /* lowest index allowed next */
    for (uint32_t i = 0; i < n; i++) {
        uint32_t idx, len;
        const uint8_t *p;
        if (!wg_read_u32(r, &idx) || idx < next || idx >= m->nfuncs) return 0;
        if (!read_name(r, &p, &len)) return 0;
        next = (uint64_t)idx + 1;
        if (!(m->func_names[idx] = dup_name(p, len))) return -1;
    }
    return 1;
}

static void drop_names(wg_module *m) {
    free(m->module_name);
    m->module_name = NULL;
    if (m->func_names) {
        for (uint32_t i = 0; i < m->nfuncs; i++) free(m->func_names[i]);
        free(m->func_names);
        m->func_names = NULL;
    }
}

/* Fills module/function names from the `name` section; malformed means ignored. */
bool wg__dec_name_section(wg_dec *d) {
    wg_module *m = d->m;
    if (!d->names) return true;
    wg_reader r = {.p = d->names, .end = d->names + d->names_len, .base = m->bytes};
    int last_id = -1;
    int ok = 1;
    while (ok == 1 && r.p < r.end) {
        uint8_t id;
        uint32_t size;
        const uint8_t *sub;
        if (!wg_read_u8(&r, &id) || !wg_read_u32(&r, &size) || !wg_read_bytes(&r, size, &sub) ||
            (int)id <= last_id) {
            ok = 0;
            break;
        }
        last_id = id;
        wg_reader s = {.p = sub, .end = sub + size, .base = m->bytes};
        if (id == 0) {
            const uint8_t *p;
            uint32_t len;
            if (!read_name(&s, &p, &len) || s.p != s.end) {
                ok = 0;
            } else if (!(m->module_name = dup_name(p, len))) {
                ok = -1;
            }
        } else if (id == 1) {
            ok = parse_func_names(&s, m);
            if (ok == 1 && s.p != s.end) ok = 0;
        }
    }
    if (ok != 1) drop_names(m);
    return ok != -1;
}
