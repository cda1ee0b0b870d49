/*
 * Benchmark of component instantiation (src/component/cinst*.c): the time
 * of wg_cinstance_new + wg_cinstance_free against instantiating the same
 * core modules directly (issue 7's target: at most 1.2x). Not run by CI.
 *
 *   cmake --build build --target cinst_bench
 *   build/cinst_bench COMPONENT.wasm [iterations [pool|nopool]]
 *
 * The component's root imports are satisfied by a stub linker made from its
 * import types (host functions that trap, host resources), so any
 * component can be measured (a componentize-js one imports a dozen WASI
 * interfaces). The baseline walks the same root definition and does only
 * what an embedder instantiating the core modules itself must do: each core
 * instance in order with its imports resolved from the earlier ones
 * (wg_instance_new_externs, no name map), the functions that canon lower
 * and the resource built-ins make standing in as host functions made
 * beforehand. Both run with a wg_pool (as the gateway does, so that
 * memories and stacks are reused) and without.
 *
 * It prints the median and the 10th/90th percentiles of each, in µs, and
 * the ratio of the medians.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "component/cinst.h"
#include "wasmgate/component.h"

static double now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static uint8_t *read_all(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *b = n > 0 ? malloc((size_t)n) : NULL;
    if (b && fread(b, 1, (size_t)n, f) != (size_t)n) {
        free(b);
        b = NULL;
    }
    fclose(f);
    *len = (size_t)n;
    return b;
}

/* ---- the stub linker ---------------------------------------------------------------- */

static bool stub(wg_ccall *call, wg_cval *args, uint32_t nargs, wg_cval *result, void *data) {
    (void)args, (void)nargs, (void)result, (void)data;
    return wg_ccall_trap(call, "stub");
}

/* The host resource made for each resource slot, so that an interface
 * that `use`s another's resource (declares it equal) gets the same type. */
typedef struct slots {
    const wg_rtype **rt;
    uint32_t n;
} slots;

/* Defines what an instance type iface lists: functions, resources, nested
 * instances ("iface#name"). */
static bool stub_instance(wg_clinker *l, slots *sl, const char *iface, const wg_cinsttype *t) {
    for (uint32_t i = 0; i < t->nexports; i++) {
        const wg_cextern *e = &t->exports[i];
        const char *name = e->name.name.s;
        switch (e->type.kind) {
        case WG_EXT_FUNC:
            if (!wg_clinker_define_func(l, iface, name, stub, NULL)) return false;
            break;
        case WG_EXT_TYPE:
            if (e->type.of.type.created.kind == WG_CTY_RESOURCE) {
                uint32_t id = e->type.of.type.created.of.resource.id;
                const wg_rtype **rt = id < sl->n ? &sl->rt[id] : NULL;
                if (rt && *rt) {
                    if (!wg_clinker_define_resource_type(l, iface, name, *rt)) return false;
                } else {
                    const wg_rtype *nrt = wg_clinker_define_resource(l, iface, name, NULL, NULL);
                    if (!nrt) return false;
                    if (rt) *rt = nrt;
                }
            }
            break;
        case WG_EXT_INSTANCE: {
            char sub[512];
            snprintf(sub, sizeof sub, "%s#%s", iface, name);
            if (!stub_instance(l, sl, sub, e->type.of.inst)) return false;
            break;
        }
        default:
            break;
        }
    }
    return true;
}

static wg_clinker *stub_linker(const wg_component *c) {
    wg_clinker *l = wg_clinker_new();
    const wg_cdef *def = c->root;
    slots sl = {calloc(c->nresources + 1, sizeof *sl.rt), c->nresources};
    if (!sl.rt) {
        wg_clinker_free(l);
        return NULL;
    }
    for (uint32_t i = 0; l && i < def->nimports; i++) {
        const wg_citem *it = &def->items[def->imports[i]];
        const char *name = it->u.import.name.name.s;
        bool ok = true;
        if (it->entity.kind == WG_EXT_FUNC) ok = wg_clinker_define_func(l, NULL, name, stub, NULL);
        else if (it->entity.kind == WG_EXT_INSTANCE) ok = stub_instance(l, &sl, name, it->entity.of.inst);
        if (!ok) {
            wg_clinker_free(l);
            l = NULL;
        }
    }
    free(sl.rt);
    return l;
}

/* ---- the baseline: the core instances alone --------------------------------------------- */

typedef struct core_run {
    const wg_cdef *def;
    wg_instance **insts;       /* per core instance index (NULL: inline exports) */
    wg_func **funcs;           /* core function index space */
    wg_table **tables;
    wg_memory **mems;
    wg_global **globals;
    wg_instance *made[256];
    uint32_t nmade;
} core_run;

