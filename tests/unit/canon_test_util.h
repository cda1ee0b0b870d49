/*
 * Helpers for the Canonical ABI tests (test_canon_*.c), header-only so that
 * every test stays one file for tests/CMakeLists.txt:
 *
 *   - a parser for the WIT-like type syntax gen_canon_vectors.py uses
 *     (ct_parse(&arena, "record{a:u8,b:list<string>}")), building wg_ctype
 *     trees bottom-up with wg__ctype_layout, as the validator does;
 *   - a memory (a plain byte buffer) and realloc callbacks: run_tests.py's
 *     Heap (recording every call), and a fixed-result realloc for the traps;
 *   - a context set up with both.
 */
#ifndef CANON_TEST_UTIL_H
#define CANON_TEST_UTIL_H

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "component/canon.h"
#include "component/ctype.h"
#include "component/rtype.h"
#include "wg_test.h"

#define CT_FN static __attribute__((unused))

/* ---- an arena for types ------------------------------------------------------ */

typedef struct ct_block {
    struct ct_block *next;
    max_align_t data[];
} ct_block;

typedef struct ct_arena {
    ct_block *blocks;
} ct_arena;

CT_FN void *ct_alloc(ct_arena *a, size_t n) {
    ct_block *b = calloc(1, sizeof *b + n);
    if (!b) abort();
    b->next = a->blocks;
    a->blocks = b;
    return b->data;
}

CT_FN void ct_arena_free(ct_arena *a) {
    while (a->blocks) {
        ct_block *b = a->blocks;
        a->blocks = b->next;
        free(b);
    }
}

CT_FN char *ct_strdup(ct_arena *a, const char *s, size_t n) {
    char *d = ct_alloc(a, n + 1);
    memcpy(d, s, n);
    return d;
}

/* ---- the type parser ------------------------------------------------------------- */

typedef struct ct_parser {
    ct_arena *arena;
    const char *s;
    size_t i;
} ct_parser;

static const wg_ctype *ct_type(ct_parser *p);

CT_FN bool ct_peek(ct_parser *p, const char *c) {
    return strncmp(p->s + p->i, c, strlen(c)) == 0;
}

CT_FN void ct_eat(ct_parser *p, const char *c) {
    if (!ct_peek(p, c)) {
        fprintf(stderr, "type parse error in \"%s\" at %zu: expected %s\n", p->s, p->i, c);
        abort();
    }
    p->i += strlen(c);
}

CT_FN char *ct_word(ct_parser *p) {
    size_t j = p->i;
    while (p->s[p->i] && (isalnum((unsigned char)p->s[p->i]) || p->s[p->i] == '-' || p->s[p->i] == '_'))
        p->i++;
    return ct_strdup(p->arena, p->s + j, p->i - j);
}

CT_FN uint32_t ct_num(ct_parser *p) {
    ct_eat(p, "#");
    return (uint32_t)strtoul(ct_word(p), NULL, 10);
}

CT_FN wg_ctype *ct_new(ct_parser *p, wg_ctype_kind kind) {
    wg_ctype *t = ct_alloc(p->arena, sizeof *t);
    t->kind = kind;
    return t;
}

CT_FN const wg_ctype *ct_done(ct_parser *p, wg_ctype *t) {
    if (!wg__ctype_layout(t)) {
        fprintf(stderr, "type too large: %s\n", p->s);
        abort();
    }
    return t;
}

CT_FN const wg_ctype *ct_opt(ct_parser *p) {
    if (ct_peek(p, "_")) {
        ct_eat(p, "_");
        return NULL;
    }
    return ct_type(p);
}

/* Labels: {a,b,c} or #N (l0 .. lN-1). */
CT_FN const char *const *ct_labels(ct_parser *p, uint32_t *n) {
    if (ct_peek(p, "#")) {
        *n = ct_num(p);
        const char **l = ct_alloc(p->arena, *n * sizeof *l);
        for (uint32_t i = 0; i < *n; i++) {
            char b[16];
            int k = snprintf(b, sizeof b, "l%u", i);
            l[i] = ct_strdup(p->arena, b, (size_t)k);
        }
        return l;
    }
    ct_eat(p, "{");
    const char **l = ct_alloc(p->arena, 64 * sizeof *l);
    *n = 0;
    while (!ct_peek(p, "}")) {
        l[(*n)++] = ct_word(p);
        if (ct_peek(p, ",")) ct_eat(p, ",");
    }
    ct_eat(p, "}");
    return l;
}

