/*
 * `wasmgate inspect MODULE.wasm`: what a module needs and offers, for people.
 *
 * Output (stable: tests and scripts may rely on the line forms):
 *   module: PATH (N bytes)
 *   imports: N
 *     func    MODULE::NAME (i32, i64) -> (f32)
 *     table   MODULE::NAME funcref, min 1, max 10
 *     memory  MODULE::NAME pages: min 1, no max
 *     global  MODULE::NAME mut i32
 *   exports: N
 *     func    NAME (i32) -> (i32)             (and so on, as for imports)
 *   types: N
 *   functions: N defined, N imported
 *   tables: N defined, N imported
 *     table I: funcref, min 1, max 1          (one per defined table, I its index)
 *   memories: N defined, N imported
 *     memory I: pages: min 1, max 2           (one per defined memory)
 *   globals: N defined, N imported
 *   elems: N
 *   datas: N
 *   start: func I NAME | none
 *   custom sections: N
 *     NAME (N bytes)
 *   sections: N
 *     ID NAME          offset 0x..  size N  ["CUSTOM-NAME"]
 *   code: N bytes in the code section, N bytes compiled
 *
 * The engine validated the module before any of this runs. The limits of
 * defined tables and memories are not in the embedding API, so this file
 * reads them, and the section list, from the binary with its own small
 * bounds-checked reader.
 */
#include "cli/cli.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/inspect.h"
#include "cli/values.h"
#include "wasmgate/component.h"

/* A bounds-checked cursor over the module's bytes. */
typedef struct reader {
    const uint8_t *p;   /* next byte */
    const uint8_t *end; /* one past the last byte */
    bool bad;           /* a read ran past end or a LEB128 was too long */
} reader;

static uint8_t read_u8(reader *r) {
    if (r->p >= r->end) {
        r->bad = true;
        return 0;
    }
    return *r->p++;
}

static uint64_t read_uleb(reader *r) {
    uint64_t v = 0;
    for (unsigned shift = 0; shift < 70; shift += 7) {
        uint8_t b = read_u8(r);
        if (r->bad) return 0;
        if (shift < 64) v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) return v;
    }
    r->bad = true;
    return 0;
}

/* Limits of a table or memory: flags, min, optional max (binary format 5.3.7
 * plus the threads (shared) and memory64 flag bits). */
typedef struct limits_info {
    uint64_t min, max;
    bool has_max, shared, is64;
} limits_info;

static limits_info read_limits(reader *r) {
    limits_info l;
    uint8_t flags = read_u8(r);
    memset(&l, 0, sizeof l);
    l.has_max = flags & 1;
    l.shared = flags & 2;
    l.is64 = flags & 4;
    l.min = read_uleb(r);
    if (l.has_max) l.max = read_uleb(r);
    return l;
}

static void print_limits(const char *unit, uint64_t min, bool has_max, uint64_t max) {
    printf("%smin %" PRIu64, unit, min);
    if (has_max) printf(", max %" PRIu64, max);
    else printf(", no max");
}

static const char *const section_names[] = {
    "custom", "type", "import", "function", "table", "memory", "global",
    "export", "start", "element", "code", "data", "datacount", "tag",
};

/* One section of the binary. */
typedef struct section {
    uint8_t id;
    size_t offset; /* of the section's id byte */
    size_t size;   /* of the payload */
    const uint8_t *payload;
} section;

/* Splits the module into sections; returns how many (at most max), or -1 if
 * the binary is not well-formed enough to walk. */
static int walk_sections(const uint8_t *bytes, size_t len, section *out, int max) {
    reader r = {bytes + 8, bytes + len, false};
    int n = 0;
    if (len < 8) return -1;
    while (r.p < r.end && n < max) {
        section *s = &out[n];
        s->offset = (size_t)(r.p - bytes);
        s->id = read_u8(&r);
        uint64_t size = read_uleb(&r);
        if (r.bad || size > (uint64_t)(r.end - r.p)) return -1;
        s->size = (size_t)size;
        s->payload = r.p;
        r.p += size;
        n++;
    }
    return n;
}

