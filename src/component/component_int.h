/*
 * A compiled component: the representation the decoder and validator build
 * and the instantiation step works from (docs/component.md tells the story).
 *
 *   wg_component      one per wg_component_new: immutable once built, shared
 *                     by any number of threads and instances (like wg_module).
 *                     Owns an arena holding everything below, the compiled
 *                     core modules, and the root component definition.
 *   wg_cdef           one component definition (the root, or a nested
 *                     `component` section): its definitions in binary order
 *                     (wg_citem), its 13 index spaces with the type of every
 *                     entry (wg_cspace), its imports/exports, its component
 *                     type, and how each resource type it mentions is bound
 *                     at instantiation (wg_cresbind).
 *   wg_citem          one definition (a core module, an instance, an alias, a
 *                     type, a canon, an import, an export ...): the decoded
 *                     immediates (indices, names, options) and, filled in by
 *                     the validator, the resolved types it needs. Each item
 *                     appends at most one entry to one index space
 *                     (item->sort, item->index), so an instantiator that walks
 *                     the items in order rebuilds exactly the validator's
 *                     index spaces with runtime values.
 *
 * Types. Value types are wg_ctype (ctype.h), built and laid out
 * (wg__ctype_layout) by the validator, each inside a wg_cvaltype that adds
 * validator bookkeeping. Function types are wg_cfunctype. Resource types are
 * wg_cres: `id` is the resource *slot*, the number wg_ctype.resource holds for
 * own/borrow; `alias` tells apart the several type indices that name one
 * resource (external-visibility and [constructor]/[method] naming rules
 * compare aliases, type equality compares ids only). Instance and component
 * types list named externs (wg_cextern) whose types are wg_centity (the
 * Explainer's externtype after validation).
 *
 * Resource slots are numbered across one wg_component (0 .. nresources-1,
 * never reused), so a slot names one resource type everywhere in the
 * component; equal slots are the same resource. Each wg_cdef lists in
 * `resbinds` the slots its own types use and where their runtime type comes
 * from when that definition is instantiated:
 *   WG_RB_DEFINED   a `(type (resource ...))` item of this definition: a fresh
 *                   runtime type per instance (rep, dtor in the item)
 *   WG_RB_IMPORT    the runtime type supplied for import `index` (of
 *                   wg_cdef.imports), following `path` (export indices) when
 *                   it is inside an imported instance (or deeper)
 *   WG_RB_INSTANCE  the runtime type exported by component instance `index`
 *                   (instance index space of this definition) at `path`
 * An instance of a definition can therefore keep an array of
 * wg_component.nresources runtime types (or a map of its resbinds) and bind
 * each slot while it walks its items: imports first come in order, child
 * instances are created before anything refers to their resources.
 * Slots of type-level resources (the bound variables of component and
 * instance types) never appear in resbinds: they are substituted away
 * whenever such a type is imported, instantiated or exported.
 *
 * Everything a wg_component points to lives in its arena except the
 * compiled core modules (freed by wg__component_free) and nothing is mutated
 * after wg_component_new returns.
 */
#ifndef WG_COMPONENT_INT_H
#define WG_COMPONENT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "component/cast.h"
#include "component/ctype.h"
#include "util/arena.h"
#include "wasmgate/wasmgate.h"

#define WG_CNONE 0xffffffffu   /* an absent index */

/* ---- index spaces ---------------------------------------------------------- */

/* The 13 index spaces (Explainer.md "Index Spaces"). The core ones come first
 * in core:sort order. */
enum {
    WG_CS_CORE_FUNC = 0, WG_CS_CORE_TABLE, WG_CS_CORE_MEMORY, WG_CS_CORE_GLOBAL,
    WG_CS_CORE_TAG, WG_CS_CORE_TYPE, WG_CS_CORE_MODULE, WG_CS_CORE_INSTANCE,
    WG_CS_FUNC, WG_CS_VALUE, WG_CS_TYPE, WG_CS_COMPONENT, WG_CS_INSTANCE,
    WG_CS_COUNT,
    WG_CS_NONE = 0xff,
};

/* ---- core types --------------------------------------------------------------- */