static const wg_ctype *ct_type(ct_parser *p) {
    static const struct { const char *name; wg_ctype_kind kind; } prims[] = {
        {"bool", WG_CT_BOOL}, {"s8", WG_CT_S8}, {"u8", WG_CT_U8}, {"s16", WG_CT_S16},
        {"u16", WG_CT_U16}, {"s32", WG_CT_S32}, {"u32", WG_CT_U32}, {"s64", WG_CT_S64},
        {"u64", WG_CT_U64}, {"f32", WG_CT_F32}, {"f64", WG_CT_F64}, {"char", WG_CT_CHAR},
        {"string", WG_CT_STRING}, {"error-context", WG_CT_ERROR_CONTEXT},
    };
    const char *w = ct_word(p);
    for (size_t i = 0; i < sizeof prims / sizeof prims[0]; i++)
        if (strcmp(w, prims[i].name) == 0) return ct_done(p, ct_new(p, prims[i].kind));
    wg_ctype *t;
    if (strcmp(w, "list") == 0) {
        t = ct_new(p, WG_CT_LIST);
        ct_eat(p, "<");
        t->elem = ct_type(p);
        if (ct_peek(p, ",")) {
            ct_eat(p, ",");
            t->n = (uint32_t)strtoul(ct_word(p), NULL, 10);
        }
        ct_eat(p, ">");
    } else if (strcmp(w, "option") == 0) {
        t = ct_new(p, WG_CT_OPTION);
        ct_eat(p, "<");
        t->elem = ct_type(p);
        ct_eat(p, ">");
    } else if (strcmp(w, "result") == 0) {
        t = ct_new(p, WG_CT_RESULT);
        if (ct_peek(p, "<")) {
            ct_eat(p, "<");
            t->elem = ct_opt(p);
            ct_eat(p, ",");
            t->elem2 = ct_opt(p);
            ct_eat(p, ">");
        }
    } else if (strcmp(w, "map") == 0) {
        t = ct_new(p, WG_CT_MAP);
        ct_eat(p, "<");
        t->elem = ct_type(p);
        ct_eat(p, ",");
        t->elem2 = ct_type(p);
        ct_eat(p, ">");
    } else if (strcmp(w, "tuple") == 0 || strcmp(w, "record") == 0 ||
               strcmp(w, "variant") == 0) {
        bool tuple = w[0] == 't', record = w[0] == 'r';
        t = ct_new(p, tuple ? WG_CT_TUPLE : record ? WG_CT_RECORD : WG_CT_VARIANT);
        wg_cfield *f;
        if (ct_peek(p, "#")) { /* tuple#N<T>, variant#N<T> */
            t->n = ct_num(p);
            ct_eat(p, "<");
            const wg_ctype *e = tuple ? ct_type(p) : ct_opt(p);
            ct_eat(p, ">");
            f = ct_alloc(p->arena, t->n * sizeof *f);
            for (uint32_t i = 0; i < t->n; i++) {
                char b[16];
                int k = snprintf(b, sizeof b, "c%u", i);
                f[i].name = tuple ? NULL : ct_strdup(p->arena, b, (size_t)k);
                f[i].type = e;
            }
        } else {
            f = ct_alloc(p->arena, 64 * sizeof *f);
            ct_eat(p, tuple ? "<" : "{");
            while (!ct_peek(p, tuple ? ">" : "}")) {
                wg_cfield *c = &f[t->n++];
                if (tuple) {
                    c->type = ct_type(p);
                } else if (record) {
                    c->name = ct_word(p);
                    ct_eat(p, ":");
                    c->type = ct_type(p);
                } else {
                    c->name = ct_word(p);
                    if (ct_peek(p, "(")) {
                        ct_eat(p, "(");
                        c->type = ct_type(p);
                        ct_eat(p, ")");
                    }
                }
                if (ct_peek(p, ",")) ct_eat(p, ",");
            }
            ct_eat(p, tuple ? ">" : "}");
        }
        t->fields = f;
    } else if (strcmp(w, "enum") == 0 || strcmp(w, "flags") == 0) {
        t = ct_new(p, w[0] == 'e' ? WG_CT_ENUM : WG_CT_FLAGS);
        t->labels = ct_labels(p, &t->n);
    } else if (strcmp(w, "own") == 0 || strcmp(w, "borrow") == 0) {
        t = ct_new(p, w[0] == 'o' ? WG_CT_OWN : WG_CT_BORROW);
        ct_eat(p, "<");
        t->resource = (uint32_t)strtoul(ct_word(p), NULL, 10);
        ct_eat(p, ">");
    } else if (strcmp(w, "stream") == 0 || strcmp(w, "future") == 0) {
        t = ct_new(p, w[0] == 's' ? WG_CT_STREAM : WG_CT_FUTURE);
        if (ct_peek(p, "<")) {
            ct_eat(p, "<");
            t->elem = ct_type(p);
            ct_eat(p, ">");
        }
    } else {
        fprintf(stderr, "unknown type \"%s\" in \"%s\"\n", w, p->s);
        abort();
    }
    return ct_done(p, t);
}