static const section *find_section(const section *secs, int n, uint8_t id) {
    for (int i = 0; i < n; i++)
        if (secs[i].id == id) return &secs[i];
    return NULL;
}

/* The element count at the start of a vector section, 0 if absent. */
static uint64_t section_count(const section *s) {
    if (!s) return 0;
    reader r = {s->payload, s->payload + s->size, false};
    uint64_t n = read_uleb(&r);
    return r.bad ? 0 : n;
}

void cli_print_extern(const wg_extern_desc *d, bool is_import, int indent) {
    static const char *const kinds[] = {"func", "table", "memory", "global"};
    char mod[256], name[256], sig[512];
    const char *kind = (unsigned)d->kind < 4 ? kinds[d->kind] : "?";
    cli_format_name(d->name, d->name_len, name, sizeof name);
    if (is_import)
        printf("%*s%-7s %s::%s ", indent, "", kind, cli_format_name(d->module, d->module_len, mod, sizeof mod), name);
    else
        printf("%*s%-7s %s ", indent, "", kind, name);
    switch (d->kind) {
    case WG_EXTERN_FUNC:
        printf("%s", cli_format_functype(&d->func, sig, sizeof sig));
        break;
    case WG_EXTERN_TABLE:
        printf("%s, ", cli_valtype_name(d->type));
        print_limits("", d->limits.min, d->limits.has_max, d->limits.max);
        break;
    case WG_EXTERN_MEMORY:
        print_limits("pages: ", d->limits.min, d->limits.has_max, d->limits.max);
        break;
    case WG_EXTERN_GLOBAL:
        printf("%s%s", d->mutable_ ? "mut " : "", cli_valtype_name(d->type));
        break;
    }
    putchar('\n');
}

/* Defined tables (section 4): "table I: funcref, min 1, max 1". */
static void print_defined_tables(const section *s, uint32_t first_index) {
    if (!s) return;
    reader r = {s->payload, s->payload + s->size, false};
    uint64_t n = read_uleb(&r);
    for (uint64_t i = 0; i < n && !r.bad; i++) {
        uint8_t elem = read_u8(&r);
        if (elem == 0x40) break; /* a table with an initializer: not in Wasm 2.0 */
        limits_info l = read_limits(&r);
        if (r.bad) break;
        printf("  table %" PRIu64 ": %s, ", first_index + i, cli_valtype_name((wg_valtype)elem));
        print_limits(l.is64 ? "i64 " : "", l.min, l.has_max, l.max);
        putchar('\n');
    }
}

/* Defined memories (section 5): "memory I: pages: min 1, max 2". */
static void print_defined_memories(const section *s, uint32_t first_index) {
    if (!s) return;
    reader r = {s->payload, s->payload + s->size, false};
    uint64_t n = read_uleb(&r);
    for (uint64_t i = 0; i < n && !r.bad; i++) {
        limits_info l = read_limits(&r);
        if (r.bad) break;
        printf("  memory %" PRIu64 ": ", first_index + i);
        print_limits(l.is64 ? "i64 pages: " : "pages: ", l.min, l.has_max, l.max);
        printf("%s\n", l.shared ? ", shared" : "");
    }
}