/* A core extern type. Kinds are the core:sort / importdesc codes. */
enum { WG_CK_FUNC = 0, WG_CK_TABLE = 1, WG_CK_MEMORY = 2, WG_CK_GLOBAL = 3, WG_CK_TAG = 4 };
typedef struct wg_ccoreext {
    uint8_t kind;                  /* WG_CK_* */
    uint8_t valtype;               /* table: element type; global: value type */
    bool mutable_;                 /* global */
    bool shared, is64;             /* memory, table */
    wg_limits limits;              /* table, memory */
    const wg_functype_view *func;  /* func, tag */
} wg_ccoreext;

typedef struct wg_ccoreimport {
    wg_cstr module, name;
    wg_ccoreext type;
} wg_ccoreimport;

typedef struct wg_ccoreexport {
    wg_cstr name;
    wg_ccoreext type;
} wg_ccoreexport;

/* A core module type (of a compiled module, an import or a core type). */
typedef struct wg_cmodtype {
    uint32_t nimports, nexports;
    const wg_ccoreimport *imports;
    const wg_ccoreexport *exports;
} wg_cmodtype;

/* A core instance: what it exports. */
typedef struct wg_ccoreinst {
    uint32_t nexports;
    const wg_ccoreexport *exports;
} wg_ccoreinst;

/* An entry of the core type index space. */
enum { WG_CCT_FUNC = 1, WG_CCT_MODULE = 2 };
typedef struct wg_ccoretype {
    uint8_t kind;
    union {
        const wg_functype_view *func;
        const wg_cmodtype *module;
    } of;
} wg_ccoretype;

/* ---- component types ---------------------------------------------------------- */

typedef struct wg_cinsttype wg_cinsttype;
typedef struct wg_ccomptype wg_ccomptype;

/* A resource type as one type index names it (see the file comment). */
typedef struct wg_cres {
    uint32_t id;      /* slot */
    uint32_t alias;   /* 0: the resource's introduction itself */
} wg_cres;

/* A wg_ctype as the validator builds it. Every wg_ctype the validator makes
 * is the `t` of one of these, so the validator may look at the extra fields
 * of any value type it built (wg__cval below); code handed a wg_ctype from
 * elsewhere must not. */
typedef struct wg_cvaltype {
    wg_ctype t;            /* first member */
    uint32_t alias;        /* own, borrow: the wg_cres.alias of the type index used */
    uint32_t size;         /* nodes of the type as a tree (bounded, for checking cost) */
    uint8_t depth;         /* nesting depth (bounded) */
    bool has_ptr;          /* a string, list or map inside (memory/realloc rules) */
    bool primitive;        /* one of the primitive types (bool .. string, error-context) */
    bool prim_defined;     /* a primitive given its own type index ((type u32)), for messages */
} wg_cvaltype;

static inline const wg_cvaltype *wg__cval(const wg_ctype *t) { return (const wg_cvaltype *)t; }

/* An entry of the component type index space. */
enum { WG_CTY_VALUE = 1, WG_CTY_FUNC, WG_CTY_RESOURCE, WG_CTY_INSTANCE, WG_CTY_COMPONENT };
typedef struct wg_ctyref {
    uint8_t kind;
    union {
        const wg_ctype *value;
        const wg_cfunctype *func;
        wg_cres resource;
        const wg_cinsttype *inst;
        const wg_ccomptype *comp;
    } of;
} wg_ctyref;

/* The type of an import, export, instance export or instantiation argument
 * (externtype). Kinds are the externtype codes (cast.h WG_EXT_*). */
typedef struct wg_centity {
    uint8_t kind;
    union {
        const wg_cmodtype *module;
        const wg_cfunctype *func;
        const wg_ctype *value;
        /* type: `referenced` is the type given, `created` the one the import
         * or export introduces (for an (eq T) bound a new identity with T's
         * structure; for (sub resource) a fresh resource). */
        struct {
            wg_ctyref referenced, created;
        } type;
        const wg_ccomptype *comp;
        const wg_cinsttype *inst;
    } of;
} wg_centity;

/* A named extern of an instance or component type. */
typedef struct wg_cextern {
    wg_crawname name;   /* the name and its attributes (ignored by type checking) */
    wg_centity type;
} wg_cextern;

/* A resource slot and the path that reaches its type: indices into a list
 * of imports or exports, then into nested instance types' exports. */
typedef struct wg_cpath {
    uint32_t id;
    uint32_t len;
    const uint32_t *idx;
} wg_cpath;