static bool core_export(core_run *r, uint32_t ci, const char *name, size_t len, wg_extern_kind kind,
                        wg_extern *out) {
    const wg_cdef *def = r->def;
    if (r->insts[ci]) {
        void *p = wg_instance_export(r->insts[ci], name, len, kind);
        out->kind = kind;
        out->of.func = p; /* the union's members are all pointers */
        if (kind == WG_EXTERN_TABLE) out->of.table = p;
        if (kind == WG_EXTERN_MEMORY) out->of.memory = p;
        if (kind == WG_EXTERN_GLOBAL) out->of.global = p;
        return p != NULL;
    }
    const wg_citem *it = &def->items[def->space[WG_CS_CORE_INSTANCE][ci]];
    for (uint32_t k = 0; k < it->u.exports.n; k++) {
        const wg_carg *e = &it->u.exports.exports[k];
        if (e->name.name.len != len || memcmp(e->name.name.s, name, len) != 0) continue;
        out->kind = kind;
        switch (e->item.sort) {
        case WG_CS_CORE_FUNC: out->of.func = r->funcs[e->item.idx]; return true;
        case WG_CS_CORE_TABLE: out->of.table = r->tables[e->item.idx]; return true;
        case WG_CS_CORE_MEMORY: out->of.memory = r->mems[e->item.idx]; return true;
        case WG_CS_CORE_GLOBAL: out->of.global = r->globals[e->item.idx]; return true;
        default: return false;
        }
    }
    return false;
}

/* Instantiates the root definition's core instances; false if the
 * component is not of a shape this baseline handles. */
static bool core_instantiate(core_run *r, const wg_instance_opts *opts) {
    const wg_cdef *def = r->def;
    const ci_plan *p = def->plan;
    r->nmade = 0;
    for (uint32_t i = 0; i < def->nitems; i++) {
        const wg_citem *it = &def->items[i];
        switch (it->kind) {
        case WG_CD_CORE_INSTANTIATE: {
            const wg_citem *mi = &def->items[def->space[WG_CS_CORE_MODULE][it->u.core_instantiate.module]];
            if (mi->kind != WG_CD_CORE_MODULE || r->nmade == 256) return false;
            const wg_module *m = mi->u.core_module.module;
            uint32_t n = wg_module_import_count(m);
            wg_extern ex[512];
            if (n > 512) return false;
            for (uint32_t k = 0; k < n; k++) {
                wg_extern_desc d;
                wg_module_import(m, k, &d);
                const wg_carg *arg = NULL;
                for (uint32_t a = 0; a < it->u.core_instantiate.nargs && !arg; a++)
                    if (it->u.core_instantiate.args[a].name.name.len == d.module_len &&
                        memcmp(it->u.core_instantiate.args[a].name.name.s, d.module, d.module_len) == 0)
                        arg = &it->u.core_instantiate.args[a];
                if (!arg || !core_export(r, arg->item.idx, d.name, d.name_len, d.kind, &ex[k])) return false;
            }
            wg_error err;
            wg_instance *inst = wg_instance_new_externs(m, ex, n, opts, &err, NULL, NULL);
            if (!inst) {
                fprintf(stderr, "baseline: %s\n", err.message);
                return false;
            }
            r->insts[it->index] = r->made[r->nmade++] = inst;
            break;
        }
        case WG_CD_CORE_EXPORTS:
            r->insts[it->index] = NULL;
            break;
        case WG_CD_ALIAS:
            if (it->u.alias.target == WG_RA_CORE_EXPORT) {
                wg_extern e;
                if (!core_export(r, it->u.alias.instance, it->u.alias.name.s, it->u.alias.name.len,
                                 it->sort == WG_CS_CORE_FUNC     ? WG_EXTERN_FUNC
                                 : it->sort == WG_CS_CORE_TABLE  ? WG_EXTERN_TABLE
                                 : it->sort == WG_CS_CORE_MEMORY ? WG_EXTERN_MEMORY
                                                                 : WG_EXTERN_GLOBAL,
                                 &e))
                    return false;
                if (it->sort == WG_CS_CORE_FUNC) r->funcs[it->index] = e.of.func;
                if (it->sort == WG_CS_CORE_TABLE) r->tables[it->index] = e.of.table;
                if (it->sort == WG_CS_CORE_MEMORY) r->mems[it->index] = e.of.memory;
                if (it->sort == WG_CS_CORE_GLOBAL) r->globals[it->index] = e.of.global;
            }
            break;
        case WG_CD_CANON:
            if (it->sort == WG_CS_CORE_FUNC) r->funcs[it->index] = p->canon_funcs[i];
            break;
        case WG_CD_INSTANTIATE:
            return false; /* nested components: not what this baseline measures */
        default:
            break;
        }
    }
    return true;
}

