/* Unit tests of the component decoder and validator (src/component/) for
 * what the conformance suite does not cover: truncation at every offset and
 * byte flips of a small component (never a crash, always an error with an
 * offset), bad LEB128s, nesting bounds, huge counts, the component-name
 * section, and the representation the instantiation step reads
 * (component_int.h: items, index spaces, resource bindings). */
#include <stdlib.h>
#include <string.h>

#include "component/component_int.h"
#include "wasmgate/component.h"
#include "wg_test.h"

/* ---- a small component builder ----------------------------------------------- */

typedef struct cbuf {
    uint8_t *b;
    size_t n, cap;
} cbuf;

static void put(cbuf *c, const void *p, size_t n) {
    if (c->n + n > c->cap) {
        size_t cap = c->cap ? c->cap : 256;
        while (cap < c->n + n) cap *= 2;
        c->b = realloc(c->b, cap);
        if (!c->b) abort();
        c->cap = cap;
    }
    memcpy(c->b + c->n, p, n);
    c->n += n;
}
#define PUT(c, s) put((c), (s), sizeof(s) - 1)

static void put_byte(cbuf *c, uint8_t b) { put(c, &b, 1); }

static void put_u32(cbuf *c, uint32_t v) {
    do {
        uint8_t b = v & 0x7F;
        v >>= 7;
        if (v) b |= 0x80;
        put_byte(c, b);
    } while (v);
}

/* A non-negative type index as a valtype (signed LEB128). */
static void put_typeidx(cbuf *c, uint32_t v) {
    for (;;) {
        uint8_t b = v & 0x7F;
        v >>= 7;
        if (v == 0 && !(b & 0x40)) {
            put_byte(c, b);
            return;
        }
        put_byte(c, b | 0x80);
    }
}

static void section(cbuf *c, uint8_t id, const cbuf *payload) {
    put_byte(c, id);
    put_u32(c, (uint32_t)payload->n);
    put(c, payload->b, payload->n);
}
#define SEC(c, id, s)                          \
    do {                                       \
        cbuf p_ = {0};                         \
        PUT(&p_, s);                           \
        section((c), (id), &p_);               \
        free(p_.b);                            \
    } while (0)

static cbuf preamble(void) {
    cbuf c = {0};
    PUT(&c, "\0asm\x0d\x00\x01\x00");
    return c;
}

/* (func (export "f") (param i32) (result i32) local.get 0) */
static const char core_module[] =
    "\0asm\x01\x00\x00\x00"
    "\x01\x06\x01\x60\x01\x7f\x01\x7f"
    "\x03\x02\x01\x00"
    "\x07\x05\x01\x01\x66\x00\x00"
    "\x0a\x06\x01\x04\x00\x20\x00\x0b";

/* A component using most sections:
 *   (core module ...) (core instance (instantiate 0))
 *   (alias core export 0 "f" (core func))
 *   (type (func (param "x" u32) (result u32)))
 *   (func (canon lift (core func 0) (type 0)))
 *   (export "f" (func 0))
 *   (type (record (field "a" u32) (field "b" string))) (type (resource (rep i32)))
 *   (core func (canon resource.new 2))
 *   (type (instance (export "r" (type (sub resource)))))
 *   (import "i" (instance (type 3)))
 *   (@custom "component-name" ...) */