/* Parses one type (the whole string). */
CT_FN const wg_ctype *ct_parse(ct_arena *a, const char *s) {
    ct_parser p = {a, s, 0};
    const wg_ctype *t = ct_type(&p);
    if (p.s[p.i]) {
        fprintf(stderr, "trailing text in type \"%s\"\n", s);
        abort();
    }
    return t;
}

/* A function type from ';'-separated parameter types and a result ("" or
 * NULL: none). */
CT_FN wg_cfunctype ct_functype(ct_arena *a, const char *params, const char *result) {
    wg_cfunctype ft = {0};
    wg_cfield *f = ct_alloc(a, 64 * sizeof *f);
    const char *s = params;
    while (s && *s) {
        const char *e = strchr(s, ';');
        size_t n = e ? (size_t)(e - s) : strlen(s);
        f[ft.nparams].name = "p";
        f[ft.nparams].type = ct_parse(a, ct_strdup(a, s, n));
        ft.nparams++;
        s = e ? e + 1 : NULL;
    }
    ft.params = f;
    if (result && *result) ft.result = ct_parse(a, result);
    return ft;
}

/* ---- memory and realloc ---------------------------------------------------------- */

typedef struct ct_realloc_call {
    uint64_t old, old_size, align, new_size, ret;
} ct_realloc_call;

/* A guest memory as a byte buffer, with a realloc that behaves like
 * run_tests.py's Heap (or returns `fixed` for every call when use_fixed),
 * recording its calls. */
typedef struct ct_mem {
    uint8_t *buf;
    uint64_t size;
    uint64_t last_alloc;
    bool use_fixed;
    uint64_t fixed;
    bool trap_on_call;          /* realloc traps (as a guest's unreachable would) */
    uint32_t ncalls;
    ct_realloc_call calls[16];
    wg_canon_inst *inst;        /* when set: may_leave seen during each call */
    bool may_leave_seen;
} ct_mem;

CT_FN uint8_t *ct_mem_get(void *data, uint64_t *size) {
    ct_mem *m = data;
    *size = m->size;
    return m->buf;
}

CT_FN bool ct_realloc(void *data, uint64_t *slots, uint32_t nargs, uint32_t nresults,
                      wg_trap *trap) {
    ct_mem *m = data;
    CHECK(nargs == 4 && nresults == 1);
    if (m->inst) m->may_leave_seen = m->inst->may_leave;
    if (m->trap_on_call) {
        trap->code = WG_TRAP_UNREACHABLE;
        snprintf(trap->message, sizeof trap->message, "unreachable");
        return false;
    }
    uint64_t old = slots[0], old_size = slots[1], align = slots[2], new_size = slots[3], ret;
    if (m->use_fixed) {
        ret = m->fixed;
    } else if (old != 0 && new_size < old_size) {
        ret = (old + align - 1) / align * align;
    } else {
        ret = (m->last_alloc + align - 1) / align * align;
        m->last_alloc = ret + new_size;
        if (m->last_alloc > m->size) {
            trap->code = WG_TRAP_HOST;
            snprintf(trap->message, sizeof trap->message, "test heap exhausted");
            return false;
        }
        uint64_t n = old_size;
        if (ret + n > m->size) n = m->size - ret;
        memmove(m->buf + ret, m->buf + old, n);
    }
    if (m->ncalls < 16) m->calls[m->ncalls++] = (ct_realloc_call){old, old_size, align, new_size, ret};
    slots[0] = ret;
    return true;
}

CT_FN void ct_mem_init(ct_mem *m, uint64_t size) {
    *m = (ct_mem){0};
    m->buf = calloc(size ? size : 1, 1);
    if (!m->buf) abort();
    m->size = size;
}

CT_FN void ct_mem_free(ct_mem *m) {
    free(m->buf);
    m->buf = NULL;
}

CT_FN wg_canon_opts ct_opts(ct_mem *m, wg_canon_enc enc, bool mem64) {
    return (wg_canon_opts){
        .enc = enc,
        .mem64 = mem64,
        .memory = ct_mem_get,
        .memory_data = m,
        .realloc = {ct_realloc, m},
    };
}

/* Hex digits to bytes (returns the count). */
CT_FN size_t ct_unhex(const char *hex, uint8_t *out) {
    size_t n = strlen(hex) / 2;
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        sscanf(hex + 2 * i, "%2x", &v);
        out[i] = (uint8_t)v;
    }
    return n;
}

/* Checks that a failed operation trapped with a message containing want. */
#define CHECK_TRAP(ok, trap, want)                          \
    do {                                                    \
        CHECK(!(ok));                                       \
        CHECK_STR_CONTAINS((trap).message, (want));         \
    } while (0)

#endif