static void print_module(const wg_module *m, const char *path, const uint8_t *bytes, size_t len) {
    enum { MAX_SECTIONS = 1024 };
    section *secs = malloc(MAX_SECTIONS * sizeof *secs);
    int nsecs = secs ? walk_sections(bytes, len, secs, MAX_SECTIONS) : -1;
    if (nsecs < 0) nsecs = 0;
    wg_module_info info;
    wg_extern_desc d;
    uint32_t nimported[4] = {0, 0, 0, 0};
    char name[256];
    memset(&info, 0, sizeof info);
    wg_module_get_info(m, &info);

    printf("module: %s (%zu bytes)\n", path, len);
    uint32_t n = wg_module_import_count(m);
    printf("imports: %" PRIu32 "\n", n);
    for (uint32_t i = 0; i < n; i++) {
        if (!wg_module_import(m, i, &d)) continue;
        if ((unsigned)d.kind < 4) nimported[d.kind]++;
        cli_print_extern(&d, true, 2);
    }
    n = wg_module_export_count(m);
    printf("exports: %" PRIu32 "\n", n);
    for (uint32_t i = 0; i < n; i++) {
        if (wg_module_export(m, i, &d)) cli_print_extern(&d, false, 2);
    }

    printf("types: %" PRIu32 "\n", info.ntypes);
    printf("functions: %" PRIu32 " defined, %" PRIu32 " imported\n", info.nfuncs, info.nimported_funcs);
    const section *tables = nsecs ? find_section(secs, nsecs, 4) : NULL;
    const section *mems = nsecs ? find_section(secs, nsecs, 5) : NULL;
    const section *globals = nsecs ? find_section(secs, nsecs, 6) : NULL;
    printf("tables: %" PRIu64 " defined, %" PRIu32 " imported\n", section_count(tables),
           nimported[WG_EXTERN_TABLE]);
    print_defined_tables(tables, nimported[WG_EXTERN_TABLE]);
    printf("memories: %" PRIu64 " defined, %" PRIu32 " imported\n", section_count(mems),
           nimported[WG_EXTERN_MEMORY]);
    print_defined_memories(mems, nimported[WG_EXTERN_MEMORY]);
    printf("globals: %" PRIu64 " defined, %" PRIu32 " imported\n", section_count(globals),
           nimported[WG_EXTERN_GLOBAL]);
    printf("elems: %" PRIu32 "\n", info.nelems);
    printf("datas: %" PRIu32 "\n", info.ndatas);
    if (info.has_start) {
        const char *fname = wg_module_func_name(m, info.start);
        printf("start: func %" PRIu32 "%s%s\n", info.start, fname ? " " : "",
               fname ? cli_format_name(fname, strlen(fname), name, sizeof name) : "");
    } else {
        printf("start: none\n");
    }

    printf("custom sections: %" PRIu32 "\n", info.ncustom);
    for (uint32_t i = 0; i < info.ncustom; i++) {
        const char *cname;
        size_t cname_len, clen;
        const uint8_t *cdata;
        if (!wg_module_custom_section(m, i, &cname, &cname_len, &cdata, &clen)) continue;
        printf("  %s (%zu bytes)\n", cli_format_name(cname, cname_len, name, sizeof name), clen);
    }

    size_t code_section = 0;
    printf("sections: %d\n", nsecs);
    for (int i = 0; i < nsecs; i++) {
        const section *s = &secs[i];
        const char *sname = s->id < sizeof section_names / sizeof section_names[0]
                                ? section_names[s->id] : "unknown";
        if (s->id == 10) code_section = s->size;
        printf("  %2u %-10s offset 0x%06zx  size %zu", s->id, sname, s->offset, s->size);
        if (s->id == 0) { /* a custom section starts with its name */
            reader r = {s->payload, s->payload + s->size, false};
            uint64_t nlen = read_uleb(&r);
            if (!r.bad && nlen <= (uint64_t)(r.end - r.p))
                printf("  \"%s\"", cli_format_name((const char *)r.p, (size_t)nlen, name, sizeof name));
        }
        putchar('\n');
    }
    printf("code: %zu bytes in the code section, %zu bytes compiled\n", code_section, info.code_bytes);
    free(secs);
}

int cli_cmd_inspect(int argc, char **argv) {
    const char *path;
    int rc = cli_one_module_arg(argc, argv, &path);
    if (rc >= 0) return rc;

    cli_file file;
    if (!cli_file_load(path, &file)) return CLI_EXIT_ERROR;
    if (wg_binary_kind_of(file.data, file.len) == WG_BINARY_COMPONENT) {
        rc = cli_inspect_component(path, file.data, file.len);
        cli_file_release(&file);
        return rc;
    }
    /* A core module, or neither: the core decoder says what is wrong. */
    wg_error err;
    memset(&err, 0, sizeof err);
    wg_module *m = wg_module_new(file.data, file.len, &err);
    if (!m) {
        fprintf(stderr, "%s: error: %s\n", path, err.message[0] ? err.message : "cannot load module");
        cli_file_release(&file);
        return CLI_EXIT_ERROR;
    }
    print_module(m, path, file.data, file.len);
    wg_module_free(m);
    cli_file_release(&file);
    return CLI_EXIT_OK;
}