static cbuf sample(void) {
    cbuf c = preamble();
    cbuf m = {0};
    put(&m, core_module, sizeof core_module - 1);
    section(&c, 1, &m);
    free(m.b);
    SEC(&c, 2, "\x01\x00\x00\x00");
    SEC(&c, 6, "\x01\x00\x00\x01\x00\x01\x66");
    SEC(&c, 7, "\x01\x40\x01\x01\x78\x79\x00\x79");
    SEC(&c, 8, "\x01\x00\x00\x00\x00\x00");
    SEC(&c, 11, "\x01\x00\x01\x66\x01\x00\x00");
    SEC(&c, 7, "\x02\x72\x02\x01\x61\x79\x01\x62\x73\x3f\x7f\x00");
    SEC(&c, 8, "\x01\x02\x02");
    SEC(&c, 7, "\x01\x42\x01\x04\x00\x01\x72\x03\x01");
    SEC(&c, 10, "\x01\x00\x01\x69\x05\x03");
    /* component-name: the component's name "demo", func 0 named "ff". */
    SEC(&c, 0, "\x0e" "component-name" "\x00\x05\x04" "demo" "\x01\x06\x01\x01\x00\x02" "ff");
    return c;
}

static wg_component *load(const cbuf *c, wg_error *err) {
    memset(err, 0, sizeof *err);
    return wg_component_new(c->b, c->n, err);
}

/* ---- the sample and its representation ------------------------------------------ */

WG_TEST(sample_component_validates) {
    cbuf c = sample();
    wg_error err;
    wg_component *comp = load(&c, &err);
    CHECK(comp != NULL);
    if (!comp) {
        fprintf(stderr, "%s\n", err.message);
        free(c.b);
        return;
    }
    const wg_cdef *d = comp->root;
    CHECK_EQ_INT(d->nitems, 11);
    CHECK_EQ_INT(d->nimports, 1);
    CHECK_EQ_INT(d->nexports, 1);
    /* Index spaces point back at the items that made their entries. */
    CHECK_EQ_INT(d->nspace[WG_CS_CORE_MODULE], 1);
    CHECK_EQ_INT(d->nspace[WG_CS_CORE_FUNC], 2);
    CHECK_EQ_INT(d->nspace[WG_CS_FUNC], 2);     /* the lift, the export */
    CHECK_EQ_INT(d->nspace[WG_CS_TYPE], 4);
    CHECK_EQ_INT(d->nspace[WG_CS_INSTANCE], 1);
    CHECK_EQ_INT(d->items[d->space[WG_CS_CORE_FUNC][1]].kind, WG_CD_CANON);
    const wg_citem *lift = &d->items[d->space[WG_CS_FUNC][0]];
    CHECK_EQ_INT(lift->u.canon.op, WG_CANON_LIFT);
    CHECK(lift->u.canon.ftype && lift->u.canon.ftype->nparams == 1);
    CHECK(lift->u.canon.core && lift->u.canon.core->nparams == 1 && lift->u.canon.core->nresults == 1);
    CHECK(d->items[0].u.core_module.module != NULL);
    CHECK(d->items[0].u.core_module.bytes == NULL);  /* the input is not kept */
    /* The record type is laid out. */
    const wg_citem *rec = &d->items[d->space[WG_CS_TYPE][1]];
    CHECK_EQ_INT(rec->t.type.kind, WG_CTY_VALUE);
    CHECK_EQ_INT(rec->t.type.of.value->kind, WG_CT_RECORD);
    CHECK_EQ_INT(rec->t.type.of.value->layout[0].size, 12);
    CHECK_EQ_INT(rec->t.type.of.value->layout[0].nflat, 3);
    /* resource.new of the local resource: (i32) -> (i32). */
    const wg_citem *rnew = &d->items[d->space[WG_CS_CORE_FUNC][1]];
    CHECK_EQ_INT(rnew->u.canon.op, WG_CANON_RESOURCE_NEW);
    CHECK(rnew->u.canon.core->nparams == 1 && rnew->u.canon.core->nresults == 1);
    /* Two resources: the defined one, and the imported instance's "r". */
    CHECK_EQ_INT(d->nresbinds, 2);
    int defined = 0, imported = 0;
    for (uint32_t i = 0; i < d->nresbinds; i++) {
        const wg_cresbind *rb = &d->resbinds[i];
        if (rb->how == WG_RB_DEFINED) {
            defined++;
            CHECK_EQ_INT(d->items[rb->index].kind, WG_CD_TYPE);
            CHECK_EQ_INT(rb->rep, 0x7f);
            CHECK_EQ_INT(rb->dtor, WG_CNONE);
            CHECK_EQ_INT(rb->id, rnew->u.canon.resource);
        } else if (rb->how == WG_RB_IMPORT) {
            imported++;
            CHECK_EQ_INT(rb->index, 0);
            CHECK_EQ_INT(rb->len, 1);
            CHECK_EQ_INT(rb->path[0], 0);
        }
    }
    CHECK_EQ_INT(defined, 1);
    CHECK_EQ_INT(imported, 1);
    CHECK(comp->nresources >= 2);
    /* The component's type: one import, one export. */
    CHECK_EQ_INT(d->type->nimports, 1);
    CHECK_EQ_INT(d->type->nexports, 1);
    /* Names from the component-name section. */
    CHECK(d->name.s && strcmp(d->name.s, "demo") == 0);
    CHECK_EQ_INT(d->nnames, 1);
    if (d->nnames == 1) {
        CHECK_EQ_INT(d->names[0].sort, WG_CS_FUNC);
        CHECK(strcmp(d->names[0].name.s, "ff") == 0);
    }
    wg_component_free(comp);
    free(c.b);
}

