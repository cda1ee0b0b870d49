/*
 * Component instances (include/wasmgate/component.h: wg_cinstance, wg_cfunc,
 * wg_clinker, wg_ccall): the runtime side of a wg_component. See
 * docs/component.md "Instantiation" for the story; in short:
 *
 *   wg_cinstance   one per wg_cinstance_new: an arena holding everything
 *                  below, every core instance made (freed in reverse order),
 *                  the poisoned flag, the options.
 *   ci_di          an instance of one wg_cdef (the root, or a nested
 *                  component instantiated inside): its runtime index spaces,
 *                  its Canonical ABI state (wg_canon_inst: handle table,
 *                  may_enter/may_leave; parent = the instance it was created
 *                  in), its resource types (rtypes[slot]) and its exports.
 *                  Walking the definition's items in order appends one
 *                  runtime value per item, as the validator appended types.
 *   ci_bag         a component instance as a value: its exports, *in the
 *                  order of the instance type the definition sees it with*
 *                  (values crossing a typing boundary are projected to that
 *                  order), so an alias of export "x" is an index fixed when
 *                  the component was loaded (ci_plan.alias_index).
 *   wg_cfunc       a component function: lifted by a canon lift in some
 *                  ci_di (wg_canon_lifted inside), or a host function from a
 *                  linker with the type its importer declared.
 *   ci_plan        per wg_cdef, built once by wg_component_new: what does
 *                  not depend on the instance (the shared core host
 *                  functions of canon lower / resource.* items, lower slots,
 *                  alias indices, where each core import comes from,
 *                  resource names, unsupported built-ins).
 *
 * Core functions made by canon (lower, resource.new/rep/drop) are engine
 * host functions created once per component and shared by its instances:
 * their userdata is the static ci_canonfn; the ci_di they act for is the
 * host_data of the core instance that calls them (every core instance of a
 * ci_di has host_data = that ci_di, and a canon-made function never leaves
 * its ci_di: core functions cannot cross a component boundary). Every core
 * call the runtime makes itself (lifted callee, realloc, post-return,
 * destructor) runs on the execution stack of the first core instance of the
 * ci_di the function belongs to (ci_di.exec), so that a host function
 * entered directly still finds its ci_di, and one stack serves a whole
 * component instance.
 *
 * Threads: a wg_cinstance and all of this is used by one thread at a time;
 * plans and linkers are read-only once built. No global state.
 */
#ifndef WG_COMPONENT_CINST_H
#define WG_COMPONENT_CINST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "component/canon.h"
#include "component/component_int.h"
#include "component/rtype.h"
#include "util/arena.h"
#include "util/vec.h"
#include "wasmgate/component.h"

typedef struct ci_di ci_di;
typedef struct ci_bag ci_bag;
typedef struct ci_comp ci_comp;
typedef struct lk_node lk_node;

/* ---- runtime values ---------------------------------------------------------------- */

/* A value of a component-level sort (sort: WG_CS_FUNC, WG_CS_TYPE,
 * WG_CS_INSTANCE, WG_CS_CORE_MODULE, WG_CS_COMPONENT). */
typedef struct ci_val {
    uint8_t sort;
    union {
        const wg_cfunc *func;
        const wg_rtype *rt;          /* type: the resource type; NULL for other types */
        const ci_bag *inst;
        const wg_module *module;
        const ci_comp *comp;
    } of;
} ci_val;

typedef struct ci_named {
    const char *name;
    uint32_t len;
    ci_val v;
} ci_named;

struct ci_bag {
    uint32_t n;
    const ci_named *items;
};

/* A component as a value: a definition and the instance of its enclosing
 * definition it was defined in (outer aliases resolve there). */
struct ci_comp {
    const wg_cdef *def;
    ci_di *lexical;
};

/* A core instance: instantiated, or inline exports (resolved lazily: the
 * index space entries they name never change). */
typedef struct ci_coreinst {
    wg_instance *inst;               /* NULL: inline exports */
    const wg_citem *item;            /* inline: the WG_CD_CORE_EXPORTS item */
} ci_coreinst;

/* ---- functions --------------------------------------------------------------------- */

enum { CF_LIFTED = 1, CF_HOST };

/* A host function definition of a linker. */
typedef struct ci_hostfn {
    wg_chost_fn fn;
    void *data;
} ci_hostfn;

struct wg_cfunc {
    uint8_t kind;                    /* CF_* */
    const wg_cfunctype *ft;          /* in di's resource slots */
    ci_di *di;                       /* lifted: where; host: the importer */
    wg_canon_lifted lifted;          /* CF_LIFTED */
    const ci_hostfn *host;           /* CF_HOST */
    const char *unsupported;         /* an async lift: calls trap "not supported yet" */
};