static void core_free(core_run *r) {
    for (uint32_t i = r->nmade; i > 0; i--) wg_instance_free(r->made[i - 1]);
    r->nmade = 0;
}

/* ---- timing ------------------------------------------------------------------------------ */

typedef struct stats {
    double p10, p50, p90;
} stats;

static stats summarize(double *t, int n) {
    qsort(t, (size_t)n, sizeof *t, cmp_double);
    return (stats){t[n / 10], t[n / 2], t[(n * 9) / 10]};
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: cinst_bench COMPONENT.wasm [iterations [pool|nopool]]\n");
        return 2;
    }
    int iters = argc > 2 ? atoi(argv[2]) : 1000;
    if (iters < 10) iters = 10;
    size_t len;
    uint8_t *bytes = read_all(argv[1], &len);
    if (!bytes) {
        fprintf(stderr, "cannot read %s\n", argv[1]);
        return 2;
    }
    wg_error err;
    double t0 = now_us();
    wg_component *c = wg_component_new(bytes, len, &err);
    double load = now_us() - t0;
    free(bytes);
    if (!c) {
        fprintf(stderr, "%s: %s\n", argv[1], err.message);
        return 1;
    }
    wg_clinker *l = stub_linker(c);
    const wg_cdef *def = c->root;
    core_run r = {.def = def};
    r.insts = calloc(def->nspace[WG_CS_CORE_INSTANCE] + 1, sizeof *r.insts);
    r.funcs = calloc(def->nspace[WG_CS_CORE_FUNC] + 1, sizeof *r.funcs);
    r.tables = calloc(def->nspace[WG_CS_CORE_TABLE] + 1, sizeof *r.tables);
    r.mems = calloc(def->nspace[WG_CS_CORE_MEMORY] + 1, sizeof *r.mems);
    r.globals = calloc(def->nspace[WG_CS_CORE_GLOBAL] + 1, sizeof *r.globals);
    double *tc = malloc((size_t)iters * sizeof *tc), *tb = malloc((size_t)iters * sizeof *tb);
    if (!l || !r.insts || !r.funcs || !r.tables || !r.mems || !r.globals || !tc || !tb) {
        fprintf(stderr, "out of memory\n");
        return 1;
    }
    printf("%s: %zu bytes, loaded in %.0f us, %u core modules, %u core instances in the root\n\n",
           argv[1], len, load, c->nmodules, def->nspace[WG_CS_CORE_INSTANCE]);
    const char *only = argc > 3 ? argv[3] : "";
    for (int pooled = 1; pooled >= 0; pooled--) {
        if ((pooled && strcmp(only, "nopool") == 0) || (!pooled && strcmp(only, "pool") == 0)) continue;
        wg_pool *pool = pooled ? wg_pool_new(NULL) : NULL;
        wg_cinstance_opts co = {.pool = pool};
        wg_instance_opts io = {.pool = pool};
        bool base_ok = true;
        /* Interleaved, so that a change of load affects both alike. */
        for (int i = -10; i < iters; i++) {
            double a = now_us();
            wg_trap trap;
            wg_cinstance *inst = wg_cinstance_new(c, l, &co, &err, &trap);
            if (!inst) {
                fprintf(stderr, "wg_cinstance_new: %s\n", err.message);
                return 1;
            }
            wg_cinstance_free(inst);
            double b = now_us();
            if (base_ok) base_ok = core_instantiate(&r, &io);
            core_free(&r);
            double e = now_us();
            if (i >= 0) {
                tc[i] = b - a;
                tb[i] = e - b;
            }
        }
        stats sc = summarize(tc, iters);
        printf("%s:\n", pooled ? "with a wg_pool" : "without a pool");
        printf("  component instance   median %9.1f us  (p10 %.1f, p90 %.1f)\n", sc.p50, sc.p10, sc.p90);
        if (base_ok) {
            stats sb = summarize(tb, iters);
            printf("  core modules alone   median %9.1f us  (p10 %.1f, p90 %.1f)\n", sb.p50, sb.p10, sb.p90);
            printf("  ratio                %.2fx\n", sc.p50 / sb.p50);
        } else {
            printf("  core modules alone   (not measured: nested components or unusual imports)\n");
        }
        wg_pool_free(pool);
    }
    free(tc);
    free(tb);
    free(r.insts);
    free(r.funcs);
    free(r.tables);
    free(r.mems);
    free(r.globals);
    wg_clinker_free(l);
    wg_component_free(c);
    return 0;
}
