/*
 * The component validator (Explainer.md, Binary.md notes, CanonicalABI.md
 * "Canonical Definitions"), shared by cvalid*.c and csubtype.c:
 *
 *   cvalid.c        scopes, index spaces, the walk over a component's
 *                   definitions, a component's final type and resource bindings
 *   cvalid_extern.c imports, exports and bags of exports: names, external
 *                   visibility, resource bookkeeping
 *   cvalid_alias.c  aliases
 *   cvalid_types.c  type definitions: value types (built as wg_ctype and laid
 *                   out), function, resource, component and instance types,
 *                   core function and module types
 *   cvalid_core.c   core modules (compiled with wg_module_new), core
 *                   instances, core extern subtyping
 *   cvalid_canon.c  canon lift/lower and the built-ins
 *   cremap.c        resource substitution (remapping), free resource variables
 *   csubtype.c      subtyping, component instantiation
 *
 * A scope (wg_cvscope) is a component definition, a component type or an
 * instance type: each has its own index spaces, imports and exports; scopes
 * nest and `outer` aliases count outwards through them. The rules follow the
 * Explainer and, where it leaves room, wasmparser's behaviour (the
 * conformance scripts are wasmparser's expectations): resources are
 * identified by slot numbers that substitution replaces, and external
 * visibility and method-name rules compare the identity of the type index
 * used (value types by object, resources by alias).
 *
 * Errors are INVALID (out-of-memory RESOURCE) with the section and offset of
 * the definition or declarator being validated:
 * "component section 0x5 (instance), offset 0x1a: CONTEXT: DETAIL".
 */
#ifndef WG_COMPONENT_CVALID_H
#define WG_COMPONENT_CVALID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "component/component_int.h"
#include "util/hmap.h"
#include "util/strset.h"
#include "util/vec.h"

/* Limits (wasmparser's, so that costs stay bounded on hostile input). */
#define WG_CV_MAX_TYPE_SIZE 1000000u    /* type nodes as a tree */
#define WG_CV_MAX_TYPE_DEPTH 100u       /* value type nesting */
#define WG_CV_MAX_FIXED_LIST 1073741824u
#define WG_CV_MAX_NEST 100u             /* instance/component types within each other */

enum { WG_SCOPE_COMPONENT = 1, WG_SCOPE_COMPONENT_TYPE, WG_SCOPE_INSTANCE_TYPE };
enum { WG_XK_NONE = 0, WG_XK_IMPORT, WG_XK_EXPORT };

/* A resource defined in (or brought into) a scope, not imported. */
typedef struct wg_cvdefres {
    uint32_t id;
    bool local;              /* defined here: rep known (resource.new/rep allowed) */
    uint8_t rep;
    uint8_t how;             /* WG_RB_DEFINED / WG_RB_INSTANCE, 0: no runtime origin */
    uint32_t index;          /* item index / instance index */
    uint32_t len;
    const uint32_t *path;
    uint32_t dtor;
} wg_cvdefres;

/* Resource names for [constructor]/[method]/[static] (one per direction). */
typedef struct wg_cvnamectx {
    wg_hmap by_res;          /* resource key -> index in names */
    WG_VEC(wg_cstr) names;
    wg_strset all;           /* every name, for [static] */
} wg_cvnamectx;

typedef WG_VEC(wg_cextern) wg_cextern_vec;