/* A core function the runtime calls itself (wg_canon_core data). */
typedef struct ci_corefn {
    ci_di *di;
    uint32_t index;                  /* in di's core function space */
    const struct ci_canonfn *canon;  /* made by canon: run directly, not through the engine */
} ci_corefn;

/* ---- plans (built by wg_component_new) ----------------------------------------------- */

/* What a canon-made core function does (the userdata of its shared engine
 * function). */
typedef struct ci_canonfn {
    uint8_t op;                      /* WG_CANON_LOWER, _RESOURCE_NEW/_REP/_DROP */
    const wg_cdef *def;              /* the definition whose instances call it */
    uint32_t lower;                  /* lower: its slot in ci_di.lowered */
    uint32_t resource;               /* resource.*: the slot */
    uint32_t nparams, nresults;
    const char *unsupported;         /* not supported yet: calls trap (cplan.c) */
} ci_canonfn;

/* Where a core instantiation's import, or a core alias, finds its extern,
 * resolved when the component was loaded: an export (by index) of an
 * instance of a module of the same definition, or an entry of an index
 * space named by inline exports. inst WG_CNONE: look it up by name. */
typedef struct ci_coresrc {
    uint32_t inst;                   /* core instance index */
    uint32_t index;                  /* export index, or the index space entry */
    uint8_t sort;                    /* inline exports: WG_CS_CORE_*; else WG_CS_NONE */
    uint8_t kind;                    /* wg_extern_kind */
} ci_coresrc;

struct wg_ciplan {
    const wg_cdef *def;
    uint32_t nlowered;
    const ci_canonfn **canon;        /* per item: canon-made core function, or NULL */
    wg_func **canon_funcs;           /* per item: its shared engine function, or NULL */
    const uint32_t *alias_index;     /* per item: alias export's index in the bag, or WG_CNONE */
    const ci_coresrc **core_imports; /* per core instantiation of a module item: per import */
    const ci_coresrc *core_alias;    /* per item: where a core export alias points */
    const char **res_name;           /* per item: a defined resource's name, or NULL */
    const char **unsupported;        /* per item: a feature not supported yet (calls trap), or NULL */
};
typedef struct wg_ciplan ci_plan;

/* Builds the plans of c's definitions (called by wg_component_new after
 * validation). False with err filled when out of memory. */
bool wg__ciplan_build(struct wg_component *c, wg_error *err);
/* Frees the engine functions the plans made. */
void wg__ciplan_free(struct wg_component *c);

/* ---- instances ------------------------------------------------------------------------ */

struct ci_di {
    const wg_cdef *def;
    const ci_plan *plan;
    wg_cinstance *top;
    ci_di *lexical;                  /* outer aliases: the enclosing definition's instance */
    wg_canon_inst canon;
    const wg_rtype **rtypes;         /* [component nresources] */
    wg_instance *exec;               /* runs the core calls of this instance (file comment) */
    /* index spaces, filled up to n[sort] */
    uint32_t n[WG_CS_COUNT];
    wg_func **core_funcs;
    wg_table **tables;
    wg_memory **memories;
    wg_global **globals;
    const wg_module **modules;
    ci_coreinst *core_insts;
    const wg_cfunc **funcs;
    const ci_comp **comps;
    const ci_bag **insts;
    wg_canon_lowered *lowered;       /* [plan->nlowered] */
    ci_named *exports;               /* [def->nexports], in order */
    uint32_t nexports;
    bool canon_ready;                /* canon initialised (fini needed) */
};

struct wg_cinstance {
    const wg_component *comp;
    wg_arena arena;
    wg_cinstance_opts opts;
    ci_di *root;
    ci_bag exports;                  /* the root's */
    WG_VEC(wg_instance *) cores;     /* every core instance, in creation order */
    WG_VEC(ci_di *) dis;             /* every definition instance */
    bool poisoned;
};

/* The definition instance a canon instance belongs to. */
static inline ci_di *ci_di_of(wg_canon_inst *c) {
    return (ci_di *)(void *)((char *)c - offsetof(ci_di, canon));
}

/* The whole instantiation's state while it runs. */
typedef struct ci_ctx {
    wg_cinstance *top;
    const wg_clinker *linker;
    wg_error *err;
    wg_trap *trap;
    uint32_t depth;
} ci_ctx;

/* Arguments of a nested instantiation (the `with` list), or NULL for the
 * root (whose imports come from the linker). */
typedef struct ci_args {
    uint32_t n;
    const ci_named *items;
} ci_args;

/* Instantiates def (cinst.c): a new ci_di in ctx->top. */
ci_di *wg__ci_instantiate(ci_ctx *cx, const wg_cdef *def, ci_di *lexical, ci_di *parent,
                          const ci_args *args);