struct wg_cinsttype {
    uint32_t nexports;
    const wg_cextern *exports;
    /* Resources this type introduces itself ((export "r" (type (sub
     * resource))) in an instance type not yet attached to an import or
     * export): replaced by fresh slots whenever the type is used. */
    uint32_t ndefined;
    const uint32_t *defined;
    /* Every resource exported (at any depth) and where. */
    uint32_t nexplicit;
    const wg_cpath *explicit_;
    uint32_t size;                   /* validator: type nodes (bounded) */
    uint32_t nest;                   /* validator: instance/component type nesting (bounded) */
};

struct wg_ccomptype {
    uint32_t nimports, nexports;
    const wg_cextern *imports;
    const wg_cextern *exports;
    uint32_t nimported_res;          /* resources the imports introduce (path into imports) */
    const wg_cpath *imported_res;
    uint32_t ndefined_res;           /* resources defined inside and exported (path into exports) */
    const wg_cpath *defined_res;
    uint32_t nexplicit;              /* every exported resource (path into exports) */
    const wg_cpath *explicit_;
    uint32_t size;                   /* validator: type nodes (bounded) */
    uint32_t nest;                   /* validator: instance/component type nesting (bounded) */
};

/* ---- definitions -------------------------------------------------------------- */

typedef struct wg_cdef wg_cdef;

/* A reference to an index space entry (sortidx). */
typedef struct wg_csortidx {
    uint8_t sort;     /* WG_CS_* */
    uint32_t idx;
} wg_csortidx;

/* An instantiation argument or an inline export: name and item. */
typedef struct wg_carg {
    wg_crawname name;
    wg_csortidx item;
} wg_carg;

enum {
    WG_CD_CORE_MODULE = 1,      /* core module section */
    WG_CD_CORE_INSTANTIATE,     /* core instance: (instantiate module args) */
    WG_CD_CORE_EXPORTS,         /* core instance: inline exports */
    WG_CD_CORE_TYPE,            /* core type section entry */
    WG_CD_COMPONENT,            /* nested component */
    WG_CD_INSTANTIATE,          /* instance: (instantiate component args) */
    WG_CD_EXPORTS,              /* instance: inline exports */
    WG_CD_ALIAS,                /* alias section entry */
    WG_CD_TYPE,                 /* type section entry */
    WG_CD_CANON,                /* canon section entry */
    WG_CD_START,                /* start section (🪙, rejected by validation) */
    WG_CD_IMPORT,
    WG_CD_EXPORT,
};

/* String encodings (canonopt). */
enum { WG_ENC_UTF8 = 0, WG_ENC_UTF16 = 1, WG_ENC_LATIN1_UTF16 = 2 };

/* Canonical options as decoded (indices WG_CNONE when absent). */
typedef struct wg_copts {
    uint8_t encoding;
    bool has_encoding;
    bool async;
    uint32_t memory, realloc, post_return, callback;
    uint8_t dup;         /* 1 + the code of an option given twice (a validation error), or 0 */
    uint8_t conflict;    /* a second string encoding (a validation error) */
} wg_copts;