WG_TEST(binary_kind) {
    cbuf c = sample();
    CHECK_EQ_INT(wg_binary_kind_of(c.b, c.n), WG_BINARY_COMPONENT);
    CHECK_EQ_INT(wg_binary_kind_of((const uint8_t *)core_module, sizeof core_module - 1), WG_BINARY_MODULE);
    CHECK_EQ_INT(wg_binary_kind_of(c.b, 7), WG_BINARY_UNKNOWN);
    CHECK_EQ_INT(wg_binary_kind_of(NULL, 0), WG_BINARY_UNKNOWN);
    free(c.b);
}

WG_TEST(core_module_is_not_a_component) {
    wg_error err;
    memset(&err, 0, sizeof err);
    CHECK(wg_component_new((const uint8_t *)core_module, sizeof core_module - 1, &err) == NULL);
    CHECK_EQ_INT(err.kind, WG_ERR_MALFORMED);
    CHECK_STR_CONTAINS(err.message, "core module, not a component");
}

/* A child component defining and exporting a resource, instantiated: the
 * parent's aliased resource is bound from the instance's export. */
WG_TEST(resource_from_a_child_instance) {
    cbuf child = preamble();
    SEC(&child, 7, "\x01\x3f\x7f\x00");
    SEC(&child, 11, "\x01\x00\x01\x72\x03\x00\x00");
    cbuf c = preamble();
    section(&c, 4, &child);
    SEC(&c, 5, "\x01\x00\x00\x00");
    SEC(&c, 6, "\x01\x03\x00\x00\x01\x72");
    SEC(&c, 8, "\x01\x03\x00");  /* (core func (canon resource.drop 0)) */
    wg_error err;
    wg_component *comp = load(&c, &err);
    CHECK(comp != NULL);
    if (comp) {
        const wg_cdef *d = comp->root;
        CHECK_EQ_INT(d->nresbinds, 1);
        if (d->nresbinds == 1) {
            CHECK_EQ_INT(d->resbinds[0].how, WG_RB_INSTANCE);
            CHECK_EQ_INT(d->resbinds[0].index, 0);
            CHECK_EQ_INT(d->resbinds[0].len, 1);
            CHECK_EQ_INT(d->resbinds[0].path[0], 0);
            CHECK_EQ_INT(d->items[3].u.canon.resource, d->resbinds[0].id);
        }
        const wg_cdef *k = d->items[0].u.component;
        CHECK(k->parent == d);
        CHECK_EQ_INT(k->nresbinds, 1);
        if (k->nresbinds == 1) {
            CHECK_EQ_INT(k->resbinds[0].how, WG_RB_DEFINED);
            CHECK(k->resbinds[0].id != d->resbinds[0].id);  /* fresh per instantiation */
        }
        CHECK_EQ_INT(k->type->ndefined_res, 1);
        wg_component_free(comp);
    } else {
        fprintf(stderr, "%s\n", err.message);
    }
    /* resource.rep of it is not allowed: it is not local. */
    cbuf c2 = preamble();
    section(&c2, 4, &child);
    SEC(&c2, 5, "\x01\x00\x00\x00");
    SEC(&c2, 6, "\x01\x03\x00\x00\x01\x72");
    SEC(&c2, 8, "\x01\x04\x00");
    CHECK(load(&c2, &err) == NULL);
    CHECK_STR_CONTAINS(err.message, "not a local resource");
    free(c.b);
    free(c2.b);
    free(child.b);
}