/* Errors (cinst.c): fill cx->err, return false. */
bool wg__ci_fail(ci_ctx *cx, int kind, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
bool wg__ci_oom(ci_ctx *cx);

/* The runtime type of type index i of di (a resource), or NULL. */
const wg_rtype *wg__ci_type_rt(const ci_di *di, uint32_t i);
/* The value of sortidx in di's spaces. */
bool wg__ci_sortidx(ci_ctx *cx, ci_di *di, wg_csortidx si, ci_val *out);
/* A bag projected to the export order of type t (itself when it already
 * has that order). NULL when out of memory. */
const ci_bag *wg__ci_project(ci_ctx *cx, const ci_bag *b, const wg_cinsttype *t);
/* The export of a bag by name (exact), or NULL. */
const ci_named *wg__ci_bag_find(const ci_bag *b, const char *name, size_t len);

/* ---- core instances (cinst_core.c) ---------------------------------------------------- */

bool wg__ci_core_instantiate(ci_ctx *cx, ci_di *di, const wg_citem *it);
bool wg__ci_core_alias(ci_ctx *cx, ci_di *di, const wg_citem *it);
/* wg_canon_core callback calling a core function (data: ci_corefn). */
bool wg__ci_core_call(void *data, uint64_t *slots, uint32_t nargs, uint32_t nresults,
                      wg_trap *trap);
/* A ci_corefn for core function index of di (arena). NULL when out of memory. */
ci_corefn *wg__ci_corefn(ci_ctx *cx, ci_di *di, uint32_t index);

/* ---- canon (cinst_canon.c) ---------------------------------------------------------- */

bool wg__ci_canon(ci_ctx *cx, ci_di *di, const wg_citem *it, uint32_t item_index);
/* A defined resource type (a `(type (resource ...))` item). */
bool wg__ci_resource(ci_ctx *cx, ci_di *di, const wg_citem *it, uint32_t item_index);
/* Runs a canon-made core function for di. */
bool wg__ci_canon_run(ci_di *di, const ci_canonfn *cf, uint64_t *slots, wg_trap *trap);
/* The engine entry of every canon-made core function. */
int wg__ci_canon_entry(wg_ctx *ctx, uint64_t *slots, void *data);
/* The callee of a canon lower, and of component-to-component calls
 * (wg_canon_func_fn over a wg_cfunc). */
bool wg__ci_call_func(void *data, wg_canon_inst *caller, wg_canon_io *io, wg_trap *trap);

/* ---- host calls (cinst_canon.c) ------------------------------------------------------ */

struct wg_ccall {
    wg_cinstance *top;               /* the calling instance */
    const wg_cfunctype *ft;          /* NULL in a destructor */
    const wg_rtype *const *rtypes;   /* the calling definition instance's resource types */
    uint32_t nrtypes;
    wg_trap *trap;
};

/* ---- the linker (clinker.c) ---------------------------------------------------------- */

enum { LK_INSTANCE = 1, LK_FUNC, LK_RESOURCE, LK_MODULE, LK_EXTERN };

/* A definition, or a named instance of definitions (the root is one). */
struct lk_node {
    char *name;
    size_t len;
    uint8_t kind;                    /* LK_* */
    lk_node **kids;                  /* LK_INSTANCE */
    uint32_t nkids, cap;
    ci_hostfn fn;                    /* LK_FUNC */
    const wg_rtype *rt;              /* LK_RESOURCE */
    const wg_module *module;         /* LK_MODULE */
    const ci_bag *bag;               /* LK_EXTERN: another instance's exports */
};

/* The top level of a linker (NULL for a NULL linker). */
const lk_node *wg__lk_root(const wg_clinker *l);
/* The child of an instance node satisfying `name` (semver-compatible, the
 * newest), or NULL. */
const lk_node *wg__lk_find(const lk_node *inst, const char *name, size_t len);
/* The export of a bag satisfying `name` (semver-compatible), or NULL. */
const ci_named *wg__ci_bag_match(const ci_bag *b, const char *name, size_t len);

/* ---- linking (clink.c) ---------------------------------------------------------------- */

/* Resolves import item it of the root definition against the linker:
 * checks it, binds its resource types in di->rtypes, fills *out. */
bool wg__ci_link_import(ci_ctx *cx, ci_di *di, const wg_citem *it, ci_val *out);

/* ---- names (cname_match.c) ---------------------------------------------------------------- */

/* Whether `have` may satisfy an import named `want` (same name, or a
 * semver-compatible version of the same interface); *rank orders the
 * candidates (higher: newer). Exact matches rank highest. */
bool wg__cname_compatible(const char *want, size_t wlen, const char *have, size_t hlen,
                          uint64_t *rank);

#endif