typedef struct wg_cvscope wg_cvscope;
struct wg_cvscope {
    uint8_t kind;            /* WG_SCOPE_* */
    wg_cvscope *outer;
    wg_cdef *def;            /* component scopes */
    /* Index spaces with their types. */
    WG_VEC(wg_ctyref) types;
    WG_VEC(wg_ccoretype) core_types;
    WG_VEC(const wg_functype_view *) core_funcs;
    WG_VEC(const wg_functype_view *) core_tags;
    WG_VEC(wg_ccoreext) core_tables;
    WG_VEC(wg_ccoreext) core_memories;
    WG_VEC(wg_ccoreext) core_globals;
    WG_VEC(const wg_cmodtype *) core_modules;
    WG_VEC(const wg_ccoreinst *) core_instances;
    WG_VEC(const wg_cfunctype *) funcs;
    WG_VEC(const wg_cinsttype *) instances;
    WG_VEC(const wg_ccomptype *) components;
    /* Imports and exports in order, and their strong-uniqueness names. */
    wg_cextern_vec imports;
    wg_cextern_vec exports;
    wg_strset import_names, export_names;
    /* Resources: imported (path into imports), defined here or by child
     * instances, explicitly exported (path into exports). */
    WG_VEC(wg_cpath) imported_res;
    WG_VEC(wg_cvdefres) defined_res;
    wg_hmap defined_index;   /* id -> index in defined_res */
    WG_VEC(wg_cpath) explicit_res;
    wg_hmap explicit_index;  /* id -> index in explicit_res */
    /* External visibility: identities named by imports / exports. */
    wg_hmap imported_types, exported_types;
    wg_cvnamectx names_imported, names_exported;
    bool has_context_type;
    uint8_t context_type;
};

/* The validation of one wg_component. */
typedef struct wg_cv {
    struct wg_component *comp;
    wg_arena *arena;
    wg_error *err;
    wg_cvscope *scope;       /* innermost */
    uint32_t next_alias;
    const wg_ctype *prim[0x80];  /* primitive types, by opcode (built once) */
    /* Work budget: type nodes visited by checks and substitutions. Types are
     * DAGs whose tree size is bounded, but a hostile component can make the
     * validator walk big types many times; past the budget, validation fails
     * (WG_ERR_RESOURCE) instead of running for minutes. */
    uint64_t fuel;
    bool exhausted;
    /* Where the current error is (section, offset) and what it says. */
    int sec;
    size_t offset;
    int kind;                /* WG_ERR_INVALID unless set otherwise */
    char msg[480];
} wg_cv;

/* ---- errors (return false) ------------------------------------------------------ */