/* canon opcodes (Binary.md canon). Values are the binary opcodes. */
enum {
    WG_CANON_LIFT = 0x00, WG_CANON_LOWER = 0x01, WG_CANON_RESOURCE_NEW = 0x02,
    WG_CANON_RESOURCE_DROP = 0x03, WG_CANON_RESOURCE_REP = 0x04, WG_CANON_TASK_CANCEL = 0x05,
    WG_CANON_SUBTASK_CANCEL = 0x06, WG_CANON_TASK_RETURN = 0x09, WG_CANON_CONTEXT_GET = 0x0a,
    WG_CANON_CONTEXT_SET = 0x0b, WG_CANON_THREAD_YIELD = 0x0c, WG_CANON_SUBTASK_DROP = 0x0d,
    WG_CANON_STREAM_NEW = 0x0e, WG_CANON_STREAM_READ = 0x0f, WG_CANON_STREAM_WRITE = 0x10,
    WG_CANON_STREAM_CANCEL_READ = 0x11, WG_CANON_STREAM_CANCEL_WRITE = 0x12,
    WG_CANON_STREAM_DROP_READABLE = 0x13, WG_CANON_STREAM_DROP_WRITABLE = 0x14,
    WG_CANON_FUTURE_NEW = 0x15, WG_CANON_FUTURE_READ = 0x16, WG_CANON_FUTURE_WRITE = 0x17,
    WG_CANON_FUTURE_CANCEL_READ = 0x18, WG_CANON_FUTURE_CANCEL_WRITE = 0x19,
    WG_CANON_FUTURE_DROP_READABLE = 0x1a, WG_CANON_FUTURE_DROP_WRITABLE = 0x1b,
    WG_CANON_ERROR_CONTEXT_NEW = 0x1c, WG_CANON_ERROR_CONTEXT_DEBUG_MESSAGE = 0x1d,
    WG_CANON_ERROR_CONTEXT_DROP = 0x1e, WG_CANON_WAITABLE_SET_NEW = 0x1f,
    WG_CANON_WAITABLE_SET_WAIT = 0x20, WG_CANON_WAITABLE_SET_POLL = 0x21,
    WG_CANON_WAITABLE_SET_DROP = 0x22, WG_CANON_WAITABLE_JOIN = 0x23,
    WG_CANON_BACKPRESSURE_INC = 0x24, WG_CANON_BACKPRESSURE_DEC = 0x25,
    WG_CANON_THREAD_INDEX = 0x26, WG_CANON_THREAD_NEW_INDIRECT = 0x27,
    WG_CANON_THREAD_RESUME_LATER = 0x28, WG_CANON_THREAD_SUSPEND = 0x29,
    WG_CANON_THREAD_SUSPEND_THEN_RESUME = 0x2a, WG_CANON_THREAD_YIELD_THEN_RESUME = 0x2b,
    WG_CANON_THREAD_SUSPEND_THEN_PROMOTE = 0x2c, WG_CANON_THREAD_YIELD_THEN_PROMOTE = 0x2d,
    WG_CANON_THREAD_SPAWN_REF = 0x40, WG_CANON_THREAD_SPAWN_INDIRECT = 0x41,
    WG_CANON_THREAD_AVAILABLE_PARALLELISM = 0x42,
};

typedef struct wg_ccanon {
    uint8_t op;              /* WG_CANON_* */
    bool flag;               /* async? (subtask.cancel, *.cancel-*), cancellable? (wait, poll,
                                thread.*), shared? (🧵②) */
    uint32_t func;           /* lift: core func; lower: func */
    uint32_t type;           /* lift: func type; resource.*, stream.*, future.*: type;
                                thread.new-indirect, spawn: core type */
    uint32_t table;          /* thread.new-indirect, spawn-indirect: core table */
    uint32_t slot;           /* context.get/set: index */
    uint8_t valtype;         /* context.get/set: core value type */
    uint32_t result;         /* task.return: raw valtype, WG_RAW_NONE: no result */
    wg_copts opts;
    /* Filled by the validator. */
    const wg_cfunctype *ftype;       /* lift, lower: the function type; task.return: (func (param $t)?) */
    const wg_functype_view *core;    /* the core signature of the core function produced
                                        (all but lift) or consumed (lift) */
    const wg_ctype *payload;         /* stream.*, future.*: the element type (NULL: none) */
    uint32_t resource;               /* resource.*: the resource slot */
} wg_ccanon;

/* One definition. Fields by kind; `sort`/`index` say which index space entry
 * it appends (WG_CS_NONE for start and export-less kinds). */