/* ---- hostile input ------------------------------------------------------------------- */

/* Every prefix of the sample loads or fails cleanly: an error has a kind,
 * a message naming an offset inside the input. */
WG_TEST(truncation_at_every_offset) {
    cbuf c = sample();
    for (size_t len = 0; len < c.n; len++) {
        wg_error err;
        memset(&err, 0xA5, sizeof err);
        wg_component *comp = wg_component_new(c.b, len, &err);
        if (comp) {  /* a prefix that ends on a section boundary */
            wg_component_free(comp);
            continue;
        }
        CHECK(err.kind == WG_ERR_MALFORMED || err.kind == WG_ERR_INVALID);
        CHECK(memchr(err.message, '\0', sizeof err.message) != NULL);
        CHECK(err.offset <= len);
        CHECK_STR_CONTAINS(err.message, "offset 0x");
    }
    free(c.b);
}

/* Every byte replaced by a few values: never a crash (the sanitizer build
 * checks memory), always a well-formed error when rejected. */
WG_TEST(byte_flips) {
    cbuf c = sample();
    static const uint8_t vals[] = {0x00, 0x01, 0x7f, 0x80, 0xff, 0x40, 0x3f};
    for (size_t i = 8; i < c.n; i++) {
        uint8_t keep = c.b[i];
        for (size_t k = 0; k < sizeof vals; k++) {
            c.b[i] = vals[k];
            wg_error err;
            wg_component *comp = wg_component_new(c.b, c.n, &err);
            if (comp) wg_component_free(comp);
            else CHECK(err.kind != WG_ERR_NONE && err.offset <= c.n);
        }
        c.b[i] = keep;
    }
    free(c.b);
}