bool wg__cv_fail(wg_cv *cv, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prefixes the current message with "CONTEXT: ". */
bool wg__cv_context(wg_cv *cv, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
bool wg__cv_oom(wg_cv *cv);
/* Spends one unit of the work budget; false (error set) when none is left. */
bool wg__cv_exhausted(wg_cv *cv);
static inline bool wg__cv_fuel(wg_cv *cv) {
    if (cv->fuel == 0) return wg__cv_exhausted(cv);
    cv->fuel--;
    return true;
}

/* ---- identities ------------------------------------------------------------------- */

/* The hmap key of a resource as one type index names it. */
static inline uint64_t wg__cv_reskey(wg_cres r) {
    return (1ULL << 63) | ((uint64_t)r.alias << 32) | r.id;
}
/* The hmap key of a type reference's identity (pointer, or resource key). */
uint64_t wg__cv_tykey(wg_ctyref t);
wg_cres wg__cv_fresh_resource(wg_cv *cv);
uint32_t wg__cv_fresh_alias(wg_cv *cv);
/* The same type under a new identity (an (eq T) import/export). */
bool wg__cv_with_unique(wg_cv *cv, wg_ctyref t, wg_ctyref *out);
/* The resource an own/borrow names. */
wg_cres wg__cv_handle_res(const wg_ctype *t);
bool wg__cv_tyref_same(wg_ctyref a, wg_ctyref b);
const char *wg__cv_entity_desc(uint8_t kind);
const char *wg__cv_sort_desc(uint8_t sort);

/* ---- scopes and index spaces (cvalid.c) ------------------------------------------- */

void wg__cv_scope_init(wg_cvscope *s, uint8_t kind, wg_cvscope *outer, wg_cdef *def);
void wg__cv_scope_free(wg_cvscope *s);
/* Lookups that report "unknown ...: index out of bounds". */
bool wg__cv_type_at(wg_cv *cv, wg_cvscope *s, uint32_t idx, wg_ctyref *out);
bool wg__cv_core_type_at(wg_cv *cv, wg_cvscope *s, uint32_t idx, wg_ccoretype *out);
bool wg__cv_core_func_at(wg_cv *cv, wg_cvscope *s, uint32_t idx, const wg_functype_view **out);
bool wg__cv_memory_at(wg_cv *cv, wg_cvscope *s, uint32_t idx, wg_ccoreext *out);
bool wg__cv_table_at(wg_cv *cv, wg_cvscope *s, uint32_t idx, wg_ccoreext *out);
/* The scope `count` levels out ("invalid outer alias count"). */
bool wg__cv_outer(wg_cv *cv, uint32_t count, wg_cvscope **out);

/* An item of an index space as an entity (instantiation args, exports). */
bool wg__cv_sortidx_entity(wg_cv *cv, wg_cvscope *s, wg_csortidx si, wg_centity *out);
/* externtype -> entity (check_type_ref). */
bool wg__cv_extern_type(wg_cv *cv, wg_cvscope *s, const wg_crawextern *ext, wg_centity *out);
/* Adds an import / export / aliased entity to the index spaces (and, for
 * imports and exports, checks and records its name). *sort and *index (may
 * be NULL) receive the space entry appended. */
bool wg__cv_add_import(wg_cv *cv, wg_cvscope *s, const wg_crawname *name, wg_centity *ty,
                       uint8_t *sort, uint32_t *index);
bool wg__cv_add_export(wg_cv *cv, wg_cvscope *s, const wg_crawname *name, wg_centity *ty,
                       uint8_t *sort, uint32_t *index);
/* Appends an entity of kind WG_XK_IMPORT / EXPORT (name given) or
 * WG_XK_NONE (an alias) (cvalid_extern.c). */
bool wg__cv_add_entity(wg_cv *cv, wg_cvscope *s, const wg_crawname *name, int kind, wg_centity *e,
                       uint8_t *sort, uint32_t *index);
/* An instance from inline exports (cvalid_extern.c). */
bool wg__cv_item_exports(wg_cv *cv, wg_cvscope *s, wg_citem *it);
/* An alias definition or declarator (cvalid_alias.c). */
bool wg__cv_alias(wg_cv *cv, wg_cvscope *s, const wg_crawalias *a, uint8_t *sort, uint32_t *index);
/* Pushes a type onto the type index space. */
bool wg__cv_push_type(wg_cv *cv, wg_cvscope *s, wg_ctyref t, uint32_t *index);
/* The component type of a finished component or component-type scope. */
bool wg__cv_finish(wg_cv *cv, wg_cvscope *s, const wg_ccomptype **out);
/* A resource that scope s defines itself (not imported). */
bool wg__cv_add_defined_res(wg_cv *cv, wg_cvscope *s, const wg_cvdefres *r);

/* Validates a component definition and its nested ones (cvalid.c). */
bool wg__cv_component(wg_cv *cv, wg_cdef *def);

/* ---- types (cvalid_types.c) ------------------------------------------------------- */

/* A value type operand (raw valtype): primitive or defined value type. */
bool wg__cv_valtype(wg_cv *cv, wg_cvscope *s, uint32_t raw, const wg_ctype **out);
/* A type definition; resources get a fresh slot (recorded by the caller). */
bool wg__cv_deftype(wg_cv *cv, wg_cvscope *s, const wg_crawtype *raw, wg_ctyref *out);
/* A core type definition (function or module type). */
bool wg__cv_core_type(wg_cv *cv, wg_cvscope *s, const wg_crawcoretype *raw, wg_ccoretype *out);
/* The primitive type of an opcode. */
const wg_ctype *wg__cv_prim(wg_cv *cv, uint8_t code);
/* Sizes, for the type size limit. */
uint32_t wg__cv_func_size(const wg_cfunctype *f);
uint32_t wg__cv_entity_size(const wg_centity *e);
bool wg__cv_add_size(wg_cv *cv, uint32_t *acc, uint32_t n);
/* Folds an extern's size and nesting into an instance/component type's. */
bool wg__cv_add_entity_info(wg_cv *cv, uint32_t *size, uint32_t *nest, const wg_centity *e);
/* A new value type laid out from t (the validator's constructor). */
const wg_ctype *wg__cv_new_val(wg_cv *cv, const wg_cvaltype *proto);

/* ---- substitution (cremap.c) and subtyping (csubtype.c) --------------------------- */

/* Resource substitution plus a memo / renaming of type identities. */
typedef struct wg_cremap {
    wg_hmap res;             /* resource id -> resource id */
    wg_hmap types;           /* identity key -> identity key (memo and renamings) */
} wg_cremap;

void wg__cremap_free(wg_cremap *m);
bool wg__cv_remap_entity(wg_cv *cv, wg_centity *e, wg_cremap *m);
bool wg__cv_remap_val(wg_cv *cv, const wg_ctype *t, wg_cremap *m, const wg_ctype **out);
bool wg__cv_remap_inst(wg_cv *cv, const wg_cinsttype *t, wg_cremap *m, const wg_cinsttype **out);
/* Lists: *out is the same array when nothing changed. */
bool wg__cv_remap_externs(wg_cv *cv, const wg_cextern *xs, uint32_t n, wg_cremap *m, const wg_cextern **out);
bool wg__cv_remap_paths(wg_cv *cv, const wg_cpath *ps, uint32_t n, const wg_cremap *m, const wg_cpath **out);

/* Free resource variables. */
bool wg__cv_free_entity(wg_cv *cv, const wg_centity *e, wg_hmap *set);
bool wg__cv_free_tyref(wg_cv *cv, wg_ctyref t, wg_hmap *set);

/* a <: b; the message says why not. */
bool wg__cv_sub_entity(wg_cv *cv, const wg_centity *a, const wg_centity *b);
bool wg__cv_sub_val(wg_cv *cv, const wg_ctype *a, const wg_ctype *b);
bool wg__cv_sub_core_ext(wg_cv *cv, const wg_ccoreext *a, const wg_ccoreext *b);
bool wg__cv_sub_module(wg_cv *cv, const wg_cmodtype *a, const wg_cmodtype *b);
bool wg__cv_same_core_func(const wg_functype_view *a, const wg_functype_view *b);
/* Prints a core function type as "(func (param i32) (result i32))". */
void wg__cv_print_core_func(const wg_functype_view *f, char *buf, size_t size);

/* An instantiation argument list (name -> entity). */
typedef struct wg_cvarg {
    wg_cstr name;
    wg_centity type;
} wg_cvarg;

/* The type of the instance `(instantiate comp args)` creates; its fresh
 * resources are added to scope s as defined by instance `inst_index`. */
bool wg__cv_instantiate(wg_cv *cv, wg_cvscope *s, const wg_ccomptype *comp, const wg_cvarg *args,
                        uint32_t nargs, uint32_t inst_index, const wg_cinsttype **out);

/* ---- core (cvalid_core.c) --------------------------------------------------------- */

bool wg__cv_core_module(wg_cv *cv, wg_cvscope *s, wg_citem *it);
bool wg__cv_core_instantiate(wg_cv *cv, wg_cvscope *s, wg_citem *it);
bool wg__cv_core_exports(wg_cv *cv, wg_cvscope *s, wg_citem *it);
/* Checks a core extern type in a module type (limits). */
bool wg__cv_core_ext_valid(wg_cv *cv, const wg_ccoreext *e);

/* ---- canon (cvalid_canon.c) ------------------------------------------------------- */

bool wg__cv_canon(wg_cv *cv, wg_cvscope *s, wg_citem *it);

#endif