typedef struct wg_citem {
    uint8_t kind;            /* WG_CD_* */
    uint8_t section;         /* the binary section it came from (messages) */
    uint8_t sort;            /* WG_CS_* appended to, or WG_CS_NONE */
    uint32_t index;          /* its index in that space */
    size_t offset;           /* byte offset in the top-level binary */
    union {
        struct {             /* WG_CD_CORE_MODULE */
            const uint8_t *bytes;    /* in the input (valid during wg_component_new only) */
            size_t len;
            wg_module *module;       /* compiled, owned by the wg_component */
        } core_module;
        struct {             /* WG_CD_CORE_INSTANTIATE (args: item.sort == WG_CS_CORE_INSTANCE) */
            uint32_t module;
            uint32_t nargs;
            const wg_carg *args;
        } core_instantiate;
        struct {             /* WG_CD_INSTANTIATE */
            uint32_t component;
            uint32_t nargs;
            const wg_carg *args;
        } instantiate;
        struct {             /* WG_CD_CORE_EXPORTS, WG_CD_EXPORTS */
            uint32_t n;
            const wg_carg *exports;
        } exports;
        const wg_crawcoretype *core_type;   /* WG_CD_CORE_TYPE */
        wg_cdef *component;                 /* WG_CD_COMPONENT */
        wg_crawalias alias;                 /* WG_CD_ALIAS */
        struct {             /* WG_CD_TYPE */
            const wg_crawtype *raw;
            uint32_t resource;       /* a resource definition: its slot (else WG_CNONE) */
        } type;
        wg_ccanon canon;                    /* WG_CD_CANON */
        struct {             /* WG_CD_START */
            uint32_t func;
            uint32_t nargs;
            const uint32_t *args;
            uint32_t nresults;
        } start;
        struct {             /* WG_CD_IMPORT */
            wg_crawname name;
            wg_crawextern ext;
            uint32_t index;          /* its position in wg_cdef.imports */
        } import;
        struct {             /* WG_CD_EXPORT */
            wg_crawname name;
            wg_csortidx item;
            bool has_ext;            /* an ascribed type */
            wg_crawextern ext;
            uint32_t index;          /* its position in wg_cdef.exports */
        } export_;
    } u;
    /* Filled by the validator: the type of the entry appended (by `sort`):
     * core func/tag: .core_func; core table/memory/global: .core_ext; core
     * type: .core_type; core module: .module; core instance: .core_inst;
     * func: .func; value: .value; type: .type; component: .comp; instance:
     * .inst. For imports and exports also the whole entity (.entity). */
    union {
        const wg_functype_view *core_func;
        wg_ccoreext core_ext;
        wg_ccoretype core_type;
        const wg_cmodtype *module;
        const wg_ccoreinst *core_inst;
        const wg_cfunctype *func;
        const wg_ctype *value;
        wg_ctyref type;
        const wg_ccomptype *comp;
        const wg_cinsttype *inst;
    } t;
    wg_centity entity;       /* import/export: the (ascribed) type */
} wg_citem;

/* How a resource slot used by a definition gets its runtime type. */
enum { WG_RB_DEFINED = 1, WG_RB_IMPORT, WG_RB_INSTANCE };
typedef struct wg_cresbind {
    uint32_t id;             /* slot */
    uint8_t how;             /* WG_RB_* */
    uint32_t index;          /* DEFINED: item index; IMPORT: import index; INSTANCE: instance index */
    uint32_t len;            /* path below that import / instance */
    const uint32_t *path;
    uint8_t rep;             /* DEFINED: core representation type */
    uint32_t dtor;           /* DEFINED: core func index of the destructor, WG_CNONE: none */
} wg_cresbind;

/* Names from the `component-name` custom section (best effort). */
typedef struct wg_cnameent {
    uint8_t sort;
    uint32_t idx;
    wg_cstr name;
} wg_cnameent;

struct wg_cdef {
    size_t offset;           /* of its preamble in the top-level binary */
    size_t end;              /* one past its last byte */
    uint32_t depth;          /* 0 for the root */
    wg_cdef *parent;         /* NULL for the root */
    uint32_t nitems;
    wg_citem *items;
    /* Index spaces: for each sort, the item that appended each entry. */
    uint32_t nspace[WG_CS_COUNT];
    const uint32_t *space[WG_CS_COUNT];
    /* Imports and exports: item indices, in order. */
    uint32_t nimports, nexports;
    const uint32_t *imports;
    const uint32_t *exports;
    /* Filled by the validator. */
    const wg_ccomptype *type;      /* the component's type */
    uint32_t nresbinds;
    const wg_cresbind *resbinds;
    /* Names (component-name section), for messages and printing. */
    wg_cstr name;
    uint32_t nnames;
    const wg_cnameent *names;
    /* What instantiating it needs that does not depend on the instance
     * (cinst.h, built by wg__ciplan_build once validation is done). */
    const struct wg_ciplan *plan;
};

struct wg_component {
    wg_arena arena;
    wg_cdef *root;
    uint32_t nresources;     /* resource slots 0 .. nresources-1 */
    /* Every compiled core module, for freeing. */
    uint32_t nmodules;
    wg_module **modules;
};

/* Frees a component built partly or fully. */
void wg__component_free(struct wg_component *c);

#endif