WG_TEST(bad_leb128) {
    struct {
        const char *payload;
        size_t len;
        const char *want;
    } cases[] = {
        /* a section size with six bytes */
        {"\x07\x81\x80\x80\x80\x80\x00", 7, "integer representation too long"},
        /* bits above 32 */
        {"\x07\x81\x80\x80\x80\x70\x00", 7, "integer too large"},
        /* a vector count running off the end */
        {"\x07\x02\x85\x80", 4, "unexpected end-of-file"},
        /* a name length past the section */
        {"\x0a\x04\x01\x00\x7f\x61", 6, "unexpected end-of-file"},
        /* a type index with too many bytes */
        {"\x07\x08\x01\x70\xff\xff\xff\xff\xff\x7f", 10, "integer"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cbuf c = preamble();
        put(&c, cases[i].payload, cases[i].len);
        wg_error err;
        CHECK(load(&c, &err) == NULL);
        CHECK_EQ_INT(err.kind, WG_ERR_MALFORMED);
        CHECK_STR_CONTAINS(err.message, cases[i].want);
        CHECK_STR_CONTAINS(err.message, "component section 0x");
        free(c.b);
    }
}

/* Counts larger than the input fail at once, before allocating for them. */
WG_TEST(huge_counts) {
    const char *payloads[] = {
        "\x07\x05\xff\xff\xff\xff\x0f",         /* types */
        "\x07\x07\x01\x72\xff\xff\xff\xff\x0f", /* record fields */
        "\x08\x05\xff\xff\xff\xff\x0f",         /* canons */
        "\x0a\x05\xff\xff\xff\xff\x0f",         /* imports */
    };
    size_t lens[] = {7, 9, 7, 7};
    for (size_t i = 0; i < 4; i++) {
        cbuf c = preamble();
        put(&c, payloads[i], lens[i]);
        wg_error err;
        CHECK(load(&c, &err) == NULL);
        CHECK_STR_CONTAINS(err.message, "unexpected end-of-file");
        free(c.b);
    }
}

static cbuf nested(int depth) {
    cbuf c = preamble();
    if (depth > 0) {
        cbuf inner = nested(depth - 1);
        section(&c, 4, &inner);
        free(inner.b);
    }
    return c;
}

WG_TEST(component_nesting_is_bounded) {
    wg_error err;
    cbuf ok = nested(40);
    wg_component *comp = load(&ok, &err);
    CHECK(comp != NULL);
    wg_component_free(comp);
    cbuf deep = nested(200);
    CHECK(load(&deep, &err) == NULL);
    CHECK_STR_CONTAINS(err.message, "nested too deeply");
    free(ok.b);
    free(deep.b);
}

/* (instance (type (instance (type (instance ...))))) written inline. */
static void nested_instance_type(cbuf *c, int depth) {
    if (depth == 0) {
        PUT(c, "\x42\x00");
        return;
    }
    PUT(c, "\x42\x01\x01");
    nested_instance_type(c, depth - 1);
}

WG_TEST(type_nesting_is_bounded) {
    wg_error err;
    for (int depth = 10; depth <= 1000; depth *= 10) {
        cbuf p = {0};
        put_byte(&p, 1);
        nested_instance_type(&p, depth);
        cbuf c = preamble();
        section(&c, 7, &p);
        wg_component *comp = load(&c, &err);
        if (depth == 10) CHECK(comp != NULL);
        else CHECK(comp == NULL && strstr(err.message, "too deeply"));
        wg_component_free(comp);
        free(p.b);
        free(c.b);
    }
}

/* list<list<...<string>>>: value types deeper than 100 are rejected. */
WG_TEST(value_type_depth_is_bounded) {
    for (int n = 99; n <= 101; n++) {
        cbuf p = {0};
        put_u32(&p, (uint32_t)n + 1);
        put_byte(&p, 0x73);
        for (int i = 1; i <= n; i++) {
            put_byte(&p, 0x70);
            put_typeidx(&p, (uint32_t)i - 1);
        }
        cbuf c = preamble();
        section(&c, 7, &p);
        wg_error err;
        wg_component *comp = load(&c, &err);
        if (n < 100) CHECK(comp != NULL);
        else CHECK(comp == NULL && strstr(err.message, "type nesting is too deep"));
        wg_component_free(comp);
        free(p.b);
        free(c.b);
    }
}

/* An invalid name section is ignored: names are best effort. */
WG_TEST(invalid_name_section_is_ignored) {
    cbuf c = preamble();
    SEC(&c, 0, "\x0e" "component-name" "\x01\x7f\x00\x00");
    SEC(&c, 0, "\x0e" "component-name" "\x00\x09\x04");
    wg_error err;
    wg_component *comp = load(&c, &err);
    CHECK(comp != NULL);
    if (comp) CHECK(comp->root->name.s == NULL);
    wg_component_free(comp);
    free(c.b);
}

WG_TEST(value_section_is_rejected_as_unsupported) {
    cbuf c = preamble();
    SEC(&c, 12, "\x01\x7f\x01\x01");
    wg_error err;
    CHECK(load(&c, &err) == NULL);
    CHECK_EQ_INT(err.kind, WG_ERR_INVALID);
    CHECK_STR_CONTAINS(err.message, "not supported");
    free(c.b);
}

WG_TEST_MAIN()
